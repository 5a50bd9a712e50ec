# SPDX-License-Identifier: GPL-2.0-or-later
"""The cmocka unit test programs the build made, one pytest test each:
the program's exit status is the verdict, its output the failure report.

Which programs: $H743_UNIT_TESTS (make check passes check_PROGRAMS), else
BUILDDIR/unit-tests.list, else the executables under
BUILDDIR/testing/tests/unit."""

import glob
import os
import subprocess

import pytest

from harness import env, fail, procs
from harness.marks import DEFAULT_TIMEOUT


def unit_programs():
    build = env.builddir()
    listed = os.environ.get('H743_UNIT_TESTS')
    list_file = os.path.join(build, 'unit-tests.list')
    if listed is not None:
        paths = listed.split()
    elif os.path.isfile(list_file):
        with open(list_file) as f:
            paths = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    else:
        found = glob.glob(os.path.join(build, 'testing', 'tests', 'unit', 'test_*'))
        paths = sorted(p for p in found if os.access(p, os.X_OK) and os.path.isfile(p))
    return [p if os.path.isabs(p) else os.path.join(build, p) for p in paths]


@pytest.mark.parametrize('program', unit_programs(), ids=os.path.basename)
def test_unit(program):
    if not os.access(program, os.X_OK):
        fail('%s is not built (missing or not executable; run `make check` or '
             '`make -C BUILDDIR %s`)' % (program, os.path.relpath(program, env.builddir())))
    with open(env.tmpfile('unit.log'), 'wb') as out:
        try:
            code = subprocess.run([program], stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=DEFAULT_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            fail('%s did not finish within %d s' % (program, DEFAULT_TIMEOUT),
                 procs.read_log(env.tmpfile('unit.log'), 'output'))
    if code != 0:
        fail('%s %s' % (os.path.basename(program), procs.describe_exit(code)),
             procs.read_log(env.tmpfile('unit.log'), 'output'))
