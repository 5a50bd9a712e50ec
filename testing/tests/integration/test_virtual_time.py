# SPDX-License-Identifier: GPL-2.0-or-later
"""Virtual time repeats: the same session gives the same virtual time on a
quiet host and on a host with every core busy. The chip's time flows with
the wire and with the debugger's polls only (testing/sim/stm32h743.c,
poll_step), never with how long the host really paused between commands."""

import multiprocessing
import os
import random

from harness import Sim, expect_eq, expect_gt, note, tmpfile

IMAGE_SIZE = 192 * 1024        # crosses into the second sector: erase, program, poll


def burn(stop):
    while not stop.is_set():
        sum(i * i for i in range(10000))


class HostLoad:
    """Every core of the host busy, for the length of a with block."""

    def __enter__(self):
        self.stop = multiprocessing.Event()
        self.procs = [multiprocessing.Process(target=burn, args=(self.stop,), daemon=True)
                      for _ in range(max(2, os.cpu_count() or 1))]
        for p in self.procs:
            p.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.kill()
        return False


def session_virtual_ns(image, load):
    cmds = ('init', 'reset halt', 'flash write_image erase %s 0x08000000 bin' % image,
            'verify_image %s 0x08000000 bin' % image,
            'shutdown')
    with Sim() as sim:
        if load:
            with HostLoad():
                sim.openocd(*cmds, timeout=300)
        else:
            sim.openocd(*cmds, timeout=300)
        stats = sim.stats()
    return stats['virtual_ns'], stats['wire_ns']


def test_same_session_same_virtual_time_under_host_load():
    image = tmpfile('repeat.bin')
    with open(image, 'wb') as f:
        f.write(random.Random(11).randbytes(IMAGE_SIZE))
    quiet, quiet_wire = session_virtual_ns(image, load=False)
    loaded, loaded_wire = session_virtual_ns(image, load=True)
    expect_gt(quiet, quiet_wire, 'virtual time beyond the wire (flash busy, polls)')
    drift = abs(loaded - quiet) / quiet
    note('virtual time of one session: %.3f ms quiet, %.3f ms with every core busy '
         '(drift %.4f%%)' % (quiet / 1e6, loaded / 1e6, drift * 100))
    expect_eq(loaded_wire, quiet_wire, 'wire time of the same session (ns)')
    expect_eq(drift <= 0.001, True, 'virtual time drift %.4f%% within 0.1%%' % (drift * 100))
