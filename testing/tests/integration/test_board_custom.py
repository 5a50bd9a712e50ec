# SPDX-License-Identifier: GPL-2.0-or-later
"""board/h743custom.cfg with an adapter chosen before it: the simulator's
interface/h743sim.cfg (JTAG) or interface/h743sim-swd.cfg (SWD at the DAP
level, the STLINK-V3 path). The board file must keep that adapter (no
ST-LINK), its transport and reset lines, add connect under reset, and
still give a working flash setup: probe, `flash info`, and
`program ... verify reset` of the flash demo firmware, which then boots
and runs from flash."""

from harness import (Sim, capture, check, expect_eq, expect_in, expect_not_in, expect_re,
                     transport)
from harness.checks import FIRMWARE_STARTED
from harness.env import Firmware

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

CONFIG = ['interface/h743sim.cfg', 'board/h743custom.cfg']
# What each interface file selects: adapter, transport, reset lines.
ADAPTER = {
    'jtag': ('remote_bitbang', 'jtag', 'trst_and_srst'),
    'swd': ('vdebug', 'dapdirect_swd', 'srst_only'),
}
DEMO_MESSAGE = 'h743sim demo running'    # testing/firmware/flashdemo.c


def adapter_captures():
    return [capture('adapter', 'adapter name'),
            capture('transport', 'transport select'),
            capture('reset_config', 'reset_config'),
            capture('speed', 'adapter speed')]


def test_custom_board_keeps_sim_adapter():
    """`init; reset halt; flash info 0` against a board that comes with the
    flash demo firmware, through the custom board file."""
    fw = Firmware('flashdemo')
    with Sim('--flash-image', fw.bin) as sim:
        out = sim.openocd(*adapter_captures(), 'init',
                          capture('state_after_init', '[target current] curstate'),
                          'reset halt', capture('pc', 'reg pc'), capture('msp', 'reg msp'),
                          'flash info 0', config=CONFIG)
    adapter, wire, lines = ADAPTER[transport()]
    expect_eq(out.value('adapter'), adapter, 'adapter kept by the board file')
    expect_eq(out.value('transport'), wire, 'transport')
    signals = out.value('reset_config').split()
    expect_eq(signals[0], lines, 'reset lines of the interface file')
    for mode in ('srst_nogate', 'connect_assert_srst'):
        check(mode in signals, 'reset_config lacks %s: %s' % (mode, ' '.join(signals)), out)
    expect_in('4000 kHz', out.value('speed'), 'adapter speed')
    expect_not_in('st-link', out.lower(), 'openocd output')
    # Connected under reset: the core stayed in reset until `reset halt`.
    expect_eq(out.value('state_after_init'), 'reset', 'target state after init')
    expect_in('external reset detected', out)
    # The board booted from flash: reset halt stops at the image's vectors.
    expect_eq(out.int('pc'), fw.entry, 'pc after reset halt (Reset_Handler)')
    expect_eq(out.int('msp'), 0x20020000, 'msp after reset halt (DTCM top)')
    expect_in('#0 : stm32h743 at 0x08000000, size 0x00100000', out)
    expect_in('STM32H742xI/H743xI/H753xI (device id 0x450, rev V), 2048 KiB flash in 2 banks',
              out)
    expect_re(r'^bank 1 at 0x08000000: physical bank 1, 8 sectors of 128 KiB', out)
    expect_in('programming parallelism x64', out)


def test_custom_board_program_verify():
    """`program flashdemo.elf verify reset` on a blank chip, a separate
    verify_image, then the firmware is seen running from flash."""
    fw = Firmware('flashdemo')
    counter, message = fw.sym('demo_counter'), fw.sym('demo_message')
    with Sim() as sim:
        out = sim.openocd('program %s verify reset' % fw.elf,
                          'echo %s' % FIRMWARE_STARTED,
                          'sleep 100', 'halt',
                          capture('verify', 'verify_image %s' % fw.elf),
                          capture('c1', 'read_memory 0x%08x 32 1' % counter),
                          'resume', 'sleep 100', 'halt',
                          capture('c2', 'read_memory 0x%08x 32 1' % counter),
                          capture('message', 'read_memory 0x%08x 8 %d'
                                  % (message, len(DEMO_MESSAGE) + 1)),
                          capture('pc', 'reg pc'),
                          config=CONFIG)
    pos = 0
    for step in ('** Programming Started **', '** Programming Finished **',
                 '** Verify Started **', '** Verified OK **', '** Resetting Target **'):
        found = out.find(step, pos)
        check(found >= 0, '%r missing or out of order' % step, out)
        pos = found
    expect_re(r'^verified %d bytes in ' % fw.size, out.value('verify'), 'verify_image')
    c1, c2 = out.int('c1'), out.int('c2')
    check(0 < c1 < c2, 'demo_counter does not count: %d, then %d' % (c1, c2), out)
    text = bytes(int(b, 0) for b in out.value('message').split())
    expect_eq(text, DEMO_MESSAGE.encode() + b'\0', 'demo_message')
    check(0x08000000 <= out.int('pc') < 0x08000000 + fw.size,
          'pc %#x is not in the flash image' % out.int('pc'), out)
