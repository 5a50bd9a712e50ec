# SPDX-License-Identifier: GPL-2.0-or-later
"""Option bytes by name with the stm32h743 driver: `stm32h743 option_set`,
`option_get` and `option_bytes` against the simulator's option registers.

Every expectation is checked three ways: the command's result, the option
registers read back raw with `mdw` (FLASH_OPTSR_CUR 0x5200201C, PRAR_CUR1/2,
SCAR_CUR1/2, WPSN_CUR1/2, BOOT_CUR, OPTCR) and the simulator's own count of
option-byte changes (one per OPTSTART). Encodings: the field table in
src/flash/nor/stm32h743_obfields.c.

Covered here: the round trip of every field and value, several fields in one
commit, bad input refused before anything is written (unknown field, bad
value, bad area, odd argument count, unknown bank, target running, OPTCR
locked by a wrong key), persistence across a power cycle of the simulator,
and the raw values as upstream's stm32h7x driver reads them.

The board comes with a tiny firmware (vector table + `b .`) at the start of
both banks, so that resets and bank swaps find a running core.
"""

import re

from harness import Log, capture, check, expect_eq, expect_in, fail, note, timeout
from harness.board import (attempt, between, dual_boot_sim as board_sim, outcome,
                           reset_halt_session as session)
from harness.chip import (BANK_BASE, BOOT_CUR, OPTCR, OPTKEYR, OPTSR_CUR, OPTSR_PRG,
                          PRAR_CUR, SCAR_CUR, WPSN_CUR)

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

# The option registers as `mdw` shows them.
REGS = {'OPTCR': OPTCR, 'OPTSR_CUR': OPTSR_CUR, 'OPTSR_PRG': OPTSR_PRG,
        'PRAR_CUR1': PRAR_CUR[0], 'PRAR_CUR2': PRAR_CUR[1],
        'SCAR_CUR1': SCAR_CUR[0], 'SCAR_CUR2': SCAR_CUR[1],
        'WPSN_CUR1': WPSN_CUR[0], 'WPSN_CUR2': WPSN_CUR[1], 'BOOT_CUR': BOOT_CUR}

# Factory option bytes of the simulated chip (testing/sim/flash_ctrl.c).
FACTORY = {'OPTCR': 0x00000001, 'OPTSR_CUR': 0x0006AAD0, 'OPTSR_PRG': 0x0006AAD0,
           'PRAR_CUR1': 0x000000FF, 'PRAR_CUR2': 0x000000FF,
           'SCAR_CUR1': 0x000000FF, 'SCAR_CUR2': 0x000000FF,
           'WPSN_CUR1': 0x000000FF, 'WPSN_CUR2': 0x000000FF, 'BOOT_CUR': 0x1FF00800}

# What the driver logs when it refuses; allowed in the sessions that provoke it.
NOT_HALTED = r'^Error: option bytes: the target must be halted'
KEY_LOCKED = r'^Error: FLASH_OPTCR stays locked'
NO_BANK = r'^Error: flash bank \d+ does not exist'


# ---- board, files, sessions ----------------------------------------------------------


def dump(key):
    """Raw reads of every option register, between markers."""
    return ['echo @@regs-%s-begin' % key, 'mdw 0x%08x 12' % OPTCR,
            'mdw 0x%08x 6' % PRAR_CUR[1], 'echo @@regs-%s-end' % key]


def regs(out, key):
    """{register name: value} from a dump(key)."""
    text = Log(between(out, 'regs-' + key), 'option registers %s' % key)
    return {name: text.mem(addr)[0] for name, addr in REGS.items()}


def all_words(out, key):
    """{address: value} of everything a dump(key) read, *_PRG included."""
    text = Log(between(out, 'regs-' + key), 'option registers %s' % key)
    addrs = [OPTCR + 4 * i for i in range(12)] + [PRAR_CUR[1] + 4 * i for i in range(6)]
    return dict(zip(addrs, text.mem(OPTCR, 12) + text.mem(PRAR_CUR[1], 6)))


def option_changes(sim):
    return sim.stats()['flash']['option_changes']


def expect_regs(got, expected, what, context=None):
    bad = ['%s %08x (expected %08x)' % (k, got[k], expected[k]) for k in REGS
           if got[k] != expected[k]]
    if bad:
        fail('%s: %s' % (what, '; '.join(bad)), context)


def unbrace(text):
    """The value of a Tcl word: one level of enclosing braces removed."""
    text = text.strip()
    if text.startswith('{') and text.endswith('}'):
        return text[1:-1]
    return text


# ---- 1. every field, every value --------------------------------------------------------

# (field, value as typed, option_get result, register, shift, width, raw field value)
# Sequences change the field at every step and end at the factory value.
def round_trip_steps():
    steps = []

    def named(field, shift, width, values):
        for name, raw in values:
            steps.append((field, name, name, 'OPTSR_CUR', shift, width, raw))

    named('bor_lev', 2, 2, [('3', 3), ('1', 1), ('2', 2), ('0', 0)])
    named('iwdg1', 4, 1, [('hw', 0), ('sw', 1)])
    named('nrst_stop_d1', 6, 1, [('reset', 0), ('no_reset', 1)])
    named('nrst_stby_d1', 7, 1, [('reset', 0), ('no_reset', 1)])
    named('fz_iwdg_stop', 17, 1, [('frozen', 0), ('running', 1)])
    named('fz_iwdg_sdby', 18, 1, [('frozen', 0), ('running', 1)])
    named('st_ram_size', 19, 2, [('16k', 3), ('4k', 1), ('8k', 2), ('2k', 0)])
    named('io_hslv', 29, 1, [('on', 1), ('off', 0)])
    named('swap_bank', 31, 1, [('on', 1), ('off', 0)])
    for field, shift in (('boot_add0', 0), ('boot_add1', 16)):
        factory = 0x08000000 if field == 'boot_add0' else 0x1FF00000
        for addr in (0x24000000, 0x00000000, 0x3FFF0000, 0x08100000, factory):
            steps.append((field, '0x%08x' % addr, '0x%08x' % addr, 'BOOT_CUR', shift, 16,
                          addr >> 16))
    for kind, reg, dm in (('pcrop', 'PRAR_CUR', 'dmep'), ('secure', 'SCAR_CUR', 'dmes')):
        for bank in (0, 1):
            base = BANK_BASE[bank]
            field = '%s%d' % (kind, bank + 1)
            name = '%s%d' % (reg, bank + 1)
            areas = [((base + 0x40000, base + 0x5FFFF), 0x05FF0400),
                     ((base + 0x80000, base + 0xFFFFF), 0x0FFF0800),
                     ((base, base + 0xFFFFF), 0x00000000),      # START == END: whole bank
                     ((base + 0x100, base + 0x2FF), 0x00020001)]
            for (first, last), raw in areas:
                area = '0x%08x 0x%08x' % (first, last)
                steps.append((field, '{%s}' % area, area, name, 0, 28, raw))
            steps.append((field, 'none', 'none', name, 0, 28, 0xFF))
            for value, raw in (('erase', 1), ('keep', 0)):
                steps.append(('%s%d' % (dm, bank + 1), value, value, name, 31, 1, raw))
    for bank in (0, 1):
        field, name = 'wps%d' % (bank + 1), 'WPSN_CUR%d' % (bank + 1)
        for sectors in ([2, 3], [0, 7], [5], list(range(8)), []):
            value = '{%s}' % ' '.join(map(str, sectors)) if sectors else 'none'
            raw = 0xFF & ~sum(1 << s for s in sectors)
            steps.append((field, value, ' '.join(map(str, sectors)) or 'none', name, 0, 8, raw))
    return steps


@timeout(300)
def test_every_field_round_trip():
    """option_set FIELD VALUE confirm, then option_get FIELD and the raw
    register: the field holds the value, every other bit and register stays.
    Feeding option_get's result back to option_set writes nothing."""
    steps = round_trip_steps()
    cmds = dump('start')
    fields = []
    for i, (field, value, _, _, _, _, _) in enumerate(steps):
        cmds += attempt('set%d' % i, 'stm32h743 option_set %s %s confirm' % (field, value))
        cmds.append(capture('get%d' % i, 'stm32h743 option_get %s' % field))
        cmds += dump('regs%d' % i)
        if field not in fields:
            fields.append(field)
    for field in fields:
        cmds += attempt('again-%s' % field,
                        'stm32h743 option_set %s [stm32h743 option_get %s] confirm'
                        % (field, field))
    cmds.append(capture('dict', 'stm32h743 option_bytes'))
    with board_sim() as sim:
        before = option_changes(sim)
        out = session(sim, *cmds, timeout=240)
        changes = option_changes(sim) - before
    problems = []
    previous = regs(out, 'start')
    expect_regs(previous, FACTORY, 'option registers at the start', out)
    for i, (field, value, shown, reg, shift, width, raw) in enumerate(steps):
        what = 'option_set %s %s' % (field, value)
        rc, text = outcome(out, 'set%d' % i)
        if rc != 0:
            problems.append('%s: failed (%d): %s' % (what, rc, ' / '.join(text.split('\n'))))
        got = unbrace(out.value('get%d' % i))
        if got.lower() != shown:
            problems.append('%s: option_get %s = %r, expected %r' % (what, field, got, shown))
        now = regs(out, 'regs%d' % i)
        mask = ((1 << width) - 1) << shift
        field_bits = (now[reg] & mask) >> shift
        if field_bits != raw:
            problems.append('%s: %s = %08x, field bits %d..%d = %#x, expected %#x'
                            % (what, reg, now[reg], shift, shift + width - 1, field_bits, raw))
        for name in REGS:
            keep = ~mask if name == reg else ~0
            if name == 'OPTSR_PRG' and reg == 'OPTSR_CUR':
                keep = ~mask
            if (now[name] ^ previous[name]) & keep & 0xFFFFFFFF:
                problems.append('%s: %s changed %08x -> %08x outside the field'
                                % (what, name, previous[name], now[name]))
        if now['OPTSR_PRG'] != now['OPTSR_CUR']:
            problems.append('%s: OPTSR_PRG %08x differs from OPTSR_CUR %08x after the commit'
                            % (what, now['OPTSR_PRG'], now['OPTSR_CUR']))
        if now['OPTCR'] != 0x00000001:
            problems.append('%s: OPTCR = %08x, expected 0x00000001 (OPTLOCK set again, no '
                            'swap in effect)' % (what, now['OPTCR']))
        previous = now
    expect_regs(previous, FACTORY, 'option registers at the end (factory values again)', out)
    for field in fields:
        rc, text = outcome(out, 'again-%s' % field)
        if rc != 0 or 'nothing written' not in text:
            problems.append('option_set %s [option_get %s] (its own value): rc %d: %s'
                            % (field, field, rc, ' / '.join(text.strip().split('\n'))))
    dict_text = out.value('dict')
    for field in fields:
        if not re.search(r'(^| )%s \{' % field, dict_text):
            problems.append('option_bytes result lacks %s: %s' % (field, dict_text))
    if changes != len(steps):
        problems.append('%d option-byte changes (OPTSTART) for %d steps' % (changes, len(steps)))
    note('%d option_set steps over %d fields, %d option-byte changes'
         % (len(steps), len(fields), changes))
    if problems:
        fail('%d problem(s):\n  %s' % (len(problems), '\n  '.join(problems)), out)


def test_rdp_and_security_round_trip():
    """rdp 1 (RDP byte 0x55) and back to 0 (0xAA); SECURITY on, and off
    again, which the chip only allows together with an RDP regression: one
    option_set of both fields, one commit."""
    with board_sim() as sim:
        before = option_changes(sim)
        out = session(sim,
                      *attempt('rdp1', 'stm32h743 option_set rdp 1'),
                      capture('rdp1', 'stm32h743 option_get rdp'), *dump('rdp1'),
                      *attempt('rdp0', 'stm32h743 option_set rdp 0'),
                      capture('rdp0', 'stm32h743 option_get rdp'), *dump('rdp0'),
                      *attempt('sec_on', 'stm32h743 option_set security on confirm'),
                      capture('sec_on', 'stm32h743 option_get security'), *dump('sec_on'),
                      *attempt('lock', 'stm32h743 option_set rdp 1'), *dump('lock'),
                      *attempt('sec_off', 'stm32h743 option_set rdp 0 security off confirm'),
                      capture('sec_off', 'stm32h743 option_get security'),
                      capture('rdp_end', 'stm32h743 option_get rdp'), *dump('sec_off'),
                      timeout=120)
        changes = option_changes(sim) - before
    for key in ('rdp1', 'rdp0', 'sec_on', 'lock', 'sec_off'):
        rc, text = outcome(out, key)
        expect_eq(rc, 0, 'result of step %s (%s)' % (key, text.strip()), out)
    expect_eq(out.value('rdp1'), '1', 'option_get rdp after option_set rdp 1', out)
    expect_eq((regs(out, 'rdp1')['OPTSR_CUR'] >> 8) & 0xFF, 0x55, 'RDP byte for level 1', out)
    expect_eq(out.value('rdp0'), '0', 'option_get rdp after option_set rdp 0', out)
    expect_eq(regs(out, 'rdp0')['OPTSR_CUR'], FACTORY['OPTSR_CUR'], 'OPTSR_CUR at level 0', out)
    expect_eq(out.value('sec_on'), 'on', 'option_get security', out)
    expect_eq(regs(out, 'sec_on')['OPTSR_CUR'], FACTORY['OPTSR_CUR'] | 1 << 21,
              'OPTSR_CUR with SECURITY', out)
    expect_eq(out.value('sec_off'), 'off', 'option_get security after the regression', out)
    expect_eq(out.value('rdp_end'), '0', 'option_get rdp after the regression', out)
    expect_eq(regs(out, 'sec_off')['OPTSR_CUR'], FACTORY['OPTSR_CUR'], 'OPTSR_CUR at the end',
              out)
    expect_in('rdp: 1 -> 0', between(out, 'sec_off'), 'option_set rdp 0 security off')
    expect_in('security: on -> off', between(out, 'sec_off'), 'option_set rdp 0 security off')
    expect_eq(changes, 5, 'option-byte changes (one per option_set)')


# ---- 2. several fields, one commit ------------------------------------------------------

def test_several_fields_one_commit():
    """Fields of every option word in one option_set: one OPTSTART."""
    change = ('bor_lev 3 iwdg1 hw st_ram_size 8k boot_add0 0x24000000 boot_add1 0x08100000 '
              'pcrop1 {0x08040000 0x0805ffff} pcrop2 {0x08180000 0x081fffff} '
              'secure2 {0x08100000 0x0811ffff} wps1 {1 6} wps2 {7} confirm')
    with board_sim() as sim:
        before = option_changes(sim)
        out = session(sim, *dump('before'), *attempt('set', 'stm32h743 option_set ' + change),
                      *dump('after'))
        after = option_changes(sim)
    rc, text = outcome(out, 'set')
    expect_eq(rc, 0, 'option_set of ten fields (%s)' % text.strip(), out)
    expect_regs(regs(out, 'before'), FACTORY, 'option registers before', out)
    expected = dict(FACTORY)
    expected['OPTSR_CUR'] = expected['OPTSR_PRG'] = (0x0006AAD0 & ~(0x3 << 2 | 1 << 4 | 3 << 19)
                                                     | 3 << 2 | 2 << 19)
    expected.update({'BOOT_CUR': 0x08102400, 'PRAR_CUR1': 0x05FF0400, 'PRAR_CUR2': 0x0FFF0800,
                     'SCAR_CUR2': 0x01FF0000, 'WPSN_CUR1': 0xBD, 'WPSN_CUR2': 0x7F})
    expect_regs(regs(out, 'after'), expected, 'option registers after one option_set', out)
    for line in ('bor_lev: 0 -> 3', 'iwdg1: sw -> hw', 'st_ram_size: 2k -> 8k',
                 'boot_add0: 0x08000000 -> 0x24000000', 'boot_add1: 0x1ff00000 -> 0x08100000',
                 'pcrop1: none -> {0x08040000 0x0805ffff}',
                 'pcrop2: none -> {0x08180000 0x081fffff}',
                 'secure2: none -> {0x08100000 0x0811ffff}', 'wps1: none -> {1 6}',
                 'wps2: none -> 7'):
        expect_in(line, text, 'option_set report')
    expect_eq(after - before, 1, 'option-byte changes (OPTSTART) for one option_set')


# ---- 4. bad input -------------------------------------------------------------------------

# (key, command, words the refusal must contain)
BAD_INPUT = [
    ('unknown', 'stm32h743 option_set bor_level 1', ['unknown option field', 'bor_level']),
    ('unknown_get', 'stm32h743 option_get watchdog', ['unknown option field', 'watchdog']),
    ('bor7', 'stm32h743 option_set bor_lev 7', ['bor_lev', "'7'", '0 1 2 3']),
    ('iwdg_maybe', 'stm32h743 option_set iwdg1 maybe', ['iwdg1', "'maybe'", 'hw sw']),
    ('wps9', 'stm32h743 option_set wps1 {9}', ['wps1', "'9'", '0..7']),
    ('rdp3', 'stm32h743 option_set rdp 3', ['rdp', "'3'", 'level']),
    ('boot_odd', 'stm32h743 option_set boot_add0 0x08000100', ['boot_add0', 'multiple of 64 KiB']),
    ('boot_high', 'stm32h743 option_set boot_add1 0x40000000', ['boot_add1', '0x3FFF0000']),
    ('unaligned', 'stm32h743 option_set pcrop1 {0x08040010 0x0805ffff}',
     ['pcrop1', '256-byte aligned']),
    ('bad_end', 'stm32h743 option_set pcrop1 {0x08040000 0x0805fffe}',
     ['pcrop1', 'end a 256-byte block']),
    ('inverted', 'stm32h743 option_set pcrop1 {0x08060000 0x0804ffff}',
     ['pcrop1', 'first <= last']),
    ('outside', 'stm32h743 option_set pcrop1 {0x08100000 0x0811ffff}',
     ['pcrop1', 'bank 1', '0x08000000..0x080fffff']),
    ('straddle', 'stm32h743 option_set pcrop2 {0x080e0000 0x0811ffff}',
     ['pcrop2', 'bank 2', '0x08100000..0x081fffff']),
    ('one_block', 'stm32h743 option_set pcrop1 {0x08040000 0x080400ff}',
     ['pcrop1', 'single 256-byte block']),
    ('last_block', 'stm32h743 option_set pcrop2 {0x081fff00 0x081fffff}',
     ['pcrop2', 'single 256-byte block']),
    ('not_area', 'stm32h743 option_set secure1 everything confirm',
     ['secure1', "'everything'", 'none']),
    ('odd', 'stm32h743 option_set bor_lev 2 iwdg1', ['iwdg1', 'value']),
    ('odd_confirm', 'stm32h743 option_set bor_lev confirm', ['bor_lev', 'value']),
    # one bad pair among good ones: nothing at all is written
    ('mixed', 'stm32h743 option_set bor_lev 2 wps1 {3} iwdg1 maybe', ['iwdg1', "'maybe'"]),
    ('bank5', 'stm32h743 mass_erase 5', ['5', 'does not exist']),
    ('swap_maybe', 'stm32h743 swap_bank maybe', ['on', 'off', 'toggle']),
]


def test_bad_input_rejected():
    """Each bad input is refused with a reason naming what is wrong, and
    the option registers and the simulator's option state do not change."""
    cmds = dump('before')
    for key, cmd, _ in BAD_INPUT:
        cmds += attempt(key, cmd) + dump('after-' + key)
    with board_sim() as sim:
        before = sim.stats()['flash']
        out = session(sim, *cmds, allow=[NO_BANK])
        after = sim.stats()['flash']
    expect_regs(regs(out, 'before'), FACTORY, 'option registers before', out)
    start = all_words(out, 'before')
    problems = []
    for key, cmd, words in BAD_INPUT:
        rc, text = outcome(out, key)
        if rc == 0:
            problems.append('%s: accepted (%s)' % (cmd, ' / '.join(text.strip().split('\n'))))
        missing = [w for w in words if w.lower() not in text.lower()]
        if missing:
            problems.append('%s: the refusal does not name %s: %r'
                            % (cmd, ', '.join(repr(w) for w in missing), text.strip()))
        # against the registers just before (an earlier failure is not repeated)
        now = all_words(out, 'after-' + key)
        changed = ['%08x: %08x -> %08x' % (a, start[a], now[a]) for a in sorted(now)
                   if now[a] != start[a]]
        if changed:
            problems.append('%s: option registers changed: %s' % (cmd, ', '.join(changed)))
        start = now
    if after['option_changes'] != before['option_changes']:
        problems.append('%d option-byte change(s) happened'
                        % (after['option_changes'] - before['option_changes']))
    erases = [b['bank_erases'] + b['sectors_erased'] for b in after['banks']]
    if erases != [0, 0]:
        problems.append('erases happened: %r' % erases)
    if problems:
        fail('%d problem(s):\n  %s' % (len(problems), '\n  '.join(problems)), out)


def test_target_running_refused():
    """With the core running, option_set refuses (the target must be
    halted) and writes nothing; after `halt` it works."""
    with board_sim() as sim:
        before = option_changes(sim)
        out = session(sim, *dump('before'), 'resume',
                      *attempt('running', 'stm32h743 option_set bor_lev 2'),
                      *dump('running'), 'halt',
                      *attempt('halted', 'stm32h743 option_set bor_lev 2'),
                      *dump('halted'), allow=[NOT_HALTED])
        changes = option_changes(sim) - before
    rc, text = outcome(out, 'running')
    check(rc != 0, 'option_set succeeded with the target running', out)
    expect_re_in(r'target must be halted', text, 'refusal while running', out)
    expect_regs(regs(out, 'running'), FACTORY, 'option registers after the refusal', out)
    rc, text = outcome(out, 'halted')
    expect_eq(rc, 0, 'option_set after halt (%s)' % text.strip(), out)
    expect_eq(regs(out, 'halted')['OPTSR_CUR'], 0x0006AAD0 | 2 << 2, 'OPTSR_CUR after halt',
              out)
    expect_eq(changes, 1, 'option-byte changes')


def expect_re_in(pattern, text, what, context):
    if not re.search(pattern, text, re.MULTILINE):
        fail('%s: no match for /%s/ in %r' % (what, pattern, text.strip()), context)


def test_wrong_option_key_locks_until_reset():
    """A wrong value written to FLASH_OPTKEYR faults on the bus and locks
    OPTCR until the next reset: option_set fails saying so and writes
    nothing; after `reset halt` it works."""
    with board_sim() as sim:
        before = option_changes(sim)
        out = session(sim, *dump('before'), *attempt('badkey', 'mww 0x%08x 0x12345678' % OPTKEYR),
                      *attempt('locked', 'stm32h743 option_set bor_lev 1 wps2 {4}'),
                      *dump('locked'), 'reset halt',
                      *attempt('after_reset', 'stm32h743 option_set bor_lev 1 wps2 {4}'),
                      *dump('after_reset'),
                      allow=[KEY_LOCKED, r'^Error: JTAG-DP STICKY ERROR',
                             r'^Error: Failed to write memory at 0x%08x' % OPTKEYR])
        changes = option_changes(sim) - before
    rc, _ = outcome(out, 'badkey')
    check(rc != 0, 'the wrong option key was written without a bus error', out)
    rc, text = outcome(out, 'locked')
    check(rc != 0, 'option_set succeeded after a wrong option key', out)
    expect_re_in(r'FLASH_OPTCR stays locked', text, 'refusal after a wrong key', out)
    expect_re_in(r'until reset|reset halt', text, 'refusal after a wrong key', out)
    locked = regs(out, 'locked')
    expect_regs(locked, FACTORY, 'option registers after the refused option_set', out)
    rc, text = outcome(out, 'after_reset')
    expect_eq(rc, 0, 'option_set after reset halt (%s)' % text.strip(), out)
    now = regs(out, 'after_reset')
    expect_eq(now['OPTSR_CUR'], 0x0006AAD0 | 1 << 2, 'OPTSR_CUR after reset halt', out)
    expect_eq(now['WPSN_CUR2'], 0xEF, 'WPSN_CUR2 after reset halt', out)
    expect_eq(now['OPTCR'], 0x00000001, 'OPTCR (locked again) after the change', out)
    expect_eq(changes, 1, 'option-byte changes')


OPTION_REFUSED = (r'^Error: the option change was refused|^Error: stm32h743: \S+ failed: the chip '
                  r'refused the option change')


def test_refused_change_not_committed_later():
    """A change the chip refuses (OPTCHANGEERR: here clearing SECURITY
    without an RDP regression) leaves its values staged in the *_PRG
    registers; the next, unrelated change must commit only what it asks for,
    not the refused values (option_set, then `flash protect`)."""
    with board_sim() as sim:
        out = session(sim,
                      *attempt('secure', 'stm32h743 option_set security on confirm'),
                      *dump('secure'),
                      *attempt('refused1', 'stm32h743 option_set security off wps1 {0} confirm'),
                      *dump('refused1'),
                      *attempt('next', 'stm32h743 option_set bor_lev 1'), *dump('next'),
                      *attempt('refused2',
                               'stm32h743 option_set security off boot_add0 0x24000000 confirm'),
                      *dump('refused2'),
                      *attempt('protect', 'flash protect 1 7 7 on'), *dump('protect'),
                      allow=[OPTION_REFUSED, r'^Error: failed setting protection'])
    rc, text = outcome(out, 'secure')
    expect_eq(rc, 0, 'option_set security on confirm (%s)' % text.strip(), out)
    secure = regs(out, 'secure')
    expect_eq(secure['OPTSR_CUR'], FACTORY['OPTSR_CUR'] | 1 << 21, 'OPTSR_CUR with SECURITY', out)
    for key in ('refused1', 'refused2'):
        rc, text = outcome(out, key)
        check(rc != 0, 'clearing SECURITY without an RDP regression was not refused', out)
        expect_in('OPTCHANGEERR', text, 'refused change (%s)' % key, out)
    now = regs(out, 'refused1')
    check(all(now[k] == secure[k] for k in REGS if k != 'OPTSR_PRG'),
          'registers in force changed by a refused change', out)
    rc, text = outcome(out, 'next')
    expect_eq(rc, 0, 'option_set bor_lev 1 after the refused change (%s)' % text.strip(), out)
    now = regs(out, 'next')
    expected = dict(secure, OPTSR_CUR=secure['OPTSR_CUR'] | 1 << 2,
                    OPTSR_PRG=secure['OPTSR_CUR'] | 1 << 2)
    expect_regs(now, expected, 'option_set bor_lev 1 after a refused change (the refused '
                'wps1 {0} must not be committed with it)', out)
    rc, text = outcome(out, 'protect')
    expect_eq(rc, 0, 'flash protect 1 7 7 on after a refused change (%s)' % text.strip(), out)
    expected['WPSN_CUR2'] = 0x7F
    expect_regs(regs(out, 'protect'), expected, 'flash protect 1 7 7 on after a refused change '
                '(the refused security off / boot_add0 must not be committed with it)', out)


# ---- 5. persistence ----------------------------------------------------------------------

PERSIST = ('bor_lev 2 nrst_stby_d1 reset fz_iwdg_stop frozen st_ram_size 16k io_hslv on '
           'boot_add1 0x24000000 pcrop1 {0x08060000 0x0807ffff} dmep2 erase '
           'secure1 {0x080c0000 0x080dffff} dmes2 erase wps1 {0 1} wps2 {2 5} confirm')


def test_values_survive_power_cycle():
    """Option bytes are non-volatile: after the simulator restarts on its
    state file, option_bytes and the raw registers read the same."""
    with board_sim() as sim:
        out1 = session(sim, *attempt('set', 'stm32h743 option_set ' + PERSIST), *dump('set'),
                       capture('dict', 'stm32h743 option_bytes'))
        sim.stop()
        sim.start()
        out2 = session(sim, *dump('again'), capture('dict', 'stm32h743 option_bytes'))
    rc, text = outcome(out1, 'set')
    expect_eq(rc, 0, 'option_set (%s)' % text.strip(), out1)
    written = regs(out1, 'set')
    check(written != FACTORY, 'option_set changed no register', out1)
    expect_regs(regs(out2, 'again'), written, 'option registers after the power cycle', out2)
    expect_eq(out2.value('dict'), out1.value('dict'), 'option_bytes after the power cycle', out2)
    for field, value in (('bor_lev', '2'), ('nrst_stby_d1', 'reset'), ('st_ram_size', '16k'),
                         ('io_hslv', 'on'), ('dmep2', 'erase'), ('dmes2', 'erase'),
                         ('wps1', '0 1'), ('wps2', '2 5'), ('boot_add1', '0x24000000'),
                         ('pcrop1', '0x08060000 0x0807ffff'),
                         ('secure1', '0x080c0000 0x080dffff')):
        m = re.search(r'(?:^| )%s \{(\{[^}]*\}|[^}]*)\}' % field, out2.value('dict'))
        check(m is not None, 'option_bytes lacks %s' % field, out2)
        expect_eq(unbrace(m.group(1)), value, '%s after the power cycle' % field, out2)


# ---- 10. upstream reads the same -------------------------------------------------------

def option_read(out, key):
    """Value printed by capture(key, 'stm32h7x option_read ...')."""
    m = re.search(r'= 0x([0-9a-f]+)$', out.value(key))
    if not m:
        fail('option_read %s printed %r' % (key, out.value(key)), out)
    return int(m.group(1), 16)


def test_upstream_reads_same_values():
    """What our option_set wrote, upstream's stm32h7x driver reads back raw
    (stm32h7x option_read BANK OFFSET) in a second session."""
    with board_sim() as sim:
        out = session(sim, *attempt('set', 'stm32h743 option_set bor_lev 1 st_ram_size 4k '
                                           'nrst_stop_d1 reset wps1 {1 2 7} wps2 {0}'),
                      *dump('ours'))
        up = sim.openocd('init', 'reset halt',
                         capture('optsr', 'stm32h7x option_read 0 0x1c'),
                         capture('optsr_b2', 'stm32h7x option_read 1 0x1c'),
                         capture('wpsn1', 'stm32h7x option_read 0 0x38'),
                         capture('wpsn2', 'stm32h7x option_read 1 0x38'),
                         capture('boot', 'stm32h7x option_read 0 0x40'),
                         config='upstream')
    rc, text = outcome(out, 'set')
    expect_eq(rc, 0, 'option_set (%s)' % text.strip(), out)
    ours = regs(out, 'ours')
    expect_eq(ours['OPTSR_CUR'], (0x0006AAD0 | 1 << 2 | 1 << 19) & ~(1 << 6), 'our OPTSR_CUR',
              out)
    expect_eq(ours['WPSN_CUR1'], 0x79, 'our WPSN_CUR1', out)
    expect_eq(ours['WPSN_CUR2'], 0xFE, 'our WPSN_CUR2', out)
    expect_eq(option_read(up, 'optsr'), ours['OPTSR_CUR'], 'upstream OPTSR_CUR (bank 0)', up)
    expect_eq(option_read(up, 'optsr_b2'), ours['OPTSR_CUR'], 'upstream OPTSR_CUR (bank 1)', up)
    expect_eq(option_read(up, 'wpsn1'), ours['WPSN_CUR1'], 'upstream WPSN_CUR1', up)
    expect_eq(option_read(up, 'wpsn2'), ours['WPSN_CUR2'], 'upstream WPSN_CUR2', up)
    expect_eq(option_read(up, 'boot'), ours['BOOT_CUR'], 'upstream BOOT_CUR', up)
