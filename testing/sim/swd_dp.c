// SPDX-License-Identifier: GPL-2.0-or-later
#include "swd_dp.h"
#include "log.h"

void swd_dp_init(struct swd_dp *swd, struct adi_dp *dp)
{
	swd->dp = dp;
	swd->silent = false;
	swd->line_resets = 0;
	swd->protocol_errors = 0;
	swd->faults = 0;
	swd_dp_power_on(swd);
}

void swd_dp_power_on(struct swd_dp *swd)
{
	swd->swd_selected = false;
	swd->reset_state = true;
	swd->rdbuff = 0;
}

void swd_dp_line_reset(struct swd_dp *swd)
{
	swd->line_resets++;
	swd->reset_state = true;
	sim_trace("swd: line reset");
}

void swd_dp_jtag_to_swd(struct swd_dp *swd)
{
	swd->swd_selected = true;
	swd_dp_line_reset(swd);
}

void swd_dp_select_jtag(struct swd_dp *swd)
{
	swd->swd_selected = false;
	swd->reset_state = true;
}

const char *swd_ack_name(enum swd_ack ack)
{
	switch (ack) {
	case SWD_ACK_OK:
		return "OK";
	case SWD_ACK_WAIT:
		return "WAIT";
	case SWD_ACK_FAULT:
		return "FAULT";
	default:
		return "no ACK";
	}
}

/*
 * With a sticky error flag set the SW-DP answers FAULT to everything but
 * what reads the state or clears it: DPIDR and CTRL/STAT reads and ABORT
 * writes (ADIv5.2 B4.2.4).
 */
static bool passes_sticky_error(bool ap, bool read, unsigned int a)
{
	if (ap)
		return false;
	return read ? (a == 0x0 || a == DP_REG_CTRL_STAT) : a == 0x0;
}

static void dp_read(struct swd_dp *swd, unsigned int a, uint32_t *data)
{
	struct adi_dp *dp = swd->dp;

	switch (a) {
	case 0x0:
		*data = DP_DPIDR;
		break;
	case DP_REG_CTRL_STAT:
		*data = dp_ctrl_stat(dp);
		break;
	case DP_REG_SELECT:	/* RESEND on a DPv1: repeats the last read data */
	default:		/* RDBUFF */
		*data = swd->rdbuff;
		break;
	}
}

static void dp_write(struct swd_dp *swd, unsigned int a, uint32_t data)
{
	struct adi_dp *dp = swd->dp;

	switch (a) {
	case 0x0:
		dp_abort(dp, data);
		break;
	case DP_REG_CTRL_STAT:
		dp_write_ctrl_stat(dp, data, false);
		break;
	case DP_REG_SELECT:
		dp->select = data;
		break;
	default:		/* RDBUFF is read-only: the write is ignored */
		break;
	}
}

/* AP reads are posted: the ACK carries the previous result, RDBUFF the new one. */
static void ap_transfer(struct swd_dp *swd, bool read, unsigned int a, uint32_t *data)
{
	uint32_t value = 0;

	if (!read) {
		dp_ap_access(swd->dp, false, a, *data, NULL);
		return;
	}
	*data = swd->rdbuff;
	dp_ap_access(swd->dp, true, a, 0, &value);
	swd->rdbuff = value;
}

static enum swd_ack unanswered(struct swd_dp *swd, const char *why)
{
	swd->protocol_errors++;
	swd->silence = why;
	sim_trace("swd: request not answered: %s", why);
	return SWD_ACK_NONE;
}

enum swd_ack swd_dp_transfer(struct swd_dp *swd, bool ap, bool read, unsigned int a,
		uint32_t *data)
{
	a &= 0xC;
	if (swd->silent)
		return unanswered(swd, "the debug port is off (RDP level 2)");
	if (!swd->swd_selected)
		return unanswered(swd, "the SWJ-DP is on JTAG (no JTAG-to-SWD sequence)");
	if (swd->reset_state && (ap || !read || a != 0x0))
		return unanswered(swd, "a line reset must be followed by a DPIDR read");
	swd->reset_state = false;
	if (dp_sticky_error(swd->dp) && !passes_sticky_error(ap, read, a)) {
		swd->faults++;
		sim_trace("swd: FAULT: STICKYERR is set (clear it through ABORT)");
		return SWD_ACK_FAULT;
	}
	if (ap) {
		ap_transfer(swd, read, a, data);
	} else {
		swd->dp->dp_transactions++;
		if (read)
			dp_read(swd, a, data);
		else
			dp_write(swd, a, *data);
	}
	sim_trace("swd: %s %s 0x%x %s 0x%08x", read ? "read " : "write", ap ? "AP" : "DP", a,
		read ? "=" : "<-", *data);
	return SWD_ACK_OK;
}
