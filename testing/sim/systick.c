// SPDX-License-Identifier: GPL-2.0-or-later
#include "systick.h"
#include "log.h"

#define SYST_MAX	0x00FFFFFFu

static void on_wrap(void *ctx);

void systick_init(struct systick *s, struct vclock *clk, void (*raise)(void *ctx), void *ctx)
{
	*s = (struct systick){ .clk = clk, .raise = raise, .ctx = ctx };
}

static uint64_t tick_hz(const struct systick *s)
{
	return (s->csr & SYST_CSR_CLKSOURCE) ? s->core_hz : s->core_hz / 8;
}

static bool counting(const struct systick *s)
{
	return (s->csr & SYST_CSR_ENABLE) && !s->frozen && tick_hz(s) > 0;
}

/* Whole ticks since the origin; tick n comes at origin + ceil(n * 1 s / hz). */
static uint64_t ticks(const struct systick *s)
{
	if (!counting(s))
		return 0;
	return (uint64_t)((unsigned __int128)(s->clk->now - s->origin) * tick_hz(s) / PS_PER_S);
}

/* From the origin value: count down to 0, then reload RVR on the next tick. */
static uint32_t value_after(const struct systick *s, uint64_t t)
{
	uint32_t c0 = s->origin_value;

	if (t <= c0)
		return c0 - (uint32_t)t;
	if (!s->rvr)
		return 0;
	return s->rvr - (uint32_t)((t - c0 - 1) % ((uint64_t)s->rvr + 1));
}

/* Counts from 1 to 0 within t ticks (a reload to 0 is not one). */
static uint64_t wraps_within(const struct systick *s, uint64_t t)
{
	uint32_t c0 = s->origin_value;
	uint64_t period = (uint64_t)s->rvr + 1;

	if (c0 > 0) {
		if (t < c0)
			return 0;
		return 1 + (s->rvr ? (t - c0) / period : 0);
	}
	return s->rvr ? t / period : 0;
}

/* Note the counts to 0 since the last look: COUNTFLAG and, with TICKINT, the exception. */
static void account(struct systick *s)
{
	uint64_t w = wraps_within(s, ticks(s));

	if (w <= s->wraps_seen)
		return;
	s->wraps_seen = w;
	s->csr |= SYST_CSR_COUNTFLAG;
	if ((s->csr & SYST_CSR_TICKINT) && s->raise)
		s->raise(s->ctx);
}

/* The next count from 1 to 0, as an event an idle chip may skip to. */
static void schedule_wrap(struct systick *s)
{
	uint64_t t = ticks(s), next, hz;
	uint32_t c = value_after(s, t);
	unsigned __int128 when;

	vclock_cancel(s->clk, &s->wrap);
	if (!counting(s) || (c == 0 && s->rvr == 0))
		return;
	hz = tick_hz(s);	/* not 0 while counting */
	next = t + (c ? c : (uint64_t)s->rvr + 1);
	when = s->origin + ((unsigned __int128)next * PS_PER_S + hz - 1) / hz;
	if (when <= UINT64_MAX)		/* beyond 213 days of virtual time: never */
		vclock_schedule(s->clk, &s->wrap, (uint64_t)when, on_wrap, s);
}

/* Start counting afresh from the value now (a setting changes). */
static void rebase(struct systick *s)
{
	account(s);
	s->origin_value = value_after(s, ticks(s));
	s->origin = s->clk->now;
	s->wraps_seen = 0;
}

static void on_wrap(void *ctx)
{
	struct systick *s = ctx;

	account(s);
	schedule_wrap(s);
}

void systick_reset(struct systick *s)
{
	vclock_cancel(s->clk, &s->wrap);
	s->csr = 0;
	s->rvr = 0;
	s->origin_value = 0;
	s->origin = s->clk->now;
	s->wraps_seen = 0;
}

void systick_set_core_hz(struct systick *s, uint64_t hz)
{
	if (hz == s->core_hz)
		return;
	rebase(s);
	s->core_hz = hz;
	schedule_wrap(s);
}

void systick_set_frozen(struct systick *s, bool frozen)
{
	if (frozen == s->frozen)
		return;
	rebase(s);
	s->frozen = frozen;
	s->origin = s->clk->now;
	schedule_wrap(s);
}

uint32_t systick_value(struct systick *s)
{
	return value_after(s, ticks(s));
}

static int systick_read(void *ctx, uint32_t off, unsigned int size, uint32_t *v,
		enum bus_master who)
{
	struct systick *s = ctx;

	(void)size;
	account(s);
	switch (off & ~3u) {
	case SYST_CSR:
		*v = s->csr;
		if (who == MASTER_CPU)
			s->csr &= ~SYST_CSR_COUNTFLAG;	/* a debugger's read leaves it */
		break;
	case SYST_RVR:
		*v = s->rvr;
		break;
	case SYST_CVR:
		*v = systick_value(s);
		break;
	default:
		*v = SYST_CALIB_VALUE;
		break;
	}
	return BUS_OK;
}

static int systick_write(void *ctx, uint32_t off, unsigned int size, uint32_t v,
		enum bus_master who)
{
	struct systick *s = ctx;

	(void)size, (void)who;
	rebase(s);
	switch (off & ~3u) {
	case SYST_CSR:
		s->csr = (s->csr & SYST_CSR_COUNTFLAG) |
			(v & (SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE));
		break;
	case SYST_RVR:
		s->rvr = v & SYST_MAX;
		break;
	case SYST_CVR:
		/* any write clears the counter and COUNTFLAG (B3.3.5) */
		s->origin_value = 0;
		s->csr &= ~SYST_CSR_COUNTFLAG;
		break;
	default:
		break;		/* CALIB is read-only */
	}
	schedule_wrap(s);
	sim_trace("systick: CSR 0x%08x RVR 0x%06x CVR 0x%06x at %llu Hz", s->csr, s->rvr,
		systick_value(s), (unsigned long long)tick_hz(s));
	return BUS_OK;
}

const struct bus_region_ops systick_ops = {
	.read = systick_read,
	.write = systick_write,
};
