# SPDX-License-Identifier: GPL-2.0-or-later
"""stm32h743 driver against OpenOCD's upstream `stm32h7x` driver on the
same simulated chip: what ours writes and protects, upstream reads back
and verifies (target/stm32h7x_dual_bank.cfg in a second session), and
what upstream writes, ours verifies."""


from harness import capture, check, expect_eq, expect_in, tmpfile

# Run over JTAG (remote_bitbang) and over SWD (vdebug, dapdirect_swd).
TRANSPORTS = ('jtag', 'swd')

from harness import driver as di


def upstream(sim, *cmds, **kw):
    return sim.openocd('init', 'echo "@@firmware-started"', 'reset halt', *cmds,
                       config='upstream', **kw)


def test_upstream_verifies_our_writes():
    """Ours: an ELF across both banks, a binary in bank 2, sector 5 of bank 1
    write-protected. Upstream: verify_image and flash verify_bank of all,
    dump_image, and flash info showing the protection."""
    across = [(0x080F0000, di.random_bytes(64 * 1024, 1000)),
              (0x08100000, di.random_bytes(64 * 1024 + 96, 1001))]
    blob = di.random_bytes(40 * 1024, 1002)
    elf = di.write_elf('across.elf', across)
    blob_path = di.write_bin('b2.bin', blob)
    with di.board_sim() as sim:
        ours = sim.openocd(*di.session(
            'flash write_image erase %s' % elf,
            'flash write_image erase %s 0x08160000' % blob_path,
            'verify_image %s' % elf,
            'flash protect 0 5 5 on'), timeout=90)
        theirs = upstream(
            sim,
            'verify_image %s' % elf,
            'verify_image %s 0x08160000' % blob_path,
            'flash verify_bank 1 %s 0x60000' % blob_path,
            'dump_image %s 0x080f0000 0x20060' % tmpfile('up-across.bin'),
            *di.section('info0', 'flash info 0'),
            capture('wpsn1', 'stm32h7x option_read 0 0x38'),
            timeout=90)
        # Back to the factory state with our driver.
        sim.openocd(*di.session('flash protect 0 5 5 off'))
    expect_in('verified %d bytes' % sum(len(d) for _, d in across), ours)
    expect_eq(theirs.count('verified '), 2, 'upstream verify_image results', theirs)
    expect_in('verified %d bytes' % sum(len(d) for _, d in across), theirs)
    expect_in('verified %d bytes' % len(blob), theirs)
    expect_in('contents match', theirs)
    di.expect_same_data(tmpfile('up-across.bin'), across[0][1] + across[1][1],
                        'upstream dump of the image across the banks', theirs)
    states = [s[3] for s in di.flash_info_sectors(di.between(theirs, 'info0'))]
    expect_eq(states, ['not protected'] * 5 + ['protected'] + ['not protected'] * 2,
              'upstream flash info 0 protection', theirs)
    check(theirs.value('wpsn1').endswith('= 0xdf'), 'upstream reads WPSN_CUR1 %r, expected 0xdf'
          % theirs.value('wpsn1'), theirs)


def test_we_verify_upstream_writes():
    """Upstream writes both banks; our verify_image, flash verify_bank and
    erase_check agree, and our driver can then erase and rewrite."""
    data = [di.random_bytes(48 * 1024, 1010), di.random_bytes(48 * 1024, 1011)]
    paths = [di.write_bin('up%d.bin' % b, d) for b, d in enumerate(data)]
    addrs = [0x08040000, 0x08100000]
    with di.board_sim() as sim:
        upstream(sim, *['flash write_image erase %s 0x%08x' % (p, a)
                        for p, a in zip(paths, addrs)], timeout=90)
        ours = sim.openocd(*di.session(
            *['verify_image %s 0x%08x' % (p, a) for p, a in zip(paths, addrs)],
            'flash verify_bank 0 %s 0x40000' % paths[0],
            'flash verify_bank 1 %s 0' % paths[1],
            *di.section('check0', 'flash erase_check 0'),
            *di.section('check1', 'flash erase_check 1'),
            'flash write_image erase %s 0x%08x' % (paths[1], addrs[0]),
            'verify_image %s 0x%08x' % (paths[1], addrs[0])), timeout=90)
    expect_eq(ours.count('verified %d bytes' % len(data[0])), 3, 'our verify_image results',
              ours)
    expect_eq(ours.count('contents match'), 2, 'our flash verify_bank results', ours)
    expect_eq(di.not_erased(di.between(ours, 'check0')), [0, 2], 'bank 1 sectors not erased',
              ours)
    expect_eq(di.not_erased(di.between(ours, 'check1')), [0], 'bank 2 sectors not erased', ours)
