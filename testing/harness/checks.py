# SPDX-License-Identifier: GPL-2.0-or-later
"""Assertions that show context, and parsers for OpenOCD/GDB output."""

import re

TAIL_LINES = 30

# Upstream stm32h7x.cfg's reset-init handler runs `adapter speed 4000`, which
# remote_bitbang (no khz callback) refuses; OpenOCD logs it and carries on
# with the reset (src/jtag/drivers/remote_bitbang.c). These lines are expected.
#
# Over SWD, OpenOCD's vdebug adapter logs every batch the probe answers with
# an error status; 0x304 (VD_ERR_BUS_ERROR) is h743sim's report of a sticky
# error in the batch, the event that JTAG's DP code only logs at debug level.
# The failed memory access itself is reported (and checked) as over JTAG.
UPSTREAM_ERRORS = (
    r'Translation from khz to adapter speed not implemented',
    r'^Error: 0x304 executing transaction$',
)


# The simulated chip powers up with erased flash, like a blank board: the
# reset vector 0xffffffff sends the core into lockup, which OpenOCD reports
# (and clears) the first time it polls. Allowed until a test starts firmware:
# Firmware.load_and_start() prints FIRMWARE_STARTED, after which a lockup is
# a real failure.
ERASED_FLASH_ERRORS = (
    r'clearing lockup after double fault',
)
FIRMWARE_STARTED = '@@firmware-started'


class TestFailure(AssertionError):
    """A test assertion failed; the message carries the context to show."""
    __test__ = False    # an exception, not a pytest test class


def tail(text, lines=TAIL_LINES):
    """The last `lines` lines of text, indented for a failure report."""
    rows = str(text).rstrip('\n').split('\n')
    cut = rows[-lines:]
    head = ['    [... %d lines above ...]' % (len(rows) - lines)] if len(rows) > lines else []
    return '\n'.join(head + ['    ' + r for r in cut])


def fail(message, context=None):
    if context is not None:
        label = getattr(context, 'label', 'output')
        message = '%s\n  --- %s (tail) ---\n%s' % (message, label, tail(context))
    raise TestFailure(message)


def check(condition, message, context=None):
    if not condition:
        fail(message, context)


def expect_eq(actual, expected, what, context=None):
    if actual != expected:
        fmt = lambda v: '%#010x' % v if isinstance(v, int) and not isinstance(v, bool) else repr(v)
        fail('%s: got %s, expected %s' % (what, fmt(actual), fmt(expected)), context)


def expect_gt(actual, bound, what, context=None):
    if not actual > bound:
        fail('%s: got %r, expected more than %r' % (what, actual, bound), context)


def expect_in(needle, text, what=None, context=None):
    """Plain substring check; text is also the context shown on failure."""
    if needle not in text:
        fail('%s: %r not found' % (what or getattr(text, 'label', 'output'), needle),
             text if context is None else context)


def expect_not_in(needle, text, what=None, context=None):
    if needle in text:
        fail('%s: unexpected %r' % (what or getattr(text, 'label', 'output'), needle),
             text if context is None else context)


def expect_re(pattern, text, what=None, context=None):
    """Regex search (MULTILINE); returns the match."""
    m = re.search(pattern, text, re.MULTILINE)
    if not m:
        fail('%s: no match for /%s/' % (what or getattr(text, 'label', 'output'), pattern),
             text if context is None else context)
    return m


def capture(key, tcl):
    """OpenOCD command that prints `@@key=<result of tcl>` for Log.value()."""
    return 'echo "@@%s=[%s]"' % (key, tcl)


class Log(str):
    """Captured output of one process (OpenOCD, GDB), with parsers.

    It is a str, so `'x' in log` works; `label` names it in failure reports.
    """

    def __new__(cls, text, label='output', returncode=None):
        obj = super().__new__(cls, text)
        obj.label = label
        obj.returncode = returncode
        return obj

    def lines(self):
        return self.split('\n')

    def value(self, key):
        """Text printed by capture(key, ...) (the last one if repeated)."""
        found = re.findall(r'^@@%s=(.*)$' % re.escape(key), self, re.MULTILINE)
        if not found:
            fail('no value %r captured' % key, self)
        return found[-1].strip()

    def int(self, key):
        """A captured value as an integer (last number in it, hex or dec)."""
        text = self.value(key)
        nums = re.findall(r'0x[0-9a-fA-F]+|\b\d+\b', text)
        if not nums:
            fail('captured value %s=%r is not a number' % (key, text), self)
        return int(nums[-1], 0)

    def reg(self, name):
        """Value of register `name` from the last `reg`/`reg NAME` output."""
        found = re.findall(r'(?:^|\s)%s \(/\d+\): 0x([0-9a-fA-F]+)' % re.escape(name),
                           self, re.MULTILINE)
        if not found:
            fail('register %s not shown' % name, self)
        return int(found[-1], 16)

    def mem(self, address, count=1, width=4):
        """Values shown by mdw/mdh/mdb (the last dump covering each address)."""
        seen = {}
        digits = width * 2
        for m in re.finditer(r'^0x([0-9a-fA-F]{8,16}): ((?:[0-9a-fA-F]{%d} )+)' % digits,
                             self, re.MULTILINE):
            base = int(m.group(1), 16)
            for i, word in enumerate(m.group(2).split()):
                seen[base + i * width] = int(word, 16)
        values = []
        for i in range(count):
            a = address + i * width
            if a not in seen:
                fail('memory at %#x (%d-byte units) not dumped' % (a, width), self)
            values.append(seen[a])
        return values

    def errors(self, allow=()):
        """`Error:` lines not matched by an allowed regex.

        OpenOCD's LOG_ERROR lines start with "Error:". The event-failure
        report that follows a refused upstream `adapter speed` in reset-init
        ("Error executing event reset-init on target ...:" and the Tcl
        message under it) is not prefixed that way and is not an error line.
        ERASED_FLASH_ERRORS are allowed up to the FIRMWARE_STARTED marker.
        """
        allowed = [re.compile(p) for p in tuple(allow) + UPSTREAM_ERRORS]
        erased = [re.compile(p) for p in ERASED_FLASH_ERRORS]
        bad = []
        blank_chip = True
        for line in self.lines():
            if line.startswith(FIRMWARE_STARTED):
                blank_chip = False
            if not line.startswith('Error:') or any(p.search(line) for p in allowed):
                continue
            if blank_chip and any(p.search(line) for p in erased):
                continue
            bad.append(line)
        return bad

    def expect_no_errors(self, allow=()):
        bad = self.errors(allow)
        if bad:
            fail('%d unexpected error line(s) in %s:\n%s'
                 % (len(bad), self.label, '\n'.join('    ' + b for b in bad)), self)
