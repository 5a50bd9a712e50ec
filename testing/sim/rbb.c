// SPDX-License-Identifier: GPL-2.0-or-later
#include "rbb.h"
#include "log.h"
#include "tap.h"

void rbb_init(struct rbb *rbb, struct tap_chain *chain, const struct rbb_hooks *hooks)
{
	rbb->chain = chain;
	rbb->hooks = *hooks;
	rbb_connect(rbb);
	rbb->bytes_in = 0;
	rbb->bytes_out = 0;
	rbb->unknown_bytes = 0;
}

void rbb_connect(struct rbb *rbb)
{
	rbb->tck = false;
	rbb->quit = false;
}

static void set_pins(struct rbb *rbb, unsigned int v)
{
	bool tck = v & 4, tms = v & 2, tdi = v & 1;

	if (tck && !rbb->tck) {
		tap_chain_clock(rbb->chain, tms, tdi);
		rbb->hooks.tck_edge(rbb->hooks.ctx);
	}
	rbb->tck = tck;
}

size_t rbb_process(struct rbb *rbb, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t nout = 0;

	for (size_t i = 0; i < n && !rbb->quit; i++) {
		uint8_t c = in[i];

		rbb->bytes_in++;
		if (c >= '0' && c <= '7') {
			set_pins(rbb, c - '0');
		} else if (c == 'R') {
			out[nout++] = tap_chain_tdo(rbb->chain) ? '1' : '0';
		} else if (c >= 'r' && c <= 'u') {
			unsigned int lines = c - 'r';	/* 2 * TRST + SRST, 1 = asserted */

			rbb->hooks.reset_lines(rbb->hooks.ctx, lines & 2, lines & 1);
		} else if (c == 'B' || c == 'b') {
			continue;
		} else if (c == 'Q') {
			rbb->quit = true;
		} else {
			rbb->unknown_bytes++;
			sim_trace("rbb: ignoring unknown byte 0x%02x", c);
		}
	}
	rbb->bytes_out += nout;
	return nout;
}
