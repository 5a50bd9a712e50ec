/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small STM32H743 peripherals the debugger and start-up code touch: RCC and
 * PWR (ready flags follow their enables so clock set-up code completes),
 * DBGMCU, and the CoreSight components on the debug APB (RM0433 ch. 8, 6, 60).
 */
#ifndef H743SIM_PERIPH_H
#define H743SIM_PERIPH_H

#include "bus.h"
#include "coresight.h"
#include "regfile.h"

#define RCC_BASE	0x58024400u
#define PWR_BASE	0x58024800u
#define DBGMCU_BASE	0x5C001000u
#define DBGMCU_APBD_BASE 0xE00E1000u

#define DEV_ID_STM32H74X 0x450u
#define REV_ID_Y	0x1003u
#define REV_ID_V	0x2003u

struct regdev {
	struct regfile rf;
	/* special behaviour after a write (ready flags...), may be NULL */
	void (*after_write)(struct regdev *dev, int index);
};

extern const struct bus_region_ops regdev_ops;

struct periph_set {
	struct regdev rcc;
	struct regdev pwr;
	struct regdev dbgmcu;
	uint32_t rcc_values[64];
	uint32_t pwr_values[16];
	uint32_t dbgmcu_values[8];
};

void periph_init(struct periph_set *p, uint16_t rev_id);
/* System reset: RCC and PWR go back to reset values; DBGMCU only at power-on. */
void periph_system_reset(struct periph_set *p);
void periph_power_on(struct periph_set *p);

/* A CoreSight component on the debug APB: ID registers plus plain storage. */
struct apbd_component {
	const struct cs_component *id;
	uint32_t regs[64];
};

extern const struct bus_region_ops apbd_component_ops;

#endif
