// SPDX-License-Identifier: GPL-2.0-or-later
#include "otg.h"
#include "log.h"

#include <string.h>

void otg_reset(struct otg *o)
{
	memset(o->regs, 0, sizeof(o->regs));
}

static int otg_read(void *ctx, uint32_t off, unsigned int size, uint32_t *v, enum bus_master who)
{
	struct otg *o = ctx;
	uint32_t word = o->regs[off / 4];

	(void)who;
	if ((off & ~3u) == OTG_GRSTCTL)
		word |= GRSTCTL_AHBIDL;
	*v = size == 4 ? word : (word >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
	return BUS_OK;
}

static int otg_write(void *ctx, uint32_t off, unsigned int size, uint32_t v, enum bus_master who)
{
	struct otg *o = ctx;
	uint32_t *word = &o->regs[off / 4];

	(void)who;
	if (size != 4) {
		uint32_t shift = 8 * (off & 3), mask = ((1u << (8 * size)) - 1) << shift;

		v = (*word & ~mask) | ((v << shift) & mask);
	}
	if ((off & ~3u) == OTG_GRSTCTL) {
		if (v & GRSTCTL_CSRST) {
			o->core_resets++;
			sim_trace("%s: core soft reset", o->name);
		}
		/* the reset and the flushes are done by the time software looks */
		v &= ~(GRSTCTL_CSRST | GRSTCTL_RXFFLSH | GRSTCTL_TXFFLSH | GRSTCTL_AHBIDL);
	}
	*word = v;
	return BUS_OK;
}

const struct bus_region_ops otg_ops = {
	.read = otg_read,
	.write = otg_write,
};
