// SPDX-License-Identifier: GPL-2.0-or-later
#include "stm32h743.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

/* Instructions per run-ahead slice: a multiple of every loop length up to 8, so
 * a polling loop is seen at the same PC at the end of consecutive slices. */
#define SPIN_SLICE 840
/* How long a host pauses between two polls of a busy core (OpenOCD's FIFO loop: 2 ms). */
#define POLL_STEP_PS (2 * PS_PER_MS)

static const struct cs_component id_apbd_rom;
static const uint32_t apbd_rom_entries[] = { 0x00003003, 0x00004003, 0x00015003, 0 };
static const struct cs_component id_apbd_rom = {
	0x450, JEP106_ST, 0, CS_CLASS_ROM, 0x01, apbd_rom_entries,
};
static const struct cs_component id_swo = { 0x914, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x11, NULL };
static const struct cs_component id_swtf = { 0x908, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x12, NULL };
static const struct cs_component id_tpiu = { 0x912, JEP106_ARM, 0, CS_CLASS_DEBUG, 0x11, NULL };

static void spin_reset(struct stm32h743 *chip);

/* JTAG-DP TAP: ABORT, DPACC and APACC select the 35-bit scan chain. */
static unsigned int dap_dr_length(struct tap *tap, unsigned int ir)
{
	(void)tap;
	return (ir == DP_IR_ABORT || ir == DP_IR_DPACC || ir == DP_IR_APACC) ? 35 : 0;
}

static uint64_t dap_dr_capture(struct tap *tap, unsigned int ir)
{
	struct stm32h743 *chip = tap->ctx;

	(void)ir;
	return jtag_dp_capture(&chip->jtag_dp);
}

static void dap_dr_update(struct tap *tap, unsigned int ir, uint64_t value)
{
	struct stm32h743 *chip = tap->ctx;

	jtag_dp_update(&chip->jtag_dp, ir, value);
}

static const struct tap_ops dap_tap_ops = {
	.dr_length = dap_dr_length,
	.dr_capture = dap_dr_capture,
	.dr_update = dap_dr_update,
};

static void on_tck_edge(void *ctx)
{
	struct stm32h743 *chip = ctx;

	chip->tck_cycles++;
	chip->wire_debt_ps += (int64_t)chip->tck_period_ps;
}

static void on_swd_wire_time(void *ctx, uint64_t ps)
{
	struct stm32h743 *chip = ctx;

	chip->wire_debt_ps += (int64_t)ps;
}

static void on_swd_reset_line(void *ctx, bool srst)
{
	struct stm32h743 *chip = ctx;

	chip_settle(chip);
	chip_set_srst(chip, srst);
}

static void on_reset_lines(void *ctx, bool trst, bool srst)
{
	struct stm32h743 *chip = ctx;

	chip_settle(chip);
	tap_chain_set_trst(&chip->chain, trst);
	chip_set_srst(chip, srst);
}

static void update_freezes(struct stm32h743 *chip);

static bool debugger_attached(void *ctx);

static void before_ap_access(void *ctx)
{
	chip_settle(ctx);
	debugger_attached(ctx);		/* latch it */
	chip_update_watches(ctx);
}

static void poll_step(struct stm32h743 *chip);

/*
 * A debug access may have halted or resumed the core, or changed DBGMCU; a
 * repeated read says the debugger waits for the chip.
 */
static void after_ap_access(void *ctx)
{
	struct stm32h743 *chip = ctx;

	update_freezes(chip);
	if (chip->poll_step_due) {
		chip->poll_step_due = false;
		poll_step(chip);
	}
}

/* While SRST is held only the PPB answers through AP0 (srst_nogate). */
static bool cpu_bus_gate(void *ctx, const struct bus_region *r, enum bus_master who)
{
	struct stm32h743 *chip = ctx;

	return !(chip->srst && who == MASTER_AP0 && r->base != CM7_PPB_BASE);
}

static void on_memory_changed(void *ctx, uint32_t addr, uint32_t len)
{
	struct stm32h743 *chip = ctx;

	cm7_code_changed(&chip->core, addr, len);
}

/*
 * Debugger accesses. A write ends a spin only if the loop could see it:
 * memory the loop reads, or any device register (debug registers,
 * peripherals). Reads tell whether the debugger is polling: the same address
 * read again with the same result means it waits for the chip.
 */
static void on_debug_access(void *ctx, const struct bus_region *r, uint32_t addr,
		unsigned int size, bool write, uint32_t value)
{
	struct stm32h743 *chip = ctx;

	if (!write) {
		if (chip->poll_count && addr == chip->poll_addr && value == chip->poll_value) {
			chip->poll_count++;
			chip->poll_step_due = true;
		} else {
			chip->poll_addr = addr;
			chip->poll_value = value;
			chip->poll_count = 1;
		}
		return;
	}
	chip->poll_count = 0;
	if (!chip->spinning && !chip->spin_valid)
		return;
	if (!r->mem || r->ops || cm7_reads_touch(&chip->core, addr, size))
		spin_reset(chip);
}

static void on_sysresetreq(void *ctx)
{
	chip_system_reset(ctx, RSR_SOFT_RESET);
}

static void on_iwdg_expired(void *ctx)
{
	chip_system_reset(ctx, RSR_IWDG_RESET);
}

/*
 * A clock, VOS or FLASH_ACR register changed: what flash reads return may
 * change with it. The core leaves its run so the next instruction already
 * reads the new way.
 */
static void on_timing_changed(void *ctx)
{
	struct stm32h743 *chip = ctx;

	chip->watch_dirty = true;
	cm7_yield(&chip->core);
}

/*
 * WFI/WFE. With SLEEPDEEP, D1 enters Stop (PWR_CPUCR.STOPF). Unless
 * DBGMCU_CR.DBGSTOP_D1 keeps the debug clocks on, the debugger loses the
 * core's AHB-AP until a reset; AP2 (APB-D, DBGMCU) still answers. Stop is
 * taken to last until a reset or a debug halt: no wake-up source (EXTI,
 * interrupts) is modelled. UNCONFIRMED: that setting DBGSTOP_D1 later does
 * not bring AP0 back.
 */
static void on_sleep_entered(void *ctx, bool deep)
{
	struct stm32h743 *chip = ctx;

	if (!deep)
		return;
	periph_note_stop(&chip->periph);
	if (regdev_get(&chip->periph.dbgmcu, DBGMCU_CR) & DBGMCU_CR_DBGSTOP_D1)
		return;
	chip->d1_debug_lost = true;
	chip->ap0.unclocked = true;
	sim_info("core: D1 entered Stop with DBGMCU_CR.DBGSTOP_D1 clear; AP0 is lost until a reset");
}

/*
 * A debugger seen since power-on (debug power requested at any time): under
 * read protection the flash stays blocked for the CPU until a power cycle,
 * through NRST and after the probe is gone (UNCONFIRMED, RM0433
 * 4.5.3 and the public reports of boards that run again only after a power
 * cycle once a debugger had set RDP level 1).
 */
static bool debugger_attached(void *ctx)
{
	struct stm32h743 *chip = ctx;

	if (chip->dp.ctrl_stat & CS_CDBGPWRUPREQ)
		chip->debugger_seen = true;
	return chip->debugger_seen;
}

static void on_power_lost(void *ctx)
{
	struct stm32h743 *chip = ctx;

	if (chip->power_lost)
		chip->power_lost(chip->power_lost_ctx);
}

/*
 * RDP level 2 turns JTAG and SWD off for good, from the end of the option
 * change that sets it, not only from the next reset: the TAPs stop answering
 * (UNCONFIRMED: RM0433 4.5.3 says level 2 disables debug permanently;
 * that it happens at the end of the change is the public report of a board
 * whose probe lost the chip right after OPTSTART).
 */
static void update_debug_port(struct stm32h743 *chip)
{
	bool off = flash_rdp_level(&chip->flash) == 2;

	if (off && !chip->chain.disabled)
		sim_info("RDP level 2 in force: the debug port is off for good");
	chip->chain.disabled = off;
	chip->swd_dp.silent = off;
	chip->dp.aps_disabled = off;
}

static void on_options_loaded(void *ctx)
{
	update_debug_port(ctx);
}

static void erase_backup_sram(void *ctx)
{
	struct stm32h743 *chip = ctx;

	/* memory is erased; a dirty line would still write its data back */
	cache_swap(&chip->core.cache, BKPSRAM_BASE, BKPSRAM_SIZE);
	memset(chip->mem.bkpsram, 0, BKPSRAM_SIZE);
	cache_swap(&chip->core.cache, BKPSRAM_BASE, BKPSRAM_SIZE);
}

/* The D-cache seen from the buses: debugger and DMA accesses under its lines. */
static bool bus_cache_holds(void *ctx, uint32_t addr, uint32_t len)
{
	return cache_holds(ctx, addr, len);
}

static void bus_cache_swap(void *ctx, uint32_t addr, uint32_t len)
{
	cache_swap(ctx, addr, len);
}

static const struct bus_cache_ops dcache_ops = {
	.holds = bus_cache_holds,
	.swap = bus_cache_swap,
};

static void flash_memory_view(void *ctx, uint32_t addr, uint32_t len)
{
	struct stm32h743 *chip = ctx;

	cache_swap(&chip->core.cache, addr, len);
}

static int cpu_flash_read_check(void *ctx, uint32_t addr, unsigned int size)
{
	struct stm32h743 *chip = ctx;

	return flash_cpu_read_check(&chip->flash, addr, size);
}

/* sys_ck, AXI clock, VOS and the wait states they need, from RCC and PWR. */
static void update_clocks(struct stm32h743 *chip)
{
	const struct periph_set *p = &chip->periph;
	const struct clock_regs r = {
		.rcc_cr = regdev_get(&p->rcc, RCC_CR),
		.rcc_cfgr = regdev_get(&p->rcc, RCC_CFGR),
		.rcc_d1cfgr = regdev_get(&p->rcc, RCC_D1CFGR),
		.rcc_d2cfgr = regdev_get(&p->rcc, RCC_D2CFGR),
		.rcc_pllckselr = regdev_get(&p->rcc, RCC_PLLCKSELR),
		.rcc_pll1divr = regdev_get(&p->rcc, RCC_PLL1DIVR),
		.pwr_d3cr = regdev_get(&p->pwr, PWR_D3CR),
	};
	bool was_short = chip->latency_short;

	clocks_compute(&r, chip->cfg.hse_hz ? chip->cfg.hse_hz : HSE_DEFAULT_HZ, &chip->clocks);
	systick_set_core_hz(&chip->systick, chip->clocks.cpu_hz);
	for (unsigned int i = 0; i < CHIP_TIMERS; i++)
		tim_set_kernel_hz(&chip->tim[i], chip->clocks.apb1_timer_hz);
	chip->flash.latency_needed = chip->clocks.latency_needed;
	chip->latency_short = flash_latency_short(&chip->flash);
	if (chip->latency_short != was_short)
		sim_info("flash: AXI clock %llu Hz at VOS%u needs %u wait states, FLASH_ACR.LATENCY "
			"is %u: array reads %s", (unsigned long long)chip->clocks.aclk_hz,
			chip->clocks.vos, chip->clocks.latency_needed,
			chip->flash.acr & ACR_LATENCY_MASK,
			was_short ? "are right again" : "now return wrong data");
}

/*
 * Unicorn reads the flash buffer directly. While a bank's reads are not its
 * contents (too few wait states, a collapsed supply), the CPU's accesses to
 * it go through the flash model instead; code cannot run from there then.
 */
static void update_flash_routes(struct stm32h743 *chip, bool rdp_blocks)
{
	for (unsigned int bank = 0; bank < 2; bank++) {
		bool via_bus = flash_reads_altered(&chip->flash, bank) || rdp_blocks;

		if (via_bus == chip->flash_via_bus[bank])
			continue;
		if (cm7_route_via_bus(&chip->core, FLASH_ARRAY_BASE + bank * FLASH_BANK_BYTES,
				FLASH_BANK_BYTES, via_bus) == 0)
			chip->flash_via_bus[bank] = via_bus;
	}
}

/*
 * The watchdog stops while the core is halted and DBGMCU_APB4FZ1.DBG_IWDG1
 * is set, and in Stop when the option bit FZ_IWDG_STOP is 0. SysTick
 * counts only while the core runs or sleeps (it is the core's clock);
 * TIM2-5 stop while the core is halted with their DBGMCU_APB1LFZ1 bit,
 * and in Stop (the D2 clocks are off).
 */
static void update_freezes(struct stm32h743 *chip)
{
	const struct cm7 *core = &chip->core;
	bool halted = core->state == CM7_HALTED;
	bool deep = cm7_is_sleeping(core) && core->sleep_deep;
	uint32_t apb1_freeze = halted ? regdev_get(&chip->periph.dbgmcu, DBGMCU_APB1LFZ1) : 0;

	iwdg_set_frozen(&chip->iwdg, (halted &&
		(regdev_get(&chip->periph.dbgmcu, DBGMCU_APB4FZ1) & APB4FZ1_DBG_IWDG1)) ||
		(deep && !(chip->flash.cur.optsr & OPTSR_FZ_IWDG_STOP)));
	systick_set_frozen(&chip->systick, deep || (core->state != CM7_RUNNING &&
		core->state != CM7_SLEEP));
	for (unsigned int i = 0; i < CHIP_TIMERS; i++)
		tim_set_frozen(&chip->tim[i], deep || (apb1_freeze & (1u << i)));
}

/*
 * CPU data reads of the flash need checking while a word has an ECC error, or
 * while read protection holds the flash away from a debugged chip (RDP level 1
 * with a debugger attached: the core's own accesses fail too, RM0433 4.5.3).
 */
void chip_update_watches(struct stm32h743 *chip)
{
	bool rdp_blocks = flash_rdp_level(&chip->flash) >= 1 && debugger_attached(chip);

	chip->watch_dirty = false;
	update_clocks(chip);
	update_flash_routes(chip, rdp_blocks);
	cm7_check_reads(&chip->core, FLASH_ARRAY_BASE, FLASH_ARRAY_BASE + FLASH_ARRAY_SIZE - 1,
		chip->flash.bad_words > 0 || rdp_blocks);
	update_freezes(chip);
}

static uint8_t *alloc_mem(size_t size, uint8_t fill)
{
	uint8_t *p = aligned_alloc(4096, size);

	if (p)
		memset(p, fill, size);
	return p;
}

static int alloc_memories(struct chip_memories *m)
{
	m->itcm = alloc_mem(64 * 1024, 0);
	m->dtcm = alloc_mem(128 * 1024, 0);
	m->axi = alloc_mem(512 * 1024, 0);
	m->sram1 = alloc_mem(128 * 1024, 0);
	m->sram2 = alloc_mem(128 * 1024, 0);
	m->sram3 = alloc_mem(32 * 1024, 0);
	m->sram4 = alloc_mem(64 * 1024, 0);
	m->bkpsram = alloc_mem(4 * 1024, 0);
	m->flash = alloc_mem(FLASH_ARRAY_SIZE, 0xFF);
	m->sysmem1 = alloc_mem(SYSMEM_SIZE, 0);
	m->sysmem2 = alloc_mem(SYSMEM_SIZE, 0);
	return (m->itcm && m->dtcm && m->axi && m->sram1 && m->sram2 && m->sram3 && m->sram4 &&
		m->bkpsram && m->flash && m->sysmem1 && m->sysmem2) ? 0 : -1;
}

/* Factory words in system memory: unique ID and flash size in KiB. */
static void write_factory_words(struct stm32h743 *chip)
{
	static const uint32_t uid[3] = { 0x00350024, 0x32385111, 0x33373730 };
	uint8_t *base = chip->mem.sysmem1;

	for (int i = 0; i < 3; i++)
		mem_store(base + (UID_ADDR - SYSMEM1_BASE) + 4 * i, 4, uid[i]);
	mem_store(base + (FLASH_SIZE_ADDR - SYSMEM1_BASE), 2, chip->cfg.variant->size_kb);
}

/* TIM2-TIM5 on APB1 with their NVIC lines (RM0433 "Memory map", "NVIC"). */
static const struct { const char *name; uint32_t base; bool wide; unsigned int irq; } timers[] = {
	{ "TIM2", 0x40000000, true, 28 }, { "TIM3", 0x40000400, false, 29 },
	{ "TIM4", 0x40000800, false, 30 }, { "TIM5", 0x40000C00, true, 50 },
};

#define DMA1_BASE	0x40020000u
#define DMA2_BASE	0x40020400u
static const uint8_t dma1_irqs[DMA_STREAMS] = { 11, 12, 13, 14, 15, 16, 17, 47 };
static const uint8_t dma2_irqs[DMA_STREAMS] = { 56, 57, 58, 59, 60, 68, 69, 70 };

/* A peripheral's interrupt line changed: the NVIC latches it, a sleeping core may wake. */
static void on_irq_line(void *ctx, unsigned int irq, bool high)
{
	struct stm32h743 *chip = ctx;

	nvic_set_line(&chip->core.nvic, irq, high);
	cm7_exceptions_changed(&chip->core);
}

static void on_systick(void *ctx)
{
	struct stm32h743 *chip = ctx;

	nvic_set_pending(&chip->core.nvic, EXC_SYSTICK);
	cm7_exceptions_changed(&chip->core);
}

/* SysTick is part of the core: every core reset (also VECTRESET) resets it. */
static void on_core_reset(void *ctx)
{
	struct stm32h743 *chip = ctx;

	systick_reset(&chip->systick);
}

static void init_devices(struct stm32h743 *chip)
{
	systick_init(&chip->systick, &chip->clock, on_systick, chip);
	chip->core.systick_ops = &systick_ops;
	chip->core.systick = &chip->systick;
	chip->core.core_reset = on_core_reset;
	for (unsigned int i = 0; i < CHIP_TIMERS; i++)
		tim_init(&chip->tim[i], timers[i].name, &chip->clock, timers[i].wide, timers[i].irq,
			on_irq_line, chip);
	dma_init(&chip->dma[0], "DMA1", &chip->cpu_bus, dma1_irqs, on_irq_line, chip);
	dma_init(&chip->dma[1], "DMA2", &chip->cpu_bus, dma2_irqs, on_irq_line, chip);
	chip->otg[0].name = "OTG_HS";
	chip->otg[1].name = "OTG_FS";
	sdmmc_init(&chip->sdmmc[0], "SDMMC1", 49, on_irq_line, chip);
	sdmmc_init(&chip->sdmmc[1], "SDMMC2", 124, on_irq_line, chip);
}

static void reset_devices(struct stm32h743 *chip)
{
	for (unsigned int i = 0; i < CHIP_TIMERS; i++)
		tim_reset(&chip->tim[i]);
	dma_reset(&chip->dma[0]);
	dma_reset(&chip->dma[1]);
	otg_reset(&chip->otg[0]);
	otg_reset(&chip->otg[1]);
	sdmmc_reset(&chip->sdmmc[0]);
	sdmmc_reset(&chip->sdmmc[1]);
}

/*
 * What the L1 caches may hold with the default memory map (no MPU; ARMv7-M
 * B3.1): the Code region (flash) write-through, the SRAM region write-back
 * write-allocate. TCMs, system memory and devices are never cached.
 */
static void add_cache_ranges(struct stm32h743 *chip)
{
	struct cache *c = &chip->core.cache;
	struct chip_memories *m = &chip->mem;

	cache_add_range(c, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE, m->flash, false);
	cache_add_range(c, AXI_SRAM_BASE, AXI_SRAM_SIZE, m->axi, true);
	cache_add_range(c, 0x30000000, 128 * 1024, m->sram1, true);
	cache_add_range(c, 0x30020000, 128 * 1024, m->sram2, true);
	cache_add_range(c, 0x30040000, 32 * 1024, m->sram3, true);
	cache_add_range(c, SRAM4_BASE, SRAM4_SIZE, m->sram4, true);
	cache_add_range(c, BKPSRAM_BASE, BKPSRAM_SIZE, m->bkpsram, true);
}

/* The memory map as the CPU and AP0 see it (RM0433 section 2.3.2). */
static void build_cpu_bus(struct stm32h743 *chip)
{
	struct bus *b = &chip->cpu_bus;
	struct chip_memories *m = &chip->mem;

	bus_init(b, "ahb");
	bus_add_memory(b, "ITCM", 0x00000000, 64 * 1024, m->itcm, false);
	struct bus_region *flash = bus_add_memory(b, "flash", FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE,
			m->flash, true);

	/* The CPU executes from the array; every other access goes through the model. */
	flash->ops = &flash_array_ops;
	flash->ctx = &chip->flash;
	bus_add_memory(b, "system memory bank 1", SYSMEM1_BASE, SYSMEM_SIZE, m->sysmem1, true);
	bus_add_memory(b, "system memory bank 2", SYSMEM2_BASE, SYSMEM_SIZE, m->sysmem2, true);
	bus_add_memory(b, "DTCM", 0x20000000, 128 * 1024, m->dtcm, false);
	bus_add_memory(b, "AXI SRAM", 0x24000000, 512 * 1024, m->axi, false);
	bus_add_memory(b, "SRAM1", 0x30000000, 128 * 1024, m->sram1, false);
	bus_add_memory(b, "SRAM2", 0x30020000, 128 * 1024, m->sram2, false);
	bus_add_memory(b, "SRAM3", 0x30040000, 32 * 1024, m->sram3, false);
	bus_add_memory(b, "SRAM4", 0x38000000, 64 * 1024, m->sram4, false);
	bus_add_memory(b, "backup SRAM", 0x38800000, 4 * 1024, m->bkpsram, false);
	bus_add_device(b, "RCC", RCC_BASE, 0x400, &regdev_ops, &chip->periph.rcc);
	bus_add_device(b, "PWR", PWR_BASE, 0x400, &regdev_ops, &chip->periph.pwr);
	bus_add_device(b, "DBGMCU", DBGMCU_BASE, 0x400, &regdev_ops, &chip->periph.dbgmcu);
	bus_add_device(b, "IWDG1", IWDG1_BASE, IWDG_SIZE, &iwdg_ops, &chip->iwdg);
	bus_add_device(b, "FLASH", FLASH_REGS_BASE, FLASH_REGS_SIZE, &flash_regs_ops, &chip->flash);
	bus_add_device(b, "PPB", CM7_PPB_BASE, CM7_PPB_SIZE, &cm7_ppb_ops, &chip->core);
	for (unsigned int i = 0; i < CHIP_TIMERS; i++)
		bus_add_device(b, timers[i].name, timers[i].base, TIM_SIZE, &tim_ops, &chip->tim[i]);
	bus_add_device(b, "DMA1", DMA1_BASE, DMA_SIZE, &dma_ops, &chip->dma[0]);
	bus_add_device(b, "DMA2", DMA2_BASE, DMA_SIZE, &dma_ops, &chip->dma[1]);
	bus_add_device(b, "USB1 OTG_HS", OTG_HS_BASE, OTG_MODEL_SIZE, &otg_ops, &chip->otg[0]);
	bus_add_device(b, "USB2 OTG_FS", OTG_FS_BASE, OTG_MODEL_SIZE, &otg_ops, &chip->otg[1]);
	bus_add_device(b, "SDMMC1", SDMMC1_BASE, SDMMC_SIZE, &sdmmc_ops, &chip->sdmmc[0]);
	bus_add_device(b, "SDMMC2", SDMMC2_BASE, SDMMC_SIZE, &sdmmc_ops, &chip->sdmmc[1]);
	unimp_map(&chip->unimp, b);	/* last: the modelled devices above win */
	b->gate = cpu_bus_gate;
	b->gate_ctx = chip;
	b->changed = on_memory_changed;
	b->changed_ctx = chip;
	b->debug_access = on_debug_access;
	b->debug_access_ctx = chip;
	b->cache = &dcache_ops;
	b->cache_ctx = &chip->core.cache;
}

/* AP1 reaches the D3 domain memories directly: memory, never the core's D-cache. */
static void build_d3_bus(struct stm32h743 *chip)
{
	struct bus *b = &chip->d3_bus;

	bus_init(b, "d3");
	b->debug_access = on_debug_access;
	b->debug_access_ctx = chip;
	b->cache = &dcache_ops;
	b->cache_ctx = &chip->core.cache;
	bus_add_memory(b, "SRAM4", 0x38000000, 64 * 1024, chip->mem.sram4, false);
	bus_add_memory(b, "backup SRAM", 0x38800000, 4 * 1024, chip->mem.bkpsram, false);
}

/* AP2: the debug APB with the system ROM table, DBGMCU and trace components. */
static void build_apbd_bus(struct stm32h743 *chip)
{
	struct bus *b = &chip->apbd_bus;

	chip->apbd_rom.id = &id_apbd_rom;
	chip->apbd_swo.id = &id_swo;
	chip->apbd_swtf.id = &id_swtf;
	chip->apbd_tpiu.id = &id_tpiu;
	bus_init(b, "apb-d");
	bus_add_device(b, "APB-D ROM table", 0xE00E0000, 0x1000, &apbd_component_ops,
		&chip->apbd_rom);
	bus_add_device(b, "DBGMCU", DBGMCU_APBD_BASE, 0x1000, &regdev_ops, &chip->periph.dbgmcu);
	bus_add_device(b, "SWO", 0xE00E3000, 0x1000, &apbd_component_ops, &chip->apbd_swo);
	bus_add_device(b, "SWTF", 0xE00E4000, 0x1000, &apbd_component_ops, &chip->apbd_swtf);
	bus_add_device(b, "TPIU", 0xE00F5000, 0x1000, &apbd_component_ops, &chip->apbd_tpiu);
}

static void build_swd(struct stm32h743 *chip)
{
	struct vdebug_hooks hooks = {
		.wire_time = on_swd_wire_time, .reset_line = on_swd_reset_line, .ctx = chip,
	};

	swd_dp_init(&chip->swd_dp, &chip->dp);
	vdebug_init(&chip->vdebug, &chip->swd_dp, chip->cfg.swclk_hz, &hooks);
}

static void build_jtag(struct stm32h743 *chip)
{
	chip->dap_tap = (struct tap){
		.name = "cpu", .ir_length = 4, .ir_capture = 0x1, .idcode_ir = DP_IR_IDCODE,
		.idcode = 0x6BA00477, .ops = &dap_tap_ops, .ctx = chip,
	};
	chip->bs_tap = (struct tap){
		.name = "bs", .ir_length = 5, .ir_capture = 0x1, .idcode_ir = 0x01,
		.idcode = 0x06450041,
	};
	tap_chain_init(&chip->chain);
	tap_chain_add(&chip->chain, &chip->dap_tap);	/* nearest TDO */
	tap_chain_add(&chip->chain, &chip->bs_tap);

	jtag_dp_init(&chip->jtag_dp, &chip->dp);

	struct rbb_hooks hooks = {
		.tck_edge = on_tck_edge, .reset_lines = on_reset_lines, .ctx = chip,
	};
	rbb_init(&chip->rbb, &chip->chain, &hooks);
}

/* The debug port and its three MEM-APs (AP0 AXI, AP1 D3 AHB, AP2 APB-D). */
static void build_dp(struct stm32h743 *chip)
{
	memset(&chip->dp, 0, sizeof(chip->dp));
	mem_ap_init(&chip->ap0, "ap0", 0x84770001, 0xE00FE003, &chip->cpu_bus, MASTER_AP0);
	chip->ap0.core_port = true;
	mem_ap_init(&chip->ap1, "ap1", 0x84770001, 0x00000002, &chip->d3_bus, MASTER_AP1);
	mem_ap_init(&chip->ap2, "ap2", 0x54770002, 0xE00E0003, &chip->apbd_bus, MASTER_AP2);
	dp_attach_ap(&chip->dp, 0, &chip->ap0);
	dp_attach_ap(&chip->dp, 1, &chip->ap1);
	dp_attach_ap(&chip->dp, 2, &chip->ap2);
	chip->dp.before_ap = before_ap_access;
	chip->dp.after_ap = after_ap_access;
	chip->dp.ctx = chip;
}

void chip_config_default(struct chip_config *cfg)
{
	*cfg = (struct chip_config){
		.rev_id = REV_ID_V, .tck_hz = 4000000, .swclk_hz = 24000000, .cpu_hz = 64000000,
		.hse_hz = HSE_DEFAULT_HZ, .variant = &flash_variants[0],
	};
}

int chip_init(struct stm32h743 *chip, const struct chip_config *cfg)
{
	memset(chip, 0, sizeof(*chip));
	chip->cfg = *cfg;
	vclock_init(&chip->clock);
	log_set_clock(&chip->clock);
	chip->tck_period_ps = PS_PER_S / cfg->tck_hz;
	chip->cpu_period_ps = PS_PER_S / cfg->cpu_hz;
	if (alloc_memories(&chip->mem) != 0) {
		sim_warn("out of memory for the chip's memories");
		return -1;
	}
	periph_init(&chip->periph, cfg->rev_id);
	if (unimp_init(&chip->unimp) != 0) {
		sim_warn("out of memory for the peripheral register files");
		return -1;
	}
	chip->periph.rcc.changed = on_timing_changed;
	chip->periph.rcc.changed_ctx = chip;
	chip->periph.pwr.changed = on_timing_changed;
	chip->periph.pwr.changed_ctx = chip;
	iwdg_init(&chip->iwdg, &chip->clock, on_iwdg_expired, chip);
	if (cm7_init(&chip->core, &chip->cpu_bus) != 0)
		return -1;
	chip->core.system_reset = on_sysresetreq;
	chip->core.sleep_entered = on_sleep_entered;
	chip->core.chip = chip;
	chip->core.read_check = cpu_flash_read_check;
	chip->core.read_check_ctx = chip;
	init_devices(chip);

	struct flash_hooks hooks = {
		.code_changed = on_memory_changed, .debugger_attached = debugger_attached,
		.power_lost = on_power_lost, .erase_backup_sram = erase_backup_sram,
		.timing_changed = on_timing_changed, .options_loaded = on_options_loaded,
		.memory_view = flash_memory_view, .ctx = chip,
	};

	flash_init(&chip->flash, &chip->clock, cfg->variant, cfg->rev_id, chip->mem.flash, &hooks);
	add_cache_ranges(chip);
	build_cpu_bus(chip);
	build_d3_bus(chip);
	build_apbd_bus(chip);
	build_dp(chip);
	build_jtag(chip);
	build_swd(chip);
	write_factory_words(chip);
	return cm7_map_bus(&chip->core);
}

void chip_free(struct stm32h743 *chip)
{
	struct chip_memories *m = &chip->mem;

	cm7_free(&chip->core);
	unimp_free(&chip->unimp);
	free(m->itcm), free(m->dtcm), free(m->axi), free(m->sram1), free(m->sram2);
	free(m->sram3), free(m->sram4), free(m->bkpsram), free(m->flash);
	free(m->sysmem1), free(m->sysmem2);
}

/* The flash controller reloads its option bytes, which give the boot address. */
static void reset_flash(struct stm32h743 *chip)
{
	spin_reset(chip);
	flash_reset(&chip->flash);
	update_debug_port(chip);
	chip->core.boot_address = flash_boot_address(&chip->flash);
	chip_update_watches(chip);
}

/* The IWDG1_SW option bit at 0 starts the watchdog at every reset (UNCONFIRMED). */
static void start_iwdg(struct stm32h743 *chip)
{
	iwdg_reset(&chip->iwdg, !(chip->flash.cur.optsr & OPTSR_IWDG1_SW));
}

/* Every reset ends Stop and gives the debugger the core's access port back. */
static void leave_stop(struct stm32h743 *chip)
{
	chip->d1_debug_lost = false;
	chip->ap0.unclocked = false;
}

void chip_client_connect(struct stm32h743 *chip)
{
	rbb_connect(&chip->rbb);
	chip->transport = TRANSPORT_NONE;
	flash_start_faults(&chip->flash);
	chip->client_connected = true;
	chip->poll_count = 0;
}

void chip_select_transport(struct stm32h743 *chip, enum chip_transport transport)
{
	chip->transport = transport;
	if (transport == TRANSPORT_JTAG)
		swd_dp_select_jtag(&chip->swd_dp);
	/* SWD: the probe's connect sends the JTAG-to-SWD sequence (vdebug.c) */
	sim_info("debugger speaks %s", chip_transport_name(transport));
}

const char *chip_transport_name(enum chip_transport transport)
{
	switch (transport) {
	case TRANSPORT_JTAG:
		return "JTAG (remote_bitbang)";
	case TRANSPORT_SWD:
		return "SWD (vdebug, DAP level)";
	default:
		return "nothing yet";
	}
}

uint64_t chip_wire_bytes_in(const struct stm32h743 *chip)
{
	return chip->rbb.bytes_in + chip->vdebug.bytes_in;
}

void chip_power_on(struct stm32h743 *chip)
{
	chip->debugger_seen = false;
	dp_power_on(&chip->dp);
	swd_dp_power_on(&chip->swd_dp);
	chip->periph.vos_unready = chip->flash.faults.vos_unready;
	periph_power_on(&chip->periph);
	unimp_reset(&chip->unimp);
	reset_devices(chip);
	cm7_cache_reset(&chip->core);
	cm7_power_on(&chip->core);
	leave_stop(chip);
	reset_flash(chip);
	start_iwdg(chip);
	cm7_core_reset(&chip->core);
	chip_update_watches(chip);
}

/*
 * The start of any system reset (NRST low): reset flags recorded, RCC and
 * PWR reset, the watchdog stopped, and the flash controller reset, which cuts
 * an erase or program short the way a power loss does (flash_reset()).
 */
static void begin_system_reset(struct stm32h743 *chip, uint32_t rsr_flags)
{
	chip->system_resets++;
	cm7_cache_reset(&chip->core);	/* lines lost, dirty data too */
	periph_system_reset(&chip->periph, rsr_flags);
	unimp_reset(&chip->unimp);
	reset_devices(chip);
	iwdg_reset(&chip->iwdg, false);
	leave_stop(chip);
	reset_flash(chip);
}

void chip_system_reset(struct stm32h743 *chip, uint32_t rsr_flags)
{
	begin_system_reset(chip, rsr_flags);
	start_iwdg(chip);
	cm7_core_reset(&chip->core);
	chip_update_watches(chip);
}

void chip_set_srst(struct stm32h743 *chip, bool asserted)
{
	if (asserted == chip->srst)
		return;
	chip->srst = asserted;
	sim_trace("chip: SRST %s", asserted ? "asserted" : "released");
	if (asserted) {
		begin_system_reset(chip, RSR_PIN_RESET);
		cm7_hold_reset(&chip->core, true);
	} else {
		start_iwdg(chip);
		cm7_hold_reset(&chip->core, false);
		chip_update_watches(chip);
	}
}

/* Forget what was learnt about the core spinning: something changed. */
static void spin_reset(struct stm32h743 *chip)
{
	chip->spin_valid = false;
	chip->spinning = false;
	chip->slice_progress = 0;
}

static void fire_events(struct stm32h743 *chip)
{
	if (vclock_fire_due(&chip->clock)) {
		chip_update_watches(chip);
		spin_reset(chip);
	}
}

/* After a full slice: is the core repeating itself without writing anything? */
static bool slice_was_spin(struct stm32h743 *chip)
{
	uint32_t regs[17];

	cm7_snapshot(&chip->core, regs);
	bool same = chip->spin_valid && !chip->core.wrote_memory &&
		memcmp(regs, chip->spin_regs, sizeof(regs)) == 0;

	memcpy(chip->spin_regs, regs, sizeof(regs));
	chip->spin_valid = !chip->core.wrote_memory;
	return same;
}

/*
 * Advance the core towards `until` (no event falls before it). A core that
 * spins (polling a flag that only an event or the debugger can change) is
 * fast-forwarded instead of executed: the outcome is the same, and a flash
 * loader waiting on QW no longer costs millions of instructions. A detection
 * slice may span several calls, as the wire lends the core short budgets.
 */
static void core_advance(struct stm32h743 *chip, uint64_t until, enum vclock_source src)
{
	struct vclock *clk = &chip->clock;
	struct cm7 *core = &chip->core;

	if (!cm7_is_running(core) || chip->spinning) {
		if (cm7_is_running(core))
			core->idle_cycles += (until - clk->now) / chip->cpu_period_ps;
		vclock_advance(clk, until - clk->now, src);
		return;
	}
	uint64_t n = (until - clk->now + chip->cpu_period_ps - 1) / chip->cpu_period_ps;
	uint64_t room = SPIN_SLICE - chip->slice_progress;

	if (n == 0)
		n = 1;
	if (n > room)
		n = room;
	if (chip->slice_progress == 0) {
		core->wrote_memory = false;
		cm7_record_reads(core, true);
	}
	if (chip->watch_dirty)
		chip_update_watches(chip);
	uint64_t executed = cm7_run(core, n);

	if (executed)
		vclock_advance(clk, executed * chip->cpu_period_ps, src);
	else
		vclock_advance(clk, until - clk->now, src);
	/* the run may have changed clocks, or halted or put the core to sleep */
	if (chip->watch_dirty)
		chip_update_watches(chip);
	else
		update_freezes(chip);
	chip->slice_progress += executed;
	if (executed < n || !cm7_is_running(core)) {
		chip->slice_progress = 0;	/* halted or stopped early: start over */
		core->recording_reads = false;
	} else if (chip->slice_progress == SPIN_SLICE) {
		chip->slice_progress = 0;
		core->recording_reads = false;
		chip->spinning = slice_was_spin(chip);
	}
}

/*
 * Advance the chip by up to budget_ps: pending events fire on time and the
 * core runs in between. Returns the time actually lived (instructions are
 * atomic, so it may overshoot slightly).
 */
static uint64_t live_for(struct stm32h743 *chip, uint64_t budget_ps, enum vclock_source src)
{
	struct vclock *clk = &chip->clock;
	uint64_t start = clk->now, end = clk->now + budget_ps;

	while (clk->now < end) {
		fire_events(chip);
		uint64_t next = vclock_next_event(clk);

		core_advance(chip, next < end ? next : end, src);
	}
	fire_events(chip);
	return clk->now - start;
}

void chip_settle(struct stm32h743 *chip)
{
	if (chip->wire_debt_ps <= 0)
		return;
	chip->wire_debt_ps -= (int64_t)live_for(chip, (uint64_t)chip->wire_debt_ps, VCLOCK_WIRE);
}

/* Halted, asleep or spinning: the core does nothing an event would not undo. */
static bool core_is_idle(struct stm32h743 *chip)
{
	return !cm7_is_running(&chip->core) || cm7_is_sleeping(&chip->core) || chip->spinning;
}

static bool core_is_halted(struct stm32h743 *chip)
{
	return !cm7_is_running(&chip->core) && !cm7_is_sleeping(&chip->core);
}

bool chip_is_quiet(struct stm32h743 *chip)
{
	return core_is_idle(chip) && vclock_next_wake(&chip->clock) == UINT64_MAX;
}

/* Nothing happens until the next event that could wake the core: jump to it. */
static void skip_to_wake(struct stm32h743 *chip)
{
	struct vclock *clk = &chip->clock;
	uint64_t next = vclock_next_wake(clk);

	if (next == UINT64_MAX)
		return;
	if (cm7_is_running(&chip->core))
		chip->core.idle_cycles += (next - clk->now) / chip->cpu_period_ps;
	vclock_advance(clk, next - clk->now, VCLOCK_SKIP);
	fire_events(chip);
}

/*
 * One poll interval of a debugger waiting. A halted core waits for an event
 * (an erase, the watchdog): jump to the next one that could wake it. Else
 * the chip lives one interval, or until the core halts (the debugger sees
 * that at its next poll).
 */
static void live_one_poll(struct stm32h743 *chip, uint64_t end)
{
	struct vclock *clk = &chip->clock;

	if (core_is_halted(chip)) {
		skip_to_wake(chip);
		return;
	}
	while (clk->now < end && !core_is_halted(chip)) {
		uint64_t any = vclock_next_event(clk);

		core_advance(chip, any < end ? any : end, VCLOCK_RUNAHEAD);
		fire_events(chip);
	}
}

/*
 * The debugger read the same value from the same address again: it waits for
 * the chip (a host sleeps between such polls). The chip lives until what the
 * debugger could see may have changed. The step depends on the wire traffic
 * and the virtual clock only, never on how long the host really paused, so a
 * session repeats its virtual times whatever the host load.
 */
static void poll_step(struct stm32h743 *chip)
{
	struct vclock *clk = &chip->clock;
	uint64_t start = clk->now;

	fire_events(chip);
	sim_trace("chip: debugger polls 0x%08" PRIx32 " (read %u times), core %s",
		chip->poll_addr, chip->poll_count, core_is_idle(chip) ? "idle" : "busy");
	live_one_poll(chip, start + POLL_STEP_PS);
	sim_trace("chip: lived %.3f us for the poll", (clk->now - start) / 1e6);
}

bool chip_run_ahead(struct stm32h743 *chip, uint64_t max_ps)
{
	struct vclock *clk = &chip->clock;
	uint64_t end;

	chip_settle(chip);
	end = clk->now + max_ps;
	while (clk->now < end) {
		if (chip_is_quiet(chip))
			return true;
		if (core_is_idle(chip)) {
			skip_to_wake(chip);
			continue;
		}
		uint64_t any = vclock_next_event(clk);

		core_advance(chip, any < end ? any : end, VCLOCK_RUNAHEAD);
		fire_events(chip);
	}
	return false;
}
