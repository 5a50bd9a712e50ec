// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flash programming (times: DS12110 tables 43/140): the 256-bit write buffer,
 * NOR semantics, FW, PG, program time per PSIZE, the command queue, and the
 * programming error flags PGSERR, INCERR, STRBERR and WRPERR.
 */
#include "unit_helpers.h"

static const uint32_t pattern[8] = {
	0x03020100, 0x07060504, 0x0B0A0908, 0x0F0E0D0C,
	0x13121110, 0x17161514, 0x1B1A1918, 0x1F1E1D1C,
};

static void expect_word(struct flash_fx *fx, uint32_t addr, const uint32_t w[8])
{
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(fx_read32(fx, addr + 4 * i), w[i]);
}

static void expect_erased(struct flash_fx *fx, uint32_t addr, uint32_t len)
{
	const uint8_t *p = fx_raw(fx, addr);

	for (uint32_t i = 0; i < len; i++)
		if (p[i] != 0xFF)
			fail_msg("byte at 0x%08x is 0x%02x, expected erased", addr + i, p[i]);
}

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static void test_program_one_word(void **state)
{
	struct flash_fx *fx = *state;

	fx_program(fx, BANK1_ADDR + 0x40, pattern);
	expect_word(fx, BANK1_ADDR + 0x40, pattern);
	assert_int_equal(sr(fx, 0), SR_EOP);
	expect_erased(fx, BANK1_ADDR, 0x40);
	expect_erased(fx, BANK1_ADDR + 0x60, 0x20);
	assert_int_equal(fx->f.bank[0].words_programmed, 1);
}

static void test_full_word_starts_programming(void **state)
{
	struct flash_fx *fx = *state;

	fx_enable_pg(fx, 0, PSIZE_X64);
	for (unsigned int i = 0; i < 7; i++) {
		assert_int_equal(fx_write(fx, BANK1_ADDR + 4 * i, 4, pattern[i]), BUS_OK);
		assert_int_equal(sr(fx, 0), SR_WBNE);
	}
	fx_run(fx, PS_PER_MS);		/* an incomplete word waits forever */
	assert_int_equal(sr(fx, 0), SR_WBNE);
	expect_erased(fx, BANK1_ADDR, 32);
	assert_int_equal(fx_write(fx, BANK1_ADDR + 28, 4, pattern[7]), BUS_OK);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	expect_erased(fx, BANK1_ADDR, 32);	/* not yet in the array */
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
	expect_word(fx, BANK1_ADDR, pattern);
}

static void test_busy_window_per_psize(void **state)
{
	struct flash_fx *fx = *state;
	static const uint64_t typ_us[4] = { 290, 180, 130, 100 };	/* DS12110 t_prog */

	for (unsigned int psize = 0; psize < 4; psize++) {
		uint32_t addr = BANK1_ADDR + 0x1000 + psize * 32;
		uint64_t t = typ_us[psize] * PS_PER_US;

		fx_enable_pg(fx, 0, psize);
		fx_wr(fx, FLASH_CCR, SR_EOP);
		fx_store_word(fx, addr, pattern);
		assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
		fx_run(fx, t - 1);
		assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
		expect_erased(fx, addr, 32);
		fx_run(fx, 1);
		assert_int_equal(sr(fx, 0), SR_EOP);
		expect_word(fx, addr, pattern);
	}
}

static void test_byte_and_halfword_writes(void **state)
{
	struct flash_fx *fx = *state;
	const uint8_t *bytes = (const uint8_t *)pattern;

	fx_enable_pg(fx, 1, PSIZE_X8);	/* PSIZE does not limit the access width */
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(fx_write(fx, BANK2_ADDR + 0x200 + i, 1, bytes[i]), BUS_OK);
	for (unsigned int i = 16; i < 32; i += 2)
		assert_int_equal(fx_write(fx, BANK2_ADDR + 0x200 + i, 2,
			bytes[i] | bytes[i + 1] << 8), BUS_OK);
	assert_int_equal(sr(fx, 1), SR_QW | SR_BSY);
	fx_run_until_idle(fx);
	expect_word(fx, BANK2_ADDR + 0x200, pattern);
	assert_int_equal(sr(fx, 1), SR_EOP);
	assert_int_equal(sr(fx, 0), 0);		/* bank 1 saw nothing */
}

static void test_nor_bits_only_clear(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_program_fill(fx, BANK1_ADDR + 0x80, 0xF0F0F0F0);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x80), 0xF0F0F0F0);
	fx_program_fill(fx, BANK1_ADDR + 0x80, 0x3C3C3C3C);
	/* the cells hold the AND: no bit went back to 1 */
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x80), 4), 0x30303030);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x9C), 4), 0x30303030);
	/* and the ECC bits match neither: reads fail */
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x84, 4, &v), BUS_ERROR);
	assert_true(sr(fx, 0) & SR_DBECCERR);
	/* the neighbours are untouched */
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x60), 0xFFFFFFFF);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0xA0), 0xFFFFFFFF);
}

static void test_reprogram_same_data_is_harmless(void **state)
{
	struct flash_fx *fx = *state;

	fx_program(fx, BANK1_ADDR, pattern);
	fx_program(fx, BANK1_ADDR, pattern);
	expect_word(fx, BANK1_ADDR, pattern);
	assert_int_equal(sr(fx, 0) & (SR_DBECCERR | SR_SNECCERR), 0);
	assert_int_equal(fx->f.bad_words, 0);
}

static void test_force_write_pads_with_ff(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;
	const uint32_t expect[8] = {
		pattern[0], pattern[1], 0xFFFFFFFF, 0xFFFFFFFF,
		0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, pattern[7],
	};

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_write(fx, BANK1_ADDR + 0x300, 4, pattern[0]);
	fx_write(fx, BANK1_ADDR + 0x304, 4, pattern[1]);
	fx_write(fx, BANK1_ADDR + 0x31C, 4, pattern[7]);
	assert_int_equal(sr(fx, 0), SR_WBNE);
	fx_wr(fx, FLASH_CR, fx_rd(fx, FLASH_CR) | CR_FW);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	assert_int_equal(fx_rd(fx, FLASH_CR) & CR_FW, 0);	/* cleared once taken */
	fx_run(fx, 100 * PS_PER_US);
	assert_int_equal(sr(fx, 0), SR_EOP);
	expect_word(fx, BANK1_ADDR + 0x300, expect);
	/* programming the padded bytes later breaks the word's ECC */
	fx_program(fx, BANK1_ADDR + 0x300, pattern);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x308, 4, &v), BUS_ERROR);
}

static void test_force_write_with_empty_buffer_is_ignored(void **state)
{
	struct flash_fx *fx = *state;

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_wr(fx, FLASH_CR, CR_PG | CR_FW | PSIZE_X64 << CR_PSIZE_SHIFT);
	assert_int_equal(fx_rd(fx, FLASH_CR), CR_PG | PSIZE_X64 << CR_PSIZE_SHIFT);
	assert_int_equal(sr(fx, 0), 0);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(fx->f.bank[0].words_programmed, 0);
}

static void test_clearing_pg_discards_buffer(void **state)
{
	struct flash_fx *fx = *state;

	fx_enable_pg(fx, 0, PSIZE_X64);
	for (unsigned int i = 0; i < 4; i++)
		fx_write(fx, BANK1_ADDR + 0x400 + 4 * i, 4, 0);
	assert_int_equal(sr(fx, 0), SR_WBNE);
	fx_wr(fx, FLASH_CR, PSIZE_X64 << CR_PSIZE_SHIFT);
	assert_int_equal(sr(fx, 0), 0);
	/* a new word elsewhere is no INCERR: the old data are gone */
	fx_program(fx, BANK1_ADDR + 0x800, pattern);
	assert_int_equal(sr(fx, 0), SR_EOP);
	expect_erased(fx, BANK1_ADDR + 0x400, 32);
	/* and the discarded word is still erased: programming it is clean */
	fx_program(fx, BANK1_ADDR + 0x400, pattern);
	expect_word(fx, BANK1_ADDR + 0x400, pattern);
}

static void test_pgserr_write_with_pg_clear(void **state)
{
	struct flash_fx *fx = *state;

	/* unlocked, PG = 0 */
	fx_unlock(fx, 1);
	assert_int_equal(fx_write(fx, BANK2_ADDR + 0x20, 4, 0), BUS_OK);	/* no bus error */
	assert_int_equal(sr(fx, 1), SR_PGSERR);
	assert_int_equal(sr(fx, 0), 0);
	fx_run_until_idle(fx);
	expect_erased(fx, BANK2_ADDR, 64);
	/* locked bank: PG cannot be set, the write is refused the same way */
	assert_int_equal(fx_write(fx, BANK1_ADDR, 2, 0), BUS_OK);
	assert_int_equal(sr(fx, 0), SR_PGSERR);
	fx_wr(fx, breg(1, FLASH_CCR), SR_PGSERR);
	assert_int_equal(sr(fx, 1), 0);
}

static void test_incerr_other_word_before_buffer_full(void **state)
{
	struct flash_fx *fx = *state;

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_write(fx, BANK1_ADDR + 0x500, 4, 0x11111111);
	fx_write(fx, BANK1_ADDR + 0x504, 4, 0x22222222);
	/* next flash word (0x520) while 0x500 is incomplete */
	assert_int_equal(fx_write(fx, BANK1_ADDR + 0x520, 4, 0x33333333), BUS_OK);
	assert_int_equal(sr(fx, 0), SR_INCERR);	/* data lost: WBNE dropped */
	fx_run_until_idle(fx);
	expect_erased(fx, BANK1_ADDR + 0x500, 64);
	assert_int_equal(fx->f.bank[0].words_programmed, 0);
}

static void test_pgserr_write_while_incerr_set(void **state)
{
	struct flash_fx *fx = *state;

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_write(fx, BANK1_ADDR + 0x600, 4, 0);
	fx_write(fx, BANK1_ADDR + 0x640, 4, 0);
	assert_int_equal(sr(fx, 0), SR_INCERR);
	/* INCERR still set: every write is a sequence error and is dropped */
	fx_store_word(fx, BANK1_ADDR + 0x680, pattern);
	assert_int_equal(sr(fx, 0), SR_INCERR | SR_PGSERR);
	fx_run_until_idle(fx);
	expect_erased(fx, BANK1_ADDR + 0x680, 32);
	/* cleared: programming works again */
	fx_wr(fx, FLASH_CCR, SR_INCERR | SR_PGSERR);
	fx_program(fx, BANK1_ADDR + 0x680, pattern);
	expect_word(fx, BANK1_ADDR + 0x680, pattern);
	assert_int_equal(sr(fx, 0), SR_EOP);
}

static void test_strberr_same_byte_twice(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t expect[8];

	memcpy(expect, pattern, sizeof(expect));
	expect[1] = (pattern[1] & 0xFFFF00FF) | 0xA500;
	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_write(fx, BANK1_ADDR + 0x700, 4, pattern[0]);
	fx_write(fx, BANK1_ADDR + 0x704, 4, pattern[1]);
	assert_int_equal(sr(fx, 0), SR_WBNE);
	fx_write(fx, BANK1_ADDR + 0x705, 1, 0xA5);	/* byte 5 again */
	assert_int_equal(sr(fx, 0), SR_WBNE | SR_STRBERR);
	for (unsigned int i = 2; i < 8; i++)
		fx_write(fx, BANK1_ADDR + 0x700 + 4 * i, 4, pattern[i]);
	fx_run_until_idle(fx);
	/* the code's choice (UNCONFIRMED): the last write wins */
	expect_word(fx, BANK1_ADDR + 0x700, expect);
	assert_int_equal(sr(fx, 0), SR_STRBERR | SR_EOP);
}

static void test_queue_holds_several_words(void **state)
{
	struct flash_fx *fx = *state;
	uint64_t t0 = fx->clk.now;

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_store_word(fx, BANK1_ADDR + 0x900, pattern);
	fx_store_word(fx, BANK1_ADDR + 0x920, pattern);
	assert_int_equal(fx->f.bank[0].nqueued, 2);
	fx_run(fx, 100 * PS_PER_US);
	/* the first is done, the second running */
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY | SR_EOP);
	expect_word(fx, BANK1_ADDR + 0x900, pattern);
	expect_erased(fx, BANK1_ADDR + 0x920, 32);
	fx_run(fx, 100 * PS_PER_US - 1);
	assert_int_equal(sr(fx, 0) & SR_QW, SR_QW);
	fx_run(fx, 1);
	assert_int_equal(sr(fx, 0), SR_EOP);
	expect_word(fx, BANK1_ADDR + 0x920, pattern);
	assert_true(fx->clk.now - t0 == 200 * PS_PER_US);
}

static void test_wrperr_program_into_protected_sector(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_WPSN_PRG, 0xFD);		/* bank 1 sector 1 protected */
	fx_commit_options(fx);
	assert_int_equal(fx_rd(fx, FLASH_WPSN_CUR), 0xFD);
	fx_program(fx, BANK1_ADDR + FLASH_SECTOR_BYTES + 0x40, pattern);
	assert_int_equal(sr(fx, 0), SR_WRPERR);	/* refused: never queued, no EOP */
	expect_erased(fx, BANK1_ADDR + FLASH_SECTOR_BYTES, 0x80);
	/* the sectors around it and the other bank are writable */
	fx_wr(fx, FLASH_CCR, SR_WRPERR);
	fx_program(fx, BANK1_ADDR + 2 * FLASH_SECTOR_BYTES, pattern);
	expect_word(fx, BANK1_ADDR + 2 * FLASH_SECTOR_BYTES, pattern);
	fx_program(fx, BANK2_ADDR + FLASH_SECTOR_BYTES, pattern);
	expect_word(fx, BANK2_ADDR + FLASH_SECTOR_BYTES, pattern);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(sr(fx, 1), SR_EOP);
}

static void test_wrperr_program_into_pcrop_area(void **state)
{
	struct flash_fx *fx = *state;

	/* bank 2, 256-byte blocks 4..7 (0x400-0x7FF) are execute-only */
	fx_unlock_opt(fx);
	fx_wr(fx, 0x100 + FLASH_PRAR_PRG, 7u << 16 | 4u);
	fx_commit_options(fx);
	fx_program(fx, BANK2_ADDR + 0x7E0, pattern);
	assert_int_equal(sr(fx, 1), SR_WRPERR);
	expect_erased(fx, BANK2_ADDR + 0x7E0, 32);
	fx_wr(fx, breg(1, FLASH_CCR), SR_WRPERR);
	fx_program(fx, BANK2_ADDR + 0x400, pattern);
	assert_int_equal(sr(fx, 1), SR_WRPERR);
	/* the rest of the bank, outside the area's sector, takes data */
	fx_program(fx, BANK2_ADDR + FLASH_SECTOR_BYTES, pattern);
	expect_word(fx, BANK2_ADDR + FLASH_SECTOR_BYTES, pattern);
}

/*
 * PCROP areas have 256-byte granularity: a word outside the area is not
 * protected, even when the area lies in the same 128 KiB sector (only an
 * erase of that sector would touch the area).
 */
static void test_program_beside_pcrop_area_in_same_sector(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, 0x100 + FLASH_PRAR_PRG, 7u << 16 | 4u);
	fx_commit_options(fx);
	fx_program(fx, BANK2_ADDR + 0x800, pattern);
	assert_int_equal(sr(fx, 1), SR_EOP);
	expect_word(fx, BANK2_ADDR + 0x800, pattern);
	fx_program(fx, BANK2_ADDR + 0x3E0, pattern);
	assert_int_equal(sr(fx, 1), SR_EOP);
	expect_word(fx, BANK2_ADDR + 0x3E0, pattern);
}

/* Firmware already on the board: programmed words with consistent ECC. */
static void test_loaded_image_counts_as_programmed(void **state)
{
	struct flash_fx *fx = *state;
	uint8_t image[96];
	uint32_t v;

	memset(image, 0xFF, sizeof(image));
	memcpy(image, pattern, 32);		/* word 0 programmed, words 1-2 erased */
	assert_int_equal(flash_load_image(&fx->f, image, sizeof(image)), 0);
	expect_word(fx, BANK1_ADDR, pattern);
	/* an erased word of the image takes data cleanly... */
	fx_program(fx, BANK1_ADDR + 32, pattern);
	expect_word(fx, BANK1_ADDR + 32, pattern);
	/* ...a programmed one does not */
	fx_program_fill(fx, BANK1_ADDR, 0);
	assert_int_equal(fx_read(fx, BANK1_ADDR, 4, &v), BUS_ERROR);
	/* an image larger than the part is refused */
	struct flash_fx *small = fx_new("H750xB", REV_ID_V);
	uint8_t *big = calloc(1, 0x20001);

	assert_non_null(big);
	assert_int_equal(flash_load_image(&small->f, big, 0x20001), -1);
	assert_int_equal(flash_load_image(&small->f, big, 0x20000), 0);
	free(big);
	fx_free(small);
}

static void test_program_outside_the_part_is_bus_error(void **state)
{
	struct flash_fx *fx = fx_new("H743xG", REV_ID_V);	/* 2 x 512 KiB */

	(void)state;
	fx_enable_pg(fx, 0, PSIZE_X64);
	assert_int_equal(fx_write(fx, BANK1_ADDR + 0x7FFFC, 4, 0), BUS_OK);
	assert_int_equal(fx_write(fx, BANK1_ADDR + 0x80000, 4, 0), BUS_ERROR);
	fx_enable_pg(fx, 1, PSIZE_X64);
	assert_int_equal(fx_write(fx, BANK2_ADDR + 0x80000, 4, 0), BUS_ERROR);
	fx_free(fx);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_program_one_word),
		T(test_full_word_starts_programming),
		T(test_busy_window_per_psize),
		T(test_byte_and_halfword_writes),
		T(test_nor_bits_only_clear),
		T(test_reprogram_same_data_is_harmless),
		T(test_force_write_pads_with_ff),
		T(test_force_write_with_empty_buffer_is_ignored),
		T(test_clearing_pg_discards_buffer),
		T(test_pgserr_write_with_pg_clear),
		T(test_incerr_other_word_before_buffer_full),
		T(test_pgserr_write_while_incerr_set),
		T(test_strberr_same_byte_twice),
		T(test_queue_holds_several_words),
		T(test_wrperr_program_into_protected_sector),
		T(test_wrperr_program_into_pcrop_area),
		T(test_program_beside_pcrop_area_in_same_sector),
		T(test_loaded_image_counts_as_programmed),
		cmocka_unit_test(test_program_outside_the_part_is_bus_error),
	};
#undef T

	return cmocka_run_group_tests_name("flash_program", tests, NULL, NULL);
}
