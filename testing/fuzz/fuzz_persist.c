// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: h743sim's state-file loader (persist_parse(), what
 * persist_load() runs on the file's bytes), then what the chip makes of a
 * loaded state at power-on: flash registers, option bytes, a read of each
 * sector and the core starting from the boot address they give.
 *
 * Input: one byte, then a state file.
 *   bit 0 of the byte: the sections asked for. 0: "flash-swapped" and
 *     "option-bytes"; 1: "flash-words" too (64 KiB, so only large inputs
 *     load). main.c also asks for "flash", the 2 MiB array: opaque bytes,
 *     too large for the fuzzer to build, so it is never asked for here.
 *   bits 1-7: the chip (fuzz_chip_config() of byte >> 1).
 * Every CRC of the format would stop almost every mutation at the first
 * check, so each input is parsed twice: as it is (the CRC checks), then
 * with every CRC made right (walking the headers the way the parser does),
 * which reaches the checks behind them and, when they pass, the chip.
 *
 * Checked besides the sanitizers: persist_parse() returns 0 or -1; a
 * refused file leaves the sections untouched and gives a reason.
 */
#include "fuzz_chip.h"
#include "log.h"
#include "persist.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Make every CRC of buf right, following the headers as far as they go
 * (layout: persist.h), with the writer's own code: a section that claims
 * more data than the file holds gets the CRC of what is there.
 */
static void repair_crcs(uint8_t *buf, size_t len)
{
	size_t at = PERSIST_FILE_HEADER;

	if (len < PERSIST_FILE_HEADER)
		return;
	persist_seal_file_header(buf);
	while (len - at >= PERSIST_SECTION_HEADER) {
		uint8_t *h = buf + at;
		uint32_t size = persist_get_le32(h + 16);
		size_t room = len - at - PERSIST_SECTION_HEADER;

		persist_seal_section_header(h, h + PERSIST_SECTION_HEADER,
			(uint32_t)(size < room ? size : room));
		if (size > room)
			return;
		at += PERSIST_SECTION_HEADER + size;
	}
}

/* Read what the loaded state gives the chip, as a debugger would after connecting. */
static void use_state(struct stm32h743 *chip)
{
	struct flash *f = &chip->flash;
	uint32_t v;

	f->dirty = true;	/* fuzz_chip_get() restores a fresh chip next time */
	cm7_code_changed(&chip->core, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE);
	flash_recount_bad_words(f);	/* as main.c after loading */
	chip_power_on(chip);
	for (uint32_t off = 0; off < 0x200; off += 4)
		bus_read(&chip->cpu_bus, 0x52002000u + off, 4, &v, MASTER_AP0);
	for (uint32_t off = 0; off < FLASH_ARRAY_SIZE; off += FLASH_SECTOR_BYTES / 4) {
		bus_read(&chip->cpu_bus, FLASH_ARRAY_BASE + off, 4, &v, MASTER_AP0);
		flash_cpu_read_check(f, FLASH_ARRAY_BASE + off, 4);
	}
	chip_run_ahead(chip, 100 * PS_PER_US);
}

/* Where persist_parse() writes: filled with a pattern first, to see what it touched. */
static struct {
	uint8_t swapped;
	struct flash_options nv;
	uint8_t words[2][FLASH_WORDS_PER_BANK];
} scratch;

#define PATTERN 0xA5

static bool scratch_untouched(bool with_words)
{
	const uint8_t *nv = (const uint8_t *)&scratch.nv;

	if (scratch.swapped != PATTERN)
		return false;
	for (size_t i = 0; i < sizeof(scratch.nv); i++)
		if (nv[i] != PATTERN)
			return false;
	return !with_words || (scratch.words[0][0] == PATTERN &&
		scratch.words[1][FLASH_WORDS_PER_BANK - 1] == PATTERN);
}

/*
 * Parse into scratch buffers; a loaded state then goes into a chip (the
 * sections main.c gives persist_load() are the chip's own fields).
 */
static void parse(const struct fuzz_chip_choice *choice, const uint8_t *buf, size_t len,
		bool with_words)
{
	struct persist_section s[3] = {
		{ "flash-swapped", &scratch.swapped, sizeof(scratch.swapped) },
		{ "option-bytes", &scratch.nv, sizeof(scratch.nv) },
		{ "flash-words", scratch.words, sizeof(scratch.words) },
	};
	char why[256] = "";

	memset(&scratch, PATTERN, with_words ? sizeof(scratch) : offsetof(typeof(scratch), words));
	int ret = persist_parse(buf, len, s, with_words ? 3 : 2, why, sizeof(why));

	if (ret != 0) {
		sim_info("state file refused: %s", why);
		if (ret != -1 || !why[0] || !memchr(why, 0, sizeof(why)))
			abort();
		if (!scratch_untouched(with_words))
			abort();	/* refused, yet something was loaded */
		return;
	}
	sim_info("state file loaded");
	struct stm32h743 *chip = fuzz_chip_get(choice);

	if (!chip)
		abort();
	chip->flash.swapped = scratch.swapped;
	chip->flash.nv = scratch.nv;
	if (with_words)
		memcpy(chip->flash.words, scratch.words, sizeof(scratch.words));
	use_state(chip);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_chip_choice choice;

	if (size < 1)
		return 0;
	fuzz_chip_config(data[0] >> 1, &choice);
	uint8_t *copy = malloc(size);

	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	parse(&choice, copy, size - 1, data[0] & 1);
	repair_crcs(copy, size - 1);
	parse(&choice, copy, size - 1, data[0] & 1);
	free(copy);
	return 0;
}
