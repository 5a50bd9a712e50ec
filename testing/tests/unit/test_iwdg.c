// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IWDG1 (iwdg.c): reset values, the KR keys and the write protection of
 * PR/RLR/WINR, counting on the virtual clock at LSI = 32 kHz with each
 * prescaler, refresh, the window, hardware start, and freezing; the log of
 * a long series of resets stays a few lines.
 */
#include "unit_helpers.h"

#include "iwdg.h"

#include <stdio.h>
#include <unistd.h>

#define LSI_PS		(PS_PER_S / 32000)
#define FULL_PS(div)	(0xFFFull * (div) * LSI_PS)	/* 0xFFF ticks of /div */

struct wd {
	struct vclock clk;
	struct iwdg w;
	unsigned int resets;
	uint64_t reset_at;
	bool hardware_start;	/* the reset starts it again (option IWDG1_SW = 0) */
};

static void on_expired(void *ctx)
{
	struct wd *t = ctx;

	t->resets++;
	t->reset_at = t->clk.now;
	if (t->hardware_start)
		iwdg_reset(&t->w, true);	/* as the chip's system reset does */
}

static int setup(void **state)
{
	struct wd *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	vclock_init(&t->clk);
	iwdg_init(&t->w, &t->clk, on_expired, t);
	*state = t;
	return 0;
}

static uint32_t rd(struct wd *t, uint32_t off)
{
	return reg_read(&iwdg_ops, &t->w, off);
}

static void wr(struct wd *t, uint32_t off, uint32_t v)
{
	reg_write(&iwdg_ops, &t->w, off, v);
}

static void run(struct wd *t, uint64_t ps)
{
	let_time_pass(&t->clk, ps);
}

static void test_reset_values(void **state)
{
	struct wd *t = *state;

	assert_int_equal(rd(t, IWDG_KR), 0);
	assert_int_equal(rd(t, IWDG_PR), 0);
	assert_int_equal(rd(t, IWDG_RLR), 0xFFF);
	assert_int_equal(rd(t, IWDG_SR), 0);
	assert_int_equal(rd(t, IWDG_WINR), 0xFFF);
	assert_false(t->w.running);
	run(t, 10 * PS_PER_S);
	assert_int_equal(t->resets, 0);		/* software mode: stopped until 0xCCCC */
}

static void test_write_protection(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_PR, 3);
	wr(t, IWDG_RLR, 0x123);
	wr(t, IWDG_WINR, 0x456);
	assert_int_equal(rd(t, IWDG_PR), 0);
	assert_int_equal(rd(t, IWDG_RLR), 0xFFF);
	assert_int_equal(rd(t, IWDG_WINR), 0xFFF);
	wr(t, IWDG_KR, IWDG_KEY_ACCESS);
	wr(t, IWDG_PR, 0xFB);
	wr(t, IWDG_RLR, 0xF123);
	assert_int_equal(rd(t, IWDG_PR), 3);
	assert_int_equal(rd(t, IWDG_RLR), 0x123);
	/* any other key closes the access again */
	wr(t, IWDG_KR, 0x1234);
	wr(t, IWDG_RLR, 0x777);
	assert_int_equal(rd(t, IWDG_RLR), 0x123);
	/* byte accesses are refused */
	uint32_t v;

	assert_int_equal(iwdg_ops.read(&t->w, IWDG_PR, 1, &v, MASTER_CPU), BUS_ERROR);
}

/* Started by 0xCCCC, the counter runs down from 0xFFF at 32 kHz / 4. */
static void test_start_and_expire(void **state)
{
	struct wd *t = *state;

	run(t, PS_PER_MS);
	uint64_t start = t->clk.now;

	wr(t, IWDG_KR, IWDG_KEY_START);
	assert_true(t->w.running);
	run(t, FULL_PS(4) - 1);
	assert_int_equal(t->resets, 0);
	assert_int_equal(iwdg_counter(&t->w), 1);
	run(t, 1);
	assert_int_equal(t->resets, 1);
	assert_int_equal(t->reset_at - start, FULL_PS(4));	/* 511.875 ms */
	assert_int_equal(t->w.expirations, 1);
}

static void test_prescaler_and_reload_value(void **state)
{
	static const unsigned int div[8] = { 4, 8, 16, 32, 64, 128, 256, 256 };

	(void)state;
	for (unsigned int pr = 0; pr < 8; pr++) {
		struct wd t = { 0 };

		vclock_init(&t.clk);
		iwdg_init(&t.w, &t.clk, on_expired, &t);
		wr(&t, IWDG_KR, IWDG_KEY_START);
		wr(&t, IWDG_KR, IWDG_KEY_ACCESS);
		wr(&t, IWDG_PR, pr);
		wr(&t, IWDG_RLR, 100);
		wr(&t, IWDG_KR, IWDG_KEY_RELOAD);
		assert_int_equal(iwdg_tick_ps(&t.w), div[pr] * LSI_PS);
		run(&t, 100ull * div[pr] * LSI_PS - 1);
		assert_int_equal(t.resets, 0);
		run(&t, 1);
		assert_int_equal(t.resets, 1);
	}
}

static void test_refresh_postpones_the_reset(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_KR, IWDG_KEY_START);
	for (int i = 0; i < 10; i++) {
		run(t, 400 * PS_PER_MS);
		wr(t, IWDG_KR, IWDG_KEY_RELOAD);
	}
	assert_int_equal(t->resets, 0);
	assert_int_equal(t->w.reloads, 10);
	assert_int_equal(iwdg_counter(&t->w), 0xFFF);
	run(t, 600 * PS_PER_MS);
	assert_int_equal(t->resets, 1);
}

/* Refreshing while the counter is above WINR resets; writing WINR reloads. */
static void test_window(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_KR, IWDG_KEY_START);
	run(t, 100 * PS_PER_MS);
	wr(t, IWDG_KR, IWDG_KEY_ACCESS);
	wr(t, IWDG_WINR, 0x800);
	assert_int_equal(iwdg_counter(&t->w), 0xFFF);	/* reloaded by the WINR write */
	run(t, 100 * PS_PER_MS);			/* 0xFFF - 800 > 0x800 */
	wr(t, IWDG_KR, IWDG_KEY_RELOAD);
	assert_int_equal(t->resets, 1);
}

static void test_window_refresh_in_time(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_KR, IWDG_KEY_START);
	wr(t, IWDG_KR, IWDG_KEY_ACCESS);
	wr(t, IWDG_WINR, 0x800);
	run(t, 300 * PS_PER_MS);			/* 2400 ticks: counter 1695 < 0x800 */
	wr(t, IWDG_KR, IWDG_KEY_RELOAD);
	assert_int_equal(t->resets, 0);
	assert_int_equal(iwdg_counter(&t->w), 0xFFF);
}

/* The option bit IWDG1_SW = 0: running from reset without a key. */
static void test_hardware_start(void **state)
{
	struct wd *t = *state;

	iwdg_reset(&t->w, true);
	assert_true(t->w.running);
	run(t, FULL_PS(4));
	assert_int_equal(t->resets, 1);
	/* a reset in software mode stops it again */
	iwdg_reset(&t->w, false);
	run(t, 10 * PS_PER_S);
	assert_int_equal(t->resets, 1);
}

static void test_frozen_counter_keeps_its_value(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_KR, IWDG_KEY_START);
	run(t, 250 * PS_PER_MS);		/* 2000 ticks */
	iwdg_set_frozen(&t->w, true);
	uint32_t held = iwdg_counter(&t->w);

	assert_int_equal(held, 0xFFF - 2000);
	run(t, 10 * PS_PER_S);
	assert_int_equal(iwdg_counter(&t->w), held);
	assert_int_equal(t->resets, 0);
	iwdg_set_frozen(&t->w, false);
	run(t, (uint64_t)held * 4 * LSI_PS - 1);
	assert_int_equal(t->resets, 0);
	run(t, 1);
	assert_int_equal(t->resets, 1);
}

/* A part of a tick before the freeze still counts after it. */
static void test_freeze_keeps_partial_ticks(void **state)
{
	struct wd *t = *state;

	wr(t, IWDG_KR, IWDG_KEY_START);
	run(t, 4 * LSI_PS / 2);
	iwdg_set_frozen(&t->w, true);
	run(t, PS_PER_S);
	iwdg_set_frozen(&t->w, false);
	run(t, 4 * LSI_PS / 2);
	assert_int_equal(iwdg_counter(&t->w), 0xFFE);
}

/* ---- the log: what the simulator writes to stderr, captured in a file ---- */

struct capture {
	FILE *f;
	int saved_stderr;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	assert_non_null(c->f);
	c->saved_stderr = dup(STDERR_FILENO);
	assert_true(c->saved_stderr >= 0);
	assert_true(dup2(fileno(c->f), STDERR_FILENO) >= 0);
}

/*
 * Stop capturing; count the lines about watchdog resets, and add up the
 * resets they tell of: one for a line of its own, N for "N more times".
 */
static unsigned int capture_end(struct capture *c, uint64_t *told)
{
	char line[512];
	unsigned int lines = 0;

	fflush(stderr);
	assert_true(dup2(c->saved_stderr, STDERR_FILENO) >= 0);
	close(c->saved_stderr);
	rewind(c->f);
	*told = 0;
	while (fgets(line, sizeof(line), c->f)) {
		const char *more = strstr(line, "system reset ");
		unsigned long long n;

		if (!strstr(line, "iwdg1: "))
			continue;
		lines++;
		if (more && sscanf(more, "system reset %llu more times", &n) == 1)
			*told += n;
		else
			*told += 1;
	}
	fclose(c->f);
	return lines;
}

/* Hardware mode, log captured, and n resets by a counter that nothing refreshes. */
static void free_running(struct wd *t, struct capture *c, unsigned int n)
{
	t->hardware_start = true;
	capture_start(c);
	iwdg_reset(&t->w, true);
	run(t, n * FULL_PS(4));
}

/*
 * Hardware mode and firmware that never refreshes: a reset every 511.875 ms
 * of virtual time. 20 000 of them (almost 3 hours, seconds of a free-running
 * core in h743sim) give the first line, summaries after 10, 100, 1000 and
 * 10 000 more, and the rest when the series ends: 6 lines, which account
 * for every reset. The next reset starts a series and is logged again.
 */
static void test_series_of_resets_logged_in_a_few_lines(void **state)
{
	struct wd *t = *state;
	struct capture c;
	uint64_t told;

	free_running(t, &c, 20000);
	iwdg_log_flush(&t->w);
	unsigned int lines = capture_end(&c, &told);

	assert_int_equal(t->resets, 20000);
	assert_int_equal(t->w.expirations, 20000);
	assert_int_equal(lines, 6);
	assert_int_equal(told, 20000);

	/* a flush with nothing left to tell says nothing; the next series starts afresh */
	capture_start(&c);
	iwdg_log_flush(&t->w);
	run(t, FULL_PS(4));
	lines = capture_end(&c, &told);
	assert_int_equal(lines, 1);
	assert_int_equal(told, 1);
	assert_int_equal(t->resets, 20001);
}

/* A reset for another reason (a refresh outside the window) is logged on its own. */
static void test_other_reason_ends_the_series(void **state)
{
	struct wd *t = *state;
	struct capture c;
	uint64_t told;

	free_running(t, &c, 5);			/* 1 line, 4 counted */
	wr(t, IWDG_KR, IWDG_KEY_ACCESS);
	wr(t, IWDG_WINR, 0x800);
	wr(t, IWDG_KR, IWDG_KEY_RELOAD);	/* counter 0xFFF > WINR: too early */
	unsigned int lines = capture_end(&c, &told);

	assert_int_equal(t->resets, 6);
	assert_int_equal(lines, 3);		/* first, "4 more times", the window */
	assert_int_equal(told, 6);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_write_protection),
		T(test_start_and_expire),
		cmocka_unit_test(test_prescaler_and_reload_value),
		T(test_refresh_postpones_the_reset),
		T(test_window),
		T(test_window_refresh_in_time),
		T(test_hardware_start),
		T(test_frozen_counter_keeps_its_value),
		T(test_freeze_keeps_partial_ticks),
		T(test_series_of_resets_logged_in_a_few_lines),
		T(test_other_reason_ends_the_series),
	};
#undef T

	return cmocka_run_group_tests_name("iwdg", tests, NULL, NULL);
}
