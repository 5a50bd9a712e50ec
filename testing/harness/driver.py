# SPDX-License-Identifier: GPL-2.0-or-later
"""What the stm32h743 driver tests (test_driver_*.py and the files that
build on them) share: test firmware and image files written here in Python
(raw binary, ELF, Intel HEX, Motorola S-record), the flash picture they
should leave, the OpenOCD session they run in, parsers of OpenOCD's flash
output, and the diagnosis dict. The board helpers (harness.board) are here
too, so a test needs one import:

    from harness import driver as di
"""

import random
import re
import struct

from .board import (STACK_TOP, attempt, between, board_sim, expect_same_data,  # noqa: F401
                    export_bank, failed, idle_firmware, outcome, pad_to_word, read_file,
                    section, write_file)
from .checks import FIRMWARE_STARTED, check, expect_eq, expect_re
from .chip import BANK_BASE, BANK_SIZE, SECTOR, WORD  # noqa: F401
from .env import tmpfile  # noqa: F401

FLASH_REGS = 0x52002000

# Where counter_firmware() counts (DTCM, away from everything else).
COUNTER = 0x20000100

# `flash info` sector line: "\t#  3: 0x00060000 (0x20000 128kB) not protected"
SECTOR_LINE = re.compile(r'^\t#\s*(\d+): 0x([0-9a-f]+) \(0x([0-9a-f]+) (\d+)kB\) '
                         r'(not protected|protected|protection state unknown)$')


# ---- firmware ----------------------------------------------------------------

def counter_firmware(base=BANK_BASE[0], counter=COUNTER):
    """Vector table, then a loop that counts in RAM:

        base+8:  ldr  r0, [pc, #8]     ; r0 = counter address (literal at base+0x14)
        base+a:  movs r1, #0
        base+c:  adds r1, #1           ; loop:
        base+e:  str  r1, [r0]
        base+10: b    loop
        base+12: nop
        base+14: .word counter
    """
    code = struct.pack('<II', STACK_TOP, base + 9)
    code += struct.pack('<6H', 0x4802, 0x2100, 0x3101, 0x6001, 0xE7FC, 0xBF00)
    code += struct.pack('<I', counter)
    return pad_to_word(code)


COUNTER_LOOP = (0x0800000C, 0x08000012)     # pc range of the counting loop


def random_bytes(size, seed):
    return random.Random(seed).randbytes(size)


# ---- image files -----------------------------------------------------------------

def write_bin(name, data):
    return write_file(name, data)


def write_elf(name, segments, entry=None):
    """ELF32 little-endian ARM executable, one PT_LOAD program header per
    (address, data) segment (p_vaddr = p_paddr = address), no sections."""
    ehsize, phentsize = 52, 32
    offset = ehsize + phentsize * len(segments)
    headers, blobs = b'', b''
    for addr, data in segments:
        headers += struct.pack('<IIIIIIII', 1, offset + len(blobs), addr, addr, len(data),
                               len(data), 5, 4)          # PT_LOAD, R|X, align 4
        blobs += data + b'\0' * (-len(data) % 4)
    if entry is None:
        entry = segments[0][0] | 1
    ident = b'\x7fELF' + bytes([1, 1, 1, 0]) + b'\0' * 8   # ELFCLASS32, LSB, v1
    header = ident + struct.pack('<HHIIIIIHHHHHH', 2, 40, 1, entry, ehsize, 0,
                                 0x05000200, ehsize, phentsize, len(segments), 40, 0, 0)
    return write_file(name, header + headers + blobs)


def _ihex_record(rtype, addr, payload):
    body = bytes([len(payload), (addr >> 8) & 0xFF, addr & 0xFF, rtype]) + payload
    return ':%s%02X\n' % (body.hex().upper(), -sum(body) & 0xFF)


def write_ihex(name, segments, entry=None, per_line=16):
    """Intel HEX: extended linear address (04) records whenever the upper
    16 address bits change, data (00) records that never cross a 64 KiB
    boundary, start linear address (05), end of file (01)."""
    lines, upper = [], None
    for addr, data in segments:
        pos = 0
        while pos < len(data):
            a = addr + pos
            n = min(per_line, len(data) - pos, 0x10000 - (a & 0xFFFF))
            if a >> 16 != upper:
                upper = a >> 16
                lines.append(_ihex_record(4, 0, struct.pack('>H', upper)))
            lines.append(_ihex_record(0, a & 0xFFFF, data[pos:pos + n]))
            pos += n
    if entry is not None:
        lines.append(_ihex_record(5, 0, struct.pack('>I', entry)))
    lines.append(_ihex_record(1, 0, b''))
    return write_file(name, ''.join(lines).encode())


def _srec_record(rtype, addr_bytes, addr, payload):
    body = bytes([addr_bytes + len(payload) + 1]) + addr.to_bytes(addr_bytes, 'big') + payload
    return 'S%d%s%02X\n' % (rtype, body.hex().upper(), ~sum(body) & 0xFF)


def write_srec(name, segments, entry=None, per_line=16):
    """Motorola S-record: S0 header, S3 data records (32-bit addresses),
    S5 record count when it fits, S7 start address."""
    lines = [_srec_record(0, 2, 0, b'h743 driver test')]
    count = 0
    for addr, data in segments:
        for pos in range(0, len(data), per_line):
            lines.append(_srec_record(3, 4, addr + pos, data[pos:pos + per_line]))
            count += 1
    if count < 0x10000:
        lines.append(_srec_record(5, 2, count, b''))
    lines.append(_srec_record(7, 4, entry if entry is not None else segments[0][0] | 1, b''))
    return write_file(name, ''.join(lines).encode())


WRITERS = {'elf': write_elf, 'hex': write_ihex, 'srec': write_srec}


def write_image(fmt, stem, segments, entry=None):
    """Write segments in one of 'elf', 'hex', 'srec', or 'bin' (one segment,
    programmed with an explicit address). Returns (path, address argument)."""
    if fmt == 'bin':
        check(len(segments) == 1, 'a binary image holds one segment')
        return write_bin(stem + '.bin', segments[0][1]), '0x%08x' % segments[0][0]
    ext = {'elf': 'elf', 'hex': 'hex', 'srec': 's19'}[fmt]
    return WRITERS[fmt]('%s.%s' % (stem, ext), segments, entry), ''


# ---- flash contents --------------------------------------------------------------

def flash_picture(segments, size=2 * BANK_SIZE, base=BANK_BASE[0]):
    """What the flash from base should hold: erased, then the segments."""
    picture = bytearray(b'\xff' * size)
    for addr, data in segments:
        picture[addr - base:addr - base + len(data)] = data
    return bytes(picture)


def sectors_touched(segments, bank):
    """Sector numbers of bank (0/1) that the segments reach."""
    base = BANK_BASE[bank]
    found = set()
    for addr, data in segments:
        lo, hi = max(addr, base), min(addr + len(data), base + BANK_SIZE)
        for s in range((lo - base) // SECTOR, (hi - 1 - base) // SECTOR + 1 if hi > lo else 0):
            found.add(s)
    return found


def words_in(segments, bank):
    """Flash words the driver programs for segments in bank (0/1): each
    contiguous run is padded out to whole 32-byte words."""
    base = BANK_BASE[bank]
    words = set()
    for addr, data in segments:
        lo, hi = max(addr, base), min(addr + len(data), base + BANK_SIZE)
        if hi > lo:
            words.update(range(lo // WORD, (hi + WORD - 1) // WORD))
    return len(words)


# ---- the session -------------------------------------------------------------------

def bank_stats(sim):
    return sim.stats()['flash']['banks']


def session(*cmds):
    """init, mark the firmware as running (a lockup from here on is an
    error), reset halt, then cmds."""
    return ('init', 'echo "%s"' % FIRMWARE_STARTED, 'reset halt') + tuple(cmds)


# ---- OpenOCD output ----------------------------------------------------------------

def flash_info_sectors(text):
    """[(number, offset, size, state)] from one `flash info` output."""
    return [(int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16), m.group(5))
            for m in map(SECTOR_LINE.match, text.split('\n')) if m]


def not_erased(text):
    """Sector numbers `flash erase_check` lists as not erased."""
    check('successfully checked erase state' in text, 'flash erase_check did not finish', text)
    return sorted(int(m.group(1)) for m in
                  re.finditer(r'^\t#\s*(\d+): 0x[0-9a-f]+ \(.*\) not erased$', text, re.M))


def referenced_commands(text):
    """Commands a message tells the user to run: `stm32h743 NAME ...` and
    `flash NAME ...` inside backquotes."""
    found = set()
    for quoted in re.findall(r'`([^`]+)`', text):
        words = quoted.split()
        if len(words) >= 2 and words[0] in ('stm32h743', 'flash'):
            found.add(' '.join(words[:2]))
    return sorted(found)


def expect_commands_exist(sim, text, what):
    """Every command the messages in text refer to exists in OpenOCD (a
    message pointing at a command that is not there leaves the user
    stranded)."""
    names = referenced_commands(text)
    if not names:
        return
    cmds = ['echo "@@cmd-%d=[llength [info commands {%s}]]"' % (i, n)
            for i, n in enumerate(names)]
    out = sim.openocd('init', *cmds)
    missing = [n for i, n in enumerate(names) if out.value('cmd-%d' % i) == '0']
    check(not missing, '%s: the messages refer to commands that do not exist: %s'
          % (what, ', '.join(missing)), text)


# ---- the diagnosis dict -------------------------------------------------------------

# The diagnosis' verdict line (its evidence lines are not errors), and the
# lines of a verify or read that fails before it.
DIAG_LINES = [r'^Error: stm32h743: (verify|write|erase|read) failed: ',
              r'^Error: verify failed: reading 0x', r'^Error: cannot read the flash word at 0x',
              r'^Error: cannot verify 0x']

CAUSES = ('file-differs', 'other-bank', 'not-erased', 'program-failed', 'wait-states',
          'target-interfered', 'protection', 'link-lost', 'stale-cache', 'none', 'unknown')


def diag(key, cmd='stm32h743 last_failure'):
    """Tcl that captures the fields of a diagnosis dict: @@KEY-cause,
    -verdict, -detail, -address, -next, -causes (names, best first), -regs
    (register names), -scores."""
    return ['set ::d [%s]' % cmd,
            'if {[dict size $::d] == 0} { echo "@@%s-empty=1" } else { echo "@@%s-empty=0" }'
            % (key, key),
            'proc h743_field {k} { if {[dict exists $::d $k]} { return [dict get $::d $k] } }',
            'echo "@@%s-cause=[h743_field cause]"' % key,
            'echo "@@%s-verdict=[h743_field verdict]"' % key,
            'echo "@@%s-detail=[h743_field detail]"' % key,
            'echo "@@%s-address=[h743_field address]"' % key,
            'echo "@@%s-next=[h743_field next]"' % key,
            'echo "@@%s-facts=[h743_field facts]"' % key,
            'set ::names {}; set ::scores {}; '
            'foreach c [h743_field causes] { lappend ::names [dict get $c cause]; '
            'lappend ::scores [dict get $c score] }',
            'echo "@@%s-causes=$::names"' % key,
            'echo "@@%s-scores=$::scores"' % key,
            'echo "@@%s-regs=[h743_field registers]"' % key]


class Diagnosis:
    """The captured fields of diag(key)."""

    def __init__(self, out, key):
        self.out = out
        self.empty = out.value('%s-empty' % key) == '1'
        for f in ('cause', 'verdict', 'detail', 'address', 'next', 'facts'):
            setattr(self, f, out.value('%s-%s' % (key, f)))
        self.causes = out.value('%s-causes' % key).split()
        self.scores = [int(x) for x in out.value('%s-scores' % key).split()]
        words = out.value('%s-regs' % key).split()
        self.registers = {words[i]: int(words[i + 1], 16) for i in range(0, len(words) - 1, 2)}
        self.regs = list(self.registers)

    def expect(self, cause, *verdict_patterns,
               regs=('FLASH_SR1', 'FLASH_OPTCR', 'FLASH_ACR', 'RCC_RSR', 'PWR_CSR1')):
        check(self.cause in CAUSES, 'cause %r is not one of the documented identifiers'
              % self.cause, self.out)
        expect_eq(self.cause, cause, 'diagnosed cause (verdict: %s)' % self.verdict, self.out)
        check(self.causes and self.causes[0] == cause, 'ranked causes %r do not start with %s'
              % (self.causes, cause), self.out)
        for p in verdict_patterns:
            expect_re(p, self.verdict, 'verdict', self.out)
        for r in regs:
            check(r in self.regs, 'registers of the diagnosis lack %s: %r' % (r, self.regs),
                  self.out)
        check(self.next, 'no next step', self.out)
