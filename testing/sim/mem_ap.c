// SPDX-License-Identifier: GPL-2.0-or-later
#include "mem_ap.h"
#include "log.h"

void mem_ap_init(struct mem_ap *ap, const char *name, uint32_t idr, uint32_t base,
		struct bus *bus, enum bus_master master)
{
	ap->name = name;
	ap->idr = idr;
	ap->base = base;
	ap->cfg = 0;
	ap->csw = CSW_DEVICE_EN;
	ap->tar = 0;
	ap->bus = bus;
	ap->master = master;
	ap->unclocked = false;
	ap->core_port = false;
	ap->transactions = 0;
}

static unsigned int csw_size_bytes(uint32_t csw)
{
	switch (csw & CSW_SIZE_MASK) {
	case 0:
		return 1;
	case 1:
		return 2;
	default:
		return 4;
	}
}

static unsigned int csw_addrinc(uint32_t csw)
{
	return (csw & CSW_ADDRINC_MASK) >> CSW_ADDRINC_SHIFT;
}

/* The TAR only increments inside a 1 KiB block, as on the Cortex-M7 AHB-AP. */
/*
 * HPROT[3] of the CSW: through the core's AHBD port a cacheable access looks
 * up the D-cache; an AP on another bus never sees the core's caches.
 */
static unsigned int bus_attrs(const struct mem_ap *ap)
{
	return ap->core_port && (ap->csw & CSW_HPROT_CACHEABLE) ? BUS_ATTR_CACHEABLE : 0;
}

static void advance_tar(struct mem_ap *ap, uint32_t bytes)
{
	ap->tar = (ap->tar & ~0x3FFu) | ((ap->tar + bytes) & 0x3FFu);
}

/*
 * One DRW transfer. Single mode moves one item in the lanes its address
 * selects; packed mode (AddrInc = 2) moves 32 bits as consecutive bytes or
 * halfwords, each in its own lane.
 */
static int drw_transfer(struct mem_ap *ap, uint32_t addr, bool write, uint32_t *data)
{
	unsigned int size = csw_size_bytes(ap->csw);
	bool packed = csw_addrinc(ap->csw) == 2 && size < 4;
	unsigned int items = packed ? 4 / size : 1;
	uint32_t result = 0;

	for (unsigned int i = 0; i < items; i++) {
		uint32_t a = addr + i * size;
		unsigned int lane = (a & 3) * 8;
		uint32_t mask = size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
		int ret;

		if (write) {
			ret = bus_write_attr(ap->bus, a, size, (*data >> lane) & mask, ap->master,
				bus_attrs(ap));
		} else {
			uint32_t v;

			ret = bus_read_attr(ap->bus, a, size, &v, ap->master, bus_attrs(ap));
			result |= (v & mask) << lane;
		}
		if (ret != BUS_OK)
			return ret;
	}
	if (!write)
		*data = result;
	return BUS_OK;
}

static void after_drw(struct mem_ap *ap)
{
	switch (csw_addrinc(ap->csw)) {
	case 1:
		advance_tar(ap, csw_size_bytes(ap->csw));
		break;
	case 2:
		advance_tar(ap, 4);
		break;
	default:
		break;
	}
}

int mem_ap_read(struct mem_ap *ap, uint8_t reg, uint32_t *value)
{
	int ret = BUS_OK;

	ap->transactions++;
	*value = 0;
	switch (reg) {
	case AP_REG_CSW:
		*value = ap->csw | CSW_DEVICE_EN;
		break;
	case AP_REG_TAR:
		*value = ap->tar;
		break;
	case AP_REG_DRW:
		ret = drw_transfer(ap, ap->tar, false, value);
		if (ret == BUS_OK)
			after_drw(ap);
		break;
	case AP_REG_BD0:
	case AP_REG_BD0 + 4:
	case AP_REG_BD0 + 8:
	case AP_REG_BD0 + 12:
		ret = bus_read_attr(ap->bus, (ap->tar & ~0xFu) | (reg & 0xC), 4, value,
			ap->master, bus_attrs(ap));
		break;
	case AP_REG_CFG:
		*value = ap->cfg;
		break;
	case AP_REG_BASE:
		*value = ap->base;
		break;
	case AP_REG_IDR:
		*value = ap->idr;
		break;
	default:
		break;		/* TAR64, BASE64 and reserved registers read as zero */
	}
	sim_trace("%s: read  AP reg 0x%02x = 0x%08x", ap->name, reg, *value);
	return ret;
}

int mem_ap_write(struct mem_ap *ap, uint8_t reg, uint32_t value)
{
	int ret = BUS_OK;

	ap->transactions++;
	sim_trace("%s: write AP reg 0x%02x = 0x%08x", ap->name, reg, value);
	switch (reg) {
	case AP_REG_CSW:
		ap->csw = (value & CSW_WRITABLE) | CSW_DEVICE_EN;
		break;
	case AP_REG_TAR:
		ap->tar = value;
		break;
	case AP_REG_DRW:
		ret = drw_transfer(ap, ap->tar, true, &value);
		if (ret == BUS_OK)
			after_drw(ap);
		break;
	case AP_REG_BD0:
	case AP_REG_BD0 + 4:
	case AP_REG_BD0 + 8:
	case AP_REG_BD0 + 12:
		ret = bus_write_attr(ap->bus, (ap->tar & ~0xFu) | (reg & 0xC), 4, value,
			ap->master, bus_attrs(ap));
		break;
	default:
		break;		/* read-only and reserved registers ignore writes */
	}
	return ret;
}
