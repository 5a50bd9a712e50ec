// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IEEE 1149.1 TAP chain: the state graph, Test-Logic-Reset, IR capture, the
 * IDCODE and BYPASS data registers and a TAP-specific data register, on the
 * STM32H743 chain TDI -> boundary scan (IR 5) -> JTAG-DP (IR 4) -> TDO
 * (OpenOCD's tcl/target/stm32h7x.cfg).
 */
#include "unit_helpers.h"

#include "tap.h"

#define DAP_IDCODE	0x6BA00477u
#define BS_IDCODE	0x06450041u
#define IR_DPACC	0xA

/* A TAP-specific 35-bit register behind IR 0xA, recording its updates. */
struct dpacc_model {
	uint64_t capture;
	uint64_t updated;
	unsigned int updates;
	unsigned int update_ir;
};

static unsigned int model_length(struct tap *tap, unsigned int ir)
{
	(void)tap;
	return ir == IR_DPACC ? 35 : 0;
}

static uint64_t model_capture(struct tap *tap, unsigned int ir)
{
	(void)ir;
	return ((struct dpacc_model *)tap->ctx)->capture;
}

static void model_update(struct tap *tap, unsigned int ir, uint64_t value)
{
	struct dpacc_model *m = tap->ctx;

	m->updated = value;
	m->update_ir = ir;
	m->updates++;
}

static const struct tap_ops model_ops = {
	.dr_length = model_length,
	.dr_capture = model_capture,
	.dr_update = model_update,
};

struct chip_chain {
	struct tap_chain chain;
	struct tap dap, bs;
	struct dpacc_model model;
};

static int setup(void **state)
{
	struct chip_chain *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->dap = (struct tap){
		.name = "cpu", .ir_length = 4, .ir_capture = 0x1, .idcode_ir = 0xE,
		.idcode = DAP_IDCODE, .ops = &model_ops, .ctx = &c->model,
	};
	c->bs = (struct tap){
		.name = "bs", .ir_length = 5, .ir_capture = 0x1, .idcode_ir = 0x1,
		.idcode = BS_IDCODE,
	};
	tap_chain_init(&c->chain);
	tap_chain_add(&c->chain, &c->dap);
	tap_chain_add(&c->chain, &c->bs);
	*state = c;
	return 0;
}

static void clk(struct tap_chain *ch, bool tms, bool tdi)
{
	tap_chain_clock(ch, tms, tdi);
}

static void to_reset(struct tap_chain *ch)
{
	for (int i = 0; i < 5; i++)
		clk(ch, 1, 0);
}

/*
 * Shift n bits LSB first from Shift-xR, sampling TDO before each rising
 * edge as the remote_bitbang driver does; the last bit leaves with TMS = 1,
 * then Update-xR and Run-Test/Idle.
 */
static void shift(struct tap_chain *ch, const uint8_t *in, uint8_t *out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		out[i] = tap_chain_tdo(ch);
		clk(ch, i == n - 1, in[i]);
	}
	assert_true(ch->state == TAP_DREXIT1 || ch->state == TAP_IREXIT1);
	clk(ch, 1, 0);		/* Update */
	clk(ch, 0, 0);		/* Run-Test/Idle */
	assert_int_equal(ch->state, TAP_IDLE);
}

static void ir_scan(struct tap_chain *ch, const uint8_t *in, uint8_t *out, unsigned int n)
{
	assert_int_equal(ch->state, TAP_IDLE);
	clk(ch, 1, 0);		/* Select-DR */
	clk(ch, 1, 0);		/* Select-IR */
	clk(ch, 0, 0);		/* Capture-IR */
	clk(ch, 0, 0);		/* capture happens, now Shift-IR */
	assert_int_equal(ch->state, TAP_IRSHIFT);
	shift(ch, in, out, n);
}

static void dr_scan(struct tap_chain *ch, const uint8_t *in, uint8_t *out, unsigned int n)
{
	assert_int_equal(ch->state, TAP_IDLE);
	clk(ch, 1, 0);		/* Select-DR */
	clk(ch, 0, 0);		/* Capture-DR */
	clk(ch, 0, 0);		/* capture happens, now Shift-DR */
	assert_int_equal(ch->state, TAP_DRSHIFT);
	shift(ch, in, out, n);
}

static uint64_t bits_value(const uint8_t *bits, unsigned int first, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)(bits[first + i] & 1) << i;
	return v;
}

static void value_bits(uint8_t *bits, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		bits[i] = v >> i & 1;
}

/*
 * Expected IEEE 1149.1 graph, { TMS = 0, TMS = 1 }. Written out again from
 * the standard on purpose, not taken from tap.c's next_state[]: it is what
 * test_state_graph holds that table to.
 */
static const enum tap_state graph[16][2] = {
	[TAP_RESET]	= { TAP_IDLE, TAP_RESET },
	[TAP_IDLE]	= { TAP_IDLE, TAP_DRSELECT },
	[TAP_DRSELECT]	= { TAP_DRCAPTURE, TAP_IRSELECT },
	[TAP_DRCAPTURE]	= { TAP_DRSHIFT, TAP_DREXIT1 },
	[TAP_DRSHIFT]	= { TAP_DRSHIFT, TAP_DREXIT1 },
	[TAP_DREXIT1]	= { TAP_DRPAUSE, TAP_DRUPDATE },
	[TAP_DRPAUSE]	= { TAP_DRPAUSE, TAP_DREXIT2 },
	[TAP_DREXIT2]	= { TAP_DRSHIFT, TAP_DRUPDATE },
	[TAP_DRUPDATE]	= { TAP_IDLE, TAP_DRSELECT },
	[TAP_IRSELECT]	= { TAP_IRCAPTURE, TAP_RESET },
	[TAP_IRCAPTURE]	= { TAP_IRSHIFT, TAP_IREXIT1 },
	[TAP_IRSHIFT]	= { TAP_IRSHIFT, TAP_IREXIT1 },
	[TAP_IREXIT1]	= { TAP_IRPAUSE, TAP_IRUPDATE },
	[TAP_IRPAUSE]	= { TAP_IRPAUSE, TAP_IREXIT2 },
	[TAP_IREXIT2]	= { TAP_IRSHIFT, TAP_IRUPDATE },
	[TAP_IRUPDATE]	= { TAP_IDLE, TAP_DRSELECT },
};

static void test_starts_in_reset(void **state)
{
	struct chip_chain *c = *state;

	assert_int_equal(c->chain.state, TAP_RESET);
	assert_int_equal(c->dap.ir, 0xE);
	assert_int_equal(c->bs.ir, 0x1);
	assert_string_equal(tap_state_name(TAP_RESET), "RESET");
	assert_string_equal(tap_state_name(TAP_IRUPDATE), "IRUPDATE");
}

static void test_state_graph(void **state)
{
	struct chip_chain *c = *state;

	for (int s = 0; s < 16; s++) {
		for (int tms = 0; tms < 2; tms++) {
			c->chain.state = (enum tap_state)s;
			clk(&c->chain, tms, 0);
			if (c->chain.state != graph[s][tms])
				fail_msg("%s --TMS=%d--> %s, expected %s", tap_state_name(s), tms,
					tap_state_name(c->chain.state),
					tap_state_name(graph[s][tms]));
		}
	}
}

static void test_five_tms_ones_reach_reset_from_anywhere(void **state)
{
	struct chip_chain *c = *state;

	for (int s = 0; s < 16; s++) {
		c->chain.state = (enum tap_state)s;
		to_reset(&c->chain);
		assert_int_equal(c->chain.state, TAP_RESET);
	}
}

static void test_ir_capture_and_bypass(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[11], out[11];

	memset(in, 1, sizeof(in));
	clk(&c->chain, 0, 0);
	ir_scan(&c->chain, in, out, 11);
	/* what jtag_validate_ircapture checks */
	assert_int_equal(bits_value(out, 0, 4), 0x1);
	assert_int_equal(bits_value(out, 4, 5) & 3, 0x1);
	assert_int_equal(bits_value(out, 4, 5), 0x01);
	assert_int_equal(bits_value(out, 9, 2), 0x3);
	/* all ones loaded: BYPASS in both */
	assert_int_equal(c->dap.ir, 0xF);
	assert_int_equal(c->bs.ir, 0x1F);
}

static void test_every_ir_scan_captures_0x1(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[9], out[9];

	clk(&c->chain, 0, 0);
	for (unsigned int ir = 0; ir < 16; ir++) {
		value_bits(in, ir | 0x1F << 4, 9);	/* DAP gets ir, BS gets BYPASS */
		ir_scan(&c->chain, in, out, 9);
		assert_int_equal(bits_value(out, 0, 4), 0x1);
		assert_int_equal(c->dap.ir, ir);
		assert_int_equal(c->bs.ir, 0x1F);
	}
}

static void test_idcodes_after_reset(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[96], out[96];

	memset(in, 1, sizeof(in));
	clk(&c->chain, 0, 0);
	dr_scan(&c->chain, in, out, 96);
	assert_int_equal(bits_value(out, 0, 32), DAP_IDCODE);
	assert_int_equal(bits_value(out, 32, 32), BS_IDCODE);
	assert_int_equal(bits_value(out, 64, 32), 0xFFFFFFFF);
}

static void test_bypass_is_one_bit_capturing_zero(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[16], out[16];

	memset(in, 1, sizeof(in));
	clk(&c->chain, 0, 0);
	ir_scan(&c->chain, in, out, 9);
	value_bits(in, 0xB5A3, 16);
	dr_scan(&c->chain, in, out, 16);
	/* two BYPASS stages: two captured zeros, then the input delayed by two */
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(bits_value(out, 2, 14), 0xB5A3 & 0x3FFF);
}

static void test_reset_reselects_idcode(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[64], out[64];

	memset(in, 1, sizeof(in));
	clk(&c->chain, 0, 0);
	ir_scan(&c->chain, in, out, 9);
	assert_int_equal(c->dap.ir, 0xF);
	to_reset(&c->chain);
	assert_int_equal(c->dap.ir, 0xE);
	assert_int_equal(c->bs.ir, 0x1);
	clk(&c->chain, 0, 0);
	dr_scan(&c->chain, in, out, 64);
	assert_int_equal(bits_value(out, 0, 32), DAP_IDCODE);
	assert_int_equal(bits_value(out, 32, 32), BS_IDCODE);
}

static void test_trst_holds_reset(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[9], out[9];

	memset(in, 1, sizeof(in));
	clk(&c->chain, 0, 0);
	ir_scan(&c->chain, in, out, 9);
	clk(&c->chain, 1, 0);
	assert_int_equal(c->chain.state, TAP_DRSELECT);
	tap_chain_set_trst(&c->chain, true);
	assert_int_equal(c->chain.state, TAP_RESET);
	assert_int_equal(c->dap.ir, 0xE);
	assert_int_equal(c->bs.ir, 0x1);
	clk(&c->chain, 0, 0);		/* ignored while TRST is asserted */
	assert_int_equal(c->chain.state, TAP_RESET);
	tap_chain_set_trst(&c->chain, false);
	assert_int_equal(c->chain.state, TAP_RESET);
	clk(&c->chain, 0, 0);
	assert_int_equal(c->chain.state, TAP_IDLE);
}

static void test_tap_register_capture_and_update(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[36], out[36];
	const uint64_t capture = 0x5A5A5A5Aull << 3 | 0x2;	/* data above ACK */
	const uint64_t request = 0x4C0FFEE15ull & ((1ull << 35) - 1);

	c->model.capture = capture;
	clk(&c->chain, 0, 0);
	value_bits(in, IR_DPACC | 0x1F << 4, 9);
	ir_scan(&c->chain, in, out, 9);
	assert_int_equal(c->model.updates, 0);	/* an IR scan updates no DR */
	value_bits(in, request | 1ull << 35, 36);
	dr_scan(&c->chain, in, out, 36);
	assert_true(bits_value(out, 0, 35) == capture);
	assert_int_equal(out[35], 0);		/* the BS TAP's BYPASS bit */
	assert_int_equal(c->model.updates, 1);
	assert_int_equal(c->model.update_ir, IR_DPACC);
	assert_true(c->model.updated == request);
}

static void test_pause_keeps_shift_register(void **state)
{
	struct chip_chain *c = *state;
	uint8_t in[36], out[36];
	const uint64_t request = 0x123456789ull & ((1ull << 35) - 1);

	c->model.capture = 0x7FFFFFFFFull;
	clk(&c->chain, 0, 0);
	value_bits(in, IR_DPACC | 0x1F << 4, 9);
	ir_scan(&c->chain, in, out, 9);
	value_bits(in, request, 36);
	clk(&c->chain, 1, 0);
	clk(&c->chain, 0, 0);
	clk(&c->chain, 0, 0);		/* captured, Shift-DR */
	for (int i = 0; i < 20; i++)
		clk(&c->chain, i == 19, in[i]);
	assert_int_equal(c->chain.state, TAP_DREXIT1);
	clk(&c->chain, 0, 0);		/* Pause-DR */
	clk(&c->chain, 0, 0);
	clk(&c->chain, 1, 0);		/* Exit2-DR */
	clk(&c->chain, 0, 0);		/* back to Shift-DR, no new capture */
	assert_int_equal(c->chain.state, TAP_DRSHIFT);
	assert_int_equal(c->model.updates, 0);
	for (int i = 20; i < 36; i++)
		clk(&c->chain, i == 35, in[i]);
	clk(&c->chain, 1, 0);		/* Update-DR */
	assert_int_equal(c->model.updates, 1);
	assert_true(c->model.updated == request);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_starts_in_reset),
		T(test_state_graph),
		T(test_five_tms_ones_reach_reset_from_anywhere),
		T(test_ir_capture_and_bypass),
		T(test_every_ir_scan_captures_0x1),
		T(test_idcodes_after_reset),
		T(test_bypass_is_one_bit_capturing_zero),
		T(test_reset_reselects_idcode),
		T(test_trst_holds_reset),
		T(test_tap_register_capture_and_update),
		T(test_pause_keeps_shift_register),
	};
#undef T

	return cmocka_run_group_tests_name("tap", tests, NULL, NULL);
}
