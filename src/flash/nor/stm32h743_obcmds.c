// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * stm32h743 commands on option bytes: option_bytes, option_get, option_set,
 * lock, unlock, swap_bank, and mass_erase. Every change is validated in full
 * before the chip is touched and committed with one OPTSTART.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/command.h>
#include <helper/time_support.h>
#include <target/target.h>

#include "stm32h743.h"
#include "stm32h743_diag.h"
#include "stm32h743_obfields.h"

#define CONFIRM_WORD "confirm"

int stm32h743_read_option_words(struct target *target, struct ob_words *w)
{
	struct { enum stm32h743_reg reg; unsigned int index; uint32_t *dst; } rd[] = {
		{ STM32H743_OPTSR_CUR, 0, &w->optsr }, { STM32H743_BOOT_CUR, 0, &w->boot },
		{ STM32H743_PRAR_CUR, 0, &w->prar[0] }, { STM32H743_PRAR_CUR, 1, &w->prar[1] },
		{ STM32H743_SCAR_CUR, 0, &w->scar[0] }, { STM32H743_SCAR_CUR, 1, &w->scar[1] },
		{ STM32H743_WPSN_CUR, 0, &w->wpsn[0] }, { STM32H743_WPSN_CUR, 1, &w->wpsn[1] },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rd); i++) {
		int retval = stm32h743_read_bank_reg(target, rd[i].index, rd[i].reg, rd[i].dst);

		if (retval != ERROR_OK)
			return retval;
	}
	w->optsr &= ~(OPTSR_OPT_BUSY | OPTSR_OPTCHANGEERR);	/* status, not options */
	w->wpsn[0] &= 0xFF;
	w->wpsn[1] &= 0xFF;
	return ERROR_OK;
}

/* Any stm32h743 bank of the current target: the option bytes are chip-wide. */
static struct flash_bank *first_bank(struct command_invocation *cmd)
{
	struct target *target = get_current_target(CMD_CTX);
	const char *why = NULL;

	for (struct flash_bank *b = flash_bank_list(); b; b = b->next) {
		if (b->target != target || !stm32h743_is_our_bank(b))
			continue;
		if (b->driver->auto_probe(b) == ERROR_OK)
			return b;
		if (!why && stm32h743_info(b)->probe_error[0])
			why = stm32h743_info(b)->probe_error;
	}
	command_print(cmd, "no probed stm32h743 flash bank on target %s%s%s", target_name(target),
		why ? ": " : "", why ? why : "");
	return NULL;
}

static int change_failed(struct command_invocation *cmd, struct flash_bank *bank,
		const char *what, bool began, int retval);

static bool field_present(struct flash_bank *bank, const struct ob_field *f)
{
	const struct stm32h743_part *part = stm32h743_info(bank)->part;

	if (part->banks > 1)
		return true;
	return f->word == OB_OPTSR ? strcmp(f->name, "swap_bank") != 0 :
		(f->word == OB_BOOT || f->bank == 0);
}

COMMAND_HANDLER(stm32h743_handle_option_bytes_command)
{
	struct ob_words w;
	char value[96], meaning[160];

	if (CMD_ARGC)
		return stm32h743_bad_args(CMD, "", "takes no arguments (`stm32h743 option_get "
			"FIELD` reads one field)");
	struct flash_bank *bank = first_bank(CMD);

	if (!bank)
		return ERROR_FAIL;
	int retval = stm32h743_read_option_words(bank->target, &w);

	if (retval != ERROR_OK)
		return change_failed(CMD, bank, "option_bytes", false, retval);
	uint32_t optcr = 0;

	stm32h743_read_bank_reg(bank->target, 0, STM32H743_OPTCR, &optcr);
	/* People get the table in the log; the command's result is a dict for scripts. */
	LOG_USER("option bytes in force (FLASH_*_CUR registers):");
	for (size_t i = 0; i < ob_nfields; i++) {
		const struct ob_field *f = &ob_fields[i];

		if (!field_present(bank, f))
			continue;
		uint32_t raw = ob_get_raw(f, &w);

		ob_format(f, raw, value, sizeof(value));
		ob_meaning(f, raw, meaning, sizeof(meaning));
		LOG_USER("  %-13s %-26s %s", f->name, value, meaning);
		command_print_sameline(CMD, "%s%s {%s}", i ? " " : "", f->name, value);
	}
	if (stm32h743_info(bank)->part->banks > 1)
		LOG_USER("  now: 0x08000000 is physical bank %u (FLASH_OPTCR.SWAP_BANK=%u)",
			(optcr & OPTCR_SWAP_BANK) ? 2 : 1, (optcr & OPTCR_SWAP_BANK) ? 1 : 0);
	return ERROR_OK;
}

COMMAND_HANDLER(stm32h743_handle_option_get_command)
{
	struct flash_bank *bank;
	struct ob_words w;
	char value[96];

	if (CMD_ARGC != 1)
		return stm32h743_bad_args(CMD, "field", "%u arguments, expected one field name "
			"(`stm32h743 option_bytes` lists them)", CMD_ARGC);
	const struct ob_field *f = ob_find_field(CMD_ARGV[0]);

	if (!f) {
		command_print(CMD, "unknown option field '%s' (`stm32h743 option_bytes` lists them)",
			CMD_ARGV[0]);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	bank = first_bank(CMD);
	if (!bank)
		return ERROR_FAIL;
	if (!field_present(bank, f)) {
		command_print(CMD, "option field '%s' does not exist on the %s (one bank, no bank "
			"swap)", f->name, stm32h743_info(bank)->part->name);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	int retval = stm32h743_read_option_words(bank->target, &w);

	if (retval != ERROR_OK)
		return change_failed(CMD, bank, "option_get", false, retval);
	ob_format(f, ob_get_raw(f, &w), value, sizeof(value));
	command_print_sameline(CMD, "%s", value);
	return ERROR_OK;
}

/* Refuse a dangerous change unless the confirm word was given; say why. */
static bool guard_allows(struct command_invocation *cmd, const struct ob_field *f, uint32_t raw,
		bool confirm)
{
	if (confirm || f->guard == OB_GUARD_NONE)
		return true;
	if (f->guard == OB_GUARD_RDP2 && raw != 0xCC)
		return true;
	/* START > END is no area: nothing becomes unreadable. */
	if (f->guard == OB_GUARD_AREA && (raw & 0xFFF) > ((raw >> 16) & 0xFFF))
		return true;
	if (f->guard == OB_GUARD_AREA) {
		bool pcrop = f->word == OB_PRAR;
		char area[48];

		ob_format(f, raw, area, sizeof(area));
		command_print(cmd, "refused: %s {%s} makes that flash %s, and getting rid of the "
			"area again can take an RDP regression (level 1 -> 0) with %s%u set to erase, "
			"which erases the code in it. Add the word '" CONFIRM_WORD "' to really do "
			"it; nothing written", f->name, area, pcrop ?
			"execute-only (PCROP): no debugger, DMA or data read gets its contents back" :
			"secure-only: once SECURITY is on, only secure code reads, erases or programs it",
			pcrop ? "dmep" : "dmes", f->bank + 1);
		return false;
	}
	if (f->guard == OB_GUARD_RDP2)
		command_print(cmd, "refused: RDP level 2 is irreversible: debug access is disabled "
			"for good and the option bytes can never change again. Add the word '"
			CONFIRM_WORD "' to really do it");
	else if (!strcmp(f->name, "security"))
		command_print(cmd, "refused: changing SECURITY changes which code may run and what "
			"the debugger can reach, and clearing it may need an RDP regression. Add the "
			"word '" CONFIRM_WORD "' to really do it");
	else
		command_print(cmd, "refused: %s decides whether protected code is erased (or "
			"which area is secure-only); a wrong value loses code or locks it away. Add "
			"the word '" CONFIRM_WORD "' to really do it", f->name);
	return false;
}

/* Whether field f differs between before and after; if so, both values formatted into a and b. */
static bool field_changed(const struct ob_field *f, const struct ob_words *before,
		const struct ob_words *after, char *a, char *b, size_t size)
{
	uint32_t x = ob_get_raw(f, before), y = ob_get_raw(f, after);

	if (x == y)
		return false;
	ob_format(f, x, a, size);
	ob_format(f, y, b, size);
	return true;
}

/* Each changed field as a line for people: "bor_lev: 0 -> 2". */
static void log_changes(const struct ob_words *before, const struct ob_words *after)
{
	char a[96], b[96];

	for (size_t i = 0; i < ob_nfields; i++) {
		const struct ob_field *f = &ob_fields[i];

		if (!field_changed(f, before, after, a, b, sizeof(a)))
			continue;
		/* values with spaces (areas, sector lists) read as one Tcl word */
		LOG_USER("%s: %s%s%s -> %s%s%s", f->name, strchr(a, ' ') ? "{" : "", a,
			strchr(a, ' ') ? "}" : "", strchr(b, ' ') ? "{" : "", b,
			strchr(b, ' ') ? "}" : "");
	}
}

static void dict_put(Jim_Interp *interp, Jim_Obj *dict, const char *key, Jim_Obj *value)
{
	Jim_DictAddElement(interp, dict, Jim_NewStringObj(interp, key, -1), value);
}

static void dict_put_str(Jim_Interp *interp, Jim_Obj *dict, const char *key, const char *value)
{
	dict_put(interp, dict, key, Jim_NewStringObj(interp, value, -1));
}

/* A dict as the command's result (Tcl quoting by Jim), freed afterwards. */
static void print_dict(struct command_invocation *cmd, Jim_Obj *dict)
{
	Jim_IncrRefCount(dict);
	command_print_sameline(cmd, "%s", Jim_GetString(dict, NULL));
	Jim_DecrRefCount(CMD_CTX->interp, dict);
}

/*
 * The result of a change for scripts: each field that changed, as read back,
 * with {from OLD to NEW}; an empty dict when nothing changed.
 */
static Jim_Obj *changes_dict(Jim_Interp *interp, const struct ob_words *before,
		const struct ob_words *after)
{
	Jim_Obj *dict = Jim_NewDictObj(interp, NULL, 0);
	char a[96], b[96];

	for (size_t i = 0; i < ob_nfields; i++) {
		const struct ob_field *f = &ob_fields[i];

		if (!field_changed(f, before, after, a, b, sizeof(a)))
			continue;
		Jim_Obj *change = Jim_NewDictObj(interp, NULL, 0);

		dict_put_str(interp, change, "from", a);
		dict_put_str(interp, change, "to", b);
		dict_put(interp, dict, f->name, change);
	}
	return dict;
}

/*
 * The last word before RDP level 2 is committed (confirmed already): it
 * closes the debug port for good (RM0433 4.5.3).
 */
static void warn_rdp_level2(void)
{
	LOG_WARNING("******************** RDP LEVEL 2 IS PERMANENT ********************");
	LOG_WARNING("committing RDP level 2 now (RDP byte 0xCC into FLASH_OPTSR_PRG), as confirmed:");
	LOG_WARNING("  - SWD/JTAG debug and boundary scan end for good once the change completes;");
	LOG_WARNING("  - the option bytes freeze: RDP, write protection, PCROP and secure areas,");
	LOG_WARNING("    boot addresses can never change again;");
	LOG_WARNING("  - no reset, power cycle, mass erase or debugger undoes it; only the");
	LOG_WARNING("    firmware now in flash runs, and updates only if it can update itself");
	LOG_WARNING("******************************************************************");
}

/* The change failed after it began: the verdict is the command's message. */
static int change_failed(struct command_invocation *cmd, struct flash_bank *bank,
		const char *what, bool began, int retval)
{
	char verdict[512];

	/* refused before it touched anything (target running, key locked): the refusal */
	if (began && !stm32h743_option_commit_started() && stm32h743_link_alive(bank, NULL)) {
		const char *why = stm32h743_failure_reason(bank);

		command_print(cmd, "%s failed: %s; nothing written", what,
			why ? why : "see the messages above");
		return retval;
	}
	stm32h743_option_failed(bank, what, began, retval, verdict, sizeof(verdict));
	command_print(cmd, "%s failed: %s", what, verdict);
	return retval;
}

/* The raw option words behind a decoded change, for -d3 logs. */
static void log_words(const char *what, const char *label, const struct ob_words *w)
{
	LOG_DEBUG("%s: %s OPTSR=0x%08" PRIx32 " BOOT=0x%08" PRIx32 " PRAR=0x%08" PRIx32 "/0x%08"
		PRIx32 " SCAR=0x%08" PRIx32 "/0x%08" PRIx32 " WPSN=0x%08" PRIx32 "/0x%08" PRIx32,
		what, label, w->optsr, w->boot, w->prar[0], w->prar[1], w->scar[0], w->scar[1],
		w->wpsn[0], w->wpsn[1]);
}

/*
 * Apply name/value pairs as one option change; what names the command. On
 * success *before and *after are the option words before and after (the
 * same when nothing was written), for the caller's result.
 */
static int option_set(struct command_invocation *cmd, struct flash_bank *bank,
		const char *const *argv, unsigned int argc, bool confirm, const char *what,
		struct ob_words *before, struct ob_words *after)
{
	struct target *target = bank->target;
	struct ob_words cur, next;
	char err[256];
	int retval = stm32h743_read_option_words(target, &cur);

	if (retval != ERROR_OK)
		return change_failed(cmd, bank, what, false, retval);
	next = cur;
	/* Validate everything first: nothing is written when one pair is wrong. */
	const struct stm32h743_part *part = stm32h743_info(bank)->part;

	for (unsigned int i = 0; i + 1 < argc; i += 2) {
		const struct ob_field *f = ob_find_field(argv[i]);
		uint32_t raw;

		if (!f) {
			command_print(cmd, "unknown option field '%s' (`stm32h743 option_bytes` lists "
				"them); nothing written", argv[i]);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		if (!field_present(bank, f)) {
			command_print(cmd, "option field '%s' does not exist on the %s (one bank, no "
				"bank swap); nothing written", argv[i], part->name);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		for (unsigned int j = 0; j < i; j += 2) {
			if (!strcmp(argv[j], argv[i])) {
				command_print(cmd, "option field '%s' is given twice; give each field "
					"once; nothing written", f->name);
				return ERROR_COMMAND_ARGUMENT_INVALID;
			}
		}
		if (ob_parse(f, argv[i + 1], ob_get_raw(f, &cur), part->sectors_per_bank, &raw, err,
				sizeof(err)) != 0) {
			command_print(cmd, "%s; nothing written", err);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		if (raw != ob_get_raw(f, &cur) && !guard_allows(cmd, f, raw, confirm))
			return ERROR_COMMAND_ARGUMENT_INVALID;
		ob_set_raw(f, &next, raw);
	}
	*before = cur;
	*after = cur;
	if (!memcmp(&cur, &next, sizeof(cur))) {
		LOG_INFO("%s: option bytes already hold these values; nothing written", what);
		return ERROR_OK;
	}
	log_words(what, "current", &cur);
	log_words(what, "to write", &next);
	bool regression = stm32h743_rdp_level(cur.optsr) > 0 && stm32h743_rdp_level(next.optsr) == 0;

	if (regression)
		LOG_WARNING("RDP level %u -> 0: the chip mass-erases both flash banks (PCROP and "
			"secure areas whose DMEP/DMES is 0 are kept) and the backup SRAM",
			stm32h743_rdp_level(cur.optsr));
	if (stm32h743_rdp_level(next.optsr) == 2 && stm32h743_rdp_level(cur.optsr) != 2)
		warn_rdp_level2();
	retval = stm32h743_option_apply(target, &next, regression ? 60000 : 10000);
	if (retval == ERROR_OK && stm32h743_option_port_closed()) {
		/* nothing can be read back: what was written is the best account */
		LOG_USER("rdp: %u -> 2 (the debug port closed as the change ended; the chip can no "
			"longer be read)", stm32h743_rdp_level(cur.optsr));
		*after = next;
		return ERROR_OK;
	}
	if (retval == ERROR_OK)
		retval = stm32h743_read_option_words(target, after);
	if (retval != ERROR_OK)
		return change_failed(cmd, bank, what, true, retval);
	log_words(what, "read back", after);
	log_changes(&cur, after);
	if (memcmp(after, &next, sizeof(*after)) != 0) {
		LOG_ERROR("the chip did not take every value: the option registers read back "
			"differently from what was written (see above)");
		return change_failed(cmd, bank, what, true, ERROR_FLASH_OPERATION_FAILED);
	}
	if ((next.optsr ^ cur.optsr) & OPTSR_SWAP_BANK_OPT)
		LOG_INFO("the bank swap takes effect at the next reset");
	return ERROR_OK;
}

/* option_set, then its changes as the command's result. */
static int option_set_result(struct command_invocation *cmd, struct flash_bank *bank,
		const char *const *argv, unsigned int argc, bool confirm, const char *what)
{
	struct ob_words before, after;
	int retval = option_set(cmd, bank, argv, argc, confirm, what, &before, &after);

	if (retval == ERROR_OK)
		print_dict(cmd, changes_dict(CMD_CTX->interp, &before, &after));
	return retval;
}

COMMAND_HANDLER(stm32h743_handle_option_set_command)
{
	bool confirm = CMD_ARGC && !strcmp(CMD_ARGV[CMD_ARGC - 1], CONFIRM_WORD);
	unsigned int argc = CMD_ARGC - (confirm ? 1 : 0);

	if (argc == 0)
		return stm32h743_bad_args(CMD, "field value [field value ...] [confirm]", "no field "
			"and value given (`stm32h743 option_bytes` lists the fields)");
	if (argc % 2) {
		const char *last = CMD_ARGV[argc - 1];

		if (!strcasecmp(last, CONFIRM_WORD))
			command_print(CMD, "'%s' is not the confirm word: write '" CONFIRM_WORD "' in "
				"lower case, as the last word; nothing written", last);
		else
			command_print(CMD, "field '%s' has no value (fields and values come in pairs); "
				"nothing written", last);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	struct flash_bank *bank = first_bank(CMD);

	return bank ? option_set_result(CMD, bank, CMD_ARGV, argc, confirm, "option_set") :
		ERROR_FAIL;
}

/* For upstream's commands (stm32h743_compat.c): their own output, no dict. */
int stm32h743_option_set_pairs(struct command_invocation *cmd, struct flash_bank *bank,
		const char *const *argv, unsigned int argc, const char *what)
{
	struct ob_words before, after;

	return option_set(cmd, bank, argv, argc, false, what, &before, &after);
}

int stm32h743_set_rdp(struct command_invocation *cmd, struct flash_bank *bank, const char *level,
		const char *what)
{
	const char *const args[] = { "rdp", level };

	return stm32h743_option_set_pairs(cmd, bank, args, 2, what);
}

/* `lock` and `unlock`: an RDP level change, said in plain words first. */
static int set_rdp_level(struct command_invocation *cmd, const char *level, const char *what,
		const char *why)
{
	const char *const args[] = { "rdp", level };
	struct flash_bank *bank;

	if (CMD_ARGC)
		return stm32h743_bad_args(cmd, "", "takes no arguments, but got '%s'", CMD_ARGV[0]);
	bank = first_bank(cmd);
	if (!bank)
		return ERROR_FAIL;
	if (why)
		LOG_INFO("%s", why);
	return option_set_result(cmd, bank, args, 2, false, what);
}

COMMAND_HANDLER(stm32h743_handle_lock_command)
{
	return set_rdp_level(CMD, "1", "lock", "setting RDP level 1: the debugger loses access to the "
		"flash until `stm32h743 unlock`, which mass-erases it");
}

COMMAND_HANDLER(stm32h743_handle_unlock_command)
{
	return set_rdp_level(CMD, "0", "unlock", NULL);	/* option_set warns about the mass erase */
}

/*
 * `swap_bank ... reset`: the reset, then proof that it took effect. A reset
 * that loses the target can still "succeed" as a command.
 */
static int swap_reset(struct command_invocation *cmd, struct flash_bank *bank, bool on)
{
	struct target *target = bank->target;
	char verdict[512];
	uint32_t optsr;
	int retval = command_run_line(cmd->ctx, "reset halt");

	if (retval == ERROR_OK)
		retval = stm32h743_read_bank_reg(target, 0, STM32H743_OPTSR_CUR, &optsr);
	if (retval != ERROR_OK) {
		stm32h743_option_failed(bank, "swap_bank", true, retval, verdict, sizeof(verdict));
		command_print(cmd, "swap_bank failed: the reset after the change did not complete: %s",
			verdict);
		return retval;
	}
	if (!!(optsr & OPTSR_SWAP_BANK_OPT) != on) {
		LOG_ERROR("stm32h743: swap_bank failed: after the reset FLASH_OPTSR_CUR=0x%08" PRIx32
			" still has SWAP_BANK=%u", optsr, on ? 0 : 1);
		command_print(cmd, "swap_bank failed: the swap is not in force after the reset "
			"(FLASH_OPTSR_CUR=0x%08" PRIx32 "); `stm32h743 option_bytes` shows the option "
			"bytes", optsr);
		return ERROR_FLASH_OPERATION_FAILED;
	}
	if (target->state != TARGET_HALTED)
		LOG_WARNING("swap_bank: the target did not halt after the reset (state %s)",
			target_state_name(target));
	LOG_USER("reset: 0x08000000 now shows physical bank %u", on ? 2 : 1);
	return ERROR_OK;
}

COMMAND_HANDLER(stm32h743_handle_swap_bank_command)
{
	static const char usage[] = "on|off|toggle [reset]";
	struct flash_bank *bank;
	struct ob_words w;

	if (CMD_ARGC < 1)
		return stm32h743_bad_args(CMD, usage, "no value given: on, off or toggle");
	if (CMD_ARGC > 2)
		return stm32h743_bad_args(CMD, usage, "%u arguments, expected a value and at most "
			"the word 'reset'", CMD_ARGC);
	const char *value = CMD_ARGV[0];

	if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0 && strcmp(value, "toggle") != 0)
		return stm32h743_bad_args(CMD, usage, "'%s' is not on, off or toggle", value);
	if (CMD_ARGC == 2 && strcmp(CMD_ARGV[1], "reset") != 0)
		return stm32h743_bad_args(CMD, usage, "'%s' is not the word 'reset' (which resets "
			"the chip so that the swap takes effect)", CMD_ARGV[1]);
	bank = first_bank(CMD);
	if (!bank)
		return ERROR_FAIL;
	if (stm32h743_info(bank)->part->banks < 2) {
		command_print(CMD, "the %s has one bank: nothing to swap",
			stm32h743_info(bank)->part->name);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	int retval = stm32h743_read_option_words(bank->target, &w);

	if (retval != ERROR_OK)
		return change_failed(CMD, bank, "swap_bank", false, retval);
	bool was_on = w.optsr & OPTSR_SWAP_BANK_OPT;

	if (!strcmp(value, "toggle"))
		value = was_on ? "off" : "on";
	const char *const args[] = { "swap_bank", value };
	struct ob_words before, after;

	retval = option_set(CMD, bank, args, 2, false, "swap_bank", &before, &after);
	if (retval == ERROR_OK && CMD_ARGC == 2)
		retval = swap_reset(CMD, bank, !strcmp(value, "on"));
	if (retval != ERROR_OK)
		return retval;
	/* for scripts: the option, what it was, and what 0x08000000 shows now */
	uint32_t optcr;

	retval = stm32h743_read_bank_reg(bank->target, 0, STM32H743_OPTCR, &optcr);
	if (retval != ERROR_OK) {
		command_print(CMD, "swap_bank: the option is %s, but FLASH_OPTCR cannot be read to "
			"tell which bank is mapped (see the messages above)", value);
		return retval;
	}
	Jim_Interp *interp = CMD_CTX->interp;
	Jim_Obj *dict = Jim_NewDictObj(interp, NULL, 0);

	dict_put_str(interp, dict, "swap_bank", value);
	dict_put_str(interp, dict, "previous", was_on ? "on" : "off");
	dict_put(interp, dict, "reset", Jim_NewIntObj(interp, CMD_ARGC == 2));
	dict_put(interp, dict, "mapped_bank", Jim_NewIntObj(interp,
		(optcr & OPTCR_SWAP_BANK) ? 2 : 1));
	print_dict(CMD, dict);
	return ERROR_OK;
}

/* Both banks erase at the same time: start each, then wait for each. */
COMMAND_HANDLER(stm32h743_handle_mass_erase_command)
{
	struct flash_bank *banks[2];
	unsigned int n = 0;

	if (CMD_ARGC != 1)
		return stm32h743_bad_args(CMD, "bank_id|all", "%u arguments, expected one bank or "
			"the word 'all'", CMD_ARGC);
	if (!strcmp(CMD_ARGV[0], "all")) {
		struct target *target = get_current_target(CMD_CTX);

		for (struct flash_bank *b = flash_bank_list(); b && n < 2; b = b->next) {
			if (b->target != target || !stm32h743_is_our_bank(b))
				continue;
			if (b->driver->auto_probe(b) != ERROR_OK) {
				command_print(CMD, "flash bank %s cannot be probed: %s; nothing erased",
					b->name, stm32h743_info(b)->probe_error);
				return ERROR_FAIL;
			}
			if (b->num_sectors)
				banks[n++] = b;
		}
	} else {
		int retval = stm32h743_command_bank(CMD, true, &banks[0]);

		if (retval != ERROR_OK)
			return retval;
		n = 1;
	}
	if (!n) {
		command_print(CMD, "no stm32h743 flash bank to erase");
		return ERROR_FAIL;
	}
	int64_t start = timeval_ms();
	int retval = stm32h743_erase_banks(banks, n);

	if (retval != ERROR_OK) {
		/* the refusal or the diagnosis verdict is the error message */
		const char *why = stm32h743_failure_reason(banks[0]);

		command_print(CMD, "%s", why ? why : "mass_erase failed: see the messages above");
		return retval;
	}
	Jim_Interp *interp = CMD_CTX->interp;
	Jim_Obj *dict = Jim_NewDictObj(interp, NULL, 0);
	Jim_Obj *erased = Jim_NewListObj(interp, NULL, 0);
	uint32_t bytes = 0;
	char text[32];

	for (unsigned int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "0x%08" PRIx64, (uint64_t)banks[i]->base);
		Jim_ListAppendElement(interp, erased, Jim_NewStringObj(interp, text, -1));
		bytes += banks[i]->size;
	}
	dict_put(interp, dict, "erased", erased);
	dict_put(interp, dict, "bytes", Jim_NewIntObj(interp, bytes));
	snprintf(text, sizeof(text), "%.3f", (timeval_ms() - start) / 1000.0);
	dict_put_str(interp, dict, "seconds", text);
	LOG_INFO("mass_erase: %" PRIu32 " KiB erased in %s s", bytes / 1024, text);
	print_dict(CMD, dict);
	return ERROR_OK;
}

const struct command_registration stm32h743_option_command_handlers[] = {
	{
		.name = "option_bytes",
		.handler = stm32h743_handle_option_bytes_command,
		.mode = COMMAND_EXEC,
		.usage = "",
		.help = "Print every option-byte field with its value and meaning; returns them "
			"as a dict-style list {name value ...}.",
	},
	{
		.name = "option_get",
		.handler = stm32h743_handle_option_get_command,
		.mode = COMMAND_EXEC,
		.usage = "field",
		.help = "Return the value of one option-byte field.",
	},
	{
		.name = "option_set",
		.handler = stm32h743_handle_option_set_command,
		.mode = COMMAND_EXEC,
		.usage = "field value [field value ...] [confirm]",
		.help = "Change option-byte fields in one commit. Every name and value is checked "
			"before anything is written. RDP level 2, security, dmep/dmes, and PCROP or "
			"secure areas other than none need the word 'confirm'.",
	},
	{
		.name = "lock",
		.handler = stm32h743_handle_lock_command,
		.mode = COMMAND_EXEC,
		.usage = "",
		.help = "Set read protection RDP level 1.",
	},
	{
		.name = "unlock",
		.handler = stm32h743_handle_unlock_command,
		.mode = COMMAND_EXEC,
		.usage = "",
		.help = "Return to RDP level 0; the chip mass-erases both banks.",
	},
	{
		.name = "swap_bank",
		.handler = stm32h743_handle_swap_bank_command,
		.mode = COMMAND_EXEC,
		.usage = "on|off|toggle [reset]",
		.help = "Change SWAP_BANK; it takes effect at the next reset ('reset' does one).",
	},
	{
		.name = "mass_erase",
		.handler = stm32h743_handle_mass_erase_command,
		.mode = COMMAND_EXEC,
		.usage = "bank_id|all",
		.help = "Erase a whole bank, or both banks at the same time.",
	},
	COMMAND_REGISTRATION_DONE
};
