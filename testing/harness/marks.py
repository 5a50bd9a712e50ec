# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-test settings the pytest plugin (testing/conftest.py) reads from a
test function: its time limit and the transports it runs over."""

DEFAULT_TIMEOUT = 120


def timeout(seconds):
    """Decorator: a per-test time limit other than DEFAULT_TIMEOUT."""
    def wrap(func):
        func.h743_timeout = seconds
        return func
    return wrap


def jtag_only(why):
    """Decorator: in a module that runs over both transports (TRANSPORTS), this
    test runs over JTAG only; why says what ties it to JTAG or keeps it off SWD."""
    def wrap(func):
        func.h743_transports = ('jtag',)
        func.h743_jtag_only = why
        return func
    return wrap


def transports(module, func):
    """The transports func runs over: the module's TRANSPORTS (default JTAG
    only), narrowed by @jtag_only."""
    wanted = getattr(module, 'TRANSPORTS', ('jtag',))
    return [t for t in wanted if t in getattr(func, 'h743_transports', wanted)]


def limit(func, default=DEFAULT_TIMEOUT):
    """func's time limit in seconds."""
    return getattr(func, 'h743_timeout', default)
