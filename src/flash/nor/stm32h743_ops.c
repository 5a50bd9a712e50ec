// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Erase and program for the STM32H743 flash (RM0433 sections 4.3.9-4.3.11).
 * Programming streams flash words through a target-resident loader
 * (contrib/loaders/flash/stm32h743) using OpenOCD's async FIFO; without a
 * work area it falls back to host-driven word writes.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/binarybuffer.h>
#include <helper/time_support.h>
#include <target/algorithm.h>
#include <target/armv7m.h>

#include "stm32h743_diag.h"
#include "../../../contrib/loaders/flash/stm32h743/stm32h743_loader.h"

/* Data per loader run: progress is reported between runs. */
#define PROGRESS_CHUNK		(128 * 1024)
/*
 * OpenOCD's FIFO loop hands the loader each write only once all of it is in
 * RAM: a small FIFO lets the flash start early, and leaves little to program
 * after the last byte crossed the wire (32 KiB cost ~100 ms per run at 4 MHz).
 */
#define FIFO_MAX		(4 * 1024)
#define FIFO_MIN		(16 * STM32H743_FLASH_WORD)

/*
 * What went wrong in the operation under way, for the diagnosis: set where
 * the failure is seen, read when the operation gives up (OpenOCD runs one
 * flash operation at a time).
 */
static struct stm32h743_failure op;

static void op_begin(struct flash_bank *bank, const char *operation, target_addr_t addr,
		uint32_t len)
{
	memset(&op, 0, sizeof(op));
	op.operation = operation;
	op.bank = bank;
	op.addr = addr;
	op.len = len;
	stm32h743_clear_last_failure();
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);

	if (rec) {
		rec->last_error_sr = 0;
		rec->key_locked = false;
	}
	if (!strcmp(operation, "erase"))
		stm32h743_record_reset_flags(bank);
}

/* The operation failed: diagnose it (verdict, evidence, next step), keep its error. */
static int op_failed(int retval)
{
	struct stm32h743_record *rec = stm32h743_record_of(op.bank->target);

	op.retval = retval;
	op.timed_out |= retval == ERROR_FLASH_BUSY;
	if (rec)
		op.flash_sr |= rec->last_error_sr;
	stm32h743_diagnose_failure(&op);
	return retval;
}

static const uint8_t loader_code[] = {
#include "../../../contrib/loaders/flash/stm32h743/stm32h743_write.inc"
};

static int check_halted(struct flash_bank *bank, const char *what)
{
	struct stm32h743_bank *info = stm32h743_info(bank);

	if (info->absent) {
		stm32h743_refused("%s: the %s has no flash at " TARGET_ADDR_FMT " (bank %u is absent)", what,
			info->part->name, bank->base, info->index + 1);
		return ERROR_FLASH_BANK_INVALID;
	}
	if (bank->target->state != TARGET_HALTED) {
		stm32h743_refused("%s: the target must be halted (run `halt` or `reset halt` first)", what);
		return ERROR_TARGET_NOT_HALTED;
	}
	return ERROR_OK;
}

/*
 * OpenOCD's own range check does not protect the driver: `last` can come
 * from num_sectors - 1 of a bank without sectors. Only sectors of the
 * declared bank are ever erased.
 */
static int check_sector_range(struct flash_bank *bank, unsigned int first, unsigned int last,
		const char *what)
{
	if (first <= last && last < bank->num_sectors)
		return ERROR_OK;
	stm32h743_refused("%s: sectors %u..%u are not in bank %u at " TARGET_ADDR_FMT ", which has sectors "
		"0..%u; nothing was done", what, first, last, stm32h743_info(bank)->index + 1,
		bank->base, bank->num_sectors - 1);
	return ERROR_FLASH_SECTOR_INVALID;
}

/*
 * A bank erase (BER) erases every sector of the physical bank: only when the
 * declared bank is all of it.
 */
static bool whole_bank(struct flash_bank *bank)
{
	return bank->num_sectors == stm32h743_info(bank)->part->sectors_per_bank;
}

/* The sectors in `mask` take one bank erase: all of a whole, multi-sector bank. */
static bool takes_bank_erase(struct flash_bank *bank, uint32_t mask)
{
	return bank->num_sectors > 1 && mask == BIT(bank->num_sectors) - 1 && whole_bank(bank);
}

/* Sectors first..last as a mask (bit n: sector n). */
static uint32_t sector_mask(unsigned int first, unsigned int last)
{
	return (uint32_t)GENMASK(last, first);
}

/*
 * RDP level 1 with a debugger attached keeps the user flash out of reach of
 * erase and program alike (RM0433 4.5.3): say so instead of letting the
 * controller answer with bare WRPERR.
 */
static int check_not_read_protected(struct flash_bank *bank, const char *what)
{
	uint32_t optsr;
	int retval = stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr);

	if (retval != ERROR_OK)
		return retval;
	if (stm32h743_rdp_level(optsr) == 0)
		return ERROR_OK;
	stm32h743_refused("%s: the flash is read protected (RDP level %u, FLASH_OPTSR_CUR=0x%08" PRIx32
		"): with a debugger attached it can be neither erased nor programmed. "
		"`stm32h743 unlock` returns to level 0 but mass-erases both banks", what,
		stm32h743_rdp_level(optsr), optsr);
	return ERROR_FLASH_PROTECTED;
}

/* Refuse before touching the chip when WPSN protects a sector in the range. */
static int check_not_protected(struct flash_bank *bank, unsigned int first, unsigned int last,
		const char *what)
{
	uint32_t wpsn;
	int retval = stm32h743_read_reg(bank, STM32H743_WPSN_CUR, &wpsn);

	if (retval != ERROR_OK)
		return retval;
	for (unsigned int s = first; s <= last; s++) {
		if (!(wpsn & BIT(s))) {
			stm32h743_refused("%s: bank %u sector %u is write protected (%s=0x%02" PRIx32 "); "
				"lift it with `flash protect %u %u %u off`", what,
				stm32h743_info(bank)->index + 1, s,
				stm32h743_reg_name(bank, STM32H743_WPSN_CUR), wpsn, bank->bank_number,
				s, s);
			return ERROR_FLASH_PROTECTED;
		}
	}
	return ERROR_OK;
}

/*
 * The chip neither erases nor programs a PCROP area, nor an enforced
 * secure-only area, for the debugger (RM0433 4.5.4-4.5.5; it would answer
 * WRPERR). Refuse before touching the chip when [first, last] reaches one:
 * name the area, its register, and how it goes away.
 */
static int check_no_area(struct flash_bank *bank, uint32_t first, uint32_t last, bool erase,
		const char *what)
{
	unsigned int n = stm32h743_info(bank)->index + 1;

	for (unsigned int i = 0; i < 2; i++) {
		bool pcrop = i == 0;
		struct stm32h743_area a;
		char subject[64];
		int retval = stm32h743_read_area(bank, pcrop ? STM32H743_PRAR_CUR : STM32H743_SCAR_CUR,
				&a);

		if (retval != ERROR_OK)
			return retval;
		if (!a.enforced || last < a.first || first > a.last)
			continue;
		if (erase)
			snprintf(subject, sizeof(subject), "bank %u sector %u holds", n,
				(unsigned int)((MAX(first, a.first) - bank->base) / STM32H743_SECTOR_SIZE));
		else
			snprintf(subject, sizeof(subject), "0x%08" PRIx32 "-0x%08" PRIx32 " reaches into",
				first, last);
		stm32h743_refused("%s: %s the %s area 0x%08" PRIx32 "-0x%08" PRIx32 " of bank %u (%s=0x%08"
			PRIx32 "%s), which the chip neither erases nor programs (WRPERR); nothing was "
			"done. `stm32h743 option_set %s%u none` removes the area; if the chip keeps it, "
			"only an RDP regression (level 1 -> 0) with `%s%u erase` set removes it, and "
			"that erases its code and both banks", what, subject,
			pcrop ? "PCROP (execute-only)" : "secure-only", a.first, a.last, n,
			stm32h743_reg_name(bank, a.reg), a.value, pcrop ? "" : ", SECURITY on",
			pcrop ? "pcrop" : "secure", n, pcrop ? "dmep" : "dmes", n);
		return ERROR_FLASH_PROTECTED;
	}
	return ERROR_OK;
}

/*
 * An erase of sectors first..last reads idle. A controller locked again was
 * reset under us: the erase did not happen (at once) or stopped part way
 * (later), and is not recorded as done. Idle at the first status read
 * (instant) means the controller reported done without erasing.
 */
static int erase_ended(struct flash_bank *bank, unsigned int first, unsigned int last,
		bool instant, uint32_t first_sr, int64_t elapsed_ms, const char *what)
{
	uint32_t cr_now = 0;

	if (stm32h743_read_reg(bank, STM32H743_CR, &cr_now) == ERROR_OK && (cr_now & CR_LOCK)) {
		LOG_ERROR("%s: %s is locked again (0x%08" PRIx32 ") and the erase %s: the chip "
			"was reset during the operation", what,
			stm32h743_reg_name(bank, STM32H743_CR), cr_now, instant ? "did not start" :
			"stopped part way");
		op.reset_seen = true;
		return ERROR_FLASH_OPERATION_FAILED;
	}
	LOG_DEBUG("%s: FLASH_SR=0x%08" PRIx32 " at the first status read, done after %" PRId64
		" ms", what, first_sr, elapsed_ms);
	stm32h743_record_erase(bank, first, last, instant, elapsed_ms);
	if (instant) {
		LOG_ERROR("%s: the controller reported it done at the first status read (%s=0x%08"
			PRIx32 ", QW clear); an erase takes at least a second (DS12110), so it did "
			"not happen", what, stm32h743_reg_name(bank, STM32H743_SR), first_sr);
		op.instant = true;
		snprintf(op.instant_what, sizeof(op.instant_what), "%s", what);
		return ERROR_FLASH_OPERATION_FAILED;
	}
	return ERROR_OK;
}

/*
 * Start one sector or bank erase and wait for it. An erase takes a second or
 * more (DS12110 t_ERASE128KB): a queue already empty at the first status
 * read means the controller reported done without erasing.
 */
static int erase_one(struct flash_bank *bank, uint32_t cr, unsigned int timeout_ms,
		unsigned int first, unsigned int last, const char *what)
{
	int64_t start = timeval_ms();
	uint32_t sr = 0;
	int retval = stm32h743_write_reg(bank, STM32H743_CR, cr);

	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CR, cr | CR_START);
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);
	if (retval == ERROR_OK)
		retval = stm32h743_wait_idle(bank, timeout_ms, what);
	if (retval != ERROR_OK)
		return retval;
	return erase_ended(bank, first, last, !(sr & (SR_QW | SR_BSY)), sr,
		timeval_ms() - start, what);
}

static int erase_sectors(struct flash_bank *bank, unsigned int first, unsigned int last)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	uint32_t psize = stm32h743_psize_bits(info->psize);
	char what[64];

	if (takes_bank_erase(bank, sector_mask(first, last))) {
		snprintf(what, sizeof(what), "bank %u erase", info->index + 1);
		LOG_INFO("erasing bank %u (%u sectors) with one bank erase", info->index + 1,
			bank->num_sectors);
		return erase_one(bank, CR_BER | psize, stm32h743_bank_erase_timeout_ms(info->psize),
			0, bank->num_sectors - 1, what);
	}
	for (unsigned int s = first; s <= last; s++) {
		int retval;

		snprintf(what, sizeof(what), "bank %u sector %u erase", info->index + 1, s);
		if (last > first)
			LOG_INFO("erasing bank %u sector %u (%u of %u)", info->index + 1, s,
				s - first + 1, last - first + 1);
		retval = erase_one(bank, CR_SER | psize | (s << CR_SNB_SHIFT),
			stm32h743_sector_erase_timeout_ms(info->psize), s, s, what);
		if (retval != ERROR_OK)
			return retval;
	}
	return ERROR_OK;
}

int stm32h743_erase(struct flash_bank *bank, unsigned int first, unsigned int last)
{
	stm32h743_clear_last_failure();
	int retval = check_halted(bank, "erase");

	if (retval == ERROR_OK)
		retval = check_sector_range(bank, first, last, "erase");
	if (retval != ERROR_OK)
		return retval;
	op_begin(bank, "erase", bank->base + first * STM32H743_SECTOR_SIZE,
		(last - first + 1) * STM32H743_SECTOR_SIZE);
	retval = check_not_read_protected(bank, "erase");
	if (retval == ERROR_OK)
		retval = check_not_protected(bank, first, last, "erase");
	if (retval == ERROR_OK)
		retval = check_no_area(bank, bank->base + first * STM32H743_SECTOR_SIZE,
				bank->base + (last + 1) * STM32H743_SECTOR_SIZE - 1, true, "erase");
	if (retval == ERROR_OK)
		retval = stm32h743_wait_idle(bank,
				stm32h743_bank_erase_timeout_ms(stm32h743_info(bank)->psize), "erase");
	if (retval == ERROR_OK)
		retval = stm32h743_unlock(bank);
	if (retval != ERROR_OK)
		return op_failed(retval);
	retval = stm32h743_clear_errors(bank);
	if (retval == ERROR_OK)
		retval = erase_sectors(bank, first, last);
	/* One exit path: relock even after a failure, keep the first error. */
	int lock_retval = stm32h743_lock(bank);

	if (retval == ERROR_OK)
		retval = lock_retval;
	return retval != ERROR_OK ? op_failed(retval) : ERROR_OK;
}

/*
 * Whole banks, both at the same time (each bank has its own command queue):
 * the checks of a mass erase, then the sector-erase engine with every
 * sector, which gives each bank one bank erase.
 */
int stm32h743_erase_banks(struct flash_bank **banks, unsigned int count)
{
	int retval = ERROR_OK;

	stm32h743_clear_last_failure();
	for (unsigned int i = 0; i < count && retval == ERROR_OK; i++) {
		op_begin(banks[i], "erase", banks[i]->base, banks[i]->size);
		retval = check_halted(banks[i], "mass erase");
		if (retval == ERROR_OK && !whole_bank(banks[i])) {
			stm32h743_refused("mass erase: %s is declared with %u of the %u sectors of bank %u, and "
				"a bank erase would erase the others too; nothing was done. Use `flash "
				"erase_sector %u 0 last` for the declared ones", banks[i]->name,
				banks[i]->num_sectors, stm32h743_info(banks[i])->part->sectors_per_bank,
				stm32h743_info(banks[i])->index + 1, banks[i]->bank_number);
			retval = ERROR_FLASH_BANK_INVALID;
		}
		if (retval == ERROR_OK)
			retval = check_not_read_protected(banks[i], "mass erase");
		if (retval == ERROR_OK)
			retval = check_not_protected(banks[i], 0, banks[i]->num_sectors - 1,
					"mass erase");
		if (retval == ERROR_OK)
			retval = check_no_area(banks[i], banks[i]->base,
					banks[i]->base + banks[i]->size - 1, true, "mass erase");
	}
	if (retval == ERROR_TARGET_NOT_HALTED || retval == ERROR_FLASH_BANK_INVALID)
		return retval;
	if (retval != ERROR_OK)
		return op_failed(retval);	/* refused: no bank was touched, none to relock */

	/* every sector of each bank: one bank erase each, both banks at once */
	uint32_t masks[2];

	for (unsigned int i = 0; i < count; i++) {
		masks[i] = (uint32_t)((1ull << banks[i]->num_sectors) - 1);
		LOG_INFO("erasing bank %u (%" PRIu32 " KiB)", stm32h743_info(banks[i])->index + 1,
			banks[i]->size / 1024);
	}
	return stm32h743_erase_sectors(banks, masks, count, NULL, NULL);
}

/* ---- programming ------------------------------------------------------------ */

/* Little-endian image of the loader parameters, laid out by the shared header. */
static void put_params(uint8_t *buf, const struct stm32h743_loader_params *p)
{
	const uint32_t *words = (const uint32_t *)p;

	for (size_t i = 0; i < sizeof(*p) / 4; i++)
		buf_set_u32(buf + 4 * i, 0, 32, words[i]);
}

static void get_params(const uint8_t *buf, struct stm32h743_loader_params *p)
{
	uint32_t *words = (uint32_t *)p;

	for (size_t i = 0; i < sizeof(*p) / 4; i++)
		words[i] = buf_get_u32(buf + 4 * i, 0, 32);
}

struct loader_areas {
	struct working_area *code;	/* code, params, stack */
	struct working_area *fifo;
};

static uint32_t params_offset(void)
{
	return (sizeof(loader_code) + 7) & ~7u;
}

static uint32_t stack_top_offset(void)
{
	return params_offset() + sizeof(struct stm32h743_loader_params) + STM32H743_LOADER_STACK;
}

static void free_loader(struct target *target, struct loader_areas *a)
{
	if (a->fifo)
		target_free_working_area(target, a->fifo);
	if (a->code)
		target_free_working_area(target, a->code);
	a->fifo = NULL;
	a->code = NULL;
}

static int alloc_loader(struct target *target, struct loader_areas *a)
{
	uint32_t fifo = FIFO_MAX;

	a->code = NULL;
	a->fifo = NULL;
	if (target_alloc_working_area_try(target, stack_top_offset(), &a->code) != ERROR_OK)
		return ERROR_TARGET_RESOURCE_NOT_AVAILABLE;
	while (target_alloc_working_area_try(target, 8 + fifo, &a->fifo) != ERROR_OK) {
		fifo /= 2;
		if (fifo < FIFO_MIN) {
			free_loader(target, a);
			return ERROR_TARGET_RESOURCE_NOT_AVAILABLE;
		}
	}
	int retval = target_write_buffer(target, a->code->address, sizeof(loader_code), loader_code);

	if (retval != ERROR_OK)
		free_loader(target, a);
	return retval;
}

/* The loader stopped on a flash error: name the word, the bank and the flags. */
static int loader_failure(struct flash_bank *bank, const struct stm32h743_loader_params *p)
{
	char what[96];

	if (p->status == STM32H743_LOADER_FLASH_ERROR) {
		snprintf(what, sizeof(what), "programming the flash word at 0x%08" PRIx32,
			p->error_addr);
		return stm32h743_report_errors(bank, p->error_sr, what);
	}
	LOG_ERROR("the flash loader stopped (status %" PRIu32 ") before finishing; the target "
		"may have been reset or the debug connection lost", p->status);
	op.loader_stopped = true;
	return ERROR_FLASH_OPERATION_FAILED;
}

#define program_run stm32h743_run

/*
 * The data in the order the loader takes it: with two runs (two banks) one
 * word of each in turn until the shorter ends (the loader's interleave).
 */
static uint8_t *interleave(const struct program_run *runs, unsigned int n, uint32_t *total)
{
	uint32_t words = 0;

	for (unsigned int i = 0; i < n; i++)
		if (!runs[i].src)
			words += runs[i].words;
	/* at least one byte: with every run staged there is nothing to copy, and
	 * malloc(0) may return NULL, which would read as out of memory */
	uint8_t *out = malloc(MAX(words, 1u) * (size_t)STM32H743_FLASH_WORD);
	uint32_t at = 0, next[STM32H743_LOADER_MAX_SEGMENTS] = { 0 };

	*total = words;
	if (!out)
		return NULL;
	while (at < words) {
		for (unsigned int i = 0; i < n; i++) {
			if (runs[i].src || next[i] == runs[i].words)
				continue;	/* staged in RAM, or done */
			memcpy(out + (size_t)at++ * STM32H743_FLASH_WORD,
				runs[i].data + (size_t)next[i]++ * STM32H743_FLASH_WORD,
				STM32H743_FLASH_WORD);
		}
	}
	return out;
}

/* One loader run over up to two runs (in different banks, programmed together). */
static int loader_run_segments(struct loader_areas *a, const struct program_run *runs,
		unsigned int n)
{
	struct target *target = runs[0].bank->target;
	struct stm32h743_loader_params p = {
		.fifo_start = a->fifo->address,
		.fifo_end = a->fifo->address + a->fifo->size,
		.nsegments = n,
		.interleave = n > 1,
	};
	uint8_t raw[sizeof(p)];
	struct reg_param reg_params[2];
	struct armv7m_algorithm armv7m_info = {
		.common_magic = ARMV7M_COMMON_MAGIC, .core_mode = ARM_MODE_THREAD,
	};
	target_addr_t params_addr = a->code->address + params_offset();
	uint32_t total = 0;

	uint32_t staged_words = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct stm32h743_bank *info = stm32h743_info(runs[i].bank);

		p.seg[i] = (struct stm32h743_loader_segment){
			.flash_addr = runs[i].addr, .words = runs[i].words,
			.regs = STM32H743_FLASH_REGS + info->index * STM32H743_BANK2_REGS,
			.cr = CR_PG | stm32h743_psize_bits(info->psize),
			.src = runs[i].src,
		};
		if (runs[i].src)
			staged_words += runs[i].words;
	}
	bool copy = n > 1 || runs[0].src;
	uint8_t *data = copy ? interleave(runs, n, &total) : (uint8_t *)runs[0].data;

	if (!copy)
		total = runs[0].words;
	if (!data)
		return ERROR_FAIL;
	put_params(raw, &p);
	int retval = target_write_buffer(target, params_addr, sizeof(raw), raw);

	if (retval == ERROR_OK) {
		init_reg_param(&reg_params[0], "r0", 32, PARAM_OUT);
		init_reg_param(&reg_params[1], "sp", 32, PARAM_OUT);
		buf_set_u32(reg_params[0].value, 0, 32, params_addr);
		buf_set_u32(reg_params[1].value, 0, 32, a->code->address + stack_top_offset());
		if (total)
			retval = target_run_flash_async_algorithm(target, data, total,
				STM32H743_FLASH_WORD, 0, NULL, ARRAY_SIZE(reg_params), reg_params,
				a->fifo->address, a->fifo->size, a->code->address,
				a->code->address + 4, &armv7m_info);
		else	/* all from RAM: no FIFO to feed; a word takes at most 1 ms */
			retval = target_run_algorithm(target, 0, NULL, ARRAY_SIZE(reg_params),
				reg_params, a->code->address, a->code->address + 4,
				1000 + staged_words, &armv7m_info);
		destroy_reg_param(&reg_params[0]);
		destroy_reg_param(&reg_params[1]);
	}
	if (copy)
		free(data);
	if (retval != ERROR_OK && !p.nsegments)
		return retval;

	/* Whatever happened, the loader's own account says which word failed. */
	int read_retval = target_read_buffer(target, params_addr, sizeof(raw), raw);

	if (read_retval == ERROR_OK) {
		get_params(raw, &p);
		if (p.status != STM32H743_LOADER_DONE) {
			struct flash_bank *failed = runs[0].bank;

			for (unsigned int i = 1; i < n; i++)
				if (p.error_regs == p.seg[i].regs)
					failed = runs[i].bank;
			return loader_failure(failed, &p);
		}
		/* the loader's count is for the whole run: put it on the first bank */
		for (unsigned int i = 0; i < n; i++)
			stm32h743_record_program(runs[i].bank, runs[i].addr, runs[i].data,
				runs[i].words, i ? 0 : p.instant_words);
	}
	return retval != ERROR_OK ? retval : read_retval;
}

/* One loader run over `words` flash words of this bank starting at addr. */
static int loader_run(struct flash_bank *bank, struct loader_areas *a, const uint8_t *data,
		uint32_t addr, uint32_t words)
{
	const struct program_run run = { .bank = bank, .addr = addr, .words = words, .data = data };

	return loader_run_segments(a, &run, 1);
}

static int program_with_loader(struct flash_bank *bank, const uint8_t *data, uint32_t addr,
		uint32_t words)
{
	struct loader_areas areas;
	int retval = alloc_loader(bank->target, &areas);

	if (retval != ERROR_OK)
		return retval;
	uint32_t total = words, done = 0;

	while (done < total && retval == ERROR_OK) {
		uint32_t n = MIN(total - done, PROGRESS_CHUNK / STM32H743_FLASH_WORD);

		retval = loader_run(bank, &areas, data + done * STM32H743_FLASH_WORD,
			addr + done * STM32H743_FLASH_WORD, n);
		done += n;
		if (retval == ERROR_OK && total > n)
			LOG_INFO("programmed %" PRIu32 " of %" PRIu32 " KiB at 0x%08" PRIx32,
				done * STM32H743_FLASH_WORD / 1024, total * STM32H743_FLASH_WORD / 1024,
				addr);
	}
	free_loader(bank->target, &areas);
	return retval;
}

/* No work area: the host writes each flash word through the debug port. */
/*
 * The flash word at addr reads back as data. A queue already empty at the
 * first status read may only mean a slow link: on a slow SWD or JTAG clock
 * the status read comes more than the 100 us of programming after the store,
 * so only a word that does not hold its data was not programmed.
 */
static bool word_holds(struct flash_bank *bank, uint32_t addr, const uint8_t *data)
{
	uint8_t word[STM32H743_FLASH_WORD];

	return target_read_buffer(bank->target, addr, sizeof(word), word) == ERROR_OK &&
		!memcmp(word, data, sizeof(word));
}

static int program_from_host(struct flash_bank *bank, const uint8_t *data, uint32_t addr,
		uint32_t words)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	int retval = stm32h743_write_reg(bank, STM32H743_CR,
			CR_PG | stm32h743_psize_bits(info->psize));

	for (uint32_t i = 0; i < words && retval == ERROR_OK; i++) {
		uint32_t word_addr = addr + i * STM32H743_FLASH_WORD;
		char what[64];

		snprintf(what, sizeof(what), "programming the flash word at 0x%08" PRIx32, word_addr);
		uint32_t sr = 0;

		retval = target_write_buffer(bank->target, word_addr, STM32H743_FLASH_WORD,
				data + i * STM32H743_FLASH_WORD);
		if (retval == ERROR_OK)
			retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);
		if (retval == ERROR_OK)
			retval = stm32h743_wait_idle(bank, stm32h743_program_timeout_ms(info->psize),
					what);
		if (retval == ERROR_OK)
			stm32h743_record_program(bank, word_addr, data + i * STM32H743_FLASH_WORD, 1,
				!(sr & (SR_QW | SR_BSY | SR_WBNE)) &&
				!word_holds(bank, word_addr, data + i * STM32H743_FLASH_WORD));
		if (i && !(i % (PROGRESS_CHUNK / STM32H743_FLASH_WORD)))
			LOG_INFO("programmed %" PRIu32 " of %" PRIu32 " KiB at 0x%08" PRIx32,
				i * STM32H743_FLASH_WORD / 1024, words * STM32H743_FLASH_WORD / 1024, addr);
	}
	int clear_retval = stm32h743_write_reg(bank, STM32H743_CR, 0);

	return retval != ERROR_OK ? retval : clear_retval;
}

/*
 * Flash words can only be programmed once after an erase: programming one
 * again corrupts its ECC (RM0433 4.3.9). Check the destination is erased and
 * name the first word that is not.
 */
static int check_erased(struct flash_bank *bank, uint32_t addr, uint32_t len)
{
	struct target *target = bank->target;
	struct target_memory_check_block block = { .address = addr, .size = len };
	int retval = target_blank_check_memory(target, &block, 1, bank->erased_value);

	if (retval > 0 && block.result == 1)
		return ERROR_OK;	/* the on-target check says erased */
	/* Not erased, or no algorithm: find the word by reading back. */
	uint8_t word[STM32H743_FLASH_WORD];

	for (uint32_t off = 0; off < len; off += STM32H743_FLASH_WORD) {
		retval = target_read_buffer(target, addr + off, sizeof(word), word);
		if (retval != ERROR_OK) {
			LOG_ERROR("cannot read the flash word at 0x%08" PRIx32 " to check that it is "
				"erased", addr + off);
			op.read_failed = true;
			op.read_addr = addr + off;
			return ERROR_FLASH_OPERATION_FAILED;
		}
		for (unsigned int i = 0; i < sizeof(word); i++) {
			if (word[i] != bank->erased_value) {
				stm32h743_refused("refusing to program the flash word at 0x%08" PRIx32 ": it is "
					"not erased (byte 0x%08" PRIx32 " reads 0x%02x); programming it "
					"again would corrupt its ECC. Erase its sector first "
					"(`flash erase_address`, or `flash write_image erase`)",
					addr + off, addr + off + i, word[i]);
				op.not_erased = true;
				op.not_erased_addr = addr + off + i;
				return ERROR_FLASH_OPERATION_FAILED;
			}
		}
	}
	return ERROR_OK;
}

/*
 * A flash word takes at least 100 us to program (DS12110 t_prog): a bank
 * queue already empty right after the last store means the controller
 * reported done without programming (counted by the loader, or by the host
 * path's first status read).
 */
static int check_not_instant(struct flash_bank *bank)
{
	struct stm32h743_record *rec = stm32h743_record_of(bank->target);

	if (!rec || !rec->instant_words)
		return ERROR_OK;
	LOG_ERROR("write: the controller reported %" PRIu32 " of %" PRIu32 " flash words "
		"programmed at the first status read (FLASH_SR.QW already clear); a word takes at "
		"least 100 us, so they were not programmed", rec->instant_words,
		rec->program_words);
	return ERROR_FLASH_OPERATION_FAILED;
}

static int program_run(struct flash_bank *bank, const uint8_t *data, uint32_t addr,
		uint32_t words, bool *host)
{
	int retval = *host ? ERROR_TARGET_RESOURCE_NOT_AVAILABLE :
		program_with_loader(bank, data, addr, words);

	if (retval == ERROR_TARGET_RESOURCE_NOT_AVAILABLE) {
		if (!*host)
			LOG_WARNING("no work area for the flash loader: programming word by word "
				"through the debug port, which is much slower (give the target a "
				"work area)");
		*host = true;
		retval = program_from_host(bank, data, addr, words);
	}
	return retval;
}

static bool word_is_erased(const uint8_t *w, uint8_t erased)
{
	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		if (w[i] != erased)
			return false;
	return true;
}

/*
 * Erased-value flash words (padding between image sections, 0xFF fill) are
 * left erased rather than programmed: they read the same and stay
 * programmable later. Each gap costs one more loader run.
 */
#define SKIP_MIN_WORDS 1

static int program(struct flash_bank *bank, const uint8_t *data, uint32_t addr, uint32_t len)
{
	uint32_t words = len / STM32H743_FLASH_WORD, start = 0, i = 0;
	bool host = false;
	int retval = ERROR_OK;

	while (i < words && retval == ERROR_OK) {
		uint32_t gap = 0;

		while (i + gap < words &&
		       word_is_erased(data + (i + gap) * STM32H743_FLASH_WORD, bank->erased_value))
			gap++;
		if (gap >= SKIP_MIN_WORDS || i + gap == words) {
			if (i > start)
				retval = program_run(bank, data + start * STM32H743_FLASH_WORD,
						addr + start * STM32H743_FLASH_WORD, i - start, &host);
			start = i + gap;
		}
		i += gap ? gap : 1;
	}
	if (retval == ERROR_OK && words > start)
		retval = program_run(bank, data + start * STM32H743_FLASH_WORD,
				addr + start * STM32H743_FLASH_WORD, words - start, &host);
	return retval;
}

/*
 * Writes are whole 256-bit flash words: an unaligned start or end is padded
 * with erased bytes, which the controller programs as they are (a full word,
 * so no force-write is needed).
 */
int stm32h743_write(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count)
{
	uint32_t start = offset & ~(STM32H743_FLASH_WORD - 1);
	uint32_t end = (offset + count + STM32H743_FLASH_WORD - 1) & ~(STM32H743_FLASH_WORD - 1);

	stm32h743_clear_last_failure();
	int retval = check_halted(bank, "write");

	if (retval != ERROR_OK)
		return retval;
	if (offset + count > bank->size || offset + count < offset) {
		stm32h743_refused("write of %" PRIu32 " bytes at offset 0x%08" PRIx32 " goes past the end of "
			"the %" PRIu32 " KiB bank at " TARGET_ADDR_FMT, count, offset,
			bank->size / 1024, bank->base);
		return ERROR_FLASH_DST_OUT_OF_BANK;
	}
	uint8_t *padded = malloc(end - start);

	if (!padded)
		return ERROR_FAIL;
	memset(padded, bank->erased_value, end - start);
	memcpy(padded + (offset - start), buffer, count);
	op_begin(bank, "write", bank->base + offset, count);
	op.expected = padded + (offset - start);
	stm32h743_record_program_start(bank);

	unsigned int first = start / STM32H743_SECTOR_SIZE, last = (end - 1) / STM32H743_SECTOR_SIZE;

	retval = check_not_read_protected(bank, "write");
	if (retval == ERROR_OK)
		retval = check_not_protected(bank, first, last, "write");
	if (retval == ERROR_OK)
		retval = check_no_area(bank, bank->base + start, bank->base + end - 1, false, "write");
	if (retval == ERROR_OK)
		retval = check_erased(bank, bank->base + start, end - start);
	if (retval == ERROR_OK)
		retval = stm32h743_wait_idle(bank,
				stm32h743_bank_erase_timeout_ms(stm32h743_info(bank)->psize), "write");
	if (retval == ERROR_OK)
		retval = stm32h743_unlock(bank);
	if (retval != ERROR_OK) {
		op_failed(retval);
		free(padded);
		return retval;
	}
	retval = stm32h743_clear_errors(bank);
	if (retval == ERROR_OK)
		retval = program(bank, padded, bank->base + start, end - start);
	int lock_retval = stm32h743_lock(bank);

	if (retval == ERROR_OK)
		retval = lock_retval;
	if (retval == ERROR_OK)
		retval = check_not_instant(bank);
	if (retval != ERROR_OK)
		op_failed(retval);
	free(padded);
	return retval;
}

/* ---- several banks together (whole-image writes) ----------------------------- */

/*
 * Before a whole-image write touches the sectors in the mask: halted, not
 * read protected, no write protection, no PCROP or secure area.
 */
int stm32h743_check_writable(struct flash_bank *bank, uint32_t sectors, const char *what)
{
	int retval = check_halted(bank, what);

	if (retval == ERROR_OK && sectors)
		retval = check_not_read_protected(bank, what);
	for (unsigned int s = 0; s < bank->num_sectors && retval == ERROR_OK; s++) {
		if (!(sectors & BIT(s)))
			continue;
		retval = check_not_protected(bank, s, s, what);
		if (retval == ERROR_OK)
			retval = check_no_area(bank, bank->base + s * STM32H743_SECTOR_SIZE,
					bank->base + (s + 1) * STM32H743_SECTOR_SIZE - 1, true, what);
	}
	return retval;
}

/* Unlock a bank for programming; its queue must be idle first. */
static int prepare_bank(struct flash_bank *bank)
{
	int retval = stm32h743_wait_idle(bank,
			stm32h743_bank_erase_timeout_ms(stm32h743_info(bank)->psize), "write");

	if (retval == ERROR_OK)
		retval = stm32h743_unlock(bank);
	if (retval == ERROR_OK)
		retval = stm32h743_clear_errors(bank);
	return retval;
}

/* Progress of a long write: share done, and the rate so far. */
static void report_progress(uint64_t done, uint64_t total, int64_t start_ms)
{
	double s = (timeval_ms() - start_ms) / 1000.0;

	LOG_INFO("programmed %" PRIu64 " of %" PRIu64 " KiB (%u%%, %.0f KiB/s)", done / 1024,
		total / 1024, (unsigned int)(done * 100 / (total ? total : 1)),
		s > 0 ? done / 1024.0 / s : 0.0);
}

/*
 * Program runs of up to two banks, the banks together: each loader run
 * takes the next piece of each bank's current run and interleaves them, so
 * both banks program at the same time. The runs must be in erased flash.
 */
int stm32h743_program_runs(struct flash_bank **banks, struct stm32h743_run **runs,
		const unsigned int *nruns, unsigned int nbanks)
{
	const uint32_t piece = PROGRESS_CHUNK / STM32H743_FLASH_WORD;
	unsigned int at[2] = { 0, 0 };
	uint32_t off[2] = { 0, 0 };
	uint64_t total = 0, done = 0;
	struct loader_areas areas = { NULL, NULL };	/* none yet if preparing a bank fails */
	bool host = false;
	int retval = ERROR_OK;
	int64_t start = timeval_ms();

	for (unsigned int b = 0; b < nbanks; b++)
		for (unsigned int r = 0; r < nruns[b]; r++)
			total += (uint64_t)runs[b][r].words * STM32H743_FLASH_WORD;
	if (!total)
		return ERROR_OK;
	op_begin(banks[0], "write", runs[0] ? banks[0]->base : 0, 0);
	for (unsigned int b = 0; b < nbanks && retval == ERROR_OK; b++) {
		stm32h743_record_program_start(banks[b]);
		retval = prepare_bank(banks[b]);
	}
	if (retval == ERROR_OK && alloc_loader(banks[0]->target, &areas) != ERROR_OK) {
		LOG_WARNING("no work area for the flash loader: programming word by word through "
			"the debug port, which is much slower (give the target a work area)");
		host = true;
	}
	while (retval == ERROR_OK) {
		struct stm32h743_run pieces[2];
		unsigned int n = 0;

		for (unsigned int b = 0; b < nbanks; b++) {
			if (at[b] == nruns[b])
				continue;
			const struct stm32h743_run *r = &runs[b][at[b]];
			uint32_t words = MIN(piece, r->words - off[b]);

			pieces[n++] = (struct stm32h743_run){
				.bank = banks[b], .words = words,
				.addr = r->addr + off[b] * STM32H743_FLASH_WORD,
				.data = r->data + (size_t)off[b] * STM32H743_FLASH_WORD,
				.src = r->src ? r->src + off[b] * STM32H743_FLASH_WORD : 0,
			};
			off[b] += words;
			if (off[b] == r->words) {
				at[b]++;
				off[b] = 0;
			}
		}
		if (!n)
			break;
		if (host) {
			for (unsigned int i = 0; i < n && retval == ERROR_OK; i++)
				retval = program_from_host(pieces[i].bank, pieces[i].data,
						pieces[i].addr, pieces[i].words);
		} else {
			retval = loader_run_segments(&areas, pieces, n);
		}
		for (unsigned int i = 0; i < n; i++)
			done += (uint64_t)pieces[i].words * STM32H743_FLASH_WORD;
		if (retval == ERROR_OK && done < total)
			report_progress(done, total, start);
	}
	if (!host)
		free_loader(banks[0]->target, &areas);
	for (unsigned int b = 0; b < nbanks; b++) {
		int lock_retval = stm32h743_lock(banks[b]);

		if (retval == ERROR_OK)
			retval = lock_retval;
		if (retval == ERROR_OK)
			retval = check_not_instant(banks[b]);
	}
	return retval != ERROR_OK ? op_failed(retval) : ERROR_OK;
}

/*
 * After an erase: the sectors of the mask read erased. The CRC unit answers
 * for a sector at once; where it cannot, or disagrees, the words are read
 * (and the first one that is not erased is named, for the diagnosis).
 */
int stm32h743_confirm_erased(struct flash_bank *bank, uint32_t sectors)
{
	uint32_t erased_crc = stm32h743_crc_of_erased(STM32H743_SECTOR_SIZE);

	for (unsigned int s = 0; s < bank->num_sectors; s++) {
		uint32_t offset = s * STM32H743_SECTOR_SIZE, crc;

		if (!(sectors & BIT(s)))
			continue;
		if (stm32h743_crc_unit(bank, offset, STM32H743_SECTOR_SIZE, &crc) == ERROR_OK &&
		    crc == erased_crc)
			continue;
		op_begin(bank, "write", bank->base + offset, STM32H743_SECTOR_SIZE);
		int retval = check_erased(bank, bank->base + offset, STM32H743_SECTOR_SIZE);

		if (retval != ERROR_OK)
			return op_failed(retval);
	}
	return ERROR_OK;
}

/*
 * An erase of sector `sector` (or the whole bank: ERASE_WHOLE_BANK) reads
 * idle: check how it ended, as erase_one does, and record it.
 */
#define ERASE_WHOLE_BANK 99

static int erase_finished(struct flash_bank *bank, int sector, uint32_t sr, bool instant,
		int64_t elapsed_ms)
{
	unsigned int first = sector == ERASE_WHOLE_BANK ? 0 : sector;
	unsigned int last = sector == ERASE_WHOLE_BANK ? bank->num_sectors - 1 : first;
	unsigned int index = stm32h743_info(bank)->index + 1;
	char what[48];

	if (sector == ERASE_WHOLE_BANK)
		snprintf(what, sizeof(what), "bank %u erase", index);
	else
		snprintf(what, sizeof(what), "bank %u sector %u erase", index, first);
	if (sr & SR_ERRORS)
		return stm32h743_report_errors(bank, sr, what);
	return erase_ended(bank, first, last, instant, sr, elapsed_ms, what);
}

/* Start the next erase of a bank: its whole bank if every sector is left. */
static int erase_start_next(struct flash_bank *bank, uint32_t *left, int *sector, bool *instant)
{
	uint32_t psize = stm32h743_psize_bits(stm32h743_info(bank)->psize);
	uint32_t cr, sr = 0;

	if (takes_bank_erase(bank, *left)) {
		cr = CR_BER | psize;
		*sector = ERASE_WHOLE_BANK;
		*left = 0;
	} else {
		*sector = __builtin_ctz(*left);
		*left &= *left - 1;
		cr = CR_SER | psize | (*sector << CR_SNB_SHIFT);
	}
	int retval = stm32h743_write_reg(bank, STM32H743_CR, cr);

	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CR, cr | CR_START);
	/* idle at the first status read: the controller did not erase */
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);
	*instant = !(sr & (SR_QW | SR_BSY));
	return retval;
}

/*
 * Poll one bank until its erase ends (one register at a time, as a debugger
 * waits); the filler's work (staging data in RAM) goes between the polls.
 */
static int read_bank_sr(void *bank, uint32_t *value)
{
	return stm32h743_read_reg(bank, STM32H743_SR, value);
}

static int erase_wait(struct flash_bank *bank, int64_t started_ms, uint32_t *sr,
		stm32h743_erase_filler filler, void *ctx)
{
	char what[32];
	const struct stm32h743_poll p = {
		.what = what, .busy = SR_QW | SR_BSY, .read = read_bank_sr, .ctx = bank,
		.timeout_ms = stm32h743_bank_erase_timeout_ms(stm32h743_info(bank)->psize),
		.filler = filler, .filler_ctx = ctx,
	};

	snprintf(what, sizeof(what), "bank %u erase", stm32h743_info(bank)->index + 1);
	int retval = stm32h743_poll(&p, started_ms, sr);

	if (retval == ERROR_FLASH_BUSY) {
		LOG_ERROR("bank %u erase still busy after %u ms (%s=0x%08" PRIx32 ")",
			stm32h743_info(bank)->index + 1, p.timeout_ms,
			stm32h743_reg_name(bank, STM32H743_SR), *sr);
		op.timed_out = true;
	}
	return retval;
}

/*
 * Erase the sectors in masks[i] of banks[i], the banks at the same time:
 * each bank erases one sector after another, and the next sector of a bank
 * starts as soon as its previous one is done. A bank whose every sector is
 * to be erased gets one bank erase.
 */
int stm32h743_erase_sectors(struct flash_bank **banks, const uint32_t *masks,
		unsigned int nbanks, stm32h743_erase_filler filler, void *ctx)
{
	uint32_t left[2];
	int running[2] = { -1, -1 };	/* sector erasing, ERASE_WHOLE_BANK, or -1 */
	bool instant[2] = { false, false };
	int64_t started_ms[2] = { 0, 0 };
	unsigned int erased = 0, total = 0;
	int retval = ERROR_OK;

	for (unsigned int b = 0; b < nbanks; b++) {
		left[b] = masks[b];
		total += __builtin_popcount(masks[b]);
	}
	for (unsigned int b = 0; b < nbanks && retval == ERROR_OK; b++) {
		if (!left[b])
			continue;
		op_begin(banks[b], "erase", banks[b]->base, banks[b]->size);
		retval = prepare_bank(banks[b]);
	}
	int64_t begin = timeval_ms();

	while (retval == ERROR_OK) {
		int oldest = -1;

		for (unsigned int b = 0; b < nbanks && retval == ERROR_OK; b++) {
			if (running[b] < 0 && left[b]) {
				started_ms[b] = timeval_ms();
				retval = erase_start_next(banks[b], &left[b], &running[b], &instant[b]);
			}
			if (running[b] >= 0 && (oldest < 0 || started_ms[b] < started_ms[oldest]))
				oldest = b;
		}
		if (retval != ERROR_OK || oldest < 0)
			break;
		/* the erase started first ends first (sectors take the same time) */
		uint32_t sr;

		retval = erase_wait(banks[oldest], started_ms[oldest], &sr, filler, ctx);
		if (retval == ERROR_OK)
			retval = erase_finished(banks[oldest], running[oldest], sr, instant[oldest],
					timeval_ms() - started_ms[oldest]);
		if (retval != ERROR_OK)
			break;
		erased += running[oldest] == ERASE_WHOLE_BANK ? banks[oldest]->num_sectors : 1;
		running[oldest] = -1;
		LOG_INFO("erased %u of %u sectors (%u%%, %.1f s)", erased, total, erased * 100 / total,
			(timeval_ms() - begin) / 1000.0);
	}
	for (unsigned int b = 0; b < nbanks; b++) {
		if (!masks[b])
			continue;
		int lock_retval = stm32h743_lock(banks[b]);

		if (retval == ERROR_OK)
			retval = lock_retval;
	}
	return retval != ERROR_OK ? op_failed(retval) : ERROR_OK;
}
