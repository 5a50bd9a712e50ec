// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Evidence for the stm32h743 diagnosis: the registers that tell the causes of
 * a failed verify or program apart (flash controller, power, clocks, reset
 * flags, debug and cache control), whether the debug link still reaches the
 * core's bus, and the flash read wait states the clock needs.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <target/arm_adi_v5.h>
#include <target/armv7m.h>
#include <target/target.h>

#include "stm32h743_diag.h"

#define PWR_BASE		0x58024800	/* RM0433 6.8 */
#define RCC_BASE		0x58024400	/* RM0433 8.7 */
#define DBGMCU_BASE		0x5C001000	/* RM0433 60.5.8 */
#define DBGMCU_BASE_APB		0xE00E1000
#define SCB_CCR			0xE000ED14	/* ARMv7-M B3.2.8 */
#define DCB_DHCSR		0xE000EDF0

#define HSI_HZ			64000000u
#define CSI_HZ			4000000u
/* The debugger cannot know the board's crystal: a common value, said as assumed. */
#define HSE_ASSUMED_HZ		25000000u

struct evidence_reg {
	const char *name;
	uint32_t address;		/* 0: a flash register, see flash_reg */
	enum stm32h743_reg flash_reg;
	unsigned int index;		/* flash register set 0/1 */
};

#define FLASH_REG(n, r, i) { .name = (n), .flash_reg = (r), .index = (i) }
#define PLAIN_REG(n, a) { .name = (n), .address = (a) }

static const struct evidence_reg evidence_regs[EV_COUNT] = {
	[EV_FLASH_SR1] = FLASH_REG("FLASH_SR1", STM32H743_SR, 0),
	[EV_FLASH_SR2] = FLASH_REG("FLASH_SR2", STM32H743_SR, 1),
	[EV_FLASH_ECC_FA1] = FLASH_REG("FLASH_ECC_FA1", STM32H743_ECC_FA, 0),
	[EV_FLASH_ECC_FA2] = FLASH_REG("FLASH_ECC_FA2", STM32H743_ECC_FA, 1),
	[EV_FLASH_ACR] = FLASH_REG("FLASH_ACR", STM32H743_ACR, 0),
	[EV_FLASH_OPTCR] = FLASH_REG("FLASH_OPTCR", STM32H743_OPTCR, 0),
	[EV_FLASH_OPTSR_CUR] = FLASH_REG("FLASH_OPTSR_CUR", STM32H743_OPTSR_CUR, 0),
	[EV_FLASH_OPTSR_PRG] = FLASH_REG("FLASH_OPTSR_PRG", STM32H743_OPTSR_PRG, 0),
	[EV_FLASH_WPSN_CUR1] = FLASH_REG("FLASH_WPSN_CUR1", STM32H743_WPSN_CUR, 0),
	[EV_FLASH_WPSN_CUR2] = FLASH_REG("FLASH_WPSN_CUR2", STM32H743_WPSN_CUR, 1),
	[EV_FLASH_PRAR_CUR1] = FLASH_REG("FLASH_PRAR_CUR1", STM32H743_PRAR_CUR, 0),
	[EV_FLASH_PRAR_CUR2] = FLASH_REG("FLASH_PRAR_CUR2", STM32H743_PRAR_CUR, 1),
	[EV_FLASH_SCAR_CUR1] = FLASH_REG("FLASH_SCAR_CUR1", STM32H743_SCAR_CUR, 0),
	[EV_FLASH_SCAR_CUR2] = FLASH_REG("FLASH_SCAR_CUR2", STM32H743_SCAR_CUR, 1),
	[EV_PWR_CSR1] = PLAIN_REG("PWR_CSR1", PWR_BASE + 0x04),
	[EV_PWR_CR3] = PLAIN_REG("PWR_CR3", PWR_BASE + 0x0C),
	[EV_PWR_CPUCR] = PLAIN_REG("PWR_CPUCR", PWR_BASE + 0x10),
	[EV_PWR_D3CR] = PLAIN_REG("PWR_D3CR", PWR_BASE + 0x18),
	[EV_RCC_CR] = PLAIN_REG("RCC_CR", RCC_BASE + 0x00),
	[EV_RCC_CFGR] = PLAIN_REG("RCC_CFGR", RCC_BASE + 0x10),
	[EV_RCC_D1CFGR] = PLAIN_REG("RCC_D1CFGR", RCC_BASE + 0x18),
	[EV_RCC_PLLCKSELR] = PLAIN_REG("RCC_PLLCKSELR", RCC_BASE + 0x28),
	[EV_RCC_PLL1DIVR] = PLAIN_REG("RCC_PLL1DIVR", RCC_BASE + 0x30),
	[EV_RCC_RSR] = PLAIN_REG("RCC_RSR", RCC_BASE + 0xD0),
	[EV_DBGMCU_CR] = PLAIN_REG("DBGMCU_CR", DBGMCU_BASE + 0x04),
	[EV_DBGMCU_APB4FZ1] = PLAIN_REG("DBGMCU_APB4FZ1", DBGMCU_BASE + 0x54),
	[EV_SCB_CCR] = PLAIN_REG("SCB_CCR", SCB_CCR),
	[EV_DHCSR] = PLAIN_REG("DHCSR", DCB_DHCSR),
};

const char *stm32h743_evidence_name(enum stm32h743_evidence_reg r)
{
	return evidence_regs[r].name;
}

static uint32_t evidence_address(enum stm32h743_evidence_reg r)
{
	const struct evidence_reg *e = &evidence_regs[r];

	return e->address ? e->address : stm32h743_reg_address(e->index, e->flash_reg);
}

/* A read through AP2, the debug APB, which answers while the core's bus does not. */
int stm32h743_read_apb_d(struct target *target, uint32_t addr, uint32_t *value)
{
	struct armv7m_common *armv7m = target_to_armv7m_safe(target);

	if (!armv7m || !armv7m->debug_ap)
		return ERROR_FAIL;
	struct adiv5_ap *ap = dap_get_ap(armv7m->debug_ap->dap, 2);

	if (!ap)
		return ERROR_FAIL;
	int retval = mem_ap_read_atomic_u32(ap, addr, value);

	dap_put_ap(ap);
	return retval;
}

bool stm32h743_link_alive(struct flash_bank *bank, bool *ap2_ok)
{
	uint32_t idcode;
	bool ap0 = target_read_u32(bank->target, STM32H743_DBGMCU_IDCODE, &idcode) == ERROR_OK;

	if (ap2_ok)
		*ap2_ok = stm32h743_read_apb_d(bank->target, DBGMCU_BASE_APB, &idcode) == ERROR_OK;
	return ap0;
}

#define DBGMCU_APB4FZ1_DBG_IWDG1	BIT(18)
#define IWDG1_BASE			0x58004800	/* RM0433 45.4 */
#define LSI_HZ				32000

/*
 * The independent watchdog runs on while the core is halted when hardware
 * starts it (FLASH_OPTSR_CUR.IWDG1_SW=0) and debug does not freeze it
 * (DBGMCU_APB4FZ1.DBG_IWDG1=0): nothing reloads it then, so it resets the
 * chip within one period (IWDG1_PR and IWDG1_RLR on the 32 kHz LSI).
 * Returns that period in ms, or 0 when it does not run on (or is unreadable).
 */
unsigned int stm32h743_watchdog_runs_halted(struct target *target)
{
	uint32_t optsr, fz, pr, rlr;

	if (stm32h743_read_bank_reg(target, 0, STM32H743_OPTSR_CUR, &optsr) != ERROR_OK ||
	    (optsr & OPTSR_IWDG1_SW) ||
	    stm32h743_read_u32_logged(target, DBGMCU_BASE + 0x54, &fz) != ERROR_OK ||
	    (fz & DBGMCU_APB4FZ1_DBG_IWDG1) ||
	    stm32h743_read_u32_logged(target, IWDG1_BASE + 0x04, &pr) != ERROR_OK ||
	    stm32h743_read_u32_logged(target, IWDG1_BASE + 0x08, &rlr) != ERROR_OK)
		return 0;
	uint64_t ticks = (uint64_t)(4u << MIN(pr & 7, 6u)) * ((rlr & 0xFFF) + 1);

	return (unsigned int)MAX(1, ticks * 1000 / LSI_HZ);
}

bool stm32h743_read_word(struct target *target, target_addr_t addr, uint8_t *word)
{
	return target_read_buffer(target, addr, STM32H743_FLASH_WORD, word) == ERROR_OK;
}

#define CSW_AHB_HPROT3		BIT(27)	/* ADIv5 MEM-AP CSW.Prot: cacheable */

/*
 * The same bytes twice through AP0: looking up the core's D-cache
 * (CSW.HPROT[3] set, what the core sees) and bypassing it (clear, what is in
 * the flash array). Straight through the MEM-AP: no cache maintenance may
 * run between the two. ERROR_NOT_IMPLEMENTED without a MEM-AP (hla).
 */
int stm32h743_read_both_views(struct target *target, target_addr_t addr, uint32_t words,
		uint8_t *through_cache, uint8_t *in_memory)
{
	struct armv7m_common *armv7m = target_to_armv7m(target);

	if (!is_armv7m(armv7m) || armv7m->is_hla_target || !armv7m->debug_ap)
		return ERROR_NOT_IMPLEMENTED;

	struct adiv5_ap *ap = armv7m->debug_ap;
	uint32_t saved = ap->csw_default;

	ap->csw_default = saved | CSW_AHB_HPROT3;
	int retval = mem_ap_read_buf(ap, through_cache, 4, words, addr);

	ap->csw_default = saved & ~CSW_AHB_HPROT3;
	if (retval == ERROR_OK)
		retval = mem_ap_read_buf(ap, in_memory, 4, words, addr);
	ap->csw_default = saved;
	return retval;
}

/* RCC_D1CFGR prescaler codes: 0xxx = /1, then /2 /4 /8 /16 /64 /128 /256 /512. */
static unsigned int prescaler(uint32_t code)
{
	static const unsigned int div[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };

	return code < 8 ? 1 : div[code - 8];
}

static uint32_t source_hz(uint32_t src, const uint32_t *reg, bool *uses_hse)
{
	switch (src) {
	case 0:
		return HSI_HZ >> ((reg[EV_RCC_CR] >> 3) & 3);
	case 1:
		return CSI_HZ;
	case 2:
		*uses_hse = true;
		return HSE_ASSUMED_HZ;
	default:
		return 0;
	}
}

/* sys_ck from RCC_CFGR.SW, through PLL1's P output when selected (RM0433 8.5). */
static uint32_t sysclk_hz(const uint32_t *reg, bool *uses_hse)
{
	uint32_t sw = reg[EV_RCC_CFGR] & 7;

	if (sw != 3)
		return source_hz(sw, reg, uses_hse);
	uint32_t ref = source_hz(reg[EV_RCC_PLLCKSELR] & 3, reg, uses_hse);
	uint32_t divm = (reg[EV_RCC_PLLCKSELR] >> 4) & 0x3F;
	uint32_t divn = (reg[EV_RCC_PLL1DIVR] & 0x1FF) + 1;
	uint32_t divp = ((reg[EV_RCC_PLL1DIVR] >> 9) & 0x7F) + 1;

	if (!divm)
		return 0;
	return (uint32_t)((uint64_t)ref / divm * divn / divp);
}

/*
 * FLASH_ACR.LATENCY needed for an AXI clock at a voltage scale: RM0433
 * table 17 "FLASH recommended number of wait states and programming delay"
 * (rev V; the maxima for 0, 1, 2, ... wait states, in MHz).
 */
static int latency_needed(uint32_t aclk_hz, unsigned int vos)
{
	static const unsigned int max_mhz[4][6] = {
		[1] = { 70, 140, 210, 225, 0, 0 },	/* 185-210 MHz: 2 WS, WRHIGHFREQ 2 */
		[2] = { 55, 110, 165, 225, 0, 0 },
		[3] = { 45, 90, 135, 180, 225, 0 },
	};

	if (vos < 1 || vos > 3 || !aclk_hz)
		return -1;
	for (int ws = 0; ws < 6 && max_mhz[vos][ws]; ws++)
		if (aclk_hz <= max_mhz[vos][ws] * 1000000u)
			return ws;
	return 7;	/* beyond the table: the clock is out of range for this scale */
}

static void compute_clock(struct stm32h743_evidence *ev)
{
	static const unsigned int scale[4] = { 0, 3, 2, 1 };	/* PWR_D3CR.VOS codes */
	const enum stm32h743_evidence_reg need[] = {
		EV_RCC_CR, EV_RCC_CFGR, EV_RCC_D1CFGR, EV_RCC_PLLCKSELR, EV_RCC_PLL1DIVR,
		EV_PWR_D3CR,
	};

	ev->latency_needed = -1;
	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (!ev->have[need[i]])
			return;
	uint32_t sys = sysclk_hz(ev->reg, &ev->aclk_uses_hse);
	uint32_t d1cfgr = ev->reg[EV_RCC_D1CFGR];

	ev->aclk_hz = sys / prescaler((d1cfgr >> 8) & 0xF) / prescaler(d1cfgr & 0xF);
	ev->vos = scale[(ev->reg[EV_PWR_D3CR] >> 14) & 3];
	ev->latency_needed = latency_needed(ev->aclk_hz, ev->vos);
}

void stm32h743_gather_evidence(struct flash_bank *bank, struct stm32h743_evidence *ev)
{
	struct target *target = bank->target;

	memset(ev, 0, sizeof(*ev));
	ev->ap0_ok = stm32h743_link_alive(bank, &ev->ap2_ok);
	for (unsigned int r = 0; r < EV_COUNT; r++) {
		/* a dead core bus answers every read with an error: do not ask 28 times */
		if (!ev->ap0_ok)
			break;
		ev->have[r] = target_read_u32(target, evidence_address(r), &ev->reg[r]) == ERROR_OK;
		if (!ev->have[r])
			ev->failed_reads++;
	}
	if (!ev->ap0_ok && ev->ap2_ok)
		ev->have[EV_DBGMCU_CR] = stm32h743_read_apb_d(target, DBGMCU_BASE_APB + 0x04,
				&ev->reg[EV_DBGMCU_CR]) == ERROR_OK;
	compute_clock(ev);
	for (unsigned int r = 0; r < EV_COUNT; r++)
		if (ev->have[r])
			LOG_DEBUG("stm32h743 evidence: %s at 0x%08" PRIx32 ": 0x%08" PRIx32,
				evidence_regs[r].name, evidence_address(r), ev->reg[r]);
	LOG_DEBUG("stm32h743 evidence: AP0 %s, AP2 %s, AXI clock %" PRIu32 " Hz, VOS%u, "
		"latency needed %d", ev->ap0_ok ? "ok" : "failed", ev->ap2_ok ? "ok" : "failed",
		ev->aclk_hz, ev->vos, ev->latency_needed);
}
