# SPDX-License-Identifier: GPL-2.0-or-later
"""JTAG chain, DAP, APs and chip identification, with upstream's
stm32h7x_dual_bank.cfg and with our board/h743sim.cfg
(OpenOCD's tcl/target/stm32h7x.cfg, src/jtag/core.c, src/target/arm_adi_v5.c)."""

from harness import Log, Sim, capture, check, expect_eq, expect_in, expect_re

DAP_IDCODE = 0x6BA00477
BS_IDCODE = 0x06450041


def identify(config):
    with Sim() as sim:
        out = sim.openocd(
            'init',
            'dap info 0',
            'dap info 2',
            'catch {dap info 3} ap3; echo "AP3: $ap3"',
            'targets',
            capture('idcode', 'read_memory 0x5C001000 32 1'),
            capture('flash_kib', 'read_memory 0x1FF1E880 16 1'),
            config=config)

        # Chain scan: DAP TAP (nearest TDO) first, then the boundary scan TAP.
        dap = expect_re(r'tap/device found: 0x%08x' % DAP_IDCODE, out, 'chain scan')
        bs = expect_re(r'tap/device found: 0x%08x' % BS_IDCODE, out, 'chain scan')
        check(dap.start() < bs.start(), 'boundary scan TAP reported before the DAP TAP', out)
        check('IR capture error' not in out, 'IR capture error reported', out)
        expect_in('Cortex-M7 r1p1 processor detected', out)
        expect_in('target has 8 breakpoints, 4 watchpoints', out)

        # AP0: the Cortex-M7 AHB-AP with the ST and PPB ROM tables.
        expect_in('AP # 0x0', out)
        expect_in('AP # 0x2', out)
        ap0 = Log(out[out.index('AP # 0x0'):out.index('AP # 0x2')], 'dap info 0')
        expect_in('AP ID register 0x84770001', ap0)
        expect_in('Type is MEM-AP AHB3', ap0)
        expect_in('MEM-AP BASE 0xe00fe003', ap0)
        expect_in('Valid ROM table present', ap0)
        expect_in('Component base address 0xe00fe000', ap0)
        expect_in('Component base address 0xe00ff000', ap0)
        expect_in('Cortex-M7 PPB ROM', ap0)
        expect_in('Component base address 0xe000e000', ap0)    # SCS
        expect_in('End of ROM table', ap0)

        # AP2: the APB-AP on the debug APB.
        ap2 = Log(out[out.index('AP # 0x2'):], 'dap info 2')
        expect_in('AP ID register 0x54770002', ap2)
        expect_in('MEM-AP BASE 0xe00e0003', ap2)
        expect_in('AP3: ', out)
        expect_in('No AP found at this AP#0x3', out)

        # DBGMCU_IDCODE: DEV_ID 0x450; FLASH_SIZE: 2048 KiB.
        idcode = out.int('idcode')
        expect_eq(idcode & 0xFFF, 0x450, 'DBGMCU_IDCODE dev id', out)
        check((idcode >> 16) in (0x1001, 0x2003), 'DBGMCU_IDCODE rev id %#x is neither Y (0x1001)'
              ' nor V (0x2003)' % (idcode >> 16), out)
        expect_eq(out.int('flash_kib'), 0x0800, 'FLASH_SIZE register', out)
        return out, sim.stats()


def test_upstream_dual_bank_cfg():
    out, stats = identify('upstream')
    expect_re(r'JTAG tap: stm32h7x\.cpu +tap/device found: 0x6ba00477', out)
    expect_re(r'JTAG tap: stm32h7x\.bs +tap/device found: 0x06450041', out)
    expect_re(r'^\s*\d+\*?\s+stm32h7x\.ap2\s+mem_ap\s', out, 'targets')
    expect_re(r'^\s*\d+\*\s+stm32h7x\.cpu0\s+cortex_m\s', out, 'targets (cpu0 current)')
    expect_eq(stats['connections'], 1, 'sim connections')


def test_board_cfg():
    out, stats = identify('board')
    expect_re(r'^\s*\d+\*?\s+stm32h743\.ap2\s+mem_ap\s', out, 'targets')
    expect_re(r'^\s*\d+\*\s+stm32h743\.cpu0\s+cortex_m\s', out, 'targets (cpu0 current)')
    expect_eq(stats['connections'], 1, 'sim connections')


def test_dap_registers():
    """Section 9 steps 2-3: DP CTRL/STAT after power-up and the AP IDRs,
    read with the raw dap commands."""
    with Sim() as sim:
        out = sim.openocd(
            'init',
            capture('ctrlstat', 'stm32h7x.dap dpreg 4'),
            capture('idr0', 'stm32h7x.dap apreg 0 0xfc'),
            capture('idr1', 'stm32h7x.dap apreg 1 0xfc'),
            capture('idr2', 'stm32h7x.dap apreg 2 0xfc'),
            capture('idr3', 'stm32h7x.dap apreg 3 0xfc'),
            capture('base0', 'stm32h7x.dap apreg 0 0xf8'),
            capture('base2', 'stm32h7x.dap apreg 2 0xf8'),
            config='upstream')
        expect_eq(out.int('ctrlstat'), 0xF0000001, 'CTRL/STAT', out)
        expect_eq(out.int('idr0'), 0x84770001, 'AP0 IDR', out)
        expect_eq(out.int('idr1'), 0x84770001, 'AP1 IDR', out)
        expect_eq(out.int('idr2'), 0x54770002, 'AP2 IDR', out)
        expect_eq(out.int('idr3'), 0, 'AP3 IDR (absent)', out)
        expect_eq(out.int('base0'), 0xE00FE003, 'AP0 BASE', out)
        expect_eq(out.int('base2'), 0xE00E0003, 'AP2 BASE', out)
