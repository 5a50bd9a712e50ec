// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The small device models real firmware waits on. TIM2-5 (tim.c) on the
 * virtual clock: reset values, the prescaler loaded by UG, compare matches
 * and overflows with their flags and the interrupt line, one-pulse mode,
 * freezing. The DMA streams (dma.c): a memory-to-memory transfer completes
 * at once with TCIF and EN cleared, a bus error gives TEIF, a peripheral
 * stream stays enabled. The USB core reset handshake (otg.c) and the empty
 * SD slot (sdmmc.c).
 */
#include "unit_helpers.h"

#include "dma.h"
#include "otg.h"
#include "sdmmc.h"
#include "tim.h"

#define KERNEL_HZ	200000000ull
#define US		PS_PER_US

struct rig {
	struct vclock clk;
	struct tim t;
	bool line;
	unsigned int line_changes;
	unsigned int irq;
};

static void on_line(void *ctx, unsigned int irq, bool high)
{
	struct rig *r = ctx;

	r->line = high;
	r->irq = irq;
	r->line_changes++;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	vclock_init(&r->clk);
	tim_init(&r->t, "TIM5", &r->clk, true, 50, on_line, r);
	tim_reset(&r->t);
	tim_set_kernel_hz(&r->t, KERNEL_HZ);
	*state = r;
	return 0;
}

static uint32_t rd(struct rig *r, uint32_t off)
{
	return reg_read(&tim_ops, &r->t, off);
}

static void wr(struct rig *r, uint32_t off, uint32_t v)
{
	reg_write(&tim_ops, &r->t, off, v);
}

static void live(struct rig *r, uint64_t ps)
{
	let_time_pass(&r->clk, ps);
}

/* ChibiOS's system timer set-up: 1 MHz, free running, UG, CEN. */
static void start_1mhz(struct rig *r)
{
	wr(r, TIM_PSC, 199);
	wr(r, TIM_ARR, 0xFFFFFFFF);
	wr(r, TIM_EGR, TIM_EGR_UG);
	wr(r, TIM_SR, 0);
	wr(r, TIM_CR1, TIM_CR1_CEN);
}

static void test_reset_values(void **state)
{
	struct rig *r = *state;
	struct tim narrow;

	assert_int_equal(rd(r, TIM_ARR), 0xFFFFFFFF);
	assert_int_equal(rd(r, TIM_CNT), 0);
	assert_int_equal(rd(r, TIM_CR1), 0);
	live(r, 100 * US);
	assert_int_equal(rd(r, TIM_CNT), 0);		/* CEN clear */
	tim_init(&narrow, "TIM3", &r->clk, false, 29, NULL, NULL);
	tim_reset(&narrow);
	uint32_t v = 0;

	tim_ops.read(&narrow, TIM_ARR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0xFFFF);
}

static void test_prescaler_loads_at_the_update_event(void **state)
{
	struct rig *r = *state;

	wr(r, TIM_PSC, 199);
	wr(r, TIM_CR1, TIM_CR1_CEN);
	live(r, US);
	assert_int_equal(rd(r, TIM_CNT), 200);		/* still /1 */
	wr(r, TIM_EGR, TIM_EGR_UG);
	assert_int_equal(rd(r, TIM_CNT), 0);
	assert_true(rd(r, TIM_SR) & TIM_SR_UIF);
	live(r, 1000 * US);
	assert_int_equal(rd(r, TIM_CNT), 1000);
	assert_int_equal(rd(r, TIM_PSC), 199);
}

static void test_compare_match_raises_the_line(void **state)
{
	struct rig *r = *state;

	start_1mhz(r);
	live(r, 250 * US);
	wr(r, TIM_CCR1, rd(r, TIM_CNT) + 500);	/* ChibiOS: st_lld_start_alarm */
	wr(r, TIM_DIER, 1u << 1);		/* CC1IE */
	live(r, 499 * US);
	assert_int_equal(rd(r, TIM_SR) & TIM_SR_CCIF(0), 0);
	assert_false(r->line);
	live(r, US);
	assert_true(rd(r, TIM_SR) & TIM_SR_CCIF(0));
	assert_true(r->line);
	assert_int_equal(r->irq, 50);
	wr(r, TIM_SR, ~TIM_SR_CCIF(0));		/* rc_w0 */
	assert_int_equal(rd(r, TIM_SR) & TIM_SR_CCIF(0), 0);
	assert_false(r->line);
	/* a channel in input mode never compares */
	wr(r, TIM_CCMR1, 1);
	wr(r, TIM_CCR1, rd(r, TIM_CNT) + 10);
	live(r, 20 * US);
	assert_int_equal(rd(r, TIM_SR) & TIM_SR_CCIF(0), 0);
}

static void test_overflow_and_one_pulse(void **state)
{
	struct rig *r = *state;

	start_1mhz(r);
	wr(r, TIM_ARR, 999);
	wr(r, TIM_DIER, 1);			/* UIE */
	live(r, 999 * US);
	assert_int_equal(rd(r, TIM_CNT), 999);
	assert_false(r->line);
	live(r, US);
	assert_int_equal(rd(r, TIM_CNT), 0);
	assert_true(r->line);
	wr(r, TIM_SR, 0);
	live(r, 2500 * US);
	assert_int_equal(rd(r, TIM_CNT), 500);
	assert_true(r->line);			/* two more overflows */
	wr(r, TIM_SR, 0);
	wr(r, TIM_CR1, TIM_CR1_CEN | TIM_CR1_OPM);
	live(r, 700 * US);
	assert_int_equal(rd(r, TIM_CNT), 0);	/* stopped at the update event */
	assert_int_equal(rd(r, TIM_CR1) & TIM_CR1_CEN, 0);
	live(r, 700 * US);
	assert_int_equal(rd(r, TIM_CNT), 0);
}

static void test_frozen_timer_holds(void **state)
{
	struct rig *r = *state;

	start_1mhz(r);
	live(r, 100 * US);
	tim_set_frozen(&r->t, true);
	live(r, 1000 * US);
	assert_int_equal(rd(r, TIM_CNT), 100);
	tim_set_frozen(&r->t, false);
	live(r, 50 * US);
	assert_int_equal(rd(r, TIM_CNT), 150);
}

/* ---- DMA ------------------------------------------------------------------ */

static const uint8_t dma_irqs[DMA_STREAMS] = { 11, 12, 13, 14, 15, 16, 17, 47 };

struct dma_rig {
	struct bus bus;
	struct dma d;
	uint8_t src[256], dst[256];
	bool line[200];
};

static void on_dma_line(void *ctx, unsigned int irq, bool high)
{
	((struct dma_rig *)ctx)->line[irq] = high;
}

static void dma_setup(struct dma_rig *r)
{
	bus_init(&r->bus, "test");
	bus_add_memory(&r->bus, "src", 0x08000000, sizeof(r->src), r->src, true);
	bus_add_memory(&r->bus, "dst", 0x38000000, sizeof(r->dst), r->dst, false);
	for (unsigned int i = 0; i < sizeof(r->src); i++)
		r->src[i] = (uint8_t)(i * 7 + 3);
	dma_init(&r->d, "DMA1", &r->bus, dma_irqs, on_dma_line, r);
	dma_reset(&r->d);
}

static uint32_t drd(struct dma_rig *r, uint32_t off)
{
	uint32_t v = 0;

	dma_ops.read(&r->d, off, 4, &v, MASTER_CPU);
	return v;
}

static void dwr(struct dma_rig *r, uint32_t off, uint32_t v)
{
	dma_ops.write(&r->d, off, 4, v, MASTER_CPU);
}

static void test_dma_memory_to_memory(void **state)
{
	struct dma_rig *r = calloc(1, sizeof(*r));

	(void)state;
	dma_setup(r);
	assert_int_equal(drd(r, DMA_SxFCR(1)), 0x21);
	/* the ArduPilot bootloader's flash scan: bytes, both addresses increment */
	dwr(r, DMA_SxPAR(1), 0x08000000);
	dwr(r, DMA_SxM0AR(1), 0x38000010);
	dwr(r, DMA_SxNDTR(1), 128);
	dwr(r, DMA_SxCR(1), DMA_CR_DIR_M2M | DMA_CR_PINC | DMA_CR_MINC | DMA_CR_TCIE);
	assert_int_equal(drd(r, DMA_SxNDTR(1)), 128);	/* not enabled yet */
	dwr(r, DMA_SxCR(1), DMA_CR_EN | DMA_CR_DIR_M2M | DMA_CR_PINC | DMA_CR_MINC |
		DMA_CR_TCIE);
	assert_int_equal(drd(r, DMA_SxCR(1)) & DMA_CR_EN, 0);
	assert_int_equal(drd(r, DMA_SxNDTR(1)), 0);
	assert_memory_equal(r->dst + 0x10, r->src, 128);
	assert_int_equal(r->dst[0x10 + 128], 0);
	assert_int_equal(drd(r, DMA_LISR), (DMA_FLAG_TC | DMA_FLAG_HT) << dma_flag_shift(1));
	assert_true(r->line[12]);
	dwr(r, DMA_LIFCR, DMA_FLAG_TC << dma_flag_shift(1));
	assert_false(r->line[12]);
	/* words, source fixed; stream 5 flags in HISR */
	dwr(r, DMA_SxPAR(5), 0x08000004);
	dwr(r, DMA_SxM0AR(5), 0x38000080);
	dwr(r, DMA_SxNDTR(5), 4);
	dwr(r, DMA_SxCR(5), DMA_CR_EN | DMA_CR_DIR_M2M | DMA_CR_MINC | (2u << 11));
	for (unsigned int i = 0; i < 4; i++)
		assert_memory_equal(r->dst + 0x80 + 4 * i, r->src + 4, 4);
	assert_int_equal(drd(r, DMA_HISR), (DMA_FLAG_TC | DMA_FLAG_HT) << dma_flag_shift(5));
	assert_false(r->line[68]);		/* no TCIE */
	free(r);
}

static void test_dma_bus_error_and_peripheral_streams(void **state)
{
	struct dma_rig *r = calloc(1, sizeof(*r));

	(void)state;
	dma_setup(r);
	dwr(r, DMA_SxPAR(0), 0x50000000);	/* nothing there */
	dwr(r, DMA_SxM0AR(0), 0x38000000);
	dwr(r, DMA_SxNDTR(0), 8);
	dwr(r, DMA_SxCR(0), DMA_CR_EN | DMA_CR_DIR_M2M | DMA_CR_TEIE);
	assert_int_equal(drd(r, DMA_SxCR(0)) & DMA_CR_EN, 0);
	assert_int_equal(drd(r, DMA_SxNDTR(0)), 8);
	assert_int_equal(drd(r, DMA_LISR), DMA_FLAG_TE);
	assert_true(r->line[11]);
	/* peripheral to memory: waits for requests nobody makes */
	dwr(r, DMA_SxNDTR(2), 8);
	dwr(r, DMA_SxCR(2), DMA_CR_EN);
	assert_true(drd(r, DMA_SxCR(2)) & DMA_CR_EN);
	dwr(r, DMA_SxNDTR(2), 1);		/* ignored while enabled */
	assert_int_equal(drd(r, DMA_SxNDTR(2)), 8);
	dwr(r, DMA_SxCR(2), 0);
	assert_int_equal(drd(r, DMA_SxCR(2)) & DMA_CR_EN, 0);
	free(r);
}

/* ---- USB core reset, SD slot ------------------------------------------ */

static void test_otg_core_reset_ends_at_once(void **state)
{
	struct otg o = { .name = "OTG_FS" };
	uint32_t v = 0;

	(void)state;
	otg_reset(&o);
	otg_ops.read(&o, OTG_GRSTCTL, 4, &v, MASTER_CPU);
	assert_int_equal(v, GRSTCTL_AHBIDL);
	otg_ops.write(&o, OTG_GRSTCTL, 4, GRSTCTL_CSRST, MASTER_CPU);
	otg_ops.read(&o, OTG_GRSTCTL, 4, &v, MASTER_CPU);
	assert_int_equal(v, GRSTCTL_AHBIDL);
	otg_ops.write(&o, OTG_GRSTCTL, 4, GRSTCTL_TXFFLSH | 0x10u << 6, MASTER_CPU);
	otg_ops.read(&o, OTG_GRSTCTL, 4, &v, MASTER_CPU);
	assert_int_equal(v, GRSTCTL_AHBIDL | 0x10u << 6);	/* TXFNUM kept */
	otg_ops.write(&o, 0x800, 4, 0x1234, MASTER_CPU);	/* OTG_DCFG: storage */
	otg_ops.read(&o, 0x800, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0x1234);
	assert_int_equal(o.core_resets, 1);
}

static void test_sd_slot_without_a_card(void **state)
{
	struct sdmmc s;
	uint32_t v = 0;

	(void)state;
	sdmmc_init(&s, "SDMMC1", 49, NULL, NULL);
	sdmmc_reset(&s);
	/* CMD0, no response: sent */
	sdmmc_ops.write(&s, SDMMC_CMDR, 4, SDMMC_CMDR_CPSMEN, MASTER_CPU);
	sdmmc_ops.read(&s, SDMMC_STAR, 4, &v, MASTER_CPU);
	assert_int_equal(v, SDMMC_STA_CMDSENT);
	sdmmc_ops.write(&s, SDMMC_ICR, 4, 0xFFFFFFFF, MASTER_CPU);
	sdmmc_ops.read(&s, SDMMC_STAR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0);
	/* CMD8 with a short response: nobody answers */
	sdmmc_ops.write(&s, SDMMC_CMDR, 4, SDMMC_CMDR_CPSMEN | 1u << 8 | 8, MASTER_CPU);
	sdmmc_ops.read(&s, SDMMC_STAR, 4, &v, MASTER_CPU);
	assert_int_equal(v, SDMMC_STA_CTIMEOUT);
	sdmmc_ops.read(&s, SDMMC_CMDR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 1u << 8 | 8);	/* CPSMEN done */
	/* without CPSMEN nothing is sent */
	sdmmc_ops.write(&s, SDMMC_ICR, 4, SDMMC_STA_CTIMEOUT, MASTER_CPU);
	sdmmc_ops.write(&s, SDMMC_CMDR, 4, 0, MASTER_CPU);
	sdmmc_ops.read(&s, SDMMC_STAR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0);
	assert_int_equal(s.commands, 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_prescaler_loads_at_the_update_event),
		T(test_compare_match_raises_the_line),
		T(test_overflow_and_one_pulse),
		T(test_frozen_timer_holds),
		cmocka_unit_test(test_dma_memory_to_memory),
		cmocka_unit_test(test_dma_bus_error_and_peripheral_streams),
		cmocka_unit_test(test_otg_core_reset_ends_at_once),
		cmocka_unit_test(test_sd_slot_without_a_card),
	};
#undef T

	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
