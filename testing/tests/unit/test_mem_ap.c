// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ADIv5 MEM-AP (as OpenOCD's src/target/arm_adi_v5.c uses it): CSW read-back
 * with DeviceEn, TAR auto-increment (single, packed, off) inside a 1 KiB
 * block, byte lanes for 8/16-bit transfers, packed transfers at an unaligned
 * TAR, BD0-BD3 and a bus error leaving TAR unchanged.
 */
#include "unit_helpers.h"

#include "mem_ap.h"

#define RAM_BASE	0x20000000u
#define RAM_SIZE	0x1000u
#define DEV_BASE	0x40000000u

#define CSW_BASE	0xA2000000u
#define CSW_8		0x0u
#define CSW_16		0x1u
#define CSW_32		0x2u
#define INC_OFF		0x00u
#define INC_SINGLE	0x10u
#define INC_PACKED	0x20u

struct probe {
	enum bus_master who;
	unsigned int size;
	unsigned int accesses;
};

static int probe_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct probe *p = ctx;

	p->who = who;
	p->size = size;
	p->accesses++;
	*value = off;
	return BUS_OK;
}

static int probe_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct probe *p = ctx;

	(void)off;
	(void)value;
	p->who = who;
	p->size = size;
	p->accesses++;
	return BUS_OK;
}

static const struct bus_region_ops probe_ops = { .read = probe_read, .write = probe_write };

struct rig {
	struct bus bus;
	struct mem_ap ap;
	struct probe probe;
	uint8_t ram[RAM_SIZE];
};

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	bus_init(&r->bus, "test");
	bus_add_memory(&r->bus, "ram", RAM_BASE, RAM_SIZE, r->ram, false);
	bus_add_device(&r->bus, "probe", DEV_BASE, 0x100, &probe_ops, &r->probe);
	mem_ap_init(&r->ap, "ap2", 0x54770002, 0xE00E0003, &r->bus, MASTER_AP2);
	*state = r;
	return 0;
}

static uint32_t rd(struct mem_ap *ap, uint8_t reg)
{
	uint32_t v = 0xDEADBEEF;

	assert_int_equal(mem_ap_read(ap, reg, &v), BUS_OK);
	return v;
}

static void wr(struct mem_ap *ap, uint8_t reg, uint32_t v)
{
	assert_int_equal(mem_ap_write(ap, reg, v), BUS_OK);
}

static void test_reset_state(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(&r->ap, AP_REG_CSW), CSW_DEVICE_EN);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), 0);
}

static void test_csw_readback(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_32);
	assert_int_equal(rd(&r->ap, AP_REG_CSW), 0xA2000052);
	/* OpenOCD's packed-transfer probe must see AddrInc = 0b10 again */
	wr(&r->ap, AP_REG_CSW, 0xAA000000 | INC_PACKED | CSW_8);
	assert_int_equal(rd(&r->ap, AP_REG_CSW), 0xAA000060);
	/* DeviceEn reads 1 and TrInProg 0, whatever is written */
	wr(&r->ap, AP_REG_CSW, 0x00000080);
	assert_int_equal(rd(&r->ap, AP_REG_CSW), CSW_DEVICE_EN);
	/* reserved bits 23:12 are not stored */
	wr(&r->ap, AP_REG_CSW, 0x00FFF000);
	assert_int_equal(rd(&r->ap, AP_REG_CSW), CSW_DEVICE_EN);
}

static void test_id_registers(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(&r->ap, AP_REG_IDR), 0x54770002);
	assert_int_equal(rd(&r->ap, AP_REG_BASE), 0xE00E0003);
	assert_int_equal(rd(&r->ap, AP_REG_CFG), 0);
	assert_int_equal(rd(&r->ap, AP_REG_TAR64), 0);
	assert_int_equal(rd(&r->ap, AP_REG_BASE64), 0);
	wr(&r->ap, AP_REG_IDR, 0);
	wr(&r->ap, AP_REG_BASE, 0);
	assert_int_equal(rd(&r->ap, AP_REG_IDR), 0x54770002);
	assert_int_equal(rd(&r->ap, AP_REG_BASE), 0xE00E0003);
}

static void test_tar_single_increment_32(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_32);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x40);
	wr(&r->ap, AP_REG_DRW, 0x11111111);
	wr(&r->ap, AP_REG_DRW, 0x22222222);
	wr(&r->ap, AP_REG_DRW, 0x33333333);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x4C);
	assert_int_equal(mem_load(r->ram + 0x40, 4), 0x11111111);
	assert_int_equal(mem_load(r->ram + 0x48, 4), 0x33333333);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x44);
	assert_int_equal(rd(&r->ap, AP_REG_DRW), 0x22222222);
	assert_int_equal(rd(&r->ap, AP_REG_DRW), 0x33333333);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x4C);
}

static void test_tar_increment_off(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_OFF | CSW_32);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x80);
	wr(&r->ap, AP_REG_DRW, 0x1);
	wr(&r->ap, AP_REG_DRW, 0x2);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x80);
	assert_int_equal(mem_load(r->ram + 0x80, 4), 0x2);
	assert_int_equal(mem_load(r->ram + 0x84, 4), 0);
}

static void test_halfword_lanes(void **state)
{
	struct rig *r = *state;

	memset(r->ram, 0x55, 16);
	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_16);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x2);
	wr(&r->ap, AP_REG_DRW, 0xBEEF1234);	/* lanes 3:2 hold the halfword at +2 */
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x4);
	wr(&r->ap, AP_REG_DRW, 0x5678CAFE);	/* lanes 1:0 for +4 */
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x6);
	assert_int_equal(mem_load(r->ram, 4), 0xBEEF5555);
	assert_int_equal(mem_load(r->ram + 4, 4), 0x5555CAFE);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x2);
	assert_int_equal(rd(&r->ap, AP_REG_DRW) >> 16, 0xBEEF);
	assert_int_equal(rd(&r->ap, AP_REG_DRW) & 0xFFFF, 0xCAFE);
}

static void test_byte_lanes(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_8);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x11);
	wr(&r->ap, AP_REG_DRW, 0x0000AB00);	/* byte at +0x11 is lane 1 */
	wr(&r->ap, AP_REG_DRW, 0x00CD0000);
	wr(&r->ap, AP_REG_DRW, 0xEF000000);
	wr(&r->ap, AP_REG_DRW, 0x00000012);	/* +0x14: lane 0 again */
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x15);
	assert_int_equal(mem_load(r->ram + 0x10, 4), 0xEFCDAB00);
	assert_int_equal(r->ram[0x14], 0x12);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x13);
	assert_int_equal(rd(&r->ap, AP_REG_DRW) >> 24, 0xEF);
	assert_int_equal(rd(&r->ap, AP_REG_DRW) & 0xFF, 0x12);
}

static void test_packed_bytes_at_unaligned_tar(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_PACKED | CSW_8);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x101);
	wr(&r->ap, AP_REG_DRW, 0x44332211);
	/* each byte travels in the lane of its own address */
	assert_int_equal(r->ram[0x101], 0x22);
	assert_int_equal(r->ram[0x102], 0x33);
	assert_int_equal(r->ram[0x103], 0x44);
	assert_int_equal(r->ram[0x104], 0x11);
	assert_int_equal(r->ram[0x100], 0);
	assert_int_equal(r->ram[0x105], 0);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x105);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x101);
	assert_int_equal(rd(&r->ap, AP_REG_DRW), 0x44332211);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x105);
}

static void test_packed_halfwords(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_PACKED | CSW_16);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x202);
	wr(&r->ap, AP_REG_DRW, 0x22221111);
	assert_int_equal(mem_load(r->ram + 0x202, 2), 0x2222);
	assert_int_equal(mem_load(r->ram + 0x204, 2), 0x1111);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x206);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x200);
	wr(&r->ap, AP_REG_DRW, 0xBBBBAAAA);
	assert_int_equal(mem_load(r->ram + 0x200, 4), 0xBBBBAAAA);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x204);
}

static void test_packed_word_size_is_single(void **state)
{
	struct rig *r = *state;

	/* packed with 32-bit size moves one word and adds 4 */
	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_PACKED | CSW_32);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x300);
	wr(&r->ap, AP_REG_DRW, 0x12345678);
	assert_int_equal(mem_load(r->ram + 0x300, 4), 0x12345678);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x304);
}

static void test_tar_wraps_inside_1k(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_32);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x7FC);
	wr(&r->ap, AP_REG_DRW, 0xAAAAAAAA);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x400);
	wr(&r->ap, AP_REG_DRW, 0xBBBBBBBB);
	assert_int_equal(mem_load(r->ram + 0x7FC, 4), 0xAAAAAAAA);
	assert_int_equal(mem_load(r->ram + 0x400, 4), 0xBBBBBBBB);
	assert_int_equal(mem_load(r->ram + 0x800, 4), 0);
	/* packed bytes wrap the same way */
	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_PACKED | CSW_8);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0xBFC);
	wr(&r->ap, AP_REG_DRW, 0x04030201);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x800);
	/* halfwords */
	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_16);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x3FE);
	wr(&r->ap, AP_REG_DRW, 0x12340000);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE);
}

static void test_banked_data_registers(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_32);
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 0x13);	/* low four bits are ignored */
	wr(&r->ap, AP_REG_BD0 + 4, 0x11110004);
	wr(&r->ap, AP_REG_BD0 + 12, 0x1111000C);
	wr(&r->ap, AP_REG_BD0, 0x11110000);
	assert_int_equal(mem_load(r->ram + 0x10, 4), 0x11110000);
	assert_int_equal(mem_load(r->ram + 0x14, 4), 0x11110004);
	assert_int_equal(mem_load(r->ram + 0x18, 4), 0);
	assert_int_equal(mem_load(r->ram + 0x1C, 4), 0x1111000C);
	mem_store(r->ram + 0x18, 4, 0x22220008);
	assert_int_equal(rd(&r->ap, AP_REG_BD0 + 8), 0x22220008);
	assert_int_equal(rd(&r->ap, AP_REG_BD0 + 12), 0x1111000C);
	/* BDn never move TAR */
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 0x13);
}

static void test_bus_error_keeps_tar(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0x12345678;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_32);
	wr(&r->ap, AP_REG_TAR, 0x30000000);
	assert_int_equal(mem_ap_read(&r->ap, AP_REG_DRW, &v), BUS_ERROR);
	assert_int_equal(v, 0);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), 0x30000000);
	assert_int_equal(mem_ap_write(&r->ap, AP_REG_DRW, 1), BUS_ERROR);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), 0x30000000);
	assert_int_equal(mem_ap_read(&r->ap, AP_REG_BD0, &v), BUS_ERROR);
	/* misaligned single 32-bit access is a bus error too */
	wr(&r->ap, AP_REG_TAR, RAM_BASE + 2);
	assert_int_equal(mem_ap_write(&r->ap, AP_REG_DRW, 1), BUS_ERROR);
	assert_int_equal(rd(&r->ap, AP_REG_TAR), RAM_BASE + 2);
}

static void test_master_and_size_reach_the_bus(void **state)
{
	struct rig *r = *state;

	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_SINGLE | CSW_16);
	wr(&r->ap, AP_REG_TAR, DEV_BASE + 0x12);
	assert_int_equal(rd(&r->ap, AP_REG_DRW) >> 16, 0x12);
	assert_int_equal(r->probe.who, MASTER_AP2);
	assert_int_equal(r->probe.size, 2);
	wr(&r->ap, AP_REG_CSW, CSW_BASE | INC_PACKED | CSW_8);
	wr(&r->ap, AP_REG_TAR, DEV_BASE + 0x20);
	r->probe.accesses = 0;
	assert_int_equal(rd(&r->ap, AP_REG_DRW), 0x23222120);
	assert_int_equal(r->probe.accesses, 4);
	assert_int_equal(r->probe.size, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_reset_state),
		T(test_csw_readback),
		T(test_id_registers),
		T(test_tar_single_increment_32),
		T(test_tar_increment_off),
		T(test_halfword_lanes),
		T(test_byte_lanes),
		T(test_packed_bytes_at_unaligned_tar),
		T(test_packed_halfwords),
		T(test_packed_word_size_is_single),
		T(test_tar_wraps_inside_1k),
		T(test_banked_data_registers),
		T(test_bus_error_keeps_tar),
		T(test_master_and_size_reach_the_bus),
	};
#undef T

	return cmocka_run_group_tests_name("mem_ap", tests, NULL, NULL);
}
