// SPDX-License-Identifier: GPL-2.0-or-later
#include "regfile.h"

void regfile_reset(struct regfile *rf)
{
	for (unsigned int i = 0; i < rf->count; i++)
		rf->values[i] = rf->descs[i].reset;
}

int regfile_index(const struct regfile *rf, uint32_t offset)
{
	for (unsigned int i = 0; i < rf->count; i++)
		if (rf->descs[i].offset == offset)
			return (int)i;
	return -1;
}

uint32_t regfile_write(struct regfile *rf, int index, uint32_t value)
{
	const struct reg_desc *d = &rf->descs[index];
	uint32_t v = rf->values[index];

	v = (v & ~d->wmask) | (value & d->wmask);
	v &= ~(value & d->w1c);
	rf->values[index] = v;
	return v;
}
