// SPDX-License-Identifier: GPL-2.0-or-later
#include "persist.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PERSIST_MAGIC "H743SIMS"
#define PERSIST_VERSION 1
#define NAME_LEN 16

uint32_t persist_crc32(const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFF;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
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

int persist_save(const char *path, const struct persist_section *s, unsigned int n)
{
	size_t tmplen = strlen(path) + 8;
	char *tmp = malloc(tmplen);
	int fd, ret = -1;

	if (!tmp)
		return -1;
	snprintf(tmp, tmplen, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto out;
	uint32_t header[2] = { PERSIST_VERSION, n };

	if (write_all(fd, PERSIST_MAGIC, 8) || write_all(fd, header, sizeof(header)))
		goto fail;
	for (unsigned int i = 0; i < n; i++) {
		char name[NAME_LEN] = { 0 };
		uint32_t meta[2] = { s[i].size, persist_crc32(s[i].data, s[i].size) };

		strncpy(name, s[i].name, NAME_LEN - 1);
		if (write_all(fd, name, NAME_LEN) || write_all(fd, meta, sizeof(meta)) ||
		    write_all(fd, s[i].data, s[i].size))
			goto fail;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, path) == 0)
		ret = 0;
fail:
	if (fd >= 0)
		close(fd);
	if (ret != 0) {
		sim_warn("cannot write state file %s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	return ret;
}

static int read_exact(FILE *f, void *buf, size_t len)
{
	return fread(buf, 1, len, f) == len ? 0 : -1;
}

static const struct persist_section *find_section(const struct persist_section *s,
		unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strncmp(s[i].name, name, NAME_LEN) == 0)
			return &s[i];
	return NULL;
}

int persist_load(const char *path, const struct persist_section *s, unsigned int n)
{
	FILE *f = fopen(path, "rb");
	char magic[8];
	uint32_t header[2];
	const char *why = NULL;
	uint8_t **staged = calloc(n, sizeof(*staged));
	int ret = -1;

	if (!f) {
		free(staged);
		if (errno == ENOENT)
			return 0;
		sim_warn("cannot open state file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!staged || read_exact(f, magic, 8) || memcmp(magic, PERSIST_MAGIC, 8) ||
	    read_exact(f, header, sizeof(header)) || header[0] != PERSIST_VERSION) {
		why = "not a state file of this simulator version";
		goto out;
	}
	/* Stage everything first: a corrupt section must not leave a half-loaded chip. */
	for (uint32_t i = 0; i < header[1]; i++) {
		char name[NAME_LEN];
		uint32_t meta[2];

		if (read_exact(f, name, NAME_LEN) || read_exact(f, meta, sizeof(meta))) {
			why = "truncated";
			goto out;
		}
		name[NAME_LEN - 1] = 0;
		const struct persist_section *sec = find_section(s, n, name);
		uint8_t *buf = malloc(meta[0] ? meta[0] : 1);

		if (!buf || read_exact(f, buf, meta[0]) || persist_crc32(buf, meta[0]) != meta[1]) {
			free(buf);
			why = "a section is truncated or fails its CRC";
			goto out;
		}
		if (!sec || sec->size != meta[0]) {
			free(buf);	/* unknown or resized section: keep the default */
			continue;
		}
		free(staged[sec - s]);
		staged[sec - s] = buf;
	}
	for (unsigned int i = 0; i < n; i++)
		if (staged[i])
			memcpy(s[i].data, staged[i], s[i].size);
	ret = 1;
out:
	if (why)
		sim_warn("state file %s ignored: %s", path, why);
	for (unsigned int i = 0; staged && i < n; i++)
		free(staged[i]);
	free(staged);
	fclose(f);
	return ret;
}
