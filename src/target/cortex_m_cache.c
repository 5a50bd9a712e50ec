// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Cortex-M7 L1 cache maintenance for debugger accesses.
 *
 * What a debugger sees through the MEM-AP (Cortex-M7 TRM 2.3.x, AHBD):
 *  - with CSW.HPROT[3] (cacheable) set, reads and writes look up the D-cache,
 *    so they are coherent with the core's data view;
 *  - with it clear, they go to memory and miss the core's dirty lines;
 *  - instruction fetches never see debugger writes while the I-cache holds
 *    the old line (software breakpoints, code loaded into RAM);
 *  - a flash controller updates the array, never the cache lines.
 * So: clean the D-cache before reads and writes that bypass it, invalidate
 * the D-cache lines a bypassing write or a flash operation changed, and
 * invalidate the I-cache after any write to code. Only while the core is
 * halted with CCR.DC or CCR.IC set; nothing at all otherwise.
 *
 * Registers: ARMv7-M ARM B3.2.2 (CCR), B4.8 (CLIDR, CTR, CCSIDR, CSSELR) and
 * B2.2.7 (the maintenance operations at 0xE000EF50-0xE000EF78); TCM control
 * registers: Cortex-M7 TRM 4.8 (ITCMCR, DTCMCR).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cortex_m_cache.h"

#include <helper/bits.h>
#include <helper/log.h>

#include "arm_adi_v5.h"
#include "armv7m.h"
#include "cortex_m.h"
#include "target.h"
#include "target_type.h"

#define CM_CCR		0xE000ED14
#define CM_CCR_DC	BIT(16)
#define CM_CCR_IC	BIT(17)
#define CM_CLIDR	0xE000ED78
#define CM_CCSIDR	0xE000ED80
#define CM_CSSELR	0xE000ED84
#define CM_ICIALLU	0xE000EF50
#define CM_ICIMVAU	0xE000EF58
#define CM_DCIMVAC	0xE000EF5C
#define CM_DCCMVAC	0xE000EF68
#define CM_DCCSW	0xE000EF6C
#define CM_DCCIMVAC	0xE000EF70
#define CM_DCCISW	0xE000EF74
#define CM_BPIALL	0xE000EF78
#define CM_ITCMCR	0xE000EF90
#define CM_DTCMCR	0xE000EF94

#define CSW_AHB_HPROT3	BIT(27)		/* cacheable: the access looks up the D-cache */

/* Above this many lines one whole-cache operation is cheaper than line ones. */
#define CM_CACHE_MAX_LINE_OPS	32

/*
 * The core's caches, or NULL if the target is not a Cortex-M driven through a
 * MEM-AP. Before examine (config stage) only the settings exist: everything
 * that reaches the chip first checks has_caches(), which needs examine.
 */
static struct cortex_m_cache *cache_of(struct target *target)
{
	if (!target || strcmp(target_type_name(target), "cortex_m") != 0)
		return NULL;

	struct cortex_m_common *cm = target_to_cm(target);

	return is_cortex_m_with_dap_access(cm) ? &cm->cache : NULL;
}

static struct adiv5_ap *ap_of(struct target *target)
{
	return target_to_armv7m(target)->debug_ap;
}

void cortex_m_cache_init(struct cortex_m_cache *cache)
{
	memset(cache, 0, sizeof(*cache));
	cache->maintenance = true;
}

static unsigned int log2_ceil(unsigned int n)
{
	unsigned int bits = 0;

	while (BIT(bits) < n)
		bits++;
	return bits;
}

/* CCSIDR: LineSize [2:0], Associativity [12:3], NumSets [27:13] (B4.8.3). */
static void decode_ccsidr(struct cortex_m_cache_geometry *g, uint32_t ccsidr)
{
	g->present = true;
	g->ccsidr = ccsidr;
	g->line_bytes = 1u << ((ccsidr & 0x7) + 4);
	g->ways = ((ccsidr >> 3) & 0x3FF) + 1;
	g->sets = ((ccsidr >> 13) & 0x7FFF) + 1;
	g->way_shift = 32 - log2_ceil(g->ways);
}

/* ITCMCR/DTCMCR: EN bit 0, SZ [6:3] = log2(size in KiB) + 1 when not 0. */
static uint32_t tcm_bytes(uint32_t tcmcr)
{
	unsigned int sz = (tcmcr >> 3) & 0xF;

	if (!(tcmcr & 1) || sz == 0)
		return 0;
	return 1024u << (sz - 1);
}

static int read_ccsidr(struct adiv5_ap *ap, uint32_t level_and_kind, uint32_t *ccsidr)
{
	int retval = mem_ap_write_atomic_u32(ap, CM_CSSELR, level_and_kind);

	if (retval == ERROR_OK)
		retval = mem_ap_read_atomic_u32(ap, CM_CCSIDR, ccsidr);
	return retval;
}

int cortex_m_cache_examine(struct target *target)
{
	struct cortex_m_cache *c = cache_of(target);
	struct adiv5_ap *ap;
	uint32_t clidr, csselr, ccsidr, tcmcr;
	int retval;

	if (!c)
		return ERROR_OK;
	ap = ap_of(target);
	c->examined = true;
	c->d.present = false;
	c->i.present = false;
	c->ccr_known = false;
	retval = mem_ap_read_atomic_u32(ap, CM_CLIDR, &clidr);
	if (retval != ERROR_OK)
		return retval;
	LOG_TARGET_DEBUG(target, "CLIDR 0x%08" PRIx32, clidr);
	/* Ctype1 [2:0]: bit 0 an I-cache, bit 1 a D-cache at level 1 */
	if (!(clidr & 0x3))
		return ERROR_OK;

	/* CSSELR is the firmware's register too: put it back */
	retval = mem_ap_read_atomic_u32(ap, CM_CSSELR, &csselr);
	if (retval == ERROR_OK && (clidr & 0x2)) {
		retval = read_ccsidr(ap, 0, &ccsidr);
		if (retval == ERROR_OK)
			decode_ccsidr(&c->d, ccsidr);
	}
	if (retval == ERROR_OK && (clidr & 0x1)) {
		retval = read_ccsidr(ap, 1, &ccsidr);
		if (retval == ERROR_OK)
			decode_ccsidr(&c->i, ccsidr);
	}
	if (retval == ERROR_OK)
		retval = mem_ap_write_atomic_u32(ap, CM_CSSELR, csselr);
	if (retval != ERROR_OK)
		return retval;

	/* TCMs are never cached; a core without them reads these as 0 */
	if (mem_ap_read_atomic_u32(ap, CM_ITCMCR, &tcmcr) == ERROR_OK)
		c->itcm_bytes = tcm_bytes(tcmcr);
	if (mem_ap_read_atomic_u32(ap, CM_DTCMCR, &tcmcr) == ERROR_OK)
		c->dtcm_bytes = tcm_bytes(tcmcr);

	LOG_TARGET_DEBUG(target, "D-cache CCSIDR 0x%08" PRIx32 ", I-cache CCSIDR 0x%08" PRIx32
		", ITCM %" PRIu32 " KiB, DTCM %" PRIu32 " KiB", c->d.ccsidr, c->i.ccsidr,
		c->itcm_bytes / 1024, c->dtcm_bytes / 1024);
	return ERROR_OK;
}

static bool has_caches(const struct cortex_m_cache *c)
{
	return c->examined && (c->d.present || c->i.present);
}

static int read_ccr(struct target *target, struct cortex_m_cache *c)
{
	int retval = mem_ap_read_atomic_u32(ap_of(target), CM_CCR, &c->ccr);

	if (retval != ERROR_OK)
		return retval;
	c->ccr_known = true;
	c->d_may_be_dirty = c->d.present && (c->ccr & CM_CCR_DC);
	LOG_TARGET_DEBUG(target, "CCR 0x%08" PRIx32 ": D-cache %s, I-cache %s", c->ccr,
		(c->ccr & CM_CCR_DC) ? "on" : "off", (c->ccr & CM_CCR_IC) ? "on" : "off");
	return ERROR_OK;
}

int cortex_m_cache_debug_entry(struct target *target)
{
	struct cortex_m_cache *c = cache_of(target);

	if (!c)
		return ERROR_OK;
	c->ccr_known = false;
	if (!has_caches(c) || !c->maintenance)
		return ERROR_OK;	/* learnt on demand, if ever needed */
	return read_ccr(target, c);
}

/*
 * The cache state when maintenance applies: a halted Cortex-M7 with
 * automatic maintenance on and at least one cache enabled. NULL otherwise.
 */
static struct cortex_m_cache *active_cache(struct target *target)
{
	struct cortex_m_cache *c = cache_of(target);

	if (!c || !has_caches(c) || !c->maintenance || target->state != TARGET_HALTED)
		return NULL;
	if (!c->ccr_known && read_ccr(target, c) != ERROR_OK)
		return NULL;
	return (c->ccr & (CM_CCR_DC | CM_CCR_IC)) ? c : NULL;
}

/* The default memory map caches the Code, SRAM and RAM regions, not the TCMs. */
static bool range_cacheable(const struct cortex_m_cache *c, uint64_t start, uint64_t end)
{
	const uint64_t regions[][2] = {
		{ c->itcm_bytes, 0x20000000 },
		{ 0x20000000ull + c->dtcm_bytes, 0x40000000 },
		{ 0x60000000, 0xA0000000 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(regions); i++)
		if (start < regions[i][1] && end > regions[i][0])
			return true;
	return false;
}

/* Debugger data accesses look up the D-cache (CSW.HPROT[3]): coherent already. */
static bool ap_looks_up_dcache(struct target *target)
{
	return ap_of(target)->csw_default & CSW_AHB_HPROT3;
}

static unsigned int line_count(const struct cortex_m_cache_geometry *g, target_addr_t address,
		uint32_t len)
{
	uint64_t first = address & ~(uint64_t)(g->line_bytes - 1);

	return (unsigned int)(((uint64_t)address + len - first + g->line_bytes - 1) / g->line_bytes);
}

/* Queue one by-address operation per cacheable line of the range. */
static int queue_by_line(struct target *target, struct cortex_m_cache *c,
		const struct cortex_m_cache_geometry *g, uint32_t op, target_addr_t address,
		uint32_t len)
{
	uint64_t line = address & ~(uint64_t)(g->line_bytes - 1);
	uint64_t end = (uint64_t)address + len;

	for (; line < end; line += g->line_bytes) {
		if (!range_cacheable(c, line, line + g->line_bytes))
			continue;
		int retval = mem_ap_write_u32(ap_of(target), op, (uint32_t)line);

		if (retval != ERROR_OK)
			return retval;
		c->ops++;
	}
	return ERROR_OK;
}

/* Queue one set/way operation for every line of the D-cache. */
static int queue_by_set_way(struct target *target, struct cortex_m_cache *c, uint32_t op)
{
	const struct cortex_m_cache_geometry *g = &c->d;
	unsigned int set_shift = log2_ceil(g->line_bytes);

	for (unsigned int way = 0; way < g->ways; way++) {
		uint32_t way_bits = g->ways > 1 ? way << g->way_shift : 0;

		for (unsigned int set = 0; set < g->sets; set++) {
			int retval = mem_ap_write_u32(ap_of(target), op, way_bits | (set << set_shift));

			if (retval != ERROR_OK)
				return retval;
			c->ops++;
		}
	}
	return ERROR_OK;
}

static int run_queue(struct target *target, const char *what)
{
	int retval = dap_run(ap_of(target)->dap);

	if (retval != ERROR_OK)
		LOG_TARGET_ERROR(target, "cache maintenance (%s) failed: the SCB cache maintenance "
			"registers at 0xE000EF50-0xE000EF78 were not written; try "
			"'cortex_m cache_maintenance off' and 'reset halt'", what);
	return retval;
}

/* Write the D-cache's dirty lines back: those of the range, or all of them. */
static int clean_dcache(struct target *target, struct cortex_m_cache *c, target_addr_t address,
		uint32_t len, bool whole)
{
	int retval;

	if (whole || line_count(&c->d, address, len) > CM_CACHE_MAX_LINE_OPS) {
		retval = queue_by_set_way(target, c, CM_DCCSW);
		if (retval == ERROR_OK)
			retval = run_queue(target, "D-cache clean by set/way");
		if (retval == ERROR_OK) {
			c->d_may_be_dirty = false;
			LOG_TARGET_DEBUG(target, "cleaned the whole D-cache (%u set/way operations)",
				c->d.sets * c->d.ways);
		}
		return retval;
	}
	retval = queue_by_line(target, c, &c->d, CM_DCCMVAC, address, len);
	if (retval == ERROR_OK)
		retval = run_queue(target, "D-cache clean by address");
	if (retval == ERROR_OK)
		LOG_TARGET_DEBUG(target, "cleaned the D-cache lines of " TARGET_ADDR_FMT "+0x%" PRIx32,
			address, len);
	return retval;
}

/* Drop the D-cache copies of a range; whole-cache drops write dirty lines back first. */
static int invalidate_dcache(struct target *target, struct cortex_m_cache *c,
		target_addr_t address, uint32_t len, uint32_t line_op)
{
	int retval;

	if (line_count(&c->d, address, len) > CM_CACHE_MAX_LINE_OPS)
		retval = queue_by_set_way(target, c, CM_DCCISW);
	else
		retval = queue_by_line(target, c, &c->d, line_op, address, len);
	if (retval == ERROR_OK)
		retval = run_queue(target, "D-cache invalidate");
	if (retval == ERROR_OK)
		LOG_TARGET_DEBUG(target, "invalidated the D-cache lines of " TARGET_ADDR_FMT
			"+0x%" PRIx32, address, len);
	return retval;
}

static int invalidate_icache(struct target *target, struct cortex_m_cache *c,
		target_addr_t address, uint32_t len)
{
	int retval;

	if (line_count(&c->i, address, len) > CM_CACHE_MAX_LINE_OPS) {
		retval = mem_ap_write_u32(ap_of(target), CM_ICIALLU, 0);
		c->ops++;
	} else {
		retval = queue_by_line(target, c, &c->i, CM_ICIMVAU, address, len);
	}
	/* the branch predictor may hold targets from the old code too */
	if (retval == ERROR_OK) {
		retval = mem_ap_write_u32(ap_of(target), CM_BPIALL, 0);
		c->ops++;
	}
	if (retval == ERROR_OK)
		retval = run_queue(target, "I-cache invalidate");
	if (retval == ERROR_OK)
		LOG_TARGET_DEBUG(target, "invalidated the I-cache lines of " TARGET_ADDR_FMT
			"+0x%" PRIx32, address, len);
	return retval;
}

static bool dcache_needs_care(struct target *target, struct cortex_m_cache *c,
		target_addr_t address, uint32_t len)
{
	return c->d.present && (c->ccr & CM_CCR_DC) && !ap_looks_up_dcache(target) &&
		range_cacheable(c, address, (uint64_t)address + len);
}

int cortex_m_cache_before_read(struct target *target, target_addr_t address, uint32_t len)
{
	struct cortex_m_cache *c = active_cache(target);

	if (!c || !c->d_may_be_dirty || !dcache_needs_care(target, c, address, len))
		return ERROR_OK;
	return clean_dcache(target, c, address, len, false);
}

/* Clean first: the invalidate after the write must not lose the core's other dirty data. */
int cortex_m_cache_before_write(struct target *target, target_addr_t address, uint32_t len)
{
	return cortex_m_cache_before_read(target, address, len);
}

int cortex_m_cache_after_write(struct target *target, target_addr_t address, uint32_t len)
{
	struct cortex_m_cache *c = cache_of(target);
	int retval = ERROR_OK;

	/* a debugger write to CCR itself: learn the new value at next use */
	if (c && address <= CM_CCR + 3 && (uint64_t)address + len > CM_CCR)
		c->ccr_known = false;
	c = active_cache(target);
	if (!c)
		return ERROR_OK;
	if (dcache_needs_care(target, c, address, len))
		retval = invalidate_dcache(target, c, address, len, CM_DCIMVAC);
	if (retval == ERROR_OK && c->i.present && (c->ccr & CM_CCR_IC) &&
			range_cacheable(c, address, (uint64_t)address + len))
		retval = invalidate_icache(target, c, address, len);
	return retval;
}

int cortex_m_cache_memory_changed(struct target *target, target_addr_t address, uint32_t len)
{
	struct cortex_m_cache *c = active_cache(target);
	int retval = ERROR_OK;

	if (!c || !range_cacheable(c, address, (uint64_t)address + len))
		return ERROR_OK;
	/* whatever HPROT[3] says: the controller wrote memory, not the lines */
	if (c->d.present && (c->ccr & CM_CCR_DC))
		retval = invalidate_dcache(target, c, address, len, CM_DCIMVAC);
	if (retval == ERROR_OK && c->i.present && (c->ccr & CM_CCR_IC))
		retval = invalidate_icache(target, c, address, len);
	return retval;
}

static bool ccr_bit_on(struct target *target, uint32_t bit)
{
	struct cortex_m_cache *c = cache_of(target);

	if (!c || !has_caches(c))
		return false;
	if (!c->ccr_known && (target->state != TARGET_HALTED || read_ccr(target, c) != ERROR_OK))
		return false;
	return c->ccr & bit;
}

bool cortex_m_cache_dcache_on(struct target *target)
{
	return ccr_bit_on(target, CM_CCR_DC);
}

bool cortex_m_cache_icache_on(struct target *target)
{
	return ccr_bit_on(target, CM_CCR_IC);
}

bool cortex_m_cache_maintenance_on(struct target *target)
{
	struct cortex_m_cache *c = cache_of(target);

	return c && c->maintenance;
}

/* ---- commands ------------------------------------------------------------ */

static struct cortex_m_cache *command_cache(struct command_invocation *cmd, struct target *target)
{
	struct cortex_m_cache *c = cache_of(target);

	if (!c) {
		command_print(cmd, "target %s is not a Cortex-M reached through a MEM-AP",
			target_name(target));
		return NULL;
	}
	return c;
}

static void print_geometry(struct command_invocation *cmd, const char *name,
		const struct cortex_m_cache_geometry *g, bool enabled)
{
	if (!g->present) {
		command_print(cmd, "%s: none", name);
		return;
	}
	command_print(cmd, "%s: %u KiB, %u ways x %u sets, %u-byte lines (CCSIDR 0x%08" PRIx32
		"), %s", name, g->line_bytes * g->ways * g->sets / 1024, g->ways, g->sets,
		g->line_bytes, g->ccsidr, enabled ? "enabled" : "disabled");
}

COMMAND_HANDLER(handle_cortex_m_cache_info_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct cortex_m_cache *c = command_cache(CMD, target);

	if (!c)
		return ERROR_TARGET_INVALID;
	if (CMD_ARGC)
		return ERROR_COMMAND_SYNTAX_ERROR;
	if (!target_was_examined(target) || !c->examined) {
		command_print(CMD, "target %s not examined yet: no cache information",
			target_name(target));
		return ERROR_TARGET_NOT_EXAMINED;
	}
	if (!has_caches(c)) {
		command_print(CMD, "no L1 caches (CLIDR reports none)");
		return ERROR_OK;
	}
	/* read CCR afresh: the core may be running and change it */
	int retval = read_ccr(target, c);

	if (retval != ERROR_OK)
		return retval;
	if (target->state != TARGET_HALTED)
		c->ccr_known = false;
	print_geometry(CMD, "D-cache", &c->d, c->ccr & CM_CCR_DC);
	print_geometry(CMD, "I-cache", &c->i, c->ccr & CM_CCR_IC);
	command_print(CMD, "never cached, no maintenance there: ITCM %" PRIu32 " KiB at 0x00000000, "
		"DTCM %" PRIu32 " KiB at 0x20000000 (ITCMCR, DTCMCR)", c->itcm_bytes / 1024,
		c->dtcm_bytes / 1024);
	command_print(CMD, "debugger accesses %s the D-cache (MEM-AP CSW.HPROT[3] = %d)",
		ap_looks_up_dcache(target) ? "look up" : "bypass", ap_looks_up_dcache(target));
	command_print(CMD, "automatic maintenance: %s (%llu maintenance writes so far)",
		c->maintenance ? "on" : "off", c->ops);
	return ERROR_OK;
}

COMMAND_HANDLER(handle_cortex_m_cache_maintenance_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct cortex_m_cache *c = command_cache(CMD, target);

	if (!c)
		return ERROR_TARGET_INVALID;
	if (CMD_ARGC > 1)
		return ERROR_COMMAND_SYNTAX_ERROR;
	if (CMD_ARGC == 1) {
		bool on;

		COMMAND_PARSE_ON_OFF(CMD_ARGV[0], on);
		if (on && !c->maintenance) {
			/* nothing is known about what the core did meanwhile */
			c->ccr_known = false;
		}
		c->maintenance = on;
	}
	command_print(CMD, "cortex_m cache_maintenance %s", c->maintenance ? "on" : "off");
	return ERROR_OK;
}

/* Parse the optional "address length" of the hand-driven operations. */
static int parse_range(struct command_invocation *cmd, target_addr_t *address, uint32_t *len,
		bool *whole)
{
	if (CMD_ARGC == 0) {
		*whole = true;
		*address = 0;
		*len = 0;
		return ERROR_OK;
	}
	if (CMD_ARGC != 2)
		return ERROR_COMMAND_SYNTAX_ERROR;
	COMMAND_PARSE_ADDRESS(CMD_ARGV[0], *address);
	COMMAND_PARSE_NUMBER(u32, CMD_ARGV[1], *len);
	if (*len == 0 || *address + *len - 1 < *address) {
		command_print(cmd, "the range " TARGET_ADDR_FMT "+0x%" PRIx32 " is empty or wraps "
			"around the address space", *address, *len);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	*whole = false;
	return ERROR_OK;
}

/* The hand-driven operations need a halted core with caches and a known CCR. */
static int prepare_by_hand(struct command_invocation *cmd, struct target *target,
		struct cortex_m_cache **cp)
{
	struct cortex_m_cache *c = command_cache(cmd, target);

	if (!c)
		return ERROR_TARGET_INVALID;
	if (!has_caches(c)) {
		command_print(cmd, "no L1 caches on target %s (CLIDR reports none)",
			target_name(target));
		return ERROR_TARGET_RESOURCE_NOT_AVAILABLE;
	}
	if (target->state != TARGET_HALTED) {
		command_print(cmd, "target %s is not halted: halt it first, the core would "
			"refill the lines meanwhile", target_name(target));
		return ERROR_TARGET_NOT_HALTED;
	}
	*cp = c;
	return read_ccr(target, c);
}

COMMAND_HANDLER(handle_cortex_m_cache_clean_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct cortex_m_cache *c = NULL;
	target_addr_t address;
	uint32_t len;
	bool whole;
	int retval = parse_range(CMD, &address, &len, &whole);

	if (retval == ERROR_OK)
		retval = prepare_by_hand(CMD, target, &c);
	if (retval != ERROR_OK)
		return retval;
	if (!c->d.present) {
		command_print(CMD, "no D-cache: nothing to clean");
		return ERROR_OK;
	}
	retval = clean_dcache(target, c, address, len, whole);
	if (retval == ERROR_OK)
		command_print(CMD, "D-cache cleaned%s", whole ? "" : " (lines of the range)");
	return retval;
}

COMMAND_HANDLER(handle_cortex_m_cache_invalidate_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct cortex_m_cache *c = NULL;
	target_addr_t address;
	uint32_t len;
	bool whole;
	int retval = parse_range(CMD, &address, &len, &whole);

	if (retval == ERROR_OK)
		retval = prepare_by_hand(CMD, target, &c);
	if (retval != ERROR_OK)
		return retval;
	if (whole) {
		/* the whole address space: both caches entirely */
		address = 0;
		len = UINT32_MAX;
	}
	/* clean+invalidate: dirty data reaches memory, never lost */
	if (c->d.present)
		retval = invalidate_dcache(target, c, address, len, CM_DCCIMVAC);
	if (retval == ERROR_OK && c->i.present)
		retval = invalidate_icache(target, c, address, len);
	if (retval == ERROR_OK) {
		if (whole)
			c->d_may_be_dirty = false;
		command_print(CMD, "D-cache cleaned and invalidated, I-cache invalidated%s",
			whole ? "" : " (lines of the range)");
	}
	return retval;
}

const struct command_registration cortex_m_cache_command_handlers[] = {
	{
		.name = "cache_info",
		.handler = handle_cortex_m_cache_info_command,
		.mode = COMMAND_EXEC,
		.help = "show the L1 caches' geometry, whether the core has them enabled "
			"and whether debugger accesses look them up",
		.usage = "",
	},
	{
		.name = "cache_maintenance",
		.handler = handle_cortex_m_cache_maintenance_command,
		.mode = COMMAND_ANY,
		.help = "clean/invalidate the L1 caches around debugger memory accesses, "
			"software breakpoints and flash programming (default on)",
		.usage = "['on'|'off']",
	},
	{
		.name = "cache_clean",
		.handler = handle_cortex_m_cache_clean_command,
		.mode = COMMAND_EXEC,
		.help = "write the D-cache's dirty lines back to memory: the lines of a range, "
			"or the whole D-cache",
		.usage = "[address length]",
	},
	{
		.name = "cache_invalidate",
		.handler = handle_cortex_m_cache_invalidate_command,
		.mode = COMMAND_EXEC,
		.help = "clean and invalidate the D-cache and invalidate the I-cache: the lines "
			"of a range, or both caches entirely",
		.usage = "[address length]",
	},
	COMMAND_REGISTRATION_DONE
};
