# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator outlives OpenOCD sessions (testing/sim/main.c):
memory and a running core carry over to the next connection."""

import time

from harness import Sim, capture, expect_eq, expect_gt, ramtest


def test_memory_survives_reconnect():
    with Sim() as sim:
        sim.openocd('init', 'halt', 'mww 0x24001000 0x8badf00d', 'mww 0x20010000 0x1234abcd',
                    'mwb 0x38000003 0x77')
        out = sim.openocd('init', 'halt', 'mdw 0x24001000', 'mdw 0x20010000', 'mdb 0x38000003')
        expect_eq(out.mem(0x24001000), [0x8BADF00D], 'AXI SRAM word from session 1', out)
        expect_eq(out.mem(0x20010000), [0x1234ABCD], 'DTCM word from session 1', out)
        expect_eq(out.mem(0x38000003, 1, 1), [0x77], 'SRAM4 byte from session 1', out)
        expect_eq(sim.stats()['connections'], 2, 'sim connections')


def test_core_keeps_running_between_sessions():
    fw = ramtest()
    read = 'read_memory 0x%08x 32 1' % fw.sym('ramtest_counter')
    with Sim() as sim:
        sim.openocd('init', 'halt', *fw.load_and_start())
        expect_eq(sim.stats()['core']['state'], 'running', 'sim core state between sessions')
        time.sleep(0.3)
        # Session 2 reads memory while the core runs, then halts it.
        out = sim.openocd('init', capture('c1', read), 'sleep 300', capture('c2', read),
                          'halt', capture('state', '[target current] curstate'))
        expect_gt(out.int('c1'), 0, 'counter at the start of session 2', out)
        expect_gt(out.int('c2'), out.int('c1'), 'counter while session 2 watches', out)
        expect_eq(out.value('state'), 'halted', 'state after halt', out)
        stats = sim.stats()
        expect_eq(stats['connections'], 2, 'sim connections')
        expect_eq(stats['core']['state'], 'halted', 'sim core state after session 2')
