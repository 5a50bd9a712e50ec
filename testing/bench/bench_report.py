#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`make bench`: our stm32h743 driver next to upstream's stm32h7x on the same
h743sim and the same images, with the timing model's physical limit beside
them, at two JTAG wire speeds. Figures, not a test: it fails only when a
run fails or leaves the wrong flash content, never on speed.

    testing/bench/bench_report.py [--quick] [--jobs N] [--speeds HZ,HZ]
                                  [--cases 1,2,...] [--size KIB] [--out DIR]

Cases (each run on a fresh simulator, for each driver and wire speed):

    1 seed     66,560 B at 0x08000000 on a blank chip
    2 blank    2 MiB image (1 MiB per bank) on a blank chip
    3 same     the same image onto a chip already holding it
    4 sector   the image with one 128 KiB sector changed, onto the original
    5 other    the image onto a chip holding other data everywhere
    6 gdb      GDB `load` of the image as an ELF (a section per bank), blank chip
    7 verify   verify_image of the image, on a chip holding it

A write is `flash write_image erase FILE ADDR bin` then `verify_image FILE
ADDR bin` (what `program FILE ADDR verify` runs), the same commands for both
drivers. Figures per run come from the simulator's --stats (virtual clock:
total, wire = TCK time the debugger clocked, busy time of each flash bank,
flash operations) and the host's wall clock. After each run the physical
flash (h743sim --export-bank) is compared with what erase + program must
leave. The limit is computed from the simulator's timing constants
(limits.py states the formula); the table prints each case's figures.

Output: the table on stdout and in OUT/bench.txt, OUT/bench.csv and
OUT/bench.png (OUT defaults to build/bench/).
--quick: a 256 KiB image (128 KiB at the end of bank 1 and at the start of
bank 2) instead of 2 MiB, so every case still runs in both banks.
"""

import argparse
import csv
import multiprocessing
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import elfimage  # noqa: E402
import limits  # noqa: E402
from harness import (OpenOCDServer, PARK_ADDR, Sim, TestFailure, env, park_commands,  # noqa: E402
                     procs)

KIB = limits.KIB
MIB = limits.MIB
FLASH_BASE = limits.FLASH_BASE
SEED_BYTES = 66560
DEFAULT_SPEEDS = (4000000, 24000000)
DRIVERS = (('ours', 'board', 'stm32h743'), ('upstream', 'upstream', 'stm32h7x'))
CHANGED_SECTOR = 5          # the sector case 4 changes (bank 1, 0x080A0000) in the 2 MiB image
# OpenOCD answers one command (a whole 2 MiB write) within this many seconds.
COMMAND_TIMEOUT = 1800
# GDB reads around LR after attaching; the parked core's LR may point nowhere.
GDB_ALLOW = (r'^Error: JTAG-DP STICKY ERROR$',
             r'^Error: Failed to read memory at 0xfffffff[0-9a-f]$')


def vector_table(sp):
    """Stack pointer, reset vector to 0x08000008 (Thumb), `b .`: a chip holding
    such an image boots into an idle loop (not into random code)."""
    return struct.pack('<IIH', sp, FLASH_BASE + 9, 0xE7FE)


class Case:
    def __init__(self, num, key, title, initial, steps, base, image, expected, limit):
        self.num, self.key, self.title = num, key, title
        self.initial = initial          # file for --flash-image, or None (blank chip)
        self.steps = steps              # [(phase, kind, path)]
        self.base, self.image, self.expected = base, image, expected
        self.limit = limit              # {tck_hz: limits.Limit}

    @property
    def label(self):
        return '%d %s' % (self.num, self.title)


def make_cases(size, speeds, consts, scratch, wanted):
    """The images (written into scratch) and the seven cases."""
    def put(name, data):
        path = os.path.join(scratch, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    rng = random.Random('h743-bench')
    blank = b'\xff' * (2 * MIB)
    base = FLASH_BASE + MIB - size // 2
    image = rng.randbytes(size)
    if base == FLASH_BASE:
        image = vector_table(0x20020000) + image[10:]
    seed = vector_table(0x20020000) + rng.randbytes(SEED_BYTES - 10)
    other = vector_table(0x20010000) + rng.randbytes(2 * MIB - 10)
    changed = bytearray(image)
    sector = CHANGED_SECTOR if size == 2 * MIB else (MIB - size // 2) // limits.SECTOR_BYTES
    lo = sector * limits.SECTOR_BYTES - (base - FLASH_BASE)
    changed[lo:lo + limits.SECTOR_BYTES] = rng.randbytes(limits.SECTOR_BYTES)
    changed = bytes(changed)
    holding = limits.target_content(blank, base, image)

    files = {'seed': put('seed.bin', seed), 'image': put('image.bin', image),
             'changed': put('changed.bin', changed), 'holding': put('chip-holding.bin', holding),
             'other': put('chip-other.bin', other)}
    elf = os.path.join(scratch, 'image.elf')
    split = FLASH_BASE + MIB - base
    elfimage.write_elf(elf, [('.bank1', base, image[:split]), ('.bank2', FLASH_BASE + MIB,
                                                                    image[split:])])
    files['elf'] = elf

    def write_limits(chip, b, img, verify=True):
        return {hz: limits.write_limit(consts, chip, b, img, hz, verify) for hz in speeds}

    sz = '%d %s' % ((size // MIB, 'MiB') if size >= MIB else (size // KIB, 'KiB'))
    write = lambda f: [('write', 'write', f), ('verify', 'verify', f)]
    cases = [
        Case(1, 'seed', 'seed 65 KiB, blank chip', None, write(files['seed']), FLASH_BASE,
             seed, limits.target_content(blank, FLASH_BASE, seed),
             write_limits(blank, FLASH_BASE, seed)),
        Case(2, 'blank', '%s, blank chip' % sz, None, write(files['image']), base, image,
             holding, write_limits(blank, base, image)),
        Case(3, 'same', '%s, unchanged' % sz, files['holding'], write(files['image']), base,
             image, holding, write_limits(holding, base, image)),
        Case(4, 'sector', '%s, 1 sector changed' % sz, files['holding'],
             write(files['changed']), base, changed,
             limits.target_content(holding, base, changed), write_limits(holding, base, changed)),
        Case(5, 'other', '%s over other data' % sz, files['other'], write(files['image']),
             base, image, limits.target_content(other, base, image),
             write_limits(other, base, image)),
        Case(6, 'gdb', 'GDB load %s ELF, blank' % sz, None, [('load', 'gdb', files['elf'])],
             base, image, holding, write_limits(blank, base, image, verify=False)),
        Case(7, 'verify', 'verify_image %s' % sz, files['holding'],
             [('verify', 'verify', files['image'])], base, image, holding,
             {hz: limits.verify_limit(consts, size) for hz in speeds}),
    ]
    return [c for c in cases if c.num in wanted or c.key in wanted]


# ---- one run -------------------------------------------------------------------------

def snapshot(sim):
    s = sim.stats()
    banks = s['flash']['banks']
    return {
        'virtual_ns': s['virtual_ns'], 'wire_ns': s['wire_ns'],
        'runahead_ns': s['runahead_ns'], 'skip_ns': s.get('skip_ns', 0),
        'tck_cycles': s['tck_cycles'], 'cpu_instructions': s['cpu_instructions'],
        'busy_ns': [b['busy_ns'] for b in banks],
        'words_programmed': sum(b['words_programmed'] for b in banks),
        'sectors_erased': sum(b['sectors_erased'] for b in banks),
        'bank_erases': sum(b['bank_erases'] for b in banks),
        'crc_runs': sum(b['crc_runs'] for b in banks),
        'host_s': time.monotonic(),
    }


def delta(a, b):
    return {k: ([y - x for x, y in zip(a[k], b[k])] if isinstance(a[k], list) else b[k] - a[k])
            for k in a}


def export_flash(state):
    """Both physical banks of a stopped simulator's state file."""
    data = b''
    for bank in (1, 2):
        out = state + '.bank%d' % bank
        subprocess.run([env.sim_bin(), '--state', state, '--export-bank', str(bank), out],
                       check=True, capture_output=True, timeout=60)
        with open(out, 'rb') as f:
            data += f.read()
        os.unlink(out)
    return data


def first_difference(got, want):
    for off in range(0, len(want), 4096):
        if got[off:off + 4096] != want[off:off + 4096]:
            for i in range(off, min(off + 4096, len(want))):
                if got[i] != want[i]:
                    return FLASH_BASE + i
    return None


# The cases of this run (set before the workers fork: tasks name them by number).
CASES = {}


def run_one(task):
    """One (speed, case, driver) on a fresh simulator; returns a result dict."""
    speed, num, (driver, config, _), scratch, verbose = task
    case = CASES[num]
    env._tmpdir = tempfile.mkdtemp(prefix='run-', dir=scratch)
    result = {'tck_hz': speed, 'case': num, 'driver': driver, 'phases': {}, 'error': None}
    args = ['--tck-hz', str(speed)] + (['--flash-image', case.initial] if case.initial else [])
    setup = park_commands() + ['reg lr 0x%08x' % (PARK_ADDR | 1)]
    try:
        with Sim(*args) as sim:
            with OpenOCDServer(sim, 'reset halt', *setup, config=config,
                               timeout=COMMAND_TIMEOUT, allow=GDB_ALLOW) as ocd:
                for phase, kind, path in case.steps:
                    before = snapshot(sim)
                    if kind == 'write':
                        ocd.cmd('flash write_image erase %s 0x%08x bin' % (path, case.base))
                    elif kind == 'verify':
                        ocd.cmd('verify_image %s 0x%08x bin' % (path, case.base))
                    else:
                        out = ocd.gdb(path, 'set remotetimeout %d' % COMMAND_TIMEOUT, 'load',
                                      timeout=COMMAND_TIMEOUT)
                        if out.returncode != 0 or 'Transfer rate' not in out:
                            raise TestFailure('gdb load failed (%s): %s'
                                              % (out.returncode, ' | '.join(out.lines()[-4:])))
                    result['phases'][phase] = delta(before, snapshot(sim))
            state = sim.state_file
        got = export_flash(state)
        bad = first_difference(got, case.expected)
        if bad is not None:
            result['error'] = 'flash content wrong from 0x%08x' % bad
    except TestFailure as e:
        # the failed command and OpenOCD's answer (harness: first two lines)
        result['error'] = ' '.join(' '.join(str(e).split('\n')[:2]).split())[:400]
        result['log_dir'] = env._tmpdir
        if verbose:
            print(str(e), flush=True)
    except Exception:                   # a bug here: keep the others going
        result['error'] = traceback.format_exc().strip().split('\n')[-1]
        if verbose:
            traceback.print_exc()
    finally:
        procs.cleanup()
        if not verbose and not result.get('log_dir'):
            shutil.rmtree(env._tmpdir, ignore_errors=True)
    return result


def _worker_init():
    # pool.terminate() sends SIGTERM: end the simulators and OpenOCDs we started
    def stop(signum, frame):
        procs.cleanup()
        os._exit(1)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---- report --------------------------------------------------------------------------

def summarize(r, case):
    """Flat figures of one run (ms, s) for the table and the CSV."""
    limit = case.limit[r['tck_hz']]
    ms = lambda ns: ns / 1e6
    ph = r['phases']
    tot = lambda key: sum(p[key] for p in ph.values())
    row = {'tck_hz': r['tck_hz'], 'case_id': case.num, 'case': case.label,
           'driver': r['driver'], 'ok': 'no' if r['error'] else 'yes',
           'error': r['error'] or ''}
    if ph:
        row.update({
            'sim_ms': ms(tot('virtual_ns')),
            'write_ms': ms(sum(p['virtual_ns'] for k, p in ph.items() if k != 'verify')),
            'verify_ms': ms(ph['verify']['virtual_ns']) if 'verify' in ph else 0.0,
            'wire_ms': ms(tot('wire_ns')), 'runahead_ms': ms(tot('runahead_ns')),
            'skip_ms': ms(tot('skip_ns')),
            'busy1_ms': ms(sum(p['busy_ns'][0] for p in ph.values())),
            'busy2_ms': ms(sum(p['busy_ns'][1] for p in ph.values())),
            'tck_cycles': tot('tck_cycles'), 'cpu_instructions': tot('cpu_instructions'),
            'words_programmed': tot('words_programmed'), 'sectors_erased': tot('sectors_erased'),
            'bank_erases': tot('bank_erases'), 'crc_runs': tot('crc_runs'),
            'host_s': tot('host_s'),
        })
    row.update({'limit_ms': limit.total * 1e3, 'limit_check_ms': limit.check * 1e3,
                'limit_erase1_ms': limit.erase[0] * 1e3, 'limit_erase2_ms': limit.erase[1] * 1e3,
                'limit_prog1_ms': limit.prog[0] * 1e3, 'limit_prog2_ms': limit.prog[1] * 1e3,
                'limit_wire_ms': limit.wire * 1e3, 'limit_verify_ms': limit.verify * 1e3})
    return row


CSV_FIELDS = ['tck_hz', 'case_id', 'case', 'driver', 'ok', 'error', 'sim_ms', 'write_ms',
              'verify_ms', 'wire_ms', 'runahead_ms', 'skip_ms', 'busy1_ms', 'busy2_ms',
              'tck_cycles', 'cpu_instructions', 'words_programmed', 'sectors_erased',
              'bank_erases', 'crc_runs', 'host_s', 'vs_upstream', 'host_vs_upstream',
              'limit_ms', 'vs_limit', 'limit_check_ms', 'limit_erase1_ms', 'limit_erase2_ms',
              'limit_prog1_ms', 'limit_prog2_ms', 'limit_wire_ms', 'limit_verify_ms']

HEAD = ('%-30s %-8s %9s %8s %8s %8s %7s %8s %7s %8s %7s  %s'
        % ('case', 'driver', 'sim_ms', 'wire_ms', 'busy1', 'busy2', 'host_s', 'vs_up',
           'host_up', 'limit_ms', 'vs_lim', 'flash operations'))


def ratio(r):
    """A ratio for the table: 0.22x, 0.0042x, 6337x."""
    if not isinstance(r, float):
        return '-'
    if r >= 100:
        return '%.0fx' % r
    return ('%.2fx' if r >= 0.1 else '%.2gx') % r


def add_ratios(rows):
    by = {(r['tck_hz'], r['case_id'], r['driver']): r for r in rows}
    for r in rows:
        up = by.get((r['tck_hz'], r['case_id'], 'upstream'))
        if r['ok'] == 'yes' and up and up['ok'] == 'yes':
            r['vs_upstream'] = r['sim_ms'] / up['sim_ms'] if up['sim_ms'] else 0.0
            r['host_vs_upstream'] = r['host_s'] / up['host_s'] if up['host_s'] else 0.0
        if r['ok'] == 'yes' and r['limit_ms']:
            r['vs_limit'] = r['sim_ms'] / r['limit_ms']


def table_lines(rows, speeds, cases, consts):
    lines = []
    for hz in speeds:
        lines.append('')
        lines.append('== JTAG TCK %g MHz (h743sim --tck-hz %d): simulated time on the virtual '
                     'clock, host wall time ==' % (hz / 1e6, hz))
        lines.append(HEAD)
        for case in cases:
            first = True
            for driver, _, _ in DRIVERS:
                r = next((x for x in rows if x['tck_hz'] == hz and x['case_id'] == case.num
                          and x['driver'] == driver), None)
                if r is None:
                    continue
                label = case.label if first else ''
                first = False
                if r['ok'] != 'yes':
                    lines.append('%-30s %-8s FAILED: %s' % (label, driver, r['error']))
                    continue
                ops = 'erase %d bank + %d sect, prog %d words, crc %d' % (
                    r['bank_erases'], r['sectors_erased'], r['words_programmed'], r['crc_runs'])
                lines.append('%-30s %-8s %9.1f %8.1f %8.1f %8.1f %7.2f %8s %7s %8s %7s  %s' % (
                    label, driver, r['sim_ms'], r['wire_ms'], r['busy1_ms'], r['busy2_ms'],
                    r['host_s'],
                    ratio(r.get('vs_upstream')) if driver != 'upstream' else '',
                    ratio(r.get('host_vs_upstream')) if driver != 'upstream' else '',
                    '%.1f' % r['limit_ms'], ratio(r.get('vs_limit')), ops))
        lines.append('limits at %g MHz (ms): limit = max(check + flash, wire) + verify, '
                     'flash = max over banks (erase + program) (testing/bench/limits.py)'
                     % (hz / 1e6))
        for case in cases:
            lim = case.limit[hz]
            lines.append('  %-30s %8.1f = %s%s' % (case.label, lim.total * 1e3, lim.formula(),
                                                 ' [erase: %s]' % lim.erase_what
                                                 if lim.erase_what else ''))
    lines.append('')
    lines.append(consts.describe())
    lines.append('columns: sim_ms = virtual time of write + verify (GDB: the whole load); '
                 'wire_ms = TCK time in it; busy1/2 = flash bank busy ms; vs_up = ours/upstream '
                 '(virtual), host_up = ours/upstream (host wall); vs_lim = sim_ms/limit_ms')
    return lines


def write_plot(csv_path, png_path):
    """PNG via matplotlib, in this interpreter or Debian's (python3-matplotlib)."""
    try:
        import plot
        plot.plot(csv_path, png_path)
        return None
    except ImportError:
        pass
    for python in ('/usr/bin/python3',):
        if os.path.exists(python) and os.path.realpath(python) != os.path.realpath(
                sys.executable):
            p = subprocess.run([python, os.path.join(HERE, 'plot.py'), csv_path, png_path],
                               capture_output=True, text=True)
            if p.returncode == 0:
                return None
            return 'plot failed: ' + (p.stderr.strip().split('\n') or [''])[-1]
    return 'no PNG: matplotlib is missing (Debian: apt-get install python3-matplotlib)'


def keep_failed(results, out_dir):
    """Move the directories of failed runs (logs, state file) to OUT/failed/."""
    shutil.rmtree(os.path.join(out_dir, 'failed'), ignore_errors=True)
    for r in results:
        if r.get('log_dir') and os.path.isdir(r['log_dir']):
            dst = os.path.join(out_dir, 'failed', '%s-%dMHz-%s' % (
                CASES[r['case']].key, r['tck_hz'] // 1000000, r['driver']))
            shutil.move(r['log_dir'], dst)
            r['log_dir'] = dst
            r['error'] += ' (logs: %s)' % os.path.relpath(dst)


def snapshot_install(scratch):
    """Measure a copy of the staged install tree (openocd, its scripts, h743sim):
    a rebuild in the build directory during the run cannot swap binaries
    under it. OpenOCD finds its scripts relative to its executable."""
    src = env.install_dir()
    # another make may be staging it right now: wait for that a while
    deadline = time.monotonic() + 600
    while not all(os.access(os.path.join(src, 'bin', b), os.X_OK) for b in ('openocd', 'h743sim')):
        if time.monotonic() > deadline:
            break
        if deadline - time.monotonic() > 595:
            print('bench: waiting for %s/bin/openocd and h743sim (a rebuild?)' % src,
                  flush=True)
        time.sleep(5)
    time.sleep(0 if os.path.exists(os.path.join(src, 'share')) else 5)
    env.sim_bin(), env.openocd_bin()           # fail now if not built
    dst = os.path.join(scratch, 'install')
    shutil.copytree(src, dst, symlinks=True)
    os.environ['H743_INSTALL'] = dst
    env.sim_bin(), env.openocd_bin()


def parse_list(text, conv):
    return [conv(x) for x in text.split(',') if x.strip()]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--quick', action='store_true',
                    help='256 KiB image instead of 2 MiB (every case, both speeds)')
    ap.add_argument('--size', type=int, help='image size in KiB, a multiple of 256 up to 2048')
    ap.add_argument('--speeds', default=','.join(str(s) for s in DEFAULT_SPEEDS),
                    help='TCK frequencies in Hz (default %(default)s)')
    ap.add_argument('--cases', default='1,2,3,4,5,6,7', help='case numbers or names')
    ap.add_argument('--drivers', default='ours,upstream', help='ours, upstream or both')
    ap.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                    help='runs at once (default 2, or 1 on one core; host times are '
                    'measured under that load)')
    ap.add_argument('--out', help='output directory (default BUILDDIR/bench)')
    ap.add_argument('--builddir', help='build directory (default $H743_BUILDDIR or TOP/build)')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='harness log, run directories kept')
    args = ap.parse_args(argv)

    env.setup_environ(args.builddir)
    if not args.verbose:
        env.log = lambda msg: None
    size = (args.size or (256 if args.quick else 2048)) * KIB
    if size % (256 * KIB) or not 0 < size <= 2 * MIB:
        ap.error('--size must be a multiple of 256 KiB, at most 2048')
    speeds = parse_list(args.speeds, int)
    wanted = parse_list(args.cases, lambda x: int(x) if x.strip().isdigit() else x.strip())
    drivers = [d for d in DRIVERS if d[0] in parse_list(args.drivers, str.strip)]
    out_dir = args.out or os.path.join(env.builddir(), 'bench')
    os.makedirs(out_dir, exist_ok=True)
    consts = limits.Constants(os.path.join(env.top_srcdir(), 'testing', 'sim'))
    if 6 in wanted or 'gdb' in wanted:
        env.tool('gdb-multiarch')

    scratch = tempfile.mkdtemp(prefix='h743-bench-')
    started = time.monotonic()
    results = []
    try:
        try:
            snapshot_install(scratch)
        except TestFailure as e:
            print('bench: %s' % e)
            return 1
        cases = make_cases(size, speeds, consts, scratch, wanted)
        CASES.update((c.num, c) for c in cases)
        tasks = [(hz, case.num, d, scratch, args.verbose)
                 for hz in speeds for case in cases for d in drivers]
        # the long runs first, so that no worker is left with one at the end
        weight = lambda t: (CASES[t[1]].key not in ('seed', 'verify')) * 2 + (t[2][0] == 'upstream')
        tasks.sort(key=weight, reverse=True)
        print('bench: %d runs (%d cases x %d drivers x %d wire speeds), %d at once; '
              'scratch %s' % (len(tasks), len(cases), len(drivers), len(speeds), args.jobs,
                              scratch), flush=True)

        def progress(r):
            results.append(r)
            figure = ('FAILED: %s' % r['error'] if r['error'] else '%.1f ms simulated, %.1f s host'
                      % (sum(p['virtual_ns'] for p in r['phases'].values()) / 1e6,
                         sum(p['host_s'] for p in r['phases'].values())))
            print('[%2d/%d %4.0fs] %g MHz  %-30s %-8s %s'
                  % (len(results), len(tasks), time.monotonic() - started, r['tck_hz'] / 1e6,
                     CASES[r['case']].label, r['driver'], figure), flush=True)

        if args.jobs <= 1:
            for t in tasks:
                progress(run_one(t))
        else:
            pool = multiprocessing.get_context('fork').Pool(args.jobs, _worker_init)
            try:
                for r in pool.imap_unordered(run_one, tasks):
                    progress(r)
                pool.close()
            except KeyboardInterrupt:
                pool.terminate()
                raise
            finally:
                pool.join()
    finally:
        procs.cleanup()
        keep_failed(results, out_dir)
        if not args.verbose:
            shutil.rmtree(scratch, ignore_errors=True)

    rows = [summarize(r, CASES[r['case']]) for r in results]
    order = {(hz, c.num, d[0]): i for i, (hz, c, d) in
             enumerate((hz, c, d) for hz in speeds for c in cases for d in drivers)}
    rows.sort(key=lambda r: order[(r['tck_hz'], r['case_id'], r['driver'])])
    add_ratios(rows)
    lines = ['bench: stm32h743 (board/h743sim.cfg) vs upstream stm32h7x '
             '(target/stm32h7x_dual_bank.cfg), same h743sim and images; %d run(s) at once, '
             '%.0f s' % (args.jobs, time.monotonic() - started)]
    lines += table_lines(rows, speeds, cases, consts)
    text = '\n'.join(lines) + '\n'
    print(text, end='')
    txt_path, csv_path, png_path = (os.path.join(out_dir, 'bench.' + e)
                                    for e in ('txt', 'csv', 'png'))
    with open(txt_path, 'w') as f:
        f.write(text)
    with open(csv_path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow({k: ('%.3f' % v if isinstance(v, float) else v) for k, v in r.items()})
    problem = write_plot(csv_path, png_path)
    print('written: %s, %s%s' % (txt_path, csv_path, '' if problem else ', ' + png_path))
    if problem:
        print('bench: ' + problem)
    failed = [r for r in rows if r['ok'] != 'yes']
    if failed:
        print('bench: %d run(s) FAILED (see the table)' % len(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
