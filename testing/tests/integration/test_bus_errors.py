# SPDX-License-Identifier: GPL-2.0-or-later
"""Accesses to unmapped addresses (STICKYERR, OpenOCD's
src/target/adi_v5_jtag.c): OpenOCD reports the failure, does not hang, and the
next access works."""

from harness import OpenOCDServer, Sim, capture, check, expect_eq, expect_in, expect_re

UNMAPPED = 0x60000000       # FMC bank 1: nothing there on this board
# What OpenOCD logs for one failed access: the sticky flag, then the address.
FAILED = [r'^Error: JTAG-DP STICKY ERROR$',
          r'^Error: Failed to read memory at 0x%08x$' % UNMAPPED,
          r'^Error: Failed to write memory at 0x%08x$' % UNMAPPED,
          r'^Error: read_memory: read at 0x%08x with width=8 and count=4 failed$' % UNMAPPED]


def test_unmapped_read_write_batch():
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            capture('rd', 'catch {mdw 0x%08x}' % UNMAPPED),
            'mww 0x20000000 0x600dcafe', 'mdw 0x20000000',
            capture('wr', 'catch {mww 0x%08x 0x12345678}' % UNMAPPED),
            capture('rd8', 'catch {read_memory 0x%08x 8 4}' % UNMAPPED),
            'mdw 0x24000000', capture('pc', 'reg pc'),
            allow=FAILED, timeout=30)
        # catch returns 0 for success, else an error code (-107 for
        # OpenOCD's ERROR_TARGET_..., 1 for a Tcl error)
        for key in ('rd', 'wr', 'rd8'):
            check(out.value(key) != '0', 'an unmapped access (%s) did not fail' % key, out)
        expect_re(r'^Error: Failed to read memory at 0x%08x$' % UNMAPPED, out)
        expect_re(r'^Error: Failed to write memory at 0x%08x$' % UNMAPPED, out)
        expect_eq(out.mem(0x20000000), [0x600DCAFE], 'DTCM after a failed read', out)
        out.mem(0x24000000)          # still readable after the failed write
        expect_eq(out.count('JTAG-DP STICKY ERROR'), 3, 'sticky errors (one per failed access)',
                  out)
        check('Debug regions are unpowered' not in out, 'DP lost power on a bus error', out)


def test_unmapped_read_server_keeps_working():
    with Sim() as sim:
        with OpenOCDServer(sim, allow=FAILED) as ocd:
            ocd.cmd('halt')
            check(ocd.cmd('catch {mdw 0x%08x}' % UNMAPPED) != '0', 'mdw unmapped did not fail')
            ocd.cmd('mww 0x24000000 0xfeedf00d')
            expect_eq(int(ocd.cmd('read_memory 0x24000000 32 1'), 0), 0xFEEDF00D,
                      'AXI SRAM after the bus error')
            expect_eq(ocd.cmd('[target current] curstate'), 'halted', 'target state')
            expect_in('Failed to read memory at 0x%08x' % UNMAPPED, ocd.log())
