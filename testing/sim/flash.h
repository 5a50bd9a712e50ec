/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The STM32H743 embedded flash: two banks of 128 KiB sectors made of 256-bit
 * flash words with ECC, the controller registers of both banks, option bytes,
 * the CRC unit, timing on the virtual clock and fault injection.
 *
 * The array is kept in its logical layout (what the CPU sees at 0x08000000),
 * because Unicorn maps that buffer directly. With SWAP_BANK in effect the
 * logical bank 1 is physical bank 2; the halves are exchanged when the swap
 * changes at reset. Register set 1 (offsets 0x0xx) always controls the bank
 * mapped at 0x08000000 (doc/design.md, The driver).
 */
#ifndef H743SIM_FLASH_H
#define H743SIM_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "flash_regs.h"
#include "keylock.h"
#include "vclock.h"

#define FLASH_ARRAY_BASE	0x08000000u
#define FLASH_ARRAY_SIZE	0x00200000u
#define FLASH_BANK_BYTES	0x00100000u
#define FLASH_SECTOR_BYTES	0x00020000u
#define FLASH_WORD_BYTES	32u
#define FLASH_WORDS_PER_BANK	(FLASH_BANK_BYTES / FLASH_WORD_BYTES)
#define FLASH_QUEUE_DEPTH	8

/* State of one flash word's ECC. */
enum flash_word_state {
	WORD_ERASED,		/* erased since its last program: may be programmed */
	WORD_PROGRAMMED,	/* programmed once, ECC consistent */
	WORD_ECC_SINGLE,	/* reads are corrected: SNECCERR */
	WORD_ECC_DOUBLE,	/* reads fail: DBECCERR and a bus error */
};

struct flash_variant {
	const char *name;
	uint16_t size_kb;		/* FLASH_SIZE register */
	unsigned int banks;
	unsigned int sectors_per_bank;
};

const struct flash_variant *flash_find_variant(const char *name);
extern const struct flash_variant flash_variants[];

/* One complete set of option words. */
struct flash_options {
	uint32_t optsr;
	uint32_t prar[2];
	uint32_t scar[2];
	uint32_t wpsn[2];
	uint32_t boot;
};

enum flash_op_kind {
	OP_PROGRAM,
	OP_ERASE_SECTOR,
	OP_ERASE_BANK,
};

struct flash_op {
	enum flash_op_kind kind;
	uint32_t offset;		/* in the bank: word or sector start */
	uint8_t data[FLASH_WORD_BYTES];
	uint64_t duration_ps;
};

struct flash;

struct flash_bank_ctrl {
	struct flash *flash;
	unsigned int index;		/* 0: registers at 0x0xx, 1: at 0x1xx */
	struct keylock key;
	uint32_t cr;
	uint32_t flags;			/* SR bits 16..28 */
	uint32_t ecc_fa;
	/* write buffer */
	uint8_t buf[FLASH_WORD_BYTES];
	uint32_t buf_mask;
	uint32_t buf_offset;
	bool wbne;
	/* command queue; queue[0] executes while busy */
	struct flash_op queue[FLASH_QUEUE_DEPTH];
	unsigned int nqueued;
	bool busy;
	struct vclock_event op_done;
	/* CRC unit */
	uint32_t crccr, crcsadd, crceadd;
	uint8_t crc_sectors;
	bool crc_busy;
	bool crc_deferred;		/* started during an option change */
	uint32_t crc_result;
	bool crc_read_error;
	struct vclock_event crc_done;
	/* statistics */
	uint64_t busy_ps, words_programmed, sectors_erased, bank_erases, crc_runs;
};

struct flash_faults {
	double weak_supply;		/* fraction of programmed words that go bad */
	bool vos_unready;		/* the core supply never reaches its VOS level */
	double vos_unready_words;	/* ... and this fraction of programmed words get bit flips */
	uint8_t reads_zero;		/* bit per logical bank: array reads return 0 */
	uint8_t instant_done;		/* bit per register set: operations end at once, do nothing */
	uint64_t rng;
	uint64_t power_loss_after_ops;	/* 0: off */
	uint64_t power_loss_at_ps;	/* 0: off */
	int slow_bank, slow_sector;	/* -1: off */
	unsigned int slow_factor;
	int stuck_bank;			/* -1: off */
	struct vclock_event power_loss;
};

struct flash_hooks {
	void (*code_changed)(void *ctx, uint32_t addr, uint32_t len);
	bool (*debugger_attached)(void *ctx);
	void (*power_lost)(void *ctx);		/* save state and restart */
	void (*erase_backup_sram)(void *ctx);
	void (*timing_changed)(void *ctx);	/* FLASH_ACR written */
	void (*options_loaded)(void *ctx);	/* an option change took effect */
	/*
	 * Exchange the core's view (D-cache lines) and memory for [addr, addr +
	 * len): called before and after the controller reads or writes the array,
	 * so that it reaches memory and never a cache line. May be NULL.
	 */
	void (*memory_view)(void *ctx, uint32_t addr, uint32_t len);
	void *ctx;
};

struct flash {
	struct vclock *clk;
	const struct flash_variant *variant;
	uint16_t rev_id;
	uint8_t *array;				/* logical layout */
	uint8_t words[2][FLASH_WORDS_PER_BANK];	/* enum flash_word_state, logical banks */
	uint8_t swapped;			/* OPTCR.SWAP_BANK in effect */
	struct flash_options nv;		/* what is programmed in the option bytes */
	struct flash_options cur, prg;
	uint32_t acr;
	unsigned int latency_needed;		/* what the AXI clock needs, from the chip */
	uint64_t garble_rng;			/* reads with too few wait states */
	uint32_t garble_last;
	struct keylock optkey;
	uint32_t optcr_ie;
	bool opt_busy;
	bool opt_waiting;		/* OPTSTART behind queued operations */
	bool optchangeerr;
	bool opt_regression;
	struct vclock_event opt_done;
	uint32_t crcdata;
	struct flash_bank_ctrl bank[2];
	struct flash_faults faults;
	struct flash_hooks hooks;
	uint64_t ops_started;
	uint64_t option_changes;
	uint64_t garbled_reads, zero_reads, hollow_ops, vos_flipped_words;
	unsigned int bad_words;			/* words in an ECC error state */
	bool dirty;				/* non-volatile state changed since saved */
};

void flash_init(struct flash *f, struct vclock *clk, const struct flash_variant *v,
		uint16_t rev_id, uint8_t *array, const struct flash_hooks *hooks);
void flash_factory_options(struct flash_options *o);
/* No fault injected: what flash_init() sets and each --fault changes. */
void flash_faults_default(struct flash_faults *faults);
/* Power-on and system reset: option bytes reloaded, swap applied, locks set. */
void flash_reset(struct flash *f);
/* Arm the faults that strike at a virtual time (counted from this call). */
void flash_start_faults(struct flash *f);
/* Firmware already on the board (len bytes at 0x08000000); -1 if it does not fit. */
int flash_load_image(struct flash *f, const uint8_t *data, uint32_t len);
/* After loading saved word states. */
void flash_recount_bad_words(struct flash *f);

extern const struct bus_region_ops flash_regs_ops;
extern const struct bus_region_ops flash_array_ops;

/* CPU data read of the array; BUS_ERROR for an uncorrectable word. */
int flash_cpu_read_check(struct flash *f, uint32_t addr, unsigned int size);

#define ACR_LATENCY_MASK	0xFu
/* FLASH_ACR.LATENCY is below what the AXI clock needs: every array read is wrong. */
bool flash_latency_short(const struct flash *f);
/* Reads of this logical bank do not return the stored data (CPU reads must go the slow way). */
bool flash_reads_altered(const struct flash *f, unsigned int bank);
/* What the read path senses of [offset, offset + len) (len a multiple of 4). */
void flash_sense(struct flash *f, uint32_t offset, uint8_t *buf, uint32_t len);
void flash_crc_ecc_check(struct flash *f, unsigned int bank, uint32_t in_bank);

/* Offsets are within the logical array. */
bool flash_offset_present(const struct flash *f, uint32_t offset);
unsigned int flash_rdp_level(const struct flash *f);
uint32_t flash_boot_address(const struct flash *f);
unsigned int flash_physical_bank(const struct flash *f, unsigned int logical);

/* internal, shared by flash*.c */
uint64_t flash_program_time(unsigned int psize);
uint64_t flash_sector_erase_time(unsigned int psize);
uint64_t flash_bank_erase_time(unsigned int psize);
uint64_t flash_option_change_time(void);
uint64_t flash_crc_time(uint32_t bytes);
bool flash_area_contains(uint32_t area, uint32_t offset);
bool flash_area_overlaps(uint32_t area, uint32_t first, uint32_t last);
void flash_erase_range(struct flash *f, unsigned int bank, uint32_t first, uint32_t len,
		bool keep_protected);
void flash_program_word(struct flash *f, unsigned int bank, uint32_t offset,
		const uint8_t *data);
void flash_set_word_state(struct flash *f, unsigned int bank, uint32_t index,
		enum flash_word_state s);
void flash_option_start(struct flash *f);
/* A bank's command queue ran empty: an option change waiting for it starts. */
void flash_option_queue_empty(struct flash *f);
/* CRC_EN cleared: the configuration resets and a running CRC is dropped. */
void flash_crc_disable(struct flash_bank_ctrl *b);
/* The option change ended: a CRC started during it runs now. */
void flash_crc_resume(struct flash *f);
void flash_crc_write_ccr(struct flash_bank_ctrl *b, uint32_t value);
uint32_t flash_crc_compute(uint32_t crc, const uint8_t *data, uint32_t len);
void flash_swap_halves(struct flash *f);

#endif
