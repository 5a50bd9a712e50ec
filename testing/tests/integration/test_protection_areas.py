# SPDX-License-Identifier: GPL-2.0-or-later
"""PCROP and secure-only areas, RDP level 2 and a missing probe, with the
stm32h743 driver and its configuration files.

- `flash info` shows each bank's PCROP area (FLASH_PRAR_CURx) and secure
  area (FLASH_SCAR_CURx): first-last address or "none", the register value,
  DMEP/DMES, and whether the secure area is enforced (OPTSR.SECURITY).
- Erase (sector, bank, mass erase) and write that reach a PCROP area, or a
  secure area while SECURITY is on, are refused before the chip is touched:
  the message names the area and the way out; the simulator's physical
  flash and option bytes stay as they were, and its trace shows no write to
  the flash registers or the flash.
- Setting an area needs the confirm word; setting it to none does not.
- RDP level 2: a last warning block before the commit, and after a power
  cycle the examine-fail handler of target/stm32h743.cfg says why the chip
  does not answer.
- board/h743custom.cfg with no ST-LINK attached says which probe it looked
  for and what to check.

Area encodings (src/flash/nor/stm32h743_options.c): START [11:0] and END [27:16]
in 256-byte blocks from the bank base, START > END is no area, bit 31 is
DMEP/DMES. The simulator refuses program/erase there with WRPERR
(testing/sim/flash_ctrl.c) and enforces a secure area only with SECURITY.
"""

import glob
import os
import re
import subprocess

from harness import Log, Sim, capture, check, expect_eq, expect_in, expect_not_in, fail, tmpfile
from harness import env
from harness.chip import OPTSR_CUR

from harness import driver as di

BANK1, BANK2 = di.BANK_BASE
SECTOR = di.SECTOR
OPTCR = 0x52002018
PRAR_CUR = (0x52002028, 0x52002128)
SCAR_CUR = (0x52002030, 0x52002130)
NO_AREA = 0x000000FF            # START 0xFF > END 0: the factory "no area"
SECURITY = 1 << 21

# The refusals, what OpenOCD adds after a refused erase or write, the
# driver's diagnosis of the failed operation, and the flash reads it makes
# around the range (a PCROP area reads as a bus error).
REFUSED = [r'^Error: (erase|write|mass erase): .* the (PCROP \(execute-only\)|secure-only) area',
           r'^Error: failed erasing sectors', r'^Error: error writing to flash at address',
           r'^Error: stm32h743: [a-z ]+ failed: ', r'^Error: JTAG-DP STICKY ERROR$',
           r'^Error: Failed to read memory at 0x']

AREA_REFUSAL = (r'%s: %s the %s area 0x%08x-0x%08x of bank %d \(%s=0x%08x%s\), which the chip '
                r'neither erases nor programs \(WRPERR\); nothing was done\. `stm32h743 '
                r'option_set %s%d none` removes the area; if the chip keeps it, only an RDP '
                r'regression \(level 1 -> 0\) with `%s%d erase` set removes it, and that erases '
                r'its code and both banks')


def pcrop_refusal(what, subject, first, last, bank, value):
    return AREA_REFUSAL % (what, subject, r'PCROP \(execute-only\)', first, last, bank,
                           'FLASH_PRAR_CUR%d' % bank, value, '', 'pcrop', bank, 'dmep', bank)


def secure_refusal(what, subject, first, last, bank, value):
    return AREA_REFUSAL % (what, subject, 'secure-only', first, last, bank,
                           'FLASH_SCAR_CUR%d' % bank, value, ', SECURITY on', 'secure', bank,
                           'dmes', bank)


def dump(key):
    """mdw of every option register (OPTCR..BOOT_PRG, PRAR_CUR2..WPSN_PRG2)."""
    return ['echo "@@regs-%s-begin"' % key, 'mdw 0x%08x 12' % OPTCR, 'mdw 0x%08x 6' % PRAR_CUR[1],
            'echo "@@regs-%s-end"' % key]


def regs(out, key):
    text = Log(di.between(out, 'regs-' + key), 'option registers %s' % key)
    addrs = [OPTCR + 4 * i for i in range(12)] + [PRAR_CUR[1] + 4 * i for i in range(6)]
    return dict(zip(addrs, text.mem(OPTCR, 12) + text.mem(PRAR_CUR[1], 6)))


def expect_refused(out, key, pattern, what):
    check(di.failed(out, key), '%s succeeded' % what, out)
    text = di.between(out, key)
    if not re.search(pattern, text):
        fail('%s: the refusal does not match\n  %s\n  got: %r' % (what, pattern, text.strip()),
             out)


def flash_writes(sim_log):
    """Writes the simulator traced (--trace) into the flash register block
    or the flash, from the debugger or the core."""
    found = []
    for m in re.finditer(r'trace: \S+: (cpu|ap\d) write 0x([0-9a-f]{8})/', sim_log):
        addr = int(m.group(2), 16)
        if 0x52002000 <= addr < 0x52002200 or BANK1 <= addr < BANK2 + di.BANK_SIZE:
            found.append('%s 0x%08x' % (m.group(1), addr))
    return found


def prepared_board(name, setup, check_setup=None):
    """A board (idle firmware) that went through the setup commands; its
    state file, and the physical banks it then holds."""
    state = tmpfile('%s-state.bin' % name)
    with Sim('--flash-image', di.write_bin('%s-fw.bin' % name, di.idle_firmware()),
             state=state) as sim:
        out = sim.openocd(*di.session(*setup), timeout=120)
    if check_setup:
        check_setup(out)
    banks = (di.export_bank(sim, 1, '%s-b1-before.bin' % name),
             di.export_bank(sim, 2, '%s-b2-before.bin' % name))
    return state, banks, out


def refusal_run(name, state, banks, cmds):
    """Run cmds on the prepared board with the simulator tracing every
    access; returns the OpenOCD log, the flash writes the simulator saw, the
    stats before and after. Fails if a physical bank changed."""
    with Sim('--trace', state=state) as sim:
        before = di.bank_stats(sim)
        mark = len(sim.log())
        out = sim.openocd(*di.session(*dump('before'), *cmds, *dump('after')),
                          allow=REFUSED, timeout=120)
        after = di.bank_stats(sim)
        writes = flash_writes(sim.log()[mark:])
    for n in (1, 2):
        di.expect_same_data(di.export_bank(sim, n, '%s-b%d-after.bin' % (name, n)), banks[n - 1],
                            'physical bank %d after the refused operations' % n, out)
    expect_eq(regs(out, 'after'), regs(out, 'before'), 'option registers after the refusals', out)
    check(not writes, 'the refused operations wrote to the flash or its registers: %s'
          % ', '.join(writes[:8]), out)
    for key in ('words_programmed', 'sectors_erased', 'bank_erases'):
        expect_eq([b[key] for b in after], [b[key] for b in before], 'simulator %s' % key, out)
    return out


# ---- 1. flash info -------------------------------------------------------------------------

def test_flash_info_shows_areas():
    """Factory: no areas. Then a PCROP area with DMEP in bank 1 and a secure
    area in bank 2, first with SECURITY off (not enforced), then on."""
    pcrop = '{0x%08x 0x%08x}' % (BANK1 + SECTOR, BANK1 + SECTOR + 0xFFFF)
    secure = '{0x%08x 0x%08x}' % (BANK2 + 2 * SECTOR, BANK2 + 3 * SECTOR - 1)
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(
            *di.section('info0-factory', 'flash info 0'),
            *di.section('info1-factory', 'flash info 1'),
            'stm32h743 option_set pcrop1 %s dmep1 erase confirm' % pcrop,
            'stm32h743 option_set secure2 %s confirm' % secure,
            *di.section('info0', 'flash info 0'), *di.section('info1-off', 'flash info 1'),
            'stm32h743 option_set security on confirm',
            *di.section('info1-on', 'flash info 1'),
            capture('prar1', 'format 0x%%08x [read_memory 0x%08x 32 1]' % PRAR_CUR[0]),
            capture('scar2', 'format 0x%%08x [read_memory 0x%08x 32 1]' % SCAR_CUR[1])))
    for n in (1, 2):
        text = di.between(out, 'info%d-factory' % (n - 1))
        expect_in('PCROP area: none (FLASH_PRAR_CUR%d=0x000000ff); DMEP clear: kept by an RDP '
                  'regression' % n, text, 'flash info %d (factory)' % (n - 1), out)
        expect_in('secure area: none (FLASH_SCAR_CUR%d=0x000000ff); DMES clear: kept by an RDP '
                  'regression' % n, text, 'flash info %d (factory)' % (n - 1), out)
    expect_eq(out.value('prar1'), '0x82ff0200', 'FLASH_PRAR_CUR1 (mdw)', out)
    expect_eq(out.value('scar2'), '0x05ff0400', 'FLASH_SCAR_CUR2 (mdw)', out)
    expect_in('PCROP area: 0x08020000-0x0802ffff (FLASH_PRAR_CUR1=0x82ff0200); DMEP set: erased '
              'by an RDP regression', di.between(out, 'info0'), 'flash info 0', out)
    expect_in('secure area: none (FLASH_SCAR_CUR1=0x000000ff)', di.between(out, 'info0'),
              'flash info 0', out)
    expect_in('PCROP area: none (FLASH_PRAR_CUR2=0x000000ff)', di.between(out, 'info1-off'),
              'flash info 1', out)
    expect_in('secure area: 0x08140000-0x0815ffff (FLASH_SCAR_CUR2=0x05ff0400), not enforced '
              '(SECURITY off); DMES clear: kept by an RDP regression',
              di.between(out, 'info1-off'), 'flash info 1, SECURITY off', out)
    expect_in('secure area: 0x08140000-0x0815ffff (FLASH_SCAR_CUR2=0x05ff0400), enforced '
              '(SECURITY on); DMES clear: kept by an RDP regression',
              di.between(out, 'info1-on'), 'flash info 1, SECURITY on', out)
    expect_not_in('cannot examine', out, 'openocd output of a healthy board')


# ---- 2. refusals ---------------------------------------------------------------------------

def test_pcrop_area_refuses_erase_and_write():
    """PCROP area 0x08020000-0x0802ffff (bank 1 sector 1, first half):
    sector erase, bank erase, erase_address, mass erase (one bank and both)
    and writes into it are refused with the area, its register and the way
    out; nothing reaches the chip. `stm32h743 option_set pcrop1 none` (no
    confirm) then lifts it and the sector erases."""
    inside = di.random_bytes(4096, 1)
    beside = di.random_bytes(4096, 2)
    inside_path = di.write_bin('inside.bin', inside)
    beside_path = di.write_bin('beside.bin', beside)
    small_path = di.write_bin('small.bin', di.random_bytes(256, 3))
    area = (BANK1 + SECTOR, BANK1 + SECTOR + 0xFFFF)
    state, banks, _ = prepared_board('pcrop', [
        'flash write_image erase %s 0x%08x' % (inside_path, area[0]),
        'flash write_image erase %s 0x%08x' % (beside_path, area[1] + 1),
        'stm32h743 option_set pcrop1 {0x%08x 0x%08x} confirm' % area])
    value = 0x02FF0200
    out = refusal_run('pcrop', state, banks, [
        *di.attempt('sector', 'flash erase_sector 0 1 1'),
        *di.attempt('sectors', 'flash erase_sector 0 0 2'),
        *di.attempt('bank', 'flash erase_sector 0 0 last'),
        *di.attempt('address', 'flash erase_address 0x%08x 0x%x' % (BANK1 + SECTOR, SECTOR)),
        *di.attempt('mass', 'stm32h743 mass_erase 0'),
        *di.attempt('mass_all', 'stm32h743 mass_erase all'),
        *di.attempt('write', 'flash write_image %s 0x%08x' % (small_path, area[0] + 0x8000)),
        *di.attempt('write_end', 'flash write_image %s 0x%08x' % (small_path, area[1] - 0x7F)),
        *di.attempt('write_erase', 'flash write_image erase %s 0x%08x'
                    % (inside_path, area[0]))])
    sector1 = 'bank 1 sector 1 holds'
    for key, what in (('sector', 'erase'), ('sectors', 'erase'), ('bank', 'erase'),
                      ('address', 'erase'), ('write_erase', 'erase'), ('mass', 'mass erase'),
                      ('mass_all', 'mass erase')):
        expect_refused(out, key, pcrop_refusal(what, sector1, area[0], area[1], 1, value),
                       key)
    expect_refused(out, 'write', pcrop_refusal(
        'write', r'0x08028000-0x080280ff reaches into', area[0], area[1], 1, value), 'write')
    expect_refused(out, 'write_end', pcrop_refusal(
        'write', r'0x0802ff80-0x0803007f reaches into', area[0], area[1], 1, value),
        'write across the end of the area')
    # The way out the message gives, without the confirm word.
    with Sim(state=state) as sim:
        di.expect_commands_exist(sim, di.between(out, 'sector'), 'the PCROP refusal')
        lifted = sim.openocd(*di.session(
            *di.attempt('none', 'stm32h743 option_set pcrop1 none'),
            *di.section('info', 'flash info 0'),
            *di.attempt('erase', 'flash erase_sector 0 1 1'),
            'dump_image %s 0x%08x 0x%x' % (tmpfile('s1.bin'), area[0], SECTOR)))
    check(not di.failed(lifted, 'none'), 'option_set pcrop1 none failed', lifted)
    expect_in('pcrop1: {0x08020000 0x0802ffff} -> none', di.between(lifted, 'none'),
              'option_set pcrop1 none', lifted)
    expect_in('PCROP area: none (FLASH_PRAR_CUR1=0x000000ff)', di.between(lifted, 'info'),
              'flash info 0 after pcrop1 none', lifted)
    check(not di.failed(lifted, 'erase'), 'sector 1 erase failed after pcrop1 none', lifted)
    di.expect_same_data(tmpfile('s1.bin'), b'\xff' * SECTOR, 'sector 1 after the erase', lifted)


def test_secure_area_refused_while_security_on():
    """Secure area 0x08140000-0x0815ffff (bank 2 sector 2): with SECURITY
    off it is not enforced and the sector erases; with SECURITY on erase,
    bank erase, mass erase of both banks and writes there are refused and
    nothing reaches the chip (bank 1 is not erased by `mass_erase all`
    either). `secure2 none` then lifts it without the confirm word."""
    data = di.random_bytes(4096, 4)
    data_path = di.write_bin('secure-data.bin', data)
    small_path = di.write_bin('small.bin', di.random_bytes(64, 5))
    area = (BANK2 + 2 * SECTOR, BANK2 + 3 * SECTOR - 1)

    def inactive_area_erases(out):
        check(not di.failed(out, 'inactive'), 'erase under a secure area with SECURITY off was '
              'refused: %r' % di.between(out, 'inactive').strip(), out)

    state, banks, _ = prepared_board('secure', [
        'flash write_image erase %s 0x%08x' % (data_path, BANK1 + 3 * SECTOR),
        'stm32h743 option_set secure2 {0x%08x 0x%08x} confirm' % area,
        *di.attempt('inactive', 'flash erase_sector 1 2 2'),
        'flash write_image %s 0x%08x' % (data_path, area[0]),
        'stm32h743 option_set security on confirm'], inactive_area_erases)
    check(banks[1][2 * SECTOR:2 * SECTOR + len(data)] == data,
          'setup: the data under the secure area was not written')
    value = 0x05FF0400
    out = refusal_run('secure', state, banks, [
        *di.attempt('sector', 'flash erase_sector 1 2 2'),
        *di.attempt('bank', 'flash erase_sector 1 0 last'),
        *di.attempt('mass_all', 'stm32h743 mass_erase all'),
        *di.attempt('write', 'flash write_image %s 0x%08x' % (small_path, area[1] - 63))])
    for key, what, subject in (('sector', 'erase', 'bank 2 sector 2 holds'),
                               ('bank', 'erase', 'bank 2 sector 2 holds'),
                               ('mass_all', 'mass erase', 'bank 2 sector 2 holds'),
                               ('write', 'write', '0x0815ffc0-0x0815ffff reaches into')):
        expect_refused(out, key, secure_refusal(what, subject, area[0], area[1], 2, value), key)
    with Sim(state=state) as sim:
        lifted = sim.openocd(*di.session(
            *di.attempt('none', 'stm32h743 option_set secure2 none'),
            *di.attempt('erase', 'flash erase_sector 1 2 2')))
    check(not di.failed(lifted, 'none'), 'option_set secure2 none failed', lifted)
    expect_in('secure2: {0x08140000 0x0815ffff} -> none', di.between(lifted, 'none'),
              'option_set secure2 none', lifted)
    check(not di.failed(lifted, 'erase'), 'bank 2 sector 2 erase failed after secure2 none',
          lifted)


# ---- 3. the confirm word -------------------------------------------------------------------

def test_setting_areas_needs_confirm():
    """Without the confirm word, a PCROP or secure area is refused, saying
    why, and nothing is written (not even the other fields given with it);
    with it the area is set; `none` needs no confirm word."""
    pcrop1 = '{0x08000000 0x0801ffff}'
    cmds = [*dump('start')]
    refused = [('pcrop1', 'pcrop1 %s' % pcrop1, 'execute-only (PCROP)'),
               ('pcrop2', 'pcrop2 {0x08100000 0x081fffff}', 'execute-only (PCROP)'),
               ('secure1', 'secure1 {0x08060000 0x0807ffff}', 'secure-only'),
               ('mixed', 'bor_lev 2 pcrop1 %s' % pcrop1, 'execute-only (PCROP)')]
    for key, args, _ in refused:
        cmds += di.attempt('no-' + key, 'stm32h743 option_set ' + args)
    cmds += dump('refused')
    cmds += di.attempt('yes-pcrop1', 'stm32h743 option_set pcrop1 %s confirm' % pcrop1)
    cmds += di.attempt('yes-secure1', 'stm32h743 option_set secure1 {0x08060000 0x0807ffff} '
                       'confirm')
    cmds += dump('set')
    cmds += di.attempt('none-pcrop1', 'stm32h743 option_set pcrop1 none')
    cmds += di.attempt('none-secure1', 'stm32h743 option_set secure1 none')
    cmds += di.attempt('none-pcrop2', 'stm32h743 option_set pcrop2 none')
    cmds += dump('cleared')
    with di.board_sim() as sim:
        s0 = sim.stats()['flash']['option_changes']
        out = sim.openocd(*di.session(*cmds))
        s1 = sim.stats()['flash']['option_changes']
    for key, args, kind in refused:
        check(di.failed(out, 'no-' + key), 'option_set %s without confirm: accepted' % args, out)
        text = di.between(out, 'no-' + key)
        field = args.split()[2] if key == 'mixed' else key
        for word in ('refused: %s {' % field, kind, "Add the word 'confirm'", 'nothing written'):
            expect_in(word, text, 'option_set %s without confirm' % args, out)
    expect_eq(regs(out, 'refused'), regs(out, 'start'), 'option registers after the refusals',
              out)
    for key in ('yes-pcrop1', 'yes-secure1', 'none-pcrop1', 'none-secure1', 'none-pcrop2'):
        check(not di.failed(out, key), '%s failed: %r' % (key, di.between(out, key).strip()), out)
    was = regs(out, 'set')
    expect_eq(was[PRAR_CUR[0]], 0x01FF0000, 'FLASH_PRAR_CUR1 with confirm', out)
    expect_eq(was[SCAR_CUR[0]], 0x07FF0600, 'FLASH_SCAR_CUR1 with confirm', out)
    expect_eq(was[OPTSR_CUR], regs(out, 'start')[OPTSR_CUR], 'FLASH_OPTSR_CUR (bor_lev kept)',
              out)
    now = regs(out, 'cleared')
    expect_eq([now[PRAR_CUR[0]], now[SCAR_CUR[0]], now[PRAR_CUR[1]]], [NO_AREA] * 3,
              'PRAR_CUR1, SCAR_CUR1, PRAR_CUR2 after setting none without confirm', out)
    expect_in('pcrop1: {0x08000000 0x0801ffff} -> none', di.between(out, 'none-pcrop1'))
    expect_in('already hold these values', di.between(out, 'none-pcrop2'))
    expect_eq(s1 - s0, 4, 'option-byte changes (two with confirm, two to none)')


# ---- 4. RDP level 2 ------------------------------------------------------------------------

RDP2_BLOCK = ['Warn : ******************** RDP LEVEL 2 IS PERMANENT ********************',
              'Warn : committing RDP level 2 now (RDP byte 0xCC into FLASH_OPTSR_PRG), as '
              'confirmed:',
              'Warn :   - SWD/JTAG debug and boundary scan end for good once the change completes;']


# The debug port goes silent as the level 2 change ends: what OpenOCD says then.
PORT_SILENT = [r'^Error: Invalid ACK \(7\) in DAP response$', r'^Error: JTAG-DP STICKY ERROR$',
               r'^Error: Failed to read memory and, additionally, failed to find out where',
               r'^Error: cannot read FLASH_OPTSR_CUR at 0x5200201c']


def test_rdp_level2_warning_and_examine_fail():
    """`rdp 2` without confirm: refused, no warning. With confirm: the
    PERMANENT block comes before the change is reported, and the change
    ends with the debug port silent. After a power cycle the scan chain
    answers all ones (JTAG off for good)."""
    with di.board_sim() as sim:
        out = sim.openocd(*di.session(*di.attempt('no', 'stm32h743 option_set rdp 2'),
                                      *di.attempt('yes', 'stm32h743 option_set rdp 2 confirm')),
                          allow=PORT_SILENT)
        sim.stop()
        sim.start()         # power cycle: level 2 is in force from now on
        after = sim.openocd('init', 'shutdown', check=False, timeout=60)
    check(di.failed(out, 'no'), 'rdp 2 without confirm accepted', out)
    expect_not_in('RDP LEVEL 2', di.between(out, 'no'), 'rdp 2 without confirm', out)
    check(not di.failed(out, 'yes'), 'rdp 2 confirm failed', out)
    text = di.between(out, 'yes')
    lines = text.split('\n')
    for want in RDP2_BLOCK:
        check(want in lines, 'rdp 2 confirm: line %r missing' % want, text)
    check(text.index('RDP LEVEL 2 IS PERMANENT') < text.index('rdp: 0 -> 2'),
          'the warning block comes after the change is reported', text)
    expect_eq(out.count('RDP LEVEL 2 IS PERMANENT'), 1, 'warning blocks', out)
    # JTAG is off for good: TDO stays high, as on a chip without power
    expect_in('JTAG scan chain interrogation failed: all ones', after, 'init at RDP level 2',
              after)
    expect_not_in('tap/device found', after, 'init at RDP level 2', after)


# ---- 5. no probe -----------------------------------------------------------------------------

NO_PROBE = [
    "Error: no ST-LINK could be opened. This board file looks for an ST-LINK/V2, V2-1 or "
    "STLINK-V3 on USB (vendor id 0x0483) through adapter driver '%s', transport '%s'.",
    "  - the USB cable: probe plugged in, a data cable (not charge-only); `lsusb` lists a "
    "0483:37xx device;",
    "  - udev rules: without them only root may open the probe; copy 60-openocd.rules "
    "(contrib/ in OpenOCD's share directory) to /etc/udev/rules.d/, run `udevadm control "
    "--reload` and replug the probe;",
    "  - `adapter serial`: if set (before this file), it must be the probe's serial number;",
    "  - another program holding the probe (STM32CubeProgrammer, STM32CubeIDE, st-util, "
    "another OpenOCD): close it."]


def stlink_attached():
    """An ST-LINK (USB 0483:37xx) on this machine, per sysfs."""
    for dev in glob.glob('/sys/bus/usb/devices/*'):
        try:
            with open(os.path.join(dev, 'idVendor')) as f:
                vendor = f.read().strip()
            with open(os.path.join(dev, 'idProduct')) as f:
                product = f.read().strip()
        except OSError:
            continue
        if vendor == '0483' and product.startswith('37'):
            return True
    return False


def openocd_alone(name, *args):
    """OpenOCD with no simulator and no servers; its Log."""
    argv = [env.openocd_bin(), '-c', 'gdb_port disabled; telnet_port disabled; '
            'tcl_port disabled'] + list(args)
    env.log('$ ' + ' '.join(argv))
    proc = subprocess.run(argv, cwd=env.tmpdir(), capture_output=True, text=True, timeout=60)
    out = Log(proc.stdout + proc.stderr, 'openocd output (%s)' % name, proc.returncode)
    env.log_output(out)
    return out


def test_no_probe_says_what_to_check():
    """board/h743custom.cfg with no ST-LINK to open (a serial no probe has,
    so that the run is the same on a machine with one): init fails and the
    board file says which probe it looked for and what to check, for DAP
    mode and for the hla fallback. Without a serial, when no ST-LINK is
    attached: the same with init at start-up (no -c)."""
    serial = ['-c', 'adapter serial h743-test-no-such-probe']
    runs = [('dap', 'st-link', 'dapdirect_swd',
             serial + ['-f', 'board/h743custom.cfg', '-c', 'init', '-c', 'shutdown']),
            ('hla', 'hla', 'hla_swd',
             serial + ['-f', 'interface/stlink.cfg', '-c', 'transport select hla_swd',
                       '-f', 'board/h743custom.cfg', '-c', 'init', '-c', 'shutdown'])]
    if not stlink_attached():
        runs.append(('startup', 'st-link', 'dapdirect_swd', ['-f', 'board/h743custom.cfg']))
    else:
        env.note('an ST-LINK is attached: the run without `adapter serial` was left out')
    for name, driver, transport, args in runs:
        out = openocd_alone(name, *args)
        check(out.returncode != 0, '%s: openocd exited with 0 without a probe' % name, out)
        lines = out.split('\n')
        check('Error: open failed' in lines, '%s: the driver\'s own message is missing' % name,
              out)
        for want in [NO_PROBE[0] % (driver, transport)] + NO_PROBE[1:]:
            check(want in lines, '%s: line missing: %r' % (name, want), out)
        dap_note = 'DAP mode needs ST-LINK/V2 firmware V2J24 or later'
        check((dap_note in out) == (driver == 'st-link'),
              '%s: the DAP firmware note is %s' % (name, 'missing' if driver == 'st-link'
                                                   else 'there with hla'), out)
        expect_not_in('No Valid JTAG Interface', out, name, out)


def test_init_wrapper_passes_success_through():
    """The board file's `init` wrapper, put in front of the simulator's
    adapter by hand (it is only installed for ST-LINK): a good init goes
    through unchanged, and the session works."""
    config = ['interface/h743sim.cfg', 'board/h743custom.cfg',
              '-c rename init h743custom_plain_init; rename h743custom_init init']
    with di.board_sim() as sim:
        out = sim.openocd(capture('wrapped', 'llength [info commands h743custom_plain_init]'),
                          'init', 'reset halt', *di.section('info', 'flash info 0'),
                          config=config)
    expect_eq(out.value('wrapped'), '1', 'init wrapper installed', out)
    expect_in('#0 : stm32h743 at 0x08000000, size 0x00100000', di.between(out, 'info'),
              'flash info 0 through the wrapped init', out)
    expect_not_in('no ST-LINK', out, 'a good init', out)
