# SPDX-License-Identifier: GPL-2.0-or-later
"""Semihosting (OpenOCD's src/target/arm_semihosting.c): the semihost firmware's
SYS_WRITE0 (BKPT 0xAB) must halt the core like any BKPT so that OpenOCD
prints the string and resumes it past the BKPT."""

from harness import RAMTEST_HELLO, Sim, capture, check, expect_eq, expect_gt, expect_in, semihost


def test_semihosting_write0():
    fw = semihost()
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            'arm semihosting enable',
            *fw.load_and_start(),
            'sleep 1000', 'halt',
            capture('counter', 'read_memory 0x%08x 32 1' % fw.sym('ramtest_counter')),
            capture('pattern0', 'read_memory 0x%08x 32 1' % fw.sym('pattern_buffer')))
        expect_in('semihosting is enabled', out)
        expect_in(RAMTEST_HELLO, out)
        expect_eq(out.count(RAMTEST_HELLO), 1, 'greetings printed', out)
        # The firmware went on after the call: OpenOCD resumed it past the BKPT.
        expect_gt(out.int('counter'), 0, 'ramtest_counter after the semihosting call', out)
        expect_eq(out.int('pattern0'), 0xC0FFEE00, 'pattern_buffer[0]', out)


def test_bkpt_halts_without_semihosting():
    """Without `arm semihosting enable` the same BKPT 0xAB just halts."""
    fw = semihost()
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            *fw.load_and_start(),
            'wait_halt 5000',
            capture('pc', 'reg pc'),
            capture('insn', 'read_memory [lindex [reg pc] 2] 16 1'))
        expect_in('halted due to breakpoint', out)
        expect_eq(out.int('insn'), 0xBEAB, 'halfword at pc (BKPT 0xAB)', out)
        check(fw.contains('main', out.int('pc')), 'BKPT halt outside main: pc %#x'
              % out.int('pc'), out)
        expect_eq(out.count(RAMTEST_HELLO), 0, 'greetings printed', out)
