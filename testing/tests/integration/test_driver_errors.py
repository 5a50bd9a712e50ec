# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver: what goes wrong, and what the driver says about it.
Each failure must be refused (or caught by verify) with the explanation a
user can act on: the register, the sector or flash word, the cause and the
way out. Cases: a flash controller locked by a wrong key, a write-protected
sector, a write over programmed data, RDP level 1 set and lifted through
raw option-register writes, a bank stuck busy, a weak core supply (ECC
errors, bits that did not program), and `stm32h743 diagnose`
(doc/stm32h743.texi, chapter Troubleshooting)."""

import re

from harness import (capture, check, expect_eq, expect_in, expect_not_in, expect_re, fail, note,
                     timeout, tmpfile)

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di

# OpenOCD's own lines when a read of the flash is refused by the bus (the
# driver explains the cause after them), and when the CRC algorithm it runs
# on the core for verify hits such a word.
READ_FAULT = [r'^Error: JTAG-DP STICKY ERROR$', r'^Error: Failed to read memory at 0x',
              r'^Error: read_memory: read at 0x', r'^Error: Read error$',
              r'^Error: Flash read error$', r'^Error: error reading to flash at address 0x']
CRC_FAULT = [r'^Error: \[stm32h743\.cpu0\] clearing lockup after double fault$',
             r'^Error: error executing cortex_m crc algorithm$']
# The diagnosis' verdict line (its evidence lines are not errors).
DIAG_LINES = [r'^Error: stm32h743: (verify|write|erase|read) failed: ',
              r'^Error: verify failed: reading 0x', r'^Error: cannot read the flash word at 0x']
# The explanation lines of the driver's verify.
VERIFY_LINES = [r'^Error: verify failed at 0x', r'^Error:   ', r'^Error: double ECC error',
                r'^Error: reading 0x', r'^Error: cannot verify 0x'] + DIAG_LINES

OPTKEYR, OPTCR, OPTSR_CUR, OPTSR_PRG = 0x52002008, 0x52002018, 0x5200201C, 0x52002020


def raw_rdp(rdp):
    """Tcl that sets the RDP byte with raw option-register writes: OPTKEYR
    keys (unless OPTCR is already unlocked), OPTSR_PRG with the RDP byte
    replaced and the other bits kept, OPTSTART, poll OPT_BUSY, relock;
    echoes @@optsr-<rdp>=OPTSR_CUR afterwards."""
    return ['if {[read_memory 0x%08x 32 1] & 1} { mww 0x%08x 0x08192A3B; '
            'mww 0x%08x 0x4C5D6E7F }' % (OPTCR, OPTKEYR, OPTKEYR),
            'mww 0x%08x [expr {([read_memory 0x%08x 32 1] & ~0xff00) | 0x%02x00}]'
            % (OPTSR_PRG, OPTSR_PRG, rdp),
            'mww 0x%08x 2' % OPTCR,
            'for {set i 0} {$i < 3000} {incr i} '
            '{ if {!([read_memory 0x%08x 32 1] & 1)} break; sleep 10 }' % OPTSR_CUR,
            'mww 0x%08x 1' % OPTCR,
            capture('optsr-%02x' % rdp, 'format 0x%%08x [read_memory 0x%08x 32 1]' % OPTSR_CUR)]


def test_wrong_key_locks_until_reset():
    """A wrong value in FLASH_KEYR1 faults on the bus and locks bank 1's
    controller until the next reset: erase and write fail naming FLASH_CR1
    and the way out;
    bank 2 has its own lock and works; after `reset halt` bank 1 works."""
    data = di.random_bytes(2048, 900)
    path = di.write_bin('k.bin', data)
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            *di.attempt('badkey', 'mww 0x52002004 0x12345678'),
            *di.attempt('erase', 'flash erase_sector 0 1 1'),
            *di.attempt('write', 'flash write_image %s 0x08020000' % path),
            *di.attempt('bank2', 'flash erase_sector 1 1 1'),
            'reset halt',
            *di.attempt('erase2', 'flash erase_sector 0 1 1'),
            'flash write_image %s 0x08020000' % path,
            'verify_image %s 0x08020000' % path,
            'dump_image %s 0x08020000 %d' % (tmpfile('k-dump.bin'), len(data))),
            allow=[r'^Error: bank 1: FLASH_CR1 stays locked', r'^Error: failed erasing sectors',
                   r'^Error: error writing to flash at address', r'^Error: JTAG-DP STICKY ERROR',
                   r'^Error: Failed to write memory at 0x52002004'] + DIAG_LINES)
        stats = di.bank_stats(sim)
    check(di.failed(out, 'badkey'), 'the wrong key was written without a bus error', out)
    for key in ('erase', 'write'):
        text = di.between(out, key)
        check(di.failed(out, key), '%s succeeded with bank 1 key-locked' % key, out)
        expect_re(r'FLASH_CR1 stays locked \(0x[0-9a-f]{8}\) after the key sequence: a wrong key '
                  r'was written', text, key)
        expect_re(r'locked?\b.*until the next reset', text, key)
        expect_in('`reset halt`', text, key)
    check(not di.failed(out, 'bank2'), 'bank 2 erase failed while only bank 1 was key-locked',
          out)
    check(not di.failed(out, 'erase2'), 'bank 1 erase still failing after reset halt', out)
    expect_in('verified %d bytes' % len(data), out)
    di.expect_same_data(tmpfile('k-dump.bin'), data, 'bank 1 after the reset', out)
    expect_eq(stats[0]['sectors_erased'], 1, 'bank 1 sectors erased (only after the reset)')
    expect_eq(stats[1]['sectors_erased'], 1, 'bank 2 sectors erased')


def test_write_protected_sector():
    """`flash protect 0 1 1 on`: erase and write touching sector 1 are
    refused before anything changes, naming the sector and
    `flash protect 0 1 1 off`; after that command both work."""
    old = di.random_bytes(4096, 910)
    new = di.random_bytes(4096, 911)
    old_path, new_path = di.write_bin('wp-old.bin', old), di.write_bin('wp-new.bin', new)
    refusal = r'%s: bank 1 sector 1 is write protected \(FLASH_WPSN_CUR1=0xfd\); lift it with ' \
              r'`flash protect 0 1 1 off`'
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'stm32h743 incremental off',    # the blank sector is erased too: counted below
            'flash write_image erase %s 0x08020000' % old_path,
            'flash protect 0 1 1 on',
            *di.section('info', 'flash info 0'),
            *di.attempt('erase', 'flash erase_sector 0 1 1'),
            *di.attempt('erase02', 'flash erase_sector 0 0 2'),
            *di.attempt('write', 'flash write_image %s 0x08030000' % new_path),
            *di.attempt('write_erase', 'flash write_image erase %s 0x08020000' % new_path),
            'dump_image %s 0x08000000 0x40000' % tmpfile('wp-dump.bin'),
            *di.attempt('bank2', 'flash write_image erase %s 0x08120000' % new_path),
            'flash protect 0 1 1 off',
            *di.section('info_off', 'flash info 0'),
            'flash write_image erase %s 0x08020000' % new_path,
            'verify_image %s 0x08020000' % new_path),
            allow=[r'^Error: (erase|write): bank 1 sector 1 is write protected',
                   r'^Error: failed erasing sectors', r'^Error: error writing to flash at'] + DIAG_LINES)
        stats = di.bank_stats(sim)
    expect_in('set protection for sectors 1 through 1 on flash bank 0', out)
    states = [s[3] for s in di.flash_info_sectors(di.between(out, 'info'))]
    expect_eq(states, ['not protected', 'protected'] + ['not protected'] * 6,
              'flash info 0 protection', out)
    for key, op in (('erase', 'erase'), ('erase02', 'erase'), ('write', 'write'),
                    ('write_erase', 'erase')):
        check(di.failed(out, key), '%s touching the protected sector succeeded' % key, out)
        expect_re(refusal % op, di.between(out, key), key)
    # Nothing changed: firmware in sector 0 (erase 0..2 was refused as a
    # whole), old data in sector 1, sector 2 erased.
    picture = di.flash_picture([(0x08000000, di.idle_firmware()), (0x08020000, old)],
                               size=0x40000)
    di.expect_same_data(tmpfile('wp-dump.bin'), picture, 'sectors 0-2 after the refusals', out)
    check(not di.failed(out, 'bank2'), 'bank 2 write failed while only bank 1 sector 1 was '
          'protected', out)
    expect_in('cleared protection for sectors 1 through 1 on flash bank 0', out)
    expect_eq([s[3] for s in di.flash_info_sectors(di.between(out, 'info_off'))],
              ['not protected'] * 8, 'flash info 0 after protect off', out)
    expect_in('verified 4096 bytes', out)
    expect_eq(stats[0]['sectors_erased'], 2, 'bank 1 sectors erased (before protect, after off)')
    expect_commands_exist_fresh(out, 'write protection messages')


def test_write_over_programmed_data():
    """`flash write_bank` over an area whose middle is programmed is
    refused before anything is written, naming the first flash word that
    is not erased."""
    first = di.random_bytes(1024, 920)
    second = di.random_bytes(4096, 921)
    p1, p2 = di.write_bin('ow1.bin', first), di.write_bin('ow2.bin', second)
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x08020440' % p1,
            *di.attempt('over', 'flash write_bank 0 %s 0x20000' % p2),
            'dump_image %s 0x08020000 0x1000' % tmpfile('ow-dump.bin')),
            allow=[r'^Error: refusing to program the flash word at',
                   r'^Error: error writing to flash at'] + DIAG_LINES)
        stats = di.bank_stats(sim)
    check(di.failed(out, 'over'), 'write over programmed data succeeded', out)
    expect_re(r'refusing to program the flash word at 0x08020440: it is not erased \(byte '
              r'0x08020440 reads 0x%02x\)' % first[0], di.between(out, 'over'), 'refusal')
    expect_in('Erase its sector first', di.between(out, 'over'), 'refusal')
    di.expect_same_data(tmpfile('ow-dump.bin'),
                        di.flash_picture([(0x08020440, first)], size=0x1000, base=0x08020000),
                        'sector 1 after the refused write', out)
    expect_eq(stats[0]['words_programmed'], 1024 // di.WORD, 'bank 1 words programmed')
    expect_commands_exist_fresh(out, 'non-erased write message')


@timeout(180)
def test_rdp_level1_reads_explained_and_regression_erases():
    """RDP level 1 set with raw option-register writes: reading the flash
    through the driver and verifying fail, explained as read protection;
    RDP back to 0xAA mass-erases both banks."""
    data = [di.random_bytes(8192, 930), di.random_bytes(8192, 931)]
    paths = [di.write_bin('rdp%d.bin' % b, d) for b, d in enumerate(data)]
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x08020000' % paths[0],
            'flash write_image erase %s 0x08100000' % paths[1],
            *raw_rdp(0x55),
            *di.section('info', 'flash info 1'),
            *di.diag('diag', 'stm32h743 diagnose 1'),
            *di.attempt('read', 'flash read_bank 1 %s 0 0x100' % tmpfile('rdp-read.bin')),
            *di.attempt('verify', 'verify_image %s 0x08100000' % paths[1]),
            *raw_rdp(0xAA),
            *di.section('check0', 'flash erase_check 0'),
            *di.section('check1', 'flash erase_check 1'),
            'dump_image %s 0x08020000 8192' % tmpfile('rdp-after0.bin'),
            'dump_image %s 0x08100000 8192' % tmpfile('rdp-after1.bin')),
            allow=READ_FAULT + CRC_FAULT + VERIFY_LINES, timeout=150)
        flash = sim.stats()['flash']
    optsr1 = int(out.value('optsr-55'), 16)
    expect_eq((optsr1 >> 8) & 0xFF, 0x55, 'OPTSR_CUR RDP byte at level 1', out)
    expect_eq(optsr1 & ~0xFF01, 0x0006AAD0 & ~0xFF01, 'OPTSR_CUR other bits kept', out)
    expect_in('read protection: RDP level 1', di.between(out, 'info'), 'flash info 1')
    di.Diagnosis(out, 'diag').expect('protection', r'read protection RDP level 1 '
                                     r'\(FLASH_OPTSR_CUR=0x%08x\)' % optsr1)
    check(di.failed(out, 'read'), 'flash read_bank worked at RDP level 1', out)
    expect_re(r'stm32h743: read failed: reading 0x08100000 failed because of protection: read '
              r'protection RDP level 1 \(FLASH_OPTSR_CUR=0x%08x\): with a debugger attached'
              % optsr1, di.between(out, 'read'), 'read_bank at RDP 1')
    # Level 0 again: both banks mass-erased
    expect_eq(int(out.value('optsr-aa'), 16), 0x0006AAD0, 'OPTSR_CUR after the regression', out)
    for bank in range(2):
        expect_in('Bank is erased', di.between(out, 'check%d' % bank),
                  'bank %d after the RDP regression' % (bank + 1))
        di.expect_same_data(tmpfile('rdp-after%d.bin' % bank), b'\xff' * 8192,
                            'bank %d data after the regression' % (bank + 1), out)
    expect_eq(flash['option_changes'], 2, 'option byte changes')
    expect_commands_exist_fresh(out, 'read protection messages')
    # verify_image at level 1 cannot have read the flash: it must fail
    # with the same explanation, not report the image verified.
    verify = di.between(out, 'verify')
    check(di.failed(out, 'verify'), 'verify_image reported the image verified at RDP level 1, '
          'where the flash cannot be read', out)
    expect_re(r'read protection RDP level 1', verify, 'verify_image at RDP 1')


@timeout(180)
def test_rdp_level1_erase_and_write_explained():
    """Erase and write at RDP level 1 are refused by the chip (WRPERR);
    the driver knows the RDP level and must say that the flash is read
    protected, and how to leave level 1 (`stm32h743 unlock`, which
    mass-erases), not list write protection as a possible cause."""
    path = di.write_bin('rdpw.bin', di.random_bytes(2048, 940))
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            *raw_rdp(0x55),
            *di.attempt('erase', 'flash erase_sector 1 2 2'),
            *di.attempt('write', 'flash write_image %s 0x08140000' % path),
            *raw_rdp(0xAA)),
            allow=[r'^Error: (erase|write): ', r'^Error:   ', r'^Error: failed erasing sectors',
                   r'^Error: error writing to flash at'] + DIAG_LINES, timeout=150)
    for key in ('erase', 'write'):
        check(di.failed(out, key), '%s succeeded at RDP level 1' % key, out)
        text = di.between(out, key)
        expect_re(r'read protect\w*.*RDP level 1', text, '%s at RDP 1' % key)
        expect_in('stm32h743 unlock', text, '%s at RDP 1' % key)
        expect_not_in('write protected', text, '%s at RDP 1 (not a write protection matter)' % key)
    expect_commands_exist_fresh(out, 'RDP erase/write messages')


@timeout(200)
def test_stuck_busy_bank():
    """A bank that never finishes (--fault stuck-busy=1): the erase gives up
    after the timeout it names (the datasheet maximum plus margin), says
    the bank is stuck and what to check; nothing hangs; bank 2 works; a
    later write to bank 1 gives up too, within the time it names."""
    path = di.write_bin('sb.bin', di.random_bytes(4096, 950))
    with di.board_sim('--fault', 'stuck-busy=1') as sim:
        out = sim.openocd(*di.session(
            'set ::t0 [clock milliseconds]',
            *di.attempt('erase', 'flash erase_sector 0 1 1'),
            capture('ms', 'expr {[clock milliseconds] - $::t0}'),
            'flash write_image erase %s 0x08120000' % path,
            'verify_image %s 0x08120000' % path,
            'set ::t0 [clock milliseconds]',
            *di.attempt('write', 'flash write_image %s 0x08040000' % path),
            capture('write_ms', 'expr {[clock milliseconds] - $::t0}')),
            allow=[r'^Error: bank 1 sector 1 erase: bank 1 still busy after',
                   r'^Error: write: bank 1 still busy after', r'^Error: failed erasing sectors',
                   r'^Error: error writing to flash at'] + DIAG_LINES, timeout=180)
        stats = di.bank_stats(sim)
    check(di.failed(out, 'erase'), 'erase on the stuck bank succeeded', out)
    m = expect_re(r'bank 1 sector 1 erase: bank 1 still busy after (\d+) ms \(FLASH_SR1='
                  r'0x[0-9a-f]{8}: BSY QW\); the datasheet maximum has passed, so the '
                  r'controller is stuck or the supply is failing; power-cycle the board and '
                  r'check VCAP/VDD', di.between(out, 'erase'), 'stuck erase')
    limit = int(m.group(1))
    check(2000 <= limit <= 10000, 'erase timeout %d ms: not the x64 sector erase maximum '
          '(2 s) plus a margin' % limit, out)
    took = out.int('ms')
    check(limit <= took <= limit + 15000, 'the erase gave up after %d ms, its message says %d'
          % (took, limit), out)
    expect_in('verified 4096 bytes', out)
    check(di.failed(out, 'write'), 'write on the stuck bank succeeded', out)
    m = expect_re(r'write: bank 1 still busy after (\d+) ms \(FLASH_SR1=0x[0-9a-f]{8}: BSY QW\)',
                  di.between(out, 'write'), 'stuck write')
    wlimit, wtook = int(m.group(1)), out.int('write_ms')
    check(wlimit <= wtook <= wlimit + 15000, 'the write gave up after %d ms, its message says %d'
          % (wtook, wlimit), out)
    # bank 2's sector was blank: programmed without an erase
    expect_eq(stats[1]['sectors_erased'], 0, 'bank 2 sectors erased')
    expect_eq(stats[0]['sectors_erased'], 0, 'bank 1 sectors erased')
    note('stuck bank: erase gave up after %.1f s (limit %d ms), a later write after %.1f s '
         '(limit %d ms)' % (took / 1000, limit, wtook / 1000, wlimit))


ECC_EXPLAINED = (r'stm32h743: verify failed: the programming did not take: FLASH_SR2='
                 r'(0x[0-9a-f]{8}) DBECCERR \(uncorrectable\) for the flash word at '
                 r'(0x[0-9a-f]{8}) \(FLASH_ECC_FA2=(0x[0-9a-f]{4})\)')
SUPPLY_NEXT = r'next: check the core supply \(VCAP capacitors'
MISMATCH = r'verify failed at (0x[0-9a-f]{8}): read (0x[0-9a-f]{2}), expected (0x[0-9a-f]{2})'


def weak_supply_case(seed):
    """64 KiB written to bank 2 with a weak supply (1 % of the flash words
    go bad), then verified. Whatever the driver names as the first bad word
    is checked against the chip: a double ECC error must be a word that
    cannot be read, with everything before it intact; bits that did not
    program must be the first difference in the physical bank, again with
    everything before it readable. Returns 'ecc' or 'bits', the Log and
    the address named."""
    base = 0x08100000
    data = di.random_bytes(64 * 1024, 960)
    path = di.write_bin('ws-%d.bin' % seed, data)
    sim = di.board_sim('--fault', 'weak-supply=0.01', '--fault', 'seed=%d' % seed)
    with sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x%08x' % (path, base),
            *di.attempt('verify', 'verify_image %s 0x%08x' % (path, base))),
            allow=READ_FAULT + CRC_FAULT + VERIFY_LINES, timeout=90)
        check(di.failed(out, 'verify'), 'verify passed with a weak supply (seed %d)' % seed, out)
        text = di.between(out, 'verify')
        ecc, bits = re.search(ECC_EXPLAINED, text), re.search(MISMATCH, text)
        check(bool(ecc) != bool(bits), 'seed %d: verify explains neither a double ECC error nor '
              'bits that did not program (or both)' % seed, out)
        addr = int((ecc.group(2) if ecc else bits.group(1)), 16)
        expect_re(SUPPLY_NEXT, text, 'seed %d: next step' % seed, out)
        good = tmpfile('ws-good-%d.bin' % seed)
        chk = sim.openocd(*di.session(
            *di.attempt('word', 'mdw 0x%08x 8' % (addr & ~31)),
            *(['dump_image %s 0x%08x 0x%x' % (good, base, (addr & ~31) - base)]
              if addr & ~31 > base else [])), allow=READ_FAULT + DIAG_LINES)
    if (addr & ~31) > base:
        di.expect_same_data(good, data[:(addr & ~31) - base],
                            'seed %d: bank 2 below the flash word named' % seed, chk)
    physical = di.export_bank(sim, 2, 'ws-bank2-%d.bin' % seed)
    diff = next((i for i in range(len(data)) if physical[i] != data[i]), None)
    if ecc:
        sr, fa = int(ecc.group(1), 16), int(ecc.group(3), 16)
        expect_eq(addr, base + fa * 32, 'seed %d: flash word vs FLASH_ECC_FA2' % seed, out)
        check(sr & (1 << 26), 'seed %d: FLASH_SR2 %#x without DBECCERR' % (seed, sr), out)
        check(di.failed(chk, 'word'), 'seed %d: the flash word named reads fine' % seed, chk)
        check(diff is None or base + diff >= addr, 'seed %d: bits that did not program at '
              '%#x, before the ECC error named at %#x' % (seed, base + diff, addr), out)
        return 'ecc', out, addr
    got, want = int(bits.group(2), 16), int(bits.group(3), 16)
    expect_eq(want, data[addr - base], 'seed %d: expected byte' % seed, out)
    check(got & ~want and not want & ~got, 'seed %d: read %#04x for %#04x: not only bits stuck '
          'at 1' % (seed, got, want), out)
    check(diff is not None and base + diff == addr, 'seed %d: the first difference in physical '
          'bank 2 is at %s, verify named %#x' % (seed, diff is not None and hex(base + diff),
                                                addr), out)
    expect_eq(physical[diff], got, 'seed %d: stored byte' % seed, out)
    expect_re(r'stm32h743: verify failed: the programming did not take: \d+ bits? that should '
              r'be 0 read 1 in \d+ words? this session programmed with the expected data', text,
              'seed %d mismatch' % seed)
    return 'bits', out, addr


@timeout(240)
def test_weak_supply_ecc_error_named():
    """A weak supply leaves a word with a double ECC error first: verify
    names that flash word, its sector, DBECCERR and FLASH_ECC_FA2, and
    points at the supply. (Seeds are tried until the first bad word is of
    that kind; seed=N is rounded up to odd by the simulator.)"""
    for seed in (1, 3, 5, 7):
        kind, out, addr = weak_supply_case(seed)
        if kind == 'ecc':
            note('seed %d: double ECC error named at %#x' % (seed, addr))
            expect_commands_exist_fresh(out, 'ECC messages')
            return
    fail('no seed of 1, 3, 5, 7 gave a double ECC error as the first bad word')


@timeout(240)
def test_weak_supply_unprogrammed_bits_named():
    """A weak supply leaves a word whose bits did not all program (no ECC
    flag) first: verify names the byte, its flash word and sector, and the
    supply as the suspect."""
    for seed in (33, 41, 49, 57):
        kind, out, addr = weak_supply_case(seed)
        if kind == 'bits':
            note('seed %d: bits that did not program named at %#x' % (seed, addr))
            expect_re(SUPPLY_NEXT, di.between(out, 'verify'), 'mismatch')
            expect_commands_exist_fresh(out, 'supply messages')
            return
    fail('no seed of 33, 41, 49, 57 gave bits that did not program as the first bad word')


@timeout(240)
def test_weak_supply_first_bad_word_named():
    """Seeds where bits that did not program and a double ECC error fall in
    the same 4 KiB: verify must still name the first bad flash word (the
    one with the wrong bits), not only the unreadable one after it."""
    for seed in (11, 35, 43):
        kind, _, addr = weak_supply_case(seed)
        note('seed %d: %s named at %#x' % (seed, kind, addr))


def expect_commands_exist_fresh(out, what):
    with di.board_sim() as sim:
        di.expect_commands_exist(sim, out, what)


def test_diagnose_shows_ecc_protection_and_rdp():
    """A flash word programmed twice behind the driver's back (raw register
    writes) reads with a double ECC error; `stm32h743 diagnose` shows the
    latched flag and word, write-protected sectors, RDP level and physical
    bank; verify then names the word."""
    data = di.random_bytes(1024, 970)
    path = di.write_bin('dg.bin', data)
    again = ' '.join('0x%08x' % (0x11111111 * (i + 1)) for i in range(8))
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            'flash write_image erase %s 0x08100000' % path,
            'mww 0x52002104 0x45670123', 'mww 0x52002104 0xCDEF89AB',
            'mww 0x5200210C 0x32',
            'write_memory 0x08100020 32 {%s}' % again,
            'sleep 20', 'mww 0x5200210C 0x1',
            *di.attempt('read', 'mdw 0x08100020 8'),
            'flash protect 1 2 3 on',
            *di.diag('diag1', 'stm32h743 diagnose 1'),
            *di.diag('diag0', 'stm32h743 diagnose 0'),
            *di.attempt('verify', 'verify_image %s 0x08100000' % path),
            'flash protect 1 2 3 off'),
            allow=READ_FAULT + CRC_FAULT + VERIFY_LINES)
    check(di.failed(out, 'read'), 'the twice-programmed word read without error', out)
    d1 = di.Diagnosis(out, 'diag1')
    d1.expect('program-failed', r'DBECCERR \(uncorrectable\) for the flash word at 0x08100020 '
              r'\(FLASH_ECC_FA2=0x0001\)')
    check(d1.registers['FLASH_SR2'] & (1 << 26), 'FLASH_SR2 without DBECCERR', out)
    expect_eq(d1.registers['FLASH_ECC_FA2'], 1, 'FLASH_ECC_FA2', out)
    expect_eq(d1.registers['FLASH_WPSN_CUR2'], 0xF3, 'FLASH_WPSN_CUR2 (sectors 2, 3)', out)
    expect_eq(d1.registers['FLASH_OPTSR_CUR'], 0x0006AAD0, 'FLASH_OPTSR_CUR (RDP level 0)', out)
    d0 = di.Diagnosis(out, 'diag0')
    expect_eq(d0.cause, 'none', 'diagnose 0', out)
    expect_eq(d0.registers['FLASH_SR1'] & (3 << 25), 0, 'FLASH_SR1 ECC flags', out)
    expect_eq(d0.registers['FLASH_WPSN_CUR1'], 0xFF, 'FLASH_WPSN_CUR1', out)
    check(di.failed(out, 'verify'), 'verify passed over a corrupt word', out)
    expect_re(r'verify failed: .*DBECCERR \(uncorrectable\) for the flash word at 0x08100020',
              di.between(out, 'verify'), 'verify explanation')
