# SPDX-License-Identifier: GPL-2.0-or-later
"""The --state file is never lost silently (issue 9): a state file that
could not be saved is refused at start; a damaged or truncated one (any
header bit, a section count of 0, a cut) stops the simulator with a reason
that names the section, loads nothing and leaves the file as it was, so the
stored firmware is there again once the file is repaired. --export-bank
refuses the same files, and a missing one."""

import hashlib
import os
import struct
import subprocess
import zlib

from harness import Sim, check, env, expect_eq, expect_in, expect_not_in, tmpfile
from harness.board import idle_firmware, read_file, write_file

BANK_SIZE = 1024 * 1024
FILE_HEADER = 20           # magic, version, count, CRC (persist.h)
SECTION_HEADER = 28        # name[16], size, data CRC, header CRC
REFUSED = 'nothing loaded, the file is left as it is and the simulator stops'


def run_sim(*args, timeout=20):
    """h743sim run to its end (it is expected to refuse to start)."""
    argv = [env.sim_bin(), '--port', '0'] + list(args)
    env.log('$ ' + ' '.join(argv))
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                cwd=env.tmpdir())
    except subprocess.TimeoutExpired:
        check(False, 'h743sim %s did not stop within %ds; it should refuse to start'
              % (' '.join(args), timeout))
    env.log_output(result.stdout + result.stderr)
    return result


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def firmware_state(name):
    """A state file holding a recognisable firmware image in bank 1."""
    image = idle_firmware() + bytes(range(256)) * 64
    state = tmpfile(name)
    with Sim('--flash-image', write_file(name + '.img', image), state=state):
        pass
    return state, image


def sections(state):
    """(offset, name, size) of each section header in a state file."""
    data = read_file(state)
    count = struct.unpack_from('<I', data, 12)[0]
    found, at = [], FILE_HEADER
    for _ in range(count):
        name = data[at:at + 16].rstrip(b'\0').decode()
        size = struct.unpack_from('<I', data, at + 16)[0]
        found.append((at, name, size))
        at += SECTION_HEADER + size
    return found


def put(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def flip(path, offset, mask):
    with open(path, 'r+b') as f:
        f.seek(offset)
        b = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([b ^ mask]))


def expect_refused(state, reason, *extra):
    """The simulator refuses state, naming reason, and leaves it untouched."""
    before = digest(state)
    result = run_sim('--state', state, *extra)
    text = result.stdout + result.stderr
    expect_eq(result.returncode, 1, 'h743sim exit code on a damaged state file')
    expect_in(reason, text, 'the refusal')
    expect_in(REFUSED, text, 'the refusal')
    expect_not_in('ignored', text, 'the refusal (it stops; it does not ignore the file)')
    expect_not_in('listening', text, 'the refusal (it must not serve)')
    expect_eq(digest(state), before, 'state file digest after the refusal')
    return text


def expect_bank1(state, image):
    out = tmpfile('bank1.bin')
    result = run_sim('--state', state, '--export-bank', '1', out)
    expect_eq(result.returncode, 0, 'h743sim --export-bank exit code')
    expect_eq(read_file(out)[:len(image)], image, 'bank 1 of the state file')


def test_state_in_missing_directory_refused():
    missing = os.path.join(env.tmpdir(), 'no', 'such', 'dir')
    state = os.path.join(missing, 'state.bin')
    result = run_sim('--state', state)
    text = result.stdout + result.stderr
    expect_eq(result.returncode, 1, 'h743sim exit code for --state in a missing directory')
    expect_in('h743sim: --state %s: the state could not be saved: cannot create %s.tmp: '
              'No such file or directory (does its directory exist?)' % (state, state), text)
    check(not os.path.exists(os.path.join(env.tmpdir(), 'no')), 'something was created')


def test_flipped_section_header_bits_refused():
    """One bit of a section's name or size (a blank chip before the header
    CRC) stops the simulator; put back, the firmware is all there."""
    state, image = firmware_state('flip.state')
    secs = sections(state)
    expect_eq([s[1] for s in secs], ['flash', 'flash-words', 'flash-swapped', 'option-bytes'],
              'sections of the state file')
    at, name, _ = secs[1]
    flip(state, at + 3, 0x01)              # 'flash-words' -> 'flarh-words'
    expect_refused(state, "section 2 of 4 (stored name 'flarh-words'): its header fails "
                   "its CRC")
    flip(state, at + 3, 0x01)
    flip(state, secs[0][0] + 18, 0x10)     # a size bit of 'flash'
    expect_refused(state, "section 1 of 4 (stored name 'flash'): its header fails its CRC")
    flip(state, secs[0][0] + 18, 0x10)
    flip(state, secs[3][0] + 27, 0x80)     # the header CRC itself
    expect_refused(state, "section 4 of 4 (stored name 'option-bytes'): its header fails")
    flip(state, secs[3][0] + 27, 0x80)
    expect_bank1(state, image)


def test_section_count_zero_refused():
    """A file header that says 0 sections (its own CRC made right) is no
    blank chip."""
    state, image = firmware_state('zero.state')
    good = read_file(state)
    head = bytearray(good[:FILE_HEADER])
    struct.pack_into('<I', head, 12, 0)
    struct.pack_into('<I', head, 16, zlib.crc32(bytes(head[:16])))
    put(state, bytes(head) + good[FILE_HEADER:])
    expect_refused(state, 'it holds 0 sections; this simulator needs 4')
    put(state, bytes(head))                # the header alone
    expect_refused(state, 'it holds 0 sections; this simulator needs 4')
    put(state, good)
    expect_bank1(state, image)


def test_truncated_and_damaged_data_refused():
    state, image = firmware_state('cut.state')
    good = read_file(state)
    secs = sections(state)
    put(state, good[:secs[0][0] + SECTION_HEADER + 4096])
    expect_refused(state, "section 'flash' is truncated (4096 of %d bytes)" % secs[0][2])
    put(state, good[:secs[2][0] + 5])
    expect_refused(state, 'section 3 of 4: truncated in its header (5 of 28 bytes)')
    put(state, good[:7])
    expect_refused(state, 'truncated in the file header (7 of 20 bytes)')
    put(state, good)
    flip(state, secs[0][0] + SECTION_HEADER + 100, 0x04)
    expect_refused(state, "section 'flash': its data fails its CRC")
    # the tool mode refuses it too
    expect_refused(state, "section 'flash': its data fails its CRC",
                   '--export-bank', '1', tmpfile('never.bin'))
    flip(state, secs[0][0] + SECTION_HEADER + 100, 0x04)
    expect_bank1(state, image)


def test_export_of_missing_state_refused():
    out = tmpfile('never.bin')
    result = run_sim('--state', tmpfile('no-such.state'), '--export-bank', '1', out)
    expect_eq(result.returncode, 1, 'h743sim --export-bank exit code without a state file')
    expect_in('does not exist', result.stderr)
    check(not os.path.exists(out), '--export-bank wrote %s from no state file' % out)
