# SPDX-License-Identifier: GPL-2.0-or-later
"""The image writers of harness/driver.py, which the driver tests program
with: OpenOCD loads each format into AXI SRAM and the bytes read back are
the ones written."""

import os

from harness import expect_eq, tmpfile
from harness.driver import board_sim, expect_same_data, random_bytes, session, write_image

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')


def test_image_writers_load_into_ram():
    """load_image of each generated format puts exactly its segments into
    AXI SRAM (two segments, the second across a 64 KiB boundary)."""
    segments = [(0x24000000, random_bytes(1000, 1)), (0x2400FF00, random_bytes(700, 2))]
    images = [write_image(fmt, 'ram-' + fmt, segments) for fmt in ('elf', 'hex', 'srec')]
    with board_sim() as sim:
        cmds = []
        for n, (path, _) in enumerate(images):
            cmds += ['mww 0x24000000 0 0x4100',
                     'load_image %s' % path,
                     'dump_image %s 0x24000000 0x10200' % tmpfile('ram-dump%d.bin' % n)]
        out = sim.openocd(*session(*cmds))
    expected = bytearray(0x10200)
    for addr, data in segments:
        expected[addr - 0x24000000:addr - 0x24000000 + len(data)] = data
    for n, (path, _) in enumerate(images):
        expect_same_data(tmpfile('ram-dump%d.bin' % n), bytes(expected),
                         'AXI SRAM after load_image %s' % os.path.basename(path), out)
    expect_eq(out.count('downloaded 1700 bytes'), 3, 'load_image results', out)
