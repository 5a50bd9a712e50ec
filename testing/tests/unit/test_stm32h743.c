// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The assembled chip, driven only through its remote_bitbang wire the way
 * OpenOCD drives it: the JTAG chain IDs, the DP power-up, the three MEM-APs
 * and what they reach (DBGMCU, flash registers, factory words, the Cortex-M7
 * PPB, the APB-D ROM table), SRST gating AP0, and a flash word programmed
 * through AP0 with the flash timing running on TCK time.
 */
#include "unit_helpers.h"

#include "stm32h743.h"

#define DP_CTRL_STAT	0x4
#define DP_SELECT	0x8
#define DP_RDBUFF	0xC

struct rig {
	struct stm32h743 chip;
	uint8_t in[8192];
	size_t n;
	uint8_t replies[8192];
	unsigned int current_ir;
};

/* ---- a small bitbang encoder (bitbang.c) -------------------------------- */

static void pin(struct rig *r, bool tck, bool tms, bool tdi)
{
	assert_true(r->n < sizeof(r->in));
	r->in[r->n++] = '0' + (tck << 2 | tms << 1 | tdi);
}

static void clock_bit(struct rig *r, bool tms, bool tdi, bool sample)
{
	pin(r, 0, tms, tdi);
	if (sample)
		r->in[r->n++] = 'R';
	pin(r, 1, tms, tdi);
}

/* Send what is queued; returns the number of sampled bits. */
static size_t flush(struct rig *r)
{
	size_t got;

	pin(r, 0, 0, 0);
	got = rbb_process(&r->chip.wire, r->in, r->n, r->replies);
	r->n = 0;
	return got;
}

static void tlr_idle(struct rig *r)
{
	for (int i = 0; i < 7; i++)
		clock_bit(r, 1, 0, false);
	clock_bit(r, 0, 0, false);
	flush(r);
	r->current_ir = 0xE;
}

/* Shift n bits from Run-Test/Idle and back; returns the captured bits. */
static uint64_t scan(struct rig *r, bool ir, uint64_t value, unsigned int n)
{
	uint64_t out = 0;

	clock_bit(r, 1, 0, false);
	if (ir)
		clock_bit(r, 1, 0, false);
	clock_bit(r, 0, 0, false);
	clock_bit(r, 0, 0, false);
	for (unsigned int i = 0; i < n; i++)
		clock_bit(r, i == n - 1, value >> i & 1, true);
	clock_bit(r, 1, 0, false);
	clock_bit(r, 0, 0, false);
	assert_int_equal(flush(r), n);
	for (unsigned int i = 0; i < n; i++)
		out |= (uint64_t)(r->replies[i] == '1') << i;
	return out;
}

static void set_ir(struct rig *r, unsigned int ir)
{
	if (r->current_ir == ir)
		return;
	/* DAP IR (4 bits) nearest TDO, then BYPASS for the boundary-scan TAP */
	assert_int_equal(scan(r, true, ir | 0x1Fu << 4, 9) & 0xF, 0x1);
	r->current_ir = ir;
}

/* One DPACC/APACC transaction; returns what its Capture-DR held. */
static uint32_t xact(struct rig *r, unsigned int ir, bool read, unsigned int a, uint32_t data)
{
	uint64_t in = (uint64_t)read | (uint64_t)(a >> 2 & 3) << 1 | (uint64_t)data << 3;
	uint64_t out;

	set_ir(r, ir);
	out = scan(r, false, in, 36);
	assert_int_equal(out & 7, DP_ACK_OK_FAULT);
	return (uint32_t)(out >> 3);
}

static void dp_write(struct rig *r, unsigned int a, uint32_t v)
{
	xact(r, DP_IR_DPACC, false, a, v);
}

static uint32_t dp_read(struct rig *r, unsigned int a)
{
	xact(r, DP_IR_DPACC, true, a, 0);
	return xact(r, DP_IR_DPACC, true, DP_RDBUFF, 0);
}

static void ap_write(struct rig *r, unsigned int ap, uint8_t reg, uint32_t v)
{
	dp_write(r, DP_SELECT, (uint32_t)ap << 24 | (reg & 0xF0));
	xact(r, DP_IR_APACC, false, reg & 0xC, v);
}

static uint32_t ap_read(struct rig *r, unsigned int ap, uint8_t reg)
{
	dp_write(r, DP_SELECT, (uint32_t)ap << 24 | (reg & 0xF0));
	xact(r, DP_IR_APACC, true, reg & 0xC, 0);
	return xact(r, DP_IR_DPACC, true, DP_RDBUFF, 0);
}

static uint32_t mem_read(struct rig *r, unsigned int ap, uint32_t addr)
{
	ap_write(r, ap, AP_REG_CSW, 0xA2000002);
	ap_write(r, ap, AP_REG_TAR, addr);
	return ap_read(r, ap, AP_REG_DRW);
}

static void mem_write(struct rig *r, unsigned int ap, uint32_t addr, uint32_t v)
{
	ap_write(r, ap, AP_REG_CSW, 0xA2000002);
	ap_write(r, ap, AP_REG_TAR, addr);
	ap_write(r, ap, AP_REG_DRW, v);
}

static bool sticky(struct rig *r)
{
	return dp_read(r, DP_CTRL_STAT) & CS_STICKYERR;
}

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	const struct chip_config cfg = {
		.rev_id = REV_ID_V, .tck_hz = 4000000, .cpu_hz = 64000000,
		.variant = flash_find_variant("H743xI"),
	};

	assert_non_null(r);
	assert_int_equal(chip_init(&r->chip, &cfg), 0);
	chip_power_on(&r->chip);
	r->in[r->n++] = 'r';		/* OpenOCD's init: no reset line asserted */
	tlr_idle(r);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	chip_free(&r->chip);
	free(r);
	return 0;
}

static void power_up(struct rig *r)
{
	dp_write(r, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(dp_read(r, DP_CTRL_STAT), 0xF0000000);
}

static void test_chain_idcodes(void **state)
{
	struct rig *r = *state;
	uint64_t lo = scan(r, false, ~0ull, 64);

	assert_int_equal(lo & 0xFFFFFFFF, 0x6BA00477);
	assert_int_equal(lo >> 32, 0x06450041);
}

static void test_ir_capture_values(void **state)
{
	struct rig *r = *state;
	uint64_t out = scan(r, true, 0x7FF, 11);

	assert_int_equal(out & 0xF, 0x1);
	assert_int_equal(out >> 4 & 0x1F, 0x01);
	assert_int_equal(out >> 9, 0x3);
}

static void test_access_port_ids(void **state)
{
	struct rig *r = *state;

	power_up(r);
	assert_int_equal(ap_read(r, 0, AP_REG_IDR), 0x84770001);
	assert_int_equal(ap_read(r, 0, AP_REG_BASE), 0xE00FE003);
	assert_int_equal(ap_read(r, 1, AP_REG_IDR), 0x84770001);
	assert_int_equal(ap_read(r, 2, AP_REG_IDR), 0x54770002);
	assert_int_equal(ap_read(r, 2, AP_REG_BASE), 0xE00E0003);
	assert_int_equal(ap_read(r, 3, AP_REG_IDR), 0);
	assert_false(sticky(r));
}

static void test_what_the_aps_reach(void **state)
{
	struct rig *r = *state;

	power_up(r);
	/* flash registers */
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_ACR), 0x37);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_CR), 0x31);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + 0x100 + FLASH_CR), 0x31);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_OPTCR), 0x1);
	/* Cortex-M7 CPUID on the PPB */
	assert_int_equal(mem_read(r, 0, 0xE000ED00), 0x411FC271);
	/* APB-D ROM table CIDR0 */
	assert_int_equal(mem_read(r, 2, 0xE00E0FF0), 0x0D);
	/* FLASH_SIZE, a 16-bit read in lanes 15:0: 2048 KiB */
	ap_write(r, 0, AP_REG_CSW, 0xA2000011);
	ap_write(r, 0, AP_REG_TAR, 0x1FF1E880);
	assert_int_equal(ap_read(r, 0, AP_REG_DRW) & 0xFFFF, 0x0800);
	/* erased flash through AP0 */
	assert_int_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(mem_read(r, 0, 0x081FFFFC), 0xFFFFFFFF);
	assert_false(sticky(r));
	/* AP1 sees the D3 SRAM only */
	mem_write(r, 1, 0x38000010, 0xD3D3D3D3);
	assert_int_equal(mem_read(r, 0, 0x38000010), 0xD3D3D3D3);
	assert_false(sticky(r));
	mem_read(r, 1, 0x24000000);
	assert_true(sticky(r));
}

/* DBGMCU_IDC of rev V silicon is 0x20036450 (stm32h743-flash.md section 1.1). */
static void test_dbgmcu_idcode(void **state)
{
	struct rig *r = *state;

	power_up(r);
	assert_int_equal(mem_read(r, 0, 0x5C001000) & 0xFFF, 0x450);
	assert_int_equal(mem_read(r, 0, 0x5C001000) >> 16, 0x2003);
	assert_int_equal(mem_read(r, 0, 0x5C001000), 0x20036450);
	assert_int_equal(mem_read(r, 2, 0xE00E1000), 0x20036450);
}

static void test_srst_gates_ap0_except_ppb(void **state)
{
	struct rig *r = *state;

	power_up(r);
	r->in[r->n++] = 's';
	flush(r);
	mem_read(r, 0, FLASH_REGS_BASE);
	assert_true(sticky(r));
	dp_write(r, DP_CTRL_STAT, 0x50000020);
	/* the PPB and AP2 answer while SRST is held */
	assert_int_equal(mem_read(r, 0, 0xE000ED00), 0x411FC271);
	assert_int_equal(mem_read(r, 2, 0xE00E0FF0), 0x0D);
	assert_false(sticky(r));
	r->in[r->n++] = 'r';
	flush(r);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE), 0x37);
	assert_false(sticky(r));
}

/* TRST, TLR and SRST leave DP and AP registers alone (section 3.7). */
static void test_resets_keep_dp_and_ap_state(void **state)
{
	struct rig *r = *state;

	power_up(r);
	ap_write(r, 0, AP_REG_CSW, 0xAA000012);
	ap_write(r, 0, AP_REG_TAR, 0x20000100);
	dp_write(r, DP_SELECT, 0x020000F0);
	r->in[r->n++] = 't';
	r->in[r->n++] = 'r';
	tlr_idle(r);
	r->in[r->n++] = 'u';
	r->in[r->n++] = 's';
	r->in[r->n++] = 'r';
	tlr_idle(r);
	/* the first scan after the resets still sees the powered-up DP */
	xact(r, DP_IR_DPACC, true, DP_SELECT, 0);
	assert_int_equal(xact(r, DP_IR_DPACC, true, DP_CTRL_STAT, 0), 0x020000F0);
	assert_int_equal(xact(r, DP_IR_DPACC, true, DP_RDBUFF, 0), 0xF0000000);
	assert_int_equal(ap_read(r, 0, AP_REG_CSW), 0xAA000052);
	assert_int_equal(ap_read(r, 0, AP_REG_TAR), 0x20000100);
}

static void test_program_flash_through_ap0(void **state)
{
	struct rig *r = *state;
	uint32_t sr = 0;
	int polls = 0;

	power_up(r);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_KEYR, FLASH_KEY1);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_KEYR, FLASH_KEY2);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_CR), 0x30);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_CR, CR_PG | 3u << CR_PSIZE_SHIFT);
	/* eight words with TAR auto-increment */
	ap_write(r, 0, AP_REG_CSW, 0xA2000012);
	ap_write(r, 0, AP_REG_TAR, 0x08000100);
	for (uint32_t i = 0; i < 8; i++)
		ap_write(r, 0, AP_REG_DRW, 0x11111111 * (i + 1));
	/* poll QW as the OpenOCD loader does: 100 us of TCK time must pass */
	do {
		sr = mem_read(r, 0, FLASH_REGS_BASE + FLASH_SR);
		polls++;
	} while ((sr & SR_QW) && polls < 1000);
	assert_int_equal(sr, SR_EOP);
	assert_true(polls > 1);
	assert_int_equal(mem_read(r, 0, 0x08000100), 0x11111111);
	assert_int_equal(mem_read(r, 0, 0x0800011C), 0x88888888);
	assert_false(sticky(r));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain_idcodes),
		T(test_ir_capture_values),
		T(test_access_port_ids),
		T(test_what_the_aps_reach),
		T(test_dbgmcu_idcode),
		T(test_srst_gates_ap0_except_ppb),
		T(test_resets_keep_dp_and_ap_state),
		T(test_program_flash_through_ap0),
	};
#undef T

	return cmocka_run_group_tests_name("stm32h743", tests, NULL, NULL);
}
