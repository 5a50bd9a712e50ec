#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Program an STM32H743 through a running OpenOCD's Tcl RPC port (a line of
Tcl, terminated by 0x1a, answered the same way) and print the result as one
JSON object. Exit code 0 when programmed and verified, 1 otherwise.

    openocd -f board/h743custom.cfg &          # Tcl RPC on 127.0.0.1:6666
    contrib/stm32h743/rpc_program.py fw.elf
    {"ok": true, "flashed": 1, "verified": 1, "rdp": "0", ...}
"""

import argparse
import json
import socket
import sys

TERMINATOR = b'\x1a'


class OpenOCD:
    """One Tcl RPC connection."""

    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def _send(self, tcl):
        self.sock.sendall(tcl.encode() + TERMINATOR)
        reply = b''
        while not reply.endswith(TERMINATOR):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError('OpenOCD closed the connection')
            reply += chunk
        return reply[:-1].decode('utf-8', errors='replace')

    def call(self, tcl):
        """(ok, result): a failing command's result is its error message."""
        code = self._send('catch {%s} ::rpc_result' % tcl).strip()
        return code == '0', self._send('set ::rpc_result')

    def dict_get(self, key):
        return self._send('dict get $::rpc_result %s' % key)


def tcl_quote(text):
    return '{%s}' % text if not any(c in text for c in '{}\\') else '"%s"' % text


def program(ocd, image, address=None):
    args = tcl_quote(image) + (' %s' % address if address else '')
    ok, result = ocd.call('program %s verify' % args)
    if not ok:
        return {'ok': False, 'step': 'program', 'error': result.strip()}
    summary = {'ok': True}
    for key in ('flashed', 'verified', 'reset'):
        summary[key] = int(ocd.dict_get(key))
    summary['written'] = ocd.dict_get('written').strip()
    summary['verify_result'] = ocd.dict_get('verify_result').strip()
    ok, rdp = ocd.call('stm32h743 option_get rdp')
    summary['rdp'] = rdp.strip() if ok else None
    summary['ok'] = summary['verified'] == 1
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('image', help='file to program (ELF, HEX, S-record, or .bin with '
                        '--address)')
    parser.add_argument('--address', help='load address of a .bin image')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=6666, help='OpenOCD tcl_port')
    parser.add_argument('--timeout', type=float, default=300.0)
    args = parser.parse_args()
    try:
        ocd = OpenOCD(args.host, args.port, args.timeout)
        summary = program(ocd, args.image, args.address)
    except (OSError, ConnectionError) as err:
        summary = {'ok': False, 'step': 'connect', 'error': str(err)}
    print(json.dumps(summary))
    return 0 if summary['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
