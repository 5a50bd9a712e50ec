# SPDX-License-Identifier: GPL-2.0-or-later
"""Bank swap and mass erase with the stm32h743 driver.

`stm32h743 swap_bank on|off|toggle [reset]` changes SWAP_BANK_OPT
(FLASH_OPTSR bit 31); the address map, and FLASH_OPTCR.SWAP_BANK (bit 31),
only follow at the next reset (doc/stm32h743.texi, swap_bank). With the banks
swapped, 0x08000000 is physical bank 2: the simulator's state file, exported
per physical bank (`h743sim --state F --export-bank N OUT`), shows where
data really landed.

`stm32h743 mass_erase BANK|all` erases one bank, or both at the same time
(each bank has its own command queue): the virtual time of the simulator
grows by about one bank-erase time for both, not two.

The board comes with a tiny firmware (vector table + `b .`) at the start of
both banks, so that it boots with the banks swapped or not.
"""

import random
import re

from harness import (Log, Sim, check, expect_eq, expect_in, expect_not_in, fail, note,
                     tmpfile)
from harness.board import (attempt, between, dual_boot_state, export_bank, idle_firmware, outcome,
                           read_file, reset_halt_session as session, section, write_file)
from harness.chip import BANK_BASE, SECTOR, WORD, OPTCR, OPTSR_CUR

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

SWAP = 1 << 31            # OPTCR.SWAP_BANK, OPTSR.SWAP_BANK_OPT
OPTCR_LOCKED = 0x00000001


# ---- board, files, sessions ----------------------------------------------------------


def expect_ok(out, key, what):
    rc, text = outcome(out, key)
    expect_eq(rc, 0, '%s (%s)' % (what, ' / '.join(text.strip().split('\n'))), out)
    return text


def swap_regs(key):
    """OPTCR and OPTSR_CUR read raw, between markers."""
    return section('regs-' + key, 'mdw 0x%08x 2' % OPTCR)


def optcr_optsr(out, key):
    text = Log(between(out, 'regs-' + key), 'registers ' + key)
    return text.mem(OPTCR)[0], text.mem(OPTSR_CUR)[0]


def physical_bank_line(out, key):
    m = re.search(r'^bank (\d) at 0x([0-9a-f]+): physical bank (\d)( \(banks swapped\))?',
                  between(out, key), re.MULTILINE)
    if not m:
        fail('flash info (%s) does not say which physical bank it is' % key, out)
    return int(m.group(3)), bool(m.group(4))


# ---- 8. bank swap ------------------------------------------------------------------------

def test_swap_bank_takes_effect_at_reset():
    """swap_bank on: SWAP_BANK_OPT set, OPTCR.SWAP_BANK still 0 until
    reset; after `reset halt` 0x08000000 is physical bank 2, and an image
    programmed there lands in physical bank 2. swap_bank off reset: the
    same data reads at 0x08100000."""
    marker = idle_firmware() + b'physical bank 2 via 0x08000000\n' * 128
    marker += random.Random(8).randbytes(8192 - len(marker))
    image = write_file('marker.bin', marker)
    back = tmpfile('marker-at-0x08100000.bin')
    first = tmpfile('first-word.bin')
    state = dual_boot_state()
    with Sim(state=state) as sim:
        out = session(sim, *swap_regs('before'),
                      *attempt('on', 'stm32h743 swap_bank on'), *swap_regs('pending'),
                      *attempt('get', 'stm32h743 option_get swap_bank'),
                      *section('info-pending', 'flash info 0'),
                      'reset halt', *swap_regs('swapped'),
                      *section('info0', 'flash info 0'), *section('info1', 'flash info 1'),
                      'flash write_image erase %s 0x%08x' % (image, BANK_BASE[0]),
                      'verify_image %s 0x%08x' % (image, BANK_BASE[0]))
        swapped_stats = sim.stats()['flash']
        sim.stop()
        phys = [export_bank(state, 1), export_bank(state, 2)]
        sim.start()
        out2 = session(sim, *swap_regs('after-power-cycle'),
                       *attempt('off', 'stm32h743 swap_bank off reset'),
                       *swap_regs('unswapped'), *section('info-off', 'flash info 0'),
                       'dump_image %s 0x%08x 0x%x' % (back, BANK_BASE[1], len(marker)),
                       'dump_image %s 0x%08x 0x%x' % (first, BANK_BASE[0], WORD),
                       'verify_image %s 0x%08x' % (image, BANK_BASE[1]))
        final_stats = sim.stats()['flash']
    expect_eq(optcr_optsr(out, 'before')[0], OPTCR_LOCKED, 'OPTCR at the start', out)
    text = expect_ok(out, 'on', 'swap_bank on')
    expect_in('swap_bank: off -> on', text, 'swap_bank on')
    expect_in('takes effect at the next reset', text, 'swap_bank on')
    optcr, optsr = optcr_optsr(out, 'pending')
    expect_eq(optcr & SWAP, 0, 'OPTCR.SWAP_BANK before the reset', out)
    expect_eq(optsr & SWAP, SWAP, 'OPTSR_CUR.SWAP_BANK_OPT after swap_bank on', out)
    expect_in('on', expect_ok(out, 'get', 'option_get swap_bank'), 'option_get swap_bank')
    expect_eq(physical_bank_line(out, 'info-pending'), (1, False),
              'flash info 0 before the reset (physical bank, swapped)', out)
    optcr, optsr = optcr_optsr(out, 'swapped')
    expect_eq(optcr, OPTCR_LOCKED | SWAP, 'OPTCR after reset halt', out)
    expect_eq(physical_bank_line(out, 'info0'), (2, True), 'flash info 0 after the reset', out)
    expect_eq(physical_bank_line(out, 'info1'), (1, True), 'flash info 1 after the reset', out)
    check(swapped_stats['swapped'], 'the simulator does not report the banks swapped')
    # Where the data really is.
    expect_eq(phys[1][:len(marker)], marker, 'physical bank 2 holds the image written at '
              '0x08000000 while swapped', out)
    check(phys[0][:len(marker)] != marker and phys[0][:WORD] == idle_firmware(),
          'physical bank 1 does not hold just its own firmware (the image went there?)', out)
    check(marker[WORD:WORD + 64] not in phys[0], 'physical bank 1 has the image data', out)
    # Swapped state survives the power cycle, then swap_bank off reset.
    expect_eq(optcr_optsr(out2, 'after-power-cycle')[0], OPTCR_LOCKED | SWAP,
              'OPTCR after the power cycle (still swapped)', out2)
    text = expect_ok(out2, 'off', 'swap_bank off reset')
    expect_in('swap_bank: on -> off', text, 'swap_bank off reset')
    expect_in('0x08000000 now shows physical bank 1', text, 'swap_bank off reset')
    optcr, optsr = optcr_optsr(out2, 'unswapped')
    expect_eq(optcr, OPTCR_LOCKED, 'OPTCR after swap_bank off reset', out2)
    expect_eq(optsr & SWAP, 0, 'OPTSR_CUR.SWAP_BANK_OPT after swap_bank off', out2)
    expect_eq(physical_bank_line(out2, 'info-off'), (1, False), 'flash info 0 after off', out2)
    expect_eq(read_file(back), marker, 'the image at 0x08100000 after swap_bank off reset', out2)
    expect_eq(read_file(first), idle_firmware(), 'first flash word at 0x08000000 after off', out2)
    check(not final_stats['swapped'], 'the simulator still reports the banks swapped')


def test_swap_bank_toggle():
    """swap_bank toggle flips SWAP_BANK_OPT each time (OPTCR follows only
    at reset); toggle reset applies it at once."""
    with Sim(state=dual_boot_state()) as sim:
        before = sim.stats()['flash']['option_changes']
        out = session(sim, *attempt('t1', 'stm32h743 swap_bank toggle'), *swap_regs('t1'),
                      *attempt('t2', 'stm32h743 swap_bank toggle'), *swap_regs('t2'),
                      *attempt('t3', 'stm32h743 swap_bank toggle reset'), *swap_regs('t3'),
                      *section('info3', 'flash info 0'),
                      *attempt('t4', 'stm32h743 swap_bank toggle reset'), *swap_regs('t4'),
                      *section('info4', 'flash info 0'))
        changes = sim.stats()['flash']['option_changes'] - before
    for key, change, optcr, optsr, bank in (('t1', 'off -> on', 0, SWAP, None),
                                            ('t2', 'on -> off', 0, 0, None),
                                            ('t3', 'off -> on', SWAP, SWAP, 2),
                                            ('t4', 'on -> off', 0, 0, 1)):
        text = expect_ok(out, key, 'swap_bank toggle (%s)' % key)
        expect_in('swap_bank: ' + change, text, 'swap_bank toggle (%s)' % key)
        got = optcr_optsr(out, key)
        expect_eq(got[0], OPTCR_LOCKED | optcr, 'OPTCR after toggle %s' % key, out)
        expect_eq(got[1] & SWAP, optsr, 'OPTSR_CUR.SWAP_BANK_OPT after toggle %s' % key, out)
        if bank:
            expect_in('0x08000000 now shows physical bank %d' % bank, text, 'toggle reset')
            expect_eq(physical_bank_line(out, 'info%s' % key[1]), (bank, bank == 2),
                      'flash info 0 after toggle %s' % key, out)
    expect_eq(changes, 4, 'option-byte changes (one per toggle)')


# ---- 9. mass erase ----------------------------------------------------------------------

DATA = 2 * SECTOR          # data after the firmware in each bank


def test_mass_erase():
    """mass_erase 1 erases bank 2 only; mass_erase all erases both banks at
    the same time: each bank counts one bank erase, and the virtual time
    grows by about one bank-erase time."""
    rng = random.Random(9)
    data = [rng.randbytes(DATA), rng.randbytes(DATA)]
    state = dual_boot_state(bank1=data[0], bank2=data[1])
    dumped = [tmpfile('bank%d-after-one.bin' % (b + 1)) for b in range(2)]
    with Sim(state=state) as sim:
        s0 = sim.stats()
        one = session(sim, *attempt('one', 'stm32h743 mass_erase 1'), timeout=90)
        s1 = sim.stats()
        check1 = session(sim, *['dump_image %s 0x%08x 0x%x' % (p, b + WORD, DATA)
                                for p, b in zip(dumped, BANK_BASE)],
                         *section('c0', 'flash erase_check 0'),
                         *section('c1', 'flash erase_check 1'))
        s2 = sim.stats()
        both = session(sim, *attempt('all', 'stm32h743 mass_erase all'), timeout=90)
        s3 = sim.stats()
        check2 = session(sim, *section('c0', 'flash erase_check 0'),
                         *section('c1', 'flash erase_check 1'))
    banks = lambda s, key: [b[key] for b in s['flash']['banks']]
    # mass_erase 1: bank 2 only
    text = expect_ok(one, 'one', 'stm32h743 mass_erase 1')
    expect_in('erasing bank 2 (1024 KiB)', text, 'mass_erase 1 progress')
    expect_not_in('erasing bank 1', text, 'mass_erase 1 progress')
    expect_eq([a - b for a, b in zip(banks(s1, 'bank_erases'), banks(s0, 'bank_erases'))],
              [0, 1], 'bank erases by mass_erase 1')
    expect_eq(read_file(dumped[0]), data[0], 'bank 1 data after mass_erase 1', check1)
    check(set(read_file(dumped[1])) == {0xFF}, 'bank 2 not erased by mass_erase 1', check1)
    expect_in('not erased', between(check1, 'c0'), 'flash erase_check 0 after mass_erase 1')
    expect_in('Bank is erased', between(check1, 'c1'), 'flash erase_check 1 after mass_erase 1')
    # mass_erase all: both, at the same time
    text = expect_ok(both, 'all', 'stm32h743 mass_erase all')
    expect_in('erasing bank 1 (1024 KiB)', text, 'mass_erase all progress')
    expect_in('erasing bank 2 (1024 KiB)', text, 'mass_erase all progress')
    expect_eq([a - b for a, b in zip(banks(s3, 'bank_erases'), banks(s2, 'bank_erases'))],
              [1, 1], 'bank erases by mass_erase all')
    for bank in (0, 1):
        expect_in('Bank is erased', between(check2, 'c%d' % bank),
                  'flash erase_check %d after mass_erase all' % bank)
    t_bank = (banks(s1, 'busy_ns')[1] - banks(s0, 'busy_ns')[1]) / 1e9
    t_one = (s1['virtual_ns'] - s0['virtual_ns']) / 1e9
    t_all = (s3['virtual_ns'] - s2['virtual_ns']) / 1e9
    busy_all = [(a - b) / 1e9 for a, b in zip(banks(s3, 'busy_ns'), banks(s2, 'busy_ns'))]
    note('bank erase %.2f s; session with mass_erase 1: %.2f s, with mass_erase all: %.2f s '
         'virtual (bank busy %.2f / %.2f s)' % (t_bank, t_one, t_all, *busy_all))
    check(t_bank > 0, 'bank 2 was never busy during mass_erase 1')
    for bank, busy in enumerate(busy_all):
        check(abs(busy - t_bank) < 0.01 * t_bank, 'bank %d busy %.2f s during mass_erase all, '
              'one bank erase is %.2f s' % (bank + 1, busy, t_bank))
    check(t_bank <= t_all < t_one + 0.5 * t_bank,
          'mass_erase all took %.2f s of virtual time; one bank erase is %.2f s and the '
          'session erasing one bank took %.2f s: the banks did not erase at the same time'
          % (t_all, t_bank, t_one))
