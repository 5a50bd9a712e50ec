/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven register files: each register is one row with its reset value,
 * the bits software may write and the bits that are write-1-to-clear.
 * Peripherals keep their special behaviour in a small write hook.
 */
#ifndef H743SIM_REGFILE_H
#define H743SIM_REGFILE_H

#include <stdint.h>

struct reg_desc {
	const char *name;
	uint16_t offset;
	uint32_t reset;
	uint32_t wmask;		/* bits a write stores */
	uint32_t w1c;		/* bits a write of 1 clears */
};

struct regfile {
	const char *name;
	const struct reg_desc *descs;
	unsigned int count;
	uint32_t *values;	/* one per descriptor */
};

void regfile_reset(struct regfile *rf);
/* Index of the register at offset, or -1 when nothing is there. */
int regfile_index(const struct regfile *rf, uint32_t offset);
/* Store a software write according to the masks; returns the new value. */
uint32_t regfile_write(struct regfile *rf, int index, uint32_t value);

#endif
