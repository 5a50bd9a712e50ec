# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault matrix: every fault at several points of every flash operation, with
our driver (board/h743sim.cfg), and what a user gets back afterwards.

Operations (OPS):
  erase    `flash erase_sector 0 2 3` (bank 1 sectors 2 and 3)
  program  `flash write_image erase` of 64 KiB at 0x080f8000, across the bank
           boundary (bank 1 sector 7 and bank 2 sector 0)
  option   `stm32h743 option_set bor_lev 2 boot_add1 0x24000000 wps2 {6 7}`,
           one commit changing three option registers
  swap     `stm32h743 swap_bank on reset`

Faults, each swept over the operation (the sweep coordinate is calibrated
per operation by one fault-free run: the virtual time and the bytes OpenOCD
sends before and during it):
  power     h743sim --fault power-loss-at-ms=T, T at fractions of the
            operation's virtual time (the chip loses power and boots again)
  drop      h743sim --fault drop-after-bytes=N, N at fractions of the bytes
            OpenOCD sends during the operation (the connection is lost)
  kill9     OpenOCD SIGKILLed once N bytes of the operation went through a
            relay between it and the simulator (nothing of OpenOCD's
            clean-up runs)
  watchdog  option iwdg1 hw, DBGMCU_APB4FZ1.IWDG1 cleared (as firmware that
            sets up DBGMCU itself does: the watchdog runs while the core is
            halted) and IWDG1 reloaded right before the operation so that it
            resets the chip at a fraction of its virtual time

For every point: the faulted session's failure is one verdict line
`Error: stm32h743: <op> failed: <verdict>` saying what happened (link lost,
i.e. power or connection; a watchdog reset) and the driver's own "cannot
read/write FLASH_..." line at most once (not for kill9: OpenOCD is gone);
nothing outside the sectors the operation writes changes, in either
physical bank (h743sim --export-bank of the state file, after the fault and
at the end); the option bytes are the old or the new set, never a mix; then
two OpenOCD sessions in a row: the re-run of the operation (after a
watchdog fault with `option_set iwdg1 sw` first), which completes it and
verifies, and a second one that verifies again. At the end the physical
flash is exactly the expected picture and the option bytes the new set.

A message gap of the driver that is known and reported may be listed in
KNOWN_GAPS: for it only the message check is relaxed, and the test names it
under its PASS line (none listed now). 60 points in all, about two minutes
with 2 jobs. H743_FAULT_SAMPLE=1 (make check-sanitize) runs the
middle point of each fault only (16 points).

Known: after a power-loss restart h743sim may not exit on SIGTERM (being
fixed in testing/sim/main.c): the simulator is stopped with check=False and
the count of unclean exits is printed; the state file was saved before.
"""

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

from harness import Log, Sim, check, expect_eq, fail, log, note, timeout, tmpfile
from harness import env
from harness.procs import OpenOCDBatch

from harness import driver as di
from harness.board import wait_restarted

BANK = di.BANK_SIZE
SECTOR = di.SECTOR

# Virtual time repeats exactly from run to run; the bytes OpenOCD sends do
# not (it polls the loader as fast as the wall clock lets it: +-10% on the
# program operation), hence no byte point beyond 70%.
FRACTIONS = {'power': (0.03, 0.2, 0.35, 0.5, 0.65, 0.8, 0.97), 'drop': (0.1, 0.4, 0.7),
             'kill9': (0.25, 0.6), 'watchdog': (0.3, 0.9)}
FAULTS = tuple(FRACTIONS)


def fractions(op, fault):
    """Where the fault goes, as fractions of the operation (its virtual time
    for power and watchdog, its bytes for drop and kill9)."""
    if os.environ.get('H743_FAULT_SAMPLE') == '1':
        return (0.5,)
    return op.fractions.get(fault, FRACTIONS[fault])


# ---- option bytes -----------------------------------------------------------------

OPTCR = 0x52002018
OPT_REGS = {'OPTSR_CUR': 0x5200201C, 'PRAR_CUR1': 0x52002028, 'SCAR_CUR1': 0x52002030,
            'WPSN_CUR1': 0x52002038, 'BOOT_CUR': 0x52002040, 'PRAR_CUR2': 0x52002128,
            'SCAR_CUR2': 0x52002130, 'WPSN_CUR2': 0x52002138}
OPTSR_VOLATILE = 0x40000001          # OPTCHANGEERR, OPT_BUSY: status, not option bytes
OPTSR_IWDG1_SW = 1 << 4
OPTSR_SWAP_BANK_OPT = 1 << 31
OPTCR_SWAP_BANK = 1 << 31


def dump_options(key):
    """OpenOCD commands reading the option registers raw, between markers."""
    return di.section('opt-' + key, 'mdw 0x%08x 11' % OPTCR) + \
        di.section('opt2-' + key, 'mdw 0x%08x 5' % OPT_REGS['PRAR_CUR2'])


def options(out, key):
    """({register: value}, OPTCR) of a dump_options(key)."""
    text = Log(di.between(out, 'opt-' + key) + di.between(out, 'opt2-' + key),
               'option registers ' + key)
    regs = {name: text.mem(addr)[0] for name, addr in OPT_REGS.items()}
    regs['OPTSR_CUR'] &= ~OPTSR_VOLATILE
    return regs, text.mem(OPTCR)[0]


def show(regs):
    return ' '.join('%s=%08x' % (k, regs[k]) for k in OPT_REGS)


# ---- the board and the operations ---------------------------------------------------

def board_banks():
    """Physical banks 1 and 2 as the board comes: the idle firmware at the
    start of each (it boots with the banks swapped or not), random data in
    every other byte, so that any stray erase or write shows."""
    return (di.idle_firmware() + di.random_bytes(BANK - di.WORD, 901),
            di.idle_firmware() + di.random_bytes(BANK - di.WORD, 902))


class Op:
    """One flash operation: its commands, how a session checks it is done,
    what it may change and what it leaves."""

    name = ''
    written = ()                # (bank index, sector) it may change
    fractions = {}              # sweep points other than FRACTIONS

    def cmds(self):
        raise NotImplementedError

    def check_cmds(self, key):
        return []

    def check_done(self, out, key):
        pass

    def flash_after(self, banks):
        return banks

    def options_after(self, regs):
        return dict(regs)

    def swapped_after(self):
        return False


class Erase(Op):
    name = 'erase'
    written = ((0, 2), (0, 3))

    def cmds(self):
        return ['flash erase_sector 0 2 3']

    def check_cmds(self, key):
        return di.section('blank-' + key, 'flash erase_check 0')

    def check_done(self, out, key):
        expect_eq(di.not_erased(di.between(out, 'blank-' + key)), [0, 1, 4, 5, 6, 7],
                  'bank 1 sectors not erased (%s)' % key, out)

    def flash_after(self, banks):
        one = bytearray(banks[0])
        one[2 * SECTOR:4 * SECTOR] = b'\xff' * (2 * SECTOR)
        return bytes(one), banks[1]


class Program(Op):
    name = 'program'
    written = ((0, 7), (1, 0))
    # bank 1: erase 0-1 s, programming from about 1.0 s; bank 2: erase 1.05-2.05 s,
    # programming from about 2.3 s (of 2.43 s): more points in the programming
    fractions = {'power': (0.03, 0.2, 0.4, 0.43, 0.45, 0.6, 0.84, 0.88, 0.92, 0.96, 0.99)}
    ADDR = 0x080F8000
    SIZE = 64 * 1024

    def __init__(self):
        self.data = di.random_bytes(self.SIZE, 903)
        self.path = None

    def cmds(self):
        if self.path is None:
            self.path = di.write_bin('program.bin', self.data)
        return ['flash write_image erase %s 0x%08x' % (self.path, self.ADDR)]

    def check_cmds(self, key):
        return di.attempt('verify-' + key, 'verify_image %s 0x%08x' % (self.path, self.ADDR))

    def check_done(self, out, key):
        check(not di.failed(out, 'verify-' + key), 'verify_image failed (%s)' % key, out)
        check('verified %d bytes' % self.SIZE in di.between(out, 'verify-' + key),
              'verify_image did not verify %d bytes (%s)' % (self.SIZE, key), out)

    def flash_after(self, banks):
        half = self.ADDR + self.SIZE - di.BANK_BASE[1]
        one, two = bytearray(banks[0]), bytearray(banks[1])
        one[7 * SECTOR:] = b'\xff' * (SECTOR - half) + self.data[:self.SIZE - half]
        two[:SECTOR] = self.data[self.SIZE - half:] + b'\xff' * (SECTOR - half)
        return bytes(one), bytes(two)


class OptionCommit(Op):
    name = 'option'

    def cmds(self):
        return ['stm32h743 option_set bor_lev 2 boot_add1 0x24000000 wps2 {6 7}']

    def options_after(self, regs):
        new = dict(regs)
        new['OPTSR_CUR'] = (regs['OPTSR_CUR'] & ~0xC) | (2 << 2)
        new['BOOT_CUR'] = (regs['BOOT_CUR'] & 0xFFFF) | (0x2400 << 16)
        new['WPSN_CUR2'] = regs['WPSN_CUR2'] & ~0xC0
        return new


class BankSwap(Op):
    name = 'swap'

    def cmds(self):
        return ['stm32h743 swap_bank on reset']

    def options_after(self, regs):
        new = dict(regs)
        new['OPTSR_CUR'] |= OPTSR_SWAP_BANK_OPT
        return new

    def swapped_after(self):
        return True


OPS = {'erase': Erase, 'program': Program, 'option': OptionCommit, 'swap': BankSwap}


# ---- what the sessions print --------------------------------------------------------

VERDICT = re.compile(r'^Error: stm32h743: (\S+) failed: (.*)$', re.M)
REG_FAILURE = re.compile(r'^Error: cannot (read|write) FLASH_', re.M)
SOCKET_ERROR = re.compile(r"^Error: Error on socket '", re.M)

# What the verdict must say for each fault: what happened, in words.
SAYS = {'power': r'went away|lost power|disconnected',
        'drop': r'went away|lost power|disconnected',
        'watchdog': r'watchdog reset the chip'}


def message_problems(out, fault):
    """The faulted session's messages: the session failed, with a verdict
    line that says what happened; the driver's own register-failure line at
    most once. Returns (problems, the verdict's operation, socket error
    lines of the adapter)."""
    problems = []
    if out.returncode == 0:
        problems.append('the faulted session reported success (exit code 0): %s'
                        % ' / '.join(out.splitlines()[-4:]))
    verdicts = VERDICT.findall(out)
    op = None
    if not verdicts:
        last = [ln for ln in out.splitlines() if ln.startswith('Error:') and
                not SOCKET_ERROR.match(ln) and 'failed to find out where' not in ln]
        problems.append('no `Error: stm32h743: <op> failed: <verdict>` line (the driver said: %s)'
                        % ' / '.join(last[-3:]))
    else:
        op, verdict = verdicts[-1]
        if not re.search(SAYS[fault], verdict):
            problems.append('the verdict does not say what happened (expected /%s/): %s'
                            % (SAYS[fault], verdict))
    regs = REG_FAILURE.findall(out)
    if len(regs) > 1:
        problems.append('%d "cannot read/write FLASH_" lines (at most one)' % len(regs))
    return problems, op, len(SOCKET_ERROR.findall(out))


# Message gaps of the driver (src/flash/nor, not this test's to fix),
# reported with a reproducer: (operation, fault) -> (the problem text they
# excuse, a regex; what is wrong). Only the message check of a point is
# relaxed, and only for a problem matching the regex; the data, the option
# bytes and the two sessions after the fault are checked as ever. Remove an
# entry when the driver is fixed.
NO_VERDICT = r'^no `Error: stm32h743: <op> failed'
KNOWN_GAPS = {}


def known_gap(op, fault, problem):
    gap = KNOWN_GAPS.get((op, fault))
    return gap is not None and re.search(gap[0], problem.split(': ', 1)[1]) is not None


# ---- calibration: where each operation lies in virtual time and wire bytes ---------

def calibrate(op, state):
    """(op start, op end) in virtual ms and in bytes from OpenOCD, counted
    from the first connection to a fresh simulator: one session that only
    connects and halts, a second one that runs the operation."""
    with Sim(state=copy_state(state, 'calibration')) as sim:
        t0 = sim.stats()['virtual_ns']
        sim.openocd(*di.session())
        s1 = sim.stats()
        sim.openocd(*di.session(*op.cmds()), timeout=120)
        s2 = sim.stats()
    pre_ns, pre_bytes = s1['virtual_ns'] - t0, s1['wire_bytes_in']
    op_ns = s2['virtual_ns'] - s1['virtual_ns'] - pre_ns
    op_bytes = s2['wire_bytes_in'] - 2 * pre_bytes
    log('calibration of %s: starts at %.1f ms / %d bytes, takes %.1f ms / %d bytes'
        % (op.name, pre_ns / 1e6, pre_bytes, op_ns / 1e6, op_bytes))
    check(op_ns > 0 and op_bytes > 0, 'calibration of %s: nothing measured' % op.name)
    return {'ms': (pre_ns / 1e6, (pre_ns + op_ns) / 1e6),
            'bytes': (pre_bytes, pre_bytes + op_bytes)}


def copy_state(state, name):
    path = env.unique_name('state-' + name, 'bin')
    shutil.copyfile(state, path)
    return path


def board_state():
    """A state file of the board (both banks as board_banks())."""
    banks = board_banks()
    state = tmpfile('board-state.bin')
    with Sim('--flash-image', di.write_bin('board.bin', banks[0] + banks[1]), state=state):
        pass
    return state, banks


# ---- the kill -9 relay --------------------------------------------------------------

class KillRelay:
    """A TCP relay between OpenOCD and the simulator that SIGKILLs OpenOCD
    once `limit` bytes from it went through, before relaying more, then
    closes both sides (the simulator sees its debugger vanish)."""

    def __init__(self, sim_port, limit):
        self.sim_port, self.limit = sim_port, limit
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.victim = None
        self.fired = threading.Event()
        self.relayed = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.listener.settimeout(60)
            client, _ = self.listener.accept()
        except OSError:
            return
        finally:
            self.listener.close()
        sim = socket.create_connection(('127.0.0.1', self.sim_port))
        for s in (client, sim):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while not self.fired.is_set():
                ready, _, _ = select.select([client, sim], [], [], 60)
                if not ready:
                    return
                if client in ready:
                    data = client.recv(65536)
                    if not data:
                        return
                    room = self.limit - self.relayed
                    sim.sendall(data[:room])
                    self.relayed += min(room, len(data))
                    if len(data) >= room:
                        if self.victim:
                            os.kill(self.victim, signal.SIGKILL)
                        self.fired.set()
                if sim in ready:
                    data = sim.recv(65536)
                    if not data:
                        return
                    client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            sim.close()


class Relayed:
    """What OpenOCDBatch needs of a Sim, pointing at the relay instead."""

    def __init__(self, sim, relay):
        self.sim, self.port = sim, relay.port

    def env(self):
        return {'H743SIM_PORT': str(self.port)}

    def status(self):
        return self.sim.status()


# ---- one point ------------------------------------------------------------------------

def iwdg_after(ms):
    """OpenOCD commands that reload IWDG1 so that it expires ms of virtual
    time from now (prescaler chosen so that the reload value fits 12 bits;
    one LSI period is 1/32 ms)."""
    for pr in range(7):
        tick_ms = (4 << pr) / 32.0
        rlr = int(round(ms / tick_ms))
        if rlr <= 0xFFF:
            return ['mww 0x58004800 0x5555', 'mww 0x58004804 %d' % pr,
                    'mww 0x58004808 %d' % max(rlr, 1), 'mww 0x58004800 0xAAAA']
    fail('no IWDG1 setting expires after %s ms' % ms)


def physical(sim, name):
    """Both physical banks from the simulator's state file, also while it
    runs (it saves at each disconnect and power loss, never a torn file)."""
    banks = []
    for n in (1, 2):
        out = tmpfile('%s-bank%d.bin' % (name, n))
        proc = subprocess.run([env.sim_bin(), '--state', sim.state_file, '--export-bank',
                               str(n), out], capture_output=True, text=True, timeout=60)
        text = (proc.stdout + proc.stderr).strip()
        check(proc.returncode == 0 and 'ignored' not in text,
              'h743sim --export-bank %d: exit %d: %s' % (n, proc.returncode, text))
        banks.append(di.read_file(out))
    return banks


def expect_outside_unchanged(op, got, board, what):
    """Every sector the operation does not write holds what the board came with."""
    for b in (0, 1):
        for s in range(8):
            if (b, s) in op.written:
                continue
            lo, hi = s * SECTOR, (s + 1) * SECTOR
            if got[b][lo:hi] != board[b][lo:hi]:
                first = next(i for i in range(lo, hi) if got[b][i] != board[b][i])
                fail('%s: physical bank %d sector %d changed (first at offset %#x), which '
                     '%s does not write' % (what, b + 1, s, first, op.name))


def interrupted(sim):
    """What the fault cut short, from the simulator's log."""
    cut = re.findall(r'flash: (bank \d \S+ at offset 0x[0-9a-f]+) interrupted', sim.log())
    return 'cut ' + ', '.join(cut) if cut else 'no flash operation running'


def fault_fired(fault, sim, relay):
    text = sim.log()
    if fault == 'power':
        return 'fault injection: power lost' in text
    if fault == 'drop':
        return 'fault injection: dropping the connection' in text
    if fault == 'kill9':
        return relay.fired.is_set()
    return re.search(r'iwdg1: .*system reset', text) is not None


def run_point(op, fault, frac, cal, state, board, old_opts, tally):
    """One fault at one point of op; returns a one-line summary."""
    what = '%s/%s at %.0f%%' % (op.name, fault, frac * 100)
    args, setup, relay = [], [], None
    lo, hi = cal['ms'] if fault in ('power', 'watchdog') else cal['bytes']
    at = lo + frac * (hi - lo)
    if fault == 'power':
        args = ['--fault', 'power-loss-at-ms=%.3f' % at]
        where = '%.1f ms' % at
    elif fault == 'drop':
        args = ['--fault', 'drop-after-bytes=%d' % at]
        where = '%d bytes' % at
    elif fault == 'kill9':
        where = '%d bytes' % at
    else:
        # the firmware's start-up cleared DBGMCU_APB4FZ1.IWDG1 (the target
        # config sets it at examine), so the watchdog also runs while the
        # core is halted, as in erase and option commits
        setup = ['stm32h743 option_set iwdg1 hw', 'reset halt',
                 'stm32h743_dbgmcu_mmw stm32h743 0x054 0 0x00040000'] + \
            iwdg_after(frac * (hi - lo))
        where = '%.1f ms into it' % (frac * (hi - lo))
    log('---- %s: %s' % (what, where))
    sim = Sim(*args, state=copy_state(state, '%s-%s-%d' % (op.name, fault, frac * 100)))
    sim.start()
    try:
        # 1. the faulted session
        cmds = di.session(*setup, *op.cmds())
        if fault == 'kill9':
            relay = KillRelay(sim.port, int(at))
            ocd = OpenOCDBatch(Relayed(sim, relay), cmds)
            relay.victim = ocd.proc.pid
            out1 = ocd.wait(timeout=120, check=False)
        else:
            out1 = sim.openocd(*cmds, check=False, timeout=120)
        check(fault_fired(fault, sim, relay), '%s: the fault did not happen in the faulted '
              'session (calibration off?)' % what, Log(sim.log() + '\n' + out1, 'logs'))
        tally['injected'] += 1
        if fault == 'power':
            wait_restarted(sim)
        where += ', ' + interrupted(sim)
        verdict = 'killed'
        if fault != 'kill9':
            problems, verdict_op, sockets = message_problems(out1, fault)
            tally['socket_errors'] = max(tally['socket_errors'], sockets)
            verdict = '%s verdict' % verdict_op if verdict_op else 'no verdict'
            for p in problems:
                log('%s: message: %s' % (what, p))
                tally['messages'].append((op.name, fault, '%s: %s' % (what, p)))
        expect_outside_unchanged(op, physical(sim, 'fault'), board, '%s, after the fault' % what)

        # 2. the re-run, 3. a second session
        base = dict(old_opts)
        recover = []
        if fault == 'watchdog':
            base['OPTSR_CUR'] &= ~OPTSR_IWDG1_SW
            recover = ['stm32h743 option_set iwdg1 sw', 'reset halt']
        out2 = sim.openocd(*di.session(*dump_options('fault'), *recover, *op.cmds(),
                                       *op.check_cmds('rerun'), *dump_options('rerun')),
                           timeout=180)
        got, _ = options(out2, 'fault')
        new = op.options_after(base)
        state_of = 'old' if got == base else 'new' if got == new else None
        check(state_of, '%s: option bytes after the fault are neither the old nor the new '
              'set:\n  got %s\n  old %s\n  new %s' % (what, show(got), show(base), show(new)),
              out2)
        tally['options ' + state_of] += 1
        op.check_done(out2, 'rerun')
        out3 = sim.openocd(*di.session(*op.check_cmds('again'), *dump_options('again')))
        op.check_done(out3, 'again')
        final = op.options_after(dict(old_opts))
        got, optcr = options(out3, 'again')
        check(got == final, '%s: option bytes at the end: %s, expected %s'
              % (what, show(got), show(final)), out3)
        expect_eq(bool(optcr & OPTCR_SWAP_BANK), op.swapped_after(),
                  '%s: banks swapped at the end' % what, out3)
    finally:
        code = sim.stop(check=False)
    if code != 0:
        # after a power-loss restart h743sim may miss SIGTERM (testing/sim/main.c,
        # being fixed): the harness then kills it; the state file was saved at the
        # disconnect before
        tally['sim_unclean_exit'] += 1
    got = (di.export_bank(sim, 1, 'end-bank1.bin'), di.export_bank(sim, 2, 'end-bank2.bin'))
    expected = op.flash_after(board)
    for b in (0, 1):
        di.expect_same_data(got[b], expected[b], '%s: physical bank %d at the end' % (what, b + 1))
    tally['points'] += 1
    summary = '%s: %s, %s, option bytes %s after the fault; re-run and second session ok' \
        % (what, where, verdict, state_of)
    log(summary)
    return summary


def run_matrix(name, faults=FAULTS):
    op = OPS[name]()
    state, board = board_state()
    cal = calibrate(op, state)
    with Sim(state=copy_state(state, 'options')) as sim:
        old_opts, _ = options(sim.openocd(*di.session(*dump_options('old'))), 'old')
    tally = {'injected': 0, 'points': 0, 'socket_errors': 0, 'sim_unclean_exit': 0,
             'messages': [], 'options old': 0, 'options new': 0}
    start = time.monotonic()
    for fault in faults:
        for frac in fractions(op, fault):
            run_point(op, fault, frac, cal, state, board, old_opts, tally)
    note('%s: %d faults injected, %d points passed (%s) in %.0f s; option bytes after the '
         'fault: %d old set, %d new set, 0 mixed; up to %d adapter socket error lines per '
         'failure; %d unclean simulator exits after a power loss'
         % (name, tally['injected'], tally['points'],
            ', '.join('%s %d' % (f, len(fractions(op, f))) for f in faults),
            time.monotonic() - start, tally['options old'], tally['options new'],
            tally['socket_errors'], tally['sim_unclean_exit']))
    known = [(o, f, m) for o, f, m in tally['messages'] if known_gap(o, f, m)]
    new = [m for o, f, m in tally['messages'] if not known_gap(o, f, m)]
    for o, f in sorted({(o, f) for o, f, _ in known}):
        note('known driver gap, %s/%s: %s' % (o, f, KNOWN_GAPS[(o, f)][1]))
    if known:
        note('%d point(s) with a known message gap (data and re-run checked and passed)'
             % len(known))
    check(not new, '%d points with a failure message that does not say what happened:\n%s'
          % (len(new), '\n'.join('  ' + m for m in new)))


@timeout(600)
def test_erase_faults():
    run_matrix('erase')


@timeout(600)
def test_program_faults():
    run_matrix('program')


@timeout(600)
def test_option_commit_faults():
    run_matrix('option')


@timeout(600)
def test_bank_swap_faults():
    run_matrix('swap')
