/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Cortex-M7 exception model without the core: which exceptions are
 * pending, enabled and active, their priorities (NVIC_IPR with the four
 * priority bits the STM32H743 implements, SHPR, AIRCR.PRIGROUP), the
 * execution priority with PRIMASK/FAULTMASK/BASEPRI, which pending
 * exception preempts, how a synchronous fault escalates to HardFault, and
 * the NVIC and SCB registers that hold this state (ARMv7-M ARM B1.5, B3.2,
 * B3.4). cm7_exc.c does the stacking on the Unicorn core.
 */
#ifndef H743SIM_NVIC_H
#define H743SIM_NVIC_H

#include <stdbool.h>
#include <stdint.h>

#define NVIC_IRQS	160	/* ICTR.INTLINESNUM 4: 160 lines (H743 uses 150) */
#define NVIC_EXCEPTIONS	(16 + NVIC_IRQS)
#define NVIC_WORDS	((NVIC_EXCEPTIONS + 31) / 32)
#define NVIC_PRIO_MASK	0xF0u	/* 4 priority bits, the high ones of each byte */

enum exc_number {
	EXC_RESET = 1,
	EXC_NMI = 2,
	EXC_HARDFAULT = 3,
	EXC_MEMMANAGE = 4,
	EXC_BUSFAULT = 5,
	EXC_USAGEFAULT = 6,
	EXC_SVCALL = 11,
	EXC_DEBUGMON = 12,
	EXC_PENDSV = 14,
	EXC_SYSTICK = 15,
	EXC_IRQ0 = 16,
};

/* No active exception and no mask: lower than any configurable priority. */
#define NVIC_PRIO_THREAD 256

/* CFSR bits (B3.2.15) */
#define CFSR_IACCVIOL	(1u << 0)
#define CFSR_DACCVIOL	(1u << 1)
#define CFSR_MMARVALID	(1u << 7)
#define CFSR_IBUSERR	(1u << 8)
#define CFSR_PRECISERR	(1u << 9)
#define CFSR_STKERR	(1u << 12)
#define CFSR_BFARVALID	(1u << 15)
#define CFSR_UNDEFINSTR	(1u << 16)
#define CFSR_INVSTATE	(1u << 17)
#define CFSR_INVPC	(1u << 18)
#define CFSR_NOCP	(1u << 19)
#define CFSR_UNALIGNED	(1u << 24)
#define CFSR_DIVBYZERO	(1u << 25)

#define HFSR_VECTTBL	(1u << 1)
#define HFSR_FORCED	(1u << 30)
#define HFSR_DEBUGEVT	(1u << 31)

#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

#define CCR_NONBASETHRDENA (1u << 0)
#define CCR_STKALIGN	(1u << 9)

/* The special-purpose mask registers, as the core holds them. */
struct nvic_masks {
	bool primask;
	bool faultmask;
	uint8_t basepri;
};

struct nvic {
	uint32_t pending[NVIC_WORDS];
	uint32_t active[NVIC_WORDS];
	uint32_t enabled[NVIC_WORDS];	/* external interrupts (ISER) */
	uint32_t level[NVIC_WORDS];	/* interrupt lines a peripheral holds high */
	uint8_t priority[NVIC_EXCEPTIONS];	/* raw byte, 4..NVIC_EXCEPTIONS-1 */
	uint32_t prigroup;
	uint32_t shcsr_enables;		/* MEMFAULTENA, BUSFAULTENA, USGFAULTENA */
	uint32_t cfsr, hfsr, mmfar, bfar;
};

void nvic_reset(struct nvic *n);

void nvic_set_pending(struct nvic *n, unsigned int exc);
void nvic_clear_pending(struct nvic *n, unsigned int exc);
bool nvic_is_pending(const struct nvic *n, unsigned int exc);
bool nvic_is_active(const struct nvic *n, unsigned int exc);
/* A peripheral's interrupt line: high pends it (again after its handler returns). */
void nvic_set_line(struct nvic *n, unsigned int irq, bool high);

/* Priority of an exception: -3..-1 for Reset, NMI, HardFault, else 0..255. */
int nvic_priority(const struct nvic *n, unsigned int exc);
/* The group priority part of a raw priority, by AIRCR.PRIGROUP. */
int nvic_group_priority(const struct nvic *n, int priority);
/* Execution priority: the highest active group priority, boosted by the masks. */
int nvic_execution_priority(const struct nvic *n, const struct nvic_masks *m);
/* Any pending exception that is enabled (cheap: checked before every instruction)? */
bool nvic_any_takeable(const struct nvic *n);
/* The pending, enabled exception to take first (0: none). */
unsigned int nvic_best_pending(const struct nvic *n);
/* The exception that preempts at this execution priority now (0: none). */
unsigned int nvic_to_take(const struct nvic *n, int exec_priority);
/* Any active exception besides exc? (RETTOBASE, return to Thread mode) */
bool nvic_others_active(const struct nvic *n, unsigned int exc);

/* Exception entry and return bookkeeping. */
void nvic_activate(struct nvic *n, unsigned int exc);
/* Returns false when exc was not active (an illegal exception return). */
bool nvic_deactivate(struct nvic *n, unsigned int exc);

/*
 * A synchronous fault (MemManage, BusFault, UsageFault; SVCall behaves the
 * same) at this execution priority: the exception to take, HardFault when
 * it is disabled or cannot preempt (HFSR.FORCED), or 0 when not even
 * HardFault can run: the core locks up.
 */
unsigned int nvic_fault_target(struct nvic *n, unsigned int exc, int exec_priority);

/*
 * SCS registers kept here: NVIC (0x100-0x4EF), ICSR, SHPR1-3, SHCSR, CFSR,
 * HFSR, MMFAR, BFAR, STIR; offsets within the SCS (0xE000E000). ipsr is
 * the core's current exception number (ICSR.VECTACTIVE). Return false when
 * the offset is not one of them.
 */
bool nvic_read(struct nvic *n, uint32_t off, unsigned int ipsr, uint32_t *v);
bool nvic_write(struct nvic *n, uint32_t off, uint32_t v);

#endif
