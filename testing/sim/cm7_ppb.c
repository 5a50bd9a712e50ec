// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Cortex-M7 private peripheral bus: ITM, DWT, FPB, the System Control
 * Space with the debug registers, ETM/CTI identification and the two ROM
 * tables (Cortex-M7 TRM section 9.1; ARMv7-M ARM appendix and part C1).
 */
#include "cm7.h"
#include "coresight.h"
#include "log.h"

#define PPB_ITM		0x00000
#define PPB_DWT		0x01000
#define PPB_FPB		0x02000
#define PPB_SCS		0x0E000
#define PPB_ETM		0x41000
#define PPB_CTI		0x43000
#define PPB_ST_ROM	0xFE000
#define PPB_M7_ROM	0xFF000

/* ST's ROM table (AP0 BASE) points at the Cortex-M7 PPB table, ETM and CTI. */
static const uint32_t st_rom_entries[] = { 0x00001003, 0xFFF43003, 0xFFF45003, 0 };
/* The Cortex-M7 PPB ROM table; TPIU and ETM entries are marked not present. */
static const uint32_t m7_rom_entries[] = {
	0xFFF0F003, 0xFFF02003, 0xFFF03003, 0xFFF01003, 0xFFF41002, 0xFFF42002, 0,
};

static const struct cs_component id_itm = { 0x001, JEP106_ARM, 0, CS_CLASS_GENERIC, 0, NULL };
static const struct cs_component id_dwt = { 0x002, JEP106_ARM, 0, CS_CLASS_GENERIC, 0, NULL };
static const struct cs_component id_fpb = { 0x00E, JEP106_ARM, 0, CS_CLASS_GENERIC, 0, NULL };
static const struct cs_component id_scs = { 0x00C, JEP106_ARM, 0, CS_CLASS_GENERIC, 0, NULL };
static const struct cs_component id_etm = { 0x975, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x13, NULL };
static const struct cs_component id_cti = { 0x906, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x14, NULL };
static const struct cs_component id_st_rom = {
	0x450, JEP106_ST, 0, CS_CLASS_ROM, 0x01, st_rom_entries,
};
static const struct cs_component id_m7_rom = {
	0x4C7, JEP106_ARM, 0, CS_CLASS_ROM, 0x01, m7_rom_entries,
};

/* Read-only identification values of the SCB (offsets in the SCS). */
static const struct { uint16_t off; uint32_t value; } scs_constants[] = {
	{ 0x004, 0x00000004 },	/* ICTR: 160 interrupt lines */
	{ 0xD00, CM7_CPUID },
	{ 0xD40, 0x00000030 }, { 0xD44, 0x00000200 }, { 0xD48, 0x00100000 },
	{ 0xD4C, 0x00000000 }, { 0xD50, 0x00100030 }, { 0xD54, 0x00000000 },
	{ 0xD58, 0x01000000 }, { 0xD5C, 0x00000000 }, { 0xD60, 0x01101110 },
	{ 0xD64, 0x02112000 }, { 0xD68, 0x20232231 }, { 0xD6C, 0x01111131 },
	{ 0xD70, 0x01310132 },
	{ 0xD78, 0x09000003 },	/* CLIDR: L1 I and D caches */
	{ 0xD7C, 0x8303C003 },	/* CTR */
	{ 0xF40, 0x10110221 },	/* MVFR0..2: FPv5 double precision */
	{ 0xF44, 0x12000011 },
	{ 0xF48, 0x00000040 },
	/* ITCMCR, DTCMCR (Cortex-M7 TRM 4.8): enabled, SZ = log2(KiB) + 1 */
	{ 0xF90, 0x00000039 },	/* ITCM 64 KiB */
	{ 0xF94, 0x00000041 },	/* DTCM 128 KiB */
};

static int itm_read(struct cm7 *cm, uint32_t off, uint32_t *v)
{
	if (off < 0x100)
		*v = 1;		/* stimulus port FIFO always ready */
	else if (off == 0xE00)
		*v = cm->itm_ter;
	else if (off == 0xE40)
		*v = cm->itm_tpr;
	else if (off == 0xE80)
		*v = cm->itm_tcr;
	else if (!cs_component_read(&id_itm, off, v))
		*v = 0;
	return BUS_OK;
}

static int itm_write(struct cm7 *cm, uint32_t off, uint32_t v)
{
	if (off == 0xE00)
		cm->itm_ter = v;
	else if (off == 0xE40)
		cm->itm_tpr = v & 0xF;
	else if (off == 0xE80)
		cm->itm_tcr = v;
	return BUS_OK;		/* stimulus writes go nowhere: no trace port modelled */
}

static int dwt_read(struct cm7 *cm, uint32_t off, uint32_t *v)
{
	if (off == 0x000) {
		*v = (uint32_t)CM7_DWT_COMPARATORS << 28 | (cm->dwt_ctrl & 0x0FFFFFFF);
	} else if (off == 0x004) {
		*v = (cm->dwt_ctrl & 1) ? (uint32_t)(cm->instructions + cm->idle_cycles - cm->dwt_cyccnt_base) : 0;
	} else if (off == 0x01C) {
		*v = cm->state == CM7_RUNNING ? cm7_pc(cm) : 0xFFFFFFFF;
	} else if (off >= 0x020 && off < 0x020 + 16 * CM7_DWT_COMPARATORS) {
		struct cm7_dwt_comparator *c = &cm->dwt[(off - 0x20) / 16];

		switch (off & 0xF) {
		case 0x0:
			*v = c->comp;
			break;
		case 0x4:
			*v = c->mask;
			break;
		case 0x8:
			*v = c->function;
			c->function &= ~(1u << 24);	/* MATCHED clears on read */
			break;
		default:
			*v = 0;
		}
	} else if (!cs_component_read(&id_dwt, off, v)) {
		*v = 0;
	}
	return BUS_OK;
}

static int dwt_write(struct cm7 *cm, uint32_t off, uint32_t v)
{
	if (off == 0x000) {
		cm->dwt_ctrl = v & 0x0FFFFFFF;
	} else if (off == 0x004) {
		cm->dwt_cyccnt_base = cm->instructions + cm->idle_cycles - v;
	} else if (off >= 0x020 && off < 0x020 + 16 * CM7_DWT_COMPARATORS) {
		struct cm7_dwt_comparator *c = &cm->dwt[(off - 0x20) / 16];

		switch (off & 0xF) {
		case 0x0:
			c->comp = v;
			break;
		case 0x4:
			c->mask = v & 0x1F;
			break;
		case 0x8:
			c->function = (c->function & (1u << 24)) | (v & 0x00FF0FBF);
			cm7_dwt_changed(cm);
			break;
		}
	}
	return BUS_OK;
}

static int fpb_read(struct cm7 *cm, uint32_t off, uint32_t *v)
{
	if (off == 0x000)
		*v = 0x10000080 | (cm->fpb_enabled ? 1 : 0);	/* FPBv2, 8 code comparators */
	else if (off >= 0x008 && off < 0x008 + 4 * CM7_FPB_COMPARATORS)
		*v = cm->fp_comp[(off - 0x008) / 4];
	else if (!cs_component_read(&id_fpb, off, v))
		*v = 0;
	return BUS_OK;
}

static int fpb_write(struct cm7 *cm, uint32_t off, uint32_t v)
{
	if (off == 0x000 && (v & 2))
		cm->fpb_enabled = v & 1;	/* ENABLE only changes with KEY set */
	else if (off >= 0x008 && off < 0x008 + 4 * CM7_FPB_COMPARATORS)
		cm->fp_comp[(off - 0x008) / 4] = v;
	return BUS_OK;
}

static uint32_t dhcsr_value(struct cm7 *cm)
{
	uint32_t v = cm->dhcsr_ctrl | DHCSR_S_REGRDY;

	if (cm->state == CM7_HALTED)
		v |= DHCSR_S_HALT;
	if (cm->state == CM7_LOCKUP)
		v |= DHCSR_S_LOCKUP;
	if (cm->state == CM7_SLEEP)
		v |= DHCSR_S_SLEEP;
	if (cm->s_retire_st)
		v |= DHCSR_S_RETIRE_ST;
	if (cm->s_reset_st)
		v |= DHCSR_S_RESET_ST;
	/* The sticky bits clear on read; S_RESET_ST stays while reset is held. */
	cm->s_retire_st = false;
	cm->s_reset_st = cm->state == CM7_RESET;
	return v;
}

static uint32_t *scs_storage(struct cm7 *cm, uint32_t off)
{
	switch (off) {
	case 0x008: return &cm->actlr;
	case 0xD08: return &cm->vtor;
	case 0xD10: return &cm->scr;
	case 0xD84: return &cm->csselr;
	case 0xD88: return &cm->cpacr;
	case 0xF34: return &cm->fpccr;
	case 0xF38: return &cm->fpcar;
	case 0xF3C: return &cm->fpdscr;
	}
	return NULL;
}

static int scs_read(struct cm7 *cm, uint32_t off, uint32_t *v)
{
	for (unsigned int i = 0; i < sizeof(scs_constants) / sizeof(scs_constants[0]); i++) {
		if (scs_constants[i].off == off) {
			*v = scs_constants[i].value;
			return BUS_OK;
		}
	}
	uint32_t *reg = scs_storage(cm, off);

	if (reg) {
		*v = *reg;
		return BUS_OK;
	}
	if (off >= 0x010 && off < 0x020 && cm->systick_ops)
		return cm->systick_ops->read(cm->systick, off - 0x010, 4, v, MASTER_CPU);
	if (nvic_read(&cm->nvic, off, cm7_uc_get(cm, UC_ARM_REG_XPSR) & 0x1FF, v))
		return BUS_OK;
	switch (off) {
	case 0xD0C:
		*v = 0xFA050000 | cm->nvic.prigroup << 8;
		break;
	case 0xD14:
		*v = cm->ccr;
		break;
	case 0xD80:
		/* CCSIDR of the cache CSSELR.InD selects: both 16 KiB, 32-byte lines */
		*v = (cm->csselr & 1) ? CCSIDR_ICACHE : CCSIDR_DCACHE;
		break;
	case 0xD30:
		*v = cm->dfsr;
		break;
	case 0xDF0:
		*v = dhcsr_value(cm);
		break;
	case 0xDF8:
		*v = cm->dcrdr;
		break;
	case 0xDFC:
		*v = cm->demcr;
		break;
	default:
		if (!cs_component_read(&id_scs, off, v)) {
			sim_trace("scs: read of unmodelled register 0x%08x", CM7_PPB_BASE + PPB_SCS + off);
			*v = 0;
		}
	}
	return BUS_OK;
}

static void write_aircr(struct cm7 *cm, uint32_t v)
{
	if ((v >> 16) != 0x05FA)
		return;
	cm->nvic.prigroup = v >> 8 & 7;
	if (v & (1u << 2)) {
		cm->sysreset_requested = true;
		sim_trace("scs: SYSRESETREQ");
	} else if (v & 1) {
		cm->vectreset_requested = true;
		sim_trace("scs: VECTRESET");
	} else {
		return;
	}
	cm7_reset_requested(cm);
}

static void write_dcrsr(struct cm7 *cm, uint32_t v)
{
	unsigned int regsel = v & 0x7F;

	if (v & (1u << 16))
		cm7_write_reg(cm, regsel, cm->dcrdr);
	else
		cm->dcrdr = cm7_read_reg(cm, regsel);
}

static int scs_write(struct cm7 *cm, uint32_t off, uint32_t v)
{
	uint32_t *reg = scs_storage(cm, off);

	if (reg) {
		if (off == 0xD08)
			v &= 0xFFFFFF80;
		else if (off == 0xD84)
			v &= 1;		/* InD; Level 0 is the only level */
		*reg = v;
		return BUS_OK;
	}
	if (off >= 0x010 && off < 0x020 && cm->systick_ops)
		return cm->systick_ops->write(cm->systick, off - 0x010, 4, v, MASTER_CPU);
	if (nvic_write(&cm->nvic, off, v)) {
		/* a pended or enabled interrupt is taken before the next instruction */
		cm7_exceptions_changed(cm);
		return BUS_OK;
	}
	switch (off) {
	case 0xD0C:
		write_aircr(cm, v);
		break;
	case 0xD30:
		cm->dfsr &= ~(v & 0x1F);
		break;
	case 0xDF0:
		cm7_write_dhcsr(cm, v);
		break;
	case 0xDF4:
		write_dcrsr(cm, v);
		break;
	case 0xDF8:
		cm->dcrdr = v;
		break;
	case 0xDFC:
		cm->demcr = v & 0x010F07F1;
		break;
	case 0xD14:
		cm7_write_ccr(cm, v);
		break;
	default:
		if (off >= 0xF50 && off <= 0xF78) {
			cm7_cache_maintenance(cm, off, v);
			break;
		}
		sim_trace("scs: write to unmodelled register 0x%08x = 0x%08x",
			CM7_PPB_BASE + PPB_SCS + off, v);
		break;
	}
	return BUS_OK;
}

static int id_only_read(const struct cs_component *id, uint32_t off, uint32_t *v)
{
	if (!cs_component_read(id, off, v))
		*v = 0;
	return BUS_OK;
}

static int ppb_read32(struct cm7 *cm, uint32_t addr, uint32_t *v)
{
	uint32_t block = addr & ~0xFFFu, off = addr & 0xFFF;

	switch (block) {
	case PPB_ITM:
		return itm_read(cm, off, v);
	case PPB_DWT:
		return dwt_read(cm, off, v);
	case PPB_FPB:
		return fpb_read(cm, off, v);
	case PPB_SCS:
		return scs_read(cm, off, v);
	case PPB_ETM:
		return id_only_read(&id_etm, off, v);
	case PPB_CTI:
		return id_only_read(&id_cti, off, v);
	case PPB_ST_ROM:
		return id_only_read(&id_st_rom, off, v);
	case PPB_M7_ROM:
		return id_only_read(&id_m7_rom, off, v);
	default:
		return BUS_ERROR;
	}
}

static int ppb_write32(struct cm7 *cm, uint32_t addr, uint32_t v)
{
	uint32_t block = addr & ~0xFFFu, off = addr & 0xFFF;

	switch (block) {
	case PPB_ITM:
		return itm_write(cm, off, v);
	case PPB_DWT:
		return dwt_write(cm, off, v);
	case PPB_FPB:
		return fpb_write(cm, off, v);
	case PPB_SCS:
		return scs_write(cm, off, v);
	case PPB_ETM:
	case PPB_CTI:
	case PPB_ST_ROM:
	case PPB_M7_ROM:
		return BUS_OK;
	default:
		return BUS_ERROR;
	}
}

/* Sub-word accesses act on the containing word (PPB registers are 32-bit). */
static int ppb_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	uint32_t word = 0;	/* a refused read reads as 0, as the bus promises */
	int ret = ppb_read32(ctx, off & ~3u, &word);

	(void)who;
	*value = size == 4 ? word : (word >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
	return ret;
}

static int ppb_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	(void)who;
	if (size == 4)
		return ppb_write32(ctx, off, value);
	uint32_t word, shift = 8 * (off & 3), mask = ((1u << (8 * size)) - 1) << shift;

	/* NVIC set/clear-enable and -pending: the other bytes write zeros, changing nothing */
	if (off >= PPB_SCS + 0x100 && off < PPB_SCS + 0x300)
		return ppb_write32(ctx, off & ~3u, (value << shift) & mask);
	int ret = ppb_read32(ctx, off & ~3u, &word);

	if (ret != BUS_OK)
		return ret;
	return ppb_write32(ctx, off & ~3u, (word & ~mask) | ((value << shift) & mask));
}

const struct bus_region_ops cm7_ppb_ops = {
	.read = ppb_read,
	.write = ppb_write,
};
