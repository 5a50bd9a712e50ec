// SPDX-License-Identifier: GPL-2.0-or-later
#include "codemap.h"

#include <string.h>

void codemap_clear(struct codemap *m)
{
	memset(m, 0, sizeof(*m));
}

static unsigned int slot_of(uint32_t page)
{
	return (page * 2654435761u) % CODEMAP_SLOTS;
}

static struct codemap_page *find(const struct codemap *m, uint32_t page, bool *found)
{
	unsigned int i = slot_of(page);

	for (unsigned int n = 0; n < CODEMAP_SLOTS; n++, i = (i + 1) % CODEMAP_SLOTS) {
		const struct codemap_page *p = &m->slots[i];

		if (!p->used || p->page == page) {
			*found = p->used;
			return (struct codemap_page *)p;
		}
	}
	*found = false;
	return NULL;
}

static void note_in_page(struct codemap *m, uint32_t page, uint32_t lo, uint32_t hi)
{
	bool found;
	struct codemap_page *p = find(m, page, &found);

	if (!p) {
		m->overflow = true;
		return;
	}
	if (!found) {
		p->used = true;
		p->page = page;
		p->lo = (uint16_t)lo;
		p->hi = (uint16_t)hi;
		return;
	}
	if (lo < p->lo)
		p->lo = (uint16_t)lo;
	if (hi > p->hi)
		p->hi = (uint16_t)hi;
}

void codemap_note(struct codemap *m, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len;

	for (uint64_t a = addr; a < end; a = (a | 0xFFF) + 1) {
		uint64_t page_end = (a | 0xFFF) + 1;
		uint64_t hi = end < page_end ? end : page_end;

		note_in_page(m, (uint32_t)(a >> 12), (uint32_t)(a & 0xFFF),
			(uint32_t)(hi - (a & ~0xFFFull)));
	}
}

bool codemap_overlaps(const struct codemap *m, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len;

	if (m->overflow)
		return true;
	for (uint64_t a = addr; a < end; a = (a | 0xFFF) + 1) {
		bool found;
		const struct codemap_page *p = find(m, (uint32_t)(a >> 12), &found);
		uint64_t page_end = (a | 0xFFF) + 1;
		uint32_t lo = a & 0xFFF;
		uint32_t hi = (uint32_t)((end < page_end ? end : page_end) - (a & ~0xFFFull));

		if (found && lo < p->hi && hi > p->lo)
			return true;
	}
	return false;
}

/* Removing a slot would break probe chains: rebuild without the pages. */
void codemap_forget(struct codemap *m, uint32_t addr, uint32_t len)
{
	struct codemap_page keep[CODEMAP_SLOTS];
	unsigned int n = 0;
	uint32_t first = addr >> 12, last = (uint32_t)(((uint64_t)addr + len - 1) >> 12);

	for (unsigned int i = 0; i < CODEMAP_SLOTS; i++)
		if (m->slots[i].used && (m->slots[i].page < first || m->slots[i].page > last))
			keep[n++] = m->slots[i];
	bool overflow = m->overflow;

	codemap_clear(m);
	m->overflow = overflow;	/* pages lost to a full table stay unknown */
	for (unsigned int i = 0; i < n; i++)
		note_in_page(m, keep[i].page, keep[i].lo, keep[i].hi);
}
