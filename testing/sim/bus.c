// SPDX-License-Identifier: GPL-2.0-or-later
#include "bus.h"
#include "log.h"

#include <string.h>

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

static struct bus_region *add_region(struct bus *bus, const char *name, uint32_t base,
		uint32_t size)
{
	if (bus->nregions == BUS_MAX_REGIONS) {
		sim_warn("%s: region table full, %s not mapped", bus->name, name);
		return NULL;
	}
	struct bus_region *r = &bus->regions[bus->nregions++];

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->base = base;
	r->size = size;
	return r;
}

struct bus_region *bus_add_memory(struct bus *bus, const char *name, uint32_t base,
		uint32_t size, uint8_t *mem, bool readonly)
{
	struct bus_region *r = add_region(bus, name, base, size);

	if (r) {
		r->mem = mem;
		r->readonly = readonly;
	}
	return r;
}

struct bus_region *bus_add_device(struct bus *bus, const char *name, uint32_t base,
		uint32_t size, const struct bus_region_ops *ops, void *ctx)
{
	struct bus_region *r = add_region(bus, name, base, size);

	if (r) {
		r->ops = ops;
		r->ctx = ctx;
	}
	return r;
}

const struct bus_region *bus_find(const struct bus *bus, uint32_t addr)
{
	for (unsigned int i = 0; i < bus->nregions; i++) {
		const struct bus_region *r = &bus->regions[i];

		if (addr - r->base < r->size)
			return r;
	}
	return NULL;
}

uint32_t mem_load(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

void mem_store(uint8_t *p, unsigned int size, uint32_t value)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = value >> (8 * i);
}

const char *bus_master_name(enum bus_master who)
{
	static const char *const names[] = { "cpu", "ap0", "ap1", "ap2", "dma" };

	return names[who];
}

static const struct bus_region *check_access(struct bus *bus, uint32_t addr,
		unsigned int size, enum bus_master who, const char *what)
{
	bus->accesses++;
	const struct bus_region *r = bus_find(bus, addr);
	const char *why = NULL;

	if (!r)
		why = "unmapped";
	else if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		why = "bad size or alignment";
	else if (addr - r->base + size > r->size)
		why = "crosses the end of the region";
	else if (bus->gate && !bus->gate(bus->gate_ctx, r, who))
		why = "region held in reset or powered down";
	if (!why)
		return r;
	bus->errors++;
	sim_trace("%s: %s %s 0x%08x/%u: bus error (%s)", bus->name, bus_master_name(who),
		what, addr, size, why);
	return NULL;
}

static int region_read(struct bus *bus, const struct bus_region *r, uint32_t addr,
		unsigned int size, uint32_t *value, enum bus_master who)
{
	(void)bus;
	if (r->ops && r->ops->read)
		return r->ops->read(r->ctx, addr - r->base, size, value, who);
	if (!r->mem)
		return BUS_ERROR;
	*value = mem_load(r->mem + (addr - r->base), size);
	return BUS_OK;
}

static int region_write(struct bus *bus, const struct bus_region *r, uint32_t addr,
		unsigned int size, uint32_t value, enum bus_master who)
{
	if (r->ops && r->ops->write)
		return r->ops->write(r->ctx, addr - r->base, size, value, who);
	if (!r->mem || r->readonly)
		return BUS_ERROR;
	mem_store(r->mem + (addr - r->base), size, value);
	if (bus->changed)
		bus->changed(bus->changed_ctx, addr, size);
	return BUS_OK;
}

/* A non-CPU access to memory that a D-cache line holds? */
static bool under_cache(struct bus *bus, const struct bus_region *r, uint32_t addr,
		unsigned int size, enum bus_master who)
{
	return bus->cache && who != MASTER_CPU && r->mem &&
		bus->cache->holds(bus->cache_ctx, addr, size);
}

static int cached_read(struct bus *bus, const struct bus_region *r, uint32_t addr,
		unsigned int size, uint32_t *value, enum bus_master who, unsigned int attrs)
{
	int ret;

	if (!under_cache(bus, r, addr, size, who))
		return region_read(bus, r, addr, size, value, who);
	if (attrs & BUS_ATTR_CACHEABLE) {
		bus->cache_hits++;
		return region_read(bus, r, addr, size, value, who);
	}
	bus->cache_bypasses++;
	bus->cache->swap(bus->cache_ctx, addr, size);
	ret = region_read(bus, r, addr, size, value, who);
	bus->cache->swap(bus->cache_ctx, addr, size);
	return ret;
}

/*
 * A cacheable write that hits updates the line and memory (write-through,
 * the line stays as dirty as it was). Flash takes writes through its
 * controller, never into a line: there the write goes to memory only.
 */
static int cached_write(struct bus *bus, const struct bus_region *r, uint32_t addr,
		unsigned int size, uint32_t value, enum bus_master who, unsigned int attrs)
{
	int ret = BUS_OK;

	if (!under_cache(bus, r, addr, size, who))
		return region_write(bus, r, addr, size, value, who);
	if ((attrs & BUS_ATTR_CACHEABLE) && !r->ops) {
		bus->cache_hits++;
		ret = region_write(bus, r, addr, size, value, who);
	} else {
		bus->cache_bypasses++;
	}
	if (ret != BUS_OK)
		return ret;
	bus->cache->swap(bus->cache_ctx, addr, size);
	ret = region_write(bus, r, addr, size, value, who);
	bus->cache->swap(bus->cache_ctx, addr, size);
	return ret;
}

int bus_read_attr(struct bus *bus, uint32_t addr, unsigned int size, uint32_t *value,
		enum bus_master who, unsigned int attrs)
{
	const struct bus_region *r = check_access(bus, addr, size, who, "read");
	int ret;

	*value = 0;
	if (!r)
		return BUS_ERROR;
	ret = cached_read(bus, r, addr, size, value, who, attrs);
	if (ret != BUS_OK)
		bus->errors++;
	else if (bus_master_is_debug(who) && bus->debug_access)
		bus->debug_access(bus->debug_access_ctx, r, addr, size, false, *value);
	sim_trace("%s: %s read  0x%08x/%u = 0x%08x%s", bus->name, bus_master_name(who), addr,
		size, *value, ret == BUS_OK ? "" : " (error)");
	return ret;
}

int bus_write_attr(struct bus *bus, uint32_t addr, unsigned int size, uint32_t value,
		enum bus_master who, unsigned int attrs)
{
	const struct bus_region *r = check_access(bus, addr, size, who, "write");
	int ret;

	if (!r)
		return BUS_ERROR;
	ret = cached_write(bus, r, addr, size, value, who, attrs);
	if (ret != BUS_OK)
		bus->errors++;
	else if (bus_master_is_debug(who) && bus->debug_access)
		bus->debug_access(bus->debug_access_ctx, r, addr, size, true, value);
	sim_trace("%s: %s write 0x%08x/%u = 0x%08x%s", bus->name, bus_master_name(who), addr,
		size, value, ret == BUS_OK ? "" : " (error)");
	return ret;
}

int bus_read(struct bus *bus, uint32_t addr, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	return bus_read_attr(bus, addr, size, value, who, 0);
}

int bus_write(struct bus *bus, uint32_t addr, unsigned int size, uint32_t value,
		enum bus_master who)
{
	return bus_write_attr(bus, addr, size, value, who, 0);
}
