# SPDX-License-Identifier: GPL-2.0-or-later
"""Real firmware boots: ArduPilot's STM32H743 bootloaders (ChibiOS; Intel
HEX in ../shared/firmware/ardupilot/) reach their main loop on the
simulator's exception model (NVIC, SysTick, TIM5 as the ChibiOS system
timer, DMA memory-to-memory, the USB core reset), and a firmware fault runs
the firmware's own HardFault handler, while a fault inside that handler
locks the core up as silicon does (testing/sim/cm7_exc.c)."""

import os
import struct

from harness import Sim, capture, check, expect_eq, expect_gt, expect_in, note, tmpfile
from harness.env import top_srcdir

FLASH = 0x08000000
TIM5_CNT = 0x40000C24          # ChibiOS counts its system time here, at 1 MHz
DHCSR = 0xE000EDF0
S_LOCKUP = 1 << 19
CFSR, HFSR, BFAR = 0xE000ED28, 0xE000ED2C, 0xE000ED38
PRECISERR_BFARVALID = (1 << 9) | (1 << 15)
HFSR_FORCED = 1 << 30
BOOT_US = 2000000              # the virtual time each bootloader runs
BOOTLOADERS = {
    # name: HSE crystal of the board (its firmware sets the PLL for it)
    'CubeOrange_bl.hex': 24000000,
    'MatekH743_bl.hex': 8000000,
}


def firmware_dir():
    return os.path.join(os.path.dirname(top_srcdir()), 'shared', 'firmware', 'ardupilot')


def hex_to_binary(path):
    """Intel HEX (data, extended linear address, start records) as one image
    from its lowest address; returns (base, bytes)."""
    chunks, upper = {}, 0
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            check(line.startswith(':'), '%s:%d: not an Intel HEX record' % (path, number))
            rec = bytes.fromhex(line[1:])
            check(sum(rec) & 0xFF == 0, '%s:%d: bad checksum' % (path, number))
            count, addr, kind = rec[0], rec[1] << 8 | rec[2], rec[3]
            data = rec[4:4 + count]
            if kind == 0:
                chunks[upper + addr] = data
            elif kind == 4:
                upper = (data[0] << 8 | data[1]) << 16
            elif kind == 1:
                break
    base = min(chunks)
    image = bytearray(b'\xff' * (max(a + len(d) for a, d in chunks.items()) - base))
    for addr, data in chunks.items():
        image[addr - base:addr - base + len(data)] = data
    return base, bytes(image)


def run_until_us(us, rounds=150):
    """Tcl: let the core run until TIM5 (the firmware's 1 MHz system time)
    passes `us`, at most `rounds` sleeps of 100 ms (each about 200 ms of
    chip time: OpenOCD's DHCSR polls move the simulator's clock)."""
    return ('set ::t 0; for {set i 0} {$i < %d && $::t < %d} {incr i} '
            '{ sleep 100; set ::t [read_memory 0x%08x 32 1] }' % (rounds, us, TIM5_CNT))


def boot(name, hse_hz):
    base, image = hex_to_binary(os.path.join(firmware_dir(), name))
    expect_eq(base, FLASH, '%s load address' % name)
    path = tmpfile(name.replace('.hex', '.bin'))
    with open(path, 'wb') as f:
        f.write(image)
    with Sim('--flash-image', path, '--hse-hz', str(hse_hz)) as sim:
        out = sim.openocd(
            'init', 'reset run', run_until_us(BOOT_US),
            capture('state', '[target current] curstate'),
            capture('dhcsr', 'read_memory 0x%08x 32 1' % DHCSR),
            'halt', capture('tim5', 'read_memory 0x%08x 32 1' % TIM5_CNT),
            capture('hfsr', 'read_memory 0x%08x 32 1' % HFSR),
            'reg pc', 'reg xPSR', timeout=120)
        stats = sim.stats()
    pc = out.reg('pc')
    note('%s: pc 0x%08x after %.2f s of firmware time, %d exceptions taken'
         % (name, pc, out.int('tim5') / 1e6, stats['core']['exceptions']))
    expect_eq(out.value('state'), 'running', '%s: core state before the halt' % name, out)
    expect_eq(out.int('dhcsr') & S_LOCKUP, 0, '%s: DHCSR.S_LOCKUP' % name, out)
    expect_gt(out.int('tim5'), BOOT_US - 1, '%s: firmware time (TIM5) in us' % name, out)
    check(FLASH <= pc < FLASH + len(image), '%s: pc 0x%08x outside the image 0x%08x-0x%08x'
          % (name, pc, FLASH, FLASH + len(image)), out)
    expect_eq(out.int('hfsr'), 0, '%s: HFSR (no fault escalated to HardFault)' % name, out)
    check(out.reg('xPSR') & 0x1FF != 3, '%s: halted inside HardFault' % name, out)
    # ChibiOS's timer (TIM5 compare, IRQ 50) and context switches: thousands in 2 s
    expect_gt(stats['core']['exceptions'], 1000, '%s: exceptions taken' % name)
    return pc


def test_cubeorange_bootloader_reaches_its_main_loop():
    boot('CubeOrange_bl.hex', BOOTLOADERS['CubeOrange_bl.hex'])


def test_matekh743_bootloader_reaches_its_main_loop():
    boot('MatekH743_bl.hex', BOOTLOADERS['MatekH743_bl.hex'])


# ---- a tiny firmware that faults -----------------------------------------

MARK_ADDR = 0x20000000         # DTCM: what the firmware got to
MARK_STARTED = 0x53545254      # "TRTS": main ran
MARK_HANDLER = 0x44524148      # "HARD": the HardFault handler ran
UNMAPPED = 0x60000000          # FMC bank 1: nothing mapped, a precise bus fault


class Thumb:
    """A few Thumb instructions with a literal pool, enough for the test."""

    def __init__(self, base):
        self.base, self.code, self.literals = base, [], []

    def ldr_const(self, rt, value):        # LDR rt, [pc, #imm] from the pool
        self.code.append(('lit', rt, value))

    def op(self, halfword):
        self.code.append(('op', halfword))

    def assemble(self):
        end = self.base + 2 * len(self.code)
        pool = (end + 3) & ~3
        values = []
        out = b''
        for i, item in enumerate(self.code):
            if item[0] == 'op':
                out += struct.pack('<H', item[1])
                continue
            _, rt, value = item
            if value not in values:
                values.append(value)
            pc = (self.base + 2 * i + 4) & ~3
            imm = (pool + 4 * values.index(value) - pc) // 4
            out += struct.pack('<H', 0x4800 | rt << 8 | imm)
        out += b'\x00' * (pool - end)
        return out + b''.join(struct.pack('<I', v) for v in values)


def fault_firmware(fault_in_handler):
    """Vector table; main marks MARK_STARTED and loads from unmapped memory;
    the HardFault handler marks MARK_HANDLER at MARK_ADDR + 4, then (when
    asked) faults again with the same load, else waits in `b .`."""
    main = Thumb(FLASH + 0x100)
    main.ldr_const(0, MARK_ADDR)
    main.ldr_const(1, MARK_STARTED)
    main.op(0x6001)                        # str r1, [r0]
    main.ldr_const(2, UNMAPPED)
    main.op(0x6813)                        # ldr r3, [r2]: the fault
    main.op(0xE7FE)                        # b .
    handler = Thumb(FLASH + 0x180)
    handler.ldr_const(0, MARK_ADDR)
    handler.ldr_const(1, MARK_HANDLER)
    handler.op(0x6041)                     # str r1, [r0, #4]
    if fault_in_handler:
        handler.ldr_const(2, UNMAPPED)
        handler.op(0x6813)                 # ldr r3, [r2]: a fault in HardFault
    handler.op(0xE7FE)                     # b .
    image = bytearray(b'\xff' * 0x200)
    struct.pack_into('<IIII', image, 0, 0x20020000, FLASH + 0x101, FLASH + 0x181,
                     FLASH + 0x181)       # MSP, Reset, NMI, HardFault
    code = main.assemble()
    image[0x100:0x100 + len(code)] = code
    code = handler.assemble()
    image[0x180:0x180 + len(code)] = code
    path = tmpfile('fault%d.bin' % fault_in_handler)
    with open(path, 'wb') as f:
        f.write(bytes(image))
    return path


def run_fault_firmware(fault_in_handler):
    with Sim('--flash-image', fault_firmware(fault_in_handler)) as sim:
        out = sim.openocd(
            'init', 'reset run', 'sleep 200',
            capture('dhcsr', 'read_memory 0x%08x 32 1' % DHCSR),
            'halt', capture('marks', 'read_memory 0x%08x 32 2' % MARK_ADDR),
            capture('cfsr', 'read_memory 0x%08x 32 1' % CFSR),
            capture('hfsr', 'read_memory 0x%08x 32 1' % HFSR),
            capture('bfar', 'read_memory 0x%08x 32 1' % BFAR),
            'reg pc', 'reg xPSR')
        return out, sim.stats()


def test_fault_runs_the_firmwares_hardfault_handler():
    out, stats = run_fault_firmware(False)
    expect_eq(out.value('marks'), '0x%x 0x%x' % (MARK_STARTED, MARK_HANDLER),
              'marks of main and of the HardFault handler', out)
    expect_eq(out.int('dhcsr') & S_LOCKUP, 0, 'DHCSR.S_LOCKUP', out)
    expect_eq(out.reg('xPSR') & 0x1FF, 3, 'IPSR: in HardFault', out)
    pc = out.reg('pc')
    check(FLASH + 0x180 <= pc < FLASH + 0x1C0, 'pc 0x%08x not in the handler' % pc, out)
    expect_eq(out.int('cfsr'), PRECISERR_BFARVALID, 'CFSR: precise bus fault', out)
    expect_eq(out.int('hfsr'), HFSR_FORCED, 'HFSR: escalated (BusFault disabled)', out)
    expect_eq(out.int('bfar'), UNMAPPED, 'BFAR', out)
    expect_eq(stats['core']['state'], 'halted', 'sim core state')


def test_fault_inside_hardfault_locks_up():
    out, stats = run_fault_firmware(True)
    expect_eq(out.value('marks'), '0x%x 0x%x' % (MARK_STARTED, MARK_HANDLER),
              'marks of main and of the HardFault handler', out)
    # OpenOCD notices the lockup at its next poll and halts the core out of it.
    expect_in('clearing lockup after double fault', out)
    expect_eq(out.reg('pc'), 0xFFFFFFFE, 'pc in lockup', out)
    expect_eq(out.reg('xPSR') & 0x1FF, 3, 'IPSR: the fault came in HardFault', out)
    expect_eq(out.int('hfsr'), HFSR_FORCED, 'HFSR of the first fault', out)
