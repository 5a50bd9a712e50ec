/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which bytes of memory the core has translated code from, per 4 KiB page.
 * Unicorn does not notice when the debugger or the flash controller changes
 * memory under translated code; dropping translations is costly, so it is
 * done only when a change really touches code (a loader's FIFO often shares
 * a page with the loader itself).
 */
#ifndef H743SIM_CODEMAP_H
#define H743SIM_CODEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define CODEMAP_SLOTS 1024

struct codemap_page {
	uint32_t page;		/* address >> 12 */
	uint16_t lo, hi;	/* executed byte range in the page, hi exclusive */
	bool used;
};

struct codemap {
	struct codemap_page slots[CODEMAP_SLOTS];
	bool overflow;		/* table full: every change counts as touching code */
};

void codemap_clear(struct codemap *m);
void codemap_note(struct codemap *m, uint32_t addr, uint32_t len);
bool codemap_overlaps(const struct codemap *m, uint32_t addr, uint32_t len);
/* Translations of [addr, addr + len) were dropped: forget those pages. */
void codemap_forget(struct codemap *m, uint32_t addr, uint32_t len);

#endif
