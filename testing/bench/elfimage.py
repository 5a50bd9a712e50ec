# SPDX-License-Identifier: GPL-2.0-or-later
"""A minimal ARM ELF32 file holding data sections at given addresses, for
GDB's `load` (no code, no symbols): one PT_LOAD segment and one SHF_ALLOC
PROGBITS section per part, and the section name table."""

import struct

ELF_HEADER = '<16sHHIIIIIHHHHHH'
PROGRAM_HEADER = '<IIIIIIII'
SECTION_HEADER = '<IIIIIIIIII'
EM_ARM = 40
EF_ARM_EABI_VER5 = 0x05000000
PT_LOAD = 1
PF_R, PF_X = 4, 1
SHT_PROGBITS, SHT_STRTAB = 1, 3
SHF_ALLOC, SHF_EXECINSTR = 2, 4


def write_elf(path, parts, entry=None):
    """parts: [(name, address, data)], e.g. [('.bank1', 0x08000000, b'...')]."""
    names = b'\0' + b''.join(n.encode() + b'\0' for n, _, _ in parts) + b'.shstrtab\0'
    name_offsets, at = [], 1
    for n, _, _ in parts:
        name_offsets.append(at)
        at += len(n) + 1
    shstrtab_name = at

    ehsize = struct.calcsize(ELF_HEADER)
    phentsize = struct.calcsize(PROGRAM_HEADER)
    shentsize = struct.calcsize(SECTION_HEADER)
    offset = ehsize + phentsize * len(parts)
    data_offsets = []
    for _, _, data in parts:
        offset = (offset + 3) & ~3
        data_offsets.append(offset)
        offset += len(data)
    names_offset = offset
    shoff = (names_offset + len(names) + 3) & ~3

    ident = b'\x7fELF' + bytes([1, 1, 1]) + b'\0' * 9      # 32-bit, little endian
    header = struct.pack(ELF_HEADER, ident, 2, EM_ARM, 1,
                         parts[0][1] | 1 if entry is None else entry,
                         ehsize, shoff, EF_ARM_EABI_VER5, ehsize, phentsize, len(parts),
                         shentsize, len(parts) + 2, len(parts) + 1)
    out = bytearray(header)
    for (_, address, data), off in zip(parts, data_offsets):
        out += struct.pack(PROGRAM_HEADER, PT_LOAD, off, address, address, len(data),
                           len(data), PF_R | PF_X, 4)
    for (_, _, data), off in zip(parts, data_offsets):
        out += b'\0' * (off - len(out)) + data
    out += names
    out += b'\0' * (shoff - len(out))
    out += b'\0' * shentsize                                  # section 0
    for (_, address, data), off, name in zip(parts, data_offsets, name_offsets):
        out += struct.pack(SECTION_HEADER, name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
                           address, off, len(data), 0, 0, 4, 0)
    out += struct.pack(SECTION_HEADER, shstrtab_name, SHT_STRTAB, 0, 0, names_offset,
                       len(names), 0, 0, 1, 0)
    with open(path, 'wb') as f:
        f.write(out)
