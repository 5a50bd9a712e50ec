/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Cortex-M7 L1 caches inside the assembled chip (cache.c and its hooks
 * in cm7.c, bus.c, mem_ap.c and the flash array): line fills, write-back on
 * eviction, invalidate losing dirty data, the maintenance registers by
 * address and by set/way, the debugger's HPROT[3] on a dirty line, flash
 * programmed under a cached line, CCSIDR per CSSELR, reset, and the I-cache
 * keeping old instructions (a BKPT written by the debugger is not hit until
 * ICIMVAU) on a tiny program run by the core.
 *
 * Core data accesses are made two ways: through core_load/core_store, which
 * do what the Unicorn memory hooks do (look up, then access the buffer), and
 * by programs on the core where the hooks themselves are under test.
 */
#include "unit_helpers.h"

#include "rig_chip.h"

#define AXI		0x24000000u
#define LINE_A		(AXI + 0x100)
#define SET_STRIDE	(DCACHE_SETS * CACHE_LINE)	/* same set, next tag */
#define DMA1_BASE	0x40020000u
#define CCR		0xE000ED14u
#define CCSIDR		0xE000ED80u
#define CSSELR		0xE000ED84u
#define CLIDR		0xE000ED78u
#define CTR		0xE000ED7Cu
#define DHCSR		0xE000EDF0u
#define ICIALLU		0xE000EF50u
#define ICIMVAU		0xE000EF58u
#define DCIMVAC		0xE000EF5Cu
#define DCISW		0xE000EF60u
#define DCCMVAC		0xE000EF68u
#define DCCSW		0xE000EF6Cu
#define DCCIMVAC	0xE000EF70u
#define DCCISW		0xE000EF74u

#define CSW_WORD	0x22000002u	/* 32-bit, no increment, HPROT[3] = 0 */
#define STACK_TOP	0x20020000u

struct rig {
	struct stm32h743 chip;
};

static int setup(void **state)
{
	*state = RIG_CHIP_NEW(struct rig);
	return 0;
}

/* Vector table at 0x08000000 (reset to pc), then power on; extra flash bytes at 0x400. */
static void boot(struct rig *r, uint32_t pc, const uint8_t *extra, uint32_t extra_len)
{
	uint8_t image[0x800];

	memset(image, 0xFF, sizeof(image));
	mem_store(image, 4, STACK_TOP);
	mem_store(image + 4, 4, pc | 1);
	if (extra)
		memcpy(image + 0x400, extra, extra_len);
	assert_int_equal(flash_load_image(&r->chip.flash, image, sizeof(image)), 0);
	chip_power_on(&r->chip);
}

/* ---- the debugger through AP0 ------------------------------------------- */

static uint32_t dbg_read(struct rig *r, uint32_t addr, bool cacheable)
{
	uint32_t v = 0;

	mem_ap_write(&r->chip.ap0, AP_REG_CSW, CSW_WORD | (cacheable ? CSW_HPROT_CACHEABLE : 0));
	mem_ap_write(&r->chip.ap0, AP_REG_TAR, addr);
	assert_int_equal(mem_ap_read(&r->chip.ap0, AP_REG_DRW, &v), BUS_OK);
	return v;
}

static void dbg_write(struct rig *r, uint32_t addr, uint32_t v, bool cacheable)
{
	mem_ap_write(&r->chip.ap0, AP_REG_CSW, CSW_WORD | (cacheable ? CSW_HPROT_CACHEABLE : 0));
	mem_ap_write(&r->chip.ap0, AP_REG_TAR, addr);
	assert_int_equal(mem_ap_write(&r->chip.ap0, AP_REG_DRW, v), BUS_OK);
}

/* ---- the core's data side, as the Unicorn hooks drive it ---------------- */

static uint8_t *view(struct rig *r, uint32_t addr)
{
	const struct cache_range *cr = cache_find_range(&r->chip.core.cache, addr);

	assert_non_null(cr);
	return cr->mem + (addr - cr->base);
}

static uint32_t core_load(struct rig *r, uint32_t addr)
{
	if (r->chip.core.dc_on)
		cache_core_access(&r->chip.core.cache, addr, 4, false);
	return mem_load(view(r, addr), 4);
}

static void core_store(struct rig *r, uint32_t addr, uint32_t v)
{
	if (r->chip.core.dc_on)
		cache_core_access(&r->chip.core.cache, addr, 4, true);
	mem_store(view(r, addr), 4, v);
}

static void dcache_on(struct rig *r)
{
	dbg_write(r, CCR, dbg_read(r, CCR, false) | CCR_DC, false);
	assert_true(r->chip.core.dc_on);
}

static const struct cache_stats *stats(struct rig *r)
{
	return &r->chip.core.cache.stats;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_identification_and_ccsidr_per_csselr(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	assert_int_equal(dbg_read(r, CLIDR, false), 0x09000003);
	assert_int_equal(dbg_read(r, CTR, false), 0x8303C003);
	dbg_write(r, CSSELR, 0, false);
	assert_int_equal(dbg_read(r, CCSIDR, false), 0xF00FE019);	/* 128 sets, 4 ways */
	dbg_write(r, CSSELR, 1, false);
	assert_int_equal(dbg_read(r, CSSELR, false), 1);
	assert_int_equal(dbg_read(r, CCSIDR, false), 0x201FE009);	/* 256 sets, 2 ways */
	assert_int_equal(dbg_read(r, CCR, false) & (CCR_DC | CCR_IC), 0);
}

static void test_line_fill_then_hit(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	dcache_on(r);
	mem_store(view(r, LINE_A + 4), 4, 0x11223344);
	assert_int_equal(core_load(r, LINE_A + 4), 0x11223344);
	assert_int_equal(stats(r)->d_fills, 1);
	assert_int_equal(r->chip.core.cache.d_valid, 1);
	core_load(r, LINE_A + 28);
	assert_int_equal(stats(r)->d_hits, 1);
	/* a load straddling two lines fills both */
	cache_core_access(&r->chip.core.cache, LINE_A + 30, 4, false);
	assert_int_equal(stats(r)->d_fills, 2);
	/* DTCM and ITCM are never cached */
	cache_core_access(&r->chip.core.cache, 0x20000100, 4, false);
	cache_core_access(&r->chip.core.cache, 0x00000100, 4, false);
	assert_int_equal(stats(r)->d_fills, 2);
}

static void test_dirty_line_written_back_on_eviction(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	assert_true(cache_line_dirty(&r->chip.core.cache, LINE_A));
	assert_int_equal(dbg_read(r, LINE_A, false), 0xAAAAAAAA);	/* memory */
	for (unsigned int i = 1; i <= DCACHE_WAYS; i++)
		core_load(r, LINE_A + i * SET_STRIDE);
	assert_int_equal(stats(r)->d_evictions, 1);
	assert_int_equal(stats(r)->d_writebacks, 1);
	assert_false(cache_holds(&r->chip.core.cache, LINE_A, 4));
	assert_int_equal(dbg_read(r, LINE_A, false), 0x12345678);
}

static void test_invalidate_loses_dirty_data(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	dbg_write(r, DCIMVAC, LINE_A + 8, false);
	assert_int_equal(core_load(r, LINE_A), 0xAAAAAAAA);
	assert_int_equal(stats(r)->d_dirty_lost, 1);
	assert_int_equal(stats(r)->d_maintenance, 1);
}

static void test_clean_then_invalidate_keeps_data(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	dbg_write(r, DCCMVAC, LINE_A, false);
	assert_false(cache_line_dirty(&r->chip.core.cache, LINE_A));
	assert_true(cache_holds(&r->chip.core.cache, LINE_A, 4));
	assert_int_equal(dbg_read(r, LINE_A, false), 0x12345678);
	dbg_write(r, DCIMVAC, LINE_A, false);
	assert_false(cache_holds(&r->chip.core.cache, LINE_A, 4));
	assert_int_equal(core_load(r, LINE_A), 0x12345678);
	/* clean+invalidate in one */
	core_store(r, LINE_A, 0x0BADF00D);
	dbg_write(r, DCCIMVAC, LINE_A, false);
	assert_int_equal(r->chip.core.cache.d_valid, 0);
	assert_int_equal(dbg_read(r, LINE_A, false), 0x0BADF00D);
	assert_int_equal(stats(r)->d_dirty_lost, 0);
}

static uint32_t setway(uint32_t addr, unsigned int way)
{
	return (uint32_t)way << 30 | (((addr / CACHE_LINE) % DCACHE_SETS) << 5);
}

static void test_set_way_operations(void **state)
{
	struct rig *r = *state;
	uint32_t b = LINE_A + SET_STRIDE;	/* same set, way 1 */

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	mem_store(view(r, b), 4, 0xBBBBBBBB);
	dcache_on(r);
	core_store(r, LINE_A, 0x11111111);	/* way 0 */
	core_store(r, b, 0x22222222);		/* way 1 */
	dbg_write(r, DCCSW, setway(LINE_A, 0), false);
	assert_false(cache_line_dirty(&r->chip.core.cache, LINE_A));
	assert_true(cache_line_dirty(&r->chip.core.cache, b));
	assert_int_equal(dbg_read(r, LINE_A, false), 0x11111111);
	assert_int_equal(dbg_read(r, b, false), 0xBBBBBBBB);
	dbg_write(r, DCISW, setway(LINE_A, 0), false);
	assert_false(cache_holds(&r->chip.core.cache, LINE_A, 4));
	assert_int_equal(core_load(r, LINE_A), 0x11111111);	/* cleaned before */
	dbg_write(r, DCCISW, setway(b, 1), false);
	assert_false(cache_holds(&r->chip.core.cache, b, 4));
	assert_int_equal(dbg_read(r, b, false), 0x22222222);
	/* an empty way: nothing happens */
	dbg_write(r, DCISW, setway(b, 3), false);
	assert_int_equal(stats(r)->d_dirty_lost, 0);
}

/* HPROT[3] = 1 sees and updates the line; HPROT[3] = 0 reaches memory only. */
static void test_debugger_hprot_on_dirty_line(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	assert_int_equal(dbg_read(r, LINE_A, true), 0x12345678);
	assert_int_equal(dbg_read(r, LINE_A, false), 0xAAAAAAAA);
	/* cacheable write: line and memory, the line stays dirty */
	dbg_write(r, LINE_A, 0x55555555, true);
	assert_int_equal(core_load(r, LINE_A), 0x55555555);
	assert_int_equal(dbg_read(r, LINE_A, false), 0x55555555);
	assert_true(cache_line_dirty(&r->chip.core.cache, LINE_A));
	/* non-cacheable write: memory only, the core keeps the line's data */
	dbg_write(r, LINE_A, 0x66666666, false);
	assert_int_equal(core_load(r, LINE_A), 0x55555555);
	assert_int_equal(dbg_read(r, LINE_A, true), 0x55555555);
	assert_int_equal(dbg_read(r, LINE_A, false), 0x66666666);
	dbg_write(r, DCIMVAC, LINE_A, false);
	assert_int_equal(core_load(r, LINE_A), 0x66666666);
	/* a miss never allocates */
	dbg_read(r, LINE_A + 0x40, true);
	dbg_write(r, LINE_A + 0x40, 1, true);
	assert_false(cache_holds(&r->chip.core.cache, LINE_A + 0x40, 4));
	assert_true(r->chip.cpu_bus.cache_hits >= 3);
}

/* AP1 reaches SRAM4 over the D3 bus: memory, whatever HPROT says. */
static void test_ap1_sees_memory(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, SRAM4_BASE), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, SRAM4_BASE, 0x12345678);
	mem_ap_write(&r->chip.ap1, AP_REG_CSW, CSW_WORD | CSW_HPROT_CACHEABLE);
	mem_ap_write(&r->chip.ap1, AP_REG_TAR, SRAM4_BASE);
	assert_int_equal(mem_ap_read(&r->chip.ap1, AP_REG_DRW, &v), BUS_OK);
	assert_int_equal(v, 0xAAAAAAAA);
	assert_int_equal(dbg_read(r, SRAM4_BASE, true), 0x12345678);
}

/* The flash controller programs memory; the core's cached line keeps the old bytes. */
static void test_flash_programmed_under_cached_line(void **state)
{
	struct rig *r = *state;
	const uint32_t at = FLASH_ARRAY_BASE + 0x400;
	uint8_t word[FLASH_WORD_BYTES];

	boot(r, 0x0, NULL, 0);
	dcache_on(r);
	assert_int_equal(core_load(r, at), 0xFFFFFFFF);
	assert_true(cache_holds(&r->chip.core.cache, at, 4));
	memset(word, 0x5A, sizeof(word));
	flash_program_word(&r->chip.flash, 0, 0x400, word);
	assert_int_equal(core_load(r, at), 0xFFFFFFFF);
	assert_int_equal(dbg_read(r, at, false), 0x5A5A5A5A);
	assert_int_equal(dbg_read(r, at, true), 0xFFFFFFFF);
	/* flash is write-through: a core store does not allocate */
	cache_core_access(&r->chip.core.cache, at + 0x100, 4, true);
	assert_false(cache_holds(&r->chip.core.cache, at + 0x100, 4));
	dbg_write(r, DCIMVAC, at, false);
	assert_int_equal(core_load(r, at), 0x5A5A5A5A);
	/* an erase under a cached line: the same */
	flash_erase_range(&r->chip.flash, 0, 0, 0x20000, false);
	assert_int_equal(core_load(r, at), 0x5A5A5A5A);
	assert_int_equal(dbg_read(r, at, false), 0xFFFFFFFF);
	dbg_write(r, CCR, dbg_read(r, CCR, false) & ~CCR_DC, false);
	assert_int_equal(mem_load(view(r, at), 4), 0xFFFFFFFF);
}

/* DMA reads and writes memory, never the core's lines. */
static void test_dma_goes_around_the_dcache(void **state)
{
	struct rig *r = *state;
	const uint32_t dst = LINE_A + 0x200, cr = DMA_CR_DIR_M2M | DMA_CR_PINC | DMA_CR_MINC;
	struct bus *bus = &r->chip.cpu_bus;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	mem_store(view(r, dst), 4, 0xDDDDDDDD);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);	/* dirty: memory keeps 0xAAAAAAAA */
	assert_int_equal(core_load(r, dst), 0xDDDDDDDD);	/* a clean line */
	bus_write(bus, DMA1_BASE + DMA_SxPAR(0), 4, LINE_A, MASTER_AP0);
	bus_write(bus, DMA1_BASE + DMA_SxM0AR(0), 4, dst, MASTER_AP0);
	bus_write(bus, DMA1_BASE + DMA_SxNDTR(0), 4, 4, MASTER_AP0);
	bus_write(bus, DMA1_BASE + DMA_SxCR(0), 4, cr | DMA_CR_EN, MASTER_AP0);
	assert_int_equal(dbg_read(r, dst, false), 0xAAAAAAAA);
	assert_int_equal(core_load(r, dst), 0xDDDDDDDD);
	dbg_write(r, DCIMVAC, dst, false);
	assert_int_equal(core_load(r, dst), 0xAAAAAAAA);
	assert_int_equal(core_load(r, LINE_A), 0x12345678);
}

static void test_reset_drops_lines(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	chip_system_reset(&r->chip, 0);
	assert_false(r->chip.core.dc_on);
	assert_int_equal(r->chip.core.cache.d_valid, 0);
	assert_int_equal(mem_load(view(r, LINE_A), 4), 0xAAAAAAAA);
	assert_int_equal(stats(r)->d_dirty_lost, 1);
}

/* DC 1 -> 0 cleans and invalidates: the core then sees memory with its data. */
static void test_disable_cleans(void **state)
{
	struct rig *r = *state;

	boot(r, 0x0, NULL, 0);
	dcache_on(r);
	core_store(r, LINE_A, 0x12345678);
	dbg_write(r, CCR, dbg_read(r, CCR, false) & ~CCR_DC, false);
	assert_int_equal(r->chip.core.cache.d_valid, 0);
	assert_int_equal(dbg_read(r, LINE_A, false), 0x12345678);
}

/* I-cache tags: a stale line leaves by eviction or IC off, its old code with it. */
static void test_icache_stale_line_eviction_and_disable(void **state)
{
	struct rig *r = *state;
	struct cache *c = &r->chip.core.cache;
	const uint32_t way_stride = ICACHE_SETS * CACHE_LINE;

	boot(r, 0x0, NULL, 0);
	assert_false(cache_i_fetch(c, AXI));
	cache_i_mark_stale(c, AXI + 4);
	assert_true(cache_i_is_stale(c, AXI));
	assert_false(cache_i_fetch(c, AXI + way_stride));	/* the other way */
	assert_true(cache_i_fetch(c, AXI + 2 * way_stride));	/* evicts the stale line */
	assert_int_equal(c->stats.i_stale_dropped, 1);
	assert_false(cache_i_holds(c, AXI));
	/* ITCM and DTCM are not cached */
	assert_false(cache_i_fetch(c, 0x00000100));
	assert_false(cache_i_holds(c, 0x00000100));
	/* IC on, a stale line, then IC off: the line goes */
	dbg_write(r, CCR, dbg_read(r, CCR, false) | CCR_IC, false);
	cache_i_mark_stale(c, AXI + way_stride);
	dbg_write(r, CCR, dbg_read(r, CCR, false) & ~CCR_IC, false);
	assert_int_equal(c->i_valid, 0);
	assert_int_equal(c->i_stale, 0);
	assert_int_equal(c->stats.i_stale_dropped, 2);
	assert_int_equal(c->n_drops, 0);	/* dropped at once: the core is not running */
}

/* ---- programs on the core --------------------------------------------------- */

#define LDR_R0_PC8	0x4802		/* ldr r0, [pc, #8] */
#define LDR_R1_R0	0x6801		/* ldr r1, [r0] */
#define STR_R5_R0	0x6005		/* str r5, [r0] */
#define ADDS_R5_1	0x3501
#define BKPT		0xBE00

static void place(uint8_t *mem, const uint16_t *hw, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		mem_store(mem + 2 * i, 2, hw[i]);
}

/*
 * At 0 in ITCM: r0 = LINE_A; loop: ldr r1, [r0]; str r5, [r0]; adds r5, #1; b loop.
 * The literal sits at 0xC (Align(pc, 4) = 0x4, + 8).
 */
static void load_store_loop(struct rig *r)
{
	static const uint16_t prog[] = {
		LDR_R0_PC8, LDR_R1_R0, STR_R5_R0, ADDS_R5_1, 0xE7FB /* b 0x2 */, 0xBF00,
	};

	place(r->chip.mem.itcm, prog, ARRAY_LEN(prog));
	mem_store(r->chip.mem.itcm + 0xC, 4, LINE_A);
}

static void test_dc_off_costs_nothing(void **state)
{
	struct rig *r = *state;

	load_store_loop(r);
	boot(r, 0x0, NULL, 0);
	chip_run_ahead(&r->chip, 50 * PS_PER_US);
	assert_true(r->chip.core.instructions > 100);
	assert_int_equal(stats(r)->d_fills, 0);
	assert_int_equal(stats(r)->d_hits + stats(r)->d_misses, 0);
}

/* The hooks of the running core: a fill, hits, a dirty line the debugger tells apart. */
static void test_core_program_fills_and_dirties(void **state)
{
	struct rig *r = *state;

	load_store_loop(r);
	boot(r, 0x0, NULL, 0);
	mem_store(view(r, LINE_A), 4, 0xAAAAAAAA);
	dcache_on(r);
	chip_run_ahead(&r->chip, 50 * PS_PER_US);
	assert_int_equal(stats(r)->d_fills, 1);
	assert_true(stats(r)->d_hits > 100);
	assert_true(cache_line_dirty(&r->chip.core.cache, LINE_A));
	assert_int_equal(dbg_read(r, LINE_A, false), 0xAAAAAAAA);
	assert_int_not_equal(dbg_read(r, LINE_A, true), 0xAAAAAAAA);
}

static void halt_debug(struct rig *r, bool halt)
{
	dbg_write(r, DHCSR, 0xA05F0001 | (halt ? 2 : 0), false);
}

/*
 * In AXI SRAM: loop: adds r5, #1; b loop. With the I-cache on, the core
 * runs it; the debugger writes a BKPT over the adds.
 */
static void test_icache_keeps_old_code_until_invalidate(void **state)
{
	struct rig *r = *state;
	static const uint16_t prog[] = { ADDS_R5_1, 0xE7FD /* b loop */ };
	struct cm7 *core = &r->chip.core;
	uint32_t r5;

	place(r->chip.mem.axi, prog, ARRAY_LEN(prog));
	boot(r, AXI, NULL, 0);
	halt_debug(r, false);
	dbg_write(r, CCR, dbg_read(r, CCR, false) | CCR_IC, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_true(cache_i_holds(&core->cache, AXI));
	r5 = cm7_read_reg(core, 5);
	assert_true(r5 > 10);

	/* the BKPT is in memory, not in the I-cache: not hit */
	dbg_write(r, AXI, (uint32_t)0xE7FD << 16 | BKPT, false);
	assert_true(cache_i_is_stale(&core->cache, AXI));
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(core->state, CM7_RUNNING);
	assert_true(cm7_read_reg(core, 5) > r5);

	/* ICIMVAU drops the stale line: the next fetch sees the BKPT */
	dbg_write(r, ICIMVAU, AXI, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(core->state, CM7_HALTED);
	assert_true(core->dfsr & DFSR_BKPT);
	assert_int_equal(cm7_pc(core), AXI);
	assert_true(stats(r)->i_stale_dropped >= 1);

	/* the original back without an invalidate: the stale BKPT is still hit */
	dbg_write(r, AXI, (uint32_t)0xE7FD << 16 | ADDS_R5_1, false);
	dbg_write(r, 0xE000ED30, DFSR_BKPT, false);
	r5 = cm7_read_reg(core, 5);
	halt_debug(r, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(core->state, CM7_HALTED);
	assert_int_equal(cm7_read_reg(core, 5), r5);

	/* ICIALLU: the loop runs again */
	dbg_write(r, ICIALLU, 0, false);
	halt_debug(r, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(core->state, CM7_RUNNING);
	assert_true(cm7_read_reg(core, 5) > r5);
}

/* With the I-cache off, today's behaviour: a written BKPT is hit at once. */
static void test_icache_off_bkpt_hit_at_once(void **state)
{
	struct rig *r = *state;
	static const uint16_t prog[] = { ADDS_R5_1, 0xE7FD };
	struct cm7 *core = &r->chip.core;

	place(r->chip.mem.axi, prog, ARRAY_LEN(prog));
	boot(r, AXI, NULL, 0);
	halt_debug(r, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	dbg_write(r, AXI, (uint32_t)0xE7FD << 16 | BKPT, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(core->state, CM7_HALTED);
	assert_int_equal(stats(r)->i_fills, 0);
}

/*
 * Flash erased and reprogrammed by the controller under code the core runs
 * with IC on; at 0x4E0, inside a page (Unicorn drops translations by page).
 */
static void test_icache_keeps_old_flash_code(void **state)
{
	struct rig *r = *state;
	uint8_t code[0x100], fresh[FLASH_WORD_BYTES];
	struct cm7 *core = &r->chip.core;
	uint32_t r5, r6;

	memset(code, 0xFF, sizeof(code));
	mem_store(code + 0xE0, 2, ADDS_R5_1);
	mem_store(code + 0xE2, 2, 0xE7FD);
	memcpy(fresh, code + 0xE0, sizeof(fresh));
	mem_store(fresh, 2, 0x3601);		/* adds r6, #1 */
	boot(r, FLASH_ARRAY_BASE + 0x4E0, code, sizeof(code));
	dbg_write(r, CCR, dbg_read(r, CCR, false) | CCR_IC, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	flash_erase_range(&r->chip.flash, 0, 0, 0x20000, false);
	flash_program_word(&r->chip.flash, 0, 0x4E0, fresh);
	r5 = cm7_read_reg(core, 5);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_true(cm7_read_reg(core, 5) > r5);
	assert_int_equal(cm7_read_reg(core, 6), 0);
	dbg_write(r, ICIALLU, 0, false);
	r5 = cm7_read_reg(core, 5);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	r6 = cm7_read_reg(core, 6);
	assert_true(r6 > 0);
	assert_int_equal(cm7_read_reg(core, 5), r5);
}

/*
 * A loop at 0x500 calls f at 0x4E0 (its own line), which returns 1; flash is
 * reprogrammed with f returning 2. Until ICIALLU the core runs the old f.
 */
static void test_icache_keeps_old_called_function(void **state)
{
	struct rig *r = *state;
	uint8_t code[0x200], fresh[0x40];
	struct cm7 *core = &r->chip.core;

	memset(code, 0xFF, sizeof(code));
	mem_store(code + 0xE0, 2, 0x2001);		/* f: movs r0, #1 */
	mem_store(code + 0xE2, 2, 0x4770);		/* bx lr */
	mem_store(code + 0x100, 2, 0xF7FF);		/* loop: bl f */
	mem_store(code + 0x102, 2, 0xFFEE);
	mem_store(code + 0x104, 2, 0x1945);		/* adds r5, r0, r5 */
	mem_store(code + 0x106, 2, 0xE7FB);		/* b loop */
	memcpy(fresh, code + 0xE0, sizeof(fresh));
	mem_store(fresh, 2, 0x2002);			/* f: movs r0, #2 */
	boot(r, FLASH_ARRAY_BASE + 0x500, code, sizeof(code));
	dbg_write(r, CCR, dbg_read(r, CCR, false) | CCR_IC | CCR_DC, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(cm7_read_reg(core, 0), 1);
	flash_erase_range(&r->chip.flash, 0, 0, 0x20000, false);
	flash_program_word(&r->chip.flash, 0, 0x4E0, fresh);
	flash_program_word(&r->chip.flash, 0, 0x500, fresh + 0x20);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(cm7_read_reg(core, 0), 1);
	dbg_write(r, ICIALLU, 0, false);
	chip_run_ahead(&r->chip, 20 * PS_PER_US);
	assert_int_equal(cm7_read_reg(core, 0), 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rig_chip_teardown)
	const struct CMUnitTest tests[] = {
		T(test_identification_and_ccsidr_per_csselr),
		T(test_line_fill_then_hit),
		T(test_dirty_line_written_back_on_eviction),
		T(test_invalidate_loses_dirty_data),
		T(test_clean_then_invalidate_keeps_data),
		T(test_set_way_operations),
		T(test_debugger_hprot_on_dirty_line),
		T(test_ap1_sees_memory),
		T(test_flash_programmed_under_cached_line),
		T(test_dma_goes_around_the_dcache),
		T(test_reset_drops_lines),
		T(test_disable_cleans),
		T(test_icache_stale_line_eviction_and_disable),
		T(test_dc_off_costs_nothing),
		T(test_core_program_fills_and_dirties),
		T(test_icache_keeps_old_code_until_invalidate),
		T(test_icache_off_bkpt_hit_at_once),
		T(test_icache_keeps_old_flash_code),
		T(test_icache_keeps_old_called_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
