/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * icachetest: RAM firmware (ram.ld: everything in AXI SRAM from
 * 0x24000000, stack in DTCM) that turns both L1 caches on and calls
 * ram_tick() forever. Code in AXI SRAM is cached: a debugger that writes a
 * BKPT into ram_tick is not hit until the core's I-cache line is
 * invalidated (ICIMVAU, ICIALLU).
 *
 * Symbols for the tests (arm-none-eabi-nm):
 *   ticks      volatile u32, + 1 per ram_tick() call
 *   ram_tick   noinline, 32-byte aligned (its own I-cache line)
 */

#include <stdint.h>

#include "firmware.h"
#include "l1cache.h"

volatile uint32_t ticks;

int main(void);
void ram_tick(void);

__attribute__((noipa, aligned(32)))
void ram_tick(void)
{
	ticks++;
}

int main(void)
{
	l1_enable_icache();
	l1_enable_dcache();
	for (;;)
		ram_tick();
}
