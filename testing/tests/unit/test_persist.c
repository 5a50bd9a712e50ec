// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: save/load round trip, a missing file (fresh chip), and
 * every kind of damage (CRC, magic, truncation) rejected with the sections
 * left untouched.
 */
#include "unit_helpers.h"

#include "persist.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct tmp {
	char dir[512];
	char path[600];
	uint8_t flash[4096];
	uint32_t options[8];
	uint8_t tiny[3];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("H743_TEST_TMPDIR");	/* set by testing/run-tests */

	if (!base)
		base = getenv("TMPDIR");
	assert_non_null(t);
	assert_true(snprintf(t->dir, sizeof(t->dir), "%s/h743-persist-XXXXXX",
		base ? base : "/tmp") < (int)sizeof(t->dir));
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/state.bin", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char tmpfile[640];

	snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", t->path);
	unlink(t->path);
	unlink(tmpfile);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void fill(struct tmp *t, uint8_t seed)
{
	for (unsigned int i = 0; i < sizeof(t->flash); i++)
		t->flash[i] = (uint8_t)(i * 7 + seed);
	for (unsigned int i = 0; i < ARRAY_LEN(t->options); i++)
		t->options[i] = 0x01010101u * (seed + i);
	memset(t->tiny, seed, sizeof(t->tiny));
}

static void sections(struct tmp *t, struct persist_section s[3])
{
	s[0] = (struct persist_section){ "flash", t->flash, sizeof(t->flash) };
	s[1] = (struct persist_section){ "options", t->options, sizeof(t->options) };
	s[2] = (struct persist_section){ "tiny", t->tiny, sizeof(t->tiny) };
}

static long file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

/* Flip one byte of the file at offset from its start. */
static void poke(const char *path, long offset, uint8_t xor)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, offset, SEEK_SET), 0);
	c = fgetc(f);
	assert_true(c != EOF);
	assert_int_equal(fseek(f, offset, SEEK_SET), 0);
	fputc(c ^ xor, f);
	fclose(f);
}

static void truncate_to(const char *path, long size)
{
	assert_int_equal(truncate(path, size), 0);
}

static void test_crc32_check_value(void **state)
{
	(void)state;
	/* CRC-32/ISO-HDLC check value */
	assert_int_equal(persist_crc32("123456789", 9), 0xCBF43926);
	assert_int_equal(persist_crc32("", 0), 0);
}

static void test_round_trip(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	struct tmp expect;
	char tmpfile[640];

	sections(t, s);
	fill(t, 1);
	expect = *t;
	assert_int_equal(persist_save(t->path, s, 3), 0);
	snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", t->path);
	assert_int_not_equal(access(tmpfile, F_OK), 0);	/* renamed into place */
	fill(t, 99);
	assert_int_equal(persist_load(t->path, s, 3), 1);
	assert_memory_equal(t->flash, expect.flash, sizeof(t->flash));
	assert_memory_equal(t->options, expect.options, sizeof(t->options));
	assert_memory_equal(t->tiny, expect.tiny, sizeof(t->tiny));
}

static void test_save_replaces_old_file(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	fill(t, 2);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	fill(t, 3);
	assert_int_equal(persist_load(t->path, s, 3), 1);
	assert_int_equal(t->tiny[0], 2);
	assert_int_equal(t->options[0], 0x02020202);
}

static void test_missing_file_is_fresh_chip(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	sections(t, s);
	fill(t, 5);
	assert_int_equal(persist_load(t->path, s, 3), 0);
	assert_int_equal(t->tiny[0], 5);
	assert_int_equal(t->flash[1], 12);
}

static void expect_rejected_untouched(struct tmp *t, struct persist_section *s)
{
	fill(t, 42);
	assert_int_equal(persist_load(t->path, s, 3), -1);
	/* nothing was loaded, not even the sections before the damage */
	for (unsigned int i = 0; i < sizeof(t->flash); i++)
		assert_int_equal(t->flash[i], (uint8_t)(i * 7 + 42));
	assert_int_equal(t->options[0], 0x2A2A2A2A);
	assert_int_equal(t->tiny[2], 42);
}

static void test_corrupt_crc_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	long size;

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	size = file_size(t->path);
	/* the last data byte belongs to the last section */
	poke(t->path, size - 1, 0x01);
	expect_rejected_untouched(t, s);
}

static void test_corrupt_section_header_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	/* first section: 16 header bytes, 16 name bytes, then size and CRC */
	poke(t->path, 16 + 16 + 4, 0x80);
	expect_rejected_untouched(t, s);
}

static void test_bad_magic_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	poke(t->path, 0, 0x20);
	expect_rejected_untouched(t, s);
}

static void test_truncated_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	truncate_to(t->path, file_size(t->path) - 2);
	expect_rejected_untouched(t, s);
	truncate_to(t->path, 10);
	expect_rejected_untouched(t, s);
	truncate_to(t->path, 0);
	expect_rejected_untouched(t, s);
}

static void test_unknown_and_resized_sections_keep_defaults(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3], now[3];
	uint8_t bigger_tiny[5] = { 7, 7, 7, 7, 7 };

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	/* a newer simulator: "options" renamed away, "tiny" grew */
	sections(t, now);
	now[1].name = "options2";
	now[2].data = bigger_tiny;
	now[2].size = sizeof(bigger_tiny);
	fill(t, 9);
	assert_int_equal(persist_load(t->path, now, 3), 1);
	assert_int_equal(t->flash[1], 8);		/* loaded: 1 * 7 + 1 */
	assert_int_equal(t->options[0], 0x09090909);	/* not in the file */
	assert_int_equal(bigger_tiny[0], 7);		/* size differs: default kept */
}

static void test_save_to_missing_directory_fails(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	char path[640];

	sections(t, s);
	snprintf(path, sizeof(path), "%s/no/such/dir/state.bin", t->dir);
	assert_int_equal(persist_save(path, s, 3), -1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_value),
		T(test_round_trip),
		T(test_save_replaces_old_file),
		T(test_missing_file_is_fresh_chip),
		T(test_corrupt_crc_rejected),
		T(test_corrupt_section_header_rejected),
		T(test_bad_magic_rejected),
		T(test_truncated_rejected),
		T(test_unknown_and_resized_sections_keep_defaults),
		T(test_save_to_missing_directory_fails),
	};
#undef T

	return cmocka_run_group_tests_name("persist", tests, NULL, NULL);
}
