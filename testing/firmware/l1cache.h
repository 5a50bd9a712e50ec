/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turning the Cortex-M7 L1 caches on the way CMSIS 5.9 does it
 * (SCB_EnableICache, SCB_EnableDCache): nothing if already on; invalidate
 * everything first, then set CCR.IC / CCR.DC, with the barriers ARMv7-M
 * B2.2.7 asks for. Register addresses: ARMv7-M B3.2.2.
 */
#ifndef TESTING_FIRMWARE_L1CACHE_H
#define TESTING_FIRMWARE_L1CACHE_H

#include <stdint.h>

#define L1_REG(addr)	(*(volatile uint32_t *)(addr))
#define SCB_CCR		L1_REG(0xE000ED14u)
#define SCB_CCSIDR	L1_REG(0xE000ED80u)
#define SCB_CSSELR	L1_REG(0xE000ED84u)
#define SCB_ICIALLU	L1_REG(0xE000EF50u)
#define SCB_DCISW	L1_REG(0xE000EF60u)

#define CCR_DC		(1u << 16)
#define CCR_IC		(1u << 17)

static inline void l1_barriers(void)
{
	__asm volatile("dsb\n\tisb" ::: "memory");
}

static inline void l1_enable_icache(void)
{
	if (SCB_CCR & CCR_IC)
		return;
	l1_barriers();
	SCB_ICIALLU = 0;
	l1_barriers();
	SCB_CCR |= CCR_IC;
	l1_barriers();
}

/* Invalidate every line by set and way (CCSIDR of the data cache), then enable. */
static inline void l1_enable_dcache(void)
{
	uint32_t ccsidr, sets;

	if (SCB_CCR & CCR_DC)
		return;
	SCB_CSSELR = 0;		/* level 1, data */
	__asm volatile("dsb" ::: "memory");
	ccsidr = SCB_CCSIDR;
	sets = (ccsidr >> 13) & 0x7FFF;
	do {
		uint32_t ways = (ccsidr >> 3) & 0x3FF;

		do {
			SCB_DCISW = (sets << 5 & 0x3FE0u) | (ways << 30 & 0xC0000000u);
		} while (ways-- != 0);
	} while (sets-- != 0);
	__asm volatile("dsb" ::: "memory");
	SCB_CCR |= CCR_DC;
	l1_barriers();
}

#endif
