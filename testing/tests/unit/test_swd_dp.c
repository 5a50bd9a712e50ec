// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ADIv5 SW-DP (swd_dp.c) on the shared DP core: the SWJ-DP starts on JTAG,
 * a line reset wants a DPIDR read first, ACKs, posted AP reads with RDBUFF,
 * sticky errors answered FAULT until ABORT clears them, CTRL/STAT sticky
 * bits read-only over SWD, RDP level 2 silence.
 */
#include "unit_helpers.h"

#include "rig_dp.h"
#include "swd_dp.h"

struct rig {
	struct dap_rig dap;
	struct swd_dp swd;
};

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	dap_rig_init(&r->dap);
	swd_dp_init(&r->swd, &r->dap.adp);
	*state = r;
	return 0;
}

static enum swd_ack dp_rd(struct rig *r, unsigned int a, uint32_t *v)
{
	return swd_dp_transfer(&r->swd, false, true, a, v);
}

static enum swd_ack dp_wr(struct rig *r, unsigned int a, uint32_t v)
{
	return swd_dp_transfer(&r->swd, false, false, a, &v);
}

static enum swd_ack ap_rd(struct rig *r, unsigned int a, uint32_t *v)
{
	return swd_dp_transfer(&r->swd, true, true, a, v);
}

static enum swd_ack ap_wr(struct rig *r, unsigned int a, uint32_t v)
{
	return swd_dp_transfer(&r->swd, true, false, a, &v);
}

/* What a DAP-level probe does at connect: select SWD, read DPIDR, power up. */
static void connect(struct rig *r)
{
	uint32_t v = 0;

	swd_dp_jtag_to_swd(&r->swd);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_OK);
	assert_int_equal(dp_wr(r, DP_REG_CTRL_STAT, CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ), SWD_ACK_OK);
}

static uint32_t ctrl_stat(struct rig *r)
{
	uint32_t v = 0;

	assert_int_equal(dp_rd(r, DP_REG_CTRL_STAT, &v), SWD_ACK_OK);
	return v;
}

static void test_starts_on_jtag(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_NONE);
	swd_dp_jtag_to_swd(&r->swd);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_OK);
	assert_int_equal(v, 0x6BA02477);
	/* a JTAG probe takes the port back: SWD packets go unanswered */
	swd_dp_select_jtag(&r->swd);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_NONE);
}

static void test_line_reset_wants_dpidr_read_first(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	swd_dp_jtag_to_swd(&r->swd);
	assert_int_equal(dp_rd(r, DP_REG_CTRL_STAT, &v), SWD_ACK_NONE);
	assert_int_equal(dp_wr(r, DP_REG_SELECT, 0), SWD_ACK_NONE);
	assert_int_equal(ap_rd(r, 0xC, &v), SWD_ACK_NONE);
	assert_true(r->swd.protocol_errors == 3);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_OK);
	assert_int_equal(dp_rd(r, DP_REG_CTRL_STAT, &v), SWD_ACK_OK);
	/* again after the next line reset */
	swd_dp_line_reset(&r->swd);
	assert_int_equal(dp_rd(r, DP_REG_CTRL_STAT, &v), SWD_ACK_NONE);
	assert_true(r->swd.line_resets == 2);
}

static void test_power_handshake(void **state)
{
	struct rig *r = *state;

	connect(r);
	assert_int_equal(ctrl_stat(r), 0xF0000000);
}

/* The result of an AP read arrives with the next AP read, or from RDBUFF. */
static void test_ap_reads_are_posted(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	connect(r);
	mem_store(r->dap.ram + 0x20, 4, 0x11112222);
	mem_store(r->dap.ram + 0x24, 4, 0x33334444);
	assert_int_equal(ap_wr(r, 0x0, 0xA2000012), SWD_ACK_OK);	/* CSW: 32-bit, increment */
	assert_int_equal(ap_wr(r, 0x4, RAM_BASE + 0x20), SWD_ACK_OK);
	assert_int_equal(ap_rd(r, 0xC, &v), SWD_ACK_OK);		/* stale */
	assert_int_equal(ap_rd(r, 0xC, &v), SWD_ACK_OK);
	assert_int_equal(v, 0x11112222);
	assert_int_equal(dp_rd(r, DP_REG_RDBUFF, &v), SWD_ACK_OK);
	assert_int_equal(v, 0x33334444);
	/* RDBUFF reads again what it holds, and has no side effect */
	assert_int_equal(dp_rd(r, DP_REG_RDBUFF, &v), SWD_ACK_OK);
	assert_int_equal(v, 0x33334444);
	assert_int_equal(r->dap.ap0.tar, RAM_BASE + 0x28);
}

static void test_select_reaches_ap2(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	connect(r);
	assert_int_equal(dp_wr(r, DP_REG_SELECT, 0x020000F0), SWD_ACK_OK);
	ap_rd(r, 0xC, &v);
	assert_int_equal(dp_rd(r, DP_REG_RDBUFF, &v), SWD_ACK_OK);
	assert_int_equal(v, 0x54770002);
}

/*
 * A failed AP write is only seen at the next packet: then every access but
 * DPIDR and CTRL/STAT reads and ABORT writes gets FAULT, until ABORT clears
 * STICKYERR; writing CTRL/STAT (JTAG's way) does not clear it over SWD.
 */
static void test_sticky_error_faults_until_abort(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	connect(r);
	ap_wr(r, 0x0, 0xA2000002);
	ap_wr(r, 0x4, BAD_ADDR);
	assert_int_equal(ap_wr(r, 0xC, 0xDEADBEEF), SWD_ACK_OK);	/* posted */
	assert_int_equal(ap_wr(r, 0x4, RAM_BASE), SWD_ACK_FAULT);
	assert_int_equal(ap_rd(r, 0xC, &v), SWD_ACK_FAULT);
	assert_int_equal(dp_rd(r, DP_REG_RDBUFF, &v), SWD_ACK_FAULT);
	assert_int_equal(dp_wr(r, DP_REG_SELECT, 0), SWD_ACK_FAULT);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_OK);
	assert_int_equal(ctrl_stat(r), 0xF0000000 | CS_STICKYERR);
	assert_int_equal(dp_wr(r, DP_REG_CTRL_STAT, 0x50000000 | CS_STICKYERR), SWD_ACK_FAULT);
	assert_int_equal(ctrl_stat(r), 0xF0000000 | CS_STICKYERR);
	assert_true(r->swd.faults == 5);
	assert_int_equal(dp_wr(r, 0x0, ABORT_STKERRCLR), SWD_ACK_OK);
	assert_int_equal(ctrl_stat(r), 0xF0000000);
	assert_int_equal(ap_wr(r, 0x4, RAM_BASE), SWD_ACK_OK);
	assert_int_equal(r->dap.ap0.tar, RAM_BASE);
}

/* Over SWD the sticky bits are read-only in CTRL/STAT (ABORT clears them). */
static void test_ctrl_stat_write_keeps_sticky_bits(void **state)
{
	struct rig *r = *state;

	connect(r);
	r->dap.adp.ctrl_stat |= CS_STICKYCMP;
	assert_int_equal(dp_wr(r, DP_REG_CTRL_STAT, 0x50000000 | CS_STICKY_MASK), SWD_ACK_OK);
	assert_int_equal(ctrl_stat(r), 0xF0000000 | CS_STICKYCMP);
	assert_int_equal(dp_wr(r, 0x0, ABORT_STKCMPCLR), SWD_ACK_OK);
	assert_int_equal(ctrl_stat(r), 0xF0000000);
}

static void test_ap_without_debug_power_faults_next(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	swd_dp_jtag_to_swd(&r->swd);
	dp_rd(r, 0x0, &v);
	assert_int_equal(ap_wr(r, 0x4, RAM_BASE), SWD_ACK_OK);
	assert_int_equal(r->dap.ap0.tar, 0);
	assert_int_equal(ap_rd(r, 0xC, &v), SWD_ACK_FAULT);
}

static void test_rdp2_silences_the_port(void **state)
{
	struct rig *r = *state;
	uint32_t v = 0;

	connect(r);
	r->swd.silent = true;
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_NONE);
	swd_dp_jtag_to_swd(&r->swd);
	assert_int_equal(dp_rd(r, 0x0, &v), SWD_ACK_NONE);
	assert_string_equal(swd_ack_name(SWD_ACK_NONE), "no ACK");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_starts_on_jtag),
		T(test_line_reset_wants_dpidr_read_first),
		T(test_power_handshake),
		T(test_ap_reads_are_posted),
		T(test_select_reaches_ap2),
		T(test_sticky_error_faults_until_abort),
		T(test_ctrl_stat_write_keeps_sticky_bits),
		T(test_ap_without_debug_power_faults_next),
		T(test_rdp2_silences_the_port),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
