/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: what survives a power cycle (flash contents, ECC state,
 * option bytes). Written to a temporary file, synced and renamed over the
 * old one, so a crash at any moment leaves either the old or the new state,
 * never a torn file.
 *
 * Layout (version 2, little-endian):
 *   file header     "H743SIMS", u32 version, u32 section count,
 *                   u32 CRC-32 of the 16 bytes before it
 *   each section    char name[16] (NUL padded), u32 size, u32 CRC-32 of the
 *                   data, u32 CRC-32 of the 24 header bytes before it,
 *                   then size bytes of data
 *
 * Every byte is covered by a CRC, and the loader is strict: the file must
 * hold exactly the sections asked for, each once, with the sizes asked for.
 * Anything else is refused with a reason that names the section; nothing
 * is loaded then, so a damaged file never becomes a blank chip that a later
 * save would write over the stored firmware. A new section means a new
 * version number.
 */
#ifndef H743SIM_PERSIST_H
#define H743SIM_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#define PERSIST_VERSION		2
#define PERSIST_NAME_LEN	16
#define PERSIST_MAX_SECTIONS	16
#define PERSIST_FILE_HEADER	20
#define PERSIST_SECTION_HEADER	28

struct persist_section {
	const char *name;	/* at most PERSIST_NAME_LEN - 1 characters */
	void *data;
	uint32_t size;
};

int persist_save(const char *path, const struct persist_section *s, unsigned int n);

/*
 * Check once at start-up that a state file can be kept at path: a file can
 * be created next to it (the directory exists and is writable). Leaves
 * nothing behind. Returns 0, or -1 with the reason in why.
 */
int persist_check_writable(const char *path, char *why, size_t why_len);

/*
 * Fill the sections from the file. Returns 1 when loaded, 0 when the file does
 * not exist (fresh chip), -1 when it is unreadable or damaged: the reason is in
 * why, and no section is touched.
 */
int persist_load(const char *path, const struct persist_section *s, unsigned int n,
		char *why, size_t why_len);

/*
 * The loader without a file (also the fuzzing entry point): parse len bytes
 * of a state file image. Returns 0 with every section filled, or -1 with the
 * reason in why and no section touched.
 */
int persist_parse(const uint8_t *buf, size_t len, const struct persist_section *s,
		unsigned int n, char *why, size_t why_len);

/* The exact size of a state file holding these sections. */
size_t persist_file_size(const struct persist_section *s, unsigned int n);

uint32_t persist_crc32(const void *data, uint32_t len);
uint32_t persist_get_le32(const uint8_t *p);

/*
 * Store the CRC fields of a file header (of its first 16 bytes), and of a
 * section header (of len bytes of data, then of its first 24 bytes): what
 * the writer does last to each header. The parse fuzzer uses them to make
 * the CRCs of a mutated file right.
 */
void persist_seal_file_header(uint8_t h[PERSIST_FILE_HEADER]);
void persist_seal_section_header(uint8_t h[PERSIST_SECTION_HEADER], const void *data,
		uint32_t len);

#endif
