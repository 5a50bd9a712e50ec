/* SPDX-License-Identifier: GPL-2.0-or-later */

/* The option-byte field table of the stm32h743 driver (stm32h743_obfields.c). */

#ifndef OPENOCD_FLASH_NOR_STM32H743_OBFIELDS_H
#define OPENOCD_FLASH_NOR_STM32H743_OBFIELDS_H

#include <stddef.h>
#include <stdint.h>

/* The option words, as read from the *_CUR or written to the *_PRG registers. */
struct ob_words {
	uint32_t optsr;
	uint32_t boot;
	uint32_t prar[2];
	uint32_t scar[2];
	uint32_t wpsn[2];
};

enum ob_word { OB_OPTSR, OB_BOOT, OB_PRAR, OB_SCAR, OB_WPSN };

enum ob_kind {
	OB_NAMED,	/* small enumeration with names */
	OB_RDP,		/* read protection level 0/1/2 */
	OB_BOOT_ADDR,	/* address bits 31:16 */
	OB_AREA,	/* PCROP or secure area: START/END 256-byte blocks */
	OB_SECTORS,	/* WPSN: active-low sector bits */
};

enum ob_guard {
	OB_GUARD_NONE,
	OB_GUARD_CONFIRM,	/* dangerous: needs the confirm word */
	OB_GUARD_RDP2,		/* only level 2 needs it */
	OB_GUARD_AREA,		/* a PCROP or secure area needs it, "none" does not */
};

struct ob_field {
	const char *name;
	enum ob_word word;
	unsigned int bank;	/* for per-bank words */
	unsigned int shift, width;
	enum ob_kind kind;
	const char *const *names;
	const char *const *meanings;
	unsigned int nnames;
	enum ob_guard guard;
};

extern const struct ob_field ob_fields[];
extern const size_t ob_nfields;

const struct ob_field *ob_find_field(const char *name);
/* The option word a field lives in (bank: for the per-bank words). */
uint32_t *ob_word(struct ob_words *w, enum ob_word word, unsigned int bank);
uint32_t ob_get_raw(const struct ob_field *f, const struct ob_words *w);
void ob_set_raw(const struct ob_field *f, struct ob_words *w, uint32_t raw);
void ob_format(const struct ob_field *f, uint32_t raw, char *buf, size_t size);
void ob_meaning(const struct ob_field *f, uint32_t raw, char *buf, size_t size);
/* No value of any field is longer: a longer one is refused, never cut. */
#define OB_VALUE_MAX	127

/*
 * sectors: how many sectors the field's bank has on the probed part (8, 4 or
 * 1); sector lists and areas beyond them are refused.
 */
int ob_parse(const struct ob_field *f, const char *value, uint32_t current, unsigned int sectors,
		uint32_t *raw, char *err, size_t errsize);

#endif /* OPENOCD_FLASH_NOR_STM32H743_OBFIELDS_H */
