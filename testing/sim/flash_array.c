// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flash array: parts, timing, NOR programming with ECC state per flash
 * word, erase, protection areas and what reads see.
 */
#include "flash.h"
#include "log.h"

#include <strings.h>

#include <string.h>

const struct flash_variant flash_variants[] = {
	{ "H743xI", 2048, 2, 8 },
	{ "H742xI", 2048, 2, 8 },
	{ "H753xI", 2048, 2, 8 },
	{ "H743xG", 1024, 2, 4 },
	{ "H742xG", 1024, 2, 4 },
	{ "H750xB", 128, 1, 1 },
	{ NULL, 0, 0, 0 },
};

const struct flash_variant *flash_find_variant(const char *name)
{
	for (const struct flash_variant *v = flash_variants; v->name; v++)
		if (!strcasecmp(v->name, name))
			return v;
	return NULL;
}

/*
 * Every duration of the model, indexed by PSIZE (x8, x16, x32, x64).
 * Program and sector erase: DS12110 tables 43/140, typical values.
 * Bank erase, option change and CRC speed are not in the datasheet
 * (UNCONFIRMED estimates): a bank erase is taken as four sector erases (a
 * full chip then takes about 4 s at x64, in line with the 4.8-6.5 s reported
 * for a bootloader mass erase); an option-byte change as 300 ms (UNCONFIRMED:
 * a public report measured OPT_BUSY for about 300 ms on an H743; no ST
 * figure); the CRC unit reads one flash word per 100 ns.
 */
static const struct {
	uint64_t program_word[4];
	uint64_t erase_sector[4];
	uint64_t erase_bank_factor;
	uint64_t option_change;
	uint64_t crc_per_word;
} timing = {
	.program_word = { 290 * PS_PER_US, 180 * PS_PER_US, 130 * PS_PER_US, 100 * PS_PER_US },
	.erase_sector = { 2000 * PS_PER_MS, 1800 * PS_PER_MS, 1100 * PS_PER_MS, 1000 * PS_PER_MS },
	.erase_bank_factor = 4,
	.option_change = 300 * PS_PER_MS,
	.crc_per_word = 100 * PS_PER_NS,
};

uint64_t flash_program_time(unsigned int psize)
{
	return timing.program_word[psize & 3];
}

uint64_t flash_sector_erase_time(unsigned int psize)
{
	return timing.erase_sector[psize & 3];
}

uint64_t flash_bank_erase_time(unsigned int psize)
{
	return timing.erase_sector[psize & 3] * timing.erase_bank_factor;
}

uint64_t flash_option_change_time(void)
{
	return timing.option_change;
}

uint64_t flash_crc_time(uint32_t bytes)
{
	return (bytes / FLASH_WORD_BYTES) * timing.crc_per_word;
}

bool flash_offset_present(const struct flash *f, uint32_t offset)
{
	uint32_t bank = offset / FLASH_BANK_BYTES, in_bank = offset % FLASH_BANK_BYTES;

	if (offset >= FLASH_ARRAY_SIZE || bank >= f->variant->banks)
		return false;
	return in_bank < f->variant->sectors_per_bank * FLASH_SECTOR_BYTES;
}

unsigned int flash_rdp_level(const struct flash *f)
{
	unsigned int rdp = (f->cur.optsr & OPTSR_RDP_MASK) >> OPTSR_RDP_SHIFT;

	if (rdp == RDP_LEVEL0)
		return 0;
	return rdp == RDP_LEVEL2 ? 2 : 1;
}

uint32_t flash_boot_address(const struct flash *f)
{
	return (f->cur.boot & 0xFFFF) << 16;	/* BOOT_ADD0, BOOT0 pin low */
}

unsigned int flash_physical_bank(const struct flash *f, unsigned int logical)
{
	return f->swapped ? 1 - logical : logical;
}

/*
 * PCROP and secure areas count 256-byte blocks from the bank start. START <
 * END is a range, START == END the whole bank, START > END nothing
 * (as the driver reads them, src/flash/nor/stm32h743_options.c).
 */
static bool area_bounds(uint32_t area, uint32_t *first, uint32_t *last)
{
	uint32_t start = area & AREA_START_MASK, end = (area >> AREA_END_SHIFT) & 0xFFF;

	if (start > end)
		return false;
	if (start == end) {
		*first = 0;
		*last = FLASH_BANK_BYTES - 1;
	} else {
		*first = start * 256;
		*last = end * 256 + 255;
	}
	return true;
}

bool flash_area_contains(uint32_t area, uint32_t offset)
{
	uint32_t first, last;

	return area_bounds(area, &first, &last) && offset >= first && offset <= last;
}

bool flash_area_overlaps(uint32_t area, uint32_t first, uint32_t last)
{
	uint32_t a, b;

	return area_bounds(area, &a, &b) && first <= b && last >= a;
}

void flash_set_word_state(struct flash *f, unsigned int bank, uint32_t index,
		enum flash_word_state s)
{
	uint8_t *w = &f->words[bank][index];
	bool was_bad = *w == WORD_ECC_SINGLE || *w == WORD_ECC_DOUBLE;
	bool is_bad = s == WORD_ECC_SINGLE || s == WORD_ECC_DOUBLE;

	f->bad_words += (unsigned int)is_bad - (unsigned int)was_bad;
	*w = (uint8_t)s;
}

/* Around the controller's own accesses to the array: memory, not the core's D-cache. */
static void memory_view(struct flash *f, uint32_t offset, uint32_t len)
{
	if (f->hooks.memory_view)
		f->hooks.memory_view(f->hooks.ctx, FLASH_ARRAY_BASE + offset, len);
}

static void array_changed(struct flash *f, uint32_t offset, uint32_t len)
{
	f->dirty = true;
	if (f->hooks.code_changed)
		f->hooks.code_changed(f->hooks.ctx, FLASH_ARRAY_BASE + offset, len);
}

/* Erase [first, first + len) of a bank; protected areas may be kept. */
void flash_erase_range(struct flash *f, unsigned int bank, uint32_t first, uint32_t len,
		bool keep_protected)
{
	memory_view(f, bank * FLASH_BANK_BYTES + first, len);
	for (uint32_t off = first; off < first + len; off += FLASH_WORD_BYTES) {
		if (keep_protected && (flash_area_contains(f->cur.prar[bank], off) ||
				flash_area_contains(f->cur.scar[bank], off)))
			continue;
		memset(f->array + bank * FLASH_BANK_BYTES + off, 0xFF, FLASH_WORD_BYTES);
		flash_set_word_state(f, bank, off / FLASH_WORD_BYTES, WORD_ERASED);
	}
	memory_view(f, bank * FLASH_BANK_BYTES + first, len);
	array_changed(f, bank * FLASH_BANK_BYTES + first, len);
}

/* xorshift64*: deterministic for a given seed */
static uint64_t xorshift(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1Dull;
}

static uint64_t next_random(struct flash_faults *fl)
{
	return xorshift(&fl->rng);
}

/* True with probability p (no draw at all when p is 0). */
static bool chance(struct flash_faults *fl, double p)
{
	return p > 0 && (double)(next_random(fl) >> 11) / (double)(1ull << 53) < p;
}

#define WORD_BITS (8 * FLASH_WORD_BYTES)

/*
 * Flip one bit that now reads `from` and is not in `done`, scanning from a
 * random bit; false when there is none.
 */
static bool flip_bit(struct flash_faults *fl, uint8_t *word, uint8_t *done, bool from)
{
	unsigned int start = next_random(fl) % WORD_BITS;

	for (unsigned int i = 0; i < WORD_BITS; i++) {
		unsigned int bit = (start + i) % WORD_BITS;
		uint8_t m = (uint8_t)(1u << (bit % 8));

		if ((done[bit / 8] & m) || !(word[bit / 8] & m) != !from)
			continue;
		word[bit / 8] ^= m;
		done[bit / 8] |= m;
		return true;
	}
	return false;
}

/*
 * A weak core supply (bad VCAP capacitors) makes some words come out wrong
 * with no error flag: either the ECC bits do not match (read fails) or a few
 * bits that should have gone to 0 stayed at 1 (only a verify notices).
 */
static bool weak_supply_strikes(struct flash *f, uint8_t *word, unsigned int bank,
		uint32_t index)
{
	struct flash_faults *fl = &f->faults;

	if (!chance(fl, fl->weak_supply))
		return false;
	if (next_random(fl) & 1) {
		flash_set_word_state(f, bank, index, WORD_ECC_DOUBLE);
	} else {
		/* a bit that should be 0 stays 1: scan from a random bit for a 0 */
		unsigned int start = next_random(fl) % (8 * FLASH_WORD_BYTES), i;

		for (i = 0; i < 8 * FLASH_WORD_BYTES; i++) {
			unsigned int bit = (start + i) % (8 * FLASH_WORD_BYTES);

			if (!(word[bit / 8] & (1u << (bit % 8)))) {
				word[bit / 8] |= (uint8_t)(1u << (bit % 8));
				break;
			}
		}
		if (i == 8 * FLASH_WORD_BYTES)	/* all ones: only the ECC can go bad */
			flash_set_word_state(f, bank, index, WORD_ECC_DOUBLE);
	}
	sim_trace("flash: weak supply corrupted the word at bank %u offset 0x%05x", bank + 1,
		index * FLASH_WORD_BYTES);
	return true;
}

/*
 * The core supply never reached its VOS level: a word comes out with one to
 * three wrong bits, at least one 1 -> 0 and, from two on, one 0 -> 1 (the
 * other direction when the word has no such bit). The controller computed
 * the ECC over what it stored, so reads raise nothing and only a verify
 * notices. UNCONFIRMED: no ST document describes programming below the VOS
 * level; this is the silent failure the fault exists to produce.
 */
static void vos_unready_strikes(struct flash *f, uint8_t *word, unsigned int bank,
		uint32_t index)
{
	struct flash_faults *fl = &f->faults;
	uint8_t done[FLASH_WORD_BYTES] = { 0 };

	if (!fl->vos_unready || !chance(fl, fl->vos_unready_words))
		return;
	unsigned int nbits = 1 + next_random(fl) % 3;

	for (unsigned int n = 0; n < nbits; n++) {
		bool from = n == 0 ? true : n == 1 ? false : next_random(fl) & 1;

		if (!flip_bit(fl, word, done, from))
			flip_bit(fl, word, done, !from);
	}
	f->vos_flipped_words++;
	sim_trace("flash: %u bits of the word at bank %u offset 0x%05x flipped (VOS not ready)",
		nbits, bank + 1, index * FLASH_WORD_BYTES);
}

/*
 * NOR programming: bits only go from 1 to 0. A word programmed a second time
 * with other data gets ECC bits that match neither: reads then fail
 * (doc/stm32h743.texi, Troubleshooting, not-erased).
 */
void flash_program_word(struct flash *f, unsigned int bank, uint32_t offset,
		const uint8_t *data)
{
	uint8_t *word = f->array + bank * FLASH_BANK_BYTES + offset;
	uint32_t index = offset / FLASH_WORD_BYTES;
	enum flash_word_state state = f->words[bank][index];

	/* programming never updates a cache line (the core may keep old bytes) */
	memory_view(f, bank * FLASH_BANK_BYTES + offset, FLASH_WORD_BYTES);
	bool same = memcmp(word, data, FLASH_WORD_BYTES) == 0;

	for (unsigned int i = 0; i < FLASH_WORD_BYTES; i++)
		word[i] &= data[i];
	if (state == WORD_ERASED)
		flash_set_word_state(f, bank, index, WORD_PROGRAMMED);
	else if (!same)
		flash_set_word_state(f, bank, index, WORD_ECC_DOUBLE);
	if (!weak_supply_strikes(f, word, bank, index))
		vos_unready_strikes(f, word, bank, index);
	memory_view(f, bank * FLASH_BANK_BYTES + offset, FLASH_WORD_BYTES);
	array_changed(f, bank * FLASH_BANK_BYTES + offset, FLASH_WORD_BYTES);
}

/* Latch the failing word for ECC_FA unless an ECC flag already holds one. */
static void report_ecc(struct flash *f, unsigned int bank, uint32_t index, uint32_t flag)
{
	struct flash_bank_ctrl *b = &f->bank[bank];

	if (!(b->flags & (SR_SNECCERR | SR_DBECCERR)))
		b->ecc_fa = index & 0x7FFF;
	b->flags |= flag;
}

/* What a data read of [offset, offset+size) finds; BUS_ERROR on a failing word. */
static int check_read(struct flash *f, uint32_t offset, unsigned int size, bool *secure_zero)
{
	unsigned int bank = offset / FLASH_BANK_BYTES;
	uint32_t in_bank = offset % FLASH_BANK_BYTES, index = in_bank / FLASH_WORD_BYTES;
	struct flash_bank_ctrl *b = &f->bank[bank];

	*secure_zero = false;
	if (!flash_offset_present(f, offset) || !flash_offset_present(f, offset + size - 1))
		return BUS_ERROR;
	if (flash_rdp_level(f) >= 1 && f->hooks.debugger_attached &&
	    f->hooks.debugger_attached(f->hooks.ctx)) {
		b->flags |= SR_RDPERR;	/* read protection: a debugged chip reads no flash */
		return BUS_ERROR;
	}
	if (flash_area_contains(f->cur.prar[bank], in_bank)) {
		b->flags |= SR_RDPERR;	/* PCROP is execute-only */
		return BUS_ERROR;
	}
	if ((f->cur.optsr & OPTSR_SECURITY) && flash_area_contains(f->cur.scar[bank], in_bank)) {
		b->flags |= SR_RDSERR;	/* secure-only: reads as zero (H723 observation) */
		*secure_zero = true;
		return BUS_OK;
	}
	switch (f->words[bank][index]) {
	case WORD_ECC_DOUBLE:
		report_ecc(f, bank, index, SR_DBECCERR);
		return BUS_ERROR;
	case WORD_ECC_SINGLE:
		report_ecc(f, bank, index, SR_SNECCERR);
		return BUS_OK;
	default:
		return BUS_OK;
	}
}

/*
 * The CRC reader goes through the ECC decoder like any other read: a word
 * with an ECC error raises its flag (and latches ECC_FA) there too.
 */
void flash_crc_ecc_check(struct flash *f, unsigned int bank, uint32_t in_bank)
{
	uint32_t index = in_bank / FLASH_WORD_BYTES;

	if (f->words[bank][index] == WORD_ECC_DOUBLE)
		report_ecc(f, bank, index, SR_DBECCERR);
	else if (f->words[bank][index] == WORD_ECC_SINGLE)
		report_ecc(f, bank, index, SR_SNECCERR);
}

bool flash_latency_short(const struct flash *f)
{
	return (f->acr & ACR_LATENCY_MASK) < f->latency_needed;
}

static bool reads_zero(const struct flash *f, uint32_t offset)
{
	return f->faults.reads_zero & (1u << (offset / FLASH_BANK_BYTES));
}

bool flash_reads_altered(const struct flash *f, unsigned int bank)
{
	return flash_latency_short(f) || reads_zero(f, bank * FLASH_BANK_BYTES);
}

/*
 * Too few wait states: the sense amplifiers are sampled before they settle,
 * so each read returns different wrong bits. Modelled as a fresh non-zero
 * random mask per read (UNCONFIRMED: the manual only says the
 * setting must match the clock; ECC flags are not raised here).
 */
static uint32_t garble_mask(struct flash *f, unsigned int size)
{
	uint32_t lanes = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
	uint32_t m;

	do {
		m = (uint32_t)(xorshift(&f->garble_rng) >> 32) & lanes;
	} while (!m || m == f->garble_last);
	f->garble_last = m;
	f->garbled_reads++;
	return m;
}

void flash_sense(struct flash *f, uint32_t offset, uint8_t *buf, uint32_t len)
{
	memory_view(f, offset, len);
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v = mem_load(f->array + offset + i, 4);

		if (reads_zero(f, offset + i))
			v = 0;
		else if (flash_latency_short(f))
			v ^= garble_mask(f, 4);
		mem_store(buf + i, 4, v);
	}
	memory_view(f, offset, len);
}

int flash_cpu_read_check(struct flash *f, uint32_t addr, unsigned int size)
{
	bool zero;

	if (addr - FLASH_ARRAY_BASE >= FLASH_ARRAY_SIZE)
		return BUS_OK;
	/*
	 * Read protection with a debugger seen since power-on: the CPU's own
	 * flash accesses stall, they do not fault (UNCONFIRMED: the
	 * public report of an H743 at RDP level 1 whose firmware hung, without
	 * a HardFault, until a power cycle).
	 */
	if (flash_rdp_level(f) >= 1 && f->hooks.debugger_attached &&
	    f->hooks.debugger_attached(f->hooks.ctx))
		return BUS_STALL;
	if (reads_zero(f, addr - FLASH_ARRAY_BASE))
		return BUS_OK;
	return check_read(f, addr - FLASH_ARRAY_BASE, size, &zero);
}

/*
 * A bus read of the array. With the reads-zero fault the core supply has
 * collapsed under a controller that still answers: zeros, and no ECC check
 * (UNCONFIRMED: chosen to reproduce a blank verify, not taken from silicon).
 */
static int array_read(void *ctx, uint32_t offset, unsigned int size, uint32_t *value,
		enum bus_master who)
{
	struct flash *f = ctx;
	bool zero;
	int ret;

	(void)who;
	*value = 0;
	if (reads_zero(f, offset)) {
		if (!flash_offset_present(f, offset) || !flash_offset_present(f, offset + size - 1))
			return BUS_ERROR;
		f->zero_reads++;
		return BUS_OK;
	}
	ret = check_read(f, offset, size, &zero);
	if (ret == BUS_OK && !zero)
		*value = mem_load(f->array + offset, size);
	if (ret == BUS_OK && flash_latency_short(f))
		*value ^= garble_mask(f, size);
	return ret;
}

/* Writes into the array go to the write buffer of the bank they address. */
int flash_buffer_write(struct flash *f, uint32_t offset, unsigned int size, uint32_t value);

static int array_write(void *ctx, uint32_t offset, unsigned int size, uint32_t value,
		enum bus_master who)
{
	struct flash *f = ctx;

	(void)who;
	if (!flash_offset_present(f, offset) || !flash_offset_present(f, offset + size - 1))
		return BUS_ERROR;
	return flash_buffer_write(f, offset, size, value);
}

const struct bus_region_ops flash_array_ops = {
	.read = array_read,
	.write = array_write,
};

/* SWAP_BANK changed at reset: exchange the logical halves and their ECC state. */
void flash_swap_halves(struct flash *f)
{
	uint8_t tmp[4096];

	memory_view(f, 0, FLASH_ARRAY_SIZE);
	for (uint32_t off = 0; off < FLASH_BANK_BYTES; off += sizeof(tmp)) {
		uint8_t *a = f->array + off, *b = f->array + FLASH_BANK_BYTES + off;

		memcpy(tmp, a, sizeof(tmp));
		memcpy(a, b, sizeof(tmp));
		memcpy(b, tmp, sizeof(tmp));
	}
	for (uint32_t i = 0; i < FLASH_WORDS_PER_BANK; i++) {
		uint8_t t = f->words[0][i];

		f->words[0][i] = f->words[1][i];
		f->words[1][i] = t;
	}
	f->swapped ^= 1;
	memory_view(f, 0, FLASH_ARRAY_SIZE);
	array_changed(f, 0, FLASH_ARRAY_SIZE);
}

/* Firmware already on the board: programmed words, ECC consistent. */
int flash_load_image(struct flash *f, const uint8_t *data, uint32_t len)
{
	if (len && !flash_offset_present(f, len - 1))
		return -1;
	memory_view(f, 0, len);
	memcpy(f->array, data, len);
	for (uint32_t off = 0; off < len; off += FLASH_WORD_BYTES) {
		const uint8_t *w = f->array + off;
		bool erased = true;

		for (unsigned int i = 0; i < FLASH_WORD_BYTES && erased; i++)
			erased = w[i] == 0xFF;
		flash_set_word_state(f, off / FLASH_BANK_BYTES,
			(off % FLASH_BANK_BYTES) / FLASH_WORD_BYTES,
			erased ? WORD_ERASED : WORD_PROGRAMMED);
	}
	memory_view(f, 0, len);
	f->dirty = true;
	return 0;
}

void flash_recount_bad_words(struct flash *f)
{
	f->bad_words = 0;
	for (unsigned int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < FLASH_WORDS_PER_BANK; i++)
			f->bad_words += f->words[b][i] == WORD_ECC_SINGLE ||
				f->words[b][i] == WORD_ECC_DOUBLE;
}
