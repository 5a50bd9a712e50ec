/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * stm32h743 flash driver: STM32H742/H743/H753/H750 (device id 0x450).
 * Shared between the driver's modules: layout (stm32h743_layout.c), the
 * register gateway and status decoding (stm32h743_regs.c), erase and program
 * (stm32h743_ops.c), option bytes (stm32h743_options.c), verify and
 * diagnosis (stm32h743_verify.c) and the driver entry points and commands
 * (stm32h743.c). Register facts: RM0433 chapter 4.
 */

#ifndef OPENOCD_FLASH_NOR_STM32H743_H
#define OPENOCD_FLASH_NOR_STM32H743_H

#include <helper/bits.h>

#include "imp.h"

#define STM32H743_DEV_ID		0x450
#define STM32H743_DBGMCU_IDCODE		0x5C001000	/* through AP0 */
#define STM32H743_DBGMCU_IDCODE_APB	0xE00E1000	/* through AP2 (APB-D) */
#define STM32H743_FLASH_SIZE_REG	0x1FF1E880	/* 16 bits, KiB */
#define STM32H743_FLASH_REGS		0x52002000
#define STM32H743_BANK2_REGS		0x100
#define STM32H743_BANK1_BASE		0x08000000
#define STM32H743_BANK2_BASE		0x08100000
#define STM32H743_SECTOR_SIZE		0x20000
#define STM32H743_BANK_MAX		0x100000	/* 8 sectors: a bank of the 2 MiB parts */
#define STM32H743_FLASH_WORD		32

/* FLASH_CR (RM0433 4.9.4) */
#define CR_LOCK			BIT(0)
#define CR_PG			BIT(1)
#define CR_SER			BIT(2)
#define CR_BER			BIT(3)
#define CR_PSIZE_SHIFT		4
#define CR_FW			BIT(6)
#define CR_START		BIT(7)
#define CR_SNB_SHIFT		8
#define CR_CRC_EN		BIT(15)

/* FLASH_SR (RM0433 4.9.5) */
#define SR_BSY			BIT(0)
#define SR_WBNE			BIT(1)
#define SR_QW			BIT(2)
#define SR_CRC_BUSY		BIT(3)
#define SR_EOP			BIT(16)
#define SR_WRPERR		BIT(17)
#define SR_PGSERR		BIT(18)
#define SR_STRBERR		BIT(19)
#define SR_INCERR		BIT(21)
#define SR_OPERR		BIT(22)
#define SR_RDPERR		BIT(23)
#define SR_RDSERR		BIT(24)
#define SR_SNECCERR		BIT(25)
#define SR_DBECCERR		BIT(26)
#define SR_CRCEND		BIT(27)
#define SR_CRCRDERR		BIT(28)
#define SR_ERRORS		0x07EE0000u	/* WRPERR..DBECCERR */
#define SR_CLEARABLE		0x1FEF0000u

/* FLASH_OPTCR / OPTSR (RM0433 4.9.7-4.9.9) */
#define OPTCR_OPTLOCK		BIT(0)
#define OPTCR_OPTSTART		BIT(1)
#define OPTCR_MER		BIT(4)
#define OPTCR_SWAP_BANK		BIT(31)
#define OPTSR_OPT_BUSY		BIT(0)
#define OPTSR_RDP_SHIFT		8
#define OPTSR_SECURITY		BIT(21)
#define OPTSR_OPTCHANGEERR	BIT(30)
#define OPTSR_SWAP_BANK_OPT	BIT(31)
#define OPTSR_IWDG1_SW		BIT(4)

/* RCC_RSR: reset flags, sticky until RMVF (RM0433 8.7.42) */
#define RCC_RSR			0x580244D0
#define RSR_BORRSTF		BIT(21)
#define RSR_PINRSTF		BIT(22)
#define RSR_PORRSTF		BIT(23)
#define RSR_SFTRSTF		BIT(24)
#define RSR_IWDG1RSTF		BIT(26)
#define RSR_WWDG1RSTF		BIT(28)
#define RSR_LPWRRSTF		BIT(30)
#define OPTCCR_CLR_OPTCHANGEERR	BIT(30)

#define FLASH_KEY1		0x45670123
#define FLASH_KEY2		0xCDEF89AB
#define FLASH_OPTKEY1		0x08192A3B
#define FLASH_OPTKEY2		0x4C5D6E7F

/* The controller's registers; the gateway maps them to addresses. */
enum stm32h743_reg {
	STM32H743_ACR,
	STM32H743_KEYR,
	STM32H743_OPTKEYR,
	STM32H743_CR,
	STM32H743_SR,
	STM32H743_CCR,
	STM32H743_OPTCR,
	STM32H743_OPTSR_CUR,
	STM32H743_OPTSR_PRG,
	STM32H743_OPTCCR,
	STM32H743_PRAR_CUR,
	STM32H743_PRAR_PRG,
	STM32H743_SCAR_CUR,
	STM32H743_SCAR_PRG,
	STM32H743_WPSN_CUR,
	STM32H743_WPSN_PRG,
	STM32H743_BOOT_CUR,
	STM32H743_BOOT_PRG,
	STM32H743_CRCCR,
	STM32H743_CRCSADD,
	STM32H743_CRCEADD,
	STM32H743_CRCDATA,
	STM32H743_ECC_FA,
	STM32H743_NUM_REGS,
};

struct stm32h743_part {
	uint16_t flash_kb;		/* FLASH_SIZE register value */
	const char *name;
	unsigned int banks;
	unsigned int sectors_per_bank;
};

/* Per flash bank (driver_priv). */
struct stm32h743_bank {
	bool probed;
	unsigned int index;		/* 0: bank at 0x08000000, 1: at 0x08100000 */
	uint32_t declared_size;		/* size from the flash bank command, 0 = ask the chip */
	const struct stm32h743_part *part;
	uint32_t idcode;
	unsigned int psize;		/* FLASH_CR.PSIZE: 0 = x8 ... 3 = x64 */
	bool absent;			/* no bank here on this part (H750 bank 2) */
	char probe_error[320];		/* why the last probe failed, "" after a good one */
};

static inline struct stm32h743_bank *stm32h743_info(struct flash_bank *bank)
{
	return bank->driver_priv;
}

/* stm32h743.c */
bool stm32h743_is_our_bank(const struct flash_bank *bank);
int stm32h743_command_bank(struct command_invocation *cmd, bool probe, struct flash_bank **bank);
int stm32h743_bad_args(struct command_invocation *cmd, const char *usage, const char *fmt, ...)
	__attribute__ ((format (PRINTF_ATTRIBUTE_FORMAT, 3, 4)));

/* stm32h743_layout.c: pure helpers, no target access */
const struct stm32h743_part *stm32h743_find_part(uint16_t flash_kb);
int stm32h743_bank_index(target_addr_t base);
uint32_t stm32h743_bank_bytes(const struct stm32h743_part *part, unsigned int index);
const char *stm32h743_revision_name(uint16_t rev_id);
unsigned int stm32h743_psize_bits(unsigned int psize);
unsigned int stm32h743_sector_erase_timeout_ms(unsigned int psize);
unsigned int stm32h743_bank_erase_timeout_ms(unsigned int psize);
unsigned int stm32h743_program_timeout_ms(unsigned int psize);

/* stm32h743_evidence.c: a read through AP2 (debug APB), which answers under NRST */
int stm32h743_read_apb_d(struct target *target, uint32_t addr, uint32_t *value);

/* stm32h743_regs.c */
uint32_t stm32h743_reg_address(unsigned int index, enum stm32h743_reg reg);
int stm32h743_read_bank_reg(struct target *target, unsigned int index, enum stm32h743_reg reg,
		uint32_t *value);
int stm32h743_write_bank_reg(struct target *target, unsigned int index, enum stm32h743_reg reg,
		uint32_t value);
int stm32h743_read_reg(struct flash_bank *bank, enum stm32h743_reg reg, uint32_t *value);
/* NULL, or why the chip is out of reach because NRST holds it in reset, and what to do */
const char *stm32h743_reset_held(struct target *target);
int stm32h743_write_reg(struct flash_bank *bank, enum stm32h743_reg reg, uint32_t value);
const char *stm32h743_reg_name(struct flash_bank *bank, enum stm32h743_reg reg);
/* A register's name from its address ("register" when unknown), for the debug log. */
const char *stm32h743_reg_name_at(uint32_t address);
/* target_read_u32 of a register the driver decodes, logged at debug level with its name. */
int stm32h743_read_u32_logged(struct target *target, uint32_t address, uint32_t *value);
/* Log how often the last register read repeated its value (a poll that gave up). */
void stm32h743_reg_log_flush(void);
void stm32h743_sr_flags(uint32_t sr, char *buf, size_t size);
int stm32h743_unlock(struct flash_bank *bank);
int stm32h743_lock(struct flash_bank *bank);
int stm32h743_clear_errors(struct flash_bank *bank);
int stm32h743_wait_idle(struct flash_bank *bank, unsigned int timeout_ms, const char *what);

/*
 * The one poll loop of the driver: read a register until none of the busy
 * bits is set, keeping the link alive, reporting progress every 2 s, up to
 * the datasheet timeout. A filler may use the wait (its time does not count
 * against the timeout). The timeout message is the caller's: it knows the
 * evidence that belongs in it.
 */
struct stm32h743_poll {
	const char *what;		/* "bank 1 erase", "option change": for progress */
	unsigned int timeout_ms;
	uint32_t busy;			/* bits that mean "not yet" */
	int (*read)(void *ctx, uint32_t *value);
	void *ctx;
	bool (*filler)(void *ctx);	/* optional work while waiting */
	void *filler_ctx;
};
/* ERROR_OK (*value: the last read), the read's error, or ERROR_FLASH_BUSY on timeout. */
int stm32h743_poll(const struct stm32h743_poll *p, int64_t start_ms, uint32_t *value);
int stm32h743_report_errors(struct flash_bank *bank, uint32_t sr, const char *what);

/* stm32h743_ops.c */
int stm32h743_erase(struct flash_bank *bank, unsigned int first, unsigned int last);
int stm32h743_write(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count);
int stm32h743_erase_banks(struct flash_bank **banks, unsigned int count);
/* A run of consecutive flash words of one bank to program. */
struct stm32h743_run {
	struct flash_bank *bank;
	uint32_t addr;			/* first flash word */
	uint32_t words;
	const uint8_t *data;		/* words * 32 bytes */
	uint32_t src;			/* 0, or where the data already is in target RAM */
};
int stm32h743_program_runs(struct flash_bank **banks, struct stm32h743_run **runs,
		const unsigned int *nruns, unsigned int nbanks);
/* Work to do while an erase runs; returns false when it has none left. */
typedef bool (*stm32h743_erase_filler)(void *ctx);
int stm32h743_erase_sectors(struct flash_bank **banks, const uint32_t *masks,
		unsigned int nbanks, stm32h743_erase_filler filler, void *ctx);
int stm32h743_check_writable(struct flash_bank *bank, uint32_t sectors, const char *what);
int stm32h743_confirm_erased(struct flash_bank *bank, uint32_t sectors);

/* stm32h743_options.c */
struct stm32h743_option_write {
	enum stm32h743_reg reg;		/* a *_PRG register */
	unsigned int index;		/* bank of a per-bank register */
	uint32_t value;
};
int stm32h743_option_commit(struct target *target, const struct stm32h743_option_write *w,
		unsigned int count, unsigned int timeout_ms);
struct ob_words;
int stm32h743_read_option_words(struct target *target, struct ob_words *w);
int stm32h743_option_apply(struct target *target, const struct ob_words *next,
		unsigned int timeout_ms);
bool stm32h743_option_commit_started(void);
bool stm32h743_option_port_closed(void);
int stm32h743_option_failed(struct flash_bank *bank, const char *what, bool began, int retval,
		char *verdict, size_t size);
/* `option_set` of field/value pairs (no confirm word), and an RDP level change. */
int stm32h743_option_set_pairs(struct command_invocation *cmd, struct flash_bank *bank,
		const char *const *argv, unsigned int argc, const char *what);
int stm32h743_set_rdp(struct command_invocation *cmd, struct flash_bank *bank, const char *level,
		const char *what);
int stm32h743_protect(struct flash_bank *bank, int set, unsigned int first, unsigned int last);
int stm32h743_protect_check(struct flash_bank *bank);
unsigned int stm32h743_rdp_level(uint32_t optsr);

/* A PCROP or secure-only area of a bank, from FLASH_PRAR_CURx / FLASH_SCAR_CURx. */
struct stm32h743_area {
	enum stm32h743_reg reg;		/* STM32H743_PRAR_CUR or STM32H743_SCAR_CUR */
	uint32_t value;			/* the register as read */
	bool defined;			/* START <= END: there is an area */
	bool enforced;			/* PCROP always; a secure area only with SECURITY set */
	bool erase_on_regression;	/* DMEP / DMES */
	uint32_t first, last;		/* addresses, last inclusive */
};
int stm32h743_read_area(struct flash_bank *bank, enum stm32h743_reg reg,
		struct stm32h743_area *area);

/* stm32h743_crc.c: the flash CRC unit */
#define STM32H743_CRC_BURST	128	/* bytes a range is widened to (BURST_4) */
uint32_t stm32h743_crc_model(uint32_t crc, const uint8_t *data, uint32_t len);
uint32_t stm32h743_crc_of_erased(uint32_t len);
int stm32h743_crc_unit(struct flash_bank *bank, uint32_t offset, uint32_t len, uint32_t *crc);
void stm32h743_crc_forget(void);

/* stm32h743_image.c: whole-image writes (patches/0004), checksums (0008) */
int stm32h743_write_image(struct flash_bank *bank, struct image *image, bool erase,
		uint32_t *written);
int stm32h743_checksum(struct flash_bank *bank, uint32_t offset, uint32_t count,
		uint32_t *checksum);
void stm32h743_forget_image(void);
extern const struct command_registration stm32h743_image_command_handlers[];

/* stm32h743_verify.c */
/* 1: the CRC unit says [addr, addr + n) holds expected; 0: it does not; -1: cannot tell */
int stm32h743_unit_matches(struct flash_bank *bank, target_addr_t addr, const uint8_t *expected,
		uint32_t n);
int stm32h743_verify(struct flash_bank *bank, const uint8_t *buffer, uint32_t offset,
		uint32_t count);
int stm32h743_read(struct flash_bank *bank, uint8_t *buffer, uint32_t offset, uint32_t count);
int stm32h743_explain_read_failure(struct flash_bank *bank, target_addr_t addr);
/* true when a read of [addr, addr + n) fails; *bad is then the first unreadable flash word */
bool stm32h743_find_unreadable(struct target *target, target_addr_t addr, uint32_t n,
		target_addr_t *bad);

extern const struct command_registration stm32h743_verify_command_handlers[];
extern const struct command_registration stm32h743_option_command_handlers[];
/* upstream stm32h7x's command names on our banks (stm32h743_compat.c) */
extern const struct command_registration stm32h743_compat_command_handlers[];

#endif /* OPENOCD_FLASH_NOR_STM32H743_H */
