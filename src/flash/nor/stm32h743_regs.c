// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * The one gateway to the STM32H743 flash controller registers, lock handling,
 * waiting for the command queue, and status decoding by name.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/time_support.h>
#include <jtag/jtag.h>
#include <target/cortex_m.h>
#include <target/cortex_m_cache.h>
#include <target/target.h>

#include "stm32h743_diag.h"

struct reg_info {
	const char *name;
	uint16_t offset;	/* from 0x52002000 for bank 1 */
	bool per_bank;		/* bank 2's copy sits at +0x100 */
};

/* RM0433 section 4.9, table 20 */
static const struct reg_info regs[STM32H743_NUM_REGS] = {
	[STM32H743_ACR]		= { "FLASH_ACR", 0x000, false },
	[STM32H743_KEYR]	= { "FLASH_KEYR", 0x004, true },
	[STM32H743_OPTKEYR]	= { "FLASH_OPTKEYR", 0x008, false },
	[STM32H743_CR]		= { "FLASH_CR", 0x00C, true },
	[STM32H743_SR]		= { "FLASH_SR", 0x010, true },
	[STM32H743_CCR]		= { "FLASH_CCR", 0x014, true },
	[STM32H743_OPTCR]	= { "FLASH_OPTCR", 0x018, false },
	[STM32H743_OPTSR_CUR]	= { "FLASH_OPTSR_CUR", 0x01C, false },
	[STM32H743_OPTSR_PRG]	= { "FLASH_OPTSR_PRG", 0x020, false },
	[STM32H743_OPTCCR]	= { "FLASH_OPTCCR", 0x024, false },
	[STM32H743_PRAR_CUR]	= { "FLASH_PRAR_CUR", 0x028, true },
	[STM32H743_PRAR_PRG]	= { "FLASH_PRAR_PRG", 0x02C, true },
	[STM32H743_SCAR_CUR]	= { "FLASH_SCAR_CUR", 0x030, true },
	[STM32H743_SCAR_PRG]	= { "FLASH_SCAR_PRG", 0x034, true },
	[STM32H743_WPSN_CUR]	= { "FLASH_WPSN_CUR", 0x038, true },
	[STM32H743_WPSN_PRG]	= { "FLASH_WPSN_PRG", 0x03C, true },
	[STM32H743_BOOT_CUR]	= { "FLASH_BOOT_CUR", 0x040, false },
	[STM32H743_BOOT_PRG]	= { "FLASH_BOOT_PRG", 0x044, false },
	[STM32H743_CRCCR]	= { "FLASH_CRCCR", 0x050, true },
	[STM32H743_CRCSADD]	= { "FLASH_CRCSADD", 0x054, true },
	[STM32H743_CRCEADD]	= { "FLASH_CRCEADD", 0x058, true },
	[STM32H743_CRCDATA]	= { "FLASH_CRCDATA", 0x05C, false },
	[STM32H743_ECC_FA]	= { "FLASH_ECC_FA", 0x060, true },
};

uint32_t stm32h743_reg_address(unsigned int index, enum stm32h743_reg reg)
{
	uint32_t addr = STM32H743_FLASH_REGS + regs[reg].offset;

	if (regs[reg].per_bank)
		addr += index * STM32H743_BANK2_REGS;
	return addr;
}

/* A few rotating buffers, so one message can name several registers. */
static const char *reg_name(unsigned int index, enum stm32h743_reg reg)
{
	static char names[4][32];
	static unsigned int next;

	if (!regs[reg].per_bank)
		return regs[reg].name;
	char *name = names[next++ % ARRAY_SIZE(names)];

	snprintf(name, sizeof(names[0]), "%s%u", regs[reg].name, index + 1);
	return name;
}

const char *stm32h743_reg_name(struct flash_bank *bank, enum stm32h743_reg reg)
{
	return reg_name(stm32h743_info(bank)->index, reg);
}

/* The registers outside the flash controller that the driver reads through stm32h743_read_u32_logged. */
static const struct {
	uint32_t address;
	const char *name;
} other_regs[] = {
	{ RCC_RSR, "RCC_RSR" },
	{ 0x580244DC, "RCC_AHB2ENR" },		/* RM0433 8.7.40 */
	{ 0x5C001054, "DBGMCU_APB4FZ1" },	/* RM0433 60.5.8 */
	{ 0x58004804, "IWDG1_PR" },		/* RM0433 45.4 */
	{ 0x58004808, "IWDG1_RLR" },
};

/* The name of a register by its address, for the debug log. */
const char *stm32h743_reg_name_at(uint32_t address)
{
	uint32_t offset = address - STM32H743_FLASH_REGS;

	for (unsigned int reg = 0; reg < STM32H743_NUM_REGS; reg++) {
		if (regs[reg].offset == offset)
			return reg_name(0, reg);
		if (regs[reg].per_bank && offset == regs[reg].offset + (uint32_t)STM32H743_BANK2_REGS)
			return reg_name(1, reg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(other_regs); i++)
		if (other_regs[i].address == address)
			return other_regs[i].name;
	return "register";
}

/*
 * When the target or the probe goes away every later access fails too: say
 * so once, not once per register (the diagnosis then explains it).
 */
static bool first_link_failure(struct target *target)
{
	struct stm32h743_record *rec = stm32h743_record_of(target);

	if (!rec)
		return true;
	if (rec->link_down) {
		LOG_DEBUG("flash controller access failed again (link already down)");
		return false;
	}
	rec->link_down = true;
	return true;
}

static void link_answered(struct target *target)
{
	struct stm32h743_record *rec = stm32h743_record_of(target);

	if (rec)
		rec->link_down = false;
}

/*
 * While NRST is low the AXI side of the chip (flash, its controller, system
 * memory) does not answer the debugger; only the core's debug registers and
 * the debug APB (AP2) do (OpenOCD's tcl/target/stm32h7x.cfg).
 * OpenOCD knows when it drives SRST itself. A reset held by anything else
 * shows as DHCSR.S_RESET_ST (ARMv7-M ARM, DHCSR), asked now: the target state
 * "reset" may be left from an earlier poll, or from a power loss that also
 * took the link. The sticky bits read are handed to the Cortex-M code, which
 * reports resets from them.
 */
const char *stm32h743_reset_held(struct target *target)
{
	struct cortex_m_common *cm = target ? target_to_cortex_m_safe(target) : NULL;
	uint32_t dhcsr;

	if (jtag_get_srst())
		return "NRST is held low by this debugger (SRST asserted, e.g. by "
			"connect_assert_srst or `adapter assert srst`), and in reset the flash and "
			"its controller do not answer; run `reset halt` to release NRST with the "
			"core halted, then try again";
	if (!cm || target->state != TARGET_RESET ||
	    target_read_u32(target, DCB_DHCSR, &dhcsr) != ERROR_OK)
		return NULL;
	cm->dcb_dhcsr_cumulated_sticky |= dhcsr;
	LOG_DEBUG("DHCSR=0x%08" PRIx32 " while the flash does not answer", dhcsr);
	if (!(dhcsr & S_RESET_ST))
		return NULL;
	return "the chip is held in reset (DHCSR.S_RESET_ST set: NRST is low) by something "
		"other than this debugger, such as a reset button, a supervisor or another "
		"probe; release NRST, then run `reset halt` and try again";
}

static const char *unreachable_reason(struct target *target)
{
	const char *held = stm32h743_reset_held(target);

	return held ? held : "the debug connection failed or the flash controller does not "
		"answer; check the connection and the target's power";
}

/*
 * Every register access at debug level (-d3), with name, address and raw
 * value, so that a log shows what each decoded message was made from. A
 * read that repeats the previous one (the same register, the same value:
 * a poll waiting) is counted instead of logged; the count is logged before
 * the next access or when a poll gives up, so a poll shows its first value,
 * how often it read it again, and its final value.
 */
static struct {
	struct target *target;
	uint32_t address;
	uint32_t value;
	unsigned int repeats;
	bool valid;
} last_read;

void stm32h743_reg_log_flush(void)
{
	if (last_read.valid && last_read.repeats)
		LOG_DEBUG("read %s at 0x%08" PRIx32 " %u more time%s: 0x%08" PRIx32,
			stm32h743_reg_name_at(last_read.address), last_read.address,
			last_read.repeats, last_read.repeats == 1 ? "" : "s", last_read.value);
	last_read.repeats = 0;
}

static void log_read(struct target *target, uint32_t address, uint32_t value)
{
	if (!LOG_LEVEL_IS(LOG_LVL_DEBUG))
		return;
	if (last_read.valid && last_read.target == target && last_read.address == address &&
	    last_read.value == value) {
		last_read.repeats++;
		return;
	}
	stm32h743_reg_log_flush();
	LOG_DEBUG("read %s at 0x%08" PRIx32 ": 0x%08" PRIx32, stm32h743_reg_name_at(address),
		address, value);
	last_read.target = target;
	last_read.address = address;
	last_read.value = value;
	last_read.valid = true;
}

static void log_write(uint32_t address, uint32_t value)
{
	if (!LOG_LEVEL_IS(LOG_LVL_DEBUG))
		return;
	stm32h743_reg_log_flush();
	last_read.valid = false;
	LOG_DEBUG("wrote %s at 0x%08" PRIx32 ": 0x%08" PRIx32, stm32h743_reg_name_at(address),
		address, value);
}

/* A register outside the flash controller, read for a decoded message: logged like ours. */
int stm32h743_read_u32_logged(struct target *target, uint32_t address, uint32_t *value)
{
	int retval = target_read_u32(target, address, value);

	if (retval == ERROR_OK)
		log_read(target, address, *value);
	else
		LOG_DEBUG("read %s at 0x%08" PRIx32 " failed (%d)", stm32h743_reg_name_at(address),
			address, retval);
	return retval;
}

int stm32h743_read_bank_reg(struct target *target, unsigned int index, enum stm32h743_reg reg,
		uint32_t *value)
{
	int retval = target_read_u32(target, stm32h743_reg_address(index, reg), value);

	if (retval != ERROR_OK && first_link_failure(target))
		LOG_ERROR("cannot read %s at 0x%08" PRIx32 ": %s", reg_name(index, reg),
			stm32h743_reg_address(index, reg), unreachable_reason(target));
	else if (retval == ERROR_OK) {
		link_answered(target);
		log_read(target, stm32h743_reg_address(index, reg), *value);
	}
	return retval;
}

int stm32h743_write_bank_reg(struct target *target, unsigned int index, enum stm32h743_reg reg,
		uint32_t value)
{
	int retval = target_write_u32(target, stm32h743_reg_address(index, reg), value);

	if (retval != ERROR_OK && first_link_failure(target))
		LOG_ERROR("cannot write %s at 0x%08" PRIx32 ": %s", reg_name(index, reg),
			stm32h743_reg_address(index, reg), unreachable_reason(target));
	else if (retval == ERROR_OK) {
		link_answered(target);
		log_write(stm32h743_reg_address(index, reg), value);
	}
	return retval;
}

int stm32h743_read_reg(struct flash_bank *bank, enum stm32h743_reg reg, uint32_t *value)
{
	return stm32h743_read_bank_reg(bank->target, stm32h743_info(bank)->index, reg, value);
}

int stm32h743_write_reg(struct flash_bank *bank, enum stm32h743_reg reg, uint32_t value)
{
	return stm32h743_write_bank_reg(bank->target, stm32h743_info(bank)->index, reg, value);
}

/* FLASH_SR flags with what each means and what to do about it. */
static const struct {
	uint32_t bit;
	const char *name;
	const char *advice;
} sr_flags[] = {
	{ SR_WRPERR, "WRPERR", "the sector is write protected (WPSN), read protected (RDP level 1 "
		"with a debugger attached) or in a PCROP/secure area; see `flash info` and "
		"`stm32h743 option_bytes`, lift it with `flash protect BANK FIRST LAST off`" },
	{ SR_PGSERR, "PGSERR", "a write reached the flash while FLASH_CR.PG was clear or INCERR "
		"was pending: a programming sequence error, retry the operation" },
	{ SR_STRBERR, "STRBERR", "the same byte of a flash word was written twice before the "
		"word was programmed" },
	{ SR_INCERR, "INCERR", "a write went to another flash word before the current one was "
		"complete: the buffered data was lost" },
	{ SR_OPERR, "OPERR", "the flash operation failed, e.g. a sector number beyond this part" },
	{ SR_RDPERR, "RDPERR", "a read hit a read-protected area (RDP level 1 or PCROP)" },
	{ SR_RDSERR, "RDSERR", "a read hit a secure-only area" },
	{ SR_SNECCERR, "SNECCERR", "a single-bit ECC error was corrected" },
	{ SR_DBECCERR, "DBECCERR", "a double-bit ECC error: a flash word is corrupt; erase its "
		"sector and program it again, and suspect the core supply (VCAP) if it recurs" },
	{ SR_CRCRDERR, "CRCRDERR", "the CRC unit met a protected word" },
};

void stm32h743_sr_flags(uint32_t sr, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } state[] = {
		{ SR_BSY, "BSY" }, { SR_WBNE, "WBNE" }, { SR_QW, "QW" }, { SR_CRC_BUSY, "CRC_BUSY" },
		{ SR_EOP, "EOP" }, { SR_CRCEND, "CRCEND" },
	};
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(state); i++)
		if (sr & state[i].bit)
			used += snprintf(buf + used, used < size ? size - used : 0, "%s%s",
				used ? " " : "", state[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(sr_flags); i++)
		if (sr & sr_flags[i].bit)
			used += snprintf(buf + used, used < size ? size - used : 0, "%s%s",
				used ? " " : "", sr_flags[i].name);
	if (!used)
		snprintf(buf, size, "none");
}

/*
 * Say which error flags are set, what each means and what to try, then clear
 * them. Returns ERROR_OK when there was no error.
 */
int stm32h743_report_errors(struct flash_bank *bank, uint32_t sr, const char *what)
{
	char flags[160];

	if (!(sr & SR_ERRORS))
		return ERROR_OK;
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);

	/* the flags are cleared below: the diagnosis still needs them */
	if (rec)
		rec->last_error_sr = sr;
	stm32h743_sr_flags(sr & SR_ERRORS, flags, sizeof(flags));
	LOG_ERROR("%s failed: %s=0x%08" PRIx32 " (%s)", what, stm32h743_reg_name(bank, STM32H743_SR),
		sr, flags);
	for (size_t i = 0; i < ARRAY_SIZE(sr_flags); i++)
		if (sr & sr_flags[i].bit & SR_ERRORS)
			LOG_ERROR("  %s: %s", sr_flags[i].name, sr_flags[i].advice);
	stm32h743_write_reg(bank, STM32H743_CCR, sr & SR_CLEARABLE);
	return ERROR_FLASH_OPERATION_FAILED;
}

int stm32h743_clear_errors(struct flash_bank *bank)
{
	return stm32h743_write_reg(bank, STM32H743_CCR, SR_CLEARABLE);
}

/*
 * FLASH_KEYRx takes KEY1 then KEY2. A wrong key, or keying an unlocked
 * controller, locks it until the next reset (RM0433 4.5.1), so the lock bit
 * is checked first and again afterwards.
 */
int stm32h743_unlock(struct flash_bank *bank)
{
	uint32_t cr;
	int retval = stm32h743_read_reg(bank, STM32H743_CR, &cr);

	if (retval != ERROR_OK || !(cr & CR_LOCK))
		return retval;
	retval = stm32h743_write_reg(bank, STM32H743_KEYR, FLASH_KEY1);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_KEYR, FLASH_KEY2);
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_CR, &cr);
	if (retval != ERROR_OK)
		return retval;
	if (cr & CR_LOCK) {
		struct stm32h743_record *rec = stm32h743_record_of(bank->target);

		if (rec)
			rec->key_locked = true;
		LOG_ERROR("bank %u: %s stays locked (0x%08" PRIx32 ") after the key sequence: a "
			"wrong key was written since the last reset, which locks the controller "
			"until the next reset; run `reset halt` and try again",
			stm32h743_info(bank)->index + 1, stm32h743_reg_name(bank, STM32H743_CR), cr);
		return ERROR_FLASH_OPERATION_FAILED;
	}
	return ERROR_OK;
}

/*
 * Every erase and program ends here. The controller changed the array, not
 * the Cortex-M7's L1 cache lines, which no other bus master keeps coherent:
 * drop the copies the core may hold (src/target/cortex_m_cache.c).
 */
int stm32h743_lock(struct flash_bank *bank)
{
	int cache_retval = cortex_m_cache_memory_changed(bank->target, bank->base, bank->size);
	int retval = stm32h743_write_reg(bank, STM32H743_CR, CR_LOCK);

	return retval != ERROR_OK ? retval : cache_retval;
}

int stm32h743_poll(const struct stm32h743_poll *p, int64_t start_ms, uint32_t *value)
{
	int64_t next_report = start_ms + 2000, filling_ms = 0;

	for (;;) {
		int retval = p->read(p->ctx, value);

		if (retval != ERROR_OK || !(*value & p->busy))
			return retval;
		int64_t now = timeval_ms();

		if (now - start_ms - filling_ms > p->timeout_ms) {
			stm32h743_reg_log_flush();	/* the reads before the caller's message */
			return ERROR_FLASH_BUSY;
		}
		if (now >= next_report) {
			LOG_INFO("%s: still busy after %.1f s", p->what, (now - start_ms) / 1000.0);
			next_report = now + 2000;
		}
		if (p->filler && p->filler(p->filler_ctx)) {
			filling_ms += timeval_ms() - now;	/* the host's time, not the chip's */
			continue;
		}
		/* Program operations finish within a probe round trip: poll at once. */
		if (now - start_ms > 10)
			alive_sleep(1);
		else
			keep_alive();
	}
}

static int read_sr(void *bank, uint32_t *value)
{
	return stm32h743_read_reg(bank, STM32H743_SR, value);
}

/*
 * Wait until the bank's command queue is empty (FLASH_SR.QW clear), then
 * decode its error flags. The timeout is the datasheet maximum of the
 * operation.
 */
int stm32h743_wait_idle(struct flash_bank *bank, unsigned int timeout_ms, const char *what)
{
	const struct stm32h743_poll p = {
		.what = what, .timeout_ms = timeout_ms, .busy = SR_QW, .read = read_sr, .ctx = bank,
	};
	uint32_t sr;
	int retval = stm32h743_poll(&p, timeval_ms(), &sr);

	if (retval == ERROR_FLASH_BUSY) {
		char flags[160];

		stm32h743_sr_flags(sr, flags, sizeof(flags));
		LOG_ERROR("%s: bank %u still busy after %u ms (%s=0x%08" PRIx32 ": %s); the "
			"datasheet maximum has passed, so the controller is stuck or the supply is "
			"failing; power-cycle the board and check VCAP/VDD", what,
			stm32h743_info(bank)->index + 1, timeout_ms,
			stm32h743_reg_name(bank, STM32H743_SR), sr, flags);
	}
	if (retval != ERROR_OK)
		return retval;
	return stm32h743_report_errors(bank, sr, what);
}
