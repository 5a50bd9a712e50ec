// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * stm32h743: flash driver for the STM32H742/H743/H753/H750 (device id 0x450).
 *
 *   flash bank $_CHIPNAME.bank1 stm32h743 0x08000000 0 0 0 $_TARGETNAME
 *   flash bank $_CHIPNAME.bank2 stm32h743 0x08100000 0 0 0 $_TARGETNAME
 *
 * Size 0 asks the chip (FLASH_SIZE register). The register set used for a
 * bank follows its address: set 1 (0x52002000) controls whatever is mapped at
 * 0x08000000, also with the banks swapped (RM0433 4.3.13).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <target/arm_adi_v5.h>
#include <target/armv7m.h>
#include <target/target.h>

#include "stm32h743_diag.h"

extern const struct flash_driver stm32h743_flash;

/*
 * A declared size must be whole sectors within one bank; whether the part
 * has that many is only known at probe. Returns NULL when it is acceptable.
 */
static const char *declared_size_problem(uint32_t size)
{
	if (size > STM32H743_BANK_MAX)
		return "is larger than a bank (1 MiB, 8 sectors, on the 2 MiB parts)";
	if (size && size < STM32H743_SECTOR_SIZE)
		return "is less than one 128 KiB sector";
	if (size % STM32H743_SECTOR_SIZE)
		return "is not a whole number of 128 KiB sectors";
	return NULL;
}

FLASH_BANK_COMMAND_HANDLER(stm32h743_flash_bank_command)
{
	if (CMD_ARGC < 6)
		return ERROR_COMMAND_SYNTAX_ERROR;
	if (CMD_ARGC > 6) {
		LOG_ERROR("flash bank %s: the stm32h743 driver takes nothing after the target name, "
			"but got '%s'", bank->name, CMD_ARGV[6]);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	int index = stm32h743_bank_index(bank->base);

	if (index < 0) {
		LOG_ERROR("flash bank %s at " TARGET_ADDR_FMT ": the STM32H743 flash banks are at "
			"0x08000000 and 0x08100000", bank->name, bank->base);
		return ERROR_FLASH_BANK_INVALID;
	}
	const char *problem = declared_size_problem(bank->size);

	if (problem) {
		LOG_ERROR("flash bank %s: size 0x%" PRIx32 " %s; give 0 to take the size from the "
			"chip, or a multiple of 0x20000 up to 0x100000", bank->name, bank->size,
			problem);
		return ERROR_FLASH_BANK_INVALID;
	}
	struct stm32h743_bank *info = calloc(1, sizeof(*info));

	if (!info)
		return ERROR_FAIL;
	info->index = index;
	info->declared_size = bank->size;
	info->psize = 3;	/* x64: fastest; needs VDD >= 1.8 V (DS12110) */
	bank->driver_priv = info;
	bank->write_start_alignment = STM32H743_FLASH_WORD;
	bank->write_end_alignment = STM32H743_FLASH_WORD;
	return ERROR_OK;
}

/* DBGMCU_IDCODE through AP0, or through AP2 when the AXI side is out of reach. */
static int read_idcode(struct target *target, uint32_t *idcode)
{
	if (target_read_u32(target, STM32H743_DBGMCU_IDCODE, idcode) == ERROR_OK)
		return ERROR_OK;
	return stm32h743_read_apb_d(target, STM32H743_DBGMCU_IDCODE_APB, idcode);
}

static int build_sectors(struct flash_bank *bank, uint32_t size)
{
	free(bank->sectors);
	bank->sectors = NULL;
	bank->size = size;
	bank->num_sectors = size / STM32H743_SECTOR_SIZE;
	if (!bank->num_sectors)
		return ERROR_OK;
	bank->sectors = alloc_block_array(0, STM32H743_SECTOR_SIZE, bank->num_sectors);
	return bank->sectors ? ERROR_OK : ERROR_FAIL;
}

/* The probe failed: log why, and keep it for the commands that need the bank. */
static int probe_failed(struct flash_bank *bank, int retval, const char *fmt, ...)
	__attribute__ ((format (PRINTF_ATTRIBUTE_FORMAT, 3, 4)));

static int probe_failed(struct flash_bank *bank, int retval, const char *fmt, ...)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(info->probe_error, sizeof(info->probe_error), fmt, ap);
	va_end(ap);
	LOG_ERROR("%s: %s", bank->name, info->probe_error);
	return retval;
}

static int stm32h743_probe(struct flash_bank *bank)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	struct target *target = bank->target;
	uint16_t flash_kb;
	int retval;

	info->probed = false;
	info->probe_error[0] = 0;
	retval = read_idcode(target, &info->idcode);
	if (retval != ERROR_OK) {
		const char *held = stm32h743_reset_held(target);

		if (!held && target_was_examined(target)) {
			/* it answered once (examine): a verdict line, as for a failed operation */
			probe_failed(bank, retval, "cannot read DBGMCU_IDCODE through AP0 or AP2");
			LOG_ERROR("stm32h743: probe failed: the target or the debug probe went away: "
				"%s answered when examined, now neither AP0 nor AP2 does (target power "
				"lost or probe disconnected); restore it, `reset halt`, then run the "
				"command again", target_name(target));
			return retval;
		}
		return probe_failed(bank, retval, "cannot read DBGMCU_IDCODE through AP0 or AP2: %s",
			held ? held : "check the connection (NRST, VCAP, BOOT0) and the adapter speed");
	}
	if ((info->idcode & 0xFFF) != STM32H743_DEV_ID) {
		return probe_failed(bank, ERROR_FLASH_OPERATION_FAILED, "unexpected device id 0x%03"
			PRIx32 " (DBGMCU_IDCODE=0x%08" PRIx32 "): the stm32h743 driver handles "
			"STM32H742/H743/H753/H750 (0x450); use the stm32h7x driver for other STM32H7 "
			"parts", info->idcode & 0xFFF, info->idcode);
	}
	retval = target_read_u16(target, STM32H743_FLASH_SIZE_REG, &flash_kb);
	if (retval != ERROR_OK) {
		const char *held = stm32h743_reset_held(target);

		return probe_failed(bank, retval, "cannot read the flash size register at 0x%08x: %s",
			STM32H743_FLASH_SIZE_REG, held ? held : "the chip's system memory does not "
			"answer; check the connection, the supply (VDD, VCAP) and the adapter speed");
	}
	LOG_DEBUG("%s: DBGMCU_IDCODE=0x%08" PRIx32 ", flash size register 0x%08x=0x%04x",
		bank->name, info->idcode, STM32H743_FLASH_SIZE_REG, flash_kb);
	info->part = stm32h743_find_part(flash_kb);
	if (!info->part) {
		return probe_failed(bank, ERROR_FLASH_OPERATION_FAILED, "unknown flash size %u KiB "
			"(register 0x%08x reads 0x%04x): expected 2048, 1024 or 128", flash_kb,
			STM32H743_FLASH_SIZE_REG, flash_kb);
	}
	uint32_t size = stm32h743_bank_bytes(info->part, info->index);

	info->absent = size == 0;
	if (info->absent && info->declared_size) {
		return probe_failed(bank, ERROR_FLASH_BANK_INVALID, "declared with %" PRIu32 " KiB "
			"at " TARGET_ADDR_FMT ", but the %s has no flash bank there; declare it with "
			"size 0 (the bank is then reported absent)", info->declared_size / 1024,
			bank->base, info->part->name);
	}
	if (info->absent) {
		/*
		 * Keep the 1 MiB window with no sectors: a bank of size 0 would claim
		 * every address above its base in OpenOCD's bank lookup.
		 */
		LOG_WARNING("%s: the %s has no flash bank at " TARGET_ADDR_FMT "; the bank has no "
			"sectors", bank->name, info->part->name, bank->base);
		free(bank->sectors);
		bank->sectors = NULL;
		bank->num_sectors = 0;
		bank->size = STM32H743_BANK2_BASE - STM32H743_BANK1_BASE;
		info->probed = true;
		return ERROR_OK;
	}
	if (info->declared_size > size) {
		/* sectors beyond the part's bank are not guaranteed to exist (section 1.3) */
		return probe_failed(bank, ERROR_FLASH_BANK_INVALID, "declared size %" PRIu32 " KiB, "
			"but bank %u of the %s has %" PRIu32 " KiB (%u sector%s); declare 0 to take "
			"the size from the chip, or at most 0x%" PRIx32, info->declared_size / 1024,
			info->index + 1, info->part->name, size / 1024, info->part->sectors_per_bank,
			info->part->sectors_per_bank == 1 ? "" : "s", size);
	}
	if (info->declared_size && info->declared_size < size) {
		LOG_WARNING("%s: declared size %" PRIu32 " KiB, but the %s has %" PRIu32 " KiB here; "
			"using the declared size as asked", bank->name, info->declared_size / 1024,
			info->part->name, size / 1024);
		size = info->declared_size;
	}
	retval = build_sectors(bank, size);
	if (retval != ERROR_OK)
		return retval;
	info->probed = true;
	LOG_INFO("%s: %s rev %s, bank %u: %" PRIu32 " KiB at " TARGET_ADDR_FMT, bank->name,
		info->part->name, stm32h743_revision_name(info->idcode >> 16), info->index + 1,
		bank->size / 1024, bank->base);
	return ERROR_OK;
}

static int stm32h743_auto_probe(struct flash_bank *bank)
{
	stm32h743_forget_failure_reason();
	if (stm32h743_info(bank)->probed)
		return ERROR_OK;
	return stm32h743_probe(bank);
}

static int stm32h743_info_cmd(struct flash_bank *bank, struct command_invocation *cmd)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	uint32_t optcr, optsr;

	if (!info->probed) {
		command_print_sameline(cmd, "stm32h743 bank %u: not probed", info->index + 1);
		return ERROR_OK;
	}
	command_print(cmd, "%s (device id 0x%03" PRIx32 ", rev %s), %u KiB flash in %u bank%s",
		info->part->name, info->idcode & 0xFFF, stm32h743_revision_name(info->idcode >> 16),
		info->part->flash_kb, info->part->banks, info->part->banks > 1 ? "s" : "");
	if (info->absent) {
		command_print_sameline(cmd, "bank %u: absent on this part", info->index + 1);
		return ERROR_OK;
	}
	if (stm32h743_read_reg(bank, STM32H743_OPTCR, &optcr) != ERROR_OK ||
	    stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr) != ERROR_OK)
		return ERROR_FAIL;
	bool swapped = optcr & OPTCR_SWAP_BANK;

	command_print(cmd, "bank %u at " TARGET_ADDR_FMT ": physical bank %u%s, %u sector%s of "
		"128 KiB, registers at 0x%08x", info->index + 1, bank->base,
		swapped ? 2 - info->index : info->index + 1, swapped ? " (banks swapped)" : "",
		bank->num_sectors, bank->num_sectors == 1 ? "" : "s",
		STM32H743_FLASH_REGS + info->index * STM32H743_BANK2_REGS);
	command_print(cmd, "read protection: RDP level %u; programming parallelism x%u",
		stm32h743_rdp_level(optsr), 8u << info->psize);
	/* PCROP and secure areas (RM0433 4.5.4-4.5.5); OpenOCD ends the output with a newline. */
	for (unsigned int i = 0; i < 2; i++) {
		struct stm32h743_area a;
		bool pcrop = i == 0;
		char where[32] = "none", line[192];

		if (stm32h743_read_area(bank, pcrop ? STM32H743_PRAR_CUR : STM32H743_SCAR_CUR,
				&a) != ERROR_OK)
			return ERROR_FAIL;
		if (a.defined)
			snprintf(where, sizeof(where), "0x%08" PRIx32 "-0x%08" PRIx32, a.first, a.last);
		snprintf(line, sizeof(line), "%s area: %s (%s=0x%08" PRIx32 ")%s; %s %s: %s by an "
			"RDP regression", pcrop ? "PCROP" : "secure", where,
			stm32h743_reg_name(bank, a.reg), a.value,
			pcrop || !a.defined ? "" : a.enforced ? ", enforced (SECURITY on)" :
			", not enforced (SECURITY off)", pcrop ? "DMEP" : "DMES",
			a.erase_on_regression ? "set" : "clear", a.erase_on_regression ? "erased" : "kept");
		if (pcrop)
			command_print(cmd, "%s", line);
		else
			command_print_sameline(cmd, "%s", line);
	}
	return ERROR_OK;
}

bool stm32h743_is_our_bank(const struct flash_bank *bank)
{
	return bank->driver == &stm32h743_flash;
}

/*
 * Wrong arguments to an stm32h743 command: say what was wrong, then the usage
 * (returning ERROR_COMMAND_SYNTAX_ERROR would print the usage line alone).
 */
int stm32h743_bad_args(struct command_invocation *cmd, const char *usage, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	command_print(cmd, "%s: %s (usage: stm32h743 %s%s%s)", cmd->name, why, cmd->name,
		usage[0] ? " " : "", usage);
	return ERROR_COMMAND_ARGUMENT_INVALID;
}

/*
 * `stm32h743 ...` commands take the bank as its number in `flash list` or its
 * name. Looked up without probing, so host-side settings work while NRST is
 * held; with probe, a failed probe says why.
 */
int stm32h743_command_bank(struct command_invocation *cmd, bool probe, struct flash_bank **bank)
{
	const char *name = CMD_ARGV[0];

	*bank = get_flash_bank_by_name_noprobe(name);
	if (!*bank) {
		unsigned int num;

		if (parse_uint(name, &num) != ERROR_OK) {
			command_print(cmd, "'%s' is neither the number nor the name of a flash bank "
				"(`flash banks` lists them)", name);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		*bank = get_flash_bank_by_num_noprobe(num);
		if (!*bank) {
			command_print(cmd, "flash bank %u does not exist (`flash banks` lists them)", num);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
	}
	if (!stm32h743_is_our_bank(*bank)) {
		command_print(cmd, "flash bank %s is not an stm32h743 bank", (*bank)->name);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	if (!probe)
		return ERROR_OK;
	int retval = (*bank)->driver->auto_probe(*bank);

	if (retval != ERROR_OK) {
		const char *why = stm32h743_info(*bank)->probe_error;

		command_print(cmd, "flash bank %s cannot be probed: %s", (*bank)->name,
			why[0] ? why : "see the messages above");
	}
	return retval;
}

COMMAND_HANDLER(stm32h743_handle_psize_command)
{
	static const char usage[] = "bank_id [8|16|32|64]";
	struct flash_bank *bank;
	unsigned int width;

	if (CMD_ARGC < 1)
		return stm32h743_bad_args(CMD, usage, "no bank given");
	if (CMD_ARGC > 2)
		return stm32h743_bad_args(CMD, usage, "%u arguments, expected a bank and at most "
			"one width", CMD_ARGC);
	/* A host-side setting: no need to reach the chip (NRST may be held). */
	int retval = stm32h743_command_bank(CMD, false, &bank);

	if (retval != ERROR_OK)
		return retval;
	struct stm32h743_bank *info = stm32h743_info(bank);

	if (CMD_ARGC == 2) {
		static const unsigned int widths[] = { 8, 16, 32, 64 };
		unsigned int psize = 0;

		if (parse_uint(CMD_ARGV[1], &width) != ERROR_OK)
			width = 0;
		while (psize < ARRAY_SIZE(widths) && widths[psize] != width)
			psize++;
		if (psize == ARRAY_SIZE(widths)) {
			command_print(CMD, "psize must be 8, 16, 32 or 64 (bits programmed in "
				"parallel), not %s", CMD_ARGV[1]);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		info->psize = psize;
	}
	command_print_sameline(CMD, "%u", 8u << info->psize);
	return ERROR_OK;
}

/*
 * After a failed memory read (e.g. dump_image ADDRESS SIZE): in every
 * stm32h743 bank the range reaches, find the first flash word that cannot
 * be read and diagnose it; without a range, the banks whose controller
 * latched a read error. Returns how many failures were explained.
 */
COMMAND_HANDLER(stm32h743_handle_explain_read_errors_command)
{
	struct target *target = get_current_target(CMD_CTX);
	unsigned int explained = 0;
	target_addr_t addr = 0;
	uint32_t size = 0;

	if (CMD_ARGC != 0 && CMD_ARGC != 2)
		return stm32h743_bad_args(CMD, "[address size]", "%u argument%s, expected none or an "
			"address and a size", CMD_ARGC, CMD_ARGC == 1 ? "" : "s");
	if (CMD_ARGC == 2) {
		if (parse_target_addr(CMD_ARGV[0], &addr) != ERROR_OK ||
		    parse_u32(CMD_ARGV[1], &size) != ERROR_OK) {
			command_print(CMD, "explain_read_errors: '%s %s' is not an address and a 32-bit "
				"size", CMD_ARGV[0], CMD_ARGV[1]);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
	}
	for (struct flash_bank *b = flash_bank_list(); b; b = b->next) {
		uint32_t sr;

		if (b->target != target || !stm32h743_is_our_bank(b) ||
		    !stm32h743_info(b)->probed || stm32h743_info(b)->absent)
			continue;
		if (size) {
			target_addr_t lo = MAX(addr, b->base), hi = MIN(addr + size, b->base + b->size);

			if (lo >= hi)
				continue;
			target_addr_t bad;

			if (!stm32h743_find_unreadable(b->target, lo, hi - lo, &bad))
				continue;
			stm32h743_explain_read_failure(b, bad);
			explained++;
			continue;
		}
		if (stm32h743_read_reg(b, STM32H743_SR, &sr) != ERROR_OK ||
		    !(sr & (SR_DBECCERR | SR_RDPERR | SR_RDSERR)))
			continue;
		stm32h743_explain_read_failure(b, b->base);
		explained++;
	}
	command_print_sameline(CMD, "%u", explained);
	return ERROR_OK;
}

static const struct command_registration stm32h743_exec_command_handlers[] = {
	{
		.name = "psize",
		.handler = stm32h743_handle_psize_command,
		.mode = COMMAND_ANY,
		.usage = "bank_id [8|16|32|64]",
		.help = "Show or set the programming parallelism in bits. x64 (default) needs "
			"VDD >= 1.8 V; use 8, 16 or 32 on boards whose supply cannot take it.",
	},
	{
		.name = "explain_read_errors",
		.handler = stm32h743_handle_explain_read_errors_command,
		.mode = COMMAND_EXEC,
		.usage = "[address size]",
		.help = "Explain why reading flash failed (ECC, read protection, PCROP or "
			"secure area, link): in the range given, or in every bank whose "
			"controller latched a read error. Returns how many were explained. Used "
			"after dump_image fails.",
	},
	{
		.chain = stm32h743_verify_command_handlers,
	},
	{
		.chain = stm32h743_diag_command_handlers,
	},
	{
		.chain = stm32h743_option_command_handlers,
	},
	{
		.chain = stm32h743_image_command_handlers,
	},
	COMMAND_REGISTRATION_DONE
};

/* At shutdown: the bank's data, and the image kept for checksums. */
static void stm32h743_free_driver_priv(struct flash_bank *bank)
{
	stm32h743_forget_image();
	default_flash_free_driver_priv(bank);
}

/* struct flash_driver explain_read_failure (patches/0007): dump_image and others */
static void stm32h743_explain_read(struct flash_bank *bank, target_addr_t addr, uint32_t count)
{
	target_addr_t lo = MAX(addr, bank->base), hi = MIN(addr + count, bank->base + bank->size);
	target_addr_t bad;

	if (lo < hi && stm32h743_info(bank)->probed &&
	    stm32h743_find_unreadable(bank->target, lo, hi - lo, &bad))
		stm32h743_explain_read_failure(bank, bad);
}

static const struct command_registration stm32h743_command_handlers[] = {
	{
		.name = "stm32h743",
		.mode = COMMAND_ANY,
		.help = "stm32h743 flash command group",
		.usage = "",
		.chain = stm32h743_exec_command_handlers,
	},
	{
		.chain = stm32h743_compat_command_handlers,
	},
	COMMAND_REGISTRATION_DONE
};

const struct flash_driver stm32h743_flash = {
	.name = "stm32h743",
	.usage = "flash bank NAME stm32h743 0x08000000|0x08100000 0|SIZE 0 0 TARGET "
		"(size 0: from the chip; else whole 128 KiB sectors)",
	.commands = stm32h743_command_handlers,
	.flash_bank_command = stm32h743_flash_bank_command,
	.erase = stm32h743_erase,
	.protect = stm32h743_protect,
	.write = stm32h743_write,
	.read = stm32h743_read,
	.verify = stm32h743_verify,
	.probe = stm32h743_probe,
	.auto_probe = stm32h743_auto_probe,
	.erase_check = default_flash_blank_check,
	.protect_check = stm32h743_protect_check,
	.info = stm32h743_info_cmd,
	.free_driver_priv = stm32h743_free_driver_priv,
	.failure_reason = stm32h743_failure_reason,
	.write_image = stm32h743_write_image,
	.checksum = stm32h743_checksum,
	.explain_read_failure = stm32h743_explain_read,
};
