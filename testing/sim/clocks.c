// SPDX-License-Identifier: GPL-2.0-or-later
#include "clocks.h"

#define MHZ 1000000ull

/* RCC_CFGR.SW, RCC_PLLCKSELR.PLLSRC */
enum clock_source {
	SRC_HSI,
	SRC_CSI,
	SRC_HSE,
	SRC_PLL1,
};

/*
 * Highest AXI clock (MHz) for 0, 1, 2, ... wait states per voltage scale:
 * RM0433 table "FLASH recommended number of wait states and programming
 * delay". At VOS1 the 185-210 MHz band still takes 2 wait states (only
 * WRHIGHFREQ changes), as firmware running at 200 MHz with LATENCY 2 shows
 * (ArduPilot's bootloaders); the VOS2/VOS3 rows are as recalled (UNCONFIRMED).
 * A 0 ends a row.
 */
static const uint16_t max_mhz_for_latency[4][6] = {
	[1] = { 70, 140, 210, 225, 0, 0 },
	[2] = { 55, 110, 165, 225, 0, 0 },
	[3] = { 45, 90, 135, 180, 225, 0 },
};

/* Clocks beyond the table: the most the manual ever asks for (UNCONFIRMED). */
#define LATENCY_BEYOND_TABLE 7

unsigned int clocks_ahb_divider(unsigned int field)
{
	static const unsigned int div[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };

	return (field & 0x8) ? div[field & 0x7] : 1;
}

unsigned int clocks_vos(uint32_t pwr_d3cr)
{
	switch ((pwr_d3cr >> 14) & 3) {
	case 3:
		return 1;
	case 2:
		return 2;
	default:
		/* 01 is scale 3; 00 is reserved, taken as scale 3 (UNCONFIRMED: not in the brief) */
		return 3;
	}
}

unsigned int clocks_latency_needed(uint64_t aclk_hz, unsigned int vos)
{
	const uint16_t *row = max_mhz_for_latency[vos >= 1 && vos <= 3 ? vos : 3];

	for (unsigned int ws = 0; row[ws]; ws++)
		if (aclk_hz <= row[ws] * MHZ)
			return ws;
	return LATENCY_BEYOND_TABLE;
}

/* hsi_ck: 64 MHz divided by 1, 2, 4 or 8 (RCC_CR.HSIDIV, bits 4:3). */
static uint64_t hsi_hz(const struct clock_regs *r)
{
	return HSI_HZ >> ((r->rcc_cr >> 3) & 3);
}

static uint64_t source_hz(const struct clock_regs *r, unsigned int src, uint64_t hse_hz)
{
	switch (src) {
	case SRC_HSI:
		return hsi_hz(r);
	case SRC_CSI:
		return CSI_HZ;
	case SRC_HSE:
		return hse_hz;
	default:
		return 0;
	}
}

/*
 * PLL1 P output: (ref / DIVM1) * (DIVN1 + 1) / (DIVP1 + 1). DIVM1 = 0 turns
 * the PLL input off. The fractional part (PLL1FRACR) is not modelled.
 */
static uint64_t pll1_p_hz(const struct clock_regs *r, uint64_t hse_hz)
{
	uint64_t ref = source_hz(r, r->rcc_pllckselr & 3, hse_hz);
	unsigned int divm = (r->rcc_pllckselr >> 4) & 0x3F;
	unsigned int divn = r->rcc_pll1divr & 0x1FF;
	unsigned int divp = (r->rcc_pll1divr >> 9) & 0x7F;

	if (!divm)
		return 0;
	return ref * (divn + 1) / ((uint64_t)divm * (divp + 1));
}

unsigned int clocks_apb_divider(unsigned int field)
{
	return (field & 4) ? 2u << (field & 3) : 1;
}

/* RM0433 8.5.9 "Timer clocks": with TIMPRE the timers may run at up to hclk. */
uint64_t clocks_timer_hz(uint64_t hclk_hz, unsigned int ppre_field, bool timpre)
{
	unsigned int div = clocks_apb_divider(ppre_field);
	uint64_t pclk = hclk_hz / div;

	if (!timpre)
		return div == 1 ? pclk : 2 * pclk;
	return div <= 4 ? hclk_hz : 4 * pclk;
}

void clocks_compute(const struct clock_regs *r, uint64_t hse_hz, struct clock_tree *out)
{
	bool timpre = r->rcc_cfgr & (1u << 15);

	unsigned int sw = r->rcc_cfgr & 7;

	if (sw == SRC_PLL1)
		out->sys_hz = pll1_p_hz(r, hse_hz);
	else
		out->sys_hz = source_hz(r, sw, hse_hz);	/* 4..7 reserved: no clock */
	out->cpu_hz = out->sys_hz / clocks_ahb_divider((r->rcc_d1cfgr >> 8) & 0xF);
	out->aclk_hz = out->cpu_hz / clocks_ahb_divider(r->rcc_d1cfgr & 0xF);
	out->apb1_timer_hz = clocks_timer_hz(out->aclk_hz, (r->rcc_d2cfgr >> 4) & 7, timpre);
	out->apb2_timer_hz = clocks_timer_hz(out->aclk_hz, (r->rcc_d2cfgr >> 8) & 7, timpre);
	out->vos = clocks_vos(r->pwr_d3cr);
	out->latency_needed = clocks_latency_needed(out->aclk_hz, out->vos);
}
