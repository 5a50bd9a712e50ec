// SPDX-License-Identifier: GPL-2.0-or-later
#include "rig_dp.h"

void dap_rig_init(struct dap_rig *d)
{
	bus_init(&d->bus, "test");
	bus_add_memory(&d->bus, "ram", RAM_BASE, sizeof(d->ram), d->ram, false);
	/* IDR and BASE as the chip's (stm32h743.c) */
	mem_ap_init(&d->ap0, "ap0", 0x84770001, 0xE00FE003, &d->bus, MASTER_AP0);
	mem_ap_init(&d->ap2, "ap2", 0x54770002, 0xE00E0003, &d->bus, MASTER_AP2);
	dp_power_on(&d->adp);
	dp_attach_ap(&d->adp, 0, &d->ap0);
	dp_attach_ap(&d->adp, 2, &d->ap2);
}
