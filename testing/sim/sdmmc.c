// SPDX-License-Identifier: GPL-2.0-or-later
#include "sdmmc.h"
#include "log.h"

#include <string.h>

void sdmmc_init(struct sdmmc *s, const char *name, unsigned int irq,
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->irq = irq;
	s->set_line = set_line;
	s->ctx = ctx;
}

static void update_line(struct sdmmc *s)
{
	bool high = (s->regs[SDMMC_STAR / 4] & s->regs[SDMMC_MASKR / 4]) != 0;

	if (high == s->line)
		return;
	s->line = high;
	if (s->set_line)
		s->set_line(s->ctx, s->irq, high);
}

void sdmmc_reset(struct sdmmc *s)
{
	memset(s->regs, 0, sizeof(s->regs));
	update_line(s);
}

/* The slot is empty: a command needing a response times out, the rest is sent. */
static void run_command(struct sdmmc *s, uint32_t cmdr)
{
	bool wants_response = cmdr & SDMMC_CMDR_WAITRESP;

	s->commands++;
	s->regs[SDMMC_STAR / 4] |= wants_response ? SDMMC_STA_CTIMEOUT : SDMMC_STA_CMDSENT;
	sim_trace("%s: CMD%u %s", s->name, cmdr & 0x3F,
		wants_response ? "timed out (no card)" : "sent");
}

static int sdmmc_read(void *ctx, uint32_t off, unsigned int size, uint32_t *v,
		enum bus_master who)
{
	struct sdmmc *s = ctx;

	(void)size, (void)who;
	*v = (off & ~3u) == SDMMC_ICR ? 0 : s->regs[off / 4];
	return BUS_OK;
}

static int sdmmc_write(void *ctx, uint32_t off, unsigned int size, uint32_t v,
		enum bus_master who)
{
	struct sdmmc *s = ctx;

	(void)size, (void)who;
	switch (off & ~3u) {
	case SDMMC_STAR:
		break;		/* read-only */
	case SDMMC_ICR:
		s->regs[SDMMC_STAR / 4] &= ~(v & SDMMC_ICR_MASK);
		break;
	case SDMMC_CMDR:
		s->regs[SDMMC_CMDR / 4] = v & ~SDMMC_CMDR_CPSMEN;
		if (v & SDMMC_CMDR_CPSMEN)
			run_command(s, v);
		break;
	default:
		s->regs[off / 4] = v;
		break;
	}
	update_line(s);
	return BUS_OK;
}

const struct bus_region_ops sdmmc_ops = {
	.read = sdmmc_read,
	.write = sdmmc_write,
};
