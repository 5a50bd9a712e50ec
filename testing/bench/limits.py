# SPDX-License-Identifier: GPL-2.0-or-later
"""The physical limit of a flash case under h743sim's timing model.

The constants are read from the simulator's sources, so the limit follows
the model when it changes:

    testing/sim/flash_array.c   program time per 256-bit flash word, sector
                                erase time, bank erase factor, CRC unit time
                                per flash word (the x64 column: the fastest)
    testing/sim/stm32h743.c     length of the JTAG-DP scan chain (35 bits)

The wire cost of a 32-bit word is what OpenOCD's MEM-AP path spends on the
simulator's TAP chain, one APACC write of DRW per word:

    DR scan   35 bits (JTAG-DP) + 1 (BYPASS of the boundary-scan TAP)
              + 5 TAP state moves (Idle->Select->Capture->Shift, Exit1->Update->Idle)
    idle      8 Run-Test/Idle clocks after each APACC scan (OpenOCD's
              memaccess_tck for AP0, set in cortex_m_examine)
    TAR       one more such scan per 1 KiB (OpenOCD rewrites TAR where the
              address auto-increment may wrap)

= 49 + 49/256 = 49.19 TCK per 32 bits at --tck-hz. The simulator itself
would take a scan every 40 TCK (no idle clocks, Update->Select directly):
no OpenOCD driver can get there, so the limit uses OpenOCD's figure.

For one write of an image onto a chip of known content (per flash word: the
image's data, the erased value where the image has no data in a sector it
touches, as erase + program would leave it):

    check  = CRC time of the sectors the image touches (a driver must learn
             what the chip holds before it may skip or erase a sector)
    erase  = per bank, the sectors holding words that differ and are not
             erased: n x sector erase, or one bank erase when that is
             shorter and wipes nothing the image does not rewrite
    prog   = per bank, words to program (differing, not all-0xFF) x program
             time (all of the bank's image words after a bank erase)
    flash  = max over banks (erase + prog): both banks work at once
    wire   = bytes to program (differing words) / 4 x 49.19 TCK / tck_hz,
             overlapped with check, erase and programming (staged in RAM)
    verify = CRC time of the image's bytes in the sectors programmed

    limit  = max(check + flash, wire) + verify

The CRC unit reads one flash word per crc_per_word; the two banks' units
run one at a time (AN5507: one CRCDATAR for both). A verify alone is the
CRC time of the image; a GDB load has no verify.
"""

import os
import re

KIB = 1024
MIB = 1024 * KIB
FLASH_BASE = 0x08000000
BANK_BYTES = MIB
SECTOR_BYTES = 128 * KIB
SECTORS_PER_BANK = 8
WORD_BYTES = 32             # flash word (256 bits)
ERASED_WORD = b'\xff' * WORD_BYTES

# OpenOCD's side of the wire (not the simulator's): see the docstring.
OPENOCD_IDLE_TCK = 8
TAR_BLOCK_BYTES = 1024
TAP_STATE_TCK = 5
BYPASS_BITS = 1

PS = {'PS_PER_NS': 1e-9, 'PS_PER_US': 1e-6, 'PS_PER_MS': 1e-3, 'PS_PER_S': 1.0}


class Constants:
    """Timing constants of the model, in seconds (read from the sources)."""

    def __init__(self, sim_dir):
        self.source = os.path.join(sim_dir, 'flash_array.c')
        with open(self.source) as f:
            text = f.read()
        # the x64 entry (PSIZE 3) of each 4-element table
        self.program_word = _table(text, 'program_word')[3]
        self.erase_sector = _table(text, 'erase_sector')[3]
        self.erase_bank_factor = _integer(text, 'erase_bank_factor')
        self.erase_bank = self.erase_sector * self.erase_bank_factor
        self.crc_per_word = _duration(_field(text, 'crc_per_word'))
        with open(os.path.join(sim_dir, 'stm32h743.c')) as f:
            m = re.search(r'DP_IR_APACC\)\s*\?\s*(\d+)\s*:', f.read())
        if not m:
            raise ValueError('JTAG-DP scan length not found in testing/sim/stm32h743.c')
        self.dp_dr_bits = int(m.group(1))
        scan = self.dp_dr_bits + BYPASS_BITS + TAP_STATE_TCK + OPENOCD_IDLE_TCK
        self.tck_per_word32 = scan + scan * 4.0 / TAR_BLOCK_BYTES

    def wire_time(self, nbytes, tck_hz):
        return nbytes / 4.0 * self.tck_per_word32 / tck_hz

    def crc_time(self, nbytes):
        return nbytes // WORD_BYTES * self.crc_per_word

    def describe(self):
        return ('constants (testing/sim/flash_array.c, x64): program %.0f us per flash word, '
                'sector erase %.0f ms, bank erase %.0f ms, CRC %.0f ns per flash word; '
                'wire %.2f TCK per 32 bits (%d-bit JTAG-DP + %d bypass + %d state + '
                '%d idle TCK, TAR per %d B)'
                % (self.program_word * 1e6, self.erase_sector * 1e3, self.erase_bank * 1e3,
                   self.crc_per_word * 1e9, self.tck_per_word32, self.dp_dr_bits,
                   BYPASS_BITS, TAP_STATE_TCK, OPENOCD_IDLE_TCK, TAR_BLOCK_BYTES))


def _field(text, name):
    m = re.search(r'\.%s\s*=\s*([^,\n]+(?:,[^.}\n]+)*?)\s*,?\s*\n' % name, text)
    if not m:
        raise ValueError('timing field .%s not found in flash_array.c' % name)
    return m.group(1)


def _duration(expr):
    m = re.fullmatch(r'\s*(\d+)\s*\*\s*(PS_PER_[A-Z]+)\s*', expr)
    if not m or m.group(2) not in PS:
        raise ValueError('cannot read duration %r' % expr)
    return int(m.group(1)) * PS[m.group(2)]


def _integer(text, name):
    return int(_field(text, name).strip())


def _table(text, name):
    m = re.search(r'\.%s\s*=\s*\{([^}]*)\}' % name, text)
    if not m:
        raise ValueError('timing table .%s not found in flash_array.c' % name)
    values = [_duration(v) for v in m.group(1).split(',') if v.strip()]
    if len(values) != 4:
        raise ValueError('timing table .%s has %d entries, expected 4' % (name, len(values)))
    return values


# ---- what a case must do --------------------------------------------------------------

def target_content(chip, base, image):
    """What erase + program leave: every sector the image touches erased, then
    the image; other sectors as they were. chip: the 2 MiB logical array."""
    out = bytearray(chip)
    start, end = base - FLASH_BASE, base - FLASH_BASE + len(image)
    for s in touched_sectors(base, len(image)):
        out[s * SECTOR_BYTES:(s + 1) * SECTOR_BYTES] = b'\xff' * SECTOR_BYTES
    out[start:end] = image
    return bytes(out)


def touched_sectors(base, size):
    """Global sector numbers (bank 2's start at 8) the range touches."""
    first = (base - FLASH_BASE) // SECTOR_BYTES
    last = (base - FLASH_BASE + size - 1) // SECTOR_BYTES
    return list(range(first, last + 1))


class Limit:
    """Components of the limit (seconds) and the total."""

    def __init__(self, check=0.0, erase=(0.0, 0.0), prog=(0.0, 0.0), wire=0.0, verify=0.0,
                 erase_what=''):
        self.check, self.erase, self.prog = check, list(erase), list(prog)
        self.wire, self.verify, self.erase_what = wire, verify, erase_what
        self.flash = max(e + p for e, p in zip(self.erase, self.prog))
        self.total = max(self.check + self.flash, self.wire) + self.verify

    def formula(self):
        """The figures of this case, e.g. 'max(0.4 + 208.0, 204.7) + 0.2'."""
        ms = lambda s: '%.1f' % (s * 1e3)
        if not (self.check or self.flash or self.wire):
            return '%s verify (CRC of the image)' % ms(self.verify)
        flash = ', '.join('bank%d %s+%s' % (n + 1, ms(e), ms(p))
                          for n, (e, p) in enumerate(zip(self.erase, self.prog)) if e or p)
        return 'max(%s check + %s flash, %s wire) + %s verify' % (
            ms(self.check), 'max(%s)' % flash if flash else '0', ms(self.wire), ms(self.verify))


def write_limit(c, chip, base, image, tck_hz, verify=True):
    """The limit of writing image at base onto chip (2 MiB), with a verify."""
    target = target_content(chip, base, image)
    sectors = touched_sectors(base, len(image))
    erase, prog = [0.0, 0.0], [0.0, 0.0]
    wire_bytes = 0
    verify_bytes = 0
    what = []
    start, end = base - FLASH_BASE, base - FLASH_BASE + len(image)
    for bank in (0, 1):
        mine = [s for s in sectors if s // SECTORS_PER_BANK == bank]
        if not mine:
            continue
        need_erase, words_sector, bytes_sector, dirty = 0, 0, 0, 0
        for s in mine:
            lo = s * SECTOR_BYTES
            cur, tgt = chip[lo:lo + SECTOR_BYTES], target[lo:lo + SECTOR_BYTES]
            if cur == tgt:
                continue
            dirty += 1
            verify_bytes += min(end, lo + SECTOR_BYTES) - max(start, lo)
            erase_it = False
            for off in range(0, SECTOR_BYTES, WORD_BYTES):
                w_cur, w_tgt = cur[off:off + WORD_BYTES], tgt[off:off + WORD_BYTES]
                if w_cur != w_tgt and w_cur != ERASED_WORD:
                    erase_it = True
                    break
            need_erase += erase_it
            for off in range(0, SECTOR_BYTES, WORD_BYTES):
                w_cur, w_tgt = cur[off:off + WORD_BYTES], tgt[off:off + WORD_BYTES]
                if w_tgt == ERASED_WORD:
                    continue
                if erase_it or w_cur != w_tgt:
                    words_sector += 1
                    if w_cur != w_tgt:
                        bytes_sector += WORD_BYTES
        t_sector = need_erase * c.erase_sector + words_sector * c.program_word
        best, kind = t_sector, '%d sector%s' % (need_erase, '' if need_erase == 1 else 's')
        wire_bank = bytes_sector
        # one bank erase instead, when it wipes only what the image rewrites or blank sectors
        lo, hi = bank * BANK_BYTES, (bank + 1) * BANK_BYTES
        others_blank = all(chip[s * SECTOR_BYTES:(s + 1) * SECTOR_BYTES]
                           == b'\xff' * SECTOR_BYTES
                           for s in range(bank * SECTORS_PER_BANK, (bank + 1) * SECTORS_PER_BANK)
                           if s not in mine)
        if need_erase and others_blank:
            words_bank = sum(1 for off in range(lo, hi, WORD_BYTES)
                             if target[off:off + WORD_BYTES] != ERASED_WORD)
            t_bank = c.erase_bank + words_bank * c.program_word
            if t_bank < best:
                best, kind = t_bank, 'bank'
                wire_bank = sum(WORD_BYTES for off in range(lo, hi, WORD_BYTES)
                                if target[off:off + WORD_BYTES] != ERASED_WORD
                                and target[off:off + WORD_BYTES] != chip[off:off + WORD_BYTES])
                words_sector = words_bank
        erase[bank] = best - words_sector * c.program_word
        prog[bank] = words_sector * c.program_word
        wire_bytes += wire_bank
        if need_erase:
            what.append('bank %d: %s' % (bank + 1, kind))
    check = c.crc_time(len(sectors) * SECTOR_BYTES)
    verify_time = c.crc_time(verify_bytes + WORD_BYTES - 1) if verify else 0.0
    return Limit(check=check, erase=erase, prog=prog, wire=c.wire_time(wire_bytes, tck_hz),
                 verify=verify_time, erase_what=', '.join(what))


def verify_limit(c, size):
    """A verify alone: the CRC unit over the image."""
    return Limit(verify=c.crc_time(size + WORD_BYTES - 1))
