// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file: save/load round trip, a missing file (fresh chip), and
 * every kind of damage (CRC, magic, version, any header bit, truncation at
 * any length, a section count of 0, unknown, resized, missing or repeated
 * sections, trailing data) refused with a reason that names the section and
 * with the sections left untouched; the start-up check that a state file
 * can be written at all.
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
	char tmpfile[640], why[256];

	sections(t, s);
	fill(t, 1);
	expect = *t;
	assert_int_equal(persist_save(t->path, s, 3), 0);
	snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", t->path);
	assert_int_not_equal(access(tmpfile, F_OK), 0);	/* renamed into place */
	fill(t, 99);
	assert_int_equal(persist_load(t->path, s, 3, why, sizeof(why)), 1);
	assert_memory_equal(t->flash, expect.flash, sizeof(t->flash));
	assert_memory_equal(t->options, expect.options, sizeof(t->options));
	assert_memory_equal(t->tiny, expect.tiny, sizeof(t->tiny));
}

static void test_save_replaces_old_file(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	char why[256];

	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	fill(t, 2);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	fill(t, 3);
	assert_int_equal(persist_load(t->path, s, 3, why, sizeof(why)), 1);
	assert_int_equal(t->tiny[0], 2);
	assert_int_equal(t->options[0], 0x02020202);
}

static void test_missing_file_is_fresh_chip(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	char why[256];

	sections(t, s);
	fill(t, 5);
	assert_int_equal(persist_load(t->path, s, 3, why, sizeof(why)), 0);
	assert_int_equal(t->tiny[0], 5);
	assert_int_equal(t->flash[1], 12);
}

/* The whole file in memory (for byte-level damage and persist_parse). */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	assert_non_null(f);
	*len = (size_t)file_size(path);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

static void spill(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Refused, with why containing `reason`, and not a byte of a section changed. */
static void expect_rejected_untouched(struct tmp *t, struct persist_section *s,
		const char *reason)
{
	char why[256] = "";

	fill(t, 42);
	assert_int_equal(persist_load(t->path, s, 3, why, sizeof(why)), -1);
	if (!strstr(why, reason))
		fail_msg("reason '%s' does not contain '%s'", why, reason);
	/* nothing was loaded, not even the sections before the damage */
	for (unsigned int i = 0; i < sizeof(t->flash); i++)
		assert_int_equal(t->flash[i], (uint8_t)(i * 7 + 42));
	assert_int_equal(t->options[0], 0x2A2A2A2A);
	assert_int_equal(t->tiny[2], 42);
}

static void save_fill1(struct tmp *t, struct persist_section *s)
{
	sections(t, s);
	fill(t, 1);
	assert_int_equal(persist_save(t->path, s, 3), 0);
	assert_int_equal(file_size(t->path), (long)persist_file_size(s, 3));
}

static void test_corrupt_crc_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	save_fill1(t, s);
	/* the last data byte belongs to the last section */
	poke(t->path, file_size(t->path) - 1, 0x01);
	expect_rejected_untouched(t, s, "section 'tiny': its data fails its CRC");
}

/* Offsets of the section headers: file header, then header + data each. */
#define SEC1	PERSIST_FILE_HEADER
#define SEC2	(SEC1 + PERSIST_SECTION_HEADER + 4096)
#define SEC3	(SEC2 + PERSIST_SECTION_HEADER + 32)

static void test_corrupt_section_header_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	save_fill1(t, s);
	/* a bit of the size field of the first section */
	poke(t->path, SEC1 + 16 + 1, 0x80);
	expect_rejected_untouched(t, s, "section 1 of 3 (stored name 'flash'): its header "
		"fails its CRC");
	poke(t->path, SEC1 + 16 + 1, 0x80);
	/* one bit of the name of the second (a blank chip before the header CRC) */
	poke(t->path, SEC2 + 1, 0x04);
	expect_rejected_untouched(t, s, "section 2 of 3 (stored name 'ottions'): its header "
		"fails its CRC");
}

/* Every single bit flip in any header byte is refused, whatever the field. */
static void test_every_header_bit_flip_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	const long starts[] = { 0, SEC1, SEC2, SEC3 };
	const long lens[] = { PERSIST_FILE_HEADER, PERSIST_SECTION_HEADER,
		PERSIST_SECTION_HEADER, PERSIST_SECTION_HEADER };
	uint8_t *good, *bad;
	size_t len;
	char why[256];

	save_fill1(t, s);
	good = slurp(t->path, &len);
	bad = malloc(len);
	assert_non_null(bad);
	for (unsigned int h = 0; h < ARRAY_LEN(starts); h++) {
		for (long off = starts[h]; off < starts[h] + lens[h]; off++) {
			for (int bit = 0; bit < 8; bit++) {
				memcpy(bad, good, len);
				bad[off] ^= (uint8_t)(1u << bit);
				fill(t, 42);
				if (persist_parse(bad, len, s, 3, why, sizeof(why)) != -1)
					fail_msg("bit %d of byte %ld accepted", bit, off);
				assert_int_equal(t->tiny[0], 42);
				assert_int_equal(t->options[3], 0x2D2D2D2D);
			}
		}
	}
	free(bad);
	free(good);
}

/* A file that declares no sections (header CRC right) is no blank chip. */
static void test_zero_sections_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	uint8_t h[PERSIST_FILE_HEADER];

	sections(t, s);
	memcpy(h, "H743SIMS", 8);
	put32(h + 8, PERSIST_VERSION);
	put32(h + 12, 0);
	put32(h + 16, persist_crc32(h, 16));
	spill(t->path, h, sizeof(h));
	expect_rejected_untouched(t, s, "it holds 0 sections; this simulator needs 3");
}

static void test_bad_magic_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	save_fill1(t, s);
	poke(t->path, 0, 0x20);
	expect_rejected_untouched(t, s, "not a state file of h743sim");
}

static void test_old_version_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];

	save_fill1(t, s);
	poke(t->path, 8, PERSIST_VERSION ^ 1);	/* version 1: headers without CRCs */
	expect_rejected_untouched(t, s, "format version 1; this simulator reads version 2");
}

static void test_truncated_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	long size;

	save_fill1(t, s);
	size = file_size(t->path);
	truncate_to(t->path, size - 2);
	expect_rejected_untouched(t, s, "section 'tiny' is truncated (1 of 3 bytes)");
	truncate_to(t->path, SEC2 + 10);
	expect_rejected_untouched(t, s, "section 2 of 3: truncated in its header (10 of 28");
	truncate_to(t->path, SEC1 + PERSIST_SECTION_HEADER + 100);
	expect_rejected_untouched(t, s, "section 'flash' is truncated (100 of 4096 bytes)");
	truncate_to(t->path, 10);
	expect_rejected_untouched(t, s, "truncated in the file header (10 of 20 bytes)");
	truncate_to(t->path, 0);
	expect_rejected_untouched(t, s, "truncated in the file header (0 of 20 bytes)");
}

/* Every length short of the whole file is refused (the loader without a file). */
static void test_every_truncation_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	uint8_t *good;
	size_t len;
	char why[256];

	save_fill1(t, s);
	good = slurp(t->path, &len);
	for (size_t cut = 0; cut < len; cut++) {
		fill(t, 42);
		if (persist_parse(good, cut, s, 3, why, sizeof(why)) != -1)
			fail_msg("a file cut to %zu of %zu bytes was accepted", cut, len);
		assert_int_equal(t->flash[0], 42);
	}
	fill(t, 42);
	assert_int_equal(persist_parse(good, len, s, 3, why, sizeof(why)), 0);
	assert_int_equal(t->flash[1], 8);
	free(good);
}

static void test_trailing_data_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	FILE *f;

	save_fill1(t, s);
	f = fopen(t->path, "ab");
	assert_non_null(f);
	fputs("junk", f);
	fclose(f);
	expect_rejected_untouched(t, s, "unexpected data after the last section");
}

/* A file written with other sections: refused, naming the odd one. */
static void test_unknown_resized_and_missing_sections_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3], now[3];
	uint8_t bigger_tiny[5];

	save_fill1(t, s);
	sections(t, now);
	now[1].name = "options2";	/* a newer simulator renamed it */
	expect_rejected_untouched(t, now, "section 2 of 3: 'options' is not a section this "
		"simulator keeps");
	sections(t, now);
	now[2].data = bigger_tiny;
	now[2].size = sizeof(bigger_tiny);
	memset(bigger_tiny, 7, sizeof(bigger_tiny));
	expect_rejected_untouched(t, now, "section 'tiny' holds 3 bytes; this simulator "
		"needs 5");
	assert_int_equal(bigger_tiny[0], 7);
	/* written with the first two only */
	assert_int_equal(persist_save(t->path, s, 2), 0);
	expect_rejected_untouched(t, s, "it holds 2 sections; this simulator needs 3");
}

static void test_duplicate_section_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3], twice[3];

	sections(t, s);
	sections(t, twice);
	twice[2] = twice[1];
	fill(t, 1);
	assert_int_equal(persist_save(t->path, twice, 3), 0);
	expect_rejected_untouched(t, s, "section 'options' is stored twice");
}

static void test_directory_rejected(void **state)
{
	struct tmp *t = *state;
	struct persist_section s[3];
	char why[256];

	sections(t, s);
	assert_int_equal(persist_load(t->dir, s, 3, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
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

/* Checked at start-up, so that a state file that cannot be saved is never silently lost. */
static void test_check_writable(void **state)
{
	struct tmp *t = *state;
	char path[640], tmpfile[660], why[512] = "";

	assert_int_equal(persist_check_writable(t->path, why, sizeof(why)), 0);
	assert_int_not_equal(access(t->path, F_OK), 0);		/* leaves nothing behind */
	snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", t->path);
	assert_int_not_equal(access(tmpfile, F_OK), 0);
	snprintf(path, sizeof(path), "%s/no/such/dir/state.bin", t->dir);
	assert_int_equal(persist_check_writable(path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/no/such/dir/state.bin.tmp: No such file or directory "
		"(does its directory exist?)"));
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
		T(test_every_header_bit_flip_rejected),
		T(test_zero_sections_rejected),
		T(test_bad_magic_rejected),
		T(test_old_version_rejected),
		T(test_truncated_rejected),
		T(test_every_truncation_rejected),
		T(test_trailing_data_rejected),
		T(test_unknown_resized_and_missing_sections_rejected),
		T(test_duplicate_section_rejected),
		T(test_directory_rejected),
		T(test_save_to_missing_directory_fails),
		T(test_check_writable),
	};
#undef T

	return cmocka_run_group_tests_name("persist", tests, NULL, NULL);
}
