// SPDX-License-Identifier: GPL-2.0-or-later
#include "tap.h"
#include "log.h"

#include <string.h>

/* Next state for TMS = 0 and TMS = 1 (IEEE 1149.1 figure 6-1). */
static const uint8_t next_state[16][2] = {
	[TAP_RESET]	= { TAP_IDLE, TAP_RESET },
	[TAP_IDLE]	= { TAP_IDLE, TAP_DRSELECT },
	[TAP_DRSELECT]	= { TAP_DRCAPTURE, TAP_IRSELECT },
	[TAP_DRCAPTURE]	= { TAP_DRSHIFT, TAP_DREXIT1 },
	[TAP_DRSHIFT]	= { TAP_DRSHIFT, TAP_DREXIT1 },
	[TAP_DREXIT1]	= { TAP_DRPAUSE, TAP_DRUPDATE },
	[TAP_DRPAUSE]	= { TAP_DRPAUSE, TAP_DREXIT2 },
	[TAP_DREXIT2]	= { TAP_DRSHIFT, TAP_DRUPDATE },
	[TAP_DRUPDATE]	= { TAP_IDLE, TAP_DRSELECT },
	[TAP_IRSELECT]	= { TAP_IRCAPTURE, TAP_RESET },
	[TAP_IRCAPTURE]	= { TAP_IRSHIFT, TAP_IREXIT1 },
	[TAP_IRSHIFT]	= { TAP_IRSHIFT, TAP_IREXIT1 },
	[TAP_IREXIT1]	= { TAP_IRPAUSE, TAP_IRUPDATE },
	[TAP_IRPAUSE]	= { TAP_IRPAUSE, TAP_IREXIT2 },
	[TAP_IREXIT2]	= { TAP_IRSHIFT, TAP_IRUPDATE },
	[TAP_IRUPDATE]	= { TAP_IDLE, TAP_DRSELECT },
};

const char *tap_state_name(enum tap_state s)
{
	static const char *const names[] = {
		"RESET", "IDLE", "DRSELECT", "DRCAPTURE", "DRSHIFT", "DREXIT1", "DRPAUSE",
		"DREXIT2", "DRUPDATE", "IRSELECT", "IRCAPTURE", "IRSHIFT", "IREXIT1",
		"IRPAUSE", "IREXIT2", "IRUPDATE",
	};
	return names[s];
}

void tap_chain_init(struct tap_chain *chain)
{
	memset(chain, 0, sizeof(*chain));
	chain->state = TAP_RESET;
}

static void tap_reset(struct tap *tap)
{
	tap->ir = tap->idcode_ir;
}

void tap_chain_add(struct tap_chain *chain, struct tap *tap)
{
	if (chain->ntaps < TAP_CHAIN_MAX)
		chain->taps[chain->ntaps++] = tap;
	tap_reset(tap);
}

void tap_chain_set_trst(struct tap_chain *chain, bool asserted)
{
	chain->trst = asserted;
	if (asserted) {
		chain->state = TAP_RESET;
		for (unsigned int i = 0; i < chain->ntaps; i++)
			tap_reset(chain->taps[i]);
	}
}

static void capture_dr(struct tap *tap)
{
	unsigned int len = tap->ops ? tap->ops->dr_length(tap, tap->ir) : 0;

	if (len) {
		tap->dr_len = len;
		tap->dr_shift = tap->ops->dr_capture(tap, tap->ir);
	} else if (tap->ir == tap->idcode_ir) {
		tap->dr_len = 32;
		tap->dr_shift = tap->idcode;
	} else {
		tap->dr_len = 1;	/* BYPASS captures 0 */
		tap->dr_shift = 0;
	}
}

static void update_dr(struct tap *tap)
{
	uint64_t mask = tap->dr_len >= 64 ? ~0ull : (1ull << tap->dr_len) - 1;

	if (tap->ops && tap->ops->dr_length(tap, tap->ir))
		tap->ops->dr_update(tap, tap->ir, tap->dr_shift & mask);
}

/* Shift the whole chain one bit: TDI enters the TAP nearest TDI. */
static void shift_chain(struct tap_chain *chain, bool ir, bool tdi)
{
	uint64_t carry = tdi;

	for (int i = (int)chain->ntaps - 1; i >= 0; i--) {
		struct tap *tap = chain->taps[i];
		uint64_t out;

		if (ir) {
			out = tap->ir_shift & 1;
			tap->ir_shift = (tap->ir_shift >> 1) |
				(uint32_t)(carry << (tap->ir_length - 1));
		} else {
			out = tap->dr_shift & 1;
			tap->dr_shift = (tap->dr_shift >> 1) | (carry << (tap->dr_len - 1));
		}
		carry = out;
	}
}

void tap_chain_clock(struct tap_chain *chain, bool tms, bool tdi)
{
	enum tap_state s = chain->state;

	if (chain->trst || chain->disabled)
		return;		/* held in Test-Logic-Reset, or the port is off */
	switch (s) {
	case TAP_DRCAPTURE:
		for (unsigned int i = 0; i < chain->ntaps; i++)
			capture_dr(chain->taps[i]);
		break;
	case TAP_DRSHIFT:
		shift_chain(chain, false, tdi);
		break;
	case TAP_IRCAPTURE:
		for (unsigned int i = 0; i < chain->ntaps; i++)
			chain->taps[i]->ir_shift = chain->taps[i]->ir_capture;
		break;
	case TAP_IRSHIFT:
		shift_chain(chain, true, tdi);
		break;
	default:
		break;
	}
	chain->state = next_state[s][tms];
	switch (chain->state) {
	case TAP_DRUPDATE:
		for (unsigned int i = 0; i < chain->ntaps; i++)
			update_dr(chain->taps[i]);
		break;
	case TAP_IRUPDATE:
		for (unsigned int i = 0; i < chain->ntaps; i++) {
			struct tap *tap = chain->taps[i];

			tap->ir = tap->ir_shift & ((1u << tap->ir_length) - 1);
			sim_trace("tap %s: IR = 0x%x", tap->name, tap->ir);
		}
		break;
	case TAP_RESET:
		for (unsigned int i = 0; i < chain->ntaps; i++)
			tap_reset(chain->taps[i]);
		break;
	default:
		break;
	}
}

bool tap_chain_tdo(const struct tap_chain *chain)
{
	const struct tap *tdo_tap = chain->ntaps ? chain->taps[0] : NULL;

	if (chain->disabled)
		return true;	/* nothing drives TDO: the pull-up */

	if (!tdo_tap)
		return false;
	if (chain->state == TAP_DRSHIFT)
		return tdo_tap->dr_shift & 1;
	if (chain->state == TAP_IRSHIFT)
		return tdo_tap->ir_shift & 1;
	return false;
}
