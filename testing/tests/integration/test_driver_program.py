# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver: `program FILE [ADDR] verify reset exit` with ELF,
Intel HEX, S-record and raw binary images into bank 1, into bank 2 and
across both banks (0x080F0000..0x08110000), a Tcl script passed with -f
that programs, verifies and resets, and the classic 65 KB S-record at
0x08000000. Every result is checked on the chip: dump_image compared in
Python, the physical banks exported from the simulator's state, and the
flash statistics (sectors erased, words programmed)."""

import os

from harness import capture, check, expect_eq, expect_in, expect_not_in, note, timeout, tmpfile

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di

PROGRAMMED_OK = ('** Programming Started **', '** Programming Finished **',
                 '** Verify Started **', '** Verified OK **', '** Resetting Target **')


def placements(fmt):
    """Three images per format: bank 1 (the counting firmware in sector 0
    and data in sector 1; only the data for a binary), bank 2 (an odd
    length, so the last flash word is padded), and across the bank
    boundary."""
    seed = {'elf': 100, 'hex': 200, 'srec': 300, 'bin': 400}[fmt]
    bank1 = [(0x08020000, di.random_bytes(80 * 1024 + 7, seed))]
    if fmt != 'bin':
        bank1.insert(0, (0x08000000, di.counter_firmware()))
    return [('bank1', bank1),
            ('bank2', [(0x08140000, di.random_bytes(72 * 1024 + 13, seed + 1))]),
            ('across', [(0x080F0000, di.random_bytes(128 * 1024, seed + 2))])]


def program_all(fmt):
    images = placements(fmt)
    segments = [s for _, segs in images for s in segs]
    with di.board_sim(firmware=di.counter_firmware() if fmt == 'bin' else None) as sim:
        for name, segs in images:
            path, addr = di.write_image(fmt, '%s-%s' % (fmt, name), segs,
                                        entry=0x08000009 if name == 'bank1' else None)
            # every sector the image covers erased, as the counts below expect
            # (incremental writes: test_incremental.py)
            out = sim.openocd('stm32h743 incremental off', 'echo "@@firmware-started"',
                              'program %s %s verify reset exit' % (path, addr), timeout=90)
            pos = 0
            for step in PROGRAMMED_OK:
                found = out.find(step, pos)
                check(found >= 0, 'program %s (%s): %r missing or out of order'
                      % (os.path.basename(path), name, step), out)
                pos = found
            expect_not_in('Verify Failed', out)
        # No reset: the firmware `program ... reset` started must be running.
        dumps = [(addr, len(data), tmpfile('dump-%s-%x.bin' % (fmt, addr)))
                 for addr, data in segments]
        out = sim.openocd('init', capture('c1', 'read_memory 0x%08x 32 1' % di.COUNTER),
                          'sleep 100', 'halt',
                          capture('c2', 'read_memory 0x%08x 32 1' % di.COUNTER),
                          capture('pc', 'reg pc'),
                          *['dump_image %s 0x%08x 0x%x' % (p, a, n) for a, n, p in dumps],
                          timeout=90)
        stats = di.bank_stats(sim)
    check(out.int('c2') > out.int('c1') > 0, 'the programmed firmware is not counting '
          '(counter %#x then %#x)' % (out.int('c1'), out.int('c2')), out)
    pc = out.int('pc')
    check(di.COUNTER_LOOP[0] <= pc <= di.COUNTER_LOOP[1], 'pc %#x outside the counting loop'
          % pc, out)
    for (addr, data), (_, _, path) in zip(segments, dumps):
        di.expect_same_data(path, data, '%s image at 0x%08x' % (fmt, addr), out)
    picture = di.flash_picture([(0x08000000, di.counter_firmware())] + segments)
    for phys in (1, 2):
        di.expect_same_data(di.export_bank(sim, phys), picture[(phys - 1) * di.BANK_SIZE:
                                                               phys * di.BANK_SIZE],
                            'physical bank %d (%s images)' % (phys, fmt))
    for bank in range(2):
        touched = set()
        for _, segs in images:
            touched |= di.sectors_touched(segs, bank)
        expect_eq(stats[bank]['sectors_erased'], len(touched),
                  'bank %d sectors erased (sectors %s)' % (bank + 1, sorted(touched)))
        expect_eq(stats[bank]['bank_erases'], 0, 'bank %d bank erases' % (bank + 1))
        # At least every word of the images; gaps between sections that
        # OpenOCD pads are test_driver_write::test_gap_padding_stays_erased.
        words = sum(di.words_in(segs, bank) for _, segs in images)
        check(stats[bank]['words_programmed'] >= words,
              'bank %d: %d flash words programmed, the images have %d'
              % (bank + 1, stats[bank]['words_programmed'], words))
    note('%s: bank busy %.0f / %.0f ms' % (fmt, stats[0]['busy_ns'] / 1e6,
                                           stats[1]['busy_ns'] / 1e6))


@timeout(240)
def test_program_elf():
    program_all('elf')


@timeout(240)
def test_program_intel_hex():
    program_all('hex')


@timeout(240)
def test_program_srec():
    program_all('srec')


@timeout(240)
def test_program_binary_with_address():
    program_all('bin')


def test_program_tcl_script():
    """A script given with -f: programs the counting firmware (Intel HEX)
    and data in bank 2 (binary), verifies both, resets, and reads the
    counter the firmware keeps."""
    fw = di.write_ihex('script-fw.hex', [(0x08000000, di.counter_firmware())], 0x08000009)
    data = di.random_bytes(40 * 1024, 500)
    blob = di.write_bin('script-data.bin', data)
    script = tmpfile('program.tcl')
    with open(script, 'w') as f:
        f.write('\n'.join([
            '# SPDX-License-Identifier: GPL-2.0-or-later',
            'init',
            'echo "@@firmware-started"',
            'reset init',
            'flash write_image erase {%s}' % fw,
            'flash write_image erase {%s} 0x08100000' % blob,
            'echo [verify_image {%s}]' % fw,
            'echo [verify_image {%s} 0x08100000]' % blob,
            'echo "@@script-verified"',
            'mww 0x%08x 0' % di.COUNTER,
            'reset run',
            'sleep 200',
            'halt',
            'echo "@@counter=[read_memory 0x%08x 32 1]"' % di.COUNTER,
            'echo "@@pc=[reg pc]"',
            'dump_image {%s} 0x08100000 0x%x' % (tmpfile('script-dump.bin'), len(data)),
            '']))
    with di.board_sim() as sim:
        out = sim.openocd(config=['board/h743sim.cfg', script], timeout=90)
    expect_in('@@script-verified', out)
    expect_eq(out.count('verified '), 2, 'verify_image results', out)
    check(out.int('counter') > 0, 'the firmware did not count after reset run', out)
    pc = out.int('pc')
    check(di.COUNTER_LOOP[0] <= pc <= di.COUNTER_LOOP[1], 'pc %#x outside the counting loop'
          % pc, out)
    di.expect_same_data(tmpfile('script-dump.bin'), data, 'bank 2 data', out)


def test_program_65k_srec_at_bank1_start():
    """The classic failing case: a 65 KB S-record at 0x08000000 (just over
    64 KiB, 16 data bytes per S3 record) must program and verify."""
    data = di.idle_firmware() + di.random_bytes(65 * 1024 - di.WORD, 600)
    path = di.write_srec('app65k.s19', [(0x08000000, data)], 0x08000009)
    with di.board_sim() as sim:
        out = sim.openocd('echo "@@firmware-started"', 'program %s verify reset exit' % path,
                          timeout=90)
        for step in PROGRAMMED_OK:
            expect_in(step, out)
        check_out = sim.openocd(*di.session(
            'dump_image %s 0x08000000 0x%x' % (tmpfile('app65k.bin'), len(data)),
            'verify_image %s' % path))
        stats = di.bank_stats(sim)
    di.expect_same_data(tmpfile('app65k.bin'), data, '65 KB S-record', check_out)
    expect_in('verified %d bytes' % len(data), check_out)
    expect_eq(stats[0]['words_programmed'], len(data) // di.WORD, 'bank 1 words programmed')
    expect_eq(stats[0]['sectors_erased'], 1, 'bank 1 sectors erased')
