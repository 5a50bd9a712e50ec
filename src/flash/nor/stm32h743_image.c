// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Whole-image writes (struct flash_driver write_image, patches/0004): flash
 * write_image erase, program and GDB's load hand the driver the whole image,
 * so both banks work at the same time and each sector is only touched when
 * it must be. Per sector the image covers, the chip's CRC unit tells:
 *   - already what erase + program would leave: skipped;
 *   - blank: programmed, not erased;
 *   - anything else: erased (both banks together), then programmed.
 * The programming of both banks then runs through one loader, interleaved.
 * `stm32h743 incremental off` erases and programs every sector the image
 * covers, as OpenOCD's core would (still both banks together).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/time_support.h>
#include <target/image.h>
#include <target/target.h>

#include "stm32h743_diag.h"

/* Gaps of erased words shorter than this are programmed with the rest. */
#define GAP_MIN_WORDS	16
/* Data staged in RAM per debug-port write while the banks erase. */
#define STAGE_CHUNK	4096
/* RCC_AHB2ENR: the D2 SRAMs (SRAM1-3) are clocked only when enabled (RM0433 8.7.40) */
#define RCC_AHB2ENR		0x580244DC
#define AHB2ENR_D2SRAMS		(7u << 29)

static bool incremental = true;

/*
 * What the last whole-image write left in each bank (the image, 0xFF around
 * it in the sectors it covered, 0xFF elsewhere), kept to answer checksum
 * requests (GDB's compare-sections) from the host once the CRC unit says
 * the flash still holds it.
 */
static struct {
	struct target *target;
	uint8_t *data[2];
	uint32_t size[2];
} written;

enum sector_plan { SECTOR_UNTOUCHED, SECTOR_SAME, SECTOR_BLANK, SECTOR_ERASE };

/* What the image puts in one bank: whole sectors, erased value where it has no data. */
struct bank_image {
	struct flash_bank *bank;
	uint8_t *data;			/* bank->size bytes */
	uint32_t touched;		/* sectors the image covers */
	enum sector_plan plan[32];
	struct stm32h743_run *runs;
	unsigned int nruns;
};

static bool staging = true;

/*
 * RAM the driver fills with one bank's data while the banks erase, so that
 * afterwards that bank programs from RAM while the other takes the wire
 * (RM0433 2.3.2). Never the loader's work area.
 */
static const struct {
	uint32_t addr, size;
	bool d2;			/* needs its clock enabled in RCC_AHB2ENR */
} stage_ram[] = {
	{ 0x24000000, 512 * 1024, false },	/* AXI SRAM */
	{ 0x30000000, 288 * 1024, true },	/* SRAM1-3 */
	{ 0x20000000, 128 * 1024, false },	/* DTCM */
	{ 0x38000000, 64 * 1024, false },	/* SRAM4 */
};

struct stage {
	struct target *target;
	struct bank_image *b;		/* the bank whose data is staged */
	uint32_t free_addr[ARRAY_SIZE(stage_ram)], free_end[ARRAY_SIZE(stage_ram)];
	unsigned int region;
	unsigned int run;		/* b->runs[run] is being staged... */
	uint32_t run_words;		/* ...this many of its words already */
	struct stm32h743_run *staged;	/* staged pieces, each contiguous in RAM */
	unsigned int nstaged;
	bool failed;
	uint32_t ahb2enr;
	bool ahb2_set;
};

/* Our banks of the target, by index (0: 0x08000000, 1: 0x08100000). */
static unsigned int find_banks(struct target *target, struct bank_image *bi)
{
	unsigned int n = 0;

	for (struct flash_bank *b = flash_bank_list(); b; b = b->next) {
		if (b->target != target || !stm32h743_is_our_bank(b))
			continue;
		unsigned int index = stm32h743_info(b)->index;

		if (index < 2 && !bi[index].bank) {
			bi[index].bank = b;
			n++;
		}
	}
	return n;
}

static struct bank_image *bank_of(struct bank_image *bi, target_addr_t addr)
{
	for (unsigned int i = 0; i < 2; i++)
		if (bi[i].bank && addr >= bi[i].bank->base &&
		    addr < bi[i].bank->base + bi[i].bank->size)
			return &bi[i];
	return NULL;
}

static int compare_base(const void *a, const void *b)
{
	const struct imagesection *x = *(const struct imagesection * const *)a;
	const struct imagesection *y = *(const struct imagesection * const *)b;

	return x->base_address < y->base_address ? -1 : x->base_address > y->base_address;
}

/* Sections must not overlap: two values for one byte is a broken image. */
static int check_overlaps(struct image *image)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers, as meant */
	struct imagesection **order = malloc(image->num_sections * sizeof(*order));

	if (!order)
		return ERROR_FAIL;
	for (unsigned int i = 0; i < image->num_sections; i++)
		order[i] = &image->sections[i];
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): sorting the pointers */
	qsort(order, image->num_sections, sizeof(*order), compare_base);
	int retval = ERROR_OK;

	for (unsigned int i = 1; i < image->num_sections; i++) {
		target_addr_t end = order[i - 1]->base_address + order[i - 1]->size;

		if (order[i]->size && order[i]->base_address < end) {
			LOG_ERROR("write_image: the section at " TARGET_ADDR_FMT " overlaps the one "
				"ending at " TARGET_ADDR_FMT "; nothing written", order[i]->base_address,
				end);
			retval = ERROR_FAIL;
			break;
		}
	}
	free(order);
	return retval;
}

/* Copy every section into the bank images; *bytes counts them. */
static int load_sections(struct image *image, struct bank_image *bi, uint32_t *bytes)
{
	for (unsigned int i = 0; i < image->num_sections; i++) {
		struct imagesection *s = &image->sections[i];

		for (uint32_t off = 0; off < s->size; ) {
			target_addr_t addr = s->base_address + off;
			struct bank_image *b = bank_of(bi, addr);

			if (!b) {
				LOG_ERROR("write_image: " TARGET_ADDR_FMT " is outside the flash banks; "
					"nothing written", addr);
				return ERROR_FLASH_DST_OUT_OF_BANK;
			}
			uint32_t in_bank = addr - b->bank->base;
			uint32_t len = MIN(s->size - off, b->bank->size - in_bank);
			size_t got;
			int retval = image_read_section(image, i, off, len, b->data + in_bank, &got);

			if (retval != ERROR_OK || got == 0) {
				LOG_ERROR("write_image: cannot read the image's section %u; nothing "
					"written", i);
				return retval != ERROR_OK ? retval : ERROR_FAIL;
			}
			for (uint32_t s_no = in_bank / STM32H743_SECTOR_SIZE;
			     s_no <= (in_bank + got - 1) / STM32H743_SECTOR_SIZE; s_no++)
				b->touched |= BIT(s_no);
			off += got;
			*bytes += got;
		}
	}
	return ERROR_OK;
}

/* Ask the CRC unit what each covered sector holds. */
static void plan_sectors(struct bank_image *b, uint32_t erased_crc)
{
	for (unsigned int s = 0; s < b->bank->num_sectors; s++) {
		uint32_t crc;

		if (!(b->touched & BIT(s))) {
			b->plan[s] = SECTOR_UNTOUCHED;
			continue;
		}
		b->plan[s] = SECTOR_ERASE;
		if (!incremental || stm32h743_crc_unit(b->bank, s * STM32H743_SECTOR_SIZE,
				STM32H743_SECTOR_SIZE, &crc) != ERROR_OK)
			continue;	/* unknown: erase and program, as without the unit */
		if (crc == stm32h743_crc_model(0, b->data + s * STM32H743_SECTOR_SIZE,
				STM32H743_SECTOR_SIZE))
			b->plan[s] = SECTOR_SAME;
		else if (crc == erased_crc)
			b->plan[s] = SECTOR_BLANK;
	}
}

static uint32_t sectors_planned(const struct bank_image *b, enum sector_plan plan)
{
	uint32_t mask = 0;

	for (unsigned int s = 0; s < b->bank->num_sectors; s++)
		if (b->plan[s] == plan)
			mask |= BIT(s);
	return mask;
}

static bool word_erased(const uint8_t *w)
{
	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		if (w[i] != 0xFF)
			return false;
	return true;
}

/*
 * The runs of flash words to program in the sectors of the mask: words of
 * the erased value are left out (they read the same and stay programmable),
 * except in gaps too short to be worth another loader run.
 */
static int make_runs(struct bank_image *b, uint32_t sectors)
{
	uint32_t words = b->bank->size / STM32H743_FLASH_WORD;
	uint32_t run_start = 0, gap = 0;
	bool in_run = false;

	b->runs = calloc(words / 2 + 1, sizeof(*b->runs));
	if (!b->runs)
		return ERROR_FAIL;
	for (uint32_t w = 0; w <= words; w++) {
		bool wanted = w < words &&
			(sectors & BIT(w * STM32H743_FLASH_WORD / STM32H743_SECTOR_SIZE)) &&
			!word_erased(b->data + (size_t)w * STM32H743_FLASH_WORD);

		if (wanted) {
			if (!in_run) {
				run_start = w;
				in_run = true;
			}
			gap = 0;
			continue;
		}
		if (!in_run)
			continue;
		bool sector_ends = w == words || !(sectors &
			BIT(w * STM32H743_FLASH_WORD / STM32H743_SECTOR_SIZE));

		if (++gap < GAP_MIN_WORDS && !sector_ends)
			continue;
		uint32_t end = w + 1 - gap;	/* first word after the run */

		b->runs[b->nruns++] = (struct stm32h743_run){
			.bank = b->bank, .addr = b->bank->base + run_start * STM32H743_FLASH_WORD,
			.words = end - run_start,
			.data = b->data + (size_t)run_start * STM32H743_FLASH_WORD,
		};
		in_run = false;
		gap = 0;
	}
	return ERROR_OK;
}

static uint32_t staged_bytes(const struct stage *st)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < st->nstaged; i++)
		n += st->staged[i].words * STM32H743_FLASH_WORD;
	return n;
}

/* The RAM regions for staging, less the work area; the D2 SRAMs clocked. */
static void stage_init(struct stage *st, struct target *target, struct bank_image *b)
{
	target_addr_t wa = target->working_area_phys;
	uint32_t wa_end = wa + target->working_area_size;

	memset(st, 0, sizeof(*st));
	st->target = target;
	st->b = b;
	st->staged = calloc(b->nruns + ARRAY_SIZE(stage_ram) + 1, sizeof(*st->staged));
	if (!st->staged) {
		st->failed = true;
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(stage_ram); i++) {
		uint32_t lo = stage_ram[i].addr, hi = lo + stage_ram[i].size;

		/* the work area sits at one end of a region (the config's choice) */
		if (wa_end > lo && wa < hi) {
			if (wa - lo >= hi - wa_end)
				hi = wa;
			else
				lo = wa_end;
		}
		st->free_addr[i] = lo;
		st->free_end[i] = hi > lo ? hi : lo;
	}
	if (stm32h743_read_u32_logged(target, RCC_AHB2ENR, &st->ahb2enr) == ERROR_OK &&
	    (st->ahb2enr & AHB2ENR_D2SRAMS) != AHB2ENR_D2SRAMS &&
	    target_write_u32(target, RCC_AHB2ENR, st->ahb2enr | AHB2ENR_D2SRAMS) == ERROR_OK)
		st->ahb2_set = true;
	else if (!(st->ahb2enr & AHB2ENR_D2SRAMS))
		for (unsigned int i = 0; i < ARRAY_SIZE(stage_ram); i++)
			if (stage_ram[i].d2)
				st->free_end[i] = st->free_addr[i];	/* unclocked: not used */
}

static void stage_end(struct stage *st)
{
	if (st->ahb2_set)
		target_write_u32(st->target, RCC_AHB2ENR, st->ahb2enr);
	free(st->staged);
	st->staged = NULL;
}

/* Does a piece at flash, staged at ram, continue this staged piece in both? */
static bool continues(const struct stm32h743_run *last, uint32_t flash, uint32_t ram)
{
	return last->addr + last->words * STM32H743_FLASH_WORD == flash &&
		last->src + last->words * STM32H743_FLASH_WORD == ram;
}

/* One more chunk of the bank's runs into RAM; false when nothing is left to stage. */
static bool stage_chunk(void *ctx)
{
	struct stage *st = ctx;
	struct bank_image *b = st->b;

	while (st->region < ARRAY_SIZE(stage_ram) &&
	       st->free_end[st->region] - st->free_addr[st->region] < STM32H743_FLASH_WORD)
		st->region++;
	if (st->failed || st->run >= b->nruns || st->region >= ARRAY_SIZE(stage_ram))
		return false;
	const struct stm32h743_run *r = &b->runs[st->run];
	uint32_t room = (st->free_end[st->region] - st->free_addr[st->region]) /
		STM32H743_FLASH_WORD;
	uint32_t words = MIN(MIN(room, r->words - st->run_words),
		STAGE_CHUNK / STM32H743_FLASH_WORD);
	uint32_t ram = st->free_addr[st->region];
	const uint8_t *data = r->data + (size_t)st->run_words * STM32H743_FLASH_WORD;

	if (target_write_buffer(st->target, ram, words * STM32H743_FLASH_WORD, data) !=
	    ERROR_OK) {
		st->failed = true;	/* the erase wait will see why; nothing relies on it yet */
		return false;
	}
	uint32_t flash = r->addr + st->run_words * STM32H743_FLASH_WORD;

	if (st->nstaged && continues(&st->staged[st->nstaged - 1], flash, ram)) {
		st->staged[st->nstaged - 1].words += words;
	} else {
		st->staged[st->nstaged++] = (struct stm32h743_run){
			.bank = b->bank, .addr = flash, .words = words, .data = data, .src = ram,
		};
	}
	st->free_addr[st->region] += words * STM32H743_FLASH_WORD;
	st->run_words += words;
	if (st->run_words == r->words) {
		st->run++;
		st->run_words = 0;
	}
	return true;
}

/* The bank's runs after staging: the staged pieces, then what is left. */
static int stage_apply(struct stage *st)
{
	struct bank_image *b = st->b;

	if (st->failed || !st->nstaged)
		return ERROR_OK;
	unsigned int left = b->nruns - st->run;
	struct stm32h743_run *runs = calloc(st->nstaged + left + 1, sizeof(*runs));

	if (!runs)
		return ERROR_FAIL;
	memcpy(runs, st->staged, st->nstaged * sizeof(*runs));
	for (unsigned int i = 0; i < left; i++) {
		struct stm32h743_run r = b->runs[st->run + i];

		if (i == 0 && st->run_words) {
			r.addr += st->run_words * STM32H743_FLASH_WORD;
			r.data += (size_t)st->run_words * STM32H743_FLASH_WORD;
			r.words -= st->run_words;
		}
		runs[st->nstaged + i] = r;
	}
	free(b->runs);
	b->runs = runs;
	b->nruns = st->nstaged + left;
	LOG_INFO("write_image: %" PRIu32 " KiB of bank %u staged in RAM during the erase",
		staged_bytes(st) / 1024,
		stm32h743_info(b->bank)->index + 1);
	return ERROR_OK;
}

static uint64_t run_words(const struct bank_image *b)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < b->nruns; i++)
		n += b->runs[i].words;
	return n;
}

void stm32h743_forget_image(void)
{
	for (unsigned int i = 0; i < 2; i++) {
		free(written.data[i]);
		written.data[i] = NULL;
	}
	written.target = NULL;
}

/* Keep the bank images of a write that succeeded (they are taken from bi). */
static void remember_image(struct target *target, struct bank_image *bi)
{
	stm32h743_forget_image();
	written.target = target;
	for (unsigned int i = 0; i < 2; i++) {
		if (!bi[i].bank || !bi[i].data)
			continue;
		written.data[i] = bi[i].data;
		written.size[i] = bi[i].bank->size;
		bi[i].data = NULL;
	}
}

/*
 * struct flash_driver checksum (patches/0008): OpenOCD's checksum of a
 * range the last whole-image write covered, from the host's copy, once the
 * CRC unit confirms the flash holds exactly that copy there.
 */
int stm32h743_checksum(struct flash_bank *bank, uint32_t offset, uint32_t count,
		uint32_t *checksum)
{
	unsigned int i = stm32h743_info(bank)->index;

	if (i > 1 || written.target != bank->target || !written.data[i] ||
	    offset + count > written.size[i] || offset + count < offset)
		return ERROR_NOT_IMPLEMENTED;
	const uint8_t *copy = written.data[i] + offset;

	if (stm32h743_unit_matches(bank, bank->base + offset, copy, count) != 1)
		return ERROR_NOT_IMPLEMENTED;
	return image_calculate_checksum(copy, count, checksum);
}

static void free_bank_images(struct bank_image *bi)
{
	for (unsigned int i = 0; i < 2; i++) {
		free(bi[i].data);
		free(bi[i].runs);
	}
}

int stm32h743_write_image(struct flash_bank *bank, struct image *image, bool erase,
		uint32_t *bytes)
{
	struct bank_image bi[2] = { 0 };
	struct flash_bank *banks[2];
	uint32_t erase_mask[2], program_mask[2];
	struct stm32h743_run *runs[2];
	unsigned int nruns[2], n = 0, skipped = 0, erased = 0, blank = 0;
	int64_t start = timeval_ms();

	if (!erase)
		return ERROR_NOT_IMPLEMENTED;	/* program only: the core's way, bank by bank */
	*bytes = 0;
	stm32h743_clear_last_failure();
	find_banks(bank->target, bi);
	int retval = check_overlaps(image);

	for (unsigned int i = 0; i < 2 && retval == ERROR_OK; i++) {
		if (!bi[i].bank)
			continue;
		retval = bi[i].bank->driver->auto_probe(bi[i].bank);
		if (retval == ERROR_OK) {
			bi[i].data = malloc(bi[i].bank->size);
			if (!bi[i].data)
				retval = ERROR_FAIL;
			else
				memset(bi[i].data, 0xFF, bi[i].bank->size);
		}
	}
	if (retval == ERROR_OK)
		retval = load_sections(image, bi, bytes);
	uint32_t erased_crc = stm32h743_crc_of_erased(STM32H743_SECTOR_SIZE);

	/*
	 * Protection first, for every sector the image covers, as the
	 * bank-by-bank path does: a refused write touches no register.
	 */
	for (unsigned int i = 0; i < 2 && retval == ERROR_OK; i++)
		if (bi[i].bank && bi[i].touched)
			retval = stm32h743_check_writable(bi[i].bank, bi[i].touched, "erase");
	for (unsigned int i = 0; i < 2 && retval == ERROR_OK; i++) {
		if (!bi[i].bank || !bi[i].touched)
			continue;
		plan_sectors(&bi[i], erased_crc);
		banks[n] = bi[i].bank;
		erase_mask[n] = sectors_planned(&bi[i], SECTOR_ERASE);
		program_mask[n] = erase_mask[n] | sectors_planned(&bi[i], SECTOR_BLANK);
		skipped += __builtin_popcount(sectors_planned(&bi[i], SECTOR_SAME));
		erased += __builtin_popcount(erase_mask[n]);
		blank += __builtin_popcount(sectors_planned(&bi[i], SECTOR_BLANK));
		retval = make_runs(&bi[i], program_mask[n]);
		runs[n] = bi[i].runs;
		nruns[n] = bi[i].nruns;
		n++;
	}
	/*
	 * While the banks erase, the wire would idle: fill RAM with data of
	 * the bank with more to program, which then programs from RAM while
	 * the other bank takes the wire. Only worth it with both banks at work.
	 */
	struct stage st = { 0 };
	bool stage_now = retval == ERROR_OK && staging && n == 2 && (erase_mask[0] || erase_mask[1]) &&
		nruns[0] && nruns[1] && bank->target->working_area_size;

	if (stage_now)
		stage_init(&st, bank->target, &bi[run_words(&bi[1]) > run_words(&bi[0]) ? 1 : 0]);
	if (retval == ERROR_OK && n) {
		LOG_INFO("write_image: %u sector%s already hold the image, %u blank, %u to erase",
			skipped, skipped == 1 ? "" : "s", blank, erased);
		retval = stm32h743_erase_sectors(banks, erase_mask, n,
				stage_now ? stage_chunk : NULL, &st);
	}
	for (unsigned int i = 0; i < n && retval == ERROR_OK; i++)
		retval = stm32h743_confirm_erased(banks[i], erase_mask[i]);
	if (retval == ERROR_OK && stage_now) {
		retval = stage_apply(&st);
		for (unsigned int i = 0; i < n; i++) {
			struct bank_image *b = &bi[stm32h743_info(banks[i])->index];

			runs[i] = b->runs;
			nruns[i] = b->nruns;
		}
	}
	if (retval == ERROR_OK && n)
		retval = stm32h743_program_runs(banks, runs, nruns, n);
	if (stage_now)
		stage_end(&st);
	if (retval == ERROR_OK) {
		LOG_INFO("write_image: %" PRIu32 " bytes in %.3f s: %u sector%s skipped, %u erased, "
			"%u programmed", *bytes, (timeval_ms() - start) / 1000.0, skipped,
			skipped == 1 ? "" : "s", erased, erased + blank);
		remember_image(bank->target, bi);
	}
	free_bank_images(bi);
	return retval;
}

/* `stm32h743 NAME [on|off]`: set or show a switch of whole-image writes. */
static int on_off_command(struct command_invocation *cmd, bool *value)
{
	if (CMD_ARGC > 1)
		return stm32h743_bad_args(cmd, "[on|off]", "%u arguments, expected on or off",
			CMD_ARGC);
	if (CMD_ARGC == 1) {
		if (!strcmp(CMD_ARGV[0], "on"))
			*value = true;
		else if (!strcmp(CMD_ARGV[0], "off"))
			*value = false;
		else
			return stm32h743_bad_args(cmd, "[on|off]", "'%s' is not on or off",
				CMD_ARGV[0]);
	}
	/* the bare word, so that `if {[stm32h743 staging] eq "on"}` works */
	command_print_sameline(cmd, "%s", *value ? "on" : "off");
	return ERROR_OK;
}

COMMAND_HANDLER(stm32h743_handle_incremental_command)
{
	return on_off_command(CMD, &incremental);
}

COMMAND_HANDLER(stm32h743_handle_staging_command)
{
	return on_off_command(CMD, &staging);
}

const struct command_registration stm32h743_image_command_handlers[] = {
	{
		.name = "incremental",
		.handler = stm32h743_handle_incremental_command,
		.mode = COMMAND_ANY,
		.usage = "[on|off]",
		.help = "Whole-image writes leave out sectors that already hold the image and "
			"do not erase blank ones (on, the default); off erases and programs every "
			"sector the image covers.",
	},
	{
		.name = "staging",
		.handler = stm32h743_handle_staging_command,
		.mode = COMMAND_ANY,
		.usage = "[on|off]",
		.help = "While both banks erase for a whole-image write, copy one bank's data "
			"into the target's RAM (AXI SRAM outside the work area, SRAM1-4, DTCM), "
			"so that it programs from there while the other bank takes the wire (on, "
			"the default); off leaves the RAM alone.",
	},
	COMMAND_REGISTRATION_DONE
};
