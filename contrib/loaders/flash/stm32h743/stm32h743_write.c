// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Target-resident flash write loader for the STM32H742/743/753/750
 * (stm32h743 flash driver). The work-area contract is described in
 * stm32h743_loader.h. Built position-independent with arm-none-eabi-gcc;
 * the bytes are committed as stm32h743_write.inc.
 *
 * Per flash word: wait until this bank's command queue is empty (FLASH_SR.QW),
 * stop on an error flag, wait until the host has put a word in the FIFO, set
 * FLASH_CR = PG | PSIZE, copy the eight words with barriers around them so the
 * CR write lands before the first store (RM0433 section 4.3.9; missing
 * barriers give PGSERR), check that the word was queued (QW set), then
 * release the FIFO slot.
 */
#include "stm32h743_loader.h"

typedef volatile uint32_t reg32;

static inline void barrier(void)
{
	__asm__ volatile ("dsb sy\n\tisb" ::: "memory");
}

static inline reg32 *bank_reg(const struct stm32h743_loader_segment *s, uint32_t off)
{
	return (reg32 *)(s->regs + off);
}

static int stop_on_error(struct stm32h743_loader_params *p,
		const struct stm32h743_loader_segment *s, uint32_t sr, reg32 *rp)
{
	p->error_sr = sr;
	p->error_addr = s->flash_addr - STM32H743_FLASH_WORD;
	p->error_regs = s->regs;
	p->status = STM32H743_LOADER_FLASH_ERROR;
	*rp = 0;		/* tells the host the algorithm gave up */
	return -1;
}

static uint32_t wait_queue_empty(const struct stm32h743_loader_segment *s)
{
	uint32_t sr;

	do {
		sr = *bank_reg(s, STM32H743_LOADER_SR);
	} while (sr & STM32H743_SR_QW);
	return sr;
}

/* The next segment to serve, or -1 when every word is written. */
static int next_segment(const struct stm32h743_loader_params *p, int last)
{
	for (uint32_t i = 1; i <= p->nsegments; i++) {
		uint32_t n = p->interleave ? ((uint32_t)last + i) % p->nsegments : i - 1;

		if (p->seg[n].words)
			return (int)n;
	}
	return -1;
}

int loader_main(struct stm32h743_loader_params *p)
{
	reg32 *wp = (reg32 *)p->fifo_start;
	reg32 *rp = wp + 1;
	uint32_t data_start = p->fifo_start + 8, rd = *rp;
	int n = (int)p->nsegments - 1;

	while ((n = next_segment(p, n)) >= 0) {
		struct stm32h743_loader_segment *s = &p->seg[n];
		uint32_t sr = wait_queue_empty(s), avail;

		if (sr & STM32H743_SR_ERRORS)
			return stop_on_error(p, s, sr, rp);
		if (!s->src) {
			do {
				avail = *wp;
			} while (avail == rd);
			if (avail == 0) {
				p->status = STM32H743_LOADER_ABORTED;
				return -1;
			}
		}
		*bank_reg(s, STM32H743_LOADER_CR) = s->cr;
		barrier();
		reg32 *dst = (reg32 *)s->flash_addr;
		const uint32_t *src = (const uint32_t *)(s->src ? s->src : rd);

		for (int i = 0; i < STM32H743_FLASH_WORD / 4; i++)
			dst[i] = src[i];
		barrier();
		if (!(*bank_reg(s, STM32H743_LOADER_SR) & STM32H743_SR_QW))
			p->instant_words++;
		if (s->src) {
			s->src += STM32H743_FLASH_WORD;
		} else {
			rd += STM32H743_FLASH_WORD;
			if (rd >= p->fifo_end)
				rd = data_start;
			*rp = rd;
		}
		s->flash_addr += STM32H743_FLASH_WORD;
		s->words--;
	}
	for (uint32_t i = 0; i < p->nsegments; i++) {
		struct stm32h743_loader_segment *s = &p->seg[i];
		uint32_t sr = wait_queue_empty(s);

		if (sr & STM32H743_SR_ERRORS)
			return stop_on_error(p, s, sr, rp);
	}
	p->status = STM32H743_LOADER_DONE;
	return 0;
}

/* Entry at offset 0: r0 = params; ends on the BKPT at offset 4 (the exit point). */
__attribute__((naked, section(".text.entry"))) void loader_entry(void)
{
	__asm__ volatile ("bl loader_main\n\tbkpt #0");
}
