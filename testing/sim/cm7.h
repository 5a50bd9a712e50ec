/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cortex-M7 core: the instruction set runs on Unicorn; run control, debug
 * registers (DHCSR/DCRSR/DCRDR/DEMCR/DFSR), FPB, DWT, SCB and the PPB ROM
 * tables are modelled here (ARMv7-M ARM, part C1; Cortex-M7 TRM).
 */
#ifndef H743SIM_CM7_H
#define H743SIM_CM7_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "bus.h"
#include "cache.h"
#include "codemap.h"
#include "nvic.h"

#define CM7_CPUID	0x411FC271u	/* r1p1, as on STM32H743 rev Y and V */

#define DHCSR_C_DEBUGEN	(1u << 0)
#define DHCSR_C_HALT	(1u << 1)
#define DHCSR_C_STEP	(1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DHCSR_C_SNAPSTALL (1u << 5)
#define DHCSR_S_REGRDY	(1u << 16)
#define DHCSR_S_HALT	(1u << 17)
#define DHCSR_S_SLEEP	(1u << 18)
#define DHCSR_S_LOCKUP	(1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST (1u << 25)

#define DFSR_HALTED	(1u << 0)
#define DFSR_BKPT	(1u << 1)
#define DFSR_DWTTRAP	(1u << 2)
#define DFSR_VCATCH	(1u << 3)
#define DFSR_EXTERNAL	(1u << 4)

#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_MMERR	(1u << 4)
#define DEMCR_VC_NOCPERR (1u << 5)
#define DEMCR_VC_CHKERR	(1u << 6)
#define DEMCR_VC_STATERR (1u << 7)
#define DEMCR_VC_BUSERR	(1u << 8)
#define DEMCR_VC_INTERR	(1u << 9)
#define DEMCR_VC_HARDERR (1u << 10)

#define CONTROL_NPRIV	(1u << 0)
#define CONTROL_SPSEL	(1u << 1)
#define CONTROL_FPCA	(1u << 2)

#define CM7_FPB_COMPARATORS 8
#define CM7_DWT_COMPARATORS 4
#define CM7_MAX_RESTORES 16
#define CM7_MAX_WINDOWS 64
#define CM7_MAX_READS 8

struct mmio_window;

enum cm7_state {
	CM7_RUNNING,
	CM7_HALTED,
	CM7_RESET,	/* held in reset by SRST */
	CM7_LOCKUP,
	CM7_SLEEP,	/* after WFI/WFE, until an interrupt, a debug halt or a reset */
};

/* Why a hook stopped Unicorn for the exception model (cm7_exc.c). */
enum cm7_exc_event {
	CM7_EVT_NONE,
	CM7_EVT_INTERRUPT,	/* a pending exception can preempt: take it */
	CM7_EVT_SVC,		/* SVC executed; pc is the return address */
	CM7_EVT_RETURN,		/* a branch to an EXC_RETURN value */
	CM7_EVT_FAULT,		/* a synchronous fault found by a hook */
};

#define SCR_SLEEPDEEP	(1u << 2)
#define CCR_DC		(1u << 16)
#define CCR_IC		(1u << 17)

struct cm7_dwt_comparator {
	uint32_t comp;
	uint32_t mask;
	uint32_t function;
};

/* A store the CPU made into read-only mapped memory, to be undone. */
struct cm7_restore {
	uint32_t addr;
	uint8_t size;
	uint8_t bytes[8];
};

struct cm7 {
	uc_engine *uc;
	struct bus *bus;
	enum cm7_state state;
	uint32_t boot_address;

	/* debug state, reset only at power-on */
	uint32_t dhcsr_ctrl;
	bool s_retire_st;
	bool s_reset_st;
	uint32_t dcrdr;
	uint32_t demcr;
	uint32_t dfsr;
	bool fpb_enabled;
	uint32_t fp_comp[CM7_FPB_COMPARATORS];
	uint32_t dwt_ctrl;
	uint64_t dwt_cyccnt_base;
	struct cm7_dwt_comparator dwt[CM7_DWT_COMPARATORS];

	/* system control block; the exception state lives in the NVIC model */
	uint32_t vtor, scr, ccr, cpacr;
	uint32_t actlr, fpccr, fpcar, fpdscr, csselr;
	struct nvic nvic;
	uint32_t itm_ter, itm_tpr, itm_tcr;

	/* L1 caches (cache.c); dc_on and ic_on mirror CCR.DC and CCR.IC */
	struct cache cache;
	bool dc_on, ic_on;
	uint32_t ic_last_line;		/* line of the last fetch noted (not aligned: none) */

	/* what a hook saw that the exception model acts on after the run stops */
	enum cm7_exc_event event;
	uint32_t event_pc;		/* return address, or the EXC_RETURN value */
	unsigned int event_exc;		/* CM7_EVT_FAULT: which fault */
	uint32_t event_cfsr;		/* CM7_EVT_FAULT: the CFSR bits */
	uint32_t unmapped_addr;		/* address of the last access to unmapped memory */
	uint64_t exceptions_taken;

	/* SysTick (0xE000E010-0xE000E01F), kept by the chip on its clock; may be NULL */
	const struct bus_region_ops *systick_ops;
	void *systick;

	/* run control inside one uc_emu_start */
	uint64_t instructions;		/* retired since power-on */
	uint64_t idle_cycles;		/* cycles fast-forwarded while spinning */
	uint64_t slice_limit;
	uint64_t slice_done;
	bool halt_requested;
	uint32_t halt_dfsr;
	bool lockup_requested;
	bool wrote_memory;
	int watch_hit;			/* DWT comparator that matched, or -1 */
	bool sysreset_requested;
	bool vectreset_requested;
	bool yield_requested;		/* return to the scheduler before the next instruction */
	bool executing;			/* inside uc_emu_start */
	bool sleep_requested;		/* the last instruction was WFI or WFE */
	bool sleep_deep;		/* SCR.SLEEPDEEP when it went to sleep */
	uint32_t last_insn;		/* address of the last instruction executed */
	struct cm7_restore restores[CM7_MAX_RESTORES];
	unsigned int nrestores;

	/* memory the debugger changed: translated code there must be dropped */
	bool code_dirty;
	uint32_t dirty_lo, dirty_hi;
	struct codemap code;
	uc_hook hook_block;

	/* data addresses read during a slice, to know what a spin loop waits on */
	bool recording_reads;
	uint32_t reads[CM7_MAX_READS];
	unsigned int nreads;
	bool reads_overflow;
	uc_hook hook_record;

	uc_hook hook_code, hook_intr, hook_wprot, hook_write, hook_read, hook_check, hook_unmapped;
	bool read_hook_installed;
	bool check_hook_installed;
	bool stalled;			/* an access that never completes: no progress until reset */

	/* a device that can refuse CPU data reads (flash ECC): BUS_ERROR faults */
	int (*read_check)(void *ctx, uint32_t addr, unsigned int size);
	void *read_check_ctx;

	/* MMIO pages mapped into Unicorn, freed with the core */
	struct mmio_window *windows[CM7_MAX_WINDOWS];
	unsigned int nwindows;

	/* the core was reset (power-on, system reset, VECTRESET): SysTick too */
	void (*core_reset)(void *ctx);
	/* the chip performs system resets (SYSRESETREQ) */
	void (*system_reset)(void *ctx);
	/* the core went to sleep (WFI/WFE); deep: SLEEPDEEP was set */
	void (*sleep_entered)(void *ctx, bool deep);
	void *chip;
};

int cm7_init(struct cm7 *cm, struct bus *bus);
void cm7_free(struct cm7 *cm);
/* Map every region of the CPU's bus into Unicorn; call after the bus is complete. */
int cm7_map_bus(struct cm7 *cm);

void cm7_power_on(struct cm7 *cm);
/* Core reset: registers from the vector table, halting if vector catch asks. */
void cm7_core_reset(struct cm7 *cm);
void cm7_hold_reset(struct cm7 *cm, bool held);

/* Execute up to max instructions if running; returns how many retired. */
uint64_t cm7_run(struct cm7 *cm, uint64_t max);
bool cm7_is_running(const struct cm7 *cm);
bool cm7_is_sleeping(const struct cm7 *cm);
/* Leave the current run before the next instruction (something the core sees changed). */
void cm7_yield(struct cm7 *cm);
/*
 * Route the CPU's accesses to [addr, addr + len), part of a memory region,
 * through the bus (a device decides every read; code cannot execute there:
 * a fetch is refused) or back to the direct mapping. Page aligned.
 */
int cm7_route_via_bus(struct cm7 *cm, uint32_t addr, uint32_t len, bool via_bus);
/* Memory changed under the core (debugger write, flash program/erase). */
void cm7_code_changed(struct cm7 *cm, uint32_t addr, uint32_t len);

/* SCB_CCR written (by the core or a debugger): DC and IC take effect. */
void cm7_write_ccr(struct cm7 *cm, uint32_t value);
/* A write to a cache maintenance register, 0xE000EF50-0xE000EF78 (offset in the SCS). */
void cm7_cache_maintenance(struct cm7 *cm, uint32_t scs_off, uint32_t value);
/* Reset or power-on of the chip: every cache line dropped, dirty data lost. */
void cm7_cache_reset(struct cm7 *cm);

/* Record the data addresses read by the next cm7_run (cleared here). */
void cm7_record_reads(struct cm7 *cm, bool on);
/* Did the recorded loop read any byte of [addr, addr + len)? */
bool cm7_reads_touch(const struct cm7 *cm, uint32_t addr, uint32_t len);

/* Ask read_check about every CPU data read in [lo, hi] (or stop asking). */
void cm7_check_reads(struct cm7 *cm, uint32_t lo, uint32_t hi, bool on);

/* Registers by DCRSR REGSEL number. */
uint32_t cm7_read_reg(struct cm7 *cm, unsigned int regsel);
void cm7_write_reg(struct cm7 *cm, unsigned int regsel, uint32_t value);
uint32_t cm7_pc(struct cm7 *cm);
/* R0-R12, SP, LR, PC, xPSR: used to recognise a core spinning in place. */
void cm7_snapshot(struct cm7 *cm, uint32_t regs[17]);
const char *cm7_state_name(enum cm7_state s);

/* The private peripheral bus 0xE0000000-0xE00FFFFF, as a bus device. */
extern const struct bus_region_ops cm7_ppb_ops;
#define CM7_PPB_BASE 0xE0000000u
#define CM7_PPB_SIZE 0x00100000u

/* Unicorn register access, for cm7.c and cm7_exc.c. */
uint32_t cm7_uc_get(struct cm7 *cm, int reg);
void cm7_uc_set(struct cm7 *cm, int reg, uint32_t v);

/*
 * The exception model on the core (cm7_exc.c, ARMv7-M B1.5): entry with
 * the 8-word or FP frame, EXC_RETURN, fault escalation and lockup.
 */
/* Take the pending exception that can preempt now, if any; true if one was taken. */
bool cm7_take_interrupt(struct cm7 *cm);
/* Could a pending exception preempt now? (checked before every instruction) */
bool cm7_interrupt_ready(struct cm7 *cm);
/* A synchronous fault with the address of the instruction to return to. */
void cm7_fault(struct cm7 *cm, unsigned int exc, uint32_t cfsr_bits, uint32_t return_addr);
/* Act on the event a hook recorded; false when the core cannot go on. */
bool cm7_handle_event(struct cm7 *cm);
/* Would a pending interrupt wake the core from WFI (PRIMASK does not hold it)? */
bool cm7_wake_pending(struct cm7 *cm);
/* Something raised or pended an exception from outside the core's own run. */
void cm7_exceptions_changed(struct cm7 *cm);

/* used by cm7_ppb.c */
void cm7_request_halt(struct cm7 *cm, uint32_t dfsr_bits);
/* A debugger asked for a reset (AIRCR): act now unless the core is executing. */
void cm7_reset_requested(struct cm7 *cm);
void cm7_write_dhcsr(struct cm7 *cm, uint32_t value);
void cm7_dwt_changed(struct cm7 *cm);

#endif
