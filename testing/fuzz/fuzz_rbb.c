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
 * ahead a little (50 us: less than main.c's 1 ms quantum, which would spend
 * most of the fuzzing time in the core when the flash reads as code).
 *
 * Checked besides the sanitizers: exactly one reply byte, '0' or '1', per
 * 'R' before the first 'Q', and nothing processed after 'Q'.
 */
#include "fuzz_chip.h"

#include <stdlib.h>
#include <string.h>

#define PIECE 4096
#define RUNAHEAD_PS (50 * PS_PER_US)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[PIECE];
	struct fuzz_chip_choice choice;

	if (size < 1)
		return 0;
	fuzz_chip_config(data[0], &choice);
	struct stm32h743 *chip = fuzz_chip_get(&choice);

	if (!chip)
		abort();
	data++;
	size--;
	for (size_t done = 0; done < size && !chip->rbb.quit; done += PIECE) {
		size_t n = size - done < PIECE ? size - done : PIECE;
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
			chip_run_ahead(chip, RUNAHEAD_PS);
	}
	chip_settle(chip);
	return 0;
}
