// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * What the stm32h743 driver did to a chip in this OpenOCD session: which
 * sectors it erased (and whether the erase finished impossibly fast), which
 * flash words it programmed and with what data (a hash per word), the bank
 * swap and the reset flags at that time, and how often the core was resumed
 * or reset since. The diagnosis compares the chip against this record: a
 * word that holds exactly what the driver programmed was written correctly,
 * whatever the file says now.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/time_support.h>
#include <target/target.h>

#include "stm32h743_diag.h"

static struct stm32h743_record *records;

static int record_target_event(struct target *target, enum target_event event, void *priv)
{
	struct stm32h743_record *rec = priv;

	if (target != rec->target)
		return ERROR_OK;
	/* HALTED comes after the core ran, or after a reset (OpenOCD's poll) */
	if (event == TARGET_EVENT_RESUMED)
		rec->resumes++;
	else if (event == TARGET_EVENT_HALTED)
		rec->halts++;
	return ERROR_OK;
}

struct stm32h743_record *stm32h743_record_of(struct target *target)
{
	struct stm32h743_record *rec;

	for (rec = records; rec; rec = rec->next)
		if (rec->target == target)
			return rec;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	rec->target = target;
	rec->next = records;
	records = rec;
	target_register_event_callback(record_target_event, rec);
	return rec;
}

/* Which physical bank the flash bank shows now (FLASH_OPTCR.SWAP_BANK). */
int stm32h743_physical_bank(struct flash_bank *bank, unsigned int *physical)
{
	uint32_t optcr;
	int retval = stm32h743_read_reg(bank, STM32H743_OPTCR, &optcr);

	if (retval != ERROR_OK)
		return retval;
	*physical = (optcr & OPTCR_SWAP_BANK) ? 1 - stm32h743_info(bank)->index :
		stm32h743_info(bank)->index;
	return ERROR_OK;
}

void stm32h743_record_erase(struct flash_bank *bank, unsigned int first, unsigned int last,
		bool instant, uint32_t elapsed_ms)
{
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);
	unsigned int physical;

	if (!rec || stm32h743_physical_bank(bank, &physical) != ERROR_OK)
		return;
	for (unsigned int s = first; s <= last && s < STM32H743_SECTORS_PER_BANK; s++) {
		struct stm32h743_sector_record *sr = &rec->sector[physical][s];

		sr->erased = true;
		sr->erase_instant = instant;
		sr->erased_ms = timeval_ms();
		sr->erase_ms = elapsed_ms;
		if (rec->word_hash[physical])
			memset(rec->word_hash[physical] + s * (STM32H743_SECTOR_SIZE /
				STM32H743_FLASH_WORD), 0, STM32H743_SECTOR_SIZE /
				STM32H743_FLASH_WORD * sizeof(uint32_t));
	}
}

/* RCC_RSR before an operation: a reset during or after it adds flags. */
void stm32h743_record_reset_flags(struct flash_bank *bank)
{
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);

	if (rec)
		rec->rsr_known = stm32h743_read_u32_logged(bank->target, RCC_RSR,
			&rec->rsr_at_program) == ERROR_OK;
}

/* Before a write: the reset flags, so that a reset during or after it shows. */
void stm32h743_record_program_start(struct flash_bank *bank)
{
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);

	if (!rec)
		return;
	stm32h743_record_reset_flags(bank);
	rec->resumes = 0;
	rec->halts = 0;
	rec->program_words = 0;
	rec->instant_words = 0;
}

/* FNV-1a, never 0 (0 marks a word not programmed). */
uint32_t stm32h743_word_hash(const uint8_t *word)
{
	uint32_t h = 2166136261u;

	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		h = (h ^ word[i]) * 16777619u;
	return h ? h : 1;
}

void stm32h743_record_program(struct flash_bank *bank, uint32_t addr, const uint8_t *data,
		uint32_t words, uint32_t instant_words)
{
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);
	unsigned int physical;

	if (!rec || stm32h743_physical_bank(bank, &physical) != ERROR_OK)
		return;
	uint32_t *hash = rec->word_hash[physical];

	if (!hash) {
		hash = calloc(STM32H743_WORDS_PER_BANK, sizeof(uint32_t));
		if (!hash)
			return;
		rec->word_hash[physical] = hash;
	}
	uint32_t first = (addr - bank->base) / STM32H743_FLASH_WORD;

	for (uint32_t i = 0; i < words && first + i < STM32H743_WORDS_PER_BANK; i++)
		hash[first + i] = stm32h743_word_hash(data + i * STM32H743_FLASH_WORD);
	rec->programmed = true;
	rec->swapped_at_program = physical != stm32h743_info(bank)->index;
	rec->programmed_ms = timeval_ms();
	rec->program_words += words;
	rec->instant_words += instant_words;
}

uint32_t stm32h743_recorded_hash(struct flash_bank *bank, struct stm32h743_record *rec,
		unsigned int physical, target_addr_t word_addr)
{
	uint32_t index = ((word_addr - bank->base) & 0xFFFFF) / STM32H743_FLASH_WORD;

	if (!rec || physical > 1 || !rec->word_hash[physical])
		return 0;
	return rec->word_hash[physical][index];
}
