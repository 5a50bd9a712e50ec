# SPDX-License-Identifier: GPL-2.0-or-later
"""The production flow of contrib/stm32h743/ (issue 13, scripting results):
production.tcl after board/h743custom.cfg programs, verifies, sets option
bytes, locks and resets, exits 0 or 1 and prints one summary line;
rpc_program.py programs over OpenOCD's Tcl RPC port and prints JSON. Also
`program`'s own results (patches/0016): a dict on success, the failing
step's message on failure."""

import json
import os
import re
import subprocess

from harness import OpenOCDServer, Sim, check, expect_eq, expect_in, expect_re
from harness.board import write_file
from harness.env import top_srcdir

CUSTOM = ['interface/h743sim.cfg', 'board/h743custom.cfg']


def contrib(name):
    return os.path.join(top_srcdir(), 'contrib', 'stm32h743', name)


def image():
    # a vector table (sp, reset) and a `b .`, then data: a board that boots
    data = bytes.fromhex('00000220' '09000008' 'fee7') + bytes(range(256)) * 40
    return write_file('fw.bin', data), len(data)


def production(sim, *settings, check_exit=True):
    path, _ = image()
    config = CUSTOM + ['-c set IMAGE %s' % path, '-c set ADDRESS 0x08000000']
    config += ['-c ' + s for s in settings] + [contrib('production.tcl')]
    return sim.openocd(config=config, timeout=120, check=check_exit,
                       allow=(r'clearing lockup', r'write protected', r'write failed',
                              r'Programming Failed', r'stm32h743'))


def summary(out):
    return expect_re(r'^H743-PRODUCTION (result=\w+.*)$', out, 'the summary line').group(1)


def test_production_flow_programs_sets_options_locks():
    with Sim() as sim:
        out = production(sim, 'set OPTIONS {bor_lev 1}', 'set LOCK 1')
        expect_eq(out.returncode, 0, 'exit code', out)
        line = summary(out)
        _, size = image()
        expect_re(r'^result=ok image="[^"]*fw\.bin" bytes=%d options="bor_lev 1" rdp=1$' % size,
                  line, 'summary')
        after = sim.openocd('init', 'reset halt', 'echo "RDP=[stm32h743 option_get rdp] '
                            'BOR=[stm32h743 option_get bor_lev]"', config=CUSTOM,
                            allow=(r'clearing lockup', r'read protection'))
    expect_re(r'^RDP=1 BOR=1$', after, 'option bytes after the flow')


def test_production_flow_fails_with_exit_1_and_the_reason():
    with Sim() as sim:
        sim.openocd('init', 'reset halt', 'flash protect 0 0 0 on', config=CUSTOM,
                    allow=(r'clearing lockup',))
        out = production(sim, check_exit=False)
    expect_eq(out.returncode, 1, 'exit code of a failed flow', out)
    line = summary(out)
    expect_re(r'^result=fail step=program image="[^"]*" reason="\*\* Programming Failed \*\*: '
              r'.*sector 0 is write protected', line, 'the failure summary')


def test_program_returns_a_dict_and_failures_their_reason():
    path, size = image()
    with Sim() as sim:
        with OpenOCDServer(sim, config=CUSTOM, allow=(r'write protected',)) as ocd:
            result = ocd.cmd('program %s 0x08000000 verify' % path)
            expect_re(r'^flashed 1 written \{auto erase enabled\s+wrote %d bytes from file .*\s*\} '
                      r'verified 1 verify_result \{verified %d bytes .*\s*\} reset 0$'
                      % (size, size), result.strip(), 'program\'s dict')
            ocd.cmd('flash protect 0 0 0 on')
            ocd.cmd('program %s 0x08000000 verify' % path, check=False)
            check(not ocd.last_ok, 'program into a protected sector succeeded')
            err = ocd.cmd('set ::h743_result')
            expect_re(r'^\*\* Programming Failed \*\*: (?s:.*)sector 0 is write protected', err,
                      'program\'s error message')


def test_rpc_client_programs_and_reports_json():
    path, size = image()
    with Sim() as sim:
        with OpenOCDServer(sim, config=CUSTOM, allow=(r'write protected',)) as ocd:
            run = subprocess.run([contrib('rpc_program.py'), path, '--address', '0x08000000',
                                  '--port', str(ocd.tcl_port)], capture_output=True, text=True,
                                 timeout=120)
            expect_eq(run.returncode, 0, 'rpc_program.py exit code', run.stdout + run.stderr)
            result = json.loads(run.stdout)
            expect_eq((result['ok'], result['flashed'], result['verified'], result['rdp']),
                      (True, 1, 1, '0'), 'rpc_program.py result', run.stdout)
            expect_in('wrote %d bytes' % size, result['written'])
            ocd.cmd('flash protect 0 0 0 on')
            run = subprocess.run([contrib('rpc_program.py'), path, '--address', '0x08000000',
                                  '--port', str(ocd.tcl_port)], capture_output=True, text=True,
                                 timeout=120)
            expect_eq(run.returncode, 1, 'rpc_program.py exit code on failure', run.stdout)
            result = json.loads(run.stdout)
            check(not result['ok'] and re.search(r'write protected', result['error']),
                  'the failure and its reason: %s' % run.stdout)
