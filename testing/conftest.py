# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest plugin of the h743 test suite (testing/pytest.ini).

Every test gets, through the autouse fixture h743_test:
  - its own directory (cwd, $H743_TEST_TMPDIR) for the simulator's state,
    OpenOCD's and GDB's logs and any file it writes; removed when the test
    passes (unless --keep), kept and named in the report when it fails;
  - its transport: a module whose TRANSPORTS lists 'swd' runs each test
    twice, as test[jtag] (remote_bitbang) and test[swd] (vdebug,
    dapdirect_swd); @jtag_only(why) keeps one test on JTAG;
  - a time limit (default 120 s, @timeout(s), times $H743_TIMEOUT_SCALE):
    the test fails with the stack where it stopped (SIGALRM, or an
    exception raised in its thread when xdist runs it off the main thread);
    20 s later a watchdog kills what the test started and ends its worker;
  - the end of everything it started (Sim, OpenOCD, GDB), pass or fail.

Options: --builddir DIR, --keep, --full-logs (children's whole output in
the captured output), --pick PATTERN / --skip PATTERN (substring of the test
id, or a glob with * ? [; repeatable), --default-timeout S. The last line of
a run is `N passed, N failed`. Figures tests report with note() are listed
in a "notes" section. With $H743_SANITIZER_REPORTS set (make
check-sanitize), a sanitizer report in any log a test's processes wrote
fails the test and is copied there.
"""

import ctypes
import faulthandler
import fnmatch
import glob
import os
import shutil
import signal
import sys
import tempfile
import threading

import pytest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import env, marks, procs  # noqa: E402

# Seconds between a test's time limit and the watchdog that ends its worker
# ($H743_TIMEOUT_GRACE: the plugin's own test shortens it).
GRACE = int(os.environ.get('H743_TIMEOUT_GRACE') or 20)

# What ASan, LSan and UBSan print. UBSan in an ASan build ignores log_path
# and writes to stderr only, so every log of the test's processes is searched.
SANITIZER_MARKERS = ('runtime error:', 'ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                     'SUMMARY: UndefinedBehaviorSanitizer')


def pytest_addoption(parser):
    group = parser.getgroup('h743', 'h743 test suite')
    group.addoption('--builddir', help='build directory (default $H743_BUILDDIR or TOP/build)')
    group.addoption('--keep', action='store_true', help='keep the files of passing tests too')
    group.addoption('--full-logs', action='store_true',
                    help="copy every child's whole output into the test's captured output")
    group.addoption('--pick', action='append', default=[], metavar='PATTERN',
                    help='only tests whose id contains PATTERN (glob if it has * ? [)')
    group.addoption('--skip', action='append', default=[], metavar='PATTERN',
                    help='leave out tests whose id contains PATTERN (glob if it has * ? [)')
    group.addoption('--default-timeout', type=int, default=marks.DEFAULT_TIMEOUT, metavar='S',
                    help='time limit of a test without @timeout (default %(default)s s)')


def _is_worker(config):
    return hasattr(config, 'workerinput')


def pytest_configure(config):
    env.setup_environ(config.getoption('builddir'))
    if config.getoption('full_logs'):
        os.environ['H743_VERBOSE'] = '1'
    # One directory for the whole run; xdist workers inherit it.
    if not os.environ.get('H743_RUN_DIR'):
        os.environ['H743_RUN_DIR'] = tempfile.mkdtemp(prefix='h743-tests-')
        config.h743_own_run_dir = True
    config.h743_counts = {'passed': set(), 'failed': set(), 'skipped': set()}
    config.h743_notes = {}


# ---- which tests, over which transports, with which time limit -------------------

def pytest_generate_tests(metafunc):
    if 'h743_transport' not in metafunc.fixturenames or metafunc.module is None:
        return
    wanted = marks.transports(metafunc.module, metafunc.function)
    if wanted != ['jtag']:
        metafunc.parametrize('h743_transport', wanted, indirect=True, ids=wanted)


def _hit(name, pattern):
    if any(c in pattern for c in '*?['):
        return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name, '*' + pattern + '*')
    return pattern in name


def pytest_collection_modifyitems(config, items):
    pick, skip = config.getoption('pick'), config.getoption('skip')
    if not pick and not skip:
        return
    keep, drop = [], []
    for item in items:
        chosen = (not pick or any(_hit(item.nodeid, p) for p in pick)) and \
            not any(_hit(item.nodeid, p) for p in skip)
        (keep if chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def time_limit(item):
    func = getattr(item, 'function', None)
    seconds = marks.limit(func, item.config.getoption('default_timeout'))
    return max(1, int(seconds * env.time_scale()))


# ---- the per-test fixtures ---------------------------------------------------------

@pytest.fixture
def h743_transport(request):
    """'jtag' or 'swd': which probe interface this run of the test uses."""
    return getattr(request, 'param', 'jtag')


def _dir_name(nodeid):
    name = nodeid.split('/')[-1].replace('::', '.').replace('.py', '')
    return ''.join(c if c.isalnum() or c in '._-' else '_' for c in name)[:80]


@pytest.fixture(autouse=True)
def h743_test(request, h743_transport):
    """The test's directory, environment, cwd and process cleanup."""
    item = request.node
    tmp = tempfile.mkdtemp(prefix=_dir_name(item.nodeid) + '-', dir=os.environ['H743_RUN_DIR'])
    item.h743_tmp = tmp
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(H743_TEST_TMPDIR=tmp, H743_TRANSPORT=h743_transport,
                      PYTHONDONTWRITEBYTECODE='1')
    os.chdir(tmp)
    env.restart_clock()
    try:
        yield tmp
    finally:
        procs.cleanup()
        os.chdir(saved_cwd)
        _restore_environ(saved_env)
    notes = _read(os.path.join(tmp, 'notes.txt'))
    if notes:
        item.user_properties.append(('h743_notes', notes))
    findings = sanitizer_findings(tmp)
    if findings:
        save_findings(item.nodeid, findings)
        pytest.fail('sanitizer report in %s:\n%s' % (findings[0][0], findings[0][1]),
                    pytrace=False)
    if not item.config.getoption('keep') and not getattr(item, 'h743_failed', False):
        shutil.rmtree(tmp, ignore_errors=True)


def _restore_environ(saved):
    for key in set(os.environ) | set(saved):
        if key == 'PYTEST_CURRENT_TEST':
            continue
        if key not in saved:
            del os.environ[key]
        elif os.environ.get(key) != saved[key]:
            os.environ[key] = saved[key]


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', errors='replace')
    except FileNotFoundError:
        return ''


def sanitizer_findings(tmp):
    """[(log file, excerpt)] of sanitizer reports in the logs under tmp
    (only when $H743_SANITIZER_REPORTS asks for them)."""
    if not os.environ.get('H743_SANITIZER_REPORTS'):
        return []
    found = []
    for root, _, files in os.walk(tmp):
        for name in sorted(files):
            if name.endswith('.log'):
                path = os.path.join(root, name)
                found += excerpts(path, _read(path))
    return found


def excerpts(where, text):
    rows = text.split('\n')
    hits = [i for i, r in enumerate(rows) if any(m in r for m in SANITIZER_MARKERS)]
    if not hits:
        return []
    return [(where, '\n'.join(rows[max(0, hits[0] - 2):hits[0] + 40]))]


def save_findings(nodeid, findings):
    """Copy each finding into $H743_SANITIZER_REPORTS (make check-sanitize lists them)."""
    where = os.environ.get('H743_SANITIZER_REPORTS')
    if not where:
        return
    for n, (path, excerpt) in enumerate(findings):
        with open(os.path.join(where, 'log.%s.%d' % (_dir_name(nodeid), n)), 'w') as f:
            f.write('%s: %s\n%s\n' % (nodeid, path, excerpt))


# ---- time limits ----------------------------------------------------------------------

class TestTimeout(Exception):
    """The test ran past its time limit."""
    __test__ = False
    limit = 0

    def __init__(self, message=None):
        super().__init__(message or 'timeout after %d s (the test\'s limit; the stack shows '
                         'where it was)' % TestTimeout.limit)


def _hard_stop(item, seconds):
    """The test ignored the soft limit (stuck outside Python): kill what it
    started, leave the stacks in its directory, end this worker. xdist
    reports the test as crashed and starts a new worker."""
    tmp = getattr(item, 'h743_tmp', None) or os.environ.get('H743_RUN_DIR')
    procs.kill_all()
    try:
        with open(os.path.join(tmp, 'hard-timeout.txt'), 'w') as f:
            f.write('%s: still running %d s after its %d s limit; stacks:\n'
                    % (item.nodeid, GRACE, seconds))
            f.flush()
            faulthandler.dump_traceback(file=f)
    finally:
        os._exit(70)


def _raise_in_thread(ident):
    """Soft limit where SIGALRM cannot serve: xdist (execnet 1.9) may run a
    worker's tests in a thread other than the main one, and only the main
    thread gets signals. The exception lands at the thread's next bytecode."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(TestTimeout))


def _alarm(signum, frame):
    raise TestTimeout()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seconds = TestTimeout.limit = time_limit(item)
    in_main = threading.current_thread() is threading.main_thread()
    timers = [threading.Timer(seconds + GRACE, _hard_stop, args=(item, seconds))]
    if in_main:
        # SIGALRM also interrupts a blocking wait (socket, sleep, subprocess)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(seconds)
    else:
        timers.append(threading.Timer(seconds, _raise_in_thread,
                                      args=(threading.get_ident(),)))
    for t in timers:
        t.daemon = True
        t.start()
    try:
        yield
    finally:
        for t in timers:
            t.cancel()
        if in_main:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


# ---- reports, notes and the summary line ------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item.h743_failed = True
        tmp = getattr(item, 'h743_tmp', None)
        if tmp:
            report.sections.append(('h743 files', 'kept in %s' % tmp))


def pytest_runtest_logreport(report):
    config = _config
    if config is None:
        return
    counts = config.h743_counts
    if report.failed:
        counts['failed'].add(report.nodeid)
        _name_crashed_test_files(report)
    elif report.when == 'call' and report.passed:
        counts['passed'].add(report.nodeid)
    elif report.skipped:
        counts['skipped'].add(report.nodeid)
    for key, value in getattr(report, 'user_properties', ()):
        if key == 'h743_notes':
            config.h743_notes[report.nodeid] = value


def _name_crashed_test_files(report):
    """A worker ended by _hard_stop() reports no h743 files section itself."""
    if 'crashed while running' not in str(report.longrepr):
        return
    nodeid = str(report.longrepr).rsplit("'", 2)[-2] if "'" in str(report.longrepr) else ''
    found = glob.glob(os.path.join(os.environ['H743_RUN_DIR'], _dir_name(nodeid) + '-*'))
    for tmp in found:
        report.sections.append(('h743 files', 'kept in %s (hard-timeout.txt: the stacks)' % tmp))


def pytest_collectreport(report):
    if report.failed and _config is not None:
        _config.h743_counts['failed'].add(report.nodeid or '<collection>')


_config = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    global _config
    _config = session.config


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _is_worker(config) or not config.h743_notes:
        return
    terminalreporter.section('notes')
    for nodeid, text in config.h743_notes.items():
        terminalreporter.write_line(nodeid)
        for line in text.rstrip('\n').split('\n'):
            terminalreporter.write_line('    ' + line)


def pytest_unconfigure(config):
    if _is_worker(config) or not hasattr(config, 'h743_counts'):
        return
    counts = config.h743_counts
    failed = counts['failed']
    passed = counts['passed'] - failed
    skipped = counts['skipped'] - failed - passed
    if getattr(config, 'h743_own_run_dir', False):
        try:
            os.rmdir(os.environ['H743_RUN_DIR'])
        except OSError:
            pass
    if config.option.collectonly:
        return
    if skipped:
        print('(%d skipped)' % len(skipped))
    print('%d passed, %d failed' % (len(passed), len(failed)))
    sys.stdout.flush()
