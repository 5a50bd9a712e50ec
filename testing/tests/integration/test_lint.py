# SPDX-License-Identifier: GPL-2.0-or-later
"""Upstream-ready code and docs (issue 13): `make lint` finds nothing in our C
(cppcheck, gcc -fanalyzer, clang-tidy, the checkpatch rules the issue names
and, where there is a checkpatch.pl, checkpatch as OpenOCD runs it, over the
flash driver, the Cortex-M cache code, the simulator, the loader;
scripts/lint.sh lists each finding), and OpenOCD's own manual documents the
driver."""

import os
import subprocess

from harness import expect_eq, expect_in, expect_re, note, timeout
from harness.env import builddir, install_dir, top_srcdir


# Each step's summary line: it ran (checkpatch may say it was skipped, when
# there is no checkpatch.pl; CI installs one).
STEPS = (
    (r'cppcheck \(', 'cppcheck'),
    (r'gcc -fanalyzer, simulator:', 'gcc -fanalyzer of the simulator'),
    (r'gcc -fanalyzer, driver and cache code', 'gcc -fanalyzer of the driver'),
    (r'clang-tidy, simulator and loader:', 'clang-tidy of the simulator and the loader'),
    (r'clang-tidy, driver and cache code', 'clang-tidy of the driver'),
    (r'style \(checkpatch rules of issue 13', 'the checkpatch rules of issue 13'),
    (r'checkpatch( skipped|.*: \d+ finding)', 'checkpatch (run, or skipped without checkpatch.pl)'),
)


@timeout(600)
def test_static_analysis_finds_nothing():
    run = subprocess.run([os.path.join(top_srcdir(), 'scripts', 'lint.sh'), builddir()],
                         capture_output=True, text=True, timeout=580)
    out = run.stdout + run.stderr
    for pattern, what in STEPS:
        expect_re(r'^lint: ' + pattern, out, what + ': its summary line')
    expect_eq(run.returncode, 0, 'scripts/lint.sh exit code (findings above)', out)
    for line in out.splitlines():
        if line.startswith('lint: checkpatch'):
            note(line)
    note(out.strip().splitlines()[-1])


def test_openocd_manual_documents_the_driver_and_cache_commands():
    """patches/0017: `info openocd` (the installed openocd.info) has the
    stm32h743 driver beside stm32h7x, and the cortex_m cache commands."""
    info_dir = os.path.join(install_dir(), 'share', 'info')
    text = ''
    for name in sorted(os.listdir(info_dir)):
        if name.startswith('openocd.info'):
            with open(os.path.join(info_dir, name), errors='replace') as f:
                text += f.read()
    for entry in ('-- Flash Driver: stm32h743', '-- Command: stm32h743 option_set',
                  '-- Command: stm32h7x option_write bank_id reg_offset value [mask]',
                  '-- Command: cortex_m cache_info', '-- Command: cortex_m cache_maintenance'):
        expect_in(entry, text, 'openocd.info')
