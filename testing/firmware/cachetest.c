/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cachetest: flash firmware that runs with both L1 caches on, for tests of
 * what a debugger sees through them. Built twice from this file, with
 * CACHETEST_VERSION 1 (cachetest.elf) and 2 (cachetest2.elf): only
 * constants differ, every symbol has the same address in both (the build
 * compares arm-none-eabi-nm of the two).
 *
 * Linked at 0x08000000 (flash.ld); its variables are in AXI SRAM (section
 * .axi_bss at 0x24000000, cached write-back), not in DTCM (never cached).
 * Each iteration of the main loop:
 *   seen = counter;                        what the core read
 *   counter = seen + 1;                    so at the breakpoint counter == seen + 1
 *   version_seen = cachetest_version;      a constant read from flash
 *   version_code = version_fn();           code that differs between builds
 *   cache_loop_point();                    a place for a breakpoint
 *
 * Symbols for the tests (arm-none-eabi-nm):
 *   counter, seen, version_seen, version_code   volatile u32 in AXI SRAM
 *   cachetest_version   const u32 in flash (32-byte aligned: its own line)
 *   version_fn          returns 0xA0 + CACHETEST_VERSION (32-byte aligned)
 *   cache_loop_point    called once per iteration
 */

#include <stdint.h>

#include "firmware.h"
#include "l1cache.h"

#ifndef CACHETEST_VERSION
#error "build with -DCACHETEST_VERSION=1 or 2"
#endif

#define AXI_BSS		__attribute__((section(".axi_bss")))

AXI_BSS __attribute__((aligned(32))) volatile uint32_t counter;
AXI_BSS volatile uint32_t seen;
AXI_BSS volatile uint32_t version_seen;
AXI_BSS volatile uint32_t version_code;

__attribute__((aligned(32), used))
const uint32_t cachetest_version = CACHETEST_VERSION;

int main(void);
uint32_t version_fn(void);
void cache_loop_point(void);

/*
 * The same length in both builds: one 16-bit MOVS, a BX LR. noipa and the
 * asm keep GCC from treating it as const and hoisting the call out of the
 * loop: the core must execute it every iteration.
 */
__attribute__((noipa, aligned(32)))
uint32_t version_fn(void)
{
	__asm volatile("" ::: "memory");
	return 0xA0u + CACHETEST_VERSION;
}

__attribute__((noipa))
void cache_loop_point(void)
{
	__asm volatile("" ::: "memory");
}

int main(void)
{
	/* .axi_bss is not cleared by startup.c: start from zero */
	counter = 0;
	seen = 0;
	version_seen = 0;
	version_code = 0;
	l1_enable_icache();
	l1_enable_dcache();
	for (;;) {
		seen = counter;
		counter = seen + 1;
		version_seen = *(const volatile uint32_t *)&cachetest_version;
		version_code = version_fn();
		cache_loop_point();
	}
}
