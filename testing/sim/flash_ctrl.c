// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flash controller's per-bank side: key locks, FLASH_CR/SR/CCR, the write
 * buffer, the command queue and its timing, and the shared register file
 * decode (RM0433 sections 4.3 to 4.9).
 */
#include "flash.h"
#include "log.h"

#include <string.h>

static unsigned int psize_of(const struct flash_bank_ctrl *b)
{
	return (b->cr & CR_PSIZE_MASK) >> CR_PSIZE_SHIFT;
}

static bool bank_locked(const struct flash_bank_ctrl *b)
{
	return keylock_is_locked(&b->key);
}

static uint32_t sr_value(const struct flash_bank_ctrl *b)
{
	const struct flash *f = b->flash;
	uint32_t v = b->flags;

	if (b->busy || f->opt_busy)
		v |= SR_BSY;
	if (b->wbne)
		v |= SR_WBNE;
	if (b->nqueued || f->opt_busy)
		v |= SR_QW;
	if (b->crc_busy)
		v |= SR_CRC_BUSY;
	return v;
}

static void discard_buffer(struct flash_bank_ctrl *b)
{
	b->wbne = false;
	b->buf_mask = 0;
}

static void start_next_op(struct flash_bank_ctrl *b);

static void pop_op(struct flash_bank_ctrl *b)
{
	memmove(&b->queue[0], &b->queue[1], (b->nqueued - 1) * sizeof(b->queue[0]));
	b->nqueued--;
}

/* Half of the operation in progress happened: what a power cut or reset leaves. */
static void interrupt_op(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;
	struct flash_op *op = &b->queue[0];

	if (!b->busy)
		return;
	vclock_cancel(f->clk, &b->op_done);
	if (op->kind == OP_PROGRAM) {
		uint8_t half[FLASH_WORD_BYTES];

		memset(half, 0xFF, sizeof(half));
		memcpy(half, op->data, sizeof(half) / 2);
		flash_program_word(f, b->index, op->offset, half);
		flash_set_word_state(f, b->index, op->offset / FLASH_WORD_BYTES, WORD_ECC_DOUBLE);
	} else {
		uint32_t len = op->kind == OP_ERASE_BANK ?
			f->variant->sectors_per_bank * FLASH_SECTOR_BYTES : FLASH_SECTOR_BYTES;

		flash_erase_range(f, b->index, op->offset, len / 2, true);
		flash_set_word_state(f, b->index, (op->offset + len / 2) / FLASH_WORD_BYTES,
			WORD_ECC_DOUBLE);
	}
	sim_info("flash: bank %u %s at offset 0x%05x interrupted half way", b->index + 1,
		op->kind == OP_PROGRAM ? "program" : "erase", op->offset);
	b->busy = false;
	b->nqueued = 0;
}

static void power_loss(void *ctx)
{
	struct flash *f = ctx;

	sim_info("fault injection: power lost");
	for (int i = 0; i < 2; i++)
		interrupt_op(&f->bank[i]);
	if (f->hooks.power_lost)
		f->hooks.power_lost(f->hooks.ctx);
}

static void finish_op(void *ctx)
{
	struct flash_bank_ctrl *b = ctx;
	struct flash *f = b->flash;
	struct flash_op *op = &b->queue[0];

	switch (op->kind) {
	case OP_PROGRAM:
		flash_program_word(f, b->index, op->offset, op->data);
		b->words_programmed++;
		break;
	case OP_ERASE_SECTOR:
		flash_erase_range(f, b->index, op->offset, FLASH_SECTOR_BYTES, true);
		b->sectors_erased++;
		break;
	case OP_ERASE_BANK:
		flash_erase_range(f, b->index, 0, f->variant->sectors_per_bank * FLASH_SECTOR_BYTES,
			true);
		b->bank_erases++;
		break;
	}
	b->busy_ps += op->duration_ps;
	b->flags |= SR_EOP;
	b->busy = false;
	pop_op(b);
	start_next_op(b);
}

/*
 * The instant-done fault: the bank acknowledges an operation at once with
 * EOP and leaves the array as it was, like a controller that only pretends.
 */
static bool hollow_op(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;

	if (!(f->faults.instant_done & (1u << b->index)))
		return false;
	sim_trace("fault injection: bank %u reports an operation done without doing it",
		b->index + 1);
	b->flags |= SR_EOP;
	f->hollow_ops++;
	return true;
}

static void start_next_op(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;
	struct flash_faults *fl = &f->faults;
	struct flash_op *op = &b->queue[0];

	while (b->nqueued && !b->busy && hollow_op(b))
		pop_op(b);
	if (!b->nqueued && !b->busy)
		flash_option_queue_empty(f);
	if (!b->nqueued || b->busy)
		return;
	b->busy = true;
	f->ops_started++;
	if (fl->stuck_bank == (int)b->index) {
		sim_trace("fault injection: bank %u stays busy", b->index + 1);
		return;		/* never completes: QW and BSY stay set */
	}
	vclock_schedule(f->clk, &b->op_done, f->clk->now + op->duration_ps, finish_op, b);
	if (fl->power_loss_after_ops && f->ops_started == fl->power_loss_after_ops + 1)
		vclock_schedule(f->clk, &fl->power_loss, f->clk->now + op->duration_ps / 2,
			power_loss, f);	/* inside the operation: a wake-up is fine */
}

static bool sector_protected(const struct flash *f, unsigned int bank, unsigned int sector)
{
	uint32_t first = sector * FLASH_SECTOR_BYTES, last = first + FLASH_SECTOR_BYTES - 1;

	return !(f->cur.wpsn[bank] & (1u << sector)) ||
		flash_area_overlaps(f->cur.prar[bank] & ~AREA_DM, first, last) ||
		((f->cur.optsr & OPTSR_SECURITY) &&
		 flash_area_overlaps(f->cur.scar[bank] & ~AREA_DM, first, last));
}

/* RDP level 1 with a debugger attached: the user flash is out of reach. */
static bool read_protected_now(const struct flash *f)
{
	return flash_rdp_level(f) >= 1 && f->hooks.debugger_attached &&
		f->hooks.debugger_attached(f->hooks.ctx);
}

static void enqueue(struct flash_bank_ctrl *b, const struct flash_op *op)
{
	if (b->nqueued == FLASH_QUEUE_DEPTH) {
		sim_warn("flash: bank %u command queue overflow, operation dropped", b->index + 1);
		b->flags |= SR_OPERR;
		return;
	}
	b->queue[b->nqueued++] = *op;
	start_next_op(b);
}

static void enqueue_program(struct flash_bank_ctrl *b)
{
	struct flash *f = b->flash;
	struct flash_op op = { .kind = OP_PROGRAM, .offset = b->buf_offset };
	unsigned int sector = b->buf_offset / FLASH_SECTOR_BYTES;

	memcpy(op.data, b->buf, sizeof(op.data));
	discard_buffer(b);
	/* WPSN works per sector; PCROP and secure areas per 256-byte block. */
	bool protected = !(f->cur.wpsn[b->index] & (1u << sector)) ||
		flash_area_contains(f->cur.prar[b->index] & ~AREA_DM, op.offset) ||
		((f->cur.optsr & OPTSR_SECURITY) &&
		 flash_area_contains(f->cur.scar[b->index] & ~AREA_DM, op.offset));

	if (read_protected_now(f) || protected) {
		b->flags |= SR_WRPERR;
		sim_trace("flash: bank %u program at 0x%05x refused: WRPERR", b->index + 1,
			op.offset);
		return;
	}
	op.duration_ps = flash_program_time(psize_of(b));
	enqueue(b, &op);
}

static void enqueue_erase(struct flash_bank_ctrl *b, bool whole_bank)
{
	struct flash *f = b->flash;
	struct flash_op op = { .kind = whole_bank ? OP_ERASE_BANK : OP_ERASE_SECTOR };
	unsigned int sector = (b->cr & CR_SNB_MASK) >> CR_SNB_SHIFT;
	unsigned int nsectors = f->variant->sectors_per_bank;
	bool refused = read_protected_now(f);

	if (b->index >= f->variant->banks || (!whole_bank && sector >= nsectors)) {
		/* Beyond the part's guaranteed flash (UNCONFIRMED): refuse. */
		b->flags |= SR_OPERR;
		return;
	}
	for (unsigned int s = whole_bank ? 0 : sector; s < (whole_bank ? nsectors : sector + 1); s++)
		refused |= !(f->cur.wpsn[b->index] & (1u << s));
	if (refused) {
		b->flags |= SR_WRPERR;
		return;
	}
	if (!whole_bank && sector_protected(f, b->index, sector)) {
		b->flags |= SR_WRPERR;
		return;
	}
	op.offset = whole_bank ? 0 : sector * FLASH_SECTOR_BYTES;
	op.duration_ps = whole_bank ? flash_bank_erase_time(psize_of(b)) :
		flash_sector_erase_time(psize_of(b));
	if (!whole_bank && f->faults.slow_bank == (int)b->index &&
	    f->faults.slow_sector == (int)sector)
		op.duration_ps *= f->faults.slow_factor;
	enqueue(b, &op);
}

/* Bus write into the array (from the CPU or a debugger): RM0433 section 4.3.9. */
int flash_buffer_write(struct flash *f, uint32_t offset, unsigned int size, uint32_t value)
{
	struct flash_bank_ctrl *b = &f->bank[offset / FLASH_BANK_BYTES];
	uint32_t in_bank = offset % FLASH_BANK_BYTES, word = in_bank & ~(FLASH_WORD_BYTES - 1);

	if (bank_locked(b) || !(b->cr & CR_PG) || (b->flags & SR_INCERR)) {
		b->flags |= SR_PGSERR;	/* no bus error: the write is just dropped */
		return BUS_OK;
	}
	if (b->wbne && word != b->buf_offset) {
		b->flags |= SR_INCERR;
		discard_buffer(b);
		return BUS_OK;
	}
	if (!b->wbne) {
		memset(b->buf, 0xFF, sizeof(b->buf));
		b->buf_offset = word;
		b->buf_mask = 0;
		b->wbne = true;
	}
	for (unsigned int i = 0; i < size; i++) {
		unsigned int pos = in_bank - word + i;

		if (b->buf_mask & (1u << pos))
			b->flags |= SR_STRBERR;	/* last write wins (UNCONFIRMED) */
		b->buf[pos] = (uint8_t)(value >> (8 * i));
		b->buf_mask |= 1u << pos;
	}
	if (b->buf_mask == 0xFFFFFFFFu)
		enqueue_program(b);
	return BUS_OK;
}

static void write_cr(struct flash_bank_ctrl *b, uint32_t value)
{
	uint32_t old = b->cr;

	if (bank_locked(b))
		return;		/* only LOCK could change, and it is set already */
	if (value & CR_LOCK) {
		keylock_lock(&b->key);	/* the other bits keep their value */
		return;
	}
	b->cr = value & (CR_PG | CR_SER | CR_BER | CR_PSIZE_MASK | CR_SNB_MASK | CR_CRC_EN |
			CR_IE_MASK);
	if ((old & CR_PG) && !(b->cr & CR_PG) && b->wbne)
		discard_buffer(b);
	if ((old & CR_CRC_EN) && !(b->cr & CR_CRC_EN))
		flash_crc_disable(b);
	if ((value & CR_FW) && b->wbne)
		enqueue_program(b);	/* unwritten bytes stay 0xFF */
	if (value & CR_START) {
		if (b->cr & CR_BER)
			enqueue_erase(b, true);
		else if (b->cr & CR_SER)
			enqueue_erase(b, false);
	}
}

static void write_ccr(struct flash_bank_ctrl *b, uint32_t value)
{
	b->flags &= ~(value & SR_FLAGS_MASK);
	if (!(b->flags & (SR_SNECCERR | SR_DBECCERR)))
		b->ecc_fa = 0;
}

static uint32_t cr_value(const struct flash_bank_ctrl *b)
{
	return (b->cr & ~CR_LOCK) | (bank_locked(b) ? CR_LOCK : 0);
}

/* Registers that exist once per bank (offset within the 0x100 bank window). */
static bool bank_reg_read(struct flash *f, struct flash_bank_ctrl *b, uint32_t reg,
		uint32_t *v)
{
	unsigned int i = b->index;

	switch (reg) {
	case FLASH_KEYR:
		*v = 0;
		return true;
	case FLASH_CR:
		*v = cr_value(b);
		return true;
	case FLASH_SR:
		*v = sr_value(b);
		return true;
	case FLASH_CCR:
		*v = 0;
		return true;
	case FLASH_PRAR_CUR:
		*v = f->cur.prar[i];
		return true;
	case FLASH_PRAR_PRG:
		*v = f->prg.prar[i];
		return true;
	case FLASH_SCAR_CUR:
		*v = f->cur.scar[i];
		return true;
	case FLASH_SCAR_PRG:
		*v = f->prg.scar[i];
		return true;
	case FLASH_WPSN_CUR:
		*v = f->cur.wpsn[i];
		return true;
	case FLASH_WPSN_PRG:
		*v = f->prg.wpsn[i];
		return true;
	case FLASH_CRCCR:
		*v = b->crccr;
		return true;
	case FLASH_CRCSADD:
		*v = b->crcsadd;
		return true;
	case FLASH_CRCEADD:
		*v = b->crceadd;
		return true;
	case FLASH_ECC_FA:
		*v = b->ecc_fa;
		return true;
	}
	return false;
}

static uint32_t optsr_cur_value(const struct flash *f)
{
	uint32_t v = f->cur.optsr & ~(OPTSR_OPT_BUSY | OPTSR_OPTCHANGEERR);

	return v | (f->opt_busy || f->opt_waiting ? OPTSR_OPT_BUSY : 0) |
		(f->optchangeerr ? OPTSR_OPTCHANGEERR : 0);
}

/* Registers shared by both banks, visible in both windows. */
static bool shared_reg_read(struct flash *f, uint32_t reg, uint32_t *v)
{
	switch (reg) {
	case FLASH_ACR:
		*v = f->acr;
		return true;
	case FLASH_OPTKEYR:
		*v = 0;
		return true;
	case FLASH_OPTCR:
		*v = (keylock_is_locked(&f->optkey) ? OPTCR_OPTLOCK : 0) | f->optcr_ie |
			(f->swapped ? OPTCR_SWAP_BANK : 0);
		return true;
	case FLASH_OPTSR_CUR:
		*v = optsr_cur_value(f);
		return true;
	case FLASH_OPTSR_PRG:
		*v = f->prg.optsr;
		return true;
	case FLASH_OPTCCR:
		*v = 0;
		return true;
	case FLASH_BOOT_CUR:
		*v = f->cur.boot;
		return true;
	case FLASH_BOOT_PRG:
		*v = f->prg.boot;
		return true;
	case FLASH_CRCDATA:
		*v = f->crcdata;
		return true;
	}
	return false;
}

static void write_optcr(struct flash *f, uint32_t value)
{
	if (keylock_is_locked(&f->optkey))
		return;
	f->optcr_ie = value & OPTCR_OPTCHANGEERRIE;
	if (value & OPTCR_MER) {
		/* Mass erase: a bank erase on both banks at once (section 5.3). */
		for (unsigned int i = 0; i < f->variant->banks; i++)
			enqueue_erase(&f->bank[i], true);
	}
	if (value & OPTCR_OPTSTART)
		flash_option_start(f);
	if (value & OPTCR_OPTLOCK)
		keylock_lock(&f->optkey);
}

/* *_PRG option registers only take writes while OPTLOCK is clear. */
static bool option_prg_write(struct flash *f, unsigned int bank, uint32_t reg, uint32_t value)
{
	uint32_t *dst = NULL, mask = 0;

	switch (reg) {
	case FLASH_OPTSR_PRG:
		dst = &f->prg.optsr;
		mask = OPTSR_PRG_MASK;
		break;
	case FLASH_PRAR_PRG:
		dst = &f->prg.prar[bank];
		mask = AREA_PRG_MASK;
		break;
	case FLASH_SCAR_PRG:
		dst = &f->prg.scar[bank];
		mask = AREA_PRG_MASK;
		break;
	case FLASH_WPSN_PRG:
		dst = &f->prg.wpsn[bank];
		mask = 0xFF;
		break;
	case FLASH_BOOT_PRG:
		dst = &f->prg.boot;
		mask = 0xFFFFFFFF;
		break;
	default: return false;
	}
	if (!keylock_is_locked(&f->optkey))
		*dst = value & mask;
	return true;
}

static int regs_read(void *ctx, uint32_t off, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct flash *f = ctx;
	struct flash_bank_ctrl *b = &f->bank[off >= FLASH_BANK2_REGS];
	uint32_t reg = off % FLASH_BANK2_REGS;

	(void)who;
	if (size != 4 || (off & 3))
		return BUS_ERROR;	/* word access only */
	if (off >= 2 * FLASH_BANK2_REGS || !(shared_reg_read(f, reg, value) ||
			bank_reg_read(f, b, reg, value)))
		*value = 0;	/* reserved */
	return BUS_OK;
}

/* A key write out of sequence: locked until reset, and the access faults. */
static int key_sequence_error(unsigned int bank, const char *reg, uint32_t value)
{
	sim_trace("flash: 0x%08x written to %s%s out of sequence: locked until reset, bus error",
		value, reg, strcmp(reg, "FLASH_KEYR") ? "" : (bank ? "2" : "1"));
	return BUS_ERROR;
}

static int regs_write(void *ctx, uint32_t off, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct flash *f = ctx;
	unsigned int bank = off >= FLASH_BANK2_REGS;
	struct flash_bank_ctrl *b = &f->bank[bank];
	uint32_t reg = off % FLASH_BANK2_REGS;

	(void)who;
	if (size != 4 || (off & 3))
		return BUS_ERROR;
	if (off >= 2 * FLASH_BANK2_REGS)
		return BUS_OK;
	if (option_prg_write(f, bank, reg, value))
		return BUS_OK;
	switch (reg) {
	case FLASH_ACR:
		f->acr = value & 0x3F;
		if (f->hooks.timing_changed)
			f->hooks.timing_changed(f->hooks.ctx);
		break;
	case FLASH_KEYR:
		if (!keylock_write_key(&b->key, value))
			return key_sequence_error(b->index, "FLASH_KEYR", value);
		break;
	case FLASH_OPTKEYR:
		if (!keylock_write_key(&f->optkey, value))
			return key_sequence_error(bank, "FLASH_OPTKEYR", value);
		break;
	case FLASH_CR:
		write_cr(b, value);
		break;
	case FLASH_CCR:
		write_ccr(b, value);
		break;
	case FLASH_OPTCR:
		write_optcr(f, value);
		break;
	case FLASH_OPTCCR:
		if (value & OPTCCR_CLR_OPTCHANGEERR)
			f->optchangeerr = false;
		break;
	case FLASH_CRCCR:
		flash_crc_write_ccr(b, value);
		break;
	case FLASH_CRCSADD:
		b->crcsadd = value & 0x000FFFFC;
		break;
	case FLASH_CRCEADD:
		b->crceadd = value & 0x000FFFFC;
		break;
	default:	/* read-only or reserved */
		break;
	}
	return BUS_OK;
}

const struct bus_region_ops flash_regs_ops = {
	.read = regs_read,
	.write = regs_write,
};

void flash_factory_options(struct flash_options *o)
{
	/* Factory option bytes (per-field defaults; ST publishes no exact words). */
	o->optsr = 0x0006AAD0;		/* RDP 0, IWDG1 sw, no reset on stop/standby */
	for (unsigned int i = 0; i < 2; i++) {
		o->prar[i] = 0x000000FF;	/* START > END: no PCROP area */
		o->scar[i] = 0x000000FF;	/* no secure area */
		o->wpsn[i] = 0xFF;		/* nothing write-protected */
	}
	o->boot = 0x1FF00800;			/* BOOT_ADD0 0x0800, BOOT_ADD1 0x1FF0 */
}

void flash_faults_default(struct flash_faults *faults)
{
	*faults = (struct flash_faults){
		.slow_bank = -1, .slow_sector = -1, .slow_factor = 8, .stuck_bank = -1,
		.rng = 0x9E3779B97F4A7C15ull,
	};
}

void flash_init(struct flash *f, struct vclock *clk, const struct flash_variant *v,
		uint16_t rev_id, uint8_t *array, const struct flash_hooks *hooks)
{
	memset(f, 0, sizeof(*f));
	f->clk = clk;
	f->variant = v;
	f->rev_id = rev_id;
	f->array = array;
	f->hooks = *hooks;
	flash_faults_default(&f->faults);
	f->garble_rng = 0xD1B54A32D192ED03ull;
	memset(f->words, WORD_ERASED, sizeof(f->words));
	flash_factory_options(&f->nv);
	keylock_init(&f->optkey, FLASH_OPTKEY1, FLASH_OPTKEY2);
	for (unsigned int i = 0; i < 2; i++) {
		f->bank[i].flash = f;
		f->bank[i].index = i;
		keylock_init(&f->bank[i].key, FLASH_KEY1, FLASH_KEY2);
	}
}

/* The power-loss clock starts when the first debugger connects, not at boot. */
void flash_start_faults(struct flash *f)
{
	if (f->faults.power_loss_at_ps && !f->faults.power_loss.armed) {
		vclock_schedule(f->clk, &f->faults.power_loss,
			f->clk->now + f->faults.power_loss_at_ps, power_loss, f);
		f->faults.power_loss.wakes = false;	/* time must get there by itself */
	}
	f->faults.power_loss_at_ps = 0;
}

/*
 * Power-on and system reset: operations in flight are cut short, buffers are
 * lost, both key locks close, the option bytes load into CUR and PRG, and a
 * changed SWAP_BANK_OPT takes effect.
 */
void flash_reset(struct flash *f)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct flash_bank_ctrl *b = &f->bank[i];

		interrupt_op(b);
		vclock_cancel(f->clk, &b->crc_done);
		discard_buffer(b);
		keylock_reset(&b->key);
		b->cr = CR_RESET;
		b->flags = 0;
		b->ecc_fa = 0;
		b->nqueued = 0;
		b->crccr = CRCCR_RESET;
		b->crcsadd = 0;
		b->crceadd = 0;
		b->crc_sectors = 0;
		b->crc_busy = false;
		b->crc_deferred = false;
	}
	if (f->opt_busy)
		vclock_cancel(f->clk, &f->opt_done);
	f->opt_busy = false;
	f->opt_waiting = false;
	f->optchangeerr = false;
	keylock_reset(&f->optkey);
	f->optcr_ie = 0;
	f->acr = 0x37;
	f->crcdata = 0;
	f->cur = f->nv;
	f->prg = f->nv;
	bool want_swap = f->variant->banks == 2 && (f->nv.optsr & OPTSR_SWAP_BANK_OPT);

	if (want_swap != (bool)f->swapped)
		flash_swap_halves(f);
}
