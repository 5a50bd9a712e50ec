/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flashdemo: the firmware `make demo` programs into flash.
 *
 * Linked for bank 1 of the flash (flash.ld) and started by a reset like any
 * product firmware: the core takes MSP and the reset vector from
 * 0x08000000, startup.c copies .data from flash to DTCM and clears .bss.
 * main() copies DEMO_MESSAGE into demo_message, then loops forever,
 * adding demo_step to demo_counter and calling demo_tick() every
 * DEMO_TICK_INTERVAL iterations.
 *
 * Symbols the demo looks up (arm-none-eabi-nm); testing/demo mirrors the
 * constants below:
 *   demo_counter   volatile u32 in DTCM, + demo_step per loop iteration
 *   demo_step      u32 in .data, 1: if the .data copy failed the counter
 *                  would not move as it should
 *   demo_ticks     volatile u32, + 1 per demo_tick() call
 *   demo_message   char[32], DEMO_MESSAGE and a NUL after start-up
 *   demo_tick      noinline function, a place for a breakpoint
 */

#include <stdint.h>

#define DEMO_TICK_INTERVAL	1000u
#define DEMO_MESSAGE		"h743sim demo running"

volatile uint32_t demo_counter;
volatile uint32_t demo_ticks;
volatile uint32_t demo_step = 1;
volatile char demo_message[32];

/* In flash (.rodata): main() reads it from there at run time. */
static const char message_text[] = DEMO_MESSAGE;

_Static_assert(sizeof(message_text) <= sizeof(demo_message), "demo_message too small");

int main(void);

__attribute__((noinline, used))
void demo_tick(void)
{
	demo_ticks++;
}

int main(void)
{
	for (uint32_t i = 0; i < sizeof(message_text); i++)
		demo_message[i] = message_text[i];

	for (uint32_t n = 1;; n++) {
		demo_counter += demo_step;
		if (n % DEMO_TICK_INTERVAL == 0)
			demo_tick();
	}
}
