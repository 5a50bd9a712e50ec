// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exception entry and return on the Unicorn core (ARMv7-M ARM B1.5.6-B1.5.8).
 *
 * Unicorn 2.0.1 does not run QEMU's M-profile exception code when a hook
 * takes UC_HOOK_INTR: an SVC arrives as EXCP_SWI (pc already past it), a
 * branch to an EXC_RETURN value as EXCP_EXCEPTION_EXIT (pc holds the value
 * without bit 0), and nothing is stacked. So the hooks only record what
 * happened and stop the run; the stacking, EXC_RETURN and the fault rules
 * are done here, between two uc_emu_start calls, through register writes.
 *
 * Simplifications (doc/peripherals.md): the FP state is stacked at once
 * when CONTROL.FPCA is set (lazy stacking gives the same frame contents;
 * FPCCR.LSPACT stays 0); a frame that cannot be written or read (stack in
 * unmapped memory) locks the core up instead of taking a derived fault; no
 * tail-chaining or late arrival (the return unstacks, the next entry
 * stacks again, which software cannot tell apart).
 */
#include "cm7.h"
#include "bus.h"
#include "log.h"

#include <string.h>

#define XPSR_IPSR	0x1FFu
#define XPSR_T		(1u << 24)
#define XPSR_ICI_IT	0x0600FC00u
#define XPSR_SPREALIGN	(1u << 9)

#define EXC_RETURN_THREAD (1u << 3)
#define EXC_RETURN_PSP	(1u << 2)
#define EXC_RETURN_BASIC (1u << 4)	/* 0: the frame holds FP state */

#define FRAME_BASIC	8		/* words */
#define FRAME_FP	26

static struct nvic_masks core_masks(struct cm7 *cm)
{
	return (struct nvic_masks){
		.primask = cm7_uc_get(cm, UC_ARM_REG_PRIMASK) & 1,
		.faultmask = cm7_uc_get(cm, UC_ARM_REG_FAULTMASK) & 1,
		.basepri = (uint8_t)(cm7_uc_get(cm, UC_ARM_REG_BASEPRI) & NVIC_PRIO_MASK),
	};
}

static int execution_priority(struct cm7 *cm)
{
	struct nvic_masks m = core_masks(cm);

	return nvic_execution_priority(&cm->nvic, &m);
}

/* C_MASKINTS holds PendSV, SysTick and external interrupts while debugging. */
static unsigned int interrupt_to_take(struct cm7 *cm, int exec_priority)
{
	unsigned int exc = nvic_to_take(&cm->nvic, exec_priority);
	bool masked = (cm->dhcsr_ctrl & (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS)) ==
		(DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS);

	return (masked && exc != EXC_NMI) ? 0 : exc;
}

bool cm7_interrupt_ready(struct cm7 *cm)
{
	if (!nvic_any_takeable(&cm->nvic))
		return false;
	return interrupt_to_take(cm, execution_priority(cm)) != 0;
}

bool cm7_wake_pending(struct cm7 *cm)
{
	struct nvic_masks m = core_masks(cm);

	if (!nvic_any_takeable(&cm->nvic))
		return false;
	m.primask = false;	/* WFI wakes for an interrupt PRIMASK holds off */
	return interrupt_to_take(cm, nvic_execution_priority(&cm->nvic, &m)) != 0;
}

/* Lockup (B1.5.15): no more instructions, pc reads 0xFFFFFFFE, until a reset or a halt. */
static void lock_up(struct cm7 *cm, const char *why, uint32_t pc)
{
	sim_warn("core: %s at pc 0x%08x; the core locks up", why, pc);
	cm->lockup_requested = true;
	cm7_uc_set(cm, UC_ARM_REG_PC, 0xFFFFFFFEu);
}

static bool write_frame(struct cm7 *cm, uint32_t addr, const uint32_t *words, unsigned int n)
{
	uint8_t buf[4 * FRAME_FP];

	for (unsigned int i = 0; i < n; i++)
		mem_store(buf + 4 * i, 4, words[i]);
	/* stacking is a core store: a stack in cached SRAM goes through the D-cache */
	for (unsigned int i = 0; i < n && cm->dc_on; i++)
		cache_core_access(&cm->cache, addr + 4 * i, 4, true);
	return uc_mem_write(cm->uc, addr, buf, 4 * n) == UC_ERR_OK;
}

static bool read_frame(struct cm7 *cm, uint32_t addr, uint32_t *words, unsigned int n)
{
	uint8_t buf[4 * FRAME_FP];

	for (unsigned int i = 0; i < n && cm->dc_on; i++)
		cache_core_access(&cm->cache, addr + 4 * i, 4, false);
	if (uc_mem_read(cm->uc, addr, buf, 4 * n) != UC_ERR_OK)
		return false;
	for (unsigned int i = 0; i < n; i++)
		words[i] = mem_load(buf + 4 * i, 4);
	return true;
}

/* R0-R3, R12, LR, return address, xPSR, then S0-S15, FPSCR and a reserved word. */
static unsigned int build_frame(struct cm7 *cm, uint32_t *f, uint32_t return_addr,
		uint32_t xpsr, bool fp)
{
	static const int regs[] = {
		UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
		UC_ARM_REG_R12, UC_ARM_REG_LR,
	};

	for (unsigned int i = 0; i < 6; i++)
		f[i] = cm7_uc_get(cm, regs[i]);
	f[6] = return_addr & ~1u;
	f[7] = xpsr | XPSR_T;
	if (!fp)
		return FRAME_BASIC;
	for (unsigned int i = 0; i < 16; i++)
		f[8 + i] = cm7_uc_get(cm, UC_ARM_REG_S0 + (int)i);
	f[24] = cm7_uc_get(cm, UC_ARM_REG_FPSCR);
	f[25] = 0;
	return FRAME_FP;
}

static bool read_vector(struct cm7 *cm, unsigned int exc, uint32_t *pc)
{
	uint8_t buf[4];

	if (uc_mem_read(cm->uc, (cm->vtor & ~0x7Fu) + 4 * exc, buf, 4) != UC_ERR_OK)
		return false;
	*pc = mem_load(buf, 4);
	return true;
}

static bool vector_catch(struct cm7 *cm, unsigned int exc)
{
	static const uint32_t vc[] = {
		[EXC_HARDFAULT] = DEMCR_VC_HARDERR, [EXC_MEMMANAGE] = DEMCR_VC_MMERR,
		[EXC_BUSFAULT] = DEMCR_VC_BUSERR,
	};
	uint32_t bits = 0;

	if (!(cm->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		return false;
	if (exc < sizeof(vc) / sizeof(vc[0]))
		bits = vc[exc];
	if (exc == EXC_USAGEFAULT) {
		bits = (cm->nvic.cfsr & CFSR_NOCP) ? DEMCR_VC_NOCPERR :
			(cm->nvic.cfsr & (CFSR_UNALIGNED | CFSR_DIVBYZERO)) ? DEMCR_VC_CHKERR :
			DEMCR_VC_STATERR;
	}
	return bits && (cm->demcr & bits);
}

/*
 * Exception entry (B1.5.6 PushStack, ExceptionTaken): the frame goes on
 * the stack in use, 8-byte aligned (CCR.STKALIGN is fixed to 1 on the M7),
 * then Handler mode on MSP with LR = EXC_RETURN and pc from the vector.
 */
static void enter_exception(struct cm7 *cm, unsigned int exc, uint32_t return_addr)
{
	uint32_t xpsr = cm7_uc_get(cm, UC_ARM_REG_XPSR);
	uint32_t control = cm7_uc_get(cm, UC_ARM_REG_CONTROL);
	bool handler = (xpsr & XPSR_IPSR) != 0;
	bool on_psp = !handler && (control & CONTROL_SPSEL);
	bool fp = control & CONTROL_FPCA;
	uint32_t msp = cm7_uc_get(cm, UC_ARM_REG_MSP), psp = cm7_uc_get(cm, UC_ARM_REG_PSP);
	uint32_t sp = on_psp ? psp : msp;
	uint32_t frame[FRAME_FP], vector;
	unsigned int words = build_frame(cm, frame, return_addr, xpsr, fp);
	uint32_t frameptr = (sp - 4 * words) & ~7u;

	if (sp & 4)
		frame[7] |= XPSR_SPREALIGN;
	if (!write_frame(cm, frameptr, frame, words)) {
		cm->nvic.cfsr |= CFSR_STKERR;
		lock_up(cm, "exception frame cannot be stacked", return_addr);
		return;
	}
	if (!read_vector(cm, exc, &vector)) {
		cm->nvic.hfsr |= HFSR_VECTTBL;
		lock_up(cm, "vector table cannot be read", return_addr);
		return;
	}
	if (on_psp)
		psp = frameptr;
	else
		msp = frameptr;
	/* Handler mode first: it is privileged, so the writes below all land. */
	cm7_uc_set(cm, UC_ARM_REG_XPSR, (xpsr & ~(XPSR_IPSR | XPSR_ICI_IT)) | XPSR_T | exc);
	cm7_uc_set(cm, UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA));
	cm7_uc_set(cm, UC_ARM_REG_MSP, msp);
	cm7_uc_set(cm, UC_ARM_REG_PSP, psp);
	cm7_uc_set(cm, UC_ARM_REG_LR, 0xFFFFFFE1u | (fp ? 0 : EXC_RETURN_BASIC) |
		(handler ? 0 : EXC_RETURN_THREAD) | (on_psp ? EXC_RETURN_PSP : 0));
	cm7_uc_set(cm, UC_ARM_REG_PC, vector & ~1u);
	nvic_activate(&cm->nvic, exc);
	cm->exceptions_taken++;
	sim_trace("core: exception %u taken, return to 0x%08x, handler 0x%08x, frame at 0x%08x",
		exc, return_addr, vector & ~1u, frameptr);
	if (vector_catch(cm, exc))
		cm7_request_halt(cm, DFSR_VCATCH);
}

bool cm7_take_interrupt(struct cm7 *cm)
{
	unsigned int exc;

	if (!nvic_any_takeable(&cm->nvic))
		return false;
	exc = interrupt_to_take(cm, execution_priority(cm));
	if (!exc)
		return false;
	enter_exception(cm, exc, cm7_pc(cm));
	return true;
}

void cm7_fault(struct cm7 *cm, unsigned int exc, uint32_t cfsr_bits, uint32_t return_addr)
{
	unsigned int target = nvic_fault_target(&cm->nvic, exc, execution_priority(cm));

	cm->nvic.cfsr |= cfsr_bits;
	if (!target) {
		lock_up(cm, exc == EXC_SVCALL ? "SVC where it cannot be taken" :
			"fault inside HardFault or NMI, or with FAULTMASK set", return_addr);
		return;
	}
	sim_trace("core: fault %u (CFSR 0x%08x) at 0x%08x, taken as exception %u", exc,
		cm->nvic.cfsr, return_addr, target);
	enter_exception(cm, target, return_addr);
}

static bool exc_return_valid(uint32_t value)
{
	unsigned int low = value & 0xF;

	return (value | 0x1F) == 0xFFFFFFFF && (low == 0x1 || low == 0x9 || low == 0xD);
}

/* Unstacking went wrong before anything changed: a UsageFault (INVPC) from the handler. */
static void invalid_return(struct cm7 *cm, uint32_t value)
{
	sim_trace("core: invalid exception return 0x%08x", value);
	cm7_fault(cm, EXC_USAGEFAULT, CFSR_INVPC, value & ~1u);
}

static void restore_frame_registers(struct cm7 *cm, const uint32_t *f, bool fp)
{
	static const int regs[] = {
		UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
		UC_ARM_REG_R12, UC_ARM_REG_LR,
	};

	for (unsigned int i = 0; i < 6; i++)
		cm7_uc_set(cm, regs[i], f[i]);
	if (!fp)
		return;
	for (unsigned int i = 0; i < 16; i++)
		cm7_uc_set(cm, UC_ARM_REG_S0 + (int)i, f[8 + i]);
	cm7_uc_set(cm, UC_ARM_REG_FPSCR, f[24]);
}

/*
 * Leave Handler mode for the mode and stack EXC_RETURN names. Unicorn drops
 * writes to the stack pointers and CONTROL from unprivileged Thread mode,
 * so nPRIV is set again only after everything else is in place.
 */
static void switch_mode(struct cm7 *cm, uint32_t xpsr, bool to_thread, bool use_psp,
		bool fp, uint32_t msp, uint32_t psp)
{
	uint32_t control = cm7_uc_get(cm, UC_ARM_REG_CONTROL);
	uint32_t kept = control & CONTROL_NPRIV;
	uint32_t fpca = fp ? CONTROL_FPCA : 0;

	cm7_uc_set(cm, UC_ARM_REG_CONTROL, fpca);
	cm7_uc_set(cm, UC_ARM_REG_XPSR, xpsr);
	if (to_thread)
		cm7_uc_set(cm, UC_ARM_REG_CONTROL, fpca | (use_psp ? CONTROL_SPSEL : 0));
	cm7_uc_set(cm, UC_ARM_REG_MSP, msp);
	cm7_uc_set(cm, UC_ARM_REG_PSP, psp);
	if (kept)
		cm7_uc_set(cm, UC_ARM_REG_CONTROL, cm7_uc_get(cm, UC_ARM_REG_CONTROL) | kept);
}

/* Exception return (B1.5.8): EXC_RETURN branched to from Handler mode. */
static void exception_return(struct cm7 *cm, uint32_t value)
{
	unsigned int exc = cm7_uc_get(cm, UC_ARM_REG_XPSR) & XPSR_IPSR;
	bool to_thread = value & EXC_RETURN_THREAD, use_psp = value & EXC_RETURN_PSP;
	bool fp = !(value & EXC_RETURN_BASIC);
	uint32_t msp = cm7_uc_get(cm, UC_ARM_REG_MSP), psp = cm7_uc_get(cm, UC_ARM_REG_PSP);
	uint32_t sp = use_psp ? psp : msp, frame[FRAME_FP], xpsr;
	unsigned int words = fp ? FRAME_FP : FRAME_BASIC;

	if (!exc) {
		/* Thread mode: a plain branch into the execute-never system region. */
		cm7_fault(cm, EXC_MEMMANAGE, CFSR_IACCVIOL, value & ~1u);
		return;
	}
	if (!exc_return_valid(value) || !nvic_is_active(&cm->nvic, exc) ||
	    (to_thread && nvic_others_active(&cm->nvic, exc) &&
	     !(cm->ccr & CCR_NONBASETHRDENA)) ||
	    (!to_thread && !nvic_others_active(&cm->nvic, exc))) {
		invalid_return(cm, value);
		return;
	}
	if (!read_frame(cm, sp, frame, words)) {
		cm->nvic.cfsr |= 1u << 11;	/* UNSTKERR */
		lock_up(cm, "exception frame cannot be unstacked", value);
		return;
	}
	nvic_deactivate(&cm->nvic, exc);
	sp += 4 * words + ((frame[7] & XPSR_SPREALIGN) ? 4 : 0);
	if (use_psp)
		psp = sp;
	else
		msp = sp;
	xpsr = frame[7] & ~XPSR_SPREALIGN;
	if (to_thread)
		xpsr &= ~XPSR_IPSR;
	restore_frame_registers(cm, frame, fp);
	switch_mode(cm, xpsr, to_thread, use_psp, fp, msp, psp);
	cm7_uc_set(cm, UC_ARM_REG_PC, frame[6] & ~1u);
	sim_trace("core: return from exception %u to 0x%08x (EXC_RETURN 0x%08x)", exc,
		frame[6] & ~1u, value);
}

bool cm7_handle_event(struct cm7 *cm)
{
	enum cm7_exc_event ev = cm->event;

	cm->event = CM7_EVT_NONE;
	switch (ev) {
	case CM7_EVT_INTERRUPT:
		cm7_take_interrupt(cm);
		break;
	case CM7_EVT_SVC:
		cm7_fault(cm, EXC_SVCALL, 0, cm->event_pc);
		break;
	case CM7_EVT_RETURN:
		exception_return(cm, cm->event_pc);
		break;
	case CM7_EVT_FAULT:
		cm7_fault(cm, cm->event_exc, cm->event_cfsr, cm->event_pc);
		break;
	case CM7_EVT_NONE:
		return false;
	}
	return !cm->lockup_requested;
}

void cm7_exceptions_changed(struct cm7 *cm)
{
	if (cm->state == CM7_SLEEP && !cm->sleep_deep && cm7_wake_pending(cm)) {
		cm->state = CM7_RUNNING;
		sim_trace("core: woken from sleep by a pending interrupt");
	}
}
