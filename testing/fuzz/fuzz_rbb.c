// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: h743sim's remote_bitbang wire, byte by byte, down through the
 * TAP chain, the JTAG-DP, the MEM-APs and the buses of a whole simulated
 * chip (Unicorn core included), the way main.c's serve_client() feeds what a
 * client sends. No socket: the input is what the client sent.
 *
 * Input: one configuration byte (variant, revision, fault, trace: see
 * fuzz_chip_config()), then the bytes of the connection. The bytes go in
 * pieces of 4 KiB, as recv() may return them; between pieces the chip runs
 * ahead a little (FUZZ_RUNAHEAD_PS, fuzz_chip.h says why).
 *
 * Checked besides the sanitizers: exactly one reply byte, '0' or '1', per
 * 'R' before the first 'Q', and nothing processed after 'Q'.
 */
#include "fuzz_chip.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FUZZ_PIECE];
	struct stm32h743 *chip = fuzz_chip_for_input(&data, &size);

	if (!chip)
		return 0;
	for (size_t done = 0; done < size && !chip->rbb.quit; done += FUZZ_PIECE) {
		size_t n = size - done < FUZZ_PIECE ? size - done : FUZZ_PIECE;
		const uint8_t *in = data + done;
		uint64_t before = chip->rbb.bytes_in;
		size_t reads = 0;
		size_t nout = rbb_process(&chip->rbb, in, n, out);
		size_t used = (size_t)(chip->rbb.bytes_in - before);

		for (size_t i = 0; i < used; i++)
			reads += in[i] == 'R';
		if (used > n || (used < n && !chip->rbb.quit))
			abort();	/* read past the end, or stopped early without a 'Q' */
		if (chip->rbb.quit && (used == 0 || in[used - 1] != 'Q'))
			abort();	/* quit, but not at a 'Q' */
		if (nout != reads)
			abort();	/* one reply per 'R' */
		for (size_t i = 0; i < nout; i++)
			if (out[i] != '0' && out[i] != '1')
				abort();
		if (!chip->rbb.quit)
			chip_run_ahead(chip, FUZZ_RUNAHEAD_PS);
	}
	chip_settle(chip);
	return 0;
}
