// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Causes of a failed verify that live in the flash model: reads with too
 * few wait states (FLASH_ACR.LATENCY below what the chip computed), the
 * reads-zero, instant-done and vos-unready faults. Each must leave the
 * array (what the physical-bank export shows) telling the true story.
 */
#include "unit_helpers.h"

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static unsigned int popcount(uint32_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* ---- wait states ---------------------------------------------------------- */

/* The chip computed one wait state for its clock; LATENCY 0 is too few. */
static void short_latency(struct flash_fx *fx)
{
	fx->f.latency_needed = 1;
	fx_wr(fx, FLASH_ACR, 0x30);
	assert_true(flash_latency_short(&fx->f));
}

static void test_reset_latency_never_short(void **state)
{
	struct flash_fx *fx = *state;

	assert_int_equal(fx_rd(fx, FLASH_ACR), 0x37);
	fx->f.latency_needed = 7;
	assert_false(flash_latency_short(&fx->f));
	assert_false(flash_reads_altered(&fx->f, 0));
	fx_wr(fx, FLASH_ACR, 0x36);
	assert_true(flash_latency_short(&fx->f));
	assert_true(flash_reads_altered(&fx->f, 0));
	assert_true(flash_reads_altered(&fx->f, 1));
}

static void test_short_latency_garbles_every_read(void **state)
{
	struct flash_fx *fx = *state;
	const uint32_t stored = 0x5AA5F00F;
	uint32_t set_wrong = 0, cleared_wrong = 0, prev = stored;

	fx_program_fill(fx, BANK1_ADDR + 0x100, stored);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x100), stored);
	short_latency(fx);
	for (int i = 0; i < 32; i++) {
		uint32_t v = fx_read32(fx, BANK1_ADDR + 0x100);

		assert_int_not_equal(v, stored);
		assert_int_not_equal(v, prev);		/* differs from one read to the next */
		set_wrong |= v & ~stored;
		cleared_wrong |= ~v & stored;
		prev = v;
	}
	assert_true(set_wrong && cleared_wrong);	/* bits wrong both ways */
	/* the CPU's reads go the same way, sub-word ones too */
	for (int i = 0; i < 8; i++) {
		uint32_t v;

		assert_int_equal(fx_read_as(fx, BANK2_ADDR + 3, 1, &v, MASTER_CPU), BUS_OK);
		assert_int_not_equal(v, 0xFF);
		assert_true(v <= 0xFF);
	}
	/* the array itself is fine: enough wait states and it reads right again */
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x100), 4), stored);
	fx_wr(fx, FLASH_ACR, 0x31);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x100), stored);
	assert_true(fx->f.garbled_reads >= 40);
}

/* The CRC unit reads through the same sense path. */
static void test_short_latency_spoils_the_crc_unit(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t good, bad;

	fx_program_fill(fx, BANK1_ADDR, 0x12345678);
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			short_latency(fx);
		fx_ensure_unlocked(fx, 0);
		fx_wr(fx, FLASH_CR, CR_CRC_EN | PSIZE_X64 << CR_PSIZE_SHIFT);
		fx_wr(fx, FLASH_CRCSADD, 0);
		fx_wr(fx, FLASH_CRCEADD, 0x7F);
		fx_wr(fx, FLASH_CRCCR, CRCCR_CLEAN_CRC);
		fx_wr(fx, FLASH_CRCCR, CRCCR_START_CRC);
		fx_run_until_idle(fx);
		if (pass)
			bad = fx_rd(fx, FLASH_CRCDATA);
		else
			good = fx_rd(fx, FLASH_CRCDATA);
		fx_wr(fx, FLASH_CR, PSIZE_X64 << CR_PSIZE_SHIFT);
	}
	assert_int_not_equal(good, bad);
}

/* ---- reads-zero ------------------------------------------------------------ */

static void test_reads_zero_one_bank(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_program_fill(fx, BANK1_ADDR, 0xCAFEF00D);
	fx_program_fill(fx, BANK2_ADDR, 0xCAFEF00D);
	fx->f.faults.reads_zero = 1u << 1;		/* the bank at 0x08100000 */
	assert_false(flash_reads_altered(&fx->f, 0));
	assert_true(flash_reads_altered(&fx->f, 1));
	assert_int_equal(fx_read32(fx, BANK1_ADDR), 0xCAFEF00D);
	assert_int_equal(fx_read32(fx, BANK2_ADDR), 0);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40), 0);	/* erased reads 0 too */
	assert_int_equal(fx_read_as(fx, BANK2_ADDR + 2, 2, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(sr(fx, 1) & SR_FLAGS_MASK, SR_EOP);	/* no error flag either */
}

/* Erase and program still change the array behind the zeros. */
static void test_reads_zero_array_still_changes(void **state)
{
	struct flash_fx *fx = *state;

	fx->f.faults.reads_zero = 3;
	fx_program_fill(fx, BANK1_ADDR + 0x20000, 0x11223344);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x20000), 0);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x20000), 4), 0x11223344);
	fx_wr(fx, FLASH_CR, CR_SER | PSIZE_X64 << CR_PSIZE_SHIFT | 1u << CR_SNB_SHIFT);
	fx_wr(fx, FLASH_CR, CR_SER | PSIZE_X64 << CR_PSIZE_SHIFT | 1u << CR_SNB_SHIFT | CR_START);
	fx_run_until_idle(fx);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x20000), 4), 0xFFFFFFFF);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x20000), 0);
}

/* ECC errors stay hidden (nothing is sensed); absent flash is still a bus error. */
static void test_reads_zero_hides_ecc_and_keeps_absent(void **state)
{
	struct flash_fx *fx = fx_new("H750xB", REV_ID_V);
	uint32_t v;

	(void)state;
	fx_program_fill(fx, BANK1_ADDR, 0xF0F0F0F0);
	fx_program_fill(fx, BANK1_ADDR, 0x0F0F0F0F);	/* reprogrammed: ECC double */
	assert_int_equal(fx_read(fx, BANK1_ADDR, 4, &v), BUS_ERROR);
	fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);
	fx->f.faults.reads_zero = 3;
	assert_int_equal(fx_read(fx, BANK1_ADDR, 4, &v), BUS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(flash_cpu_read_check(&fx->f, BANK1_ADDR, 4), BUS_OK);
	assert_int_equal(sr(fx, 0) & SR_DBECCERR, 0);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x20000, 4, &v), BUS_ERROR);
	fx_free(fx);
}

/* ---- instant-done ------------------------------------------------------------ */

static void test_instant_done_program(void **state)
{
	struct flash_fx *fx = *state;
	uint64_t t0 = fx->clk.now;

	fx->f.faults.instant_done = 1u << 0;
	fx_enable_pg(fx, 0, PSIZE_X64);
	fx_store_word(fx, BANK1_ADDR + 0x400, (const uint32_t[8]){ 0 });
	/* done at once: no QW, no BSY, EOP, and no time passed */
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(vclock_next_event(&fx->clk), UINT64_MAX);
	assert_int_equal(fx->clk.now, t0);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x400), 0xFFFFFFFF);
	assert_int_equal(fx->f.bank[0].words_programmed, 0);
	assert_int_equal(fx->f.hollow_ops, 1);
	/* the other register set works */
	fx_program_fill(fx, BANK2_ADDR + 0x400, 0);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x400), 0);
}

static void test_instant_done_erase(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, BANK2_ADDR + 0x40000, 0x0BADF00D);
	fx->f.faults.instant_done = 3;
	fx_ensure_unlocked(fx, 1);
	fx_wr(fx, breg(1, FLASH_CR), CR_SER | PSIZE_X64 << CR_PSIZE_SHIFT | 2u << CR_SNB_SHIFT |
		CR_START);
	assert_int_equal(sr(fx, 1), SR_EOP);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40000), 0x0BADF00D);
	fx_wr(fx, breg(1, FLASH_CR), CR_BER | PSIZE_X64 << CR_PSIZE_SHIFT | CR_START);
	assert_int_equal(sr(fx, 1), SR_EOP);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40000), 0x0BADF00D);
	assert_int_equal(fx->f.bank[1].sectors_erased + fx->f.bank[1].bank_erases, 0);
}

/* ---- vos-unready -------------------------------------------------------------- */

#define VOS_WORDS 32

static void vos_data(uint32_t w[8], unsigned int n)
{
	for (unsigned int i = 0; i < 8; i++)
		w[i] = 0x9E3779B9u * (n * 8 + i + 1);
}

/* Program VOS_WORDS words; raw gets what the array holds afterwards. */
static void vos_run(uint64_t seed, double fraction, uint8_t *raw)
{
	struct flash_fx *fx = fx_new("H743xI", REV_ID_V);

	fx->f.faults.vos_unready = true;
	fx->f.faults.vos_unready_words = fraction;
	fx->f.faults.rng = seed;
	for (unsigned int n = 0; n < VOS_WORDS; n++) {
		uint32_t w[8];

		vos_data(w, n);
		fx_program(fx, BANK1_ADDR + 0x8000 + n * 32, w);
		assert_int_equal(sr(fx, 0), SR_EOP);	/* silent */
	}
	assert_int_equal(fx->f.bad_words, 0);		/* no ECC state: reads raise nothing */
	for (unsigned int n = 0; n < VOS_WORDS; n++)
		for (unsigned int i = 0; i < 8; i++)
			fx_read32(fx, BANK1_ADDR + 0x8000 + n * 32 + 4 * i);
	assert_int_equal(sr(fx, 0), SR_EOP);
	memcpy(raw, fx_raw(fx, BANK1_ADDR + 0x8000), VOS_WORDS * 32);
	fx_free(fx);
}

static void test_vos_unready_flips_one_to_three_bits(void **state)
{
	uint8_t raw[VOS_WORDS * 32];
	unsigned int counts[4] = { 0 };

	(void)state;
	vos_run(4242, 1.0, raw);
	for (unsigned int n = 0; n < VOS_WORDS; n++) {
		uint32_t w[8];
		unsigned int wrong = 0, down = 0, up = 0;

		vos_data(w, n);
		for (unsigned int i = 0; i < 8; i++) {
			uint32_t got = mem_load(raw + n * 32 + 4 * i, 4);

			wrong += popcount(got ^ w[i]);
			down += popcount(w[i] & ~got);
			up += popcount(~w[i] & got);
		}
		if (wrong < 1 || wrong > 3)
			fail_msg("word %u has %u wrong bits", n, wrong);
		assert_true(down >= 1);			/* at least one 1 -> 0 */
		if (wrong >= 2)
			assert_true(up >= 1);		/* and one 0 -> 1 */
		counts[wrong]++;
	}
	/* every count of wrong bits occurs over 32 words */
	assert_true(counts[1] && counts[2] && counts[3]);
}

static void test_vos_unready_fraction_and_seed(void **state)
{
	uint8_t a[VOS_WORDS * 32], b[VOS_WORDS * 32], none[VOS_WORDS * 32];
	unsigned int bad = 0;

	(void)state;
	vos_run(77, 0.5, a);
	vos_run(77, 0.5, b);
	assert_memory_equal(a, b, sizeof(a));		/* same seed, same damage */
	for (unsigned int n = 0; n < VOS_WORDS; n++) {
		uint32_t w[8];

		vos_data(w, n);
		bad += memcmp(a + n * 32, w, 32) != 0;
	}
	assert_true(bad > 4 && bad < VOS_WORDS - 4);
	vos_run(77, 0.0, none);
	for (unsigned int n = 0; n < VOS_WORDS; n++) {
		uint32_t w[8];

		vos_data(w, n);
		assert_memory_equal(none + n * 32, w, 32);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_reset_latency_never_short),
		T(test_short_latency_garbles_every_read),
		T(test_short_latency_spoils_the_crc_unit),
		T(test_reads_zero_one_bank),
		T(test_reads_zero_array_still_changes),
		cmocka_unit_test(test_reads_zero_hides_ecc_and_keeps_absent),
		T(test_instant_done_program),
		T(test_instant_done_erase),
		cmocka_unit_test(test_vos_unready_flips_one_to_three_bits),
		cmocka_unit_test(test_vos_unready_fraction_and_seed),
	};
#undef T

	return cmocka_run_group_tests_name("flash_faults", tests, NULL, NULL);
}
