// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the stm32h743 driver's option-byte field table and its value
 * parser and formatters (src/flash/nor/stm32h743_obfields.c), over every
 * field of the table.
 *
 * Input: field index (modulo the table), four bytes of the field's current
 * raw value (little endian), one byte choosing the buffer sizes, one byte
 * giving the sectors per bank of the part (modulo 10: 0 and 9 are out of
 * range on purpose), then the value text as typed after `stm32h743
 * option_set FIELD`. Buffers are allocated at exactly the size passed, so a
 * write past it is caught (exact_buffer()).
 *
 * Checked besides the sanitizers:
 *  - a value ob_parse() accepts fits the field's width, and its ob_format()
 *    text parses back to the same raw value (what option_get prints can be
 *    given to option_set);
 *  - for the raw bits of the input (any value the chip may hold), the text
 *    of ob_format() is either refused by ob_parse() for a part with 8
 *    sectors per bank (then it must be a value the parser cannot express:
 *    see formats_unparsable()) or parses to a value that formats the same
 *    way;
 *  - ob_set_raw() changes only its own field: every other field of the
 *    table reads back unchanged (check_fields_apart(), once at start-up);
 *  - a refused value leaves an error message that names the field.
 */
#include "stm32h743_obfields.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BIG 512
/* the sizes an input chooses: error message, formatted value, value text */
#define ERR_SIZES	300
#define FMT_SIZES	120
#define VALUE_SIZES	256
/* what ASan's malloc fills a new block with (malloc_fill_byte) */
#define FRESH		0xbe

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *err_bufs[ERR_SIZES + 1], *fmt_bufs[FMT_SIZES + 1], *value_bufs[VALUE_SIZES + 1];

/*
 * A heap buffer of exactly size bytes (1 to max), as a fresh malloc() gives
 * it: every byte FRESH, so a missing terminator is not hidden by what an
 * earlier input left there. One buffer per size, allocated on first use
 * and kept (a malloc and free of three buffers per input were a good part
 * of the target's time). ASan's redzones around each still catch any
 * access past the end.
 */
static char *exact_buffer(char **pool, size_t max, size_t size)
{
	if (size < 1 || size > max)
		abort();
	if (!pool[size]) {
		pool[size] = malloc(size);
		if (!pool[size])
			abort();
	}
	memset(pool[size], FRESH, size);
	return pool[size];
}

static uint32_t width_mask(const struct ob_field *f)
{
	return f->width == 32 ? 0xFFFFFFFFu : (1u << f->width) - 1;
}

/*
 * What ob_format() prints but ob_parse() refuses, by design of the table:
 * boot addresses above 0x3FFF0000 (the option word holds any 16 bits; the
 * parser takes only the documented range, RM0433 4.4.6).
 */
static bool formats_unparsable(const struct ob_field *f, uint32_t raw)
{
	return f->kind == OB_BOOT_ADDR && raw > 0x3FFF;
}

/* ob_format and ob_meaning into a buffer of exactly `size` bytes: terminated in it. */
static void format_exact(const struct ob_field *f, uint32_t raw, size_t size)
{
	char *buf = exact_buffer(fmt_bufs, FMT_SIZES, size);

	ob_format(f, raw, buf, size);
	if (!memchr(buf, 0, size))
		abort();
	buf = exact_buffer(fmt_bufs, FMT_SIZES, size);
	ob_meaning(f, raw, buf, size);
	if (!memchr(buf, 0, size))
		abort();
}

/*
 * ob_set_raw() of one field leaves every other field alone, for words of all
 * zeros, all ones and alternating bits, and values of all zeros, all ones and
 * alternating bits: a property of the table, checked once at start-up.
 */
static void check_fields_apart(void)
{
	static const uint32_t patterns[] = { 0, 0xFFFFFFFFu, 0x55555555u, 0xAAAAAAAAu };

	for (size_t i = 0; i < ob_nfields; i++) {
		const struct ob_field *f = &ob_fields[i];

		for (size_t p = 0; p < 4; p++) {
			for (size_t v = 0; v < 4; v++) {
				struct ob_words w, before;

				memset(&w, (uint8_t)patterns[p], sizeof(w));
				before = w;
				ob_set_raw(f, &w, patterns[v]);
				if (ob_get_raw(f, &w) != (patterns[v] & width_mask(f)))
					abort();
				for (size_t j = 0; j < ob_nfields; j++)
					if (j != i && ob_get_raw(&ob_fields[j], &w) !=
					    ob_get_raw(&ob_fields[j], &before))
						abort();
			}
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	check_fields_apart();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[BIG], again[BIG];
	uint32_t raw, raw2, current;

	if (size < 7)
		return 0;
	const struct ob_field *f = &ob_fields[data[0] % ob_nfields];

	current = data[1] | data[2] << 8 | data[3] << 16 | (uint32_t)data[4] << 24;
	size_t errsize = 1 + data[5] % 300, fmtsize = 1 + (data[5] * 7u) % 120;
	unsigned int sectors = data[6] % 10;
	/* inputs longer than -max_len (given on the command line) get a buffer of their own */
	bool long_value = size - 6 > VALUE_SIZES;
	char *value = long_value ? malloc(size - 6) : exact_buffer(value_bufs, VALUE_SIZES,
		size - 6);
	char *err = exact_buffer(err_bufs, ERR_SIZES, errsize);

	if (!value)
		abort();
	memcpy(value, data + 7, size - 7);
	value[size - 7] = 0;

	/* 1. what a user types */
	if (ob_parse(f, value, current & width_mask(f), sectors, &raw, err, errsize) == 0) {
		if (raw & ~width_mask(f))
			abort();
		ob_format(f, raw, text, sizeof(text));
		if (ob_parse(f, text, raw, sectors, &raw2, again, sizeof(again)) != 0 ||
		    raw2 != raw)
			abort();
	} else {
		if (!memchr(err, 0, errsize))
			abort();
		/* the message starts with the field's name (when there is room for it) */
		if (errsize > strlen(f->name) + 1 && strncmp(err, f->name, strlen(f->name)))
			abort();
	}

	/* 2. what the chip may hold: format, parse back, format again */
	raw = current & width_mask(f);
	format_exact(f, raw, fmtsize);
	ob_format(f, raw, text, sizeof(text));
	if (ob_parse(f, text, raw, 8, &raw2, again, sizeof(again)) != 0) {
		if (!formats_unparsable(f, raw))
			abort();
	} else {
		ob_format(f, raw2, again, sizeof(again));
		if (strcmp(text, again))
			abort();
	}
	struct ob_words w;

	memset(&w, data[5], sizeof(w));
	ob_set_raw(f, &w, raw);
	if (ob_get_raw(f, &w) != raw)
		abort();
	if (long_value)
		free(value);
	return 0;
}
