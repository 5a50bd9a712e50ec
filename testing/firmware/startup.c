/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal Cortex-M7 start-up code for the test firmware.
 *
 * RAM-resident images (ram.ld) are loaded by a debugger (OpenOCD
 * load_image, GDB load) and started at Reset_Handler, either by jumping
 * there or by setting PC; the debugger may leave any SP behind, so
 * Reset_Handler sets MSP itself before touching the stack. No interrupts
 * are used: every exception ends in fault_handler, a tight loop a debugger
 * can halt and inspect.
 *
 * Flash-resident images (flash.ld) are built with -DSTARTUP_COPY_DATA: the
 * core boots from the vector table at 0x08000000 and Reset_Handler copies
 * the initial values of .data from flash to RAM before clearing .bss.
 */

#include <stdint.h>

#include "firmware.h"

/* Linker script symbols (ram.ld, flash.ld). */
#ifdef STARTUP_COPY_DATA
extern const uint32_t __data_load[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
#endif
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void Reset_Handler(void);
void reset_c(void);
void fault_handler(void);

/* ARMv7-M Architecture Reference Manual B3.2.20: CPACR, CP10/CP11 full access. */
#define SCB_CPACR	(*(volatile uint32_t *)0xE000ED88u)
#define CPACR_CP10_CP11_FULL	(0xFu << 20)

/*
 * Vector table: word 0 is the initial MSP, word 1 the reset vector, then
 * the 14 other ARMv7-M system exception vectors. Nothing external.
 */
__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
	(void (*)(void))__stack_top,
	Reset_Handler,
	fault_handler,		/* NMI */
	fault_handler,		/* HardFault */
	fault_handler,		/* MemManage */
	fault_handler,		/* BusFault */
	fault_handler,		/* UsageFault */
	0, 0, 0, 0,		/* reserved */
	fault_handler,		/* SVCall */
	fault_handler,		/* DebugMonitor */
	0,			/* reserved */
	fault_handler,		/* PendSV */
	fault_handler,		/* SysTick */
};

/*
 * Entry point (ELF e_entry). Load MSP from the link-time stack top first:
 * the debugger that jumped here may have left SP anywhere.
 */
__attribute__((naked, noreturn))
void Reset_Handler(void)
{
	__asm volatile(
		"ldr r0, =__stack_top\n\t"
		"msr msp, r0\n\t"
		"mov sp, r0\n\t"
		"b reset_c\n\t"
		".ltorg");
}

__attribute__((noreturn, used))
void reset_c(void)
{
	/* The FPU must be enabled before main() issues any VFP instruction. */
	SCB_CPACR |= CPACR_CP10_CP11_FULL;
	__asm volatile("dsb\n\tisb" ::: "memory");

	/*
	 * .data: a RAM image is loaded as linked and needs no copy; a flash
	 * image keeps the initial values in flash after the code.
	 */
#ifdef STARTUP_COPY_DATA
	const volatile uint32_t *src = __data_load;

	for (volatile uint32_t *p = __data_start; p < __data_end; p++)
		*p = *src++;
#endif
	for (volatile uint32_t *p = __bss_start; p < __bss_end; p++)
		*p = 0;

	main();
	for (;;)
		;
}

__attribute__((noreturn))
void fault_handler(void)
{
	for (;;)
		__asm volatile("nop");
}
