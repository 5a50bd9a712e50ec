// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flash ECC (testing/sim/flash_array.c) and fault injection: DBECCERR with
 * a bus error, SNECCERR with corrected data, ECC_FA latching (first error
 * wins, bank-relative word index, reset by clearing the flags), the weak
 * supply fault, operations cut short by a reset, and a stuck bank.
 */
#include "unit_helpers.h"

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static uint32_t ecc_fa(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_ECC_FA));
}

/* Reprogram a word with other data: its ECC no longer matches (section 4.4). */
static void break_word(struct flash_fx *fx, uint32_t addr)
{
	fx_program_fill(fx, addr, 0xF0F0F0F0);
	fx_program_fill(fx, addr, 0x0F0F0F0F);
	fx_wr(fx, breg(fx_bank_of(addr), FLASH_CCR), SR_EOP);
}

/* A word that reads with a corrected single error, as a saved state brings back. */
static void single_error_word(struct flash_fx *fx, uint32_t addr)
{
	uint32_t off = (addr - FLASH_ARRAY_BASE) % FLASH_BANK_BYTES;

	fx->f.words[fx_bank_of(addr)][off / FLASH_WORD_BYTES] = WORD_ECC_SINGLE;
	flash_recount_bad_words(&fx->f);
}

static void test_double_error_is_bus_error(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	break_word(fx, BANK1_ADDR + 0x123 * 32);
	assert_int_equal(fx->f.bad_words, 1);
	assert_int_equal(sr(fx, 0), 0);		/* nothing is flagged until read */
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x123 * 32 + 8, 4, &v), BUS_ERROR);
	assert_int_equal(sr(fx, 0), SR_DBECCERR);
	assert_int_equal(ecc_fa(fx, 0), 0x123);
	/* byte reads and CPU reads fail the same way */
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x123 * 32 + 31, 1, &v, MASTER_CPU),
		BUS_ERROR);
	assert_int_equal(flash_cpu_read_check(&fx->f, BANK1_ADDR + 0x123 * 32, 4), BUS_ERROR);
	/* neighbours read fine */
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x122 * 32 + 28), 0xFFFFFFFF);
	assert_int_equal(flash_cpu_read_check(&fx->f, BANK1_ADDR + 0x124 * 32, 4), BUS_OK);
	assert_int_equal(flash_cpu_read_check(&fx->f, 0x24000000, 4), BUS_OK);
}

static void test_single_error_is_corrected(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, BANK2_ADDR + 0x40, 0x13579BDF);
	fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
	single_error_word(fx, BANK2_ADDR + 0x40);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x44), 0x13579BDF);
	assert_int_equal(sr(fx, 1), SR_SNECCERR);
	assert_int_equal(ecc_fa(fx, 1), 2);
	assert_int_equal(sr(fx, 0), 0);
}

static void test_first_error_wins(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	break_word(fx, BANK1_ADDR + 9 * 32);
	break_word(fx, BANK1_ADDR + 5 * 32);
	single_error_word(fx, BANK1_ADDR + 7 * 32);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 9 * 32, 4, &v), BUS_ERROR);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 5 * 32, 4, &v), BUS_ERROR);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 7 * 32, 4, &v), BUS_OK);
	assert_int_equal(sr(fx, 0), SR_DBECCERR | SR_SNECCERR);
	assert_int_equal(ecc_fa(fx, 0), 9);
}

static void test_single_then_double_keeps_first(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	single_error_word(fx, BANK1_ADDR + 0x40 * 32);
	break_word(fx, BANK1_ADDR + 0x80 * 32);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x40 * 32, 4, &v), BUS_OK);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x80 * 32, 4, &v), BUS_ERROR);
	assert_int_equal(ecc_fa(fx, 0), 0x40);
}

static void test_clearing_flags_resets_ecc_fa(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	break_word(fx, BANK1_ADDR + 3 * 32);
	single_error_word(fx, BANK1_ADDR + 4 * 32);
	fx_read(fx, BANK1_ADDR + 3 * 32, 4, &v);
	fx_read(fx, BANK1_ADDR + 4 * 32, 4, &v);
	assert_int_equal(ecc_fa(fx, 0), 3);
	/* one of two ECC flags cleared: the address stays */
	fx_wr(fx, FLASH_CCR, SR_SNECCERR);
	assert_int_equal(sr(fx, 0), SR_DBECCERR);
	assert_int_equal(ecc_fa(fx, 0), 3);
	/* the last one cleared: ECC_FA goes back to 0 */
	fx_wr(fx, FLASH_CCR, SR_DBECCERR);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(ecc_fa(fx, 0), 0);
	/* and the next error latches again */
	fx_read(fx, BANK1_ADDR + 4 * 32, 4, &v);
	assert_int_equal(ecc_fa(fx, 0), 4);
}

static void test_ecc_fa_is_relative_to_the_bank(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	break_word(fx, BANK2_ADDR + 0x20040);
	assert_int_equal(fx_read(fx, BANK2_ADDR + 0x20040, 4, &v), BUS_ERROR);
	assert_int_equal(ecc_fa(fx, 1), 0x1002);
	assert_int_equal(sr(fx, 1), SR_DBECCERR);
	assert_int_equal(ecc_fa(fx, 0), 0);
	assert_int_equal(sr(fx, 0), 0);
	/* the very last word of a bank: index 0x7FFF */
	break_word(fx, BANK1_ADDR + FLASH_BANK_BYTES - 32);
	assert_int_equal(fx_read(fx, BANK1_ADDR + FLASH_BANK_BYTES - 4, 4, &v), BUS_ERROR);
	assert_int_equal(ecc_fa(fx, 0), 0x7FFF);
}

static void test_reset_clears_ecc_flags_not_the_damage(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	break_word(fx, BANK1_ADDR);
	fx_read(fx, BANK1_ADDR, 4, &v);
	flash_reset(&fx->f);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(ecc_fa(fx, 0), 0);
	assert_int_equal(fx_read(fx, BANK1_ADDR, 4, &v), BUS_ERROR);
}

/* ---- weak supply -------------------------------------------------------- */

#define WEAK_WORDS 24

/* A mix of bit patterns, as real firmware has. */
static void weak_data(uint32_t w[8], unsigned int n)
{
	for (unsigned int i = 0; i < 8; i++)
		w[i] = (0x9E3779B9u * (n * 8 + i + 1)) ^ (n & 1 ? 0 : 0xFFFF0000u);
}

/*
 * Program WEAK_WORDS words with weak_supply = 1.0 and the given seed;
 * outcome[n] is 2 for a read error, 1 for wrong data, 0 for a good word.
 */
static void weak_run(uint64_t seed, bool zeros, uint8_t outcome[WEAK_WORDS], uint8_t *raw)
{
	struct flash_fx *fx = fx_new("H743xI", REV_ID_V);

	fx->f.faults.weak_supply = 1.0;
	fx->f.faults.rng = seed;
	for (unsigned int n = 0; n < WEAK_WORDS; n++) {
		uint32_t w[8], addr = BANK1_ADDR + 0x10000 + n * 32;
		bool wrong = false;

		if (zeros)
			memset(w, 0, sizeof(w));
		else
			weak_data(w, n);
		fx_program(fx, addr, w);
		/* silent: the program itself reports success */
		assert_int_equal(sr(fx, 0), SR_EOP);
		outcome[n] = 0;
		for (unsigned int i = 0; i < 8 && !outcome[n]; i++) {
			uint32_t v;

			if (fx_read(fx, addr + 4 * i, 4, &v) != BUS_OK)
				outcome[n] = 2;
			else
				wrong |= v != w[i];
		}
		if (!outcome[n] && wrong)
			outcome[n] = 1;
		fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);
	}
	memcpy(raw, fx_raw(fx, BANK1_ADDR + 0x10000), WEAK_WORDS * 32);
	fx_free(fx);
}

static void test_weak_supply_spoils_every_zero_word(void **state)
{
	uint8_t outcome[WEAK_WORDS], raw[WEAK_WORDS * 32];

	(void)state;
	weak_run(12345, true, outcome, raw);
	for (unsigned int n = 0; n < WEAK_WORDS; n++)
		if (!outcome[n])
			fail_msg("word %u came out right with weak_supply = 1.0", n);
}

static void test_weak_supply_spoils_every_word(void **state)
{
	uint8_t outcome[WEAK_WORDS], raw[WEAK_WORDS * 32];

	(void)state;
	weak_run(12345, false, outcome, raw);
	for (unsigned int n = 0; n < WEAK_WORDS; n++)
		if (!outcome[n])
			fail_msg("word %u came out right with weak_supply = 1.0", n);
}

static void test_weak_supply_is_deterministic(void **state)
{
	uint8_t a[WEAK_WORDS], b[WEAK_WORDS], raw_a[WEAK_WORDS * 32], raw_b[WEAK_WORDS * 32];
	unsigned int kinds[3] = { 0 };

	(void)state;
	weak_run(0xC0FFEE, true, a, raw_a);
	weak_run(0xC0FFEE, true, b, raw_b);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_equal(raw_a, raw_b, sizeof(raw_a));
	/* both kinds of damage occur over 24 words */
	for (unsigned int n = 0; n < WEAK_WORDS; n++)
		kinds[a[n]]++;
	assert_true(kinds[1] > 0);
	assert_true(kinds[2] > 0);
}

static void test_weak_supply_off_by_default(void **state)
{
	struct flash_fx *fx = *state;

	assert_true(fx->f.faults.weak_supply == 0);
	for (unsigned int n = 0; n < 16; n++)
		fx_program_fill(fx, BANK1_ADDR + n * 32, 0);
	for (unsigned int n = 0; n < 16; n++)
		assert_int_equal(fx_read32(fx, BANK1_ADDR + n * 32 + 12), 0);
	assert_int_equal(fx->f.bad_words, 0);
}

/* ---- operations cut short ----------------------------------------------- */

static void test_reset_during_program_breaks_the_word(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_store_word(fx, BANK1_ADDR + 0x2000, (const uint32_t[8]){ 0 });
	fx_run(fx, 50 * PS_PER_US);
	flash_reset(&fx->f);
	assert_int_equal(sr(fx, 0), 0);
	fx_run_until_idle(fx);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x2000, 4, &v), BUS_ERROR);
	assert_int_equal(sr(fx, 0), SR_DBECCERR);
	assert_int_equal(ecc_fa(fx, 0), 0x2000 / 32);
}

static void test_reset_during_erase_leaves_sector_unclean(void **state)
{
	struct flash_fx *fx = *state;
	const uint32_t sector = BANK2_ADDR + 4 * FLASH_SECTOR_BYTES;
	unsigned int bad = 0;

	for (uint32_t off = 0; off < FLASH_SECTOR_BYTES; off += 0x4000)
		fx_program_fill(fx, sector + off, 0);
	fx_wr(fx, breg(1, FLASH_CR), CR_SER | 4u << CR_SNB_SHIFT | 3u << CR_PSIZE_SHIFT);
	fx_wr(fx, breg(1, FLASH_CR), CR_SER | 4u << CR_SNB_SHIFT | 3u << CR_PSIZE_SHIFT |
		CR_START);
	fx_run(fx, 500 * PS_PER_MS);
	flash_reset(&fx->f);
	fx_run_until_idle(fx);
	for (uint32_t off = 0; off < FLASH_SECTOR_BYTES; off += 32) {
		uint32_t v;

		if (fx_read(fx, sector + off, 4, &v) != BUS_OK || v != 0xFFFFFFFF)
			bad++;
	}
	assert_true(bad > 0);
	/* a fresh erase repairs it */
	fx_ensure_unlocked(fx, 1);
	fx_wr(fx, breg(1, FLASH_CR), CR_SER | 4u << CR_SNB_SHIFT | CR_START);
	fx_run_until_idle(fx);
	for (uint32_t off = 0; off < FLASH_SECTOR_BYTES; off += 32)
		assert_int_equal(fx_read32(fx, sector + off), 0xFFFFFFFF);
}

static void test_stuck_bank_never_finishes(void **state)
{
	struct flash_fx *fx = *state;

	fx->f.faults.stuck_bank = 0;
	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_store_word(fx, BANK1_ADDR, (const uint32_t[8]){ 0 });
	fx_run(fx, 10 * PS_PER_S);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	/* the other bank works */
	fx_program_fill(fx, BANK2_ADDR, 0);
	assert_int_equal(sr(fx, 1), SR_EOP);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_double_error_is_bus_error),
		T(test_single_error_is_corrected),
		T(test_first_error_wins),
		T(test_single_then_double_keeps_first),
		T(test_clearing_flags_resets_ecc_fa),
		T(test_ecc_fa_is_relative_to_the_bank),
		T(test_reset_clears_ecc_flags_not_the_damage),
		cmocka_unit_test(test_weak_supply_spoils_every_zero_word),
		cmocka_unit_test(test_weak_supply_spoils_every_word),
		cmocka_unit_test(test_weak_supply_is_deterministic),
		T(test_weak_supply_off_by_default),
		T(test_reset_during_program_breaks_the_word),
		T(test_reset_during_erase_leaves_sector_unclean),
		T(test_stuck_bank_never_finishes),
	};
#undef T

	return cmocka_run_group_tests_name("flash_ecc", tests, NULL, NULL);
}
