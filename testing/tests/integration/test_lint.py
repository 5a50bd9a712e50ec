# SPDX-License-Identifier: GPL-2.0-or-later
"""Upstream-ready code and docs (issue 13): `make lint` finds nothing in our C
(cppcheck and gcc -fanalyzer over the flash driver, the Cortex-M cache code,
the simulator, the loader; scripts/lint.sh lists each finding), and OpenOCD's
own manual documents the driver."""

import os
import subprocess

from harness import expect_eq, expect_in, expect_re, note, timeout
from harness.env import builddir, install_dir, top_srcdir


@timeout(300)
def test_static_analysis_finds_nothing():
    run = subprocess.run([os.path.join(top_srcdir(), 'scripts', 'lint.sh'), builddir()],
                         capture_output=True, text=True, timeout=280)
    out = run.stdout + run.stderr
    expect_re(r'^lint: gcc -fanalyzer, driver and cache code', out,
              'the driver analysed with OpenOCD\'s headers (build prepared)')
    expect_eq(run.returncode, 0, 'scripts/lint.sh exit code (findings above)', out)
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
