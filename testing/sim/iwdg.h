/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Independent watchdog IWDG1 (RM0433, IWDG chapter): a 12-bit down-counter on
 * the 32 kHz LSI, prescaled by 4..256, started by software (KR = 0xCCCC) or
 * by hardware at every reset (option bit IWDG1_SW = 0). When it reaches 0
 * the chip resets. The counter lives on the virtual clock: only its value
 * at the last synchronisation is stored, and one event marks the expiry.
 */
#ifndef H743SIM_IWDG_H
#define H743SIM_IWDG_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "vclock.h"

#define IWDG1_BASE	0x58004800u
#define IWDG_SIZE	0x400u

#define IWDG_KR		0x00
#define IWDG_PR		0x04
#define IWDG_RLR	0x08
#define IWDG_SR		0x0C
#define IWDG_WINR	0x10

#define IWDG_KEY_RELOAD	0xAAAAu
#define IWDG_KEY_ACCESS	0x5555u
#define IWDG_KEY_START	0xCCCCu

#define IWDG_RLR_RESET	0xFFFu
#define IWDG_WINR_RESET	0xFFFu

struct iwdg {
	struct vclock *clk;
	bool running;
	bool access;		/* 0x5555 was the last key: PR, RLR and WINR take writes */
	bool frozen;		/* debug halt or Stop holds the counter */
	uint32_t pr, rlr, winr;
	uint32_t counter;	/* value at `since` */
	uint64_t since;
	uint64_t carry_ps;	/* counted time towards the next decrement */
	struct vclock_event expiry;
	void (*expired)(void *ctx);	/* the counter reached 0: reset the chip */
	void *ctx;
	uint64_t reloads, expirations;
	/*
	 * The log of a series of resets for the same reason (see iwdg_log_flush):
	 * its reason (NULL when none is open), resets not logged yet, the number
	 * of them that brings the next summary line, and when the last came.
	 */
	const char *series_why;
	uint64_t unlogged, summary_at, last_ps;
};

void iwdg_init(struct iwdg *w, struct vclock *clk, void (*expired)(void *ctx), void *ctx);
/* System reset or power-on: stopped with reset values, or started by hardware. */
void iwdg_reset(struct iwdg *w, bool hardware_start);
/* Hold or release the counter; the time before this call counts with the old state. */
void iwdg_set_frozen(struct iwdg *w, bool frozen);
/* The counter now. */
uint32_t iwdg_counter(struct iwdg *w);
/* Time one decrement takes with the current prescaler. */
uint64_t iwdg_tick_ps(const struct iwdg *w);
/*
 * A watchdog that nothing refreshes resets the chip every 0.5 to 33 s of
 * virtual time, and a core that runs free skips through hours of that in
 * seconds. The first reset of a series (resets for the same reason) is
 * logged; the ones after it are counted and summed up in a line after 10,
 * then 100, 1000, ... more, and by this call, which ends the series: the
 * next reset is logged again. main.c calls it when a debugger connects or
 * leaves and at exit.
 */
void iwdg_log_flush(struct iwdg *w);

extern const struct bus_region_ops iwdg_ops;

#endif
