# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers the flash tests share: a minimal board firmware, scratch files,
and markers that cut one command's output out of an OpenOCD log."""

import re
import struct

from .checks import fail
from .env import tmpfile

FLASH_WORD = 32


def idle_firmware(msp=0x20020000):
    """Vector table (MSP, reset at 0x08000008) and `b .`, padded to one flash
    word: a board that boots into an idle loop instead of locking up."""
    code = struct.pack('<IIH', msp, 0x08000009, 0xE7FE)
    return code + b'\xff' * (FLASH_WORD - len(code))


def write_file(name, data):
    """A scratch file in this test's directory; returns its path."""
    path = tmpfile(name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def read_file(path):
    with open(path, 'rb') as f:
        return f.read()


def section(key, cmd):
    """cmd with markers around its output, for between()."""
    return ['echo @@%s-begin' % key, cmd, 'echo @@%s-end' % key]


def between(out, key):
    """The output printed between the markers of section(key, ...)."""
    m = re.search(r'^@@%s-begin$(.*?)^@@%s-end$' % (re.escape(key), re.escape(key)), out,
                  re.MULTILINE | re.DOTALL)
    if not m:
        fail('no output section %s' % key, out)
    return m.group(1)


def attempt(key, cmd):
    """Run cmd under catch; its log lines, result code and message land in
    a section (read back with between(), the code as @@KEY-rc=N)."""
    return ['echo @@%s-begin' % key, 'set ::rc [catch {%s} ::msg]' % cmd,
            'echo "@@%s-rc=$::rc"' % key, 'echo $::msg', 'echo @@%s-end' % key]
