// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The virtual clock: time accounting per source, event ordering, re-arming,
 * cancelling and events scheduled from inside a callback.
 */
#include "unit_helpers.h"

#include "vclock.h"

struct rec {
	struct vclock *clk;
	char order[16];
	unsigned int n;
	uint64_t fired_at[16];
};

struct ev {
	struct vclock_event e;
	struct rec *rec;
	char tag;
	/* optional chained event, scheduled by the callback */
	struct ev *chain;
	uint64_t chain_delay;
};

static void on_event(void *ctx)
{
	struct ev *ev = ctx;
	struct rec *r = ev->rec;

	if (r->n < sizeof(r->order) - 1) {
		r->fired_at[r->n] = r->clk->now;
		r->order[r->n++] = ev->tag;
	}
	if (ev->chain)
		vclock_schedule(r->clk, &ev->chain->e, r->clk->now + ev->chain_delay, on_event,
			ev->chain);
}

static void setup_ev(struct ev *ev, struct rec *r, char tag)
{
	memset(ev, 0, sizeof(*ev));
	ev->rec = r;
	ev->tag = tag;
}

/* A clock and three events on it that record when they fire: 'a', 'b', 'c'. */
struct bench {
	struct vclock clk;
	struct rec r;
	struct ev a, b, c;
};

static void bench_init(struct bench *t)
{
	vclock_init(&t->clk);
	memset(&t->r, 0, sizeof(t->r));
	t->r.clk = &t->clk;
	setup_ev(&t->a, &t->r, 'a');
	setup_ev(&t->b, &t->r, 'b');
	setup_ev(&t->c, &t->r, 'c');
}

static void arm(struct bench *t, struct ev *ev, uint64_t when)
{
	vclock_schedule(&t->clk, &ev->e, when, on_event, ev);
}

static void test_init_and_advance(void **state)
{
	struct vclock clk;

	(void)state;
	vclock_init(&clk);
	assert_int_equal(clk.now, 0);
	assert_true(vclock_next_event(&clk) == UINT64_MAX);
	assert_int_equal(vclock_fire_due(&clk), 0);
	vclock_advance(&clk, 5 * PS_PER_US, VCLOCK_WIRE);
	vclock_advance(&clk, 7, VCLOCK_RUNAHEAD);
	vclock_advance(&clk, 3 * PS_PER_S, VCLOCK_SKIP);
	assert_true(clk.now == 5 * PS_PER_US + 7 + 3 * PS_PER_S);
	assert_true(clk.by_source[VCLOCK_WIRE] == 5 * PS_PER_US);
	assert_true(clk.by_source[VCLOCK_RUNAHEAD] == 7);
	assert_true(clk.by_source[VCLOCK_SKIP] == 3 * PS_PER_S);
}

static void test_fire_in_time_order(void **state)
{
	struct bench t;

	(void)state;
	bench_init(&t);
	/* scheduled out of order */
	arm(&t, &t.c, 300);
	arm(&t, &t.a, 100);
	arm(&t, &t.b, 200);
	assert_true(vclock_next_event(&t.clk) == 100);
	vclock_advance(&t.clk, 1000, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 3);
	assert_string_equal(t.r.order, "abc");
	assert_true(vclock_next_event(&t.clk) == UINT64_MAX);
	assert_false(t.a.e.armed);
}

static void test_not_due_does_not_fire(void **state)
{
	struct bench t;

	(void)state;
	bench_init(&t);
	arm(&t, &t.a, 100);
	arm(&t, &t.b, 101);
	vclock_advance(&t.clk, 99, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 0);
	vclock_advance(&t.clk, 1, VCLOCK_SKIP);	/* exactly at its time */
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_string_equal(t.r.order, "a");
	assert_true(vclock_next_event(&t.clk) == 101);
	assert_true(t.b.e.armed);
}

static void test_reschedule_moves_event(void **state)
{
	struct bench t;

	(void)state;
	bench_init(&t);
	arm(&t, &t.a, 100);
	arm(&t, &t.b, 200);
	arm(&t, &t.a, 300);	/* re-arm later */
	assert_int_equal(t.clk.nevents, 2);
	assert_true(vclock_next_event(&t.clk) == 200);
	vclock_advance(&t.clk, 1000, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 2);	/* a fires once, not twice */
	assert_string_equal(t.r.order, "ba");
}

static void test_cancel(void **state)
{
	struct bench t;

	(void)state;
	bench_init(&t);
	arm(&t, &t.a, 10);
	arm(&t, &t.b, 20);
	arm(&t, &t.c, 30);
	vclock_cancel(&t.clk, &t.a.e);
	assert_false(t.a.e.armed);
	vclock_cancel(&t.clk, &t.a.e);	/* cancelling twice is harmless */
	assert_int_equal(t.clk.nevents, 2);
	assert_true(vclock_next_event(&t.clk) == 20);
	vclock_advance(&t.clk, 100, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 2);
	assert_string_equal(t.r.order, "bc");
}

static void test_event_in_the_past_fires_at_once(void **state)
{
	struct bench t;

	(void)state;
	bench_init(&t);
	vclock_advance(&t.clk, 500, VCLOCK_WIRE);
	arm(&t, &t.a, 100);
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_true(t.r.fired_at[0] == 500);
}

static void test_chained_events(void **state)
{
	struct bench t;
	struct ev late;

	(void)state;
	bench_init(&t);
	setup_ev(&late, &t.r, 'L');
	/* a schedules b at once (due now), b schedules late in the future */
	t.a.chain = &t.b;
	t.a.chain_delay = 0;
	t.b.chain = &late;
	t.b.chain_delay = 1000;
	arm(&t, &t.a, 10);
	arm(&t, &t.c, 60);
	vclock_advance(&t.clk, 50, VCLOCK_SKIP);
	/* b is due at 50 (scheduled at now): it runs in the same call */
	assert_int_equal(vclock_fire_due(&t.clk), 2);
	assert_string_equal(t.r.order, "ab");
	assert_true(vclock_next_event(&t.clk) == 60);
	vclock_advance(&t.clk, 10, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_true(vclock_next_event(&t.clk) == 1050);
	vclock_advance(&t.clk, 990, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_string_equal(t.r.order, "abcL");
}

static void test_self_rearming_event_does_not_spin(void **state)
{
	struct bench t;
	struct ev tick;

	(void)state;
	bench_init(&t);
	setup_ev(&tick, &t.r, 't');
	tick.chain = &tick;	/* periodic: re-arms itself 100 ps later */
	tick.chain_delay = 100;
	arm(&t, &tick, 100);
	vclock_advance(&t.clk, 100, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_true(vclock_next_event(&t.clk) == 200);
	vclock_advance(&t.clk, 250, VCLOCK_SKIP);
	/*
	 * Due at 200: re-armed for now + 100 = 450 (the clock already moved on),
	 * which is not due yet.
	 */
	assert_int_equal(vclock_fire_due(&t.clk), 1);
	assert_true(vclock_next_event(&t.clk) == 450);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_advance),
		cmocka_unit_test(test_fire_in_time_order),
		cmocka_unit_test(test_not_due_does_not_fire),
		cmocka_unit_test(test_reschedule_moves_event),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_event_in_the_past_fires_at_once),
		cmocka_unit_test(test_chained_events),
		cmocka_unit_test(test_self_rearming_event_does_not_spin),
	};

	return cmocka_run_group_tests_name("vclock", tests, NULL, NULL);
}
