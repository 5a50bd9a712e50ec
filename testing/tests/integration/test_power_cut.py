# SPDX-License-Identifier: GPL-2.0-or-later
"""Power cuts while OpenOCD's upstream stm32h7x driver works on the flash:
the simulator's power-loss model (torn words, ECC errors, the state file),
seen through a driver we did not write. Our driver is put through power
loss, dropped connections, kill -9 and watchdog resets at many points of
erase, program, option commit and bank swap in test_fault_matrix.py.

(a) The simulator process is killed (SIGKILL) during `flash write_image
    erase`: it boots again on its state file, which holds a consistent
    snapshot of the flash (every flash word old, erased or new, never torn),
    and a second write makes the board right.
(b) `--fault power-loss-after-ops=N` cuts the chip's power half way through
    flash operation N + 1: the simulator restarts itself on the same port
    with its state kept, OpenOCD loses its connection (and may exit with an
    error), and the next session finds the interrupted flash word or sector
    unreadable or wrong (contents are not guaranteed after a reset during a
    flash operation; an interrupted program leaves an ECC error,
    testing/sim/flash_ctrl.c); erase, write and verify repair it. Cases:
    programming in bank 2, a sector erase, programming over the firmware a
    board came with (--flash-image), and a bank erase on the 1 MiB part.

Every restart must load the state file: no "state file ... ignored". In
every case the other bank and the option bytes must come through unchanged,
and a write after the power cut must complete the image.
"""

import random
import struct
import time

from harness import (Sim, capture, check, expect_eq, expect_gt, expect_in, expect_not_in, fail,
                     log, timeout, tmpfile)
from harness.board import (READ_FAILED, between, board_state, expect_same_data, expect_state_loaded, export_bank,
                           idle_firmware, read_file, section, wait_restarted, write_file)
from harness.chip import BANK_BASE, BANK_SIZE, SECTOR, WORD

ERASED_WORD = b'\xff' * WORD

def firmware_image(name, size, seed, msp=0x20020000):
    """A firmware-like image: idle firmware, then random data."""
    data = idle_firmware(msp) + random.Random(seed).randbytes(size - WORD)
    return write_file(name, data), data


def words(data):
    return [data[i:i + WORD] for i in range(0, len(data), WORD)]


def upstream(sim, *cmds, **kw):
    """One batch session with upstream's config, the core halted by reset."""
    return sim.openocd('init', 'reset halt', *cmds, config='upstream', **kw)


def rewrite_and_check(sim, path, base, image, opts, what):
    """Write the image again (upstream driver), verify it, read it back: it
    is all there, no ECC-bad word is left, the option bytes are unchanged."""
    dump = tmpfile('rewrite-%08x.bin' % base)
    out = upstream(sim, 'flash write_image erase %s 0x%08x' % (path, base),
                   'verify_image %s 0x%08x' % (path, base),
                   'dump_image %s 0x%08x 0x%x' % (dump, base, IMAGE_B), timeout=90)
    expect_in('verified %d bytes' % IMAGE_B, out)
    expect_same_data(read_file(dump), image, what, out)
    expect_eq(sim.stats()['flash']['ecc_bad_words'], 0, 'ECC-bad words: ' + what)
    expect_options_unchanged(sim, opts)


OPTION_REGS = (0x5200201C, 0x52002028, 0x52002030, 0x52002038, 0x52002040,
               0x52002128, 0x52002130, 0x52002138)     # the *_CUR option registers


def option_bytes(sim):
    """The option registers in force (FLASH_*_CUR, OPT_BUSY/OPTCHANGEERR
    masked), read through upstream's config."""
    out = upstream(sim, *['echo "@@opt%d=[read_memory 0x%08x 32 1]"' % (i, a)
                          for i, a in enumerate(OPTION_REGS)])
    regs = [out.int('opt%d' % i) for i in range(len(OPTION_REGS))]
    regs[0] &= ~0x40000001
    return regs


def expect_options_unchanged(sim, before):
    after = option_bytes(sim)
    expect_eq(' '.join('%08x' % r for r in after), ' '.join('%08x' % r for r in before),
              'option registers (FLASH_*_CUR) after the power cut')


# ---- (a) the host process killed mid-write ----------------------------------------

IMAGE_A = 256 * 1024


@timeout(300)
def test_sigkill_during_write_image():
    _, old = firmware_image('old.bin', IMAGE_A, 10)
    new_path, new = firmware_image('new.bin', IMAGE_A, 11)
    state = board_state(old)
    sim = Sim(state=state)
    with sim:
        expect_state_loaded(sim)
        opts = option_bytes(sim)
        ocd = sim.openocd_background('init', 'reset halt',
                                     'flash write_image erase %s 0x%08x' % (new_path, BANK_BASE[0]),
                                     config='upstream')
        # Let it get well into programming (a quarter of the image), then
        # pull the plug on the host process.
        deadline = time.monotonic() + 90
        programmed = 0
        while programmed < IMAGE_A // WORD // 4:
            check(ocd.running(), 'the write ended before the simulator was killed', ocd.log())
            check(time.monotonic() < deadline, 'programming did not get under way '
                  '(%d words after 90 s)' % programmed, ocd.log())
            time.sleep(0.2)
            programmed = sim.stats()['flash']['banks'][0]['words_programmed']
        log('killing h743sim after %d programmed flash words' % programmed)
        sim.kill()
        out = ocd.wait(timeout=60, check=False)
        expect_not_in('wrote %d bytes' % IMAGE_A, out, 'openocd output (adapter gone)')

        # The state file is a consistent snapshot: no flash word torn.
        snapshot = export_bank(state, 1)
        counts = {'new': 0, 'old': 0, 'erased': 0}
        for i, (got, was, want) in enumerate(zip(words(snapshot), words(old), words(new))):
            if got == want:
                counts['new'] += 1
            elif got == was:
                counts['old'] += 1
            elif got == ERASED_WORD:
                counts['erased'] += 1
            else:
                fail('bank 1 word at %#x in the state file after SIGKILL is neither old, new '
                     'nor erased' % (i * WORD))
        expect_same_data(snapshot[IMAGE_A:], b'\xff' * (BANK_SIZE - IMAGE_A),
                         'bank 1 beyond the image in the state file')
        expect_same_data(export_bank(state, 2), b'\xff' * BANK_SIZE,
                         'bank 2 in the state file after SIGKILL')
        log('state file after SIGKILL: %(new)d new, %(old)d old, %(erased)d erased flash words'
            % counts)

        # Power up again on the same state file and write the image again.
        sim.start()
        expect_state_loaded(sim)
        before = tmpfile('before.bin')
        after = tmpfile('after.bin')
        out = upstream(sim, 'dump_image %s 0x%08x 0x%x' % (before, BANK_BASE[0], IMAGE_A),
                       'flash write_image erase %s 0x%08x' % (new_path, BANK_BASE[0]),
                       'verify_image %s 0x%08x' % (new_path, BANK_BASE[0]),
                       'dump_image %s 0x%08x 0x%x' % (after, BANK_BASE[0], IMAGE_A),
                       timeout=120)
        expect_same_data(read_file(before), snapshot[:IMAGE_A],
                         'flash after the restart vs the state file', out)
        expect_in('wrote %d bytes' % IMAGE_A, out)
        expect_in('verified %d bytes' % IMAGE_A, out)
        expect_same_data(read_file(after), new, 'bank 1 after the second write', out)
        expect_eq(sim.stats()['flash']['banks'][0]['words_programmed'], IMAGE_A // WORD,
                  'words programmed by the second write')
        expect_options_unchanged(sim, opts)
    expect_state_loaded(sim)
    final = export_bank(state, 1)
    expect_same_data(final[:IMAGE_A], new, 'bank 1 in the state file at the end')
    expect_same_data(export_bank(state, 2), b'\xff' * BANK_SIZE, 'bank 2 at the end')


# ---- (b) injected power loss --------------------------------------------------------

IMAGE_B = 64 * 1024
POWER_LOSS_OPS = 1000


@timeout(240)
def test_power_loss_during_program():
    """write_image erase into bank 2: operation 1 erases sector 0, operation
    k + 2 programs flash word k, so the power fails half way through
    programming word POWER_LOSS_OPS - 1."""
    path, image = firmware_image('image.bin', IMAGE_B, 20)
    state = board_state(idle_firmware())
    bad = POWER_LOSS_OPS - 1
    bad_addr = BANK_BASE[1] + bad * WORD
    bank1 = export_bank(state, 1)
    with Sim(state=state) as sim:
        opts = option_bytes(sim)
    with Sim('--fault', 'power-loss-after-ops=%d' % POWER_LOSS_OPS, state=state) as sim:
        expect_state_loaded(sim)
        out = upstream(sim, 'flash write_image erase %s 0x%08x' % (path, BANK_BASE[1]),
                       check=False, timeout=90)
        wait_restarted(sim, 2)
        expect_not_in('wrote %d bytes' % IMAGE_B, out, 'openocd output (power lost)')
        expect_in('power lost', sim.log())
        expect_state_loaded(sim)

        # In the state file: the words before are programmed, the words
        # after untouched (erased), the interrupted word is neither.
        phys = export_bank(state, 2)
        expect_same_data(phys[:bad * WORD], image[:bad * WORD],
                         'bank 2 words programmed before the power loss')
        expect_same_data(phys[(bad + 1) * WORD:], b'\xff' * (BANK_SIZE - (bad + 1) * WORD),
                         'bank 2 after the interrupted word')
        got = phys[bad * WORD:(bad + 1) * WORD]
        check(got not in (image[bad * WORD:(bad + 1) * WORD], ERASED_WORD),
              'the interrupted word at %#x is fully programmed or erased' % bad_addr)
        expect_gt(sim.stats()['flash']['ecc_bad_words'], 0, 'ECC-bad words after the restart')

        # A new session: the interrupted word cannot be read.
        out = upstream(sim, capture('before', 'read_memory 0x%08x 32 8' % (bad_addr - WORD)),
                       capture('bad', 'catch {read_memory 0x%08x 32 8}' % bad_addr),
                       capture('after', 'read_memory 0x%08x 32 8' % (bad_addr + WORD)),
                       allow=READ_FAILED)
        before = b''.join(struct.pack('<I', int(v, 0)) for v in out.value('before').split())
        expect_eq(before, image[(bad - 1) * WORD:bad * WORD], 'word before the interrupted one',
                  out)
        check(out.value('bad') != '0', 'the interrupted word at %#x reads without error'
              % bad_addr, out)
        expect_in('Failed to read memory at 0x%08x' % bad_addr, out)
        expect_eq([int(v, 0) for v in out.value('after').split()], [0xFFFFFFFF] * 8,
                  'word after the interrupted one', out)

        # Erase, write and verify repair it.
        rewrite_and_check(sim, path, BANK_BASE[1], image, opts, 'bank 2 after the repair')
    expect_state_loaded(sim)
    expect_same_data(export_bank(state, 2)[:IMAGE_B], image, 'bank 2 in the state file')
    expect_same_data(export_bank(state, 1), bank1, 'bank 1 (not written) at the end')


@timeout(240)
def test_power_loss_during_erase():
    """`flash erase_sector 1 0 1`: operation 1 erases bank 2 sector 0 and
    completes; the power fails half way through erasing sector 1."""
    data = random.Random(30).randbytes(2 * SECTOR)
    board = idle_firmware() + b'\xff' * (BANK_SIZE - WORD) + data
    state = board_state(board)
    sector1 = BANK_BASE[1] + SECTOR
    bank1 = export_bank(state, 1)
    with Sim(state=state) as sim:
        opts = option_bytes(sim)
    with Sim('--fault', 'power-loss-after-ops=1', state=state) as sim:
        expect_state_loaded(sim)
        out = upstream(sim, 'flash erase_sector 1 0 1', check=False, timeout=90)
        wait_restarted(sim, 2)
        expect_not_in('erased sectors 0 through 1 on flash bank 1', out,
                      'openocd output (power lost)')
        expect_state_loaded(sim)

        s0, s1 = tmpfile('s0.bin'), tmpfile('s1.bin')
        out = upstream(sim, 'dump_image %s 0x%08x 0x%x' % (s0, BANK_BASE[1], SECTOR),
                       capture('s1', 'catch {dump_image %s 0x%08x 0x%x}' % (s1, sector1, SECTOR)),
                       allow=READ_FAILED + [r'^Error: dump_image'])
        expect_same_data(read_file(s0), b'\xff' * SECTOR, 'bank 2 sector 0 (erase completed)',
                         out)
        if out.value('s1') != '0':
            expect_in('Failed to read memory at 0x', out)
        else:
            got = read_file(s1)
            check(got not in (b'\xff' * SECTOR, data[SECTOR:]),
                  'bank 2 sector 1 reads as cleanly erased or untouched after an interrupted '
                  'erase', out)
        phys = export_bank(state, 2)[SECTOR:2 * SECTOR]
        check(phys not in (b'\xff' * SECTOR, data[SECTOR:]),
              'bank 2 sector 1 in the state file is cleanly erased or untouched')

        # Erasing again repairs it: the sectors erase, blank-check and
        # program like new.
        image_path, image = firmware_image('image.bin', IMAGE_B, 31)
        dump = tmpfile('dump.bin')
        out = upstream(sim, 'flash erase_sector 1 0 1',
                       *section('check', 'flash erase_check 1'),
                       'flash write_image %s 0x%08x' % (image_path, sector1),
                       'verify_image %s 0x%08x' % (image_path, sector1),
                       'dump_image %s 0x%08x 0x%x' % (dump, sector1, IMAGE_B),
                       timeout=180)
        expect_in('erased sectors 0 through 1 on flash bank 1', out)
        check('Bank is erased' in between(out, 'check'), 'bank 2 not blank after the erase',
              out)
        expect_in('verified %d bytes' % IMAGE_B, out)
        expect_same_data(read_file(dump), image, 'bank 2 sector 1 after the repair', out)
        expect_eq(sim.stats()['flash']['ecc_bad_words'], 0, 'ECC-bad words after the repair')
        expect_options_unchanged(sim, opts)
    expect_state_loaded(sim)
    expect_same_data(export_bank(state, 1), bank1, 'bank 1 (not erased) at the end')


@timeout(240)
def test_power_loss_on_board_with_firmware():
    """The board came with firmware (--flash-image) and new firmware is
    being written over it when the power fails: what was programmed before
    the loss stays programmed (a power cycle does not put the old firmware
    back)."""
    path, image = firmware_image('new.bin', IMAGE_B, 40, msp=0x2001FF00)
    ops = 100                           # operation 1 erases sector 0
    bad = ops - 1
    bank2 = random.Random(41).randbytes(BANK_SIZE)      # the board's data in bank 2
    state = board_state(idle_firmware() + b'\xff' * (BANK_SIZE - WORD) + bank2)
    with Sim(state=state) as sim:
        opts = option_bytes(sim)
    with Sim('--fault', 'power-loss-after-ops=%d' % ops, state=state) as sim:
        out = upstream(sim, 'flash write_image erase %s 0x%08x' % (path, BANK_BASE[0]),
                       check=False, timeout=90)
        wait_restarted(sim, 2)
        expect_not_in('wrote %d bytes' % IMAGE_B, out, 'openocd output (power lost)')
        expect_state_loaded(sim)
        dump = tmpfile('programmed.bin')
        out = upstream(sim, 'dump_image %s 0x%08x 0x%x' % (dump, BANK_BASE[0], bad * WORD),
                       capture('bad', 'catch {read_memory 0x%08x 32 8}'
                               % (BANK_BASE[0] + bad * WORD)),
                       allow=READ_FAILED)
        expect_same_data(read_file(dump), image[:bad * WORD],
                         'bank 1 words programmed before the power loss', out)
        check(out.value('bad') != '0', 'the interrupted word reads without error', out)

        # The write again completes the new firmware.
        rewrite_and_check(sim, path, BANK_BASE[0], image, opts, 'bank 1 after the second write')
    expect_state_loaded(sim)
    expect_same_data(export_bank(state, 1)[:IMAGE_B], image, 'bank 1 in the state file')
    expect_same_data(export_bank(state, 2), bank2, 'bank 2 (not written) in the state file')


@timeout(240)
def test_power_loss_during_bank_erase_1mb_part():
    """H743xG (two banks of four sectors): erasing bank 1 sector 1 is
    operation 1, `stm32h7x mass_erase 1` (BER on bank 2) operation 2, and
    the power fails half way through it: bank 2 is not cleanly erased, and
    a new erase repairs it."""
    bank = 4 * SECTOR
    data = random.Random(50).randbytes(bank)
    state = board_state(idle_firmware() + b'\xff' * (BANK_SIZE - WORD) + data,
                        '--variant', 'H743xG')
    with Sim('--variant', 'H743xG', state=state) as sim:
        opts = option_bytes(sim)
    with Sim('--variant', 'H743xG', '--fault', 'power-loss-after-ops=1', state=state) as sim:
        out = upstream(sim, 'flash erase_sector 0 1 1', 'stm32h7x mass_erase 1', check=False,
                       timeout=90)
        wait_restarted(sim, 2)
        expect_not_in('stm32h7x mass erase complete', out, 'openocd output (power lost)')
        expect_state_loaded(sim)
        out = upstream(sim, *section('check', 'flash erase_check 1'), timeout=90)
        check('Bank is erased' not in between(out, 'check'),
              'bank 2 reads as cleanly erased after an interrupted bank erase', out)
        out = upstream(sim, 'stm32h7x mass_erase 1', *section('check', 'flash erase_check 1'),
                       timeout=90)
        check('Bank is erased' in between(out, 'check'), 'bank 2 not erased after the repair',
              out)
        expect_eq(sim.stats()['flash']['ecc_bad_words'], 0, 'ECC-bad words after the repair')
        expect_options_unchanged(sim, opts)
