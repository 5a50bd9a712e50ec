/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DMA1 and DMA2, the dual-port stream controllers (RM0433, "DMA controller"):
 * eight streams of CR, NDTR, PAR, M0AR, M1AR, FCR and the LISR/HISR flags
 * with their clear registers. Memory-to-memory streams transfer at once
 * when enabled: NDTR items of PSIZE from PAR to M0AR through the bus, then
 * TCIF (and HTIF) and EN cleared, or TEIF at the first bus error; the
 * transfer takes no virtual time. Streams to or from peripherals stay
 * enabled and idle: no peripheral raises DMA requests (DMAMUX is a register
 * file). EN cleared by software reads back 0 at once. The stream's interrupt
 * line goes to the NVIC.
 */
#ifndef H743SIM_DMA_H
#define H743SIM_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define DMA_SIZE	0x400u
#define DMA_STREAMS	8

#define DMA_LISR	0x00
#define DMA_HISR	0x04
#define DMA_LIFCR	0x08
#define DMA_HIFCR	0x0C
#define DMA_SxCR(s)	(0x10 + 0x18 * (s))
#define DMA_SxNDTR(s)	(0x14 + 0x18 * (s))
#define DMA_SxPAR(s)	(0x18 + 0x18 * (s))
#define DMA_SxM0AR(s)	(0x1C + 0x18 * (s))
#define DMA_SxFCR(s)	(0x24 + 0x18 * (s))

#define DMA_CR_EN	(1u << 0)
#define DMA_CR_TEIE	(1u << 2)
#define DMA_CR_HTIE	(1u << 3)
#define DMA_CR_TCIE	(1u << 4)
#define DMA_CR_DIR_M2M	(2u << 6)
#define DMA_CR_DIR_MASK	(3u << 6)
#define DMA_CR_PINC	(1u << 9)
#define DMA_CR_MINC	(1u << 10)

/* Stream flags, shifted by dma_flag_shift(stream) in LISR/HISR. */
#define DMA_FLAG_FE	(1u << 0)
#define DMA_FLAG_DME	(1u << 2)
#define DMA_FLAG_TE	(1u << 3)
#define DMA_FLAG_HT	(1u << 4)
#define DMA_FLAG_TC	(1u << 5)

struct dma {
	const char *name;
	struct bus *bus;		/* what the streams read and write */
	uint32_t isr[2];		/* LISR, HISR */
	uint32_t regs[DMA_STREAMS][6];	/* CR, NDTR, PAR, M0AR, M1AR, FCR */
	const uint8_t *irqs;		/* NVIC line of each stream */
	bool line[DMA_STREAMS];
	uint64_t transfers;
	void (*set_line)(void *ctx, unsigned int irq, bool high);
	void *ctx;
};

/* Bit position of a stream's flags within its LISR or HISR word. */
unsigned int dma_flag_shift(unsigned int stream);

void dma_init(struct dma *d, const char *name, struct bus *bus, const uint8_t irqs[DMA_STREAMS],
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx);
void dma_reset(struct dma *d);

extern const struct bus_region_ops dma_ops;

#endif
