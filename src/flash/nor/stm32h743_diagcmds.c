// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * The Tcl side of the stm32h743 diagnosis: `stm32h743 diagnose`,
 * `stm32h743 last_failure` (both return the diagnosis as a dict) and
 * `stm32h743 program_test`, the one check that writes flash, on request.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <target/image.h>
#include <target/target.h>

#include "stm32h743_diag.h"


static void dict_put(Jim_Interp *interp, Jim_Obj *dict, const char *key, Jim_Obj *value)
{
	Jim_DictAddElement(interp, dict, Jim_NewStringObj(interp, key, -1), value);
}

static Jim_Obj *diagnosis_dict(Jim_Interp *interp, const struct stm32h743_diagnosis *d)
{
	Jim_Obj *dict = Jim_NewDictObj(interp, NULL, 0);
	char hex[24];

	if (!d->valid)
		return dict;
	/* made only now: objects no dict holds would never be freed */
	Jim_Obj *causes = Jim_NewListObj(interp, NULL, 0);
	Jim_Obj *regs = Jim_NewDictObj(interp, NULL, 0);

	dict_put(interp, dict, "cause", Jim_NewStringObj(interp, stm32h743_cause_name(d->cause), -1));
	dict_put(interp, dict, "verdict", Jim_NewStringObj(interp, d->verdict, -1));
	dict_put(interp, dict, "detail", Jim_NewStringObj(interp, d->detail, -1));
	dict_put(interp, dict, "operation", Jim_NewStringObj(interp, d->operation, -1));
	snprintf(hex, sizeof(hex), "0x%08" PRIx64, (uint64_t)d->address);
	dict_put(interp, dict, "address", Jim_NewStringObj(interp, d->has_address ? hex : "", -1));
	dict_put(interp, dict, "next", Jim_NewStringObj(interp, d->next_step, -1));
	dict_put(interp, dict, "facts", Jim_NewStringObj(interp, d->facts, -1));
	for (unsigned int i = 0; i < d->ncand; i++) {
		const struct stm32h743_candidate *k = &d->cand[d->order[i]];
		Jim_Obj *one = Jim_NewDictObj(interp, NULL, 0);

		dict_put(interp, one, "cause", Jim_NewStringObj(interp,
			stm32h743_cause_name(k->cause), -1));
		dict_put(interp, one, "score", Jim_NewIntObj(interp, k->score));
		dict_put(interp, one, "evidence", Jim_NewStringObj(interp, k->evidence, -1));
		Jim_ListAppendElement(interp, causes, one);
	}
	dict_put(interp, dict, "causes", causes);
	for (unsigned int r = 0; r < EV_COUNT; r++) {
		if (!d->ev.have[r])
			continue;
		snprintf(hex, sizeof(hex), "0x%08" PRIx32, d->ev.reg[r]);
		dict_put(interp, regs, stm32h743_evidence_name(r), Jim_NewStringObj(interp, hex, -1));
	}
	dict_put(interp, dict, "registers", regs);
	return dict;
}

static void print_dict(struct command_invocation *cmd, const struct stm32h743_diagnosis *d)
{
	Jim_Interp *interp = CMD_CTX->interp;
	Jim_Obj *dict = diagnosis_dict(interp, d);

	Jim_IncrRefCount(dict);
	command_print_sameline(cmd, "%s", Jim_GetString(dict, NULL));
	Jim_DecrRefCount(interp, dict);
}

COMMAND_HANDLER(stm32h743_handle_last_failure_command)
{
	if (CMD_ARGC)
		return stm32h743_bad_args(CMD, "", "takes no arguments, but got '%s'", CMD_ARGV[0]);
	print_dict(CMD, stm32h743_last_diagnosis());
	return ERROR_OK;
}

/* The expected bytes of FILE for [addr, addr + len) of one bank; 0xFF where FILE has none. */
static int load_expected(struct command_invocation *cmd, struct flash_bank *bank,
		const char *file, target_addr_t *base_override, uint8_t **out, uint32_t *lo_out,
		uint32_t *hi_out)
{
	struct image image;
	uint32_t lo = UINT32_MAX, hi = 0;
	int retval;

	image.base_address_set = base_override;
	image.base_address = base_override ? *base_override : 0;
	image.start_address_set = false;
	retval = image_open(&image, file, NULL);
	if (retval != ERROR_OK) {
		command_print(cmd, "cannot open %s as an image: %s", file,
			stm32h743_why_not_an_image(file));
		return retval;
	}
	uint8_t *buf = malloc(bank->size);

	if (!buf) {
		image_close(&image);
		return ERROR_FAIL;
	}
	memset(buf, bank->erased_value, bank->size);
	for (unsigned int i = 0; i < image.num_sections && retval == ERROR_OK; i++) {
		struct imagesection *s = &image.sections[i];
		target_addr_t from = MAX(s->base_address, bank->base);
		target_addr_t to = MIN(s->base_address + s->size, bank->base + bank->size);
		size_t got;

		if (from >= to)
			continue;
		retval = image_read_section(&image, i, from - s->base_address, to - from,
			buf + (from - bank->base), &got);
		if (retval != ERROR_OK)
			command_print(cmd, "cannot read %s: its data is cut short or broken (see the "
				"messages above)", file);
		lo = MIN(lo, from - bank->base);
		hi = MAX(hi, from - bank->base + got);
	}
	image_close(&image);
	if (retval == ERROR_OK && lo >= hi) {
		command_print(cmd, "%s has no data inside bank %u (" TARGET_ADDR_FMT "-"
			TARGET_ADDR_FMT ")", file, stm32h743_info(bank)->index + 1, bank->base,
			bank->base + bank->size - 1);
		retval = ERROR_COMMAND_ARGUMENT_INVALID;
	}
	if (retval != ERROR_OK) {
		free(buf);
		return retval;
	}
	*out = buf;
	*lo_out = lo;
	*hi_out = hi;
	return ERROR_OK;
}

/* `stm32h743 diagnose` of one bank; the result is left as the last diagnosis. */
static int diagnose_bank(struct command_invocation *cmd, struct flash_bank *bank,
		struct stm32h743_failure *fp)
{
	struct stm32h743_diagnosis *last = stm32h743_last_diagnosis();
	struct stm32h743_failure f = *fp;
	target_addr_t base;
	uint8_t *expected = NULL;
	uint32_t lo = 0, hi = 0;
	int retval;

	if (stm32h743_info(bank)->absent) {
		command_print(CMD, "bank %u at " TARGET_ADDR_FMT " is absent on the %s",
			stm32h743_info(bank)->index + 1, bank->base, stm32h743_info(bank)->part->name);
		return ERROR_FLASH_BANK_INVALID;
	}
	if (CMD_ARGC == 3 && parse_target_addr(CMD_ARGV[2], &base) != ERROR_OK) {
		command_print(CMD, "diagnose: '%s' is not an address", CMD_ARGV[2]);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	f.bank = bank;
	f.addr = bank->base;
	f.len = bank->size;
	if (CMD_ARGC >= 2) {
		retval = load_expected(CMD, bank, CMD_ARGV[1], CMD_ARGC == 3 ? &base : NULL,
			&expected, &lo, &hi);
		if (retval != ERROR_OK)
			return retval;
		f.file = CMD_ARGV[1];
		f.addr = bank->base + lo;
		f.len = hi - lo;
		f.expected = expected + lo;
		retval = stm32h743_compare(bank, f.expected, lo, f.len, &f);
		if (retval == ERROR_OK) {
			char verdict[300];

			snprintf(verdict, sizeof(verdict), "no difference: flash matches %s (%u "
				"bytes at 0x%08" PRIx32 ")", f.file, f.len, (uint32_t)f.addr);
			stm32h743_set_no_failure(bank, "diagnose", verdict);
			free(expected);
			print_dict(CMD, last);
			return ERROR_OK;
		}
	}
	stm32h743_diagnose(&f);
	free(expected);
	stm32h743_state_facts(bank, last);
	/* without a file, an unknown cause only means nothing is wrong */
	if (CMD_ARGC == 1 && last->cause == CAUSE_UNKNOWN) {
		last->cause = CAUSE_NONE;
		snprintf(last->verdict, sizeof(last->verdict), "nothing wrong found in bank %u: no "
			"error flag, no protection in the way, supply and clock consistent",
			stm32h743_info(bank)->index + 1);
		snprintf(last->next_step, sizeof(last->next_step), "give FILE to compare flash with it");
	}
	stm32h743_log_diagnosis(last, false);
	print_dict(CMD, last);
	return ERROR_OK;
}

/*
 * stm32h743 diagnose BANK ?FILE ?ADDRESS??: without FILE, diagnose the state
 * of the bank (flags, protection, supply, clock); with FILE, compare it first
 * (at ADDRESS for a raw binary) and explain any difference.
 */
COMMAND_HANDLER(stm32h743_handle_diagnose_command)
{
	struct flash_bank *bank;
	struct stm32h743_failure f = { .operation = "diagnose" };

	if (CMD_ARGC < 1 || CMD_ARGC > 3)
		return stm32h743_bad_args(CMD, "bank_id [file [address]]", "%u arguments, expected a "
			"bank, then optionally a file and an address", CMD_ARGC);
	int retval = stm32h743_command_bank(CMD, true, &bank);

	if (retval != ERROR_OK)
		return retval;
	/* `last_failure` keeps describing the last failed operation, not this look */
	static struct stm32h743_diagnosis saved;

	saved = *stm32h743_last_diagnosis();
	retval = diagnose_bank(CMD, bank, &f);
	*stm32h743_last_diagnosis() = saved;
	return retval;
}

/* The pattern of scratch word n: every bit 0 and 1 somewhere, varied per word. */
static void scratch_pattern(unsigned int n, uint8_t *w)
{
	static const uint8_t base[4] = { 0x55, 0xAA, 0x00, 0x0F };

	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		w[i] = base[(n + i / 8) % 4] ^ (uint8_t)(i * 0x11 * (n & 1));
}

/*
 * stm32h743 program_test BANK ADDRESS ?COUNT?: program COUNT erased flash
 * words with known patterns and read each back twice. It spends those words
 * (they stay programmed until their sector is erased), hence its own
 * command: the diagnosis never writes flash by itself.
 */
COMMAND_HANDLER(stm32h743_handle_program_test_command)
{
	struct flash_bank *bank;
	target_addr_t addr;
	unsigned int count = 4, bad = 0, unstable = 0, up = 0, down = 0;

	if (CMD_ARGC < 2 || CMD_ARGC > 3)
		return stm32h743_bad_args(CMD, "bank_id address [count]", "%u arguments, expected a "
			"bank, an address and optionally a count", CMD_ARGC);
	int retval = stm32h743_command_bank(CMD, true, &bank);

	if (retval != ERROR_OK)
		return retval;
	if (parse_target_addr(CMD_ARGV[1], &addr) != ERROR_OK) {
		command_print(CMD, "program_test: '%s' is not an address", CMD_ARGV[1]);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	if (CMD_ARGC == 3 && parse_uint(CMD_ARGV[2], &count) != ERROR_OK)
		count = 0;
	if (count < 1 || count > 64) {
		command_print(CMD, "program_test: COUNT must be 1 to 64 flash words, not %s",
			CMD_ARGV[2]);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	uint32_t len = count * STM32H743_FLASH_WORD;

	if (stm32h743_info(bank)->absent) {
		command_print(CMD, "program_test: bank %u at " TARGET_ADDR_FMT " is absent on the %s",
			stm32h743_info(bank)->index + 1, bank->base, stm32h743_info(bank)->part->name);
		return ERROR_FLASH_BANK_INVALID;
	}
	if (addr % STM32H743_FLASH_WORD || addr < bank->base ||
	    addr + len > bank->base + bank->size) {
		command_print(CMD, "program_test: " TARGET_ADDR_FMT " is not the start of %u flash "
			"word%s inside bank %u (" TARGET_ADDR_FMT "-" TARGET_ADDR_FMT ", 32-byte "
			"aligned)", addr, count, count > 1 ? "s" : "", stm32h743_info(bank)->index + 1,
			bank->base, bank->base + bank->size - 1);
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	uint8_t *data = malloc(len), *back = malloc(2 * len);

	if (!data || !back) {
		free(data);
		free(back);
		return ERROR_FAIL;
	}
	/* only erased words: programming over data would corrupt it (and prove nothing) */
	retval = target_read_buffer(bank->target, addr, len, back);
	if (retval != ERROR_OK)
		command_print(CMD, "program_test: cannot read " TARGET_ADDR_FMT " to check that it "
			"is erased; nothing programmed", addr);
	for (uint32_t i = 0; retval == ERROR_OK && i < len; i++) {
		if (back[i] != 0xFF) {
			command_print(CMD, "program_test: 0x%08" PRIx32 " is not erased (reads 0x%02x); "
				"give erased flash words (a spare area after `flash erase_sector`)",
				(uint32_t)(addr + i), back[i]);
			retval = ERROR_COMMAND_ARGUMENT_INVALID;
		}
	}
	for (unsigned int n = 0; n < count; n++)
		scratch_pattern(n, data + n * STM32H743_FLASH_WORD);
	if (retval == ERROR_OK) {
		retval = bank->driver->write(bank, data, addr - bank->base, len);
		/* the write's refusal or diagnosis verdict is the error message */
		const char *why = retval != ERROR_OK ? stm32h743_failure_reason(bank) : NULL;

		if (retval != ERROR_OK)
			command_print(CMD, "program_test: %s", why ? why : "the write failed (see the "
				"messages above)");
	}
	if (retval == ERROR_OK) {
		retval = target_read_buffer(bank->target, addr, len, back);
		if (retval == ERROR_OK)
			retval = target_read_buffer(bank->target, addr, len, back + len);
		if (retval != ERROR_OK)
			command_print(CMD, "program_test: the test words at " TARGET_ADDR_FMT " were "
				"programmed but cannot be read back (see the messages above)", addr);
	}
	for (unsigned int n = 0; retval == ERROR_OK && n < count; n++) {
		const uint8_t *want = data + n * STM32H743_FLASH_WORD;
		const uint8_t *got = back + n * STM32H743_FLASH_WORD;
		bool wrong = memcmp(got, want, STM32H743_FLASH_WORD) != 0;

		unstable += memcmp(got, got + len, STM32H743_FLASH_WORD) != 0;
		bad += wrong;
		for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++) {
			up += __builtin_popcount(got[i] & ~want[i] & 0xFF);
			down += __builtin_popcount(want[i] & ~got[i] & 0xFF);
		}
	}
	free(data);
	free(back);
	if (retval != ERROR_OK)
		return retval;
	command_print_sameline(CMD, "words %u bad_words %u bits_read_1 %u bits_read_0 %u "
		"unstable_words %u verdict {%s}", count, bad, up, down, unstable,
		!bad && !unstable ? "programming works: every test word reads back as written" :
		unstable ? "reads are unstable: a word read differently twice (read path, wait "
		"states or supply)" : "programming does not take: test words read back with wrong "
		"bits (suspect the core supply: VCAP, VOS; try `stm32h743 psize BANK 32`)");
	return ERROR_OK;
}

const struct command_registration stm32h743_diag_command_handlers[] = {
	{
		.name = "diagnose",
		.handler = stm32h743_handle_diagnose_command,
		.mode = COMMAND_EXEC,
		.usage = "bank_id [file [address]]",
		.help = "Diagnose a bank: with a file, compare it with flash and explain any "
			"difference from evidence (other bank, offset, erase, supply, wait states, "
			"protection, target activity). Returns a dict: cause, verdict, causes, "
			"registers, next.",
	},
	{
		.name = "program_test",
		.handler = stm32h743_handle_program_test_command,
		.mode = COMMAND_EXEC,
		.usage = "bank_id address [count]",
		.help = "Program COUNT (default 4) erased flash words at ADDRESS with test "
			"patterns and read them back twice: does programming take on this "
			"board? Spends those words until their sector is erased. Returns a dict.",
	},
	{
		.name = "last_failure",
		.handler = stm32h743_handle_last_failure_command,
		.mode = COMMAND_EXEC,
		.usage = "",
		.help = "The diagnosis of the last failed verify, program or erase as a dict "
			"(empty when the last operation passed).",
	},
	COMMAND_REGISTRATION_DONE
};
