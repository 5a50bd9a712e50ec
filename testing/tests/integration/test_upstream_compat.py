# SPDX-License-Identifier: GPL-2.0-or-later
"""Scripts written for upstream OpenOCD 0.12's stm32h7x driver run unchanged
on the stm32h743 driver (issue 13, compatibility): target/stm32h7x.cfg and
stm32h7x_dual_bank.cfg with `set STM32H7_FLASH_DRIVER stm32h743` give our
driver under upstream's names, and the stm32h7x commands (mass_erase, lock,
unlock, option_read, option_write) print upstream's output, each with a hint
naming our command. Without the switch the configs are upstream's."""

from harness import Sim, check, expect_eq, expect_in, expect_not_in, expect_re
from harness.board import idle_firmware, write_file

OPTSR_CUR = 0x5200201C

# Written for upstream's stm32h7x driver; not a word changed for ours.
UPSTREAM_SCRIPT = '''\
# production script for an STM32H743 with OpenOCD 0.12 (stm32h7x)
init
reset halt
echo [stm32h7x mass_erase 0]
echo [stm32h7x mass_erase 1]
flash write_image erase {image} 0x08000000 bin
echo [verify_image {image} 0x08000000 bin]
echo "OPTSR: [stm32h7x option_read 0 0x1c]"
echo "[stm32h7x option_write 0 0x20 0x4 0xc]"
echo "OPTSR AFTER: [stm32h7x option_read 0 0x1c]"
echo "[stm32h7x lock 0]"
echo "LOCKED: [stm32h7x option_read 0 0x1c]"
echo "[stm32h7x unlock 0]"
echo "UNLOCKED: [stm32h7x option_read 0 0x1c]"
echo [flash banks]
echo [targets]
shutdown
'''

OURS = ['interface/h743sim.cfg', '-c set STM32H7_FLASH_DRIVER stm32h743',
        'target/stm32h7x_dual_bank.cfg']
UPSTREAM = ['interface/h743sim.cfg', 'target/stm32h7x_dual_bank.cfg']

# lines whose shape upstream's driver defines
SHAPES = [
    r'^stm32h7x mass erase complete$',
    r'^OPTSR: Option Register: <0x5200201c> = 0x[0-9a-f]+$',
    r'^OPTSR AFTER: Option Register: <0x5200201c> = 0x[0-9a-f]+$',
    r'^stm32h7x locked$',
    r'^LOCKED: Option Register: <0x5200201c> = 0x[0-9a-f]+$',
    r'^stm32h7x unlocked$',
    r'^UNLOCKED: Option Register: <0x5200201c> = 0x[0-9a-f]+$',
    r'^verified \d+ bytes in \d+\.\d+s \(\d+\.\d+ KiB/s\)$',
]


def idle_board():
    """A chip that boots into `b .` (upstream's driver wants a running core)."""
    return Sim('--flash-image', write_file('board.bin', idle_firmware()))


def run_script(config, image):
    script = write_file('production.cfg', UPSTREAM_SCRIPT.format(image=image).encode())
    with idle_board() as sim:
        # the script as the last -f file, as an IDE or a shell passes it
        return sim.openocd(config=config + [script], timeout=120,
                           allow=(r'clearing lockup',))


def optsr(out, label):
    return int(expect_re(r'^%s: Option Register: <0x5200201c> = 0x([0-9a-f]+)$' % label, out,
                         label).group(1), 16)


def test_upstream_script_runs_unchanged_on_our_driver():
    image = write_file('image.bin', bytes((i * 7 + 3) & 0xFF for i in range(48 * 1024)))
    out = run_script(OURS, image)
    for shape in SHAPES:
        expect_re(shape, out, 'upstream output line %s' % shape)
    # our driver, under upstream's names
    expect_re(r'\(stm32h743\) at 0x08000000', out, 'flash banks: the stm32h743 driver')
    expect_re(r'\(stm32h743\) at 0x08100000', out, 'flash banks: bank 2 too')
    expect_in('stm32h7x.cpu0', out, 'the target named as upstream names it')
    # each command says what our command is
    for old in ('mass_erase', 'option_read', 'option_write', 'lock', 'unlock'):
        expect_re(r"`stm32h7x %s` is upstream stm32h7x's command: with the stm32h743 driver "
                  r"use `stm32h743 " % old, out, 'deprecation hint for %s' % old)
    before, after = optsr(out, 'OPTSR'), optsr(out, 'OPTSR AFTER')
    expect_eq((after >> 2) & 3, 1, 'BOR_LEV after option_write 0x20 0x4 0xc')
    expect_eq(before & ~0xC, after & ~0xC, 'the other OPTSR bits')
    check(((optsr(out, 'LOCKED') >> 8) & 0xFF) not in (0xAA, 0xCC),
          'RDP after stm32h7x lock is not level 1: OPTSR %#x' % optsr(out, 'LOCKED'), out)
    expect_eq((optsr(out, 'UNLOCKED') >> 8) & 0xFF, 0xAA, 'RDP after stm32h7x unlock')
    expect_in('verified 49152 bytes', out, 'verify_image')


def test_same_script_same_output_shapes_as_upstream():
    """The same script under upstream's driver (no switch) prints the same
    lines: what a script parses does not change."""
    image = write_file('image.bin', bytes(range(256)) * 64)
    out = run_script(UPSTREAM, image)
    for shape in SHAPES:
        expect_re(shape, out, 'upstream driver line %s' % shape)
    expect_re(r'\(stm32h7x\) at 0x08000000', out, 'without the switch: upstream\'s driver')
    expect_not_in('(stm32h743)', out, 'without the switch: not ours')


def test_option_write_refuses_what_option_set_refuses():
    with idle_board() as sim:
        out = sim.openocd('init', 'reset halt',
                          'catch {stm32h7x option_write 0 0x1c 0 0xff} e; echo "CUR: $e"',
                          'catch {stm32h7x option_write 0 0x20 0x40000000 0x40000000} e; '
                          'echo "RESERVED: $e"',
                          'catch {stm32h7x option_write 0 0x20 0xcc00 0xff00} e; '
                          'echo "RDP2: $e"',
                          'echo "OPTSR: [stm32h7x option_read 0 0x1c]"',
                          'catch {stm32h7x option_read 0 0x1e} e; echo "ODD: $e"',
                          'catch {stm32h7x mass_erase} e; echo "NOBANK: $e"',
                          config='board',
                          allow=(r"is upstream stm32h7x's command", r'clearing lockup',
                                 r'confirm'))
    expect_re(r'^CUR: 0x1c is not an option register to program: give a \*_PRG offset', out)
    expect_re(r'^RESERVED: bits 0x40000000 of FLASH_OPTSR_PRG are not option fields', out)
    expect_re(r'^RDP2: .*confirm', out, 'RDP level 2 through option_write needs the confirm '
              'word of option_set')
    expect_eq((optsr(out, 'OPTSR') >> 8) & 0xFF, 0xAA, 'RDP still level 0')
    expect_re(r"^ODD: '0x1e' is not a FLASH register offset", out)
    expect_re(r'^  stm32h7x mass_erase bank_id\nNOBANK: $', out, 'usage, as upstream prints it')
