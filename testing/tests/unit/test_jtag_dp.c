// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ADIv5 JTAG-DP (OpenOCD's src/target/adi_v5_jtag.c): DPACC/APACC/ABORT scan
 * encoding, CTRL/STAT power-up handshake, sticky flags, SELECT, the pipelined
 * read result and RDBUFF, STICKYERR discarding AP transactions, and an AP
 * whose domain is stopped (D1 Stop without debug) failing alone.
 */
#include "unit_helpers.h"

#include "jtag_dp.h"
#include "rig_dp.h"

#define DP_CTRL_STAT	0x4
#define DP_SELECT	0x8
#define DP_RDBUFF	0xC

struct rig {
	struct dap_rig dap;
	struct jtag_dp dp;
	unsigned int before_ap_calls;
	unsigned int after_ap_calls;
};

static void before_ap(void *ctx)
{
	((struct rig *)ctx)->before_ap_calls++;
}

static void after_ap(void *ctx)
{
	((struct rig *)ctx)->after_ap_calls++;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	dap_rig_init(&r->dap);
	r->dap.adp.before_ap = before_ap;
	r->dap.adp.after_ap = after_ap;
	r->dap.adp.ctx = r;
	jtag_dp_init(&r->dp, &r->dap.adp);
	*state = r;
	return 0;
}

/* The 35 bits shifted in: RnW, A[3:2], DATAIN. */
static uint64_t scan_in(bool read, unsigned int a, uint32_t data)
{
	return (uint64_t)read | (uint64_t)(a >> 2 & 3) << 1 | (uint64_t)data << 3;
}

/* What the next scan captures: ACK must be OK/FAULT, data is returned. */
static uint32_t captured(const struct jtag_dp *dp)
{
	uint64_t c = jtag_dp_capture(dp);

	assert_int_equal(c & 7, DP_ACK_OK_FAULT);
	assert_true(c >> 35 == 0);
	return (uint32_t)(c >> 3);
}

static void dp_write(struct jtag_dp *dp, unsigned int a, uint32_t v)
{
	jtag_dp_update(dp, DP_IR_DPACC, scan_in(false, a, v));
}

static uint32_t dp_read(struct jtag_dp *dp, unsigned int a)
{
	jtag_dp_update(dp, DP_IR_DPACC, scan_in(true, a, 0));
	return captured(dp);
}

static void ap_write(struct jtag_dp *dp, unsigned int apsel, uint8_t reg, uint32_t v)
{
	dp_write(dp, DP_SELECT, (uint32_t)apsel << 24 | (reg & 0xF0));
	jtag_dp_update(dp, DP_IR_APACC, scan_in(false, reg & 0xC, v));
}

/* AP read followed by the RDBUFF read that collects its result. */
static uint32_t ap_read(struct jtag_dp *dp, unsigned int apsel, uint8_t reg)
{
	dp_write(dp, DP_SELECT, (uint32_t)apsel << 24 | (reg & 0xF0));
	jtag_dp_update(dp, DP_IR_APACC, scan_in(true, reg & 0xC, 0));
	return dp_read(dp, DP_RDBUFF);
}

static void power_up(struct jtag_dp *dp)
{
	dp_write(dp, DP_CTRL_STAT, CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ);
}

static void test_power_on_state(void **state)
{
	struct rig *r = *state;

	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0);
	assert_int_equal(dp_read(&r->dp, DP_SELECT), 0);
}

static void test_dpidr(void **state)
{
	struct rig *r = *state;

	assert_int_equal(dp_read(&r->dp, 0x0), 0x6BA02477);
}

static void test_power_up_acks_mirror_requests(void **state)
{
	struct rig *r = *state;

	dp_write(&r->dp, DP_CTRL_STAT, CS_CDBGPWRUPREQ);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0x30000000);
	dp_write(&r->dp, DP_CTRL_STAT, CS_CSYSPWRUPREQ);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xC0000000);
	dp_write(&r->dp, DP_CTRL_STAT, CS_CDBGRSTREQ | CS_CDBGPWRUPREQ | CS_CSYSPWRUPREQ);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xFC000000);
	dp_write(&r->dp, DP_CTRL_STAT, 0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0);
}

/* The exact sequence of arm_adi_v5.c:dap_dp_init (section 3.4). */
static void test_openocd_power_up_sequence(void **state)
{
	struct rig *r = *state;

	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT) & 0xF0000000, 0xF0000000);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000000);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000001);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000001);
}

static void test_ctrl_stat_field_readback(void **state)
{
	struct rig *r = *state;

	/* TRNMODE, MASKLANE and TRNCNT read back; READOK/WDATAERR are SWD only */
	dp_write(&r->dp, DP_CTRL_STAT, 0x5003FF0Cu | 0xC0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF003FF0C);
	/* bits 22-25 are reserved */
	dp_write(&r->dp, DP_CTRL_STAT, 0x53C00000);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
}

static void test_sticky_bits_cannot_be_set_by_writing(void **state)
{
	struct rig *r = *state;

	dp_write(&r->dp, DP_CTRL_STAT, 0x50000000 | CS_STICKY_MASK);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
}

static void test_bus_error_sets_stickyerr_w1c(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	ap_write(&r->dp, 0, AP_REG_CSW, 0xA2000002);
	ap_write(&r->dp, 0, AP_REG_TAR, BAD_ADDR);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_DRW), 0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	assert_true(r->dap.adp.sticky_errors == 1);
	/* writing 0 to the sticky bit keeps it */
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000000);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	/* OpenOCD's clear: current | STICKYERR | STICKYORUN */
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000023);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000001);
}

static void test_stickyerr_discards_ap_transactions(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	ap_write(&r->dp, 0, AP_REG_CSW, 0xA2000002);
	ap_write(&r->dp, 0, AP_REG_TAR, BAD_ADDR);
	ap_write(&r->dp, 0, AP_REG_DRW, 0x11111111);	/* fails: STICKYERR */
	assert_true(dp_read(&r->dp, DP_CTRL_STAT) & CS_STICKYERR);
	/* everything after it in the batch is dropped */
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE);
	ap_write(&r->dp, 0, AP_REG_DRW, 0x22222222);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0);
	assert_int_equal(mem_load(r->dap.ram, 4), 0);
	assert_true(r->dap.adp.sticky_errors == 1);
	/* cleared: the AP shows it never saw the TAR write */
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_TAR), BAD_ADDR);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0x84770001);
}

static void test_pipelined_read_result(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	mem_store(r->dap.ram + 0x10, 4, 0xFEEDC0DE);
	ap_write(&r->dp, 0, AP_REG_CSW, 0xA2000002);
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE + 0x10);
	dp_write(&r->dp, DP_SELECT, 0);
	/* the scan that issues the AP read captures the previous result */
	uint32_t before = captured(&r->dp);

	jtag_dp_update(&r->dp, DP_IR_APACC, scan_in(true, AP_REG_DRW, 0));
	assert_int_equal(captured(&r->dp), 0xFEEDC0DE);
	assert_int_not_equal(before, 0xFEEDC0DE);
	/* an ABORT scan (another IR) does not disturb it */
	jtag_dp_update(&r->dp, DP_IR_ABORT, scan_in(false, 0, 1));
	assert_int_equal(captured(&r->dp), 0xFEEDC0DE);
	/* RDBUFF repeats the last result, DP writes leave it alone */
	assert_int_equal(dp_read(&r->dp, DP_RDBUFF), 0xFEEDC0DE);
	dp_write(&r->dp, DP_SELECT, 0);
	assert_int_equal(captured(&r->dp), 0xFEEDC0DE);
	/* a DP read replaces it */
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
	assert_int_equal(captured(&r->dp), 0xF0000000);
}

static void test_ap_write_then_read_memory(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	ap_write(&r->dp, 0, AP_REG_CSW, 0xA2000012);
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE + 0x100);
	ap_write(&r->dp, 0, AP_REG_DRW, 0x01020304);
	ap_write(&r->dp, 0, AP_REG_DRW, 0x05060708);
	assert_int_equal(mem_load(r->dap.ram + 0x100, 4), 0x01020304);
	assert_int_equal(mem_load(r->dap.ram + 0x104, 4), 0x05060708);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_TAR), RAM_BASE + 0x108);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT) & CS_STICKYERR, 0);
}

static void test_select_chooses_ap_and_bank(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	dp_write(&r->dp, DP_SELECT, 0x020000F0);
	assert_int_equal(dp_read(&r->dp, DP_SELECT), 0x020000F0);
	assert_int_equal(ap_read(&r->dp, 2, AP_REG_IDR), 0x54770002);
	assert_int_equal(ap_read(&r->dp, 2, AP_REG_BASE), 0xE00E0003);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0x84770001);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_BASE), 0xE00FE003);
	/* bank 0, A = 0x4 is TAR, not BASE */
	ap_write(&r->dp, 2, AP_REG_TAR, 0xE00E1000);
	assert_int_equal(ap_read(&r->dp, 2, AP_REG_TAR), 0xE00E1000);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_TAR), 0);
}

static void test_absent_aps_read_zero_without_error(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0x84770001);
	assert_int_equal(ap_read(&r->dp, 1, AP_REG_IDR), 0);	/* not attached here */
	assert_int_equal(ap_read(&r->dp, 3, AP_REG_IDR), 0);
	assert_int_equal(ap_read(&r->dp, 0xFF, AP_REG_IDR), 0);
	ap_write(&r->dp, 0x80, AP_REG_CSW, 0x12345678);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
}

static void test_ap_access_without_debug_power(void **state)
{
	struct rig *r = *state;

	ap_write(&r->dp, 0, AP_REG_TAR, 0x12345678);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), CS_STICKYERR);
	assert_int_equal(r->dap.ap0.tar, 0);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_TAR), 0);
}

/* RDP level 2 disables debug: AP accesses fail, the DP still answers. */
static void test_aps_disabled(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	r->dap.adp.aps_disabled = true;
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	assert_int_equal(r->dap.ap0.tar, 0);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	assert_int_equal(dp_read(&r->dp, 0x0), 0x6BA02477);
}

static void test_before_ap_hook_per_ap_transaction(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	dp_read(&r->dp, DP_CTRL_STAT);
	assert_int_equal(r->before_ap_calls, 0);
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE);
	ap_read(&r->dp, 0, AP_REG_TAR);
	assert_int_equal(r->before_ap_calls, 2);
	assert_true(r->dap.adp.ap_transactions == 2);
}

/* An unclocked AP answers nothing, not even IDR; the other APs and the DP do. */
static void test_unclocked_ap_fails_alone(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	r->dap.ap0.unclocked = true;
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	ap_write(&r->dp, 0, AP_REG_TAR, RAM_BASE);
	assert_int_equal(r->dap.ap0.tar, 0);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000 | CS_STICKYERR);
	dp_write(&r->dp, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(ap_read(&r->dp, 2, AP_REG_IDR), 0x54770002);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0xF0000000);
	/* the chip hears of every transaction that reached an AP */
	assert_int_equal(r->after_ap_calls, 3);
	r->dap.ap0.unclocked = false;
	assert_int_equal(ap_read(&r->dp, 0, AP_REG_IDR), 0x84770001);
}

static void test_power_on_resets_dp(void **state)
{
	struct rig *r = *state;

	power_up(&r->dp);
	dp_write(&r->dp, DP_SELECT, 0x020000F0);
	dp_power_on(&r->dap.adp);
	assert_int_equal(dp_read(&r->dp, DP_CTRL_STAT), 0);
	assert_int_equal(dp_read(&r->dp, DP_SELECT), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, free_state)
	const struct CMUnitTest tests[] = {
		T(test_power_on_state),
		T(test_dpidr),
		T(test_power_up_acks_mirror_requests),
		T(test_openocd_power_up_sequence),
		T(test_ctrl_stat_field_readback),
		T(test_sticky_bits_cannot_be_set_by_writing),
		T(test_bus_error_sets_stickyerr_w1c),
		T(test_stickyerr_discards_ap_transactions),
		T(test_pipelined_read_result),
		T(test_ap_write_then_read_memory),
		T(test_select_chooses_ap_and_bank),
		T(test_absent_aps_read_zero_without_error),
		T(test_ap_access_without_debug_power),
		T(test_aps_disabled),
		T(test_before_ap_hook_per_ap_transaction),
		T(test_unclocked_ap_fails_alone),
		T(test_power_on_resets_dp),
	};
#undef T

	return cmocka_run_group_tests_name("jtag_dp", tests, NULL, NULL);
}
