// SPDX-License-Identifier: GPL-2.0-or-later
#include "jtag_dp.h"
#include "log.h"

#include <string.h>

#define DP_REG_CTRL_STAT 0x4
#define DP_REG_SELECT	0x8
#define DP_REG_RDBUFF	0xC
#define DP_DPIDR	0x6BA02477u	/* never read over JTAG by OpenOCD 0.12 */

void jtag_dp_power_on(struct jtag_dp *dp)
{
	dp->ctrl_stat = 0;
	dp->select = 0;
	dp->last_read = 0;
}

void jtag_dp_attach_ap(struct jtag_dp *dp, unsigned int apsel, struct mem_ap *ap)
{
	if (apsel < DP_MAX_APS)
		dp->aps[apsel] = ap;
}

uint64_t jtag_dp_capture(const struct jtag_dp *dp)
{
	return ((uint64_t)dp->last_read << 3) | DP_ACK_OK_FAULT;
}

/* Each power-up acknowledge follows its request at once. */
static uint32_t ctrl_stat_value(const struct jtag_dp *dp)
{
	uint32_t v = dp->ctrl_stat;

	return v | ((v & (CS_CDBGRSTREQ | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ)) << 1);
}

static void dp_access(struct jtag_dp *dp, bool read, unsigned int a, uint32_t data)
{
	dp->dp_transactions++;
	switch (a) {
	case 0x0:
		if (read)
			dp->last_read = DP_DPIDR;
		break;
	case DP_REG_CTRL_STAT:
		if (read) {
			dp->last_read = ctrl_stat_value(dp);
		} else {
			uint32_t sticky = dp->ctrl_stat & CS_STICKY_MASK & ~(data & CS_STICKY_MASK);

			dp->ctrl_stat = (data & CS_WRITABLE) | sticky;
		}
		break;
	case DP_REG_SELECT:
		if (read)
			dp->last_read = dp->select;
		else
			dp->select = data;
		break;
	case DP_REG_RDBUFF:
		/* RDBUFF repeats the last result; OpenOCD never consumes it. */
		break;
	}
	sim_trace("dp: %s DP reg 0x%x%s0x%08x", read ? "read " : "write", a, read ? " = " : " <- ",
		read ? dp->last_read : data);
}

static void ap_access(struct jtag_dp *dp, bool read, unsigned int a, uint32_t data)
{
	unsigned int apsel = dp->select >> 24;
	uint8_t reg = (dp->select & 0xF0) | (a & 0xC);
	struct mem_ap *ap = apsel < DP_MAX_APS ? dp->aps[apsel] : NULL;
	int ret = BUS_OK;

	dp->ap_transactions++;
	/* With STICKYERR set the JTAG-DP discards AP transactions until cleared. */
	if (dp->ctrl_stat & CS_STICKYERR) {
		if (read)
			dp->last_read = 0;
		return;
	}
	if (!ap) {
		if (read)
			dp->last_read = 0;	/* absent APs read as zero, no error */
		return;
	}
	if (dp->aps_disabled) {
		sim_trace("dp: AP%u access refused: debug is disabled (RDP level 2)", apsel);
		dp->ctrl_stat |= CS_STICKYERR;
		dp->sticky_errors++;
		if (read)
			dp->last_read = 0;
		return;
	}
	if (!(ctrl_stat_value(dp) & (CS_CDBGPWRUPREQ << 1))) {
		sim_trace("dp: AP%u access while debug power is off", apsel);
		dp->ctrl_stat |= CS_STICKYERR;
		dp->sticky_errors++;
		return;
	}
	if (dp->before_ap)
		dp->before_ap(dp->ctx);
	/*
	 * An AP whose domain is stopped without debug support: it does not
	 * answer. Silicon may stall (WAIT) instead; a sticky error lets OpenOCD
	 * fail at once rather than after a second of WAIT retries per access
	 * (UNCONFIRMED: what the H743 AHB-AP does in D1 Stop is not documented).
	 */
	if (ap->unclocked) {
		sim_trace("dp: AP%u does not answer: its domain is stopped", apsel);
		ret = BUS_ERROR;
		if (read)
			dp->last_read = 0;
	} else if (read) {
		ret = mem_ap_read(ap, reg, &dp->last_read);
	} else {
		ret = mem_ap_write(ap, reg, data);
	}
	if (ret != BUS_OK) {
		dp->ctrl_stat |= CS_STICKYERR;
		dp->sticky_errors++;
	}
	if (dp->after_ap)
		dp->after_ap(dp->ctx);
}

void jtag_dp_update(struct jtag_dp *dp, unsigned int ir, uint64_t dr)
{
	bool read = dr & 1;
	unsigned int a = (dr >> 1 & 3) << 2;
	uint32_t data = (uint32_t)(dr >> 3);

	switch (ir) {
	case DP_IR_DPACC:
		dp_access(dp, read, a, data);
		break;
	case DP_IR_APACC:
		ap_access(dp, read, a, data);
		break;
	case DP_IR_ABORT:
		/* DAPABORT only cancels a stalled transaction; ours never stall. */
		sim_trace("dp: ABORT 0x%08x", data);
		break;
	}
}
