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
	static const char *const names[] = { "cpu", "ap0", "ap1", "ap2" };

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

int bus_read(struct bus *bus, uint32_t addr, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	const struct bus_region *r = check_access(bus, addr, size, who, "read");
	int ret = BUS_OK;

	*value = 0;
	if (!r)
		return BUS_ERROR;
	if (r->ops && r->ops->read)
		ret = r->ops->read(r->ctx, addr - r->base, size, value, who);
	else if (r->mem)
		*value = mem_load(r->mem + (addr - r->base), size);
	else
		ret = BUS_ERROR;
	if (ret != BUS_OK)
		bus->errors++;
	else if (who != MASTER_CPU && bus->debug_access)
		bus->debug_access(bus->debug_access_ctx, r, addr, size, false, *value);
	sim_trace("%s: %s read  0x%08x/%u = 0x%08x%s", bus->name, bus_master_name(who), addr,
		size, *value, ret == BUS_OK ? "" : " (error)");
	return ret;
}

int bus_write(struct bus *bus, uint32_t addr, unsigned int size, uint32_t value,
		enum bus_master who)
{
	const struct bus_region *r = check_access(bus, addr, size, who, "write");
	int ret = BUS_OK;

	if (!r)
		return BUS_ERROR;
	if (r->ops && r->ops->write) {
		ret = r->ops->write(r->ctx, addr - r->base, size, value, who);
	} else if (r->mem && !r->readonly) {
		mem_store(r->mem + (addr - r->base), size, value);
		if (bus->changed)
			bus->changed(bus->changed_ctx, addr, size);
	} else {
		ret = BUS_ERROR;
	}
	if (ret != BUS_OK)
		bus->errors++;
	else if (who != MASTER_CPU && bus->debug_access)
		bus->debug_access(bus->debug_access_ctx, r, addr, size, true, value);
	sim_trace("%s: %s write 0x%08x/%u = 0x%08x%s", bus->name, bus_master_name(who), addr,
		size, value, ret == BUS_OK ? "" : " (error)");
	return ret;
}
