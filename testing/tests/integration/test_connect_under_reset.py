# SPDX-License-Identifier: GPL-2.0-or-later
"""Connect under reset (OpenOCD's src/target/cortex_m.c,
cortex_m_assert_reset): with `connect_assert_srst` OpenOCD asserts SRST before
examining and keeps it asserted after init, so the core must stay in reset
(DAP, AP and PPB still reachable), and `reset halt` must end at the reset
vector.

A plain `halt` cannot complete while OpenOCD itself holds SRST: OpenOCD
0.12's cortex_m_halt() only records the request for a target in reset and
then waits for the halt, so the test uses `reset halt`.
"""

from harness import OpenOCDServer, Sim, check, expect_eq, expect_in

SETUP = ['reset_config srst_only srst_nogate connect_assert_srst']
ERASED_PC, ERASED_MSP = 0xFFFFFFFE, 0xFFFFFFFC


def reg(ocd, name):
    text = ocd.cmd('reg %s' % name)
    check(text.startswith('%s (/' % name), 'unexpected `reg %s` result: %r' % (name, text))
    return int(text.split(':')[1], 16)


def read32(ocd, target, addr):
    return int(ocd.cmd('%s read_memory 0x%08x 32 1' % (target, addr)).strip(), 0)


def connect_under_reset(config):
    with Sim() as sim:
        with OpenOCDServer(sim, config=config, setup=SETUP) as ocd:
            expect_eq(ocd.cmd('[target current] curstate'), 'reset', 'OpenOCD target state')
            expect_eq(sim.stats()['core']['state'], 'reset', 'sim core state after init')
            # The debug side works while SRST is held: the PPB through AP0,
            # DBGMCU through AP2 (system memory need not: the chip's AXI side
            # is in reset).
            expect_eq(read32(ocd, '', 0xE000ED00), 0x411FC271, 'CPUID under reset')
            ap2 = ocd.cmd('target current').rsplit('.', 1)[0] + '.ap2'
            expect_eq(read32(ocd, ap2, 0xE00E1000) & 0xFFF, 0x450,
                      'DBGMCU_IDCODE dev id via AP2 under reset')
            ocd.cmd('reset halt')
            expect_eq(ocd.cmd('[target current] curstate'), 'halted', 'state after reset halt')
            vectors = [int(v, 0) for v in ocd.cmd('read_memory 0x08000000 32 2').split()]
            pc, msp = reg(ocd, 'pc'), reg(ocd, 'msp')
            expect_eq(msp, vectors[0] & ~3, 'msp after reset halt (vector word 0)')
            expect_eq(pc, vectors[1] & ~1, 'pc after reset halt (vector word 1)')
            if vectors == [0xFFFFFFFF, 0xFFFFFFFF]:
                expect_eq((pc, msp), (ERASED_PC, ERASED_MSP), 'pc, msp with erased flash')
            core = sim.stats()['core']
            expect_eq(core['state'], 'halted', 'sim core state after reset halt')
            expect_eq(core['pc'], pc, 'sim pc after reset halt')
        log = ocd.log()
        expect_in('external reset detected', log)


def test_connect_under_reset_board():
    connect_under_reset('board')


def test_connect_under_reset_upstream():
    connect_under_reset('upstream')
