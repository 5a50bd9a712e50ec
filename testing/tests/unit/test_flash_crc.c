// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-bank flash CRC unit (testing/sim/flash_crc.c, AN5507):
 * the published vector, CRC by address range, by sector list and over the
 * whole bank (ALL_BANK at bit 22 on rev V, bit 7 on rev Y), CRCCR gated by
 * CRC_EN, CLEAN_CRC, CRCEND/CRCRDERR and their clearing.
 */
#include "unit_helpers.h"

#define BURST_4		(0u << CRCCR_BURST_SHIFT)
#define BURST_16	(1u << CRCCR_BURST_SHIFT)

/* Published measurement: 128 bytes of 0x00, BURST_4 (section 8.3). */
#define CRC_128_ZERO	0x11E66C62u
/* Model predictions of section 8.3. */
#define CRC_128_FF	0x9A93CD87u
#define CRC_SECTOR_FF	0x6D73FF23u

/*
 * Section 8.3 hypothesis, written out independently of the simulator:
 * little-endian words, MSB first, polynomial 0x04C11DB7, XOR 0x55555555
 * after each word.
 */
static uint32_t ref_crc(uint32_t crc, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		crc ^= (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			(uint32_t)p[i + 3] << 24;
		for (int bit = 0; bit < 32; bit++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
		crc ^= 0x55555555u;
	}
	return crc;
}

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static uint32_t optsr_cur_busy(struct flash_fx *fx)
{
	return fx_rd(fx, FLASH_OPTSR_CUR) & OPTSR_OPT_BUSY;
}

static void crc_enable(struct flash_fx *fx, unsigned int bank)
{
	fx_ensure_unlocked(fx, bank);
	fx_wr(fx, breg(bank, FLASH_CR), fx_rd(fx, breg(bank, FLASH_CR)) | CR_CRC_EN);
	fx_wr(fx, breg(bank, FLASH_CCR), SR_CRCEND | SR_CRCRDERR);
}

/* CRCCR |= START_CRC, as the HAL does, then wait for CRCEND. */
static uint32_t crc_run(struct flash_fx *fx, unsigned int bank)
{
	uint32_t crccr = fx_rd(fx, breg(bank, FLASH_CRCCR));

	fx_wr(fx, breg(bank, FLASH_CCR), SR_CRCEND | SR_CRCRDERR);
	fx_wr(fx, breg(bank, FLASH_CRCCR), crccr | CRCCR_START_CRC);
	assert_int_equal(sr(fx, bank) & (SR_CRC_BUSY | SR_CRCEND), SR_CRC_BUSY);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, bank) & (SR_CRC_BUSY | SR_CRCEND), SR_CRCEND);
	/* one result register, visible at both addresses */
	assert_int_equal(fx_rd(fx, 0x15C), fx_rd(fx, FLASH_CRCDATA));
	return fx_rd(fx, FLASH_CRCDATA);
}

static uint32_t crc_by_address(struct flash_fx *fx, unsigned int bank, uint32_t start,
		uint32_t end, uint32_t burst)
{
	crc_enable(fx, bank);
	fx_wr(fx, breg(bank, FLASH_CRCCR), CRCCR_CLEAN_CRC | burst);
	fx_wr(fx, breg(bank, FLASH_CRCSADD), start);	/* absolute, as the HAL writes it */
	fx_wr(fx, breg(bank, FLASH_CRCEADD), end);
	return crc_run(fx, bank);
}

static void test_reference_matches_published_vector(void **state)
{
	uint8_t zero[128] = { 0 }, ff[128];

	(void)state;
	memset(ff, 0xFF, sizeof(ff));
	assert_int_equal(ref_crc(0, zero, sizeof(zero)), CRC_128_ZERO);
	assert_int_equal(ref_crc(0, ff, sizeof(ff)), CRC_128_FF);
}

static void test_published_vector_by_address(void **state)
{
	struct flash_fx *fx = *state;

	for (uint32_t off = 0; off < 128; off += 32)
		fx_program_fill(fx, BANK1_ADDR + off, 0);
	assert_int_equal(crc_by_address(fx, 0, BANK1_ADDR, BANK1_ADDR + 0x7C, BURST_4),
		CRC_128_ZERO);
	assert_int_equal(sr(fx, 0) & SR_CRCRDERR, 0);
	assert_int_equal(sr(fx, 1) & (SR_CRCEND | SR_CRC_BUSY), 0);
}

static void test_erased_range(void **state)
{
	struct flash_fx *fx = *state;

	assert_int_equal(crc_by_address(fx, 0, BANK1_ADDR + 0x1000, BANK1_ADDR + 0x107C,
		BURST_4), CRC_128_FF);
}

static void test_bank2_unit(void **state)
{
	struct flash_fx *fx = *state;

	for (uint32_t off = 0; off < 128; off += 32)
		fx_program_fill(fx, BANK2_ADDR + 0x400 + off, 0);
	assert_int_equal(crc_by_address(fx, 1, BANK2_ADDR + 0x400, BANK2_ADDR + 0x47C, BURST_4),
		CRC_128_ZERO);
	assert_int_equal(fx_rd(fx, 0x15C), CRC_128_ZERO);
	assert_int_equal(sr(fx, 0) & (SR_CRCEND | SR_CRC_BUSY), 0);
}

static void test_range_is_read_in_whole_bursts(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t a, b;

	for (uint32_t off = 0; off < 512; off += 32)
		fx_program_fill(fx, BANK1_ADDR + off, 0x01000000u * (off / 32) + off);
	/* the code's choice (field observation): bounds widen to the burst */
	a = crc_by_address(fx, 0, BANK1_ADDR + 0x10, BANK1_ADDR + 0x60, BURST_4);
	assert_int_equal(a, ref_crc(0, fx_raw(fx, BANK1_ADDR), 128));
	b = crc_by_address(fx, 0, BANK1_ADDR, BANK1_ADDR + 0x7F, BURST_4);
	assert_int_equal(a, b);
	/* BURST_16 reads 512 bytes */
	assert_int_equal(crc_by_address(fx, 0, BANK1_ADDR, BANK1_ADDR + 0x1FC, BURST_16),
		ref_crc(0, fx_raw(fx, BANK1_ADDR), 512));
}

static void test_by_sector_list(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t expect;

	fx_program_fill(fx, BANK1_ADDR + 3 * FLASH_SECTOR_BYTES + 0x20, 0x5A5AA5A5);
	crc_enable(fx, 0);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | CRCCR_CLEAN_SECT | CRCCR_CRC_BY_SECT);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CRC_BY_SECT | 1 | CRCCR_ADD_SECT);
	assert_int_equal(crc_run(fx, 0), CRC_SECTOR_FF);

	/* sectors 1 and 3, with data in 3 */
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | CRCCR_CLEAN_SECT | CRCCR_CRC_BY_SECT);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CRC_BY_SECT | 1 | CRCCR_ADD_SECT);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CRC_BY_SECT | 3 | CRCCR_ADD_SECT);
	expect = ref_crc(0, fx_raw(fx, BANK1_ADDR + FLASH_SECTOR_BYTES), FLASH_SECTOR_BYTES);
	expect = ref_crc(expect, fx_raw(fx, BANK1_ADDR + 3 * FLASH_SECTOR_BYTES),
		FLASH_SECTOR_BYTES);
	assert_int_equal(crc_run(fx, 0), expect);

	/* CLEAN_SECT empties the list again */
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | CRCCR_CLEAN_SECT | CRCCR_CRC_BY_SECT);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CRC_BY_SECT | 1 | CRCCR_ADD_SECT);
	assert_int_equal(crc_run(fx, 0), CRC_SECTOR_FF);
}

static uint32_t whole_bank(struct flash_fx *fx, unsigned int bank, uint32_t all_bank_bit)
{
	crc_enable(fx, bank);
	fx_wr(fx, breg(bank, FLASH_CRCCR),
		CRCCR_CLEAN_CRC | CRCCR_CLEAN_SECT | CRCCR_CRC_BY_SECT | all_bank_bit);
	return crc_run(fx, bank);
}

static void test_all_bank_bit22_on_rev_v(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t expect;

	assert_int_equal(fx->f.rev_id, 0x2003);
	fx_program_fill(fx, BANK2_ADDR + 0x12340, 0x600DF00D);
	fx_program_fill(fx, BANK2_ADDR + 7 * FLASH_SECTOR_BYTES + 0x1FFE0, 0);
	expect = ref_crc(0, fx_raw(fx, BANK2_ADDR), FLASH_BANK_BYTES);
	assert_int_equal(whole_bank(fx, 1, 1u << 22), expect);
	/* bit 7 is not ALL_BANK on rev V: an empty sector list */
	assert_int_equal(whole_bank(fx, 1, 1u << 7), 0);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CRCCR)) & (1u << 7), 0);
}

static void test_all_bank_bit7_on_rev_y(void **state)
{
	struct flash_fx *fx = fx_new("H743xI", REV_ID_Y);
	uint32_t expect;

	(void)state;
	assert_int_equal(fx->f.rev_id, 0x1003);
	fx_program_fill(fx, BANK1_ADDR + 0x40000, 0x600DF00D);
	expect = ref_crc(0, fx_raw(fx, BANK1_ADDR), FLASH_BANK_BYTES);
	assert_int_equal(whole_bank(fx, 0, 1u << 7), expect);
	assert_int_equal(whole_bank(fx, 0, 1u << 22), 0);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR) & (1u << 22), 0);
	fx_free(fx);
}

/* The code's choice (CRC duration UNCONFIRMED): one flash word per 100 ns. */
static void test_crc_duration(void **state)
{
	struct flash_fx *fx = *state;

	crc_enable(fx, 0);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | BURST_16);
	fx_wr(fx, FLASH_CRCSADD, 0);
	fx_wr(fx, FLASH_CRCEADD, 0x1FC);
	fx_wr(fx, FLASH_CRCCR, BURST_16 | CRCCR_START_CRC);
	fx_run(fx, 16 * 100 * PS_PER_NS - 1);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), SR_CRC_BUSY);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), 0);	/* published at the end */
	fx_run(fx, 1);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), SR_CRCEND);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), ref_crc(0, fx_raw(fx, BANK1_ADDR), 512));
}

static void test_crccr_writable_only_with_crc_en(void **state)
{
	struct flash_fx *fx = *state;
	const uint32_t config = BURST_16 | CRCCR_CRC_BY_SECT | 5;

	fx_unlock(fx, 0);
	fx_wr(fx, FLASH_CRCCR, config);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR), CRCCR_RESET);
	fx_wr(fx, FLASH_CRCCR, config | CRCCR_START_CRC);
	assert_int_equal(sr(fx, 0), 0);		/* no CRC started */
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), 0);
	crc_enable(fx, 0);
	fx_wr(fx, FLASH_CRCCR, config);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR), config | CRCCR_RESERVED_ONES);
	/* command bits do not stay set (code's choice, UNCONFIRMED) */
	fx_wr(fx, FLASH_CRCCR, config | CRCCR_CLEAN_CRC | CRCCR_CLEAN_SECT | CRCCR_ADD_SECT);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR), config | CRCCR_RESERVED_ONES);
}

static void test_clean_crc_and_continuation(void **state)
{
	struct flash_fx *fx = *state;
	uint8_t ff[128];

	memset(ff, 0xFF, sizeof(ff));
	assert_int_equal(crc_by_address(fx, 0, BANK1_ADDR, BANK1_ADDR + 0x7C, BURST_4),
		CRC_128_FF);
	/* no CLEAN_CRC: the code continues from CRCDATAR (its comment says so) */
	assert_int_equal(crc_run(fx, 0), ref_crc(CRC_128_FF, ff, sizeof(ff)));
	/* CLEAN_CRC resets the result register at once */
	fx_wr(fx, FLASH_CRCCR, fx_rd(fx, FLASH_CRCCR) | CRCCR_CLEAN_CRC);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), 0);
	assert_int_equal(crc_run(fx, 0), CRC_128_FF);
}

static void test_clearing_crc_en_resets_unit(void **state)
{
	struct flash_fx *fx = *state;

	crc_by_address(fx, 0, BANK1_ADDR, BANK1_ADDR + 0x7C, BURST_16);
	assert_int_not_equal(fx_rd(fx, FLASH_CRCDATA), 0);
	assert_int_not_equal(fx_rd(fx, FLASH_CRCCR), 0);
	fx_wr(fx, FLASH_CR, fx_rd(fx, FLASH_CR) & ~CR_CRC_EN);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR), CRCCR_RESET);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), 0);
	assert_int_equal(fx_rd(fx, 0x15C), 0);
}

/*
 * The reset burst is 16 words: a HAL-style "CRCCR |= burst" of 64 words
 * gives 256-word bursts, and the range widens to them (UNCONFIRMED).
 */
static void test_reset_burst_and_hal_style_or(void **state)
{
	struct flash_fx *fx = *state;

	crc_enable(fx, 0);
	assert_int_equal(fx_rd(fx, FLASH_CRCCR) & CRCCR_BURST_MASK, BURST_16);
	fx_wr(fx, FLASH_CRCCR, fx_rd(fx, FLASH_CRCCR) | (2u << CRCCR_BURST_SHIFT));
	assert_int_equal(fx_rd(fx, FLASH_CRCCR) & CRCCR_BURST_MASK, 3u << CRCCR_BURST_SHIFT);
	fx_wr(fx, FLASH_CRCSADD, BANK1_ADDR);
	fx_wr(fx, FLASH_CRCEADD, BANK1_ADDR + 0x7C);
	/* 256 words of 32 bytes are read, not the 128 bytes asked for */
	assert_int_equal(crc_run(fx, 0), ref_crc(0, fx_raw(fx, BANK1_ADDR), 256 * 32));
}

/* Clearing CRC_EN while a CRC runs aborts it: no CRCEND, no result. */
static void test_clearing_crc_en_aborts_a_running_crc(void **state)
{
	struct flash_fx *fx = *state;

	crc_enable(fx, 0);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | CRCCR_CRC_BY_SECT | CRCCR_ADD_SECT | 3);
	fx_wr(fx, FLASH_CRCCR, fx_rd(fx, FLASH_CRCCR) | CRCCR_START_CRC);
	assert_int_equal(sr(fx, 0) & SR_CRC_BUSY, SR_CRC_BUSY);
	fx_run(fx, 1000 * PS_PER_NS);
	fx_wr(fx, FLASH_CR, fx_rd(fx, FLASH_CR) & ~CR_CRC_EN);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), 0);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), 0);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), 0);
}

static void test_crcend_and_crcrderr(void **state)
{
	struct flash_fx *fx = *state;

	/* PCROP area: 256-byte block 0x10 of bank 1 (0x1000-0x10FF) */
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_PRAR_PRG, 0x11u << 16 | 0x10u);
	fx_commit_options(fx);
	crc_by_address(fx, 0, BANK1_ADDR + 0xF80, BANK1_ADDR + 0x107C, BURST_4);
	assert_int_equal(sr(fx, 0) & (SR_CRCEND | SR_CRCRDERR), SR_CRCEND | SR_CRCRDERR);
	/* CCR clears them one by one */
	fx_wr(fx, FLASH_CCR, SR_CRCRDERR);
	assert_int_equal(sr(fx, 0) & (SR_CRCEND | SR_CRCRDERR), SR_CRCEND);
	fx_wr(fx, FLASH_CCR, SR_CRCEND);
	assert_int_equal(sr(fx, 0) & (SR_CRCEND | SR_CRCRDERR), 0);
	/* a range beside the area: CRCEND alone */
	crc_by_address(fx, 0, BANK1_ADDR + 0x2000, BANK1_ADDR + 0x207C, BURST_4);
	assert_int_equal(sr(fx, 0) & (SR_CRCEND | SR_CRCRDERR), SR_CRCEND);
}

/* A CRC started during an option change runs after it (UNCONFIRMED). */
static void test_crc_during_option_change_is_deferred(void **state)
{
	struct flash_fx *fx = *state;

	crc_enable(fx, 0);
	fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC | BURST_4);
	fx_wr(fx, FLASH_CRCEADD, 0x7C);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTSTART);
	fx_wr(fx, FLASH_CRCCR, fx_rd(fx, FLASH_CRCCR) | CRCCR_START_CRC);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), 0);
	fx_run(fx, 299 * PS_PER_MS);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), 0);
	fx_run_until_idle(fx);
	assert_int_equal(optsr_cur_busy(fx), 0);
	assert_int_equal(sr(fx, 0) & (SR_CRC_BUSY | SR_CRCEND), SR_CRCEND);
	assert_int_equal(fx_rd(fx, FLASH_CRCDATA), CRC_128_FF);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_matches_published_vector),
		T(test_published_vector_by_address),
		T(test_erased_range),
		T(test_bank2_unit),
		T(test_range_is_read_in_whole_bursts),
		T(test_by_sector_list),
		T(test_all_bank_bit22_on_rev_v),
		cmocka_unit_test(test_all_bank_bit7_on_rev_y),
		T(test_crc_duration),
		T(test_crccr_writable_only_with_crc_en),
		T(test_clean_crc_and_continuation),
		T(test_clearing_crc_en_resets_unit),
		T(test_crcend_and_crcrderr),
		T(test_crc_during_option_change_is_deferred),
		T(test_reset_burst_and_hal_style_or),
		T(test_clearing_crc_en_aborts_a_running_crc),
	};
#undef T

	return cmocka_run_group_tests_name("flash_crc", tests, NULL, NULL);
}
