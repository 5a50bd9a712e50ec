#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Flash benchmark of our stm32h743 driver against h743sim (board/h743sim.cfg):
`flash write_image erase` + `verify_image` of a 64 KiB image into bank 1 and
of 1 MiB into each bank, twice each. See benchlib.py for what is printed.

    testing/bench/bench_ours.py            both cases
    testing/bench/bench_ours.py --quick    64 KiB only
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402

DRIVER = benchlib.Driver('ours stm32h743', config='board')

if __name__ == '__main__':
    sys.exit(benchlib.run(DRIVER, sys.argv[1:], __doc__.split('\n\n')[0]))
