/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The STM32H743 as a whole: memory map, the three buses the debug access
 * ports see, the JTAG chain, resets, and the scheduler that lets the core
 * run between and beside debug transactions on the virtual clock.
 */
#ifndef H743SIM_STM32H743_H
#define H743SIM_STM32H743_H

#include "bus.h"
#include "clocks.h"
#include "cm7.h"
#include "dma.h"
#include "flash.h"
#include "iwdg.h"
#include "dp.h"
#include "jtag_dp.h"
#include "mem_ap.h"
#include "otg.h"
#include "periph.h"
#include "rbb.h"
#include "sdmmc.h"
#include "systick.h"
#include "swd_dp.h"
#include "tap.h"
#include "tim.h"
#include "unimp.h"
#include "vclock.h"
#include "vdebug.h"

#define CHIP_TIMERS	4

#define SYSMEM1_BASE	0x1FF00000u
#define SYSMEM2_BASE	0x1FF40000u
#define SYSMEM_SIZE	0x00020000u
#define AXI_SRAM_BASE	0x24000000u
#define AXI_SRAM_SIZE	0x00080000u
#define SRAM4_BASE	0x38000000u
#define SRAM4_SIZE	0x00010000u
#define BKPSRAM_BASE	0x38800000u
#define BKPSRAM_SIZE	0x00001000u
#define UID_ADDR	0x1FF1E800u
#define FLASH_SIZE_ADDR	0x1FF1E880u

struct chip_config {
	uint16_t rev_id;		/* REV_ID_Y or REV_ID_V */
	uint64_t tck_hz;
	uint64_t swclk_hz;		/* the SWD probe's clock at divider 1 */
	uint64_t cpu_hz;
	uint64_t hse_hz;		/* crystal on OSC_IN (0: the 25 MHz default) */
	const struct flash_variant *variant;
};

enum chip_transport {
	TRANSPORT_NONE,
	TRANSPORT_JTAG,		/* remote_bitbang */
	TRANSPORT_SWD,		/* vdebug, dapdirect_swd */
};

struct chip_memories {
	uint8_t *itcm, *dtcm, *axi, *sram1, *sram2, *sram3, *sram4, *bkpsram;
	uint8_t *flash, *sysmem1, *sysmem2;
};

struct stm32h743 {
	struct chip_config cfg;
	struct vclock clock;
	uint64_t tck_period_ps;
	uint64_t cpu_period_ps;
	int64_t wire_debt_ps;		/* TCK time the chip has not yet lived through */
	uint64_t tck_cycles;

	struct chip_memories mem;
	struct bus cpu_bus;		/* the system as the CPU and AP0 see it */
	struct bus d3_bus;		/* AP1 */
	struct bus apbd_bus;		/* AP2 */
	struct periph_set periph;
	struct unimp unimp;		/* register files: peripherals without a model */
	struct apbd_component apbd_rom, apbd_swo, apbd_swtf, apbd_tpiu;
	struct cm7 core;
	struct flash flash;
	struct iwdg iwdg;
	struct systick systick;		/* the core's, kept here on the chip's clock */
	struct tim tim[CHIP_TIMERS];	/* TIM2-TIM5 */
	struct dma dma[2];		/* DMA1, DMA2 */
	struct otg otg[2];		/* OTG_HS (USB1), OTG_FS (USB2): reset handshake only */
	struct sdmmc sdmmc[2];		/* SDMMC1, SDMMC2: command path, no card */
	struct clock_tree clocks;	/* as of the last chip_update_watches() */
	bool latency_short;		/* FLASH_ACR.LATENCY below what the clock needs */
	bool flash_via_bus[2];		/* CPU reads of a bank go through the flash model */
	bool watch_dirty;		/* a clock, VOS or ACR register changed */
	bool d1_debug_lost;		/* D1 Stop without DBGSTOP_D1: AP0 is gone until reset */
	/* called when an injected power loss strikes: save state and restart */
	void (*power_lost)(void *ctx);
	void *power_lost_ctx;

	/* the SWJ-DP: one debug port, reached over JTAG or over SWD */
	struct adi_dp dp;
	struct mem_ap ap0, ap1, ap2;
	struct tap dap_tap, bs_tap;
	struct tap_chain chain;
	struct jtag_dp jtag_dp;
	struct rbb rbb;			/* the JTAG wire: remote_bitbang */
	struct swd_dp swd_dp;
	struct vdebug vdebug;		/* the SWD wire: a DAP-level probe (vdebug) */
	enum chip_transport transport;	/* of the current or last connection */
	bool srst;

	/* spin detection for run-ahead */
	uint32_t spin_regs[17];
	bool spin_valid;
	bool spinning;			/* the core repeats a loop without writing */
	uint64_t slice_progress;	/* instructions into the current detection slice */
	/* the debugger's last reads: the same value read again means it polls */
	uint32_t poll_addr, poll_value;
	unsigned int poll_count;
	bool poll_step_due;		/* a repeated read: the debugger waits for the chip */
	bool client_connected;		/* without a debugger, time just flows */
	bool debugger_seen;		/* debug power requested since power-on */
	uint64_t system_resets;
};

/* h743sim's defaults: rev V, TCK 4 MHz, SWCLK 24 MHz, core 64 MHz, 25 MHz HSE, the first variant. */
void chip_config_default(struct chip_config *cfg);
int chip_init(struct stm32h743 *chip, const struct chip_config *cfg);
void chip_free(struct stm32h743 *chip);
void chip_power_on(struct stm32h743 *chip);
/* A debugger connected: the wire starts afresh, time-based faults are armed. */
void chip_client_connect(struct stm32h743 *chip);
/*
 * The connection's first bytes tell its protocol: the SWJ-DP follows (a
 * probe's select sequence is part of its connect).
 */
void chip_select_transport(struct stm32h743 *chip, enum chip_transport transport);
const char *chip_transport_name(enum chip_transport transport);
/* Bytes received from debuggers over both wires, since start. */
uint64_t chip_wire_bytes_in(const struct stm32h743 *chip);
/* A system reset (SYSRESETREQ, IWDG): rsr_flags say which, for RCC_RSR. */
void chip_system_reset(struct stm32h743 *chip, uint32_t rsr_flags);
/* NRST driven by the debugger: the reset starts at assertion, the core runs at release. */
void chip_set_srst(struct stm32h743 *chip, bool asserted);

/*
 * Re-evaluate what must be watched after flash state changes (ECC errors),
 * the clock tree and wait states, and the watchdog's freeze.
 */
void chip_update_watches(struct stm32h743 *chip);

/* Live through the TCK time accumulated by the wire (core and pending events). */
void chip_settle(struct stm32h743 *chip);
/*
 * No debugger is connected and nothing arrives: let the chip run on its own by
 * at most max_ps. Returns true when the chip is quiescent (see chip_is_quiet).
 */
bool chip_run_ahead(struct stm32h743 *chip, uint64_t max_ps);
/*
 * Nothing will change until the debugger acts: the core is halted, asleep or
 * spinning without writes, and no event that could wake it is pending.
 */
bool chip_is_quiet(struct stm32h743 *chip);

#endif
