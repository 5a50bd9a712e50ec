// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * The flash CRC unit of each bank (RM0433 4.3.13): the chip reads a range of
 * flash at its own speed and gives a CRC of it, so comparing flash with an
 * image costs a few register accesses instead of the image's bytes over the
 * wire. The algorithm (ST AN5507): CRC-32 polynomial 0x04C11DB7, register 0
 * at the start, 32-bit words loaded little endian and shifted in MSB first,
 * the register XORed with 0x55555555 after every word. The reader fetches
 * whole bursts, so a range is widened to burst bounds here and the host
 * computes the CRC of the same bytes.
 *
 * One unit at a time: both banks share FLASH_CRCDATAR (AN5507). A self-test
 * at first use (a burst read through the debug port and by the unit) decides
 * whether the unit is trusted; callers fall back to other ways when not.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <helper/binarybuffer.h>
#include <helper/time_support.h>
#include <target/target.h>

#include "stm32h743_diag.h"

#define CRCCR_START_CRC		BIT(16)
#define CRCCR_CLEAN_CRC		BIT(17)
#define CRCCR_BURST_SHIFT	20
#define CRC_BURST_CODE		0	/* 4 flash words (128 bytes): the finest widening */
#define CCR_CLR_CRC		(SR_CRCEND | SR_CRCRDERR)
#define CRC_TIMEOUT_MS		1000	/* 1 MiB at one flash word per 100 ns is 3.3 ms */

uint32_t stm32h743_crc_model(uint32_t crc, const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		crc ^= buf_get_u32(data + i, 0, 32);
		for (unsigned int bit = 0; bit < 32; bit++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
		crc ^= 0x55555555u;
	}
	return crc;
}

/* CRC of len bytes of the erased value: what a blank range gives. */
uint32_t stm32h743_crc_of_erased(uint32_t len)
{
	static uint8_t erased[STM32H743_CRC_BURST];
	uint32_t crc = 0;

	memset(erased, 0xFF, sizeof(erased));
	for (uint32_t done = 0; done < len; done += sizeof(erased))
		crc = stm32h743_crc_model(crc, erased, MIN(len - done, sizeof(erased)));
	return crc;
}

/* The self-test below, per bank index, for this target. */
struct crc_self_test {
	struct target *target;
	bool tested;
	bool trusted;
};

static struct crc_self_test self_tests[2];

/*
 * One run of the unit over [offset, offset + len) of the bank, both burst
 * aligned. Unlocks the bank for CRC_EN and locks it again when it was
 * locked. *read_error: a PCROP or secure-only word was skipped (CRCRDERR).
 */
static int crc_unit_run(struct flash_bank *bank, uint32_t offset, uint32_t len, uint32_t *crc,
		bool *read_error)
{
	uint32_t cr, sr = 0;
	int retval = stm32h743_read_reg(bank, STM32H743_CR, &cr);

	/* an ECC flag already set would hide one the run raises */
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);
	if (retval == ERROR_OK && (sr & (SR_SNECCERR | SR_DBECCERR)))
		return ERROR_FLASH_OPERATION_FAILED;
	bool was_locked = cr & CR_LOCK;

	if (retval == ERROR_OK && was_locked)
		retval = stm32h743_unlock(bank);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CR, CR_CRC_EN);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CCR, CCR_CLR_CRC);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CRCSADD, offset);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CRCEADD, offset + len - 4);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CRCCR, CRCCR_CLEAN_CRC |
				CRC_BURST_CODE << CRCCR_BURST_SHIFT);
	if (retval == ERROR_OK)
		retval = stm32h743_write_reg(bank, STM32H743_CRCCR, CRCCR_START_CRC |
				CRC_BURST_CODE << CRCCR_BURST_SHIFT);
	int64_t start = timeval_ms();

	while (retval == ERROR_OK) {
		retval = stm32h743_read_reg(bank, STM32H743_SR, &sr);
		if (retval != ERROR_OK || !(sr & SR_CRC_BUSY))
			break;
		if (timeval_ms() - start > CRC_TIMEOUT_MS) {
			stm32h743_reg_log_flush();
			LOG_WARNING("%s: the CRC unit is still busy after %d ms (%s=0x%08" PRIx32 ")",
				bank->name, CRC_TIMEOUT_MS, stm32h743_reg_name(bank, STM32H743_SR), sr);
			retval = ERROR_FLASH_BUSY;
		}
	}
	if (retval == ERROR_OK && !(sr & SR_CRCEND)) {
		LOG_DEBUG("%s: CRC run ended without CRCEND (SR=0x%08" PRIx32 ")", bank->name, sr);
		retval = ERROR_FAIL;
	}
	if (retval == ERROR_OK)
		retval = stm32h743_read_reg(bank, STM32H743_CRCDATA, crc);
	*read_error = sr & SR_CRCRDERR;
	if (retval == ERROR_OK && (sr & (SR_SNECCERR | SR_DBECCERR))) {
		/*
		 * A word with an ECC error: the caller falls back to reading,
		 * which meets it again and locates it. The flags this run raised
		 * are cleared, or the next operation would take them for its own.
		 */
		LOG_DEBUG("%s: the CRC run met an ECC error (SR=0x%08" PRIx32 ")", bank->name, sr);
		stm32h743_write_reg(bank, STM32H743_CCR, SR_SNECCERR | SR_DBECCERR);
		retval = ERROR_FLASH_OPERATION_FAILED;
	}
	/* clearing CRC_EN resets the unit's configuration and CRCDATAR */
	int end_retval = stm32h743_write_reg(bank, STM32H743_CR, was_locked ? CR_LOCK : 0);

	if (end_retval == ERROR_OK)
		end_retval = stm32h743_write_reg(bank, STM32H743_CCR, CCR_CLR_CRC);
	return retval != ERROR_OK ? retval : end_retval;
}

/*
 * First use on a target: the unit's CRC of the bank's first burst against
 * the same burst read through the debug port. A unit that disagrees (or a
 * chip whose unit works otherwise than modelled) is not used.
 */
static bool crc_unit_trusted(struct flash_bank *bank)
{
	uint8_t burst[STM32H743_CRC_BURST];
	uint32_t crc;
	bool read_error;
	struct crc_self_test *self_test = &self_tests[stm32h743_info(bank)->index & 1];

	if (self_test->tested && self_test->target == bank->target)
		return self_test->trusted;
	self_test->target = bank->target;
	self_test->tested = true;
	self_test->trusted = false;
	if (target_read_buffer(bank->target, bank->base, sizeof(burst), burst) != ERROR_OK ||
	    crc_unit_run(bank, 0, sizeof(burst), &crc, &read_error) != ERROR_OK || read_error) {
		LOG_INFO("%s: flash CRC unit self-test could not run; comparing without it",
			bank->name);
		self_test->tested = false;	/* try again next time */
		return false;
	}
	self_test->trusted = crc == stm32h743_crc_model(0, burst, sizeof(burst));
	if (!self_test->trusted)
		LOG_WARNING("%s: the flash CRC unit gave 0x%08" PRIx32 " for the first %zu bytes, "
			"the debug port's read of them 0x%08" PRIx32 ": not using the CRC unit",
			bank->name, crc, sizeof(burst), stm32h743_crc_model(0, burst, sizeof(burst)));
	else
		LOG_DEBUG("%s: flash CRC unit self-test passed", bank->name);
	return self_test->trusted;
}

void stm32h743_crc_forget(void)
{
	memset(self_tests, 0, sizeof(self_tests));
}

int stm32h743_crc_unit(struct flash_bank *bank, uint32_t offset, uint32_t len, uint32_t *crc)
{
	bool read_error;

	if ((offset | len) % STM32H743_CRC_BURST || !len || offset + len > bank->size)
		return ERROR_COMMAND_ARGUMENT_INVALID;
	if (!crc_unit_trusted(bank))
		return ERROR_NOT_IMPLEMENTED;
	int retval = crc_unit_run(bank, offset, len, crc, &read_error);

	if (retval == ERROR_OK && read_error) {
		LOG_DEBUG("%s: CRC over 0x%" PRIx32 "+0x%" PRIx32 " met a protected area", bank->name,
			offset, len);
		return ERROR_FLASH_PROTECTED;
	}
	return retval;
}
