// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CoreSight identification registers and ROM table entries, checked against
 * the values of real parts: the STM32H7 APB-D ROM table (CIDR 0xB105100D,
 * PIDR 0xA0450: ST's part 0x450) and an ARM-designed component.
 */
#include "unit_helpers.h"

#include "coresight.h"

static const uint32_t rom_entries[] = { 0x00003003, 0x00004003, 0x00015003, 0 };
static const struct cs_component st_rom = {
	0x450, JEP106_ST, 0, CS_CLASS_ROM, 0x01, rom_entries,
};
static const struct cs_component arm_swo = {
	0x914, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x11, NULL,
};

static uint32_t id_reg(const struct cs_component *c, uint32_t off)
{
	uint32_t v = 0xDEADBEEF;

	assert_true(cs_component_read(c, off, &v));
	return v;
}

/* Four 8-bit ID registers combined, as OpenOCD's dap info does. */
static uint32_t combined(const struct cs_component *c, uint32_t first)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (id_reg(c, first + 4 * i) & 0xFF) << (8 * i);
	return v;
}

static void test_st_rom_table_ids(void **state)
{
	(void)state;
	assert_int_equal(combined(&st_rom, 0xFF0), 0xB105100D);
	assert_int_equal(combined(&st_rom, 0xFE0), 0x000A0450);
	assert_int_equal(id_reg(&st_rom, 0xFD0), 0);		/* PIDR4: continuation 0 */
	assert_int_equal(id_reg(&st_rom, 0xFCC), 0x01);		/* DEVTYPE */
}

static void test_arm_component_ids(void **state)
{
	(void)state;
	/* ARM JEP106: continuation 4, code 0x3B */
	assert_int_equal(id_reg(&arm_swo, 0xFE0), 0x14);
	assert_int_equal(id_reg(&arm_swo, 0xFE4), 0xB9);
	assert_int_equal(id_reg(&arm_swo, 0xFE8), 0x0B);
	assert_int_equal(id_reg(&arm_swo, 0xFD0), 0x04);
	assert_int_equal(combined(&arm_swo, 0xFF0), 0xB105900D);	/* class 9 */
	assert_int_equal(id_reg(&arm_swo, 0xFCC), 0x11);
	assert_int_equal(id_reg(&arm_swo, 0xFBC), 0);			/* DEVARCH */
	assert_int_equal(id_reg(&arm_swo, 0xFC8), 0);			/* DEVID */
}

static void test_rom_table_entries(void **state)
{
	(void)state;
	assert_int_equal(id_reg(&st_rom, 0x000), 0x00003003);
	assert_int_equal(id_reg(&st_rom, 0x004), 0x00004003);
	assert_int_equal(id_reg(&st_rom, 0x008), 0x00015003);
	assert_int_equal(id_reg(&st_rom, 0x00C), 0);	/* end marker */
	assert_int_equal(id_reg(&st_rom, 0x100), 0);
}

static void test_other_offsets_not_claimed(void **state)
{
	uint32_t v;

	(void)state;
	/* no ROM entries: ordinary registers are the caller's */
	assert_false(cs_component_read(&arm_swo, 0x000, &v));
	assert_false(cs_component_read(&arm_swo, 0xF00, &v));
	assert_false(cs_component_read(&st_rom, 0xF00, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_st_rom_table_ids),
		cmocka_unit_test(test_arm_component_ids),
		cmocka_unit_test(test_rom_table_entries),
		cmocka_unit_test(test_other_offsets_not_claimed),
	};

	return cmocka_run_group_tests_name("coresight", tests, NULL, NULL);
}
