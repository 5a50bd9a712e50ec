// SPDX-License-Identifier: GPL-2.0-or-later
#include "vclock.h"

#include <string.h>

void vclock_init(struct vclock *clk)
{
	memset(clk, 0, sizeof(*clk));
}

void vclock_advance(struct vclock *clk, uint64_t ps, enum vclock_source src)
{
	clk->now += ps;
	clk->by_source[src] += ps;
}

static int find_event(const struct vclock *clk, const struct vclock_event *ev)
{
	for (unsigned int i = 0; i < clk->nevents; i++)
		if (clk->events[i] == ev)
			return (int)i;
	return -1;
}

void vclock_schedule(struct vclock *clk, struct vclock_event *ev, uint64_t when,
		vclock_event_fn fn, void *ctx)
{
	ev->when = when;
	ev->fn = fn;
	ev->ctx = ctx;
	ev->armed = true;
	ev->wakes = true;
	if (find_event(clk, ev) < 0 && clk->nevents < VCLOCK_MAX_EVENTS)
		clk->events[clk->nevents++] = ev;
}

void vclock_cancel(struct vclock *clk, struct vclock_event *ev)
{
	int i = find_event(clk, ev);

	ev->armed = false;
	if (i < 0)
		return;
	clk->events[i] = clk->events[--clk->nevents];
}

uint64_t vclock_next_event(const struct vclock *clk)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < clk->nevents; i++)
		if (clk->events[i]->when < next)
			next = clk->events[i]->when;
	return next;
}

uint64_t vclock_next_wake(const struct vclock *clk)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < clk->nevents; i++)
		if (clk->events[i]->wakes && clk->events[i]->when < next)
			next = clk->events[i]->when;
	return next;
}

unsigned int vclock_fire_due(struct vclock *clk)
{
	unsigned int fired = 0;

	for (;;) {
		struct vclock_event *due = NULL;

		for (unsigned int i = 0; i < clk->nevents; i++)
			if (clk->events[i]->when <= clk->now &&
			    (!due || clk->events[i]->when < due->when))
				due = clk->events[i];
		if (!due)
			return fired;
		vclock_cancel(clk, due);
		due->fn(due->ctx);
		fired++;
	}
}
