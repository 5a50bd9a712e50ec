/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The contract between the stm32h743 flash driver and its target-resident
 * write loader (stm32h743_write.c). Both sides include this file.
 *
 * Work area layout, chosen by the driver:
 *   code   the loader image (stm32h743_write.inc), entry at offset 0
 *   params one struct stm32h743_loader_params, passed in r0
 *   stack  STM32H743_LOADER_STACK bytes, top passed in sp
 *   fifo   OpenOCD's async FIFO: write pointer, read pointer, then data
 *          (target_run_flash_async_algorithm); one block = one flash word
 *
 * The loader takes flash words from the FIFO and writes each to the next
 * address of a segment. A segment is a run of consecutive flash words in one
 * bank, with that bank's register block. With `interleave` set the loader
 * takes one word for each unfinished segment in turn, so two segments in the
 * two banks keep both banks programming at the same time; the driver then
 * interleaves the data the same way. A segment with `src` set takes its
 * words from RAM there instead (data the driver staged while the banks
 * erased); only the other segments take words from the FIFO. Before writing a word the loader only
 * waits for its own bank's queue (QW) to drain; right after writing it, it
 * reads the status once more and counts words already done (instant_words),
 * which no working controller can do.
 */
#ifndef STM32H743_LOADER_H
#define STM32H743_LOADER_H

#include <stdint.h>

#define STM32H743_LOADER_MAX_SEGMENTS	2
#define STM32H743_LOADER_STACK		256
#define STM32H743_FLASH_WORD		32

/* FLASH_SR bits the loader looks at (RM0433 section 4.9.5). */
#define STM32H743_SR_QW			0x00000004u
#define STM32H743_SR_ERRORS		0x07EE0000u	/* WRPERR..DBECCERR */

/* Register offsets from the bank's register block. */
#define STM32H743_LOADER_CR		0x0C
#define STM32H743_LOADER_SR		0x10

enum stm32h743_loader_status {
	STM32H743_LOADER_RUNNING = 0,
	STM32H743_LOADER_DONE = 1,
	STM32H743_LOADER_FLASH_ERROR = 2,	/* error_sr/error_addr say which */
	STM32H743_LOADER_ABORTED = 3,		/* the host wrote wp = 0 */
};

struct stm32h743_loader_segment {
	uint32_t flash_addr;	/* next flash word to write */
	uint32_t words;		/* flash words left */
	uint32_t regs;		/* FLASH register block of this bank */
	uint32_t cr;		/* FLASH_CR value while programming: PG | PSIZE */
	uint32_t src;		/* 0: words come from the FIFO; else their address in RAM */
};

struct stm32h743_loader_params {
	uint32_t fifo_start;	/* address of the write pointer word */
	uint32_t fifo_end;	/* first address past the FIFO */
	uint32_t nsegments;
	uint32_t interleave;
	struct stm32h743_loader_segment seg[STM32H743_LOADER_MAX_SEGMENTS];
	uint32_t status;	/* enum stm32h743_loader_status, written by the loader */
	uint32_t error_sr;	/* FLASH_SR of the bank that failed */
	uint32_t error_addr;	/* the flash word that failed */
	uint32_t error_regs;	/* the register block of that bank */
	/*
	 * Flash words whose bank queue was already empty at the first status
	 * read after the last store: a word takes at least 100 us to program
	 * (DS12110), so the controller reported done without programming.
	 */
	uint32_t instant_words;
};

#endif
