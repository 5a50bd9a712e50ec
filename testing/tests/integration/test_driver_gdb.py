# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver through gdb-multiarch: the memory map OpenOCD hands to
GDB has both banks as flash with 128 KiB blocks; `load` of an ELF with one
section in each bank (built here with arm-none-eabi-gcc) programs both;
compare-sections matches; `monitor reset halt`, a hardware breakpoint on
a function in flash, and `continue` stops there."""

import re
import subprocess

from harness import (OpenOCDServer, check, expect_eq, expect_in, expect_not_in, expect_re, fail,
                     tmpfile, tool)
from harness.checks import FIRMWARE_STARTED

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di

FIRMWARE_C = r'''
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Two-bank test firmware: code in bank 1, a data table in bank 2. */
extern const unsigned char table[];
volatile unsigned int ticks;

void __attribute__((noinline)) tick(unsigned int v)
{
	ticks = v;
}

void reset_handler(void)
{
	unsigned int i = 0;

	for (;;) {
		tick(i + table[i % TABLE_SIZE]);
		i++;
	}
}

__attribute__((section(".vectors"), used))
const void *const vectors[2] = { (const void *)0x20020000, (const void *)reset_handler };
'''

LINKER_SCRIPT = '''
/* SPDX-License-Identifier: GPL-2.0-or-later */
ENTRY(reset_handler)
MEMORY {
	BANK1 (rx) : ORIGIN = 0x08000000, LENGTH = 1M
	BANK2 (r)  : ORIGIN = 0x08100000, LENGTH = 1M
	DTCM (rw)  : ORIGIN = 0x20000000, LENGTH = 128K
}
SECTIONS {
	.text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) } > BANK1
	.bank2 : { KEEP(*(.bank2)) } > BANK2
	.bss (NOLOAD) : { *(.bss*) *(COMMON) } > DTCM
}
'''

TABLE_SIZE = 12 * 1024

# After a reset LR holds 0xffffffff; GDB's unwinder reads the code around
# that "return address" whenever it shows a frame (on connecting, at the
# breakpoint below reset_handler), and the bus refuses, as on a real chip.
UNWIND_READS = [r'^Error: JTAG-DP STICKY ERROR$',
                r'^Error: Failed to read memory at 0xfffffff[0-9a-f]$']


def build_firmware():
    """fw.elf from the sources above; returns (path, table bytes, symbols)."""
    table = di.random_bytes(TABLE_SIZE, 800)
    src, tab, ld, elf = (tmpfile(n) for n in ('fw.c', 'table.c', 'fw.ld', 'fw.elf'))
    with open(src, 'w') as f:
        f.write(FIRMWARE_C)
    with open(tab, 'w') as f:
        f.write('/* SPDX-License-Identifier: GPL-2.0-or-later */\n'
                '__attribute__((section(".bank2"), used))\n'
                'const unsigned char table[%d] = {\n%s\n};\n'
                % (TABLE_SIZE, ',\n'.join(','.join(str(b) for b in table[i:i + 32])
                                          for i in range(0, TABLE_SIZE, 32))))
    with open(ld, 'w') as f:
        f.write(LINKER_SCRIPT)
    cc = subprocess.run([tool('arm-none-eabi-gcc'), '-mcpu=cortex-m7', '-mthumb', '-O1', '-g',
                         '-nostdlib', '-nostartfiles', '-ffreestanding',
                         '-DTABLE_SIZE=%d' % TABLE_SIZE, '-T', ld, src, tab, '-o', elf],
                        capture_output=True, text=True)
    if cc.returncode != 0:
        fail('arm-none-eabi-gcc failed:\n' + cc.stderr)
    nm = subprocess.run([tool('arm-none-eabi-nm'), elf], capture_output=True, text=True,
                        check=True).stdout
    symbols = {m.group(2): int(m.group(1), 16) & ~1
               for m in re.finditer(r'^([0-9a-f]+) \w (\w+)$', nm, re.M)}
    return elf, table, symbols


def test_gdb_memory_map_load_and_break_in_flash():
    elf, table, syms = build_firmware()
    check(syms['tick'] < 0x08100000 <= syms['table'], 'tick in bank 1, table in bank 2: %s'
          % syms)
    with di.board_sim() as sim:
        with OpenOCDServer(sim, 'echo "%s"' % FIRMWARE_STARTED, allow=UNWIND_READS) as ocd:
            out = ocd.gdb(
                elf,
                'info mem',
                'monitor reset halt',
                'load',
                'compare-sections',
                'monitor reset halt',
                'printf "PC_AFTER_RESET=0x%x\\n", $pc',
                'hbreak tick',
                'continue',
                'printf "PC_AT_BP=0x%x\\n", $pc',
                'x/8xb &table',
                'printf "TICKS=%u\\n", ticks',
                'delete',
                'monitor flash info 1',
                'detach',
                timeout=120)
            dump = tmpfile('table-dump.bin')
            ocd.cmd('halt')
            ocd.cmd('dump_image %s 0x%08x %d' % (dump, syms['table'], TABLE_SIZE))
        stats = di.bank_stats(sim)
    expect_not_in('Remote communication error', out)
    expect_not_in('Remote connection closed', out)
    # Memory map: both banks as flash with 128 KiB erase blocks
    regions = [(int(lo, 16), int(hi, 16), attrs.strip()) for lo, hi, attrs in
               re.findall(r'^\d+\s+y\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (.*)$', out, re.M)]
    flash = [r for r in regions if 'flash' in r[2]]
    expect_eq(flash, [(0x08000000, 0x08100000, 'flash blocksize 0x20000 nocache'),
                      (0x08100000, 0x08200000, 'flash blocksize 0x20000 nocache')],
              'flash regions in the memory map', out)
    # load and compare-sections
    expect_re(r'^Loading section \.text, size 0x[0-9a-f]+ lma 0x8000000$', out, 'load .text')
    expect_re(r'^Loading section \.bank2, size 0x%x lma 0x8100000$' % TABLE_SIZE, out,
              'load .bank2')
    expect_re(r'^Start address 0x%08x, load size \d+$' % syms['reset_handler'], out, 'load')
    expect_re(r'^Section \.text, range 0x8000000 -- 0x[0-9a-f]+: matched\.$', out,
              'compare-sections .text')
    expect_re(r'^Section \.bank2, range 0x8100000 -- 0x%x: matched\.$'
              % (0x08100000 + TABLE_SIZE), out, 'compare-sections .bank2')
    expect_not_in('MIS-MATCHED', out)
    # reset halt lands on the new reset vector; the breakpoint in flash hits
    pc_reset = int(expect_re(r'^PC_AFTER_RESET=(0x[0-9a-f]+)$', out).group(1), 16)
    expect_eq(pc_reset, syms['reset_handler'], 'pc after monitor reset halt', out)
    expect_re(r'^Hardware assisted breakpoint 1 at 0x%x' % syms['tick'], out, 'hbreak')
    expect_re(r'Breakpoint 1, tick \(', out, 'continue to tick')
    pc_bp = int(expect_re(r'^PC_AT_BP=(0x[0-9a-f]+)$', out).group(1), 16)
    expect_eq(pc_bp, syms['tick'], 'pc at the hardware breakpoint', out)
    shown = [int(b, 16) for b in
             expect_re(r'^0x8100000 <table>:((?:\s+0x[0-9a-f]{2}){8})$', out).group(1).split()]
    expect_eq(bytes(shown), table[:8], 'x/8xb &table', out)
    expect_in('bank 2 at 0x08100000: physical bank 2, 8 sectors of 128 KiB', out,
              'monitor flash info 1')
    di.expect_same_data(dump, table, 'table in bank 2 after load', out)
    for bank in range(2):
        check(stats[bank]['words_programmed'] > 0, 'nothing programmed in bank %d' % (bank + 1))
