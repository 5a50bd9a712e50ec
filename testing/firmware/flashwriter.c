/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flashwriter: a product firmware that rewrites its own flash after every
 * reset, the kind that makes a debugger's verify fail behind its back.
 *
 * Linked at 0x08000000 (flash.ld). At every boot it unlocks bank 1, erases
 * sector FLASHWRITER_SECTOR, locks the bank, then unlocks it again and
 * programs one 256-bit flash word of FLASHWRITER_PATTERN at FLASHWRITER_ADDR
 * (the sequences of OpenOCD's src/flash/nor/stm32h7x.c). Then it counts
 * forever.
 *
 * Symbols for the tests (arm-none-eabi-nm):
 *   flashwriter_counter  volatile u32 in DTCM, + 1 per loop iteration
 *   flashwriter_sr       FLASH_SR1 after the program operation
 */

#include <stdint.h>

#include "firmware.h"

#define FLASH_KEYR1	(*(volatile uint32_t *)0x52002004u)
#define FLASH_CR1	(*(volatile uint32_t *)0x5200200Cu)
#define FLASH_SR1	(*(volatile uint32_t *)0x52002010u)
#define FLASH_CCR1	(*(volatile uint32_t *)0x52002014u)

#define FLASH_KEY1	0x45670123u
#define FLASH_KEY2	0xCDEF89ABu

#define CR_LOCK		(1u << 0)
#define CR_PG		(1u << 1)
#define CR_SER		(1u << 2)
#define CR_PSIZE_X64	(3u << 4)
#define CR_START	(1u << 7)
#define CR_SNB_SHIFT	8
#define SR_QW		(1u << 2)
#define SR_ERRORS	0x1FEF0000u	/* every flag CCR clears */

volatile uint32_t flashwriter_counter;
volatile uint32_t flashwriter_sr;

int main(void);

static inline void barrier(void)
{
	__asm volatile("dsb\n\tisb" ::: "memory");
}

static void wait_queue_empty(void)
{
	while (FLASH_SR1 & SR_QW)
		;
}

/* Keying an unlocked bank would lock it until reset: look first. */
static void unlock(void)
{
	if (FLASH_CR1 & CR_LOCK) {
		FLASH_KEYR1 = FLASH_KEY1;
		FLASH_KEYR1 = FLASH_KEY2;
	}
}

static void lock(void)
{
	FLASH_CR1 = CR_LOCK;
}

static void erase_sector(void)
{
	uint32_t cr = CR_SER | CR_PSIZE_X64 | FLASHWRITER_SECTOR << CR_SNB_SHIFT;

	unlock();
	FLASH_CCR1 = SR_ERRORS;
	FLASH_CR1 = cr;
	FLASH_CR1 = cr | CR_START;
	barrier();
	wait_queue_empty();
	FLASH_CR1 = CR_PSIZE_X64;
	lock();
}

static void program_word(void)
{
	volatile uint32_t *dst = (volatile uint32_t *)FLASHWRITER_ADDR;

	unlock();
	FLASH_CR1 = CR_PG | CR_PSIZE_X64;
	barrier();
	for (unsigned int i = 0; i < 8; i++)
		dst[i] = FLASHWRITER_PATTERN;
	barrier();
	wait_queue_empty();
	flashwriter_sr = FLASH_SR1;
	FLASH_CR1 = CR_PSIZE_X64;
	lock();
}

int main(void)
{
	erase_sector();
	program_word();
	for (;;)
		flashwriter_counter++;
}
