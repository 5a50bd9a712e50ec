// SPDX-License-Identifier: GPL-2.0-or-later
#include "persist.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PERSIST_MAGIC		"H743SIMS"
#define MAGIC_LEN		8

/* CRC-32/ISO-HDLC, a byte at a time (the state file is 2 MiB and more). */
static const uint32_t *crc32_table(void)
{
	static uint32_t table[256];
	static bool ready;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t crc = i;

			for (int k = 0; k < 8; k++)
				crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
			table[i] = crc;
		}
		ready = true;
	}
	return table;
}

uint32_t persist_crc32(const void *data, uint32_t len)
{
	const uint32_t *table = crc32_table();
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFF;

	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xFF];
	return ~crc;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t persist_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

static __attribute__((format(printf, 3, 4)))
int refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -1;
}

size_t persist_file_size(const struct persist_section *s, unsigned int n)
{
	size_t size = PERSIST_FILE_HEADER;

	for (unsigned int i = 0; i < n; i++)
		size += PERSIST_SECTION_HEADER + (size_t)s[i].size;
	return size;
}

/* ---- saving ----------------------------------------------------------------- */

void persist_seal_file_header(uint8_t h[PERSIST_FILE_HEADER])
{
	put_le32(h + 16, persist_crc32(h, 16));
}

void persist_seal_section_header(uint8_t h[PERSIST_SECTION_HEADER], const void *data,
		uint32_t len)
{
	put_le32(h + 20, persist_crc32(data, len));
	put_le32(h + 24, persist_crc32(h, 24));
}

static void encode_file_header(uint8_t h[PERSIST_FILE_HEADER], unsigned int n)
{
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): 8 bytes of a binary header */
	memcpy(h, PERSIST_MAGIC, MAGIC_LEN);
	put_le32(h + 8, PERSIST_VERSION);
	put_le32(h + 12, n);
	persist_seal_file_header(h);
}

static void encode_section_header(uint8_t h[PERSIST_SECTION_HEADER],
		const struct persist_section *s)
{
	memset(h, 0, PERSIST_NAME_LEN);
	strncpy((char *)h, s->name, PERSIST_NAME_LEN - 1);
	put_le32(h + 16, s->size);
	persist_seal_section_header(h, s->data, s->size);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_sections(int fd, const struct persist_section *s, unsigned int n)
{
	uint8_t h[PERSIST_SECTION_HEADER];

	encode_file_header(h, n);
	if (write_all(fd, h, PERSIST_FILE_HEADER))
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		encode_section_header(h, &s[i]);
		if (write_all(fd, h, PERSIST_SECTION_HEADER) || write_all(fd, s[i].data, s[i].size))
			return -1;
	}
	return fsync(fd);
}

int persist_save(const char *path, const struct persist_section *s, unsigned int n)
{
	size_t tmplen = strlen(path) + 8;
	char *tmp = malloc(tmplen);
	int fd, ret = -1;

	if (!tmp)
		return -1;
	snprintf(tmp, tmplen, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && write_sections(fd, s, n) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, path) == 0)
			ret = 0;
	}
	if (ret != 0) {
		sim_warn("cannot write state file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

int persist_check_writable(const char *path, char *why, size_t why_len)
{
	size_t tmplen = strlen(path) + 8;
	char *tmp = malloc(tmplen);
	int fd;

	if (!tmp)
		return refuse(why, why_len, "out of memory");
	snprintf(tmp, tmplen, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;

		refuse(why, why_len, "cannot create %s: %s%s", tmp, strerror(err),
			err == ENOENT ? " (does its directory exist?)" : "");
		free(tmp);
		return -1;
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

/* ---- loading ---------------------------------------------------------------- */

/* A stored name as it can be printed: NUL-terminated, odd bytes as '?'. */
static void printable_name(const uint8_t *raw, char out[PERSIST_NAME_LEN])
{
	int i;

	for (i = 0; i < PERSIST_NAME_LEN - 1 && raw[i]; i++)
		out[i] = isprint(raw[i]) ? (char)raw[i] : '?';
	out[i] = 0;
}

static int find_section(const struct persist_section *s, unsigned int n, const uint8_t *raw)
{
	if (memchr(raw, 0, PERSIST_NAME_LEN) == NULL)
		return -1;	/* not terminated: no name of ours */
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(s[i].name, (const char *)raw) == 0)
			return (int)i;
	return -1;
}

/* buf holds a whole header: persist_parse checked the length */
static int check_file_header(const uint8_t buf[PERSIST_FILE_HEADER], unsigned int n,
		char *why, size_t why_len)
{
	if (memcmp(buf, PERSIST_MAGIC, MAGIC_LEN) != 0)
		return refuse(why, why_len, "not a state file of h743sim (no %s magic)",
			PERSIST_MAGIC);
	/* the version first: older versions have no header CRC */
	if (persist_get_le32(buf + 8) != PERSIST_VERSION)
		return refuse(why, why_len, "format version %u; this simulator reads version %d",
			persist_get_le32(buf + 8), PERSIST_VERSION);
	if (persist_get_le32(buf + 16) != persist_crc32(buf, 16))
		return refuse(why, why_len, "the file header fails its CRC (damaged)");
	if (persist_get_le32(buf + 12) != n)
		return refuse(why, why_len, "it holds %u sections; this simulator needs %u",
			persist_get_le32(buf + 12), n);
	return 0;
}

/*
 * Section number idx (counted from 1) starts at buf, with len bytes left in
 * the file; seen has a bit for each section found before it. Returns its
 * index into s (its data follows the header), or -1.
 */
static int check_section(const uint8_t *buf, size_t len, unsigned int idx,
		const struct persist_section *s, unsigned int n, uint32_t seen,
		char *why, size_t why_len)
{
	char name[PERSIST_NAME_LEN];

	if (len < PERSIST_SECTION_HEADER)
		return refuse(why, why_len, "section %u of %u: truncated in its header "
			"(%zu of %d bytes)", idx, n, len, PERSIST_SECTION_HEADER);
	printable_name(buf, name);
	if (persist_get_le32(buf + 24) != persist_crc32(buf, 24))
		return refuse(why, why_len, "section %u of %u (stored name '%s'): its header "
			"fails its CRC (damaged)", idx, n, name);
	int i = find_section(s, n, buf);

	if (i < 0)
		return refuse(why, why_len, "section %u of %u: '%s' is not a section this "
			"simulator keeps", idx, n, name);
	if (seen & (1u << i))
		return refuse(why, why_len, "section '%s' is stored twice", name);
	uint32_t size = persist_get_le32(buf + 16);

	if (size != s[i].size)
		return refuse(why, why_len, "section '%s' holds %u bytes; this simulator needs %u",
			name, size, s[i].size);
	len -= PERSIST_SECTION_HEADER;
	if (len < size)
		return refuse(why, why_len, "section '%s' is truncated (%zu of %u bytes)",
			name, len, size);
	if (persist_get_le32(buf + 20) != persist_crc32(buf + PERSIST_SECTION_HEADER, size))
		return refuse(why, why_len, "section '%s': its data fails its CRC (damaged)", name);
	return i;
}

int persist_parse(const uint8_t *buf, size_t len, const struct persist_section *s,
		unsigned int n, char *why, size_t why_len)
{
	const uint8_t *data[PERSIST_MAX_SECTIONS];
	size_t at = PERSIST_FILE_HEADER;
	uint32_t seen = 0;

	if (n > PERSIST_MAX_SECTIONS)
		return refuse(why, why_len, "%u sections asked for, at most %d supported",
			n, PERSIST_MAX_SECTIONS);
	if (len < PERSIST_FILE_HEADER)
		return refuse(why, why_len, "truncated in the file header (%zu of %d bytes)",
			len, PERSIST_FILE_HEADER);
	if (check_file_header(buf, n, why, why_len))
		return -1;
	/* Check everything first: a damaged file must not leave a half-loaded chip. */
	for (unsigned int k = 0; k < n; k++) {
		int i = check_section(buf + at, len - at, k + 1, s, n, seen, why, why_len);

		if (i < 0)
			return -1;
		seen |= 1u << i;
		data[i] = buf + at + PERSIST_SECTION_HEADER;
		at += PERSIST_SECTION_HEADER + (size_t)s[i].size;
	}
	if (at != len)
		return refuse(why, why_len, "unexpected data after the last section");
	for (unsigned int i = 0; i < n; i++)
		memcpy(s[i].data, data[i], s[i].size);
	return 0;
}

/* Read up to max bytes of fd into a new buffer; *got says how many came. */
static uint8_t *read_up_to(int fd, size_t max, size_t *got)
{
	uint8_t *buf = malloc(max ? max : 1);
	size_t have = 0;

	while (buf && have < max) {
		ssize_t r = read(fd, buf + have, max - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	*got = have;
	return buf;
}

int persist_load(const char *path, const struct persist_section *s, unsigned int n,
		char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = -1;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return refuse(why, why_len, "cannot open it: %s", strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		refuse(why, why_len, "not a regular file");
		goto out;
	}
	/* one byte more than a good file has, to notice trailing data */
	buf = read_up_to(fd, persist_file_size(s, n) + 1, &len);
	if (!buf) {
		refuse(why, why_len, "cannot read it: %s", strerror(errno));
		goto out;
	}
	if (persist_parse(buf, len, s, n, why, why_len) == 0)
		ret = 1;
out:
	free(buf);
	close(fd);
	return ret;
}
