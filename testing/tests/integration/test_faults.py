# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault injection not covered elsewhere: a worn (slow) sector, a power cut at
a virtual time, and a debug connection that drops after N bytes. Each fault
must do what the real board would, and leave the simulator usable."""

import random

from harness import Sim, capture, check, expect_in, tmpfile
from harness.board import idle_firmware, read_file, write_file

from harness.board import READ_FAILED, board_state, expect_state_loaded, wait_restarted
from harness.chip import BANK_BASE, SECTOR


def test_slow_sector_erases_slowly():
    """--fault slow-sector=1:3:4: sector 3 of bank 1 takes four sector-erase
    times; its neighbour takes one. Both end erased, with our driver."""
    board = write_file('board.bin', idle_firmware())
    with Sim('--flash-image', board, '--fault', 'slow-sector=1:3:4') as sim:
        busy = []
        for sector in (2, 3):
            before = sim.stats()['flash']['banks'][0]['busy_ns']
            sim.openocd('init', 'reset halt', 'flash erase_sector 0 %d %d' % (sector, sector))
            busy.append((sim.stats()['flash']['banks'][0]['busy_ns'] - before) / 1e9)
    check(0.9 <= busy[0] <= 1.1, 'sector 2 erase took %.2f s (x64 typical 1.0 s)' % busy[0])
    check(3.9 <= busy[1] <= 4.1, 'worn sector 3 erase took %.2f s (4 x 1.0 s)' % busy[1])


def test_power_loss_at_virtual_time():
    """--fault power-loss-at-ms=T during a sector erase: the simulator
    restarts from its state file; the sector is neither erased nor intact,
    and erasing it again repairs it."""
    data = random.Random(7).randbytes(SECTOR)
    image = idle_firmware() + b'\xff' * (SECTOR - 32) + data
    state = board_state(image)
    with Sim('--fault', 'power-loss-at-ms=600', state=state) as sim:
        out = sim.openocd('init', 'reset halt', 'flash erase_sector 0 1 1', check=False,
                          timeout=90)
        wait_restarted(sim, 2)
        expect_state_loaded(sim)
        dump = tmpfile('sector1.bin')
        out = sim.openocd('init', 'reset halt',
                          capture('dump', 'catch {dump_image %s 0x%08x 0x%x}'
                                  % (dump, BANK_BASE[0] + SECTOR, SECTOR)),
                          allow=READ_FAILED + [r'^Error: dump_image', r'^Error: double ECC',
                                               r'^Error: reading 0x'])
        if out.value('dump') == '0':
            got = read_file(dump)
            check(got not in (b'\xff' * SECTOR, data),
                  'sector 1 reads cleanly erased or untouched after the power cut', out)
        else:
            expect_in('Failed to read memory at 0x', out)
        again = tmpfile('sector1-again.bin')
        sim.openocd('init', 'reset halt', 'flash erase_sector 0 1 1',
                    'dump_image %s 0x%08x 0x%x' % (again, BANK_BASE[0] + SECTOR, SECTOR))
        check(read_file(again) == b'\xff' * SECTOR, 'sector 1 not erased by the repair')


def test_dropped_connection_keeps_the_chip():
    """--fault drop-after-bytes=N: the simulator closes the debugger's
    connection mid-session (OpenOCD 0.12 cannot recover and stops); the chip
    keeps its state and the next connection works."""
    board = write_file('board.bin', idle_firmware())
    with Sim('--flash-image', board, '--fault', 'drop-after-bytes=400000') as sim:
        sim.openocd('init', 'reset halt', 'mww 0x24000000 0x12345678',
                    'load_image %s 0x24001000 bin' % write_file('big.bin', bytes(65536)),
                    check=False, timeout=60)
        check('dropping the connection' in sim.log(), 'the simulator did not drop the '
              'connection', sim.log())
        out = sim.openocd('init', 'halt', capture('word', 'mdw 0x24000000'))
        expect_in('12345678', out.value('word'))
