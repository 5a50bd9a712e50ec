# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver: probe and `flash info` on every part of the 0x450 die
(src/flash/nor/stm32h743_layout.c): H743xI/H742xI/H753xI with two banks
of eight sectors, H743xG/H742xG with two banks of four (bank 2 still at
0x08100000), H750xB with one 128 KiB bank and bank 2 reported absent
without breaking init, gdb or anything else; silicon revisions V and Y; the
physical bank (bank swap), the RDP level and the parallelism shown."""

import re

from harness import OpenOCDServer, capture, check, expect_eq, expect_in, expect_not_in, expect_re
from harness.checks import FIRMWARE_STARTED

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di

NAMES = {2048: 'STM32H742xI/H743xI/H753xI', 1024: 'STM32H742xG/H743xG', 128: 'STM32H750xB'}


def probe_and_info(sim):
    return sim.openocd(*di.session(
        'flash probe 0', 'flash probe 1',
        *di.section('info0', 'flash info 0'), *di.section('info1', 'flash info 1'),
        *di.section('banks', 'flash banks')))


def expect_two_banks(out, flash_kb, sectors, rev):
    name = NAMES[flash_kb]
    for bank, base in enumerate(di.BANK_BASE):
        size = sectors * di.SECTOR
        expect_in('stm32h743.bank%d: %s rev %s, bank %d: %d KiB at 0x%08x'
                  % (bank + 1, name, rev, bank + 1, size // 1024, base), out)
        info = di.between(out, 'info%d' % bank)
        expect_in('#%d : stm32h743 at 0x%08x, size 0x%08x' % (bank, base, size), info,
                  'flash info %d' % bank)
        expect_eq(di.flash_info_sectors(info),
                  [(n, n * di.SECTOR, di.SECTOR, 'not protected') for n in range(sectors)],
                  'flash info %d sectors' % bank, out)
        expect_in('%s (device id 0x450, rev %s), %d KiB flash in 2 banks' % (name, rev, flash_kb),
                  info, 'flash info %d' % bank)
        expect_in('bank %d at 0x%08x: physical bank %d, %d sectors of 128 KiB, registers at '
                  '0x%08x' % (bank + 1, base, bank + 1, sectors, di.FLASH_REGS + 0x100 * bank),
                  info, 'flash info %d' % bank)
        expect_in('read protection: RDP level 0; programming parallelism x64', info,
                  'flash info %d' % bank)
        expect_in('#%d : stm32h743.bank%d (stm32h743) at 0x%08x, size 0x%08x'
                  % (bank, bank + 1, base, size), di.between(out, 'banks'), 'flash banks')


def test_probe_h743xi_rev_v():
    with di.board_sim() as sim:
        out = probe_and_info(sim)
    expect_two_banks(out, 2048, 8, 'V')


def test_probe_h743xg_rev_y():
    """1 MiB part: two banks of 512 KiB, bank 2 at 0x08100000, not right
    after bank 1; the hole in between belongs to no bank."""
    with di.board_sim('--variant', 'H743xG', '--rev', 'Y') as sim:
        out = probe_and_info(sim)
        data = di.random_bytes(4096, 11)
        last = 0x08160000                       # bank 2 sector 3, the last one
        path = di.write_file('xg.bin', data)
        out2 = sim.openocd(*di.session(
            *di.attempt('sector4', 'flash erase_sector 1 4 4'),
            *di.attempt('hole', 'flash write_image erase %s 0x08080000' % path),
            'flash write_image erase %s 0x%08x' % (path, last),
            'verify_image %s 0x%08x' % (path, last),
            'dump_image %s 0x%08x 4096' % (di.tmpfile('xg-dump.bin'), last)))
        stats = di.bank_stats(sim)
    expect_two_banks(out, 1024, 4, 'Y')
    check(di.failed(out2, 'sector4'), 'erase of sector 4 on a 4-sector bank succeeded', out2)
    expect_in('last sector must be <= 3', di.between(out2, 'sector4'), 'erase sector 4')
    expect_in('no flash bank found for address 0x08080000', di.between(out2, 'hole'),
              'write into the hole')
    expect_in('wrote 0 bytes', di.between(out2, 'hole'), 'write into the hole')
    expect_in('verified 4096 bytes', out2)
    di.expect_same_data(di.tmpfile('xg-dump.bin'), data, 'bank 2 sector 3', out2)
    # the sector is blank: the CRC unit says so and it is programmed without an erase
    expect_eq(stats[1]['sectors_erased'], 0, 'bank 2 sectors erased')
    expect_eq(stats[1]['words_programmed'], 4096 // di.WORD, 'bank 2 words programmed')
    expect_eq(stats[0]['words_programmed'], 0, 'bank 1 words programmed')


def test_probe_other_two_bank_parts():
    """H742xI and H753xI (2 MiB), H742xG (1 MiB), on both revisions."""
    for variant, kb, sectors, rev in (('H742xI', 2048, 8, 'Y'), ('H753xI', 2048, 8, 'V'),
                                      ('H742xG', 1024, 4, 'V')):
        with di.board_sim('--variant', variant, '--rev', rev) as sim:
            out = probe_and_info(sim)
        expect_two_banks(out, kb, sectors, rev)


def test_probe_h750xb_bank2_absent():
    """One 128 KiB bank; the target config still declares bank 2, which
    must come out absent and empty, with a warning and no error."""
    with di.board_sim('--variant', 'H750xB', '--rev', 'Y') as sim:
        out = probe_and_info(sim)
        data = di.random_bytes(8192, 12)
        path = di.write_file('h750.bin', data)
        out2 = sim.openocd(*di.session(
            'flash write_image erase %s 0x08010000' % path,
            'verify_image %s 0x08010000' % path,
            'dump_image %s 0x08010000 8192' % di.tmpfile('h750-dump.bin'),
            *di.section('check1', 'flash erase_check 0')))
    info0, info1 = di.between(out, 'info0'), di.between(out, 'info1')
    expect_in('stm32h743.bank1: STM32H750xB rev Y, bank 1: 128 KiB at 0x08000000', out)
    expect_re(r'^Warn : stm32h743\.bank2: the STM32H750xB has no flash bank at 0x08100000; '
              r'the bank has no sectors$', out)
    expect_eq(di.flash_info_sectors(info0), [(0, 0, di.SECTOR, 'not protected')],
              'flash info 0 sectors', out)
    expect_in('STM32H750xB (device id 0x450, rev Y), 128 KiB flash in 1 bank', info0)
    expect_re(r'bank 1 at 0x08000000: physical bank 1, 1 sectors? of 128 KiB', info0)
    expect_in('#1 : stm32h743 at 0x08100000', info1, 'flash info 1')
    expect_eq(di.flash_info_sectors(info1), [], 'flash info 1 sectors', out)
    expect_in('bank 2: absent on this part', info1, 'flash info 1')
    expect_in('verified 8192 bytes', out2)
    di.expect_same_data(di.tmpfile('h750-dump.bin'), data, 'H750 flash', out2)
    expect_eq(di.not_erased(di.between(out2, 'check1')), [0], 'H750 sectors not erased', out2)


def test_h750xb_gdb_memory_map():
    """gdb attaches to an H750 and sees one 128 KiB flash region."""
    with di.board_sim('--variant', 'H750xB') as sim:
        with OpenOCDServer(sim, 'echo "%s"' % FIRMWARE_STARTED) as ocd:
            elf = di.write_elf('idle.elf', [(0x08000000, di.idle_firmware())])
            out = ocd.gdb(elf, 'info mem', 'monitor reset halt',
                          'x/2xw 0x08000000', 'detach')
    expect_not_in('Remote communication error', out)
    regions = re.findall(r'^\d+\s+y\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (.*?)\s*$', out, re.M)
    flash = [(int(lo, 16), int(hi, 16), attrs) for lo, hi, attrs in regions if 'flash' in attrs]
    expect_eq(flash, [(0x08000000, 0x08020000, 'flash blocksize 0x20000 nocache')],
              'flash regions in the memory map', out)
    expect_re(r'^0x8000000:\s+0x20020000\s+0x08000009$', out, 'x/2xw of the vector table')


def test_h750xb_verify_ram_image():
    """The empty bank 2 must not capture other addresses: verify_image of
    an image in AXI SRAM works on the H750 as on any other part."""
    ram = di.random_bytes(1024, 13)
    ram_path = di.write_file('ram.bin', ram)
    with di.board_sim('--variant', 'H750xB') as sim:
        out = sim.openocd(*di.session(
            'load_image %s 0x24000000' % ram_path,
            *di.attempt('ram', 'verify_image %s 0x24000000' % ram_path)), check=False)
    check(not di.failed(out, 'ram'), 'verify_image of an image in AXI SRAM failed on the '
          'H750 (the empty bank 2 at 0x08100000 claimed the address)', out)
    expect_in('verified 1024 bytes', di.between(out, 'ram'), 'verify_image in RAM')
    out.expect_no_errors()


def test_h750xb_write_to_absent_bank2():
    """Writing to 0x08100000 on the H750 is refused with a message naming
    the address; OpenOCD keeps running."""
    flash_path = di.write_file('b2.bin', di.random_bytes(1024, 14))
    with di.board_sim('--variant', 'H750xB') as sim:
        out = sim.openocd(*di.session(
            *di.attempt('b2', 'flash write_image erase %s 0x08100000' % flash_path),
            'echo "@@alive=yes"'), check=False)
    check(out.returncode is not None and out.returncode >= 0,
          'openocd crashed (exit status %s) on a write to the absent bank 2'
          % out.returncode, out)
    check(di.failed(out, 'b2'), 'write to the absent bank 2 succeeded', out)
    expect_re(r'0x08100000', di.between(out, 'b2'), 'refusal of the bank 2 write')
    expect_eq(out.value('alive'), 'yes', 'OpenOCD still running', out)


def test_h750xb_diagnose_absent_bank2():
    """`stm32h743 diagnose 1` on the H750 says bank 2 is absent instead of
    showing controller registers of a "physical bank 2" that is not there;
    an erase there is refused naming the part."""
    with di.board_sim('--variant', 'H750xB') as sim:
        out = sim.openocd(*di.session(
            *di.attempt('diag', 'stm32h743 diagnose 1'),
            *di.attempt('erase', 'flash erase_sector 1 0 0')),
            allow=[r'^Error: erase: the STM32H750xB has no flash at 0x08100000',
                   r'^Error: failed erasing sectors'])
    check(di.failed(out, 'erase'), 'erase of the absent bank 2 succeeded', out)
    expect_in('the STM32H750xB has no flash at 0x08100000 (bank 2 is absent)',
              di.between(out, 'erase'), 'erase on the absent bank')
    diag = di.between(out, 'diag')
    expect_in('absent', diag, 'diagnose 1 on the H750')
    expect_not_in('physical bank 2', diag, 'diagnose 1 on the H750')


def test_physical_bank_after_swap():
    """With SWAP_BANK_OPT set (raw option-register writes) and a reset,
    0x08000000 shows physical bank 2: flash info and diagnose say so."""
    idle = di.idle_firmware()
    path = di.write_file('idle.bin', idle)
    swap = ['mww 0x52002008 0x08192A3B', 'mww 0x52002008 0x4C5D6E7F',
            'mww 0x52002020 [expr {[read_memory 0x52002020 32 1] ^ 0x80000000}]',
            'mww 0x52002018 2',
            'for {set i 0} {$i < 500} {incr i} '
            '{ if {!([read_memory 0x5200201C 32 1] & 1)} break; sleep 10 }',
            'mww 0x52002018 1']
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            # the same firmware in bank 2, so the core also boots swapped
            'flash write_image erase %s 0x08100000' % path,
            *swap, 'reset halt',
            *di.section('swapped0', 'flash info 0'), *di.section('swapped1', 'flash info 1'),
            *di.section('diag0', 'stm32h743 diagnose 0'),
            *swap, 'reset halt',
            *di.section('back0', 'flash info 0')))
        flash = sim.stats()['flash']
    expect_in('bank 1 at 0x08000000: physical bank 2 (banks swapped)',
              di.between(out, 'swapped0'), 'flash info 0 swapped')
    expect_in('bank 2 at 0x08100000: physical bank 1 (banks swapped)',
              di.between(out, 'swapped1'), 'flash info 1 swapped')
    expect_in('bank 1 at 0x08000000 (physical bank 2)', di.between(out, 'diag0'),
              'diagnose 0 swapped')
    expect_in('bank 1 at 0x08000000: physical bank 1, 8 sectors', di.between(out, 'back0'),
              'flash info 0 after swapping back')
    expect_eq(flash['swapped'], False, 'sim swap state at the end')
    expect_eq(flash['option_changes'], 2, 'option changes')


def test_info_shows_rdp_and_parallelism():
    """`stm32h743 psize` changes what `flash info` reports, per bank."""
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            capture('p0', 'stm32h743 psize 0'),
            capture('p1', 'stm32h743 psize 1 16'),
            *di.section('info0', 'flash info 0'), *di.section('info1', 'flash info 1'),
            capture('p32', 'stm32h743 psize 0 32'),
            *di.section('info0b', 'flash info 0')))
    expect_eq(out.value('p0'), '64', 'default psize', out)
    expect_eq(out.value('p1'), '16', 'psize 1 16', out)
    expect_eq(out.value('p32'), '32', 'psize 0 32', out)
    expect_in('RDP level 0; programming parallelism x64', di.between(out, 'info0'))
    expect_in('RDP level 0; programming parallelism x16', di.between(out, 'info1'))
    expect_in('RDP level 0; programming parallelism x32', di.between(out, 'info0b'))
