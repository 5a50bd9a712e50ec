// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flash controller register file (testing/sim/flash_regs.h, keylock.h):
 * reset values of both banks and of the shared-register aliases, bit classes
 * (read-only SR, write-1-to-clear CCR, CR locked, *_PRG gated by OPTLOCK,
 * reserved offsets, word-only access) and the key-lock rules of KEYRx and
 * OPTKEYR.
 */
#include "unit_helpers.h"

struct reg_reset {
	uint32_t off;
	uint32_t value;
};

/* Reset values with factory option bytes (flash_factory_options). */
static const struct reg_reset reset_values[] = {
	{ 0x000, 0x00000037 },	/* ACR */
	{ 0x004, 0x00000000 },	/* KEYR1 */
	{ 0x008, 0x00000000 },	/* OPTKEYR */
	{ 0x00C, 0x00000031 },	/* CR1: LOCK, PSIZE x64 */
	{ 0x010, 0x00000000 },	/* SR1 */
	{ 0x014, 0x00000000 },	/* CCR1 */
	{ 0x018, 0x00000001 },	/* OPTCR: OPTLOCK */
	{ 0x01C, 0x0006AAD0 },	/* OPTSR_CUR */
	{ 0x020, 0x0006AAD0 },	/* OPTSR_PRG */
	{ 0x024, 0x00000000 },	/* OPTCCR */
	{ 0x028, 0x000000FF },	/* PRAR_CUR1: no PCROP area */
	{ 0x02C, 0x000000FF },	/* PRAR_PRG1 */
	{ 0x030, 0x000000FF },	/* SCAR_CUR1 */
	{ 0x034, 0x000000FF },	/* SCAR_PRG1 */
	{ 0x038, 0x000000FF },	/* WPSN_CUR1R */
	{ 0x03C, 0x000000FF },	/* WPSN_PRG1R */
	{ 0x040, 0x1FF00800 },	/* BOOT_CURR */
	{ 0x044, 0x1FF00800 },	/* BOOT_PRGR */
	{ 0x050, 0x001C0000 },	/* CRCCR1 (UNCONFIRMED) */
	{ 0x054, 0x00000000 },	/* CRCSADD1R */
	{ 0x058, 0x00000000 },	/* CRCEADD1R */
	{ 0x05C, 0x00000000 },	/* CRCDATAR */
	{ 0x060, 0x00000000 },	/* ECC_FA1R */
	{ 0x100, 0x00000037 },	/* ACR alias */
	{ 0x104, 0x00000000 },	/* KEYR2 */
	{ 0x108, 0x00000000 },	/* OPTKEYR alias */
	{ 0x10C, 0x00000031 },	/* CR2 */
	{ 0x110, 0x00000000 },	/* SR2 */
	{ 0x114, 0x00000000 },	/* CCR2 */
	{ 0x118, 0x00000001 },	/* OPTCR alias */
	{ 0x11C, 0x0006AAD0 },	/* OPTSR_CUR alias */
	{ 0x120, 0x0006AAD0 },	/* OPTSR_PRG alias */
	{ 0x124, 0x00000000 },	/* OPTCCR alias */
	{ 0x128, 0x000000FF },	/* PRAR_CUR2 */
	{ 0x12C, 0x000000FF },	/* PRAR_PRG2 */
	{ 0x130, 0x000000FF },	/* SCAR_CUR2 */
	{ 0x134, 0x000000FF },	/* SCAR_PRG2 */
	{ 0x138, 0x000000FF },	/* WPSN_CUR2R */
	{ 0x13C, 0x000000FF },	/* WPSN_PRG2R */
	{ 0x140, 0x1FF00800 },	/* BOOT_CURR alias */
	{ 0x144, 0x1FF00800 },	/* BOOT_PRGR alias */
	{ 0x150, 0x001C0000 },	/* CRCCR2 (UNCONFIRMED) */
	{ 0x154, 0x00000000 },	/* CRCSADD2R */
	{ 0x158, 0x00000000 },	/* CRCEADD2R */
	{ 0x15C, 0x00000000 },	/* CRCDATAR alias */
	{ 0x160, 0x00000000 },	/* ECC_FA2R */
};

static const uint32_t reserved_offsets[] = {
	0x048, 0x04C, 0x064, 0x080, 0x0FC, 0x148, 0x14C, 0x164, 0x1FC, 0x200, 0x2F0, 0x3FC,
	0x400, 0x800, 0xFFC,	/* the rest of the 4 KiB window (UNCONFIRMED) */
};

static void check_reset_values(struct flash_fx *fx)
{
	for (unsigned int i = 0; i < ARRAY_LEN(reset_values); i++) {
		uint32_t v = fx_rd(fx, reset_values[i].off);

		if (v != reset_values[i].value)
			fail_msg("offset 0x%03x reads 0x%08x, expected 0x%08x",
				reset_values[i].off, v, reset_values[i].value);
	}
}

/* Provoke PGSERR on a bank: an array write with PG = 0. */
static void make_pgserr(struct flash_fx *fx, unsigned int bank)
{
	assert_int_equal(fx_write(fx, BANK1_ADDR + bank * FLASH_BANK_BYTES, 4, 0), BUS_OK);
	assert_true(fx_rd(fx, breg(bank, FLASH_SR)) & SR_PGSERR);
}

static void test_reset_values(void **state)
{
	check_reset_values(*state);
}

static void test_flash_reset_restores_reset_values(void **state)
{
	struct flash_fx *fx = *state;

	make_pgserr(fx, 0);
	fx_unlock(fx, 0);
	fx_unlock(fx, 1);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_ACR, 0x12);
	fx_wr(fx, breg(0, FLASH_CR), 0x1FEF8722);
	fx_wr(fx, breg(1, FLASH_CR), CR_PG | CR_CRC_EN);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTCHANGEERRIE);
	fx_wr(fx, FLASH_OPTSR_PRG, 0x0006BBD0);
	fx_wr(fx, breg(1, FLASH_WPSN_PRG), 0x0F);
	fx_wr(fx, breg(1, FLASH_CRCSADD), 0x100);
	assert_int_equal(fx_write(fx, BANK1_ADDR, 4, 0), BUS_OK);	/* WBNE */
	flash_reset(&fx->f);
	check_reset_values(fx);
}

static void test_reserved_offsets_read_zero_ignore_writes(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 0);
	fx_unlock(fx, 1);
	fx_unlock_opt(fx);
	for (unsigned int i = 0; i < ARRAY_LEN(reserved_offsets); i++) {
		fx_wr(fx, reserved_offsets[i], 0xFFFFFFFF);
		assert_int_equal(fx_rd(fx, reserved_offsets[i]), 0);
	}
	/* nothing else moved (apart from the locks opened above) */
	assert_int_equal(fx_rd(fx, FLASH_ACR), 0x37);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CR)), 0x30);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)), 0x30);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_PRG), 0x0006AAD0);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), 0);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), 0);
}

static void test_non_word_access_is_bus_error(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_unlock(fx, 0);
	for (unsigned int size = 1; size <= 2; size++) {
		assert_int_equal(flash_regs_ops.read(&fx->f, FLASH_CR, size, &v, MASTER_AP0),
			BUS_ERROR);
		assert_int_equal(flash_regs_ops.write(&fx->f, FLASH_CR, size, CR_PG, MASTER_CPU),
			BUS_ERROR);
	}
	assert_int_equal(flash_regs_ops.read(&fx->f, FLASH_CR + 2, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_equal(flash_regs_ops.write(&fx->f, FLASH_CR + 1, 4, CR_PG, MASTER_AP0),
		BUS_ERROR);
	/* the refused writes did nothing */
	assert_int_equal(fx_rd(fx, FLASH_CR), 0x30);
	/* a byte write of a key is no key write either */
	assert_int_equal(flash_regs_ops.write(&fx->f, breg(1, FLASH_KEYR), 1, 0x23, MASTER_AP0),
		BUS_ERROR);
	fx_unlock(fx, 1);
}

static void test_sr_is_read_only(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr(fx, breg(0, FLASH_SR), 0xFFFFFFFF);
	fx_wr(fx, breg(1, FLASH_SR), 0xFFFFFFFF);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), 0);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), 0);
	make_pgserr(fx, 0);
	fx_wr(fx, breg(0, FLASH_SR), 0);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), SR_PGSERR);
}

static void test_ccr_write_one_to_clear(void **state)
{
	struct flash_fx *fx = *state;

	make_pgserr(fx, 0);
	make_pgserr(fx, 1);
	fx_wr(fx, breg(0, FLASH_CCR), 0);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), SR_PGSERR);
	fx_wr(fx, breg(0, FLASH_CCR), SR_FLAGS_MASK & ~SR_PGSERR);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), SR_PGSERR);
	fx_wr(fx, breg(0, FLASH_CCR), SR_PGSERR);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_SR)), 0);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CCR)), 0);
	/* per bank: bank 2 keeps its flag until CCR2 is written */
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), SR_PGSERR);
	fx_wr(fx, breg(1, FLASH_CCR), 0xFFFFFFFF);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), 0);
}

/* HAL/Zephyr write SR bits 0-3 into CCR: they must not touch BSY/WBNE/QW. */
static void test_ccr_ignores_bits_0_to_3(void **state)
{
	struct flash_fx *fx = *state;
	static const uint32_t w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	fx_enable_pg(fx, 0, PSIZE_X64);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(fx_write(fx, BANK1_ADDR + 4 * i, 4, w[i]), BUS_OK);
	assert_int_equal(fx_rd(fx, FLASH_SR), SR_WBNE);
	fx_wr(fx, FLASH_CCR, 0xF);
	assert_int_equal(fx_rd(fx, FLASH_SR), SR_WBNE);
	for (unsigned int i = 4; i < 8; i++)
		assert_int_equal(fx_write(fx, BANK1_ADDR + 4 * i, 4, w[i]), BUS_OK);
	assert_int_equal(fx_rd(fx, FLASH_SR), SR_QW | SR_BSY);
	fx_wr(fx, FLASH_CCR, 0xF);
	assert_int_equal(fx_rd(fx, FLASH_SR), SR_QW | SR_BSY);
	fx_run_until_idle(fx);
	assert_int_equal(fx_rd(fx, FLASH_SR), SR_EOP);
	/* the buffered half was kept: the whole word is programmed */
	assert_int_equal(fx_read32(fx, BANK1_ADDR), 1);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 28), 8);
}

static void test_cr_ignored_while_locked(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr(fx, FLASH_CR, 0x1FEF8722);
	fx_wr(fx, breg(1, FLASH_CR), CR_PG | CR_SER | CR_START);
	assert_int_equal(fx_rd(fx, FLASH_CR), CR_RESET);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)), CR_RESET);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), 0);	/* no erase started */
	/* writing LOCK = 1 while locked keeps it locked */
	fx_wr(fx, FLASH_CR, CR_LOCK);
	assert_int_equal(fx_rd(fx, FLASH_CR), CR_RESET);
}

static void test_cr_writable_bits(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 0);
	/* everything but LOCK and START; FW with an empty buffer does nothing */
	fx_wr(fx, FLASH_CR, 0xFFFFFF7E);
	assert_int_equal(fx_rd(fx, FLASH_CR), 0x1FEF873E);
	assert_int_equal(fx_rd(fx, FLASH_SR), 0);
	fx_wr(fx, FLASH_CR, 0);
	assert_int_equal(fx_rd(fx, FLASH_CR), 0);
}

static void test_setting_lock_keeps_other_bits(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 1);
	fx_wr(fx, breg(1, FLASH_CR), CR_PG | 2u << CR_PSIZE_SHIFT | 5u << CR_SNB_SHIFT);
	fx_wr(fx, breg(1, FLASH_CR), CR_LOCK);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)),
		CR_LOCK | CR_PG | 2u << CR_PSIZE_SHIFT | 5u << CR_SNB_SHIFT);
	/* and the locked register takes no more writes */
	fx_wr(fx, breg(1, FLASH_CR), 0);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)),
		CR_LOCK | CR_PG | 2u << CR_PSIZE_SHIFT | 5u << CR_SNB_SHIFT);
	fx_unlock(fx, 1);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)),
		CR_PG | 2u << CR_PSIZE_SHIFT | 5u << CR_SNB_SHIFT);
}

static void test_keyr_and_ccr_read_zero(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr(fx, FLASH_KEYR, FLASH_KEY1);
	assert_int_equal(fx_rd(fx, FLASH_KEYR), 0);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY1);
	assert_int_equal(fx_rd(fx, FLASH_OPTKEYR), 0);
	assert_int_equal(fx_rd(fx, FLASH_OPTCCR), 0);
}

static void test_bank2_registers_are_separate(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 1);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CR)) & CR_LOCK, CR_LOCK);
	fx_wr(fx, breg(1, FLASH_CR), CR_PG);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)), CR_PG);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CR)), CR_RESET);
	make_pgserr(fx, 0);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SR)), 0);
	fx_wr(fx, breg(1, FLASH_CR), CR_CRC_EN);
	fx_wr(fx, breg(1, FLASH_CRCSADD), 0x0810ABC4);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CRCSADD)), 0x0000ABC4);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CRCSADD)), 0);
}

static void test_shared_register_aliases(void **state)
{
	struct flash_fx *fx = *state;

	/* ACR: written through the alias, read at the base (and masked) */
	fx_wr(fx, 0x100, 0xFFFFFF24);
	assert_int_equal(fx_rd(fx, FLASH_ACR), 0x24);
	fx_wr(fx, FLASH_ACR, 0x3F);
	assert_int_equal(fx_rd(fx, 0x100), 0x3F);
	/* one OPTKEYR/OPTCR behind both addresses */
	fx_wr(fx, 0x108, FLASH_OPTKEY1);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY2);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), 0);
	assert_int_equal(fx_rd(fx, 0x118), 0);
	fx_wr(fx, 0x118, OPTCR_OPTCHANGEERRIE);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_OPTCHANGEERRIE);
	/* OPTSR_PRG and BOOT_PRGR through the alias */
	fx_wr(fx, 0x120, 0x0006BBD0);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_PRG), 0x0006BBD0);
	fx_wr(fx, 0x144, 0x24000800);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_PRG), 0x24000800);
	/* the CUR registers are the same, still unchanged */
	assert_int_equal(fx_rd(fx, 0x11C), fx_rd(fx, FLASH_OPTSR_CUR));
	assert_int_equal(fx_rd(fx, 0x140), 0x1FF00800);
	/* relock through the alias */
	fx_wr(fx, 0x118, OPTCR_OPTLOCK);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK);
}

static void test_prg_registers_need_optlock_clear(void **state)
{
	struct flash_fx *fx = *state;
	static const uint32_t prg[] = {
		FLASH_OPTSR_PRG, FLASH_PRAR_PRG, FLASH_SCAR_PRG, FLASH_WPSN_PRG, FLASH_BOOT_PRG,
		0x100 + FLASH_PRAR_PRG, 0x100 + FLASH_SCAR_PRG, 0x100 + FLASH_WPSN_PRG,
	};

	/* bank locks open, OPTLOCK set: still refused */
	fx_unlock(fx, 0);
	fx_unlock(fx, 1);
	for (unsigned int i = 0; i < ARRAY_LEN(prg); i++) {
		uint32_t before = fx_rd(fx, prg[i]);

		fx_wr(fx, prg[i], 0x12345678);
		assert_int_equal(fx_rd(fx, prg[i]), before);
	}
	/* OPTLOCK clear (bank locks are not needed) */
	flash_reset(&fx->f);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, 0xFFFFFFFF);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_PRG), OPTSR_PRG_MASK);
	fx_wr(fx, FLASH_PRAR_PRG, 0xFFFFFFFF);
	assert_int_equal(fx_rd(fx, FLASH_PRAR_PRG), 0x8FFF0FFF);
	fx_wr(fx, 0x100 + FLASH_SCAR_PRG, 0x80120034);
	assert_int_equal(fx_rd(fx, 0x100 + FLASH_SCAR_PRG), 0x80120034);
	assert_int_equal(fx_rd(fx, FLASH_SCAR_PRG), 0xFF);
	fx_wr(fx, 0x100 + FLASH_WPSN_PRG, 0xFFFFFF0F);
	assert_int_equal(fx_rd(fx, 0x100 + FLASH_WPSN_PRG), 0x0F);
	assert_int_equal(fx_rd(fx, FLASH_WPSN_PRG), 0xFF);
	fx_wr(fx, FLASH_BOOT_PRG, 0x12345678);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_PRG), 0x12345678);
	/* nothing reaches CUR before OPTSTART */
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_CUR), 0x0006AAD0);
	assert_int_equal(fx_rd(fx, FLASH_PRAR_CUR), 0xFF);
	assert_int_equal(fx_rd(fx, 0x100 + FLASH_WPSN_CUR), 0xFF);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_CUR), 0x1FF00800);
}

static void test_cur_registers_are_read_only(void **state)
{
	struct flash_fx *fx = *state;
	static const uint32_t cur[] = {
		FLASH_OPTSR_CUR, FLASH_PRAR_CUR, FLASH_SCAR_CUR, FLASH_WPSN_CUR, FLASH_BOOT_CUR,
		0x100 + FLASH_PRAR_CUR, 0x100 + FLASH_SCAR_CUR, 0x100 + FLASH_WPSN_CUR,
		FLASH_ECC_FA, 0x100 + FLASH_ECC_FA, FLASH_CRCDATA, 0x100 + FLASH_CRCDATA,
	};

	fx_unlock_opt(fx);
	for (unsigned int i = 0; i < ARRAY_LEN(cur); i++) {
		uint32_t before = fx_rd(fx, cur[i]);

		fx_wr(fx, cur[i], ~before);
		assert_int_equal(fx_rd(fx, cur[i]), before);
	}
}

/* ---- key locks ---------------------------------------------------------- */

static void test_unlock_and_relock(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr(fx, FLASH_KEYR, FLASH_KEY1);
	assert_int_equal(fx_rd(fx, FLASH_CR) & CR_LOCK, CR_LOCK);
	fx_wr(fx, FLASH_KEYR, FLASH_KEY2);
	assert_int_equal(fx_rd(fx, FLASH_CR), 0x30);
	fx_wr(fx, FLASH_CR, CR_LOCK);
	assert_int_equal(fx_rd(fx, FLASH_CR), CR_RESET);
	fx_unlock(fx, 0);	/* a relocked bank can be unlocked again */
}

static void expect_locked_until_reset(struct flash_fx *fx, unsigned int bank)
{
	assert_int_equal(fx_rd(fx, breg(bank, FLASH_CR)) & CR_LOCK, CR_LOCK);
	fx_wr(fx, breg(bank, FLASH_KEYR), FLASH_KEY1);
	fx_wr(fx, breg(bank, FLASH_KEYR), FLASH_KEY2);
	assert_int_equal(fx_rd(fx, breg(bank, FLASH_CR)) & CR_LOCK, CR_LOCK);
	uint32_t cr = fx_rd(fx, breg(bank, FLASH_CR));

	fx_wr(fx, breg(bank, FLASH_CR), cr ^ (CR_PG | CR_PSIZE_MASK));
	assert_int_equal(fx_rd(fx, breg(bank, FLASH_CR)), cr);
	flash_reset(&fx->f);
	fx_unlock(fx, bank);
}

static void test_wrong_key_locks_until_reset(void **state)
{
	struct flash_fx *fx = *state;

	/* the faulting write is a bus error (UNCONFIRMED) */
	fx_wr_faults(fx, breg(1, FLASH_KEYR), 0x45670124);
	expect_locked_until_reset(fx, 1);
	fx_wr(fx, breg(0, FLASH_KEYR), FLASH_KEY1);
	fx_wr_faults(fx, breg(0, FLASH_KEYR), FLASH_KEY1);
	expect_locked_until_reset(fx, 0);
}

static void test_wrong_order_locks_until_reset(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr_faults(fx, FLASH_KEYR, FLASH_KEY2);
	fx_wr(fx, FLASH_KEYR, FLASH_KEY1);	/* already locked: ignored, no fault */
	expect_locked_until_reset(fx, 0);
}

static void test_keying_unlocked_bank_locks_until_reset(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 0);
	fx_wr(fx, FLASH_CR, CR_PG);
	fx_wr_faults(fx, FLASH_KEYR, FLASH_KEY1);
	/* the code's choice (UNCONFIRMED): LOCK reads 1 at once */
	assert_int_equal(fx_rd(fx, FLASH_CR) & CR_LOCK, CR_LOCK);
	fx_wr(fx, FLASH_CR, 0);		/* ignored */
	assert_int_equal(fx_rd(fx, FLASH_CR) & CR_PG, CR_PG);
	expect_locked_until_reset(fx, 0);
}

static void test_bank_locks_are_independent(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr_faults(fx, breg(1, FLASH_KEYR), 0);	/* bank 2 locked until reset */
	fx_unlock(fx, 0);			/* bank 1 unaffected */
	fx_wr(fx, breg(1, FLASH_KEYR), FLASH_KEY1);
	fx_wr(fx, breg(1, FLASH_KEYR), FLASH_KEY2);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)) & CR_LOCK, CR_LOCK);
	/* and the option lock is separate from both */
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK);
	fx_unlock_opt(fx);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_CR)) & CR_LOCK, CR_LOCK);
}

static void expect_opt_locked_until_reset(struct flash_fx *fx)
{
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY1);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY2);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK, OPTCR_OPTLOCK);
	fx_wr(fx, FLASH_OPTSR_PRG, 0x0006BBD0);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_PRG), 0x0006AAD0);
	flash_reset(&fx->f);
	fx_unlock_opt(fx);
}

static void test_optlock_unlock_and_relock(void **state)
{
	struct flash_fx *fx = *state;

	/* OPTCR takes no writes while locked */
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTCHANGEERRIE);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_OPTLOCK);
	fx_unlock_opt(fx);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_CR)) & CR_LOCK, CR_LOCK);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTCHANGEERRIE);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_OPTCHANGEERRIE);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTCHANGEERRIE | OPTCR_OPTLOCK);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_OPTCHANGEERRIE | OPTCR_OPTLOCK);
	fx_unlock_opt(fx);
}

static void test_optkey_errors_lock_until_reset(void **state)
{
	struct flash_fx *fx = *state;

	fx_wr_faults(fx, FLASH_OPTKEYR, FLASH_KEY1);	/* a bank key is a wrong key here */
	expect_opt_locked_until_reset(fx);
	flash_reset(&fx->f);
	fx_wr_faults(fx, FLASH_OPTKEYR, FLASH_OPTKEY2);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY1);
	expect_opt_locked_until_reset(fx);
	/* keying while unlocked (fx_unlock_opt above left it unlocked) */
	fx_wr_faults(fx, 0x108, FLASH_OPTKEY1);
	expect_opt_locked_until_reset(fx);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_flash_reset_restores_reset_values),
		T(test_reserved_offsets_read_zero_ignore_writes),
		T(test_non_word_access_is_bus_error),
		T(test_sr_is_read_only),
		T(test_ccr_write_one_to_clear),
		T(test_ccr_ignores_bits_0_to_3),
		T(test_cr_ignored_while_locked),
		T(test_cr_writable_bits),
		T(test_setting_lock_keeps_other_bits),
		T(test_keyr_and_ccr_read_zero),
		T(test_bank2_registers_are_separate),
		T(test_shared_register_aliases),
		T(test_prg_registers_need_optlock_clear),
		T(test_cur_registers_are_read_only),
		T(test_unlock_and_relock),
		T(test_wrong_key_locks_until_reset),
		T(test_wrong_order_locks_until_reset),
		T(test_keying_unlocked_bank_locks_until_reset),
		T(test_bank_locks_are_independent),
		T(test_optlock_unlock_and_relock),
		T(test_optkey_errors_lock_until_reset),
	};
#undef T

	return cmocka_run_group_tests_name("flash_regs", tests, NULL, NULL);
}
