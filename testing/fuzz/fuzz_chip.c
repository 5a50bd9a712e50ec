// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz_chip.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NREVS 2

static struct stm32h743 *chips[8][NREVS];

/*
 * The simulator's messages (log.c) are formatted as in h743sim, their
 * arguments read under the sanitizers, and go to /dev/null (fully buffered:
 * a write a few KiB), or to stderr when H743_FUZZ_VERBOSE is set (to watch
 * what a reproduced input does). Before main(): some targets log before
 * they make a chip.
 */
__attribute__((constructor)) static void quiet_log(void)
{
	static char buf[65536];
	FILE *f;

	if (getenv("H743_FUZZ_VERBOSE"))
		return;
	f = fopen("/dev/null", "w");
	if (!f)
		abort();
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	log_set_stream(f);
}

unsigned int fuzz_chip_nvariants(void)
{
	unsigned int n = 0;

	while (flash_variants[n].name)
		n++;
	return n;
}

/*
 * bits 0-2: variant (modulo the number of variants); bit 3: silicon rev Y
 * instead of V; bits 4-6: one of the --fault injections that need no
 * restart (power loss needs h743sim to exec itself: not here); bit 7: trace.
 */
void fuzz_chip_config(uint8_t byte, struct fuzz_chip_choice *c)
{
	struct flash_faults *f = &c->faults;

	memset(c, 0, sizeof(*c));
	c->variant = (byte & 7) % fuzz_chip_nvariants();
	c->rev_id = (byte & 8) ? REV_ID_Y : REV_ID_V;
	c->trace = byte & 0x80;
	flash_faults_default(f);	/* as h743sim without --fault */
	switch ((byte >> 4) & 7) {
	case 1:
		f->weak_supply = 0.5;
		break;
	case 2:
		f->stuck_bank = byte & 1;
		break;
	case 3:
		f->slow_bank = 0;
		f->slow_sector = 0;
		break;
	case 4:
		f->vos_unready = true;
		f->vos_unready_words = 0.25;
		break;
	case 5:
		f->reads_zero = 3;
		break;
	case 6:
		f->instant_done = 3;
		break;
	default:
		break;
	}
}

static struct stm32h743 *create(const struct fuzz_chip_choice *c)
{
	struct stm32h743 *chip = calloc(1, sizeof(*chip));
	struct chip_config cfg;

	chip_config_default(&cfg);	/* as h743sim: the clocks */
	cfg.rev_id = c->rev_id;
	cfg.variant = &flash_variants[c->variant];
	if (!chip || chip_init(chip, &cfg) != 0) {
		free(chip);
		return NULL;
	}
	return chip;
}

/* Back to a fresh chip: erased flash, factory option bytes, cleared RAM. */
static void forget_state(struct stm32h743 *chip)
{
	struct flash *f = &chip->flash;
	const struct chip_memories *m = &chip->mem;
	const struct { uint8_t *mem; uint32_t base, size; } ram[] = {
		{ m->itcm, 0x00000000, 64 * 1024 }, { m->dtcm, 0x20000000, 128 * 1024 },
		{ m->axi, 0x24000000, 512 * 1024 }, { m->sram1, 0x30000000, 128 * 1024 },
		{ m->sram2, 0x30020000, 128 * 1024 }, { m->sram3, 0x30040000, 32 * 1024 },
		{ m->sram4, 0x38000000, 64 * 1024 }, { m->bkpsram, 0x38800000, 4 * 1024 },
	};

	if (f->dirty) {
		memset(f->array, 0xFF, FLASH_ARRAY_SIZE);
		memset(f->words, WORD_ERASED, sizeof(f->words));
		f->swapped = 0;
		flash_factory_options(&f->nv);
		f->dirty = false;
		cm7_code_changed(&chip->core, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE);
	}
	f->garble_rng = 0xD1B54A32D192ED03ull;
	f->garble_last = 0;
	/*
	 * Only the debugger writes RAM (or code it put there): the erased flash
	 * holds no code. fuzz_memory.c counts its accesses here too.
	 */
	if (!chip->dp.ap_transactions)
		return;
	for (size_t i = 0; i < sizeof(ram) / sizeof(ram[0]); i++) {
		memset(ram[i].mem, 0, ram[i].size);
		cm7_code_changed(&chip->core, ram[i].base, ram[i].size);
	}
	chip->dp.ap_transactions = 0;
}

struct stm32h743 *fuzz_chip_get(const struct fuzz_chip_choice *c)
{
	struct stm32h743 **slot = &chips[c->variant][c->rev_id == REV_ID_Y];
	struct stm32h743 *chip = *slot;

	if (!chip)
		chip = *slot = create(c);
	if (!chip)
		return NULL;
	sim_trace_enabled = c->trace;
	if (chip->srst)
		chip_set_srst(chip, false);
	forget_state(chip);
	chip->flash.faults = c->faults;
	chip->wire_debt_ps = 0;
	tap_chain_set_trst(&chip->chain, true);
	tap_chain_set_trst(&chip->chain, false);
	chip_power_on(chip);
	chip_client_connect(chip);	/* as main.c when a debugger connects */
	log_set_clock(&chip->clock);	/* messages stamped with this chip's time */
	return chip;
}

struct stm32h743 *fuzz_chip_for_input(const uint8_t **data, size_t *size)
{
	struct fuzz_chip_choice choice;
	struct stm32h743 *chip;

	if (*size < 1)
		return NULL;
	fuzz_chip_config((*data)[0], &choice);
	chip = fuzz_chip_get(&choice);
	if (!chip)
		abort();
	(*data)++;
	(*size)--;
	return chip;
}
