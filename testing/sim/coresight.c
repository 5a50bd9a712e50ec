// SPDX-License-Identifier: GPL-2.0-or-later
#include "coresight.h"

static uint32_t pidr(const struct cs_component *c, unsigned int n)
{
	unsigned int id = c->designer & 0x7F, cont = c->designer >> 8;

	switch (n) {
	case 0:
		return c->part & 0xFF;
	case 1:
		return (c->part >> 8 & 0xF) | (id & 0xF) << 4;
	case 2:
		return (id >> 4 & 0x7) | 0x8 | (c->revision & 0xF) << 4;
	case 4:
		return cont & 0xF;
	default:
		return 0;
	}
}

bool cs_component_read(const struct cs_component *c, uint32_t offset, uint32_t *value)
{
	static const uint8_t cidr[4] = { 0x0D, 0x00, 0x05, 0xB1 };

	if (offset >= 0xFF0 && offset <= 0xFFC) {
		unsigned int n = (offset - 0xFF0) / 4;

		*value = n == 1 ? (uint32_t)c->cls << 4 : cidr[n];
		return true;
	}
	if (offset >= 0xFE0 && offset <= 0xFEC) {
		*value = pidr(c, (offset - 0xFE0) / 4);
		return true;
	}
	if (offset >= 0xFD0 && offset <= 0xFDC) {
		*value = pidr(c, 4 + (offset - 0xFD0) / 4);
		return true;
	}
	if (offset == 0xFCC) {
		*value = c->devtype;
		return true;
	}
	if (offset == 0xFC8 || offset == 0xFBC) {
		*value = 0;	/* DEVID, DEVARCH: none on these v7-M era parts */
		return true;
	}
	if (c->rom_entries && offset < 0xF00) {
		unsigned int i;

		for (i = 0; i < offset / 4 && c->rom_entries[i]; i++)
			;
		*value = i == offset / 4 ? c->rom_entries[i] : 0;
		return true;
	}
	return false;
}
