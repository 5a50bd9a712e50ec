// SPDX-License-Identifier: GPL-2.0-or-later
#include "dma.h"
#include "log.h"

#include <string.h>

#define REG_CR		0
#define REG_NDTR	1
#define REG_PAR		2
#define REG_M0AR	3
#define REG_FCR		5
#define FCR_RESET	0x00000021u

unsigned int dma_flag_shift(unsigned int stream)
{
	static const uint8_t shift[4] = { 0, 6, 16, 22 };

	return shift[stream % 4];
}

void dma_init(struct dma *d, const char *name, struct bus *bus, const uint8_t irqs[DMA_STREAMS],
		void (*set_line)(void *ctx, unsigned int irq, bool high), void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->bus = bus;
	d->irqs = irqs;
	d->set_line = set_line;
	d->ctx = ctx;
}

static uint32_t stream_flags(const struct dma *d, unsigned int s)
{
	return d->isr[s / 4] >> dma_flag_shift(s) & 0x3D;
}

static void raise_flags(struct dma *d, unsigned int s, uint32_t flags)
{
	d->isr[s / 4] |= flags << dma_flag_shift(s);
}

/* The stream's interrupt: a flag whose enable is set (FEIE lives in FCR). */
static void update_line(struct dma *d, unsigned int s)
{
	uint32_t cr = d->regs[s][REG_CR], flags = stream_flags(d, s);
	bool high = ((flags & DMA_FLAG_TC) && (cr & DMA_CR_TCIE)) ||
		((flags & DMA_FLAG_HT) && (cr & DMA_CR_HTIE)) ||
		((flags & DMA_FLAG_TE) && (cr & DMA_CR_TEIE)) ||
		((flags & DMA_FLAG_DME) && (cr & 2)) ||
		((flags & DMA_FLAG_FE) && (d->regs[s][REG_FCR] & 0x80));

	if (high == d->line[s])
		return;
	d->line[s] = high;
	if (d->set_line)
		d->set_line(d->ctx, d->irqs[s], high);
}

void dma_reset(struct dma *d)
{
	memset(d->isr, 0, sizeof(d->isr));
	memset(d->regs, 0, sizeof(d->regs));
	for (unsigned int s = 0; s < DMA_STREAMS; s++) {
		d->regs[s][REG_FCR] = FCR_RESET;
		update_line(d, s);
	}
}

/* Memory to memory: NDTR items of PSIZE from PAR to M0AR (RM0433 "Memory-to-memory mode"). */
static void run_m2m(struct dma *d, unsigned int s)
{
	uint32_t *r = d->regs[s];
	unsigned int size = 1u << ((r[REG_CR] >> 11) & 3);
	uint32_t src = r[REG_PAR], dst = r[REG_M0AR], n = r[REG_NDTR] & 0xFFFF;
	uint32_t flags = DMA_FLAG_TC | DMA_FLAG_HT;

	if (size > 4)
		size = 4;	/* PSIZE 11 is reserved */
	for (; n > 0; n--) {
		uint32_t v;

		if (bus_read(d->bus, src, size, &v, MASTER_DMA) != BUS_OK ||
		    bus_write(d->bus, dst, size, v, MASTER_DMA) != BUS_OK) {
			flags = DMA_FLAG_TE;
			break;
		}
		if (r[REG_CR] & DMA_CR_PINC)
			src += size;
		if (r[REG_CR] & DMA_CR_MINC)
			dst += size;
	}
	sim_trace("%s: stream %u copied to 0x%08x, %u items left, %s", d->name, s, dst, n,
		flags == DMA_FLAG_TE ? "transfer error" : "complete");
	r[REG_NDTR] = n;
	r[REG_CR] &= ~DMA_CR_EN;
	raise_flags(d, s, flags);
	d->transfers++;
}

static int dma_read(void *ctx, uint32_t off, unsigned int size, uint32_t *v, enum bus_master who)
{
	struct dma *d = ctx;

	(void)size, (void)who;
	off &= ~3u;
	if (off == DMA_LISR || off == DMA_HISR)
		*v = d->isr[off / 4];
	else if (off >= DMA_SxCR(0) && off < DMA_SxCR(DMA_STREAMS))
		*v = d->regs[(off - DMA_SxCR(0)) / 0x18][(off - DMA_SxCR(0)) % 0x18 / 4];
	else
		*v = 0;		/* the clear registers read as 0 */
	return BUS_OK;
}

static void write_stream(struct dma *d, unsigned int s, unsigned int reg, uint32_t v)
{
	uint32_t *r = d->regs[s];

	/* only CR and FCR change while the stream is enabled */
	if ((r[REG_CR] & DMA_CR_EN) && reg != REG_CR && reg != REG_FCR)
		return;
	r[reg] = reg == REG_NDTR ? v & 0xFFFF : v;
	if (reg == REG_CR && (v & DMA_CR_EN) && (v & DMA_CR_DIR_MASK) == DMA_CR_DIR_M2M)
		run_m2m(d, s);
	update_line(d, s);
}

static int dma_write(void *ctx, uint32_t off, unsigned int size, uint32_t v, enum bus_master who)
{
	struct dma *d = ctx;

	(void)size, (void)who;
	off &= ~3u;
	if (off == DMA_LIFCR || off == DMA_HIFCR) {
		d->isr[(off - DMA_LIFCR) / 4] &= ~(v & 0x0F7D0F7D);
		for (unsigned int s = 0; s < DMA_STREAMS; s++)
			update_line(d, s);
	} else if (off >= DMA_SxCR(0) && off < DMA_SxCR(DMA_STREAMS)) {
		write_stream(d, (off - DMA_SxCR(0)) / 0x18, (off - DMA_SxCR(0)) % 0x18 / 4, v);
	}
	return BUS_OK;
}

const struct bus_region_ops dma_ops = {
	.read = dma_read,
	.write = dma_write,
};
