# SPDX-License-Identifier: GPL-2.0-or-later
"""Where things are: source/build/install trees, tools, firmware, temp dirs.

The environment comes from `make check` (H743_TOP_SRCDIR, H743_BUILDDIR,
H743_INSTALL). By hand, defaults are the tree this file is in and its
build/ directory (run-tests --builddir overrides).
"""

import os
import shutil
import subprocess
import tempfile
import time

from .checks import FIRMWARE_STARTED, fail

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))


def top_srcdir():
    return os.environ.get('H743_TOP_SRCDIR') or os.path.dirname(os.path.dirname(HARNESS_DIR))


def builddir():
    if os.environ.get('H743_BUILDDIR'):
        return os.environ['H743_BUILDDIR']
    return os.path.join(top_srcdir(), 'build')


def install_dir():
    return os.environ.get('H743_INSTALL') or os.path.join(builddir(), 'install')


def setup_environ(build=None):
    """Fill in the H743_* variables (for the tests, their pytest workers and the demo)."""
    if build:
        os.environ['H743_BUILDDIR'] = os.path.abspath(build)
        os.environ.pop('H743_INSTALL', None)
    os.environ['H743_TOP_SRCDIR'] = top_srcdir()
    os.environ['H743_BUILDDIR'] = builddir()
    os.environ['H743_INSTALL'] = install_dir()


def built_binary(name):
    """Path of a binary installed into $H743_INSTALL/bin; fails if absent."""
    path = os.path.join(install_dir(), 'bin', name)
    if not os.access(path, os.X_OK):
        fail('%s not built: %s is missing (run `make` in the build directory, '
             'or point H743_BUILDDIR/H743_INSTALL at it)' % (name, path))
    return path


def openocd_bin():
    return built_binary('openocd')


def sim_bin():
    return built_binary('h743sim')


def tool(name):
    """A host tool from PATH (gdb-multiarch, valgrind, arm-none-eabi-nm)."""
    path = shutil.which(name)
    if not path:
        fail('required tool %s not found in PATH' % name)
    return path


# ---- per-test scratch directory and notes ----------------------------------

_fallback_tmpdir = None


def tmpdir():
    """This test's private directory: $H743_TEST_TMPDIR, which the pytest
    plugin (testing/conftest.py) sets for each test, else one made once for
    this process (benchmarks, the demo)."""
    global _fallback_tmpdir
    path = os.environ.get('H743_TEST_TMPDIR')
    if not path:
        if _fallback_tmpdir is None:
            _fallback_tmpdir = tempfile.mkdtemp(prefix='h743-')
        path = _fallback_tmpdir
    os.makedirs(path, exist_ok=True)
    return path


def tmpfile(name):
    return os.path.join(tmpdir(), name)


def unique_name(stem, ext):
    """A file name in tmpdir() not used yet: stem-1.ext, stem-2.ext, ..."""
    n = 1
    while os.path.exists(tmpfile('%s-%d.%s' % (stem, n, ext))):
        n += 1
    return tmpfile('%s-%d.%s' % (stem, n, ext))


_t0 = time.monotonic()


def restart_clock():
    """log()'s timestamps count from now (the start of a test)."""
    global _t0
    _t0 = time.monotonic()


def log(msg):
    """Progress line in the test's own output (shown with -v or on failure).
    Paths inside the test's directory (the children's cwd) are shortened."""
    msg = msg.replace(tmpdir() + os.sep, '')
    print('[%6.2fs] %s' % (time.monotonic() - _t0, msg), flush=True)


def time_scale():
    """H743_TIMEOUT_SCALE (default 1): how much longer everything may take
    in this build (sanitizers); the harness's own waits use it too."""
    return float(os.environ.get('H743_TIMEOUT_SCALE') or 1)


def verbose():
    return os.environ.get('H743_VERBOSE') == '1'


def log_output(text):
    """With run-tests -v (H743_VERBOSE=1), copy a child's whole output into the
    test's captured output."""
    if verbose():
        label = getattr(text, 'label', 'output')
        print('    --- %s ---\n%s\n    --- end of %s ---'
              % (label, '\n'.join('    | ' + l for l in str(text).rstrip('\n').split('\n')),
                 label), flush=True)


def note(msg):
    """A figure worth seeing when the test passes: printed in the run's
    "notes" summary (testing/conftest.py), also logged."""
    log(msg)
    with open(tmpfile('notes.txt'), 'a') as f:
        f.write(msg + '\n')


# ---- firmware ----------------------------------------------------------------

# Mirrors testing/firmware/firmware.h.
RAMTEST_BP_INTERVAL = 1000
RAMTEST_PATTERN = [0xC0FFEE00 + i for i in range(16)]
RAMTEST_HELLO = 'hello from h743sim'

AXI_SRAM = 0x24000000
DTCM = 0x20000000
STACK_TOP = 0x20020000


# A `b .` loop in ITCM, which nothing else uses, with the stack in DTCM.
PARK_ADDR = 0x00000100


def park_commands():
    """OpenOCD commands that leave the core halted in a `b .` loop in ITCM
    after a fresh debug entry (all registers read), instead of where a blank
    chip sits after reset (lockup at pc 0xfffffffe, where every memory
    access around pc and sp faults, e.g. when GDB attaches)."""
    return ['halt', 'mww 0x%08x 0xe7fee7fe' % PARK_ADDR, 'reg pc 0x%08x' % PARK_ADDR,
            'reg xPSR 0x01000000', 'reg sp 0x%08x' % (STACK_TOP - 0x100),
            'resume', 'halt']


class Firmware:
    """One test firmware image: $H743_BUILDDIR/firmware/NAME.{elf,bin,hex}."""

    def __init__(self, name):
        self.name = name
        base = os.path.join(builddir(), 'firmware', name)
        self.elf, self.bin, self.hex = base + '.elf', base + '.bin', base + '.hex'
        for path in (self.elf, self.bin):
            if not os.path.isfile(path):
                fail('firmware not built: %s is missing (run `make`)' % path)
        self._symbols = None

    def symbols(self):
        """{name: (address, size)} from arm-none-eabi-nm (Thumb bit cleared)."""
        if self._symbols is None:
            out = subprocess.run([tool('arm-none-eabi-nm'), '-S', self.elf],
                                 capture_output=True, text=True, check=True).stdout
            self._symbols = {}
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 4:
                    addr, size, _, sym = parts
                    self._symbols[sym] = (int(addr, 16) & ~1, int(size, 16))
                elif len(parts) == 3:
                    addr, _, sym = parts
                    self._symbols[sym] = (int(addr, 16) & ~1, 0)
        return self._symbols

    def sym(self, name):
        """Address of a symbol (functions without the Thumb bit)."""
        if name not in self.symbols():
            fail('symbol %s not in %s' % (name, self.elf))
        return self.symbols()[name][0]

    def contains(self, name, address):
        """True if address lies inside symbol name."""
        start, size = self.symbols()[name]
        return start <= address < start + max(size, 1)

    @property
    def entry(self):
        """Reset_Handler (ELF entry) without the Thumb bit."""
        return self.sym('Reset_Handler')

    @property
    def size(self):
        return os.path.getsize(self.bin)

    def load_and_start(self, bp=None):
        """OpenOCD commands: load the .bin at its link address, verify it, and
        start it at Reset_Handler (Thumb state). The target must be halted.
        If bp names a symbol, a hardware breakpoint is set there first.
        From here on a core lockup counts as an error (FIRMWARE_STARTED)."""
        cmds = ['load_image %s 0x%08x bin' % (self.bin, AXI_SRAM),
                'verify_image %s 0x%08x bin' % (self.bin, AXI_SRAM),
                'reg xPSR 0x01000000',
                'reg sp 0x%08x' % STACK_TOP]
        if bp:
            cmds.append('bp 0x%08x 2 hw' % self.sym(bp))
        cmds += ['echo %s' % FIRMWARE_STARTED, 'resume 0x%08x' % self.entry]
        return cmds


def ramtest():
    return Firmware('ramtest')


def semihost():
    return Firmware('semihost')



# Mirrors FLASHWRITER_* in testing/firmware/firmware.h.
FLASHWRITER_ADDR = 0x08020000
FLASHWRITER_PATTERN = 0xDEADBEEF


def flashwriter():
    """Flash firmware that, at every boot, erases bank 1 sector 1 and
    programs one flash word of FLASHWRITER_PATTERN at FLASHWRITER_ADDR."""
    return Firmware('flashwriter')


def lowpower():
    """Flash firmware that clears DBGMCU_CR and enters Stop (WFI with
    SLEEPDEEP): the debugger loses the core's bus."""
    return Firmware('lowpower')
