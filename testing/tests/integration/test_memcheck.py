# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator and OpenOCD under a memory checker.

test_memcheck_short_session: h743sim on a short but complete session:
init, halt, memory read, load_image + verify (CRC algorithm on the core),
resume, halt, shutdown, SIGTERM.

test_memcheck_openocd_program_verify: OpenOCD with our driver on one
`program FILE ADDRESS verify` session (probe, erase, loader programming,
verify), the simulator running normally.

A sanitizer build (configure --enable-sanitizers, `make check-sanitize`) is
checked through ASan/UBSan's own reports, since valgrind cannot run ASan
binaries; otherwise valgrind memcheck must find no errors and no definite or
possible leaks (exit code 99 otherwise). Suppressions, only for code that is
not ours: testing/valgrind/unicorn.supp, testing/valgrind/openocd.supp."""

import os
import random
import re

from harness import (AXI_SRAM, Log, Sim, check, expect_eq, expect_in, fail, note, ramtest,
                     timeout)
from harness import env
from harness.board import idle_firmware, write_file
from harness.env import openocd_bin, sim_bin
from harness.procs import OpenOCDBatch


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


SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:')


# Errors valgrind finds in OpenOCD 0.12.0's own code, recognised by where
# the uninitialised bytes come from (--track-origins), since a suppression
# file can only match the stack of the error (here OpenOCD's socket write,
# which any uninitialised data sent to the target would share):
# (what the error says, the function that allocated the bytes, why).
UPSTREAM_ORIGINS = [
    ('Syscall param write(buf) points to uninitialised byte(s)', 'armv7m_blank_check_memory',
     'src/target/armv7m.c: the block list for the erase-check algorithm is malloc()ed and '
     'its terminating entry gets only .size = 0, its .address stays uninitialised and is '
     'written to the target (the algorithm never reads it); remote_bitbang then sends those '
     'TDI bits. Our driver reaches it through target_blank_check_memory.'),
]


def upstream_errors(vg):
    """(errors explained by UPSTREAM_ORIGINS, the other error blocks)."""
    known, other = 0, []
    for block in re.split(r'\n==\d+== \n', vg):
        body = re.sub(r'^==\d+== ?', '', block, flags=re.M)
        first = body.strip().split('\n', 1)[0]
        if not re.search(r'uninitialised|Invalid|Mismatched|overlap|Conditional jump|'
                         r'free\(\)|points to unaddressable', first):
            continue
        if any(first.startswith(what) and re.search(r'Uninitialised value was created[^\n]*'
                                                    r'\n(.*\n)*?.*\b%s\b' % fn, body)
               for what, fn, _ in UPSTREAM_ORIGINS):
            known += 1
        else:
            other.append(body.strip())
    return known, other


def valgrind_summary(path):
    """(errors, {kind: bytes lost}) from a valgrind log; fails without a summary."""
    with open(path, 'rb') as f:
        vg = Log(f.read().decode('utf-8', errors='replace'), 'valgrind log')
    summary = re.findall(r'ERROR SUMMARY: (\d+) errors', vg)
    if not summary:
        fail('valgrind printed no ERROR SUMMARY', vg)
    lost = {k: int(v.replace(',', '')) for k, v in
            re.findall(r'(definitely|indirectly|possibly) lost: ([\d,]+) bytes', vg)}
    return int(summary[-1]), lost, vg


@timeout(900)
def test_memcheck_openocd_program_verify():
    """One `program FILE 0x08020000 verify` session of OpenOCD with our
    driver (probe both banks, erase, loader programming, verify): valgrind
    memcheck finds no errors and no definite or possible leaks."""
    image = idle_firmware() + random.Random(77).randbytes(16 * 1024 - 32)
    path = write_file('memcheck-image.bin', image)
    cmds = ['program %s 0x08020000 verify' % path]
    board = write_file('memcheck-board.bin', idle_firmware())
    if sanitized(openocd_bin()):
        with Sim('--flash-image', board) as sim:
            out = OpenOCDBatch(sim, cmds).wait(timeout=300)
        for marker in SANITIZER_MARKERS:
            check(marker not in out, 'sanitizer report in the openocd output', out)
        note('openocd is an ASan/UBSan build: checked its reports instead of valgrind')
    else:
        vg_log = env.unique_name('valgrind-openocd', 'log')
        supp = [os.path.join(env.top_srcdir(), 'testing', 'valgrind', name)
                for name in ('openocd.supp',)]
        wrap = [env.tool('valgrind'), '--track-origins=yes', '--leak-check=full',
                '--show-leak-kinds=definite,possible', '--errors-for-leak-kinds=definite,possible',
                '--log-file=' + vg_log] + ['--suppressions=' + s for s in supp]
        with Sim('--flash-image', board) as sim:
            out = OpenOCDBatch(sim, cmds, wrap=wrap).wait(timeout=800)
        errors, lost, vg = valgrind_summary(vg_log)
        known, other = upstream_errors(vg)
        check(not other, 'valgrind: %d error(s) in openocd not explained as upstream:\n%s'
              % (len(other), '\n\n'.join(other)), vg)
        for kind in ('definitely', 'possibly'):
            expect_eq(lost.get(kind, 0), 0, 'bytes %s lost by openocd' % kind, vg)
        note('valgrind on openocd program+verify: %d error(s), %d of them upstream OpenOCD '
             '(UPSTREAM_ORIGINS), 0 of ours; %s' % (errors, known, ', '.join(
                 '%s lost %d B' % kv for kv in sorted(lost.items()))))
    expect_in('** Programming Finished **', out)
    expect_in('** Verified OK **', out)
