/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtual clock of the simulator. Time is counted in picoseconds and only
 * moves when the model does work (TCK edges, CPU instructions, skipping to a
 * pending event). The wall clock is never read, so runs repeat.
 */
#ifndef H743SIM_VCLOCK_H
#define H743SIM_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define PS_PER_NS	1000ull
#define PS_PER_US	1000000ull
#define PS_PER_MS	1000000000ull
#define PS_PER_S	1000000000000ull

/* Where time came from, for the statistics. */
enum vclock_source {
	VCLOCK_WIRE,		/* TCK cycles driven by the debugger */
	VCLOCK_RUNAHEAD,	/* chip running on its own while the wire is idle */
	VCLOCK_SKIP,		/* jumping to the next pending event while quiescent */
	VCLOCK_NSOURCES,
};

typedef void (*vclock_event_fn)(void *ctx);

struct vclock_event {
	uint64_t when;
	vclock_event_fn fn;
	void *ctx;
	bool armed;
	/*
	 * The end of something the chip does (an erase, a CRC run): an idle
	 * chip may jump to it. Cleared for events that only happen *to* the
	 * chip (an injected power cut), which time must reach on its own.
	 */
	bool wakes;
};

#define VCLOCK_MAX_EVENTS 32

struct vclock {
	uint64_t now;
	uint64_t by_source[VCLOCK_NSOURCES];
	struct vclock_event *events[VCLOCK_MAX_EVENTS];
	unsigned int nevents;
};

void vclock_init(struct vclock *clk);
void vclock_advance(struct vclock *clk, uint64_t ps, enum vclock_source src);

/* Arm (or re-arm) an event owned by the caller; fires from vclock_fire_due(). */
void vclock_schedule(struct vclock *clk, struct vclock_event *ev, uint64_t when,
		vclock_event_fn fn, void *ctx);
void vclock_cancel(struct vclock *clk, struct vclock_event *ev);

/* Time of the earliest armed event, or UINT64_MAX. */
uint64_t vclock_next_event(const struct vclock *clk);
/* Time of the earliest event an idle chip may jump to, or UINT64_MAX. */
uint64_t vclock_next_wake(const struct vclock *clk);

/* Run every event whose time has come; returns how many ran. */
unsigned int vclock_fire_due(struct vclock *clk);

#endif
