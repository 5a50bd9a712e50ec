// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table-driven register files: reset values, the writable mask and
 * write-1-to-clear bits.
 */
#include "unit_helpers.h"

#include "regfile.h"

static const struct reg_desc descs[] = {
	{ "CTRL",   0x00, 0x00000031, 0x0000FFF0, 0 },
	{ "STATUS", 0x04, 0x000000F0, 0x00000000, 0x000000F0 },
	{ "MIXED",  0x0C, 0x00000300, 0x000000FF, 0x00000F00 },
};

static void new_rf(struct regfile *rf, uint32_t *values)
{
	*rf = (struct regfile){ "test", descs, ARRAY_LEN(descs), values };
	for (unsigned int i = 0; i < ARRAY_LEN(descs); i++)
		values[i] = 0xDEADBEEF;
	regfile_reset(rf);
}

static void test_reset_values(void **state)
{
	struct regfile rf;
	uint32_t v[3];

	(void)state;
	new_rf(&rf, v);
	assert_int_equal(v[0], 0x31);
	assert_int_equal(v[1], 0xF0);
	assert_int_equal(v[2], 0x300);
}

static void test_index_by_offset(void **state)
{
	struct regfile rf;
	uint32_t v[3];

	(void)state;
	new_rf(&rf, v);
	assert_int_equal(regfile_index(&rf, 0x00), 0);
	assert_int_equal(regfile_index(&rf, 0x0C), 2);
	assert_int_equal(regfile_index(&rf, 0x08), -1);
	assert_int_equal(regfile_index(&rf, 0x10), -1);
}

static void test_write_mask(void **state)
{
	struct regfile rf;
	uint32_t v[3];

	(void)state;
	new_rf(&rf, v);
	/* bits outside the mask keep their value, whatever is written */
	assert_int_equal(regfile_write(&rf, 0, 0xFFFF0000), 0x00000001);
	assert_int_equal(regfile_write(&rf, 0, 0x0000ABCF), 0x0000ABC1);
	assert_int_equal(v[0], 0xABC1);
}

static void test_write_one_to_clear(void **state)
{
	struct regfile rf;
	uint32_t v[3];

	(void)state;
	new_rf(&rf, v);
	assert_int_equal(regfile_write(&rf, 1, 0x00000000), 0xF0);	/* 0 has no effect */
	assert_int_equal(regfile_write(&rf, 1, 0x00000030), 0xC0);
	assert_int_equal(regfile_write(&rf, 1, 0xFFFFFF0F), 0xC0);	/* read-only rest */
	assert_int_equal(regfile_write(&rf, 1, 0x000000FF), 0x00);
}

static void test_mixed_register(void **state)
{
	struct regfile rf;
	uint32_t v[3];

	(void)state;
	new_rf(&rf, v);
	assert_int_equal(regfile_write(&rf, 2, 0x00000155), 0x00000255);
	regfile_reset(&rf);
	assert_int_equal(v[2], 0x300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_index_by_offset),
		cmocka_unit_test(test_write_mask),
		cmocka_unit_test(test_write_one_to_clear),
		cmocka_unit_test(test_mixed_register),
	};

	return cmocka_run_group_tests_name("regfile", tests, NULL, NULL);
}
