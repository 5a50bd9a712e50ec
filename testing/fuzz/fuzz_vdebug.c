// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: h743sim's vdebug wire (DAP-level SWD), down through the
 * SW-DP, the MEM-APs and the buses of a whole simulated chip, the way
 * main.c's serve_client() feeds what a client sends. No socket: the input
 * is what the client sent.
 *
 * Input: one configuration byte (see fuzz_chip_config()), then the bytes of
 * the connection, in pieces of 4 KiB with the chip running ahead a little
 * between them (as fuzz_rbb.c).
 *
 * Checked besides the sanitizers, against a framing of the stream done here
 * on its own: one reply per complete request, each of 16 header bytes and
 * exactly the data bytes its request asked for; a request longer than the
 * protocol's buffer ends the connection with no reply, and so does a CLOSE
 * after an OPEN, with nothing after either.
 */
#include "fuzz_chip.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The replies expected, in order: their lengths, from the framing below. */
static size_t expected[VD_REQUEST_MAX];
static size_t n_expected, n_replies;

static void on_reply(void *ctx, const uint8_t *reply, size_t len)
{
	(void)ctx;
	(void)reply;
	if (n_replies >= n_expected || len != expected[n_replies])
		abort();
	n_replies++;
}

static unsigned int le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

/* Frames the stream: how many complete requests before the end or a bad length. */
static void frame(const uint8_t *data, size_t size)
{
	size_t at = 0;
	bool opened = false;

	n_expected = 0;
	while (size - at >= VD_CHEADER_LEN && n_expected < VD_REQUEST_MAX) {
		unsigned int wbytes = le16(data + at + 4), rbytes = le16(data + at + 6);

		if (wbytes > VD_BUFFER_LEN || rbytes > VD_BUFFER_LEN)
			return;
		if (size - at < VD_CHEADER_LEN + wbytes)
			return;
		uint8_t cmd = data[at];

		expected[n_expected++] = VD_SHEADER_LEN + rbytes;
		at += VD_CHEADER_LEN + wbytes;
		opened |= cmd == 0x01;
		if (opened && cmd == 0x02)
			return;		/* CLOSE once open: the server stops reading */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stm32h743 *chip = fuzz_chip_for_input(&data, &size);

	if (!chip)
		return 0;
	frame(data, size);
	n_replies = 0;
	chip_select_transport(chip, TRANSPORT_SWD);
	vdebug_connect(&chip->vdebug, on_reply, NULL);
	for (size_t done = 0; done < size && !chip->vdebug.quit; done += FUZZ_PIECE) {
		size_t n = size - done < FUZZ_PIECE ? size - done : FUZZ_PIECE;

		vdebug_process(&chip->vdebug, data + done, n);
		if (chip->vdebug.have >= VD_REQUEST_MAX)
			abort();
		if (!chip->vdebug.quit)
			chip_run_ahead(chip, FUZZ_RUNAHEAD_PS);
	}
	if (n_replies != n_expected)
		abort();	/* a complete request went unanswered */
	chip_settle(chip);
	return 0;
}
