// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exception model without a core (nvic.c): priorities with the four
 * implemented bits and PRIGROUP, the execution priority under PRIMASK,
 * BASEPRI and FAULTMASK, which pending exception preempts, external
 * interrupts needing ISER, level-sensitive lines pending again, fault
 * escalation to HardFault and lockup, and the NVIC/SCB registers.
 */
#include "unit_helpers.h"

#include "nvic.h"

#define ISER0	0x100
#define ICER0	0x180
#define ISPR0	0x200
#define ICPR0	0x280
#define IABR0	0x300
#define IPR0	0x400
#define ICSR	0xD04
#define SHPR2	0xD1C
#define SHPR3	0xD20
#define SHCSR	0xD24
#define CFSR	0xD28
#define HFSR	0xD2C
#define STIR	0xF00

static const struct nvic_masks no_masks;

static uint32_t rd(struct nvic *n, uint32_t off)
{
	uint32_t v = 0xDEADBEEF;

	assert_true(nvic_read(n, off, 0, &v));
	return v;
}

static void wr(struct nvic *n, uint32_t off, uint32_t v)
{
	assert_true(nvic_write(n, off, v));
}

static void test_fixed_and_configurable_priorities(void **state)
{
	struct nvic n;

	(void)state;
	nvic_reset(&n);
	assert_int_equal(nvic_priority(&n, EXC_RESET), -3);
	assert_int_equal(nvic_priority(&n, EXC_NMI), -2);
	assert_int_equal(nvic_priority(&n, EXC_HARDFAULT), -1);
	wr(&n, IPR0, 0x12345678);		/* IRQ0-3: only the high nibble is kept */
	assert_int_equal(rd(&n, IPR0), 0x10305070);
	assert_int_equal(nvic_priority(&n, EXC_IRQ0 + 3), 0x10);
	wr(&n, SHPR3, 0xE0C00000);		/* SysTick 0xE0, PendSV 0xC0 */
	assert_int_equal(nvic_priority(&n, EXC_SYSTICK), 0xE0);
	assert_int_equal(nvic_priority(&n, EXC_PENDSV), 0xC0);
	wr(&n, SHPR2, 0x20000000);		/* SVCall */
	assert_int_equal(nvic_priority(&n, EXC_SVCALL), 0x20);
}

static void test_execution_priority_and_masks(void **state)
{
	struct nvic n;
	struct nvic_masks m = no_masks;

	(void)state;
	nvic_reset(&n);
	assert_int_equal(nvic_execution_priority(&n, &m), NVIC_PRIO_THREAD);
	m.basepri = 0x40;
	assert_int_equal(nvic_execution_priority(&n, &m), 0x40);
	m.primask = true;
	assert_int_equal(nvic_execution_priority(&n, &m), 0);
	m.faultmask = true;
	assert_int_equal(nvic_execution_priority(&n, &m), -1);
	/* an active handler counts with its group priority */
	m = no_masks;
	n.priority[EXC_IRQ0 + 5] = 0x70;
	nvic_activate(&n, EXC_IRQ0 + 5);
	assert_int_equal(nvic_execution_priority(&n, &m), 0x70);
	n.prigroup = 5;				/* group = bits 7:6 */
	assert_int_equal(nvic_execution_priority(&n, &m), 0x40);
	nvic_activate(&n, EXC_HARDFAULT);
	assert_int_equal(nvic_execution_priority(&n, &m), -1);
}

static void test_pending_needs_enable_and_priority(void **state)
{
	struct nvic n;

	(void)state;
	nvic_reset(&n);
	wr(&n, ISPR0, 1u << 4);			/* IRQ4 pending, not enabled */
	assert_int_equal(nvic_best_pending(&n), 0);
	assert_false(nvic_any_takeable(&n));
	assert_int_equal(rd(&n, ISPR0), 1u << 4);
	wr(&n, ISER0, 1u << 4);
	assert_true(nvic_any_takeable(&n));
	assert_int_equal(nvic_best_pending(&n), EXC_IRQ0 + 4);
	assert_int_equal(rd(&n, ISER0), 1u << 4);
	/* same priority: the lower number first; a better priority wins */
	wr(&n, STIR, 2);
	wr(&n, ISER0, 1u << 2);
	assert_int_equal(nvic_best_pending(&n), EXC_IRQ0 + 2);
	wr(&n, IPR0, 0x00800000);		/* IRQ2 at 0x80, IRQ4 stays 0 */
	assert_int_equal(nvic_best_pending(&n), EXC_IRQ0 + 4);
	/* preemption needs a strictly higher priority than the execution priority */
	assert_int_equal(nvic_to_take(&n, 0), 0);
	assert_int_equal(nvic_to_take(&n, 1), EXC_IRQ0 + 4);
	wr(&n, ICER0, 1u << 4);
	assert_int_equal(nvic_to_take(&n, 0x81), EXC_IRQ0 + 2);
	assert_int_equal(nvic_to_take(&n, 0x80), 0);
	wr(&n, ICPR0, 1u << 2);
	assert_int_equal(rd(&n, ISPR0), 1u << 4);
}

static void test_activate_deactivate_and_level_lines(void **state)
{
	struct nvic n;

	(void)state;
	nvic_reset(&n);
	wr(&n, ISER0, 1u << 7);
	nvic_set_line(&n, 7, true);
	assert_true(nvic_is_pending(&n, EXC_IRQ0 + 7));
	nvic_activate(&n, EXC_IRQ0 + 7);
	assert_false(nvic_is_pending(&n, EXC_IRQ0 + 7));
	assert_int_equal(rd(&n, IABR0), 1u << 7);
	/* the line is still high when the handler returns: pending again */
	assert_true(nvic_deactivate(&n, EXC_IRQ0 + 7));
	assert_true(nvic_is_pending(&n, EXC_IRQ0 + 7));
	nvic_activate(&n, EXC_IRQ0 + 7);
	nvic_set_line(&n, 7, false);
	assert_true(nvic_deactivate(&n, EXC_IRQ0 + 7));
	assert_false(nvic_is_pending(&n, EXC_IRQ0 + 7));
	/* a return from something that is not active is refused */
	assert_false(nvic_deactivate(&n, EXC_IRQ0 + 7));
}

static void test_faults_escalate_to_hardfault_or_lock_up(void **state)
{
	struct nvic n;

	(void)state;
	nvic_reset(&n);
	/* configurable faults disabled (SHCSR): HardFault, HFSR.FORCED */
	assert_int_equal(nvic_fault_target(&n, EXC_USAGEFAULT, NVIC_PRIO_THREAD), EXC_HARDFAULT);
	assert_int_equal(rd(&n, HFSR), HFSR_FORCED);
	wr(&n, HFSR, HFSR_FORCED);
	assert_int_equal(rd(&n, HFSR), 0);
	/* enabled and able to preempt: itself */
	wr(&n, SHCSR, SHCSR_USGFAULTENA | SHCSR_BUSFAULTENA);
	assert_int_equal(rd(&n, SHCSR), SHCSR_USGFAULTENA | SHCSR_BUSFAULTENA);
	assert_int_equal(nvic_fault_target(&n, EXC_USAGEFAULT, NVIC_PRIO_THREAD), EXC_USAGEFAULT);
	assert_int_equal(rd(&n, HFSR), 0);
	/* enabled but not above the execution priority: HardFault */
	n.priority[EXC_BUSFAULT] = 0x40;
	assert_int_equal(nvic_fault_target(&n, EXC_BUSFAULT, 0x40), EXC_HARDFAULT);
	/* SVC where it cannot preempt escalates too */
	n.priority[EXC_SVCALL] = 0x80;
	assert_int_equal(nvic_fault_target(&n, EXC_SVCALL, 0x80), EXC_HARDFAULT);
	assert_int_equal(nvic_fault_target(&n, EXC_SVCALL, 0x90), EXC_SVCALL);
	/* inside HardFault or with FAULTMASK (priority -1): lockup */
	assert_int_equal(nvic_fault_target(&n, EXC_USAGEFAULT, -1), 0);
	assert_int_equal(nvic_fault_target(&n, EXC_HARDFAULT, -1), 0);
	assert_int_equal(nvic_fault_target(&n, EXC_HARDFAULT, -2), 0);
}

static void test_icsr_and_shcsr_state(void **state)
{
	struct nvic n;
	uint32_t v;

	(void)state;
	nvic_reset(&n);
	wr(&n, ICSR, 1u << 28);			/* PENDSVSET */
	wr(&n, ICSR, 1u << 26);			/* PENDSTSET */
	n.priority[EXC_PENDSV] = 0x10;
	n.priority[EXC_SYSTICK] = 0x20;
	assert_true(nvic_read(&n, ICSR, EXC_SVCALL, &v));
	assert_int_equal(v & 0x1FF, EXC_SVCALL);		/* VECTACTIVE */
	assert_int_equal(v >> 12 & 0x1FF, EXC_PENDSV);		/* VECTPENDING */
	assert_true(v & (1u << 28));
	assert_true(v & (1u << 26));
	assert_true(v & (1u << 11));		/* RETTOBASE: nothing else active */
	assert_true(nvic_any_takeable(&n));	/* system exceptions need no enable */
	wr(&n, ICSR, 1u << 27);			/* PENDSVCLR */
	wr(&n, ICSR, 1u << 25);			/* PENDSTCLR */
	assert_int_equal(nvic_best_pending(&n), 0);
	assert_false(nvic_any_takeable(&n));
	/* SHCSR shows active and pended system handlers */
	nvic_activate(&n, EXC_SVCALL);
	nvic_activate(&n, EXC_SYSTICK);
	nvic_set_pending(&n, EXC_BUSFAULT);
	assert_int_equal(rd(&n, SHCSR), (1u << 7) | (1u << 11) | (1u << 14));
	assert_true(nvic_read(&n, ICSR, EXC_SYSTICK, &v));
	assert_false(v & (1u << 11));		/* SVCall is active beneath */
	/* CFSR is write-1-to-clear */
	n.cfsr = CFSR_UNDEFINSTR | CFSR_PRECISERR;
	wr(&n, CFSR, CFSR_PRECISERR);
	assert_int_equal(rd(&n, CFSR), CFSR_UNDEFINSTR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_and_configurable_priorities),
		cmocka_unit_test(test_execution_priority_and_masks),
		cmocka_unit_test(test_pending_needs_enable_and_priority),
		cmocka_unit_test(test_activate_deactivate_and_level_lines),
		cmocka_unit_test(test_faults_escalate_to_hardfault_or_lock_up),
		cmocka_unit_test(test_icsr_and_shcsr_state),
	};

	return cmocka_run_group_tests_name("nvic", tests, NULL, NULL);
}
