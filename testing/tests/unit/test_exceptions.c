// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exceptions on the Unicorn core inside the assembled chip (cm7_exc.c):
 * SVC with its 8-word frame and EXC_RETURN 0xFFFFFFF9, PendSV from a
 * Thread on PSP (0xFFFFFFFD), PRIMASK and BASEPRI holding an interrupt
 * back, a UsageFault taken when SHCSR enables it and escalated to
 * HardFault when not, lockup on a fault inside HardFault, the FP frame
 * (0xFFFFFFE9) and SysTick interrupts on the virtual clock, also waking a
 * core from WFI. The programs are hand-assembled Thumb in ITCM; the vector
 * table is in flash.
 */
#include "unit_helpers.h"

#include "rig_chip.h"

#define STACK_TOP	0x20020000u
#define PSP_TOP		0x20010000u
#define MARKS		0x20000000u	/* DTCM: what the handlers saw */
#define SHCSR_ADDR	0xE000ED24u
#define ICSR_ADDR	0xE000ED04u
#define ISER0_ADDR	0xE000E100u
#define IPR0_ADDR	0xE000E400u
#define STIR_ADDR	0xE000EF00u
#define SYST_ADDR	0xE000E010u

/* Where each program lives in ITCM. */
#define AT_MAIN		0x000
#define AT_HARDFAULT	0x100
#define AT_USAGEFAULT	0x140
#define AT_SVC		0x180
#define AT_PENDSV	0x1C0
#define AT_SYSTICK	0x200
#define AT_IRQ0		0x240

/* ---- a tiny Thumb assembler with a literal pool ------------------------- */

struct prog {
	uint32_t base;
	uint16_t hw[64];
	unsigned int n;
	uint32_t lit[8];
	unsigned int nlit;
	unsigned int fix_at[8], fix_lit[8], nfix;
};

static void op(struct prog *p, uint16_t hw)
{
	p->hw[p->n++] = hw;
}

static void op32(struct prog *p, uint16_t first, uint16_t second)
{
	op(p, first);
	op(p, second);
}

/* LDR rt, =value */
static void ldr_const(struct prog *p, unsigned int rt, uint32_t value)
{
	p->fix_at[p->nfix] = p->n;
	p->fix_lit[p->nfix++] = p->nlit;
	p->lit[p->nlit++] = value;
	op(p, (uint16_t)(0x4800 | rt << 8));
}

/* mov rd, lr / mov rd, sp; str rt, [rn, #4 * word] */
#define MOV_FROM_LR(rd)		(0x4670 | (rd))
#define MOV_FROM_SP(rd)		(0x4668 | (rd))
#define STR_WORD(rt, rn, word)	(0x6000 | (word) << 6 | (rn) << 3 | (rt))
#define MOVS(rd, imm)		(0x2000 | (rd) << 8 | (imm))
#define ADDS_R5_1		0x3501
#define BX_LR			0x4770
#define B_SELF			0xE7FE
#define UDF			0xDE00
#define CPSID_I			0xB672
#define CPSIE_I			0xB662
#define WFI			0xBF30
#define MSR_PSP_R0		0xF380, 0x8809
#define MSR_CONTROL_R0		0xF380, 0x8814
#define MSR_BASEPRI_R0		0xF380, 0x8811
#define MRS_R6_PSP		0xF3EF, 0x8609
#define ISB			0xF3BF, 0x8F6F

static void place(struct stm32h743 *chip, struct prog *p, uint32_t base)
{
	uint32_t pool = (base + 2 * p->n + 3) & ~3u;

	p->base = base;
	for (unsigned int i = 0; i < p->nfix; i++) {
		uint32_t pc = (base + 2 * p->fix_at[i] + 4) & ~3u;

		p->hw[p->fix_at[i]] |= (uint16_t)((pool + 4 * p->fix_lit[i] - pc) / 4);
	}
	for (unsigned int i = 0; i < p->n; i++)
		mem_store(chip->mem.itcm + base + 2 * i, 2, p->hw[i]);
	for (unsigned int i = 0; i < p->nlit; i++)
		mem_store(chip->mem.itcm + pool + 4 * i, 4, p->lit[i]);
}

/* A handler that records LR, SP and r5 at MARKS (+ 0, 4, 8), then returns. */
static void recorder(struct prog *p, unsigned int marks_word)
{
	ldr_const(p, 4, MARKS + 4 * marks_word);
	op(p, MOV_FROM_LR(6));
	op(p, STR_WORD(6, 4, 0));
	op(p, MOV_FROM_SP(6));
	op(p, STR_WORD(6, 4, 1));
	op(p, STR_WORD(5, 4, 2));
}

/* ---- the chip --------------------------------------------------------------- */

struct rig {
	struct stm32h743 chip;
	struct prog main, handler[6];
};

static int setup(void **state)
{
	*state = RIG_CHIP_NEW(struct rig);
	return 0;
}

/* Vector table in flash, every handler in ITCM; power on. */
static void boot(struct rig *r)
{
	static const struct { unsigned int exc; uint32_t at; } vectors[] = {
		{ EXC_NMI, AT_HARDFAULT }, { EXC_HARDFAULT, AT_HARDFAULT },
		{ EXC_MEMMANAGE, AT_HARDFAULT }, { EXC_BUSFAULT, AT_HARDFAULT },
		{ EXC_USAGEFAULT, AT_USAGEFAULT }, { EXC_SVCALL, AT_SVC },
		{ EXC_PENDSV, AT_PENDSV }, { EXC_SYSTICK, AT_SYSTICK }, { EXC_IRQ0, AT_IRQ0 },
	};
	uint8_t image[0x100];

	memset(image, 0xFF, sizeof(image));
	mem_store(image, 4, STACK_TOP);
	mem_store(image + 4, 4, AT_MAIN | 1);
	for (unsigned int i = 0; i < ARRAY_LEN(vectors); i++)
		mem_store(image + 4 * vectors[i].exc, 4, vectors[i].at | 1);
	assert_int_equal(flash_load_image(&r->chip.flash, image, sizeof(image)), 0);
	chip_power_on(&r->chip);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);
}

static void run(struct rig *r, uint64_t ps)
{
	chip_run_ahead(&r->chip, ps);
}

static uint32_t dtcm(struct rig *r, uint32_t addr)
{
	return mem_load(r->chip.mem.dtcm + (addr - 0x20000000u), 4);
}

static uint32_t reg(struct rig *r, unsigned int n)
{
	return cm7_read_reg(&r->chip.core, n);
}

#define REG_XPSR	16
#define REG_MSP		17
#define REG_PSP		18
#define REG_SPECIAL	0x14	/* CONTROL << 24 | FAULTMASK << 16 | BASEPRI << 8 | PRIMASK */

static void test_svc_stacks_a_frame_and_returns(void **state)
{
	struct rig *r = *state;
	struct prog *m = &r->main, *h = &r->handler[0];

	op(m, MOVS(0, 0x11));
	op(m, MOVS(1, 0x22));
	op(m, MOVS(2, 0x33));
	op(m, MOVS(3, 0x44));
	op(m, 0xDF07);				/* svc #7, at 0x8 */
	op(m, ADDS_R5_1);
	op(m, B_SELF);				/* 0xC */
	place(&r->chip, m, AT_MAIN);
	recorder(h, 0);
	op(h, MOVS(0, 0x99));			/* the frame restores r0 */
	op(h, BX_LR);
	place(&r->chip, h, AT_SVC);
	boot(r);
	run(r, 20 * PS_PER_US);
	assert_int_equal(dtcm(r, MARKS), 0xFFFFFFF9);		/* Thread, MSP, no FP */
	assert_int_equal(dtcm(r, MARKS + 4), STACK_TOP - 0x20);
	assert_int_equal(dtcm(r, MARKS + 8), 0);		/* before the adds */
	/* the frame: r0-r3, r12, lr, return address, xPSR */
	uint32_t f = STACK_TOP - 0x20;

	assert_int_equal(dtcm(r, f), 0x11);
	assert_int_equal(dtcm(r, f + 4), 0x22);
	assert_int_equal(dtcm(r, f + 8), 0x33);
	assert_int_equal(dtcm(r, f + 12), 0x44);
	assert_int_equal(dtcm(r, f + 20), 0xFFFFFFFF);		/* lr after reset */
	assert_int_equal(dtcm(r, f + 24), 0xA);			/* after the svc */
	assert_int_equal(dtcm(r, f + 28) & (1u << 24 | 0x1FF), 1u << 24);
	/* back in Thread mode after the svc, the registers restored */
	assert_int_equal(reg(r, 15), 0xC);
	assert_int_equal(reg(r, 0), 0x11);
	assert_int_equal(reg(r, 5), 1);
	assert_int_equal(reg(r, 13), STACK_TOP);
	assert_int_equal(reg(r, REG_XPSR) & 0x1FF, 0);
	assert_false(nvic_is_active(&r->chip.core.nvic, EXC_SVCALL));
	assert_int_equal(r->chip.core.exceptions_taken, 1);
}

static void test_pendsv_from_a_thread_on_psp(void **state)
{
	struct rig *r = *state;
	struct prog *m = &r->main, *h = &r->handler[0];

	ldr_const(m, 0, PSP_TOP);
	op32(m, MSR_PSP_R0);
	op(m, MOVS(0, 2));			/* CONTROL.SPSEL */
	op32(m, MSR_CONTROL_R0);
	op32(m, ISB);
	ldr_const(m, 1, ICSR_ADDR);
	ldr_const(m, 2, 1u << 28);		/* PENDSVSET */
	op(m, STR_WORD(2, 1, 0));
	op(m, ADDS_R5_1);
	op(m, B_SELF);
	place(&r->chip, m, AT_MAIN);
	recorder(h, 0);
	op32(h, MRS_R6_PSP);
	op(h, STR_WORD(6, 4, 3));
	op(h, BX_LR);
	place(&r->chip, h, AT_PENDSV);
	boot(r);
	run(r, 20 * PS_PER_US);
	assert_int_equal(dtcm(r, MARKS), 0xFFFFFFFD);		/* Thread, PSP */
	assert_int_equal(dtcm(r, MARKS + 4), STACK_TOP);	/* the handler on MSP */
	assert_int_equal(dtcm(r, MARKS + 8), 0);		/* taken at once */
	assert_int_equal(dtcm(r, MARKS + 12), PSP_TOP - 0x20);	/* the frame on PSP */
	assert_int_equal(reg(r, 5), 1);
	assert_int_equal(reg(r, REG_PSP), PSP_TOP);
	assert_int_equal(reg(r, REG_MSP), STACK_TOP);
	assert_int_equal(reg(r, 13), PSP_TOP);
	assert_int_equal(reg(r, REG_SPECIAL) >> 24 & 3, 2);	/* SPSEL kept */
}

/* IRQ0 enabled and pended by STIR while masked: taken once the mask goes. */
static void masked_irq_program(struct rig *r, bool basepri)
{
	struct prog *m = &r->main, *h = &r->handler[0];

	if (basepri) {
		ldr_const(m, 1, IPR0_ADDR);
		op(m, MOVS(2, 0x80));		/* IRQ0 priority 0x80 */
		op(m, STR_WORD(2, 1, 0));
		op(m, MOVS(0, 0x40));
		op32(m, MSR_BASEPRI_R0);
	} else {
		op(m, CPSID_I);
	}
	ldr_const(m, 1, ISER0_ADDR);
	op(m, MOVS(2, 1));
	op(m, STR_WORD(2, 1, 0));
	ldr_const(m, 1, STIR_ADDR);
	op(m, MOVS(2, 0));
	op(m, STR_WORD(2, 1, 0));
	op(m, ADDS_R5_1);			/* runs: the interrupt is masked */
	if (basepri) {
		op(m, MOVS(0, 0));
		op32(m, MSR_BASEPRI_R0);
	} else {
		op(m, CPSIE_I);
	}
	op(m, ADDS_R5_1);
	op(m, B_SELF);
	place(&r->chip, m, AT_MAIN);
	recorder(h, 0);
	op(h, BX_LR);
	place(&r->chip, h, AT_IRQ0);
	boot(r);
	run(r, 20 * PS_PER_US);
}

static void test_primask_holds_an_interrupt_until_cpsie(void **state)
{
	struct rig *r = *state;

	masked_irq_program(r, false);
	assert_int_equal(dtcm(r, MARKS), 0xFFFFFFF9);
	assert_int_equal(dtcm(r, MARKS + 8), 1);		/* after the first adds only */
	assert_int_equal(reg(r, 5), 2);
	assert_false(nvic_is_pending(&r->chip.core.nvic, EXC_IRQ0));
}

static void test_basepri_holds_a_lower_priority_interrupt(void **state)
{
	struct rig *r = *state;

	masked_irq_program(r, true);
	assert_int_equal(dtcm(r, MARKS + 8), 1);
	assert_int_equal(reg(r, 5), 2);
	assert_int_equal(r->chip.core.exceptions_taken, 1);
}

/* main: optionally SHCSR.USGFAULTENA, then udf; each fault handler marks itself. */
static void udf_program(struct rig *r, bool enable_usagefault, bool fault_in_hardfault)
{
	struct prog *m = &r->main, *hf = &r->handler[0], *uf = &r->handler[1];

	if (enable_usagefault) {
		ldr_const(m, 1, SHCSR_ADDR);
		ldr_const(m, 2, SHCSR_USGFAULTENA);
		op(m, STR_WORD(2, 1, 0));
	}
	op(m, UDF);
	op(m, B_SELF);
	place(&r->chip, m, AT_MAIN);
	ldr_const(hf, 4, MARKS);
	op(hf, MOVS(6, 0x3F));
	op(hf, STR_WORD(6, 4, 0));
	op(hf, fault_in_hardfault ? UDF : B_SELF);
	op(hf, B_SELF);
	place(&r->chip, hf, AT_HARDFAULT);
	ldr_const(uf, 4, MARKS);
	op(uf, MOVS(6, 0x6F));
	op(uf, STR_WORD(6, 4, 0));
	op(uf, B_SELF);
	place(&r->chip, uf, AT_USAGEFAULT);
	boot(r);
	run(r, 20 * PS_PER_US);
}

static void test_undefined_instruction_escalates_to_hardfault(void **state)
{
	struct rig *r = *state;

	udf_program(r, false, false);
	assert_int_equal(dtcm(r, MARKS), 0x3F);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);
	assert_int_equal(reg(r, REG_XPSR) & 0x1FF, EXC_HARDFAULT);
	assert_int_equal(r->chip.core.nvic.cfsr, CFSR_UNDEFINSTR);
	assert_int_equal(r->chip.core.nvic.hfsr, HFSR_FORCED);
	assert_int_equal(dtcm(r, STACK_TOP - 0x20 + 24), AT_MAIN);	/* the udf itself */
}

static void test_enabled_usagefault_runs_its_own_handler(void **state)
{
	struct rig *r = *state;

	udf_program(r, true, false);
	assert_int_equal(dtcm(r, MARKS), 0x6F);
	assert_int_equal(reg(r, REG_XPSR) & 0x1FF, EXC_USAGEFAULT);
	assert_int_equal(r->chip.core.nvic.cfsr, CFSR_UNDEFINSTR);
	assert_int_equal(r->chip.core.nvic.hfsr, 0);
}

static void test_fault_inside_hardfault_locks_up(void **state)
{
	struct rig *r = *state;

	udf_program(r, false, true);
	assert_int_equal(dtcm(r, MARKS), 0x3F);		/* the handler ran first */
	assert_int_equal(r->chip.core.state, CM7_LOCKUP);
	assert_int_equal(reg(r, 15), 0xFFFFFFFE);
	assert_int_equal(reg(r, REG_XPSR) & 0x1FF, EXC_HARDFAULT);
	uint64_t before = r->chip.core.instructions;

	run(r, 20 * PS_PER_US);
	assert_int_equal(r->chip.core.instructions, before);	/* no progress */
}

static void test_fp_context_uses_the_extended_frame(void **state)
{
	struct rig *r = *state;
	struct prog *m = &r->main, *h = &r->handler[0];

	ldr_const(m, 0, 0x3F800000);		/* 1.0f */
	op32(m, 0xEE00, 0x0A10);		/* vmov s0, r0: CONTROL.FPCA */
	op(m, 0xDF01);				/* svc #1 */
	op32(m, 0xEE10, 0x1A10);		/* vmov r1, s0 */
	op(m, B_SELF);
	place(&r->chip, m, AT_MAIN);
	recorder(h, 0);
	op(h, MOVS(0, 0));
	op32(h, 0xEE00, 0x0A10);		/* the handler clobbers s0 */
	op(h, BX_LR);
	place(&r->chip, h, AT_SVC);
	boot(r);
	run(r, 20 * PS_PER_US);
	assert_int_equal(dtcm(r, MARKS), 0xFFFFFFE9);		/* Thread, MSP, FP frame */
	assert_int_equal(dtcm(r, MARKS + 4), STACK_TOP - 0x68);
	assert_int_equal(dtcm(r, STACK_TOP - 0x68 + 0x20), 0x3F800000);	/* s0 stacked */
	assert_int_equal(reg(r, 1), 0x3F800000);		/* and restored */
	assert_true(reg(r, REG_SPECIAL) >> 24 & CONTROL_FPCA);
	assert_int_equal(reg(r, 13), STACK_TOP);
}

/* SysTick at 1 kHz (RVR 63999 at the 64 MHz HSI): the handler counts in r5. */
static void systick_program(struct rig *r, bool sleep)
{
	struct prog *m = &r->main, *h = &r->handler[0];

	ldr_const(m, 1, SYST_ADDR);
	ldr_const(m, 2, 63999);
	op(m, STR_WORD(2, 1, 1));		/* RVR */
	op(m, MOVS(2, 7));			/* ENABLE | TICKINT | CLKSOURCE */
	op(m, STR_WORD(2, 1, 0));
	if (sleep) {
		op(m, WFI);
		op(m, 0xE7FD);			/* b back to the wfi */
	} else {
		op(m, B_SELF);
	}
	place(&r->chip, m, AT_MAIN);
	op(h, ADDS_R5_1);
	op(h, BX_LR);
	place(&r->chip, h, AT_SYSTICK);
	boot(r);
}

static void test_systick_interrupts_on_the_virtual_clock(void **state)
{
	struct rig *r = *state;

	systick_program(r, false);
	run(r, 10 * PS_PER_MS + PS_PER_MS / 2);
	assert_int_equal(reg(r, 5), 10);
	assert_int_equal(r->chip.core.exceptions_taken, 10);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);
}

static void test_systick_wakes_the_core_from_wfi(void **state)
{
	struct rig *r = *state;

	systick_program(r, true);
	run(r, 5 * PS_PER_MS + PS_PER_MS / 2);
	assert_int_equal(reg(r, 5), 5);
	/*
	 * asleep between ticks: 6 instructions up to the first wfi, then 4 a
	 * tick (adds, bx lr, b, wfi); a loop spinning would run thousands
	 */
	assert_int_equal(r->chip.core.instructions, 6 + 5 * 4);
	assert_int_equal(r->chip.core.exceptions_taken, 5);
	assert_int_equal(reg(r, 15), AT_MAIN + 0xC);		/* after the wfi */
}

/* Through the PPB as the core writes it: byte writes touch their own bits only. */
static void test_nvic_byte_writes(void **state)
{
	struct rig *r = *state;
	struct bus *b = &r->chip.cpu_bus;
	uint32_t v = 0;

	boot(r);
	bus_write(b, ISER0_ADDR, 4, 0x00000303, MASTER_CPU);
	bus_write(b, ISER0_ADDR + 0x80, 1, 0x01, MASTER_CPU);		/* ICER0, byte 0 */
	bus_read(b, ISER0_ADDR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0x00000302);
	bus_write(b, ISER0_ADDR + 0x81, 1, 0x02, MASTER_CPU);		/* ICER0, byte 1 */
	bus_read(b, ISER0_ADDR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0x00000102);
	bus_write(b, IPR0_ADDR + 2, 1, 0x6F, MASTER_CPU);		/* IRQ2 priority */
	bus_write(b, IPR0_ADDR + 1, 1, 0x90, MASTER_CPU);		/* IRQ1 priority */
	bus_read(b, IPR0_ADDR, 4, &v, MASTER_CPU);
	assert_int_equal(v, 0x00609000);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rig_chip_teardown)
	const struct CMUnitTest tests[] = {
		T(test_svc_stacks_a_frame_and_returns),
		T(test_pendsv_from_a_thread_on_psp),
		T(test_primask_holds_an_interrupt_until_cpsie),
		T(test_basepri_holds_a_lower_priority_interrupt),
		T(test_undefined_instruction_escalates_to_hardfault),
		T(test_enabled_usagefault_runs_its_own_handler),
		T(test_fault_inside_hardfault_locks_up),
		T(test_fp_context_uses_the_extended_frame),
		T(test_systick_interrupts_on_the_virtual_clock),
		T(test_systick_wakes_the_core_from_wfi),
		T(test_nvic_byte_writes),
	};
#undef T

	return cmocka_run_group_tests_name("exceptions", tests, NULL, NULL);
}
