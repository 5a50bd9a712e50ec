// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus region table: plain and read-only memory, devices with callbacks,
 * the gate, the memory-changed notification and every bus-error case
 * (unmapped, size, alignment, crossing a region's end).
 */
#include "unit_helpers.h"

#include "bus.h"

struct dev {
	uint32_t last_off;
	unsigned int last_size;
	uint32_t last_value;
	enum bus_master last_who;
	unsigned int reads, writes;
	int ret;
};

static int dev_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct dev *d = ctx;

	d->reads++;
	d->last_off = off;
	d->last_size = size;
	d->last_who = who;
	*value = 0xA0000000u | off;
	return d->ret;
}

static int dev_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct dev *d = ctx;

	d->writes++;
	d->last_off = off;
	d->last_size = size;
	d->last_value = value;
	d->last_who = who;
	return d->ret;
}

static const struct bus_region_ops dev_ops = { .read = dev_read, .write = dev_write };

struct world {
	struct bus bus;
	uint8_t ram[256];
	uint8_t rom[64];
	struct dev dev;
	bool gate_open;
	unsigned int changes;
	uint32_t changed_addr, changed_len;
};

static bool gate(void *ctx, const struct bus_region *r, enum bus_master who)
{
	struct world *w = ctx;

	/* the gate closes only the device, and only for AP0 */
	return w->gate_open || who != MASTER_AP0 || r->ops != &dev_ops;
}

static void changed(void *ctx, uint32_t addr, uint32_t len)
{
	struct world *w = ctx;

	w->changes++;
	w->changed_addr = addr;
	w->changed_len = len;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	bus_init(&w->bus, "test");
	for (unsigned int i = 0; i < sizeof(w->rom); i++)
		w->rom[i] = (uint8_t)i;
	assert_non_null(bus_add_memory(&w->bus, "ram", 0x20000000, sizeof(w->ram), w->ram, false));
	assert_non_null(bus_add_memory(&w->bus, "rom", 0x1FF00000, sizeof(w->rom), w->rom, true));
	assert_non_null(bus_add_device(&w->bus, "dev", 0x40000000, 0x400, &dev_ops, &w->dev));
	w->gate_open = true;
	w->bus.gate = gate;
	w->bus.gate_ctx = w;
	w->bus.changed = changed;
	w->bus.changed_ctx = w;
	*state = w;
	return 0;
}

static void test_mem_load_store_little_endian(void **state)
{
	uint8_t b[4] = { 0 };

	(void)state;
	mem_store(b, 4, 0x11223344);
	assert_int_equal(b[0], 0x44);
	assert_int_equal(b[3], 0x11);
	assert_int_equal(mem_load(b, 2), 0x3344);
	assert_int_equal(mem_load(b + 1, 1), 0x33);
	mem_store(b + 2, 2, 0xBEEF);
	assert_int_equal(mem_load(b, 4), 0xBEEF3344);
}

static void test_ram_read_write_sizes(void **state)
{
	struct world *w = *state;
	uint32_t v;

	assert_int_equal(bus_write(&w->bus, 0x20000010, 4, 0x11223344, MASTER_CPU), BUS_OK);
	assert_int_equal(bus_write(&w->bus, 0x20000014, 2, 0xBEEF, MASTER_AP0), BUS_OK);
	assert_int_equal(bus_write(&w->bus, 0x20000017, 1, 0x5A, MASTER_AP0), BUS_OK);
	assert_int_equal(w->ram[0x10], 0x44);
	assert_int_equal(w->ram[0x13], 0x11);
	assert_int_equal(w->ram[0x14], 0xEF);
	assert_int_equal(w->ram[0x15], 0xBE);
	assert_int_equal(w->ram[0x17], 0x5A);
	assert_int_equal(bus_read(&w->bus, 0x20000012, 2, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0x1122);
	assert_int_equal(bus_read(&w->bus, 0x20000011, 1, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0x33);
	assert_int_equal(bus_read(&w->bus, 0x20000014, 4, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0x5A00BEEF);
	/* last word of the region is still inside */
	assert_int_equal(bus_write(&w->bus, 0x200000FC, 4, 0xCAFEF00D, MASTER_CPU), BUS_OK);
	assert_int_equal(bus_read(&w->bus, 0x200000FC, 4, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(v, 0xCAFEF00D);
	assert_int_equal(w->bus.errors, 0);
}

static void test_memory_write_notifies_change(void **state)
{
	struct world *w = *state;

	assert_int_equal(bus_write(&w->bus, 0x20000042, 2, 0x1234, MASTER_AP0), BUS_OK);
	assert_int_equal(w->changes, 1);
	assert_int_equal(w->changed_addr, 0x20000042);
	assert_int_equal(w->changed_len, 2);
}

static void test_readonly_memory_refuses_writes(void **state)
{
	struct world *w = *state;
	uint32_t v;

	assert_int_equal(bus_read(&w->bus, 0x1FF00004, 4, &v, MASTER_AP0), BUS_OK);
	assert_int_equal(v, 0x07060504);
	assert_int_equal(bus_write(&w->bus, 0x1FF00004, 4, 0, MASTER_AP0), BUS_ERROR);
	assert_int_equal(w->rom[4], 4);
	assert_int_equal(w->changes, 0);
	assert_int_equal(w->bus.errors, 1);
}

static void test_unmapped_is_bus_error(void **state)
{
	struct world *w = *state;
	uint32_t v = 0x12345678;

	assert_int_equal(bus_read(&w->bus, 0x30000000, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_equal(v, 0);	/* never a stale value */
	assert_int_equal(bus_write(&w->bus, 0x20000100, 4, 1, MASTER_AP0), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x1FFFFFFC, 4, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(w->bus.errors, 3);
	assert_int_equal(w->bus.accesses, 3);
}

static void test_bad_size_or_alignment(void **state)
{
	struct world *w = *state;
	uint32_t v;

	assert_int_equal(bus_read(&w->bus, 0x20000002, 4, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x20000001, 2, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x20000000, 3, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x20000000, 8, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x20000000, 0, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_write(&w->bus, 0x40000002, 4, 0, MASTER_CPU), BUS_ERROR);
	assert_int_equal(w->dev.writes, 0);	/* the device never sees it */
	assert_int_equal(w->ram[0], 0);
	assert_int_equal(w->bus.errors, 6);
}

static void test_access_crossing_region_end(void **state)
{
	struct world *w = *state;
	uint32_t v;

	/* a region whose size is not a multiple of 4 */
	uint8_t odd[6] = { 0 };

	assert_non_null(bus_add_memory(&w->bus, "odd", 0x50000000, sizeof(odd), odd, false));
	assert_int_equal(bus_read(&w->bus, 0x50000004, 2, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(bus_read(&w->bus, 0x50000004, 4, &v, MASTER_CPU), BUS_ERROR);
	assert_int_equal(bus_write(&w->bus, 0x50000004, 4, 0xFFFFFFFF, MASTER_CPU), BUS_ERROR);
	assert_int_equal(odd[4], 0);
	assert_int_equal(odd[5], 0);
}

static void test_device_gets_offset_size_and_master(void **state)
{
	struct world *w = *state;
	uint32_t v;

	assert_int_equal(bus_read(&w->bus, 0x40000124, 4, &v, MASTER_AP2), BUS_OK);
	assert_int_equal(v, 0xA0000124);
	assert_int_equal(w->dev.last_off, 0x124);
	assert_int_equal(w->dev.last_size, 4);
	assert_int_equal(w->dev.last_who, MASTER_AP2);
	assert_int_equal(bus_write(&w->bus, 0x400003FE, 2, 0xABCD, MASTER_AP1), BUS_OK);
	assert_int_equal(w->dev.last_off, 0x3FE);
	assert_int_equal(w->dev.last_size, 2);
	assert_int_equal(w->dev.last_value, 0xABCD);
	assert_int_equal(w->dev.last_who, MASTER_AP1);
	/* devices are not memory: no change notification */
	assert_int_equal(w->changes, 0);
}

static void test_device_error_is_bus_error(void **state)
{
	struct world *w = *state;
	uint32_t v;

	w->dev.ret = BUS_ERROR;
	assert_int_equal(bus_read(&w->bus, 0x40000000, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_equal(bus_write(&w->bus, 0x40000000, 4, 0, MASTER_AP0), BUS_ERROR);
	assert_int_equal(w->dev.reads, 1);
	assert_int_equal(w->dev.writes, 1);
	assert_int_equal(w->bus.errors, 2);
}

static void test_gate_refuses_region(void **state)
{
	struct world *w = *state;
	uint32_t v;

	w->gate_open = false;
	assert_int_equal(bus_read(&w->bus, 0x40000000, 4, &v, MASTER_AP0), BUS_ERROR);
	assert_int_equal(bus_write(&w->bus, 0x40000000, 4, 1, MASTER_AP0), BUS_ERROR);
	assert_int_equal(w->dev.reads + w->dev.writes, 0);
	/* other masters and other regions are not affected */
	assert_int_equal(bus_read(&w->bus, 0x40000000, 4, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(bus_read(&w->bus, 0x20000000, 4, &v, MASTER_AP0), BUS_OK);
	w->gate_open = true;
	assert_int_equal(bus_read(&w->bus, 0x40000000, 4, &v, MASTER_AP0), BUS_OK);
}

struct observed {
	unsigned int calls;
	const struct bus_region *r;
	uint32_t addr;
	unsigned int size;
	bool write;
	uint32_t value;
};

static void observe(void *ctx, const struct bus_region *r, uint32_t addr, unsigned int size,
		bool write, uint32_t value)
{
	struct observed *o = ctx;

	o->calls++;
	o->r = r;
	o->addr = addr;
	o->size = size;
	o->write = write;
	o->value = value;
}

/* The debug-access observer sees successful accesses by debug access ports only. */
static void test_debug_access_observer(void **state)
{
	struct world *w = *state;
	struct observed o = { 0 };
	uint32_t v;

	w->bus.debug_access = observe;
	w->bus.debug_access_ctx = &o;
	assert_int_equal(bus_write(&w->bus, 0x20000020, 4, 1, MASTER_CPU), BUS_OK);
	assert_int_equal(bus_read(&w->bus, 0x20000020, 4, &v, MASTER_CPU), BUS_OK);
	assert_int_equal(o.calls, 0);
	assert_int_equal(bus_write(&w->bus, 0x20000022, 2, 0xBEEF, MASTER_AP0), BUS_OK);
	assert_int_equal(o.calls, 1);
	assert_ptr_equal(o.r->mem, w->ram);
	assert_int_equal(o.addr, 0x20000022);
	assert_int_equal(o.size, 2);
	assert_true(o.write);
	assert_int_equal(o.value, 0xBEEF);
	assert_int_equal(bus_read(&w->bus, 0x40000010, 4, &v, MASTER_AP2), BUS_OK);
	assert_int_equal(o.calls, 2);
	assert_string_equal(o.r->name, "dev");
	assert_false(o.write);
	assert_int_equal(o.value, 0xA0000010);
	/* refused accesses are not reported */
	assert_int_equal(bus_write(&w->bus, 0x1FF00000, 4, 1, MASTER_AP0), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x30000000, 4, &v, MASTER_AP0), BUS_ERROR);
	w->dev.ret = BUS_ERROR;
	assert_int_equal(bus_write(&w->bus, 0x40000010, 4, 1, MASTER_AP0), BUS_ERROR);
	assert_int_equal(bus_read(&w->bus, 0x40000010, 4, &v, MASTER_AP1), BUS_ERROR);
	assert_int_equal(o.calls, 2);
}

static void test_find_and_table_full(void **state)
{
	struct world *w = *state;
	static uint8_t cell[4];

	assert_ptr_equal(bus_find(&w->bus, 0x200000FF)->mem, w->ram);
	assert_null(bus_find(&w->bus, 0x20000100));
	assert_string_equal(bus_find(&w->bus, 0x400003FF)->name, "dev");
	while (w->bus.nregions < BUS_MAX_REGIONS)
		assert_non_null(bus_add_memory(&w->bus, "filler", 0x60000000 + 16 * w->bus.nregions,
				4, cell, false));
	assert_null(bus_add_memory(&w->bus, "one too many", 0x70000000, 4, cell, false));
	assert_int_equal(w->bus.nregions, BUS_MAX_REGIONS);
	assert_null(bus_find(&w->bus, 0x70000000));
}

static void test_master_names(void **state)
{
	(void)state;
	assert_string_equal(bus_master_name(MASTER_CPU), "cpu");
	assert_string_equal(bus_master_name(MASTER_AP0), "ap0");
	assert_string_equal(bus_master_name(MASTER_AP2), "ap2");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_load_store_little_endian),
		T(test_ram_read_write_sizes),
		T(test_memory_write_notifies_change),
		T(test_readonly_memory_refuses_writes),
		T(test_unmapped_is_bus_error),
		T(test_bad_size_or_alignment),
		T(test_access_crossing_region_end),
		T(test_device_gets_offset_size_and_master),
		T(test_device_error_is_bus_error),
		T(test_gate_refuses_region),
		T(test_debug_access_observer),
		T(test_find_and_table_full),
		cmocka_unit_test(test_master_names),
	};
#undef T

	return cmocka_run_group_tests_name("bus", tests, NULL, NULL);
}
