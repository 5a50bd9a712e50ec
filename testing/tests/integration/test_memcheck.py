# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator under a memory checker, on a short but complete session:
init, halt, memory read, load_image + verify (CRC algorithm on the core),
resume, halt, shutdown, SIGTERM. A sanitizer build (configure
--enable-sanitizers) is checked through ASan/UBSan's own reports, since
valgrind cannot run ASan binaries; otherwise valgrind memcheck must find
no errors and no definite or possible leaks (exit code 99 otherwise)."""

import re

from harness import (AXI_SRAM, Log, Sim, check, expect_eq, expect_in, fail, note, ramtest,
                     timeout)
from harness.env import sim_bin


def sanitized(path):
    with open(path, 'rb') as f:
        return b'__asan_init' in f.read()


def session(sim, fw):
    return sim.openocd(
        'init', 'halt', 'mdw 0x20000000 4',
        'load_image %s 0x%08x bin' % (fw.bin, AXI_SRAM),
        'verify_image %s 0x%08x bin' % (fw.bin, AXI_SRAM),
        'reg xPSR 0x01000000', 'resume 0x%08x' % fw.entry, 'sleep 500', 'halt',
        timeout=400)


@timeout(600)
def test_memcheck_short_session():
    fw = ramtest()
    if sanitized(sim_bin()):
        with Sim() as sim:
            out = session(sim, fw)
        log = sim.log()
        for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'):
            check(marker not in log, 'sanitizer report in h743sim output', log)
        note('h743sim is an ASan/UBSan build: checked its reports instead of valgrind')
    else:
        with Sim(valgrind=True) as sim:       # a non-zero exit (99) fails here
            out = session(sim, fw)
        with open(sim.valgrind_log, 'rb') as f:
            vg = Log(f.read().decode('utf-8', errors='replace'), 'valgrind log')
        summary = re.findall(r'ERROR SUMMARY: (\d+) errors', vg)
        if not summary:
            fail('valgrind printed no ERROR SUMMARY', vg)
        expect_eq(int(summary[-1]), 0, 'valgrind errors', vg)
        leaks = re.findall(r'(definitely|indirectly|possibly) lost: ([\d,]+) bytes', vg)
        note('valgrind: 0 errors; ' + (', '.join('%s lost %s B' % l for l in leaks)
                                      or 'all heap blocks freed'))
    expect_in('verified %d bytes' % fw.size, out)
