/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ramtest: the RAM-resident firmware the integration tests drive.
 *
 * Linked for AXI SRAM (ram.ld). main() writes a recognisable pattern to
 * pattern_buffer, then loops forever: increments ramtest_counter, does a
 * little single-precision arithmetic (so the FPU registers change; the
 * simulator's Unicorn 2.0.1 core has no double-precision VFP), and calls bp_target() every RAMTEST_BP_INTERVAL iterations.
 *
 * Symbols the tests look up (arm-none-eabi-nm):
 *   ramtest_counter   volatile u32, +1 per loop iteration (watchpoint target)
 *   ramtest_bp_hits   volatile u32, +1 per bp_target() call
 *   pattern_buffer    RAMTEST_PATTERN_WORDS words, see firmware.h
 *   bp_target         noinline function, a place for a breakpoint
 *
 * Built with -DRAMTEST_SEMIHOST, main() first prints RAMTEST_HELLO through
 * semihosting SYS_WRITE0 (BKPT 0xAB), then runs the same loop.
 */

#include <stdint.h>

#include "firmware.h"

volatile uint32_t ramtest_counter;
volatile uint32_t ramtest_bp_hits;
volatile float ramtest_fpu_acc;
volatile float ramtest_fpu_sum;
uint32_t pattern_buffer[RAMTEST_PATTERN_WORDS];

int main(void);

__attribute__((noinline, used))
void bp_target(void)
{
	ramtest_bp_hits++;
}

#ifdef RAMTEST_SEMIHOST
/* ARM semihosting: r0 = operation, r1 = parameter, BKPT 0xAB in Thumb state. */
#define SEMIHOSTING_SYS_WRITE0	0x04u

static void semihost_write0(const char *s)
{
	register uint32_t op __asm("r0") = SEMIHOSTING_SYS_WRITE0;
	register const char *arg __asm("r1") = s;

	__asm volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
}
#endif

static void fill_pattern(void)
{
	for (uint32_t i = 0; i < RAMTEST_PATTERN_WORDS; i++)
		pattern_buffer[i] = RAMTEST_PATTERN_BASE + i;
}

int main(void)
{
	fill_pattern();
#ifdef RAMTEST_SEMIHOST
	semihost_write0(RAMTEST_HELLO);
#endif
	ramtest_fpu_acc = 1.0f;
	ramtest_fpu_sum = 0.0f;

	for (;;) {
		uint32_t n = ramtest_counter + 1;

		ramtest_counter = n;
		ramtest_fpu_acc = ramtest_fpu_acc * 0.5f + (float)(n & 0xFFu);
		ramtest_fpu_sum = ramtest_fpu_sum + 1.5f;
		if (n % RAMTEST_BP_INTERVAL == 0)
			bp_target();
	}
}
