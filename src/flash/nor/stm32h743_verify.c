// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Verify and read-back for the STM32H743 flash, and the diagnosis that turns
 * a failed compare or read into a cause: the flash word and sector, the
 * controller's flags (ECC, read protection), write protection and bank swap.
 * Also `stm32h743 verify_image`, which the target config puts behind
 * `verify_image` so that `program ... verify` explains failures too.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/time_support.h>
#include <target/image.h>
#include <target/target.h>

#include "stm32h743.h"

#define READBACK_CHUNK 4096

static unsigned int sector_of(target_addr_t addr)
{
	return (addr & 0xFFFFF) / STM32H743_SECTOR_SIZE;
}

static void explain_swap(struct flash_bank *bank)
{
	uint32_t optcr;

	if (stm32h743_read_reg(bank, STM32H743_OPTCR, &optcr) == ERROR_OK &&
	    (optcr & OPTCR_SWAP_BANK))
		LOG_ERROR("  bank swap is active (FLASH_OPTCR.SWAP_BANK=1): 0x08000000 shows physical "
			"bank 2 and 0x08100000 physical bank 1");
}

/* A read of the flash failed: ask the controller why. */
int stm32h743_explain_read_failure(struct flash_bank *bank, target_addr_t addr)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	uint32_t sr, fa, optsr;

	if (stm32h743_read_reg(bank, STM32H743_SR, &sr) != ERROR_OK ||
	    stm32h743_read_reg(bank, STM32H743_ECC_FA, &fa) != ERROR_OK ||
	    stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr) != ERROR_OK)
		return ERROR_FLASH_OPERATION_FAILED;
	if (sr & SR_DBECCERR) {
		target_addr_t word = bank->base + (fa & 0x7FFF) * STM32H743_FLASH_WORD;

		LOG_ERROR("double ECC error in the flash word at " TARGET_ADDR_FMT " (bank %u sector "
			"%u; %s=0x%08" PRIx32 " DBECCERR, %s=0x%04" PRIx32 "): the word was corrupted "
			"during programming; suspect the core supply (VCAP capacitors) or an "
			"interrupted operation. Erase sector %u and program it again", word,
			info->index + 1, sector_of(word), stm32h743_reg_name(bank, STM32H743_SR), sr,
			stm32h743_reg_name(bank, STM32H743_ECC_FA), fa, sector_of(word));
	} else if ((sr & SR_RDPERR) && stm32h743_rdp_level(optsr) >= 1) {
		LOG_ERROR("reading " TARGET_ADDR_FMT " failed: the flash is read protected (RDP level "
			"%u, FLASH_OPTSR_CUR=0x%08" PRIx32 ", %s RDPERR) and a debugger is attached. "
			"`stm32h743 unlock` returns to level 0 but mass-erases both banks", addr,
			stm32h743_rdp_level(optsr), optsr, stm32h743_reg_name(bank, STM32H743_SR));
	} else if (sr & SR_RDPERR) {
		LOG_ERROR("reading " TARGET_ADDR_FMT " failed: it is in a PCROP (execute-only) area "
			"(%s=0x%08" PRIx32 " RDPERR); see `stm32h743 option_bytes`", addr,
			stm32h743_reg_name(bank, STM32H743_SR), sr);
	} else if (sr & SR_RDSERR) {
		LOG_ERROR("reading " TARGET_ADDR_FMT " failed: it is in a secure-only area (%s=0x%08"
			PRIx32 " RDSERR)", addr, stm32h743_reg_name(bank, STM32H743_SR), sr);
	} else {
		LOG_ERROR("reading " TARGET_ADDR_FMT " failed and no flash flag explains it (%s=0x%08"
			PRIx32 "): the debug connection or the bus reported the error", addr,
			stm32h743_reg_name(bank, STM32H743_SR), sr);
	}
	stm32h743_write_reg(bank, STM32H743_CCR, sr & (SR_DBECCERR | SR_SNECCERR | SR_RDPERR |
			SR_RDSERR));
	return ERROR_FLASH_OPERATION_FAILED;
}

static void print_word(const char *what, target_addr_t addr, const uint8_t *w)
{
	char hex[3 * STM32H743_FLASH_WORD + 1];

	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		snprintf(hex + 3 * i, 4, " %02x", w[i]);
	LOG_ERROR("  %s at " TARGET_ADDR_FMT ":%s", what, addr, hex);
}

/* Why does this flash word hold other data than written? */
static void explain_mismatch(struct flash_bank *bank, target_addr_t addr, const uint8_t *expected,
		const uint8_t *actual)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	unsigned int stuck_one = 0, stuck_zero = 0;
	bool erased = true;
	uint32_t sr = 0;

	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++) {
		stuck_one += __builtin_popcount(actual[i] & ~expected[i] & 0xFF);
		stuck_zero += __builtin_popcount(expected[i] & ~actual[i] & 0xFF);
		erased &= actual[i] == 0xFF;
	}
	LOG_ERROR("  that byte is in the flash word at " TARGET_ADDR_FMT " (bank %u, sector %u)",
		addr, info->index + 1, sector_of(addr));
	print_word("expected", addr, expected);
	print_word("read    ", addr, actual);
	/*
	 * A few bits stuck at 1 is a write that did not take; bits only at 0 is a
	 * second programming (NOR cells only go 1 -> 0); both ways is other data.
	 */
	if (erased)
		LOG_ERROR("  the word reads erased: it was never programmed, or its sector was erased "
			"after programming");
	else if (stuck_one && !stuck_zero && stuck_one <= 4)
		LOG_ERROR("  %u bit%s that should be 0 read 1: the programming did not take; suspect "
			"the core supply (VCAP capacitors, VOS) and try a lower parallelism "
			"(`stm32h743 psize %u 32`)", stuck_one, stuck_one > 1 ? "s" : "",
			bank->bank_number);
	else if (stuck_zero && !stuck_one)
		LOG_ERROR("  bits that should be 1 read 0: flash bits only go from 1 to 0, so the "
			"word was programmed twice without an erase in between");
	else
		LOG_ERROR("  the word holds other data: a different image is programmed here (or "
			"this image was written to another address)");
	if (stm32h743_read_reg(bank, STM32H743_SR, &sr) == ERROR_OK && (sr & SR_SNECCERR))
		LOG_ERROR("  the controller corrected a single-bit ECC error (%s SNECCERR): the "
			"cells are marginal", stm32h743_reg_name(bank, STM32H743_SR));
	explain_swap(bank);
}

static int find_mismatch(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count)
{
	uint8_t *chunk = malloc(READBACK_CHUNK);

	if (!chunk)
		return ERROR_FAIL;
	for (uint32_t done = 0; done < count; done += READBACK_CHUNK) {
		uint32_t n = MIN(READBACK_CHUNK, count - done);
		target_addr_t addr = bank->base + offset + done;
		int retval = target_read_buffer(bank->target, addr, n, chunk);

		/* A failing word spoils the whole chunk: find the first bad word in order. */
		for (uint32_t w = 0; retval != ERROR_OK && w < n; w += STM32H743_FLASH_WORD) {
			uint32_t len = MIN(STM32H743_FLASH_WORD, n - w);

			if (target_read_buffer(bank->target, addr + w, len, chunk + w) == ERROR_OK)
				continue;
			/* Compare what could be read before it, then explain the failure. */
			if (memcmp(chunk, buffer + done, w) == 0) {
				free(chunk);
				return stm32h743_explain_read_failure(bank, addr + w);
			}
			n = w;
			retval = ERROR_OK;
		}
		for (uint32_t i = 0; i < n; i++) {
			if (chunk[i] == buffer[done + i])
				continue;
			target_addr_t bad = addr + i;
			target_addr_t word = bad & ~(target_addr_t)(STM32H743_FLASH_WORD - 1);
			uint8_t expected[STM32H743_FLASH_WORD], actual[STM32H743_FLASH_WORD];

			LOG_ERROR("verify failed at " TARGET_ADDR_FMT ": read 0x%02x, expected 0x%02x",
				bad, chunk[i], buffer[done + i]);
			/* Bytes of the word outside the compared range are unknown: show as read. */
			retval = target_read_buffer(bank->target, word, sizeof(actual), actual);
			memcpy(expected, actual, sizeof(expected));
			for (unsigned int k = 0; k < STM32H743_FLASH_WORD; k++) {
				target_addr_t a = word + k;

				if (a >= bank->base + offset && a < bank->base + offset + count)
					expected[k] = buffer[a - bank->base - offset];
			}
			if (retval == ERROR_OK)
				explain_mismatch(bank, word, expected, actual);
			free(chunk);
			return ERROR_FLASH_OPERATION_FAILED;
		}
	}
	free(chunk);
	return ERROR_OK;
}

/*
 * The on-target CRC compares quickly; only when it disagrees (or cannot run)
 * is the range read back to find and explain the first difference.
 */
int stm32h743_verify(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count)
{
	uint32_t image_crc, target_crc;

	if (offset + count > bank->size) {
		LOG_ERROR("verify of %" PRIu32 " bytes at offset 0x%08" PRIx32 " goes past the end of "
			"the bank at " TARGET_ADDR_FMT, count, offset, bank->base);
		return ERROR_FLASH_DST_OUT_OF_BANK;
	}
	uint32_t optsr;
	int retval = stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr);

	if (retval != ERROR_OK)
		return retval;
	if (stm32h743_rdp_level(optsr) > 0) {
		LOG_ERROR("cannot verify " TARGET_ADDR_FMT ": the flash is read protected (RDP level "
			"%u, FLASH_OPTSR_CUR=0x%08" PRIx32 ") and a debugger is attached, so neither "
			"the core nor the debugger can read it. `stm32h743 unlock` returns to level 0 "
			"but mass-erases both banks", bank->base + offset, stm32h743_rdp_level(optsr),
			optsr);
		return ERROR_FLASH_PROTECTED;
	}
	if (image_calculate_checksum(buffer, count, &image_crc) == ERROR_OK &&
	    target_checksum_memory(bank->target, bank->base + offset, count, &target_crc) ==
	    ERROR_OK && image_crc == target_crc)
		return ERROR_OK;
	return find_mismatch(bank, buffer, offset, count);
}

int stm32h743_read(struct flash_bank *bank, uint8_t *buffer, uint32_t offset, uint32_t count)
{
	int retval = default_flash_read(bank, buffer, offset, count);

	if (retval != ERROR_OK)
		stm32h743_explain_read_failure(bank, bank->base + offset);
	return retval;
}

/* Everything the controller can say about one bank, for `stm32h743 diagnose`. */
int stm32h743_diagnose(struct flash_bank *bank, struct command_invocation *cmd)
{
	struct stm32h743_bank *info = stm32h743_info(bank);
	uint32_t sr, fa, wpsn, optsr, optcr;
	char flags[160];

	if (info->absent) {
		command_print(cmd, "bank %u at " TARGET_ADDR_FMT ": absent on the %s",
			info->index + 1, bank->base, info->part->name);
		return ERROR_OK;
	}
	int retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);

	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_ECC_FA, &fa);
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_WPSN_CUR, &wpsn);
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_OPTSR_CUR, &optsr);
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_OPTCR, &optcr);
	if (retval != ERROR_OK)
		return retval;
	stm32h743_sr_flags(sr, flags, sizeof(flags));
	command_print(cmd, "bank %u at " TARGET_ADDR_FMT " (physical bank %u): %s=0x%08" PRIx32
		" (%s)", info->index + 1, bank->base, (optcr & OPTCR_SWAP_BANK) ? 2 - info->index :
		info->index + 1, stm32h743_reg_name(bank, STM32H743_SR), sr, flags);
	if (sr & (SR_SNECCERR | SR_DBECCERR))
		command_print(cmd, "  ECC error latched for the flash word at " TARGET_ADDR_FMT
			" (%s=0x%04" PRIx32 ")", bank->base + (fa & 0x7FFF) * STM32H743_FLASH_WORD,
			stm32h743_reg_name(bank, STM32H743_ECC_FA), fa);
	for (unsigned int s = 0; s < bank->num_sectors; s++)
		if (!(wpsn & (1u << s)))
			command_print(cmd, "  sector %u is write protected", s);
	command_print(cmd, "  read protection: RDP level %u (FLASH_OPTSR_CUR=0x%08" PRIx32 ")",
		stm32h743_rdp_level(optsr), optsr);
	return ERROR_OK;
}

/* Compare memory outside our flash banks the way OpenOCD's verify_image does. */
static int verify_plain_memory(struct target *target, target_addr_t addr, const uint8_t *buf,
		uint32_t n)
{
	uint32_t image_crc, target_crc;
	uint8_t *data;

	if (image_calculate_checksum(buf, n, &image_crc) == ERROR_OK &&
	    target_checksum_memory(target, addr, n, &target_crc) == ERROR_OK &&
	    image_crc == target_crc)
		return ERROR_OK;
	data = malloc(n);
	if (!data)
		return ERROR_FAIL;
	int retval = target_read_buffer(target, addr, n, data);

	for (uint32_t i = 0; retval == ERROR_OK && i < n; i++) {
		if (data[i] != buf[i]) {
			LOG_ERROR("verify failed at " TARGET_ADDR_FMT ": read 0x%02x, expected 0x%02x",
				addr + i, data[i], buf[i]);
			retval = ERROR_FAIL;
		}
	}
	free(data);
	return retval;
}

/* Verify [addr, addr + n) of an image section, bank by bank. */
static int verify_range(struct target *target, target_addr_t addr, const uint8_t *buf, uint32_t n)
{
	while (n) {
		struct flash_bank *bank = NULL;
		uint32_t len = n;

		get_flash_bank_by_addr(target, addr, false, &bank);
		if (bank && stm32h743_is_our_bank(bank)) {
			int retval = bank->driver->auto_probe(bank);

			if (retval != ERROR_OK)
				return retval;
			len = MIN(n, bank->base + bank->size - addr);
			retval = stm32h743_verify(bank, buf, addr - bank->base, len);
			if (retval != ERROR_OK)
				return retval;
		} else {
			int retval = verify_plain_memory(target, addr, buf, len);

			if (retval != ERROR_OK)
				return retval;
		}
		addr += len;
		buf += len;
		n -= len;
	}
	return ERROR_OK;
}

COMMAND_HANDLER(stm32h743_handle_verify_image_command)
{
	struct target *target = get_current_target(CMD_CTX);
	struct image image;
	uint32_t verified = 0;
	int retval;

	if (CMD_ARGC < 1 || CMD_ARGC > 3)
		return ERROR_COMMAND_SYNTAX_ERROR;
	if (CMD_ARGC >= 2) {
		target_addr_t offset;

		COMMAND_PARSE_ADDRESS(CMD_ARGV[1], offset);
		image.base_address_set = true;
		image.base_address = offset;
	} else {
		image.base_address_set = false;
		image.base_address = 0;
	}
	image.start_address_set = false;
	retval = image_open(&image, CMD_ARGV[0], CMD_ARGC == 3 ? CMD_ARGV[2] : NULL);
	if (retval != ERROR_OK)
		return retval;

	int64_t start = timeval_ms();

	for (unsigned int i = 0; i < image.num_sections && retval == ERROR_OK; i++) {
		struct imagesection *s = &image.sections[i];
		uint8_t *buf = malloc(s->size);
		size_t got;

		if (!buf) {
			retval = ERROR_FAIL;
			break;
		}
		retval = image_read_section(&image, i, 0, s->size, buf, &got);
		if (retval == ERROR_OK)
			retval = verify_range(target, s->base_address, buf, got);
		if (retval == ERROR_OK)
			verified += got;
		free(buf);
	}
	image_close(&image);
	if (retval != ERROR_OK) {
		command_print(CMD, "verify failed: see the messages above for the address and cause");
		return ERROR_FAIL;
	}
	command_print(CMD, "verified %" PRIu32 " bytes in %.3fs", verified,
		(timeval_ms() - start) / 1000.0);
	return ERROR_OK;
}

const struct command_registration stm32h743_verify_command_handlers[] = {
	{
		.name = "verify_image",
		.handler = stm32h743_handle_verify_image_command,
		.mode = COMMAND_EXEC,
		.usage = "filename [offset [type]]",
		.help = "Verify an image against target memory; in stm32h743 flash banks a "
			"mismatch or failed read is explained (flash word, sector, ECC, "
			"protection, bank swap).",
	},
	COMMAND_REGISTRATION_DONE
};
