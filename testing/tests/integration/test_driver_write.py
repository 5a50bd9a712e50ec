# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver: `flash write_image erase`, `verify_image` (routed to
the driver's explaining verify), `dump_image` and `flash verify_bank` on
both banks; reset run/halt/init of a firmware programmed into flash; the
programming parallelism (`stm32h743 psize`) as the chip sees it; no work
area (host programming); verify explaining a wrong or missing image; and
gaps between image sections left erased."""

import re

from harness import (capture, check, expect_eq, expect_in, expect_not_in, expect_re, note, timeout,
                     tmpfile)

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di

IMAGE = 96 * 1024

# Datasheet windows (typ, max) in ns, DS12110 tables 43/140: one flash word,
# one sector erase, by PSIZE.
T_PROG = {8: (290e3, 580e3), 64: (100e3, 200e3)}
T_ERASE = {8: (2000e6, 4000e6), 64: (1000e6, 2000e6)}

# What OpenOCD itself logs when the CRC algorithm it runs on the core hits
# a flash word with a double ECC error (a bus fault), before the driver
# reads back and explains.
CRC_FAULT = [r'^Error: \[stm32h743\.cpu0\] clearing lockup after double fault$',
             r'^Error: error executing cortex_m crc algorithm$']
READ_FAULT = [r'^Error: JTAG-DP STICKY ERROR$', r'^Error: Failed to read memory at 0x']


def expect_between(value, low, high, what):
    check(low <= value <= high, '%s: %s outside [%s, %s]' % (what, value, low, high))


def test_write_image_verify_dump_both_banks():
    images = [(base + 0x20000 * (bank + 1), di.random_bytes(IMAGE, 700 + bank))
              for bank, base in enumerate(di.BANK_BASE)]
    paths = [di.write_bin('image%d.bin' % b, d) for b, (_, d) in enumerate(images)]
    cmds = []
    for (addr, _), path in zip(images, paths):
        cmds.append('flash write_image erase %s 0x%08x' % (path, addr))
    for bank, ((addr, data), path) in enumerate(zip(images, paths)):
        offset = addr - di.BANK_BASE[bank]
        cmds += ['verify_image %s 0x%08x' % (path, addr),
                 'flash verify_bank %d %s 0x%x' % (bank, path, offset),
                 'dump_image %s 0x%08x 0x%x' % (tmpfile('dump%d.bin' % bank), addr, len(data)),
                 'flash read_bank %d %s 0x%x 0x%x' % (bank, tmpfile('read%d.bin' % bank), offset,
                                                    len(data)),
                 *di.section('check%d' % bank, 'flash erase_check %d' % bank)]
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(*cmds), timeout=90)
        stats = di.bank_stats(sim)
    for bank, ((addr, data), path) in enumerate(zip(images, paths)):
        expect_in('wrote %d bytes from file %s' % (IMAGE, path), out)
        di.expect_same_data(tmpfile('dump%d.bin' % bank), data, 'dump_image bank %d' % (bank + 1),
                            out)
        di.expect_same_data(tmpfile('read%d.bin' % bank), data, 'read_bank bank %d' % (bank + 1),
                            out)
        sector = (addr - di.BANK_BASE[bank]) // di.SECTOR
        expected = [0, sector] if bank == 0 else [sector]   # bank 1 sector 0: the firmware
        expect_eq(di.not_erased(di.between(out, 'check%d' % bank)), expected,
                  'bank %d sectors not erased' % (bank + 1), out)
        expect_eq(stats[bank]['words_programmed'], IMAGE // di.WORD,
                  'bank %d words programmed' % (bank + 1))
        # the target sectors are blank: the CRC unit says so, no erase is needed
        expect_eq(stats[bank]['sectors_erased'], 0, 'bank %d sectors erased' % (bank + 1))
        expect_between(stats[bank]['busy_ns'],
                       IMAGE // di.WORD * T_PROG[64][0],
                       IMAGE // di.WORD * T_PROG[64][1],
                       'bank %d busy ns (x64)' % (bank + 1))
    expect_eq(len(re.findall(r'^verified %d bytes' % IMAGE, out, re.M)), 2,
              'verify_image results', out)
    expect_eq(out.count('contents match'), 2, 'flash verify_bank results', out)


def test_reset_flows_with_flash_firmware():
    """The counting firmware, written into a blank bank 1 sector 0, runs
    after `reset run`; `halt` stops it in its loop; `reset halt` and
    `reset init` stop at its reset vector; resume counts on."""
    fw = di.write_bin('counter.bin', di.counter_firmware())
    c = 'read_memory 0x%08x 32 1' % di.COUNTER
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x08000000' % fw,
            'verify_image %s 0x08000000' % fw,
            'mww 0x%08x 0' % di.COUNTER,
            'reset run', 'sleep 200', capture('run1', c), 'sleep 200', capture('run2', c),
            capture('state_run', '[target current] curstate'),
            'halt', capture('halt_pc', 'reg pc'), capture('h1', c), 'sleep 100',
            capture('h2', c),
            'reset halt', capture('rh_pc', 'reg pc'), capture('rh_msp', 'reg msp'),
            capture('rh_state', '[target current] curstate'),
            'reset init', capture('ri_pc', 'reg pc'),
            capture('ri_state', '[target current] curstate'),
            'resume', 'sleep 200', 'halt', capture('r3', c)))
    expect_in('verified 32 bytes', out)
    check(0 < out.int('run1') < out.int('run2'), 'counter after reset run: %#x then %#x'
          % (out.int('run1'), out.int('run2')), out)
    expect_eq(out.value('state_run'), 'running', 'state after reset run', out)
    pc = out.int('halt_pc')
    check(di.COUNTER_LOOP[0] <= pc <= di.COUNTER_LOOP[1], 'halt: pc %#x outside the loop'
          % pc, out)
    expect_eq(out.int('h2'), out.int('h1'), 'counter while halted', out)
    expect_eq(out.int('rh_pc'), 0x08000008, 'pc after reset halt', out)
    expect_eq(out.int('rh_msp'), di.STACK_TOP, 'msp after reset halt', out)
    expect_eq(out.value('rh_state'), 'halted', 'state after reset halt', out)
    expect_eq(out.int('ri_pc'), 0x08000008, 'pc after reset init', out)
    expect_eq(out.value('ri_state'), 'halted', 'state after reset init', out)
    check(out.int('r3') > 0, 'counter did not move after reset init + resume', out)


def test_psize_8_programs_and_odd_value_rejected():
    """`stm32h743 psize 0 8` makes bank 1 erase and program with x8 (the
    chip's busy time shows it) while bank 2 stays x64; 12 is refused with
    a message and changes nothing."""
    size = 32 * 1024
    data = [di.random_bytes(size, 710), di.random_bytes(size, 711)]
    paths = [di.write_bin('p%d.bin' % b, d) for b, d in enumerate(data)]
    addrs = [0x08040000, 0x08140000]
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            capture('p8', 'stm32h743 psize 0 8'),
            *di.attempt('p12', 'stm32h743 psize 0 12'),
            capture('after', 'stm32h743 psize 0'),
            'stm32h743 incremental off',    # erase the blank sectors too: x8 shows there
            *['flash write_image erase %s 0x%08x' % (p, a) for p, a in zip(paths, addrs)],
            *['verify_image %s 0x%08x' % (p, a) for p, a in zip(paths, addrs)],
            *['dump_image %s 0x%08x 0x%x' % (tmpfile('pd%d.bin' % b), a, size)
              for b, a in enumerate(addrs)],
            *di.section('info0', 'flash info 0')),
            allow=[r'psize must be'])
        stats = di.bank_stats(sim)
    expect_eq(out.value('p8'), '8', 'psize 0 8', out)
    check(di.failed(out, 'p12'), 'psize 12 accepted', out)
    expect_in('psize must be 8, 16, 32 or 64 (bits programmed in parallel), not 12',
              di.between(out, 'p12'), 'psize 12 message')
    expect_eq(out.value('after'), '8', 'psize after the refused 12', out)
    expect_in('programming parallelism x8', di.between(out, 'info0'), 'flash info 0')
    expect_eq(out.count('verified %d bytes' % size), 2, 'verify_image results', out)
    for b in range(2):
        di.expect_same_data(tmpfile('pd%d.bin' % b), data[b], 'bank %d data' % (b + 1), out)
    words = size // di.WORD
    for bank, width in ((0, 8), (1, 64)):
        expect_eq(stats[bank]['words_programmed'], words, 'bank %d words' % (bank + 1))
        expect_between(stats[bank]['busy_ns'],
                       words * T_PROG[width][0] + T_ERASE[width][0],
                       words * T_PROG[width][1] + T_ERASE[width][1],
                       'bank %d busy ns (x%d)' % (bank + 1, width))
    note('32 KiB + one sector erase: bank busy %.0f ms at x8, %.0f ms at x64'
         % (stats[0]['busy_ns'] / 1e6, stats[1]['busy_ns'] / 1e6))


@timeout(200)
def test_write_without_work_area():
    """WORKAREASIZE 0: no loader; the driver warns and programs word by word
    from the host; the result verifies."""
    size = 12 * 1024
    images = [(0x08020000, di.random_bytes(size, 720)), (0x081E0000, di.random_bytes(size, 721))]
    paths = [di.write_bin('nwa%d.bin' % n, d) for n, (_, d) in enumerate(images)]
    config = ['interface/h743sim.cfg', '-c set WORKAREASIZE 0', 'target/stm32h743.cfg']
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            *['flash write_image erase %s 0x%08x' % (p, a) for p, (a, _) in zip(paths, images)],
            *['verify_image %s 0x%08x' % (p, a) for p, (a, _) in zip(paths, images)],
            'flash verify_bank 1 %s 0xe0000' % paths[1],
            *['dump_image %s 0x%08x 0x%x' % (tmpfile('nwa-d%d.bin' % n), a, size)
              for n, (a, _) in enumerate(images)]),
            config=config, timeout=180)
        stats = di.bank_stats(sim)
    expect_eq(out.count('no work area for the flash loader: programming word by word through '
                        'the debug port'), 2, 'host-programming warnings (one per write)', out)
    expect_eq(out.count('verified %d bytes' % size), 2, 'verify_image results', out)
    expect_in('contents match', out)
    for n, (addr, data) in enumerate(images):
        di.expect_same_data(tmpfile('nwa-d%d.bin' % n), data, 'image at 0x%08x' % addr, out)
        expect_eq(stats[n]['words_programmed'], size // di.WORD, 'bank %d words' % (n + 1))


def test_verify_explains_wrong_and_missing_image():
    """verify_image names the first differing byte and its flash word and
    sector, and gives the right cause: another image is not a supply
    problem; an erased word was never programmed."""
    data = di.random_bytes(4096, 730)
    other = di.random_bytes(4096, 731)
    path, other_path = di.write_bin('v-good.bin', data), di.write_bin('v-other.bin', other)
    addr = 0x08160000                              # bank 2 sector 3
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x%08x' % (path, addr),
            *di.attempt('other', 'verify_image %s 0x%08x' % (other_path, addr)),
            *di.attempt('missing', 'verify_image %s 0x%08x' % (path, addr + 0x10000)),
            *di.attempt('bank', 'flash verify_bank 1 %s 0x60000' % other_path)),
            allow=[r'^Error: verify failed at 0x', r'^Error:   ', r'^Error: diff ',
                   r'^Error: checksum mismatch'] + di.DIAG_LINES)
    wrong = di.between(out, 'other')
    check(di.failed(out, 'other'), 'verify_image of another image succeeded', out)
    first = next(i for i in range(4096) if data[i] != other[i])
    expect_in('verify failed at 0x%08x: read 0x%02x, expected 0x%02x'
              % (addr + first, data[first], other[first]), wrong, 'wrong image')
    # Another image is neither a weak supply nor programming twice: the
    # words hold exactly what this session programmed.
    expect_re(r'stm32h743: verify failed: flash holds different data than (the image|\S*v-other\.bin): '
              r'128 flash words in 1 sector differ, the first at 0x%08x' % (addr + first),
              wrong, 'wrong image')
    expect_not_in('core supply', wrong, 'wrong image explanation')
    missing = di.between(out, 'missing')
    check(di.failed(out, 'missing'), 'verify_image against erased flash succeeded', out)
    expect_in('verify failed at 0x%08x: read 0xff, expected 0x%02x' % (addr + 0x10000, data[0]),
              missing, 'missing image')
    # The image is in flash, 0x10000 lower: the verdict says where.
    expect_re(r'shifted by -0x10000 bytes: it was programmed at 0x%08x rather than 0x%08x'
              % (addr, addr + 0x10000), missing, 'missing image')
    check(di.failed(out, 'bank'), 'flash verify_bank of another image succeeded', out)


def test_gap_padding_stays_erased():
    """An image whose two sections sit in one sector with a gap between
    them. `flash write_image erase` must leave both sections in place (the
    erase for the second must not wipe the first), and the gap erased:
    programming it with 0xff padding locks those flash words (a later write
    there corrupts their ECC), so the gap could not be filled later."""
    first, second = di.random_bytes(1024, 740), di.random_bytes(1024, 741)
    fill = di.random_bytes(1024, 742)
    elf = di.write_elf('gap.elf', [(0x08020000, first), (0x08030000, second)])
    fill_path = di.write_bin('fill.bin', fill)
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s' % elf,
            *di.attempt('image', 'verify_image %s' % elf),
            *di.attempt('fill', 'flash write_image %s 0x08028000' % fill_path),
            *di.attempt('verify', 'verify_image %s 0x08028000' % fill_path),
            'dump_image %s 0x08020000 0x10400' % tmpfile('gap-dump.bin')),
            allow=CRC_FAULT + READ_FAULT + [r'^Error: double ECC error', r'^Error: verify',
                                            r'^Error:   ', r'^Error: refusing to program',
                                            r'^Error: error writing to flash'])
        stats = di.bank_stats(sim)
    check(not di.failed(out, 'image'), 'the two-section image does not verify right after '
          '`flash write_image erase`', out)
    check(not di.failed(out, 'fill'), 'filling the gap was refused', out)
    check(not di.failed(out, 'verify'), 'the filled gap does not verify: the 0xff padding '
          'of the first write was programmed', out)
    expect_re(r'^verified 1024 bytes', out, 'verify of the filled gap')
    di.expect_same_data(tmpfile('gap-dump.bin'),
                        di.flash_picture([(0x08020000, first), (0x08028000, fill),
                                          (0x08030000, second)], size=0x10400, base=0x08020000),
                        'sector 1 with both sections and the filled gap', out)
    expect_eq(stats[0]['words_programmed'], 3 * 1024 // di.WORD,
              'bank 1 flash words programmed (the 0xff padding must not be)', out)
