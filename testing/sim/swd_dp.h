/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ADIv5 SW-DP: the SWD face of the STM32H743's SWJ-DP in front of the shared
 * debug port (dp.h). Packet level: a request gets an ACK (OK, WAIT, FAULT or
 * none), AP reads are posted (the data of a read is the previous AP read's
 * result; RDBUFF gives the last one), a line reset leaves the port waiting
 * for a DPIDR read, and sticky errors fault every access but the few that
 * can clear them. The bit-level timing is the wire layer's (vdebug.c).
 */
#ifndef H743SIM_SWD_DP_H
#define H743SIM_SWD_DP_H

#include "dp.h"


/* Cycles of one transaction with its data phase, turnarounds and parity. */
#define SWD_PACKET_CYCLES	46
/* Cycles of a request answered WAIT, FAULT or nothing: no data phase. */
#define SWD_NO_DATA_CYCLES	13
/* At least 50 cycles with SWDIO high, then two idle cycles. */
#define SWD_LINE_RESET_CYCLES	52
/* 50 cycles high, the 16-bit select sequence 0xE79E, then a line reset. */
#define SWD_JTAG_TO_SWD_CYCLES	(50 + 16 + SWD_LINE_RESET_CYCLES)

enum swd_ack {
	SWD_ACK_OK = 0x1,
	SWD_ACK_WAIT = 0x2,
	SWD_ACK_FAULT = 0x4,
	SWD_ACK_NONE = 0x7,	/* nobody drives SWDIO: the pull-up reads all ones */
};

struct swd_dp {
	struct adi_dp *dp;
	bool swd_selected;	/* the JTAG-to-SWD sequence came since power-on */
	bool reset_state;	/* after a line reset: only a DPIDR read is answered */
	bool silent;		/* RDP level 2: the port never answers again */
	uint32_t rdbuff;	/* the last AP read's result */
	uint64_t line_resets;
	uint64_t protocol_errors;	/* requests left unanswered */
	const char *silence;		/* why the last one was */
	uint64_t faults;
};

void swd_dp_init(struct swd_dp *swd, struct adi_dp *dp);
/* Power-on: the SWJ-DP starts on JTAG. */
void swd_dp_power_on(struct swd_dp *swd);
/* The JTAG-to-SWD select sequence (which ends in a line reset). */
void swd_dp_jtag_to_swd(struct swd_dp *swd);
/* JTAG again (a JTAG probe's SWD-to-JTAG sequence). */
void swd_dp_select_jtag(struct swd_dp *swd);
void swd_dp_line_reset(struct swd_dp *swd);
/*
 * One SWD transaction to DP or AP register a (0x0..0xC). Writes take *data;
 * reads that answer OK fill it.
 */
enum swd_ack swd_dp_transfer(struct swd_dp *swd, bool ap, bool read, unsigned int a,
		uint32_t *data);
const char *swd_ack_name(enum swd_ack ack);

#endif
