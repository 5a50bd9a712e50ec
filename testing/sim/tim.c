// SPDX-License-Identifier: GPL-2.0-or-later
#include "tim.h"
#include "log.h"

#include <string.h>

#define NEVER		UINT64_MAX
#define TIM_CCR(ch)	(TIM_CCR1 + 4 * (ch))
#define TIM_EGR_CCG(ch)	(1u << (1 + (ch)))
#define TIM_CR1_UIFREMAP (1u << 11)
#define TIM_CNT_UIFCPY	(1u << 31)

static void on_event(void *ctx);

static uint32_t reg(const struct tim *t, uint32_t off)
{
	return t->regs[off / 4];
}

static uint32_t arr(const struct tim *t)
{
	return reg(t, TIM_ARR) & t->max;
}

static uint64_t count_hz(const struct tim *t)
{
	return t->kernel_hz / ((uint64_t)t->psc_active + 1);
}

static bool counting(const struct tim *t)
{
	return (reg(t, TIM_CR1) & TIM_CR1_CEN) && !t->frozen && count_hz(t) > 0;
}

/* Whole counter ticks since the origin; tick n comes at origin + ceil(n * 1 s / hz). */
static uint64_t ticks(const struct tim *t)
{
	if (!counting(t))
		return 0;
	return (uint64_t)((unsigned __int128)(t->clk->now - t->origin) * count_hz(t) / PS_PER_S);
}

/* Ticks from counter value c to the overflow (the counter becomes 0). */
static uint64_t ticks_to_overflow(const struct tim *t, uint32_t c)
{
	uint32_t a = arr(t);

	return (uint64_t)((c <= a ? a : t->max) - c) + 1;
}

/* Ticks from value c until the counter next becomes v (at least 1), or NEVER. */
static uint64_t ticks_to_reach(const struct tim *t, uint32_t c, uint32_t v)
{
	uint32_t a = arr(t), top = c <= a ? a : t->max;

	if (v > c && v <= top)
		return v - c;
	if (v > a)
		return NEVER;
	return ticks_to_overflow(t, c) + v;
}

static uint32_t value_after(const struct tim *t, uint64_t n)
{
	uint32_t c0 = t->origin_value;
	uint64_t first = ticks_to_overflow(t, c0);

	if (n < first)
		return c0 + (uint32_t)n;
	return (uint32_t)((n - first) % ((uint64_t)arr(t) + 1));
}

/* Channel ch compares (CCxS = 00: output) rather than captures. */
static bool channel_compares(const struct tim *t, unsigned int ch)
{
	uint32_t ccmr = reg(t, ch < 2 ? TIM_CCMR1 : TIM_CCMR2);

	return ((ccmr >> (8 * (ch & 1))) & 3) == 0;
}

static void update_line(struct tim *t)
{
	bool high = (reg(t, TIM_SR) & reg(t, TIM_DIER) & TIM_IRQ_FLAGS) != 0;

	if (high == t->line)
		return;
	t->line = high;
	if (t->set_line)
		t->set_line(t->ctx, t->irq, high);
}

/* Count afresh from the value now (a setting or the rate changes). */
static void rebase(struct tim *t, uint32_t value)
{
	t->origin_value = value & t->max;
	t->origin = t->clk->now;
	t->ticks_seen = 0;
}

uint32_t tim_counter(struct tim *t)
{
	return value_after(t, ticks(t));
}

/* An update event: the prescaler loads; in one-pulse mode the counter stops. */
static void update_event(struct tim *t, bool flag)
{
	uint32_t now_value = tim_counter(t);

	if (flag)
		t->regs[TIM_SR / 4] |= TIM_SR_UIF;
	if (reg(t, TIM_CR1) & TIM_CR1_OPM)
		t->regs[TIM_CR1 / 4] &= ~TIM_CR1_CEN;
	if (t->psc_active != (reg(t, TIM_PSC) & 0xFFFF) || !counting(t)) {
		t->psc_active = reg(t, TIM_PSC) & 0xFFFF;
		rebase(t, now_value);
	}
}

/* Set the flags of what the counter went through since the last look. */
static void advance(struct tim *t)
{
	uint64_t now_t = ticks(t), n = now_t - t->ticks_seen;
	uint32_t c;

	if (!counting(t) || n == 0)
		return;
	c = value_after(t, t->ticks_seen);
	for (unsigned int ch = 0; ch < 4; ch++)
		if (channel_compares(t, ch) && ticks_to_reach(t, c, reg(t, TIM_CCR(ch)) & t->max) <= n)
			t->regs[TIM_SR / 4] |= TIM_SR_CCIF(ch);
	t->ticks_seen = now_t;
	if (ticks_to_overflow(t, c) <= n)
		update_event(t, !(reg(t, TIM_CR1) & TIM_CR1_UDIS));
	update_line(t);
}

/* The next overflow or compare match, as an event an idle chip may skip to. */
static void schedule_next(struct tim *t)
{
	uint64_t now_t, earliest, hz = count_hz(t);
	unsigned __int128 when;
	uint32_t c;

	vclock_cancel(t->clk, &t->next);
	if (!counting(t))
		return;
	now_t = ticks(t);
	c = value_after(t, now_t);
	earliest = ticks_to_overflow(t, c);
	for (unsigned int ch = 0; ch < 4; ch++) {
		uint64_t d = ticks_to_reach(t, c, reg(t, TIM_CCR(ch)) & t->max);

		if (channel_compares(t, ch) && d < earliest)
			earliest = d;
	}
	when = t->origin + ((unsigned __int128)(now_t + earliest) * PS_PER_S + hz - 1) / hz;
	if (when <= UINT64_MAX)		/* beyond 213 days of virtual time: never */
		vclock_schedule(t->clk, &t->next, (uint64_t)when, on_event, t);
}

static void on_event(void *ctx)
{
	struct tim *t = ctx;

	advance(t);
	schedule_next(t);
}

void tim_init(struct tim *t, const char *name, struct vclock *clk, bool wide, unsigned int irq,
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->clk = clk;
	t->max = wide ? 0xFFFFFFFFu : 0xFFFFu;
	t->irq = irq;
	t->set_line = set_line;
	t->ctx = ctx;
}

void tim_reset(struct tim *t)
{
	vclock_cancel(t->clk, &t->next);
	memset(t->regs, 0, sizeof(t->regs));
	t->regs[TIM_ARR / 4] = t->max;
	t->psc_active = 0;
	rebase(t, 0);
	update_line(t);
}

void tim_set_kernel_hz(struct tim *t, uint64_t hz)
{
	if (hz == t->kernel_hz)
		return;
	advance(t);
	rebase(t, tim_counter(t));
	t->kernel_hz = hz;
	schedule_next(t);
}

void tim_set_frozen(struct tim *t, bool frozen)
{
	if (frozen == t->frozen)
		return;
	advance(t);
	rebase(t, tim_counter(t));
	t->frozen = frozen;
	t->origin = t->clk->now;
	schedule_next(t);
}

static int tim_read(void *ctx, uint32_t off, unsigned int size, uint32_t *v, enum bus_master who)
{
	struct tim *t = ctx;

	(void)size, (void)who;
	advance(t);
	off &= ~3u;
	if (off == TIM_CNT) {
		*v = tim_counter(t);
		if ((reg(t, TIM_CR1) & TIM_CR1_UIFREMAP) && (reg(t, TIM_SR) & TIM_SR_UIF))
			*v |= TIM_CNT_UIFCPY;
	} else if (off == TIM_EGR) {
		*v = 0;		/* write-only */
	} else {
		*v = reg(t, off);
	}
	return BUS_OK;
}

static void generate_events(struct tim *t, uint32_t v)
{
	if (v & TIM_EGR_UG) {
		/* re-initialise the counter, load the prescaler (RM0433 TIMx_EGR.UG) */
		t->psc_active = reg(t, TIM_PSC) & 0xFFFF;
		rebase(t, 0);
		if (!(reg(t, TIM_CR1) & TIM_CR1_URS))
			t->regs[TIM_SR / 4] |= TIM_SR_UIF;
	}
	for (unsigned int ch = 0; ch < 4; ch++)
		if (v & TIM_EGR_CCG(ch))
			t->regs[TIM_SR / 4] |= TIM_SR_CCIF(ch);
}

static int tim_write(void *ctx, uint32_t off, unsigned int size, uint32_t v, enum bus_master who)
{
	struct tim *t = ctx;

	(void)size, (void)who;
	advance(t);
	off &= ~3u;
	switch (off) {
	case TIM_CR1:
	case TIM_ARR:
		rebase(t, tim_counter(t));
		t->regs[off / 4] = off == TIM_ARR ? v & t->max : v & 0xFFF;
		break;
	case TIM_SR:
		t->regs[off / 4] &= v;		/* rc_w0: a 0 clears, a 1 keeps */
		break;
	case TIM_EGR:
		generate_events(t, v);
		break;
	case TIM_CNT:
		rebase(t, v);
		break;
	case TIM_PSC:
		t->regs[off / 4] = v & 0xFFFF;	/* taken at the next update event */
		break;
	default:
		t->regs[off / 4] = v;
		break;
	}
	update_line(t);
	schedule_next(t);
	return BUS_OK;
}

const struct bus_region_ops tim_ops = {
	.read = tim_read,
	.write = tim_write,
};
