/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ADIv5 JTAG-DP: the DPACC/APACC/ABORT scan chains, CTRL/STAT with the power
 * handshake and sticky flags, SELECT, RDBUFF and the pipelined read result.
 */
#ifndef H743SIM_JTAG_DP_H
#define H743SIM_JTAG_DP_H

#include "mem_ap.h"

#define DP_IR_ABORT	0x8
#define DP_IR_DPACC	0xA
#define DP_IR_APACC	0xB
#define DP_IR_IDCODE	0xE
#define DP_IR_BYPASS	0xF

#define DP_ACK_OK_FAULT	0x2
#define DP_ACK_WAIT	0x1

#define CS_ORUNDETECT	(1u << 0)
#define CS_STICKYORUN	(1u << 1)
#define CS_STICKYCMP	(1u << 4)
#define CS_STICKYERR	(1u << 5)
#define CS_CDBGRSTREQ	(1u << 26)
#define CS_CDBGPWRUPREQ	(1u << 28)
#define CS_CSYSPWRUPREQ	(1u << 30)
#define CS_STICKY_MASK	(CS_STICKYORUN | CS_STICKYCMP | CS_STICKYERR)
/* ORUNDETECT, TRNMODE, MASKLANE, TRNCNT and the three requests. */
#define CS_WRITABLE	(0x003FFF0Du | CS_CDBGRSTREQ | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ)

#define DP_MAX_APS	4

struct jtag_dp {
	uint32_t ctrl_stat;
	uint32_t select;
	uint32_t last_read;	/* captured by the next DPACC/APACC scan */
	struct mem_ap *aps[DP_MAX_APS];
	/* Called before each AP transaction so the chip can catch up in time. */
	void (*before_ap)(void *ctx);
	/* Called after each AP transaction that reached its AP (state may have changed). */
	void (*after_ap)(void *ctx);
	void *ctx;
	bool aps_disabled;	/* RDP level 2: every AP access fails */
	uint64_t dp_transactions;
	uint64_t ap_transactions;
	uint64_t sticky_errors;
};

void jtag_dp_power_on(struct jtag_dp *dp);
void jtag_dp_attach_ap(struct jtag_dp *dp, unsigned int apsel, struct mem_ap *ap);
/* 35-bit value loaded at Capture-DR: read data above a 3-bit ACK. */
uint64_t jtag_dp_capture(const struct jtag_dp *dp);
/* Executes the transaction shifted in, at Update-DR. */
void jtag_dp_update(struct jtag_dp *dp, unsigned int ir, uint64_t dr);

#endif
