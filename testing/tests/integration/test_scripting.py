# SPDX-License-Identifier: GPL-2.0-or-later
"""Scripting results (issue 13): every `stm32h743` command returns a value a
Tcl script can use, a dict or a bare value, taken here with `set r [cmd]`
over the Tcl RPC port and checked against the chip's registers; a failure's
Tcl error message says what failed, where and why. Upstream's `stm32h7x`
commands keep upstream 0.12's results. And with -d3 the log holds the raw
registers behind the decoded messages (name, address, value)."""

import re

from harness import OpenOCDServer, Sim, check, expect_eq, expect_in, expect_re
from harness.board import idle_firmware, write_file
from harness.chip import BANK_BASE, OPTCR, OPTSR_CUR, WPSN_CUR

ALLOW = (r'clearing lockup',)


def idle_board():
    """A chip that boots into `b .`: `resume` leaves it running."""
    return Sim('--flash-image', write_file('board.bin', idle_firmware()))


def server(sim, allow=()):
    return OpenOCDServer(sim, 'reset halt', allow=ALLOW + tuple(allow))


def reg(ocd, addr):
    return int(ocd.cmd('read_memory 0x%08x 32 1' % addr).strip(), 0)


def dict_get(ocd, var, *keys):
    return ocd.cmd('dict get $%s %s' % (var, ' '.join(keys))).strip()


def failure(ocd, cmd):
    """The Tcl error message of a command that must fail."""
    msg = ocd.cmd(cmd, check=False)
    check(not ocd.last_ok, '%s succeeded: %r' % (cmd, msg), ocd.log())
    return msg


def test_settings_return_bare_values():
    """psize, incremental and staging return the setting itself, without a
    newline, so that `eq` and `if` work on it."""
    with Sim() as sim, server(sim) as ocd:
        expect_eq(ocd.cmd('stm32h743 psize 0 32'), '32', 'psize result')
        expect_eq(ocd.cmd('stm32h743 psize 0'), '32', 'psize read back')
        for name in ('incremental', 'staging'):
            expect_eq(ocd.cmd('stm32h743 %s off' % name), 'off', '%s off result' % name)
            expect_eq(ocd.cmd('expr {[stm32h743 %s] eq "off"}' % name), '1',
                      '%s compared with eq' % name)
            expect_eq(ocd.cmd('if {[stm32h743 %s on]} {set x yes} {set x no}' % name), 'yes',
                      '%s on as a boolean' % name)
        msg = failure(ocd, 'stm32h743 psize 0 12')
        expect_in('psize must be 8, 16, 32 or 64', msg, 'psize error message')


def test_option_set_returns_the_changes_as_read_back():
    with idle_board() as sim, server(sim, allow=(r'target must be halted',)) as ocd:
        expect_eq(ocd.cmd('dict get [stm32h743 option_bytes] bor_lev'), '0', 'bor_lev before')
        ocd.cmd('set r [stm32h743 option_set bor_lev 2 boot_add1 0x24000000 wps2 {6 7}]')
        expect_eq(ocd.cmd('lsort [dict keys $r]'), 'boot_add1 bor_lev wps2', 'changed fields')
        expect_eq((dict_get(ocd, 'r', 'bor_lev', 'from'), dict_get(ocd, 'r', 'bor_lev', 'to')),
                  ('0', '2'), 'bor_lev change')
        expect_eq(dict_get(ocd, 'r', 'boot_add1', 'to'), '0x24000000', 'boot_add1 change')
        expect_eq(dict_get(ocd, 'r', 'wps2', 'from'), 'none', 'wps2 before')
        expect_eq(dict_get(ocd, 'r', 'wps2', 'to'), '6 7', 'wps2 after')
        # the dict tells what the chip holds now
        expect_eq((reg(ocd, OPTSR_CUR) >> 2) & 3, 2, 'FLASH_OPTSR_CUR.BOR_LEV')
        expect_eq(reg(ocd, WPSN_CUR[1]) & 0xFF, 0x3F, 'FLASH_WPSN_CUR2')
        expect_eq(ocd.cmd('stm32h743 option_get wps2'), '6 7', 'option_get wps2')
        expect_eq(ocd.cmd('dict get [stm32h743 option_bytes] boot_add1'), '0x24000000',
                  'option_bytes boot_add1')
        # nothing to change: an empty dict
        expect_eq(ocd.cmd('dict size [stm32h743 option_set bor_lev 2]'), '0',
                  'option_set of the value in force')
        # refusals and failures: the reason is the error message
        msg = failure(ocd, 'stm32h743 option_set rdp 2')
        expect_re(r'^refused: RDP level 2 is irreversible', msg, 'rdp 2 without confirm')
        msg = failure(ocd, 'stm32h743 option_set bor_lev 9')
        expect_re(r'bor_lev.*9', msg, 'a value out of range')
        ocd.cmd('resume')
        msg = failure(ocd, 'stm32h743 option_set bor_lev 1')
        expect_re(r'^option_set failed: option bytes: the target must be halted', msg,
                  'option_set while running')
        ocd.cmd('halt')
        expect_eq((reg(ocd, OPTSR_CUR) >> 2) & 3, 2, 'BOR_LEV after the refused change')


def test_lock_unlock_return_the_rdp_change():
    with Sim() as sim, server(sim, allow=(r'read protect', r'Failed to read memory',
                                          r'STICKY ERROR', r'read_memory: read at',
                                          r'stm32h743: read failed', r'^Error:   ')) as ocd:
        ocd.cmd('set r [stm32h743 lock]')
        expect_eq((dict_get(ocd, 'r', 'rdp', 'from'), dict_get(ocd, 'r', 'rdp', 'to')),
                  ('0', '1'), 'lock result')
        check((reg(ocd, OPTSR_CUR) >> 8) & 0xFF not in (0xAA, 0xCC),
              'FLASH_OPTSR_CUR RDP byte after lock is not level 1', ocd.log())
        ocd.cmd('reset halt')
        # a failed flash read, explained: the count and the diagnosis
        ocd.cmd('catch {read_memory 0x08000000 32 4}')
        expect_eq(ocd.cmd('stm32h743 explain_read_errors 0x08000000 0x100'), '1',
                  'read failures explained')
        expect_eq(ocd.cmd('dict get [stm32h743 last_failure] address'), '0x08000000',
                  'the address of the explained read failure')
        expect_in('RDP level 1', ocd.cmd('dict get [stm32h743 last_failure] verdict'),
                  'the explained cause')
        ocd.cmd('set r [stm32h743 unlock]')
        expect_eq((dict_get(ocd, 'r', 'rdp', 'from'), dict_get(ocd, 'r', 'rdp', 'to')),
                  ('1', '0'), 'unlock result')
        expect_eq((reg(ocd, OPTSR_CUR) >> 8) & 0xFF, 0xAA, 'RDP byte after unlock')


def test_swap_bank_returns_the_mapping():
    with Sim() as sim, server(sim) as ocd:
        ocd.cmd('set r [stm32h743 swap_bank on]')
        expect_eq(ocd.cmd('dict get $r swap_bank'), 'on', 'swap_bank option')
        expect_eq(ocd.cmd('dict get $r previous'), 'off', 'swap_bank before')
        expect_eq(ocd.cmd('dict get $r reset'), '0', 'no reset asked')
        expect_eq(ocd.cmd('dict get $r mapped_bank'), '1', 'mapping before the reset')
        expect_eq(reg(ocd, OPTCR) >> 31, 0, 'FLASH_OPTCR.SWAP_BANK before the reset')
        ocd.cmd('set r [stm32h743 swap_bank toggle reset]')
        expect_eq((dict_get(ocd, 'r', 'swap_bank'), dict_get(ocd, 'r', 'previous'),
                   dict_get(ocd, 'r', 'reset'), dict_get(ocd, 'r', 'mapped_bank')),
                  ('off', 'on', '1', '1'), 'toggle back with reset')
        ocd.cmd('set r [stm32h743 swap_bank on reset]')
        expect_eq(dict_get(ocd, 'r', 'mapped_bank'), '2', 'mapping after swap_bank on reset')
        expect_eq(reg(ocd, OPTCR) >> 31, 1, 'FLASH_OPTCR.SWAP_BANK after the reset')
        ocd.cmd('stm32h743 swap_bank off reset')
        msg = failure(ocd, 'stm32h743 swap_bank sideways')
        expect_in("'sideways' is not on, off or toggle", msg, 'swap_bank error message')


def test_mass_erase_returns_what_it_erased_and_failures_the_reason():
    data = write_file('data.bin', bytes(range(256)) * 4)
    with idle_board() as sim, server(sim, allow=(r'write protected', r'mass erase')) as ocd:
        ocd.cmd('resume')
        msg = failure(ocd, 'stm32h743 mass_erase 0')
        expect_in('mass erase: the target must be halted', msg, 'mass_erase while running')
        ocd.cmd('halt')
        for base in BANK_BASE:
            ocd.cmd('flash write_image erase %s 0x%08x bin' % (data, base))
        ocd.cmd('set r [stm32h743 mass_erase all]')
        expect_eq(ocd.cmd('dict get $r erased'), '0x%08x 0x%08x' % BANK_BASE, 'banks erased')
        expect_eq(ocd.cmd('dict get $r bytes'), str(2 * 0x100000), 'bytes erased')
        check(re.match(r'^\d+\.\d{3}$', ocd.cmd('dict get $r seconds')), 'seconds', ocd.log())
        for base in BANK_BASE:
            expect_eq(reg(ocd, base), 0xFFFFFFFF, 'flash at 0x%08x after mass_erase' % base)
        ocd.cmd('flash write_image erase %s 0x%08x bin' % (data, BANK_BASE[1]))
        ocd.cmd('set r [stm32h743 mass_erase 1]')
        expect_eq(ocd.cmd('dict get $r erased'), '0x%08x' % BANK_BASE[1], 'bank 2 erased')
        expect_eq(reg(ocd, BANK_BASE[1]), 0xFFFFFFFF, 'bank 2 after mass_erase 1')
        ocd.cmd('flash protect 0 3 3 on')
        msg = failure(ocd, 'stm32h743 mass_erase 0')
        expect_re(r'^erase failed: protection stops the erase: bank 1 sector 3 is write '
                  r'protected \(FLASH_WPSN_CUR1=0xf7\)', msg, 'mass_erase of a protected bank')
        ocd.cmd('flash protect 0 3 3 off')


def test_verify_and_diagnosis_results():
    image = bytes((i * 13 + 5) & 0xFF for i in range(4096))
    good = write_file('good.bin', image)
    bad = write_file('bad.bin', image[:0x102] + b'\x00' + image[0x103:])
    with Sim() as sim, server(sim, allow=(r'verify failed', r'^Error:   ',
                                          r'stm32h743: verify failed')) as ocd:
        ocd.cmd('flash write_image erase %s 0x08000000 bin' % good)
        ocd.cmd('set r [stm32h743 verify_image %s 0x08000000 bin]' % good)
        expect_eq(dict_get(ocd, 'r', 'bytes'), '4096', 'bytes verified')
        check(re.match(r'^\d+\.\d{3}$', dict_get(ocd, 'r', 'seconds')), 'seconds', ocd.log())
        expect_eq(ocd.cmd('stm32h743 last_failure'), '', 'last_failure after a good verify')
        msg = failure(ocd, 'stm32h743 verify_image %s 0x08000000 bin' % bad)
        expect_re(r'^verify failed: .*0x08000102', msg, 'the verdict names the address')
        expect_in('bad.bin', msg, 'the verdict names the file')
        expect_eq(ocd.cmd('dict get [stm32h743 last_failure] address'), '0x08000102',
                  'last_failure address')
        expect_eq(ocd.cmd('dict get [stm32h743 last_failure] cause'), 'file-differs',
                  'last_failure cause')
        ocd.cmd('set d [stm32h743 diagnose 0 %s 0x08000000]' % bad)
        expect_eq(dict_get(ocd, 'd', 'cause'), 'file-differs', 'diagnose cause')
        expect_eq(int(dict_get(ocd, 'd', 'registers', 'FLASH_WPSN_CUR1'), 16),
                  reg(ocd, WPSN_CUR[0]), 'diagnose registers: FLASH_WPSN_CUR1')
        # program_test: a dict from erased words, the reason from written ones
        ocd.cmd('set p [stm32h743 program_test 0 0x080e0000 2]')
        expect_eq((dict_get(ocd, 'p', 'words'), dict_get(ocd, 'p', 'bad_words')), ('2', '0'),
                  'program_test result')
        check(reg(ocd, 0x080E0000) != 0xFFFFFFFF, 'program_test did not program', ocd.log())
        msg = failure(ocd, 'stm32h743 program_test 0 0x08000000')
        expect_in('0x08000000 is not erased', msg, 'program_test over data')


def test_upstream_commands_keep_upstream_results():
    with Sim() as sim, server(sim, allow=(r"is upstream stm32h7x's command",)) as ocd:
        expect_eq(ocd.cmd('stm32h7x option_write 0 0x20 0x4 0xc'), '',
                  'stm32h7x option_write result')
        expect_eq((reg(ocd, OPTSR_CUR) >> 2) & 3, 1, 'BOR_LEV after option_write')
        expect_re(r'^Option Register: <0x5200201c> = 0x[0-9a-f]+$',
                  ocd.cmd('stm32h7x option_read 0 0x1c').strip(), 'option_read result')
        expect_eq(ocd.cmd('stm32h7x lock 0'), 'stm32h7x locked\n', 'stm32h7x lock result')
        expect_eq(ocd.cmd('stm32h7x unlock 0'), 'stm32h7x unlocked\n', 'stm32h7x unlock')
        expect_eq(ocd.cmd('stm32h7x mass_erase 1'), 'stm32h7x mass erase complete\n',
                  'stm32h7x mass_erase result')


def section(log, key):
    m = re.search(r'@@%s-begin$(.*?)@@%s-end$' % (key, key), log, re.M | re.S)
    check(m, 'no log section %s' % key, log)
    return m.group(1)


def in_order(text, what, *patterns):
    """Each pattern matches a line of text after the previous one's line."""
    at = 0
    for p in patterns:
        m = re.compile(p, re.M).search(text, at)
        check(m, '%s: no /%s/ after the lines before it' % (what, p), text)
        at = m.end()


# the driver's debug line for a register read or write (stm32h743_regs.c)
READ = r'log_read\(\): read %s at 0x%08x: 0x%08x$'
WROTE = r'log_write\(\): wrote %s at 0x%08x: 0x%08x$'
SR = (0x52002010, 0x52002110)


def test_debug_log_shows_raw_registers():
    """-d3: every register behind a decoded message is in the log with its
    name, address and raw value where it was read; a poll logs its first
    value, how often it read it again, and its final value."""
    data = write_file('data.bin', bytes(range(256)) * 4)
    # bank 2 never finishes an operation: its erase polls FLASH_SR2 until the timeout
    with Sim('--fault', 'stuck-busy=2') as sim:
        with OpenOCDServer(sim, 'reset halt', setup=('debug_level 3',),
                           allow=ALLOW + (r'(erase|write) failed: ', r'PGSERR: ',
                                          r'failed erasing sectors', r'error writing to flash',
                                          r'still busy after')) as ocd:
            def run(key, cmd):
                ocd.cmd('echo @@%s-begin' % key)
                ocd.cmd(cmd, check=False)
                ocd.cmd('echo @@%s-end' % key)
            run('option', 'stm32h743 option_set bor_lev 2')
            # a write into the flash with FLASH_CR.PG clear latches PGSERR
            ocd.cmd('mww 0x%08x 0x12345678' % BANK_BASE[0])
            run('erase', 'flash erase_sector 0 1 1')
            ocd.cmd('mww 0x%08x 0x12345678' % (BANK_BASE[0] + 0x20))
            run('write', 'flash write_image %s 0x08040000 bin' % data)
            run('stuck', 'flash erase_sector 1 1 1')
            log = ocd.log()
    in_order(section(log, 'option'), 'option change',
             WROTE % ('FLASH_OPTSR_PRG', 0x52002020, 0x0006AAD8),
             WROTE % ('FLASH_OPTCR', 0x52002018, 0x2),
             READ % ('FLASH_OPTSR_CUR', 0x5200201C, 0x0006AAD8),
             r'bor_lev: 0 -> 2$')
    text = section(log, 'erase')
    in_order(text, 'erase error', READ % ('FLASH_SR1', SR[0], 0x00040000),
             r'erase failed: FLASH_SR1=0x00040000 \(PGSERR\)$',
             WROTE % ('FLASH_CCR1', 0x52002014, 0x00040000))
    expect_re(r'stm32h743 evidence: FLASH_ECC_FA1 at 0x52002060: 0x[0-9a-f]{8}$', text,
              'diagnosis evidence with addresses')
    in_order(section(log, 'write'), 'program error', READ % ('FLASH_SR1', SR[0], 0x00040000),
             r'write failed: FLASH_SR1=0x00040000 \(PGSERR\)$')
    # the stuck erase polls FLASH_SR2 for seconds: its first value, a count, then the
    # value in the timeout message; not a line per poll
    text = section(log, 'stuck')
    polls = len(re.findall(r'target_read_u32\(\): address: 0x%08x, value: 0x00000005$' % SR[1],
                           text, re.M))
    in_order(text, 'stuck erase poll', READ % ('FLASH_SR2', SR[1], 0x5),
             r'read FLASH_SR2 at 0x52002110 \d+ more times: 0x00000005$',
             r'still busy after \d+ ms \(FLASH_SR2=0x00000005: BSY QW\)')
    more = int(re.search(r'read FLASH_SR2 at 0x52002110 (\d+) more times', text).group(1))
    check(20 <= more < polls, 'the poll\'s count: %d more reads, %d reads of 0x%08x in all'
          % (more, polls, SR[1]), text)
    expect_eq(len(re.findall(READ % ('FLASH_SR2', SR[1], 0x5), text, re.M)), 1,
              'logged reads of the busy FLASH_SR2')
