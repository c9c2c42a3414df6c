# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 4, ``job``: how soon a waited-for copy job is noticed."""

from __future__ import annotations

import re

from .common import BenchError, Emulator, Runner, say, write_playbook


JOB_SECONDS = 30.0
POLL_CAP = 30.0  # waiter.MAX_POLL_INTERVAL: the interval the module's polls grow to

JOB_PLAYBOOK = """\
- name: One course copy job of JOB_SECONDS s, waited for with the default poll options
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A template
      d2l.brightspace.d2l_course_template:
        code: BENCH-JOB-TPL
        name: Bench job template
    - name: Source and target offerings
      d2l.brightspace.d2l_course:
        code: "{{ item }}"
        name: "Bench {{ item }}"
        template: BENCH-JOB-TPL
      loop: [BENCH-JOB-MASTER, BENCH-JOB-TARGET]
    - name: Copy and wait
      d2l.brightspace.d2l_copy_job:
        source: BENCH-JOB-MASTER
        target: BENCH-JOB-TARGET
      register: copied
    - name: Show the job token
      ansible.builtin.debug:
        msg: "JOB_TOKEN={{ copied.job_token }} POLLS={{ copied.polls }}"
"""


def bench_job_wait(runner: Runner, emulator: Emulator) -> dict:
    """Polls sent for one copy job of JOB_SECONDS s, and how long after the job completed the
    module noticed (the arrival of its last status request minus the job's completion time)."""
    say('\n== 4. waiting: one %.0f s course copy job, default poll options ==' % JOB_SECONDS)
    emulator.call('POST', '/_emulator/config', {'job_duration': JOB_SECONDS})
    try:
        playbook = write_playbook(runner.workdir, 'job.yml', JOB_PLAYBOOK.replace('JOB_SECONDS', '%.0f' % JOB_SECONDS))
        elapsed, requests, output = runner.run(playbook)
    finally:
        emulator.call('POST', '/_emulator/config', {'job_duration': 2.0})
    match = re.search(r'JOB_TOKEN=(\S+) POLLS=(\d+)', output)
    if not match:
        raise BenchError('the job playbook did not report its job token')
    token = match.group(1)
    job = next(j for j in emulator.call('GET', '/_emulator/state')['jobs'] if j['id'] == token)
    completed_at = job['created'] + sum(seconds for _status, seconds in job['phases'])
    polls = [e for e in requests if e['method'] == 'GET' and e['path'].endswith('/copy/' + token)]
    noticed_at = polls[-1]['time']
    result = {'job_seconds': JOB_SECONDS, 'polls': len(polls), 'module_polls': int(match.group(2)),
              'delay': noticed_at - completed_at, 'cap': POLL_CAP, 'playbook_time': elapsed,
              'gaps': [round(b['time'] - a['time'], 1) for a, b in zip(polls, polls[1:])]}
    say('   polls sent: %d (the module counted %d); gaps between polls: %s s'
        % (result['polls'], result['module_polls'], ', '.join('%.1f' % g for g in result['gaps'])))
    say('   noticed %.1f s after the job completed (target: within one poll interval at its cap, %.0f s)'
        % (result['delay'], POLL_CAP))
    return result
