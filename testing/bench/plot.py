#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Plot the CSV written by bench_report.py as a PNG: one panel per wire
speed, per case the simulated time of ours, upstream's and the limit (log
scale), with ours/upstream above each group.

    testing/bench/plot.py build/bench/bench.csv build/bench/bench.png

Needs matplotlib (Debian: python3-matplotlib). bench_report.py imports this
module, or, when its interpreter has no matplotlib (a Python of its own
ahead of /usr/bin in PATH), runs this file with /usr/bin/python3.
"""

import csv
import sys


def load(csv_path):
    with open(csv_path, newline='') as f:
        return list(csv.DictReader(f))


def plot(csv_path, png_path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows = load(csv_path)
    speeds = []
    for r in rows:
        if r['tck_hz'] not in speeds:
            speeds.append(r['tck_hz'])
    fig, axes = plt.subplots(len(speeds), 1, figsize=(12, 4.2 * len(speeds)), squeeze=False)
    series = (('ours', 'ours stm32h743', '#1f77b4'),
              ('upstream', 'upstream stm32h7x', '#ff7f0e'),
              ('limit', 'physical limit', '#2ca02c'))
    width = 0.27
    for ax, speed in zip(axes[:, 0], speeds):
        cases = []
        values = {}
        for r in rows:
            if r['tck_hz'] != speed:
                continue
            if r['case'] not in cases:
                cases.append(r['case'])
            values[(r['case'], r['driver'])] = r
        for i, (key, label, color) in enumerate(series):
            xs, ys = [], []
            for j, case in enumerate(cases):
                if key == 'limit':
                    r = values.get((case, 'ours')) or values.get((case, 'upstream'))
                    v = r and r['limit_ms']
                else:
                    r = values.get((case, key))
                    v = r and r['ok'] == 'yes' and r['sim_ms']
                if v:
                    xs.append(j + (i - 1) * width)
                    ys.append(max(float(v), 1e-3))
            ax.bar(xs, ys, width, label=label, color=color)
            if key != 'limit':
                for j, case in enumerate(cases):
                    r = values.get((case, key))
                    if r and r['ok'] != 'yes':
                        ax.annotate('failed', (j + (i - 1) * width, 0), xycoords=('data',
                                    'axes fraction'), xytext=(0, 3), textcoords='offset points',
                                    ha='center', rotation=90, fontsize=7, color=color)
        for j, case in enumerate(cases):
            ours, up = values.get((case, 'ours')), values.get((case, 'upstream'))
            if ours and up and ours['ok'] == 'yes' and up['ok'] == 'yes':
                top = max(float(ours['sim_ms']), float(up['sim_ms']))
                r = float(ours['sim_ms']) / float(up['sim_ms'])
                ax.annotate(('%.2fx' if r >= 0.1 else '%.2gx') % r,
                            (j, top), textcoords='offset points', xytext=(0, 4),
                            ha='center', fontsize=8)
        ax.set_xlim(-0.6, len(cases) - 0.4)
        ax.set_yscale('log')
        ax.set_ylabel('simulated ms (log)')
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels([c.replace(' ', '\n', 1) for c in cases], fontsize=8)
        ax.set_title('h743sim, JTAG TCK %.0f MHz: flash time on the virtual clock '
                     '(label: ours/upstream)' % (int(speed) / 1e6), fontsize=10)
        ax.grid(axis='y', which='both', alpha=0.3)
        ax.legend(fontsize=8, loc='upper right')
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: plot.py BENCH.csv OUT.png')
    plot(sys.argv[1], sys.argv[2])
