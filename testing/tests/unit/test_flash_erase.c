// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flash erase (times: DS12110 tables 43/140): sector, bank and mass erase,
 * erase time per PSIZE, EOP, WRPERR and OPERR refusals, both banks busy at
 * once, and a program queued behind an erase.
 */
#include "unit_helpers.h"

#define SECTOR(bank, n) (FLASH_ARRAY_BASE + (bank) * FLASH_BANK_BYTES + (n) * FLASH_SECTOR_BYTES)

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static bool all_ff(struct flash_fx *fx, uint32_t addr, uint32_t len)
{
	const uint8_t *p = fx_raw(fx, addr);

	for (uint32_t i = 0; i < len; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/* Unlock and write CR with SER/BER, SNB and PSIZE, then START. */
static void start_erase(struct flash_fx *fx, unsigned int bank, uint32_t mode, unsigned int snb,
		unsigned int psize)
{
	uint32_t cr = mode | snb << CR_SNB_SHIFT | psize << CR_PSIZE_SHIFT;

	fx_ensure_unlocked(fx, bank);
	fx_wr(fx, breg(bank, FLASH_CR), cr);
	fx_wr(fx, breg(bank, FLASH_CR), cr | CR_START);
}

static void protect(struct flash_fx *fx, unsigned int bank, uint32_t wpsn)
{
	fx_unlock_opt(fx);
	fx_wr(fx, breg(bank, FLASH_WPSN_PRG), wpsn);
	fx_commit_options(fx);
	assert_int_equal(fx_rd(fx, breg(bank, FLASH_WPSN_CUR)), wpsn);
}

static void test_sector_erase_restores_ff_and_clean_ecc(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_program_fill(fx, SECTOR(0, 3), 0x12345678);
	fx_program_fill(fx, SECTOR(0, 3) + 0x1FFE0, 0x0);		/* last word */
	fx_program_fill(fx, SECTOR(0, 3) + 0x100, 0xF0F0F0F0);
	fx_program_fill(fx, SECTOR(0, 3) + 0x100, 0x0F0F0F0F);	/* ECC broken */
	assert_int_equal(fx_read(fx, SECTOR(0, 3) + 0x100, 4, &v), BUS_ERROR);
	fx_program_fill(fx, SECTOR(0, 2) + 0x1FFE0, 0x22222222);
	fx_program_fill(fx, SECTOR(0, 4), 0x44444444);
	fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);

	start_erase(fx, 0, CR_SER, 3, PSIZE_X64);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	assert_int_equal(fx_rd(fx, FLASH_CR) & CR_START, 0);	/* START auto-clears */
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_true(all_ff(fx, SECTOR(0, 3), FLASH_SECTOR_BYTES));
	assert_int_equal(fx_read32(fx, SECTOR(0, 3) + 0x100), 0xFFFFFFFF);	/* clean ECC */
	assert_int_equal(fx->f.bad_words, 0);
	assert_int_equal(fx_read32(fx, SECTOR(0, 2) + 0x1FFFC), 0x22222222);
	assert_int_equal(fx_read32(fx, SECTOR(0, 4)), 0x44444444);
	/* erased words can be programmed again without ECC trouble */
	fx_program_fill(fx, SECTOR(0, 3) + 0x100, 0x0F0F0F0F);
	assert_int_equal(fx_read32(fx, SECTOR(0, 3) + 0x11C), 0x0F0F0F0F);
	assert_int_equal(sr(fx, 0) & (SR_DBECCERR | SR_SNECCERR), 0);
}

static void test_sector_erase_time_per_psize(void **state)
{
	struct flash_fx *fx = *state;
	static const uint64_t typ_ms[4] = { 2000, 1800, 1100, 1000 };	/* t_ERASE128KB */

	for (unsigned int psize = 0; psize < 4; psize++) {
		uint64_t t = typ_ms[psize] * PS_PER_MS;

		fx_program_fill(fx, SECTOR(1, psize), 0);
		fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
		start_erase(fx, 1, CR_SER, psize, psize);
		assert_int_equal(sr(fx, 1), SR_QW | SR_BSY);
		fx_run(fx, t - 1);
		assert_int_equal(sr(fx, 1), SR_QW | SR_BSY);
		assert_false(all_ff(fx, SECTOR(1, psize), 32));
		fx_run(fx, 1);
		assert_int_equal(sr(fx, 1), SR_EOP);
		assert_true(all_ff(fx, SECTOR(1, psize), 32));
	}
}

static void test_bank_erase(void **state)
{
	struct flash_fx *fx = *state;

	for (unsigned int s = 0; s < 8; s++)
		fx_program_fill(fx, SECTOR(0, s) + 0x40 * s, s);
	fx_program_fill(fx, SECTOR(1, 0), 0xB2B2B2B2);
	start_erase(fx, 0, CR_BER, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY | SR_EOP);
	/* the code's choice (t_ME UNCONFIRMED): four sector erase times */
	fx_run(fx, 4000 * PS_PER_MS - 1);
	assert_int_equal(sr(fx, 0) & SR_QW, SR_QW);
	fx_run(fx, 1);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_true(all_ff(fx, SECTOR(0, 0), FLASH_BANK_BYTES));
	assert_int_equal(fx_read32(fx, SECTOR(1, 0)), 0xB2B2B2B2);
}

static void test_ber_has_priority_over_ser(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 0), 0);
	fx_program_fill(fx, SECTOR(0, 6), 0);
	start_erase(fx, 0, CR_SER | CR_BER, 6, PSIZE_X64);
	fx_run_until_idle(fx);
	assert_true(all_ff(fx, SECTOR(0, 0), 32));
	assert_true(all_ff(fx, SECTOR(0, 6), 32));
}

static void test_start_without_ser_or_ber_does_nothing(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 0), 0);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	start_erase(fx, 0, 0, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 0), 0);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(fx_read32(fx, SECTOR(0, 0)), 0);
}

static void test_wrperr_sector_erase_of_protected_sector(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 0), 0x5A5A5A5A);
	fx_program_fill(fx, SECTOR(0, 1), 0x5A5A5A5A);
	protect(fx, 0, 0xFE);			/* WPSN_CUR bit 0 clear: sector 0 */
	fx_wr(fx, FLASH_CCR, SR_EOP);
	start_erase(fx, 0, CR_SER, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 0), SR_WRPERR);	/* refused at once, nothing queued */
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_WRPERR);
	assert_int_equal(fx_read32(fx, SECTOR(0, 0)), 0x5A5A5A5A);
	fx_wr(fx, FLASH_CCR, SR_WRPERR);
	start_erase(fx, 0, CR_SER, 1, PSIZE_X64);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_true(all_ff(fx, SECTOR(0, 1), 32));
}

static void test_wrperr_bank_erase_with_any_protected_sector(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(1, 0), 0x5A5A5A5A);
	fx_program_fill(fx, SECTOR(1, 7), 0x5A5A5A5A);
	protect(fx, 1, 0x7F);			/* only sector 7 protected */
	fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
	start_erase(fx, 1, CR_BER, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 1), SR_WRPERR);
	fx_run_until_idle(fx);
	assert_int_equal(fx_read32(fx, SECTOR(1, 0)), 0x5A5A5A5A);
	assert_int_equal(fx_read32(fx, SECTOR(1, 7)), 0x5A5A5A5A);
	/* bank 1 has no protection: its bank erase goes through */
	start_erase(fx, 0, CR_BER, 0, PSIZE_X64);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
}

static void test_erase_of_sector_holding_pcrop_area_refused(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 2) + 0x100, 0x77777777);
	fx_unlock_opt(fx);
	/* 256-byte blocks 0x401..0x402 (START == END would mean the whole bank) */
	fx_wr(fx, FLASH_PRAR_PRG, 0x402u << 16 | 0x401u);
	fx_commit_options(fx);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	start_erase(fx, 0, CR_SER, 2, PSIZE_X64);
	assert_int_equal(sr(fx, 0), SR_WRPERR);
	fx_run_until_idle(fx);
	assert_int_equal(mem_load(fx_raw(fx, SECTOR(0, 2) + 0x100), 4), 0x77777777);
}

static void test_bank_erase_keeps_pcrop_area(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 2) + 0x100, 0x77777777);	/* block 0x401 */
	fx_program_fill(fx, SECTOR(0, 2) + 0x300, 0x66666666);	/* block 0x403 */
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_PRAR_PRG, 0x402u << 16 | 0x401u);
	fx_commit_options(fx);
	start_erase(fx, 0, CR_BER, 0, PSIZE_X64);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(mem_load(fx_raw(fx, SECTOR(0, 2) + 0x100), 4), 0x77777777);
	assert_true(all_ff(fx, SECTOR(0, 2) + 0x300, 32));
}

static void test_operr_sector_beyond_part(void **state)
{
	struct flash_fx *fx = fx_new("H743xG", REV_ID_V);	/* 4 sectors per bank */

	(void)state;
	fx_program_fill(fx, SECTOR(0, 3), 0);
	for (unsigned int snb = 4; snb < 8; snb++) {
		start_erase(fx, 0, CR_SER, snb, PSIZE_X64);
		assert_int_equal(sr(fx, 0) & (SR_OPERR | SR_QW), SR_OPERR);
		fx_wr(fx, FLASH_CCR, SR_OPERR);
	}
	start_erase(fx, 0, CR_SER, 3, PSIZE_X64);
	assert_int_equal(sr(fx, 0) & (SR_OPERR | SR_QW), SR_QW);
	fx_run_until_idle(fx);
	assert_true(all_ff(fx, SECTOR(0, 3), 32));
	fx_free(fx);
}

static void test_operr_bank2_of_single_bank_part(void **state)
{
	struct flash_fx *fx = fx_new("H750xB", REV_ID_V);

	(void)state;
	start_erase(fx, 1, CR_SER, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 1), SR_OPERR);
	start_erase(fx, 1, CR_BER, 0, PSIZE_X64);
	assert_int_equal(sr(fx, 1), SR_OPERR);
	start_erase(fx, 0, CR_SER, 1, PSIZE_X64);	/* H750: sector 0 only */
	assert_int_equal(sr(fx, 0), SR_OPERR);
	fx_free(fx);
}

static void test_both_banks_busy_independently(void **state)
{
	struct flash_fx *fx = *state;
	uint64_t t0;

	fx_program_fill(fx, SECTOR(0, 5), 0);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	t0 = fx->clk.now;
	start_erase(fx, 0, CR_SER, 5, PSIZE_X64);		/* 1 s */
	fx_enable_pg(fx, 1, PSIZE_X64);
	fx_store_word(fx, SECTOR(1, 5), (const uint32_t[8]){ 0 });	/* 100 us */
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	assert_int_equal(sr(fx, 1), SR_QW | SR_BSY);
	fx_run(fx, 100 * PS_PER_US);
	assert_int_equal(sr(fx, 1), SR_EOP);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	/* bank 2 keeps working while bank 1 erases */
	fx_store_word(fx, SECTOR(1, 5) + 32, (const uint32_t[8]){ 0 });
	fx_run(fx, 100 * PS_PER_US);
	assert_int_equal(fx->f.bank[1].words_programmed, 2);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	fx_run(fx, t0 + PS_PER_S - fx->clk.now);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_true(all_ff(fx, SECTOR(0, 5), 32));
}

static void test_program_queued_behind_erase(void **state)
{
	struct flash_fx *fx = *state;
	static const uint32_t w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t t0;

	fx_program_fill(fx, SECTOR(0, 1) + 0x40, 0);
	t0 = fx->clk.now;
	start_erase(fx, 0, CR_SER, 1, PSIZE_X64);
	/* PG may be set while the erase runs; the word waits in the queue */
	fx_wr(fx, FLASH_CR, CR_PG | PSIZE_X64 << CR_PSIZE_SHIFT);
	fx_store_word(fx, SECTOR(0, 1) + 0x40, w);
	assert_int_equal(fx->f.bank[0].nqueued, 2);
	fx_run(fx, PS_PER_S);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY | SR_EOP);
	fx_run(fx, 100 * PS_PER_US);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_true(fx->clk.now - t0 == PS_PER_S + 100 * PS_PER_US);
	/* the erase ran first, then the word: new data, clean ECC */
	assert_int_equal(fx_read32(fx, SECTOR(0, 1) + 0x40), 1);
	assert_int_equal(fx_read32(fx, SECTOR(0, 1) + 0x5C), 8);
}

static void test_mass_erase(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, SECTOR(0, 0), 0);
	fx_program_fill(fx, SECTOR(0, 7) + 0x1FFE0, 0);
	fx_program_fill(fx, SECTOR(1, 3), 0);
	fx_ensure_unlocked(fx, 0);
	fx_ensure_unlocked(fx, 1);
	fx_wr(fx, breg(0, FLASH_CR), PSIZE_X64 << CR_PSIZE_SHIFT);
	fx_wr(fx, breg(1, FLASH_CR), PSIZE_X32 << CR_PSIZE_SHIFT);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
	/* MER needs OPTLOCK clear */
	fx_wr(fx, FLASH_OPTCR, OPTCR_MER);
	assert_int_equal(sr(fx, 0), 0);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTCR, OPTCR_MER);
	assert_int_equal(sr(fx, 0), SR_QW | SR_BSY);
	assert_int_equal(sr(fx, 1), SR_QW | SR_BSY);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(sr(fx, 1), SR_EOP);
	assert_true(all_ff(fx, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_sector_erase_restores_ff_and_clean_ecc),
		T(test_sector_erase_time_per_psize),
		T(test_bank_erase),
		T(test_ber_has_priority_over_ser),
		T(test_start_without_ser_or_ber_does_nothing),
		T(test_wrperr_sector_erase_of_protected_sector),
		T(test_wrperr_bank_erase_with_any_protected_sector),
		T(test_erase_of_sector_holding_pcrop_area_refused),
		T(test_bank_erase_keeps_pcrop_area),
		cmocka_unit_test(test_operr_sector_beyond_part),
		cmocka_unit_test(test_operr_bank2_of_single_bank_part),
		T(test_both_banks_busy_independently),
		T(test_program_queued_behind_erase),
		T(test_mass_erase),
	};
#undef T

	return cmocka_run_group_tests_name("flash_erase", tests, NULL, NULL);
}
