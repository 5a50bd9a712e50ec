// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The clock tree as far as the flash cares (clocks.c): sys_ck from each
 * source, the PLL1 P formula, the D1CPRE/HPRE encodings, VOS, and the wait
 * states the AXI clock needs per voltage scale (UNCONFIRMED table).
 */
#include "unit_helpers.h"

#include "clocks.h"

#define MHZ 1000000ull

/* The RCC and PWR reset values (RM0433 section 8.7, PWR_D3CR VOS = scale 3). */
static struct clock_regs reset_regs(void)
{
	return (struct clock_regs){
		.rcc_cr = 0x00000025, .rcc_cfgr = 0, .rcc_d1cfgr = 0,
		.rcc_pllckselr = 0x02020200, .rcc_pll1divr = 0x01010280, .pwr_d3cr = 0x00004000,
	};
}

static struct clock_tree compute(const struct clock_regs *r)
{
	struct clock_tree t;

	clocks_compute(r, HSE_DEFAULT_HZ, &t);
	return t;
}

static void test_reset_is_hsi_64mhz_scale3(void **state)
{
	struct clock_regs r = reset_regs();
	struct clock_tree t = compute(&r);

	(void)state;
	assert_int_equal(t.sys_hz, 64 * MHZ);
	assert_int_equal(t.aclk_hz, 64 * MHZ);
	assert_int_equal(t.vos, 3);
	/* 64 MHz > 45 MHz at scale 3: one wait state, below the reset LATENCY 7 */
	assert_int_equal(t.latency_needed, 1);
}

static void test_hsidiv_csi_hse(void **state)
{
	struct clock_regs r = reset_regs();
	struct clock_tree t;

	(void)state;
	for (unsigned int div = 0; div < 4; div++) {
		r.rcc_cr = 0x25 | div << 3;
		assert_int_equal(compute(&r).sys_hz, (64 * MHZ) >> div);
	}
	r = reset_regs();
	r.rcc_cfgr = 1;
	assert_int_equal(compute(&r).sys_hz, 4 * MHZ);
	r.rcc_cfgr = 2;
	assert_int_equal(compute(&r).sys_hz, 25 * MHZ);
	clocks_compute(&r, 8 * MHZ, &t);		/* --hse-hz */
	assert_int_equal(t.sys_hz, 8 * MHZ);
	r.rcc_cfgr = 5;					/* reserved: no clock */
	assert_int_equal(compute(&r).sys_hz, 0);
}

/* PLL1 P = (ref / DIVM1) * (DIVN1 + 1) / (DIVP1 + 1). */
static void test_pll1_p(void **state)
{
	struct clock_regs r = reset_regs();

	(void)state;
	r.rcc_cfgr = 3;
	/* reset values: HSI / 32 * 129 / 2 */
	assert_int_equal(compute(&r).sys_hz, 64 * MHZ * 129 / 64);
	/* HSE 25 MHz / 5 * 160 / 2 = 400 MHz (DIVN1 = 159, DIVP1 = 1) */
	r.rcc_pllckselr = 2 | 5 << 4;
	r.rcc_pll1divr = 159 | 1 << 9;
	assert_int_equal(compute(&r).sys_hz, 400 * MHZ);
	/* CSI 4 MHz / 1 * 200 / 2 = 400 MHz */
	r.rcc_pllckselr = 1 | 1 << 4;
	r.rcc_pll1divr = 199 | 1 << 9;
	assert_int_equal(compute(&r).sys_hz, 400 * MHZ);
	/* HSI / 8 (HSIDIV) as reference: 8 MHz / 1 * 100 / 2 */
	r.rcc_cr = 0x25 | 3 << 3;
	r.rcc_pllckselr = 0 | 1 << 4;
	r.rcc_pll1divr = 99 | 1 << 9;
	assert_int_equal(compute(&r).sys_hz, 400 * MHZ);
	/* DIVM1 = 0 turns the PLL input off; PLLSRC 3 has no source */
	r.rcc_pllckselr = 0;
	assert_int_equal(compute(&r).sys_hz, 0);
	r.rcc_pllckselr = 3 | 1 << 4;
	assert_int_equal(compute(&r).sys_hz, 0);
}

static void test_ahb_divider_encoding(void **state)
{
	static const unsigned int expect[16] = {
		1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 16, 64, 128, 256, 512,
	};

	(void)state;
	for (unsigned int field = 0; field < 16; field++)
		assert_int_equal(clocks_ahb_divider(field), expect[field]);
}

/* rcc_aclk = sys_ck / D1CPRE / HPRE. */
static void test_d1cpre_and_hpre(void **state)
{
	struct clock_regs r = reset_regs();

	(void)state;
	r.rcc_cfgr = 3;
	r.rcc_pllckselr = 2 | 5 << 4;
	r.rcc_pll1divr = 159 | 1 << 9;			/* 400 MHz */
	r.rcc_d1cfgr = 0x8;				/* HPRE /2 */
	assert_int_equal(compute(&r).aclk_hz, 200 * MHZ);
	r.rcc_d1cfgr = 0x8 << 8 | 0x8;			/* D1CPRE /2, HPRE /2 */
	assert_int_equal(compute(&r).aclk_hz, 100 * MHZ);
	r.rcc_d1cfgr = 0xC << 8;			/* D1CPRE /64 */
	assert_int_equal(compute(&r).aclk_hz, 400 * MHZ / 64);
	r.rcc_d1cfgr = 0x7 << 8 | 0x7;			/* 0xxx: /1 */
	assert_int_equal(compute(&r).aclk_hz, 400 * MHZ);
}

/* The core clock is sys_ck / D1CPRE; the APB1 timers run at up to hclk (RM0433 8.5.9). */
static void test_core_and_timer_clocks(void **state)
{
	struct clock_regs r = reset_regs();
	struct clock_tree t;

	(void)state;
	r.rcc_cfgr = 3;
	r.rcc_pllckselr = 2 | 5 << 4;
	r.rcc_pll1divr = 159 | 1 << 9;			/* 400 MHz */
	r.rcc_d1cfgr = 0x8;				/* HPRE /2: hclk 200 MHz */
	r.rcc_d2cfgr = 4u << 4 | 4u << 8;		/* D2PPRE1, D2PPRE2 /2 */
	t = compute(&r);
	assert_int_equal(t.cpu_hz, 400 * MHZ);
	assert_int_equal(t.apb1_timer_hz, 200 * MHZ);	/* 2 x pclk1 */
	assert_int_equal(t.apb2_timer_hz, 200 * MHZ);
	r.rcc_d1cfgr = 0x8 << 8 | 0x8;			/* D1CPRE /2 too */
	assert_int_equal(compute(&r).cpu_hz, 200 * MHZ);
	assert_int_equal(clocks_apb_divider(3), 1);
	assert_int_equal(clocks_apb_divider(7), 16);
	assert_int_equal(clocks_timer_hz(200 * MHZ, 0, false), 200 * MHZ);	/* /1 */
	assert_int_equal(clocks_timer_hz(200 * MHZ, 6, false), 50 * MHZ);	/* /8: 2 x 25 */
	assert_int_equal(clocks_timer_hz(200 * MHZ, 5, true), 200 * MHZ);	/* TIMPRE, /4 */
	assert_int_equal(clocks_timer_hz(200 * MHZ, 7, true), 50 * MHZ);	/* TIMPRE, /16 */
}

static void test_vos_encoding(void **state)
{
	(void)state;
	assert_int_equal(clocks_vos(1u << 14), 3);
	assert_int_equal(clocks_vos(2u << 14), 2);
	assert_int_equal(clocks_vos(3u << 14), 1);
	assert_int_equal(clocks_vos(0), 3);
	assert_int_equal(clocks_vos(0xFFFF3FFF | 2u << 14), 2);	/* other bits ignored */
}

/* Each row's boundaries: the top of a band still takes its wait states. */
static void test_latency_table(void **state)
{
	static const struct {
		unsigned int vos;
		uint16_t top[5];
		unsigned int n;
	} rows[] = {
		{ 1, { 70, 140, 210, 225 }, 4 },
		{ 2, { 55, 110, 165, 225 }, 4 },
		{ 3, { 45, 90, 135, 180, 225 }, 5 },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_LEN(rows); i++) {
		for (unsigned int ws = 0; ws < rows[i].n; ws++) {
			uint64_t top = rows[i].top[ws] * MHZ;

			assert_int_equal(clocks_latency_needed(top, rows[i].vos), ws);
			assert_int_equal(clocks_latency_needed(top + 1, rows[i].vos),
				ws + 1 < rows[i].n ? ws + 1 : 7);
		}
		assert_int_equal(clocks_latency_needed(0, rows[i].vos), 0);
	}
	/* 480 MHz core, 240 MHz AXI: beyond every row */
	assert_int_equal(clocks_latency_needed(240 * MHZ, 1), 7);
}

static void test_compute_fills_vos_and_latency(void **state)
{
	struct clock_regs r = reset_regs();
	struct clock_tree t;

	(void)state;
	r.rcc_cfgr = 3;
	r.rcc_pllckselr = 2 | 5 << 4;
	r.rcc_pll1divr = 159 | 1 << 9;
	r.rcc_d1cfgr = 0x8;				/* 200 MHz AXI */
	r.pwr_d3cr = 3u << 14;				/* scale 1 */
	t = compute(&r);
	assert_int_equal(t.vos, 1);
	assert_int_equal(t.latency_needed, 2);		/* 185-210 MHz: 2 WS at VOS1 */
	r.pwr_d3cr = 2u << 14;				/* scale 2 */
	assert_int_equal(compute(&r).latency_needed, 3);
	r.pwr_d3cr = 1u << 14;				/* scale 3 */
	assert_int_equal(compute(&r).latency_needed, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_is_hsi_64mhz_scale3),
		cmocka_unit_test(test_hsidiv_csi_hse),
		cmocka_unit_test(test_pll1_p),
		cmocka_unit_test(test_ahb_divider_encoding),
		cmocka_unit_test(test_d1cpre_and_hpre),
		cmocka_unit_test(test_core_and_timer_clocks),
		cmocka_unit_test(test_vos_encoding),
		cmocka_unit_test(test_latency_table),
		cmocka_unit_test(test_compute_fills_vos_and_latency),
	};

	return cmocka_run_group_tests_name("clocks", tests, NULL, NULL);
}
