# SPDX-License-Identifier: GPL-2.0-or-later
"""Protection with the stm32h743 driver: the confirm word on dangerous
option changes, `stm32h743 lock` / `unlock` (RDP level 1 and the regression
that mass-erases both banks), `flash protect` (WPSN write protection) and,
last and on a throw-away board, RDP level 2.

Expectations (doc/stm32h743.texi, the stm32h743 driver chapter): WPSN is
active low, RDP byte 0xAA is level 0, 0xCC level 2 and anything else level
1; level 1 keeps the debugger out of the flash, the regression to level 0
erases both banks, and level 2 freezes the option bytes and ends debug
access for good. The simulator models level 2 as frozen option bytes
(OPTCHANGEERR on any later change) and a scan chain that goes silent as the
change ends.

The board comes with a tiny firmware (vector table + `b .`) at the start of
both banks, so that resets find a running core.
"""

import random
import re

from harness import Log, capture, check, expect_eq, expect_in, fail, tmpfile
from harness.board import (attempt, between, dual_boot_sim as board_sim, outcome, read_file,
                           reset_halt_session as session, section, write_file)
from harness.chip import (BANK_BASE, BOOT_CUR, OPTCR, OPTSR_CUR, OPTSR_FACTORY, PRAR_CUR,
                          RDP_LEVEL0, RDP_LEVEL2, SCAR_CUR, SECTOR, WORD, WPSN_CUR)

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di


# What OpenOCD and the driver log when the debugger's read of the flash is refused.
READ_REFUSED = [r'^Error: JTAG-DP STICKY ERROR$', r'^Error: Failed to read memory at 0x',
                r'^Error: read_memory: read at 0x', r'^Error: reading 0x[0-9a-f]+ failed',
                r'^Error: verify failed',
                r'^Error: cannot verify 0x[0-9a-f]+: the flash is read protected']
OPTION_REFUSED = [r'^Error: the option change was refused',
                  r'^Error: stm32h743: \S+ failed: the chip refused the option change']
PROTECTED = [r'^Error: (erase|write|mass erase): bank \d sector \d is write protected',
             r'^Error: failed erasing sectors', r'^Error: error writing to flash at address']

# `flash info` sector line, e.g. "\t#  3: 0x00060000 (0x20000 128kB) not protected"
SECTOR_LINE = re.compile(r'^\t#\s*(\d+): 0x([0-9a-f]+) \(0x([0-9a-f]+) (\d+)kB\) '
                         r'(not protected|protected|protection state unknown)$')


# ---- board, files, sessions ----------------------------------------------------------

def random_file(name, size, seed):
    data = random.Random(seed).randbytes(size)
    return write_file(name, data), data


# Every option register, *_PRG included: 0x018..0x044 and 0x128..0x13C.
DUMP_ADDRS = [OPTCR + 4 * i for i in range(12)] + [PRAR_CUR[1] + 4 * i for i in range(6)]


def dump(key):
    """Raw reads (mdw) of every option register, between markers."""
    return ['echo @@regs-%s-begin' % key, 'mdw 0x%08x 12' % OPTCR,
            'mdw 0x%08x 6' % PRAR_CUR[1], 'echo @@regs-%s-end' % key]


def regs(out, key):
    """{address: value} from a dump(key)."""
    text = Log(between(out, 'regs-' + key), 'option registers %s' % key)
    return dict(zip(DUMP_ADDRS, text.mem(OPTCR, 12) + text.mem(PRAR_CUR[1], 6)))


# The registers in force (the *_PRG ones only stage a change).
CUR_ADDRS = [OPTCR, OPTSR_CUR, BOOT_CUR] + list(PRAR_CUR + SCAR_CUR + WPSN_CUR)


def changed(before, after, addrs=DUMP_ADDRS):
    return ['%08x: %08x -> %08x' % (a, before[a], after[a]) for a in addrs
            if before[a] != after[a]]


def flash_stats(sim):
    return sim.stats()['flash']


def sector_states(text):
    return [m.group(5) for m in map(SECTOR_LINE.match, text.split('\n')) if m]


def expect_erased(path, size, what, context=None):
    data = read_file(path)
    expect_eq(len(data), size, '%s: bytes dumped' % what, context)
    first = next((i for i, b in enumerate(data) if b != 0xFF), None)
    if first is not None:
        fail('%s: byte at offset %#x is 0x%02x, not erased' % (what, first, data[first]), context)


def rdp_byte(optsr):
    return (optsr >> 8) & 0xFF


# ---- 3. the confirm word -----------------------------------------------------------------

# (key, option_set arguments, register, mask, value with confirm, words of the refusal)
GUARDED = [
    ('security', 'security on', OPTSR_CUR, 1 << 21, 1 << 21, ['SECURITY', 'confirm']),
    ('dmep1', 'dmep1 erase', PRAR_CUR[0], 1 << 31, 1 << 31, ['dmep1', 'confirm']),
    ('dmes1', 'dmes1 erase', SCAR_CUR[0], 1 << 31, 1 << 31, ['dmes1', 'confirm']),
    ('secure1', 'secure1 {0x08060000 0x0807ffff}', SCAR_CUR[0], 0x0FFF0FFF, 0x07FF0600,
     ['secure1', 'confirm']),
    ('dmep2', 'dmep2 erase', PRAR_CUR[1], 1 << 31, 1 << 31, ['dmep2', 'confirm']),
    ('secure2', 'secure2 {0x08100000 0x081fffff}', SCAR_CUR[1], 0x0FFF0FFF, 0,
     ['secure2', 'confirm']),
]


def test_dangerous_changes_need_confirm():
    """Without the confirm word each dangerous change is refused with the
    reason, and nothing changes (not even the harmless fields given with
    it); with it, the change is made."""
    refused = dump('start')
    for key, args, _, _, _, _ in GUARDED:
        refused += attempt('no-' + key, 'stm32h743 option_set ' + args) + dump('no-' + key)
    refused += attempt('no-rdp2', 'stm32h743 option_set rdp 2') + dump('no-rdp2')
    refused += attempt('no-mixed', 'stm32h743 option_set bor_lev 2 wps1 {4} dmes1 erase')
    refused += dump('no-mixed')
    confirmed = []
    for key, args, _, _, _, _ in GUARDED:
        confirmed += attempt('yes-' + key, 'stm32h743 option_set %s confirm' % args)
        confirmed += dump('yes-' + key)
    with board_sim() as sim:
        s0 = flash_stats(sim)
        out = session(sim, *refused)
        s1 = flash_stats(sim)
        out2 = session(sim, *dump('start'), *confirmed)
        s2 = flash_stats(sim)
    problems = []
    previous = regs(out, 'start')
    for key, args, _, _, _, words in GUARDED + [
            ('rdp2', 'rdp 2', 0, 0, 0, ['RDP level 2', 'irreversible', 'confirm']),
            ('mixed', 'bor_lev 2 wps1 {4} dmes1 erase', 0, 0, 0, ['dmes1', 'confirm'])]:
        rc, text = outcome(out, 'no-' + key)
        if rc == 0:
            problems.append('option_set %s without confirm: accepted' % args)
        missing = [w for w in words + ['refused'] if w not in text]
        if missing:
            problems.append('option_set %s without confirm: the refusal does not say %s: %r'
                            % (args, ', '.join(map(repr, missing)), text.strip()))
        now = regs(out, 'no-' + key)
        if changed(previous, now):
            problems.append('option_set %s without confirm changed %s'
                            % (args, ', '.join(changed(previous, now))))
        previous = now
    if s1['option_changes'] != s0['option_changes']:
        problems.append('%d option-byte change(s) without confirm'
                        % (s1['option_changes'] - s0['option_changes']))
    previous = regs(out2, 'start')
    for key, args, reg, mask, value, _ in GUARDED:
        rc, text = outcome(out2, 'yes-' + key)
        if rc != 0:
            problems.append('option_set %s confirm: failed (%d): %r' % (args, rc, text.strip()))
        now = regs(out2, 'yes-' + key)
        if now[reg] & mask != value:
            problems.append('option_set %s confirm: register %08x = %08x, expected %08x in '
                            'mask %08x' % (args, reg, now[reg], value, mask))
        others = [c for c in changed(previous, now) if not c.startswith('%08x' % reg)
                  and not c.startswith('%08x' % (reg + 4))]   # the *_PRG twin
        if others:
            problems.append('option_set %s confirm also changed %s' % (args, ', '.join(others)))
        previous = now
    if s2['option_changes'] - s1['option_changes'] != len(GUARDED):
        problems.append('%d option-byte changes with confirm, expected %d'
                        % (s2['option_changes'] - s1['option_changes'], len(GUARDED)))
    if problems:
        fail('%d problem(s):\n  %s' % (len(problems), '\n  '.join(problems)), out2)


# ---- 6. lock / unlock ----------------------------------------------------------------------

def test_lock_unlock():
    """`stm32h743 lock`: RDP level 1, the debugger's flash reads fail with
    an explanation (verify_image). `stm32h743 unlock`: level 0, and the
    regression has mass-erased both banks."""
    img, _ = random_file('data.bin', 4096, 6)
    where = (BANK_BASE[0] + SECTOR, BANK_BASE[1] + 3 * SECTOR)
    # after unlock: the written data and the firmware at the start of each bank
    dumps = [(tmpfile('data%d-after.bin' % (b + 1)), a, 4096) for b, a in enumerate(where)]
    dumps += [(tmpfile('start%d-after.bin' % (b + 1)), a, WORD) for b, a in enumerate(BANK_BASE)]
    with board_sim() as sim:
        before = flash_stats(sim)
        out = session(
            sim, *['flash write_image erase %s 0x%08x' % (img, a) for a in where],
            *['verify_image %s 0x%08x' % (img, a) for a in where],
            *attempt('lock', 'stm32h743 lock'),
            capture('rdp1', 'stm32h743 option_get rdp'), *dump('locked'),
            *section('info1', 'flash info 0'),
            *attempt('verify1', 'verify_image %s 0x%08x' % (img, where[0])),
            *attempt('verify2', 'verify_image %s 0x%08x' % (img, where[1])),
            *attempt('read', 'read_memory 0x%08x 32 4' % where[0]),
            *attempt('unlock', 'stm32h743 unlock'),
            capture('rdp0', 'stm32h743 option_get rdp'), *dump('unlocked'),
            *['dump_image %s 0x%08x 0x%x' % d for d in dumps],
            *section('check0', 'flash erase_check 0'), *section('check1', 'flash erase_check 1'),
            allow=READ_REFUSED + di.DIAG_LINES, timeout=120)
        after = flash_stats(sim)
    rc, text = outcome(out, 'lock')
    expect_eq(rc, 0, 'stm32h743 lock (%s)' % text.strip(), out)
    expect_in('rdp: 0 -> 1', text, 'stm32h743 lock')
    expect_eq(out.value('rdp1'), '1', 'option_get rdp after lock', out)
    optsr = regs(out, 'locked')[OPTSR_CUR]
    check(rdp_byte(optsr) not in (RDP_LEVEL0, RDP_LEVEL2),
          'OPTSR_CUR %08x after lock: RDP byte is not a level-1 value' % optsr, out)
    expect_eq(optsr & ~0xFF00, OPTSR_FACTORY & ~0xFF00, 'OPTSR_CUR outside RDP after lock', out)
    expect_in('RDP level 1', between(out, 'info1'), 'flash info 0 at level 1')
    rc, text = outcome(out, 'read')
    check(rc != 0, 'the debugger read the flash at RDP level 1: %r' % text.strip(), out)
    rc, text = outcome(out, 'unlock')
    expect_eq(rc, 0, 'stm32h743 unlock (%s)' % text.strip(), out)
    expect_in('rdp: 1 -> 0', text, 'stm32h743 unlock')
    expect_in('mass-erases both flash banks', out)
    expect_eq(out.value('rdp0'), '0', 'option_get rdp after unlock', out)
    expect_eq(regs(out, 'unlocked')[OPTSR_CUR], OPTSR_FACTORY, 'OPTSR_CUR after unlock', out)
    for path, addr, size in dumps:
        expect_erased(path, size, 'flash at 0x%08x after unlock' % addr, out)
    for bank in range(2):
        expect_in('Bank is erased', between(out, 'check%d' % bank),
                  'flash erase_check %d after unlock' % bank)
    expect_eq(after['option_changes'] - before['option_changes'], 2,
              'option-byte changes (lock, unlock)')
    # verify_image at level 1 (checked last: the rest does not depend on it)
    for key in ('verify1', 'verify2'):
        rc, text = outcome(out, key)
        check(rc != 0, 'verify_image of the flash worked at RDP level 1: %r' % text.strip(), out)
        expect_in('read protected (RDP level 1', text, 'verify_image at RDP level 1', out)


# ---- 7. flash protect ------------------------------------------------------------------

def test_flash_protect():
    """`flash protect 0 2 3 on`: WPSN_CUR1 bits 2 and 3 clear, `flash info`
    shows the sectors protected, erase and program there are refused naming
    the sector and the way out; `off` lifts it."""
    img, data = random_file('data.bin', 4096, 7)
    s2, s3 = BANK_BASE[0] + 2 * SECTOR, BANK_BASE[0] + 3 * SECTOR
    kept, blank, written = (tmpfile(n) for n in ('s2-kept.bin', 's3-blank.bin', 's3.bin'))
    with board_sim() as sim:
        before = flash_stats(sim)
        out = session(
            sim, 'stm32h743 incremental off',     # the blank sector is erased too: counted
            'flash write_image erase %s 0x%08x' % (img, s2),
            *attempt('on', 'flash protect 0 2 3 on'), *dump('on'),
            *section('info_on', 'flash info 0'), *section('info_b2', 'flash info 1'),
            *attempt('erase', 'flash erase_sector 0 2 2'),
            *attempt('erase_addr', 'flash erase_address 0x%08x 0x%x' % (s3, SECTOR)),
            *attempt('write', 'flash write_image %s 0x%08x' % (img, s3)),
            *attempt('bank', 'stm32h743 mass_erase 0'),
            'dump_image %s 0x%08x 0x%x' % (kept, s2, len(data)),
            'dump_image %s 0x%08x 0x%x' % (blank, s3, len(data)),
            *dump('refused'),
            *attempt('off', 'flash protect 0 2 3 off'), *dump('off'),
            *section('info_off', 'flash info 0'),
            'flash erase_sector 0 2 2', 'flash write_image %s 0x%08x' % (img, s3),
            'dump_image %s 0x%08x 0x%x' % (written, s3, len(data)),
            allow=PROTECTED + di.DIAG_LINES, timeout=120)
        after = flash_stats(sim)
    rc, text = outcome(out, 'on')
    expect_eq(rc, 0, 'flash protect 0 2 3 on (%s)' % text.strip(), out)
    on = regs(out, 'on')
    expect_eq(on[WPSN_CUR[0]], 0xF3, 'WPSN_CUR1 with sectors 2-3 protected', out)
    expect_eq(on[WPSN_CUR[1]], 0xFF, 'WPSN_CUR2 (bank 2 untouched)', out)
    expect_eq(sector_states(between(out, 'info_on')),
              ['not protected'] * 2 + ['protected'] * 2 + ['not protected'] * 4,
              'flash info 0 sectors', out)
    expect_eq(sector_states(between(out, 'info_b2')), ['not protected'] * 8,
              'flash info 1 sectors', out)
    for key, sector in (('erase', 2), ('erase_addr', 3), ('write', 3), ('bank', 2)):
        rc, text = outcome(out, key)
        check(rc != 0, '%s into a protected sector succeeded' % key, out)
        expect_in('sector %d is write protected' % sector, text, key, out)
        expect_in('flash protect 0 %d %d off' % (sector, sector), text, key, out)
    check(read_file(kept) == data, 'protected sector 2 lost its data to the refused erase', out)
    expect_erased(blank, len(data), 'protected sector 3 after the refused write', out)
    expect_eq(regs(out, 'refused'), on, 'option registers after the refusals', out)
    rc, text = outcome(out, 'off')
    expect_eq(rc, 0, 'flash protect 0 2 3 off (%s)' % text.strip(), out)
    expect_eq(regs(out, 'off')[WPSN_CUR[0]], 0xFF, 'WPSN_CUR1 after protect off', out)
    expect_eq(sector_states(between(out, 'info_off')), ['not protected'] * 8,
              'flash info 0 sectors after off', out)
    expect_in('erased sectors 2 through 2 on flash bank 0', out)
    check(read_file(written) == data, 'sector 3 does not hold the data written after off', out)
    expect_eq(after['option_changes'] - before['option_changes'], 2,
              'option-byte changes (on, off)')
    b1 = after['banks'][0]
    expect_eq(b1['sectors_erased'] - before['banks'][0]['sectors_erased'], 2,
              'bank 1 sector erases (one before protecting, one after)')
    expect_eq(b1['bank_erases'], 0, 'bank 1 bank erases')
    expect_eq(b1['words_programmed'] - before['banks'][0]['words_programmed'],
              2 * len(data) // WORD, 'bank 1 flash words programmed')


# ---- 3. RDP level 2, last, on a throw-away board -------------------------------------------

# What OpenOCD logs once the debug port no longer answers (JTAG all ones).
PORT_SILENT = [r'^Error: ', r'^Warning: ', r'^Polling target']


def rdp2_board(sim):
    """Level 2 with the confirm word, and what the same session sees then."""
    return session(sim, *attempt('rdp2', 'stm32h743 option_set rdp 2 confirm'),
                   *attempt('read', 'read_memory 0x20000000 32 1'),
                   *attempt('change', 'stm32h743 option_set bor_lev 1'),
                   allow=PORT_SILENT, check=False)


def test_rdp_level2_closes_debug_port_at_once():
    """rdp 2 confirm: the debug port stops answering as the option change
    ends, not at the next reset (UNCONFIRMED in the simulator): the
    command succeeds saying so, and nothing after it reaches the chip. The
    simulator's own account shows level 2 in force and the port off. (The
    frozen option bytes are checked on the controller model:
    test_flash_options.c, test_optchangeerr_at_rdp_level2.)"""
    with board_sim('rdp2') as sim:
        before = flash_stats(sim)
        out = rdp2_board(sim)
        after = sim.stats()
    rc, text = outcome(out, 'rdp2')
    expect_eq(rc, 0, 'option_set rdp 2 confirm (%s)' % text.strip(), out)
    expect_in('rdp: 0 -> 2', text, 'option_set rdp 2 confirm')
    expect_in('debug port closed', text, 'option_set rdp 2 confirm')
    expect_in('level 2 turns JTAG and SWD off as the change ends', str(out),
              'the warning after the port closed')
    for key in ('read', 'change'):
        rc, text = outcome(out, key)
        check(rc != 0, '%s after RDP level 2 reached the chip: %r' % (key, text.strip()), out)
    expect_eq(after['flash']['rdp_level'], 2, 'RDP level in force (simulator)')
    expect_eq(after['debug_port_off'], True, 'debug port off (simulator)')
    expect_eq(after['flash']['option_changes'] - before['option_changes'], 1,
              'option-byte changes (only rdp 2)')


def test_rdp_level2_ends_debug_access():
    """After level 2 and a reset, the debug port is closed for good
    (doc/stm32h743.texi, rdp 2: debug access is disabled for good): a new
    session can neither halt the core nor read RAM."""
    with board_sim('rdp2') as sim:
        rdp2_board(sim)
        sim.stop()
        sim.start()     # power cycle
        out = sim.openocd('init', capture('halt', 'catch {halt}'),
                          capture('ram', 'catch {read_memory 0x20000000 32 1}'),
                          check=False, timeout=60)
    reached = []
    if '@@halt=' in out and out.value('halt') == '0' and 'halted due to debug-request' in out:
        reached.append('halted the core')
    if '@@ram=' in out and out.value('ram') == '0':
        reached.append('read the DTCM')
    check(not reached, 'at RDP level 2, after a power cycle, the debugger still %s'
          % ' and '.join(reached), out)
