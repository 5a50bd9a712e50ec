// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Upstream stm32h7x's commands on stm32h743 banks, so that scripts and IDE
 * launch configurations written for OpenOCD 0.12's stm32h7x driver run
 * unchanged: the same names, arguments and output (src/flash/nor/stm32h7x.c
 * of 0.12 for the formats), each mapped onto this driver's own command and
 * with a hint naming it. Option registers as in RM0433 4.9 (FLASH_*_PRG).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <target/target.h>

#include "stm32h743_diag.h"
#include "stm32h743_obfields.h"

static void deprecated(const char *old, const char *now)
{
	LOG_WARNING("`stm32h7x %s` is upstream stm32h7x's command: with the stm32h743 driver "
		"use `%s`", old, now);
}

/* Upstream's first argument: a bank, by number or name, probed. */
static int compat_bank(struct command_invocation *cmd, unsigned int argc, const char *usage,
		struct flash_bank **bank)
{
	if (argc != CMD_ARGC) {
		command_print(cmd, "%s", usage);
		return ERROR_COMMAND_SYNTAX_ERROR;
	}
	return stm32h743_command_bank(cmd, true, bank);
}

COMMAND_HANDLER(stm32h743_compat_mass_erase)
{
	struct flash_bank *bank;
	int retval = compat_bank(CMD, 1, "stm32h7x mass_erase <bank>", &bank);

	if (retval != ERROR_OK)
		return retval;
	deprecated("mass_erase", "stm32h743 mass_erase BANK");
	retval = stm32h743_erase_banks(&bank, 1);
	if (retval == ERROR_OK)
		command_print(CMD, "stm32h7x mass erase complete");
	else
		command_print(CMD, "stm32h7x mass erase failed%s%s",
			stm32h743_last_verdict() ? ": " : "",
			stm32h743_last_verdict() ? stm32h743_last_verdict() : "");
	return retval;
}

static int compat_rdp(struct command_invocation *cmd, const char *old, const char *level,
		const char *done, const char *failed)
{
	struct flash_bank *bank;
	char usage[48];

	snprintf(usage, sizeof(usage), "stm32h7x %s <bank>", old);
	int retval = compat_bank(cmd, 1, usage, &bank);

	if (retval != ERROR_OK)
		return retval;
	deprecated(old, !strcmp(old, "lock") ? "stm32h743 lock" : "stm32h743 unlock");
	retval = stm32h743_set_rdp(cmd, bank, level, old);
	command_print(cmd, "%s", retval == ERROR_OK ? done : failed);
	return retval;
}

/* RDP level 1 for the whole chip: upstream's lock takes a bank, the level is global. */
COMMAND_HANDLER(stm32h743_compat_lock)
{
	return compat_rdp(CMD, "lock", "1", "stm32h7x locked", "stm32h7x failed to lock device");
}

COMMAND_HANDLER(stm32h743_compat_unlock)
{
	return compat_rdp(CMD, "unlock", "0", "stm32h7x unlocked",
		"stm32h7x failed to unlock device");
}

/* A register offset from the bank's controller, as upstream takes it. */
static int parse_offset(struct command_invocation *cmd, const char *arg, uint32_t *offset)
{
	if (parse_u32(arg, offset) != ERROR_OK || *offset > 0xFC || (*offset & 3)) {
		command_print(cmd, "'%s' is not a FLASH register offset (a multiple of 4 up to "
			"0xfc, e.g. 0x1c for FLASH_OPTSR_CUR)", arg);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	return ERROR_OK;
}

COMMAND_HANDLER(stm32h743_compat_option_read)
{
	struct flash_bank *bank;
	uint32_t offset, value;
	int retval = compat_bank(CMD, 2, "stm32h7x option_read <bank> <option_reg offset>", &bank);

	if (retval == ERROR_OK)
		retval = parse_offset(CMD, CMD_ARGV[1], &offset);
	if (retval != ERROR_OK)
		return retval;
	deprecated("option_read", "stm32h743 option_bytes (or option_get FIELD)");

	uint32_t addr = stm32h743_reg_address(stm32h743_info(bank)->index, STM32H743_ACR) + offset;

	retval = target_read_u32(bank->target, addr, &value);
	if (retval != ERROR_OK)
		return retval;
	command_print(CMD, "Option Register: <0x%" PRIx32 "> = 0x%" PRIx32, addr, value);
	return ERROR_OK;
}

/* The option words upstream's option_write can reach, by *_PRG offset. */
static const struct {
	uint32_t offset;
	enum ob_word word;
	const char *name;
} prg_words[] = {
	{ 0x20, OB_OPTSR, "FLASH_OPTSR_PRG" },
	{ 0x2C, OB_PRAR, "FLASH_PRAR_PRG" },
	{ 0x34, OB_SCAR, "FLASH_SCAR_PRG" },
	{ 0x3C, OB_WPSN, "FLASH_WPSN_PRG" },
	{ 0x44, OB_BOOT, "FLASH_BOOT_PRG" },
};

/* The bits of a word some option field owns. */
static uint32_t field_bits(enum ob_word word, unsigned int bank)
{
	uint32_t bits = 0;

	for (size_t i = 0; i < ob_nfields; i++) {
		const struct ob_field *f = &ob_fields[i];

		if (f->word != word || (word != OB_OPTSR && word != OB_BOOT && f->bank != bank))
			continue;
		bits |= (f->width >= 32 ? 0xFFFFFFFFu : (uint32_t)(BIT(f->width) - 1)) << f->shift;
	}
	return bits;
}

/*
 * Upstream writes the register and starts the change; here the new word is
 * turned into field=value pairs and goes through `stm32h743 option_set`,
 * with its checks: no reserved or read-only bit, no RDP level 2 or area
 * without the confirm word (which upstream never asked for: refused).
 */
COMMAND_HANDLER(stm32h743_compat_option_write)
{
	static const char usage[] = "stm32h7x option_write <bank> <option_reg offset> <value> [mask]";
	struct flash_bank *bank;
	uint32_t offset, value, mask = 0xFFFFFFFF;
	struct ob_words cur;
	int retval = compat_bank(CMD, CMD_ARGC == 4 ? 4 : 3, usage, &bank);

	if (retval == ERROR_OK)
		retval = parse_offset(CMD, CMD_ARGV[1], &offset);
	if (retval != ERROR_OK)
		return retval;
	if (parse_u32(CMD_ARGV[2], &value) != ERROR_OK ||
	    (CMD_ARGC == 4 && parse_u32(CMD_ARGV[3], &mask) != ERROR_OK)) {
		command_print(CMD, "value and mask must be 32-bit numbers; %s", usage);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	size_t k = 0;

	while (k < ARRAY_SIZE(prg_words) && prg_words[k].offset != offset)
		k++;
	if (k == ARRAY_SIZE(prg_words)) {
		command_print(CMD, "0x%" PRIx32 " is not an option register to program: give a *_PRG "
			"offset (0x20 FLASH_OPTSR_PRG, 0x2c FLASH_PRAR_PRG, 0x34 FLASH_SCAR_PRG, 0x3c "
			"FLASH_WPSN_PRG, 0x44 FLASH_BOOT_PRG); nothing written", offset);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	deprecated("option_write", "stm32h743 option_set FIELD VALUE");
	retval = stm32h743_read_option_words(bank->target, &cur);
	if (retval != ERROR_OK)
		return retval;

	unsigned int index = stm32h743_info(bank)->index;
	enum ob_word word = prg_words[k].word;
	uint32_t old = *ob_word(&cur, word, index);
	uint32_t next = (old & ~mask) | (value & mask);
	uint32_t stray = (old ^ next) & ~field_bits(word, index);

	if (stray) {
		command_print(CMD, "bits 0x%08" PRIx32 " of %s are not option fields (reserved or "
			"read-only); nothing written", stray, prg_words[k].name);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	struct ob_words after = cur;
	const char *argv[2 * 16];
	char values[16][OB_VALUE_MAX + 1];
	unsigned int argc = 0;

	*ob_word(&after, word, index) = next;
	for (size_t i = 0; i < ob_nfields && argc < ARRAY_SIZE(argv); i++) {
		const struct ob_field *f = &ob_fields[i];
		uint32_t raw = ob_get_raw(f, &after);

		if (raw == ob_get_raw(f, &cur))
			continue;
		unsigned int n = argc / 2;

		ob_format(f, raw, values[n], sizeof(values[0]));
		argv[argc] = f->name;
		argv[argc + 1] = values[n];
		argc += 2;
	}
	if (!argc) {
		command_print(CMD, "%s already holds 0x%08" PRIx32 "; nothing written",
			prg_words[k].name, next);
		return ERROR_OK;
	}
	return stm32h743_option_set_pairs(CMD, bank, argv, argc, "option_write");
}

static const struct command_registration stm32h743_compat_exec_handlers[] = {
	{
		.name = "lock",
		.handler = stm32h743_compat_lock,
		.mode = COMMAND_EXEC,
		.usage = "bank_id",
		.help = "Upstream stm32h7x's name for `stm32h743 lock` (RDP level 1).",
	},
	{
		.name = "unlock",
		.handler = stm32h743_compat_unlock,
		.mode = COMMAND_EXEC,
		.usage = "bank_id",
		.help = "Upstream stm32h7x's name for `stm32h743 unlock` (RDP level 0, mass "
			"erase).",
	},
	{
		.name = "mass_erase",
		.handler = stm32h743_compat_mass_erase,
		.mode = COMMAND_EXEC,
		.usage = "bank_id",
		.help = "Upstream stm32h7x's name for `stm32h743 mass_erase bank_id`.",
	},
	{
		.name = "option_read",
		.handler = stm32h743_compat_option_read,
		.mode = COMMAND_EXEC,
		.usage = "bank_id reg_offset",
		.help = "Upstream stm32h7x's raw read of a FLASH register; `stm32h743 "
			"option_bytes` decodes them.",
	},
	{
		.name = "option_write",
		.handler = stm32h743_compat_option_write,
		.mode = COMMAND_EXEC,
		.usage = "bank_id reg_offset value [mask]",
		.help = "Upstream stm32h7x's raw write of an option register, done as "
			"`stm32h743 option_set` of the fields it changes.",
	},
	COMMAND_REGISTRATION_DONE
};

const struct command_registration stm32h743_compat_command_handlers[] = {
	{
		.name = "stm32h7x",
		.mode = COMMAND_ANY,
		.help = "upstream stm32h7x commands, on stm32h743 banks",
		.usage = "",
		.chain = stm32h743_compat_exec_handlers,
	},
	COMMAND_REGISTRATION_DONE
};
