// SPDX-License-Identifier: GPL-2.0-or-later
#include "iwdg.h"
#include "clocks.h"
#include "log.h"

#include <string.h>

#define LSI_PERIOD_PS	(PS_PER_S / LSI_HZ)

void iwdg_init(struct iwdg *w, struct vclock *clk, void (*expired)(void *ctx), void *ctx)
{
	*w = (struct iwdg){ .clk = clk, .expired = expired, .ctx = ctx };
	iwdg_reset(w, false);
}

/* Prescaler /4 << PR; 6 and 7 both divide by 256. */
uint64_t iwdg_tick_ps(const struct iwdg *w)
{
	unsigned int pr = w->pr > 6 ? 6 : w->pr;

	return (4ull << pr) * LSI_PERIOD_PS;
}

/* Bring the counter up to now; time only counts while running and not frozen. */
static void sync(struct iwdg *w)
{
	uint64_t now = w->clk->now;

	if (w->running && !w->frozen) {
		uint64_t t = now - w->since + w->carry_ps, tick = iwdg_tick_ps(w);
		uint64_t n = t / tick;

		w->counter = n >= w->counter ? 0 : w->counter - (uint32_t)n;
		w->carry_ps = t % tick;
	}
	w->since = now;
}

static void on_expiry(void *ctx);

static void schedule(struct iwdg *w)
{
	uint64_t when;

	if (!w->running || w->frozen) {
		vclock_cancel(w->clk, &w->expiry);
		return;
	}
	when = w->counter ? w->since + w->counter * iwdg_tick_ps(w) - w->carry_ps : w->since;
	vclock_schedule(w->clk, &w->expiry, when, on_expiry, w);
}

void iwdg_log_flush(struct iwdg *w)
{
	if (w->unlogged)
		sim_info("iwdg1: %s: system reset %llu more times, the last at %llu.%06llu ms",
			w->series_why, (unsigned long long)w->unlogged,
			(unsigned long long)(w->last_ps / PS_PER_MS),
			(unsigned long long)(w->last_ps % PS_PER_MS / PS_PER_NS));
	w->series_why = NULL;
	w->unlogged = 0;
}

/* At most 1 + log10(n) lines for a series of n resets (see iwdg.h). */
static void log_expiry(struct iwdg *w, const char *why)
{
	w->last_ps = w->clk->now;
	if (w->series_why && !strcmp(w->series_why, why)) {
		if (++w->unlogged < w->summary_at)
			return;
		iwdg_log_flush(w);
		w->series_why = why;
		w->summary_at *= 10;
		return;
	}
	iwdg_log_flush(w);
	sim_info("iwdg1: %s: system reset", why);
	w->series_why = why;
	w->summary_at = 10;
}

static void expire(struct iwdg *w, const char *why)
{
	w->expirations++;
	log_expiry(w, why);
	vclock_cancel(w->clk, &w->expiry);
	w->running = false;	/* the chip's reset restarts it if the option bytes say so */
	if (w->expired)
		w->expired(w->ctx);
}

static void on_expiry(void *ctx)
{
	struct iwdg *w = ctx;

	sync(w);
	if (w->counter)
		schedule(w);
	else
		expire(w, "counter reached 0");
}

/* Counting starts from 0xFFF, the RLR reset value, whatever RLR holds (RM0433 IWDG). */
static void start(struct iwdg *w)
{
	if (w->running)
		return;
	w->running = true;
	w->counter = IWDG_RLR_RESET;
	w->carry_ps = 0;
	w->since = w->clk->now;
	schedule(w);
}

static void reload(struct iwdg *w)
{
	sync(w);
	w->counter = w->rlr;
	w->carry_ps = 0;
	w->reloads++;
	schedule(w);
}

void iwdg_reset(struct iwdg *w, bool hardware_start)
{
	vclock_cancel(w->clk, &w->expiry);
	w->running = false;
	w->access = false;
	w->pr = 0;
	w->rlr = IWDG_RLR_RESET;
	w->winr = IWDG_WINR_RESET;
	w->counter = IWDG_RLR_RESET;
	w->carry_ps = 0;
	w->since = w->clk->now;
	if (hardware_start)
		start(w);
}

void iwdg_set_frozen(struct iwdg *w, bool frozen)
{
	if (frozen == w->frozen)
		return;
	sync(w);
	w->frozen = frozen;
	schedule(w);
}

uint32_t iwdg_counter(struct iwdg *w)
{
	sync(w);
	return w->counter;
}

/* Any key but 0x5555 closes the register access again (RM0433 IWDG). */
static void write_key(struct iwdg *w, uint32_t key)
{
	w->access = key == IWDG_KEY_ACCESS;
	switch (key) {
	case IWDG_KEY_START:
		start(w);
		break;
	case IWDG_KEY_RELOAD:
		if (!w->running)
			break;
		/* a refresh above the window value is too early: it resets the chip */
		if (w->winr < IWDG_WINR_RESET && iwdg_counter(w) > w->winr)
			expire(w, "refreshed outside the window");
		else
			reload(w);
		break;
	}
}

/*
 * PR, RLR and WINR updates take effect at once and SR never shows an update
 * in progress (UNCONFIRMED: silicon needs up to five LSI cycles, which only
 * delays when the new values count).
 */
static void write_reg(struct iwdg *w, uint32_t off, uint32_t v)
{
	if (off == IWDG_KR) {
		write_key(w, v & 0xFFFF);
		return;
	}
	if (!w->access)
		return;
	switch (off) {
	case IWDG_PR:
		sync(w);
		w->pr = v & 7;
		w->carry_ps = 0;
		schedule(w);
		break;
	case IWDG_RLR:
		w->rlr = v & 0xFFF;
		break;
	case IWDG_WINR:
		w->winr = v & 0xFFF;
		if (w->running)
			reload(w);	/* writing WINR reloads the counter */
		break;
	}
}

static int iwdg_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct iwdg *w = ctx;

	(void)who;
	if (size < 2 || (off & 3))
		return BUS_ERROR;	/* half-word and word access only */
	switch (off) {
	case IWDG_PR:
		*value = w->pr;
		break;
	case IWDG_RLR:
		*value = w->rlr;
		break;
	case IWDG_WINR:
		*value = w->winr;
		break;
	default:
		*value = 0;	/* KR is write-only, SR always idle */
		break;
	}
	return BUS_OK;
}

static int iwdg_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	(void)who;
	if (size < 2 || (off & 3))
		return BUS_ERROR;
	write_reg(ctx, off, value);
	return BUS_OK;
}

const struct bus_region_ops iwdg_ops = {
	.read = iwdg_read,
	.write = iwdg_write,
};
