/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lowpower: a firmware that sends the core into D1 Stop with debug support
 * in low-power modes switched off, the way battery-powered products do.
 *
 * Linked at 0x08000000 (flash.ld). It clears DBGMCU_CR (DBGSLEEP_D1,
 * DBGSTOP_D1, DBGSTBY_D1 and the debug clocks, RM0433 section 60.5.8), sets
 * SCB_SCR.SLEEPDEEP (ARMv7-M B3.2.7) and executes WFI in a loop. With
 * PWR_CPUCR.PDDS_D1 at its reset value 0, deep sleep is D1 Stop: the
 * debugger loses the core's access port until NRST or a power cycle.
 *
 * Symbols for the tests: lowpower_wakeups, volatile u32, + 1 after each WFI.
 */

#include <stdint.h>

#define DBGMCU_CR	(*(volatile uint32_t *)0x5C001004u)
#define SCB_SCR		(*(volatile uint32_t *)0xE000ED10u)
#define SCR_SLEEPDEEP	(1u << 2)

volatile uint32_t lowpower_wakeups;

int main(void);

int main(void)
{
	DBGMCU_CR = 0;
	SCB_SCR |= SCR_SLEEPDEEP;
	for (;;) {
		__asm volatile("dsb\n\twfi" ::: "memory");
		lowpower_wakeups++;
	}
}
