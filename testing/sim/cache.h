/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cortex-M7 L1 caches, as far as a debugger can tell them apart from memory
 * (Cortex-M7 TRM r1p1, chapter 5; ARMv7-M ARM B2.2.7).
 *
 * D-cache: 16 KiB, 4 ways x 128 sets of 32-byte lines. A region's buffer
 * (bus_region.mem, mapped into Unicorn) always holds what the core sees. A
 * valid line keeps, beside its tag and dirty flag, the bytes of memory
 * underneath it; everywhere else the buffer is memory and core view at once.
 * Accesses that must see memory (debugger with HPROT[3] = 0, DMA, the flash
 * controller) swap the two for the lines they touch, then swap back.
 *
 * I-cache: 16 KiB, 2 ways x 256 sets, tags only. Unicorn's translated code
 * plays its contents: a change under a valid I-cache line marks the line
 * stale instead of dropping its translations, so the core goes on running
 * the old instructions until an invalidate or an eviction drops them.
 */
#ifndef H743SIM_CACHE_H
#define H743SIM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define CACHE_LINE		32u
#define CACHE_LINE_MASK		(~(CACHE_LINE - 1))
#define DCACHE_SETS		128u
#define DCACHE_WAYS		4u
#define ICACHE_SETS		256u
#define ICACHE_WAYS		2u
#define CACHE_MAX_RANGES	8
#define ICACHE_MAX_DROPS	1024

/* CCSIDR per CSSELR.InD (Cortex-M7 TRM 4.1.x, 16 KiB each) */
#define CCSIDR_DCACHE		0xF00FE019u
#define CCSIDR_ICACHE		0x201FE009u

/* Maintenance operations (what a DC* register does to a line). */
#define CACHE_OP_CLEAN		(1u << 0)
#define CACHE_OP_INVALIDATE	(1u << 1)

/* Memory the caches may hold: write-back (SRAM) or write-through (flash). */
struct cache_range {
	uint32_t base;
	uint32_t size;
	uint8_t *mem;			/* the region's buffer: the core's view */
	bool write_back;		/* WBWA; otherwise WT, allocated on reads only */
};

struct dcache_line {
	uint32_t tag;			/* line address */
	bool valid;
	bool dirty;
	bool write_back;		/* of its range: a store hit makes it dirty */
	uint8_t mem[CACHE_LINE];	/* memory underneath the line */
};

struct icache_line {
	uint32_t tag;
	bool valid;
	bool stale;			/* memory changed since the fill */
};

struct cache_stats {
	uint64_t d_hits, d_misses, d_fills, d_evictions, d_writebacks;
	uint64_t d_dirty_lost;		/* dirty lines dropped by invalidate or reset */
	uint64_t d_maintenance;		/* DC* register writes */
	uint64_t i_fills, i_evictions, i_stale_marked, i_stale_dropped;
	uint64_t i_maintenance;		/* IC* register writes */
};

struct cache {
	struct cache_range ranges[CACHE_MAX_RANGES];
	unsigned int nranges;

	struct dcache_line d[DCACHE_SETS][DCACHE_WAYS];
	uint8_t d_victim[DCACHE_SETS];	/* round robin, per set */
	unsigned int d_valid;

	struct icache_line i[ICACHE_SETS][ICACHE_WAYS];
	uint8_t i_victim[ICACHE_SETS];
	unsigned int i_valid, i_stale;
	/* stale lines invalidated or evicted: their translations must go */
	uint32_t i_drops[ICACHE_MAX_DROPS];
	unsigned int n_drops;
	bool drops_overflow;

	/* the core's view of [addr, addr + len) changed (translated code there) */
	void (*view_changed)(void *ctx, uint32_t addr, uint32_t len);
	void *ctx;
	struct cache_stats stats;
};

void cache_init(struct cache *c);
int cache_add_range(struct cache *c, uint32_t base, uint32_t size, uint8_t *mem,
		bool write_back);
const struct cache_range *cache_find_range(const struct cache *c, uint32_t addr);
/* Reset or power-on: every line dropped, dirty data lost. */
void cache_reset(struct cache *c);

/* A core load or store of size bytes (may straddle two lines), D-cache enabled. */
void cache_core_access(struct cache *c, uint32_t addr, unsigned int size, bool write);
/* Does the D-cache hold any line of [addr, addr + len)? */
bool cache_holds(const struct cache *c, uint32_t addr, uint32_t len);
/* Is the line of addr dirty? */
bool cache_line_dirty(const struct cache *c, uint32_t addr);
/*
 * Exchange core view and memory for the lines of [addr, addr + len): called
 * before and after an access that must see memory.
 */
void cache_swap(struct cache *c, uint32_t addr, uint32_t len);

/* D-cache maintenance by address, by set/way (DCISW encoding), or everything. */
void cache_d_by_addr(struct cache *c, uint32_t addr, unsigned int op);
void cache_d_by_setway(struct cache *c, uint32_t setway, unsigned int op);
void cache_d_all(struct cache *c, unsigned int op);

/* An instruction fetch at addr, I-cache enabled. False unless a stale line was evicted. */
bool cache_i_fetch(struct cache *c, uint32_t addr);
bool cache_i_holds(const struct cache *c, uint32_t addr);
bool cache_i_is_stale(const struct cache *c, uint32_t addr);
/* Memory under the line of addr changed: if the I-cache holds it, it becomes stale. */
void cache_i_mark_stale(struct cache *c, uint32_t addr);
void cache_i_invalidate_addr(struct cache *c, uint32_t addr);
void cache_i_invalidate_all(struct cache *c);

#endif
