#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile clients against one h743sim for a long time (issue 9's soak).

    testing/stress/hostile_soak.py --duration 600          # 10 minutes
    testing/stress/hostile_soak.py --duration 60 --builddir build

Runs bursts of testing/harness/hostile.py traffic (random bytes, a second
client while one is connected, a silent client, a client that never reads
its replies, a huge valid stream, a slow drip) against one simulator on
127.0.0.1 until the duration has passed, printing RSS and open files every
--every seconds. At the end a short OpenOCD session must work, the
simulator must exit within 1 s of SIGTERM, RSS may not have grown more
than --max-growth KiB after the warm-up bursts, and no file descriptor may
be left open. Exit status 0 when all of that holds, 1 otherwise.

Not part of `make check` (the in-suite version, a bounded burst, is
test_hostile_clients::test_hostile_burst_no_crash_hang_or_leak). Needs the
build: build/install/bin/h743sim and openocd.
"""

import argparse
import os
import random
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from harness import Sim, TestFailure, env, hostile, procs  # noqa: E402


def soak(args):
    rng = random.Random(args.seed)
    with Sim() as sim:
        pid = sim.proc.pid
        rss_start = hostile.rss_kib(pid)
        print('at start: RSS %d KiB, %d fds' % (rss_start, hostile.fd_count(pid)), flush=True)
        for _ in range(args.warmup):
            hostile.burst(sim.port, rng)
        time.sleep(0.2)
        rss0, fds0 = hostile.rss_kib(pid), hostile.fd_count(pid)
        print('after %d warm-up bursts: RSS %d KiB, %d fds' % (args.warmup, rss0, fds0),
              flush=True)
        t0 = time.monotonic()
        last = t0
        bursts = 0
        peak = rss0
        while time.monotonic() - t0 < args.duration:
            hostile.burst(sim.port, rng)
            bursts += 1
            peak = max(peak, hostile.rss_kib(pid))
            if time.monotonic() - last >= args.every:
                last = time.monotonic()
                print('%6.0f s: %d bursts, RSS %d KiB (peak %d), %d fds'
                      % (last - t0, bursts, hostile.rss_kib(pid), peak, hostile.fd_count(pid)),
                      flush=True)
        time.sleep(0.2)
        rss1, fds1 = hostile.rss_kib(pid), hostile.fd_count(pid)
        out = sim.openocd('init', 'reset halt', 'mww 0x24000000 0xfeedc0de',
                          'mdw 0x24000000')
        ok_session = '0x24000000: feedc0de' in out
        stats = sim.stats()
        t = time.monotonic()
        sim.proc.send_signal(signal.SIGUSR1)
        sim.proc.send_signal(signal.SIGTERM)
        code = procs.end(sim.proc, signal.SIGTERM, 10)
        exit_s = time.monotonic() - t
    print('%d bursts in %.0f s; RSS %d at start, %d after warm-up -> %d KiB at the end '
          '(peak %d), fds %d -> %d; '
          '%d connections, %d refused, %d dropped; OpenOCD session %s; '
          'exit %d in %.0f ms after SIGTERM'
          % (bursts, args.duration, rss_start, rss0, rss1, peak, fds0, fds1,
             stats['connections'], stats['refused_connections'], stats['dropped_connections'],
             'ok' if ok_session else 'FAILED', code, exit_s * 1e3))
    problems = []
    if rss1 - rss0 > args.max_growth:
        problems.append('RSS grew by %d KiB (limit %d)' % (rss1 - rss0, args.max_growth))
    if fds1 != fds0:
        problems.append('open files %d -> %d' % (fds0, fds1))
    if not ok_session:
        problems.append('the OpenOCD session after the soak failed')
    if code != 0 or exit_s >= 1.0:
        problems.append('exit code %d, %.2f s after SIGTERM' % (code, exit_s))
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--duration', type=float, default=600, help='seconds of traffic (600)')
    p.add_argument('--every', type=float, default=30, help='report interval, seconds (30)')
    p.add_argument('--warmup', type=int, default=3, help='bursts before the RSS baseline (3)')
    p.add_argument('--max-growth', type=int, default=4096, help='allowed RSS growth, KiB')
    p.add_argument('--seed', type=int, default=9)
    p.add_argument('--builddir', help='build directory (default: build/ next to testing/)')
    args = p.parse_args()
    env.setup_environ(args.builddir)
    try:
        problems = soak(args)
    except TestFailure as e:
        problems = [str(e)]
    finally:
        procs.cleanup()
    for line in problems:
        print('FAIL: ' + line)
    if problems:
        print('FAILED (files kept in %s)' % env.tmpdir())
        return 1
    shutil.rmtree(env.tmpdir(), ignore_errors=True)
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
