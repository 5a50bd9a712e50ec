/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * USB OTG_HS and OTG_FS: only the core-reset handshake of GRSTCTL is
 * modelled (RM0433, "OTG_GRSTCTL"): AHBIDL reads 1 (the AHB master is
 * idle), and the core soft reset (CSRST) and the FIFO flushes (TXFFLSH,
 * RXFFLSH) finish at once, so a USB stack's start-up polls end. The rest
 * of the first 4 KiB (global and device registers) is plain storage; the
 * FIFO windows above stay register files (unimp.c). No USB traffic.
 */
#ifndef H743SIM_OTG_H
#define H743SIM_OTG_H

#include <stdint.h>

#include "bus.h"

#define OTG_HS_BASE	0x40040000u
#define OTG_FS_BASE	0x40080000u
#define OTG_MODEL_SIZE	0x1000u

#define OTG_GRSTCTL	0x010
#define GRSTCTL_CSRST	(1u << 0)
#define GRSTCTL_RXFFLSH	(1u << 4)
#define GRSTCTL_TXFFLSH	(1u << 5)
#define GRSTCTL_AHBIDL	(1u << 31)

struct otg {
	const char *name;
	uint32_t regs[OTG_MODEL_SIZE / 4];
	uint64_t core_resets;
};

void otg_reset(struct otg *o);

extern const struct bus_region_ops otg_ops;

#endif
