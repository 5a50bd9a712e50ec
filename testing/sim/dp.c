// SPDX-License-Identifier: GPL-2.0-or-later
#include "dp.h"
#include "log.h"

#include <string.h>

void dp_power_on(struct adi_dp *dp)
{
	dp->ctrl_stat = 0;
	dp->select = 0;
}

void dp_attach_ap(struct adi_dp *dp, unsigned int apsel, struct mem_ap *ap)
{
	if (apsel < DP_MAX_APS)
		dp->aps[apsel] = ap;
}

uint32_t dp_ctrl_stat(const struct adi_dp *dp)
{
	uint32_t v = dp->ctrl_stat;

	return v | ((v & (CS_CDBGRSTREQ | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ)) << 1);
}

void dp_write_ctrl_stat(struct adi_dp *dp, uint32_t value, bool sticky_w1c)
{
	uint32_t sticky = dp->ctrl_stat & CS_STICKY_MASK;

	if (sticky_w1c)
		sticky &= ~(value & CS_STICKY_MASK);
	dp->ctrl_stat = (value & CS_WRITABLE) | sticky;
}

void dp_abort(struct adi_dp *dp, uint32_t value)
{
	if (value & ABORT_STKCMPCLR)
		dp->ctrl_stat &= ~CS_STICKYCMP;
	if (value & ABORT_STKERRCLR)
		dp->ctrl_stat &= ~CS_STICKYERR;
	if (value & ABORT_WDERRCLR)
		dp->ctrl_stat &= ~CS_WDATAERR;
	if (value & ABORT_ORUNERRCLR)
		dp->ctrl_stat &= ~CS_STICKYORUN;
	/* DAPABORT only cancels a stalled transaction; ours never stall. */
}

bool dp_sticky_error(const struct adi_dp *dp)
{
	return dp->ctrl_stat & CS_STICKYERR;
}

static enum dp_ap_result fail(struct adi_dp *dp, bool read, uint32_t *rdata)
{
	dp->ctrl_stat |= CS_STICKYERR;
	dp->sticky_errors++;
	if (read)
		*rdata = 0;
	return DP_AP_FAILED;
}

/* Reaches a present, powered AP: ask it, with the chip brought up to date. */
static enum dp_ap_result reach_ap(struct adi_dp *dp, struct mem_ap *ap, unsigned int apsel,
		bool read, uint8_t reg, uint32_t wdata, uint32_t *rdata)
{
	int ret;

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
			*rdata = 0;
	} else if (read) {
		ret = mem_ap_read(ap, reg, rdata);
	} else {
		ret = mem_ap_write(ap, reg, wdata);
	}
	if (ret != BUS_OK)
		fail(dp, read, rdata);
	if (dp->after_ap)
		dp->after_ap(dp->ctx);
	return ret == BUS_OK ? DP_AP_DONE : DP_AP_FAILED;
}

enum dp_ap_result dp_ap_access(struct adi_dp *dp, bool read, unsigned int a, uint32_t wdata,
		uint32_t *rdata)
{
	unsigned int apsel = dp->select >> 24;
	uint8_t reg = (dp->select & 0xF0) | (a & 0xC);
	struct mem_ap *ap = apsel < DP_MAX_APS ? dp->aps[apsel] : NULL;
	uint32_t scratch;

	if (!rdata)
		rdata = &scratch;
	dp->ap_transactions++;
	if (dp_sticky_error(dp)) {
		if (read)
			*rdata = 0;
		return DP_AP_DISCARDED;
	}
	if (!ap) {
		if (read)
			*rdata = 0;	/* absent APs read as zero, no error */
		return DP_AP_DONE;
	}
	if (dp->aps_disabled) {
		sim_trace("dp: AP%u access refused: debug is disabled (RDP level 2)", apsel);
		return fail(dp, read, rdata);
	}
	if (!(dp_ctrl_stat(dp) & (CS_CDBGPWRUPREQ << 1))) {
		sim_trace("dp: AP%u access while debug power is off", apsel);
		return fail(dp, read, rdata);
	}
	return reach_ap(dp, ap, apsel, read, reg, wdata, rdata);
}
