/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Cortex-M7 L1 caches (see cache.h): what lines hold, and the swap that
 * lets the rest of the chip reach memory under a line.
 */
#include "cache.h"

#include <string.h>

void cache_init(struct cache *c)
{
	memset(c, 0, sizeof(*c));
}

int cache_add_range(struct cache *c, uint32_t base, uint32_t size, uint8_t *mem,
		bool write_back)
{
	if (c->nranges == CACHE_MAX_RANGES || !mem || (base | size) % CACHE_LINE)
		return -1;
	c->ranges[c->nranges++] = (struct cache_range){ base, size, mem, write_back };
	return 0;
}

const struct cache_range *cache_find_range(const struct cache *c, uint32_t addr)
{
	for (unsigned int i = 0; i < c->nranges; i++)
		if (addr - c->ranges[i].base < c->ranges[i].size)
			return &c->ranges[i];
	return NULL;
}

static uint8_t *view_of(const struct cache *c, uint32_t line)
{
	const struct cache_range *r = cache_find_range(c, line);

	return r ? r->mem + (line - r->base) : NULL;
}

static unsigned int d_set(uint32_t addr)
{
	return (addr / CACHE_LINE) % DCACHE_SETS;
}

static unsigned int i_set(uint32_t addr)
{
	return (addr / CACHE_LINE) % ICACHE_SETS;
}

static struct dcache_line *d_lookup(struct cache *c, uint32_t addr)
{
	uint32_t line = addr & CACHE_LINE_MASK;
	struct dcache_line *set = c->d[d_set(addr)];

	for (unsigned int w = 0; w < DCACHE_WAYS; w++)
		if (set[w].valid && set[w].tag == line)
			return &set[w];
	return NULL;
}

/* The core sees memory again: put its bytes back, and say so if they differ. */
static void restore_memory(struct cache *c, struct dcache_line *l)
{
	uint8_t *view = view_of(c, l->tag);

	if (!view || !memcmp(view, l->mem, CACHE_LINE))
		return;
	memcpy(view, l->mem, CACHE_LINE);
	if (c->view_changed)
		c->view_changed(c->ctx, l->tag, CACHE_LINE);
}

/* Clean: memory := the line (the view already holds it). */
static void d_clean(struct cache *c, struct dcache_line *l)
{
	uint8_t *view = view_of(c, l->tag);

	if (!l->dirty)
		return;
	if (view)
		memcpy(l->mem, view, CACHE_LINE);
	l->dirty = false;
	c->stats.d_writebacks++;
}

/* Drop a line without writing it back: dirty data is lost, as on silicon. */
static void d_drop(struct cache *c, struct dcache_line *l)
{
	if (l->dirty)
		c->stats.d_dirty_lost++;
	restore_memory(c, l);
	l->valid = false;
	l->dirty = false;
	c->d_valid--;
}

static void d_apply(struct cache *c, struct dcache_line *l, unsigned int op)
{
	if (op & CACHE_OP_CLEAN)
		d_clean(c, l);
	if (op & CACHE_OP_INVALIDATE)
		d_drop(c, l);
}

/* Eviction writes a dirty line back (clean, then drop), so nothing is lost. */
static struct dcache_line *d_victim(struct cache *c, uint32_t addr)
{
	unsigned int s = d_set(addr);
	struct dcache_line *set = c->d[s];

	for (unsigned int w = 0; w < DCACHE_WAYS; w++)
		if (!set[w].valid)
			return &set[w];
	struct dcache_line *l = &set[c->d_victim[s]];

	c->d_victim[s] = (c->d_victim[s] + 1) % DCACHE_WAYS;
	c->stats.d_evictions++;
	d_apply(c, l, CACHE_OP_CLEAN | CACHE_OP_INVALIDATE);
	return l;
}

static void d_fill(struct cache *c, const struct cache_range *r, uint32_t line, bool dirty)
{
	struct dcache_line *l = d_victim(c, line);

	l->tag = line;
	l->valid = true;
	l->dirty = dirty;
	l->write_back = r->write_back;
	memcpy(l->mem, r->mem + (line - r->base), CACHE_LINE);
	c->d_valid++;
	c->stats.d_fills++;
}

/* A hit needs no range lookup: the line knows its write policy. */
static void core_line(struct cache *c, uint32_t line, bool write)
{
	struct dcache_line *l = d_lookup(c, line);
	const struct cache_range *r;

	if (l) {
		c->stats.d_hits++;
		if (write && l->write_back)
			l->dirty = true;
		return;
	}
	r = cache_find_range(c, line);
	if (!r)
		return;
	c->stats.d_misses++;
	/* write-through memory (flash) allocates on reads only */
	if (write && !r->write_back)
		return;
	d_fill(c, r, line, write);
}

/*
 * Called before Unicorn performs the access: on a miss the line is filled
 * from memory (the buffer), then the store lands in the buffer = the line.
 */
void cache_core_access(struct cache *c, uint32_t addr, unsigned int size, bool write)
{
	uint32_t first = addr & CACHE_LINE_MASK;
	uint32_t last = (addr + (size ? size : 1) - 1) & CACHE_LINE_MASK;

	/* quick exit for ITCM, DTCM, devices and the PPB */
	if (addr < 0x08000000u || addr >= 0x40000000u || (addr >> 24) == 0x20)
		return;
	core_line(c, first, write);
	if (last != first)
		core_line(c, last, write);
}

/* Walk the valid lines of [addr, addr + len): by address, or by line when shorter. */
typedef void (*line_fn)(struct cache *c, struct dcache_line *l);

static void for_lines(struct cache *c, uint32_t addr, uint32_t len, line_fn fn)
{
	uint64_t lo = addr & CACHE_LINE_MASK, hi = (uint64_t)addr + len;

	if (!c->d_valid || !len)
		return;
	if (hi - lo > DCACHE_SETS * DCACHE_WAYS * CACHE_LINE) {
		for (unsigned int s = 0; s < DCACHE_SETS; s++)
			for (unsigned int w = 0; w < DCACHE_WAYS; w++)
				if (c->d[s][w].valid && c->d[s][w].tag >= lo && c->d[s][w].tag < hi)
					fn(c, &c->d[s][w]);
		return;
	}
	for (uint64_t a = lo; a < hi; a += CACHE_LINE) {
		struct dcache_line *l = d_lookup(c, (uint32_t)a);

		if (l)
			fn(c, l);
	}
}

bool cache_holds(const struct cache *c, uint32_t addr, uint32_t len)
{
	uint64_t lo = addr & CACHE_LINE_MASK, hi = (uint64_t)addr + len;

	if (!c->d_valid)
		return false;
	for (uint64_t a = lo; a < hi; a += CACHE_LINE)
		if (d_lookup((struct cache *)c, (uint32_t)a))
			return true;
	return false;
}

bool cache_line_dirty(const struct cache *c, uint32_t addr)
{
	const struct dcache_line *l = d_lookup((struct cache *)c, addr);

	return l && l->dirty;
}

static void swap_line(struct cache *c, struct dcache_line *l)
{
	uint8_t *view = view_of(c, l->tag), tmp[CACHE_LINE];

	if (!view)
		return;
	memcpy(tmp, view, CACHE_LINE);
	memcpy(view, l->mem, CACHE_LINE);
	memcpy(l->mem, tmp, CACHE_LINE);
}

void cache_swap(struct cache *c, uint32_t addr, uint32_t len)
{
	for_lines(c, addr, len, swap_line);
}

static void d_clean_line(struct cache *c, struct dcache_line *l)
{
	d_clean(c, l);
}

static void d_drop_line(struct cache *c, struct dcache_line *l)
{
	d_drop(c, l);
}

static void d_clean_drop_line(struct cache *c, struct dcache_line *l)
{
	d_clean(c, l);
	d_drop(c, l);
}

static line_fn op_fn(unsigned int op)
{
	switch (op & (CACHE_OP_CLEAN | CACHE_OP_INVALIDATE)) {
	case CACHE_OP_CLEAN:
		return d_clean_line;
	case CACHE_OP_INVALIDATE:
		return d_drop_line;
	default:
		return d_clean_drop_line;
	}
}

void cache_d_by_addr(struct cache *c, uint32_t addr, unsigned int op)
{
	struct dcache_line *l = d_lookup(c, addr);

	c->stats.d_maintenance++;
	if (l)
		d_apply(c, l, op);
}

/* DC*SW: way in [31:30], set in [11:5] for 4 ways of 128 sets of 32 bytes. */
void cache_d_by_setway(struct cache *c, uint32_t setway, unsigned int op)
{
	struct dcache_line *l = &c->d[(setway >> 5) % DCACHE_SETS][setway >> 30];

	c->stats.d_maintenance++;
	if (l->valid)
		d_apply(c, l, op);
}

void cache_d_all(struct cache *c, unsigned int op)
{
	for_lines(c, 0, 0xFFFFFFFFu, op_fn(op));
}

static struct icache_line *i_lookup(const struct cache *c, uint32_t addr)
{
	uint32_t line = addr & CACHE_LINE_MASK;
	const struct icache_line *set = c->i[i_set(addr)];

	for (unsigned int w = 0; w < ICACHE_WAYS; w++)
		if (set[w].valid && set[w].tag == line)
			return (struct icache_line *)&set[w];
	return NULL;
}

static void i_queue_drop(struct cache *c, uint32_t line)
{
	if (c->n_drops < ICACHE_MAX_DROPS)
		c->i_drops[c->n_drops++] = line;
	else
		c->drops_overflow = true;
}

/* A line leaves the I-cache; the old instructions of a stale one must go too. */
static bool i_drop(struct cache *c, struct icache_line *l)
{
	bool stale = l->stale;

	if (stale) {
		i_queue_drop(c, l->tag);
		c->i_stale--;
		c->stats.i_stale_dropped++;
	}
	l->valid = false;
	l->stale = false;
	c->i_valid--;
	return stale;
}

bool cache_i_fetch(struct cache *c, uint32_t addr)
{
	unsigned int s = i_set(addr);
	struct icache_line *set = c->i[s], *l = NULL;
	bool dropped = false;

	if (!cache_find_range(c, addr) || i_lookup(c, addr))
		return false;
	for (unsigned int w = 0; w < ICACHE_WAYS && !l; w++)
		if (!set[w].valid)
			l = &set[w];
	if (!l) {
		l = &set[c->i_victim[s]];
		c->i_victim[s] = (c->i_victim[s] + 1) % ICACHE_WAYS;
		c->stats.i_evictions++;
		dropped = i_drop(c, l);
	}
	l->tag = addr & CACHE_LINE_MASK;
	l->valid = true;
	l->stale = false;
	c->i_valid++;
	c->stats.i_fills++;
	return dropped;
}

bool cache_i_holds(const struct cache *c, uint32_t addr)
{
	return c->i_valid && i_lookup(c, addr);
}

bool cache_i_is_stale(const struct cache *c, uint32_t addr)
{
	const struct icache_line *l = c->i_stale ? i_lookup(c, addr) : NULL;

	return l && l->stale;
}

void cache_i_mark_stale(struct cache *c, uint32_t addr)
{
	struct icache_line *l = c->i_valid ? i_lookup(c, addr) : NULL;

	if (!l || l->stale)
		return;
	l->stale = true;
	c->i_stale++;
	c->stats.i_stale_marked++;
}

void cache_i_invalidate_addr(struct cache *c, uint32_t addr)
{
	struct icache_line *l = c->i_valid ? i_lookup(c, addr) : NULL;

	c->stats.i_maintenance++;
	if (l)
		i_drop(c, l);
}

static void i_drop_all(struct cache *c)
{
	for (unsigned int s = 0; s < ICACHE_SETS && c->i_valid; s++)
		for (unsigned int w = 0; w < ICACHE_WAYS; w++)
			if (c->i[s][w].valid)
				i_drop(c, &c->i[s][w]);
}

void cache_i_invalidate_all(struct cache *c)
{
	c->stats.i_maintenance++;
	i_drop_all(c);
}

void cache_reset(struct cache *c)
{
	cache_d_all(c, CACHE_OP_INVALIDATE);
	i_drop_all(c);
	memset(c->d_victim, 0, sizeof(c->d_victim));
	memset(c->i_victim, 0, sizeof(c->i_victim));
}
