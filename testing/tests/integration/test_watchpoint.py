# SPDX-License-Identifier: GPL-2.0-or-later
"""DWT watchpoint (OpenOCD's src/target/cortex_m.c): a write watchpoint on
ramtest_counter halts after the storing instruction, once per write."""

from harness import Sim, capture, check, expect_eq, expect_gt, expect_in, ramtest


def test_write_watchpoint_on_counter():
    fw = ramtest()
    counter = fw.sym('ramtest_counter')
    read = 'read_memory 0x%08x 32 1' % counter
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            *fw.load_and_start(),
            'sleep 200', 'halt',
            'wp 0x%08x 4 w' % counter, 'wp',
            'resume', 'wait_halt 5000', capture('pc1', 'reg pc'), capture('c1', read),
            'resume', 'wait_halt 5000', capture('pc2', 'reg pc'), capture('c2', read),
            'rwp 0x%08x' % counter,
            'resume', 'sleep 200', 'halt', capture('c3', read),
            timeout=90)
        expect_in('address: 0x%08x, len: 0x00000004, r/w/a: 1,' % counter, out)  # 1 = write
        expect_gt(out.count('halted due to watchpoint'), 1, 'watchpoint halts', out)
        pc1, pc2 = out.int('pc1'), out.int('pc2')
        check(fw.contains('main', pc1), 'watchpoint halt outside main: pc %#x' % pc1, out)
        expect_eq(pc2, pc1, 'pc at the second watchpoint halt (same store)', out)
        expect_eq(out.int('c2'), out.int('c1') + 1, 'counter between two watchpoint halts', out)
        expect_gt(out.int('c3'), out.int('c2') + 1, 'counter after rwp', out)
