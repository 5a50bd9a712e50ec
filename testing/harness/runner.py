# SPDX-License-Identifier: GPL-2.0-or-later
"""Test runner: finds the tests, runs each in its own worker process (in
parallel), enforces time limits and prints one line per test plus a final
`N passed, N failed` line.

Integration tests are functions named test_* in
testing/tests/integration/test_*.py; each runs in a worker process that is
a process-group leader, so a hard timeout kills it with everything it
started. Unit tests are the cmocka programs the build made.
"""

import argparse
import fnmatch
import glob
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from . import env, procs
from .checks import TestFailure

DEFAULT_TIMEOUT = 120
GRACE = 20             # the worker's own alarm fires first; this is a backstop
TAIL = 25


def timeout(seconds):
    """Decorator: a per-test time limit other than DEFAULT_TIMEOUT."""
    def wrap(func):
        func.h743_timeout = seconds
        return func
    return wrap


def jtag_only(why):
    """Decorator: in a module that runs over both transports (TRANSPORTS), this
    test runs over JTAG only; why says what ties it to JTAG or keeps it off SWD."""
    def wrap(func):
        func.h743_transports = ('jtag',)
        func.h743_jtag_only = why
        return func
    return wrap


class Test:
    def __init__(self, name, kind, target, func=None, limit=DEFAULT_TIMEOUT, transport=None):
        self.name, self.kind, self.target, self.func, self.limit = name, kind, target, func, limit
        self.transport = transport      # 'swd': the worker runs with H743_TRANSPORT=swd


# ---- discovery -----------------------------------------------------------------

def load_module(path):
    name = 'h743test_' + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def integration_tests(default_limit):
    """Each test_* function of each file. A module whose TRANSPORTS lists
    'swd' runs its tests a second time over SWD (vdebug, dapdirect_swd) as
    stem[swd]::name; the plain name is the JTAG run (remote_bitbang)."""
    tests = []
    pattern = os.path.join(env.top_srcdir(), 'testing', 'tests', 'integration', 'test_*.py')
    for path in sorted(glob.glob(pattern)):
        stem = os.path.splitext(os.path.basename(path))[0]
        try:
            module = load_module(path)
        except Exception:  # a broken test file is a failing test, not a crash
            tests.append(Test(stem + '::<import>', 'broken', path,
                              traceback.format_exc(limit=3)))
            continue
        for attr in sorted(vars(module), key=lambda a: _line_of(getattr(module, a))):
            func = getattr(module, attr)
            if attr.startswith('test_') and callable(func):
                limit = getattr(func, 'h743_timeout', default_limit)
                tests.append(Test('%s::%s' % (stem, attr), 'integration', path, attr, limit))
                if 'swd' in _transports(module, func):
                    tests.append(Test('%s[swd]::%s' % (stem, attr), 'integration', path, attr,
                                      limit, transport='swd'))
    return tests


def _transports(module, func):
    wanted = getattr(module, 'TRANSPORTS', ('jtag',))
    return [t for t in wanted if t in getattr(func, 'h743_transports', wanted)]


def _line_of(obj):
    code = getattr(obj, '__code__', None)
    return code.co_firstlineno if code else 0


def unit_tests(default_limit):
    """Programs from $H743_UNIT_TESTS (make check), else unit-tests.list,
    else executables under testing/tests/unit/ in the build tree."""
    build = env.builddir()
    listed = os.environ.get('H743_UNIT_TESTS')
    list_file = os.path.join(build, 'unit-tests.list')
    if listed is not None:
        paths, source = listed.split(), '$H743_UNIT_TESTS'
    elif os.path.isfile(list_file):
        with open(list_file) as f:
            paths = [line.strip() for line in f if line.strip() and not line.startswith('#')]
        source = list_file
    else:
        found = glob.glob(os.path.join(build, 'testing', 'tests', 'unit', 'test_*'))
        paths = sorted(p for p in found if os.access(p, os.X_OK) and os.path.isfile(p)
                       and not p.endswith(('.o', '.c', '.h', '.log', '.trs')))
        source = 'executables in %s/testing/tests/unit' % build
    tests = []
    for p in paths:
        full = p if os.path.isabs(p) else os.path.join(build, p)
        tests.append(Test('unit::' + os.path.basename(p), 'unit', full, limit=default_limit))
    return tests, source


def _hit(name, pat):
    return fnmatch.fnmatchcase(name, pat) if any(c in pat for c in '*?[') else pat in name


def select(tests, patterns, skip=()):
    """Tests matching any of patterns (all when none), minus those matching
    any of skip."""
    if patterns:
        tests = [t for t in tests if any(_hit(t.name, p) for p in patterns)]
    return [t for t in tests if not any(_hit(t.name, p) for p in skip)]


def scale_limits(tests, factor):
    """Every time limit times factor (slower builds: sanitizers, valgrind)."""
    for t in tests:
        t.limit = int(t.limit * factor)


# ---- running -------------------------------------------------------------------

class Running:
    def __init__(self, test, proc, tmp, log_path, result_path):
        self.test, self.proc, self.tmp = test, proc, tmp
        self.log_path, self.result_path = log_path, result_path
        self.start = time.monotonic()


def start(test, tmp_root, runner_path, verbose):
    safe = test.name.replace('::', '.').replace('/', '_')
    for c in '<>[]':
        safe = safe.replace(c, '')
    tmp = tempfile.mkdtemp(prefix=safe + '-', dir=tmp_root)
    log_path = os.path.join(tmp, 'test.log')
    result_path = os.path.join(tmp, 'result.json')
    child_env = dict(os.environ, H743_TEST_TMPDIR=tmp, PYTHONDONTWRITEBYTECODE='1',
                     PYTHONUNBUFFERED='1', H743_VERBOSE='1' if verbose else '0',
                     H743_TRANSPORT=test.transport or 'jtag')
    if test.kind == 'integration':
        argv = [sys.executable, runner_path, '--worker', test.target, test.func,
                result_path, str(test.limit)]
    elif test.kind == 'unit':
        argv = [test.target]
    else:
        argv = None
    with open(log_path, 'wb') as out:
        if argv is None or (test.kind == 'unit' and not os.access(test.target, os.X_OK)):
            proc = None
        else:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=tmp, env=child_env,
                                    start_new_session=True)
    return Running(test, proc, tmp, log_path, result_path)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def read_text(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', errors='replace')
    except FileNotFoundError:
        return ''


def indent(text, lines=None):
    rows = text.rstrip('\n').split('\n') if text.strip() else []
    if lines is not None and len(rows) > lines:
        rows = ['[... %d lines above ...]' % (len(rows) - lines)] + rows[-lines:]
    return '\n'.join('    ' + r for r in rows)


def outcome(run, timed_out):
    """(passed, reason, detail) of a finished Running."""
    test = run.test
    if test.kind == 'broken':
        return False, 'cannot import test file', test.func
    if run.proc is None:
        return False, '%s is not built (missing or not executable)' % test.target, ''
    if timed_out:
        return False, 'timeout after %ds (killed with everything it started)' % test.limit, ''
    if test.kind == 'unit':
        code = run.proc.returncode
        if code == 0:
            return True, '', ''
        return False, procs.describe_exit(code), ''
    try:
        with open(run.result_path) as f:
            result = json.load(f)
    except (FileNotFoundError, ValueError):
        return False, 'worker %s without a result' % procs.describe_exit(run.proc.returncode), ''
    return result['ok'], result.get('reason', ''), result.get('detail', '')


# What ASan, LSan and UBSan print; `make check-sanitize` sets
# H743_SANITIZER_REPORTS. UBSan in an ASan build ignores log_path and
# writes to stderr only, so the logs of everything a test ran are searched.
SANITIZER_MARKERS = ('runtime error:', 'ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                     'SUMMARY: UndefinedBehaviorSanitizer')


def sanitizer_findings(run):
    """[(log file, excerpt)] of sanitizer reports in the logs under run.tmp."""
    found = []
    for root, _, files in os.walk(run.tmp):
        for name in sorted(files):
            if not name.endswith('.log'):
                continue
            path = os.path.join(root, name)
            rows = read_text(path).split('\n')
            hits = [i for i, r in enumerate(rows) if any(m in r for m in SANITIZER_MARKERS)]
            if hits:
                found.append((path, '\n'.join(rows[max(0, hits[0] - 2):hits[0] + 40])))
    return found


def save_findings(run, findings):
    """Copy each finding into $H743_SANITIZER_REPORTS (the make rule lists them)."""
    where = os.environ.get('H743_SANITIZER_REPORTS')
    if not where:
        return
    safe = run.test.name.replace('::', '.').replace('/', '_')
    for n, (path, excerpt) in enumerate(findings):
        with open(os.path.join(where, 'log.%s.%d' % (safe, n)), 'w') as f:
            f.write('%s: %s\n%s\n' % (run.test.name, path, excerpt))


def report(run, timed_out, verbose, keep):
    passed, reason, detail = outcome(run, timed_out)
    if os.environ.get('H743_SANITIZER_REPORTS') and run.proc is not None:
        findings = sanitizer_findings(run)
        if findings:
            save_findings(run, findings)
            passed = False
            reason = 'sanitizer report in %s%s' % (
                os.path.relpath(findings[0][0], run.tmp),
                ' (and %d more logs)' % (len(findings) - 1) if len(findings) > 1 else '')
            detail = '\n'.join(e for _, e in findings[:1]) + ('\n' + detail if detail else '')
    elapsed = time.monotonic() - run.start
    log_text = read_text(run.log_path)
    notes = read_text(os.path.join(run.tmp, 'notes.txt'))
    if passed:
        print('PASS %s (%.1fs)' % (run.test.name, elapsed))
        if verbose:
            print(indent(log_text))
        elif notes:
            print(indent(notes))
    else:
        print('FAIL %s: %s' % (run.test.name, reason))
        if detail:
            print(indent(detail))
        if log_text.strip():
            label = 'output' if run.test.kind == 'unit' else 'test log'
            print('    --- %s%s ---' % (label, '' if verbose else ' (tail)'))
            print(indent(log_text, None if verbose else TAIL))
        print('    (files kept in %s)' % run.tmp)
    sys.stdout.flush()
    if passed and not keep:
        shutil.rmtree(run.tmp, ignore_errors=True)
    return passed


def run_all(tests, jobs, verbose, keep, runner_path):
    tmp_root = tempfile.mkdtemp(prefix='h743-tests-')
    pending, running = list(tests), []
    passed = failed = 0
    try:
        while pending or running:
            while pending and len(running) < jobs:
                running.append(start(pending.pop(0), tmp_root, runner_path, verbose))
            for run in list(running):
                timed_out = False
                if run.proc is not None and run.proc.poll() is None:
                    if time.monotonic() - run.start < run.test.limit + GRACE:
                        continue
                    kill_group(run.proc)
                    timed_out = True
                if run.proc is not None:
                    kill_group(run.proc)    # leftovers of a finished worker
                running.remove(run)
                if report(run, timed_out, verbose, keep):
                    passed += 1
                else:
                    failed += 1
            time.sleep(0.05)
    except KeyboardInterrupt:
        for run in running:
            if run.proc is not None:
                kill_group(run.proc)
            print('INTERRUPTED %s (files in %s)' % (run.test.name, run.tmp))
            failed += 1
    if not keep:
        try:
            os.rmdir(tmp_root)
        except OSError:
            pass
    return passed, failed


# ---- worker (one integration test, in its own process group) --------------------

class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout()


def worker_main(path, func_name, result_path, limit):
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    signal.alarm(int(limit))
    result = {'ok': False}
    try:
        getattr(load_module(path), func_name)()
        result = {'ok': True}
    except TestFailure as e:
        text = str(e)
        first, _, rest = text.partition('\n')
        where = traceback.extract_tb(e.__traceback__)
        frames = [f for f in where if f.filename == path]
        at = '%s:%d: ' % (os.path.basename(path), frames[-1].lineno) if frames else ''
        result = {'ok': False, 'reason': at + first, 'detail': rest}
    except TestTimeout as e:
        result = {'ok': False, 'reason': 'timeout after %ds' % limit,
                  'detail': 'stopped in:\n' + ''.join(traceback.format_tb(e.__traceback__)[-3:])}
    except Exception as e:
        result = {'ok': False, 'reason': '%s: %s' % (type(e).__name__, e),
                  'detail': traceback.format_exc()}
    finally:
        signal.alarm(0)
        procs.cleanup()
    with open(result_path, 'w') as f:
        json.dump(result, f)
    return 0 if result['ok'] else 1


# ---- command line ----------------------------------------------------------------

def main(argv, runner_path):
    if argv[:1] == ['--worker']:
        path, func, result_path, limit = argv[1:5]
        return worker_main(path, func, result_path, int(limit))

    ap = argparse.ArgumentParser(prog='run-tests', description='Run the h743 test suite.')
    ap.add_argument('-k', action='append', default=[], metavar='PATTERN',
                    help='only tests whose name contains PATTERN (glob if it has * ? [); '
                         'repeatable')
    ap.add_argument('--skip', action='append', default=[], metavar='PATTERN',
                    help='leave out tests whose name contains PATTERN (glob if it has '
                         '* ? [); repeatable')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help="show every test's full log, also when it passes")
    ap.add_argument('-j', '--jobs', type=int, default=2, help='parallel tests (default 2)')
    ap.add_argument('--timeout', type=int, default=DEFAULT_TIMEOUT,
                    help='default per-test limit in seconds (default %d)' % DEFAULT_TIMEOUT)
    ap.add_argument('--builddir', help='build directory (default $H743_BUILDDIR or TOP/build)')
    ap.add_argument('--keep', action='store_true', help='keep the files of passing tests too')
    ap.add_argument('--list', action='store_true', help='list the tests and exit')
    ap.add_argument('--no-unit', action='store_true', help='skip the unit test programs')
    args = ap.parse_args(argv)

    env.setup_environ(args.builddir)
    tests = integration_tests(args.timeout)
    if not args.no_unit:
        units, source = unit_tests(args.timeout)
        if units:
            tests = units + tests
        else:
            print('note: no unit test programs found (%s); none run' % source)
    selected = select(tests, args.k, args.skip)
    if env.time_scale() != 1:
        scale_limits(selected, env.time_scale())
    if args.list:
        for t in selected:
            print(t.name)
        return 0
    if not selected:
        print('no test matches %s' % ' '.join(args.k + ['--skip ' + p for p in args.skip]))
        print('0 passed, 0 failed')
        return 1
    print('h743 tests: %d selected, %d jobs; build %s, install %s'
          % (len(selected), args.jobs, env.builddir(), env.install_dir()))
    sys.stdout.flush()
    passed, failed = run_all(selected, max(1, args.jobs), args.verbose, args.keep, runner_path)
    print('%d passed, %d failed' % (passed, failed))
    sys.stdout.flush()
    return 1 if failed else 0
