# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line: choose sections, run them against one emulator, print and write the report."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .common import (ANSIBLE_PLAYBOOK, BenchError, DEMO_INVENTORY, DEMO_PLAYBOOK, Emulator, REPO, REPORT,
                     Runner, machine, say)
from .per_task import bench_per_task
from .rerun import bench_rerun
from .scale import FORKS, PROVISION_PLAYBOOK, SCALE_OFFERINGS, bench_scale
from .job import bench_job_wait
from .streaming import STREAM_MIB, bench_streaming
from .lr import LR_PACKAGES, bench_lr_rerun
from .rate import RATE_FRACTION, RATE_TASKS, bench_rate
from .catalog import CATALOG_OFFERINGS, LIMITED_OFFERINGS, bench_catalog
from .report import render_table, report, table_rows


SECTIONS = ('per-task', 'demo', 'scale', 'lr', 'streaming', 'job', 'rate', 'catalog')


def main() -> int:
    parser = argparse.ArgumentParser(description=sys.modules[__package__].__doc__.strip().split('\n', 1)[0])
    parser.add_argument('--tasks', type=int, default=30, help='tasks per per-task playbook (default 30)')
    parser.add_argument('--rounds', type=int, default=3, help='rounds of the per-task playbooks (default 3)')
    parser.add_argument('--no-report', action='store_true', help='do not write docs/performance.md')
    parser.add_argument('--only', choices=SECTIONS, action='append',
                        help='run only that section (repeatable); prints its table rows, writes no report')
    parser.add_argument('--scale', type=int, default=SCALE_OFFERINGS,
                        help='offerings in the scale catalog (default %d)' % SCALE_OFFERINGS)
    parser.add_argument('--forks', default=','.join(str(n) for n in FORKS),
                        help='--forks values of the one-host-per-course runs (default %s)'
                        % ','.join(str(n) for n in FORKS))
    parser.add_argument('--lr-packages', type=int, default=LR_PACKAGES,
                        help='packages of the LR re-run (default %d)' % LR_PACKAGES)
    parser.add_argument('--stream-mib', type=int, default=STREAM_MIB,
                        help='size of the streamed file in MiB (default %d)' % STREAM_MIB)
    parser.add_argument('--rate-tasks', type=int, default=RATE_TASKS,
                        help='tasks per host of the rate-limit run (default %d)' % RATE_TASKS)
    parser.add_argument('--rate-fraction', type=float, default=RATE_FRACTION,
                        help='the rate limit as a share of the unlimited rate (default %.2f)' % RATE_FRACTION)
    parser.add_argument('--catalog', type=int, default=CATALOG_OFFERINGS,
                        help='offerings of the d2l_catalog runs (default %d)' % CATALOG_OFFERINGS)
    parser.add_argument('--catalog-limited', type=int, default=LIMITED_OFFERINGS,
                        help='offerings of the rate-limited d2l_catalog run (default %d)' % LIMITED_OFFERINGS)
    args = parser.parse_args()
    if min(args.tasks, args.rounds, args.scale, args.lr_packages, args.stream_mib, args.rate_tasks,
           args.catalog, args.catalog_limited) < 1:
        parser.error('sizes must be at least 1')
    try:
        forks = tuple(int(n) for n in args.forks.split(',') if n.strip())
    except ValueError:
        parser.error('--forks: comma-separated numbers, e.g. 1,8')
    if not 0 < args.rate_fraction <= 1:
        parser.error('--rate-fraction: more than 0, at most 1')
    if not forks or min(forks) < 1:
        parser.error('--forks: comma-separated numbers of at least 1, e.g. 1,8')

    for path in (DEMO_PLAYBOOK, DEMO_INVENTORY, PROVISION_PLAYBOOK, ANSIBLE_PLAYBOOK):
        if not os.path.exists(path):
            say('bench: %s does not exist' % path)
            return 1

    started = time.perf_counter()
    workdir = tempfile.mkdtemp(prefix='d2l-bench-')
    emulator = Emulator(workdir)

    def on_signal(signum, _frame):
        emulator.stop()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    sections = {
        'per-task': lambda runner: bench_per_task(runner, emulator, args.tasks, args.rounds),
        'demo': bench_rerun,
        'scale': lambda runner: bench_scale(runner, emulator, args.scale, forks),
        'lr': lambda runner: bench_lr_rerun(runner, args.lr_packages),
        'streaming': lambda runner: bench_streaming(runner, emulator, args.stream_mib),
        'job': lambda runner: bench_job_wait(runner, emulator),
        'rate': lambda runner: bench_rate(runner, emulator, args.rate_tasks, args.rate_fraction),
        'catalog': lambda runner: bench_catalog(runner, emulator, args.catalog, args.catalog_limited),
    }
    chosen = [name for name in SECTIONS if not args.only or name in args.only]
    ok = False
    try:
        emulator.start()
        say('bench: emulator on %s, work directory %s' % (emulator.url, workdir))
        runner = Runner(workdir, emulator)
        results, timings = {}, {}
        for name in chosen:
            section_started = time.perf_counter()
            results[name] = sections[name](runner)
            timings[name] = time.perf_counter() - section_started
            say('   [%s: %.0f s]' % (name, timings[name]))
        elapsed = time.perf_counter() - started
        info = machine()
        command = ' '.join(sys.argv[1:])
        say('\n== summary (%.0f s: %s) ==\n' % (elapsed, ', '.join('%s %.0f s' % kv for kv in timings.items())))
        if args.only:
            say('\n'.join(render_table(table_rows(results))))
        else:
            text = report(results, info, elapsed, command, timings)
            say(text)
            if not args.no_report:
                with open(REPORT, 'w', encoding='utf-8') as handle:
                    handle.write(text)
                say('bench: wrote %s' % os.path.relpath(REPORT, REPO))
        ok = True
        return 0
    except (BenchError, OSError, ValueError, KeyError, subprocess.SubprocessError) as ex:
        say('bench: FAILED: %s: %s' % (type(ex).__name__, ex))
        return 1
    finally:
        emulator.stop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say('bench: kept %s (emulator log: %s)' % (workdir, emulator.log_path))
