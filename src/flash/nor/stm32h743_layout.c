// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Parts, banks and datasheet timings of the STM32H742/H743/H753/H750.
 * Pure functions: nothing here touches the target.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "stm32h743.h"

/*
 * All share DEV_ID 0x450 and one die; the FLASH_SIZE register tells them
 * apart. 1 MiB parts keep bank 2 at 0x08100000 with half the sectors
 * (RM0433 section 4.3.1).
 */
static const struct stm32h743_part parts[] = {
	{ 2048, "STM32H742xI/H743xI/H753xI", 2, 8 },
	{ 1024, "STM32H742xG/H743xG", 2, 4 },
	{ 128, "STM32H750xB", 1, 1 },
};

const struct stm32h743_part *stm32h743_find_part(uint16_t flash_kb)
{
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (parts[i].flash_kb == flash_kb)
			return &parts[i];
	return NULL;
}

int stm32h743_bank_index(target_addr_t base)
{
	if (base == STM32H743_BANK1_BASE)
		return 0;
	if (base == STM32H743_BANK2_BASE)
		return 1;
	return -1;
}

uint32_t stm32h743_bank_bytes(const struct stm32h743_part *part, unsigned int index)
{
	if (index >= part->banks)
		return 0;
	return part->sectors_per_bank * STM32H743_SECTOR_SIZE;
}

const char *stm32h743_revision_name(uint16_t rev_id)
{
	switch (rev_id) {
	case 0x1000:
		return "A";
	case 0x1001:
		return "Z";
	case 0x1003:
		return "Y";
	case 0x2001:
		return "X";
	case 0x2003:
		return "V";
	default:
		return "unknown";
	}
}

/* FLASH_CR.PSIZE value: x8, x16, x32, x64 parallelism. */
unsigned int stm32h743_psize_bits(unsigned int psize)
{
	return (psize & 3) << CR_PSIZE_SHIFT;
}

/*
 * Datasheet maxima (DS12110 tables 43/140) per PSIZE, plus half again as
 * margin. The bank erase time is not in the datasheet: eight sector erases.
 */
static const unsigned int sector_erase_max_ms[4] = { 4000, 3600, 2200, 2000 };
static const unsigned int program_max_us[4] = { 580, 360, 260, 200 };

unsigned int stm32h743_sector_erase_timeout_ms(unsigned int psize)
{
	return sector_erase_max_ms[psize & 3] * 3 / 2;
}

unsigned int stm32h743_bank_erase_timeout_ms(unsigned int psize)
{
	return 8 * sector_erase_max_ms[psize & 3] * 3 / 2;
}

unsigned int stm32h743_program_timeout_ms(unsigned int psize)
{
	/* one flash word; a debug probe's round trip dwarfs it, so allow 100 ms */
	return program_max_us[psize & 3] / 1000 + 100;
}
