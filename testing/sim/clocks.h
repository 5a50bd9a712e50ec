/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of the STM32H743 clock tree the flash cares about: sys_ck from
 * HSI, CSI, HSE or PLL1 P, the D1 prescalers that give the AXI clock
 * (rcc_aclk, which also clocks the flash), the core voltage scale, and the
 * read latency (FLASH_ACR.LATENCY) that clock needs at that scale
 * (RM0433 sections 8.5 and 4.3.8).
 *
 * Pure arithmetic on raw register values, so it can be tested on its own.
 */
#ifndef H743SIM_CLOCKS_H
#define H743SIM_CLOCKS_H

#include <stdbool.h>
#include <stdint.h>

#define HSI_HZ		64000000u
#define CSI_HZ		4000000u
#define HSE_DEFAULT_HZ	25000000u
#define LSI_HZ		32000u

/* The registers the computation reads, as raw values. */
struct clock_regs {
	uint32_t rcc_cr;
	uint32_t rcc_cfgr;
	uint32_t rcc_d1cfgr;
	uint32_t rcc_d2cfgr;
	uint32_t rcc_pllckselr;
	uint32_t rcc_pll1divr;
	uint32_t pwr_d3cr;
};

struct clock_tree {
	uint64_t sys_hz;		/* sys_ck */
	uint64_t aclk_hz;		/* rcc_aclk: AXI bus and flash (also rcc_hclk1..3) */
	uint64_t cpu_hz;		/* sys_d1cpre_ck: the core and SysTick */
	uint64_t apb1_timer_hz;		/* kernel clock of TIM2-7, TIM12-14 */
	uint64_t apb2_timer_hz;		/* kernel clock of TIM1, TIM8, TIM15-17 */
	unsigned int vos;		/* voltage scale 1, 2 or 3 */
	unsigned int latency_needed;	/* minimum FLASH_ACR.LATENCY */
};

/* HCLK-style prescaler field (D1CPRE, HPRE): 0xxx is /1, then /2 .. /512. */
unsigned int clocks_ahb_divider(unsigned int field);
/* APB prescaler field (D2PPRE1/2): 0xx is /1, then /2 .. /16. */
unsigned int clocks_apb_divider(unsigned int field);
/* Timer kernel clock from hclk, the APB prescaler field and RCC_CFGR.TIMPRE. */
uint64_t clocks_timer_hz(uint64_t hclk_hz, unsigned int ppre_field, bool timpre);
/* Voltage scale from PWR_D3CR.VOS. */
unsigned int clocks_vos(uint32_t pwr_d3cr);
/* Wait states the flash needs to be read at aclk_hz in voltage scale vos. */
unsigned int clocks_latency_needed(uint64_t aclk_hz, unsigned int vos);
void clocks_compute(const struct clock_regs *r, uint64_t hse_hz, struct clock_tree *out);

#endif
