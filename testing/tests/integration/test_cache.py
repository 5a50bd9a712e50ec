# SPDX-License-Identifier: GPL-2.0-or-later
"""The Cortex-M7 L1 caches as a debugger meets them (issue 12): the firmware
enables both caches, and GDB and Tcl still see and change what the core sees,
software breakpoints in cached RAM code are hit, and flash programmed under a
running firmware is what the core runs and what verify compares.

OpenOCD's automatic maintenance (src/target/cortex_m_cache.c, patches/0012)
does it. Each "_without_maintenance" test switches it off, which is plain
OpenOCD 0.12's behaviour, and shows the same step going wrong on the
simulator's cache model (testing/sim/cache.c): the tests can fail."""

import re

from harness import (OpenOCDServer, Sim, check, expect_eq, expect_in, expect_re, jtag_only,
                     note, park_commands)
from harness.checks import FIRMWARE_STARTED
from harness.env import Firmware

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

CCR = 0xE000ED14
CCR_DC, CCR_IC = 1 << 16, 1 << 17
HPROT3 = 0x08000000
AXI_SRAM = 0x24000000


def cachetest(version=1):
    """Flash firmware that enables both caches and loops; cachetest2 differs
    only in its version constant and version_fn's immediate."""
    return Firmware('cachetest' if version == 1 else 'cachetest2')


def icachetest():
    """AXI SRAM firmware that enables both caches and calls ram_tick()."""
    return Firmware('icachetest')


def start_in_flash(fw):
    """Program fw into flash and let it run from reset."""
    return ['reset halt', 'flash write_image erase %s' % fw.elf, 'reset run',
            'echo %s' % FIRMWARE_STARTED]


def setup_cmds(hprot_cleared=False, maintenance=True):
    cmds = []
    if hprot_cleared:
        # debugger accesses then bypass the D-cache (MEM-AP CSW.HPROT[3] = 0)
        cmds.append('stm32h743.dap apcsw 0 0x%08x' % HPROT3)
    if not maintenance:
        cmds.append('cortex_m cache_maintenance off')
    return cmds


def gdb_values(out, label):
    """{NAME: int} from a line `LABEL NAME=n NAME=n ...` printed by GDB."""
    m = expect_re(r'^%s((?: \w+=\d+)+)$' % label, out, label)
    return {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', m.group(1))}


def read_word(ocd, address):
    return int(ocd.cmd('read_memory 0x%08x 32 1' % address).split()[0], 0)


def run_to(ocd, fw, symbol, ms=3000):
    """Resume with a hardware breakpoint at symbol; returns once halted there."""
    ocd.cmd('bp 0x%08x 2 hw' % fw.sym(symbol))
    ocd.cmd('resume')
    ocd.cmd('wait_halt %d' % ms)
    ocd.cmd('rbp 0x%08x' % fw.sym(symbol))
    expect_eq(current_pc(ocd), fw.sym(symbol), 'pc at %s' % symbol)


def current_pc(ocd):
    return int(re.search(r'0x[0-9a-f]+', ocd.cmd('reg pc')).group(0), 16)


def caches_on(ocd):
    ccr = read_word(ocd, CCR)
    return bool(ccr & CCR_DC), bool(ccr & CCR_IC)


# ---- identification --------------------------------------------------------

def test_cache_info_geometry_and_state():
    fw = cachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, 'reset halt') as ocd:
            info = ocd.cmd('cortex_m cache_info')
            expect_re(r'D-cache: 16 KiB, 4 ways x 128 sets, 32-byte lines \(CCSIDR 0xf00fe019\), '
                      r'disabled', info, 'D-cache geometry after reset')
            expect_re(r'I-cache: 16 KiB, 2 ways x 256 sets, 32-byte lines \(CCSIDR 0x201fe009\), '
                      r'disabled', info, 'I-cache geometry after reset')
            expect_in('never cached, no maintenance there: ITCM 64 KiB at 0x00000000, DTCM 128 '
                      'KiB at 0x20000000', info)
            expect_in('debugger accesses look up the D-cache (MEM-AP CSW.HPROT[3] = 1)', info)
            expect_in('automatic maintenance: on', info)
            for c in start_in_flash(fw)[1:]:
                ocd.cmd(c)
            run_to(ocd, fw, 'cache_loop_point')
            info = ocd.cmd('cortex_m cache_info')
            expect_re(r'D-cache: .*, enabled', info, 'D-cache on in the firmware')
            expect_re(r'I-cache: .*, enabled', info, 'I-cache on in the firmware')
            expect_eq(ocd.cmd('cortex_m cache_maintenance off').strip(),
                      'cortex_m cache_maintenance off', 'switching maintenance off')
            expect_in('automatic maintenance: off', ocd.cmd('cortex_m cache_info'))
            # a reset turns both caches off again, and programming still works
            ocd.cmd('cortex_m cache_maintenance on')
            ocd.cmd('reset halt')
            expect_eq(caches_on(ocd), (False, False), 'CCR.DC/IC after reset halt')
            ocd.cmd('flash write_image erase %s' % fw.elf)
            ocd.cmd('verify_image %s' % fw.elf)


# ---- D-cache: print and set a variable ---------------------------------------

def counter_session(hprot_cleared, maintenance):
    """GDB stops the firmware twice at cache_loop_point, prints counter and
    seen (the core did seen = counter; counter = seen + 1), sets counter to 5
    and continues once more. Returns GDB's output."""
    fw = cachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(fw)) as ocd:
            for c in setup_cmds(hprot_cleared, maintenance):
                ocd.cmd(c)
            out = ocd.gdb(
                fw.elf,
                'hbreak cache_loop_point',
                'continue',
                'continue',
                'printf "FIRST counter=%u seen=%u\\n", counter, seen',
                'set var counter = 5',
                'continue',
                'printf "AFTER counter=%u seen=%u\\n", counter, seen',
                'printf "CCR ccr=%u\\n", *(unsigned int *)0xE000ED14',
                'delete',
                'detach')
    ccr = gdb_values(out, 'CCR')['ccr']
    check(ccr & CCR_DC and ccr & CCR_IC, 'the firmware did not enable both caches: CCR %#x'
          % ccr, out)
    return out


def expect_core_values(out):
    first = gdb_values(out, 'FIRST')
    check(first['seen'] >= 1, 'the loop has not run twice: %s' % first, out)
    expect_eq(first['counter'], first['seen'] + 1, 'counter as GDB prints it (the core '
              'wrote seen + 1)', out)
    after = gdb_values(out, 'AFTER')
    expect_eq(after['seen'], 5, 'the value the core read after `set var counter = 5`', out)
    expect_eq(after['counter'], 6, 'counter after one more iteration', out)


def test_gdb_print_and_set_variable_with_dcache_on():
    expect_core_values(counter_session(hprot_cleared=False, maintenance=True))


def test_gdb_print_and_set_variable_with_hprot3_cleared():
    """Debugger accesses bypass the D-cache: the maintenance cleans the lines
    before reading and cleans+invalidates around the write."""
    expect_core_values(counter_session(hprot_cleared=True, maintenance=True))


def test_gdb_without_maintenance_sees_stale_memory():
    out = counter_session(hprot_cleared=True, maintenance=False)
    first, after = gdb_values(out, 'FIRST'), gdb_values(out, 'AFTER')
    note('without maintenance, HPROT[3] clear: GDB printed %s, then %s' % (first, after))
    check(first['counter'] != first['seen'] + 1 or after['seen'] != 5,
          'with the maintenance off and HPROT[3] clear GDB should see memory, not the '
          'core\'s dirty D-cache lines (plain OpenOCD 0.12), but it saw %s then %s'
          % (first, after), out)


# ---- I-cache: software breakpoints in RAM code --------------------------------

def start_icachetest(ocd, fw):
    for c in park_commands()[:-2] + fw.load_and_start():
        ocd.cmd(c)
    ocd.cmd('sleep 200')
    ocd.cmd('halt')
    check(caches_on(ocd) == (True, True), 'icachetest did not enable both caches')
    check(read_word(ocd, fw.sym('ticks')) > 10, 'ram_tick has not run yet')


def test_gdb_software_breakpoint_in_cached_ram_code():
    fw = icachetest()
    with Sim() as sim:
        with OpenOCDServer(sim) as ocd:
            start_icachetest(ocd, fw)
            out = ocd.gdb(fw.elf,
                          'break ram_tick',
                          'continue',
                          'printf "HIT pc=%u ticks=%u\\n", $pc, ticks',
                          'delete',
                          'detach')
            expect_re(r'Breakpoint 1, (0x[0-9a-f]+ in )?ram_tick', out, 'software breakpoint')
            hit = gdb_values(out, 'HIT')
            check(fw.contains('ram_tick', hit['pc']), 'pc %#x not in ram_tick' % hit['pc'], out)
            # removed: the code runs on unchanged, no stale BKPT stops it
            ocd.cmd('resume')
            ocd.cmd('sleep 200')
            expect_eq(ocd.cmd('stm32h743.cpu0 curstate').strip(), 'running',
                      'state after the breakpoint was removed', out)
            ocd.cmd('halt')
            check(read_word(ocd, fw.sym('ticks')) > hit['ticks'] + 10,
                  'ram_tick stopped counting after the breakpoint was removed', ocd.log())


def test_software_breakpoint_without_maintenance_is_missed():
    fw = icachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, allow=(r'timed out while waiting for target halted',)) as ocd:
            start_icachetest(ocd, fw)
            ocd.cmd('cortex_m cache_maintenance off')
            ocd.cmd('bp 0x%08x 2' % fw.sym('ram_tick'))
            ocd.cmd('resume')
            ocd.cmd('wait_halt 500', check=False)
            state = ocd.cmd('stm32h743.cpu0 curstate').strip()
            expect_eq(state, 'running', 'the core with a BKPT written behind its I-cache '
                      '(plain OpenOCD 0.12 writes it to memory only)', ocd.log())
            ocd.cmd('halt')
            ocd.cmd('rbp 0x%08x' % fw.sym('ram_tick'))
            # by hand: invalidate, and the (re-inserted) breakpoint is hit.
            # Not from pc == ram_tick: resuming there steps over the
            # breakpoint, and that step refills the I-cache line from memory
            # without the BKPT, which plain 0.12 then writes behind it again.
            if current_pc(ocd) == fw.sym('ram_tick'):
                ocd.cmd('step')
            ocd.cmd('bp 0x%08x 2' % fw.sym('ram_tick'))
            ocd.cmd('cortex_m cache_invalidate')
            ocd.cmd('resume')
            ocd.cmd('wait_halt 2000')
            pc = current_pc(ocd)
            check(fw.contains('ram_tick', pc), 'after cortex_m cache_invalidate the breakpoint '
                  'should be hit: pc %#x' % pc, ocd.log())
            ocd.cmd('rbp 0x%08x' % fw.sym('ram_tick'))


# ---- flash programmed under a running firmware --------------------------------

# OpenOCD's default gdb-flash-erase-start and gdb-flash-write-end handlers
# reset the chip around a GDB `load` (which turns the caches off); IDE setups
# often replace them to keep the firmware's state.
NO_RESET_AROUND_GDB_LOAD = [
    'stm32h743.cpu0 configure -event gdb-flash-erase-start halt',
    'stm32h743.cpu0 configure -event gdb-flash-write-end halt',
]


def reload_session(maintenance, host_path=False):
    """v1 runs with caches on; GDB loads v2 into flash without a reset (the
    event handlers above) and runs it to cache_loop_point. Returns (sim, OpenOCD server, GDB output).

    host_path programs without the flash loader: the loader runs on the core,
    and its own fetches and flash stores (write-through, they update lines
    they hit) change what the caches hold; without it the caches keep
    exactly what the firmware left."""
    v1, v2 = cachetest(1), cachetest(2)
    for name in ('cachetest_version', 'version_fn', 'cache_loop_point', 'version_seen'):
        expect_eq(v1.sym(name), v2.sym(name), 'address of %s in both builds' % name)
    sim = Sim().start()
    ocd = OpenOCDServer(sim, *start_in_flash(v1))
    for c in setup_cmds(maintenance=maintenance) + NO_RESET_AROUND_GDB_LOAD:
        ocd.cmd(c)
    if host_path:
        ocd.cmd('stm32h743.cpu0 configure -work-area-size 0')
    out = ocd.gdb(v2.elf,
                  'hbreak cache_loop_point',
                  'continue',
                  'printf "BEFORE version=%u code=%u\\n", version_seen, version_code',
                  'load',
                  'continue',
                  'printf "AFTER version=%u code=%u\\n", version_seen, version_code',
                  'delete')
    before = gdb_values(out, 'BEFORE')
    expect_eq(before, {'version': 1, 'code': 0xA1}, 'v1 running before the load', out)
    return sim, ocd, out


def test_flash_load_with_caches_on_runs_new_code_and_verifies():
    v2 = cachetest(2)
    sim, ocd = None, None
    try:
        sim, ocd, out = reload_session(maintenance=True)
        expect_eq(gdb_values(out, 'AFTER'), {'version': 2, 'code': 0xA2},
                  'what the core ran after GDB `load` without a reset', out)
        # verify: the flash CRC unit, and the core's view read back
        ocd.cmd('verify_image %s' % v2.elf)
        expect_eq(read_word(ocd, v2.sym('cachetest_version')), 2,
                  'cachetest_version read back through the D-cache')
        ocd.close()
    finally:
        if ocd:
            ocd.close(check=False)
        if sim:
            sim.stop()


def test_flash_load_without_maintenance_runs_old_code():
    sim, ocd = None, None
    try:
        sim, ocd, out = reload_session(maintenance=False, host_path=True)
        after = gdb_values(out, 'AFTER')
        note('without maintenance, after GDB load of v2: the core ran %s' % after)
        check(after != {'version': 2, 'code': 0xA2}, 'with the maintenance off the core should '
              'still run v1 from its caches (plain OpenOCD 0.12) but ran %s' % after, out)
        ocd.close(check=False)
    finally:
        if ocd:
            ocd.close(check=False)
        if sim:
            sim.stop()


def test_stale_dcache_named_by_verify_diagnosis():
    """Maintenance off, the firmware keeps only its D-cache on: after
    programming v2 without a reset the core still reads v1's constant, so
    verify (which compares what the core sees when caches may be stale)
    fails, and the diagnosis proves the stale line by reading both ways."""
    v1, v2 = cachetest(1), cachetest(2)
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(v1), allow=(
                r'verify failed', r'stm32h743', r'checksum mismatch',
                r'the core sees stale cached data')) as ocd:
            ocd.cmd('cortex_m cache_maintenance off')
            run_to(ocd, v1, 'cache_loop_point')
            ccr = read_word(ocd, CCR)
            ocd.cmd('mww 0x%08x 0x%08x' % (CCR, ccr & ~CCR_IC))
            ocd.cmd('flash write_image erase %s' % v2.elf)
            expect_eq(read_word(ocd, v2.sym('cachetest_version')), 1,
                      'cachetest_version through the stale D-cache line')
            result = ocd.cmd('verify_image %s' % v2.elf, check=False)
            expect_in('stale', result, 'verify_image error message')
            expect_re(r'D-cache holds an old copy of 0x%08x' % v2.sym('cachetest_version'),
                      ocd.log(), 'the evidence')
            expect_in('the core sees stale cached data', result, 'the verdict')
            expect_re(r'ruled out program-failed .*the flash itself holds the expected 0x02',
                      ocd.log(), 'program-failed ruled out by the flash\'s own contents')
            expect_in('cache_invalidate', ocd.log(), 'the next step')
            failure = ocd.cmd('stm32h743 last_failure')
            expect_in('stale-cache', failure, 'last_failure cause')
            # the suggested step works
            ocd.cmd('cortex_m cache_invalidate')
            ocd.cmd('verify_image %s' % v2.elf)


# ---- by hand, and the cost -----------------------------------------------------

def test_clean_and_invalidate_by_hand():
    fw = cachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(fw)) as ocd:
            for c in setup_cmds(hprot_cleared=True, maintenance=False):
                ocd.cmd(c)
            run_to(ocd, fw, 'cache_loop_point')
            run_to(ocd, fw, 'cache_loop_point')
            counter = fw.sym('counter')
            stale = read_word(ocd, counter)
            ocd.cmd('cortex_m cache_clean 0x%08x 4' % counter)
            core = read_word(ocd, counter)
            check(core != stale, 'cortex_m cache_clean did not write the dirty line back '
                  '(read %d before and after)' % core)
            ocd.cmd('cortex_m cache_clean')
            seen = read_word(ocd, fw.sym('seen'))
            expect_eq(core, seen + 1, 'counter after cleaning its line')
            # a write to memory, then invalidate: the core takes the new value
            ocd.cmd('mww 0x%08x 100' % counter)
            ocd.cmd('cortex_m cache_invalidate 0x%08x 4' % counter)
            run_to(ocd, fw, 'cache_loop_point')
            ocd.cmd('cortex_m cache_clean')
            expect_eq(read_word(ocd, fw.sym('seen')), 100, 'the value the core read')
            for bad in ('cortex_m cache_clean 0x24000000', 'cortex_m cache_clean 0x24000000 0',
                        'cortex_m cache_maintenance maybe'):
                ocd.cmd(bad, check=False)
                check(not ocd.last_ok, '%s was accepted' % bad)
            ocd.cmd('resume')
            res = ocd.cmd('cortex_m cache_clean', check=False)
            check(not ocd.last_ok, 'cache_clean on a running core was accepted')
            expect_in('not halted', res + ocd.log(), 'cache_clean on a running core')
            ocd.cmd('halt')


def ap_transactions_of(sim, ocd, tcl):
    """AP transactions tcl costs; OpenOCD's background poll must be off."""
    before = sim.stats()['ap_transactions']
    ocd.cmd(tcl)
    return sim.stats()['ap_transactions'] - before


READ_64K = 'read_memory 0x%08x 32 16384' % AXI_SRAM


def test_cost_no_extra_transactions_with_caches_off():
    """A 64 KiB read (what a GDB read of that size turns into) with the caches
    off costs the same AP transactions with the maintenance on and off; with
    the D-cache on it costs one whole-cache clean more, and only while debugger
    accesses bypass the D-cache."""
    figures = {}
    with Sim() as sim:
        with OpenOCDServer(sim, *park_commands()) as ocd:
            ocd.cmd('poll off')   # its DHCSR reads would land in the counts
            ocd.cmd(READ_64K)   # the first read sets CSW and TAR up: not counted
            for on in ('on', 'off', 'on'):
                ocd.cmd('cortex_m cache_maintenance %s' % on)
                ocd.cmd('resume')
                ocd.cmd('halt')
                figures['off', on] = ap_transactions_of(sim, ocd, READ_64K)
    expect_eq(figures['off', 'on'], figures['off', 'off'],
              'AP transactions of a 64 KiB read, caches off, maintenance on vs off')
    fw = cachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(fw)) as ocd:
            run_to(ocd, fw, 'cache_loop_point')
            ocd.cmd('poll off')
            ocd.cmd(READ_64K)   # not counted, as above
            for hprot in (False, True):
                for on in ('on', 'off'):
                    for c in setup_cmds(hprot_cleared=hprot):
                        ocd.cmd(c)
                    ocd.cmd('cortex_m cache_maintenance %s' % on)
                    run_to(ocd, fw, 'cache_loop_point')
                    figures['hprot0' if hprot else 'hprot1', on] = \
                        ap_transactions_of(sim, ocd, READ_64K)
    expect_eq(figures['hprot1', 'on'], figures['hprot1', 'off'],
              'AP transactions with the D-cache on and HPROT[3] set (coherent already)')
    extra = figures['hprot0', 'on'] - figures['hprot0', 'off']
    check(0 < extra <= 600, 'one D-cache clean by set/way (512 writes) expected with '
          'HPROT[3] clear, got %d more transactions' % extra)
    note('AP transactions for a 64 KiB read: caches off %d (maintenance on) / %d (off); '
         'caches on, HPROT[3]=1: %d / %d; HPROT[3]=0: %d / %d'
         % (figures['off', 'on'], figures['off', 'off'], figures['hprot1', 'on'],
            figures['hprot1', 'off'], figures['hprot0', 'on'], figures['hprot0', 'off']))


def gdb_read_cost(sim, ocd, elf):
    """AP transactions of a 64 KiB GDB read: a GDB session that dumps
    0x24000000-0x2400ffff, less the same session without the dump."""
    costs = []
    for dump in (False, True):
        before = sim.stats()['ap_transactions']
        cmds = ['dump binary memory /dev/null 0x%08x 0x%08x' % (AXI_SRAM, AXI_SRAM + 0x10000)]
        ocd.gdb(elf, *(cmds if dump else []), 'detach')
        ocd.cmd('halt')
        costs.append(sim.stats()['ap_transactions'] - before)
    return costs[1] - costs[0]


@jtag_only('figures for the closing note; the SWD run counts the same AP transactions')
def test_cost_of_a_64k_gdb_read():
    """The same over GDB (its memory packets): the caches-off cost does not
    depend on the maintenance setting. Prints the figures."""
    fw = cachetest()
    figures = {}
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(fw)) as ocd:
            ocd.cmd('poll off')
            ocd.cmd('halt')
            for caches in ('off', 'on'):
                if caches == 'off':
                    ocd.cmd('mww 0x%08x 0' % CCR)    # both caches off, nothing dirty yet
                for hprot in (False, True):
                    for on in ('on', 'off'):
                        for c in setup_cmds(hprot_cleared=hprot):
                            ocd.cmd(c)
                        ocd.cmd('cortex_m cache_maintenance %s' % on)
                        figures[caches, hprot, on] = gdb_read_cost(sim, ocd, fw.elf)
                    ocd.cmd('stm32h743.dap apcsw 0x%08x 0x%08x' % (HPROT3, HPROT3))
                if caches == 'off':
                    ocd.cmd('reset halt')
                    run_to(ocd, fw, 'cache_loop_point')
    # what one GDB session leaves behind (OpenOCD's cached TAR and CSW, GDB's
    # own reads) moves a count by a few transactions; a clean would add 512.
    # The exact zero is test_cost_no_extra_transactions_with_caches_off's.
    for hprot in (False, True):
        diff = abs(figures['off', hprot, 'on'] - figures['off', hprot, 'off'])
        check(diff < 16, 'GDB 64 KiB read with the caches off (HPROT[3] %s): %d transactions '
              'with the maintenance on, %d off' % ('clear' if hprot else 'set',
                                                   figures['off', hprot, 'on'],
                                                   figures['off', hprot, 'off']))
    note('AP transactions, 64 KiB GDB read (maintenance on / off): caches off %d / %d; '
         'caches on, HPROT[3]=1 %d / %d, HPROT[3]=0 %d / %d'
         % (figures['off', False, 'on'], figures['off', False, 'off'],
            figures['on', False, 'on'], figures['on', False, 'off'],
            figures['on', True, 'on'], figures['on', True, 'off']))


def test_hardware_breakpoints_beyond_the_fpb_say_why():
    fw = cachetest()
    with Sim() as sim:
        with OpenOCDServer(sim, *start_in_flash(fw),
                           allow=(r'all 8 FPB code comparators',
                                  r"can't add breakpoint: resource not available")) as ocd:
            ocd.cmd('halt')
            base = fw.sym('cache_loop_point')
            for i in range(8):
                ocd.cmd('bp 0x%08x 2 hw' % (base + 2 * i))
            ocd.cmd('bp 0x%08x 2 hw' % (base + 16), check=False)
            log = ocd.log()
            expect_re(r'cannot set a hardware breakpoint at 0x%08x: all 8 FPB code comparators'
                      % (base + 16), log, 'the ninth hardware breakpoint')
            expect_in('delete one', log)
            ocd.cmd('rbp all')
