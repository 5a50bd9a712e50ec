// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_memory.h"
#include "fuzz_chip.h"

/* About one AP transaction of OpenOCD over remote_bitbang at 4 MHz TCK. */
#define ACCESS_PS (25 * PS_PER_US)

static struct stm32h743 *chip;

bool fuzz_mem_reset(uint8_t config)
{
	struct fuzz_chip_choice choice;

	fuzz_chip_config(config, &choice);
	chip = fuzz_chip_get(&choice);
	return chip != NULL;
}

static void live(uint64_t ps)
{
	chip->wire_debt_ps += (int64_t)ps;
	chip_settle(chip);
}

/* The DP's part of an AP transaction (jtag_dp.c ap_access()), without the sticky flags. */
static bool ap0_access(uint64_t addr, unsigned int size, bool write, uint32_t *value)
{
	struct mem_ap *ap = &chip->ap0;
	uint32_t lane = (uint32_t)(addr & 3) * 8, drw = write ? *value << lane : 0;
	bool ok;

	if (addr > 0xFFFFFFFFu - (size - 1) || (size != 1 && size != 2 && size != 4) ||
	    (addr & (size - 1)))
		return false;
	live(ACCESS_PS);
	chip->dp.ap_transactions++;	/* fuzz_chip_get() clears RAM after this */
	if (chip->dp.aps_disabled)
		return false;
	chip->dp.before_ap(chip->dp.ctx);
	ok = !ap->unclocked &&
		mem_ap_write(ap, AP_REG_CSW, (ap->csw & ~CSW_SIZE_MASK) | (size >> 1)) == BUS_OK &&
		mem_ap_write(ap, AP_REG_TAR, (uint32_t)addr) == BUS_OK &&
		(write ? mem_ap_write(ap, AP_REG_DRW, drw) : mem_ap_read(ap, AP_REG_DRW, &drw)) ==
		BUS_OK;
	chip->dp.after_ap(chip->dp.ctx);
	if (ok && !write)
		*value = (drw >> lane) & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
	return ok;
}

bool fuzz_mem_read(uint64_t addr, unsigned int size, uint32_t *value)
{
	return ap0_access(addr, size, false, value);
}

bool fuzz_mem_write(uint64_t addr, unsigned int size, uint32_t value)
{
	return ap0_access(addr, size, true, &value);
}

void fuzz_mem_sleep(uint64_t ms)
{
	live(ms * PS_PER_MS);
}

int64_t fuzz_mem_now_ms(void)
{
	return chip ? (int64_t)(chip->clock.now / PS_PER_MS) : 0;
}
