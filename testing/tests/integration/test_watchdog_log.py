# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator's log with a hardware watchdog (option IWDG1_SW = 0) that
the firmware never refreshes: the core runs free, the chip resets every
512 ms of virtual time, and the virtual clock skips through hours of that in
seconds. The first reset of such a series is logged, the rest are summed up
in a few lines ("... N more times") that account for every reset (before,
the simulator logged each one: about 165 000 lines in 10 s)."""

import re
import time

from harness import Sim, check, expect_gt, note
from harness.board import idle_firmware, write_file

RESET_LINE = re.compile(r'iwdg1: counter reached 0: system reset(?: (\d+) more times)?')


def watchdog_lines(log):
    """The watchdog's lines, and the resets they tell of."""
    lines = [m for m in (RESET_LINE.search(line) for line in log.splitlines()) if m]
    return lines, sum(int(m.group(1)) if m.group(1) else 1 for m in lines)


def bound(resets):
    """Lines a series of n resets may take: the first, one summary per power
    of ten and the rest."""
    return 2 + len(str(max(resets, 1)))


def test_free_running_watchdog_log_stays_bounded():
    board = write_file('board.bin', idle_firmware())
    sim = Sim('--flash-image', board).start()
    try:
        sim.openocd('init', 'reset halt', 'stm32h743 option_set iwdg1 hw', 'reset run')
        time.sleep(2.0)
        resets = sim.stats()['iwdg']['expirations']
    finally:
        sim.stop()
    log = sim.log()
    lines, told = watchdog_lines(log)
    # stats were taken before the stop; the stop may add a few more resets
    expect_gt(resets, 1000, 'watchdog resets in 2 s of a free-running core')
    check(told >= resets, 'the log tells of %d resets, the statistics counted %d'
          % (told, resets), log)
    # at most two series: the session's, if a reset came before OpenOCD left
    # (the disconnect ends it), and the one after it
    full = sum(1 for m in lines if not m.group(1))
    check(1 <= full <= 2, '%d watchdog resets logged in full, expected one per series (1 or 2)'
          % full, log)
    check(len(lines) <= full * bound(told), '%d watchdog lines for %d resets'
          % (len(lines), told), log)
    note('free-running watchdog: %d resets, %d log lines' % (told, len(lines)))
