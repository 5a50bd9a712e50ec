# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile clients of the simulator's remote_bitbang port (issue 9), shared
by testing/tests/integration/test_hostile_clients.py (a bounded burst) and
testing/stress/hostile_soak.py (minutes of it). Every client talks to
127.0.0.1 only, and every wait is bounded.

Each client returns a short description of what it did; a misbehaving
simulator shows up as a failure (TestFailure) or, later, as a dead, hung or
growing process (see rss_kib, fd_count).
"""

import errno
import os
import select
import socket
import threading
import time

from .checks import check, fail

HOST = '127.0.0.1'
IDCODES = (0x6BA00477, 0x06450041)      # DAP TAP (nearest TDO), boundary scan


def connect(port, rcvbuf=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
    except OSError:
        s.close()
        raise
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rss_kib(pid):
    """Resident set size of a process, from /proc/PID/status."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    fail('no VmRSS in /proc/%d/status' % pid)


def fd_count(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


# ---- remote_bitbang as OpenOCD's bitbang.c speaks it ----------------------------

def _clock(tms, tdi=0, read=False):
    """One TCK cycle: TCK low (with a TDO sample), then TCK high."""
    low = '%d' % (2 * tms + tdi)
    high = '%d' % (4 + 2 * tms + tdi)
    return low + ('R' if read else '') + high


def idcode_scan():
    """Release TRST and SRST (a hostile client may have left them asserted,
    and they stay until driven again), Test-Logic-Reset, then both IDCODEs
    out of Shift-DR (64 'R's), back to Run-Test/Idle. The replies read
    0x6BA00477 then 0x06450041."""
    seq = 'r' + _clock(1) * 6 + _clock(0)           # lines released, TLR, RTI
    seq += _clock(1) + _clock(0) + _clock(0)        # Select-DR, Capture-DR, Shift-DR
    seq += _clock(0, read=True) * 63 + _clock(1, read=True)   # 64 bits, to Exit1-DR
    seq += _clock(1) + _clock(0)                    # Update-DR, RTI
    return seq.encode()


def decode_idcodes(replies):
    bits = [1 if b == ord('1') else 0 for b in replies]
    return tuple(sum(bit << i for i, bit in enumerate(bits[k:k + 32])) for k in (0, 32))


def read_exactly(s, n, limit=10.0):
    buf = b''
    deadline = time.monotonic() + limit
    while len(buf) < n:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = s.recv(n - len(buf))
        except socket.timeout:
            fail('the simulator sent %d of %d replies within %.0f s' % (len(buf), n, limit))
        if not chunk:
            fail('the simulator closed the connection after %d of %d replies' % (len(buf), n))
        buf += chunk
    return buf


def expect_idcodes(s):
    """A well-behaved exchange on an open connection still works."""
    s.sendall(idcode_scan())
    got = decode_idcodes(read_exactly(s, 64))
    check(got == IDCODES, 'IDCODEs read %s, expected %s'
          % (['%#010x' % v for v in got], ['%#010x' % v for v in IDCODES]))


def _drain(s):
    """Read whatever replies are waiting, without blocking."""
    n = 0
    while select.select([s], [], [], 0)[0]:
        try:
            chunk = s.recv(65536)
        except OSError:
            return n
        if not chunk:
            return n
        n += len(chunk)
    return n


# ---- the clients ------------------------------------------------------------------

NO_QUIT = bytes.maketrans(b'Q', b'q')


def random_bytes(port, rng, size=256 * 1024):
    """Random bytes in random-sized chunks, replies read as they come. 'Q'
    (quit) becomes 'q' so that the connection lasts."""
    sent = 0
    with connect(port) as s:
        while sent < size:
            chunk = rng.randbytes(rng.randint(1, 16384)).translate(NO_QUIT)
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            _drain(s)
    return 'random bytes: %d sent' % sent


def second_client(port, first):
    """While `first` is connected, another client is refused at once (a
    reset or EOF, not silence); `first` is served on."""
    t0 = time.monotonic()
    data = b''
    try:
        with connect(port) as s:
            s.sendall(b'R')
            data = s.recv(1)
    except (ConnectionResetError, BrokenPipeError):
        pass                            # refused with a reset (maybe before connect returned)
    except socket.timeout:
        fail('a second client got no answer and no refusal within 5 s '
             '(it waits in the listen queue)')
    check(data == b'', 'a second client was served (%r) while one is connected' % data)
    took = time.monotonic() - t0
    expect_idcodes(first)
    return 'second client refused in %.3f s' % took


def silent_client(port):
    """A connection that never says anything; returns it (the caller closes)."""
    return connect(port)


def unread_replies(port, limit=20.0):
    """Ask for replies ('R') and never read them: the simulator must drop the
    connection once its backlog is over its limit, without blocking."""
    s = connect(port, rcvbuf=4096)
    s.setblocking(False)
    chunk = b'R' * 65536
    sent = 0
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            _, writable, _ = select.select([], [s], [], 0.5)
            if not writable:
                continue
            try:
                sent += s.send(chunk)
            except (BlockingIOError, InterruptedError):
                continue
            except (BrokenPipeError, ConnectionResetError):
                return 'unread replies: dropped after %.1f MiB of requests' % (sent / 2**20)
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET):
                    return 'unread replies: dropped after %.1f MiB' % (sent / 2**20)
                raise
        fail('the simulator kept a client that never reads its replies '
             '(%.1f MiB of requests in %.0f s)' % (sent / 2**20, limit))
    finally:
        s.close()


def huge_input(port, size=8 * 2**20, limit=30.0):
    """A long valid stream (IDCODE scans back to back, ~size bytes), replies
    read by a second thread: every reply arrives, the last scan is right."""
    scan = idcode_scan()
    reps = max(1, size // len(scan))
    replies = bytearray()
    with connect(port, timeout=limit) as s:
        def reader():
            while len(replies) < 64 * reps:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                replies.extend(chunk)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        block = scan * 256
        for _ in range(reps // 256):
            s.sendall(block)
        s.sendall(scan * (reps % 256))
        t.join(limit)
        check(not t.is_alive(), 'huge input: %d of %d replies within %.0f s'
              % (len(replies), 64 * reps, limit))
    check(len(replies) == 64 * reps, 'huge input: %d replies, expected %d'
          % (len(replies), 64 * reps))
    check(decode_idcodes(replies[-64:]) == IDCODES, 'huge input: the last scan read wrong')
    return 'huge input: %.1f MiB, %d replies' % (reps * len(scan) / 2**20, len(replies))


def slow_drip(port, delay=0.002):
    """One byte at a time with pauses: the scan still reads both IDCODEs."""
    replies = b''
    with connect(port) as s:
        for b in idcode_scan():
            s.sendall(bytes([b]))
            if b == ord('R'):
                replies += read_exactly(s, 1)
            time.sleep(delay)
    got = decode_idcodes(replies)
    check(got == IDCODES, 'slow drip read IDCODEs %s' % ['%#010x' % v for v in got])
    return 'slow drip: %d bytes' % len(idcode_scan())


def burst(port, rng):
    """One of each, ending with the port free again. Returns descriptions."""
    done = [random_bytes(port, rng)]
    with connect(port) as first:
        expect_idcodes(first)
        done.append(second_client(port, first))
    quiet = silent_client(port)
    try:
        time.sleep(0.1)
        done.append('silent client held; ' + second_client(port, quiet))
    finally:
        quiet.close()
    done.append(unread_replies(port))
    done.append(huge_input(port, size=2 * 2**20))
    done.append(slow_drip(port, delay=0.0005))
    return done
