# SPDX-License-Identifier: GPL-2.0-or-later
"""The processes a test drives: h743sim, OpenOCD (batch or server), GDB.

Every process is started through spawn(), recorded, and ended by cleanup()
(testing/conftest.py calls it after each test, pass or fail, and kills them
all before it ends a pytest worker stuck past a test's hard time limit).
"""

import json
import os
import random
import signal
import socket
import subprocess
import time

from . import env
from .checks import Log, fail, tail

_children = []

STATS_KEYS = ('tck_cycles', 'virtual_ns', 'wire_ns', 'cpu_ns', 'runahead_ns',
              'cpu_instructions', 'ap_transactions', 'connections', 'core')


def spawn(argv, log_path, extra_env=None):
    """Start argv with stdout+stderr into log_path, cwd = the test's tmpdir."""
    environ = dict(os.environ)
    environ.update(extra_env or {})
    with open(log_path, 'wb') as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=env.tmpdir(), env=environ)
    proc.log_path = log_path
    proc.argv = argv
    _children.append(proc)
    return proc


def end(proc, sig=signal.SIGTERM, grace=5.0):
    """Signal proc, wait up to grace seconds, then SIGKILL. Returns its code."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def cleanup():
    """End everything this test started, newest first."""
    while _children:
        end(_children.pop(), grace=2.0)


def kill_all():
    """SIGKILL everything this test started, without waiting (hard timeout)."""
    for proc in _children:
        try:
            proc.kill()
        except OSError:
            pass


def read_log(path, label):
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8', errors='replace')
    except FileNotFoundError:
        text = ''
    return Log(text, label)


# Ports the harness hands to OpenOCD (gdb, tcl, telnet) come from below the
# kernel's ephemeral range, where the simulators (port 0) and every outgoing
# connection get theirs: a port picked here and bound a moment later by
# OpenOCD can then not have been taken by a simulator of a parallel test in
# between, which a client would reach instead of OpenOCD.
PICKED_PORTS = range(20000, 32000)


def _ephemeral_floor():
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    """A currently free TCP port on 127.0.0.1, outside the ephemeral range."""
    floor = _ephemeral_floor()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.choice(PICKED_PORTS)
        if port >= floor:
            continue
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    with socket.socket() as s:     # a host with an unusual port range
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_exit(proc, timeout, what):
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        end(proc, signal.SIGKILL)
        fail('%s did not finish within %ds (killed)' % (what, timeout),
             read_log(proc.log_path, what + ' output'))


def describe_exit(code):
    if code is None:
        return 'running'
    if code < 0:
        try:
            return 'killed by %s' % signal.Signals(-code).name
        except ValueError:
            return 'killed by signal %d' % -code
    return 'exited with code %d' % code


# ---- the simulator -------------------------------------------------------------

class Sim:
    """h743sim on an ephemeral port, with private state/stats files.

        with Sim() as sim:
            out = sim.openocd('init', 'halt', 'reg pc', 'shutdown')
            stats = sim.stats()

    Leaving the block stops it with SIGTERM and, when the block succeeded,
    requires a clean exit (code 0; valgrind's 99 means memory errors).
    Positional arguments go to h743sim (e.g. '--flash-image', path);
    state=FILE boots on an existing state file. kill() then start() is a
    power cycle of the host process on the same state file.
    """

    def __init__(self, *args, valgrind=False, state=None):
        self.args = list(args)
        self.valgrind = valgrind
        self.state_file = state
        self.proc = None
        self.port = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop(check=exc_type is None)
        return False

    def start(self):
        self.ready_file = env.unique_name('sim-ready', 'txt')
        self.stats_file = env.unique_name('sim-stats', 'json')
        self.state_file = self.state_file or env.unique_name('sim-state', 'bin')
        self.log_path = env.unique_name('sim', 'log')
        argv = [env.sim_bin(), '--port', '0', '--ready-file', self.ready_file,
                '--state', self.state_file, '--stats', self.stats_file] + self.args
        ready_timeout = 15 * env.time_scale()
        if self.valgrind:
            self.valgrind_log = env.unique_name('valgrind', 'log')
            supp = os.path.join(env.top_srcdir(), 'testing', 'valgrind', 'unicorn.supp')
            argv = [env.tool('valgrind'), '--error-exitcode=99', '--leak-check=full',
                    '--suppressions=' + supp, '--log-file=' + self.valgrind_log] + argv
            ready_timeout = 120
        env.log('$ ' + ' '.join(argv))
        self.proc = spawn(argv, self.log_path)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.ready_file):
                with open(self.ready_file) as f:
                    text = f.read()
                if text.endswith('\n') and text.strip().isdigit():
                    self.port = int(text)
                    env.log('h743sim listening on port %d' % self.port)
                    return self
            if self.proc.poll() is not None:
                fail('h743sim %s before writing its ready file'
                     % describe_exit(self.proc.returncode), self.log())
            time.sleep(0.02)
        fail('h743sim wrote no port to %s within %ds' % (self.ready_file, ready_timeout),
             self.log())

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        return read_log(self.log_path, 'h743sim output')

    def status(self):
        """One line (plus the output tail if it died) for failure reports."""
        if self.running():
            return 'h743sim: running (port %d)' % self.port
        if self.proc is None:
            return 'h743sim: not running'
        return 'h743sim: %s\n%s' % (describe_exit(self.proc.returncode), tail(self.log()))

    def env(self):
        return {'H743SIM_PORT': str(self.port)}

    def openocd(self, *cmds, config='board', timeout=60, check=True, allow=()):
        """Run OpenOCD in batch mode against this sim; returns its Log."""
        return run_openocd(self, cmds, config=config, timeout=timeout,
                           check=check, allow=allow)

    def openocd_background(self, *cmds, config='board'):
        """Start a batch OpenOCD run without waiting; returns an OpenOCDBatch."""
        return OpenOCDBatch(self, cmds, config)

    def kill(self):
        """SIGKILL, like pulling the plug on the host process (no state saved
        at exit). A later start() boots it again on the same state file."""
        if self.proc is None:
            return None
        code = end(self.proc, signal.SIGKILL)
        env.log('h743sim killed: %s' % describe_exit(code))
        self.proc = None
        return code

    def stats(self):
        """The stats JSON: fresh via SIGUSR1 while running, else the final one."""
        if self.running():
            try:
                os.unlink(self.stats_file)
            except FileNotFoundError:
                pass
            self.proc.send_signal(signal.SIGUSR1)
            deadline = time.monotonic() + (60 if self.valgrind else 10)
            while time.monotonic() < deadline:
                data = self._read_stats()
                if data is not None:
                    return data
                if not self.running():
                    break
                time.sleep(0.02)
            fail('h743sim wrote no stats file after SIGUSR1\n' + self.status())
        data = self._read_stats()
        if data is None:
            fail('h743sim left no (valid) stats file %s\n%s' % (self.stats_file, self.status()))
        return data

    def _read_stats(self):
        try:
            with open(self.stats_file) as f:
                data = json.load(f)
        except (FileNotFoundError, ValueError):
            return None
        missing = [k for k in STATS_KEYS if k not in data]
        if missing:
            fail('stats file lacks %s: %s' % (', '.join(missing), json.dumps(data)))
        return data

    def stop(self, check=True):
        """SIGTERM; with check, a non-zero exit fails the test."""
        if self.proc is None:
            return None
        grace = 120 if self.valgrind else 10 * env.time_scale()
        code = end(self.proc, signal.SIGTERM, grace)
        env.log('h743sim stopped: %s' % describe_exit(code))
        if check and code != 0:
            context = self.log()
            if self.valgrind:
                context = read_log(self.valgrind_log, 'valgrind log')
            fail('h743sim %s on SIGTERM (expected 0)' % describe_exit(code), context)
        return code


# ---- OpenOCD ---------------------------------------------------------------------

CONFIGS = {
    'board': ['board/h743sim.cfg'],
    'target': ['interface/h743sim.cfg', 'target/stm32h743.cfg'],
    'upstream': ['interface/h743sim.cfg', 'target/stm32h7x_dual_bank.cfg'],
}


# Over SWD the same tests reach the simulator through OpenOCD's vdebug adapter
# (DAP level, transport dapdirect_swd) instead of remote_bitbang JTAG.
SWD_CONFIGS = {
    'board/h743sim.cfg': 'board/h743sim-swd.cfg',
    'interface/h743sim.cfg': 'interface/h743sim-swd.cfg',
}


def transport():
    """'jtag' or 'swd': the wire this test run uses ($H743_TRANSPORT)."""
    return os.environ.get('H743_TRANSPORT', 'jtag')


def config_args(config):
    """-f arguments: 'board' (ours), 'target' (our interface + target file),
    'upstream' (our interface + upstream stm32h7x_dual_bank.cfg), or a list
    of files, where an entry '-c CMD' is a command run at that point, e.g.
    ['interface/h743sim.cfg', '-c set WORKAREASIZE 0', 'target/stm32h7x.cfg']."""
    files = CONFIGS[config] if isinstance(config, str) else list(config)
    if transport() == 'swd':
        files = [SWD_CONFIGS.get(f, f) for f in files]
    args = []
    for f in files:
        args += ['-c', f[3:]] if f.startswith('-c ') else ['-f', f]
    return args


def run_openocd(sim, cmds, config='board', timeout=60, check=True, allow=()):
    """openocd -c 'ports' -f CONFIG -c CMD... ; a final `shutdown` is added
    when the list does not end with one. Each command is its own -c, so a
    failing command ends OpenOCD with exit code 1 (check=True fails then)."""
    return OpenOCDBatch(sim, cmds, config).wait(timeout, check, allow)


class OpenOCDBatch:
    """A batch OpenOCD run (see run_openocd) left going in the background,
    for tests that act while it works (kill the simulator mid-write):

        ocd = sim.openocd_background('init', 'flash write_image erase f.bin 0x08000000')
        ...
        out = ocd.wait(check=False)

    wrap: argv put in front of OpenOCD's (e.g. valgrind and its options).
    """

    def __init__(self, sim, cmds, config='board', wrap=()):
        self.sim = sim
        cmds = list(cmds)
        if not cmds or cmds[-1] != 'shutdown':
            cmds.append('shutdown')
        argv = list(wrap) + [env.openocd_bin(), '-c',
                'gdb_port %d; telnet_port disabled; tcl_port disabled' % free_port()]
        argv += config_args(config)
        for c in cmds:
            argv += ['-c', c]
        self.log_path = env.unique_name('openocd', 'log')
        env.log('$ H743SIM_PORT=%d %s' % (sim.port, ' '.join(_quote(a) for a in argv)))
        self.proc = spawn(argv, self.log_path, sim.env())
        self.started = time.monotonic()

    def running(self):
        return self.proc.poll() is None

    def log(self):
        return read_log(self.log_path, 'openocd output')

    def wait(self, timeout=60, check=True, allow=()):
        """Wait for the exit; returns the Log (.returncode). With check: exit
        code 0 and no unexpected error lines."""
        proc = self.proc
        timeout *= env.time_scale()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            end(proc, signal.SIGKILL)
            fail('openocd did not finish within %ds (killed)\n%s'
                 % (timeout, self.sim.status()), self.log())
        out = self.log()
        out.returncode = proc.returncode
        env.log('openocd %s after %.1fs (log %s)'
                % (describe_exit(proc.returncode), time.monotonic() - self.started,
                   self.log_path))
        env.log_output(out)
        if check:
            if proc.returncode != 0:
                fail('openocd %s\n%s' % (describe_exit(proc.returncode), self.sim.status()),
                     out)
            out.expect_no_errors(allow)
        return out


def _quote(arg):
    return "'%s'" % arg if any(c in arg for c in ' ;[]{}$"') else arg


class OpenOCDServer:
    """OpenOCD left running (gdb server + Tcl RPC port) against a sim.

        with OpenOCDServer(sim) as ocd:
            ocd.cmd('halt')
            out = ocd.gdb(fw.elf, 'load', 'hbreak bp_target', 'continue')

    Command line: ports, -f CONFIG, -c SETUP... (before init), -c init,
    -c CMD.... cmd() runs a Tcl command over the Tcl RPC port and returns its
    result; close() shuts OpenOCD down and checks its log for unexpected
    errors.
    """

    def __init__(self, sim, *cmds, config='board', setup=(), allow=(), timeout=60):
        self.sim = sim
        self.allow = allow
        self.timeout = timeout * env.time_scale()
        self.gdb_port = free_port()
        self.tcl_port = free_port()
        argv = [env.openocd_bin(), '-c', 'gdb_port %d; telnet_port disabled; tcl_port %d'
                % (self.gdb_port, self.tcl_port)]
        argv += config_args(config)
        for c in list(setup) + ['init'] + list(cmds):
            argv += ['-c', c]
        self.log_path = env.unique_name('openocd-server', 'log')
        env.log('$ H743SIM_PORT=%d %s &' % (sim.port, ' '.join(_quote(a) for a in argv)))
        self.proc = spawn(argv, self.log_path, sim.env())
        self.sock = None
        self._connect()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.close(check=False)
        return False

    def _connect(self):
        # The Tcl server starts listening after all -c commands ran.
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                fail('openocd %s before serving\n%s'
                     % (describe_exit(self.proc.returncode), self.sim.status()), self.log())
            try:
                self.sock = socket.create_connection(('127.0.0.1', self.tcl_port), timeout=1)
                self.sock.settimeout(self.timeout)
                env.log('openocd serving: gdb port %d, tcl port %d'
                        % (self.gdb_port, self.tcl_port))
                return
            except OSError:
                time.sleep(0.05)
        fail('openocd did not open its Tcl port within %ds' % self.timeout, self.log())

    def log(self):
        out = read_log(self.log_path, 'openocd output')
        out.returncode = self.proc.returncode
        return out

    def _rpc(self, text):
        try:
            self.sock.sendall(text.encode() + b'\x1a')
            buf = b''
            while not buf.endswith(b'\x1a'):
                chunk = self.sock.recv(65536)
                if not chunk:
                    fail('openocd closed the Tcl connection during: %s\n%s'
                         % (text, self.sim.status()), self.log())
                buf += chunk
        except socket.timeout:
            fail('no answer from openocd within %ds to: %s\n%s'
                 % (self.timeout, text, self.sim.status()), self.log())
        return buf[:-1].decode('utf-8', errors='replace')

    def cmd(self, tcl, check=True):
        """Run one Tcl command in OpenOCD; returns its result text."""
        env.log('ocd> ' + tcl)
        code = self._rpc('catch {%s} ::h743_result' % tcl).strip()
        result = self._rpc('set ::h743_result')
        self.last_ok = code == '0'      # for check=False callers
        if env.verbose():
            env.log('     = ' + result.rstrip('\n').replace('\n', '\n       '))
        if check and code != '0':
            fail('openocd command failed: %s\n  result: %s' % (tcl, result), self.log())
        return result

    def gdb(self, elf, *commands, timeout=60):
        """gdb-multiarch -batch against this server; returns its Log."""
        argv = [env.tool('gdb-multiarch'), '-batch', '-nx',
                '-ex', 'set pagination off', '-ex', 'set confirm off',
                '-ex', 'set remotetimeout 30',
                '-ex', 'target extended-remote :%d' % self.gdb_port]
        for c in commands:
            argv += ['-ex', c]
        argv.append(elf)
        log_path = env.unique_name('gdb', 'log')
        env.log('$ ' + ' '.join(_quote(a) for a in argv))
        proc = spawn(argv, log_path)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            end(proc, signal.SIGKILL)
            fail('gdb did not finish within %ds (killed)\n  --- openocd (tail) ---\n%s'
                 % (timeout, tail(self.log())), read_log(log_path, 'gdb output'))
        out = read_log(log_path, 'gdb output')
        out.returncode = proc.returncode
        env.log('gdb %s' % describe_exit(proc.returncode))
        env.log_output(out)
        return out

    def close(self, check=True):
        """`shutdown`, wait for exit; with check: exit 0 and no error lines."""
        if self.proc.poll() is None and self.sock is not None:
            try:
                self.sock.sendall(b'shutdown\x1a')
            except OSError:
                pass
        code = None
        try:
            code = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            end(self.proc, signal.SIGKILL)
            if check:
                fail('openocd did not exit after shutdown', self.log())
        finally:
            if self.sock is not None:
                self.sock.close()
                self.sock = None
        out = self.log()
        env.log('openocd server %s' % describe_exit(code))
        env.log_output(out)
        if check:
            if code != 0:
                fail('openocd %s after shutdown' % describe_exit(code), out)
            out.expect_no_errors(self.allow)
        return out
