/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SDMMC1 and SDMMC2 with an empty card slot (RM0433, "SDMMC"): the command
 * path state machine answers every command at once, CMDSENT for one that
 * waits for no response and CTIMEOUT for one that does (no card answers),
 * so an SD driver's polls end and it reports no card. ICR clears the
 * flags, MASKR gates the interrupt line to the NVIC. No data path, no
 * IDMA; the other registers store what is written.
 */
#ifndef H743SIM_SDMMC_H
#define H743SIM_SDMMC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define SDMMC1_BASE	0x52007000u
#define SDMMC2_BASE	0x48022400u
#define SDMMC_SIZE	0x400u

#define SDMMC_CMDR	0x0C
#define SDMMC_STAR	0x34
#define SDMMC_ICR	0x38
#define SDMMC_MASKR	0x3C

#define SDMMC_CMDR_WAITRESP	(3u << 8)
#define SDMMC_CMDR_CPSMEN	(1u << 12)
#define SDMMC_STA_CTIMEOUT	(1u << 2)
#define SDMMC_STA_CMDSENT	(1u << 7)
#define SDMMC_ICR_MASK		0x1FE00FFFu	/* the static flags ICR clears */

struct sdmmc {
	const char *name;
	uint32_t regs[SDMMC_SIZE / 4];
	unsigned int irq;
	bool line;
	uint64_t commands;
	void (*set_line)(void *ctx, unsigned int irq, bool high);
	void *ctx;
};

void sdmmc_init(struct sdmmc *s, const char *name, unsigned int irq,
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx);
void sdmmc_reset(struct sdmmc *s);

extern const struct bus_region_ops sdmmc_ops;

#endif
