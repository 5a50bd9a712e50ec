// SPDX-License-Identifier: GPL-2.0-or-later
#include "jtag_dp.h"
#include "log.h"

void jtag_dp_init(struct jtag_dp *jdp, struct adi_dp *dp)
{
	jdp->dp = dp;
	jdp->last_read = 0;
}

uint64_t jtag_dp_capture(const struct jtag_dp *jdp)
{
	return ((uint64_t)jdp->last_read << 3) | DP_ACK_OK_FAULT;
}

static void dp_access(struct jtag_dp *jdp, bool read, unsigned int a, uint32_t data)
{
	struct adi_dp *dp = jdp->dp;

	dp->dp_transactions++;
	switch (a) {
	case 0x0:
		if (read)
			jdp->last_read = DP_DPIDR;
		break;
	case DP_REG_CTRL_STAT:
		if (read)
			jdp->last_read = dp_ctrl_stat(dp);
		else
			dp_write_ctrl_stat(dp, data, true);
		break;
	case DP_REG_SELECT:
		if (read)
			jdp->last_read = dp->select;
		else
			dp->select = data;
		break;
	case DP_REG_RDBUFF:
		/* RDBUFF repeats the last result; OpenOCD never consumes it. */
		break;
	}
	sim_trace("dp: %s DP reg 0x%x%s0x%08x", read ? "read " : "write", a, read ? " = " : " <- ",
		read ? jdp->last_read : data);
}

/* With STICKYERR set the JTAG-DP discards AP transactions until it is cleared. */
static void ap_access(struct jtag_dp *jdp, bool read, unsigned int a, uint32_t data)
{
	uint32_t value = 0;

	dp_ap_access(jdp->dp, read, a, data, &value);
	if (read)
		jdp->last_read = value;
}

void jtag_dp_update(struct jtag_dp *jdp, unsigned int ir, uint64_t dr)
{
	bool read = dr & 1;
	unsigned int a = (dr >> 1 & 3) << 2;
	uint32_t data = (uint32_t)(dr >> 3);

	switch (ir) {
	case DP_IR_DPACC:
		dp_access(jdp, read, a, data);
		break;
	case DP_IR_APACC:
		ap_access(jdp, read, a, data);
		break;
	case DP_IR_ABORT:
		/* DAPABORT only cancels a stalled transaction; ours never stall. */
		sim_trace("dp: ABORT 0x%08x", data);
		break;
	}
}
