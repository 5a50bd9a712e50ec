# SPDX-License-Identifier: GPL-2.0-or-later
"""OpenOCD's own upstream driver (`stm32h7x`, target/stm32h7x_dual_bank.cfg)
drives the simulator as it would drive a real STM32H743: probe and info,
sector and bank erase, programming through the loader and, with no work
area, from the host, verify and dump, read-out protection, option bytes and
write protection (OpenOCD's src/flash/nor/stm32h7x.c).

Every expectation is what the real chip does with this driver. Upstream's
loader writes FLASH_CR = PG only, so it programs with PSIZE x8 (t_prog 290 us
typical, 580 us max); its host fallback and its erases use PSIZE x64
(100/200 us per flash word, 1/2 s per sector): the bank busy times are
checked against those datasheet windows (DS12110 tables 43/140).

The board comes with a tiny firmware (vector table + `b .`) so that init
finds a running core instead of the blank chip's lockup.
"""

import random
import re

from harness import (Sim, capture, check, expect_eq, expect_in, expect_not_in, expect_re, fail,
                     note, timeout, tmpfile)
from harness.board import between, expect_same_data, idle_firmware, section, write_file
from harness.chip import BANK_BASE, BANK_SIZE, RDP_LEVEL0, RDP_LEVEL2, SECTOR, SECTORS, WORD

IMAGE = 64 * 1024

# Datasheet windows (typ, max) in ns
T_PROG_X8 = (290e3, 580e3)
T_PROG_X64 = (100e3, 200e3)
T_ERASE_X64 = (1000e6, 2000e6)


OPTSR_CUR, OPTSR_PRG = 0x1C, 0x20
WPSN_CUR, WPSN_PRG = 0x38, 0x3C
BOOT_CUR, BOOT_PRG = 0x40, 0x44

# What OpenOCD logs when the debugger's read of the flash is refused.
READ_REFUSED = [r'^Error: JTAG-DP STICKY ERROR$', r'^Error: Failed to read memory at 0x']

# `flash info` sector line, e.g. "\t#  3: 0x00060000 (0x20000 128kB) not protected"
SECTOR_LINE = re.compile(r'^\t#\s*(\d+): 0x([0-9a-f]+) \(0x([0-9a-f]+) (\d+)kB\) '
                         r'(not protected|protected|protection state unknown)$')


# ---- images and files -------------------------------------------------------------

def random_bytes(size, seed):
    return random.Random(seed).randbytes(size)


def board(size=WORD, seed=743):
    """The firmware the board comes with: the idle firmware, then random
    data up to size bytes. Returns (path, data)."""
    data = idle_firmware() + random_bytes(size - WORD, seed)
    return write_file('board-%x.bin' % size, data), data


def board_sim(size=WORD, *args):
    path, data = board(size)
    sim = Sim('--flash-image', path, *args)
    sim.board = data
    return sim


# ---- OpenOCD helpers ----------------------------------------------------------------

def upstream(sim, *cmds, **kw):
    """One batch session with upstream's config, the core halted by reset."""
    return sim.openocd('init', 'reset halt', *cmds, config='upstream', **kw)


def flash_info_sectors(text):
    """[(number, offset, size, state)] from one `flash info` output."""
    return [(int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16), m.group(5))
            for m in map(SECTOR_LINE.match, text.split('\n')) if m]


def not_erased(text):
    """Sector numbers `flash erase_check` lists as not erased."""
    expect_in('successfully checked erase state', text, 'flash erase_check')
    return sorted(int(m.group(1)) for m in
                  re.finditer(r'^\t#\s*(\d+): 0x[0-9a-f]+ \(.*\) not erased$', text, re.M))


def option(out, key):
    """Value printed by capture(key, 'stm32h7x option_read ...')."""
    m = re.search(r'= 0x([0-9a-f]+)$', out.value(key))
    if not m:
        fail('option_read %s printed %r' % (key, out.value(key)), out)
    return int(m.group(1), 16)


def expect_erased(path, size, what, context=None):
    expect_same_data(path, b'\xff' * size, what + ' (erased)', context)


def expect_between(value, low, high, what):
    check(low <= value <= high, '%s: %s outside [%s, %s]' % (what, value, low, high))


def banks(sim):
    return sim.stats()['flash']['banks']


# ---- tests ----------------------------------------------------------------------------

def test_probe_and_info():
    with board_sim() as sim:
        out = upstream(sim, 'flash probe 0', 'flash probe 1',
                       *section('info0', 'flash info 0'), *section('info1', 'flash info 1'))
    expect_eq(out.count('flash size probed value 2048k'), 2, 'probed size lines', out)
    expect_in('STM32H7 flash has dual banks', out)
    for bank, base in enumerate(BANK_BASE):
        expect_in("flash 'stm32h7x' found at 0x%08x" % base, out)
        expect_in('Bank (%d) size is 1024 kb, base address is 0x%08x' % (bank, base), out)
        info = between(out, 'info%d' % bank)
        expect_in('#%d : stm32h7x at 0x%08x, size 0x%08x' % (bank, base, BANK_SIZE), info,
                  'flash info %d' % bank)
        expect_eq(flash_info_sectors(info),
                  [(n, n * SECTOR, SECTOR, 'not protected') for n in range(SECTORS)],
                  'flash info %d sectors' % bank, out)
        expect_in('STM32H74x/75x - Rev: V', info, 'flash info %d' % bank)


def test_probe_other_parts():
    """The 1 MiB part (two banks of four sectors) and silicon revision Y."""
    with board_sim(WORD, '--variant', 'H743xG', '--rev', 'Y') as sim:
        out = upstream(sim, *section('info0', 'flash info 0'),
                       *section('info1', 'flash info 1'))
    expect_in('flash size probed value 1024k', out)
    for bank, base in enumerate(BANK_BASE):
        expect_in('Bank (%d) size is 512 kb, base address is 0x%08x' % (bank, base), out)
        info = between(out, 'info%d' % bank)
        expect_eq(flash_info_sectors(info),
                  [(n, n * SECTOR, SECTOR, 'not protected') for n in range(4)],
                  'flash info %d sectors (H743xG)' % bank, out)
        expect_in('STM32H74x/75x - Rev: Y', info, 'flash info %d' % bank)


def test_erase_sector_in_each_bank():
    # Bank 1 full of data, bank 2 data in sector 0.
    with board_sim(BANK_SIZE + SECTOR) as sim:
        data = sim.board
        before = banks(sim)
        out = upstream(
            sim, 'flash erase_sector 0 1 1', 'flash erase_sector 1 0 0',
            'dump_image %s 0x%08x 0x%x' % (tmpfile('b1s1.bin'), BANK_BASE[0] + SECTOR, SECTOR),
            'dump_image %s 0x%08x 0x%x' % (tmpfile('b2s0.bin'), BANK_BASE[1], SECTOR),
            capture('below', 'read_memory 0x%08x 8 32' % (BANK_BASE[0] + SECTOR - WORD)),
            capture('above', 'read_memory 0x%08x 8 32' % (BANK_BASE[0] + 2 * SECTOR)),
            *section('check0', 'flash erase_check 0'),
            *section('check1', 'flash erase_check 1'),
            timeout=90)
        after = banks(sim)
    expect_in('erased sectors 1 through 1 on flash bank 0', out)
    expect_in('erased sectors 0 through 0 on flash bank 1', out)
    expect_erased(tmpfile('b1s1.bin'), SECTOR, 'bank 1 sector 1', out)
    expect_erased(tmpfile('b2s0.bin'), SECTOR, 'bank 2 sector 0', out)
    # The neighbours keep their data.
    for key, offset in (('below', SECTOR - WORD), ('above', 2 * SECTOR)):
        got = bytes(int(v, 0) for v in out.value(key).split())
        expect_eq(got, data[offset:offset + WORD], 'bank 1 word at %#x' % offset, out)
    expect_eq(not_erased(between(out, 'check0')), [0, 2, 3, 4, 5, 6, 7],
              'bank 1 sectors not erased', out)
    check('Bank is erased' in between(out, 'check1'), 'bank 2 not reported erased', out)
    for b in range(2):
        expect_eq(before[b]['sectors_erased'], 0, 'bank %d sectors erased at start' % (b + 1))
        expect_eq(after[b]['sectors_erased'], 1, 'bank %d sectors_erased' % (b + 1))
        expect_eq(after[b]['words_programmed'], 0, 'bank %d words_programmed' % (b + 1))
        expect_between(after[b]['busy_ns'], *T_ERASE_X64, 'bank %d busy ns' % (b + 1))


def write_verify_dump(config, images, erase_check=True):
    """write_image erase + verify_image + flash verify_bank + dump_image of
    one 64 KiB image per bank (+ flash erase_check); returns (Log, bank
    stats)."""
    cmds = []
    for bank, (path, _) in enumerate(images):
        cmds.append('flash write_image erase %s 0x%08x' % (path, BANK_BASE[bank]))
    for bank, (path, _) in enumerate(images):
        cmds += ['verify_image %s 0x%08x' % (path, BANK_BASE[bank]),
                 'flash verify_bank %d %s 0' % (bank, path),
                 'dump_image %s 0x%08x 0x%x' % (tmpfile('dump%d.bin' % bank),
                                                BANK_BASE[bank], IMAGE)]
    if erase_check:
        cmds += section('check0', 'flash erase_check 0') + section('check1', 'flash erase_check 1')
    with board_sim() as sim:
        out = sim.openocd('init', 'reset halt', *cmds, config=config, timeout=150)
        stats = banks(sim)
    for bank, (path, data) in enumerate(images):
        expect_in('wrote %d bytes from file %s' % (IMAGE, path), out)
        expect_same_data(tmpfile('dump%d.bin' % bank), data, 'dump of bank %d' % (bank + 1), out)
        if erase_check:
            expect_eq(not_erased(between(out, 'check%d' % bank)), [0],
                      'bank %d sectors not erased' % (bank + 1), out)
        expect_eq(stats[bank]['words_programmed'], IMAGE // WORD,
                  'bank %d words_programmed' % (bank + 1))
        expect_eq(stats[bank]['sectors_erased'], 1, 'bank %d sectors_erased' % (bank + 1))
    expect_eq(out.count('verified %d bytes' % IMAGE), 2, 'verify_image results', out)
    expect_eq(out.count('contents match'), 2, 'flash verify_bank results', out)
    return out, stats


def images():
    return [(write_file('image%d.bin' % b, d), d)
            for b, d in enumerate((random_bytes(IMAGE, 1), random_bytes(IMAGE, 2)))]


def test_write_verify_dump_both_banks():
    imgs = images()
    out, stats = write_verify_dump('upstream', imgs)
    expect_not_in('falling back', out)
    words = IMAGE // WORD
    for b in range(2):
        # The loader programs with PSIZE x8.
        expect_between(stats[b]['busy_ns'], words * T_PROG_X8[0] + T_ERASE_X64[0],
                       words * T_PROG_X8[1] + T_ERASE_X64[1], 'bank %d busy ns' % (b + 1))
    note('upstream loader, 64 KiB per bank: bank busy %.1f / %.1f ms'
         % (stats[0]['busy_ns'] / 1e6, stats[1]['busy_ns'] / 1e6))


def test_verify_detects_wrong_data():
    imgs = images()
    with board_sim() as sim:
        out = upstream(sim, 'flash write_image erase %s 0x%08x' % (imgs[0][0], BANK_BASE[0]),
                       # catch keeps the command's output in ::msg
                       'set ::rc [catch {verify_image %s 0x%08x} ::msg]'
                       % (imgs[1][0], BANK_BASE[0]),
                       'echo "@@bad=$::rc"', 'echo $::msg',
                       allow=[r'^Error: checksum mismatch'])
    check(out.value('bad') != '0', 'verify_image of the wrong image succeeded', out)
    expect_re(r'^diff 0 address 0x08000000\. Was 0x%02x instead of 0x%02x'
              % (imgs[0][1][0], imgs[1][1][0]), out)


@timeout(240)
def test_write_without_work_area():
    """WORKAREASIZE 0: no loader; upstream programs word by word from the
    host (PSIZE x64) and verifies by reading back."""
    imgs = images()
    config = ['interface/h743sim.cfg', '-c set WORKAREASIZE 0', 'target/stm32h7x_dual_bank.cfg']
    out, stats = write_verify_dump(config, imgs, erase_check=False)
    expect_re(r"^Warn : no working area available, can't do block memory writes$", out)
    expect_eq(out.count('couldn\'t use block writes, falling back to single memory accesses'),
              2, 'host-programming fallbacks (one per bank)', out)
    words = IMAGE // WORD
    for b in range(2):
        expect_between(stats[b]['busy_ns'], words * T_PROG_X64[0] + T_ERASE_X64[0],
                       words * T_PROG_X64[1] + T_ERASE_X64[1], 'bank %d busy ns' % (b + 1))
    note('host programming, 64 KiB per bank: bank busy %.1f / %.1f ms'
         % (stats[0]['busy_ns'] / 1e6, stats[1]['busy_ns'] / 1e6))


def test_mass_erase_bank():
    """`stm32h7x mass_erase 0` is a bank erase (BER) of bank 1 only."""
    with board_sim(BANK_SIZE + SECTOR) as sim:
        data = sim.board
        out = upstream(sim, 'stm32h7x mass_erase 0',
                       'dump_image %s 0x%08x 0x%x' % (tmpfile('b1.bin'), BANK_BASE[0], SECTOR),
                       'dump_image %s 0x%08x 0x%x' % (tmpfile('b2.bin'), BANK_BASE[1], SECTOR),
                       *section('check0', 'flash erase_check 0'),
                       *section('check1', 'flash erase_check 1'), timeout=90)
        stats = banks(sim)
    expect_in('stm32h7x mass erase complete', out)
    expect_erased(tmpfile('b1.bin'), SECTOR, 'bank 1 sector 0 after mass_erase 0', out)
    expect_same_data(tmpfile('b2.bin'), data[BANK_SIZE:], 'bank 2 after mass_erase 0', out)
    check('Bank is erased' in between(out, 'check0'), 'bank 1 not reported erased', out)
    expect_eq(not_erased(between(out, 'check1')), [0], 'bank 2 sectors not erased', out)
    expect_eq([b['bank_erases'] for b in stats], [1, 0], 'bank_erases per bank')


def rdp(optsr):
    return (optsr >> 8) & 0xFF


def test_rdp_lock_unlock():
    """Level 1 shuts the debugger out of the flash; the regression to level
    0 erases both banks."""
    with board_sim(BANK_SIZE + SECTOR) as sim:
        out = upstream(
            sim, capture('opt0', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR),
            capture('lock', 'stm32h7x lock 0'),
            capture('opt1', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR),
            capture('opt1b', 'stm32h7x option_read 1 0x%x' % OPTSR_CUR),
            capture('rd1', 'catch {read_memory 0x%08x 32 1}' % BANK_BASE[0]),
            capture('rd2', 'catch {read_memory 0x%08x 32 1}' % BANK_BASE[1]),
            capture('unlock', 'stm32h7x unlock 0'),
            capture('opt2', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR),
            capture('prg2', 'stm32h7x option_read 0 0x%x' % OPTSR_PRG),
            'dump_image %s 0x%08x 0x%x' % (tmpfile('b1.bin'), BANK_BASE[0], SECTOR),
            'dump_image %s 0x%08x 0x%x' % (tmpfile('b2.bin'), BANK_BASE[1], SECTOR),
            *section('check0', 'flash erase_check 0'),
            *section('check1', 'flash erase_check 1'),
            allow=READ_REFUSED + [r'^Error: read_memory: read at 0x'], timeout=90)
        stats = sim.stats()['flash']
    expect_eq(rdp(option(out, 'opt0')), RDP_LEVEL0, 'RDP at start', out)
    expect_eq(out.value('lock'), 'stm32h7x locked', 'stm32h7x lock 0', out)
    expect_in('locking the entire flash device', out)
    level1 = rdp(option(out, 'opt1'))
    check(level1 not in (RDP_LEVEL0, RDP_LEVEL2), 'RDP %#04x after lock is not level 1'
          % level1, out)
    expect_eq(option(out, 'opt1b'), option(out, 'opt1'), 'OPTSR_CUR through bank 2', out)
    for key, base in (('rd1', BANK_BASE[0]), ('rd2', BANK_BASE[1])):
        check(out.value(key) != '0', 'debugger read of 0x%08x worked at RDP level 1' % base, out)
        expect_re(r'^Error: Failed to read memory at 0x%08x$' % base, out)
    expect_eq(out.value('unlock'), 'stm32h7x unlocked', 'stm32h7x unlock 0', out)
    expect_in('unlocking the entire flash device', out)
    expect_eq(rdp(option(out, 'opt2')), RDP_LEVEL0, 'RDP after unlock', out)
    expect_eq(option(out, 'opt2') & 1, 0, 'OPT_BUSY after unlock', out)
    expect_eq(rdp(option(out, 'prg2')), RDP_LEVEL0, 'OPTSR_PRG RDP after unlock', out)
    expect_erased(tmpfile('b1.bin'), SECTOR, 'bank 1 sector 0 after RDP regression', out)
    expect_erased(tmpfile('b2.bin'), SECTOR, 'bank 2 sector 0 after RDP regression', out)
    for bank in range(2):
        check('Bank is erased' in between(out, 'check%d' % bank),
              'bank %d not reported erased after the RDP regression' % (bank + 1), out)
    expect_eq(stats['option_changes'], 2, 'option byte changes')


def test_option_read_write():
    """option_write stages a *_PRG register and commits it; the *_CUR
    register shows the new value, and the option bytes survive a power
    cycle (the simulator restarted on its state file)."""
    boot = 0x24000800                   # BOOT_ADD1 = AXI SRAM, BOOT_ADD0 unchanged
    with board_sim() as sim:
        out = upstream(
            sim, capture('boot0', 'stm32h7x option_read 0 0x%x' % BOOT_CUR),
            'stm32h7x option_write 0 0x%x 0x%08x' % (BOOT_PRG, boot),
            capture('boot1', 'stm32h7x option_read 0 0x%x' % BOOT_CUR),
            capture('boot1b', 'stm32h7x option_read 1 0x%x' % BOOT_CUR),
            # WPSN_PRG2 through bank 2's window: protect its sector 7
            'stm32h7x option_write 1 0x%x 0x7f' % WPSN_PRG,
            capture('wpsn1', 'stm32h7x option_read 0 0x%x' % WPSN_CUR),
            capture('wpsn2', 'stm32h7x option_read 1 0x%x' % WPSN_CUR),
            *section('info1', 'flash info 1'),
            # BOR_LEV (OPTSR bits 3:2) with a mask: nothing else may change
            capture('optsr0', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR),
            'stm32h7x option_write 0 0x%x 0x0000000c 0x0000000c' % OPTSR_PRG,
            capture('optsr1', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR))
        boot0 = option(out, 'boot0')
        expect_eq(option(out, 'boot1'), boot, 'BOOT_CURR after option_write', out)
        expect_eq(option(out, 'boot1b'), boot, 'BOOT_CURR through bank 2', out)
        expect_eq(option(out, 'wpsn1'), 0xFF, 'WPSN_CUR1 after writing WPSN_PRG2', out)
        expect_eq(option(out, 'wpsn2'), 0x7F, 'WPSN_CUR2', out)
        states = [s[3] for s in flash_info_sectors(between(out, 'info1'))]
        expect_eq(states, ['not protected'] * 7 + ['protected'], 'bank 2 protection', out)
        optsr0, optsr1 = option(out, 'optsr0'), option(out, 'optsr1')
        expect_eq(optsr1, optsr0 | 0xC, 'OPTSR_CUR after setting BOR_LEV', out)
        expect_eq(sim.stats()['flash']['option_changes'], 3, 'option byte changes')
        # Power cycle: the option bytes are non-volatile.
        sim.stop()
        sim.start()
        out = upstream(sim, capture('boot', 'stm32h7x option_read 0 0x%x' % BOOT_CUR),
                       capture('wpsn2', 'stm32h7x option_read 1 0x%x' % WPSN_CUR),
                       capture('optsr', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR),
                       # back to the factory values
                       'stm32h7x option_write 0 0x%x 0x%08x' % (BOOT_PRG, boot0),
                       'stm32h7x option_write 1 0x%x 0xff' % WPSN_PRG,
                       'stm32h7x option_write 0 0x%x 0 0x0000000c' % OPTSR_PRG,
                       capture('boot_f', 'stm32h7x option_read 0 0x%x' % BOOT_CUR),
                       capture('wpsn2_f', 'stm32h7x option_read 1 0x%x' % WPSN_CUR),
                       capture('optsr_f', 'stm32h7x option_read 0 0x%x' % OPTSR_CUR))
        expect_not_in('ignored', sim.log(), 'h743sim output')
    expect_eq(option(out, 'boot'), boot, 'BOOT_CURR after a power cycle', out)
    expect_eq(option(out, 'wpsn2'), 0x7F, 'WPSN_CUR2 after a power cycle', out)
    expect_eq(option(out, 'optsr'), optsr1, 'OPTSR_CUR after a power cycle', out)
    expect_eq(option(out, 'boot_f'), boot0, 'BOOT_CURR restored', out)
    expect_eq(option(out, 'wpsn2_f'), 0xFF, 'WPSN_CUR2 restored', out)
    expect_eq(option(out, 'optsr_f'), optsr0, 'OPTSR_CUR restored', out)


def test_write_protection():
    small = write_file('small.bin', random_bytes(1024, 3))
    target = BANK_BASE[0] + SECTOR          # sector 1, erased
    with board_sim() as sim:
        data = sim.board
        out = upstream(
            sim, 'flash protect 0 0 1 on',
            capture('wpsn', 'stm32h7x option_read 0 0x%x' % WPSN_CUR),
            *section('info_on', 'flash info 0'),
            capture('erase', 'catch {flash erase_sector 0 0 0}'),
            capture('vectors', 'read_memory 0x%08x 8 32' % BANK_BASE[0]),
            capture('write', 'catch {flash write_image %s 0x%08x}' % (small, target)),
            capture('s1', 'read_memory 0x%08x 32 8' % target),
            'flash protect 0 0 1 off',
            capture('wpsn_off', 'stm32h7x option_read 0 0x%x' % WPSN_CUR),
            *section('info_off', 'flash info 0'),
            'flash erase_sector 0 1 1',
            'flash write_image %s 0x%08x' % (small, target),
            'verify_image %s 0x%08x' % (small, target),
            allow=[r'^Error: wait_flash_op_queue, WRPERR detected$',
                   r'^Error: erase time-out or operation error sector 0$',
                   r'^Error: failed erasing sectors 0 to 0$',
                   r'^Error: flash write algorithm aborted by target$',
                   r'^Error: error executing stm32h7x flash write algorithm$',
                   r'^Error: flash memory write protected$',
                   r'^Error: flash write failed, FLASH_SR = 0x',
                   r'^Error: error writing to flash at address 0x08000000 at offset 0x00020000$'])
        stats = banks(sim)
    expect_in('set protection for blocks 0 through 1 on flash bank 0', out)
    expect_eq(option(out, 'wpsn'), 0xFC, 'WPSN_CUR1 with sectors 0-1 protected', out)
    expect_eq([s[3] for s in flash_info_sectors(between(out, 'info_on'))],
              ['protected'] * 2 + ['not protected'] * 6, 'flash info 0 protection', out)
    # Erase refused: WRPERR, sector 0 still holds the firmware.
    check(out.value('erase') != '0', 'erase of a protected sector succeeded', out)
    expect_re(r'^Error: wait_flash_op_queue, WRPERR detected$', out)
    got = bytes(int(v, 0) for v in out.value('vectors').split())
    expect_eq(got, data[:WORD], 'firmware in the protected sector 0', out)
    # Program refused: WRPERR in FLASH_SR, the sector stays erased.
    check(out.value('write') != '0', 'write into a protected sector succeeded', out)
    sr = int(expect_re(r'^Error: flash write failed, FLASH_SR = 0x([0-9a-f]{8})$', out).group(1),
             16)
    check(sr & (1 << 17), 'FLASH_SR %#010x without WRPERR' % sr, out)
    expect_in('flash memory write protected', out)
    expect_eq([int(v, 0) for v in out.value('s1').split()], [0xFFFFFFFF] * 8,
              'protected sector 1 after the refused write', out)
    # Protection off: erase and write work again.
    expect_in('cleared protection for blocks 0 through 1 on flash bank 0', out)
    expect_eq(option(out, 'wpsn_off'), 0xFF, 'WPSN_CUR1 after protect off', out)
    expect_eq([s[3] for s in flash_info_sectors(between(out, 'info_off'))],
              ['not protected'] * 8, 'flash info 0 protection after off', out)
    expect_in('erased sectors 1 through 1 on flash bank 0', out)
    expect_in('verified 1024 bytes', out)
    expect_eq(stats[0]['sectors_erased'], 1, 'bank 1 sectors erased')
    expect_eq(stats[0]['words_programmed'], 1024 // WORD, 'bank 1 words programmed')
