/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CoreSight component identification (PIDR/CIDR/DEVTYPE at 0xFBC..0xFFC of a
 * 4 KiB component) and ROM tables, as read by `dap info`.
 */
#ifndef H743SIM_CORESIGHT_H
#define H743SIM_CORESIGHT_H

#include <stdbool.h>
#include <stdint.h>

#define JEP106_ARM	0x43B	/* continuation 4, id 0x3B */
#define JEP106_ST	0x020	/* continuation 0, id 0x20 */

#define CS_CLASS_ROM	0x1
#define CS_CLASS_DEBUG	0x9
#define CS_CLASS_GENERIC 0xE

struct cs_component {
	uint16_t part;
	uint16_t designer;	/* continuation << 8 | JEP106 id */
	uint8_t revision;
	uint8_t cls;
	uint8_t devtype;
	const uint32_t *rom_entries;	/* ROM tables only; ends with 0 */
};

/*
 * Value of an identification register, or of a ROM table entry. Returns false
 * when offset is not one of them (the caller models the rest).
 */
bool cs_component_read(const struct cs_component *c, uint32_t offset, uint32_t *value);

#endif
