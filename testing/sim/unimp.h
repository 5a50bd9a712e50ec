/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peripherals without a model: plain register files over the STM32H743's
 * peripheral address map (RM0433 "Memory map and register boundary
 * addresses"), so that firmware which sets up GPIOs, timers or the AXI
 * interconnect runs on instead of faulting. Reads return what was written
 * (0 after reset); addresses between peripherals stay bus errors. The first
 * access to each peripheral is logged under --trace, as QEMU's LOG_UNIMP.
 */
#ifndef H743SIM_UNIMP_H
#define H743SIM_UNIMP_H

#include "bus.h"

#include <stdbool.h>
#include <stdint.h>

struct unimp_periph {
	const char *name;
	uint32_t base, size;
};

/* One bus region: a run of neighbouring peripherals of one bus domain. */
struct unimp_segment {
	const char *name;
	uint32_t base, size;
	const struct unimp_periph *periphs;
	unsigned int nperiphs;
	uint8_t *regs;		/* size bytes */
	bool *seen;		/* per peripheral: first access logged */
};

#define UNIMP_NSEGMENTS 9

struct unimp {
	struct unimp_segment seg[UNIMP_NSEGMENTS];
};

int unimp_init(struct unimp *u);
void unimp_free(struct unimp *u);
/* A system reset: every register file back to 0. */
void unimp_reset(struct unimp *u);
/* Add the segments to a bus, after the modelled devices (which win on overlap). */
void unimp_map(struct unimp *u, struct bus *bus);
/* The unmodelled peripheral at addr, or NULL (reserved, or not in the table). */
const struct unimp_periph *unimp_find(const struct unimp *u, uint32_t addr);

extern const struct bus_region_ops unimp_ops;

#endif
