/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IEEE 1149.1 TAP controllers on one chain. The STM32H743 chain is
 * TDI -> boundary-scan TAP (IR 5) -> Cortex-M7 JTAG-DP TAP (IR 4) -> TDO.
 */
#ifndef H743SIM_TAP_H
#define H743SIM_TAP_H

#include <stdbool.h>
#include <stdint.h>

enum tap_state {
	TAP_RESET, TAP_IDLE,
	TAP_DRSELECT, TAP_DRCAPTURE, TAP_DRSHIFT, TAP_DREXIT1, TAP_DRPAUSE, TAP_DREXIT2,
	TAP_DRUPDATE,
	TAP_IRSELECT, TAP_IRCAPTURE, TAP_IRSHIFT, TAP_IREXIT1, TAP_IRPAUSE, TAP_IREXIT2,
	TAP_IRUPDATE,
};

struct tap;

/* What a TAP does with its instructions; idcode and bypass are generic. */
struct tap_ops {
	/* Length and capture value of the data register selected by ir (0 = BYPASS/IDCODE). */
	unsigned int (*dr_length)(struct tap *tap, unsigned int ir);
	uint64_t (*dr_capture)(struct tap *tap, unsigned int ir);
	void (*dr_update)(struct tap *tap, unsigned int ir, uint64_t value);
};

struct tap {
	const char *name;
	unsigned int ir_length;
	unsigned int ir_capture;
	unsigned int idcode_ir;
	uint32_t idcode;
	unsigned int ir;
	uint32_t ir_shift;
	uint64_t dr_shift;
	unsigned int dr_len;
	const struct tap_ops *ops;	/* may be NULL: IDCODE and BYPASS only */
	void *ctx;
};

#define TAP_CHAIN_MAX 2

struct tap_chain {
	enum tap_state state;
	struct tap *taps[TAP_CHAIN_MAX];	/* [0] is nearest TDO */
	unsigned int ntaps;
	bool trst;
	bool disabled;		/* debug off for good (RDP level 2): TCK ignored, TDO reads 1 */
};

void tap_chain_init(struct tap_chain *chain);
void tap_chain_add(struct tap_chain *chain, struct tap *tap);	/* in order from TDO */
/* One rising TCK edge with the given TMS and TDI. */
void tap_chain_clock(struct tap_chain *chain, bool tms, bool tdi);
bool tap_chain_tdo(const struct tap_chain *chain);
void tap_chain_set_trst(struct tap_chain *chain, bool asserted);
const char *tap_state_name(enum tap_state s);

#endif
