// SPDX-License-Identifier: GPL-2.0-or-later
#include "periph.h"
#include "log.h"

#include <stddef.h>
#include <string.h>

#define ALL 0xFFFFFFFFu

/* RCC (RM0433 section 8.7): the registers start-up code and OpenOCD use. */
static const struct reg_desc rcc_regs[] = {
	{ "RCC_CR",        0x000, 0x00000025, 0x151D1299, 0 },
	{ "RCC_HSICFGR",   0x004, 0x40000000, 0x7F000000, 0 },
	{ "RCC_CRRCR",     0x008, 0x00000000, 0, 0 },
	{ "RCC_CSICFGR",   0x00C, 0x20000000, 0x3F000000, 0 },
	{ "RCC_CFGR",      0x010, 0x00000000, 0xFFFFFFC7, 0 },
	{ "RCC_D1CFGR",    0x018, 0x00000000, 0x00000FFF, 0 },
	{ "RCC_D2CFGR",    0x01C, 0x00000000, 0x00000770, 0 },
	{ "RCC_D3CFGR",    0x020, 0x00000000, 0x00000070, 0 },
	{ "RCC_PLLCKSELR", 0x028, 0x02020200, 0x03F3F3F3, 0 },
	{ "RCC_PLLCFGR",   0x02C, 0x01FF0000, 0x01FF0FFF, 0 },
	{ "RCC_PLL1DIVR",  0x030, 0x01010280, 0x7F7FFFFF, 0 },
	{ "RCC_PLL1FRACR", 0x034, 0x00000000, 0x0000FFF8, 0 },
	{ "RCC_PLL2DIVR",  0x038, 0x01010280, 0x7F7FFFFF, 0 },
	{ "RCC_PLL2FRACR", 0x03C, 0x00000000, 0x0000FFF8, 0 },
	{ "RCC_PLL3DIVR",  0x040, 0x01010280, 0x7F7FFFFF, 0 },
	{ "RCC_PLL3FRACR", 0x044, 0x00000000, 0x0000FFF8, 0 },
	{ "RCC_D1CCIPR",   0x04C, 0x00000000, ALL, 0 },
	{ "RCC_D2CCIP1R",  0x050, 0x00000000, ALL, 0 },
	{ "RCC_D2CCIP2R",  0x054, 0x00000000, ALL, 0 },
	{ "RCC_D3CCIPR",   0x058, 0x00000000, ALL, 0 },
	{ "RCC_CIER",      0x060, 0x00000000, 0x000003FF, 0 },
	{ "RCC_CIFR",      0x064, 0x00000000, 0, 0 },
	{ "RCC_CICR",      0x068, 0x00000000, 0, 0 },
	{ "RCC_BDCR",      0x070, 0x00000000, ALL, 0 },
	{ "RCC_CSR",       0x074, 0x00000000, 0x00000001, 0 },
	{ "RCC_AHB3RSTR",  0x07C, 0x00000000, ALL, 0 },
	{ "RCC_AHB1RSTR",  0x080, 0x00000000, ALL, 0 },
	{ "RCC_AHB2RSTR",  0x084, 0x00000000, ALL, 0 },
	{ "RCC_AHB4RSTR",  0x088, 0x00000000, ALL, 0 },
	{ "RCC_APB3RSTR",  0x08C, 0x00000000, ALL, 0 },
	{ "RCC_APB1LRSTR", 0x090, 0x00000000, ALL, 0 },
	{ "RCC_APB1HRSTR", 0x094, 0x00000000, ALL, 0 },
	{ "RCC_APB2RSTR",  0x098, 0x00000000, ALL, 0 },
	{ "RCC_APB4RSTR",  0x09C, 0x00000000, ALL, 0 },
	{ "RCC_GCR",       0x0A0, 0x00000000, 0x0000000F, 0 },
	{ "RCC_D3AMR",     0x0A8, 0x00000000, ALL, 0 },
	{ "RCC_RSR",       0x0D0, RSR_POWER_ON, RSR_RMVF, 0 },
	{ "RCC_AHB3ENR",   0x0D4, 0x00000000, ALL, 0 },
	{ "RCC_AHB1ENR",   0x0D8, 0x00000000, ALL, 0 },
	{ "RCC_AHB2ENR",   0x0DC, 0x00000000, ALL, 0 },
	{ "RCC_AHB4ENR",   0x0E0, 0x00000000, ALL, 0 },
	{ "RCC_APB3ENR",   0x0E4, 0x00000000, ALL, 0 },
	{ "RCC_APB1LENR",  0x0E8, 0x00000000, ALL, 0 },
	{ "RCC_APB1HENR",  0x0EC, 0x00000000, ALL, 0 },
	{ "RCC_APB2ENR",   0x0F0, 0x00000000, ALL, 0 },
	{ "RCC_APB4ENR",   0x0F4, 0x00010000, ALL, 0 },
};

/*
 * PWR (RM0433 section 6.8): voltage-scaling ready flags read as ready unless
 * the vos-unready fault holds them at 0; PWR_CR3 is plain storage.
 */
static const struct reg_desc pwr_regs[] = {
	{ "PWR_CR1",    0x000, 0xF000C000, 0x000FC3F1, 0 },
	{ "PWR_CSR1",   0x004, 0x00006000, 0, 0 },
	{ "PWR_CR2",    0x008, 0x00000000, 0x00000011, 0 },
	{ "PWR_CR3",    0x00C, 0x00000006, 0x03000337, 0 },
	{ "PWR_CPUCR",  0x010, 0x00000000, 0x00000A05, 0 },
	{ "PWR_D3CR",   0x018, 0x00004000, VOS_MASK, 0 },
	{ "PWR_WKUPCR", 0x020, 0x00000000, 0x0000003F, 0 },
	{ "PWR_WKUPFR", 0x024, 0x00000000, 0, 0 },
	{ "PWR_WKUPEPR", 0x028, 0x00000000, 0x0FFF3F3F, 0 },
};

static const struct reg_desc dbgmcu_regs[] = {
	{ "DBGMCU_IDC",      0x00, 0, 0, 0 },
	{ "DBGMCU_CR",       0x04, 0, 0x107001BF, 0 },
	{ "DBGMCU_APB3FZ1",  0x34, 0, 0x00000040, 0 },
	{ "DBGMCU_APB1LFZ1", 0x3C, 0, 0x00E003FF, 0 },
	{ "DBGMCU_APB2FZ1",  0x4C, 0, 0x20070003, 0 },
	{ "DBGMCU_APB4FZ1",  0x54, 0, 0x00051E80, 0 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

uint32_t regdev_get(const struct regdev *dev, uint32_t off)
{
	int i = regfile_index(&dev->rf, off);

	return i < 0 ? 0 : dev->rf.values[i];
}

void regdev_set(struct regdev *dev, uint32_t off, uint32_t value)
{
	int i = regfile_index(&dev->rf, off);

	if (i >= 0)
		dev->rf.values[i] = value;
}

/* Writing RMVF clears every reset flag; RMVF reads back 0 (UNCONFIRMED: HAL only sets it). */
static void rcc_rsr_write(struct regdev *dev, int index)
{
	if (dev->rf.values[index] & RSR_RMVF)
		dev->rf.values[index] = 0;
}

/* Oscillators and PLLs lock at once: each ready bit follows its enable. */
static void rcc_after_write(struct regdev *dev, int index)
{
	uint32_t *v = &dev->rf.values[index];

	switch (dev->rf.descs[index].offset) {
	case RCC_CR: {
		uint32_t on = *v;

		*v = (on & dev->rf.descs[index].wmask) |
			(on & 1u) << 2 | 1u << 5 | (on >> 7 & 1u) << 8 | (on >> 12 & 1u) << 13 |
			1u << 14 | 1u << 15 | (on >> 16 & 1u) << 17 | (on >> 24 & 1u) << 25 |
			(on >> 26 & 1u) << 27 | (on >> 28 & 1u) << 29;
		break;
	}
	case RCC_CFGR:
		*v = (*v & ~0x38u) | (*v & 0x7u) << 3;	/* SWS follows SW */
		break;
	case RCC_RSR:
		rcc_rsr_write(dev, index);
		break;
	}
}

/* ACTVOS follows VOS at once; both ready flags read 1 unless the supply is faulty. */
static void pwr_update_vos(struct periph_set *p)
{
	uint32_t d3cr = regdev_get(&p->pwr, PWR_D3CR) & ~D3CR_VOSRDY;
	uint32_t csr1 = regdev_get(&p->pwr, PWR_CSR1) & ~(VOS_MASK | CSR1_ACTVOSRDY);

	csr1 |= d3cr & VOS_MASK;
	if (!p->vos_unready) {
		d3cr |= D3CR_VOSRDY;
		csr1 |= CSR1_ACTVOSRDY;
	}
	regdev_set(&p->pwr, PWR_D3CR, d3cr);
	regdev_set(&p->pwr, PWR_CSR1, csr1);
}

/* CSSF clears the Stop and Standby flags and reads 0. */
static void pwr_cpucr_write(struct regdev *dev, int index)
{
	uint32_t *v = &dev->rf.values[index];

	if (*v & CPUCR_CSSF)
		*v &= ~(CPUCR_CSSF | CPUCR_FLAGS);
}

static void pwr_after_write(struct regdev *dev, int index)
{
	switch (dev->rf.descs[index].offset) {
	case PWR_D3CR:
		pwr_update_vos(container_of(dev, struct periph_set, pwr));
		break;
	case PWR_CPUCR:
		pwr_cpucr_write(dev, index);
		break;
	}
}

static int regdev_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct regdev *dev = ctx;
	int i = regfile_index(&dev->rf, off);

	(void)who;
	if (size != 4)
		return BUS_ERROR;	/* these blocks only take word accesses */
	if (i < 0) {
		sim_trace("%s: read of unmodelled offset 0x%03x reads as 0", dev->rf.name, off);
		*value = 0;
		return BUS_OK;
	}
	*value = dev->rf.values[i];
	return BUS_OK;
}

static int regdev_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct regdev *dev = ctx;
	int i = regfile_index(&dev->rf, off);

	(void)who;
	if (size != 4)
		return BUS_ERROR;
	if (i < 0) {
		sim_trace("%s: write to unmodelled offset 0x%03x ignored", dev->rf.name, off);
		return BUS_OK;
	}
	regfile_write(&dev->rf, i, value);
	if (dev->after_write)
		dev->after_write(dev, i);
	if (dev->changed)
		dev->changed(dev->changed_ctx);
	return BUS_OK;
}

const struct bus_region_ops regdev_ops = {
	.read = regdev_read,
	.write = regdev_write,
};

void periph_init(struct periph_set *p, uint16_t rev_id)
{
	memset(p, 0, sizeof(*p));
	p->rcc.rf = (struct regfile){ "rcc", rcc_regs, NELEM(rcc_regs), p->rcc_values };
	p->rcc.after_write = rcc_after_write;
	p->pwr.rf = (struct regfile){ "pwr", pwr_regs, NELEM(pwr_regs), p->pwr_values };
	p->pwr.after_write = pwr_after_write;
	p->dbgmcu.rf = (struct regfile){ "dbgmcu", dbgmcu_regs, NELEM(dbgmcu_regs),
		p->dbgmcu_values };
	periph_power_on(p);
	/* bits 15:12 read 6 on silicon (0x20036450 on rev V) */
	p->dbgmcu_values[0] = (uint32_t)rev_id << 16 | 0x6000 | DEV_ID_STM32H74X;
}

void periph_system_reset(struct periph_set *p, uint32_t rsr_flags)
{
	uint32_t rsr = regdev_get(&p->rcc, RCC_RSR);
	/* UNCONFIRMED: the Stop/Standby flags are taken to survive a system reset */
	uint32_t cpucr_flags = regdev_get(&p->pwr, PWR_CPUCR) & CPUCR_FLAGS;

	regfile_reset(&p->rcc.rf);
	regfile_reset(&p->pwr.rf);
	regdev_set(&p->rcc, RCC_RSR, rsr | rsr_flags);
	regdev_set(&p->pwr, PWR_CPUCR, cpucr_flags);
	pwr_update_vos(p);
}

void periph_power_on(struct periph_set *p)
{
	uint32_t idc = p->dbgmcu_values[0];

	regfile_reset(&p->rcc.rf);
	regfile_reset(&p->pwr.rf);
	pwr_update_vos(p);
	regfile_reset(&p->dbgmcu.rf);
	p->dbgmcu_values[0] = idc;
}

void periph_note_stop(struct periph_set *p)
{
	regdev_set(&p->pwr, PWR_CPUCR, regdev_get(&p->pwr, PWR_CPUCR) | CPUCR_STOPF);
}

static int apbd_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct apbd_component *c = ctx;

	(void)who;
	if (size != 4)
		return BUS_ERROR;
	if (cs_component_read(c->id, off, value))
		return BUS_OK;
	*value = off < sizeof(c->regs) ? c->regs[off / 4] : 0;
	return BUS_OK;
}

static int apbd_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct apbd_component *c = ctx;

	(void)who;
	if (size != 4)
		return BUS_ERROR;
	if (off < sizeof(c->regs))
		c->regs[off / 4] = value;
	return BUS_OK;
}

const struct bus_region_ops apbd_component_ops = {
	.read = apbd_read,
	.write = apbd_write,
};
