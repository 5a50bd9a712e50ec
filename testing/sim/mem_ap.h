/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ADIv5 MEM-AP: CSW, TAR, DRW, the four banked data registers and the ID
 * registers, with byte lanes, packed transfers and TAR auto-increment inside a
 * 1 KiB block (ARM IHI 0031, section 7).
 */
#ifndef H743SIM_MEM_AP_H
#define H743SIM_MEM_AP_H

#include "bus.h"

#define AP_REG_CSW	0x00
#define AP_REG_TAR	0x04
#define AP_REG_TAR64	0x08
#define AP_REG_DRW	0x0C
#define AP_REG_BD0	0x10
#define AP_REG_BASE64	0xF0
#define AP_REG_CFG	0xF4
#define AP_REG_BASE	0xF8
#define AP_REG_IDR	0xFC

#define CSW_SIZE_MASK	0x7u
#define CSW_ADDRINC_SHIFT 4
#define CSW_ADDRINC_MASK (3u << CSW_ADDRINC_SHIFT)
#define CSW_DEVICE_EN	(1u << 6)
#define CSW_TRINPROG	(1u << 7)
#define CSW_HPROT_CACHEABLE (1u << 27)	/* HPROT[3]: the access looks up the D-cache */
/* Bits that a debugger may set; DeviceEn and TrInProg are read-only. */
#define CSW_WRITABLE	(0xFF000000u | 0x00000F3Fu)

struct mem_ap {
	const char *name;
	uint32_t idr;
	uint32_t base;
	uint32_t cfg;
	uint32_t csw;
	uint32_t tar;
	struct bus *bus;
	enum bus_master master;
	bool unclocked;		/* its power domain stopped without debug support: no answer */
	bool core_port;		/* reaches memory through the core (AHBD): HPROT[3] counts */
	uint64_t transactions;
};

void mem_ap_init(struct mem_ap *ap, const char *name, uint32_t idr, uint32_t base,
		struct bus *bus, enum bus_master master);
/* Return BUS_OK, or BUS_ERROR when the access must raise STICKYERR. */
int mem_ap_read(struct mem_ap *ap, uint8_t reg, uint32_t *value);
int mem_ap_write(struct mem_ap *ap, uint8_t reg, uint32_t value);

#endif
