# SPDX-License-Identifier: GPL-2.0-or-later
"""Harness for the h743 integration tests and the demo.

    from harness import *

    def test_example():
        with Sim() as sim:
            out = sim.openocd('init', 'halt', capture('pc', 'reg pc'))
            check(out.int('pc') != 0, 'pc is zero', out)
            expect_gt(sim.stats()['tck_cycles'], 0, 'tck cycles')

Sim            h743sim on a free port; .openocd(*cmds) -> Log, .stats(), .stop(),
               .openocd_background(*cmds) -> OpenOCDBatch (.wait() -> Log),
               .kill() + .start() (restart on the same state file)
OpenOCDServer  openocd kept running; .cmd(tcl) -> str, .gdb(elf, *cmds) -> Log
Log            captured output (a str): .reg(), .mem(), .value()/.int(), .errors()
capture        an OpenOCD command that prints a value for Log.value()/int()
ramtest, semihost
               the test firmware: .elf/.bin, .sym(name), .entry, .load_and_start()
park_commands  halt the core in a `b .` loop in ITCM (away from the blank-chip lockup)
check, expect_* fail with context; note() prints a figure under the PASS line
timeout(s)     decorator for a per-test limit other than 120 s (harness/marks.py)
TRANSPORTS = ('jtag', 'swd') in a test file: its tests also run over SWD (vdebug,
               dapdirect_swd) as file[swd]::test; transport() says which one runs;
               @jtag_only(why) keeps one test on JTAG

More in submodules: harness.board (a board that boots, its state file and
banks, byte comparisons, section/attempt/outcome markers), harness.driver
(image files, flash pictures, the diagnosis dict: `from harness import
driver as di`), harness.chip (flash layout, option registers), harness.hostile
(misbehaving clients). testing/conftest.py runs each test in its own
directory with its transport and time limit.
"""

from .checks import (TestFailure, Log, capture, check, expect_eq, expect_gt, expect_in,
                     expect_not_in, expect_re, fail, tail)
from .env import (AXI_SRAM, DTCM, PARK_ADDR, RAMTEST_BP_INTERVAL, RAMTEST_HELLO,
                  RAMTEST_PATTERN, STACK_TOP, log, note, park_commands, ramtest, semihost,
                  tmpfile, tool)
from .procs import OpenOCDBatch, OpenOCDServer, Sim, free_port, transport
from .marks import jtag_only, timeout


__all__ = ['TestFailure', 'Log', 'capture', 'check', 'expect_eq', 'expect_gt', 'expect_in',
           'expect_not_in', 'expect_re', 'fail', 'tail', 'AXI_SRAM', 'DTCM',
           'PARK_ADDR', 'RAMTEST_BP_INTERVAL', 'RAMTEST_HELLO', 'RAMTEST_PATTERN', 'STACK_TOP',
           'log', 'note', 'park_commands', 'ramtest', 'semihost', 'tmpfile', 'tool',
           'OpenOCDBatch', 'OpenOCDServer', 'Sim', 'free_port', 'jtag_only', 'timeout',
           'transport']
