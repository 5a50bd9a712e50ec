/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Cortex-M7 L1 cache maintenance for debugger accesses (ARMv7-M ARM B2.2.7
 * and B4.8, Cortex-M7 TRM section 4.8 "Cache maintenance operations").
 *
 * A debugger write lands in memory, not in the core's caches, and a debugger
 * read that does not look up the D-cache (MEM-AP CSW.HPROT[3] clear) misses
 * the core's dirty lines. This module cleans and invalidates the lines a
 * debugger access covers, only while the core is halted with CCR.DC or CCR.IC
 * set, and costs nothing otherwise.
 */

#ifndef OPENOCD_TARGET_CORTEX_M_CACHE_H
#define OPENOCD_TARGET_CORTEX_M_CACHE_H

#include <helper/command.h>
#include <helper/types.h>

struct target;

/* Geometry of one cache, decoded from its CCSIDR. */
struct cortex_m_cache_geometry {
	bool present;
	uint32_t ccsidr;
	unsigned int line_bytes;
	unsigned int ways;
	unsigned int sets;
	unsigned int way_shift;		/* where the way number sits in a set/way operand */
};

struct cortex_m_cache {
	bool examined;			/* CLIDR/CCSIDR read (Cortex-M7 only) */
	struct cortex_m_cache_geometry d, i;
	uint32_t itcm_bytes, dtcm_bytes;	/* never cached: no maintenance there */
	bool maintenance;		/* `cortex_m cache_maintenance`, default on */
	bool ccr_known;			/* CCR read since the last halt */
	uint32_t ccr;
	bool d_may_be_dirty;		/* the core ran since the last whole-D-cache clean */
	unsigned long long ops;		/* maintenance register writes issued */
};

void cortex_m_cache_init(struct cortex_m_cache *cache);
/* Read the cache identification (CLIDR, CCSIDR per CSSELR, TCM sizes). */
int cortex_m_cache_examine(struct target *target);
/* The core halted: learn CCR.DC/IC; the D-cache may hold dirty lines. */
int cortex_m_cache_debug_entry(struct target *target);
/* Before a debugger read: make memory hold what the core sees. */
int cortex_m_cache_before_read(struct target *target, target_addr_t address, uint32_t len);
/* Around a debugger write: keep the core from using old copies afterwards. */
int cortex_m_cache_before_write(struct target *target, target_addr_t address, uint32_t len);
int cortex_m_cache_after_write(struct target *target, target_addr_t address, uint32_t len);
/*
 * Memory changed behind the core's back (a flash controller programmed or
 * erased it): drop the D- and I-cache copies of the range. For flash drivers;
 * does nothing on other targets.
 */
int cortex_m_cache_memory_changed(struct target *target, target_addr_t address, uint32_t len);
/* Did the core have its D-cache (or I-cache) on at the last halt? */
bool cortex_m_cache_dcache_on(struct target *target);
bool cortex_m_cache_icache_on(struct target *target);
/* Is automatic maintenance on for this target (false on other targets)? */
bool cortex_m_cache_maintenance_on(struct target *target);

extern const struct command_registration cortex_m_cache_command_handlers[];

#endif /* OPENOCD_TARGET_CORTEX_M_CACHE_H */
