/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ADIv5 debug port's registers and its route to the access ports, shared
 * by both faces of the STM32H743's SWJ-DP: the JTAG-DP (jtag_dp.c, scan
 * chains) and the SW-DP (swd_dp.c, SWD packets). CTRL/STAT with the power
 * handshake and the sticky flags, SELECT, and AP transactions.
 */
#ifndef H743SIM_DP_H
#define H743SIM_DP_H

#include "mem_ap.h"

/* One SWJ-DP, one DPIDR for both faces: DPv1, designer ARM (JTAG never reads it). */
#define DP_DPIDR	0x6BA02477u

#define DP_REG_CTRL_STAT 0x4
#define DP_REG_SELECT	0x8
#define DP_REG_RDBUFF	0xC

#define CS_ORUNDETECT	(1u << 0)
#define CS_STICKYORUN	(1u << 1)
#define CS_STICKYCMP	(1u << 4)
#define CS_STICKYERR	(1u << 5)
#define CS_WDATAERR	(1u << 7)
#define CS_CDBGRSTREQ	(1u << 26)
#define CS_CDBGPWRUPREQ	(1u << 28)
#define CS_CSYSPWRUPREQ	(1u << 30)
#define CS_STICKY_MASK	(CS_STICKYORUN | CS_STICKYCMP | CS_STICKYERR)
/* ORUNDETECT, TRNMODE, MASKLANE, TRNCNT and the three requests. */
#define CS_WRITABLE	(0x003FFF0Du | CS_CDBGRSTREQ | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ)

/* SW-DP ABORT (a write to DP address 0 over SWD). */
#define ABORT_DAPABORT	(1u << 0)
#define ABORT_STKCMPCLR	(1u << 1)
#define ABORT_STKERRCLR	(1u << 2)
#define ABORT_WDERRCLR	(1u << 3)
#define ABORT_ORUNERRCLR (1u << 4)

#define DP_MAX_APS	4

/* What became of an AP transaction. */
enum dp_ap_result {
	DP_AP_DONE,		/* reached its AP and completed */
	DP_AP_FAILED,		/* reached nothing or faulted: STICKYERR is now set */
	DP_AP_DISCARDED,	/* not attempted: a sticky error was already set */
};

struct adi_dp {
	uint32_t ctrl_stat;
	uint32_t select;
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

void dp_power_on(struct adi_dp *dp);
void dp_attach_ap(struct adi_dp *dp, unsigned int apsel, struct mem_ap *ap);

/* CTRL/STAT as read: each power-up acknowledge follows its request at once. */
uint32_t dp_ctrl_stat(const struct adi_dp *dp);
/*
 * A CTRL/STAT write. Over JTAG, writing 1 to a sticky flag clears it; over
 * SWD the flags are read-only there and only ABORT clears them.
 */
void dp_write_ctrl_stat(struct adi_dp *dp, uint32_t value, bool sticky_w1c);
/* The SW-DP's ABORT register: the clear bits of the sticky flags. */
void dp_abort(struct adi_dp *dp, uint32_t value);
bool dp_sticky_error(const struct adi_dp *dp);

/* An AP transaction to register a (0x0..0xC) of the bank SELECT picks. */
enum dp_ap_result dp_ap_access(struct adi_dp *dp, bool read, unsigned int a, uint32_t wdata,
		uint32_t *rdata);

#endif
