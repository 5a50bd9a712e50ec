// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The remote_bitbang server side (OpenOCD's
 * src/jtag/drivers/remote_bitbang.c): pin characters clock the TAP on rising
 * TCK only, 'R' answers exactly one digit, the reset characters drive
 * TRST/SRST, 'B'/'b' and unknown bytes are ignored, 'Q' ends the connection.
 * Ends with an IDCODE scan of the STM32H743 chain driven byte for byte the
 * way OpenOCD's bitbang driver does it.
 */
#include "unit_helpers.h"

#include "rbb.h"
#include "tap.h"

struct rig {
	struct tap_chain chain;
	struct tap dap, bs;
	struct rbb rbb;
	unsigned int edges;
	unsigned int resets;
	bool trst, srst;
	/* encoder state, as bitbang.c keeps it */
	char out[4096];
	size_t n;
};

static void on_edge(void *ctx)
{
	((struct rig *)ctx)->edges++;
}

static void on_reset(void *ctx, bool trst, bool srst)
{
	struct rig *r = ctx;

	r->resets++;
	r->trst = trst;
	r->srst = srst;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct rbb_hooks hooks = { .tck_edge = on_edge, .reset_lines = on_reset, .ctx = r };

	assert_non_null(r);
	r->dap = (struct tap){
		.name = "cpu", .ir_length = 4, .ir_capture = 0x1, .idcode_ir = 0xE,
		.idcode = 0x6BA00477,
	};
	r->bs = (struct tap){
		.name = "bs", .ir_length = 5, .ir_capture = 0x1, .idcode_ir = 0x1,
		.idcode = 0x06450041,
	};
	tap_chain_init(&r->chain);
	tap_chain_add(&r->chain, &r->dap);
	tap_chain_add(&r->chain, &r->bs);
	rbb_init(&r->rbb, &r->chain, &hooks);
	*state = r;
	return 0;
}

static size_t feed(struct rig *r, const char *s, char *reply)
{
	size_t len = strlen(s);
	uint8_t buf[512];

	assert_true(len <= sizeof(buf));
	size_t n = rbb_process(&r->rbb, (const uint8_t *)s, len, buf);

	memcpy(reply, buf, n);
	reply[n] = 0;
	return n;
}

/* bitbang.c: write(TCK=0), optional 'R', write(TCK=1). */
static void put_bit(struct rig *r, bool tms, bool tdi, bool sample)
{
	r->out[r->n++] = '0' + (tms << 1 | tdi);
	if (sample)
		r->out[r->n++] = 'R';
	r->out[r->n++] = '0' + (4 | tms << 1 | tdi);
}

static void test_rising_edges_only(void **state)
{
	struct rig *r = *state;
	char reply[64];

	assert_int_equal(feed(r, "0", reply), 0);
	assert_int_equal(r->edges, 0);
	feed(r, "4", reply);		/* rising: one clock, TMS = 0: Run-Test/Idle */
	assert_int_equal(r->edges, 1);
	assert_int_equal(r->chain.state, TAP_IDLE);
	feed(r, "6", reply);		/* TCK stays high: no clock */
	feed(r, "7", reply);
	assert_int_equal(r->edges, 1);
	assert_int_equal(r->chain.state, TAP_IDLE);
	feed(r, "2", reply);		/* falling */
	feed(r, "6", reply);		/* rising with TMS = 1 */
	assert_int_equal(r->edges, 2);
	assert_int_equal(r->chain.state, TAP_DRSELECT);
	assert_true(r->rbb.bytes_in == 6);
}

static void test_sample_answers_one_digit(void **state)
{
	struct rig *r = *state;
	char reply[64];

	/* Run-Test/Idle -> Shift-DR; IDCODE 0x6BA00477 has bit 0 = 1, bit 3 = 0 */
	feed(r, "0406020402040", reply);
	assert_int_equal(r->chain.state, TAP_DRSHIFT);
	assert_int_equal(feed(r, "R", reply), 1);
	assert_string_equal(reply, "1");
	assert_int_equal(feed(r, "04R04R04R", reply), 3);
	assert_string_equal(reply, "110");
	assert_true(r->rbb.bytes_out == 4);
}

static void test_reset_characters(void **state)
{
	struct rig *r = *state;
	char reply[8];
	static const struct {
		char c;
		bool trst, srst;
	} lines[] = {
		{ 'u', true, true }, { 's', false, true },
		{ 't', true, false }, { 'r', false, false },
	};

	for (unsigned int i = 0; i < ARRAY_LEN(lines); i++) {
		char s[2] = { lines[i].c, 0 };

		assert_int_equal(feed(r, s, reply), 0);
		assert_int_equal(r->resets, i + 1);
		assert_int_equal(r->trst, lines[i].trst);
		assert_int_equal(r->srst, lines[i].srst);
	}
}

static void test_blink_and_unknown_bytes_ignored(void **state)
{
	struct rig *r = *state;
	char reply[8];

	assert_int_equal(feed(r, "BbXd\n", reply), 0);
	assert_int_equal(r->edges, 0);
	assert_int_equal(r->resets, 0);
	assert_true(r->rbb.unknown_bytes == 3);
	assert_false(r->rbb.quit);
}

static void test_quit_stops_processing(void **state)
{
	struct rig *r = *state;
	char reply[8];

	assert_int_equal(feed(r, "RQR4", reply), 1);
	assert_true(r->rbb.quit);
	assert_int_equal(r->edges, 0);
	/* a new connection starts with idle pins and no quit flag */
	rbb_connect(&r->rbb);
	assert_false(r->rbb.quit);
	assert_int_equal(feed(r, "4R", reply), 1);
	assert_int_equal(r->edges, 1);
}

static void test_idcode_scan_through_the_wire(void **state)
{
	struct rig *r = *state;
	uint8_t in[4096], out[256];
	size_t nout;
	uint64_t first = 0, second = 0;

	r->n = 0;
	for (int i = 0; i < 7; i++)
		put_bit(r, 1, 0, false);	/* TLR */
	put_bit(r, 0, 0, false);		/* Run-Test/Idle */
	put_bit(r, 1, 0, false);		/* Select-DR */
	put_bit(r, 0, 0, false);		/* Capture-DR */
	put_bit(r, 0, 0, false);		/* Shift-DR */
	for (int i = 0; i < 96; i++)
		put_bit(r, i == 95, 1, true);
	put_bit(r, 1, 0, false);		/* Update-DR */
	put_bit(r, 0, 0, false);		/* Run-Test/Idle */
	r->out[r->n++] = '0';
	memcpy(in, r->out, r->n);
	nout = rbb_process(&r->rbb, in, r->n, out);
	assert_int_equal(nout, 96);
	for (int i = 0; i < 32; i++) {
		assert_true(out[i] == '0' || out[i] == '1');
		first |= (uint64_t)(out[i] - '0') << i;
		second |= (uint64_t)(out[32 + i] - '0') << i;
	}
	assert_int_equal(first, 0x6BA00477);
	assert_int_equal(second, 0x06450041);
	for (int i = 64; i < 96; i++)
		assert_int_equal(out[i], '1');
	assert_int_equal(r->chain.state, TAP_IDLE);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_rising_edges_only),
		T(test_sample_answers_one_digit),
		T(test_reset_characters),
		T(test_blink_and_unknown_bytes_ignored),
		T(test_quit_stops_processing),
		T(test_idcode_scan_through_the_wire),
	};
#undef T

	return cmocka_run_group_tests_name("rbb", tests, NULL, NULL);
}
