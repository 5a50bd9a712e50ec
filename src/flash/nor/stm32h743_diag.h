/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * stm32h743 flash driver: the diagnosis of a failed verify, program or
 * erase. Three parts:
 *   stm32h743_record.c    what this driver did to the chip in this session
 *                         (sectors erased and how fast, flash words
 *                         programmed and with what, resets and resumes seen)
 *   stm32h743_evidence.c  reading the chip's state: flash, power, clock,
 *                         reset and debug registers, reads of flash words
 *   stm32h743_diag.c      testing each candidate cause against that
 *                         evidence, ranking them, the verdict and report
 *   stm32h743_diagcmds.c  the Tcl dict and the `diagnose`, `last_failure`
 *                         and `program_test` commands
 */

#ifndef OPENOCD_FLASH_NOR_STM32H743_DIAG_H
#define OPENOCD_FLASH_NOR_STM32H743_DIAG_H

#include "stm32h743.h"

#define STM32H743_SECTORS_PER_BANK	8
#define STM32H743_WORDS_PER_BANK	(0x100000 / STM32H743_FLASH_WORD)

/* The causes a diagnosis can name; the Tcl identifiers are in stm32h743_diag.c. */
enum stm32h743_cause {
	CAUSE_FILE_DIFFERS,
	CAUSE_OTHER_BANK,
	CAUSE_NOT_ERASED,
	CAUSE_PROGRAM_FAILED,
	CAUSE_WAIT_STATES,
	CAUSE_TARGET_INTERFERED,
	CAUSE_PROTECTION,
	CAUSE_LINK_LOST,
	CAUSE_STALE_CACHE,
	CAUSE_NONE,
	CAUSE_UNKNOWN,
	CAUSE_COUNT,
};

/* ---- the session record (stm32h743_record.c) ---------------------------- */

struct stm32h743_sector_record {
	bool erased;			/* erased by this driver in this session */
	bool erase_instant;		/* ... and the erase was done at the first status read */
	int64_t erased_ms;		/* when (timeval_ms) */
	uint32_t erase_ms;		/* how long it took */
};

struct stm32h743_record {
	struct target *target;
	/* indexed by physical bank (0/1): what the driver did survives a swap */
	struct stm32h743_sector_record sector[2][STM32H743_SECTORS_PER_BANK];
	uint32_t *word_hash[2];		/* per flash word: hash of the data programmed, 0 = none */
	bool programmed;		/* anything programmed in this session */
	bool swapped_at_program;	/* FLASH_OPTCR.SWAP_BANK during the last program */
	int64_t programmed_ms;
	uint32_t program_words;		/* flash words of the last write */
	uint32_t instant_words;		/* of these, done at the first status read */
	bool rsr_known;
	uint32_t rsr_at_program;	/* RCC_RSR when the last write started */
	unsigned int resumes;		/* user resumes since the last write */
	unsigned int halts;		/* halts after running or a reset, since the last write */
	bool link_down;			/* a register access failed; quiet until one succeeds */
	uint32_t last_error_sr;		/* FLASH_SR of the last error reported (flags cleared since) */
	bool key_locked;		/* the last unlock found FLASH_CR locked after the keys */
	struct stm32h743_record *next;
};

struct stm32h743_record *stm32h743_record_of(struct target *target);
int stm32h743_physical_bank(struct flash_bank *bank, unsigned int *physical);
void stm32h743_record_erase(struct flash_bank *bank, unsigned int first, unsigned int last,
		bool instant, uint32_t elapsed_ms);
void stm32h743_record_program_start(struct flash_bank *bank);
void stm32h743_record_reset_flags(struct flash_bank *bank);
void stm32h743_record_program(struct flash_bank *bank, uint32_t addr, const uint8_t *data,
		uint32_t words, uint32_t instant_words);
uint32_t stm32h743_word_hash(const uint8_t *word);
/* 0 when the driver did not program this flash word (logical address) in this session */
uint32_t stm32h743_recorded_hash(struct flash_bank *bank, struct stm32h743_record *rec,
		unsigned int physical, target_addr_t word_addr);

/* ---- evidence (stm32h743_evidence.c) ------------------------------------ */

enum stm32h743_evidence_reg {
	EV_FLASH_SR1, EV_FLASH_SR2, EV_FLASH_ECC_FA1, EV_FLASH_ECC_FA2, EV_FLASH_ACR,
	EV_FLASH_OPTCR, EV_FLASH_OPTSR_CUR, EV_FLASH_OPTSR_PRG,
	EV_FLASH_WPSN_CUR1, EV_FLASH_WPSN_CUR2, EV_FLASH_PRAR_CUR1, EV_FLASH_PRAR_CUR2,
	EV_FLASH_SCAR_CUR1, EV_FLASH_SCAR_CUR2,
	EV_PWR_CSR1, EV_PWR_CR3, EV_PWR_CPUCR, EV_PWR_D3CR,
	EV_RCC_CR, EV_RCC_CFGR, EV_RCC_D1CFGR, EV_RCC_PLLCKSELR, EV_RCC_PLL1DIVR, EV_RCC_RSR,
	EV_DBGMCU_CR, EV_DBGMCU_APB4FZ1, EV_SCB_CCR, EV_DHCSR,
	EV_COUNT,
};

struct stm32h743_evidence {
	uint32_t reg[EV_COUNT];
	bool have[EV_COUNT];
	unsigned int failed_reads;	/* registers that could not be read */
	bool ap0_ok;			/* the core's bus answers (DBGMCU_IDCODE via AP0) */
	bool ap2_ok;			/* the debug APB answers (DBGMCU_IDCODE via AP2) */
	/* the clock and the wait states it needs (RM0433 table 17) */
	uint32_t aclk_hz;		/* AXI clock, 0 = unknown */
	bool aclk_uses_hse;		/* computed with an assumed HSE frequency */
	unsigned int vos;		/* voltage scale 1..3, 0 = unknown */
	int latency_needed;		/* -1 = unknown */
};

const char *stm32h743_evidence_name(enum stm32h743_evidence_reg r);
void stm32h743_gather_evidence(struct flash_bank *bank, struct stm32h743_evidence *ev);
bool stm32h743_link_alive(struct flash_bank *bank, bool *ap2_ok);
/* Read one flash word; false when the read failed. */
bool stm32h743_read_word(struct target *target, target_addr_t addr, uint8_t *word);
unsigned int stm32h743_watchdog_runs_halted(struct target *target);
/* 4-byte words at addr read looking up the core's D-cache and bypassing it. */
int stm32h743_read_both_views(struct target *target, target_addr_t addr, uint32_t words,
		uint8_t *through_cache, uint8_t *in_memory);

/* ---- the diagnosis (stm32h743_diag.c) ----------------------------------- */

/* What failed, as the failing operation saw it. */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): never in arrays; grouped by meaning */
struct stm32h743_failure {
	const char *operation;		/* "verify", "write", "erase", "read", "diagnose" */
	struct flash_bank *bank;
	target_addr_t addr;		/* range the operation covered */
	uint32_t len;
	const uint8_t *expected;	/* bytes expected in [addr, addr + len), or NULL */
	const char *file;		/* where expected came from, for the verdict */
	bool mismatch;			/* a compare found a difference at first_bad */
	target_addr_t first_bad;
	uint8_t first_read, first_expected;
	uint32_t compared;		/* bytes compared */
	uint32_t diff_words;		/* differing flash words found (a lower bound */
	bool diff_words_exact;		/* unless exact: read-back is capped) */
	uint32_t diff_sectors;		/* sectors whose CRC differs */
	target_addr_t sample_addrs[4];	/* more differing words, spread out */
	unsigned int nsample_addrs;
	bool read_failed;		/* a flash read failed at read_addr */
	target_addr_t read_addr;
	bool not_erased;		/* the write refused a word that is not erased */
	target_addr_t not_erased_addr;
	uint32_t flash_sr;		/* FLASH_SR the operation saw at the failure, 0 = none */
	bool timed_out;			/* the bank stayed busy past the datasheet maximum */
	bool loader_stopped;		/* the loader stopped without reporting an error */
	bool reset_seen;		/* FLASH_CR locked again during the operation: a reset */
	bool instant;			/* the controller reported done at the first status read */
	char instant_what[64];		/* which operation, e.g. "bank 1 sector 1 erase" */
	int retval;
};

#define STM32H743_EVIDENCE_LEN	1536

struct stm32h743_candidate {
	enum stm32h743_cause cause;
	int score;			/* 0..100: how well the evidence supports it */
	char evidence[STM32H743_EVIDENCE_LEN];	/* for and against, "; " separated */
	char headline[600];		/* the strongest evidence for it, for the verdict */
	int headline_score;
	bool headline_new;		/* the last evidence given became the headline */
	char detail[32];		/* finer identifier of the headline, or "" */
};

struct stm32h743_diagnosis {
	bool valid;
	const char *operation;
	enum stm32h743_cause cause;
	char verdict[768];
	char next_step[384];
	char detail[32];		/* a finer identifier of the cause, or "" */
	bool has_address;
	target_addr_t address;
	struct stm32h743_candidate cand[CAUSE_COUNT];
	unsigned int order[CAUSE_COUNT];	/* candidates, best first */
	unsigned int ncand;
	struct stm32h743_evidence ev;
	char facts[1024];		/* counts and addresses, "; " separated */
};

const char *stm32h743_cause_name(enum stm32h743_cause cause);
/* Test every cause against the evidence; log the result; keep it as the last failure. */
int stm32h743_diagnose_failure(const struct stm32h743_failure *f);
/* The same without the report; stm32h743_diagcmds.c reports it its own way. */
void stm32h743_diagnose(const struct stm32h743_failure *f);
void stm32h743_log_diagnosis(const struct stm32h743_diagnosis *d, bool as_error);
struct stm32h743_diagnosis *stm32h743_last_diagnosis(void);
/* `stm32h743 diagnose` without a file: the bank's state (mapping, RDP, areas) as facts */
void stm32h743_state_facts(struct flash_bank *bank, struct stm32h743_diagnosis *d);
/* A look that found nothing wrong, as a diagnosis with cause none. */
void stm32h743_set_no_failure(struct flash_bank *bank, const char *operation,
		const char *verdict);
void stm32h743_clear_last_failure(void);
/* A flash command starts (a bank is looked up): an older verdict is not its reason. */
void stm32h743_forget_failure_reason(void);
/* The verdict of the last failure, NULL when the last operation passed. */
const char *stm32h743_last_verdict(void);
/* Log why an operation is refused, and keep it as the command's error message. */
__attribute__((format(printf, 1, 2)))
void stm32h743_refused(const char *fmt, ...);
/* struct flash_driver failure_reason (patches/0002): "<operation> failed: <verdict>" */
const char *stm32h743_failure_reason(struct flash_bank *bank);

/* stm32h743_verify.c: why image_open refused a file, in words */
const char *stm32h743_why_not_an_image(const char *file);
/* stm32h743_verify.c: compare flash with expected bytes, locating differences */
int stm32h743_compare(struct flash_bank *bank, const uint8_t *expected, uint32_t offset,
		uint32_t count, struct stm32h743_failure *f);

extern const struct command_registration stm32h743_diag_command_handlers[];

#endif /* OPENOCD_FLASH_NOR_STM32H743_DIAG_H */
