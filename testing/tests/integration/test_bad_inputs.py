# SPDX-License-Identifier: GPL-2.0-or-later
"""The bad-input matrix (issue 9): every command the stm32h743 driver adds
or routes, fed inputs that must be refused.

BAD below is the whole matrix, one row per input: the session it runs in,
the command, and a regex the refusal must match (the command's message and
the log lines it caused, between markers). The rows of a session run in one
OpenOCD batch run, each under `catch` (di.attempt). For every row:

  - the command failed (Tcl result code not 0);
  - what it printed names the reason (the row's regex);
  - the option registers (FLASH_OPTCR..BOOT_PRG, PRAR/SCAR/WPSN of bank 2,
    *_PRG included) read the same as before the session.

For every session: OpenOCD ran to its last command and exited 0 (no crash,
no hang: the batch has a time limit), the simulator is still running and
exits 0 on SIGTERM, its counters show no erase, no flash word programmed
and no option-byte change, and both physical flash banks, exported from
the state file after stopping it, are byte for byte what they were before.

Sessions:
  xi        STM32H743xI, with firmware and data in both banks, bank 2
            sector 7 write protected and a PCROP area in bank 2 sector 4;
            rows marked `config` run before `init`, `running` after
            `reset run` (the firmware's idle loop)
  nrst      STM32H743xI connected under reset (connect_assert_srst): NRST
            stays held, so nothing reaches the flash
  xg        STM32H743xG: four sectors per bank, a hole after each bank
  xg-big    STM32H743xG with a bank declared bigger than the part's
  h750      STM32H750xB: one sector, no bank 2
  h750-big  STM32H750xB with banks declared where it has no flash

Image files are written by the test (make_files): <name> in a command is
the path of that file (the missing ones are never written).

Not here, because OpenOCD itself accepts them: `flash write_image` of data
outside every flash bank (it warns and skips the section), `flash
write_bank` past the end of a bank (it writes what fits), and a few core
commands before `init` or with a wrong on/off word (they print their usage
without a reason).
"""

import collections
import re

from harness import Sim, check, expect_eq, fail, note, timeout, tmpfile
from harness.board import between, idle_firmware, write_file

from harness import driver as di

Bad = collections.namedtuple('Bad', 'session cmd reason')

OPTIONS_SET = 'stm32h743 option_set'
NOT_HALTED = r'target must be halted'
AFTER_INIT = r"must be used after 'init'"
NRST = r'NRST is held low by this debugger.*run `reset halt`'
PROTECTED_B2S7 = r'bank 2 sector 7 is write protected \(FLASH_WPSN_CUR2=0x7f\)'
PCROP_B2 = r'PCROP \(execute-only\) area 0x08180000-0x081801ff of bank 2'
NOT_ERASED = r'not erased .*programming it again would corrupt its ECC'
NO_FLASH = r'No flash at address %s'
CANNOT_OPEN = r"couldn't open .*"
USAGE = r'\(usage: stm32h743 %s'
LONG = 'x' * 5000


def opt(args, reason, session='xi'):
    return Bad(session, '%s %s' % (OPTIONS_SET, args), reason)


def image_rows(session='xi'):
    """Every broken image file through every command that reads one."""
    rows = []
    broken = [
        # file, type, reason
        ('missing.hex', 'ihex', CANNOT_OPEN),
        ('empty.hex', 'ihex', r'premature end of IHEX file, no matching end-of-file record'),
        ('cut-mid.hex', 'ihex', r'(incorrect record checksum|failed buffering) .*IHEX'),
        ('cut-eol.hex', 'ihex', r'premature end of IHEX file, no matching end-of-file record'),
        ('garbage.hex', 'ihex', r'failed buffering IHEX image'),
        ('badsum.hex', 'ihex', r'incorrect record checksum found in IHEX file'),
        ('missing.s19', 's19', CANNOT_OPEN),
        ('empty.s19', 's19', r'premature end of S19 file, no matching end-of-file record'),
        ('cut-mid.s19', 's19', r'(incorrect record checksum|failed buffering) .*S19'),
        ('cut-eol.s19', 's19', r'premature end of S19 file, no matching end-of-file record'),
        ('garbage.s19', 's19', r'failed buffering S19 image'),
        ('badsum.s19', 's19', r'incorrect record checksum found in S19 file'),
        ('missing.elf', 'elf', CANNOT_OPEN),
        ('empty.elf', 'elf', r'cannot read ELF file header, only partially read'),
        ('cut-header.elf', 'elf', r'cannot read ELF segment headers, only partially read'),
        ('cut-data.elf', 'elf', r'cannot read ELF segment 0 content: the file ends \d+ bytes '
                                r'early \(truncated file\?\)'),
        ('garbage.elf', 'elf', r'invalid ELF file, bad magic number'),
        ('badclass.elf', 'elf', r'invalid ELF file'),
    ]
    for name, kind, reason in broken:
        rows.append(Bad(session, 'flash write_image erase <%s> 0 %s' % (name, kind), reason))
        rows.append(Bad(session, 'verify_image <%s> 0 %s' % (name, kind), reason))
    for name in ('missing.hex', 'cut-mid.s19', 'cut-data.elf', 'badclass.elf'):
        rows.append(Bad(session, 'stm32h743 diagnose 0 <%s>' % name,
                        dict((n, r) for n, _, r in broken)[name]))
    # without a type, a file that is not ELF, IHEX or S19 is a binary at 0
    rows.append(Bad(session, 'stm32h743 diagnose 0 <garbage.elf>', r'garbage.elf has no data '
                    r'inside bank 1 \(0x08000000-0x080fffff\)'))
    rows += [
        Bad(session, 'flash write_image erase <missing.bin> 0x08040000', CANNOT_OPEN),
        Bad(session, 'flash write_bank 0 <missing.bin> 0x40000', CANNOT_OPEN),
        Bad(session, 'verify_image <missing.bin> 0x08040000', CANNOT_OPEN),
        # plain verify_image (OpenOCD's, patches/0006): nothing compared is a failure
        Bad(session, 'verify_image <empty.bin> 0x08040000 bin', r'empty.bin holds no data to '
            r'compare'),
        Bad(session, 'stm32h743 verify_image <empty.bin> 0x08040000 bin', r'verify_image: .*empty.bin holds '
            r'no data to compare \(empty file\?\)'),
        Bad(session, 'stm32h743 verify_image <empty.bin> 0x08040000', r'cannot open .*empty.bin as an '
            r'image: the file is empty'),
        Bad(session, 'stm32h743 diagnose 0 <empty.bin>', r'cannot open .*empty.bin as an image: '
            r'the file is empty'),
        Bad(session, 'flash write_image erase <fw.bin> 0x0800zz00',
            r"option value \('0x0800zz00'\) is not valid"),
        Bad(session, 'flash write_image erase <f\u00efl\u00e9-\u00fc.bin> 0x08040000',
            CANNOT_OPEN),
    ]
    return rows


BAD = [
    # ---- the flash bank line, and exec commands before init --------------------------
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0x12345 0 0 stm32h743.cpu0',
        r'size 0x12345 is less than one 128 KiB sector; give 0 to take the size from the chip'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0x10000 0 0 stm32h743.cpu0',
        r'size 0x10000 is less than one 128 KiB sector'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0x30000 0 0 stm32h743.cpu0',
        r'size 0x30000 is not a whole number of 128 KiB sectors'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0x200000 0 0 stm32h743.cpu0',
        r'size 0x200000 is larger than a bank \(1 MiB, 8 sectors'),
    Bad('config', 'flash bank b1 stm32h743 0x08100000 0xffffffff 0 0 stm32h743.cpu0',
        r'size 0xffffffff is larger than a bank'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0x100001 0 0 stm32h743.cpu0',
        r'size 0x100001 is larger than a bank'),
    Bad('config', 'flash bank b1 stm32h743 0x08080000 0 0 0 stm32h743.cpu0',
        r'the STM32H743 flash banks are at 0x08000000 and 0x08100000'),
    Bad('config', 'flash bank b1 stm32h743 0 0 0 0 stm32h743.cpu0',
        r'the STM32H743 flash banks are at 0x08000000 and 0x08100000'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0 0 0 stm32h743.cpu0 extra',
        r"takes nothing after the target name, but got 'extra'"),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0 0 0', r'usage: flash bank'),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 0 0 0 nosuchcpu',
        r"target 'nosuchcpu' not defined"),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 big 0 0 stm32h743.cpu0',
        r"\('big'\) is not valid"),
    Bad('config', 'flash bank b1 stm32h743 0x08000000 -0x20000 0 0 stm32h743.cpu0',
        r"\('-0x20000'\) is not valid|is larger than a bank"),
    Bad('config', 'flash bank stm32h743.bank1 stm32h743 0x08000000 0 0 0 stm32h743.cpu0',
        r"flash bank name 'stm32h743.bank1' already exists"),
    Bad('config', 'flash bank b\u00e4nk stm32h743 0x08000000 0x12345 0 0 stm32h743.cpu0',
        r'size 0x12345 is less than one 128 KiB sector'),
    Bad('config', 'stm32h743 option_set bor_lev 2', AFTER_INIT),
    Bad('config', 'stm32h743 mass_erase all', AFTER_INIT),
    Bad('config', 'stm32h743 swap_bank on', AFTER_INIT),
    Bad('config', 'verify_image <fw.bin> 0x08000000', r'invalid command name|' + AFTER_INIT),

    # ---- erase ranges ---------------------------------------------------------------------
    Bad('xi', 'flash erase_sector 0 8 8', r'last sector must be <= 7'),
    Bad('xi', 'flash erase_sector 0 5 2', r'first sector must be <= last'),
    Bad('xi', 'flash erase_sector 0 0 x', r"\('x'\) is not valid"),
    Bad('xi', 'flash erase_sector 0 -1 0', r"\('-1'\) is not valid"),
    Bad('xi', 'flash erase_sector 9 0 0', r'flash bank 9 does not exist'),
    Bad('xi', 'flash erase_sector 1 7 7', PROTECTED_B2S7),
    Bad('xi', 'flash erase_sector 1 4 4', PCROP_B2),
    Bad('xi', 'flash erase_sector 1 0 last', PROTECTED_B2S7),
    Bad('xi', 'flash erase_address 0x08000100 0x100', r'address range 0x08000100 \.\. '
        r'0x080001ff is not sector-aligned\n-?\d+\n\n'),
    Bad('xi', 'flash erase_address 0x08200000 0x20000', NO_FLASH % '0x08200000'),
    Bad('xi', 'flash erase_address 0x081e0000 0x20000', PROTECTED_B2S7),
    Bad('xi', 'flash erase_address pad 0x08180000 0x10', PCROP_B2),
    Bad('xi', 'stm32h743 mass_erase 1', PROTECTED_B2S7),
    Bad('xi', 'stm32h743 mass_erase all', PROTECTED_B2S7),
    Bad('xi', 'stm32h743 mass_erase', USAGE % 'mass_erase' + r'|0 arguments, expected one bank'),
    Bad('xi', 'stm32h743 mass_erase 0 1', r'2 arguments, expected one bank or the word'),
    Bad('xi', 'stm32h743 mass_erase 7', r'flash bank 7 does not exist'),
    Bad('xi', 'stm32h743 mass_erase foo', r"'foo' is neither the number nor the name of a "
        r"flash bank"),
    Bad('xi', 'stm32h743 mass_erase ALL', r"'ALL' is neither the number nor the name"),

    # ---- write ranges and addresses ----------------------------------------------------
    Bad('xi', 'flash write_image <fw.bin> 0x08000000', NOT_ERASED),
    Bad('xi', 'flash write_image <data64.bin> 0x08000010', NOT_ERASED),
    Bad('xi', 'flash fillw 0x08000004 0 1', NOT_ERASED),
    Bad('xi', 'flash write_bank 0 <data64.bin> 0x1000000000', r'is not valid'),
    Bad('xi', 'stm32h743 verify_image <fw.bin> 0x08200000', r'verify failed: cannot read 0x08200000: no '
        r'memory answers there'),
    Bad('xi', 'flash write_image erase <fw.bin> 0x081e0000', PROTECTED_B2S7),
    Bad('xi', 'flash write_image erase <fw.bin> 0x08180000', PCROP_B2),
    Bad('xi', 'flash write_image <data64.bin> 0x08180100', PCROP_B2),
    Bad('xi', 'flash fillw 0x08200000 0 1', NO_FLASH % '0x08200000'),
    Bad('xi', 'flash fillw 0x08000002 0 1', r'aligned|alignment'),
    Bad('xi', 'flash protect 0 8 8 on', r'last (block|sector) must be <= 7|illegal'),
    Bad('xi', 'stm32h743 program_test 0', r'1 arguments, expected a bank, an address'),
    Bad('xi', 'stm32h743 program_test 0 0x08060010', r'is not the start of 4 flash words '
        r'inside bank 1|not erased'),
    Bad('xi', 'stm32h743 program_test 0 0x08060001 1', r'is not the start of 1 flash word'),
    Bad('xi', 'stm32h743 program_test 0 0x08000000 1', r'0x08000000 is not erased'),
    Bad('xi', 'stm32h743 program_test 0 0x080ffff0 1', r'is not the start of 1 flash word'),
    Bad('xi', 'stm32h743 program_test 0 0x08060000 65', r'COUNT must be 1 to 64 flash words'),
    Bad('xi', 'stm32h743 program_test 0 0x08060000 zero', r'COUNT must be 1 to 64'),
    Bad('xi', 'stm32h743 program_test 0 nowhere', r"'nowhere' is not an address"),
    Bad('xi', 'stm32h743 program_test 0 0x080fffe0 2', r'is not the start of 2 flash words '
        r'inside bank 1 \(0x08000000-0x080fffff'),
    Bad('xi', 'stm32h743 program_test 1 0x081f0000 1', PROTECTED_B2S7),

    # ---- psize ----------------------------------------------------------------------------
    Bad('xi', 'stm32h743 psize 0 7', r'psize must be 8, 16, 32 or 64 .*not 7'),
    Bad('xi', 'stm32h743 psize 0 abc', r'psize must be 8, 16, 32 or 64 .*not abc'),
    Bad('xi', 'stm32h743 psize 0 128', r'not 128'),
    Bad('xi', 'stm32h743 psize 0 -8', r'not -8'),
    Bad('xi', 'stm32h743 psize 0 99999999999999999999999', r'not 99999999999999999999999'),
    Bad('xi', 'stm32h743 psize 0 64 1', r'3 arguments, expected a bank and at most one width'),
    Bad('xi', 'stm32h743 psize', r'no bank given'),
    Bad('xi', 'stm32h743 psize 5 8', r'flash bank 5 does not exist'),
    Bad('xi', 'stm32h743 psize 0 \u00e9', r'not \u00e9'),

    # ---- option fields: type, range, overflow -----------------------------------------
    opt('bor_lev 4', r"bor_lev: '4' is not one of: 0 1 2 3"),
    opt('bor_lev high', r"bor_lev: 'high' is not one of"),
    opt('bor_lev -1', r"bor_lev: '-1' is not one of"),
    opt('bor_lev " 2"', r"bor_lev: ' 2' is not one of"),
    opt('iwdg1 HW', r"iwdg1: 'HW' is not one of: hw sw"),
    opt('iwdg1 2', r"iwdg1: '2' is not one of"),
    opt('nrst_stop_d1 maybe', r"nrst_stop_d1: 'maybe' is not one of: reset no_reset"),
    opt('nrst_stby_d1 0x2', r"nrst_stby_d1: '0x2' is not one of"),
    opt('rdp 3', r"rdp: '3' is not a level \(0, 1 or 2\)"),
    opt('rdp 0xAA', r"rdp: '0xAA' is not a level"),
    opt('rdp {}', r"rdp: '' is not a level"),
    opt('fz_iwdg_stop stopped', r"fz_iwdg_stop: 'stopped' is not one of: frozen running"),
    opt('fz_iwdg_sdby 2', r"fz_iwdg_sdby: '2' is not one of"),
    opt('st_ram_size 32k', r"st_ram_size: '32k' is not one of: 2k 4k 8k 16k"),
    opt('security yes', r"security: 'yes' is not one of: off on"),
    opt('io_hslv 2', r"io_hslv: '2' is not one of: off on"),
    opt('swap_bank swapped', r"swap_bank: 'swapped' is not one of: off on"),
    opt('boot_add0 0x08000001', r"boot_add0: '0x08000001' is not a boot address"),
    opt('boot_add0 0x40000000', r"boot_add0: '0x40000000' is not a boot address"),
    opt('boot_add1 0x100000000', r"boot_add1: '0x100000000' is not a boot address"),
    opt('boot_add1 99999999999999999999999', r"boot_add1: '9+' is not a boot address"),
    opt('boot_add1 -0x08000000', r"boot_add1: '-0x08000000' is not a boot address"),
    opt('boot_add1 flash', r"boot_add1: 'flash' is not a boot address"),
    opt('pcrop1 {0x08000000 0x080001FF junk}', r"pcrop1: '0x08000000 0x080001FF junk' is not "
        r'"none" or \{first_address last_address\}'),
    opt('pcrop1 {0x08000000}', r'pcrop1: .* is not "none" or \{first_address last_address\}'),
    opt('pcrop1 {0x08000000 0x080001FFjunk}', r'pcrop1: .* is not "none" or'),
    opt('pcrop1 {0x08000001 0x080001FF}', r'pcrop1: \{0x08000001 0x080001ff\} is not an area of '
        r'bank 1: first must be 256-byte aligned'),
    opt('pcrop1 {0x080001FF 0x08000000}', r'is not an area of bank 1'),
    opt('pcrop1 {0x08100000 0x081001FF}', r'is not an area of bank 1.*0x08000000\.\.0x080fffff'),
    opt('pcrop1 {0x08000000 0x080000FF}', r'an area of a single 256-byte block cannot be '
        r'encoded'),
    opt('pcrop2 {0x08000000 0x080001FF}', r'pcrop2: .* is not an area of bank 2'),
    opt('pcrop2 {0x081FFF00 0x08200FFF}', r'is not an area of bank 2'),
    opt('secure1 everything', r"secure1: 'everything' is not \"none\""),
    opt('secure2 {1 2 3}', r'secure2: .* is not "none" or'),
    opt('secure2 {0x08100000 0x0x81001FF}', r'secure2: .* is not "none" or'),
    opt('dmep1 maybe', r"dmep1: 'maybe' is not one of: keep erase"),
    opt('dmep2 2', r"dmep2: '2' is not one of"),
    opt('dmes1 wipe', r"dmes1: 'wipe' is not one of"),
    opt('dmes2 keepx', r"dmes2: 'keepx' is not one of"),
    opt('wps1 {}', r'wps1: an empty list would remove the write protection of every sector of '
        r'bank 1; to do that, give the value none'),
    opt('wps2 { }', r'wps2: an empty list would remove the write protection'),
    opt('wps1 {{}}', r'wps1: an empty list'),
    opt('wps1 {8}', r"wps1: '8' is not a sector of bank 1 on this part \(0\.\.7\)"),
    opt('wps1 {-1}', r"wps1: '-1' is not a sector"),
    opt('wps1 {1 x}', r"wps1: 'x' is not a sector"),
    opt('wps1 {1,2}', r"wps1: '1,2' is not a sector"),
    opt('wps2 {0 1 2 3 4 5 6 7 0}', r'wps2: more than 8 sector numbers'),
    opt('wps1 {%s }' % ' '.join(['1'] * 64), r'wps1: the value is 128 characters long; no value '
        r'of this field is longer than 127'),
    opt('pcrop2 {%s 0x081001FF}' % ('0' * 120 + '0x08100000'), r'pcrop2: the value is \d+ '
        r'characters long'),
    opt('bor_lev 1 bor_lev 2', r"option field 'bor_lev' is given twice"),
    opt('nosuchfield 1', r"unknown option field 'nosuchfield'"),
    opt('BOR_LEV 1', r"unknown option field 'BOR_LEV'"),
    opt('%s 1' % LONG, r"unknown option field 'x{100,}"),
    opt('gr\u00f6\u00dfe 1', r"unknown option field 'gr\u00f6\u00dfe'"),
    opt('bor_lev \u00fc', r"bor_lev: '\u00fc' is not one of"),
    opt('bor_lev %s' % LONG, r'bor_lev: the value is 5000 characters long'),
    opt('bor_lev 2 iwdg1', r"field 'iwdg1' has no value"),
    opt('bor_lev 2 wps1 {3} iwdg1 maybe', r"iwdg1: 'maybe' is not one of"),
    # missing or misspelt confirm words
    opt('rdp 2', r'refused: RDP level 2 is irreversible.*confirm'),
    opt('rdp 2 Confirm', r"'Confirm' is not the confirm word: write 'confirm' in lower case"),
    opt('rdp 2 confirmed', r"field 'confirmed' has no value"),
    opt('security on', r'refused: changing SECURITY.*confirm'),
    opt('dmep1 erase', r'refused: dmep1 decides whether protected code is erased'),
    opt('dmes2 erase', r'refused: dmes2 decides'),
    opt('pcrop1 {0x08000000 0x080001FF}', r'refused: pcrop1 \{0x08000000 0x080001ff\} makes that '
        r'flash execute-only'),
    opt('secure1 {0x08000000 0x080001FF}', r'refused: secure1 .* secure-only'),
    Bad('xi', OPTIONS_SET, r'no field and value given'),
    Bad('xi', 'stm32h743 option_get nosuchfield', r"unknown option field 'nosuchfield'"),
    Bad('xi', 'stm32h743 option_get rdp wps1', r'2 arguments, expected one field name'),
    Bad('xi', 'stm32h743 option_get', r'0 arguments, expected one field name'),
    Bad('xi', 'stm32h743 option_get f\u00f6\u00f6', r"unknown option field 'f\u00f6\u00f6'"),
    Bad('xi', 'stm32h743 option_bytes all', r'option_bytes: takes no arguments'),
    Bad('xi', 'stm32h743 lock now', r"lock: takes no arguments, but got 'now'"),
    Bad('xi', 'stm32h743 unlock please', r"unlock: takes no arguments, but got 'please'"),

    # ---- swap_bank, the other commands' arguments --------------------------------------
    Bad('xi', 'stm32h743 swap_bank', r'swap_bank: no value given: on, off or toggle'),
    Bad('xi', 'stm32h743 swap_bank on reset now', r'swap_bank: 3 arguments, expected a value '
        r"and at most the word 'reset'"),
    Bad('xi', 'stm32h743 swap_bank on rest', r"swap_bank: 'rest' is not the word 'reset'"),
    Bad('xi', 'stm32h743 swap_bank on off', r"swap_bank: 'off' is not the word 'reset'"),
    Bad('xi', 'stm32h743 swap_bank yes', r"swap_bank: 'yes' is not on, off or toggle"),
    Bad('xi', 'stm32h743 swap_bank ON', r"swap_bank: 'ON' is not on, off or toggle"),
    Bad('xi', 'stm32h743 swap_bank {}', r"swap_bank: '' is not on, off or toggle"),
    Bad('xi', 'stm32h743 explain_read_errors 0x08000000', r'explain_read_errors: 1 argument, '
        r'expected none or an address and a size'),
    Bad('xi', 'stm32h743 explain_read_errors here 16', r"'here 16' is not an address and a "
        r'32-bit size'),
    Bad('xi', 'stm32h743 diagnose', r'diagnose: 0 arguments, expected a bank'),
    Bad('xi', 'stm32h743 diagnose 5', r'flash bank 5 does not exist'),
    Bad('xi', 'stm32h743 diagnose 0 <fw.bin> 0x0800zz00', r"diagnose: '0x0800zz00' is not an "
        r'address'),
    Bad('xi', 'stm32h743 diagnose 0 <fw.bin> 0x08000000 extra', r'4 arguments'),
    Bad('xi', 'stm32h743 diagnose 0 <fw-at-ram.elf>', r'has no data inside bank 1'),
    Bad('xi', 'stm32h743 last_failure now', r"last_failure: takes no arguments, but got 'now'"),
    Bad('xi', 'stm32h743 verify_image', r'0 arguments, expected a file'),
    Bad('xi', 'stm32h743 verify_image <fw.bin> 0x0800zz00', r"offset '0x0800zz00' is not a number"),
    Bad('xi', 'stm32h743 verify_image <fw.bin> 0x08000000 bin extra', r'4 arguments, expected a file'),
    # found by the commands fuzzer: a "mem" image is the whole 4 GiB address space
    Bad('xi', 'stm32h743 verify_image h743.cpu0 0 mem', r"image type 'mem' reads the image from the "
        r'target itself'),
] + image_rows() + [
    # ---- the target running -----------------------------------------------------------
    Bad('running', 'flash erase_sector 0 3 3', NOT_HALTED),
    Bad('running', 'flash write_image erase <data64.bin> 0x08060000', NOT_HALTED),
    Bad('running', 'flash fillw 0x08060000 0 1', NOT_HALTED),
    Bad('running', 'stm32h743 option_set bor_lev 2', NOT_HALTED),
    Bad('running', 'stm32h743 mass_erase 0', NOT_HALTED),
    Bad('running', 'stm32h743 swap_bank on', NOT_HALTED),
    Bad('running', 'stm32h743 lock', NOT_HALTED),
    Bad('running', 'flash protect 0 3 3 on', NOT_HALTED),
    Bad('running', 'stm32h743 program_test 0 0x08070000 1', NOT_HALTED),

    # ---- NRST held by the debugger (connect under reset) --------------------------------
    Bad('nrst', 'flash probe 0', NRST),
    Bad('nrst', 'flash info 1', NRST),
    Bad('nrst', 'flash erase_sector 0 3 3', NRST),
    Bad('nrst', 'flash write_image erase <data64.bin> 0x08060000', NRST),
    Bad('nrst', 'flash protect 0 3 3 on', NRST),
    Bad('nrst', 'stm32h743 option_bytes', r'no probed stm32h743 flash bank on target '
        r'stm32h743.cpu0: cannot read the flash size register at 0x1ff1e880: ' + NRST),
    Bad('nrst', 'stm32h743 option_get rdp', NRST),
    Bad('nrst', 'stm32h743 option_set bor_lev 2', NRST),
    Bad('nrst', 'stm32h743 mass_erase all', r'flash bank stm32h743.bank1 cannot be probed: .*'
        + NRST),
    Bad('nrst', 'stm32h743 mass_erase 1', r'cannot be probed: .*' + NRST),
    Bad('nrst', 'stm32h743 swap_bank toggle', NRST),
    Bad('nrst', 'stm32h743 lock', NRST),
    Bad('nrst', 'stm32h743 diagnose 0', NRST),
    Bad('nrst', 'stm32h743 program_test 0 0x08060000 1', NRST),
    Bad('nrst', 'verify_image <fw.bin> 0x08000000', NRST),

    # ---- STM32H743xG: four sectors per bank ---------------------------------------------
    opt('wps1 {4}', r"wps1: '4' is not a sector of bank 1 on this part \(0\.\.3\)", 'xg'),
    opt('wps2 {0 7}', r"wps2: '7' is not a sector of bank 2 on this part \(0\.\.3\)", 'xg'),
    opt('wps1 {0 1 2 3 4}', r"'4' is not a sector of bank 1 on this part", 'xg'),
    opt('pcrop1 {0x08080000 0x080801FF} confirm', r'is not an area of bank 1.*0x08000000\.\.'
        r'0x0807ffff \(512 KiB on this part\)', 'xg'),
    opt('pcrop2 {0x08170000 0x081801FF} confirm', r'is not an area of bank 2.*0x08100000\.\.'
        r'0x0817ffff', 'xg'),
    opt('secure1 {0x08000000 0x080FFFFF} confirm', r'is not an area of bank 1', 'xg'),
    opt('secure2 {0x08100000 0x081FFFFF} confirm', r'is not an area of bank 2', 'xg'),
    Bad('xg', 'flash erase_sector 0 4 4', r'last sector must be <= 3'),
    Bad('xg', 'flash erase_sector 1 3 7', r'last sector must be <= 3'),
    Bad('xg', 'stm32h743 verify_image <fw.bin> 0x08080000', r'verify failed: cannot read 0x08080000: no '
        r'memory answers there'),
    Bad('xg', 'flash fillw 0x08180000 0 1', NO_FLASH % '0x08180000'),
    Bad('xg', 'flash erase_address 0x08080000 0x20000', NO_FLASH % '0x08080000'),
    Bad('xg', 'stm32h743 program_test 0 0x08080000 1', r'is not the start of 1 flash word '
        r'inside bank 1 \(0x08000000-0x0807ffff'),

    # ---- STM32H743xG with a bank declared bigger than the part's ------------------------
    Bad('xg-big', 'flash probe 2', r'big1: declared size 1024 KiB, but bank 1 of the '
        r'STM32H742xG/H743xG has 512 KiB \(4 sectors\); declare 0 to take the size from the '
        r'chip, or at most 0x80000'),
    Bad('xg-big', 'flash info 2', r'declared size 1024 KiB'),
    Bad('xg-big', 'flash erase_sector 2 0 0', r'declared size 1024 KiB'),
    Bad('xg-big', 'flash erase_sector 2 4 7', r'declared size 1024 KiB'),
    Bad('xg-big', 'stm32h743 mass_erase 2', r'flash bank big1 cannot be probed: declared size '
        r'1024 KiB'),
    Bad('xg-big', 'stm32h743 diagnose 2', r'cannot be probed: declared size 1024 KiB'),
    Bad('xg-big', 'flash write_bank 2 <data64.bin> 0x60000', r'declared size 1024 KiB'),

    # ---- STM32H750xB: one sector, no bank 2 ---------------------------------------------
    opt('wps1 {1}', r"wps1: '1' is not a sector of bank 1 on this part \(0\.\.0\)", 'h750'),
    opt('wps2 {0}', r"option field 'wps2' does not exist on the STM32H750xB", 'h750'),
    opt('pcrop2 none', r"option field 'pcrop2' does not exist on the STM32H750xB", 'h750'),
    opt('secure2 {0x08100000 0x081001FF} confirm', r"'secure2' does not exist", 'h750'),
    opt('swap_bank on', r"option field 'swap_bank' does not exist on the STM32H750xB", 'h750'),
    opt('pcrop1 {0x08020000 0x080201FF} confirm', r'is not an area of bank 1.*0x08000000\.\.'
        r'0x0801ffff \(128 KiB on this part\)', 'h750'),
    Bad('h750', 'stm32h743 option_get wps2', r"option field 'wps2' does not exist on the "
        r'STM32H750xB'),
    Bad('h750', 'stm32h743 swap_bank on', r'the STM32H750xB has one bank: nothing to swap'),
    Bad('h750', 'flash erase_sector 1 0 0', r'erase: the STM32H750xB has no flash at 0x08100000 '
        r'\(bank 2 is absent\)'),
    Bad('h750', 'flash erase_sector 1 0 last', r'the STM32H750xB has no flash at 0x08100000'),
    Bad('h750', 'flash erase_sector 0 1 1', r'last sector must be <= 0'),
    Bad('h750', 'flash write_bank 1 <data64.bin> 0', r'has no flash at 0x08100000'),
    Bad('h750', 'flash write_image <data64.bin> 0x08100000', r'write: the STM32H750xB has no '
        r'flash at 0x08100000 \(bank 2 is absent\)'),
    Bad('h750', 'stm32h743 mass_erase 1', r'mass erase: the STM32H750xB has no flash at '
        r'0x08100000'),
    Bad('h750', 'flash protect 1 0 0 on', r'illegal protection block range|not in bank 2'),
    Bad('h750', 'stm32h743 diagnose 1', r'bank 2 at 0x08100000 is absent on the STM32H750xB'),
    Bad('h750', 'stm32h743 program_test 1 0x08100000 1', r'program_test: bank 2 at 0x08100000 '
        r'is absent on the STM32H750xB'),

    # ---- STM32H750xB with banks declared where it has no flash --------------------------
    Bad('h750-big', 'flash probe 2', r'b2: declared with 128 KiB at 0x08100000, but the '
        r'STM32H750xB has no flash bank there; declare it with size 0'),
    Bad('h750-big', 'flash probe 3', r'b1: declared size 256 KiB, but bank 1 of the STM32H750xB '
        r'has 128 KiB \(1 sector\)'),
    Bad('h750-big', 'flash erase_sector 2 0 0', r'declared with 128 KiB at 0x08100000'),
    Bad('h750-big', 'flash erase_sector 3 1 1', r'declared size 256 KiB'),
    Bad('h750-big', 'flash write_bank 2 <data64.bin> 0', r'declared with 128 KiB'),
    Bad('h750-big', 'stm32h743 mass_erase all', r'cannot be probed: declared'),
]

# Which sessions run in which OpenOCD run.
RUNS = {
    'xi': ('config', 'xi', 'running'),
    'nrst': ('nrst',),
    'xg': ('xg',),
    'xg-big': ('xg-big',),
    'h750': ('h750',),
    'h750-big': ('h750-big',),
}

# The option registers, FLASH_OPTCR .. FLASH_BOOT_PRG and bank 2's PRAR/SCAR/WPSN.
OB_READ = '[concat [read_memory 0x52002018 32 12] [read_memory 0x52002128 32 6]]'


# ---- files -----------------------------------------------------------------------------

# The board's raw flash image from 0x08000000 per variant: its size (the
# simulator takes bank 2 only in a 2 MiB image) and where it has data
# besides the firmware at the start of each bank (on the xI, bank 2's
# sectors 4 and 7 are the protected ones).
BOARD = {None: (0x200000, (0x08060000, 0x08180000, 0x081E0000)),
         'H743xG': (0x80000, (0x08060000,)),
         'H750xB': (0x20000, (0x08010000,))}


def board_image(variant):
    """The idle firmware at the start of each bank in the image, and data
    (to see that nothing erases it)."""
    size, data = BOARD[variant]
    image = bytearray(b'\xff' * size)
    fw = idle_firmware()
    for base in range(0, size, di.BANK_SIZE):
        image[base:base + len(fw)] = fw
    for n, addr in enumerate(data):
        off = addr - di.BANK_BASE[0]
        image[off:off + 4096] = di.random_bytes(4096, n + 1)
    return bytes(image)


def make_files():
    """The image files the rows name, good and broken."""
    seg = [(0x08040000, di.random_bytes(1024, 7))]
    files = {}
    for kind, ext in (('hex', 'hex'), ('srec', 's19'), ('elf', 'elf')):
        good, _ = di.write_image(kind, 'good-' + ext, seg)
        text = open(good, 'rb').read()
        files['good.' + ext] = good
        files['empty.' + ext] = write_file('empty.' + ext, b'')
        files['garbage.' + ext] = write_file('garbage.' + ext, di.random_bytes(2000, 11))
        if ext == 'elf':
            files['cut-header.elf'] = write_file('cut-header.elf', text[:60])
            files['cut-data.elf'] = write_file('cut-data.elf', text[:200])
            files['badclass.elf'] = write_file('badclass.elf', b'\x7fELF\x07' + text[5:])
            continue
        lines = text.split(b'\n')
        files['cut-mid.' + ext] = write_file('cut-mid.' + ext, b'\n'.join(lines[:3]) + b'\n'
                                             + lines[3][:len(lines[3]) // 2])
        files['cut-eol.' + ext] = write_file('cut-eol.' + ext, b'\n'.join(lines[:5]) + b'\n')
        bad = bytearray(lines[2])
        bad[-1:] = b'0' if bad[-1:] != b'0' else b'1'
        files['badsum.' + ext] = write_file('badsum.' + ext,
                                            b'\n'.join(lines[:2] + [bytes(bad)] + lines[3:]))
    files['fw.bin'] = write_file('fw.bin', idle_firmware())
    files['empty.bin'] = write_file('empty.bin', b'')
    files['data64.bin'] = write_file('data64.bin', di.random_bytes(64, 5))
    files['fw-at-ram.elf'], _ = di.write_image('elf', 'fw-at-ram', [(0x24010000, b'\0' * 64)])
    for name in ('missing.hex', 'missing.s19', 'missing.elf', 'missing.bin',
                 'f\u00efl\u00e9-\u00fc.bin'):
        files[name] = tmpfile(name)
    return files


def expand(cmd, files):
    return re.sub(r'<([^<>\s]+)>', lambda m: files[m.group(1)], cmd)


# ---- one run -----------------------------------------------------------------------------

def run_matrix(run, variant=None, config_setup=(), setup=(), connect_under_reset=False):
    """The rows of one run in one OpenOCD session; returns the count tried."""
    sessions = RUNS[run]
    rows = [(n, r) for n, r in enumerate(BAD) if r.session in sessions]
    check(rows, 'no rows for %s' % run)
    files = make_files()
    state = tmpfile('%s-state.bin' % run)
    args = ['--variant', variant] if variant else []
    with Sim('--flash-image', write_file('%s-board.bin' % run, board_image(variant)), *args,
             state=state):
        pass
    if setup:
        # protections the rows run into, set before the "before" picture
        with Sim(*args, state=state) as sim:
            sim.openocd('init', 'reset halt', *setup)
    sim = Sim(*args, state=state)
    before_flash = [di.export_bank(sim, b, '%s-before-%d.bin' % (run, b)) for b in (1, 2)]
    cmds = []
    if connect_under_reset:
        cmds.append('reset_config srst_only srst_nogate connect_assert_srst')
    cmds += list(config_setup)
    for session in sessions:
        part = [(n, r) for n, r in rows if r.session == session]
        if session == 'running':
            # from the firmware's reset vector: `resume` would go on from
            # wherever the last target algorithm left the pc
            cmds.append('reset run')
        elif session != 'config':
            if 'init' not in cmds:
                cmds.append('init')
                if not connect_under_reset:
                    cmds.append('reset halt')
                cmds.append('catch {set ::ob %s} ::ob; echo "@@ob-before=$::ob"' % OB_READ)
        for n, row in part:
            cmds += di.attempt('row%d' % n, expand(row.cmd, files))
            cmds.append('catch {set ::ob %s} ::ob; echo "@@ob-row%d=$::ob"' % (OB_READ, n))
    if connect_under_reset:
        # only now can the option registers be read: release NRST
        cmds += ['reset halt', 'echo "@@ob-before=[set ::ob %s]"' % OB_READ]
    cmds.append('echo "@@done=1"')
    with sim:
        counters = sim.stats()['flash']
        out = sim.openocd(*cmds, check=False, timeout=100)
        counters_after = sim.stats()['flash']
        check(sim.running(), 'h743sim ended during the session\n' + sim.status(), out)
    # Sim's exit checked its SIGTERM exit code (0)
    check(out.returncode == 0 and '@@done=1' in out, 'openocd did not run to the end '
          '(exit code %r)' % out.returncode, out)
    problems = []
    expected_ob = out.value('ob-before')
    check(re.fullmatch(r'(0x[0-9a-f]+ ?){18}', expected_ob),
          'option registers not read: %r' % expected_ob, out)
    for n, row in rows:
        key = 'row%d' % n
        text = between(out, key)
        rc = out.value(key)
        what = '%s [%s]' % (row.cmd[:120], row.session)
        if rc == '0':
            problems.append('%s: accepted: %s'
                            % (what, ' / '.join(text.strip().split('\n'))[:300]))
        if not re.search(row.reason, text):
            problems.append('%s: the message does not match /%s/:\n      %s'
                            % (what, row.reason, text.strip().replace('\n', '\n      ')[:1500]))
        ob = out.value('ob-' + key)
        if row.session not in ('nrst', 'config') and ob != expected_ob:
            problems.append('%s: option registers changed: %s -> %s' % (what, expected_ob, ob))
    if counters_after['option_changes'] != counters['option_changes']:
        problems.append('%d option-byte change(s)' % (counters_after['option_changes'] -
                                                      counters['option_changes']))
    for b, (x, y) in enumerate(zip(counters['banks'], counters_after['banks'])):
        for k in ('words_programmed', 'sectors_erased', 'bank_erases'):
            if x[k] != y[k]:
                problems.append('bank %d: %s %d -> %d' % (b + 1, k, x[k], y[k]))
    for b in (1, 2):
        after = di.export_bank(sim, b, '%s-after-%d.bin' % (run, b))
        if after != before_flash[b - 1]:
            first = next(i for i in range(len(after)) if after[i] != before_flash[b - 1][i])
            problems.append('physical bank %d changed, first at offset %#x' % (b, first))
    if problems:
        fail('%s: %d of %d bad inputs not handled:\n  %s'
             % (run, len(problems), len(rows), '\n  '.join(problems)), out)
    note('bad inputs (%s): %d refused, flash and option bytes unchanged' % (run, len(rows)))
    return len(rows)


# ---- the tests ---------------------------------------------------------------------------

XI_SETUP = ('stm32h743 option_set wps2 {7} pcrop2 {0x08180000 0x081801FF} confirm',)


@timeout(150)
def test_bad_inputs_h743xi():
    run_matrix('xi', setup=XI_SETUP)


def test_bad_inputs_under_reset():
    run_matrix('nrst', connect_under_reset=True)


def test_bad_inputs_h743xg():
    run_matrix('xg', variant='H743xG')


def test_bad_inputs_h743xg_declared_too_big():
    run_matrix('xg-big', variant='H743xG', config_setup=[
        'flash bank big1 stm32h743 0x08000000 0x100000 0 0 stm32h743.cpu0'])


def test_bad_inputs_h750xb():
    run_matrix('h750', variant='H750xB')


def test_bad_inputs_h750xb_declared_absent():
    run_matrix('h750-big', variant='H750xB', config_setup=[
        'flash bank b2 stm32h743 0x08100000 0x20000 0 0 stm32h743.cpu0',
        'flash bank b1 stm32h743 0x08000000 0x40000 0 0 stm32h743.cpu0'])


def test_bad_input_matrix_size():
    """The matrix itself: at least 80 distinct inputs, each in a known
    session, no command listed twice for the same session."""
    seen = collections.Counter((r.session, r.cmd) for r in BAD)
    dup = [k for k, v in seen.items() if v > 1]
    check(not dup, 'rows listed twice: %r' % dup)
    sessions = {s for ss in RUNS.values() for s in ss}
    check(all(r.session in sessions for r in BAD), 'rows in unknown sessions')
    check(len(BAD) >= 80, 'only %d bad inputs' % len(BAD))
    note('bad-input matrix: %d inputs in %d sessions' % (len(BAD), len(RUNS)))


# ---- a bank declared smaller than the part's ----------------------------------------------

@timeout(150)
def test_declared_half_bank_erases_only_its_sectors():
    """A bank declared with 4 of bank 1's 8 sectors: `flash erase_sector N 0
    last` erases those 4 one by one, never with a bank erase (which would
    take the 4 undeclared ones too); `stm32h743 mass_erase` of it is refused;
    the declared bank ends where declared."""
    image = bytearray(b'\xff' * di.BANK_SIZE)
    for s in range(8):
        image[s * di.SECTOR:s * di.SECTOR + 256] = di.random_bytes(256, 100 + s)
    image[0:32] = idle_firmware()
    state = tmpfile('half-state.bin')
    with Sim('--flash-image', write_file('half-board.bin', bytes(image)), state=state):
        pass
    with Sim(state=state) as sim:
        out = sim.openocd(
            'flash bank half stm32h743 0x08000000 0x80000 0 0 stm32h743.cpu0',
            'init', 'reset halt',
            *di.section('info', 'flash info 2'),
            *di.attempt('mass', 'stm32h743 mass_erase 2'),
            *di.attempt('erase', 'flash erase_sector 2 0 last'),
            *di.attempt('beyond', 'flash erase_sector 2 4 4'),
            check=False, timeout=100)
        flash = sim.stats()['flash']['banks'][0]
    check(out.returncode == 0, 'openocd failed', out)
    expect_eq(di.flash_info_sectors(between(out, 'info')),
              [(n, n * di.SECTOR, di.SECTOR, 'not protected') for n in range(4)],
              'sectors of the declared bank', out)
    check(out.value('mass') != '0', 'mass_erase of a partly declared bank was accepted', out)
    expect_re_in(r'mass erase: half is declared with 4 of the 8 sectors of bank 1, and a bank '
                 r'erase would erase the others too; nothing was done', between(out, 'mass'),
                 out)
    expect_eq(out.value('erase'), '0', 'flash erase_sector 2 0 last (%s)'
              % between(out, 'erase').strip())
    check(out.value('beyond') != '0', 'sector 4 of a 4-sector bank was erased', out)
    expect_re_in(r'last sector must be <= 3', between(out, 'beyond'), out)
    expect_eq((flash['bank_erases'], flash['sectors_erased']), (0, 4),
              '(bank erases, sector erases) of bank 1', out)
    got = di.export_bank(sim, 1)
    expected = b'\xff' * (4 * di.SECTOR) + bytes(image[4 * di.SECTOR:])
    di.expect_same_data(got, expected, 'physical bank 1 (sectors 0-3 erased, 4-7 kept)', out)


def expect_re_in(pattern, text, context):
    if not re.search(pattern, text):
        fail('no match for /%s/ in %r' % (pattern, text.strip()), context)
