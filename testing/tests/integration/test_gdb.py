# SPDX-License-Identifier: GPL-2.0-or-later
"""gdb-multiarch through OpenOCD's gdb server (src/server/gdb_server.c):
load ramtest into RAM, hardware breakpoint, stepi, registers, memory."""

import re

from harness import (RAMTEST_BP_INTERVAL, RAMTEST_PATTERN, OpenOCDServer, Sim, check,
                     expect_eq, expect_in, expect_not_in, expect_re, fail, park_commands,
                     ramtest)
from harness.checks import FIRMWARE_STARTED


# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')


def gdb_words(out, symbol):
    """Words printed by `x/Nxw &symbol`."""
    words = []
    for m in re.finditer(r'^0x[0-9a-f]+ <%s(?:\+\d+)?>:\s+(.*)$' % symbol, out, re.MULTILINE):
        words += [int(w, 16) for w in m.group(1).split()]
    if not words:
        fail('no x/ output for %s' % symbol, out)
    return words


def test_gdb_load_break_step():
    fw = ramtest()
    bp = fw.sym('bp_target')
    with Sim() as sim:
        # GDB attaches to a parked core, not to the blank chip's lockup state;
        # from the marker on, a lockup is an error.
        with OpenOCDServer(sim, *park_commands(), 'echo %s' % FIRMWARE_STARTED) as ocd:
            out = ocd.gdb(
                fw.elf,
                'load',
                'compare-sections',
                'hbreak bp_target',
                'continue',
                'printf "PC_AT_BP=0x%x\\n", $pc',
                'stepi',
                'printf "PC_AFTER_STEPI=0x%x\\n", $pc',
                'info registers',
                'info registers fpscr',
                'x/8xw &pattern_buffer',
                'printf "COUNTER=%u\\n", ramtest_counter',
                'delete',
                'detach')
            expect_not_in('Remote communication error', out)
            expect_not_in('Remote connection closed', out)
            expect_re(r'^Start address 0x%08x, load size %d$' % (fw.entry, fw.size), out,
                      'gdb load')
            expect_in('matched', out)
            expect_not_in('MIS-MATCHED', out)
            expect_re(r'Hardware assisted breakpoint 1 at 0x%x' % bp, out, 'hbreak')
            expect_re(r'Breakpoint 1, (0x[0-9a-f]+ in )?bp_target ', out, 'continue')
            pc_bp = int(expect_re(r'^PC_AT_BP=(0x[0-9a-f]+)$', out).group(1), 16)
            expect_eq(pc_bp, bp, 'pc at the hardware breakpoint', out)
            pc_step = int(expect_re(r'^PC_AFTER_STEPI=(0x[0-9a-f]+)$', out).group(1), 16)
            check(pc_step != pc_bp, 'stepi did not move pc from %#x' % pc_bp, out)
            check(fw.contains('bp_target', pc_step), 'stepi left bp_target: pc %#x' % pc_step, out)
            for reg in ['r0', 'r12', 'sp', 'lr', 'pc', 'xPSR']:
                expect_re(r'^%s\s+0x[0-9a-f]+' % reg, out, 'info registers (%s)' % reg)
            expect_re(r'^fpscr\s+0x[0-9a-f]+', out, 'info registers fpscr')
            expect_eq(gdb_words(out, 'pattern_buffer'), RAMTEST_PATTERN[:8],
                      'x/8xw &pattern_buffer', out)
            counter = int(expect_re(r'^COUNTER=(\d+)$', out).group(1))
            expect_eq(counter, RAMTEST_BP_INTERVAL, 'ramtest_counter at the first bp_target call',
                      out)
        stats = sim.stats()
        expect_eq(stats['connections'], 1, 'sim connections')
