// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The assembled chip, driven only through its remote_bitbang wire the way
 * OpenOCD drives it: the JTAG chain IDs, the DP power-up, the three MEM-APs
 * and what they reach (DBGMCU, flash registers, factory words, the Cortex-M7
 * PPB, the APB-D ROM table), SRST gating AP0, and a flash word programmed
 * through AP0 with the flash timing running on TCK time. Then the chip-level
 * causes of a failed verify: RCC_RSR reset flags, the clock tree and flash
 * wait states (debugger and CPU reads), reads-zero, PWR ready flags, the
 * IWDG1 (hardware start, freeze, reset during an erase), and WFI/WFE with
 * Sleep and Stop (AP0 lost without DBGSTOP_D1).
 */
#include "unit_helpers.h"

#include "rig_chip.h"

#define DP_CTRL_STAT	0x4
#define DP_SELECT	0x8
#define DP_RDBUFF	0xC

struct rig {
	struct stm32h743 chip;
	uint8_t in[8192];
	size_t n;
	uint8_t replies[8192];
	unsigned int current_ir;
	uint32_t dbgmcu_cr;		/* DBGMCU_CR that boot_image() starts the core with */
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
	got = rbb_process(&r->chip.rbb, r->in, r->n, r->replies);
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
	struct rig *r = RIG_CHIP_NEW(struct rig);

	chip_power_on(&r->chip);
	r->in[r->n++] = 'r';		/* OpenOCD's init: no reset line asserted */
	tlr_idle(r);
	*state = r;
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

/* DBGMCU_IDC of rev V silicon is 0x20036450 (OpenOCD's src/flash/nor/stm32h7x.c). */
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

/*
 * RDP level 2: the scan chain goes silent (TDO all ones) as the option change
 * ends, not at the next reset, and stays so after a power cycle
 * (UNCONFIRMED).
 */
static void test_rdp_level2_silences_jtag_at_once(void **state)
{
	struct rig *r = *state;
	uint32_t optsr;

	power_up(r);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_OPTKEYR, FLASH_OPTKEY1);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_OPTKEYR, FLASH_OPTKEY2);
	optsr = mem_read(r, 0, FLASH_REGS_BASE + FLASH_OPTSR_PRG);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_OPTSR_PRG,
		(optsr & ~OPTSR_RDP_MASK) | (uint32_t)RDP_LEVEL2 << OPTSR_RDP_SHIFT);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_OPTCR, OPTCR_OPTSTART);
	/* while the change runs the port still answers */
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_OPTSR_CUR) & OPTSR_OPT_BUSY,
		OPTSR_OPT_BUSY);
	assert_false(r->chip.chain.disabled);
	flush(r);
	r->chip.wire_debt_ps += 300 * PS_PER_MS;	/* the wire idles through the change */
	chip_settle(&r->chip);
	assert_true(r->chip.chain.disabled);
	tlr_idle(r);
	assert_int_equal(scan(r, false, 0, 64), ~0ull);	/* IDCODEs gone: all ones */
	chip_power_on(&r->chip);
	tlr_idle(r);
	assert_int_equal(scan(r, false, 0, 64), ~0ull);
	assert_int_equal(flash_rdp_level(&r->chip.flash), 2);
}

/* ---- resets, clocks, watchdog and low power ---------------------------- */

#define DHCSR		0xE000EDF0
#define DEMCR		0xE000EDFC
#define AIRCR		0xE000ED0C
#define RSR_ADDR	(RCC_BASE + RCC_RSR)
#define CPUCR_ADDR	(PWR_BASE + PWR_CPUCR)
#define DBGMCU_CR_APBD	(DBGMCU_APBD_BASE + DBGMCU_CR)
#define APB4FZ1_APBD	(DBGMCU_APBD_BASE + DBGMCU_APB4FZ1)
#define FLASH_MARK	0x12345678u	/* stored at 0x08000100 by the boot images */

static void pulse_srst(struct rig *r)
{
	r->in[r->n++] = 's';
	flush(r);
	r->in[r->n++] = 'r';
	flush(r);
}

static void halt_core(struct rig *r)
{
	mem_write(r, 0, DHCSR, 0xA05F0003);
}

/* Power the chip on again with this image at 0x08000000 (rest erased). */
static void boot_image(struct rig *r, const uint8_t *image, uint32_t len)
{
	assert_int_equal(flash_load_image(&r->chip.flash, image, len), 0);
	chip_power_on(&r->chip);
	regdev_set(&r->chip.periph.dbgmcu, DBGMCU_CR, r->dbgmcu_cr);
	power_up(r);
}

/* Vector table in flash, code in ITCM at 0, FLASH_MARK at 0x08000100. */
static void boot_itcm(struct rig *r, const uint16_t *code, size_t halfwords)
{
	uint8_t image[0x104];

	memset(image, 0xFF, sizeof(image));
	mem_store(image, 4, 0x20020000);
	mem_store(image + 4, 4, 0x00000001);
	mem_store(image + 0x100, 4, FLASH_MARK);
	memcpy(r->chip.mem.itcm, code, halfwords * 2);
	boot_image(r, image, sizeof(image));
}

/* Code in flash at 0x08000008. */
static void boot_flash(struct rig *r, const uint16_t *code, size_t halfwords)
{
	uint8_t image[0x100];

	memset(image, 0xFF, sizeof(image));
	mem_store(image, 4, 0x20020000);
	mem_store(image + 4, 4, 0x08000009);
	memcpy(image + 8, code, halfwords * 2);
	boot_image(r, image, sizeof(image));
}

static void run_ahead(struct rig *r, uint64_t ps)
{
	chip_run_ahead(&r->chip, ps);
}

static uint32_t core_reg(struct rig *r, unsigned int n)
{
	return cm7_read_reg(&r->chip.core, n);
}

static void set_rdp_in_force(struct rig *r, uint8_t rdp)
{
	struct flash *f = &r->chip.flash;

	f->nv.optsr = (f->nv.optsr & ~OPTSR_RDP_MASK) | (uint32_t)rdp << OPTSR_RDP_SHIFT;
	f->cur.optsr = f->nv.optsr;
	chip_update_watches(&r->chip);
}

/*
 * RDP level 1 once a debugger was seen: the core's flash fetches stall (no
 * lockup, no progress), through NRST too, until a power cycle without a
 * debugger (UNCONFIRMED).
 */
static void test_rdp_level1_debugged_core_stalls_until_power_cycle(void **state)
{
	static const uint16_t count[] = { 0x3001, 0xE7FD };	/* adds r0, #1; b .-2 */
	struct rig *r = *state;

	boot_flash(r, count, 2);		/* the rig's debugger is attached */
	run_ahead(r, 10 * PS_PER_US);
	assert_true(core_reg(r, 0) > 0);
	set_rdp_in_force(r, 0x55);
	run_ahead(r, 10 * PS_PER_US);
	uint32_t r0 = core_reg(r, 0);

	assert_true(r->chip.core.stalled);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(core_reg(r, 0), r0);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);	/* stalled, not locked up */
	pulse_srst(r);
	run_ahead(r, 10 * PS_PER_US);
	assert_true(r->chip.core.stalled);
	assert_int_equal(core_reg(r, 0), 0);
	chip_power_on(&r->chip);		/* no debugger since: it runs */
	assert_false(r->chip.core.stalled);
	run_ahead(r, 10 * PS_PER_US);
	assert_false(r->chip.core.stalled);
	assert_true(core_reg(r, 0) > 0);
}

/*
 * Peripherals without a model answer as register files: the debugger and the
 * core read back what they wrote, the gaps between peripherals are bus
 * errors, and the modelled ones (RCC) keep their behaviour.
 */
static void test_unmodelled_peripherals_are_register_files(void **state)
{
	/* movw r1, #4; movt r1, #0x5802; movs r0, #5; str r0, [r1]; b . */
	static const uint16_t store_gpioa[] = { 0xF240, 0x0104, 0xF6C5, 0x0102, 0x2005, 0x6008,
		0xE7FE };
	struct rig *r = *state;

	power_up(r);
	mem_write(r, 0, 0x51008108, 0x00000001);	/* AXI SRAM errata workaround */
	assert_int_equal(mem_read(r, 0, 0x51008108), 1);
	mem_write(r, 0, 0x40000028, 0xABCD);		/* TIM2_PSC */
	assert_int_equal(mem_read(r, 0, 0x40000028), 0xABCD);
	assert_false(sticky(r));
	assert_int_equal(mem_read(r, 0, 0x58022C00), 0);	/* reserved after GPIOK */
	assert_true(sticky(r));
	dp_write(r, DP_CTRL_STAT, 0x50000020 | CS_STICKYERR);
	assert_int_equal(mem_read(r, 0, RCC_BASE),
		regdev_get(&r->chip.periph.rcc, 0));	/* RCC_CR: still the model */
	assert_string_equal(unimp_find(&r->chip.unimp, 0x58020004)->name, "GPIOA");
	assert_null(unimp_find(&r->chip.unimp, RCC_BASE));

	boot_itcm(r, store_gpioa, 7);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);	/* no lockup */
	assert_int_equal(mem_read(r, 0, 0x58020004), 5);
	pulse_srst(r);					/* a reset clears them */
	halt_core(r);
	assert_int_equal(mem_read(r, 0, 0x51008108), 0);
}

/* Power-on, NRST, SYSRESETREQ and RMVF (RM0433 RCC_RSR). */
static void test_rcc_rsr_reset_flags(void **state)
{
	struct rig *r = *state;

	power_up(r);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), 0x00FA0000);
	mem_write(r, 0, RSR_ADDR, RSR_RMVF);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), 0);
	pulse_srst(r);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), RSR_PINRSTF | RSR_CPURSTF);
	/* the debugger's SYSRESETREQ resets even a locked-up core; flags add up */
	mem_write(r, 0, AIRCR, 0x05FA0004);
	assert_int_equal(r->chip.system_resets, 2);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), RSR_SFTRSTF | RSR_PINRSTF | RSR_CPURSTF);
	mem_write(r, 0, RSR_ADDR, 0xFFFFFFFF & ~RSR_RMVF);	/* flags are read-only */
	assert_int_equal(mem_read(r, 0, RSR_ADDR), RSR_SFTRSTF | RSR_PINRSTF | RSR_CPURSTF);
	/* only a power-on starts again from the power-on set */
	chip_power_on(&r->chip);
	power_up(r);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), 0x00FA0000);
	assert_false(sticky(r));
}

/* PWR_CR3 is plain storage; VOSRDY/ACTVOSRDY read 1 unless vos-unready. */
static void test_pwr_supply_registers(void **state)
{
	struct rig *r = *state;

	power_up(r);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CR3), 0x00000006);
	mem_write(r, 0, PWR_BASE + PWR_CR3, 0x00000002);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CR3), 0x00000002);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CSR1) & CSR1_ACTVOSRDY, CSR1_ACTVOSRDY);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_D3CR), 0x00004000 | D3CR_VOSRDY);
	mem_write(r, 0, PWR_BASE + PWR_D3CR, 0x0000C000);	/* scale 1 */
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CSR1) & (VOS_MASK | CSR1_ACTVOSRDY),
		0xC000 | CSR1_ACTVOSRDY);

	r->chip.flash.faults.vos_unready = true;
	chip_power_on(&r->chip);
	power_up(r);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CSR1) & CSR1_ACTVOSRDY, 0);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_D3CR), 0x00004000);
	mem_write(r, 0, PWR_BASE + PWR_D3CR, 0x0000C000);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_D3CR), 0x0000C000);
	assert_int_equal(mem_read(r, 0, PWR_BASE + PWR_CSR1) & (VOS_MASK | CSR1_ACTVOSRDY),
		0xC000);
}

/* 400 MHz PLL1 from HSE, HPRE /2: 200 MHz AXI; the wait states follow VOS. */
static void test_clock_tree_from_rcc_and_pwr(void **state)
{
	struct rig *r = *state;
	const uint32_t acr = FLASH_REGS_BASE + FLASH_ACR;

	power_up(r);
	assert_int_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(r->chip.clocks.aclk_hz, 64000000);
	assert_int_equal(r->chip.clocks.latency_needed, 1);
	mem_write(r, 0, RCC_BASE + RCC_PLLCKSELR, 2 | 5 << 4);
	mem_write(r, 0, RCC_BASE + RCC_PLL1DIVR, 159 | 1 << 9);
	mem_write(r, 0, RCC_BASE + RCC_D1CFGR, 0x8);
	mem_write(r, 0, RCC_BASE + RCC_CFGR, 3);
	mem_write(r, 0, acr, 0x33);
	/* scale 3 (reset): 200 MHz needs 4 wait states, 3 is too few */
	assert_int_not_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(r->chip.clocks.sys_hz, 400000000);
	assert_int_equal(r->chip.clocks.aclk_hz, 200000000);
	assert_int_equal(r->chip.clocks.latency_needed, 4);
	mem_write(r, 0, PWR_BASE + PWR_D3CR, 0x0000C000);	/* scale 1: 2 are enough */
	assert_int_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(r->chip.clocks.vos, 1);
	mem_write(r, 0, acr, 0x32);
	assert_int_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	mem_write(r, 0, acr, 0x31);
	assert_int_not_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_true(r->chip.flash_via_bus[0] && r->chip.flash_via_bus[1]);
	/* a system reset brings back HSI and LATENCY 7 */
	pulse_srst(r);
	assert_int_equal(mem_read(r, 0, 0x08000000), 0xFFFFFFFF);
	assert_false(r->chip.flash_via_bus[0] || r->chip.flash_via_bus[1]);
	assert_false(sticky(r));
}

/* Code in ITCM sets LATENCY 0 at 64 MHz, then reads FLASH_MARK twice. */
static void test_short_latency_garbles_cpu_reads(void **state)
{
	static const uint16_t code[] = {
		0x4B03,		/* ldr r3, =0x52002000 (FLASH_ACR) */
		0x2430,		/* movs r4, #0x30: LATENCY 0 */
		0x601C,		/* str r4, [r3] */
		0x4803,		/* ldr r0, =0x08000100 */
		0x6801,		/* ldr r1, [r0] */
		0x6802,		/* ldr r2, [r0] */
		0xE7FE,		/* b . */
		0xBF00,
		0x2000, 0x5200, 0x0100, 0x0800,
	};
	struct rig *r = *state;
	uint32_t a, b;

	boot_itcm(r, code, ARRAY_LEN(code));
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_RUNNING);
	assert_int_equal(core_reg(r, 15), 0x0C);
	assert_int_not_equal(core_reg(r, 1), FLASH_MARK);
	assert_int_not_equal(core_reg(r, 2), FLASH_MARK);
	assert_int_not_equal(core_reg(r, 1), core_reg(r, 2));
	/* the debugger's reads too, each one different */
	a = mem_read(r, 0, 0x08000100);
	b = mem_read(r, 0, 0x08000100);
	assert_int_not_equal(a, FLASH_MARK);
	assert_int_not_equal(b, FLASH_MARK);
	assert_int_not_equal(a, b);
	/* enough wait states: right again, and the CPU maps the array directly */
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_ACR, 0x31);
	assert_int_equal(mem_read(r, 0, 0x08000100), FLASH_MARK);
	assert_false(r->chip.flash_via_bus[0]);
}

/* Code that lowers LATENCY while running from flash fetches garbage: lockup. */
static void test_short_latency_code_in_flash_locks_up(void **state)
{
	static const uint16_t code[] = {
		0x4B01,		/* ldr r3, =0x52002000 */
		0x2430,		/* movs r4, #0x30 */
		0x601C,		/* str r4, [r3] */
		0xE7FE,		/* b . */
		0x2000, 0x5200,
	};
	struct rig *r = *state;

	boot_flash(r, code, ARRAY_LEN(code));
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_LOCKUP);
	assert_int_equal(core_reg(r, 15), 0x0800000E);
}

/* reads-zero=2: bank 2 reads 0 for both masters; bank 1 is fine. */
static void test_reads_zero_for_cpu_and_debugger(void **state)
{
	static const uint16_t code[] = {
		0x4802,		/* ldr r0, =0x08100000 */
		0x6801,		/* ldr r1, [r0] */
		0x4802,		/* ldr r0, =0x08000100 */
		0x6802,		/* ldr r2, [r0] */
		0xE7FE,		/* b . */
		0xBF00,
		0x0000, 0x0810, 0x0100, 0x0800,
	};
	struct rig *r = *state;

	mem_store(r->chip.mem.flash + FLASH_BANK_BYTES, 4, 0xA5A5A5A5);
	r->chip.flash.faults.reads_zero = 1u << 1;
	boot_itcm(r, code, ARRAY_LEN(code));
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(core_reg(r, 1), 0);
	assert_int_equal(core_reg(r, 2), FLASH_MARK);
	assert_int_equal(mem_read(r, 0, 0x08100000), 0);
	assert_int_equal(mem_read(r, 0, 0x08000100), FLASH_MARK);
	assert_true(r->chip.flash_via_bus[1] && !r->chip.flash_via_bus[0]);
	assert_false(sticky(r));
}

/* IWDG1_SW = 0: the watchdog runs from reset and resets the chip. */
static void test_iwdg_hardware_start_resets(void **state)
{
	struct rig *r = *state;

	r->chip.flash.nv.optsr &= ~OPTSR_IWDG1_SW;
	chip_power_on(&r->chip);
	uint64_t t0 = r->chip.clock.now;

	assert_true(r->chip.iwdg.running);
	run_ahead(r, PS_PER_MS);		/* an idle chip jumps to the expiry */
	assert_int_equal(r->chip.system_resets, 1);
	/* 0xFFF ticks of 125 us after power-on; restarted by hardware at once */
	assert_int_equal(r->chip.iwdg.since - t0, 511875 * PS_PER_US);
	assert_true(r->chip.iwdg.running);
	power_up(r);
	assert_int_equal(mem_read(r, 0, RSR_ADDR), 0x00FA0000 | RSR_IWDG1RSTF);
	/* software mode (factory): nothing runs */
	r->chip.flash.nv.optsr |= OPTSR_IWDG1_SW;
	chip_power_on(&r->chip);
	assert_false(r->chip.iwdg.running);
	run_ahead(r, 2 * PS_PER_S);
	assert_int_equal(r->chip.system_resets, 1);
}

/* Halted with DBGMCU_APB4FZ1.DBG_IWDG1 set, the counter stands still. */
static void test_iwdg_frozen_while_halted(void **state)
{
	struct rig *r = *state;

	r->chip.flash.nv.optsr &= ~OPTSR_IWDG1_SW;
	chip_power_on(&r->chip);
	power_up(r);
	mem_write(r, 2, APB4FZ1_APBD, APB4FZ1_DBG_IWDG1);
	halt_core(r);
	assert_true(r->chip.iwdg.frozen);
	uint32_t held = iwdg_counter(&r->chip.iwdg);

	vclock_advance(&r->chip.clock, 5 * PS_PER_S, VCLOCK_SKIP);
	vclock_fire_due(&r->chip.clock);
	assert_int_equal(iwdg_counter(&r->chip.iwdg), held);
	assert_int_equal(r->chip.system_resets, 0);
	/* without the freeze bit a halted core does not stop it */
	mem_write(r, 2, APB4FZ1_APBD, 0);
	assert_false(r->chip.iwdg.frozen);
	uint64_t t0 = r->chip.clock.now;

	run_ahead(r, PS_PER_MS);
	assert_int_equal(r->chip.system_resets, 1);
	/* the rest of the count, not a full period: the frozen part did not count */
	assert_true(r->chip.iwdg.since - t0 <= (uint64_t)held * 125 * PS_PER_US);
}

/* A watchdog reset during a sector erase leaves it as a power cut does. */
static void test_iwdg_reset_cuts_an_erase_short(void **state)
{
	static uint8_t image[2 * FLASH_SECTOR_BYTES];
	struct rig *r = *state;
	const uint32_t sector = FLASH_SECTOR_BYTES, half = FLASH_SECTOR_BYTES / 2;
	const uint32_t cr = FLASH_REGS_BASE + FLASH_CR;

	memset(image, 0xFF, sector);
	memset(image + sector, 0x00, sector);
	r->chip.flash.nv.optsr &= ~OPTSR_IWDG1_SW;
	boot_image(r, image, sizeof(image));
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_KEYR, FLASH_KEY1);
	mem_write(r, 0, FLASH_REGS_BASE + FLASH_KEYR, FLASH_KEY2);
	mem_write(r, 0, cr, CR_SER | 3u << CR_PSIZE_SHIFT | 1u << CR_SNB_SHIFT | CR_START);
	assert_true(mem_read(r, 0, FLASH_REGS_BASE + FLASH_SR) & SR_QW);
	run_ahead(r, PS_PER_MS);		/* the erase needs 1 s, the IWDG 0.51 s */
	assert_int_equal(r->chip.system_resets, 1);
	const uint8_t *a = r->chip.mem.flash;

	for (uint32_t off = sector; off < sector + half; off++)
		if (a[off] != 0xFF)
			fail_msg("byte 0x%05x not erased", off);
	assert_int_equal(r->chip.flash.words[0][(sector + half) / FLASH_WORD_BYTES],
		WORD_ECC_DOUBLE);
	assert_int_equal(a[sector + half + FLASH_WORD_BYTES], 0x00);
	assert_int_equal(a[2 * sector - 1], 0x00);
	power_up(r);
	assert_int_equal(mem_read(r, 0, RSR_ADDR) & RSR_IWDG1RSTF, RSR_IWDG1RSTF);
	assert_int_equal(mem_read(r, 0, FLASH_REGS_BASE + FLASH_SR), 0);
}

/* sleep.c: r3 = SCB_SCR, SLEEPDEEP from `scr`, then the hint at 0x6. */
static void boot_sleeper(struct rig *r, uint16_t scr_value, const uint16_t *hint, size_t n)
{
	uint16_t code[16] = {
		0x4B03,			/* ldr r3, =0xE000ED10 */
		(uint16_t)(0x2400 | scr_value),	/* movs r4, #scr_value */
		0x601C,			/* str r4, [r3] */
	};
	size_t i = 3;

	for (size_t k = 0; k < n; k++)
		code[i++] = hint[k];
	code[i++] = 0x3501;		/* adds r5, #1 */
	code[i++] = 0xE7FE;		/* b . */
	while (i < 8)
		code[i++] = 0xBF00;
	code[8] = 0xED10;
	code[9] = 0xE000;
	boot_itcm(r, code, 10);
}

static const uint16_t wfi[] = { 0xBF30 };

/* Sleep (no SLEEPDEEP): debug keeps working, a halt wakes the core after WFI. */
static void test_wfi_sleep_keeps_debug(void **state)
{
	struct rig *r = *state;

	boot_sleeper(r, 0, wfi, 1);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	assert_true(mem_read(r, 0, DHCSR) & DHCSR_S_SLEEP);
	assert_int_equal(mem_read(r, 0, 0x08000100), FLASH_MARK);
	assert_int_equal(mem_read(r, 0, CPUCR_ADDR) & CPUCR_STOPF, 0);
	halt_core(r);
	assert_int_equal(r->chip.core.state, CM7_HALTED);
	assert_int_equal(core_reg(r, 15), 0x8);	/* the instruction after WFI */
	assert_int_equal(core_reg(r, 5), 0);
	mem_write(r, 0, DHCSR, 0xA05F0001);	/* resume: it carries on after WFI */
	run_ahead(r, PS_PER_US);
	assert_int_equal(core_reg(r, 5), 1);
	assert_false(sticky(r));
}

/* Stop with DBGMCU_CR.DBGSTOP_D1 clear: AP0 is gone, AP2 answers, until NRST. */
static void test_stop_without_debug_loses_ap0(void **state)
{
	struct rig *r = *state;

	boot_sleeper(r, SCR_SLEEPDEEP, wfi, 1);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	assert_true(r->chip.d1_debug_lost);
	mem_read(r, 0, 0x20000000);
	assert_true(sticky(r));
	dp_write(r, DP_CTRL_STAT, 0x50000020);		/* clear STICKYERR */
	ap_read(r, 0, AP_REG_IDR);			/* the AP itself does not answer */
	assert_true(sticky(r));
	dp_write(r, DP_CTRL_STAT, 0x50000020);
	halt_core(r);					/* halting cannot get through */
	assert_true(sticky(r));
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	dp_write(r, DP_CTRL_STAT, 0x50000020);
	assert_int_equal(mem_read(r, 2, DBGMCU_APBD_BASE), 0x20036450);
	assert_int_equal(mem_read(r, 2, DBGMCU_CR_APBD), 0);
	assert_false(sticky(r));
	/* setting DBGSTOP_D1 now is too late */
	mem_write(r, 2, DBGMCU_CR_APBD, DBGMCU_CR_DBGSTOP_D1);
	mem_read(r, 0, 0x20000000);
	assert_true(sticky(r));
	dp_write(r, DP_CTRL_STAT, 0x50000020);
	/* connect under reset: vector catch through the PPB while NRST is low */
	r->in[r->n++] = 's';
	flush(r);
	mem_write(r, 0, DEMCR, DEMCR_VC_CORERESET);
	mem_write(r, 0, DHCSR, 0xA05F0001);
	r->in[r->n++] = 'r';
	flush(r);
	assert_int_equal(r->chip.core.state, CM7_HALTED);
	assert_false(r->chip.d1_debug_lost);
	/* STOPF survives the pin reset; CSSF clears it */
	assert_int_equal(mem_read(r, 0, CPUCR_ADDR) & CPUCR_STOPF, CPUCR_STOPF);
	mem_write(r, 0, CPUCR_ADDR, CPUCR_CSSF);
	assert_int_equal(mem_read(r, 0, CPUCR_ADDR) & (CPUCR_STOPF | CPUCR_CSSF), 0);
	assert_false(sticky(r));
}

/* Stop with DBGSTOP_D1 set: a halt-able idle. */
static void test_stop_with_debug_is_haltable(void **state)
{
	struct rig *r = *state;

	r->dbgmcu_cr = DBGMCU_CR_DBGSTOP_D1;	/* as a debugger sets it under reset */
	boot_sleeper(r, SCR_SLEEPDEEP, wfi, 1);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	assert_false(r->chip.d1_debug_lost);
	assert_int_equal(mem_read(r, 0, 0x08000100), FLASH_MARK);
	assert_int_equal(mem_read(r, 0, CPUCR_ADDR) & CPUCR_STOPF, CPUCR_STOPF);
	halt_core(r);
	assert_int_equal(r->chip.core.state, CM7_HALTED);
	assert_int_equal(core_reg(r, 15), 0x8);
	assert_false(sticky(r));
}

/* WFE and the 32-bit WFI.W sleep as well (Unicorn runs neither as a sleep). */
static void test_wfe_and_wide_wfi_sleep(void **state)
{
	static const uint16_t wfe[] = { 0xBF20 };
	static const uint16_t wfi_w[] = { 0xF3AF, 0x8003 };
	struct rig *r = *state;

	boot_sleeper(r, 0, wfe, 1);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	halt_core(r);
	assert_int_equal(core_reg(r, 15), 0x8);
	boot_sleeper(r, 0, wfi_w, 2);
	run_ahead(r, 10 * PS_PER_US);
	assert_int_equal(r->chip.core.state, CM7_SLEEP);
	halt_core(r);
	assert_int_equal(core_reg(r, 15), 0xA);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, rig_chip_teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain_idcodes),
		T(test_ir_capture_values),
		T(test_access_port_ids),
		T(test_what_the_aps_reach),
		T(test_dbgmcu_idcode),
		T(test_srst_gates_ap0_except_ppb),
		T(test_resets_keep_dp_and_ap_state),
		T(test_program_flash_through_ap0),
		T(test_rdp_level2_silences_jtag_at_once),
		T(test_rdp_level1_debugged_core_stalls_until_power_cycle),
		T(test_unmodelled_peripherals_are_register_files),
		T(test_rcc_rsr_reset_flags),
		T(test_pwr_supply_registers),
		T(test_clock_tree_from_rcc_and_pwr),
		T(test_short_latency_garbles_cpu_reads),
		T(test_short_latency_code_in_flash_locks_up),
		T(test_reads_zero_for_cpu_and_debugger),
		T(test_iwdg_hardware_start_resets),
		T(test_iwdg_frozen_while_halted),
		T(test_iwdg_reset_cuts_an_erase_short),
		T(test_wfi_sleep_keeps_debug),
		T(test_stop_without_debug_loses_ap0),
		T(test_stop_with_debug_is_haltable),
		T(test_wfe_and_wide_wfi_sleep),
	};
#undef T

	return cmocka_run_group_tests_name("stm32h743", tests, NULL, NULL);
}
