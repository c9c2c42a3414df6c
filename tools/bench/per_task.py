# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 1, ``per-task``: the per-task overhead against ``debug`` and ``uri``."""

from __future__ import annotations

import collections
import statistics

from .common import (Emulator, INFO_CODE, LP_VERSION, RATIO_TARGET, Runner, TOKEN, ensure_info_course, route,
                     say, write_playbook)


BASELINE_PLAYBOOK = """\
- name: Baseline
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Do nothing
      ansible.builtin.debug:
        msg: "{{ item }}"
      loop: "{{ range(bench_tasks | int) | list }}"
"""

URI_PLAYBOOK = """\
- name: The look-up with ansible.builtin.uri
  hosts: localhost
  gather_facts: false
  tasks:
    - name: GET orgstructure by exact code
      ansible.builtin.uri:
        url: "{{ bench_url }}/d2l/api/lp/%s/orgstructure/?exactOrgUnitCode={{ bench_code | urlencode }}&orgUnitType=3"
        method: GET
        headers:
          Authorization: "Bearer {{ bench_token }}"
        return_content: true
      loop: "{{ range(bench_tasks | int) | list }}"
      register: found
      failed_when: found.json['Items'] | length != 1
""" % LP_VERSION

MODULE_PLAYBOOK = """\
- name: The look-up with d2l.brightspace.d2l_course_info
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the offering by code
      d2l.brightspace.d2l_course_info:
        code: "{{ bench_code }}"
      loop: "{{ range(bench_tasks | int) | list }}"
      register: found
      failed_when: found.courses | length != 1
"""


def bench_per_task(runner: Runner, emulator: Emulator, tasks: int, rounds: int) -> dict:
    say('\n== 1. per-task overhead: d2l_course_info vs ansible.builtin.uri (%d tasks, %d rounds) =='
        % (tasks, rounds))
    ensure_info_course(runner)
    workdir = runner.workdir
    playbooks = {
        'baseline': write_playbook(workdir, 'baseline.yml', BASELINE_PLAYBOOK),
        'uri': write_playbook(workdir, 'uri.yml', URI_PLAYBOOK),
        'module': write_playbook(workdir, 'module.yml', MODULE_PLAYBOOK),
    }
    extra = {'bench_tasks': tasks, 'bench_url': emulator.url, 'bench_token': TOKEN,
             'bench_code': INFO_CODE}
    times = {name: [] for name in playbooks}
    requests = {}
    for number in range(1, rounds + 1):
        for name, path in playbooks.items():
            elapsed, logged, _output = runner.run(path, extra_vars=extra)
            times[name].append(elapsed)
            requests.setdefault(name, logged)
            if len(logged) != len(requests[name]):
                say('   note: %s made %d requests in round %d, %d in round 1'
                    % (name, len(logged), number, len(requests[name])))
            say('   round %d  %-8s %6.2f s  %3d requests' % (number, name, elapsed, len(logged)))

    median = {name: statistics.median(values) for name, values in times.items()}
    per_task = {name: median[name] / tasks for name in median}
    net = {name: (median[name] - median['baseline']) / tasks for name in ('uri', 'module')}
    result = {
        'tasks': tasks, 'rounds': rounds, 'times': times, 'median': median,
        'per_task': per_task, 'net': net,
        'ratio_gross': per_task['module'] / per_task['uri'],
        'ratio_net': net['module'] / net['uri'] if net['uri'] > 0 else float('nan'),
        'requests': {name: len(logged) for name, logged in requests.items()},
        'routes': {name: collections.Counter(route(e) for e in logged) for name, logged in requests.items()},
    }

    say('')
    say('   %-8s %10s %12s %14s %9s' % ('playbook', 'median s', 'per task ms', 'net/task ms', 'requests'))
    for name in ('baseline', 'uri', 'module'):
        say('   %-8s %10.2f %12.1f %14s %9d' % (
            name, median[name], per_task[name] * 1000,
            '-' if name == 'baseline' else '%.1f' % (net[name] * 1000), result['requests'][name]))
    say('')
    say('   ratio module/uri, per task (playbook / %d):           %.2f  (target <= %.2f)'
        % (tasks, result['ratio_gross'], RATIO_TARGET))
    say('   ratio module/uri, net of baseline ((playbook - debug) / %d): %.2f  (target <= %.2f)'
        % (tasks, result['ratio_net'], RATIO_TARGET))
    for name in ('uri', 'module'):
        say('   requests of one %s playbook (%d tasks):' % (name, tasks))
        for key, count in sorted(result['routes'][name].items()):
            say('     %4d  %s' % (count, key))
    return result
