// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Option-byte changes (OPTSTART): the *_PRG values are programmed and loaded
 * into *_CUR after a delay, with the RDP level 1 -> 0 regression mass erase
 * (RM0433 section 4.4). SWAP_BANK only moves the banks at the next reset.
 */
#include "flash.h"
#include "log.h"

#include <stddef.h>

static unsigned int rdp_of(uint32_t optsr)
{
	return (optsr & OPTSR_RDP_MASK) >> OPTSR_RDP_SHIFT;
}

/*
 * Which changes the controller refuses with OPTCHANGEERR. The manual's list
 * is not available to us; chosen here: anything while RDP level 2 is in force
 * (option bytes are frozen there), and clearing SECURITY without an RDP
 * regression. An operation still queued on either bank is no reason: the
 * change waits behind it (UNCONFIRMED; the public report of OPTSTART issued
 * during a sector erase that completed after the erase, without
 * OPTCHANGEERR).
 */
static const char *option_change_refused(const struct flash *f, bool regression)
{
	if (rdp_of(f->cur.optsr) == RDP_LEVEL2)
		return "RDP level 2 freezes the option bytes";
	if ((f->cur.optsr & OPTSR_SECURITY) && !(f->prg.optsr & OPTSR_SECURITY) && !regression)
		return "SECURITY can only be cleared together with an RDP regression";
	return NULL;
}

/*
 * RDP 1 -> 0: both banks are erased except PCROP and secure areas whose
 * DMEP/DMES bit asks to keep them; the backup SRAM is erased too.
 */
static void rdp_regression_erase(struct flash *f)
{
	for (unsigned int bank = 0; bank < f->variant->banks; bank++) {
		uint32_t len = f->variant->sectors_per_bank * FLASH_SECTOR_BYTES;

		for (uint32_t off = 0; off < len; off += FLASH_WORD_BYTES) {
			bool keep = (flash_area_contains(f->cur.prar[bank], off) &&
				     !(f->cur.prar[bank] & AREA_DM)) ||
				    (flash_area_contains(f->cur.scar[bank], off) &&
				     !(f->cur.scar[bank] & AREA_DM));

			if (!keep)
				flash_erase_range(f, bank, off, FLASH_WORD_BYTES, false);
		}
	}
	if (f->hooks.erase_backup_sram)
		f->hooks.erase_backup_sram(f->hooks.ctx);
	sim_info("flash: RDP regression to level 0 erased the user flash");
}

static void option_change_done(void *ctx)
{
	struct flash *f = ctx;

	if (f->opt_regression)
		rdp_regression_erase(f);
	f->nv = f->prg;
	f->nv.optsr &= OPTSR_PRG_MASK;
	f->cur = f->nv;
	f->opt_busy = false;
	f->option_changes++;
	f->dirty = true;
	sim_trace("flash: option bytes committed, OPTSR 0x%08x", f->nv.optsr);
	flash_crc_resume(f);
	if (f->hooks.options_loaded)
		f->hooks.options_loaded(f->hooks.ctx);
}

static bool queues_empty(const struct flash *f)
{
	return !f->bank[0].nqueued && !f->bank[1].nqueued;
}

static void option_change_begin(struct flash *f)
{
	uint64_t duration = flash_option_change_time();

	f->opt_waiting = false;
	f->opt_busy = true;
	if (f->opt_regression)
		duration += flash_bank_erase_time(3);
	vclock_schedule(f->clk, &f->opt_done, f->clk->now + duration, option_change_done, f);
}

void flash_option_queue_empty(struct flash *f)
{
	if (f->opt_waiting && queues_empty(f))
		option_change_begin(f);
}

void flash_option_start(struct flash *f)
{
	bool regression = rdp_of(f->cur.optsr) != RDP_LEVEL0 && rdp_of(f->prg.optsr) == RDP_LEVEL0;
	const char *why;

	if (f->opt_busy || f->opt_waiting)
		return;
	why = option_change_refused(f, regression);
	if (why) {
		f->optchangeerr = true;
		sim_trace("flash: option change refused (OPTCHANGEERR): %s", why);
		return;
	}
	f->opt_regression = regression;
	if (!queues_empty(f)) {
		f->opt_waiting = true;	/* OPT_BUSY already reads 1 */
		sim_trace("flash: option change waits for the queued operations");
		return;
	}
	option_change_begin(f);
}
