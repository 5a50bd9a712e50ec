/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SysTick, the Cortex-M7's 24-bit down-counter (ARMv7-M ARM B3.3): CSR,
 * RVR, CVR, CALIB at 0xE000E010. It counts the processor clock
 * (CLKSOURCE = 1) or the STM32H743's external reference, the processor
 * clock divided by 8 (RM0433 8.5.6), on the virtual clock; only the value
 * at the last change is stored, and one event marks the next count from 1
 * to 0 (COUNTFLAG, and the SysTick exception with TICKINT). It stops while
 * the core is halted, as the ARM ARM allows and the Cortex-M7 does.
 */
#ifndef H743SIM_SYSTICK_H
#define H743SIM_SYSTICK_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "vclock.h"

#define SYST_CSR	0x0
#define SYST_RVR	0x4
#define SYST_CVR	0x8
#define SYST_CALIB	0xC

#define SYST_CSR_ENABLE		(1u << 0)
#define SYST_CSR_TICKINT	(1u << 1)
#define SYST_CSR_CLKSOURCE	(1u << 2)
#define SYST_CSR_COUNTFLAG	(1u << 16)

/*
 * CALIB: a reference clock exists (NOREF 0), TENMS is not given (SKEW 1).
 * UNCONFIRMED: the value ST's parts read was not checked on silicon.
 */
#define SYST_CALIB_VALUE	0x40000000u

struct systick {
	struct vclock *clk;
	uint32_t csr;			/* ENABLE, TICKINT, CLKSOURCE, COUNTFLAG */
	uint32_t rvr;
	uint64_t core_hz;		/* processor clock */
	bool frozen;
	/* the counter was origin_value at origin; wraps_seen 1-to-0 counts since */
	uint64_t origin;
	uint32_t origin_value;
	uint64_t wraps_seen;
	struct vclock_event wrap;
	void (*raise)(void *ctx);	/* pend the SysTick exception */
	void *ctx;
};

void systick_init(struct systick *s, struct vclock *clk, void (*raise)(void *ctx), void *ctx);
/* Core reset: disabled, counter and reload 0. */
void systick_reset(struct systick *s);
/* The processor clock changed (RCC); time before this call counts at the old rate. */
void systick_set_core_hz(struct systick *s, uint64_t hz);
/* Hold the counter (core halted) or let it go on. */
void systick_set_frozen(struct systick *s, bool frozen);
/* The current value (CVR), without side effects on COUNTFLAG. */
uint32_t systick_value(struct systick *s);

/* The four registers, offsets from 0xE000E010. */
extern const struct bus_region_ops systick_ops;

#endif
