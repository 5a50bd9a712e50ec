# SPDX-License-Identifier: GPL-2.0-or-later
"""The suite's pytest plugin (testing/conftest.py), run on small test files
written here: the summary line, kept and removed test directories, the
time limit and the watchdog behind it, transports, notes, selection."""

import glob
import os
import subprocess
import sys

from harness import check, expect_eq, expect_in, expect_re, tmpfile, timeout
from harness.env import top_srcdir

SAMPLE = '''
import os, signal, time
from harness import check, note, timeout, tmpfile

def test_passes():
    open(tmpfile('passed.txt'), 'w').write('x')

def test_fails():
    open(tmpfile('evidence.txt'), 'w').write('what the test saw')
    check(1 + 1 == 3, 'arithmetic is broken')

@timeout(1)
def test_runs_too_long():
    time.sleep(30)

def test_reports_a_figure():
    note('figure: 42 widgets/s')

def test_sees_its_environment():
    check(os.getcwd() == os.environ['H743_TEST_TMPDIR'], 'cwd is not the test directory')
    check(os.environ['H743_TRANSPORT'] == 'jtag', 'transport %s' % os.environ['H743_TRANSPORT'])
'''

TRANSPORTS_SAMPLE = '''
import os
from harness import check, jtag_only
TRANSPORTS = ('jtag', 'swd')

def test_both():
    open('transport-%s.txt' % os.environ['H743_TRANSPORT'], 'w').write('x')

@jtag_only('the sample says so')
def test_jtag_only():
    check(os.environ['H743_TRANSPORT'] == 'jtag', 'not over JTAG')
'''

HANG_SAMPLE = '''
import signal, time
from harness import timeout

@timeout(1)
def test_ignores_its_limit():
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
    time.sleep(60)

def test_after_the_hang():
    pass
'''


def run_plugin(name, source, *args):
    """pytest with the suite's plugin on one sample file; (output, exit code,
    the run's directory)."""
    testing = os.path.join(top_srcdir(), 'testing')
    sample_dir = tmpfile('samples')
    os.makedirs(sample_dir, exist_ok=True)
    path = os.path.join(sample_dir, name)
    with open(path, 'w') as f:
        f.write(source)
    run_dir = tmpfile('run-' + name[:-3])
    os.makedirs(run_dir)
    env = dict(os.environ, H743_RUN_DIR=run_dir, PYTHONPATH=testing,
               PYTHONDONTWRITEBYTECODE='1', H743_TIMEOUT_GRACE='2')
    env.pop('H743_TEST_TMPDIR')
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'conftest', '-p',
                           'no:cacheprovider', '--rootdir', sample_dir, '-v', path] + list(args),
                          capture_output=True, text=True, env=env, cwd=sample_dir, timeout=90)
    return proc.stdout + proc.stderr, proc.returncode, run_dir


def kept(run_dir, test):
    return glob.glob(os.path.join(run_dir, 'sample_basic.%s-*' % test))


@timeout(60)
def test_summary_line_kept_directories_time_limit_and_notes():
    out, code, run_dir = run_plugin('sample_basic.py', SAMPLE)
    last = out.rstrip('\n').split('\n')[-1]
    expect_eq(last, '3 passed, 2 failed', 'last line of the run', out)
    expect_eq(code, 1, 'exit status with failures', out)
    # A failing test keeps its directory, with what it wrote, and names it.
    fails = kept(run_dir, 'test_fails')
    expect_eq(len(fails), 1, 'kept directories of test_fails', out)
    with open(os.path.join(fails[0], 'evidence.txt')) as f:
        expect_eq(f.read(), 'what the test saw', 'file the failing test wrote')
    expect_in('kept in %s' % fails[0], out)
    expect_in('arithmetic is broken', out)
    # A passing one leaves nothing behind.
    expect_eq(kept(run_dir, 'test_passes'), [], 'directory of a passing test')
    # The limit ends the sleeping test with a message and its stack.
    expect_re(r'TestTimeout: timeout after 1 s', out, 'time limit')
    expect_in('time.sleep(30)', out, 'stack of the timed-out test')
    check(len(kept(run_dir, 'test_runs_too_long')) == 1, 'timed-out test lost its files', out)
    expect_re(r'(?m)^=+ notes =+\n.*test_reports_a_figure\n +figure: 42 widgets/s$', out,
              'notes section')


def test_transports_and_selection():
    out, code, run_dir = run_plugin('sample_swd.py', TRANSPORTS_SAMPLE)
    expect_eq(code, 0, 'exit status', out)
    for test_id in ('test_both[jtag]', 'test_both[swd]', 'test_jtag_only PASSED'):
        expect_in(test_id, out)
    check('test_jtag_only[' not in out, '@jtag_only test parametrized', out)
    expect_eq(out.rstrip('\n').split('\n')[-1], '3 passed, 0 failed', 'last line', out)
    out, code, _ = run_plugin('sample_pick.py', TRANSPORTS_SAMPLE, '--pick', 'swd]')
    expect_eq(out.rstrip('\n').split('\n')[-1], '1 passed, 0 failed', '--pick swd]', out)
    out, code, _ = run_plugin('sample_skip.py', TRANSPORTS_SAMPLE, '--skip', 'test_both')
    expect_eq(out.rstrip('\n').split('\n')[-1], '1 passed, 0 failed', '--skip test_both', out)


@timeout(60)
def test_watchdog_ends_a_test_that_ignores_its_limit():
    """A test stuck where the time limit cannot reach (SIGALRM blocked):
    the watchdog leaves the stacks, ends the worker, and xdist carries on."""
    out, code, run_dir = run_plugin('sample_hang.py', HANG_SAMPLE, '-n', '1')
    expect_in("crashed while running 'sample_hang.py::test_ignores_its_limit'", out)
    expect_eq(out.rstrip('\n').split('\n')[-1], '1 passed, 1 failed', 'last line', out)
    stacks = glob.glob(os.path.join(run_dir, 'sample_hang.test_ignores_its_limit-*',
                                    'hard-timeout.txt'))
    expect_eq(len(stacks), 1, 'hard-timeout.txt files', out)
    with open(stacks[0]) as f:
        text = f.read()
    expect_in('still running 2 s after its 1 s limit', text)
    expect_in('in test_ignores_its_limit', text, 'stack of the stuck test')
    expect_in('kept in %s' % os.path.dirname(stacks[0]), out)
