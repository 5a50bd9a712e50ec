// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Option bytes by name: one table of fields drives printing, parsing,
 * validation and writing (RM0433 sections 4.4 and 4.9.7-4.9.14).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>

#include <helper/bits.h>

#include "stm32h743.h"
#include "stm32h743_obfields.h"

static const char *const bor_names[] = { "0", "1", "2", "3" };
static const char *const bor_meaning[] = {
	"brown-out reset off (POR/PDR at about 1.6 V)", "BOR level 1, about 2.1 V",
	"BOR level 2, about 2.4 V", "BOR level 3, about 2.7 V",
};
static const char *const iwdg_names[] = { "hw", "sw" };
static const char *const iwdg_meaning[] = {
	"IWDG1 starts by hardware at reset", "IWDG1 is started by software",
};
static const char *const nrst_names[] = { "reset", "no_reset" };
static const char *const nrst_stop_meaning[] = {
	"entering D1 Stop resets the chip", "entering D1 Stop does not reset",
};
static const char *const nrst_stby_meaning[] = {
	"entering D1 Standby resets the chip", "entering D1 Standby does not reset",
};
static const char *const fz_names[] = { "frozen", "running" };
static const char *const fz_stop_meaning[] = {
	"IWDG frozen in Stop mode", "IWDG keeps running in Stop mode",
};
static const char *const fz_sdby_meaning[] = {
	"IWDG frozen in Standby mode", "IWDG keeps running in Standby mode",
};
static const char *const ram_names[] = { "2k", "4k", "8k", "16k" };
static const char *const ram_meaning[] = {
	"2 KiB of DTCM reserved for ST secure code", "4 KiB of DTCM reserved for ST secure code",
	"8 KiB of DTCM reserved for ST secure code", "16 KiB of DTCM reserved for ST secure code",
};
static const char *const onoff_names[] = { "off", "on" };
static const char *const security_meaning[] = {
	"secure access mode disabled", "secure access mode enabled (secure-only areas active)",
};
static const char *const hslv_meaning[] = {
	"I/O high speed at low voltage off", "I/O high speed at low voltage on (only for VDD < 2.5 V)",
};
static const char *const swap_meaning[] = {
	"banks not swapped after the next reset", "banks swapped after the next reset",
};
static const char *const dm_names[] = { "keep", "erase" };
static const char *const dmep_meaning[] = {
	"the PCROP area survives an RDP regression", "the PCROP area is erased by an RDP regression",
};
static const char *const dmes_meaning[] = {
	"the secure area survives an RDP regression", "the secure area is erased by an RDP regression",
};

#define FIELD(n, w, b, sh, wd, k) \
	.name = (n), .word = (w), .bank = (b), .shift = (sh), .width = (wd), .kind = (k)
#define NAMED(n, m) .names = (n), .meanings = (m), .nnames = ARRAY_SIZE(n)

const struct ob_field ob_fields[] = {
	{ FIELD("bor_lev", OB_OPTSR, 0, 2, 2, OB_NAMED), NAMED(bor_names, bor_meaning) },
	{ FIELD("iwdg1", OB_OPTSR, 0, 4, 1, OB_NAMED), NAMED(iwdg_names, iwdg_meaning) },
	{ FIELD("nrst_stop_d1", OB_OPTSR, 0, 6, 1, OB_NAMED), NAMED(nrst_names, nrst_stop_meaning) },
	{ FIELD("nrst_stby_d1", OB_OPTSR, 0, 7, 1, OB_NAMED), NAMED(nrst_names, nrst_stby_meaning) },
	{ FIELD("rdp", OB_OPTSR, 0, 8, 8, OB_RDP), .guard = OB_GUARD_RDP2 },
	{ FIELD("fz_iwdg_stop", OB_OPTSR, 0, 17, 1, OB_NAMED), NAMED(fz_names, fz_stop_meaning) },
	{ FIELD("fz_iwdg_sdby", OB_OPTSR, 0, 18, 1, OB_NAMED), NAMED(fz_names, fz_sdby_meaning) },
	{ FIELD("st_ram_size", OB_OPTSR, 0, 19, 2, OB_NAMED), NAMED(ram_names, ram_meaning) },
	{ FIELD("security", OB_OPTSR, 0, 21, 1, OB_NAMED), NAMED(onoff_names, security_meaning),
		.guard = OB_GUARD_CONFIRM },
	{ FIELD("io_hslv", OB_OPTSR, 0, 29, 1, OB_NAMED), NAMED(onoff_names, hslv_meaning) },
	{ FIELD("swap_bank", OB_OPTSR, 0, 31, 1, OB_NAMED), NAMED(onoff_names, swap_meaning) },
	{ FIELD("boot_add0", OB_BOOT, 0, 0, 16, OB_BOOT_ADDR) },
	{ FIELD("boot_add1", OB_BOOT, 0, 16, 16, OB_BOOT_ADDR) },
	{ FIELD("pcrop1", OB_PRAR, 0, 0, 28, OB_AREA), .guard = OB_GUARD_AREA },
	{ FIELD("dmep1", OB_PRAR, 0, 31, 1, OB_NAMED), NAMED(dm_names, dmep_meaning),
		.guard = OB_GUARD_CONFIRM },
	{ FIELD("pcrop2", OB_PRAR, 1, 0, 28, OB_AREA), .guard = OB_GUARD_AREA },
	{ FIELD("dmep2", OB_PRAR, 1, 31, 1, OB_NAMED), NAMED(dm_names, dmep_meaning),
		.guard = OB_GUARD_CONFIRM },
	{ FIELD("secure1", OB_SCAR, 0, 0, 28, OB_AREA), .guard = OB_GUARD_AREA },
	{ FIELD("dmes1", OB_SCAR, 0, 31, 1, OB_NAMED), NAMED(dm_names, dmes_meaning),
		.guard = OB_GUARD_CONFIRM },
	{ FIELD("secure2", OB_SCAR, 1, 0, 28, OB_AREA), .guard = OB_GUARD_AREA },
	{ FIELD("dmes2", OB_SCAR, 1, 31, 1, OB_NAMED), NAMED(dm_names, dmes_meaning),
		.guard = OB_GUARD_CONFIRM },
	{ FIELD("wps1", OB_WPSN, 0, 0, 8, OB_SECTORS) },
	{ FIELD("wps2", OB_WPSN, 1, 0, 8, OB_SECTORS) },
};

const size_t ob_nfields = ARRAY_SIZE(ob_fields);

const struct ob_field *ob_find_field(const char *name)
{
	for (size_t i = 0; i < ob_nfields; i++)
		if (!strcmp(ob_fields[i].name, name))
			return &ob_fields[i];
	return NULL;
}

uint32_t *ob_word(struct ob_words *w, enum ob_word word, unsigned int bank)
{
	switch (word) {
	case OB_OPTSR:
		return &w->optsr;
	case OB_BOOT:
		return &w->boot;
	case OB_PRAR:
		return &w->prar[bank];
	case OB_SCAR:
		return &w->scar[bank];
	default:
		return &w->wpsn[bank];
	}
}

static uint32_t field_mask(const struct ob_field *f)
{
	return (f->width == 32 ? 0 : BIT(f->width)) - 1;
}

uint32_t ob_get_raw(const struct ob_field *f, const struct ob_words *w)
{
	/* the words are only read: the cast serves the one accessor */
	return (*ob_word((struct ob_words *)w, f->word, f->bank) >> f->shift) & field_mask(f);
}

void ob_set_raw(const struct ob_field *f, struct ob_words *w, uint32_t raw)
{
	uint32_t *word = ob_word(w, f->word, f->bank);
	uint32_t mask = field_mask(f) << f->shift;

	*word = (*word & ~mask) | ((raw << f->shift) & mask);
}

static uint32_t bank_base(unsigned int bank)
{
	return bank ? STM32H743_BANK2_BASE : STM32H743_BANK1_BASE;
}

/*
 * The value as a Tcl word: a name, a level, an address, {first last}
 * addresses of an area or "none", a list of protected sectors.
 */
void ob_format(const struct ob_field *f, uint32_t raw, char *buf, size_t size)
{
	switch (f->kind) {
	case OB_NAMED:
		snprintf(buf, size, "%s", raw < f->nnames ? f->names[raw] : "?");
		break;
	case OB_RDP:
		snprintf(buf, size, "%u", raw == 0xAA ? 0u : raw == 0xCC ? 2u : 1u);
		break;
	case OB_BOOT_ADDR:
		snprintf(buf, size, "0x%08" PRIx32, raw << 16);
		break;
	case OB_AREA: {
		uint32_t start = raw & 0xFFF, end = (raw >> 16) & 0xFFF;

		if (start > end)
			snprintf(buf, size, "none");
		else if (start == end)
			snprintf(buf, size, "0x%08" PRIx32 " 0x%08" PRIx32, bank_base(f->bank),
				bank_base(f->bank) + 0xFFFFF);
		else
			snprintf(buf, size, "0x%08" PRIx32 " 0x%08" PRIx32,
				bank_base(f->bank) + start * 256, bank_base(f->bank) + end * 256 + 255);
		break;
	}
	case OB_SECTORS: {
		size_t used = 0;

		buf[0] = 0;
		for (unsigned int s = 0; s < 8; s++)
			if (!(raw & BIT(s)))
				used += snprintf(buf + used, used < size ? size - used : 0, "%s%u",
					used ? " " : "", s);
		if (!used)
			snprintf(buf, size, "none");
		break;
	}
	}
}

/* What the value means, for people. */
void ob_meaning(const struct ob_field *f, uint32_t raw, char *buf, size_t size)
{
	switch (f->kind) {
	case OB_NAMED:
		snprintf(buf, size, "%s", raw < f->nnames ? f->meanings[raw] : "reserved value");
		break;
	case OB_RDP:
		if (raw == 0xAA)
			snprintf(buf, size, "level 0: no read protection (RDP byte 0xAA)");
		else if (raw == 0xCC)
			snprintf(buf, size, "level 2: debug disabled for good (RDP byte 0xCC)");
		else
			snprintf(buf, size, "level 1: flash read protected from the debugger "
				"(RDP byte 0x%02" PRIx32 ")", raw);
		break;
	case OB_BOOT_ADDR:
		snprintf(buf, size, "boot address when BOOT0 is %s", f->shift ? "high" : "low");
		break;
	case OB_AREA:
		if ((raw & 0xFFF) > ((raw >> 16) & 0xFFF))
			snprintf(buf, size, "no %s area in bank %u", f->word == OB_PRAR ?
				"PCROP (execute-only)" : "secure-only", f->bank + 1);
		else
			snprintf(buf, size, "%s area of bank %u (256-byte blocks %" PRIu32 "..%"
				PRIu32 ")", f->word == OB_PRAR ? "PCROP (execute-only)" : "secure-only",
				f->bank + 1, raw & 0xFFF, (raw >> 16) & 0xFFF);
		break;
	case OB_SECTORS:
		snprintf(buf, size, "write-protected sectors of bank %u (WPSN 0x%02" PRIx32 ")",
			f->bank + 1, raw);
		break;
	}
}

/* A whole unsigned 32-bit number, C notation (0x.., 0.., decimal); no sign, no blanks. */
static int parse_number(const char *s, uint32_t *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);

	if (*end || errno || x > 0xFFFFFFFFull)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/*
 * The words of a list value ("3 5", "{0x08000000 0x080001FF}"): blanks and
 * braces separate them. Returns how many there are (only the first max are
 * stored); value must be at most OB_VALUE_MAX characters.
 */
static unsigned int split_words(const char *value, char copy[OB_VALUE_MAX + 1], char **words,
		unsigned int max)
{
	static const char separators[] = " \t\r\n{}";
	unsigned int n = 0;
	char *save = NULL;

	snprintf(copy, OB_VALUE_MAX + 1, "%s", value);
	for (char *w = strtok_r(copy, separators, &save); w; w = strtok_r(NULL, separators, &save)) {
		if (n < max)
			words[n] = w;
		n++;
	}
	return n;
}

static int parse_area(const struct ob_field *f, const char *value, unsigned int sectors,
		uint32_t *raw, char *err, size_t errsize)
{
	uint32_t base = bank_base(f->bank), end = base + sectors * STM32H743_SECTOR_SIZE - 1;
	char copy[OB_VALUE_MAX + 1], *w[2];
	uint32_t a, b;

	if (!strcmp(value, "none")) {
		*raw = 0xFF;	/* START > END: no area */
		return 0;
	}
	unsigned int n = split_words(value, copy, w, 2);

	if (n != 2 || parse_number(w[0], &a) || parse_number(w[1], &b)) {
		snprintf(err, errsize, "%s: '%s' is not \"none\" or {first_address last_address} "
			"(two numbers, nothing else)", f->name, value);
		return -1;
	}
	if (a < base || b > end || a > b || (a & 0xFF) || (b & 0xFF) != 0xFF) {
		snprintf(err, errsize, "%s: {0x%08" PRIx32 " 0x%08" PRIx32 "} is not an area of bank "
			"%u: first must be 256-byte aligned, last must end a 256-byte block, first <= "
			"last, both inside 0x%08" PRIx32 "..0x%08" PRIx32 " (%u KiB on this part)",
			f->name, a, b, f->bank + 1, base, end, sectors * STM32H743_SECTOR_SIZE / 1024);
		return -1;
	}
	a = (a - base) / 256;
	b = (b - base) / 256;
	if (a == b) {
		snprintf(err, errsize, "%s: an area of a single 256-byte block cannot be "
			"encoded (START == END means the whole bank)", f->name);
		return -1;
	}
	*raw = a == 0 && b == 0xFFF ? 0 : (a | b << 16);
	return 0;
}

static int parse_sectors(const struct ob_field *f, const char *value, unsigned int sectors,
		uint32_t *raw, char *err, size_t errsize)
{
	char copy[OB_VALUE_MAX + 1], *w[8];
	uint32_t mask = 0xFF, v;

	if (!strcmp(value, "none")) {
		*raw = mask;
		return 0;
	}
	unsigned int n = split_words(value, copy, w, ARRAY_SIZE(w));

	if (n == 0) {
		snprintf(err, errsize, "%s: an empty list would remove the write protection of every "
			"sector of bank %u; to do that, give the value none", f->name, f->bank + 1);
		return -1;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (i == ARRAY_SIZE(w)) {
			snprintf(err, errsize, "%s: more than %zu sector numbers in '%s'", f->name,
				ARRAY_SIZE(w), value);
			return -1;
		}
		if (parse_number(w[i], &v) || v >= sectors) {
			snprintf(err, errsize, "%s: '%s' is not a sector of bank %u on this part (0..%u)",
				f->name, w[i], f->bank + 1, sectors - 1);
			return -1;
		}
		mask &= ~BIT(v);
	}
	*raw = mask;
	return 0;
}

/* Parse one value; on error write why into err and return -1. */
int ob_parse(const struct ob_field *f, const char *value, uint32_t current, unsigned int sectors,
		uint32_t *raw, char *err, size_t errsize)
{
	uint32_t v;
	size_t len = strlen(value);

	if (len > OB_VALUE_MAX) {
		snprintf(err, errsize, "%s: the value is %zu characters long; no value of this "
			"field is longer than %d", f->name, len, OB_VALUE_MAX);
		return -1;
	}
	if (sectors < 1 || sectors > 8)
		sectors = 8;
	switch (f->kind) {
	case OB_NAMED:
		for (unsigned int i = 0; i < f->nnames; i++) {
			if (!strcmp(value, f->names[i])) {
				*raw = i;
				return 0;
			}
		}
		if (parse_number(value, &v) == 0 && v < f->nnames) {
			*raw = v;
			return 0;
		}
		snprintf(err, errsize, "%s: '%s' is not one of:", f->name, value);
		for (unsigned int i = 0; i < f->nnames; i++)
			snprintf(err + strlen(err), errsize - strlen(err), " %s", f->names[i]);
		return -1;
	case OB_RDP:
		if (!strcmp(value, "0")) {
			*raw = 0xAA;
		} else if (!strcmp(value, "1")) {
			/* keep a level-1 byte that is already there */
			*raw = (current != 0xAA && current != 0xCC) ? current : 0x55;
		} else if (!strcmp(value, "2")) {
			*raw = 0xCC;
		} else {
			snprintf(err, errsize, "rdp: '%s' is not a level (0, 1 or 2)", value);
			return -1;
		}
		return 0;
	case OB_BOOT_ADDR:
		if (parse_number(value, &v) || (v & 0xFFFF) || v > 0x3FFF0000) {
			snprintf(err, errsize, "%s: '%s' is not a boot address (a multiple of 64 KiB "
				"from 0x00000000 to 0x3FFF0000)", f->name, value);
			return -1;
		}
		*raw = v >> 16;
		return 0;
	case OB_AREA:
		return parse_area(f, value, sectors, raw, err, errsize);
	case OB_SECTORS:
		return parse_sectors(f, value, sectors, raw, err, errsize);
	}
	return -1;
}
