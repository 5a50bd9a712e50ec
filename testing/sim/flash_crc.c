// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-bank flash CRC unit (RM0433 section 4.3.13). The algorithm is
 * ST's (AN5507 section 4, SW_crc32_Calcul) and matches the one published
 * vector (128 zero bytes -> 0x11E66C62): words loaded little
 * endian, MSB first, polynomial 0x04C11DB7, XOR 0x55555555 after every word.
 * It continues from CRCDATAR, which CLEAN_CRC or clearing CRC_EN reset to 0.
 */
#include "flash.h"
#include "log.h"

uint32_t flash_crc_compute(uint32_t crc, const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		crc ^= (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
			(uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
		for (int bit = 0; bit < 32; bit++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
		crc ^= 0x55555555u;
	}
	return crc;
}

static uint32_t all_bank_bit(const struct flash *f)
{
	/* ALL_BANK moved from bit 7 (rev Y) to bit 22 (rev V): cmsis-device-h7 #1 */
	return f->rev_id == 0x1003 ? CRCCR_ALL_BANK_REV_Y : CRCCR_ALL_BANK_REV_V;
}

static uint32_t burst_bytes(uint32_t crccr)
{
	static const uint32_t words[4] = { 4, 16, 64, 256 };

	return words[(crccr & CRCCR_BURST_MASK) >> CRCCR_BURST_SHIFT] * FLASH_WORD_BYTES;
}

/* Add [first, last] of the bank to the running CRC; returns the bytes read. */
static uint32_t crc_range(struct flash_bank_ctrl *b, uint32_t first, uint32_t last,
		uint32_t *crc)
{
	struct flash *f = b->flash;
	uint32_t base = b->index * FLASH_BANK_BYTES;
	uint8_t word[FLASH_WORD_BYTES];

	for (uint32_t off = first; off <= last; off += FLASH_WORD_BYTES) {
		bool hidden = flash_area_contains(f->cur.prar[b->index], off) ||
			((f->cur.optsr & OPTSR_SECURITY) &&
			 flash_area_contains(f->cur.scar[b->index], off));

		if (hidden) {
			b->crc_read_error = true;	/* CRCRDERR; the word is skipped */
			continue;
		}
		/* the CRC reader senses the array like any other read */
		flash_sense(f, base + off, word, sizeof(word));
		flash_crc_ecc_check(f, b->index, off);
		*crc = flash_crc_compute(*crc, word, sizeof(word));
	}
	return last - first + 1;
}

static void crc_done(void *ctx)
{
	struct flash_bank_ctrl *b = ctx;

	b->flash->crcdata = b->crc_result;
	b->crc_busy = false;
	b->flags |= SR_CRCEND | (b->crc_read_error ? SR_CRCRDERR : 0);
	b->crc_runs++;
}

static void crc_start(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;
	uint32_t burst = burst_bytes(b->crccr), bytes = 0, crc = f->crcdata;
	uint32_t bank_len = f->variant->sectors_per_bank * FLASH_SECTOR_BYTES;

	if (b->crc_busy)
		return;
	if (f->opt_busy || f->opt_waiting) {
		/*
		 * Deferred until the option change ends, not dropped
		 * (UNCONFIRMED: the public report of a CRC started
		 * during an option change that still completed after it).
		 */
		b->crc_deferred = true;
		return;
	}
	b->crc_deferred = false;
	b->crc_read_error = false;
	if (b->crccr & CRCCR_CRC_BY_SECT) {
		bool all = b->crccr & all_bank_bit(f);

		for (unsigned int s = 0; s < f->variant->sectors_per_bank; s++)
			if (all || (b->crc_sectors & (1u << s)))
				bytes += crc_range(b, s * FLASH_SECTOR_BYTES,
					(s + 1) * FLASH_SECTOR_BYTES - 1, &crc);
	} else {
		/* The reader fetches whole bursts: the range widens to burst bounds. */
		uint32_t first = b->crcsadd & ~(burst - 1);
		uint32_t last = (b->crceadd | (burst - 1));

		if (last >= bank_len)
			last = bank_len - 1;
		if (first <= last)
			bytes = crc_range(b, first, last, &crc);
	}
	b->crc_result = crc;
	b->crc_busy = true;
	vclock_schedule(f->clk, &b->crc_done, f->clk->now + flash_crc_time(bytes), crc_done, b);
}

void flash_crc_write_ccr(struct flash_bank_ctrl *b, uint32_t value)
{
	struct flash *f = b->flash;

	if (!(b->cr & CR_CRC_EN))
		return;		/* CRCCR is writable only with CRC_EN set */
	b->crccr = (value & (CRCCR_CRC_SECT_MASK | CRCCR_CRC_BY_SECT | CRCCR_BURST_MASK |
			all_bank_bit(f))) | CRCCR_RESERVED_ONES;
	if (value & CRCCR_CLEAN_SECT)
		b->crc_sectors = 0;
	if (value & CRCCR_ADD_SECT)
		b->crc_sectors |= 1u << (value & CRCCR_CRC_SECT_MASK);
	if (value & CRCCR_CLEAN_CRC)
		f->crcdata = 0;
	if (value & CRCCR_START_CRC)
		crc_start(b);
}

void flash_crc_disable(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;

	/* A running CRC is aborted: no CRCEND (UNCONFIRMED, RM0433 CRC_EN). */
	vclock_cancel(f->clk, &b->crc_done);
	b->crc_busy = false;
	b->crc_deferred = false;
	b->crccr = CRCCR_RESET;
	b->crc_sectors = 0;
	f->crcdata = 0;
}

void flash_crc_resume(struct flash *f)
{
	for (unsigned int i = 0; i < 2; i++)
		if (f->bank[i].crc_deferred)
			crc_start(&f->bank[i]);
}
