// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Verify and read-back for the STM32H743 flash. A verify compares by CRC on
 * the core; when the CRCs differ, the difference is located sector by sector
 * and 4 KiB chunk by chunk (CRC again), only the differing chunks are read
 * back, and the diagnosis (stm32h743_diag.c) explains it from evidence.
 * Also `stm32h743 verify_image`, which the target config puts behind
 * `verify_image` so that `program ... verify` is explained the same way.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/stat.h>

#include <helper/time_support.h>
#include <target/armv7m.h>
#include <target/cortex_m_cache.h>
#include <target/image.h>
#include <target/target.h>

#include "stm32h743_diag.h"

#define CHUNK		4096
/* Read-back of differing chunks stops here; the counts are then lower bounds. */
#define READBACK_CAP	(64 * 1024)
/*
 * An image section is read and compared this much at a time (aligned to the
 * address, so a bank is never split oddly): the host never holds more than
 * this of the file, whatever size a section claims.
 */
#define SECTION_PIECE	(1024 * 1024)

/* CRC of [addr, addr + n) on the core against the expected bytes. */
enum crc_result { CRC_SAME, CRC_DIFFERENT, CRC_UNAVAILABLE };

/*
 * The flash CRC unit's view of [addr, addr + n): the range widens to burst
 * bounds, and the bytes of the widening are read through the debug port so
 * that the host computes the CRC of the same bytes.
 */
static enum crc_result unit_compare(struct flash_bank *bank, target_addr_t addr,
		const uint8_t *expected, uint32_t n)
{
	uint8_t margin[STM32H743_CRC_BURST];
	uint32_t offset = addr - bank->base;
	uint32_t first = offset & ~(STM32H743_CRC_BURST - 1);
	uint32_t end = (offset + n + STM32H743_CRC_BURST - 1) & ~(STM32H743_CRC_BURST - 1);
	uint32_t crc = 0, unit_crc;

	if (end > bank->size)
		return CRC_UNAVAILABLE;
	if (first < offset) {
		if (target_read_buffer(bank->target, bank->base + first, offset - first,
				margin) != ERROR_OK)
			return CRC_UNAVAILABLE;
		/* the head margin and the data make whole words only together */
		uint8_t head[STM32H743_CRC_BURST];
		uint32_t h = offset - first, fill = MIN(n, STM32H743_CRC_BURST - h);

		memcpy(head, margin, h);
		memcpy(head + h, expected, fill);
		if (h + fill < STM32H743_CRC_BURST) {
			/* a range inside one burst: the tail margin follows */
			if (target_read_buffer(bank->target, bank->base + offset + n,
					STM32H743_CRC_BURST - h - fill, head + h + fill) != ERROR_OK)
				return CRC_UNAVAILABLE;
			crc = stm32h743_crc_model(0, head, STM32H743_CRC_BURST);
			goto run;
		}
		crc = stm32h743_crc_model(0, head, STM32H743_CRC_BURST);
		expected += fill;
		n -= fill;
		offset += fill;
	}
	uint32_t whole = n & ~(STM32H743_CRC_BURST - 1);

	crc = stm32h743_crc_model(crc, expected, whole);
	if (whole < n) {
		uint32_t t = n - whole;

		memcpy(margin, expected + whole, t);
		if (target_read_buffer(bank->target, bank->base + offset + n,
				STM32H743_CRC_BURST - t, margin + t) != ERROR_OK)
			return CRC_UNAVAILABLE;
		crc = stm32h743_crc_model(crc, margin, STM32H743_CRC_BURST);
	}
run:
	if (stm32h743_crc_unit(bank, first, end - first, &unit_crc) != ERROR_OK)
		return CRC_UNAVAILABLE;
	return unit_crc == crc ? CRC_SAME : CRC_DIFFERENT;
}

int stm32h743_unit_matches(struct flash_bank *bank, target_addr_t addr, const uint8_t *expected,
		uint32_t n)
{
	enum crc_result r = unit_compare(bank, addr, expected, n);

	return r == CRC_SAME ? 1 : r == CRC_DIFFERENT ? 0 : -1;
}

/*
 * The flash CRC unit reads the array; the core reads through its D-cache.
 * They can differ only while the core has the D-cache on and nothing
 * invalidated it after programming (`cortex_m cache_maintenance off`).
 */
static bool core_view_may_differ(struct target *target)
{
	return cortex_m_cache_dcache_on(target) && !cortex_m_cache_maintenance_on(target);
}

/* OpenOCD's CRC algorithm run on the core: what the core sees, through its caches. */
static enum crc_result core_compare(struct target *target, target_addr_t addr,
		const uint8_t *expected, uint32_t n)
{
	uint32_t image_crc, core_crc;

	if (image_calculate_checksum(expected, n, &image_crc) != ERROR_OK ||
	    armv7m_checksum_memory(target, addr, n, &core_crc) != ERROR_OK)
		return CRC_UNAVAILABLE;
	if (image_crc != core_crc)
		LOG_DEBUG("stm32h743: " TARGET_ADDR_FMT "+0x%" PRIx32 ": the flash CRC unit "
			"matches, the core's CRC (through its D-cache) 0x%08" PRIx32 " does not",
			addr, n, core_crc);
	return image_crc == core_crc ? CRC_SAME : CRC_DIFFERENT;
}

static enum crc_result crc_compare(struct target *target, target_addr_t addr,
		const uint8_t *expected, uint32_t n)
{
	uint32_t image_crc, target_crc;
	struct flash_bank *bank = NULL;

	/* in our flash, the chip's CRC unit first */
	get_flash_bank_by_addr(target, addr, false, &bank);
	if (bank && stm32h743_is_our_bank(bank) && addr + n <= bank->base + bank->size) {
		enum crc_result r = unit_compare(bank, addr, expected, n);

		if (r == CRC_SAME && core_view_may_differ(target)) {
			enum crc_result core = core_compare(target, addr, expected, n);

			if (core != CRC_UNAVAILABLE)
				return core;
		}
		if (r != CRC_UNAVAILABLE)
			return r;
	}

	if (image_calculate_checksum(expected, n, &image_crc) != ERROR_OK ||
	    target_checksum_memory(target, addr, n, &target_crc) != ERROR_OK)
		return CRC_UNAVAILABLE;
	return image_crc == target_crc ? CRC_SAME : CRC_DIFFERENT;
}

/* Is some of [addr, addr + n) unreadable? Then *bad is its first flash word. */
bool stm32h743_find_unreadable(struct target *target, target_addr_t addr, uint32_t n,
		target_addr_t *bad)
{
	uint8_t *buf = malloc(CHUNK);
	bool found = false;

	if (!buf)
		return false;
	for (uint32_t c = 0; c < n && !found; c += CHUNK) {
		uint32_t len = MIN(CHUNK, n - c);

		if (target_read_buffer(target, addr + c, len, buf) == ERROR_OK)
			continue;
		/* a failing word spoils the whole chunk: find it word by word */
		*bad = addr + c;
		for (uint32_t w = 0; w < len; w += STM32H743_FLASH_WORD) {
			if (!stm32h743_read_word(target, addr + c + w, buf)) {
				*bad = addr + c + w;
				break;
			}
		}
		found = true;
	}
	free(buf);
	return found;
}

static target_addr_t first_unreadable(struct target *target, target_addr_t addr, uint32_t n)
{
	target_addr_t bad = addr;

	stm32h743_find_unreadable(target, addr, n, &bad);
	return bad;
}

static void note_difference(struct stm32h743_failure *f, target_addr_t addr, uint8_t got,
		uint8_t expected)
{
	target_addr_t word = addr & ~(target_addr_t)(STM32H743_FLASH_WORD - 1);

	if (!f->mismatch) {
		f->mismatch = true;
		f->first_bad = addr;
		f->first_read = got;
		f->first_expected = expected;
	} else if (f->nsample_addrs < ARRAY_SIZE(f->sample_addrs) &&
		   (word - (f->nsample_addrs ? f->sample_addrs[f->nsample_addrs - 1] :
			    f->first_bad)) >= CHUNK) {
		/* spread the samples: one per chunk at most */
		f->sample_addrs[f->nsample_addrs++] = word;
	}
}

/* Read one chunk back and count its differing flash words. */
static int compare_chunk(struct flash_bank *bank, target_addr_t addr, const uint8_t *expected,
		uint32_t n, uint8_t *buf, struct stm32h743_failure *f)
{
	uint32_t readable = n;

	if (target_read_buffer(bank->target, addr, n, buf) != ERROR_OK) {
		/* compare what precedes the unreadable word: an earlier difference comes first */
		f->read_failed = true;
		f->read_addr = first_unreadable(bank->target, addr, n);
		readable = f->read_addr - addr;
		if (readable && target_read_buffer(bank->target, addr, readable, buf) != ERROR_OK)
			readable = 0;
	}
	for (uint32_t w = 0; w < readable; w += STM32H743_FLASH_WORD) {
		uint32_t len = MIN(STM32H743_FLASH_WORD, readable - w);

		if (!memcmp(buf + w, expected + w, len))
			continue;
		f->diff_words++;
		for (uint32_t i = w; i < w + len; i++) {
			if (buf[i] != expected[i]) {
				note_difference(f, addr + i, buf[i], expected[i]);
				break;
			}
		}
	}
	return f->read_failed ? ERROR_FLASH_OPERATION_FAILED : ERROR_OK;
}

/*
 * Compare [offset, offset + count) of the bank with expected. Returns
 * ERROR_OK when equal; otherwise fills f (first difference, counts, a few
 * more differing words, or the address a read failed at).
 */
int stm32h743_compare(struct flash_bank *bank, const uint8_t *expected, uint32_t offset,
		uint32_t count, struct stm32h743_failure *f)
{
	struct target *target = bank->target;
	uint32_t read_back = 0;
	uint8_t *buf = malloc(CHUNK);
	int retval = ERROR_OK;

	if (!buf)
		return ERROR_FAIL;
	f->compared = count;
	f->diff_words_exact = true;
	for (uint32_t done = 0; done < count && retval == ERROR_OK; ) {
		uint32_t sector_end = (offset + done + STM32H743_SECTOR_SIZE) &
			~(STM32H743_SECTOR_SIZE - 1);
		uint32_t n = MIN(count - done, sector_end - (offset + done));
		target_addr_t addr = bank->base + offset + done;
		enum crc_result crc = crc_compare(target, addr, expected + done, n);

		if (crc == CRC_SAME) {
			done += n;
			continue;
		}
		bool sector_differs = false;

		for (uint32_t c = 0; c < n && retval == ERROR_OK; c += CHUNK) {
			uint32_t len = MIN(CHUNK, n - c);
			uint32_t before = f->diff_words;

			if (crc == CRC_DIFFERENT &&
			    crc_compare(target, addr + c, expected + done + c, len) == CRC_SAME)
				continue;
			if (read_back >= READBACK_CAP) {
				/* known to differ (or unknown) but not read: counts are a floor */
				f->diff_words_exact = false;
				sector_differs |= crc == CRC_DIFFERENT;
				continue;
			}
			read_back += len;
			retval = compare_chunk(bank, addr + c, expected + done + c, len, buf, f);
			sector_differs |= f->diff_words > before;
		}
		f->diff_sectors += sector_differs;
		done += n;
	}
	free(buf);
	if (retval != ERROR_OK)
		return retval;
	return f->diff_words || !f->diff_words_exact ? ERROR_FLASH_OPERATION_FAILED : ERROR_OK;
}

/* The flash could not be read at addr (dump_image, verify): explain it. */
int stm32h743_explain_read_failure(struct flash_bank *bank, target_addr_t addr)
{
	struct stm32h743_failure f = {
		.operation = "read", .bank = bank, .addr = addr, .len = STM32H743_FLASH_WORD,
		.read_failed = true, .read_addr = addr,
	};

	stm32h743_read_reg(bank, STM32H743_SR, &f.flash_sr);
	stm32h743_diagnose_failure(&f);
	stm32h743_write_reg(bank, STM32H743_CCR, f.flash_sr & (SR_DBECCERR | SR_SNECCERR |
			SR_RDPERR | SR_RDSERR));
	return ERROR_FLASH_OPERATION_FAILED;
}

static int verify_bank_range(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count, const char *file)
{
	struct stm32h743_failure f = {
		.operation = "verify", .bank = bank, .addr = bank->base + offset, .len = count,
		.expected = buffer, .file = file,
	};

	stm32h743_clear_last_failure();
	if (offset + count > bank->size || offset + count < offset) {
		LOG_ERROR("verify of %" PRIu32 " bytes at offset 0x%08" PRIx32 " goes past the end of "
			"the bank at " TARGET_ADDR_FMT, count, offset, bank->base);
		return ERROR_FLASH_DST_OUT_OF_BANK;
	}
	/* at RDP level 1 neither the core's CRC nor a read can get at the flash */
	uint32_t optsr;
	int retval = stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr);

	if (retval != ERROR_OK) {
		/* the controller does not answer: say why (link, low power, reset) */
		f.retval = retval;
		stm32h743_diagnose_failure(&f);
		return retval;
	}
	if (stm32h743_rdp_level(optsr) > 0) {
		LOG_ERROR("cannot verify " TARGET_ADDR_FMT ": the flash is read protected (RDP level "
			"%u, FLASH_OPTSR_CUR=0x%08" PRIx32 ") and a debugger is attached",
			f.addr, stm32h743_rdp_level(optsr), optsr);
		stm32h743_diagnose_failure(&f);
		return ERROR_FLASH_PROTECTED;
	}
	if (crc_compare(bank->target, f.addr, buffer, count) == CRC_SAME)
		return ERROR_OK;
	retval = stm32h743_compare(bank, buffer, offset, count, &f);

	if (retval == ERROR_OK)
		return ERROR_OK;
	if (f.mismatch)
		LOG_ERROR("verify failed at " TARGET_ADDR_FMT ": read 0x%02x, expected 0x%02x",
			f.first_bad, f.first_read, f.first_expected);
	else if (f.read_failed)
		LOG_ERROR("verify failed: reading " TARGET_ADDR_FMT " failed", f.read_addr);
	if (f.read_failed)
		stm32h743_read_reg(bank, STM32H743_SR, &f.flash_sr);
	f.retval = retval;
	stm32h743_diagnose_failure(&f);
	return f.read_failed ? ERROR_FLASH_OPERATION_FAILED : ERROR_FAIL;
}

int stm32h743_verify(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count)
{
	return verify_bank_range(bank, buffer, offset, count, NULL);
}

int stm32h743_read(struct flash_bank *bank, uint8_t *buffer, uint32_t offset, uint32_t count)
{
	int retval = default_flash_read(bank, buffer, offset, count);

	if (retval != ERROR_OK)
		stm32h743_explain_read_failure(bank, first_unreadable(bank->target,
			bank->base + offset, count));
	return retval;
}

/* Compare memory outside our flash banks the way OpenOCD's verify_image does. */
static int verify_plain_memory(struct target *target, target_addr_t addr, const uint8_t *buf,
		uint32_t n)
{
	uint8_t first;

	/* where nothing answers, the target-side CRC would only fault the core */
	if (target_read_u8(target, addr, &first) != ERROR_OK) {
		LOG_ERROR("verify failed: cannot read " TARGET_ADDR_FMT ": no memory answers there "
			"(not in a flash bank, nor RAM?)", addr);
		return ERROR_FAIL;
	}
	if (crc_compare(target, addr, buf, n) == CRC_SAME)
		return ERROR_OK;
	uint8_t *data = malloc(n);

	if (!data)
		return ERROR_FAIL;
	int retval = target_read_buffer(target, addr, n, data);
	uint32_t diff = 0, at = 0;

	if (retval != ERROR_OK)
		LOG_ERROR("verify failed: cannot read " TARGET_ADDR_FMT "-" TARGET_ADDR_FMT, addr,
			addr + n - 1);
	for (uint32_t i = 0; retval == ERROR_OK && i < n; i++) {
		if (data[i] != buf[i] && !diff++)
			at = i;
	}
	if (diff) {
		/* the first difference, and how many: not one line per byte */
		LOG_ERROR("verify failed at " TARGET_ADDR_FMT ": read 0x%02x, expected 0x%02x (%"
			PRIu32 " of %" PRIu32 " bytes differ)", addr + at, data[at], buf[at], diff, n);
		retval = ERROR_FAIL;
	}
	free(data);
	return retval;
}

/*
 * Verify [addr, addr + n) of an image section, bank by bank. *why is set
 * when the failure has a reason worth the command's message.
 */
static int verify_range(struct target *target, target_addr_t addr, const uint8_t *buf, uint32_t n,
		const char *file, bool *ours, const char **why)
{
	while (n) {
		struct flash_bank *bank = NULL;
		uint32_t len = n;
		int retval;

		get_flash_bank_by_addr(target, addr, false, &bank);
		if (bank && stm32h743_is_our_bank(bank)) {
			retval = bank->driver->auto_probe(bank);
			if (retval != ERROR_OK) {
				*why = stm32h743_info(bank)->probe_error;
				return retval;
			}
			len = MIN(n, bank->base + bank->size - addr);
			*ours = true;
			retval = verify_bank_range(bank, buf, addr - bank->base, len, file);
		} else {
			*ours = false;
			retval = verify_plain_memory(target, addr, buf, len);
		}
		if (retval != ERROR_OK)
			return retval;
		addr += len;
		buf += len;
		n -= len;
	}
	return ERROR_OK;
}

/*
 * Why image_open refused a file, for the message: OpenOCD says nothing when
 * a file is empty (its type cannot be guessed from no bytes).
 */
const char *stm32h743_why_not_an_image(const char *file)
{
	struct stat st;

	if (stat(file, &st) != 0)
		return "it cannot be read (missing?)";
	if (st.st_size == 0)
		return "the file is empty";
	return "its format is broken (see the messages above)";
}

/*
 * Verify section i of an image piece by piece; adds the bytes compared to
 * *verified.
 */
static int verify_section(struct target *target, struct image *image, unsigned int i,
		const char *file, uint32_t *verified, bool *ours, const char **why)
{
	struct imagesection *s = &image->sections[i];
	uint8_t *buf = malloc(MIN(s->size, SECTION_PIECE));
	uint32_t done = 0;
	int retval = ERROR_OK;

	if (!buf) {
		LOG_ERROR("verify_image: out of memory for %" PRIu32 " bytes", MIN(s->size,
			SECTION_PIECE));
		*why = "out of host memory";
		return ERROR_FAIL;
	}
	while (done < s->size && retval == ERROR_OK) {
		target_addr_t addr = s->base_address + done;
		uint32_t len = MIN(s->size - done, SECTION_PIECE - (uint32_t)(addr % SECTION_PIECE));
		size_t got;

		retval = image_read_section(image, i, done, len, buf, &got);
		if (retval != ERROR_OK || got == 0) {
			*why = "the file's data is cut short or broken (see the messages above)";
			retval = ERROR_FAIL;
			break;
		}
		retval = verify_range(target, addr, buf, got, file, ours, why);
		if (retval == ERROR_OK)
			*verified += got;
		done += got;
	}
	free(buf);
	return retval;
}

COMMAND_HANDLER(stm32h743_handle_verify_image_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct image image;
	uint32_t verified = 0;
	bool ours = false;
	const char *why = NULL;
	int retval;

	if (CMD_ARGC < 1 || CMD_ARGC > 3)
		return stm32h743_bad_args(CMD, "filename [offset [type]]", "%u arguments, expected a "
			"file, then optionally an offset and a type", CMD_ARGC);
	if (CMD_ARGC >= 2) {
		target_addr_t offset;

		if (parse_target_addr(CMD_ARGV[1], &offset) != ERROR_OK) {
			command_print(CMD, "verify_image: offset '%s' is not a number", CMD_ARGV[1]);
			return ERROR_COMMAND_ARGUMENT_INVALID;
		}
		image.base_address_set = true;
		image.base_address = offset;
	} else {
		image.base_address_set = false;
		image.base_address = 0;
	}
	image.start_address_set = false;
	if (CMD_ARGC == 3 && !strcmp(CMD_ARGV[2], "mem")) {
		/* a "mem" image is the target's own memory: nothing to compare against */
		command_print(CMD, "verify failed: image type 'mem' reads the image from the "
			"target itself, so there is nothing to compare; give a file (bin, ihex, "
			"elf, s19)");
		return ERROR_COMMAND_ARGUMENT_INVALID;
	}
	retval = image_open(&image, CMD_ARGV[0], CMD_ARGC == 3 ? CMD_ARGV[2] : NULL);
	if (retval != ERROR_OK) {
		command_print(CMD, "verify failed: cannot open %s as an image: %s", CMD_ARGV[0],
			stm32h743_why_not_an_image(CMD_ARGV[0]));
		return retval;
	}

	int64_t start = timeval_ms();

	stm32h743_clear_last_failure();
	for (unsigned int i = 0; i < image.num_sections && retval == ERROR_OK; i++)
		retval = verify_section(target, &image, i, CMD_ARGV[0], &verified, &ours, &why);
	image_close(&image);
	if (retval == ERROR_OK && !verified) {
		/*
		 * Nothing compared is no proof: an empty file, most likely. Logged
		 * too: `program` catches the result and prints only "Verify Failed".
		 */
		LOG_ERROR("verify_image: %s holds no data to compare (empty file?)", CMD_ARGV[0]);
		command_print(CMD, "verify failed: %s holds no data to compare", CMD_ARGV[0]);
		return ERROR_FAIL;
	}
	if (retval != ERROR_OK) {
		const char *verdict = ours ? stm32h743_last_verdict() : NULL;

		/* the verdict is the error message, and so the last line printed */
		command_print(CMD, "verify failed: %s", verdict ? verdict : why && why[0] ? why :
			"see the messages above for the address");
		return ERROR_FAIL;
	}
	/* people read the line; scripts get a dict */
	double seconds = (timeval_ms() - start) / 1000.0;

	LOG_USER("verified %" PRIu32 " bytes in %.3fs", verified, seconds);
	command_print_sameline(CMD, "bytes %" PRIu32 " seconds %.3f", verified, seconds);
	return ERROR_OK;
}

const struct command_registration stm32h743_verify_command_handlers[] = {
	{
		.name = "verify_image",
		.handler = stm32h743_handle_verify_image_command,
		.mode = COMMAND_EXEC,
		.usage = "filename [offset [type]]",
		.help = "Verify an image against target memory; in stm32h743 flash banks a "
			"mismatch or failed read is diagnosed from evidence (see `stm32h743 "
			"last_failure`).",
	},
	COMMAND_REGISTRATION_DONE
};
