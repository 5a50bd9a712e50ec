# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator over SWD at the DAP level (issue 11 part 1): OpenOCD's
vdebug adapter with transport dapdirect_swd, the path of an STLINK-V3 in
DAP mode, served on the same port as remote_bitbang JTAG. The SW-DP's
identity, both APs that OpenOCD uses, SWCLK timing that follows `adapter
speed`, a bus error that fails the access and leaves the session usable,
JTAG and SWD sessions one after the other on one simulator, RDP level 2
silencing SWD too, and a JTAG vdebug connection refused with a reason.
(The driver, option-byte, GDB and custom-board groups run over SWD as
well: their files list TRANSPORTS.)"""

import os

from harness import Sim, capture, check, expect_eq, expect_gt, expect_in, note
from harness.board import dual_boot_sim

SWD = ['board/h743sim-swd.cfg']
JTAG = ['board/h743sim.cfg']
UNMAPPED = 0x60000000       # FMC bank 1: nothing there on this board
DBGMCU_IDCODE_REV_V = 0x20036450


def test_swd_identity_and_access_ports():
    """DPIDR 0x6BA02477 read through the DP, the core on AP0 and DBGMCU on
    AP2 (APB-D), SWCLK at 24 MHz; the simulator counts the packets."""
    with Sim() as sim:
        out = sim.openocd('init', capture('dpidr', 'stm32h743.dap dpreg 0'),
                          capture('idcode', 'stm32h743.ap2 read_memory 0xe00e1000 32 1'),
                          'halt', capture('cpuid', 'read_memory 0xe000ed00 32 1'),
                          'mww 0x20000000 0x5d0cafe5',
                          capture('dtcm', 'read_memory 0x20000000 32 1'),
                          capture('speed', 'adapter speed'), config=SWD)
        stats = sim.stats()
    expect_eq(out.int('dpidr'), 0x6BA02477, 'DPIDR over SWD', out)
    expect_eq(out.int('idcode'), DBGMCU_IDCODE_REV_V, 'DBGMCU_IDCODE through AP2', out)
    expect_eq(out.int('cpuid'), 0x411FC271, 'CPUID through AP0 (Cortex-M7 r1p1)', out)
    expect_eq(out.int('dtcm'), 0x5D0CAFE5, 'DTCM written and read back over SWD', out)
    expect_in('24000 kHz', out.value('speed'), 'adapter speed')
    expect_eq(stats['transport'], 'swd', 'transport seen by the simulator')
    swd = stats['swd']
    expect_eq(swd['swclk_hz'], 24000000, 'SWCLK')
    expect_eq(swd['line_resets'], 1, 'line resets (the probe connect)')
    expect_gt(swd['packets'], 20, 'SWD packets')
    expect_eq(swd['unanswered'], 0, 'unanswered SWD requests')
    expect_eq(stats['tck_cycles'], 0, 'TCK cycles in an SWD session')


def read_64k_wire_ns(speed_khz):
    """Virtual wire time of a connect and a 64 KiB read of AXI SRAM at a SWCLK."""
    with Sim() as sim:
        sim.openocd('adapter speed %d' % speed_khz, 'init', 'halt',
                    'dump_image %s 0x24000000 0x10000' % os.path.join(os.getcwd(), 'x.bin'),
                    config=SWD)
        stats = sim.stats()
    expect_eq(stats['swd']['swclk_hz'], 24000000 // (24000 // speed_khz), 'SWCLK')
    return stats['wire_ns'], stats['swd']['swclk_cycles']


def test_swclk_follows_adapter_speed():
    """The same session at 24 MHz and at 4 MHz (divider 6): the same SWCLK
    cycles, six times the virtual wire time."""
    fast_ns, fast_cycles = read_64k_wire_ns(24000)
    slow_ns, slow_cycles = read_64k_wire_ns(4000)
    expect_eq(slow_cycles, fast_cycles, 'SWCLK cycles at 4 MHz vs 24 MHz')
    ratio = slow_ns / fast_ns
    note('64 KiB read over SWD: %.2f ms at 24 MHz, %.2f ms at 4 MHz (x%.3f); %d SWCLK cycles'
         % (fast_ns / 1e6, slow_ns / 1e6, ratio, fast_cycles))
    check(5.99 < ratio < 6.01, 'wire time ratio 4 MHz / 24 MHz is %.4f, expected 6' % ratio)
    # 64 KiB is 16384 DRW reads of 46+2 cycles at least
    check(fast_cycles >= 16384 * 48, 'only %d SWCLK cycles for 16384 reads' % fast_cycles)


def test_swd_bus_error_then_session_goes_on():
    """A read and a write where nothing is mapped fail (the probe reports
    the sticky error and clears it); memory is readable right after."""
    with Sim() as sim:
        out = sim.openocd('init', 'halt', 'mww 0x20000000 0x600dcafe',
                          capture('rd', 'catch {read_memory 0x%08x 32 1}' % UNMAPPED),
                          capture('wr', 'catch {mww 0x%08x 0x12345678}' % UNMAPPED),
                          capture('after', 'read_memory 0x20000000 32 1'),
                          config=SWD, check=False)
        stats = sim.stats()
    expect_eq(out.value('rd'), '1', 'read of unmapped memory fails', out)
    expect_in('Failed to read memory at 0x%08x' % UNMAPPED, out)
    check(out.value('wr') != '0', 'write of unmapped memory succeeded', out)
    expect_eq(out.int('after'), 0x600DCAFE, 'DTCM right after the bus errors', out)
    expect_gt(stats['swd']['error_batches'], 1, 'batches answered with a bus error')
    expect_eq(stats['swd']['unanswered'], 0, 'unanswered SWD requests')


def test_jtag_and_swd_sessions_share_the_port():
    """One simulator, three sessions on one port: JTAG writes RAM, SWD
    reads it and writes more, JTAG reads both. The first bytes of each
    connection tell the protocol."""
    with Sim() as sim:
        a = sim.openocd('init', 'halt', 'mww 0x24000000 0x1a2b3c4d', config=JTAG)
        first = sim.stats()
        b = sim.openocd('init', 'halt', capture('v', 'read_memory 0x24000000 32 1'),
                        'mww 0x24000004 0x5e6f7a8b', config=SWD)
        second = sim.stats()
        c = sim.openocd('init', 'halt', capture('v', 'read_memory 0x24000000 32 2'),
                        config=JTAG)
        third = sim.stats()
    expect_eq(first['transport'], 'jtag', 'first session')
    expect_eq(second['transport'], 'swd', 'second session')
    expect_eq(third['transport'], 'jtag', 'third session')
    expect_eq(b.int('v'), 0x1A2B3C4D, 'written over JTAG, read over SWD', b)
    expect_eq(c.value('v').split(), ['0x1a2b3c4d', '0x5e6f7a8b'], 'read over JTAG', c)
    check(third['tck_cycles'] > second['tck_cycles'], 'the third session clocked no TCK', a)


def test_rdp_level2_silences_swd():
    """RDP level 2 (confirmed) over SWD: from the end of the option change
    the SW-DP answers nothing, and after a power cycle an SWD connect gets
    no ACK: OpenOCD fails with the probe's no-access status."""
    from test_options_protection import rdp2_board   # pytest puts this directory on sys.path
    os.environ['H743_TRANSPORT'] = 'swd'    # rdp2_board's session over SWD
    with dual_boot_sim('rdp2-swd') as sim:
        first = rdp2_board(sim)
        expect_in('rdp: 0 -> 2', first, 'option_set rdp 2 confirm')
        sim.stop()
        sim.start()     # power cycle
        out = sim.openocd('init', config=SWD, check=False, timeout=60)
        stats = sim.stats()
        log = sim.log()
    check(out.returncode != 0, 'OpenOCD connected over SWD at RDP level 2', out)
    expect_in('Error: 0x306 executing transaction', out)
    expect_eq(stats['debug_port_off'], True, 'debug port off (simulator)')
    expect_gt(stats['swd']['unanswered'], 0, 'unanswered SWD requests')
    expect_in('the SW-DP does not answer (the debug port is off (RDP level 2))', log)


def test_vdebug_jtag_refused_with_reason():
    """vdebug with transport jtag asks for a JTAG transactor, which the
    simulator does not serve (remote_bitbang does JTAG): the connect is
    refused and the simulator says what to use instead."""
    with Sim() as sim:
        out = sim.openocd('init', config=[
            '-c adapter driver vdebug', '-c transport select jtag',
            '-c vdebug server localhost:%d' % sim.port,
            '-c vdebug bfm_path h743sim.jtag 20833ps', 'target/stm32h743.cfg'],
            check=False, timeout=60)
        log = sim.log()
    check(out.returncode != 0, 'OpenOCD went on with a refused vdebug JTAG connect', out)
    expect_in('0x100 connecting to BFM h743sim.jtag', out)
    expect_in('JTAG is served through remote_bitbang (interface/h743sim.cfg)', log)
