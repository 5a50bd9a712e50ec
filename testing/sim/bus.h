/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bus is a table of address regions. Each region is plain memory, a device
 * with register callbacks, or both (memory the CPU executes from, with a
 * device deciding what reads and writes do). A miss is a bus error, never a
 * silent zero.
 */
#ifndef H743SIM_BUS_H
#define H743SIM_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* Who is accessing: the core, or one of the debug access ports. */
enum bus_master {
	MASTER_CPU,
	MASTER_AP0,
	MASTER_AP1,
	MASTER_AP2,
	MASTER_DMA,	/* DMA1/DMA2: memory only, never the core's caches */
};

/* The debug access ports (their accesses are seen by debug_access). */
static inline bool bus_master_is_debug(enum bus_master who)
{
	return who == MASTER_AP0 || who == MASTER_AP1 || who == MASTER_AP2;
}

/* Access attributes beside the master (bus_read_attr, bus_write_attr). */
#define BUS_ATTR_CACHEABLE	(1u << 0)	/* HPROT[3]: look up the core's D-cache */

#define BUS_OK		0
#define BUS_ERROR	(-1)
#define BUS_STALL	(-2)	/* a CPU access that never completes (read_check only) */

struct bus_region_ops {
	int (*read)(void *ctx, uint32_t offset, unsigned int size, uint32_t *value,
			enum bus_master who);
	int (*write)(void *ctx, uint32_t offset, unsigned int size, uint32_t value,
			enum bus_master who);
};

struct bus_region {
	const char *name;
	uint32_t base;
	uint32_t size;
	uint8_t *mem;			/* backing store, or NULL for pure devices */
	bool readonly;			/* plain memory that refuses writes */
	const struct bus_region_ops *ops;	/* overrides plain memory access */
	void *ctx;
};

#define BUS_MAX_REGIONS 40

struct bus;
/* Lets the chip refuse a whole region, e.g. the AXI side while SRST is held. */
typedef bool (*bus_gate_fn)(void *ctx, const struct bus_region *r, enum bus_master who);
/* Tells the core that memory changed behind its back (drop translated code). */
typedef void (*bus_changed_fn)(void *ctx, uint32_t addr, uint32_t len);
/*
 * The core's D-cache (cache.c) seen from the bus: which addresses a line
 * holds, and the swap between the core's view and memory under those lines.
 */
struct bus_cache_ops {
	bool (*holds)(void *ctx, uint32_t addr, uint32_t len);
	void (*swap)(void *ctx, uint32_t addr, uint32_t len);
};
/* Sees every successful access (memory or device) by a debug access port. */
typedef void (*bus_observer_fn)(void *ctx, const struct bus_region *r, uint32_t addr,
		unsigned int size, bool write, uint32_t value);

struct bus {
	const char *name;
	struct bus_region regions[BUS_MAX_REGIONS];
	unsigned int nregions;
	bus_gate_fn gate;
	void *gate_ctx;
	bus_changed_fn changed;
	void *changed_ctx;
	bus_observer_fn debug_access;
	void *debug_access_ctx;
	const struct bus_cache_ops *cache;	/* NULL: no cache in front of memory */
	void *cache_ctx;
	uint64_t accesses;
	uint64_t errors;
	uint64_t cache_hits;		/* cacheable non-CPU accesses that hit a D-cache line */
	uint64_t cache_bypasses;	/* non-cacheable ones under a line: memory, not the line */
};

void bus_init(struct bus *bus, const char *name);
struct bus_region *bus_add_memory(struct bus *bus, const char *name, uint32_t base,
		uint32_t size, uint8_t *mem, bool readonly);
struct bus_region *bus_add_device(struct bus *bus, const char *name, uint32_t base,
		uint32_t size, const struct bus_region_ops *ops, void *ctx);
const struct bus_region *bus_find(const struct bus *bus, uint32_t addr);

/* size is 1, 2 or 4 bytes, naturally aligned; value is right-aligned. */
int bus_read(struct bus *bus, uint32_t addr, unsigned int size, uint32_t *value,
		enum bus_master who);
int bus_write(struct bus *bus, uint32_t addr, unsigned int size, uint32_t value,
		enum bus_master who);
/*
 * The same with attributes. A non-CPU access to memory a D-cache line holds
 * sees memory, unless BUS_ATTR_CACHEABLE: then a read returns the line and a
 * write updates line and memory (the Cortex-M7 AHBD port's lookup). bus_read
 * and bus_write pass no attribute.
 */
int bus_read_attr(struct bus *bus, uint32_t addr, unsigned int size, uint32_t *value,
		enum bus_master who, unsigned int attrs);
int bus_write_attr(struct bus *bus, uint32_t addr, unsigned int size, uint32_t value,
		enum bus_master who, unsigned int attrs);

/* Little-endian helpers for plain memory. */
uint32_t mem_load(const uint8_t *p, unsigned int size);
void mem_store(uint8_t *p, unsigned int size, uint32_t value);

const char *bus_master_name(enum bus_master who);

#endif
