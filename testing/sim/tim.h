/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * General-purpose timers TIM2-TIM5 (RM0433, "General-purpose timers"):
 * the counter on the virtual clock at the timer kernel clock divided by
 * PSC + 1 (PSC loaded at an update event), counting up to ARR, the update
 * flag at overflow, output-compare matches of the four channels (CCxIF),
 * UG/CCxG, one-pulse mode, and the interrupt line (SR & DIER) to the
 * NVIC. Like the IWDG, only the counter at the last change is stored and an
 * event marks the next overflow or compare match. Not modelled: down and
 * centre-aligned counting, input capture, slave modes, DMA requests,
 * outputs. TIM2 and TIM5 count 32 bits, TIM3 and TIM4 16 bits.
 */
#ifndef H743SIM_TIM_H
#define H743SIM_TIM_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "vclock.h"

#define TIM_SIZE	0x400u

#define TIM_CR1		0x00
#define TIM_DIER	0x0C
#define TIM_SR		0x10
#define TIM_EGR		0x14
#define TIM_CCMR1	0x18
#define TIM_CCMR2	0x1C
#define TIM_CNT		0x24
#define TIM_PSC		0x28
#define TIM_ARR		0x2C
#define TIM_CCR1	0x34

#define TIM_CR1_CEN	(1u << 0)
#define TIM_CR1_UDIS	(1u << 1)
#define TIM_CR1_URS	(1u << 2)
#define TIM_CR1_OPM	(1u << 3)
#define TIM_SR_UIF	(1u << 0)
#define TIM_SR_CCIF(ch)	(1u << (1 + (ch)))
#define TIM_EGR_UG	(1u << 0)
#define TIM_IRQ_FLAGS	0x5Fu		/* UIF, CC1IF-CC4IF, TIF */

struct tim {
	const char *name;
	struct vclock *clk;
	uint32_t max;			/* 0xFFFFFFFF or 0xFFFF */
	unsigned int irq;		/* NVIC line */
	uint32_t regs[TIM_SIZE / 4];	/* everything without behaviour, and CR1/SR/DIER/... */
	uint32_t psc_active;		/* the prescaler loaded at the last update event */
	uint64_t kernel_hz;
	bool frozen;
	/* counter value at origin; ticks already looked at since */
	uint64_t origin;
	uint32_t origin_value;
	uint64_t ticks_seen;
	struct vclock_event next;
	bool line;			/* interrupt line as last told to the NVIC */
	void (*set_line)(void *ctx, unsigned int irq, bool high);
	void *ctx;
};

void tim_init(struct tim *t, const char *name, struct vclock *clk, bool wide, unsigned int irq,
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx);
/* System reset: registers to reset values, counter stopped. */
void tim_reset(struct tim *t);
/* The kernel clock changed (RCC); time before this call counts at the old rate. */
void tim_set_kernel_hz(struct tim *t, uint64_t hz);
/* DBGMCU freeze while the core is halted. */
void tim_set_frozen(struct tim *t, bool frozen);
/* The counter now. */
uint32_t tim_counter(struct tim *t);

extern const struct bus_region_ops tim_ops;

#endif
