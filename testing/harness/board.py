# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers the flash tests share: a board that boots (idle firmware in
flash), its state file and banks, scratch files, byte comparisons, and the
markers that cut one command's output and result out of an OpenOCD log."""

import re
import struct
import subprocess
import time

from . import env
from .checks import check, expect_eq, fail
from .chip import BANK_SIZE, WORD
from .env import tmpfile
from .procs import Sim

STACK_TOP = 0x20020000

# What OpenOCD logs when a flash read fails (an ECC error after a power cut):
# allowed in the sessions that provoke it.
READ_FAILED = [r'^Error: JTAG-DP STICKY ERROR$', r'^Error: Failed to read memory at 0x',
               r'^Error: read_memory: read at 0x']


# ---- a board and its flash ---------------------------------------------------------

def pad_to_word(data):
    """data padded with erased bytes to whole 32-byte flash words."""
    return data + b'\xff' * (-len(data) % WORD)


def idle_firmware(msp=STACK_TOP):
    """Vector table (MSP, reset at 0x08000008) and `b .`, padded to one flash
    word: a board that boots into an idle loop instead of locking up."""
    return pad_to_word(struct.pack('<IIH', msp, 0x08000009, 0xE7FE))


def board_sim(*args, firmware=None):
    """h743sim with firmware in flash (the idle loop unless given), so that
    init finds a running core rather than the blank chip's lockup."""
    path = env.unique_name('board-fw', 'bin')
    with open(path, 'wb') as f:
        f.write(firmware or idle_firmware())
    return Sim('--flash-image', path, *args)


def dual_boot_state(name='board', bank1=b'', bank2=b''):
    """A state file of a board with the idle firmware at the start of both
    banks (so it boots with the banks swapped or not), then bank1 / bank2
    bytes after it."""
    one = idle_firmware() + bank1
    image = one + b'\xff' * (BANK_SIZE - len(one)) + idle_firmware() + bank2
    state = tmpfile('%s-state.bin' % name)
    with Sim('--flash-image', write_file('%s.bin' % name, image), state=state):
        pass
    return state


def dual_boot_sim(name='board'):
    """h743sim on a dual_boot_state(name) board."""
    return Sim(state=dual_boot_state(name))


def reset_halt_session(sim, *cmds, **kw):
    """One batch session (our driver unless config= says otherwise) with the
    core halted by reset, then cmds."""
    return sim.openocd('init', 'reset halt', *cmds, **kw)


def board_state(image, *args):
    """A state file of a board that came with `image` at 0x08000000 (one
    session with upstream's config has run on it)."""
    state = tmpfile('board-state.bin')
    with Sim('--flash-image', write_file('board.bin', image), *args, state=state) as sim:
        sim.openocd('init', 'halt', config='upstream')
    return state


def expect_state_loaded(sim):
    """The simulator booted on its state file without complaint."""
    text = sim.log()
    bad = [line for line in text.split('\n')
           if re.search(r'state file .*ignored|cannot (open|write) state file', line)]
    check(not bad, 'state file trouble: %s' % '; '.join(bad), text)


def wait_restarted(sim, listening_lines=2, limit=30):
    """Wait until the simulator's log shows it listening again after an
    injected power loss (same process, re-executed)."""
    deadline = time.monotonic() + limit * env.time_scale()
    while time.monotonic() < deadline:
        if sim.log().count('listening on') >= listening_lines:
            check(sim.running(), 'h743sim is not running after its restart\n' + sim.status())
            return
        if not sim.running():
            fail('h743sim died instead of restarting\n' + sim.status(), sim.log())
        time.sleep(0.05)
    fail('h743sim did not restart within %ds after the power loss' % limit, sim.log())


def export_bank(state, bank, name=None):
    """Physical flash bank 1 or 2 (1 MiB) as stored in a state file, read by
    h743sim's tool mode, which also refuses a corrupt file. state is the
    file's path or a stopped Sim."""
    if isinstance(state, Sim):
        check(not state.running(), 'export_bank needs the simulator stopped')
        state = state.state_file
    path = tmpfile(name or 'export-%s-bank%d.bin' % (state.rsplit('/', 1)[-1], bank))
    result = subprocess.run([env.sim_bin(), '--state', state, '--export-bank', str(bank), path],
                            capture_output=True, text=True, timeout=60)
    text = (result.stdout + result.stderr).strip()
    check(result.returncode == 0 and 'ignored' not in text,
          'h743sim --export-bank %d of %s: exit %d: %s' % (bank, state, result.returncode, text))
    data = read_file(path)
    expect_eq(len(data), BANK_SIZE, 'exported bank %d size' % bank)
    return data


def expect_same_data(got, expected, what, context=None):
    """got (bytes, or the path of a file) holds exactly the bytes expected;
    else fail naming the first difference."""
    if isinstance(got, str):
        got = read_file(got)
    if got == expected:
        return
    common = min(len(got), len(expected))
    first = next((i for i in range(common) if got[i] != expected[i]), common)
    size = '' if len(got) == len(expected) else ' (%d bytes, expected %d)' % (
        len(got), len(expected))
    if first < common:
        fail('%s%s: first difference at offset %#x: 0x%02x instead of 0x%02x'
             % (what, size, first, got[first], expected[first]), context)
    fail('%s%s: the same up to offset %#x' % (what, size, common), context)


# ---- scratch files -----------------------------------------------------------------

def write_file(name, data):
    """A scratch file in this test's directory; returns its path."""
    path = tmpfile(name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def read_file(path):
    with open(path, 'rb') as f:
        return f.read()


# ---- one command's output and result in an OpenOCD log ---------------------------

def section(key, cmd):
    """cmd with marker lines around what it prints (see between())."""
    return ['echo "@@%s-begin"' % key, cmd, 'echo "@@%s-end"' % key]


def between(out, key):
    """The output printed between the markers of section(key, ...) or
    attempt(key, ...)."""
    m = re.search(r'^@@%s-begin$(.*?)^@@%s-end$' % (re.escape(key), re.escape(key)), out,
                  re.MULTILINE | re.DOTALL)
    if not m:
        fail('no output section %s' % key, out)
    return m.group(1)


def attempt(key, cmd):
    """Run cmd under catch: between the markers its result or error message
    and every log line it caused (see between()), then its Tcl return code
    as `@@key-rc=N` (outcome(), failed()) and as `@@key=N` (out.value(key),
    unless a later capture(key, ...) takes that name)."""
    return ['echo "@@%s-begin"' % key,
            'set ::h743_rc [catch {%s} ::h743_msg]' % cmd,
            'echo $::h743_msg',
            'echo "@@%s-end"' % key,
            'echo "@@%s-rc=$::h743_rc"' % key,
            'echo "@@%s=$::h743_rc"' % key]


def outcome(out, key):
    """(Tcl return code, everything printed while the command ran) of
    attempt(key, ...)."""
    return int(out.value(key + '-rc')), between(out, key)


def failed(out, key):
    """True if the command of attempt(key, ...) failed."""
    return out.value(key + '-rc') != '0'
