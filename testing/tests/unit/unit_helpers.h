/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the h743sim unit tests: the cmocka includes in the order
 * cmocka wants them; a device's registers and the virtual clock as a test
 * drives them; and a flash fixture (virtual clock + flash controller +
 * a 2 MiB array) driven only through the register and array bus callbacks,
 * the way a debugger or the CPU reaches them.
 *
 * Everything here is static inline so that a test program only links the
 * simulator modules it actually calls.
 */
#ifndef H743SIM_UNIT_HELPERS_H
#define H743SIM_UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flash.h"
#include "periph.h"
#include "vclock.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- devices on the virtual clock ---------------------------------------- */

/* cmocka teardown of a state that is a single calloc()ed block. */
static inline int free_state(void **state)
{
	free(*state);
	return 0;
}

/* A 32-bit register read by the CPU, which the device must accept. */
static inline uint32_t reg_read(const struct bus_region_ops *ops, void *dev, uint32_t off)
{
	uint32_t v = 0xDEADBEEF;	/* shows a read that stored nothing */

	assert_int_equal(ops->read(dev, off, 4, &v, MASTER_CPU), BUS_OK);
	return v;
}

/* A 32-bit register write by the CPU, which the device must accept. */
static inline void reg_write(const struct bus_region_ops *ops, void *dev, uint32_t off,
		uint32_t v)
{
	assert_int_equal(ops->write(dev, off, 4, v, MASTER_CPU), BUS_OK);
}

/*
 * Let ps of virtual time pass, stopping at each event on the way so that it
 * fires at its own time (and whatever it schedules within ps fires too).
 */
static inline void let_time_pass(struct vclock *clk, uint64_t ps)
{
	uint64_t end = clk->now + ps;
	uint64_t next;

	while ((next = vclock_next_event(clk)) <= end) {
		if (next > clk->now)
			vclock_advance(clk, next - clk->now, VCLOCK_RUNAHEAD);
		vclock_fire_due(clk);
	}
	vclock_advance(clk, end - clk->now, VCLOCK_RUNAHEAD);
}

/* ---- flash fixture ------------------------------------------------------ */

/* FLASH_CR.PSIZE values */
#define PSIZE_X8	0u
#define PSIZE_X16	1u
#define PSIZE_X32	2u
#define PSIZE_X64	3u

#define BANK1_ADDR	FLASH_ARRAY_BASE
#define BANK2_ADDR	(FLASH_ARRAY_BASE + FLASH_BANK_BYTES)

struct flash_fx {
	struct vclock clk;
	struct flash f;
	uint8_t *array;
	bool debugger;			/* what the debugger_attached hook answers */
	unsigned int backup_sram_erases;
	unsigned int code_changes;
};

static inline bool fx_hook_debugger(void *ctx)
{
	return ((struct flash_fx *)ctx)->debugger;
}

static inline void fx_hook_backup_sram(void *ctx)
{
	((struct flash_fx *)ctx)->backup_sram_erases++;
}

static inline void fx_hook_code_changed(void *ctx, uint32_t addr, uint32_t len)
{
	(void)addr;
	(void)len;
	((struct flash_fx *)ctx)->code_changes++;
}

/* A powered-on part with factory option bytes, as chip_power_on() leaves it. */
static inline struct flash_fx *fx_new(const char *variant, uint16_t rev_id)
{
	struct flash_fx *fx = calloc(1, sizeof(*fx));
	const struct flash_variant *v = flash_find_variant(variant);

	assert_non_null(fx);
	assert_non_null(v);
	fx->array = malloc(FLASH_ARRAY_SIZE);
	assert_non_null(fx->array);
	memset(fx->array, 0xFF, FLASH_ARRAY_SIZE);
	vclock_init(&fx->clk);

	struct flash_hooks hooks = {
		.code_changed = fx_hook_code_changed,
		.debugger_attached = fx_hook_debugger,
		.erase_backup_sram = fx_hook_backup_sram,
		.ctx = fx,
	};

	flash_init(&fx->f, &fx->clk, v, rev_id, fx->array, &hooks);
	flash_reset(&fx->f);
	return fx;
}

static inline void fx_free(struct flash_fx *fx)
{
	if (!fx)
		return;
	free(fx->array);
	free(fx);
}

/* cmocka setup/teardown for the common case: H743xI, revision V. */
static inline int fx_setup(void **state)
{
	*state = fx_new("H743xI", REV_ID_V);
	return 0;
}

static inline int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Register offset of a per-bank register: bank 0 or 1. */
static inline uint32_t breg(unsigned int bank, uint32_t reg)
{
	return reg + bank * FLASH_BANK2_REGS;
}

static inline uint32_t fx_rd(struct flash_fx *fx, uint32_t off)
{
	uint32_t v = 0xDEADBEEF;

	assert_int_equal(flash_regs_ops.read(&fx->f, off, 4, &v, MASTER_AP0), BUS_OK);
	return v;
}

static inline void fx_wr(struct flash_fx *fx, uint32_t off, uint32_t v)
{
	assert_int_equal(flash_regs_ops.write(&fx->f, off, 4, v, MASTER_AP0), BUS_OK);
}

/* A register write the bus must refuse (e.g. a key out of sequence). */
static inline void fx_wr_faults(struct flash_fx *fx, uint32_t off, uint32_t v)
{
	assert_int_equal(flash_regs_ops.write(&fx->f, off, 4, v, MASTER_AP0), BUS_ERROR);
}

/* Array accesses by absolute address (0x08000000...). */
static inline int fx_read_as(struct flash_fx *fx, uint32_t addr, unsigned int size,
		uint32_t *v, enum bus_master who)
{
	return flash_array_ops.read(&fx->f, addr - FLASH_ARRAY_BASE, size, v, who);
}

static inline int fx_read(struct flash_fx *fx, uint32_t addr, unsigned int size, uint32_t *v)
{
	return fx_read_as(fx, addr, size, v, MASTER_AP0);
}

static inline int fx_write(struct flash_fx *fx, uint32_t addr, unsigned int size, uint32_t v)
{
	return flash_array_ops.write(&fx->f, addr - FLASH_ARRAY_BASE, size, v, MASTER_AP0);
}

/* Read a word that must be readable without error. */
static inline uint32_t fx_read32(struct flash_fx *fx, uint32_t addr)
{
	uint32_t v = 0;

	assert_int_equal(fx_read(fx, addr, 4, &v), BUS_OK);
	return v;
}

/* The stored bytes, whatever a read would say about them. */
static inline uint8_t *fx_raw(struct flash_fx *fx, uint32_t addr)
{
	return fx->array + (addr - FLASH_ARRAY_BASE);
}

static inline unsigned int fx_bank_of(uint32_t addr)
{
	return (addr - FLASH_ARRAY_BASE) / FLASH_BANK_BYTES;
}

static inline void fx_run(struct flash_fx *fx, uint64_t ps)
{
	vclock_advance(&fx->clk, ps, VCLOCK_SKIP);
	vclock_fire_due(&fx->clk);
}

/* Jump from event to event until nothing is pending. */
static inline void fx_run_until_idle(struct flash_fx *fx)
{
	for (int guard = 0; guard < 10000; guard++) {
		uint64_t next = vclock_next_event(&fx->clk);

		if (next == UINT64_MAX)
			return;
		if (next > fx->clk.now)
			vclock_advance(&fx->clk, next - fx->clk.now, VCLOCK_SKIP);
		vclock_fire_due(&fx->clk);
	}
	fail_msg("events keep coming");
}

static inline void fx_unlock(struct flash_fx *fx, unsigned int bank)
{
	fx_wr(fx, breg(bank, FLASH_KEYR), FLASH_KEY1);
	fx_wr(fx, breg(bank, FLASH_KEYR), FLASH_KEY2);
	assert_int_equal(fx_rd(fx, breg(bank, FLASH_CR)) & CR_LOCK, 0);
}

/* Drivers test LOCK before keying: keying an unlocked bank locks it. */
static inline void fx_ensure_unlocked(struct flash_fx *fx, unsigned int bank)
{
	if (fx_rd(fx, breg(bank, FLASH_CR)) & CR_LOCK)
		fx_unlock(fx, bank);
}

static inline void fx_unlock_opt(struct flash_fx *fx)
{
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY1);
	fx_wr(fx, FLASH_OPTKEYR, FLASH_OPTKEY2);
	assert_int_equal(fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK, 0);
}

/* Unlocked bank with CR = PG and the given PSIZE. */
static inline void fx_enable_pg(struct flash_fx *fx, unsigned int bank, unsigned int psize)
{
	fx_ensure_unlocked(fx, bank);
	fx_wr(fx, breg(bank, FLASH_CR), CR_PG | psize << CR_PSIZE_SHIFT);
}

/* Store one flash word as eight 32-bit writes (PG must be set). */
static inline void fx_store_word(struct flash_fx *fx, uint32_t addr, const uint32_t w[8])
{
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(fx_write(fx, addr + 4 * i, 4, w[i]), BUS_OK);
}

/* Program one flash word at x64 and wait until the bank is idle again. */
static inline void fx_program(struct flash_fx *fx, uint32_t addr, const uint32_t w[8])
{
	unsigned int bank = fx_bank_of(addr);

	fx_enable_pg(fx, bank, PSIZE_X64);
	fx_store_word(fx, addr, w);
	fx_run_until_idle(fx);
}

/* Program a flash word whose eight 32-bit values are all v. */
static inline void fx_program_fill(struct flash_fx *fx, uint32_t addr, uint32_t v)
{
	uint32_t w[8];

	for (unsigned int i = 0; i < 8; i++)
		w[i] = v;
	fx_program(fx, addr, w);
}

/* Start OPTSTART with whatever is in the *_PRG registers and wait for the end. */
static inline void fx_commit_options(struct flash_fx *fx)
{
	if (fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK)
		fx_unlock_opt(fx);
	fx_wr(fx, FLASH_OPTCR, OPTCR_OPTSTART);
	fx_run_until_idle(fx);
	assert_int_equal(fx_rd(fx, FLASH_OPTSR_CUR) & OPTSR_OPT_BUSY, 0);
}

/* Read-modify-write of OPTSR_PRG (OPTLOCK must be clear). */
static inline void fx_set_optsr_prg(struct flash_fx *fx, uint32_t clear, uint32_t set)
{
	fx_wr(fx, FLASH_OPTSR_PRG, (fx_rd(fx, FLASH_OPTSR_PRG) & ~clear) | set);
}

static inline void fx_set_rdp(struct flash_fx *fx, uint8_t rdp)
{
	if (fx_rd(fx, FLASH_OPTCR) & OPTCR_OPTLOCK)
		fx_unlock_opt(fx);
	fx_set_optsr_prg(fx, OPTSR_RDP_MASK, (uint32_t)rdp << OPTSR_RDP_SHIFT);
	fx_commit_options(fx);
}

#endif
