#!/usr/bin/env python
"""Benchmark the d2l.brightspace collection against a local Brightspace emulator (``make bench``).

Prints figures; it is not a timed test: it exits 0 unless something it runs fails (the
emulator, a playbook), whatever the figures are.

1. Per-task overhead. Three playbooks of N tasks each (one task looping N times), run on
   localhost against the emulator:

   - ``baseline``: ``ansible.builtin.debug``, the cost of a task that does nothing;
   - ``uri``: ``ansible.builtin.uri`` doing the look-up the module does
     (``GET /d2l/api/lp/1.47/orgstructure/?exactOrgUnitCode=<code>&orgUnitType=3`` with the
     bearer header);
   - ``module``: ``d2l.brightspace.d2l_course_info`` with ``code: <code>``.

   Each round runs the three (interleaved, so drift hits them alike); the median of the rounds
   is reported, as wall time per task (playbook / N) and as the net time per task (playbook
   minus baseline, / N). Each playbook run gets a fresh token cache directory, so the module's
   API version / org unit type discovery (``discovery.json`` beside the token cache) happens once
   per playbook and is shared by its N tasks, as in real use. Requests are counted from the
   emulator's request log.

2. Re-run requests. ``playbooks/demo.yml`` (with ``playbooks/inventory.yml``) runs twice with
   one token cache directory (the second run finds a warm discovery cache, as a re-run within
   ten minutes does); the requests of the second run are counted by method, and the GETs are
   listed by route (numeric path segments collapsed to ``{id}``, query keys kept).

3. Waiting. One course copy job of 30 s (the emulator's job duration set through its control
   API), started and waited for by ``d2l_copy_job`` with the default poll options: the status
   requests it sent (and the gaps between them), and how long after the job completed the
   module noticed (the arrival time of its last status request, from the request log, minus the
   job's completion time, from the emulator's state). Target: within one poll interval at its
   cap (30 s).

4. Streaming. A 1 GiB file artifact uploaded by ``d2l_artifact`` (resumable, 8 MiB chunks) and
   an export package holding it downloaded by ``d2l_ep_export``, with the module process run
   under a small wrapper interpreter that records its peak RSS and wall time. Memory: peak RSS
   minus the same module's peak with a 1 MiB file (target: under 64 MiB). Throughput: the
   module's time net of that small run, against ``curl`` sending the same bytes in one request
   to the same upload route, and fetching the same package (target: at least 0.8x curl).

5. Learning Repository re-run. 100 small SCORM packages published by ``d2l_lr_object`` (one
   task looping over a folder, ``content_check: none``), then the same playbook again: the
   re-run's requests per package (target: at most two), writes (target: none) and wall time.

6. A Markdown table of the figures, with the machine, printed and written to
   ``docs/performance.md`` (overwritten).

The emulator runs as ``<this python> -m brightspace_emulator`` on a free loopback port and is
always stopped at the end. ansible-playbook is the one beside this interpreter.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import zipfile
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, 'ansible-playbook')
DEMO_PLAYBOOK = os.path.join(REPO, 'playbooks', 'demo.yml')
DEMO_INVENTORY = os.path.join(REPO, 'playbooks', 'inventory.yml')
REPORT = os.path.join(REPO, 'docs', 'performance.md')
TOKEN = 'demo-token'
LP_VERSION = '1.47'
# Managed by the demo: semester, department, template, three offerings.
DEMO_RESOURCES = 9  # semester, department, template, 3 offerings, master, learning object, artifact
# An offering the demo creates; the per-task benchmark reads it.
LOOKUP_CODE = 'DEMO-BIO101-F26-A'
HEALTH_TIMEOUT = 30.0
PLAYBOOK_TIMEOUT = 300
RATIO_TARGET = 1.15

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

RECAP_LINE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+'
                        r'unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)')


class BenchError(RuntimeError):
    pass


def say(message: str = '') -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Emulator:
    def __init__(self, workdir: str):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = os.path.join(workdir, 'emulator.log')
        self.proc = None
        self.mark = 0

    def start(self) -> None:
        with open(self.log_path, 'w', encoding='utf-8') as log:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, '-m', 'brightspace_emulator', '--host', '127.0.0.1',
                 '--port', str(self.port), '--log-level', 'warning'],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError('the emulator exited with status %s before it was healthy (log: %s)'
                                 % (self.proc.returncode, self.log_path))
            try:
                if self.call('GET', '/_emulator/health').get('status') == 'ok':
                    self.mark = self.call('GET', '/_emulator/requests?since=0')['next']
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        raise BenchError('the emulator was not healthy after %.0f s' % HEALTH_TIMEOUT)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, method=method, data=data,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def new_requests(self) -> list:
        """The requests logged since the previous call (or the start)."""
        answer = self.call('GET', '/_emulator/requests?since=%d' % self.mark)
        self.mark = answer['next']
        return answer['requests']


class Runner:
    """Runs ansible-playbook on localhost against the emulator, the collection from this checkout."""

    def __init__(self, workdir: str, emulator: Emulator):
        self.workdir = workdir
        self.emulator = emulator
        collections_dir = os.path.join(workdir, 'collections')
        os.makedirs(os.path.join(collections_dir, 'ansible_collections', 'd2l'))
        os.symlink(REPO, os.path.join(collections_dir, 'ansible_collections', 'd2l', 'brightspace'))
        self.env = dict(os.environ)
        self.env.update({
            'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_COLLECTIONS_PATH': collections_dir,
            'ANSIBLE_STDOUT_CALLBACK': 'default',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
            'BRIGHTSPACE_URL': emulator.url,
            'BRIGHTSPACE_ACCESS_TOKEN': TOKEN,
            'DEMO_WORKDIR': os.path.join(workdir, 'demo-output'),  # the demo's exported package
        })
        self.runs = 0

    def run(self, playbook: str, inventory: str = 'localhost,', extra_vars: dict | None = None,
            cache_dir: str | None = None) -> tuple[float, list, str]:
        """Run a playbook; returns (wall seconds, requests it made, output). Raises if it fails."""
        self.runs += 1
        if cache_dir is None:
            cache_dir = os.path.join(self.workdir, 'cache-%d' % self.runs)
        env = dict(self.env, BRIGHTSPACE_TOKEN_CACHE=os.path.join(cache_dir, 'tokens.json'))
        command = [ANSIBLE_PLAYBOOK, '-i', inventory, '-c', 'local',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable]
        if extra_vars:
            command += ['-e', json.dumps(extra_vars)]
        command.append(playbook)
        self.emulator.new_requests()  # skip anything logged before this run
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=PLAYBOOK_TIMEOUT, check=False)
        elapsed = time.perf_counter() - started
        requests = self.emulator.new_requests()
        if proc.returncode != 0:
            sys.stdout.write(proc.stdout)
            raise BenchError('%s failed with status %d' % (os.path.basename(playbook), proc.returncode))
        return elapsed, requests, proc.stdout


def write_playbook(workdir: str, name: str, text: str) -> str:
    path = os.path.join(workdir, name)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    return path


def route(entry: dict) -> str:
    """``GET /d2l/api/lp/1.47/courses/{id}`` (+ ``?key&key`` for the query keys)."""
    path = '/'.join('{id}' if part.isdigit() else part for part in entry['path'].split('/'))
    keys = sorted(entry.get('query') or {})
    return '%s %s%s' % (entry['method'], path, ('?' + '&'.join(keys)) if keys else '')


def changed_count(output: str) -> int:
    total = None
    for line in output.splitlines():
        match = RECAP_LINE.match(line.strip())
        if match:
            total = (total or 0) + int(match.group('changed'))
    if total is None:
        raise BenchError('no PLAY RECAP in the output')
    return total


def machine() -> dict:
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = 'unknown'
    return {
        'platform': platform.platform(),
        'cpus': os.cpu_count(),
        'python': platform.python_version(),
        'ansible_core': ansible_version,
    }


# ---------------------------------------------------------------------------- part 1

def bench_per_task(runner: Runner, emulator: Emulator, tasks: int, rounds: int) -> dict:
    say('\n== 1. per-task overhead: d2l_course_info vs ansible.builtin.uri (%d tasks, %d rounds) =='
        % (tasks, rounds))
    workdir = runner.workdir
    playbooks = {
        'baseline': write_playbook(workdir, 'baseline.yml', BASELINE_PLAYBOOK),
        'uri': write_playbook(workdir, 'uri.yml', URI_PLAYBOOK),
        'module': write_playbook(workdir, 'module.yml', MODULE_PLAYBOOK),
    }
    extra = {'bench_tasks': tasks, 'bench_url': emulator.url, 'bench_token': TOKEN,
             'bench_code': LOOKUP_CODE}
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


# ---------------------------------------------------------------------------- part 2

def bench_rerun(runner: Runner) -> dict:
    say('\n== 2. re-run requests: %s twice (one token cache) ==' % os.path.relpath(DEMO_PLAYBOOK, REPO))
    cache_dir = os.path.join(runner.workdir, 'cache-demo')
    first_time, first, first_out = runner.run(DEMO_PLAYBOOK, inventory=DEMO_INVENTORY, cache_dir=cache_dir)
    say('   run 1: %.2f s, %d requests, changed=%d' % (first_time, len(first), changed_count(first_out)))
    second_time, second, second_out = runner.run(DEMO_PLAYBOOK, inventory=DEMO_INVENTORY, cache_dir=cache_dir)
    changed = changed_count(second_out)
    say('   run 2: %.2f s, %d requests, changed=%d' % (second_time, len(second), changed))

    by_method = collections.Counter(e['method'] for e in second)
    gets = by_method.get('GET', 0)
    writes = sum(count for method, count in by_method.items() if method != 'GET')
    get_routes = collections.Counter(route(e) for e in second if e['method'] == 'GET')
    write_routes = collections.Counter(route(e) for e in second if e['method'] != 'GET')
    units = DEMO_RESOURCES + 1  # + the api_info check
    lookups = collections.Counter(
        '%s (orgUnitType %s)' % (e['query'].get('exactOrgUnitCode'), e['query'].get('orgUnitType', 'any'))
        for e in second if e['method'] == 'GET' and e['path'].endswith('/orgstructure/')
        and 'exactOrgUnitCode' in (e.get('query') or {}))
    result = {
        'lookups': lookups,
        'first_requests': len(first), 'first_time': first_time,
        'second_requests': len(second), 'second_time': second_time, 'second_changed': changed,
        'by_method': dict(by_method), 'gets': gets, 'writes': writes,
        'units': units, 'gets_per_resource': gets / units,
        'get_routes': get_routes, 'write_routes': write_routes,
        'statuses': collections.Counter(e['status'] for e in second),
    }
    say('')
    say('   second run by method: %s' % ', '.join('%s %d' % kv for kv in sorted(by_method.items())))
    say('   statuses: %s' % ', '.join('%s: %d' % (k, v) for k, v in sorted(result['statuses'].items(), key=str)))
    say('   writes (non-GET): %d  (target 0)' % writes)
    say('   GETs per resource: %.2f  (%d GETs / %d = %d managed resources + the api_info check; target 1.00)'
        % (result['gets_per_resource'], gets, units, DEMO_RESOURCES))
    say('   GETs of the second run by route:')
    for key, count in sorted(get_routes.items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (count, key))
    say('   look-ups by code (orgstructure/?exactOrgUnitCode=...) of the second run:')
    for key, count in sorted(lookups.items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (count, key))
    if write_routes:
        say('   writes of the second run by route:')
        for key, count in sorted(write_routes.items(), key=lambda kv: (-kv[1], kv[0])):
            say('     %4d  %s' % (count, key))
    return result


# ---------------------------------------------------------------------------- part 3

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
    say('\n== 3. waiting: one %.0f s course copy job, default poll options ==' % JOB_SECONDS)
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


# ---------------------------------------------------------------------------- part 4

STREAM_MIB = 1024
STREAM_ROUNDS = 3  # transfers are timed this many times; the median is reported
MEMORY_TARGET_MIB = 64
THROUGHPUT_TARGET = 0.8

# The module process runs under this wrapper (as ansible_python_interpreter): it records the
# module process's wall time and peak resident set size (RUSAGE_CHILDREN: the one child it ran).
MEMORY_WRAPPER = """#!PYTHON
import os, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call([PYTHON_QUOTED] + sys.argv[1:])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
with open(os.environ["D2L_BENCH_PROBE"], "a") as handle:
    handle.write("%d %.3f\\n" % (peak, elapsed))
sys.exit(code)
"""

UPLOAD_PLAYBOOK = """\
- name: One file artifact, resumable upload
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Upload
      d2l.brightspace.d2l_artifact:
        kind: file
        name: "{{ bench_name }}"
        src: "{{ bench_src }}"
        upload: resumable
      register: uploaded
    - name: Show the id
      ansible.builtin.debug:
        msg: "OBJECT_ID={{ uploaded.artifact.id }}"
"""

EXPORT_PLAYBOOK = """\
- name: Export the objects and stream the package
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Export
      d2l.brightspace.d2l_ep_export:
        object_ids: "{{ bench_ids | default(omit) }}"
        export_id: "{{ bench_export_id | default(omit) }}"
        dest: "{{ bench_dest }}"
        force: true
        poll_interval: 0.2
      register: exported
    - name: Show the id
      ansible.builtin.debug:
        msg: "EXPORT_ID={{ exported.export_id }} SIZE={{ exported.size }}"
"""


def make_file(path: str, mib: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, 'wb') as handle:
        for index in range(mib):
            handle.write(block[index % 251:] + block[:index % 251])  # no two MiB alike


def probe_run(runner: Runner, wrapper: str, playbook: str, extra: dict) -> tuple:
    """Run a playbook with the module under the wrapper: ((peak KiB, seconds), output)."""
    probe = os.path.join(runner.workdir, 'probe.txt')
    if os.path.exists(probe):
        os.unlink(probe)
    runner.env['D2L_BENCH_PROBE'] = probe
    extra = dict(extra, ansible_python_interpreter=wrapper)
    try:
        _elapsed, _requests, output = runner.run(playbook, extra_vars=extra)
    finally:
        runner.env.pop('D2L_BENCH_PROBE', None)
    with open(probe, encoding='utf-8') as handle:
        lines = [line.split() for line in handle if line.strip()]
    peak, seconds = max((int(kib), float(sec)) for kib, sec in lines)  # the module, not the debug task
    return (peak, seconds), output


def curl(args: list, output: str = os.devnull) -> float:
    """Seconds curl takes for one transfer (``output``: where a download is written)."""
    started = time.perf_counter()
    subprocess.run(['curl', '--silent', '--show-error', '--fail', '-o', output] + args, check=True,
                   stdin=subprocess.DEVNULL, timeout=PLAYBOOK_TIMEOUT)
    return time.perf_counter() - started


def bench_streaming(runner: Runner, emulator: Emulator, mib: int) -> dict:
    say('\n== 4. streaming: a %d MiB file up (resumable) and down (export package) ==' % mib)
    if shutil.which('curl') is None:
        raise BenchError('curl is needed for the throughput comparison')
    workdir = runner.workdir
    wrapper = os.path.join(workdir, 'python-probe')
    with open(wrapper, 'w', encoding='utf-8') as handle:
        handle.write(MEMORY_WRAPPER.replace('PYTHON_QUOTED', repr(sys.executable)).replace('PYTHON', sys.executable, 1))
    os.chmod(wrapper, 0o755)
    emulator.call('POST', '/_emulator/config', {'job_duration': 0.5})
    small, large = os.path.join(workdir, 'small.bin'), os.path.join(workdir, 'large.bin')
    make_file(small, 1)
    make_file(large, mib)
    size = os.path.getsize(large)
    upload = write_playbook(workdir, 'upload.yml', UPLOAD_PLAYBOOK)
    export = write_playbook(workdir, 'export.yml', EXPORT_PLAYBOOK)

    def uploads(src, name):
        runs = [probe_run(runner, wrapper, upload, {'bench_name': '%s-%d' % (name, n), 'bench_src': src})
                for n in range(STREAM_ROUNDS)]
        object_id = int(re.search(r'OBJECT_ID=(\d+)', runs[0][1]).group(1))
        return max(r[0][0] for r in runs), statistics.median(r[0][1] for r in runs), object_id

    small_up, small_up_seconds, small_id = uploads(small, 'small')
    large_up, up_seconds, large_id = uploads(large, 'large')

    def curl_upload():
        """curl: initiate the same resumable upload, then send the bytes in one request."""
        init = urllib.request.Request(
            emulator.url + '/d2l/api/eP/2.5/artifacts/file/new', method='POST', data=b'',
            headers={'Authorization': 'Bearer ' + TOKEN, 'X-Upload-Content-Type': 'application/octet-stream',
                     'X-Upload-Content-Length': str(size), 'X-Upload-File-Name': 'large.bin'})
        location = None
        try:
            urllib.request.urlopen(init, timeout=30)  # pylint: disable=consider-using-with
        except urllib.error.HTTPError as answer:  # urllib treats the 308 without a body as an error
            location = answer.headers['Location']
        if not location:
            raise BenchError('the upload initiation did not answer 308 with a Location')
        return curl(['-X', 'POST', '--upload-file', large, '-H', 'Expect:', '-H', 'Authorization: Bearer ' + TOKEN,
                     '-H', 'Content-Type: application/octet-stream',
                     '-H', 'Content-Range: bytes 0-%d/%d' % (size - 1, size), emulator.url + location])

    curl_up = statistics.median(curl_upload() for _round in range(STREAM_ROUNDS))

    # down: export once (the package is built), then time downloads of that export alone
    def downloads(ids, dest):
        _probe, out = probe_run(runner, wrapper, export, {'bench_ids': ids, 'bench_dest': dest})
        export_id = int(re.search(r'EXPORT_ID=(\d+)', out).group(1))
        runs = [probe_run(runner, wrapper, export, {'bench_export_id': export_id, 'bench_dest': dest})[0]
                for _round in range(STREAM_ROUNDS)]
        return max(r[0] for r in runs), statistics.median(r[1] for r in runs), export_id

    dest = os.path.join(workdir, 'package.zip')
    down_peak, down_seconds, export_id = downloads([small_id, large_id], dest)
    package_size = os.path.getsize(dest)
    small_down, small_down_seconds, _export = downloads([small_id], dest + '.small')
    package_url = emulator.url + '/d2l/api/eP/2.5/export/%d/package' % export_id
    # curl writes the package to a file on the same disk, as the module does
    curl_down = statistics.median(curl(['-H', 'Authorization: Bearer ' + TOKEN, package_url], dest + '.curl')
                                  for _round in range(STREAM_ROUNDS))
    emulator.call('POST', '/_emulator/config', {'job_duration': 2.0})
    for path in (large, dest, dest + '.small', dest + '.curl'):
        os.unlink(path)

    up_transfer = max(up_seconds - small_up_seconds, 1e-6)
    down_transfer = max(down_seconds - small_down_seconds, 1e-6)
    result = {
        'mib': mib, 'size': size, 'package_size': package_size,
        'up_peak_mib': large_up / 1024.0, 'up_base_mib': small_up / 1024.0,
        'down_peak_mib': down_peak / 1024.0, 'down_base_mib': small_down / 1024.0,
        'up_seconds': up_transfer, 'down_seconds': down_transfer, 'curl_up': curl_up, 'curl_down': curl_down,
    }
    result['up_extra_mib'] = result['up_peak_mib'] - result['up_base_mib']
    result['down_extra_mib'] = result['down_peak_mib'] - result['down_base_mib']
    result['up_ratio'] = curl_up / up_transfer
    result['down_ratio'] = curl_down / down_transfer
    say('   upload:   module peak RSS %.1f MiB (1 MiB file: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['up_peak_mib'], result['up_base_mib'], result['up_extra_mib'], MEMORY_TARGET_MIB))
    say('   download: module peak RSS %.1f MiB (small package: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['down_peak_mib'], result['down_base_mib'], result['down_extra_mib'], MEMORY_TARGET_MIB))
    say('   upload:   module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (up_transfer, mib / up_transfer, curl_up, mib / curl_up, result['up_ratio'], THROUGHPUT_TARGET))
    say('   download: module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (down_transfer, package_size / 1048576.0 / down_transfer, curl_down,
           package_size / 1048576.0 / curl_down, result['down_ratio'], THROUGHPUT_TARGET))
    return result


# ---------------------------------------------------------------------------- part 5

LR_PACKAGES = 100

LR_PLAYBOOK = """\
- name: Publish a folder of SCORM packages
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Publish
      d2l.brightspace.d2l_lr_object:
        repository: 1
        title: "Bench package {{ item | basename }}"
        src: "{{ item }}"
        keywords: [bench, scorm]
        status: Approved
        content_check: none
      loop: "{{ query('ansible.builtin.fileglob', bench_dir ~ '/*.zip') | sort }}"
"""

SCORM_MANIFEST = (
    '<?xml version="1.0"?>\n<manifest identifier="bench-%d" version="1.0" '
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">'
    '<organizations default="o"><organization identifier="o"><title>Bench %d</title>'
    '<item identifier="i" identifierref="r"><title>Page</title></item></organization></organizations>'
    '<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">'
    '<file href="index.html"/></resource></resources></manifest>\n')


def bench_lr_rerun(runner: Runner, count: int) -> dict:
    say('\n== 5. Learning Repository: publish %d packages, then re-run with nothing changed ==' % count)
    directory = os.path.join(runner.workdir, 'lr-packages')
    os.makedirs(directory)
    for number in range(count):
        with zipfile.ZipFile(os.path.join(directory, 'pkg-%03d.zip' % number), 'w') as archive:
            archive.writestr('imsmanifest.xml', SCORM_MANIFEST % (number, number))
            archive.writestr('index.html', '<html><body>Package %d</body></html>' % number)
    playbook = write_playbook(runner.workdir, 'lr.yml', LR_PLAYBOOK)
    cache = os.path.join(runner.workdir, 'cache-lr')
    first_time, first, _out = runner.run(playbook, extra_vars={'bench_dir': directory}, cache_dir=cache)
    second_time, second, output = runner.run(playbook, extra_vars={'bench_dir': directory}, cache_dir=cache)
    writes = [e for e in second if e['method'] != 'GET']
    result = {'count': count, 'first_time': first_time, 'first_requests': len(first),
              'second_time': second_time, 'second_requests': len(second), 'writes': len(writes),
              'per_package': len(second) / float(count), 'changed': changed_count(output),
              'routes': collections.Counter(route(e) for e in second)}
    say('   first run: %.1f s, %d requests' % (first_time, len(first)))
    say('   re-run: %.1f s, %d requests (%.2f per package; target <= 2), %d writes (target 0), changed=%d'
        % (second_time, len(second), result['per_package'], len(writes), result['changed']))
    for key, number in sorted(result['routes'].items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (number, key))
    return result


# ---------------------------------------------------------------------------- part 6

def report(per_task: dict, rerun: dict, job: dict, streaming: dict, lr: dict, info: dict, elapsed: float,
           command: str) -> str:
    tasks = per_task['tasks']
    rows = [
        ('`debug` baseline, per task', '%.1f ms' % (per_task['per_task']['baseline'] * 1000), ''),
        ('`uri` GET, per task', '%.1f ms' % (per_task['per_task']['uri'] * 1000),
         '%.1f ms net of baseline' % (per_task['net']['uri'] * 1000)),
        ('`d2l_course_info`, per task', '%.1f ms' % (per_task['per_task']['module'] * 1000),
         '%.1f ms net of baseline' % (per_task['net']['module'] * 1000)),
        ('ratio module / uri, per task', '%.2f' % per_task['ratio_gross'], 'target <= %.2f' % RATIO_TARGET),
        ('ratio module / uri, net of baseline', '%.2f' % per_task['ratio_net'], 'target <= %.2f' % RATIO_TARGET),
        ('requests, `uri` playbook', '%d' % per_task['requests']['uri'], '%d tasks' % tasks),
        ('requests, `d2l_course_info` playbook', '%d' % per_task['requests']['module'],
         '%d tasks; discovery once per playbook' % tasks),
        ('demo re-run: writes', '%d' % rerun['writes'], 'target 0'),
        ('demo re-run: GETs', '%d' % rerun['gets'],
         '%d managed resources + the api_info check' % DEMO_RESOURCES),
        ('demo re-run: GETs per resource', '%.2f' % rerun['gets_per_resource'], 'target 1.00'),
        ('demo re-run: changed', '%d' % rerun['second_changed'], ''),
        ('course copy job of %.0f s: polls sent' % job['job_seconds'], '%d' % job['polls'],
         'gaps %s s' % ', '.join('%.1f' % g for g in job['gaps'])),
        ('course copy job of %.0f s: noticed after completion' % job['job_seconds'], '%.1f s' % job['delay'],
         'target <= %.0f s (one poll interval at its cap)' % job['cap']),
        ('%d MiB upload (resumable): module peak RSS above baseline' % streaming['mib'],
         '%.1f MiB' % streaming['up_extra_mib'], 'target < %d MiB' % MEMORY_TARGET_MIB),
        ('%d MiB download (export package): module peak RSS above baseline' % streaming['mib'],
         '%.1f MiB' % streaming['down_extra_mib'], 'target < %d MiB' % MEMORY_TARGET_MIB),
        ('%d MiB upload: throughput against curl' % streaming['mib'], '%.2fx' % streaming['up_ratio'],
         'module %.1f s, curl %.1f s; target >= %.1f'
         % (streaming['up_seconds'], streaming['curl_up'], THROUGHPUT_TARGET)),
        ('%d MiB download: throughput against curl' % streaming['mib'], '%.2fx' % streaming['down_ratio'],
         'module %.1f s, curl %.1f s; target >= %.1f'
         % (streaming['down_seconds'], streaming['curl_down'], THROUGHPUT_TARGET)),
        ('LR re-run of a %d-package publish: requests per package' % lr['count'], '%.2f' % lr['per_package'],
         '%d requests; target <= 2 (content_check: none)' % lr['second_requests']),
        ('LR re-run of a %d-package publish: writes' % lr['count'], '%d' % lr['writes'], 'target 0'),
        ('LR re-run of a %d-package publish: wall time' % lr['count'], '%.1f s' % lr['second_time'],
         'first run %.1f s' % lr['first_time']),
    ]
    lines = [
        '# Performance',
        '',
        'Produced by `make bench` (`.venv/bin/python tools/bench.py%s`) on %s, in %.0f s. '
        'The figures are from one run on one machine: compare them with a run on the same machine.'
        % ((' ' + command) if command else '', datetime.date.today().isoformat(), elapsed),
        '',
        '| machine | |',
        '|---|---|',
        '| platform | %s |' % info['platform'],
        '| CPUs | %s |' % info['cpus'],
        '| Python | %s |' % info['python'],
        '| ansible-core | %s |' % info['ansible_core'],
        '',
        '| figure | value | note |',
        '|---|---|---|',
    ]
    lines += ['| %s | %s | %s |' % row for row in rows]
    lines += [
        '',
        'Method: playbooks of %d tasks (one task looping %d times) on localhost against the emulator; '
        'median of %d interleaved rounds. "Per task" is playbook wall time / %d; "net of baseline" '
        'subtracts an `ansible.builtin.debug` playbook of the same length first. The `uri` task makes '
        'the module\'s look-up `GET /d2l/api/lp/%s/orgstructure/?exactOrgUnitCode=...&orgUnitType=3`; '
        'the module also reads `courses/{id}` and discovers API versions and org unit types once per '
        'playbook (fresh token cache directory per playbook run). Request counts come from the '
        'emulator\'s request log.' % (tasks, tasks, per_task['rounds'], tasks, LP_VERSION),
        '',
        'Waiting: one course copy job of %.0f s waited for by `d2l_copy_job` with the default poll '
        'options; "noticed after completion" is the arrival of its last status request (request log) '
        'minus the job\'s completion time (emulator state).' % job['job_seconds'],
        '',
        'Streaming: the module process runs under a wrapper interpreter that records its peak RSS '
        '(`ru_maxrss` of its one child) and wall time. Memory is the peak with the %d MiB file minus '
        'the peak with a 1 MiB file. Throughput: the module\'s time net of the 1 MiB run, median of %d '
        'runs, against `curl` (median of %d) sending the same bytes in one request to the same '
        'resumable upload route, and writing the same export package to the same disk. The download '
        'is timed by attaching to a finished export (`export_id`), so the job wait is not counted.'
        % (streaming['mib'], STREAM_ROUNDS, STREAM_ROUNDS),
        '',
        'Demo re-run: `playbooks/demo.yml` twice with one token cache directory; the second run\'s '
        'GETs by route:',
        '',
        '| GETs | route |',
        '|---|---|',
    ]
    lines += ['| %d | `%s` |' % (count, key)
              for key, count in sorted(rerun['get_routes'].items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += [
        '',
        'The second run\'s look-ups by code (`orgstructure/?exactOrgUnitCode=...`):',
        '',
        '| look-ups | code |',
        '|---|---|',
    ]
    lines += ['| %d | `%s` |' % (count, key)
              for key, count in sorted(rerun['lookups'].items(), key=lambda kv: (-kv[1], kv[0]))]
    return '\n'.join(lines) + '\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--tasks', type=int, default=30, help='tasks per playbook (default 30)')
    parser.add_argument('--rounds', type=int, default=3, help='rounds of the per-task playbooks (default 3)')
    parser.add_argument('--no-report', action='store_true', help='do not write docs/performance.md')
    parser.add_argument('--only', choices=['job', 'streaming', 'lr'],
                        help='run only that part and print its figures (no report)')
    parser.add_argument('--stream-mib', type=int, default=STREAM_MIB,
                        help='size of the streamed file in MiB (default %d)' % STREAM_MIB)
    args = parser.parse_args()
    if args.tasks < 1 or args.rounds < 1:
        parser.error('--tasks and --rounds must be at least 1')

    for path in (DEMO_PLAYBOOK, DEMO_INVENTORY, ANSIBLE_PLAYBOOK):
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

    ok = False
    try:
        emulator.start()
        say('bench: emulator on %s, work directory %s' % (emulator.url, workdir))
        runner = Runner(workdir, emulator)
        # The demo first: it creates the offering the per-task playbooks read.
        if args.only == 'streaming':  # a quick look at one part; no report is written
            bench_streaming(runner, emulator, args.stream_mib)
            ok = True
            return 0
        if args.only == 'job':
            bench_job_wait(runner, emulator)
            ok = True
            return 0
        if args.only == 'lr':
            bench_lr_rerun(runner, LR_PACKAGES)
            ok = True
            return 0
        rerun = bench_rerun(runner)
        per_task = bench_per_task(runner, emulator, args.tasks, args.rounds)
        job = bench_job_wait(runner, emulator)
        streaming = bench_streaming(runner, emulator, args.stream_mib)
        lr = bench_lr_rerun(runner, LR_PACKAGES)
        elapsed = time.perf_counter() - started
        info = machine()
        command = ' '.join(sys.argv[1:])
        text = report(per_task, rerun, job, streaming, lr, info, elapsed, command)
        say('\n== 6. summary ==\n')
        say(text)
        if not args.no_report:
            with open(REPORT, 'w', encoding='utf-8') as handle:
                handle.write(text)
            say('bench: wrote %s' % os.path.relpath(REPORT, REPO))
        ok = True
        return 0
    except (BenchError, OSError, ValueError, subprocess.SubprocessError) as ex:
        say('bench: FAILED: %s' % ex)
        return 1
    finally:
        emulator.stop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            say('bench: kept %s (emulator log: %s)' % (workdir, emulator.log_path))


if __name__ == '__main__':
    sys.exit(main())
