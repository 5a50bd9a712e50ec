# SPDX-License-Identifier: GPL-2.0-or-later
"""Settings a board file makes before `init` (issue 13, config-time
settings): `stm32h743 psize`, `incremental`, `staging` and `cortex_m
cache_maintenance` need no chip access, so they work in the config stage and
while NRST is held (connect under reset), and are applied at probe."""

from harness import Sim, expect_eq, expect_re
from harness.board import write_file

SIM_BOARD = ['interface/h743sim.cfg', 'target/stm32h743.cfg']


def test_settings_in_a_board_file_before_init():
    config = SIM_BOARD + ['-c stm32h743 psize 0 32', '-c stm32h743 psize 1 16',
                          '-c stm32h743 incremental off', '-c stm32h743 staging off',
                          '-c cortex_m cache_maintenance off']
    with Sim() as sim:
        out = sim.openocd('init', 'reset halt',
                          'echo "PSIZE: [stm32h743 psize 0] [stm32h743 psize 1]"',
                          'echo "INFO: [flash info 0]"',
                          'echo "MAINT: [cortex_m cache_maintenance]"',
                          config=config, allow=(r'clearing lockup',))
    expect_re(r'^PSIZE: 32 16$', out, 'psize set before init')
    expect_re(r'programming parallelism x32', out, 'flash info after probe')
    expect_re(r'^MAINT: cortex_m cache_maintenance off$', out)


def test_psize_while_nrst_is_held():
    """Connect under reset: right after init NRST is still low; a host-side
    setting must not try to probe the chip."""
    config = SIM_BOARD + ['-c reset_config srst_only srst_nogate connect_assert_srst']
    with Sim() as sim:
        out = sim.openocd('init', 'echo "UNDER RESET: [stm32h743 psize 0 8]"', 'reset halt',
                          'echo "AFTER: [stm32h743 psize 0]"',
                          'flash write_image erase %s 0x08000000 bin' % board_image(),
                          'echo "INFO: [flash info 0]"',
                          config=config, allow=(r'clearing lockup',))
    expect_re(r'^UNDER RESET: 8$', out, 'psize set while NRST is held')
    expect_eq(out.count('AFTER: 8'), 1, 'psize kept through the reset', out)
    expect_re(r'programming parallelism x8', out, 'the bank programs with x8')


def board_image():
    return write_file('image.bin', bytes(range(256)) * 16)
