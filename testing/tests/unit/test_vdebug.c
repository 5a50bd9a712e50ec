// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vdebug server (vdebug.c) as OpenOCD 0.12's vdebug driver speaks to it:
 * OPEN/CONNECT/CLOSE, register batches of DP, AP and ABORT transactions with
 * posted AP reads, the status of a batch that hit a bus error (and the
 * sticky error cleared behind it), SWCLK timing per packet and divider,
 * NRST, requests split across reads, and requests that break the protocol.
 */
#include "unit_helpers.h"

#include "vdebug.h"

#define RAM_BASE	0x20000000u
#define BAD_ADDR	0x40000000u

#define CMD_OPEN	0x01
#define CMD_CLOSE	0x02
#define CMD_CONNECT	0x04
#define CMD_SIGSET	0x0a
#define CMD_JTAGCLOCK	0x0f
#define CMD_REGWRITE	0x15
#define CMD_REGREAD	0x16
#define BFM_SWDP	2
#define BFM_JTAG	6
#define AS_AP		1
#define AS_DP		2
#define AS_AB		4

struct rig {
	struct adi_dp adp;
	struct swd_dp swd;
	struct vdebug vd;
	struct bus bus;
	struct mem_ap ap0;
	uint8_t ram[256];
	uint64_t wire_ps;
	int srst_changes;
	bool srst;
	uint8_t reply[VD_REPLY_MAX * 2];
	size_t reply_len;
	/* the request being built */
	uint8_t rq[VD_REQUEST_MAX];
	size_t rq_words;
	unsigned int rq_count, rq_reads;
};

/* Picoseconds of n cycles of a 24 MHz SWCLK. */
static uint64_t swclk_ps(uint64_t n)
{
	return n * 1000000000000ull / 24000000;
}

static void on_wire_time(void *ctx, uint64_t ps)
{
	((struct rig *)ctx)->wire_ps += ps;
}

static void on_reset_line(void *ctx, bool srst)
{
	struct rig *r = ctx;

	r->srst = srst;
	r->srst_changes++;
}

static void on_reply(void *ctx, const uint8_t *data, size_t len)
{
	struct rig *r = ctx;

	assert_true(r->reply_len + len <= sizeof(r->reply));
	memcpy(r->reply + r->reply_len, data, len);
	r->reply_len += len;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct vdebug_hooks hooks = {
		.wire_time = on_wire_time, .reset_line = on_reset_line, .ctx = r,
	};

	assert_non_null(r);
	bus_init(&r->bus, "test");
	bus_add_memory(&r->bus, "ram", RAM_BASE, sizeof(r->ram), r->ram, false);
	mem_ap_init(&r->ap0, "ap0", 0x84770001, 0xE00FE003, &r->bus, MASTER_AP0);
	dp_power_on(&r->adp);
	dp_attach_ap(&r->adp, 0, &r->ap0);
	swd_dp_init(&r->swd, &r->adp);
	vdebug_init(&r->vd, &r->swd, 24000000, &hooks);
	vdebug_connect(&r->vd, on_reply, r);
	*state = r;
	return 0;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Sends a request (header + payload) in one piece, or one byte at a time. */
static void send(struct rig *r, uint8_t cmd, uint8_t type, uint32_t rwdata, const void *payload,
		size_t wbytes, size_t rbytes, bool bytewise)
{
	uint8_t msg[VD_REQUEST_MAX] = { 0 };

	msg[0] = cmd;
	msg[1] = type;
	put16(msg + 2, r->rq_count);
	put16(msg + 4, (uint32_t)wbytes);
	put16(msg + 6, (uint32_t)rbytes);
	put32(msg + 12, rwdata);
	put16(msg + 22, cmd == CMD_OPEN ? VD_VERSION : 7);
	memcpy(msg + VD_CHEADER_LEN, payload, wbytes);
	r->reply_len = 0;
	if (!bytewise) {
		vdebug_process(&r->vd, msg, VD_CHEADER_LEN + wbytes);
		return;
	}
	for (size_t i = 0; i < VD_CHEADER_LEN + wbytes; i++)
		vdebug_process(&r->vd, msg + i, 1);
}

static uint32_t reply_status(const struct rig *r)
{
	assert_true(r->reply_len >= VD_SHEADER_LEN);
	return get32(r->reply + 4);
}

static uint32_t reply_word(const struct rig *r, unsigned int i)
{
	assert_true(r->reply_len >= VD_SHEADER_LEN + 4 * (i + 1));
	return get32(r->reply + VD_SHEADER_LEN + 4 * i);
}

static void open_and_connect(struct rig *r)
{
	send(r, CMD_OPEN, 0, 0, NULL, 0, 0, false);
	send(r, CMD_CONNECT, BFM_SWDP, 0, "dut.swdp", 9, 12, false);
	assert_int_equal(reply_status(r), 0);
}

/* ---- register batches, built as vdebug_reg_write/read lay them out ---- */

static void batch_start(struct rig *r)
{
	r->rq_words = r->rq_count = r->rq_reads = 0;
}

static void put_hdr(struct rig *r, unsigned int cmd, unsigned int count, unsigned int aspace,
		unsigned int reg)
{
	uint8_t *p = r->rq + 4 * r->rq_words;

	put32(p, (uint32_t)cmd << 30 | 2u << 27 | count << 16 | aspace);
	put32(p + 4, reg);
	r->rq_words += 2;
	r->rq_count++;
}

static void batch_write(struct rig *r, unsigned int aspace, unsigned int a, uint32_t v)
{
	put_hdr(r, 1, 1, aspace, a >> 2);
	put32(r->rq + 4 * r->rq_words++, v);
}

static void batch_read(struct rig *r, unsigned int aspace, unsigned int a, bool data)
{
	put_hdr(r, 2, data, aspace, a >> 2);
	r->rq_reads += data;
}

/* An AP read as the driver queues it: the posted read, then RDBUFF. */
static void batch_ap_read(struct rig *r, unsigned int a)
{
	batch_read(r, AS_AP, a, false);
	batch_read(r, AS_DP, DP_REG_RDBUFF, true);
}

static uint32_t batch_run(struct rig *r, bool bytewise)
{
	send(r, CMD_REGREAD, 0, 0, r->rq, 4 * r->rq_words, 4 * r->rq_reads, bytewise);
	assert_int_equal(r->reply_len, VD_SHEADER_LEN + 4 * r->rq_reads);
	return reply_status(r);
}

static void power_up_and_point(struct rig *r, uint32_t addr)
{
	batch_write(r, AS_DP, DP_REG_CTRL_STAT, CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ);
	batch_write(r, AS_DP, DP_REG_SELECT, 0);
	batch_write(r, AS_AP, 0x0, 0xA2000012);
	batch_write(r, AS_AP, 0x4, addr);
}

/* ---- tests ---- */

static void test_open_then_connect(void **state)
{
	struct rig *r = *state;

	send(r, CMD_CONNECT, BFM_SWDP, 0, "x", 2, 12, false);
	assert_int_equal(reply_status(r), 0x0205);	/* not open */
	send(r, CMD_OPEN, 0, 0, NULL, 0, 0, false);
	assert_int_equal(r->reply_len, VD_SHEADER_LEN);
	assert_int_equal(r->reply[0] | r->reply[1] << 8, VD_VERSION);
	assert_int_equal(reply_status(r), 0);
	send(r, CMD_CONNECT, BFM_SWDP, 0, "dut.swdp", 9, 12, false);
	assert_int_equal(reply_status(r), 0);
	assert_int_equal(reply_word(r, 0), 32);		/* 32-bit buffer words */
	/* the probe brought the line up: JTAG-to-SWD, line reset, DPIDR read */
	assert_true(r->swd.swd_selected);
	assert_false(r->swd.reset_state);
	assert_true(r->swd.line_resets == 1);
	assert_true(r->wire_ps == swclk_ps(SWD_JTAG_TO_SWD_CYCLES + SWD_PACKET_CYCLES + 2));
}

static void test_jtag_bfm_refused(void **state)
{
	struct rig *r = *state;

	send(r, CMD_OPEN, 0, 0, NULL, 0, 0, false);
	send(r, CMD_CONNECT, BFM_JTAG, 0, "dut.jtag", 9, 12, false);
	assert_int_equal(reply_status(r), 0x0100);
	assert_false(r->vd.connected);
	batch_start(r);
	batch_read(r, AS_DP, 0x0, true);
	assert_int_equal(batch_run(r, false), 0x0205);
}

static void test_batch_writes_and_posted_reads(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	mem_store(r->ram + 0x40, 4, 0xCAFEF00D);
	batch_start(r);
	batch_read(r, AS_DP, 0x0, true);
	power_up_and_point(r, RAM_BASE + 0x40);
	batch_ap_read(r, 0xC);
	batch_write(r, AS_AP, 0xC, 0x12345678);
	assert_int_equal(batch_run(r, false), 0);
	assert_int_equal(reply_word(r, 0), 0x6BA02477);
	assert_int_equal(reply_word(r, 1), 0xCAFEF00D);
	assert_int_equal(mem_load(r->ram + 0x44, 4), 0x12345678);
	assert_int_equal(r->reply[2] | r->reply[3] << 8, 2);	/* words read */
}

/* Every packet costs its SWCLK cycles: 9 packets + RDBUFF and CTRL/STAT at the end. */
static void test_wire_time_per_packet_and_divider(void **state)
{
	struct rig *r = *state;
	uint32_t div = 6;

	open_and_connect(r);
	r->wire_ps = 0;
	batch_start(r);
	power_up_and_point(r, RAM_BASE);
	batch_write(r, AS_AP, 0xC, 1);
	assert_int_equal(batch_run(r, false), 0);
	uint64_t at_24mhz = r->wire_ps;

	assert_true(at_24mhz == swclk_ps(7 * (SWD_PACKET_CYCLES + 2)));
	send(r, CMD_JTAGCLOCK, 0, div, NULL, 0, 0, false);
	assert_int_equal(reply_status(r), 0);
	r->wire_ps = 0;
	batch_start(r);
	power_up_and_point(r, RAM_BASE);
	batch_write(r, AS_AP, 0xC, 1);
	batch_run(r, false);
	assert_true(r->wire_ps == 6 * at_24mhz);
}

/*
 * A read from nothing: the batch stops there with a bus error status, the
 * probe clears STICKYERR through ABORT, and the next batch works.
 */
static void test_bus_error_status_and_sticky_cleared(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	batch_start(r);
	power_up_and_point(r, BAD_ADDR);
	batch_write(r, AS_AP, 0x0, 0xA2000002);		/* no increment */
	batch_ap_read(r, 0xC);
	batch_ap_read(r, 0xC);
	assert_int_equal(batch_run(r, false), 0x0304);
	assert_int_equal(reply_word(r, 0), 0);
	assert_true(r->vd.error_batches == 1);
	assert_false(r->adp.ctrl_stat & CS_STICKYERR);
	batch_start(r);
	batch_write(r, AS_AP, 0x4, RAM_BASE);
	batch_ap_read(r, 0x4);
	assert_int_equal(batch_run(r, false), 0);
	assert_int_equal(reply_word(r, 0), RAM_BASE);
}

/* A failing posted write at the end of a batch is found by the closing check. */
static void test_failed_last_write_reported(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	batch_start(r);
	power_up_and_point(r, BAD_ADDR);
	batch_write(r, AS_AP, 0xC, 0x55);
	assert_int_equal(batch_run(r, false), 0x0304);
	assert_false(r->adp.ctrl_stat & CS_STICKYERR);
}

static void test_abort_space_is_dp_abort(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	r->adp.ctrl_stat |= CS_STICKYCMP;
	batch_start(r);
	batch_write(r, AS_AB, 0x0, ABORT_STKCMPCLR);
	assert_int_equal(batch_run(r, false), 0);
	assert_false(r->adp.ctrl_stat & CS_STICKYCMP);
}

static void test_split_requests(void **state)
{
	struct rig *r = *state;

	send(r, CMD_OPEN, 0, 0, NULL, 0, 0, true);
	send(r, CMD_CONNECT, BFM_SWDP, 0, "dut.swdp", 9, 12, true);
	assert_int_equal(reply_status(r), 0);
	batch_start(r);
	batch_read(r, AS_DP, 0x0, true);
	batch_read(r, AS_DP, DP_REG_CTRL_STAT, true);
	assert_int_equal(batch_run(r, true), 0);
	assert_int_equal(reply_word(r, 0), 0x6BA02477);
}

static void test_nrst_line(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	send(r, CMD_SIGSET, 0, 0x0008u << 16 | 0xfff7, NULL, 0, 0, false);
	assert_true(r->srst);
	send(r, CMD_SIGSET, 0, 0x0008u << 16 | 0xffff, NULL, 0, 0, false);
	assert_false(r->srst);
	/* TRST is not an SWD line: a mask without RESET leaves NRST alone */
	send(r, CMD_SIGSET, 0, 0x0010u << 16, NULL, 0, 0, false);
	assert_int_equal(r->srst_changes, 2);
}

static void test_silent_port_no_access(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	r->swd.silent = true;
	batch_start(r);
	batch_read(r, AS_DP, DP_REG_CTRL_STAT, true);
	assert_int_equal(batch_run(r, false), 0x0306);
	assert_true(r->vd.warned_silent);
}

static void test_oversized_request_ends_connection(void **state)
{
	struct rig *r = *state;
	uint8_t hdr[VD_CHEADER_LEN] = { CMD_OPEN };

	put16(hdr + 4, VD_BUFFER_LEN + 1);
	vdebug_process(&r->vd, hdr, sizeof(hdr));
	assert_true(r->vd.quit);
	assert_int_equal(r->reply_len, 0);
}

static void test_malformed_batch_refused(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	batch_start(r);
	batch_write(r, AS_DP, DP_REG_SELECT, 0);
	r->rq_count = 3;	/* claims more requests than it carries */
	send(r, CMD_REGWRITE, 0, 0, r->rq, 4 * r->rq_words, 0, false);
	assert_int_equal(reply_status(r), 0x0102);
}

static void test_close(void **state)
{
	struct rig *r = *state;

	open_and_connect(r);
	send(r, CMD_CLOSE, 0, 0, NULL, 0, 0, false);
	assert_int_equal(reply_status(r), 0);
	assert_true(r->vd.quit);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_open_then_connect),
		T(test_jtag_bfm_refused),
		T(test_batch_writes_and_posted_reads),
		T(test_wire_time_per_packet_and_divider),
		T(test_bus_error_status_and_sticky_cleared),
		T(test_failed_last_write_reported),
		T(test_abort_space_is_dp_abort),
		T(test_split_requests),
		T(test_nrst_line),
		T(test_silent_port_no_access),
		T(test_oversized_request_ends_connection),
		T(test_malformed_batch_refused),
		T(test_close),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
