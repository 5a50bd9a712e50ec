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
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a, b, c;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	setup_ev(&b, &r, 'b');
	setup_ev(&c, &r, 'c');
	/* scheduled out of order */
	vclock_schedule(&clk, &c.e, 300, on_event, &c);
	vclock_schedule(&clk, &a.e, 100, on_event, &a);
	vclock_schedule(&clk, &b.e, 200, on_event, &b);
	assert_true(vclock_next_event(&clk) == 100);
	vclock_advance(&clk, 1000, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 3);
	assert_string_equal(r.order, "abc");
	assert_true(vclock_next_event(&clk) == UINT64_MAX);
	assert_false(a.e.armed);
}

static void test_not_due_does_not_fire(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a, b;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	setup_ev(&b, &r, 'b');
	vclock_schedule(&clk, &a.e, 100, on_event, &a);
	vclock_schedule(&clk, &b.e, 101, on_event, &b);
	vclock_advance(&clk, 99, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 0);
	vclock_advance(&clk, 1, VCLOCK_SKIP);	/* exactly at its time */
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_string_equal(r.order, "a");
	assert_true(vclock_next_event(&clk) == 101);
	assert_true(b.e.armed);
}

static void test_reschedule_moves_event(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a, b;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	setup_ev(&b, &r, 'b');
	vclock_schedule(&clk, &a.e, 100, on_event, &a);
	vclock_schedule(&clk, &b.e, 200, on_event, &b);
	vclock_schedule(&clk, &a.e, 300, on_event, &a);	/* re-arm later */
	assert_int_equal(clk.nevents, 2);
	assert_true(vclock_next_event(&clk) == 200);
	vclock_advance(&clk, 1000, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 2);	/* a fires once, not twice */
	assert_string_equal(r.order, "ba");
}

static void test_cancel(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a, b, c;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	setup_ev(&b, &r, 'b');
	setup_ev(&c, &r, 'c');
	vclock_schedule(&clk, &a.e, 10, on_event, &a);
	vclock_schedule(&clk, &b.e, 20, on_event, &b);
	vclock_schedule(&clk, &c.e, 30, on_event, &c);
	vclock_cancel(&clk, &a.e);
	assert_false(a.e.armed);
	vclock_cancel(&clk, &a.e);	/* cancelling twice is harmless */
	assert_int_equal(clk.nevents, 2);
	assert_true(vclock_next_event(&clk) == 20);
	vclock_advance(&clk, 100, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 2);
	assert_string_equal(r.order, "bc");
}

static void test_event_in_the_past_fires_at_once(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	vclock_advance(&clk, 500, VCLOCK_WIRE);
	vclock_schedule(&clk, &a.e, 100, on_event, &a);
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_true(r.fired_at[0] == 500);
}

static void test_chained_events(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev a, b, c, late;

	(void)state;
	vclock_init(&clk);
	setup_ev(&a, &r, 'a');
	setup_ev(&b, &r, 'b');
	setup_ev(&c, &r, 'c');
	setup_ev(&late, &r, 'L');
	/* a schedules b at once (due now), b schedules late in the future */
	a.chain = &b;
	a.chain_delay = 0;
	b.chain = &late;
	b.chain_delay = 1000;
	vclock_schedule(&clk, &a.e, 10, on_event, &a);
	vclock_schedule(&clk, &c.e, 60, on_event, &c);
	vclock_advance(&clk, 50, VCLOCK_SKIP);
	/* b is due at 50 (scheduled at now): it runs in the same call */
	assert_int_equal(vclock_fire_due(&clk), 2);
	assert_string_equal(r.order, "ab");
	assert_true(vclock_next_event(&clk) == 60);
	vclock_advance(&clk, 10, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_true(vclock_next_event(&clk) == 1050);
	vclock_advance(&clk, 990, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_string_equal(r.order, "abcL");
}

static void test_self_rearming_event_does_not_spin(void **state)
{
	struct vclock clk;
	struct rec r = { .clk = &clk };
	struct ev tick;

	(void)state;
	vclock_init(&clk);
	setup_ev(&tick, &r, 't');
	tick.chain = &tick;	/* periodic: re-arms itself 100 ps later */
	tick.chain_delay = 100;
	vclock_schedule(&clk, &tick.e, 100, on_event, &tick);
	vclock_advance(&clk, 100, VCLOCK_SKIP);
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_true(vclock_next_event(&clk) == 200);
	vclock_advance(&clk, 250, VCLOCK_SKIP);
	/*
	 * Due at 200: re-armed for now + 100 = 450 (the clock already moved on),
	 * which is not due yet.
	 */
	assert_int_equal(vclock_fire_due(&clk), 1);
	assert_true(vclock_next_event(&clk) == 450);
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
