/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated chip as an OpenOCD target sees its memory through AP0, for
 * fuzz_commands.c: a narrow interface in plain C types, because OpenOCD's
 * headers and the simulator's cannot meet in one file (both define
 * enum tap_state, for one).
 */
#ifndef H743SIM_FUZZ_MEMORY_H
#define H743SIM_FUZZ_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

/* A fresh chip for the next input; config as fuzz_chip_config(). False: no chip. */
bool fuzz_mem_reset(uint8_t config);
/*
 * One access of 1, 2 or 4 bytes at a naturally aligned address, through
 * AP0's CSW/TAR/DRW as a debugger does it; the chip first lives through the
 * time of one debug transaction. False for a bus error (or no answer).
 */
bool fuzz_mem_read(uint64_t addr, unsigned int size, uint32_t *value);
bool fuzz_mem_write(uint64_t addr, unsigned int size, uint32_t value);
/* The chip lives ms milliseconds (the debugger sleeps). */
void fuzz_mem_sleep(uint64_t ms);
/* Virtual time in milliseconds. */
int64_t fuzz_mem_now_ms(void);

#endif
