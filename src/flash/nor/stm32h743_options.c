// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Option bytes of the STM32H743 (RM0433 section 4.4): one commit writes the
 * *_PRG registers, starts the change with OPTSTART, waits for OPT_BUSY and
 * checks OPTCHANGEERR. Write protection (WPSN) maps to `flash protect`.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/time_support.h>
#include <target/target.h>

#include "stm32h743.h"
#include "stm32h743_diag.h"
#include "stm32h743_obfields.h"

/*
 * What the last commit saw, for the verdict when it fails: a reset in the
 * middle locks FLASH_OPTCR again and adds flags to RCC_RSR.
 */
static struct {
	bool rsr_known;
	uint32_t rsr_before;		/* RCC_RSR before the commit */
	bool unlocked;			/* this commit unlocked FLASH_OPTCR... */
	bool relocked;			/* ...and found it locked again: a chip reset */
	bool refused;			/* OPTCHANGEERR */
	bool timed_out;			/* OPT_BUSY past the time limit */
	bool sets_level2;		/* the commit writes RDP level 2 */
	bool port_closed;		/* ...and the debug port went silent after OPTSTART */
} commit;

unsigned int stm32h743_rdp_level(uint32_t optsr)
{
	unsigned int rdp = (optsr >> OPTSR_RDP_SHIFT) & 0xFF;

	if (rdp == 0xAA)
		return 0;
	return rdp == 0xCC ? 2 : 1;
}

/*
 * FLASH_PRAR_CURx (PCROP) and FLASH_SCAR_CURx (secure-only) count 256-byte
 * blocks from the bank base: START [11:0] < END [27:16] is a range, START ==
 * END the whole bank, START > END no area; bit 31 is DMEP / DMES (RM0433
 * 4.9.11-4.9.12). A secure area is only
 * enforced while FLASH_OPTSR_CUR.SECURITY is set.
 */
int stm32h743_read_area(struct flash_bank *bank, enum stm32h743_reg reg,
		struct stm32h743_area *area)
{
	uint32_t optsr = 0;
	int retval = stm32h743_read_reg(bank, reg, &area->value);

	if (retval == ERROR_OK && reg == STM32H743_SCAR_CUR)
		retval = stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr);
	if (retval != ERROR_OK)
		return retval;
	uint32_t start = area->value & 0xFFF;
	uint32_t end = (area->value >> 16) & 0xFFF;

	area->reg = reg;
	area->defined = start <= end;
	area->enforced = area->defined && (reg == STM32H743_PRAR_CUR || (optsr & OPTSR_SECURITY));
	area->erase_on_regression = area->value & BIT(31);
	if (start == end) {
		area->first = bank->base;
		area->last = bank->base + bank->size - 1;
	} else {
		area->first = bank->base + start * 256;
		area->last = bank->base + end * 256 + 255;
	}
	LOG_DEBUG("%s=0x%08" PRIx32 "%s", stm32h743_reg_name(bank, reg), area->value,
		reg == STM32H743_SCAR_CUR ? ((optsr & OPTSR_SECURITY) ? ", SECURITY set" :
		", SECURITY clear") : "");
	return ERROR_OK;
}

/* OPTKEYR takes OPTKEY1 then OPTKEY2; a wrong key locks OPTCR until reset. */
static int unlock_options(struct target *target)
{
	uint32_t optcr;
	int retval = stm32h743_read_bank_reg(target, 0, STM32H743_OPTCR, &optcr);

	if (retval != ERROR_OK || !(optcr & OPTCR_OPTLOCK))
		return retval;
	retval = stm32h743_write_bank_reg(target, 0, STM32H743_OPTKEYR, FLASH_OPTKEY1);
	if (retval == ERROR_OK)
		retval = stm32h743_write_bank_reg(target, 0, STM32H743_OPTKEYR, FLASH_OPTKEY2);
	if (retval == ERROR_OK)
		retval = stm32h743_read_bank_reg(target, 0, STM32H743_OPTCR, &optcr);
	if (retval == ERROR_OK && (optcr & OPTCR_OPTLOCK)) {
		stm32h743_refused("FLASH_OPTCR stays locked (0x%08" PRIx32 ") after the option key "
			"sequence: a wrong key was written since the last reset; run `reset halt` and "
			"try again", optcr);
		retval = ERROR_FLASH_OPERATION_FAILED;
	}
	return retval;
}

struct bank_reg {
	struct target *target;
	unsigned int index;
	enum stm32h743_reg reg;
};

static int read_bank_reg(void *ctx, uint32_t *value)
{
	const struct bank_reg *r = ctx;

	return stm32h743_read_bank_reg(r->target, r->index, r->reg, value);
}

static int wait_banks_idle(struct target *target)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct bank_reg sr_reg = { target, i, STM32H743_SR };
		const struct stm32h743_poll p = {
			.what = "option change: waiting for the banks", .timeout_ms = 30000,
			.busy = SR_QW | SR_CRC_BUSY, .read = read_bank_reg, .ctx = &sr_reg,
		};
		uint32_t sr;
		int retval = stm32h743_poll(&p, timeval_ms(), &sr);

		if (retval == ERROR_FLASH_BUSY)
			stm32h743_refused("option change: bank %u still busy (FLASH_SR%u=0x%08" PRIx32
				"); wait for the flash operation to end or reset", i + 1, i + 1, sr);
		if (retval != ERROR_OK)
			return retval;
	}
	return ERROR_OK;
}

static int wait_option_change(struct target *target, unsigned int timeout_ms)
{
	struct bank_reg optsr_reg = { target, 0, STM32H743_OPTSR_CUR };
	const struct stm32h743_poll p = {
		.what = "option change", .timeout_ms = timeout_ms, .busy = OPTSR_OPT_BUSY,
		.read = read_bank_reg, .ctx = &optsr_reg,
	};
	uint32_t optsr;
	int retval = stm32h743_poll(&p, timeval_ms(), &optsr);

	if (retval != ERROR_OK && retval != ERROR_FLASH_BUSY && commit.sets_level2) {
		commit.port_closed = true;	/* what level 2 does as the change ends */
		return ERROR_OK;
	}
	if (retval == ERROR_FLASH_BUSY) {
		LOG_ERROR("option change still running after %u ms (FLASH_OPTSR_CUR=0x%08"
			PRIx32 " OPT_BUSY); do not power the board off, then reset it and "
			"read the option bytes back", timeout_ms, optsr);
		commit.timed_out = true;
	}
	if (retval != ERROR_OK)
		return retval;
	if (optsr & OPTSR_OPTCHANGEERR) {
		LOG_ERROR("the option change was refused: FLASH_OPTSR_CUR=0x%08" PRIx32
			" (OPTCHANGEERR); the previous option bytes stay in force. Causes: RDP level "
			"2 freezes the option bytes, or the new values are not allowed together "
			"(e.g. clearing SECURITY without an RDP regression)", optsr);
		stm32h743_write_bank_reg(target, 0, STM32H743_OPTCCR, OPTCCR_CLR_OPTCHANGEERR);
		commit.refused = true;
		return ERROR_FLASH_OPERATION_FAILED;
	}
	return ERROR_OK;
}

/* Write every *_PRG value, then one OPTSTART applies them all (RM0433 4.4.3). */
int stm32h743_option_commit(struct target *target, const struct stm32h743_option_write *w,
		unsigned int count, unsigned int timeout_ms)
{
	memset(&commit, 0, sizeof(commit));
	if (target->state != TARGET_HALTED) {
		stm32h743_refused("option bytes: the target must be halted (run `halt` or `reset halt`)");
		return ERROR_TARGET_NOT_HALTED;
	}
	commit.rsr_known = stm32h743_read_u32_logged(target, RCC_RSR, &commit.rsr_before) == ERROR_OK;
	int retval = wait_banks_idle(target);

	if (retval == ERROR_OK)
		retval = unlock_options(target);
	if (retval != ERROR_OK)
		return retval;
	commit.unlocked = true;
	for (unsigned int i = 0; i < count; i++)
		if (w[i].reg == STM32H743_OPTSR_PRG && stm32h743_rdp_level(w[i].value) == 2)
			commit.sets_level2 = true;
	for (unsigned int i = 0; i < count && retval == ERROR_OK; i++)
		retval = stm32h743_write_bank_reg(target, w[i].index, w[i].reg, w[i].value);
	if (retval == ERROR_OK)
		retval = stm32h743_write_bank_reg(target, 0, STM32H743_OPTCCR,
				OPTCCR_CLR_OPTCHANGEERR);
	if (retval == ERROR_OK)
		retval = stm32h743_write_bank_reg(target, 0, STM32H743_OPTCR, OPTCR_OPTSTART);
	if (retval == ERROR_OK)
		retval = wait_option_change(target, timeout_ms);
	if (retval == ERROR_OK && commit.port_closed) {
		LOG_WARNING("the debug port stopped answering during the RDP level 2 change (reading "
			"FLASH_OPTSR_CUR failed after OPTSTART): level 2 turns JTAG and SWD off as the "
			"change ends, so this is what a committed level 2 looks like. A probe link lost "
			"at that very moment looks the same: power-cycle the board and connect; if the "
			"scan chain answers nothing (IDCODE all ones), level 2 is in force");
		return ERROR_OK;
	}

	uint32_t optcr;

	/* only a reset locks FLASH_OPTCR while this commit holds it unlocked */
	if (stm32h743_read_bank_reg(target, 0, STM32H743_OPTCR, &optcr) == ERROR_OK &&
	    (optcr & OPTCR_OPTLOCK))
		commit.relocked = true;
	int lock_retval = stm32h743_write_bank_reg(target, 0, STM32H743_OPTCR, OPTCR_OPTLOCK);

	return retval != ERROR_OK ? retval : lock_retval;
}

/* The last commit set RDP level 2 and the debug port closed: nothing more to read. */
bool stm32h743_option_port_closed(void)
{
	return commit.port_closed;
}

/* The last commit got past the unlock: it may have changed something. */
bool stm32h743_option_commit_started(void)
{
	return commit.unlocked;
}

/* Which reset RCC_RSR shows since the commit began, in words (for the verdict). */
static void describe_reset(struct target *target, char *out, size_t size)
{
	uint32_t rsr, optsr = 0;

	if (!commit.rsr_known || stm32h743_read_u32_logged(target, RCC_RSR, &rsr) != ERROR_OK) {
		snprintf(out, size, "the chip was reset during the option change (FLASH_OPTCR was "
			"locked again before the driver locked it; RCC_RSR cannot tell the source)");
		return;
	}
	uint32_t fresh = rsr & ~commit.rsr_before;
	unsigned int period = stm32h743_watchdog_runs_halted(target);

	stm32h743_read_bank_reg(target, 0, STM32H743_OPTSR_CUR, &optsr);
	if (fresh & RSR_IWDG1RSTF)
		snprintf(out, size, "the independent watchdog reset the chip during the option "
			"change (RCC_RSR=0x%08" PRIx32 " IWDG1RSTF, 0x%08" PRIx32 " before)%s", rsr,
			commit.rsr_before, !(optsr & OPTSR_IWDG1_SW) ? "; FLASH_OPTSR_CUR.IWDG1_SW=0: "
			"the hardware watchdog runs from every reset" : "");
	else if (fresh & RSR_WWDG1RSTF)
		snprintf(out, size, "the window watchdog reset the chip during the option change "
			"(RCC_RSR=0x%08" PRIx32 " WWDG1RSTF, 0x%08" PRIx32 " before)", rsr,
			commit.rsr_before);
	else if (fresh)
		snprintf(out, size, "the chip was reset during the option change (RCC_RSR=0x%08"
			PRIx32 ", 0x%08" PRIx32 " before: new flags 0x%08" PRIx32 "%s)", rsr,
			commit.rsr_before, fresh, (fresh & RSR_PINRSTF) ? ", NRST" : "");
	else if ((rsr & RSR_IWDG1RSTF) && period)
		/* the flag was there before: the watchdog's state is the evidence */
		snprintf(out, size, "the chip was reset during the option change (FLASH_OPTCR was "
			"locked again before the driver locked it): most likely the independent "
			"watchdog reset the chip, as it runs while the core is halted "
			"(FLASH_OPTSR_CUR.IWDG1_SW=0, DBGMCU_APB4FZ1.DBG_IWDG1=0) and expires every "
			"%u ms; RCC_RSR=0x%08" PRIx32 " held IWDG1RSTF already, so it cannot rule out "
			"NRST or a software reset (clear it with RCC_RSR.RMVF to tell them apart)",
			period, rsr);
	else
		snprintf(out, size, "the chip was reset during the option change (FLASH_OPTCR was "
			"locked again before the driver locked it; RCC_RSR=0x%08" PRIx32 " shows no new "
			"reset flag)", rsr);
}

/*
 * An option change (option_set, swap_bank, lock, unlock, protect) failed:
 * one verdict line from what the commit saw and what answers now, then the
 * next step. The option bytes are then the old or the new set as a whole
 * (the chip applies them at once), never a mix. !began: it failed before
 * the commit, reading the option bytes; nothing was written.
 */
int stm32h743_option_failed(struct flash_bank *bank, const char *what, bool began, int retval,
		char *verdict, size_t size)
{
	struct target *target = bank->target;
	const char *next;
	bool ap2_ok = false;

	if (!stm32h743_link_alive(bank, &ap2_ok)) {
		snprintf(verdict, size, "the target or the debug probe went away %s the %s: "
			"the core's bus does not answer%s", began ? "during" : "before", what,
			ap2_ok ? " (the debug APB still does: the chip is held in reset or its core "
			"domain lost power)" : ", nor does the debug APB (target power lost or probe "
			"disconnected)");
		next = began ? "restore power and the connection, `reset halt`, then `stm32h743 "
			"option_bytes` shows which set is in force (the old or the new, never a mix); "
			"run the command again if it is the old" : "nothing was written; restore "
			"power and the connection, `reset halt`, and run the command again";
	} else if (!began) {
		snprintf(verdict, size, "the option registers cannot be read (see the message "
			"above); nothing was written");
		next = "`reset halt`, then run the command again";
	} else if (commit.relocked) {
		describe_reset(target, verdict, size);
		next = "keep the firmware from resetting the chip while options change: `reset "
			"halt` first, freeze the watchdogs in debug (DBGMCU_APB4FZ1.DBG_IWDG1) or set "
			"`iwdg1 sw`; `stm32h743 option_bytes` shows which set is in force";
	} else if (commit.refused) {
		snprintf(verdict, size, "the chip refused the option change (FLASH_OPTSR_CUR "
			"OPTCHANGEERR)");
		next = "see the causes listed above; the previous option bytes stay in force";
	} else if (commit.timed_out) {
		snprintf(verdict, size, "the option change did not end in time (FLASH_OPTSR_CUR "
			"OPT_BUSY stayed set)");
		next = "do not power the board off; reset it and read the option bytes back "
			"(`stm32h743 option_bytes`)";
	} else {
		snprintf(verdict, size, "the option registers read back differently from what "
			"was written, without a reset or an error flag seen");
		next = "`reset halt`, then `stm32h743 option_bytes` to see what is in force, and "
			"run the command again";
	}
	LOG_ERROR("stm32h743: %s failed: %s", what, verdict);
	LOG_USER("  next: %s", next);
	return retval;
}

/*
 * Every *_PRG register gets its intended value on every commit: a value left
 * in a *_PRG register by a refused change must not ride along with the next.
 */
int stm32h743_option_apply(struct target *target, const struct ob_words *next,
		unsigned int timeout_ms)
{
	const struct stm32h743_option_write w[] = {
		{ STM32H743_OPTSR_PRG, 0, next->optsr },
		{ STM32H743_BOOT_PRG, 0, next->boot },
		{ STM32H743_PRAR_PRG, 0, next->prar[0] }, { STM32H743_PRAR_PRG, 1, next->prar[1] },
		{ STM32H743_SCAR_PRG, 0, next->scar[0] }, { STM32H743_SCAR_PRG, 1, next->scar[1] },
		{ STM32H743_WPSN_PRG, 0, next->wpsn[0] }, { STM32H743_WPSN_PRG, 1, next->wpsn[1] },
	};

	return stm32h743_option_commit(target, w, ARRAY_SIZE(w), timeout_ms);
}

int stm32h743_protect_check(struct flash_bank *bank)
{
	uint32_t wpsn;
	int retval = stm32h743_read_reg(bank, STM32H743_WPSN_CUR, &wpsn);

	if (retval != ERROR_OK)
		return retval;
	for (unsigned int s = 0; s < bank->num_sectors; s++)
		bank->sectors[s].is_protected = !(wpsn & BIT(s));	/* active low */
	return ERROR_OK;
}

/* WPSN bits are active low: 0 protects the sector (RM0433 4.9.13). */
int stm32h743_protect(struct flash_bank *bank, int set, unsigned int first, unsigned int last)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	struct ob_words words;
	uint32_t bits = 0;

	if (first > last || last >= bank->num_sectors) {
		LOG_ERROR("protect: sectors %u..%u are not in bank %u at " TARGET_ADDR_FMT " (%u "
			"sectors); nothing was changed", first, last, info->index + 1, bank->base,
			bank->num_sectors);
		return ERROR_FLASH_SECTOR_INVALID;
	}
	char verdict[512];
	int retval = stm32h743_read_option_words(bank->target, &words);

	if (retval != ERROR_OK)
		return stm32h743_option_failed(bank, "protect", false, retval, verdict,
			sizeof(verdict));
	for (unsigned int s = first; s <= last; s++)
		bits |= BIT(s);
	uint32_t wpsn = words.wpsn[info->index];
	uint32_t value = set ? (wpsn & ~bits) : (wpsn | bits);

	if (value == wpsn) {
		LOG_INFO("bank %u sectors %u..%u are already %s", info->index + 1, first, last,
			set ? "protected" : "unprotected");
		return ERROR_OK;
	}
	words.wpsn[info->index] = value;
	retval = stm32h743_option_apply(bank->target, &words, 10000);
	if (retval != ERROR_OK)
		return stm32h743_option_failed(bank, "protect", true, retval, verdict,
			sizeof(verdict));
	LOG_INFO("bank %u sectors %u..%u %s (%s: 0x%02" PRIx32 " -> 0x%02" PRIx32 ")",
			info->index + 1, first, last, set ? "write protected" : "unprotected",
			stm32h743_reg_name(bank, STM32H743_WPSN_CUR), wpsn & 0xFF, value & 0xFF);
	return retval;
}
