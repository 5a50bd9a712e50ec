# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared part of the flash benchmarks (bench_upstream.py, bench_ours.py).

A benchmark names a Driver (OpenOCD config, and how to write and verify an
image); run() then measures the same cases for it, each on a fresh h743sim
with OpenOCD kept running (harness.OpenOCDServer):

    64KB   one 64 KiB random image into bank 1 (0x08000000)
    2MB    1 MiB random images into bank 1 and into bank 2 (0x08100000)

Per case and run it prints, for the write (erase included) and for the
verify: the simulated time from the simulator's statistics (virtual ms,
split into wire = TCK time the debugger clocked, runahead = the chip running
on its own while the wire is idle, skip = jumps to the next flash event
while nothing else happens), TCK cycles, CPU instructions, busy time of each
flash bank, and host wall time. Every case runs twice; the virtual times of
the runs should agree within a few percent (the simulator never reads the
wall clock, but the split of work between wire and runahead depends on how
OpenOCD's polls fall).
"""

import argparse
import os
import random
import shutil
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import OpenOCDServer, Sim, TestFailure, env, fail, procs  # noqa: E402

KIB = 1024
MIB = 1024 * KIB
BANK_BASE = (0x08000000, 0x08100000)
RUNS = 2
# OpenOCD answers one command within this many seconds (a 1 MiB write
# through remote_bitbang takes a while on a slow host).
COMMAND_TIMEOUT = 1800


class Driver:
    """How one flash driver is driven: OpenOCD config (harness config name
    or list), extra commands before init, and the write/verify commands."""

    def __init__(self, name, config, setup=(),
                 write='flash write_image erase {path} 0x{address:08x}',
                 verify='verify_image {path} 0x{address:08x}',
                 allow=()):
        self.name, self.config, self.setup = name, config, list(setup)
        self.write, self.verify, self.allow = write, verify, list(allow)


class Case:
    """Images (size, address) written in one go."""

    def __init__(self, name, parts):
        self.name = name
        self.parts = parts

    @property
    def size(self):
        return sum(size for size, _ in self.parts)


CASES = [Case('64KB', [(64 * KIB, BANK_BASE[0])]),
         Case('2MB', [(1 * MIB, BANK_BASE[0]), (1 * MIB, BANK_BASE[1])])]


def idle_firmware():
    """Vector table + `b .`: the board boots into an idle loop, not lockup."""
    code = struct.pack('<IIH', 0x20020000, 0x08000009, 0xE7FE)
    return code + b'\xff' * (32 - len(code))


def write_file(name, data):
    path = env.tmpfile(name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


# ---- one measured run --------------------------------------------------------------

def snapshot(sim):
    s = sim.stats()
    return {
        'virtual_ns': s['virtual_ns'], 'wire_ns': s['wire_ns'],
        'runahead_ns': s['runahead_ns'], 'skip_ns': s.get('skip_ns', 0),
        'tck_cycles': s['tck_cycles'], 'cpu_instructions': s['cpu_instructions'],
        'busy_ns': [b['busy_ns'] for b in s['flash']['banks']],
        'words': [b['words_programmed'] for b in s['flash']['banks']],
        'host_s': time.monotonic(),
    }


def delta(a, b):
    d = {}
    for key in a:
        if isinstance(a[key], list):
            d[key] = [y - x for x, y in zip(a[key], b[key])]
        else:
            d[key] = b[key] - a[key]
    return d


def run_case(driver, case, files, board):
    """One run on a fresh simulator: returns {'write': delta, 'verify': delta}."""
    with Sim('--flash-image', board) as sim:
        with OpenOCDServer(sim, 'reset halt', config=driver.config, setup=driver.setup,
                           allow=driver.allow, timeout=COMMAND_TIMEOUT) as ocd:
            phases = {}
            for phase, template in (('write', driver.write), ('verify', driver.verify)):
                before = snapshot(sim)
                for path, (size, address) in zip(files, case.parts):
                    ocd.cmd(template.format(path=path, address=address))
                phases[phase] = delta(before, snapshot(sim))
            expected = sum(size for size, _ in case.parts) // 32
            got = sum(phases['write']['words'])
            if got != expected:
                fail('%s: %d flash words programmed, expected %d' % (case.name, got, expected))
    return phases


# ---- report ------------------------------------------------------------------------

HEADER = ('%-5s %-3s %-6s %10s %9s %9s %10s %10s %11s %10s %10s %8s'
          % ('case', 'run', 'phase', 'virt_ms', 'wire_ms', 'ahead_ms', 'skip_ms', 'tck',
             'cpu_instr', 'busy1_ms', 'busy2_ms', 'host_s'))


def row(case, run, phase, d):
    ms = lambda ns: ns / 1e6
    return ('%-5s %-3d %-6s %10.1f %9.1f %9.1f %10.1f %10d %11d %10.1f %10.1f %8.2f'
            % (case, run, phase, ms(d['virtual_ns']), ms(d['wire_ns']), ms(d['runahead_ns']),
               ms(d['skip_ns']), d['tck_cycles'], d['cpu_instructions'], ms(d['busy_ns'][0]),
               ms(d['busy_ns'][1]), d['host_s']))


def spread(values):
    """(max - min) / mean in percent."""
    mean = sum(values) / len(values)
    return 100.0 * (max(values) - min(values)) / mean if mean else 0.0


def run(driver, argv, description=None):
    """Command line of a benchmark script: [--quick] [--runs N] [--keep]
    [--builddir DIR] [-v]."""
    ap = argparse.ArgumentParser(description=description or 'flash benchmark: ' + driver.name)
    ap.add_argument('--quick', action='store_true', help='only the 64 KiB case')
    ap.add_argument('--runs', type=int, default=RUNS, help='runs per case (default %d)' % RUNS)
    ap.add_argument('--builddir', help='build directory (default $H743_BUILDDIR or TOP/build)')
    ap.add_argument('--keep', action='store_true', help='keep the scratch directory')
    ap.add_argument('-v', '--verbose', action='store_true', help='show the harness log')
    args = ap.parse_args(argv)

    env.setup_environ(args.builddir)
    if not args.verbose:
        env.log = lambda msg: None
    cases = CASES[:1] if args.quick else CASES
    scratch = env.tmpdir()
    board = write_file('board.bin', idle_firmware())
    failed = False
    print('%s: flash write_image erase + verify_image on h743sim (%s)'
          % (driver.name, ' '.join(c.name for c in cases)), flush=True)
    print(HEADER, flush=True)
    try:
        for case in cases:
            rng = random.Random('%s-%s' % (case.name, driver.name))
            files = [write_file('%s-%d.bin' % (case.name, i), rng.randbytes(size))
                     for i, (size, _) in enumerate(case.parts)]
            totals = []
            for n in range(1, args.runs + 1):
                phases = run_case(driver, case, files, board)
                for phase in ('write', 'verify'):
                    print(row(case.name, n, phase, phases[phase]), flush=True)
                totals.append(phases)
            for phase in ('write', 'verify'):
                virt = [t[phase]['virtual_ns'] for t in totals]
                print('%-5s     %-6s virtual time spread over %d runs: %.2f%%; '
                      '%.1f KiB/s simulated'
                      % (case.name, phase, len(virt), spread(virt),
                         case.size / KIB / (sum(virt) / len(virt) / 1e9)), flush=True)
    except TestFailure as e:
        print('FAILED: %s' % e, flush=True)
        failed = True
    finally:
        procs.cleanup()
        if args.keep or failed:
            print('files kept in %s' % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0
