# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 5, ``rate``: 8 hosts against a rate-limited emulator."""

from __future__ import annotations

import json
import os
import re

from .common import Emulator, INFO_CODE, Runner, ensure_info_course, recap, say, write_playbook


RATE_HOSTS = 8
RATE_TASKS = 100
RATE_FRACTION = 0.5  # the limit, as a share of the rate measured without one
RATE_WINDOW = 10.0  # seconds (emulator rate_window); the real service's window is 60 s
RATE_SHARE_TARGET = 0.9
RATE_PLAYBOOK = """\
- name: Many reads from every host
  hosts: all
  gather_facts: false
  tasks:
    - name: Read the offering by code
      d2l.brightspace.d2l_course_info:
        code: "{{ bench_code }}"
      loop: "{{ range(bench_tasks | int) | list }}"
      register: found
      failed_when: found.courses | length != 1
"""


def window_share(requests: list, limit_requests: int, window: float) -> dict:
    """Replays the emulator's fixed windows over the allowed requests of the log (a window starts
    with the first call after the previous one is over) and measures the rate over the complete
    windows: the requests of every window but the last, over the time from the first window's
    start to the last one's (so the tail of the run, a partial window, is left out)."""
    allowed = sorted(e['time'] for e in requests if e['status'] != 429)
    starts, counts = [], []
    for moment in allowed:
        if not starts or moment - starts[-1] >= window:
            starts.append(moment)
            counts.append(0)
        counts[-1] += 1
    if len(starts) < 2:
        return {'windows': len(starts), 'share': float('nan'), 'rate': float('nan'), 'per_window': counts}
    rate = sum(counts[:-1]) / (starts[-1] - starts[0])
    return {'windows': len(starts), 'rate': rate, 'share': rate / (limit_requests / window),
            'per_window': counts}


def bench_rate(runner: Runner, emulator: Emulator, tasks: int, fraction: float) -> dict:
    say('\n== 5. rate limits: %d hosts (forks %d) x %d d2l_course_info tasks, limited to %.0f%% of the '
        'unlimited rate (window %.0f s) ==' % (RATE_HOSTS, RATE_HOSTS, tasks, fraction * 100, RATE_WINDOW))
    ensure_info_course(runner)
    inventory = os.path.join(runner.workdir, 'rate-hosts.json')
    with open(inventory, 'w', encoding='utf-8') as handle:
        json.dump({'all': {'hosts': {'rate-%d' % n: {} for n in range(1, RATE_HOSTS + 1)},
                           'vars': {'ansible_connection': 'local'}}}, handle)
    playbook = write_playbook(runner.workdir, 'rate.yml', RATE_PLAYBOOK)
    cache = os.path.join(runner.workdir, 'cache-rate')
    extra = {'bench_code': INFO_CODE}
    # warm the caches (token, discovery, ids) as a second run would find them
    runner.run(playbook, inventory='rate-1,', cache_dir=cache, extra_vars=dict(extra, bench_tasks=1))

    probe_tasks = max(5, tasks // 5)
    unlimited_time, unlimited, _out = runner.run(playbook, inventory=inventory, cache_dir=cache,
                                                 forks=RATE_HOSTS, extra_vars=dict(extra, bench_tasks=probe_tasks))
    times = [e['time'] for e in unlimited]
    unlimited_rate = (len(unlimited) - 1) / (times[-1] - times[0])
    per_task = len(unlimited) / float(RATE_HOSTS * probe_tasks)
    limit_requests = max(2, int(unlimited_rate * fraction * RATE_WINDOW))
    say('   unlimited: %d x %d tasks in %.1f s, %d requests (%.2f per task), %.1f requests/s'
        % (RATE_HOSTS, probe_tasks, unlimited_time, len(unlimited), per_task, unlimited_rate))
    say('   limit: %d requests (%d credits) per %.0f s window = %.2f requests/s'
        % (limit_requests, limit_requests * 10, RATE_WINDOW, limit_requests / RATE_WINDOW))

    emulator.call('POST', '/_emulator/config', {'rate_limit': limit_requests * 10, 'rate_window': RATE_WINDOW})
    try:
        elapsed, requests, output = runner.run(playbook, inventory=inventory, cache_dir=cache, forks=RATE_HOSTS,
                                               extra_vars=dict(extra, bench_tasks=tasks), check=False)
    finally:
        emulator.call('POST', '/_emulator/config', {'rate_limit': 50000, 'rate_window': 60.0})
    counts = recap(output)
    # a failed loop item shows as ``failed: [host] (item=...)``; the PLAY RECAP counts the task once
    failed_items = len(re.findall(r'^failed: \[[^]]+\] \(item=', output, re.MULTILINE))
    refused = sum(1 for e in requests if e['status'] == 429)
    allowed = [e for e in requests if e['status'] != 429]
    span = allowed[-1]['time'] - allowed[0]['time'] if len(allowed) > 1 else float('nan')
    windows = window_share(requests, limit_requests, RATE_WINDOW)
    result = {'hosts': RATE_HOSTS, 'tasks': tasks, 'fraction': fraction, 'unlimited_rate': unlimited_rate, 'per_task': per_task,
              'limit_requests': limit_requests, 'window': RATE_WINDOW, 'limit_rate': limit_requests / RATE_WINDOW,
              'time': elapsed, 'failed': max(failed_items, counts['failed'] + counts['unreachable']),
              'failed_items': failed_items, 'failed_tasks': counts['failed'] + counts['unreachable'],
              'refused': refused,
              'allowed': len(allowed), 'span': span, 'overall_rate': len(allowed) / span if span else float('nan'),
              'windows': windows['windows'], 'rate': windows['rate'], 'share': windows['share'],
              'per_window': windows['per_window'], 'ok': counts['ok']}
    say('   limited run: %.1f s; failures: %d failed tasks, %d failed loop items (target 0); '
        '%d requests allowed, %d refused (429)'
        % (elapsed, result['failed_tasks'], failed_items, len(allowed), refused))
    say('   allowed requests per window: %s' % ', '.join(str(n) for n in windows['per_window']))
    say('   throughput over the complete windows: %.2f requests/s = %.2f of the limit (target >= %.1f); '
        'over the whole run: %.2f requests/s' % (result['rate'], result['share'], RATE_SHARE_TARGET,
                                                 result['overall_rate']))
    return result
