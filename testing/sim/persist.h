/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: what survives a power cycle (flash contents, later option
 * bytes and ECC state). Written to a temporary file, synced and renamed over
 * the old one, so a crash at any moment leaves either the old or the new
 * state, never a torn file. Every section carries a CRC.
 */
#ifndef H743SIM_PERSIST_H
#define H743SIM_PERSIST_H

#include <stdint.h>

struct persist_section {
	const char *name;	/* at most 15 characters */
	void *data;
	uint32_t size;
};

int persist_save(const char *path, const struct persist_section *s, unsigned int n);
/*
 * Fill the sections from the file. Returns 1 when loaded, 0 when the file does
 * not exist (fresh chip), -1 when it is unreadable or corrupt (message printed,
 * sections untouched).
 */
int persist_load(const char *path, const struct persist_section *s, unsigned int n);

uint32_t persist_crc32(const void *data, uint32_t len);

#endif
