# SPDX-License-Identifier: GPL-2.0-or-later
"""Whole-image writes (patches/0004, src/flash/nor/stm32h743_image.c): the
driver gets the whole image, asks the chip's CRC unit what each sector the
image covers holds, skips sectors that already hold their part, programs
blank ones without erasing them, erases the others (both banks at the same
time), and programs both banks through one loader run, interleaved. Verify
uses the CRC unit too. The simulator's counters (words programmed, sectors
erased, bank erases, CRC runs, busy time per bank, virtual time) show what
happened on the chip; the physical flash is compared at the end."""

import re

from harness import Sim, check, expect_eq, expect_in, note, timeout

from harness import driver as di

BANK = di.BANK_SIZE
SECTOR = di.SECTOR
WORDS_PER_BANK = BANK // di.WORD
SUMMARY = re.compile(r'^Info : write_image: (\d+) bytes in [\d.]+ s: (\d+) sectors? skipped, '
                     r'(\d+) erased, (\d+) programmed$', re.M)


def summary(out, nth=-1):
    """(bytes, skipped, erased, programmed) of a write_image summary line."""
    found = SUMMARY.findall(out)
    check(found, 'no write_image summary line', out)
    return tuple(int(x) for x in found[nth])


def counters(sim):
    banks = di.bank_stats(sim)
    return [{k: b[k] for k in ('words_programmed', 'sectors_erased', 'bank_erases', 'crc_runs',
                               'busy_ns')} for b in banks]


def delta(after, before):
    return [{k: a[k] - b[k] for k in a} for a, b in zip(after, before)]


def write_and_verify(sim, path, *extra):
    return sim.openocd(*di.session(*extra, 'flash write_image erase %s 0x08000000' % path,
                                   'verify_image %s 0x08000000' % path), timeout=240)


@timeout(600)
def test_blank_chip_both_banks_programmed_together_without_erase():
    """2 MiB onto a blank chip: no sector is erased (the CRC unit says they
    are blank), every word of both banks is programmed once, and the banks
    program at the same time. At a 24 MHz wire the flash, not the wire, is
    the limit: the write then takes about one bank's busy time, not the sum
    of both."""
    image = di.random_bytes(2 * BANK, 900)
    path = di.write_bin('blank2m.bin', image)
    with Sim('--tck-hz', '24000000') as sim:
        sim.openocd(*di.session())
        before = sim.stats()
        out = sim.openocd(*di.session('flash write_image erase %s 0x08000000' % path),
                          timeout=240)
        after = sim.stats()
        out += sim.openocd(*di.session('verify_image %s 0x08000000' % path), timeout=120)
        d = delta(counters(sim), [{k: 0 for k in c} for c in counters(sim)])
    expect_eq(summary(out), (2 * BANK, 0, 0, 16), 'summary (bytes, skipped, erased, programmed)',
              out)
    for b in range(2):
        expect_eq(d[b]['sectors_erased'] + d[b]['bank_erases'], 0, 'bank %d erases' % (b + 1))
        expect_eq(d[b]['words_programmed'], WORDS_PER_BANK, 'bank %d words' % (b + 1))
    busy = [after['flash']['banks'][b]['busy_ns'] for b in range(2)]
    elapsed = after['virtual_ns'] - before['virtual_ns']
    note('2 MiB on a blank chip at 24 MHz: %.0f ms virtual, banks busy %.0f + %.0f ms' % (
        elapsed / 1e6, busy[0] / 1e6, busy[1] / 1e6))
    check(elapsed < 0.75 * sum(busy),
          'banks not programmed together: %.0f ms for %.0f + %.0f ms of busy time'
          % (elapsed / 1e6, busy[0] / 1e6, busy[1] / 1e6), out)
    expect_in('verified %d bytes' % (2 * BANK), out)


@timeout(600)
def test_reflash_identical_and_one_sector_changed():
    """The same 2 MiB again: every sector skipped, nothing erased or
    programmed. Then one 128 KiB sector changed: only that sector is erased
    and programmed. The physical flash is the new image."""
    image = bytearray(di.random_bytes(2 * BANK, 901))
    path = di.write_bin('same.bin', bytes(image))
    changed = bytearray(image)
    changed[BANK + 3 * SECTOR:BANK + 4 * SECTOR] = di.random_bytes(SECTOR, 902)
    path2 = di.write_bin('changed.bin', bytes(changed))
    with Sim() as sim:
        write_and_verify(sim, path)
        c0 = counters(sim)
        out1 = write_and_verify(sim, path)
        c1 = counters(sim)
        out2 = write_and_verify(sim, path2)
        c2 = counters(sim)
        sim.stop()
        flash = di.export_bank(sim, 1) + di.export_bank(sim, 2)
    expect_eq(summary(out1), (2 * BANK, 16, 0, 0), 'identical re-flash summary', out1)
    for b, d in enumerate(delta(c1, c0)):
        expect_eq((d['words_programmed'], d['sectors_erased'], d['bank_erases']), (0, 0, 0),
                  'identical re-flash: bank %d words, sector and bank erases' % (b + 1))
    expect_eq(summary(out2), (2 * BANK, 15, 1, 1), 'one sector changed summary', out2)
    d = delta(c2, c1)
    expect_eq((d[0]['words_programmed'], d[0]['sectors_erased']), (0, 0), 'bank 1 untouched')
    expect_eq((d[1]['words_programmed'], d[1]['sectors_erased'], d[1]['bank_erases']),
              (SECTOR // di.WORD, 1, 0), 'bank 2: one sector erased and programmed')
    check(flash == bytes(changed), 'physical flash is not the changed image')


@timeout(600)
def test_other_data_erased_by_bank_and_incremental_off():
    """A chip holding other data everywhere: both banks are erased with one
    bank erase each (started together) and programmed. With `stm32h743
    incremental off` a re-flash of the same image erases and programs every
    sector again."""
    other = di.random_bytes(2 * BANK, 903)
    image = di.random_bytes(2 * BANK, 904)
    other_path = di.write_bin('other.bin', other)
    path = di.write_bin('new.bin', image)
    with Sim('--flash-image', other_path) as sim:
        c0 = counters(sim)
        out1 = write_and_verify(sim, path)
        c1 = counters(sim)
        out2 = write_and_verify(sim, path, 'stm32h743 incremental off')
        c2 = counters(sim)
        sim.stop()
        flash = di.export_bank(sim, 1) + di.export_bank(sim, 2)
    expect_eq(summary(out1), (2 * BANK, 0, 16, 16), 'over other data summary', out1)
    for b, d in enumerate(delta(c1, c0)):
        expect_eq((d['bank_erases'], d['words_programmed']), (1, WORDS_PER_BANK),
                  'bank %d: one bank erase, every word programmed' % (b + 1))
    expect_eq(summary(out2), (2 * BANK, 0, 16, 16), 'incremental off summary', out2)
    for b, d in enumerate(delta(c2, c1)):
        expect_eq((d['bank_erases'], d['words_programmed']), (1, WORDS_PER_BANK),
                  'incremental off: bank %d erased and programmed again' % (b + 1))
    check(flash == image, 'physical flash is not the image')


@timeout(300)
def test_verify_uses_the_crc_unit_and_finds_a_difference():
    """verify_image of 2 MiB runs the CRC unit (no core CRC algorithm, no
    read-back) and passes; after one byte of the file changes it fails and
    names the address."""
    image = bytearray(di.random_bytes(2 * BANK, 905))
    path = di.write_bin('v.bin', bytes(image))
    image[BANK + 0x12345] ^= 0x40
    bad = di.write_bin('v-bad.bin', bytes(image))
    with Sim() as sim:
        sim.openocd(*di.session('flash write_image erase %s 0x08000000' % path), timeout=240)
        s0 = sim.stats()
        out = sim.openocd(*di.session('verify_image %s 0x08000000' % path,
                                      *di.attempt('bad', 'verify_image %s 0x08000000' % bad)),
                          timeout=120, allow=di.DIAG_LINES + [r'^Error: verify failed at'])
        s1 = sim.stats()
    expect_in('verified %d bytes' % (2 * BANK), out)
    runs = sum(b['crc_runs'] for b in s1['flash']['banks']) - \
        sum(b['crc_runs'] for b in s0['flash']['banks'])
    check(runs >= 2, 'the CRC unit ran %d times for two verifies' % runs, out)
    check(di.failed(out, 'bad'), 'verify of a different file passed', out)
    expect_in('0x%08x' % (0x08000000 + BANK + 0x12345), di.between(out, 'bad'), 'bad verify')


@timeout(300)
def test_gdb_load_then_compare_sections_without_the_core():
    """GDB's load goes through the whole-image write (its vFlashErase is left
    to it: the blank sectors are not erased); a later compare-sections
    (qCRC) is answered from the written image once the CRC unit confirms
    the flash holds it: no CRC algorithm runs on the core."""
    import test_driver_gdb as dg
    from harness import OpenOCDServer
    elf, _, _ = dg.build_firmware()
    with di.board_sim() as sim:
        with OpenOCDServer(sim, 'echo "%s"' % dg.FIRMWARE_STARTED, allow=dg.UNWIND_READS) as ocd:
            out = ocd.gdb(elf, 'monitor reset halt', 'load', 'detach', timeout=120)
            s0 = sim.stats()
            out2 = ocd.gdb(elf, 'compare-sections', 'detach', timeout=60)
            s1 = sim.stats()
    check('Loading section .text' in out, 'load', out)
    check(re.search(r'^Section \.text, range 0x8000000 -- 0x[0-9a-f]+: matched\.$', out2, re.M),
          'compare-sections .text', out2)
    check('MIS-MATCHED' not in out2, 'compare-sections mismatched', out2)
    cpu = s1['cpu_instructions'] - s0['cpu_instructions']
    runs = sum(b['crc_runs'] for b in s1['flash']['banks']) - \
        sum(b['crc_runs'] for b in s0['flash']['banks'])
    note('compare-sections: %d core instructions, %d CRC unit runs' % (cpu, runs))
    check(runs >= 2 and cpu < 1000, 'compare-sections ran %d core instructions and %d CRC '
          'unit runs: the driver did not answer it' % (cpu, runs), out2)
    erases = sum(b['sectors_erased'] + b['bank_erases'] for b in s0['flash']['banks'])
    expect_eq(erases, 1, 'sectors erased by load (only bank 1 sector 0 held firmware)')
