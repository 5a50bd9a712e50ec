/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small STM32H743 peripherals the debugger and start-up code touch: RCC and
 * PWR (ready flags follow their enables so clock set-up code completes; the
 * reset flags of RCC_RSR; the Stop flag of PWR_CPUCR), DBGMCU, and the
 * CoreSight components on the debug APB (RM0433 ch. 8, 6, 60).
 */
#ifndef H743SIM_PERIPH_H
#define H743SIM_PERIPH_H

#include <stdbool.h>

#include "bus.h"
#include "coresight.h"
#include "regfile.h"

#define RCC_BASE	0x58024400u
#define PWR_BASE	0x58024800u
#define DBGMCU_BASE	0x5C001000u
#define DBGMCU_APBD_BASE 0xE00E1000u

/* RCC registers the clock tree is computed from (RM0433 section 8.7) */
#define RCC_CR		0x000
#define RCC_CFGR	0x010
#define RCC_D1CFGR	0x018
#define RCC_D2CFGR	0x01C
#define RCC_PLLCKSELR	0x028
#define RCC_PLL1DIVR	0x030

/* RCC_RSR (RM0433 section 8.7): reset flags, cleared by writing RMVF. */
#define RCC_RSR		0x0D0
#define RSR_RMVF	(1u << 16)
#define RSR_CPURSTF	(1u << 17)
#define RSR_D1RSTF	(1u << 19)
#define RSR_D2RSTF	(1u << 20)
#define RSR_BORRSTF	(1u << 21)
#define RSR_PINRSTF	(1u << 22)
#define RSR_PORRSTF	(1u << 23)
#define RSR_SFTRSTF	(1u << 24)
#define RSR_IWDG1RSTF	(1u << 26)
#define RSR_WWDG1RSTF	(1u << 28)
#define RSR_LPWRRSTF	(1u << 30)
/*
 * What each reset adds to RCC_RSR. Every system reset drives NRST low, so
 * PINRSTF comes with the software and watchdog resets too; only a power-on
 * clears the flags first. UNCONFIRMED: RM0433's "reset source
 * identification" table was not read; the sets assume that every internal
 * system reset also drives NRST, as on other STM32 parts.
 * The power-on set is 0x00FA0000 (the earlier model's 0x00FE0000 had the
 * reserved bit 18 set).
 */
#define RSR_POWER_ON	(RSR_PORRSTF | RSR_BORRSTF | RSR_PINRSTF | RSR_D1RSTF | RSR_D2RSTF | \
			 RSR_CPURSTF)
#define RSR_PIN_RESET	(RSR_PINRSTF | RSR_CPURSTF)
#define RSR_SOFT_RESET	(RSR_SFTRSTF | RSR_PINRSTF | RSR_CPURSTF)
#define RSR_IWDG_RESET	(RSR_IWDG1RSTF | RSR_PINRSTF | RSR_CPURSTF)

/* PWR registers (RM0433 section 6.8) */
#define PWR_CSR1	0x004
#define PWR_CR3		0x00C
#define PWR_CPUCR	0x010
#define PWR_D3CR	0x018
#define CSR1_ACTVOSRDY	(1u << 13)
#define D3CR_VOSRDY	(1u << 13)
#define VOS_MASK	(3u << 14)
#define CPUCR_STOPF	(1u << 5)
#define CPUCR_SBF	(1u << 6)
#define CPUCR_SBF_D1	(1u << 7)
#define CPUCR_SBF_D2	(1u << 8)
#define CPUCR_CSSF	(1u << 9)
#define CPUCR_FLAGS	(CPUCR_STOPF | CPUCR_SBF | CPUCR_SBF_D1 | CPUCR_SBF_D2)

/* DBGMCU registers (RM0433 section 60.5.8) */
#define DBGMCU_CR	0x04
#define DBGMCU_APB1LFZ1	0x3C
#define DBGMCU_APB4FZ1	0x54
#define DBGMCU_CR_DBGSLEEP_D1	(1u << 0)
#define DBGMCU_CR_DBGSTOP_D1	(1u << 1)
#define APB4FZ1_DBG_IWDG1	(1u << 18)

#define DEV_ID_STM32H74X 0x450u
#define REV_ID_Y	0x1003u
#define REV_ID_V	0x2003u

struct regdev {
	struct regfile rf;
	/* special behaviour after a write (ready flags...), may be NULL */
	void (*after_write)(struct regdev *dev, int index);
	/* tells the chip that a register changed (clock tree), may be NULL */
	void (*changed)(void *ctx);
	void *changed_ctx;
};

extern const struct bus_region_ops regdev_ops;

struct periph_set {
	struct regdev rcc;
	struct regdev pwr;
	struct regdev dbgmcu;
	uint32_t rcc_values[64];
	uint32_t pwr_values[16];
	uint32_t dbgmcu_values[8];
	bool vos_unready;	/* fault: the core supply never reaches its VOS level */
};

void periph_init(struct periph_set *p, uint16_t rev_id);
/*
 * System reset: RCC and PWR go back to reset values, except the reset flags
 * (rsr_flags are added to RCC_RSR) and the PWR_CPUCR Stop/Standby flags;
 * DBGMCU only at power-on.
 */
void periph_system_reset(struct periph_set *p, uint32_t rsr_flags);
/* Power-on: everything to reset values, RCC_RSR to the power-on flags. */
void periph_power_on(struct periph_set *p);
/* D1 entered Stop: PWR_CPUCR.STOPF. */
void periph_note_stop(struct periph_set *p);

/* Register value by offset (0 when not modelled), and a hardware-side store. */
uint32_t regdev_get(const struct regdev *dev, uint32_t off);
void regdev_set(struct regdev *dev, uint32_t off, uint32_t value);

/* A CoreSight component on the debug APB: ID registers plus plain storage. */
struct apbd_component {
	const struct cs_component *id;
	uint32_t regs[64];
};

extern const struct bus_region_ops apbd_component_ops;

#endif
