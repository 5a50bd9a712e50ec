// SPDX-License-Identifier: GPL-2.0-or-later
#include "nvic.h"

#include <string.h>

static bool bit_get(const uint32_t *words, unsigned int i)
{
	return words[i / 32] >> (i % 32) & 1;
}

static void bit_put(uint32_t *words, unsigned int i, bool on)
{
	if (on)
		words[i / 32] |= 1u << (i % 32);
	else
		words[i / 32] &= ~(1u << (i % 32));
}

void nvic_reset(struct nvic *n)
{
	memset(n, 0, sizeof(*n));
}

static bool valid(unsigned int exc)
{
	return exc > 0 && exc < NVIC_EXCEPTIONS;
}

void nvic_set_pending(struct nvic *n, unsigned int exc)
{
	if (valid(exc))
		bit_put(n->pending, exc, true);
}

void nvic_clear_pending(struct nvic *n, unsigned int exc)
{
	if (valid(exc))
		bit_put(n->pending, exc, false);
}

bool nvic_is_pending(const struct nvic *n, unsigned int exc)
{
	return valid(exc) && bit_get(n->pending, exc);
}

bool nvic_is_active(const struct nvic *n, unsigned int exc)
{
	return valid(exc) && bit_get(n->active, exc);
}

void nvic_set_line(struct nvic *n, unsigned int irq, bool high)
{
	if (irq >= NVIC_IRQS)
		return;
	bit_put(n->level, EXC_IRQ0 + irq, high);
	if (high)
		bit_put(n->pending, EXC_IRQ0 + irq, true);
}

int nvic_priority(const struct nvic *n, unsigned int exc)
{
	if (exc == EXC_RESET || exc == EXC_NMI || exc == EXC_HARDFAULT)
		return (int)exc - 4;
	return n->priority[exc];
}

int nvic_group_priority(const struct nvic *n, int priority)
{
	if (priority < 0)
		return priority;
	/* PRIGROUP p: bits [7:p+1] are the group priority (B1.5.4) */
	return priority & ~((2 << n->prigroup) - 1) & 0xFF;
}

int nvic_execution_priority(const struct nvic *n, const struct nvic_masks *m)
{
	int prio = NVIC_PRIO_THREAD;

	for (unsigned int exc = 1; exc < NVIC_EXCEPTIONS; exc++) {
		int g;

		if (!n->active[exc / 32]) {
			exc |= 31;	/* skip a word with nothing active */
			continue;
		}
		if (!bit_get(n->active, exc))
			continue;
		g = nvic_group_priority(n, nvic_priority(n, exc));
		if (g < prio)
			prio = g;
	}
	if (m->basepri && nvic_group_priority(n, m->basepri) < prio)
		prio = nvic_group_priority(n, m->basepri);
	if (m->primask && prio > 0)
		prio = 0;
	if (m->faultmask && prio > -1)
		prio = -1;
	return prio;
}

/* Pending exceptions that can be taken at all: external ones need ISER. */
static bool takeable(const struct nvic *n, unsigned int exc)
{
	if (!bit_get(n->pending, exc))
		return false;
	return exc < EXC_IRQ0 || bit_get(n->enabled, exc);
}

unsigned int nvic_best_pending(const struct nvic *n)
{
	unsigned int best = 0;

	for (unsigned int w = 0; w < NVIC_WORDS; w++) {
		if (!n->pending[w])
			continue;
		for (unsigned int exc = w * 32; exc < w * 32 + 32 && exc < NVIC_EXCEPTIONS; exc++) {
			/* lower priority value first, then the lower number (B1.5.4) */
			if (exc && takeable(n, exc) &&
			    (!best || nvic_priority(n, exc) < nvic_priority(n, best)))
				best = exc;
		}
	}
	return best;
}

unsigned int nvic_to_take(const struct nvic *n, int exec_priority)
{
	unsigned int best = nvic_best_pending(n);

	if (best && nvic_group_priority(n, nvic_priority(n, best)) < exec_priority)
		return best;
	return 0;
}

bool nvic_any_takeable(const struct nvic *n)
{
	/* system exceptions (numbers below 16) need no enable bit */
	if (n->pending[0] & (n->enabled[0] | 0xFFFFu))
		return true;
	for (unsigned int w = 1; w < NVIC_WORDS; w++)
		if (n->pending[w] & n->enabled[w])
			return true;
	return false;
}

bool nvic_others_active(const struct nvic *n, unsigned int exc)
{
	for (unsigned int i = 1; i < NVIC_EXCEPTIONS; i++)
		if (i != exc && bit_get(n->active, i))
			return true;
	return false;
}

void nvic_activate(struct nvic *n, unsigned int exc)
{
	bit_put(n->pending, exc, false);
	bit_put(n->active, exc, true);
}

bool nvic_deactivate(struct nvic *n, unsigned int exc)
{
	if (!nvic_is_active(n, exc))
		return false;
	bit_put(n->active, exc, false);
	/* a line still held high is pending again (level-sensitive interrupts) */
	if (exc >= EXC_IRQ0 && bit_get(n->level, exc))
		bit_put(n->pending, exc, true);
	return true;
}

static uint32_t fault_enable_bit(unsigned int exc)
{
	switch (exc) {
	case EXC_MEMMANAGE:
		return SHCSR_MEMFAULTENA;
	case EXC_BUSFAULT:
		return SHCSR_BUSFAULTENA;
	case EXC_USAGEFAULT:
		return SHCSR_USGFAULTENA;
	default:
		return 0;	/* SVCall and HardFault need no enable */
	}
}

unsigned int nvic_fault_target(struct nvic *n, unsigned int exc, int exec_priority)
{
	uint32_t ena = fault_enable_bit(exc);
	bool enabled = !ena || (n->shcsr_enables & ena);

	if (exc != EXC_HARDFAULT && enabled &&
	    nvic_group_priority(n, nvic_priority(n, exc)) < exec_priority)
		return exc;
	if (exec_priority <= -1)
		return 0;	/* in HardFault or NMI, or FAULTMASK set: lockup */
	if (exc != EXC_HARDFAULT)
		n->hfsr |= HFSR_FORCED;
	return EXC_HARDFAULT;
}

/* ---- registers ---------------------------------------------------------- */

#define SCS_ISER	0x100
#define SCS_ICER	0x180
#define SCS_ISPR	0x200
#define SCS_ICPR	0x280
#define SCS_IABR	0x300
#define SCS_IPR		0x400
#define SCS_IPR_END	(SCS_IPR + NVIC_IRQS)
#define SCS_ICSR	0xD04
#define SCS_SHPR1	0xD18
#define SCS_SHPR3	0xD20
#define SCS_SHCSR	0xD24
#define SCS_CFSR	0xD28
#define SCS_HFSR	0xD2C
#define SCS_MMFAR	0xD34
#define SCS_BFAR	0xD38
#define SCS_STIR	0xF00

#define ICSR_RETTOBASE	(1u << 11)
#define ICSR_ISRPENDING	(1u << 22)
#define ICSR_PENDSTCLR	(1u << 25)
#define ICSR_PENDSTSET	(1u << 26)
#define ICSR_PENDSVCLR	(1u << 27)
#define ICSR_PENDSVSET	(1u << 28)
#define ICSR_NMIPENDSET	(1u << 31)

/* The 32 external interrupts of NVIC word `word` within a bitmap by exception number. */
static uint32_t irq_word(const uint32_t *bits, unsigned int word)
{
	unsigned int first = EXC_IRQ0 + 32 * word;

	return bits[first / 32] >> (first % 32) | (uint64_t)bits[first / 32 + 1] << (32 - first % 32);
}

static void irq_word_update(uint32_t *bits, unsigned int word, uint32_t v, bool set)
{
	for (unsigned int i = 0; i < 32; i++) {
		unsigned int exc = EXC_IRQ0 + 32 * word + i;

		if ((v >> i & 1) && exc < NVIC_EXCEPTIONS)
			bit_put(bits, exc, set);
	}
}

static bool any_external_pending(const struct nvic *n)
{
	for (unsigned int exc = EXC_IRQ0; exc < NVIC_EXCEPTIONS; exc++)
		if (bit_get(n->pending, exc))
			return true;
	return false;
}

static uint32_t icsr_value(const struct nvic *n, unsigned int ipsr)
{
	uint32_t v = ipsr & 0x1FF;

	v |= (nvic_best_pending(n) & 0x1FF) << 12;
	if (!nvic_others_active(n, ipsr))
		v |= ICSR_RETTOBASE;
	if (any_external_pending(n))
		v |= ICSR_ISRPENDING;
	if (bit_get(n->pending, EXC_SYSTICK))
		v |= ICSR_PENDSTSET;
	if (bit_get(n->pending, EXC_PENDSV))
		v |= ICSR_PENDSVSET;
	if (bit_get(n->pending, EXC_NMI))
		v |= ICSR_NMIPENDSET;
	return v;
}

static void icsr_write(struct nvic *n, uint32_t v)
{
	if (v & ICSR_NMIPENDSET)
		nvic_set_pending(n, EXC_NMI);
	if (v & ICSR_PENDSVSET)
		nvic_set_pending(n, EXC_PENDSV);
	else if (v & ICSR_PENDSVCLR)
		nvic_clear_pending(n, EXC_PENDSV);
	if (v & ICSR_PENDSTSET)
		nvic_set_pending(n, EXC_SYSTICK);
	else if (v & ICSR_PENDSTCLR)
		nvic_clear_pending(n, EXC_SYSTICK);
}

/* SHCSR: active and pended bits of the system handlers, and the fault enables. */
static const struct { uint8_t bit; uint8_t exc; bool active; } shcsr_bits[] = {
	{ 0, EXC_MEMMANAGE, true }, { 1, EXC_BUSFAULT, true }, { 3, EXC_USAGEFAULT, true },
	{ 7, EXC_SVCALL, true }, { 8, EXC_DEBUGMON, true }, { 10, EXC_PENDSV, true },
	{ 11, EXC_SYSTICK, true }, { 12, EXC_USAGEFAULT, false }, { 13, EXC_MEMMANAGE, false },
	{ 14, EXC_BUSFAULT, false }, { 15, EXC_SVCALL, false },
};

static uint32_t shcsr_value(const struct nvic *n)
{
	uint32_t v = n->shcsr_enables;

	for (unsigned int i = 0; i < sizeof(shcsr_bits) / sizeof(shcsr_bits[0]); i++) {
		const uint32_t *set = shcsr_bits[i].active ? n->active : n->pending;

		if (bit_get(set, shcsr_bits[i].exc))
			v |= 1u << shcsr_bits[i].bit;
	}
	return v;
}

/* Software may write the state bits too (context-switching kernels do). */
static void shcsr_write(struct nvic *n, uint32_t v)
{
	n->shcsr_enables = v & (SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA);
	for (unsigned int i = 0; i < sizeof(shcsr_bits) / sizeof(shcsr_bits[0]); i++) {
		uint32_t *set = shcsr_bits[i].active ? n->active : n->pending;

		bit_put(set, shcsr_bits[i].exc, v >> shcsr_bits[i].bit & 1);
	}
}

static uint32_t priority_word(const struct nvic *n, unsigned int first_exc)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		if (first_exc + i >= 4 && first_exc + i < NVIC_EXCEPTIONS)
			v |= (uint32_t)n->priority[first_exc + i] << (8 * i);
	return v;
}

static void priority_word_write(struct nvic *n, unsigned int first_exc, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		if (first_exc + i >= 4 && first_exc + i < NVIC_EXCEPTIONS)
			n->priority[first_exc + i] = (v >> (8 * i)) & NVIC_PRIO_MASK;
}

bool nvic_read(struct nvic *n, uint32_t off, unsigned int ipsr, uint32_t *v)
{
	unsigned int word = (off & 0x7F) / 4;
	bool in_words = word < NVIC_IRQS / 32;

	if (off >= SCS_ISER && off < SCS_IABR + 0x80 && (off & 0x7F) < 0x20) {
		const uint32_t *bits = off < SCS_ISPR ? n->enabled :
			off < SCS_IABR ? n->pending : n->active;

		*v = in_words ? irq_word(bits, word) : 0;
	} else if (off >= SCS_IPR && off < SCS_IPR + 0xF0) {
		*v = off < SCS_IPR_END ? priority_word(n, EXC_IRQ0 + (off - SCS_IPR)) : 0;
	} else if (off >= SCS_SHPR1 && off <= SCS_SHPR3) {
		*v = priority_word(n, off - SCS_SHPR1 + 4);
	} else if (off == SCS_ICSR) {
		*v = icsr_value(n, ipsr);
	} else if (off == SCS_SHCSR) {
		*v = shcsr_value(n);
	} else if (off == SCS_CFSR) {
		*v = n->cfsr;
	} else if (off == SCS_HFSR) {
		*v = n->hfsr;
	} else if (off == SCS_MMFAR) {
		*v = n->mmfar;
	} else if (off == SCS_BFAR) {
		*v = n->bfar;
	} else if (off == SCS_STIR) {
		*v = 0;		/* write-only */
	} else {
		return false;
	}
	return true;
}

bool nvic_write(struct nvic *n, uint32_t off, uint32_t v)
{
	unsigned int word = (off & 0x7F) / 4;
	bool in_words = word < NVIC_IRQS / 32;

	if (off >= SCS_ISER && off < SCS_IABR + 0x80 && (off & 0x7F) < 0x20) {
		if (!in_words || off >= SCS_IABR)
			return true;	/* IABR is read-only */
		if (off < SCS_ICER)
			irq_word_update(n->enabled, word, v, true);
		else if (off < SCS_ISPR)
			irq_word_update(n->enabled, word, v, false);
		else if (off < SCS_ICPR)
			irq_word_update(n->pending, word, v, true);
		else
			irq_word_update(n->pending, word, v, false);
	} else if (off >= SCS_IPR && off < SCS_IPR + 0xF0) {
		if (off < SCS_IPR_END)
			priority_word_write(n, EXC_IRQ0 + (off - SCS_IPR), v);
	} else if (off >= SCS_SHPR1 && off <= SCS_SHPR3) {
		priority_word_write(n, off - SCS_SHPR1 + 4, v);
	} else if (off == SCS_ICSR) {
		icsr_write(n, v);
	} else if (off == SCS_SHCSR) {
		shcsr_write(n, v);
	} else if (off == SCS_CFSR) {
		n->cfsr &= ~v;
	} else if (off == SCS_HFSR) {
		n->hfsr &= ~v;
	} else if (off == SCS_MMFAR) {
		n->mmfar = v;
	} else if (off == SCS_BFAR) {
		n->bfar = v;
	} else if (off == SCS_STIR) {
		if ((v & 0x1FF) < NVIC_IRQS)
			nvic_set_pending(n, EXC_IRQ0 + (v & 0x1FF));
	} else {
		return false;
	}
	return true;
}
