# SPDX-License-Identifier: GPL-2.0-or-later
"""Core debug through OpenOCD batch runs: halt, registers, memory, loading
and running ramtest, step, hardware breakpoint, reset flows
(OpenOCD's src/target/cortex_m.c and armv7m.c)."""

from harness import (AXI_SRAM, PARK_ADDR, RAMTEST_PATTERN, STACK_TOP, Sim, capture, check,
                     expect_eq, expect_gt, expect_in, expect_re, park_commands, ramtest)

CORE_REGS = (['r%d' % i for i in range(13)] +
             ['sp', 'lr', 'pc', 'xPSR', 'msp', 'psp', 'primask', 'basepri', 'faultmask',
              'control'])
FPU_REGS = ['d%d' % i for i in range(16)] + ['fpscr']

# What a real STM32H743 with erased flash shows after reset (vector table
# words 0xffffffff).
ERASED_MSP = 0xFFFFFFFC
ERASED_PC = 0xFFFFFFFE

# `reset run` from erased flash ends in lockup on a real chip; OpenOCD then
# logs this when it notices.
LOCKUP = r'clearing lockup after double fault'


def read32(addr, count=1):
    return 'read_memory 0x%08x 32 %d' % (addr, count)


def test_halt_and_registers():
    with Sim() as sim:
        # park_commands() ends with resume + halt: a full debug entry.
        out = sim.openocd('init', *park_commands(), 'reg',
                          capture('state', '[target current] curstate'))
        expect_in('halted due to debug-request', out)
        expect_eq(out.value('state'), 'halted', 'target state', out)
        for name in CORE_REGS + FPU_REGS:
            out.reg(name)            # fails when the register is not listed
        expect_re(r'^\(\d+\) d15 \(/64\): 0x[0-9a-f]{16}$', out, 'FPU double register d15')
        pc = out.reg('pc')
        check(pc in (PARK_ADDR, PARK_ADDR + 2), 'pc %#x outside the park loop' % pc, out)
        stats = sim.stats()
        expect_eq(stats['core']['state'], 'halted', 'sim core state')
        expect_eq(stats['core']['pc'], pc, 'sim pc vs OpenOCD pc')


def test_memory_roundtrip():
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            # DTCM: word writes, then byte/halfword views of them
            'mww 0x20000000 0x11223344', 'mww 0x20000004 0xa5a5f00f',
            'mdw 0x20000000 2', 'mdb 0x20000000 8', 'mdh 0x20000000 4',
            'mdb 0x20000001 6',
            # DTCM: byte and halfword writes into a cleared word
            'mww 0x20000008 0', 'mwb 0x20000008 0x5a', 'mwh 0x2000000a 0x1234',
            capture('sub', read32(0x20000008)),
            # AXI SRAM, including the last word
            'mww 0x24000000 0xdeadbeef', 'mww 0x2407fffc 0x0badcafe',
            capture('axi', read32(0x24000000)), capture('axi_end', read32(0x2407fffc)),
            # ITCM, SRAM1, SRAM4
            'mww 0x00000100 0x17c0ffee', capture('itcm', read32(0x00000100)),
            'mww 0x30000000 0x5a4a3a2a', capture('sram1', read32(0x30000000)),
            'mww 0x38000000 0x44332211', capture('sram4', read32(0x38000000)),
            # a block across a 1 KiB boundary (TAR rewrite)
            'write_memory 0x240003f8 32 {0x01010101 0x02020202 0x03030303 0x04040404}',
            capture('block', read32(0x240003f8, 4)),
            # erased flash
            'mdw 0x08000000 4', 'mdw 0x081ffff8 2')
        expect_eq(out.mem(0x20000000, 2), [0x11223344, 0xA5A5F00F], 'mdw DTCM', out)
        expect_eq(out.mem(0x20000000, 8, 1), [0x44, 0x33, 0x22, 0x11, 0x0F, 0xF0, 0xA5, 0xA5],
                  'mdb DTCM', out)
        expect_eq(out.mem(0x20000000, 4, 2), [0x3344, 0x1122, 0xF00F, 0xA5A5], 'mdh DTCM', out)
        expect_eq(out.mem(0x20000001, 6, 1), [0x33, 0x22, 0x11, 0x0F, 0xF0, 0xA5],
                  'mdb at an odd address', out)
        expect_eq(out.int('sub'), 0x1234005A, 'mwb/mwh into a word', out)
        expect_eq(out.int('axi'), 0xDEADBEEF, 'AXI SRAM first word', out)
        expect_eq(out.int('axi_end'), 0x0BADCAFE, 'AXI SRAM last word', out)
        expect_eq(out.int('itcm'), 0x17C0FFEE, 'ITCM', out)
        expect_eq(out.int('sram1'), 0x5A4A3A2A, 'SRAM1', out)
        expect_eq(out.int('sram4'), 0x44332211, 'SRAM4', out)
        block = [int(v, 0) for v in out.value('block').split()]
        expect_eq(block, [0x01010101, 0x02020202, 0x03030303, 0x04040404],
                  'block across 1 KiB boundary', out)
        expect_eq(out.mem(0x08000000, 4), [0xFFFFFFFF] * 4, 'erased flash (bank 1 start)', out)
        expect_eq(out.mem(0x081FFFF8, 2), [0xFFFFFFFF] * 2, 'erased flash (bank 2 end)', out)


def test_load_run_step_breakpoint():
    fw = ramtest()
    counter, hits = fw.sym('ramtest_counter'), fw.sym('ramtest_bp_hits')
    bp = fw.sym('bp_target')
    with Sim() as sim:
        out = sim.openocd(
            'init', 'halt',
            *fw.load_and_start(),
            'sleep 300', 'halt',
            capture('c1', read32(counter)), capture('pc1', 'reg pc'),
            'step', capture('pc2', 'reg pc'), capture('c1_step', read32(counter)),
            'resume', 'sleep 300', 'halt', capture('c2', read32(counter)),
            'bp 0x%08x 2 hw' % bp, 'resume', 'wait_halt 5000',
            capture('pc_bp', 'reg pc'), capture('hits1', read32(hits)),
            # one instruction from the breakpoint (OpenOCD steps off an FPB match)
            'step', capture('pc_bp_step', 'reg pc'), capture('hits1_step', read32(hits)),
            'resume', 'wait_halt 5000', capture('hits2', read32(hits)),
            'rbp 0x%08x' % bp,
            'resume', 'sleep 300', 'halt',
            capture('hits3', read32(hits)), capture('sp', 'reg sp'),
            capture('pattern', read32(fw.sym('pattern_buffer'), len(RAMTEST_PATTERN))),
            timeout=90)
        expect_in('%d bytes written at address 0x%08x' % (fw.size, AXI_SRAM), out)
        expect_in('verified %d bytes' % fw.size, out)
        c1, c2 = out.int('c1'), out.int('c2')
        expect_gt(c1, 0, 'ramtest_counter after the first run', out)
        expect_gt(c2, c1, 'ramtest_counter after resuming', out)
        check(out.int('pc2') != out.int('pc1'), 'step did not change pc (%#x)'
              % out.int('pc1'), out)
        check(out.int('c1_step') - c1 in (0, 1), 'step ran more than one instruction: counter '
              '%d -> %d' % (c1, out.int('c1_step')), out)
        expect_in('halted due to single-step', out)
        expect_in('breakpoint set at 0x%08x' % bp, out)
        expect_eq(out.int('pc_bp'), bp, 'pc at the hardware breakpoint', out)
        expect_in('halted due to breakpoint', out)
        pc_step = out.int('pc_bp_step')
        check(pc_step != bp and fw.contains('bp_target', pc_step),
              'step from the breakpoint at bp_target went to %#x' % pc_step, out)
        expect_eq(out.int('hits1_step'), out.int('hits1'), 'bp_target calls during one step', out)
        expect_eq(out.int('hits2'), out.int('hits1') + 1, 'bp_target calls between two hits', out)
        expect_gt(out.int('hits3'), out.int('hits2') + 1, 'bp_target calls after rbp', out)
        sp = out.int('sp')
        check(STACK_TOP - 0x100 <= sp < STACK_TOP, 'sp %#x not near the DTCM top' % sp, out)
        pattern = [int(v, 0) for v in out.value('pattern').split()]
        expect_eq(pattern, RAMTEST_PATTERN, 'pattern_buffer', out)
        stats = sim.stats()
        expect_gt(stats['cpu_instructions'], c2, 'sim cpu_instructions', out)


def test_reset_flows():
    with Sim() as sim:
        out = sim.openocd(
            'init',
            capture('vectors', read32(0x08000000, 2)),
            'reset halt',
            capture('halt_pc', 'reg pc'), capture('halt_msp', 'reg msp'),
            capture('halt_xpsr', 'reg xPSR'),
            capture('halt_state', '[target current] curstate'),
            'reset init',
            capture('init_pc', 'reg pc'), capture('init_state', '[target current] curstate'),
            'reset run', 'sleep 200',
            capture('run_state', '[target current] curstate'),
            allow=[LOCKUP])
        sp0, pc0 = [int(v, 0) for v in out.value('vectors').split()]
        expect_eq(out.int('halt_msp'), sp0 & ~3, 'msp after reset halt (vector word 0)', out)
        expect_eq(out.int('halt_pc'), pc0 & ~1, 'pc after reset halt (vector word 1)', out)
        if pc0 & 1:
            expect_eq(out.int('halt_xpsr'), 0x01000000, 'xPSR after reset halt', out)
        if (sp0, pc0) == (0xFFFFFFFF, 0xFFFFFFFF):
            expect_eq(out.int('halt_pc'), ERASED_PC, 'pc with erased flash', out)
            expect_eq(out.int('halt_msp'), ERASED_MSP, 'msp with erased flash', out)
        expect_eq(out.value('halt_state'), 'halted', 'state after reset halt', out)
        expect_eq(out.value('init_state'), 'halted', 'state after reset init', out)
        expect_eq(out.int('init_pc'), pc0 & ~1, 'pc after reset init', out)
        run_state = out.value('run_state')
        if 'clearing lockup' in out:
            check(run_state in ('running', 'halted'), 'state after reset run and lockup: %s'
                  % run_state, out)
        else:
            expect_eq(run_state, 'running', 'state after reset run', out)


def test_reset_halt_upstream_cfg():
    """`reset halt` with upstream's config: its reset-init adapter speed
    error is the only one allowed (checks.UPSTREAM_ERRORS)."""
    with Sim() as sim:
        out = sim.openocd('init', 'reset halt', capture('pc', 'reg pc'),
                          'reset init', capture('state', '[target current] curstate'),
                          config='upstream')
        expect_eq(out.int('pc'), ERASED_PC, 'pc after reset halt (erased flash)', out)
        expect_eq(out.value('state'), 'halted', 'state after reset init', out)
