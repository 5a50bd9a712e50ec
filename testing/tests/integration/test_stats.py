# SPDX-License-Identifier: GPL-2.0-or-later
"""The simulator's statistics, and a figure worth quoting: what a 64 KiB
load_image into AXI SRAM costs in TCK cycles and virtual time."""

import random
import time

from harness import (AXI_SRAM, OpenOCDServer, Sim, expect_eq, expect_gt, expect_in, note,
                     tmpfile)

SIZE = 64 * 1024


def test_load_image_64k_stats():
    blob = tmpfile('blob64k.bin')
    with open(blob, 'wb') as f:
        f.write(random.Random(743).randbytes(SIZE))
    with Sim() as sim:
        with OpenOCDServer(sim) as ocd:
            ocd.cmd('halt')
            before = sim.stats()
            t0 = time.monotonic()
            result = ocd.cmd('load_image %s 0x%08x bin' % (blob, AXI_SRAM))
            host_s = time.monotonic() - t0
            after = sim.stats()
            expect_in('%d bytes written at address 0x%08x' % (SIZE, AXI_SRAM), result)
            expect_in('verified %d bytes' % SIZE,
                      ocd.cmd('verify_image %s 0x%08x bin' % (blob, AXI_SRAM)))
        final = sim.stats()
    for key in ('tck_cycles', 'virtual_ns', 'ap_transactions'):
        expect_gt(final[key], 0, 'stats %s' % key)
        expect_gt(after[key], before[key], 'stats %s during load_image' % key)
    expect_eq(final['connections'], 1, 'stats connections')
    tck = after['tck_cycles'] - before['tck_cycles']
    virt_ms = (after['virtual_ns'] - before['virtual_ns']) / 1e6
    wire_ms = (after['wire_ns'] - before['wire_ns']) / 1e6
    aps = after['ap_transactions'] - before['ap_transactions']
    # 16384 words need at least one AP transaction each.
    expect_gt(aps, SIZE // 4 - 1, 'AP transactions for 16384 words')
    note('64KB load_image: %d TCK cycles, %.1f ms virtual (%.1f ms on the wire), '
         '%d AP transactions, %.2f s host' % (tck, virt_ms, wire_ms, aps, host_s))
    note('session totals: %d TCK cycles, %.1f ms virtual, %d CPU instructions'
         % (final['tck_cycles'], final['virtual_ns'] / 1e6, final['cpu_instructions']))
