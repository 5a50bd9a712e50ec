// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Register files for the peripherals the simulator does not model. The
 * addresses are RM0433's register boundary table (the same as the CMSIS
 * device header's *_BASE values); modelled peripherals (RCC, PWR, FLASH,
 * IWDG1, DBGMCU) are left out here and win on the bus, as they are added
 * first. doc/peripherals.md lists what is modelled and what is not.
 */
#include "unimp.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define K	0x400u

#define P(n, b) { n, b, K }

static const struct unimp_periph d2_apb1[] = {
	P("TIM2", 0x40000000), P("TIM3", 0x40000400), P("TIM4", 0x40000800),
	P("TIM5", 0x40000C00), P("TIM6", 0x40001000), P("TIM7", 0x40001400),
	P("TIM12", 0x40001800), P("TIM13", 0x40001C00), P("TIM14", 0x40002000),
	P("LPTIM1", 0x40002400), P("SPI2", 0x40003800), P("SPI3", 0x40003C00),
	P("SPDIFRX", 0x40004000), P("USART2", 0x40004400), P("USART3", 0x40004800),
	P("UART4", 0x40004C00), P("UART5", 0x40005000), P("I2C1", 0x40005400),
	P("I2C2", 0x40005800), P("I2C3", 0x40005C00), P("HDMI-CEC", 0x40006C00),
	P("DAC1", 0x40007400), P("UART7", 0x40007800), P("UART8", 0x40007C00),
	P("CRS", 0x40008400), P("SWPMI", 0x40008800), P("OPAMP", 0x40009000),
	P("MDIOS", 0x40009400), P("FDCAN1", 0x4000A000), P("FDCAN2", 0x4000A400),
	P("FDCAN CCU", 0x4000A800), { "FDCAN message RAM", 0x4000AC00, 0x2800 },
};

static const struct unimp_periph d2_apb2[] = {
	P("TIM1", 0x40010000), P("TIM8", 0x40010400), P("USART1", 0x40011000),
	P("USART6", 0x40011400), P("SPI1", 0x40013000), P("SPI4", 0x40013400),
	P("TIM15", 0x40014000), P("TIM16", 0x40014400), P("TIM17", 0x40014800),
	P("SPI5", 0x40015000), P("SAI1", 0x40015800), P("SAI2", 0x40015C00),
	P("SAI3", 0x40016000), P("DFSDM1", 0x40017000), P("HRTIM", 0x40017400),
};

static const struct unimp_periph d2_ahb1[] = {
	P("DMA1", 0x40020000), P("DMA2", 0x40020400), P("DMAMUX1", 0x40020800),
	P("ADC1/ADC2", 0x40022000), { "Ethernet MAC", 0x40028000, 0x1400 },
	{ "USB1 OTG_HS", 0x40040000, 0x40000 }, { "USB2 OTG_FS", 0x40080000, 0x40000 },
};

static const struct unimp_periph d2_ahb2[] = {
	P("DCMI", 0x48020000), P("CRYP", 0x48021000), P("HASH", 0x48021400),
	P("RNG", 0x48021800), P("SDMMC2", 0x48022400), P("DLYB SDMMC2", 0x48022800),
	P("RAMECC2", 0x48023000),
};

static const struct unimp_periph d1_apb3[] = {
	{ "LTDC", 0x50001000, 0x1000 }, { "WWDG1", 0x50003000, 0x1000 },
};

static const struct unimp_periph d1_axi[] = {
	{ "AXI interconnect (GPV)", 0x51000000, 0x100000 },
};

static const struct unimp_periph d1_ahb3[] = {
	{ "MDMA", 0x52000000, 0x1000 }, { "DMA2D", 0x52001000, 0x1000 },
	{ "JPEG", 0x52003000, 0x1000 }, { "FMC", 0x52004000, 0x1000 },
	{ "QUADSPI", 0x52005000, 0x1000 }, { "DLYB QUADSPI", 0x52006000, 0x1000 },
	{ "SDMMC1", 0x52007000, 0x1000 }, { "DLYB SDMMC1", 0x52008000, 0x1000 },
	{ "RAMECC1", 0x52009000, 0x1000 },
};

static const struct unimp_periph d3_apb4[] = {
	P("EXTI", 0x58000000), P("SYSCFG", 0x58000400), P("LPUART1", 0x58000C00),
	P("SPI6", 0x58001400), P("I2C4", 0x58001C00), P("LPTIM2", 0x58002400),
	P("LPTIM3", 0x58002800), P("LPTIM4", 0x58002C00), P("LPTIM5", 0x58003000),
	P("COMP1/COMP2", 0x58003800), P("VREFBUF", 0x58003C00), P("RTC", 0x58004000),
	P("SAI4", 0x58005400),
};

static const struct unimp_periph d3_ahb4[] = {
	P("GPIOA", 0x58020000), P("GPIOB", 0x58020400), P("GPIOC", 0x58020800),
	P("GPIOD", 0x58020C00), P("GPIOE", 0x58021000), P("GPIOF", 0x58021400),
	P("GPIOG", 0x58021800), P("GPIOH", 0x58021C00), P("GPIOI", 0x58022000),
	P("GPIOJ", 0x58022400), P("GPIOK", 0x58022800), P("CRC", 0x58024C00),
	P("BDMA", 0x58025400), P("DMAMUX2", 0x58025800), P("ADC3", 0x58026000),
	P("HSEM", 0x58026400), P("RAMECC3", 0x58027000),
};

#define SEG(n, t) { n, 0, 0, t, sizeof(t) / sizeof((t)[0]), NULL, NULL }

static const struct unimp_segment segments[UNIMP_NSEGMENTS] = {
	SEG("D2 APB1", d2_apb1), SEG("D2 APB2", d2_apb2), SEG("D2 AHB1", d2_ahb1),
	SEG("D2 AHB2", d2_ahb2), SEG("D1 APB3", d1_apb3), SEG("D1 AXI GPV", d1_axi),
	SEG("D1 AHB3", d1_ahb3), SEG("D3 APB4", d3_apb4), SEG("D3 AHB4", d3_ahb4),
};

int unimp_init(struct unimp *u)
{
	for (unsigned int i = 0; i < UNIMP_NSEGMENTS; i++) {
		struct unimp_segment *s = &u->seg[i];
		const struct unimp_periph *last;

		*s = segments[i];
		last = &s->periphs[s->nperiphs - 1];
		s->base = s->periphs[0].base;
		s->size = last->base + last->size - s->base;
		s->regs = calloc(1, s->size);
		s->seen = calloc(s->nperiphs, sizeof(*s->seen));
		if (!s->regs || !s->seen) {
			unimp_free(u);
			return -1;
		}
	}
	return 0;
}

void unimp_free(struct unimp *u)
{
	for (unsigned int i = 0; i < UNIMP_NSEGMENTS; i++) {
		free(u->seg[i].regs);
		free(u->seg[i].seen);
		u->seg[i].regs = NULL;
		u->seg[i].seen = NULL;
	}
}

void unimp_reset(struct unimp *u)
{
	for (unsigned int i = 0; i < UNIMP_NSEGMENTS; i++)
		if (u->seg[i].regs)
			memset(u->seg[i].regs, 0, u->seg[i].size);
}

void unimp_map(struct unimp *u, struct bus *bus)
{
	for (unsigned int i = 0; i < UNIMP_NSEGMENTS; i++)
		bus_add_device(bus, u->seg[i].name, u->seg[i].base, u->seg[i].size, &unimp_ops,
			&u->seg[i]);
}

static int periph_index(const struct unimp_segment *s, uint32_t addr)
{
	for (unsigned int i = 0; i < s->nperiphs; i++)
		if (addr - s->periphs[i].base < s->periphs[i].size)
			return (int)i;
	return -1;
}

const struct unimp_periph *unimp_find(const struct unimp *u, uint32_t addr)
{
	for (unsigned int i = 0; i < UNIMP_NSEGMENTS; i++) {
		const struct unimp_segment *s = &u->seg[i];
		int p = addr - s->base < s->size ? periph_index(s, addr) : -1;

		if (p >= 0)
			return &s->periphs[p];
	}
	return NULL;
}

/* The peripheral at offset; logs its first access. -1: a reserved gap. */
static int reach(struct unimp_segment *s, uint32_t offset, bool write, uint32_t value)
{
	int p = periph_index(s, s->base + offset);

	if (p < 0) {
		sim_trace("unimp: %s at 0x%08x: reserved address, bus error",
			write ? "write" : "read", s->base + offset);
		return -1;
	}
	if (!s->seen[p]) {
		s->seen[p] = true;
		sim_trace("unimp: first access to %s (%s 0x%08x%s): a register file without "
			"behaviour", s->periphs[p].name, write ? "write" : "read",
			s->base + offset, write ? "" : ", reads what was written");
		(void)value;
	}
	return p;
}

static int unimp_read(void *ctx, uint32_t offset, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct unimp_segment *s = ctx;

	(void)who;
	if (reach(s, offset, false, 0) < 0)
		return BUS_ERROR;
	*value = mem_load(s->regs + offset, size);
	return BUS_OK;
}

static int unimp_write(void *ctx, uint32_t offset, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct unimp_segment *s = ctx;

	(void)who;
	if (reach(s, offset, true, value) < 0)
		return BUS_ERROR;
	mem_store(s->regs + offset, size, value);
	return BUS_OK;
}

const struct bus_region_ops unimp_ops = {
	.read = unimp_read,
	.write = unimp_write,
};
