// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SysTick (systick.c) on the virtual clock: reset values, counting down
 * from RVR at the processor clock or at a eighth of it, COUNTFLAG set at
 * each count from 1 to 0 and cleared by a read or a CVR write, the
 * exception with TICKINT at exact times, RVR 0, a frozen counter (core
 * halted) and a clock change half way.
 */
#include "unit_helpers.h"

#include "systick.h"

#define CORE_HZ		64000000ull
#define TICK_PS		(PS_PER_S / CORE_HZ)	/* 15625 ps */
#define CSR_RUN		(SYST_CSR_ENABLE | SYST_CSR_CLKSOURCE)

struct rig {
	struct vclock clk;
	struct systick s;
	unsigned int raised;
	uint64_t last_raise;
};

static void on_raise(void *ctx)
{
	struct rig *r = ctx;

	r->raised++;
	r->last_raise = r->clk.now;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	vclock_init(&r->clk);
	systick_init(&r->s, &r->clk, on_raise, r);
	systick_reset(&r->s);
	systick_set_core_hz(&r->s, CORE_HZ);
	*state = r;
	return 0;
}

static uint32_t rd(struct rig *r, uint32_t off)
{
	return reg_read(&systick_ops, &r->s, off);
}

static void wr(struct rig *r, uint32_t off, uint32_t v)
{
	reg_write(&systick_ops, &r->s, off, v);
}

static void live(struct rig *r, uint64_t ps)
{
	let_time_pass(&r->clk, ps);
}

static void start(struct rig *r, uint32_t reload, uint32_t csr)
{
	wr(r, SYST_RVR, reload);
	wr(r, SYST_CVR, 0);
	wr(r, SYST_CSR, csr);
}

static void test_reset_values(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(r, SYST_CSR), 0);
	assert_int_equal(rd(r, SYST_RVR), 0);
	assert_int_equal(rd(r, SYST_CVR), 0);
	assert_int_equal(rd(r, SYST_CALIB), SYST_CALIB_VALUE);
	wr(r, SYST_RVR, 0xFFFFFFFF);
	assert_int_equal(rd(r, SYST_RVR), 0x00FFFFFF);	/* 24 bits */
	live(r, PS_PER_MS);
	assert_int_equal(rd(r, SYST_CVR), 0);		/* disabled: no counting */
}

static void test_counts_down_from_the_reload_value(void **state)
{
	struct rig *r = *state;

	start(r, 63999, CSR_RUN);
	live(r, TICK_PS);			/* the first tick loads RVR */
	assert_int_equal(rd(r, SYST_CVR), 63999);
	live(r, 999 * TICK_PS);
	assert_int_equal(rd(r, SYST_CVR), 63000);
	assert_int_equal(rd(r, SYST_CSR) & SYST_CSR_COUNTFLAG, 0);
	live(r, PS_PER_MS - 1000 * TICK_PS);	/* tick 64000: from 1 to 0 */
	assert_int_equal(rd(r, SYST_CVR), 0);
	assert_int_equal(rd(r, SYST_CSR), CSR_RUN | SYST_CSR_COUNTFLAG);
	assert_int_equal(rd(r, SYST_CSR), CSR_RUN);	/* cleared by the read */
	live(r, TICK_PS);
	assert_int_equal(rd(r, SYST_CVR), 63999);	/* reloaded */
	assert_int_equal(r->raised, 0);			/* no TICKINT */
}

static void test_tickint_raises_the_exception_on_time(void **state)
{
	struct rig *r = *state;

	start(r, 63999, CSR_RUN | SYST_CSR_TICKINT);
	live(r, 10 * PS_PER_MS + PS_PER_MS / 2);
	assert_int_equal(r->raised, 10);
	assert_int_equal(r->last_raise, 10 * PS_PER_MS);
	/* a debugger's read leaves COUNTFLAG for the firmware */
	uint32_t v = 0;

	systick_ops.read(&r->s, SYST_CSR, 4, &v, MASTER_AP0);
	assert_true(v & SYST_CSR_COUNTFLAG);
	assert_true(rd(r, SYST_CSR) & SYST_CSR_COUNTFLAG);
}

static void test_external_clock_is_an_eighth(void **state)
{
	struct rig *r = *state;

	start(r, 63999, SYST_CSR_ENABLE | SYST_CSR_TICKINT);
	live(r, 8 * PS_PER_MS - 1);
	assert_int_equal(r->raised, 0);
	live(r, 1);
	assert_int_equal(r->raised, 1);
}

static void test_cvr_write_clears_counter_and_flag(void **state)
{
	struct rig *r = *state;

	start(r, 999, CSR_RUN);
	live(r, 2000 * TICK_PS);
	live(r, 500 * TICK_PS);
	assert_int_equal(rd(r, SYST_CVR), 999 - 499);
	wr(r, SYST_CVR, 0x1234);		/* any value clears */
	assert_int_equal(rd(r, SYST_CVR), 0);
	assert_int_equal(rd(r, SYST_CSR) & SYST_CSR_COUNTFLAG, 0);
	live(r, TICK_PS);
	assert_int_equal(rd(r, SYST_CVR), 999);
}

static void test_zero_reload_never_wraps(void **state)
{
	struct rig *r = *state;

	start(r, 0, CSR_RUN | SYST_CSR_TICKINT);
	live(r, 10 * PS_PER_MS);
	assert_int_equal(r->raised, 0);
	assert_int_equal(rd(r, SYST_CSR) & SYST_CSR_COUNTFLAG, 0);
	assert_int_equal(vclock_next_event(&r->clk), UINT64_MAX);
}

static void test_frozen_counter_holds(void **state)
{
	struct rig *r = *state;

	start(r, 63999, CSR_RUN | SYST_CSR_TICKINT);
	live(r, PS_PER_MS / 2);
	uint32_t before = rd(r, SYST_CVR);

	systick_set_frozen(&r->s, true);
	live(r, 5 * PS_PER_MS);
	assert_int_equal(rd(r, SYST_CVR), before);
	assert_int_equal(r->raised, 0);
	systick_set_frozen(&r->s, false);
	live(r, PS_PER_MS / 2);
	assert_int_equal(r->raised, 1);
	assert_int_equal(r->last_raise, 6 * PS_PER_MS);
}

static void test_clock_change_half_way(void **state)
{
	struct rig *r = *state;

	start(r, 63999, CSR_RUN | SYST_CSR_TICKINT);
	live(r, PS_PER_MS / 2);			/* 32000 ticks at 64 MHz */
	systick_set_core_hz(&r->s, 2 * CORE_HZ);
	live(r, PS_PER_MS / 4 - 1);		/* the other 32000 at 128 MHz */
	assert_int_equal(r->raised, 0);
	live(r, 1);
	assert_int_equal(r->raised, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_counts_down_from_the_reload_value),
		T(test_tickint_raises_the_exception_on_time),
		T(test_external_clock_is_an_eighth),
		T(test_cvr_write_clears_counter_and_flag),
		T(test_zero_reload_never_wraps),
		T(test_frozen_counter_holds),
		T(test_clock_change_half_way),
	};
#undef T

	return cmocka_run_group_tests_name("systick", tests, NULL, NULL);
}
