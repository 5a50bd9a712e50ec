#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Our stm32h743 driver next to upstream's stm32h7x, in the same run and on the
same images: `flash write_image erase` + `verify_image` of 64 KiB into bank 1
and of 1 MiB into each bank. Prints every run (see benchlib.py) and then one
line per case and driver: mean simulated time of program + verify, mean host
wall time, and how much faster ours is on the simulator's virtual clock.

    testing/bench/bench_compare.py [--quick] [--runs N]
"""

import argparse
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
from bench_ours import DRIVER as OURS  # noqa: E402
from bench_upstream import DRIVER as UPSTREAM  # noqa: E402


def mean(values):
    return sum(values) / len(values)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--quick', action='store_true', help='only the 64 KiB case')
    ap.add_argument('--runs', type=int, default=benchlib.RUNS, help='runs per case and driver')
    ap.add_argument('--builddir', help='build directory (default $H743_BUILDDIR or TOP/build)')
    args = ap.parse_args(argv)

    benchlib.env.setup_environ(args.builddir)
    benchlib.env.log = lambda msg: None
    benchlib.env.tmpdir()
    board = benchlib.write_file('board.bin', benchlib.idle_firmware())
    cases = benchlib.CASES[:1] if args.quick else benchlib.CASES
    summary = []
    for case in cases:
        rng = random.Random('compare-%s' % case.name)
        files = [benchlib.write_file('%s-%d.bin' % (case.name, i), rng.randbytes(size))
                 for i, (size, _) in enumerate(case.parts)]
        for driver in (UPSTREAM, OURS):
            print('%s, %s:' % (driver.name, case.name), flush=True)
            print(benchlib.HEADER, flush=True)
            runs = []
            for n in range(1, args.runs + 1):
                phases = benchlib.run_case(driver, case, files, board)
                for phase in ('write', 'verify'):
                    print(benchlib.row(case.name, n, phase, phases[phase]), flush=True)
                runs.append(phases)
            virt = [(r['write']['virtual_ns'] + r['verify']['virtual_ns']) / 1e6 for r in runs]
            host = [r['write']['host_s'] + r['verify']['host_s'] for r in runs]
            summary.append((case.name, driver.name, mean(virt), benchlib.spread(virt),
                            mean(host)))
    print('\nprogram + verify (means over %d runs):' % args.runs)
    print('%-5s %-18s %12s %8s %10s' % ('case', 'driver', 'virtual_ms', 'spread', 'host_s'))
    for name, driver, virt, spr, host in summary:
        print('%-5s %-18s %12.1f %7.2f%% %10.2f' % (name, driver, virt, spr, host))
    for case in cases:
        rows = {d: v for n, d, v, _, _ in summary if n == case.name}
        print('%-5s ours is %.2fx faster than upstream on the virtual clock'
              % (case.name, rows[UPSTREAM.name] / rows[OURS.name]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
