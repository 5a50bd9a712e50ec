// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Option bytes (testing/sim/flash_opt.c): OPTSTART commits the
 * *_PRG registers into *_CUR after OPT_BUSY, OPTCHANGEERR and OPTCCR, RDP
 * level 1 (RDPERR for the debugger) and the level 1 -> 0 regression erase,
 * and SWAP_BANK taking effect only at the next reset.
 */
#include "unit_helpers.h"

#define OPTSR_FACTORY	0x0006AAD0u
#define OPTSR_BOR_LEV_2_7V (3u << 2)

static uint32_t sr(struct flash_fx *fx, unsigned int bank)
{
	return fx_rd(fx, breg(bank, FLASH_SR));
}

static uint32_t optsr_cur(struct flash_fx *fx)
{
	return fx_rd(fx, FLASH_OPTSR_CUR);
}

static void start_option_change(struct flash_fx *fx)
{
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTSTART);
}

static void test_optstart_commits_after_busy(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	fx_wr(fx, FLASH_BOOT_PRG, 0x1FF02400);
	fx_wr(fx, breg(1, FLASH_WPSN_PRG), 0xF0);
	fx_wr(fx, breg(0, FLASH_PRAR_PRG), 0x80100010);
	fx_wr(fx, breg(1, FLASH_SCAR_PRG), 0x00200010);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_OPT_BUSY);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTSTART, 0);
	/* the option change occupies both command queues */
	assert_int_equal(sr(fx, 0) & SR_QW, SR_QW);
	assert_int_equal(sr(fx, 1) & SR_QW, SR_QW);
	/* 300 ms, as measured on an H743 (UNCONFIRMED) */
	fx_run(fx, 300 * PS_PER_MS - 1);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_OPT_BUSY);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_CUR), 0x1FF00800);
	fx_run(fx, 1);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_CUR), 0x1FF02400);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_WPSN_CUR)), 0xF0);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_WPSN_CUR)), 0xFF);
	assert_int_equal(fx_rd(fx, breg(0, FLASH_PRAR_CUR)), 0x80100010);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_SCAR_CUR)), 0x00200010);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(sr(fx, 1), 0);
	assert_int_equal(flash_boot_address(&fx->f), 0x24000000);
}

/* SR.BSY: "an effective write, erase or option-byte change is executing" (2.6). */
static void test_option_change_sets_bsy_and_qw(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPT_BUSY, OPTSR_OPT_BUSY);
	assert_int_equal(sr(fx, 0) & (SR_QW | SR_BSY), SR_QW | SR_BSY);
	assert_int_equal(sr(fx, 1) & (SR_QW | SR_BSY), SR_QW | SR_BSY);
	fx_run_until_idle(fx);
	assert_int_equal(sr(fx, 0), 0);
	assert_int_equal(sr(fx, 1), 0);
}

static void test_optstart_ignored_while_optlock_set(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTLOCK);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY);
	fx_run_until_idle(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY);
}

static void test_second_optstart_while_busy_is_ignored(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	start_option_change(fx);
	fx_run(fx, 150 * PS_PER_MS);
	start_option_change(fx);	/* does not restart the 300 ms */
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, 0);
	fx_run(fx, 150 * PS_PER_MS);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	assert_int_equal(fx->f.option_changes, 1);
}

static void test_status_bits_are_not_programmable(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_OPT_BUSY | OPTSR_OPTCHANGEERR);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_PRG), OPTSR_FACTORY);
	fx_commit_options(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY);
}

static void test_committed_options_survive_reset(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_WPSN_PRG, 0x7F);
	fx_commit_options(fx);
	/* staged but never committed: lost at reset */
	fx_wr(fx, FLASH_BOOT_PRG, 0x12345678);
	flash_reset(&fx->f);
	assert_int_equal(fx_rd(fx, FLASH_WPSN_CUR), 0x7F);
	assert_int_equal(fx_rd(fx, FLASH_WPSN_PRG), 0x7F);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_PRG), 0x1FF00800);
	assert_int_equal(fx_rd(fx, FLASH_BOOT_CUR), 0x1FF00800);
}

/*
 * OPTSTART while an erase is queued: the change waits behind it (OPT_BUSY
 * set meanwhile), then takes its 300 ms; no OPTCHANGEERR (UNCONFIRMED).
 */
static void test_option_change_waits_for_queued_operation(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock(fx, 1);
	fx_wr(fx, breg(1, FLASH_CR), CR_SER | 2u << CR_SNB_SHIFT | CR_START);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_OPT_BUSY);
	fx_run(fx, flash_sector_erase_time(0));	/* PSIZE x8: the erase ends */
	assert_int_equal(fx->f.bank[1].nqueued, 0);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_OPT_BUSY);
	fx_run(fx, 300 * PS_PER_MS - 1);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_OPT_BUSY);
	fx_run(fx, 1);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_BOR_LEV_2_7V);
	assert_int_equal(fx->f.option_changes, 1);
}

static void test_optccr_clears_optchangeerr(void **state)
{
	struct flash_fx *fx = *state;

	/* SECURITY set, then cleared without an RDP regression: refused */
	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, 0, OPTSR_SECURITY);
	fx_commit_options(fx);
	fx_set_optsr_prg(fx, OPTSR_SECURITY, 0);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, OPTSR_OPTCHANGEERR);
	fx_wr(fx, FLASH_OPTCCR, ~OPTCCR_CLR_OPTCHANGEERR);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, OPTSR_OPTCHANGEERR);
	fx_wr(fx, 0x100 + FLASH_OPTCCR, OPTCCR_CLR_OPTCHANGEERR);	/* alias */
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, 0);
	/* a later, valid change goes through */
	fx_run_until_idle(fx);
	fx_wr(fx, FLASH_OPTSR_PRG, OPTSR_FACTORY | OPTSR_SECURITY | OPTSR_BOR_LEV_2_7V);
	fx_commit_options(fx);
	assert_int_equal(optsr_cur(fx), OPTSR_FACTORY | OPTSR_SECURITY | OPTSR_BOR_LEV_2_7V);
	/* reset clears the flag too */
	fx_set_optsr_prg(fx, OPTSR_SECURITY, 0);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, OPTSR_OPTCHANGEERR);
	flash_reset(&fx->f);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, 0);
}

static void test_optchangeerr_at_rdp_level2(void **state)
{
	struct flash_fx *fx = *state;

	fx_set_rdp(fx, RDP_LEVEL2);
	assert_int_equal(flash_rdp_level(&fx->f), 2);
	fx_set_optsr_prg(fx, OPTSR_RDP_MASK, RDP_LEVEL0 << OPTSR_RDP_SHIFT);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & (OPTSR_OPTCHANGEERR | OPTSR_OPT_BUSY),
		OPTSR_OPTCHANGEERR);
	fx_run_until_idle(fx);
	assert_int_equal(flash_rdp_level(&fx->f), 2);
}

static void test_optchangeerr_clearing_security_without_regression(void **state)
{
	struct flash_fx *fx = *state;

	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, 0, OPTSR_SECURITY);
	fx_commit_options(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_SECURITY, OPTSR_SECURITY);
	fx_set_optsr_prg(fx, OPTSR_SECURITY, 0);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & (OPTSR_OPTCHANGEERR | OPTSR_SECURITY),
		OPTSR_OPTCHANGEERR | OPTSR_SECURITY);
	fx_run_until_idle(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_SECURITY, OPTSR_SECURITY);
	/* together with an RDP 1 -> 0 regression it is allowed */
	fx_wr(fx, FLASH_OPTCCR, OPTCCR_CLR_OPTCHANGEERR);
	fx_set_optsr_prg(fx, OPTSR_RDP_MASK, 0x55u << OPTSR_RDP_SHIFT | OPTSR_SECURITY);
	fx_commit_options(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPTCHANGEERR, 0);
	fx_set_optsr_prg(fx, OPTSR_RDP_MASK | OPTSR_SECURITY, RDP_LEVEL0 << OPTSR_RDP_SHIFT);
	fx_commit_options(fx);
	assert_int_equal(optsr_cur(fx) & (OPTSR_OPTCHANGEERR | OPTSR_SECURITY), 0);
	assert_int_equal(flash_rdp_level(&fx->f), 0);
}

/* ---- read-out protection ------------------------------------------------ */

static void test_rdp_level1_debugger_read_rdperr(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v = 0x12345678;

	fx_program_fill(fx, BANK1_ADDR, 0xCAFEBABE);
	fx_program_fill(fx, BANK2_ADDR + 0x40, 0xCAFEBABE);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
	fx->debugger = true;
	assert_int_equal(fx_read32(fx, BANK1_ADDR), 0xCAFEBABE);	/* level 0 */
	fx_set_rdp(fx, 0x55);
	assert_int_equal(flash_rdp_level(&fx->f), 1);
	assert_int_equal(fx_read_as(fx, BANK1_ADDR, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_not_equal(v, 0xCAFEBABE);
	assert_int_equal(sr(fx, 0), SR_RDPERR);
	assert_int_equal(sr(fx, 1), 0);
	assert_int_equal(fx_read_as(fx, BANK2_ADDR + 0x40, 2, &v, MASTER_AP0), BUS_ERROR);
	assert_int_equal(sr(fx, 1), SR_RDPERR);
	fx_wr(fx, FLASH_CCR, SR_RDPERR);
	assert_int_equal(sr(fx, 0), 0);
}

/*
 * Level 1: "user flash not accessible (read/program/erase) while a debugger
 * is connected" (section 6.2) - the core's own reads included; without a
 * debugger the firmware runs from it normally.
 */
static void test_rdp_level1_cpu_reads_only_without_debugger(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v = 0;

	fx_program_fill(fx, BANK1_ADDR + 0x100, 0xFEEDFACE);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	fx_set_rdp(fx, 0x55);
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x100, 4, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0xFEEDFACE);
	assert_int_equal(sr(fx, 0), 0);
	fx->debugger = true;
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x100, 4, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(sr(fx, 0), SR_RDPERR);
	/* the core's own access stalls rather than faults (UNCONFIRMED) */
	assert_int_equal(flash_cpu_read_check(&fx->f, BANK1_ADDR + 0x100, 4), BUS_STALL);
}

static void test_rdp_level1_program_refused_with_debugger(void **state)
{
	struct flash_fx *fx = *state;

	fx_set_rdp(fx, 0x00);		/* OpenOCD's "lock": any value but AA/CC */
	assert_int_equal(flash_rdp_level(&fx->f), 1);
	fx->debugger = true;
	fx_program_fill(fx, BANK1_ADDR + 0x20, 0);
	assert_int_not_equal(sr(fx, 0) & (SR_WRPERR | SR_RDPERR), 0);
	assert_int_equal(sr(fx, 0) & SR_EOP, 0);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x20), 4), 0xFFFFFFFF);
	/* erases are refused the same way */
	fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);
	fx->f.bank[0].sectors_erased = 0;
	fx_wr(fx, FLASH_CR, CR_SER | 3u << CR_SNB_SHIFT | CR_START);
	fx_run_until_idle(fx);
	assert_int_not_equal(sr(fx, 0) & (SR_WRPERR | SR_RDPERR), 0);
	assert_int_equal(fx->f.bank[0].sectors_erased, 0);
	/* the same part without a debugger programs normally */
	fx->debugger = false;
	fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);
	fx_program_fill(fx, BANK1_ADDR + 0x20, 0);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x20), 4), 0);
}

static void test_rdp_level0_to_1_erases_nothing(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, BANK1_ADDR + 0x1000, 0x11111111);
	fx_set_rdp(fx, 0x55);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x1000), 4), 0x11111111);
	assert_int_equal(fx->backup_sram_erases, 0);
}

static void test_rdp_regression_erases_both_banks_keeps_pcrop(void **state)
{
	struct flash_fx *fx = *state;

	/* data: a PCROP area in each bank and ordinary words around them */
	fx_program_fill(fx, BANK1_ADDR + 0x000, 0xA1A1A1A1);	/* bank 1 area */
	fx_program_fill(fx, BANK1_ADDR + 0x1E0, 0xA2A2A2A2);	/* last word of it */
	fx_program_fill(fx, BANK1_ADDR + 0x200, 0xB1B1B1B1);	/* just outside */
	fx_program_fill(fx, BANK1_ADDR + 5 * FLASH_SECTOR_BYTES, 0xB2B2B2B2);
	fx_program_fill(fx, BANK2_ADDR + 0x400, 0xC1C1C1C1);	/* bank 2 area */
	fx_program_fill(fx, BANK2_ADDR + 0x7 * FLASH_SECTOR_BYTES, 0xD1D1D1D1);
	/* bank 1: blocks 0..1 kept (DMEP = 0); bank 2: blocks 4..5 erased (DMEP = 1) */
	fx_unlock_opt(fx);
	fx_wr(fx, breg(0, FLASH_PRAR_PRG), 1u << 16 | 0u);
	fx_wr(fx, breg(1, FLASH_PRAR_PRG), AREA_DM | 5u << 16 | 4u);
	fx_set_rdp(fx, 0x55);
	assert_int_equal(flash_rdp_level(&fx->f), 1);

	fx_set_optsr_prg(fx, OPTSR_RDP_MASK, RDP_LEVEL0 << OPTSR_RDP_SHIFT);
	start_option_change(fx);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPT_BUSY, OPTSR_OPT_BUSY);
	/* longer than a plain option change: it erases the flash */
	fx_run(fx, 100 * PS_PER_MS);
	assert_int_equal(optsr_cur(fx) & OPTSR_OPT_BUSY, OPTSR_OPT_BUSY);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x200), 4), 0xB1B1B1B1);
	fx_run_until_idle(fx);
	assert_int_equal(optsr_cur(fx) & (OPTSR_OPT_BUSY | OPTSR_OPTCHANGEERR), 0);
	assert_int_equal(flash_rdp_level(&fx->f), 0);

	/* kept: the bank-1 PCROP area without DMEP */
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x000), 4), 0xA1A1A1A1);
	assert_int_equal(mem_load(fx_raw(fx, BANK1_ADDR + 0x1FC), 4), 0xA2A2A2A2);
	/* erased: everything else, including the bank-2 area with DMEP */
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x200), 0xFFFFFFFF);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 5 * FLASH_SECTOR_BYTES), 0xFFFFFFFF);
	assert_int_equal(mem_load(fx_raw(fx, BANK2_ADDR + 0x400), 4), 0xFFFFFFFF);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 7 * FLASH_SECTOR_BYTES), 0xFFFFFFFF);
	/* and the backup SRAM went with it */
	assert_int_equal(fx->backup_sram_erases, 1);
}

static void test_pcrop_area_is_execute_only(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v = 0x12345678;

	fx_program_fill(fx, BANK1_ADDR + 0x300, 0x5EC0DE00);
	fx_program_fill(fx, BANK1_ADDR + 0x400, 0x09E40000);
	fx_wr(fx, FLASH_CCR, SR_EOP);
	fx_unlock_opt(fx);
	fx_wr(fx, FLASH_PRAR_PRG, 3u << 16 | 2u);	/* blocks 2..3: 0x200-0x3FF */
	fx_commit_options(fx);
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x304, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_not_equal(v, 0x5EC0DE00);
	assert_int_equal(sr(fx, 0), SR_RDPERR);
	fx_wr(fx, FLASH_CCR, SR_RDPERR);
	/* CPU data reads are refused too */
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x200, 1, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(sr(fx, 0), SR_RDPERR);
	/* first and last byte outside the area */
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x1FC, 4, &v, MASTER_AP0), BUS_OK);
	assert_int_equal(fx_read_as(fx, BANK1_ADDR + 0x400, 4, &v, MASTER_AP0), BUS_OK);
	assert_int_equal(fx_read_as(fx, BANK2_ADDR + 0x300, 4, &v, MASTER_AP0), BUS_OK);
}

/* START == END protects the whole bank, START > END nothing (section 2.11). */
static void test_area_start_equal_end_is_whole_bank(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	fx_unlock_opt(fx);
	fx_wr(fx, breg(1, FLASH_PRAR_PRG), 0x0005u << 16 | 0x0005u);
	fx_wr(fx, breg(0, FLASH_PRAR_PRG), 0x0004u << 16 | 0x0005u);
	fx_commit_options(fx);
	assert_int_equal(fx_read(fx, BANK2_ADDR, 4, &v), BUS_ERROR);
	assert_int_equal(fx_read(fx, BANK2_ADDR + FLASH_BANK_BYTES - 4, 4, &v), BUS_ERROR);
	assert_int_equal(sr(fx, 1), SR_RDPERR);
	assert_int_equal(fx_read(fx, BANK1_ADDR + 0x500, 4, &v), BUS_OK);
	assert_int_equal(sr(fx, 0), 0);
}

/*
 * Secure-only area with SECURITY set: the code's choice (H723 observation,
 * UNCONFIRMED) is a read of zero with RDSERR and no bus error.
 */
static void test_secure_area_reads_zero(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v = 0x12345678;

	fx_program_fill(fx, BANK2_ADDR + 0x100, 0xA5A5A5A5);
	fx_wr(fx, breg(1, FLASH_CCR), SR_EOP);
	fx_unlock_opt(fx);
	fx_wr(fx, breg(1, FLASH_SCAR_PRG), 1u << 16 | 0u);	/* blocks 0..1 */
	fx_commit_options(fx);
	/* without SECURITY the area means nothing */
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x100), 0xA5A5A5A5);
	fx_set_optsr_prg(fx, 0, OPTSR_SECURITY);
	fx_commit_options(fx);
	assert_int_equal(fx_read(fx, BANK2_ADDR + 0x100, 4, &v), BUS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(sr(fx, 1), SR_RDSERR);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x200), 0xFFFFFFFF);
}

/* ---- bank swap ------------------------------------------------------------ */

static void test_swap_bank_takes_effect_at_reset(void **state)
{
	struct flash_fx *fx = *state;

	fx_program_fill(fx, BANK1_ADDR + 0x40, 0x11111111);
	fx_program_fill(fx, BANK2_ADDR + 0x40, 0x22222222);
	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, 0, OPTSR_SWAP_BANK_OPT);
	fx_commit_options(fx);
	/* committed, but nothing moves before a reset */
	assert_int_equal(optsr_cur(fx) & OPTSR_SWAP_BANK_OPT, OPTSR_SWAP_BANK_OPT);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_SWAP_BANK, 0);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x40), 0x11111111);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40), 0x22222222);
	/* OPTCR.SWAP_BANK cannot be written (code's choice, UNCONFIRMED) */
	fx_wr(fx, FLASH_OPTCR, OPTCR_SWAP_BANK);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_SWAP_BANK, 0);

	flash_reset(&fx->f);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_SWAP_BANK | OPTCR_OPTLOCK);
	assert_int_equal(fx_rd(fx, 0x100 + FLASH_OPTCR), OPTCR_SWAP_BANK | OPTCR_OPTLOCK);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40), 0x11111111);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x40), 0x22222222);
	assert_int_equal(flash_physical_bank(&fx->f, 0), 1);

	/* a second reset does not swap again */
	flash_reset(&fx->f);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40), 0x11111111);

	/* un-swap: clear SWAP_BANK_OPT, commit, reset */
	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, OPTSR_SWAP_BANK_OPT, 0);
	fx_commit_options(fx);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_SWAP_BANK, OPTCR_SWAP_BANK);
	flash_reset(&fx->f);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR), OPTCR_OPTLOCK);
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x40), 0x11111111);
	assert_int_equal(fx_read32(fx, BANK2_ADDR + 0x40), 0x22222222);
}

static void test_swapped_register_set_follows_address(void **state)
{
	struct flash_fx *fx = *state;
	uint32_t v;

	/* a broken word in physical bank 1, word index 3 */
	fx_program_fill(fx, BANK1_ADDR + 0x60, 0xF0F0F0F0);
	fx_program_fill(fx, BANK1_ADDR + 0x60, 0x0F0F0F0F);
	fx_wr(fx, FLASH_CCR, SR_FLAGS_MASK);
	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, 0, OPTSR_SWAP_BANK_OPT);
	fx_commit_options(fx);
	flash_reset(&fx->f);
	/* it now lives at 0x08100060 and is reported by register set 2 */
	assert_int_equal(fx_read32(fx, BANK1_ADDR + 0x60), 0xFFFFFFFF);
	assert_int_equal(fx_read(fx, BANK2_ADDR + 0x60, 4, &v), BUS_ERROR);
	assert_int_equal(sr(fx, 1), SR_DBECCERR);
	assert_int_equal(fx_rd(fx, breg(1, FLASH_ECC_FA)), 3);
	assert_int_equal(sr(fx, 0), 0);
	/* programming at 0x08000000 goes through CR1/SR1 */
	fx_program_fill(fx, BANK1_ADDR, 0x12121212);
	assert_int_equal(sr(fx, 0), SR_EOP);
	assert_int_equal(fx_read32(fx, BANK1_ADDR), 0x12121212);
}

static void test_no_swap_on_single_bank_part(void **state)
{
	struct flash_fx *fx = fx_new("H750xB", REV_ID_V);

	(void)state;
	fx_program_fill(fx, BANK1_ADDR, 0x33333333);
	fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, 0, OPTSR_SWAP_BANK_OPT);
	fx_commit_options(fx);
	flash_reset(&fx->f);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_SWAP_BANK, 0);
	assert_int_equal(fx_read32(fx, BANK1_ADDR), 0x33333333);
	fx_free(fx);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_optstart_commits_after_busy),
		T(test_option_change_sets_bsy_and_qw),
		T(test_optstart_ignored_while_optlock_set),
		T(test_second_optstart_while_busy_is_ignored),
		T(test_status_bits_are_not_programmable),
		T(test_committed_options_survive_reset),
		T(test_option_change_waits_for_queued_operation),
		T(test_optccr_clears_optchangeerr),
		T(test_optchangeerr_at_rdp_level2),
		T(test_optchangeerr_clearing_security_without_regression),
		T(test_rdp_level1_debugger_read_rdperr),
		T(test_rdp_level1_cpu_reads_only_without_debugger),
		T(test_rdp_level1_program_refused_with_debugger),
		T(test_rdp_level0_to_1_erases_nothing),
		T(test_rdp_regression_erases_both_banks_keeps_pcrop),
		T(test_pcrop_area_is_execute_only),
		T(test_area_start_equal_end_is_whole_bank),
		T(test_secure_area_reads_zero),
		T(test_swap_bank_takes_effect_at_reset),
		T(test_swapped_register_set_follows_address),
		cmocka_unit_test(test_no_swap_on_single_bank_part),
	};
#undef T

	return cmocka_run_group_tests_name("flash_options", tests, NULL, NULL);
}
