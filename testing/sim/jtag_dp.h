/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ADIv5 JTAG-DP: the DPACC/APACC/ABORT scan chains in front of the shared
 * debug port (dp.h), with the pipelined read result a scan captures.
 */
#ifndef H743SIM_JTAG_DP_H
#define H743SIM_JTAG_DP_H

#include "dp.h"

#define DP_IR_ABORT	0x8
#define DP_IR_DPACC	0xA
#define DP_IR_APACC	0xB
#define DP_IR_IDCODE	0xE
#define DP_IR_BYPASS	0xF

#define DP_ACK_OK_FAULT	0x2
#define DP_ACK_WAIT	0x1

struct jtag_dp {
	struct adi_dp *dp;
	uint32_t last_read;	/* captured by the next DPACC/APACC scan */
};

void jtag_dp_init(struct jtag_dp *jdp, struct adi_dp *dp);
/* 35-bit value loaded at Capture-DR: read data above a 3-bit ACK. */
uint64_t jtag_dp_capture(const struct jtag_dp *jdp);
/* Executes the transaction shifted in, at Update-DR. */
void jtag_dp_update(struct jtag_dp *jdp, unsigned int ir, uint64_t dr);

#endif
