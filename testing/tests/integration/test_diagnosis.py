# SPDX-License-Identifier: GPL-2.0-or-later
"""The diagnosis of a failed verify, program or erase (stm32h743_diag.c):
each test produces one cause on the simulator, runs the failing flow as a
user would, and asserts the verdict, its evidence and the dict that
`stm32h743 last_failure` / `stm32h743 diagnose` return. The seed report
("verify failed at 0x08000002: read 0x00, expected 0x08") has several
scenarios here that must get different, correct verdicts."""

import os
import random
import sys

from harness import check, expect_eq, expect_in, expect_not_in, expect_re

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_driver_images as di  # noqa: E402
from test_driver_images import Diagnosis, diag  # noqa: E402

# The diagnosis' own error line, and OpenOCD's lines around a failed read.
DIAG_ERRORS = [r'^Error: stm32h743: (verify|write|erase|read|diagnose) failed: ',
               r'^Error: verify failed at 0x', r'^Error: verify failed: reading 0x',
               r'^Error: Failed to read memory at 0x', r'^Error: JTAG-DP STICKY ERROR$',
               r'^Error: error writing to flash at address', r'^Error: failed erasing sectors',
               r'^Error: \[stm32h743\.cpu0\] clearing lockup after double fault$',
               r'^Error: error executing cortex_m crc algorithm$']

# MSP 0x24080000 first: 0x08 at offset 2, as in the report
SEED = bytes.fromhex('00000824') + bytes(28)


def image(size, seed, first=None):
    data = bytearray(random.Random(seed).randbytes(size))
    if first:
        data[:len(first)] = first
    return bytes(data)


def run(sim, *cmds, allow=()):
    return sim.openocd(*di.session(*cmds), allow=DIAG_ERRORS + list(allow))


def test_different_file_is_not_a_double_program():
    """Seed symptom, first scenario: image A programmed, then verify of a
    file B that differs in a few words. Verdict: flash holds different data
    than B, with the count, the first address and the proof (flash holds
    exactly what this session programmed); the Tcl error message is the
    verdict; no 'programmed twice' or 'VCAP' guess."""
    a = image(66560, 1, SEED)
    b = bytearray(a)
    b[2] = 0x00                               # the one the report shows, and a few more
    for i in range(0x4000, 0x4040):
        b[i] ^= 0xA5
    pa, pb = di.write_bin('diff-a.bin', a), di.write_bin('diff-b.bin', bytes(b))
    with di.board_sim() as sim:
        out = run(sim, 'flash write_image erase %s 0x08000000' % pa,
                  *di.attempt('verify', 'verify_image %s 0x08000000' % pb), *diag('d'))
    d = Diagnosis(out, 'd')
    d.expect('file-differs', r'^flash holds different data than \S*diff-b\.bin: 3 flash words '
             r'in 1 sector differ, the first at 0x08000002',
             r'exactly what this session programmed')
    expect_eq(d.address, '0x08000002', 'address of the first difference', out)
    check(di.failed(out, 'verify'), 'verify of a different file passed', out)
    text = di.between(out, 'verify')
    expect_in('verify failed: ' + d.verdict, text, 'Tcl error message', out)
    expect_in('verify failed at 0x08000002: read 0x08, expected 0x00', text)
    # without catch, as a user runs it: the verdict is the last line printed
    with di.board_sim() as sim:
        run(sim, 'flash write_image erase %s 0x08000000' % pa)
        plain = sim.openocd(*di.session('verify_image %s 0x08000000' % pb), check=False)
    check(plain.returncode != 0, 'openocd exited 0 after a failed verify', plain)
    last = [ln for ln in plain.splitlines() if ln.strip() and not ln.startswith('Info :')][-1]
    expect_re(r'^verify failed: flash holds different data than \S*diff-b\.bin', last,
              'last line printed', plain)
    for wrong in ('programmed twice', 'VCAP', 'did not take'):
        expect_not_in(wrong, text, 'misdiagnosis')


def test_swap_toggled_image_in_other_bank():
    """Seed symptom, second scenario: image programmed while SWAP_BANK=1,
    swap turned off and reset, verify at 0x08000000 fails. Verdict: the
    image is in the other bank (0x08100000), bank swap was turned off after
    programming; next step names 0x08100000 and swap_bank."""
    a = image(66560, 2, SEED)
    pa = di.write_bin('swap-a.bin', a)
    with di.board_sim() as sim:
        out = run(sim, 'stm32h743 swap_bank on reset', 'reset halt',
                  'flash write_image erase %s 0x08000000' % pa,
                  'stm32h743 swap_bank off reset', 'reset halt',
                  *di.attempt('verify', 'verify_image %s 0x08000000' % pa), *diag('d'),
                  *di.attempt('verify2', 'verify_image %s 0x08100000' % pa))
    d = Diagnosis(out, 'd')
    d.expect('other-bank', r'^the image is in the other bank, at 0x08100000: bank swap was '
             r'turned off after programming \(FLASH_OPTCR\.SWAP_BANK=0 now, 1 then\)')
    expect_in('0x08100000', d.next, 'next step')
    expect_in('swap_bank', d.next, 'next step')
    expect_not_in('programmed twice', di.between(out, 'verify'), 'misdiagnosis')
    check(not di.failed(out, 'verify2'), 'the image is not at 0x08100000 after all', out)


def test_one_byte_differs_in_large_image():
    """A 256 KiB image differing from flash in one byte (the earlier
    verdict blamed the core supply): file-differs, one flash word in one
    sector, located without reading the whole image back."""
    a = image(256 * 1024, 3)
    b = bytearray(a)
    b[0x31235] ^= 0x10
    pa, pb = di.write_bin('one-a.bin', a), di.write_bin('one-b.bin', bytes(b))
    with di.board_sim() as sim:
        out = run(sim, 'flash write_image erase %s 0x08000000' % pa,
                  *di.attempt('verify', 'verify_image %s 0x08000000' % pb), *diag('d'))
    d = Diagnosis(out, 'd')
    d.expect('file-differs', r': 1 flash word in 1 sector differ, the first at 0x08031235')
    expect_not_in('VCAP', di.between(out, 'verify'), 'misdiagnosis')


def test_image_at_wrong_offset():
    """The file was programmed 0x8000 higher than where it is verified (a
    .bin given a bootloader offset): file-differs, detail offset, the
    verdict says where flash holds it."""
    a = image(16384, 4)
    pa = di.write_bin('shift-a.bin', a)
    with di.board_sim() as sim:
        out = run(sim, 'flash write_image erase %s 0x08028000' % pa,
                  *di.attempt('verify', 'verify_image %s 0x08020000' % pa), *diag('d'))
    d = Diagnosis(out, 'd')
    d.expect('file-differs', r'shifted by \+0x8000 bytes: it was programmed at 0x08028000 '
             r'rather than 0x08020000')
    expect_eq(d.detail, 'offset', 'detail', out)


def test_programmed_over_data_not_erased():
    """Another tool (upstream stm32h7x, without erase) programmed a smaller
    image over sector 1 that still held data. Our verify then hits the
    double ECC errors of the words programmed twice. Verdict: not-erased,
    because the sector holds other data outside the image; the supply is
    named only as the lesser candidate."""
    old, new = image(8192, 5), image(4096, 6)
    po, pn = di.write_bin('ne-old.bin', old), di.write_bin('ne-new.bin', new)
    with di.board_sim() as sim:
        run(sim, 'flash write_image erase %s 0x08020000' % po)
        sim.openocd('init', 'reset halt', 'flash write_image %s 0x08020000' % pn,
                    config='upstream', allow=[r'.*'])
        out = run(sim, *di.attempt('verify', 'verify_image %s 0x08020000' % pn), *diag('d'))
    d = Diagnosis(out, 'd')
    d.expect('not-erased', r'not erased before the image was programmed over it')
    expect_in('0x08021000', d.verdict, 'the non-erased word outside the image')
    check('program-failed' not in d.causes[:1], 'program-failed ranked first', out)


def test_write_protected_sector_is_protection():
    """A write into a write-protected sector is refused before touching the
    chip; last_failure says protection, naming the sector and WPSN."""
    data = image(4096, 7)
    path = di.write_bin('wp.bin', data)
    with di.board_sim() as sim:
        out = run(sim, 'flash protect 0 2 2 on',
                  *di.attempt('write', 'flash write_image %s 0x08040000' % path), *diag('d'),
                  'flash protect 0 2 2 off',
                  allow=[r'^Error: write: bank 1 sector 2 is write protected'])
    d = Diagnosis(out, 'd')
    d.expect('protection', r'bank 1 sector 2 is write protected \(FLASH_WPSN_CUR1=0xfb\)')
    check(di.failed(out, 'write'), 'write into a protected sector passed', out)


def test_power_lost_mid_program_is_link_lost():
    """Power cut half way through programming 256 KiB: one verdict that says
    the target or probe went away (not a register-by-register flood from the
    driver), as the last diagnosis line."""
    path = di.write_bin('pl.bin', image(256 * 1024, 8))
    sim = di.board_sim('--fault', 'power-loss-at-ms=2500')
    sim.start()
    try:
        out = sim.openocd(*di.session('flash write_image erase %s 0x08000000' % path),
                          check=False)
    finally:
        sim.stop(check=False)   # the restarted simulator's exit is not under test here
    expect_re(r'^Error: stm32h743: write failed: the target or the debug probe went away: ',
              out, 'link-lost verdict')
    ours = [ln for ln in out.splitlines() if ln.startswith('Error: cannot ')]
    check(len(ours) <= 1, 'the driver repeated register failures %d times' % len(ours), out)


def test_diagnose_with_matching_file_says_none():
    """`stm32h743 diagnose 0 FILE ADDRESS` on flash that matches: cause none,
    and an empty last_failure after a verify that passed."""
    a = image(8192, 9)
    pa = di.write_bin('none.bin', a)
    with di.board_sim() as sim:
        out = run(sim, 'flash write_image erase %s 0x08020000' % pa,
                  *diag('d', 'stm32h743 diagnose 0 %s 0x08020000' % pa),
                  'verify_image %s 0x08020000' % pa, *diag('after'))
    d = Diagnosis(out, 'd')
    expect_eq(d.cause, 'none', 'cause', out)
    expect_re(r'^no difference: flash matches', d.verdict, 'verdict', out)
    check(Diagnosis(out, 'after').empty, 'last_failure not empty after a passing verify', out)


def test_diagnose_file_differs_without_verify():
    """`stm32h743 diagnose 0 FILE ADDRESS` compares by itself and returns the
    same kind of dict as a failed verify."""
    a = image(8192, 10)
    b = bytearray(a)
    b[100] ^= 1
    pa, pb = di.write_bin('dg-a.bin', a), di.write_bin('dg-b.bin', bytes(b))
    with di.board_sim() as sim:
        out = run(sim, 'flash write_image erase %s 0x08020000' % pa,
                  *diag('d', 'stm32h743 diagnose 0 %s 0x08020000' % pb))
    Diagnosis(out, 'd').expect('file-differs', r'the first at 0x08020064')
