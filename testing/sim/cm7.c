// SPDX-License-Identifier: GPL-2.0-or-later
#include "cm7.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

/* QEMU exception numbers that Unicorn reports through UC_HOOK_INTR (target/arm/cpu.h). */
#define EXCP_SWI		2
#define EXCP_PREFETCH_ABORT	3
#define EXCP_DATA_ABORT		4
#define EXCP_BKPT		7
#define EXCP_EXCEPTION_EXIT	8
#define EXCP_NOCP		17
#define EXCP_UNALIGNED		22
#define EXCP_DIVBYZERO		23

static const int gp_regs[16] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
	UC_ARM_REG_R4, UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7,
	UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC,
};

const char *cm7_state_name(enum cm7_state s)
{
	static const char *const names[] = { "running", "halted", "reset", "lockup", "sleeping" };

	return names[s];
}

uint32_t cm7_uc_get(struct cm7 *cm, int reg)
{
	uint32_t v = 0;

	uc_reg_read(cm->uc, reg, &v);
	return v;
}

void cm7_uc_set(struct cm7 *cm, int reg, uint32_t v)
{
	uc_reg_write(cm->uc, reg, &v);
}

uint32_t cm7_pc(struct cm7 *cm)
{
	return cm7_uc_get(cm, UC_ARM_REG_PC) & ~1u;
}

void cm7_snapshot(struct cm7 *cm, uint32_t regs[17])
{
	for (int i = 0; i < 16; i++)
		regs[i] = cm7_uc_get(cm, gp_regs[i]);
	regs[16] = cm7_uc_get(cm, UC_ARM_REG_XPSR);
}

/*
 * Unicorn ignores writes to the stack pointers and special registers while the
 * core is in unprivileged Thread mode; a debugger's writes must always land, so
 * borrow Handler mode for the duration of the write.
 */
static void write_privileged(struct cm7 *cm, int reg, uint32_t v)
{
	uint32_t xpsr = cm7_uc_get(cm, UC_ARM_REG_XPSR);
	bool borrow = (xpsr & 0x1FF) == 0 && (cm7_uc_get(cm, UC_ARM_REG_CONTROL) & 1);

	if (borrow)
		cm7_uc_set(cm, UC_ARM_REG_XPSR, xpsr | 3);
	cm7_uc_set(cm, reg, v);
	if (borrow)
		cm7_uc_set(cm, UC_ARM_REG_XPSR, xpsr);
}

uint32_t cm7_read_reg(struct cm7 *cm, unsigned int regsel)
{
	if (regsel < 16)
		return regsel == 15 ? cm7_pc(cm) : cm7_uc_get(cm, gp_regs[regsel]);
	switch (regsel) {
	case 16:
		/* Unicorn only tracks the Thumb state while running; M-profile is always Thumb. */
		return cm7_uc_get(cm, UC_ARM_REG_XPSR) | 1u << 24;
	case 17:
		return cm7_uc_get(cm, UC_ARM_REG_MSP);
	case 18:
		return cm7_uc_get(cm, UC_ARM_REG_PSP);
	case 0x14:
		return (cm7_uc_get(cm, UC_ARM_REG_CONTROL) & 0xFF) << 24 |
			(cm7_uc_get(cm, UC_ARM_REG_FAULTMASK) & 1) << 16 |
			(cm7_uc_get(cm, UC_ARM_REG_BASEPRI) & 0xFF) << 8 |
			(cm7_uc_get(cm, UC_ARM_REG_PRIMASK) & 1);
	case 0x21:
		return cm7_uc_get(cm, UC_ARM_REG_FPSCR);
	default:
		if (regsel >= 0x40 && regsel < 0x60)
			return cm7_uc_get(cm, UC_ARM_REG_S0 + (int)(regsel - 0x40));
		sim_trace("cm7: read of unknown REGSEL 0x%x", regsel);
		return 0;
	}
}

void cm7_write_reg(struct cm7 *cm, unsigned int regsel, uint32_t value)
{
	if (regsel < 13 || regsel == 14) {
		cm7_uc_set(cm, gp_regs[regsel], value);
		return;
	}
	switch (regsel) {
	case 13:
		write_privileged(cm, UC_ARM_REG_SP, value);
		break;
	case 15:
		cm7_uc_set(cm, UC_ARM_REG_PC, value & ~1u);
		break;
	case 16:
		cm7_uc_set(cm, UC_ARM_REG_XPSR, value);
		break;
	case 17:
		write_privileged(cm, UC_ARM_REG_MSP, value);
		break;
	case 18:
		write_privileged(cm, UC_ARM_REG_PSP, value);
		break;
	case 0x14:
		write_privileged(cm, UC_ARM_REG_PRIMASK, value & 1);
		write_privileged(cm, UC_ARM_REG_BASEPRI, value >> 8 & 0xFF);
		write_privileged(cm, UC_ARM_REG_FAULTMASK, value >> 16 & 1);
		write_privileged(cm, UC_ARM_REG_CONTROL, value >> 24 & 0x7);
		break;
	case 0x21:
		cm7_uc_set(cm, UC_ARM_REG_FPSCR, value);
		break;
	default:
		if (regsel >= 0x40 && regsel < 0x60)
			cm7_uc_set(cm, UC_ARM_REG_S0 + (int)(regsel - 0x40), value);
		else
			sim_trace("cm7: write of unknown REGSEL 0x%x", regsel);
		break;
	}
}

/* Debug entry: the core sets C_HALT itself, so it reads back as 1 (ARMv7-M C1.6.3). */
static void enter_debug_state(struct cm7 *cm, uint32_t dfsr_bits)
{
	cm->state = CM7_HALTED;
	cm->dfsr |= dfsr_bits;
	cm->dhcsr_ctrl |= DHCSR_C_HALT;
}

void cm7_request_halt(struct cm7 *cm, uint32_t dfsr_bits)
{
	cm->halt_requested = true;
	cm->halt_dfsr |= dfsr_bits;
}

static void undo_restores(struct cm7 *cm)
{
	for (unsigned int i = cm->nrestores; i-- > 0;) {
		const struct cm7_restore *r = &cm->restores[i];
		const struct bus_region *region = bus_find(cm->bus, r->addr);

		if (region && region->mem)
			memcpy(region->mem + (r->addr - region->base), r->bytes, r->size);
	}
	cm->nrestores = 0;
}

static bool fpb_match(const struct cm7 *cm, uint32_t addr)
{
	for (int i = 0; i < CM7_FPB_COMPARATORS; i++) {
		uint32_t c = cm->fp_comp[i];

		if ((c & 1) && (c & ~1u) == (addr & ~1u))
			return true;
	}
	return false;
}

/*
 * An instruction fetch with the I-cache on: a new line is filled. Evicting a
 * stale line drops its old instructions, which must happen outside the run.
 */
static void note_fetch(struct cm7 *cm, uint32_t addr)
{
	uint32_t line = addr & CACHE_LINE_MASK;

	if (line == cm->ic_last_line)
		return;
	cm->ic_last_line = line;
	if (cache_i_fetch(&cm->cache, line))
		cm->yield_requested = true;
}

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct cm7 *cm = user;

	(void)size;
	if (cm->ic_on)
		note_fetch(cm, (uint32_t)addr);
	if (cm->nrestores)
		undo_restores(cm);
	if (cm->watch_hit >= 0)
		cm7_request_halt(cm, DFSR_DWTTRAP);
	if (cm->halt_requested || cm->lockup_requested || cm->sysreset_requested ||
	    cm->vectreset_requested || cm->yield_requested || cm->slice_done >= cm->slice_limit) {
		uc_emu_stop(uc);
		return;
	}
	if (cm->fpb_enabled && fpb_match(cm, (uint32_t)addr)) {
		cm7_request_halt(cm, DFSR_BKPT);
		uc_emu_stop(uc);
		return;
	}
	/* an interrupt preempts before the next instruction (ARMv7-M B1.5.5) */
	if (cm7_interrupt_ready(cm)) {
		cm->event = CM7_EVT_INTERRUPT;
		uc_emu_stop(uc);
		return;
	}
	cm->slice_done++;
	cm->last_insn = (uint32_t)addr;
}

static void on_record_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		int64_t value, void *user)
{
	struct cm7 *cm = user;
	uint32_t word = (uint32_t)addr & ~3u;

	(void)uc, (void)type, (void)value;
	/* before the access: a miss fills the line from memory */
	if (cm->dc_on)
		cache_core_access(&cm->cache, (uint32_t)addr, (unsigned int)size, false);
	if (!cm->recording_reads)
		return;
	for (unsigned int i = 0; i < cm->nreads; i++)
		if (cm->reads[i] == word)
			return;
	if (cm->nreads < CM7_MAX_READS)
		cm->reads[cm->nreads++] = word;
	else
		cm->reads_overflow = true;
}

void cm7_record_reads(struct cm7 *cm, bool on)
{
	cm->recording_reads = on;
	cm->nreads = 0;
	cm->reads_overflow = false;
}

bool cm7_reads_touch(const struct cm7 *cm, uint32_t addr, uint32_t len)
{
	if (cm->reads_overflow)
		return true;
	for (unsigned int i = 0; i < cm->nreads; i++)
		if (cm->reads[i] + 4 > addr && cm->reads[i] < addr + len)
			return true;
	return false;
}

/* Each translated block as it runs: remember where code lives. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct cm7 *cm = user;

	(void)uc;
	codemap_note(&cm->code, (uint32_t)addr, size ? size : 2);
}

static void record_fault(struct cm7 *cm, unsigned int exc, uint32_t cfsr_bits)
{
	cm->event = CM7_EVT_FAULT;
	cm->event_exc = exc;
	cm->event_cfsr = cfsr_bits;
	cm->event_pc = cm7_pc(cm);
}

/*
 * Unicorn hands over the exceptions QEMU would take itself; record them
 * for cm7_exc.c (see there), which acts once the run has stopped.
 */
static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct cm7 *cm = user;

	switch (intno) {
	case EXCP_BKPT:
		if (cm->dhcsr_ctrl & DHCSR_C_DEBUGEN) {
			cm7_request_halt(cm, DFSR_BKPT);
		} else {
			/* no debugger and no DebugMonitor: HardFault (B1.5.14) */
			cm->nvic.hfsr |= HFSR_DEBUGEVT;
			record_fault(cm, EXC_HARDFAULT, 0);
		}
		break;
	case EXCP_SWI:
		cm->event = CM7_EVT_SVC;
		cm->event_pc = cm7_pc(cm);
		break;
	case EXCP_EXCEPTION_EXIT:
		cm->event = CM7_EVT_RETURN;
		cm->event_pc = cm7_pc(cm) | 1;
		break;
	case EXCP_NOCP:
		record_fault(cm, EXC_USAGEFAULT, CFSR_NOCP);
		break;
	case EXCP_UNALIGNED:
		record_fault(cm, EXC_USAGEFAULT, CFSR_UNALIGNED);
		break;
	case EXCP_DIVBYZERO:
		record_fault(cm, EXC_USAGEFAULT, CFSR_DIVBYZERO);
		break;
	case EXCP_PREFETCH_ABORT:
		record_fault(cm, EXC_MEMMANAGE, CFSR_IACCVIOL);
		break;
	case EXCP_DATA_ABORT:
		record_fault(cm, EXC_MEMMANAGE, CFSR_DACCVIOL);
		break;
	default:
		sim_warn("core: exception %u at pc 0x%08x is not modelled; core locks up", intno,
			cm7_pc(cm));
		cm->lockup_requested = true;
		break;
	}
	uc_emu_stop(uc);
}

/* Remember where an access to unmapped memory went (BFAR), then let it fail. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		int64_t value, void *user)
{
	struct cm7 *cm = user;

	(void)uc, (void)type, (void)size, (void)value;
	cm->unmapped_addr = (uint32_t)addr;
	return false;
}

static bool dwt_matches(const struct cm7_dwt_comparator *c, uint32_t addr, int size,
		bool write)
{
	unsigned int func = c->function & 0xF;
	uint32_t span = 1u << (c->mask & 0x1F);
	uint32_t base = c->comp & ~(span - 1);

	if (func != 7 && func != (write ? 6u : 5u))
		return false;
	return addr < base + span && addr + (uint32_t)size > base;
}

static void check_watchpoints(struct cm7 *cm, uint32_t addr, int size, bool write)
{
	for (int i = 0; i < CM7_DWT_COMPARATORS; i++) {
		if (dwt_matches(&cm->dwt[i], addr, size, write)) {
			cm->dwt[i].function |= 1u << 24;	/* MATCHED */
			cm->watch_hit = i;
		}
	}
}

static void on_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		void *user)
{
	struct cm7 *cm = user;

	(void)uc, (void)type, (void)value;
	if (cm->dc_on)
		cache_core_access(&cm->cache, (uint32_t)addr, (unsigned int)size, true);
	cm->wrote_memory = true;
	check_watchpoints(cm, (uint32_t)addr, size, true);
}

static void on_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		void *user)
{
	(void)uc, (void)type, (void)value;
	check_watchpoints(user, (uint32_t)addr, size, false);
}

/*
 * A CPU store into memory mapped read-only (flash, system memory). Unicorn
 * performs the store after this hook, so remember the old bytes and put them
 * back before the next instruction; the device (flash controller) gets the data.
 */
static bool on_write_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		int64_t value, void *user)
{
	struct cm7 *cm = user;
	const struct bus_region *r = bus_find(cm->bus, (uint32_t)addr);

	(void)uc, (void)type;
	if (!r || !r->mem || size > 8)
		return false;
	if (cm->nrestores < CM7_MAX_RESTORES) {
		struct cm7_restore *s = &cm->restores[cm->nrestores++];

		s->addr = (uint32_t)addr;
		s->size = (uint8_t)size;
		memcpy(s->bytes, r->mem + ((uint32_t)addr - r->base), (size_t)size);
	}
	for (int done = 0; done < size; done += 4) {
		unsigned int n = size - done < 4 ? (unsigned int)(size - done) : 4;

		if (r->ops && r->ops->write)
			bus_write(cm->bus, (uint32_t)addr + done, n,
				(uint32_t)((uint64_t)value >> (8 * done)), MASTER_CPU);
		else
			sim_trace("cpu: write to read-only %s at 0x%08x ignored", r->name,
				(uint32_t)addr + done);
	}
	return true;
}

/* An access that never completes: the core makes no progress until a reset. */
static void stall(struct cm7 *cm, const char *what, uint32_t addr)
{
	if (!cm->stalled)
		sim_warn("core: %s 0x%08x at pc 0x%08x never completes (flash blocked by read "
			"protection with a debugger seen since power-on): the core stalls", what,
			addr, cm7_pc(cm));
	cm->stalled = true;
}

static void on_checked_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		int64_t value, void *user)
{
	struct cm7 *cm = user;
	int ret = cm->read_check(cm->read_check_ctx, (uint32_t)addr, (unsigned int)size);

	(void)type, (void)value;
	if (ret == BUS_OK)
		return;
	if (ret == BUS_STALL) {
		stall(cm, "the read of", (uint32_t)addr);
		uc_emu_stop(uc);
		return;
	}
	/* A precise bus fault on the load: taken once the run has stopped. */
	sim_trace("core: bus fault reading 0x%08x at pc 0x%08x", (uint32_t)addr, cm->last_insn);
	cm->nvic.bfar = (uint32_t)addr;
	record_fault(cm, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID);
	cm->event_pc = cm->last_insn;
	uc_emu_stop(uc);
}

void cm7_check_reads(struct cm7 *cm, uint32_t lo, uint32_t hi, bool on)
{
	if (on && !cm->check_hook_installed && cm->read_check) {
		uc_hook_add(cm->uc, &cm->hook_check, UC_HOOK_MEM_READ, on_checked_read, cm, lo, hi);
		cm->check_hook_installed = true;
	} else if (!on && cm->check_hook_installed) {
		uc_hook_del(cm->uc, cm->hook_check);
		cm->check_hook_installed = false;
	}
}

void cm7_dwt_changed(struct cm7 *cm)
{
	bool need_read = false;

	for (int i = 0; i < CM7_DWT_COMPARATORS; i++) {
		unsigned int func = cm->dwt[i].function & 0xF;

		need_read |= func == 5 || func == 7;
	}
	if (need_read && !cm->read_hook_installed) {
		uc_hook_add(cm->uc, &cm->hook_read, UC_HOOK_MEM_READ, on_read, cm, 1, 0);
		cm->read_hook_installed = true;
	} else if (!need_read && cm->read_hook_installed) {
		uc_hook_del(cm->uc, cm->hook_read);
		cm->read_hook_installed = false;
	}
}

static void on_cache_view_changed(void *ctx, uint32_t addr, uint32_t len)
{
	cm7_code_changed(ctx, addr, len);
}

int cm7_init(struct cm7 *cm, struct bus *bus)
{
	memset(cm, 0, sizeof(*cm));
	cm->bus = bus;
	cache_init(&cm->cache);
	cm->cache.view_changed = on_cache_view_changed;
	cm->cache.ctx = cm;
	cm->ic_last_line = 1;
	cm->boot_address = 0x08000000;
	cm->watch_hit = -1;
	uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &cm->uc);

	if (err == UC_ERR_OK)
		err = uc_ctl_set_cpu_model(cm->uc, UC_CPU_ARM_CORTEX_M7);
	if (err != UC_ERR_OK) {
		sim_warn("unicorn: cannot create a Cortex-M7: %s", uc_strerror(err));
		return -1;
	}
	uc_hook_add(cm->uc, &cm->hook_code, UC_HOOK_CODE, on_code, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_block, UC_HOOK_BLOCK, on_block, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_record, UC_HOOK_MEM_READ, on_record_read, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_intr, UC_HOOK_INTR, on_intr, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_wprot, UC_HOOK_MEM_WRITE_PROT, on_write_prot, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_write, UC_HOOK_MEM_WRITE, on_write, cm, 1, 0);
	uc_hook_add(cm->uc, &cm->hook_unmapped, UC_HOOK_MEM_UNMAPPED, on_unmapped, cm, 1, 0);
	return 0;
}

void cm7_free(struct cm7 *cm)
{
	if (cm->uc)
		uc_close(cm->uc);
	cm->uc = NULL;
	while (cm->nwindows)
		free(cm->windows[--cm->nwindows]);
}

/* Device regions reach Unicorn as MMIO pages that call back into the bus. */
struct mmio_window {
	struct cm7 *cm;
	uint32_t base;
};

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned int size, void *user)
{
	const struct mmio_window *w = user;
	uint32_t addr = w->base + (uint32_t)offset, v = 0;
	uint64_t result = 0;

	(void)uc;
	for (unsigned int done = 0; done < size; done += 4) {
		unsigned int n = size - done < 4 ? size - done : 4;

		if (bus_read(w->cm->bus, addr + done, n, &v, MASTER_CPU) != BUS_OK)
			sim_trace("cpu: bus error reading 0x%08x (reads as 0)", addr + done);
		result |= (uint64_t)v << (8 * done);
	}
	return result;
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned int size, uint64_t value,
		void *user)
{
	const struct mmio_window *w = user;
	uint32_t addr = w->base + (uint32_t)offset;

	(void)uc;
	w->cm->wrote_memory = true;
	for (unsigned int done = 0; done < size; done += 4) {
		unsigned int n = size - done < 4 ? size - done : 4;

		if (bus_write(w->cm->bus, addr + done, n, (uint32_t)(value >> (8 * done)),
				MASTER_CPU) != BUS_OK)
			sim_trace("cpu: bus error writing 0x%08x (ignored)", addr + done);
	}
}

static bool page_is_mapped(struct cm7 *cm, uint32_t page)
{
	uc_mem_region *regions;
	uint32_t count;
	bool found = false;

	if (uc_mem_regions(cm->uc, &regions, &count) != UC_ERR_OK)
		return false;
	for (uint32_t i = 0; i < count && !found; i++)
		found = page >= regions[i].begin && page <= regions[i].end;
	uc_free(regions);
	return found;
}

static int map_window(struct cm7 *cm, uint64_t base, uint64_t size)
{
	struct mmio_window *w = cm->nwindows < CM7_MAX_WINDOWS ? malloc(sizeof(*w)) : NULL;

	if (!w)
		return -1;
	w->cm = cm;
	w->base = (uint32_t)base;
	if (uc_mmio_map(cm->uc, base, size, mmio_read, w, mmio_write, w) != UC_ERR_OK) {
		free(w);
		return -1;
	}
	cm->windows[cm->nwindows++] = w;
	return 0;
}

/* Memory a device watches is read-only for Unicorn: stores reach the device by the hook. */
static uint32_t direct_prot(const struct bus_region *r)
{
	return (r->readonly || r->ops) ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_ALL;
}

static void drop_window(struct cm7 *cm, uint32_t base)
{
	for (unsigned int i = 0; i < cm->nwindows; i++) {
		if (cm->windows[i]->base != base)
			continue;
		free(cm->windows[i]);
		cm->windows[i] = cm->windows[--cm->nwindows];
		return;
	}
}

int cm7_route_via_bus(struct cm7 *cm, uint32_t addr, uint32_t len, bool via_bus)
{
	const struct bus_region *r = bus_find(cm->bus, addr);
	uc_err err;

	if (!r || !r->mem || addr - r->base + len > r->size)
		return -1;
	/* Unmapping drops the translated code of the range too. */
	err = uc_mem_unmap(cm->uc, addr, len);
	if (err == UC_ERR_OK) {
		drop_window(cm, addr);
		codemap_forget(&cm->code, addr, len);
		if (via_bus)
			err = map_window(cm, addr, len) ? UC_ERR_MAP : UC_ERR_OK;
		else
			err = uc_mem_map_ptr(cm->uc, addr, len, direct_prot(r),
				r->mem + (addr - r->base));
	}
	if (err != UC_ERR_OK) {
		sim_warn("unicorn: cannot remap %s at 0x%08x: %s", r->name, addr, uc_strerror(err));
		return -1;
	}
	sim_trace("core: %s 0x%08x..0x%08x %s", r->name, addr, addr + len - 1,
		via_bus ? "read through the bus" : "mapped directly");
	return 0;
}

/* Map the pages of a device region not mapped yet, one window per run of pages. */
static int map_device(struct cm7 *cm, const struct bus_region *r)
{
	uint64_t page = r->base & ~0xFFFu;
	uint64_t end = ((uint64_t)r->base + r->size + 0xFFF) & ~0xFFFull;

	while (page < end) {
		uint64_t run = page;

		while (run < end && !page_is_mapped(cm, (uint32_t)run))
			run += 0x1000;
		if (run > page && map_window(cm, page, run - page) != 0)
			return -1;
		page = run > page ? run : page + 0x1000;
	}
	return 0;
}

int cm7_map_bus(struct cm7 *cm)
{
	for (unsigned int i = 0; i < cm->bus->nregions; i++) {
		const struct bus_region *r = &cm->bus->regions[i];
		uc_err err = UC_ERR_OK;

		if (r->mem) {
			err = uc_mem_map_ptr(cm->uc, r->base, r->size, direct_prot(r), r->mem);
		} else if (map_device(cm, r) != 0) {
			err = UC_ERR_MAP;
		}
		if (err != UC_ERR_OK) {
			sim_warn("unicorn: cannot map %s at 0x%08x: %s", r->name, r->base,
				uc_strerror(err));
			return -1;
		}
	}
	return 0;
}

void cm7_power_on(struct cm7 *cm)
{
	cm->dhcsr_ctrl = 0;
	cm->dcrdr = 0;
	cm->demcr = 0;
	cm->dfsr = 0;
	cm->fpb_enabled = false;
	memset(cm->fp_comp, 0, sizeof(cm->fp_comp));
	memset(cm->dwt, 0, sizeof(cm->dwt));
	cm->dwt_ctrl = 0;
	cm7_dwt_changed(cm);
	cm->itm_ter = 0;
	cm->itm_tpr = 0;
	cm->itm_tcr = 0;
}

static void reset_scb(struct cm7 *cm)
{
	cm->vtor = cm->boot_address;
	cm->scr = 0;
	cm7_write_ccr(cm, 0x00040200);	/* caches off */
	cm->cpacr = 0;
	nvic_reset(&cm->nvic);
	cm->event = CM7_EVT_NONE;
	cm->actlr = 0;
	cm->fpccr = 0xC0000000;
	cm->fpcar = 0;
	cm->fpdscr = 0;
	cm->csselr = 0;
}

void cm7_core_reset(struct cm7 *cm)
{
	uint32_t msp = 0, pc = 0;

	cm->stalled = false;
	if (cm->read_check && cm->read_check(cm->read_check_ctx, cm->boot_address, 8) == BUS_STALL)
		stall(cm, "the vector fetch at", cm->boot_address);
	bus_read(cm->bus, cm->boot_address, 4, &msp, MASTER_CPU);
	bus_read(cm->bus, cm->boot_address + 4, 4, &pc, MASTER_CPU);
	reset_scb(cm);
	if (cm->core_reset)
		cm->core_reset(cm->chip);
	cm7_uc_set(cm, UC_ARM_REG_XPSR, (pc & 1) << 24);
	cm7_uc_set(cm, UC_ARM_REG_CONTROL, 0);
	for (int i = 0; i < 13; i++)
		cm7_uc_set(cm, gp_regs[i], 0);
	cm7_uc_set(cm, UC_ARM_REG_PRIMASK, 0);
	cm7_uc_set(cm, UC_ARM_REG_BASEPRI, 0);
	cm7_uc_set(cm, UC_ARM_REG_FAULTMASK, 0);
	cm7_uc_set(cm, UC_ARM_REG_MSP, msp & ~3u);
	cm7_uc_set(cm, UC_ARM_REG_PSP, 0);
	cm7_uc_set(cm, UC_ARM_REG_LR, 0xFFFFFFFF);
	cm7_uc_set(cm, UC_ARM_REG_PC, pc & ~1u);
	cm->s_reset_st = true;
	cm->nrestores = 0;
	if (cm->state == CM7_RESET)
		return;		/* still held: the vector catch decision comes at release */
	bool catch = (cm->dhcsr_ctrl & DHCSR_C_DEBUGEN) &&
		((cm->demcr & DEMCR_VC_CORERESET) || (cm->dhcsr_ctrl & DHCSR_C_HALT));

	if (catch) {
		enter_debug_state(cm, (cm->demcr & DEMCR_VC_CORERESET) ? DFSR_VCATCH : DFSR_HALTED);
	} else {
		cm->state = CM7_RUNNING;
	}
	sim_trace("core: reset, msp 0x%08x pc 0x%08x, %s", msp, pc, cm7_state_name(cm->state));
}

void cm7_hold_reset(struct cm7 *cm, bool held)
{
	if (held) {
		cm->state = CM7_RESET;
		cm->s_reset_st = true;
	} else if (cm->state == CM7_RESET) {
		cm->state = CM7_RUNNING;	/* provisional: cm7_core_reset decides */
		cm7_core_reset(cm);
	}
}

bool cm7_is_running(const struct cm7 *cm)
{
	return cm->state == CM7_RUNNING;
}

bool cm7_is_sleeping(const struct cm7 *cm)
{
	return cm->state == CM7_SLEEP;
}

void cm7_yield(struct cm7 *cm)
{
	cm->yield_requested = true;
}

/* Valid I-cache lines under a change keep their old instructions: stale. */
static void mark_stale(struct cm7 *cm, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len;

	for (uint64_t a = addr & CACHE_LINE_MASK; a < end; a += CACHE_LINE)
		cache_i_mark_stale(&cm->cache, (uint32_t)a);
}

void cm7_code_changed(struct cm7 *cm, uint32_t addr, uint32_t len)
{
	if (!codemap_overlaps(&cm->code, addr, len))
		return;		/* no translated code there */
	if (cm->cache.i_valid)
		mark_stale(cm, addr, len);
	if (!cm->code_dirty) {
		cm->dirty_lo = addr;
		cm->dirty_hi = addr + len;
		cm->code_dirty = true;
		return;
	}
	if (addr < cm->dirty_lo)
		cm->dirty_lo = addr;
	if (addr + len > cm->dirty_hi)
		cm->dirty_hi = addr + len;
}

/* Stale I-cache lines left the cache: their old instructions go now. */
static void drop_stale_lines(struct cm7 *cm)
{
	struct cache *c = &cm->cache;

	if (c->drops_overflow) {
		uc_ctl_remove_cache(cm->uc, 0, 0xFFFFFFFFull);
		codemap_clear(&cm->code);
	} else {
		for (unsigned int i = 0; i < c->n_drops; i++)
			uc_ctl_remove_cache(cm->uc, c->i_drops[i], (uint64_t)c->i_drops[i] + CACHE_LINE);
	}
	c->n_drops = 0;
	c->drops_overflow = false;
}

/*
 * Drop the translations of [lo, hi) but those of stale I-cache lines: the
 * core keeps running what it fetched there, as from a stale cache line.
 */
static void remove_but_stale(struct cm7 *cm, uint32_t lo, uint64_t hi)
{
	uint64_t run = lo;

	for (uint64_t a = lo; a < hi; a += CACHE_LINE) {
		if (!cache_i_is_stale(&cm->cache, (uint32_t)a))
			continue;
		if (a > run)
			uc_ctl_remove_cache(cm->uc, run, a);
		run = a + CACHE_LINE;
	}
	if (hi > run)
		uc_ctl_remove_cache(cm->uc, run, hi);
}

static void flush_translations(struct cm7 *cm)
{
	if (cm->cache.n_drops || cm->cache.drops_overflow)
		drop_stale_lines(cm);
	if (!cm->code_dirty)
		return;
	uint32_t lo = cm->dirty_lo & ~0xFFFu;
	uint64_t hi = ((uint64_t)cm->dirty_hi + 0xFFF) & ~0xFFFull;

	if (cm->cache.i_stale) {
		/* the codemap keeps these pages: stale lines still hold code */
		remove_but_stale(cm, lo, hi);
	} else {
		uc_ctl_remove_cache(cm->uc, lo, hi);
		codemap_forget(&cm->code, lo, (uint32_t)(hi - lo));
	}
	cm->code_dirty = false;
}

/* Act on what the hooks asked for once Unicorn has returned. */
static void finish_run(struct cm7 *cm)
{
	if (cm->watch_hit >= 0) {
		cm7_request_halt(cm, DFSR_DWTTRAP);
		cm->watch_hit = -1;
	}
	if (cm->lockup_requested) {
		cm->state = CM7_LOCKUP;
		cm->lockup_requested = false;
	}
	if (cm->halt_requested) {
		if (cm->state != CM7_LOCKUP)
			enter_debug_state(cm, cm->halt_dfsr);
		cm->halt_requested = false;
		cm->halt_dfsr = 0;
	}
	if (cm->sysreset_requested) {
		cm->sysreset_requested = false;
		if (cm->system_reset)
			cm->system_reset(cm->chip);
	}
	if (cm->vectreset_requested) {
		cm->vectreset_requested = false;
		cm7_core_reset(cm);
	}
	if (cm->sleep_requested) {
		cm->sleep_requested = false;
		/* WFI with a wake-up already pending does not sleep (B1.5.19) */
		if (cm->state == CM7_RUNNING && !cm7_wake_pending(cm)) {
			cm->state = CM7_SLEEP;
			cm->sleep_deep = cm->scr & SCR_SLEEPDEEP;
			if (cm->sleep_entered)
				cm->sleep_entered(cm->chip, cm->sleep_deep);
		}
	}
}

/*
 * SYSRESETREQ or VECTRESET written. From the core's own code the run ends
 * first (finish_run acts then); from a debugger, with the core halted,
 * locked up or asleep, no run would come to act on it, so act now.
 */
void cm7_reset_requested(struct cm7 *cm)
{
	if (!cm->executing)
		finish_run(cm);
}

enum sleep_hint {
	HINT_NONE,
	HINT_WFI,
	HINT_WFE,
};

/* WFI/WFE in their 16-bit and 32-bit Thumb encodings (ARMv7-M A7.7). */
static enum sleep_hint decode_hint(struct cm7 *cm, uint32_t addr, unsigned int *len)
{
	uint16_t hw[2] = { 0, 0 };

	if (uc_mem_read(cm->uc, addr, &hw[0], 2) != UC_ERR_OK)
		return HINT_NONE;
	*len = 2;
	if (hw[0] == 0xBF30)
		return HINT_WFI;
	if (hw[0] == 0xBF20)
		return HINT_WFE;
	if (hw[0] != 0xF3AF || uc_mem_read(cm->uc, addr + 2, &hw[1], 2) != UC_ERR_OK)
		return HINT_NONE;
	*len = 4;
	if (hw[1] == 0x8003)
		return HINT_WFI;
	return hw[1] == 0x8002 ? HINT_WFE : HINT_NONE;
}

/*
 * Unicorn leaves the run after a WFI (QEMU halts the vCPU) and reports an
 * invalid instruction for WFE; neither sleeps. When the last instruction
 * was one of them, the core goes to sleep after it, until an interrupt that
 * could preempt with PRIMASK clear (cm7_exceptions_changed), a debug halt
 * or a reset (SEV and the event register are not modelled: WFE sleeps like
 * WFI).
 */
static bool stopped_by_hint(struct cm7 *cm, uc_err err)
{
	unsigned int len = 0;

	if ((err != UC_ERR_OK && err != UC_ERR_INSN_INVALID) || !cm->slice_done ||
	    cm->event != CM7_EVT_NONE || cm->halt_requested || cm->lockup_requested || cm->sysreset_requested ||
	    cm->vectreset_requested || cm->yield_requested)
		return false;
	if (decode_hint(cm, cm->last_insn, &len) == HINT_NONE)
		return false;
	cm7_uc_set(cm, UC_ARM_REG_PC, cm->last_insn + len);
	cm->sleep_requested = true;
	sim_trace("core: WFI/WFE at 0x%08x, %s", cm->last_insn,
		(cm->scr & SCR_SLEEPDEEP) ? "deep sleep" : "sleep");
	return true;
}

/* Anything that ends the run for the scheduler (not for the exception model)? */
static bool run_must_end(const struct cm7 *cm)
{
	return cm->halt_requested || cm->lockup_requested || cm->sysreset_requested ||
		cm->vectreset_requested || cm->yield_requested || cm->sleep_requested ||
		cm->stalled || cm->state != CM7_RUNNING;
}

/*
 * Turn what Unicorn returned into a fault for the exception model, or a
 * lockup where the model cannot go on. Returns false when the run ends.
 */
static bool fault_from_error(struct cm7 *cm, uc_err err)
{
	uint32_t pc = cm7_pc(cm);

	switch (err) {
	case UC_ERR_OK:
		return true;
	case UC_ERR_READ_UNMAPPED:
	case UC_ERR_WRITE_UNMAPPED:
		cm->nvic.bfar = cm->unmapped_addr;
		cm7_fault(cm, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID, pc);
		return !cm->lockup_requested;
	case UC_ERR_FETCH_UNMAPPED:
		/* the system region is execute-never (MemManage); elsewhere nothing answers */
		if (pc >= 0xE0000000u)
			cm7_fault(cm, EXC_MEMMANAGE, CFSR_IACCVIOL, pc);
		else
			cm7_fault(cm, EXC_BUSFAULT, CFSR_IBUSERR, pc);
		return !cm->lockup_requested;
	case UC_ERR_INSN_INVALID:
		cm7_fault(cm, EXC_USAGEFAULT, CFSR_UNDEFINSTR, pc);
		return !cm->lockup_requested;
	case UC_ERR_EXCEPTION:
		cm7_fault(cm, EXC_USAGEFAULT, CFSR_INVSTATE, pc);
		return !cm->lockup_requested;
	case UC_ERR_FETCH_PROT:
		if (cm->read_check && cm->read_check(cm->read_check_ctx, pc, 2) == BUS_STALL) {
			stall(cm, "the instruction fetch at", pc);
			return false;
		}
		/*
		 * Code from a range routed through the bus: a device, or flash whose
		 * reads are wrong. What it would execute is garbage, and its fault
		 * handler is in the same flash: the core locks up.
		 */
		sim_warn("core: instruction fetch at 0x%08x from memory read through the bus "
			"(device, or flash that reads wrong data); the core locks up", pc);
		cm->lockup_requested = true;
		return false;
	default:
		sim_warn("core: %s at pc 0x%08x; the core locks up", uc_strerror(err), pc);
		cm->lockup_requested = true;
		return false;
	}
}

/*
 * Run up to max instructions. The hooks stop Unicorn for exceptions too
 * (cm7_exc.c): those are taken here and the run goes on.
 */
static void run_slice(struct cm7 *cm, uint64_t max)
{
	for (;;) {
		uint64_t before = cm->slice_done;
		uc_err err;

		cm7_take_interrupt(cm);
		if (run_must_end(cm))
			return;
		cm->event = CM7_EVT_NONE;
		err = uc_emu_start(cm->uc, cm7_pc(cm) | 1, 0xFFFFFFFFu, 0, 0);
		undo_restores(cm);
		if (stopped_by_hint(cm, err))
			return;
		/* nothing ran and nothing to act on: leave it to the scheduler */
		if (err == UC_ERR_OK && cm->event == CM7_EVT_NONE && cm->slice_done == before)
			return;
		if (!fault_from_error(cm, err))
			return;
		if (cm->event != CM7_EVT_NONE && !cm7_handle_event(cm))
			return;
		if (run_must_end(cm) || cm->slice_done >= max)
			return;
	}
}

uint64_t cm7_run(struct cm7 *cm, uint64_t max)
{
	if (cm->state != CM7_RUNNING || max == 0 || cm->stalled)
		return 0;
	flush_translations(cm);
	cm->slice_limit = max;
	cm->slice_done = 0;
	cm->yield_requested = false;
	uint32_t pc = cm7_pc(cm);

	cm->executing = true;
	run_slice(cm, max);
	cm->executing = false;
	sim_trace("core: ran %llu of %llu instructions from 0x%08x, now at 0x%08x",
		(unsigned long long)cm->slice_done, (unsigned long long)max, pc, cm7_pc(cm));
	cm->instructions += cm->slice_done;
	if (cm->slice_done)
		cm->s_retire_st = true;
	finish_run(cm);
	return cm->slice_done;
}

/* DHCSR writes: halt, step and resume, done synchronously (ARMv7-M C1.6.2). */
void cm7_write_dhcsr(struct cm7 *cm, uint32_t value)
{
	if ((value >> 16) != 0xA05F)
		return;
	uint32_t ctrl = value & (DHCSR_C_DEBUGEN | DHCSR_C_HALT | DHCSR_C_STEP |
			DHCSR_C_MASKINTS | DHCSR_C_SNAPSTALL);

	if (!(ctrl & DHCSR_C_DEBUGEN))
		ctrl = 0;
	cm->dhcsr_ctrl = ctrl;
	switch (cm->state) {
	case CM7_RUNNING:
	case CM7_LOCKUP:
	case CM7_SLEEP:		/* a debug request wakes a sleeping core */
		if (ctrl & DHCSR_C_HALT)
			enter_debug_state(cm, DFSR_HALTED);
		break;
	case CM7_HALTED:
		if (ctrl & DHCSR_C_HALT)
			break;
		cm->state = CM7_RUNNING;
		if (ctrl & DHCSR_C_STEP) {
			cm7_run(cm, 1);
			/* stepping onto WFI: the pending halt wakes the core at once */
			if (cm->state == CM7_RUNNING || cm->state == CM7_SLEEP)
				enter_debug_state(cm, DFSR_HALTED);
		}
		break;
	case CM7_RESET:
		break;
	}
}

/*
 * Stale instructions dropped by an invalidate: while the core executes (its
 * own ICIALLU), leave the run so that they go before the next instruction.
 */
static void icache_dropped(struct cm7 *cm)
{
	cm->ic_last_line = 1;
	if (cm->cache.n_drops || cm->cache.drops_overflow) {
		if (cm->executing)
			cm->yield_requested = true;
		else
			drop_stale_lines(cm);
	}
}

/*
 * DC 1 -> 0 with lines still valid: the model cleans and invalidates them
 * (silicon keeps them, hidden, but firmware cleans before disabling, so the
 * core sees the same memory either way). IC 1 -> 0 invalidates the I-cache.
 */
void cm7_write_ccr(struct cm7 *cm, uint32_t value)
{
	bool dc = value & CCR_DC, ic = value & CCR_IC;

	cm->ccr = value;
	if (cm->dc_on && !dc)
		cache_d_all(&cm->cache, CACHE_OP_CLEAN | CACHE_OP_INVALIDATE);
	if (cm->ic_on && !ic) {
		cache_i_invalidate_all(&cm->cache);
		icache_dropped(cm);
	}
	if (dc != cm->dc_on || ic != cm->ic_on)
		sim_trace("core: D-cache %s, I-cache %s", dc ? "on" : "off", ic ? "on" : "off");
	cm->dc_on = dc;
	cm->ic_on = ic;
}

void cm7_cache_reset(struct cm7 *cm)
{
	cache_reset(&cm->cache);
	icache_dropped(cm);
}

/* The maintenance registers, 0xE000EF50-0xE000EF78 (ARMv7-M B2.2.7). */
void cm7_cache_maintenance(struct cm7 *cm, uint32_t scs_off, uint32_t value)
{
	struct cache *c = &cm->cache;

	switch (scs_off) {
	case 0xF50:	/* ICIALLU */
		cache_i_invalidate_all(c);
		icache_dropped(cm);
		break;
	case 0xF58:	/* ICIMVAU */
		cache_i_invalidate_addr(c, value);
		icache_dropped(cm);
		break;
	case 0xF5C:	/* DCIMVAC */
		cache_d_by_addr(c, value, CACHE_OP_INVALIDATE);
		break;
	case 0xF60:	/* DCISW */
		cache_d_by_setway(c, value, CACHE_OP_INVALIDATE);
		break;
	case 0xF64:	/* DCCMVAU */
	case 0xF68:	/* DCCMVAC */
		cache_d_by_addr(c, value, CACHE_OP_CLEAN);
		break;
	case 0xF6C:	/* DCCSW */
		cache_d_by_setway(c, value, CACHE_OP_CLEAN);
		break;
	case 0xF70:	/* DCCIMVAC */
		cache_d_by_addr(c, value, CACHE_OP_CLEAN | CACHE_OP_INVALIDATE);
		break;
	case 0xF74:	/* DCCISW */
		cache_d_by_setway(c, value, CACHE_OP_CLEAN | CACHE_OP_INVALIDATE);
		break;
	default:	/* BPIALL: no branch predictor state is modelled */
		break;
	}
}
