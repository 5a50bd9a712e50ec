/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The debug access port behind the DP unit tests' wire front ends (JTAG-DP,
 * SW-DP): the DP core powered on, with the H743's AP0 (system, Cortex-M7
 * ROM table) and AP2 (APB-D) MEM-APs in front of a bus that holds RAM at
 * RAM_BASE and nothing else. A test puts its front end on top of `adp`.
 */
#ifndef H743SIM_RIG_DP_H
#define H743SIM_RIG_DP_H

#include <stdint.h>

#include "bus.h"
#include "dp.h"
#include "mem_ap.h"

#define RAM_BASE	0x20000000u
#define BAD_ADDR	0x40000000u	/* nothing mapped there */

struct dap_rig {
	struct adi_dp adp;
	struct bus bus;
	struct mem_ap ap0, ap2;
	uint8_t ram[1024];
};

void dap_rig_init(struct dap_rig *d);

#endif
