// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The map of memory the core has translated code from: byte ranges per 4 KiB
 * page, overlap queries, forgetting pages whose translations were dropped,
 * and the table-full fallback (every change counts as touching code).
 */
#include "unit_helpers.h"

#include "codemap.h"

static int setup(void **state)
{
	struct codemap *m = malloc(sizeof(*m));

	assert_non_null(m);
	memset(m, 0xA5, sizeof(*m));	/* codemap_clear must do all the work */
	codemap_clear(m);
	*state = m;
	return 0;
}

static void test_empty_map_overlaps_nothing(void **state)
{
	struct codemap *m = *state;

	assert_false(codemap_overlaps(m, 0x08000000, 0x1000));
	assert_false(codemap_overlaps(m, 0, 0xFFFFFFFF));
}

static void test_byte_range_inside_a_page(void **state)
{
	struct codemap *m = *state;

	codemap_note(m, 0x08000100, 0x20);	/* 0x08000100..0x0800011F */
	assert_true(codemap_overlaps(m, 0x08000100, 1));
	assert_true(codemap_overlaps(m, 0x0800011F, 1));
	assert_true(codemap_overlaps(m, 0x080000F0, 0x11));
	/* same page, outside the executed bytes (a loader's FIFO beside it) */
	assert_false(codemap_overlaps(m, 0x080000F0, 0x10));
	assert_false(codemap_overlaps(m, 0x08000120, 0x100));
	/* other pages */
	assert_false(codemap_overlaps(m, 0x08001100, 0x20));
	assert_false(codemap_overlaps(m, 0x07FFF100, 0x20));
}

static void test_ranges_in_a_page_merge(void **state)
{
	struct codemap *m = *state;

	codemap_note(m, 0x20000010, 2);
	codemap_note(m, 0x20000800, 4);
	/* the page keeps one range covering both */
	assert_true(codemap_overlaps(m, 0x20000400, 4));
	assert_false(codemap_overlaps(m, 0x20000000, 0x10));
	assert_false(codemap_overlaps(m, 0x20000804, 0x7FC));
}

static void test_range_across_pages(void **state)
{
	struct codemap *m = *state;

	codemap_note(m, 0x24000FFE, 4);		/* two bytes in each page */
	assert_true(codemap_overlaps(m, 0x24000FFF, 1));
	assert_true(codemap_overlaps(m, 0x24001001, 1));
	assert_false(codemap_overlaps(m, 0x24001002, 1));
	assert_false(codemap_overlaps(m, 0x24000000, 0xFFE));
	/* a write spanning many pages finds the code in any of them */
	assert_true(codemap_overlaps(m, 0x23FF0000, 0x20000));
}

static void test_forget_drops_only_those_pages(void **state)
{
	struct codemap *m = *state;

	codemap_note(m, 0x08000000, 0x100);
	codemap_note(m, 0x08001000, 0x100);
	codemap_note(m, 0x08002000, 0x100);
	codemap_forget(m, 0x08001000, 0x1000);
	assert_true(codemap_overlaps(m, 0x08000000, 4));
	assert_false(codemap_overlaps(m, 0x08001000, 4));
	assert_true(codemap_overlaps(m, 0x08002000, 4));
	/* the byte range of a kept page survives the rebuild */
	assert_false(codemap_overlaps(m, 0x08002100, 4));
	/* a page can be noted again afterwards */
	codemap_note(m, 0x08001800, 2);
	assert_true(codemap_overlaps(m, 0x08001800, 2));
}

static void test_many_pages(void **state)
{
	struct codemap *m = *state;

	/* every page of the 2 MiB flash: well within the table */
	for (uint32_t a = 0x08000000; a < 0x08200000; a += 0x1000)
		codemap_note(m, a + 0x10, 2);
	assert_false(m->overflow);
	for (uint32_t a = 0x08000000; a < 0x08200000; a += 0x1000) {
		assert_true(codemap_overlaps(m, a + 0x10, 1));
		assert_false(codemap_overlaps(m, a + 0x20, 1));
	}
}

static void fill_to_overflow(struct codemap *m)
{
	for (uint32_t page = 0; page <= CODEMAP_SLOTS; page++)
		codemap_note(m, 0x20000000 + page * 0x1000, 2);
	assert_true(m->overflow);
}

static void test_full_table_counts_everything_as_code(void **state)
{
	struct codemap *m = *state;

	fill_to_overflow(m);
	assert_true(codemap_overlaps(m, 0x90000000, 4));
}

/*
 * Pages lost to the full table are still unknown after an unrelated range is
 * forgotten: changes there must keep counting as touching code.
 */
static void test_forget_keeps_overflow_conservative(void **state)
{
	struct codemap *m = *state;
	const uint32_t lost = 0x20000000 + CODEMAP_SLOTS * 0x1000;	/* the page that missed */

	fill_to_overflow(m);
	codemap_forget(m, 0x20000000, 0x1000);
	assert_true(codemap_overlaps(m, lost, 2));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_empty_map_overlaps_nothing),
		T(test_byte_range_inside_a_page),
		T(test_ranges_in_a_page_merge),
		T(test_range_across_pages),
		T(test_forget_drops_only_those_pages),
		T(test_many_pages),
		T(test_full_table_counts_everything_as_code),
		T(test_forget_keeps_overflow_conservative),
	};
#undef T

	return cmocka_run_group_tests_name("codemap", tests, NULL, NULL);
}
