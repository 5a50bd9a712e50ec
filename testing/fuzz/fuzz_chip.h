/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated STM32H743 for the fuzz targets: built the way h743sim's main.c
 * builds it (chip_init, default faults, chip_power_on), without a socket,
 * and brought back to the same state before every input so that an input
 * means the same thing whatever ran before it.
 */
#ifndef H743SIM_FUZZ_CHIP_H
#define H743SIM_FUZZ_CHIP_H

#include <stddef.h>
#include <stdint.h>

#include "stm32h743.h"

/* One byte of an input chooses the chip and its faults (fuzz_chip_config()). */
struct fuzz_chip_choice {
	unsigned int variant;		/* index into flash_variants[] */
	uint16_t rev_id;
	struct flash_faults faults;
	bool trace;			/* run the trace formatting too */
};

/* Decode a configuration byte; every value means something. */
void fuzz_chip_config(uint8_t byte, struct fuzz_chip_choice *c);

/*
 * The chip for a choice, created on first use, reset to a power-on with the
 * flash and option bytes of a fresh chip and the choice's faults. NULL when
 * the chip cannot be created (out of memory, Unicorn failed).
 */
struct stm32h743 *fuzz_chip_get(const struct fuzz_chip_choice *c);

/* Number of variants fuzz_chip_config() chooses from. */
unsigned int fuzz_chip_nvariants(void);

/*
 * The wire targets (fuzz_rbb.c, fuzz_vdebug.c) read an input as one
 * configuration byte, then the bytes of a connection.
 *
 * The chip the configuration byte chooses, that byte taken off the input;
 * NULL for an empty input. Aborts when the chip cannot be created.
 */
struct stm32h743 *fuzz_chip_for_input(const uint8_t **data, size_t *size);

/*
 * They feed the connection in pieces, as recv() may return them, the chip
 * running ahead a little between pieces: 50 us, less than main.c's 1 ms
 * quantum, which would spend most of the fuzzing time in the core when the
 * flash reads as code.
 */
#define FUZZ_PIECE		4096
#define FUZZ_RUNAHEAD_PS	(50 * PS_PER_US)

#endif
