#!/usr/bin/env python
"""Benchmark the d2l.brightspace collection against a local Brightspace emulator (``make bench``).

A benchmark, not a timed test: it exits 0 unless something it runs fails (the emulator, a
playbook), whatever the figures are. Every figure is a ratio or a count from one run. The run
ends in ONE table (figure | value | target | met?), printed and written to
``docs/performance.md`` with the machine (CPU model, cores, RAM, OS, Python, ansible-core) and
the date. Sections (``--only <name>``, repeatable, runs some and writes no report):

1. ``per-task``: per-task overhead. Three playbooks of N tasks each (one task looping N times):
   ``ansible.builtin.debug`` (the cost of a task that does nothing), ``ansible.builtin.uri`` doing
   the look-up by code (``GET orgstructure/?exactOrgUnitCode=<code>&orgUnitType=3``) and
   ``d2l.brightspace.d2l_course_info`` with ``code:``. Interleaved rounds, median reported, as
   wall time per task and net of the ``debug`` baseline; a fresh token cache directory per
   playbook run (discovery once per playbook, as in real use). Target: module/uri <= 1.15.

2. Scale and re-runs:

   - ``demo``: ``playbooks/demo.yml`` twice with one token cache directory; the second run's
     requests by method and route (target: one GET per managed resource, no writes).
   - ``scale``: a catalog of ``--scale`` offerings (500; plus a semester per 125 and a template
     per 25) provisioned by ``playbooks/provision_courses.yml`` (the ``course_provision`` role),
     then re-run with the same token cache directory (``BRIGHTSPACE_TOKEN_CACHE``; whatever the
     collection keeps beside the token survives, as on an admin's machine): GETs per managed
     resource (target 1.00), writes (target 0), requests by route. Then a hand-written
     ``ansible.builtin.uri`` playbook doing the same checks (look-up by code and read of each
     template and offering, look-up of each semester, fields compared): re-run wall time / uri
     (target <= 1.0). Then the catalog as one inventory host per course (``d2l_course``,
     connection local) run with each ``--forks`` value (default 1 and 8; ``--forks 1,2,4,8``
     for the curve).
   - ``lr``: ``--lr-packages`` (100) small SCORM packages published by ``d2l_lr_object``, then
     the same playbook again: requests per package (target <= 2), writes (target 0).

3. ``streaming``: a ``--stream-mib`` (1024) MiB file uploaded by ``d2l_artifact`` (resumable),
   an export package holding it downloaded by ``d2l_ep_export``, the file published to the
   Learning Repository by ``d2l_lr_object`` (resumable) and downloaded by ``d2l_lr_download``
   (``what: file``). The module process runs under a small wrapper interpreter that records its
   peak RSS and wall time. Memory: peak minus the same module's peak with a 1 MiB file (target:
   under 64 MiB). Throughput: the module's time net of that small run, against ``curl`` on the
   same route with the same bearer header (target: at least 0.8x curl).

4. ``job``: one course copy job of 30 s (the emulator's job duration) waited for by
   ``d2l_copy_job`` with the default poll options: the status requests it sent (and the gaps
   between them), and how long after the job completed the module noticed (target: within one
   poll interval at its cap, 30 s).

5. ``rate``: 8 inventory hosts (connection local), each looping ``d2l_course_info``
   ``--rate-tasks`` (100) times, ``--forks 8``. The unlimited request rate is measured first
   (a fifth of the tasks); the emulator is then limited to ``--rate-fraction`` (0.5) of it with
   a 10 s window (``rate_window``; the service's window is a minute). Failures (target 0) and
   the achieved request throughput over the complete windows as a share of the limit (target
   >= 0.9).

Each section's elapsed time is printed. The emulator runs as ``<this python> -m
brightspace_emulator`` on a free loopback port and is always stopped at the end;
ansible-playbook is the one beside this interpreter, the collection this checkout.
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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import zipfile
import urllib.request

from brightspace_emulator import testing

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
HEALTH_TIMEOUT = 30.0
PLAYBOOK_TIMEOUT = 1800
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


free_port = testing.free_port


class Emulator:
    def __init__(self, workdir: str):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log_path = os.path.join(workdir, 'emulator.log')
        self.proc = None
        self.running = None
        self.mark = 0

    def start(self) -> None:
        try:
            self.running = testing.start('--log-level', 'warning', port=self.port, log_path=self.log_path, cwd=REPO,
                                         timeout=HEALTH_TIMEOUT)
        except testing.EmulatorError as exc:
            raise BenchError(str(exc)) from None
        self.proc = self.running.proc
        self.mark = self.call('GET', '/_emulator/requests?since=0')['next']

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()

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
            cache_dir: str | None = None, forks: int | None = None, var_files: tuple = (),
            check: bool = True, timeout: float = PLAYBOOK_TIMEOUT) -> tuple[float, list, str]:
        """Run a playbook; returns (wall seconds, requests it made, output). Raises if it fails
        (unless ``check`` is false: then the caller reads the PLAY RECAP)."""
        self.runs += 1
        if cache_dir is None:
            cache_dir = os.path.join(self.workdir, 'cache-%d' % self.runs)
        env = dict(self.env, BRIGHTSPACE_TOKEN_CACHE=os.path.join(cache_dir, 'tokens.json'))
        command = [ANSIBLE_PLAYBOOK, '-i', inventory, '-c', 'local',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable]
        if forks is not None:
            command += ['--forks', str(forks)]
        for path in var_files:
            command += ['-e', '@' + path]
        if extra_vars:
            command += ['-e', json.dumps(extra_vars)]
        command.append(playbook)
        self.emulator.new_requests()  # skip anything logged before this run
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, check=False)
        elapsed = time.perf_counter() - started
        requests = self.emulator.new_requests()
        if proc.returncode != 0 and check:
            sys.stdout.write(proc.stdout[-20000:])
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


def recap(output: str) -> dict:
    """The PLAY RECAP's counts summed over hosts: ok, changed, unreachable, failed, hosts."""
    total = None
    for line in output.splitlines():
        match = RECAP_LINE.match(line.strip())
        if match:
            total = total or collections.Counter()
            total['hosts'] += 1
            for key in ('ok', 'changed', 'unreachable', 'failed'):
                total[key] += int(match.group(key))
    if total is None:
        raise BenchError('no PLAY RECAP in the output')
    return dict(total)


def changed_count(output: str) -> int:
    return recap(output)['changed']


def read_first(path: str, pattern: str) -> str | None:
    """The first group of ``pattern`` in the file, or None."""
    try:
        with open(path, encoding='utf-8') as handle:
            match = re.search(pattern, handle.read(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def machine() -> dict:
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = 'unknown'
    mem_kib = read_first('/proc/meminfo', r'^MemTotal:\s*(\d+) kB')
    return {
        'cpu': read_first('/proc/cpuinfo', r'^model name\s*:\s*(.+)$') or platform.processor() or 'unknown',
        'cpus': os.cpu_count(),
        'ram': '%.1f GiB' % (int(mem_kib) / 1048576.0) if mem_kib else 'unknown',
        'os': read_first('/etc/os-release', r'^PRETTY_NAME="?([^"\n]+)"?') or platform.system(),
        'kernel': platform.release(),
        'python': platform.python_version(),
        'ansible_core': ansible_version,
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
    }


# ---------------------------------------------------------------------------- part 1

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


# ---------------------------------------------------------------------------- part 2

def bench_rerun(runner: Runner) -> dict:
    say('\n== 2a. re-run requests: %s twice (one token cache) ==' % os.path.relpath(DEMO_PLAYBOOK, REPO))
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


# ---------------------------------------------------------------------------- part 2b: scale

SCALE_OFFERINGS = 500
FORKS = (1, 8)  # --forks 1,2,4,8 shows the curve; 1 and 8 keep `make bench` shorter
PROVISION_PLAYBOOK = os.path.join(REPO, 'playbooks', 'provision_courses.yml')

URI_CATALOG_PLAYBOOK = """\
- name: Check a catalog with ansible.builtin.uri, as an admin would without the collection
  hosts: localhost
  gather_facts: false
  vars:
    api: "{{ bench_url }}/d2l/api/lp/%s"
    auth:
      Authorization: "Bearer {{ bench_token }}"
    catalog: "{{ course_provision_catalog }}"
  tasks:
    - name: Look up the semesters by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_semester_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.semesters }}"
      loop_control:
        label: "{{ item.code }}"
      register: semesters
      failed_when: >-
        semesters.status != 200 or semesters.json.Items | length != 1
        or semesters.json.Items[0].Name != item.name
    - name: Look up the templates by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_template_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.templates }}"
      loop_control:
        label: "{{ item.code }}"
      register: template_ids
      failed_when: template_ids.status != 200 or template_ids.json.Items | length != 1
    - name: Read and compare the templates
      ansible.builtin.uri:
        url: "{{ api }}/coursetemplates/{{ item.json.Items[0].Identifier }}"
        headers: "{{ auth }}"
      loop: "{{ template_ids.results }}"
      loop_control:
        label: "{{ item.item.code }}"
      register: templates
      failed_when: >-
        templates.status != 200 or templates.json.Code != item.item.code
        or templates.json.Name != item.item.name
    - name: Look up the offerings by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_offering_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.offerings }}"
      loop_control:
        label: "{{ item.code }}"
      register: offering_ids
      failed_when: offering_ids.status != 200 or offering_ids.json.Items | length != 1
    - name: Read and compare the offerings
      ansible.builtin.uri:
        url: "{{ api }}/courses/{{ item.json.Items[0].Identifier }}"
        headers: "{{ auth }}"
      loop: "{{ offering_ids.results }}"
      loop_control:
        label: "{{ item.item.code }}"
      register: offerings
      failed_when: >-
        offerings.status != 200 or offerings.json.Code != item.item.code
        or offerings.json.Name != item.item.name
        or offerings.json.CourseTemplate.Code != item.item.template
        or offerings.json.Semester.Code != item.item.semester
        or (offerings.json.StartDate | default('', true))[:10] != item.item.start_date
        or (offerings.json.EndDate | default('', true))[:10] != item.item.end_date
        or not offerings.json.IsActive
""" % LP_VERSION

PER_HOST_PLAYBOOK = """\
- name: One course offering per inventory host
  hosts: all
  gather_facts: false
  tasks:
    - name: The host's course offering
      d2l.brightspace.d2l_course:
        code: "{{ bench_course.code }}"
        name: "{{ bench_course.name }}"
        template: "{{ bench_course.template }}"
        semester: "{{ bench_course.semester }}"
        start_date: "{{ bench_course.start_date }}"
        end_date: "{{ bench_course.end_date }}"
"""


def make_catalog(offerings: int) -> dict:
    """Semesters (one per 125 offerings), templates (one per 25) and the offerings, spread over them."""
    semesters = [{'code': 'BENCH-S%d' % (2027 + n), 'name': 'Bench year %d' % (2027 + n),
                  'start_date': '%d-01-11' % (2027 + n), 'end_date': '%d-05-07' % (2027 + n)}
                 for n in range(max(1, offerings // 125))]
    templates = [{'code': 'BENCH-T%02d' % n, 'name': 'Bench subject %02d' % n}
                 for n in range(max(1, offerings // 25))]
    courses = []
    for n in range(offerings):
        semester = semesters[n % len(semesters)]
        courses.append({'code': 'BENCH-C%04d' % n, 'name': 'Bench course %04d' % n,
                        'template': templates[n % len(templates)]['code'], 'semester': semester['code'],
                        'start_date': semester['start_date'], 'end_date': semester['end_date']})
    return {'semesters': [{'code': s['code'], 'name': s['name']} for s in semesters],
            'templates': templates, 'offerings': courses}


def outype_ids(emulator: Emulator) -> dict:
    """Org unit type ids by code (what an admin would read once and hard-code)."""
    request = urllib.request.Request(emulator.url + '/d2l/api/lp/%s/outypes/' % LP_VERSION,
                                     headers={'Authorization': 'Bearer ' + TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:
        return {t['Code']: t['Id'] for t in json.loads(response.read().decode())}


def summarize_requests(requests: list) -> dict:
    by_method = collections.Counter(e['method'] for e in requests)
    return {
        'total': len(requests),
        'gets': by_method.get('GET', 0),
        'writes': sum(count for method, count in by_method.items() if method != 'GET'),
        'by_method': dict(by_method),
        'routes': collections.Counter(route(e) for e in requests),
        'statuses': collections.Counter(e['status'] for e in requests),
    }


def show_routes(counter: collections.Counter, indent: str = '     ') -> None:
    for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        say('%s%5d  %s' % (indent, count, key))


def bench_scale(runner: Runner, emulator: Emulator, offerings: int, forks: tuple) -> dict:
    say('\n== 2b. scale: a %d-offering catalog with the course_provision role, re-run, '
        'ansible.builtin.uri, one host per course ==' % offerings)
    catalog = make_catalog(offerings)
    resources = len(catalog['semesters']) + len(catalog['templates']) + len(catalog['offerings'])
    catalog_file = os.path.join(runner.workdir, 'catalog.json')
    with open(catalog_file, 'w', encoding='utf-8') as handle:
        json.dump({'course_provision_catalog': catalog}, handle)
    say('   catalog: %d semesters, %d templates, %d offerings (%d managed resources)'
        % (len(catalog['semesters']), len(catalog['templates']), len(catalog['offerings']), resources))
    # One token cache directory for every run, as on an admin's machine: the token, the
    # discovery cache and whatever else the collection keeps beside them survive between runs.
    cache = os.path.join(runner.workdir, 'cache-catalog')
    result = {'offerings': offerings, 'resources': resources,
              'semesters': len(catalog['semesters']), 'templates': len(catalog['templates'])}

    first_time, first, first_out = runner.run(PROVISION_PLAYBOOK, cache_dir=cache, var_files=(catalog_file,))
    result['first_time'] = first_time
    result['first'] = summarize_requests(first)
    result['first_changed'] = changed_count(first_out)
    say('   provision: %.1f s, %d requests (%d writes), changed=%d'
        % (first_time, len(first), result['first']['writes'], result['first_changed']))

    second_time, second, second_out = runner.run(PROVISION_PLAYBOOK, cache_dir=cache, var_files=(catalog_file,))
    rerun = summarize_requests(second)
    result.update(rerun_time=second_time, rerun=rerun, rerun_changed=changed_count(second_out),
                  gets_per_resource=rerun['gets'] / float(resources))
    say('   re-run: %.1f s, %d requests: %s; changed=%d'
        % (second_time, rerun['total'], ', '.join('%s %d' % kv for kv in sorted(rerun['by_method'].items())),
           result['rerun_changed']))
    say('   GETs per managed resource: %.2f (target 1.00); writes: %d (target 0)'
        % (result['gets_per_resource'], rerun['writes']))
    say('   the re-run\'s requests by route:')
    show_routes(rerun['routes'])

    types = outype_ids(emulator)
    uri_playbook = write_playbook(runner.workdir, 'uri-catalog.yml', URI_CATALOG_PLAYBOOK)
    uri_time, uri_requests, _out = runner.run(
        uri_playbook, var_files=(catalog_file,),
        extra_vars={'bench_url': emulator.url, 'bench_token': TOKEN, 'bench_semester_type': types['Semester'],
                    'bench_template_type': types['Course Template'], 'bench_offering_type': types['Course Offering']})
    result.update(uri_time=uri_time, uri_requests=len(uri_requests), uri_ratio=second_time / uri_time)
    say('   ansible.builtin.uri check of the same catalog: %.1f s, %d requests'
        % (uri_time, len(uri_requests)))
    say('   ratio module re-run / uri: %.2f (target <= 1.0)' % result['uri_ratio'])

    inventory = os.path.join(runner.workdir, 'catalog-hosts.json')
    with open(inventory, 'w', encoding='utf-8') as handle:
        json.dump({'all': {'hosts': {course['code']: {'bench_course': course} for course in catalog['offerings']},
                           'vars': {'ansible_connection': 'local'}}}, handle)
    per_host = write_playbook(runner.workdir, 'per-host.yml', PER_HOST_PLAYBOOK)
    result['forks'] = []
    for count in forks:
        elapsed, requests, output = runner.run(per_host, inventory=inventory, cache_dir=cache, forks=count)
        counts = recap(output)
        summary = summarize_requests(requests)
        result['forks'].append({'forks': count, 'time': elapsed, 'requests': summary['total'],
                                'writes': summary['writes'], 'changed': counts['changed'],
                                'hosts': counts['hosts']})
        say('   one host per course, forks %d: %.1f s (%d hosts, %d requests, %d writes, changed=%d)'
            % (count, elapsed, counts['hosts'], summary['total'], summary['writes'], counts['changed']))
    if result['forks']:
        base = result['forks'][0]['time']
        for row in result['forks']:
            row['speedup'] = base / row['time']
        say('   speed-up against forks %d: %s' % (result['forks'][0]['forks'], ', '.join(
            'forks %d %.2fx' % (row['forks'], row['speedup']) for row in result['forks'])))
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


LR_UPLOAD_PLAYBOOK = """\
- name: Publish one file to the Learning Repository (resumable)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Publish
      d2l.brightspace.d2l_lr_object:
        repository: 1
        title: "{{ bench_name }}"
        src: "{{ bench_src }}"
        upload: resumable
        content_check: none
      register: published
    - name: Show the id
      ansible.builtin.debug:
        msg: "OBJECT_ID={{ published.object.id }}"
"""

LR_DOWNLOAD_PLAYBOOK = """\
- name: Download a Learning Repository asset's file
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Download
      d2l.brightspace.d2l_lr_download:
        object_id: "{{ bench_object_id }}"
        what: file
        dest: "{{ bench_dest }}"
"""


def bench_lr_download(runner: Runner, emulator: Emulator, wrapper: str, small: str, large: str) -> dict:
    """Publish the small and the large file as LR assets, then time d2l_lr_download (peak RSS and
    wall time under the wrapper) against curl on the same downloadfile/ route."""
    upload = write_playbook(runner.workdir, 'lr-upload.yml', LR_UPLOAD_PLAYBOOK)
    download = write_playbook(runner.workdir, 'lr-download.yml', LR_DOWNLOAD_PLAYBOOK)
    ids, uploads = {}, {}
    for name, src in (('small', small), ('large', large)):
        probe, out = probe_run(runner, wrapper, upload, {'bench_name': 'Bench stream %s' % name, 'bench_src': src})
        ids[name] = int(re.search(r'OBJECT_ID=(\d+)', out).group(1))
        uploads[name] = probe
    peaks, seconds = {}, {}
    for name in ('small', 'large'):
        runs = []
        for number in range(STREAM_ROUNDS):
            dest = os.path.join(runner.workdir, 'lr-%s-%d.bin' % (name, number))
            runs.append(probe_run(runner, wrapper, download, {'bench_object_id': ids[name], 'bench_dest': dest})[0])
            if os.path.getsize(dest) != os.path.getsize(small if name == 'small' else large):
                raise BenchError('d2l_lr_download wrote %d bytes, not the file\'s size' % os.path.getsize(dest))
            os.unlink(dest)
        peaks[name] = max(r[0] for r in runs)
        seconds[name] = statistics.median(r[1] for r in runs)
    url = emulator.url + '/d2l/api/lr/1.3/objects/%d/downloadfile/' % ids['large']
    dest = os.path.join(runner.workdir, 'lr-curl.bin')
    curl_down = statistics.median(curl(['-H', 'Authorization: Bearer ' + TOKEN, url], dest)
                                  for _round in range(STREAM_ROUNDS))
    os.unlink(dest)
    transfer = max(seconds['large'] - seconds['small'], 1e-6)
    return {
        'lr_up_extra_mib': (uploads['large'][0] - uploads['small'][0]) / 1024.0,
        'lr_up_seconds': uploads['large'][1],
        'lr_down_peak_mib': peaks['large'] / 1024.0, 'lr_down_base_mib': peaks['small'] / 1024.0,
        'lr_down_extra_mib': (peaks['large'] - peaks['small']) / 1024.0,
        'lr_down_seconds': transfer, 'curl_lr_down': curl_down, 'lr_down_ratio': curl_down / transfer,
    }


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
    say('\n== 3. streaming: a %d MiB file up (resumable) and down (export package, LR download) ==' % mib)
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
    for path in (dest, dest + '.small', dest + '.curl'):
        os.unlink(path)
    lr_figures = bench_lr_download(runner, emulator, wrapper, small, large)
    os.unlink(large)

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
    result.update(lr_figures)
    say('   upload:   module peak RSS %.1f MiB (1 MiB file: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['up_peak_mib'], result['up_base_mib'], result['up_extra_mib'], MEMORY_TARGET_MIB))
    say('   download: module peak RSS %.1f MiB (small package: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['down_peak_mib'], result['down_base_mib'], result['down_extra_mib'], MEMORY_TARGET_MIB))
    say('   upload:   module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (up_transfer, mib / up_transfer, curl_up, mib / curl_up, result['up_ratio'], THROUGHPUT_TARGET))
    say('   download: module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (down_transfer, package_size / 1048576.0 / down_transfer, curl_down,
           package_size / 1048576.0 / curl_down, result['down_ratio'], THROUGHPUT_TARGET))
    say('   LR publish (d2l_lr_object, resumable): module peak RSS %.1f MiB above the 1 MiB publish, %.1f s'
        % (result['lr_up_extra_mib'], result['lr_up_seconds']))
    say('   LR download (d2l_lr_download, what: file): module peak RSS %.1f MiB (1 MiB file: %.1f MiB) '
        '-> %.1f MiB above baseline (target < %d)'
        % (result['lr_down_peak_mib'], result['lr_down_base_mib'], result['lr_down_extra_mib'], MEMORY_TARGET_MIB))
    say('   LR download: module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (result['lr_down_seconds'], mib / result['lr_down_seconds'], result['curl_lr_down'],
           mib / result['curl_lr_down'], result['lr_down_ratio'], THROUGHPUT_TARGET))
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
    say('\n== 2c. Learning Repository: publish %d packages, then re-run with nothing changed ==' % count)
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


# ---------------------------------------------------------------------------- part 5: rate limits

RATE_HOSTS = 8
RATE_TASKS = 100
RATE_FRACTION = 0.5  # the limit, as a share of the rate measured without one
RATE_WINDOW = 10.0  # seconds (emulator rate_window); the real service's window is 60 s
RATE_SHARE_TARGET = 0.9
INFO_CODE = 'BENCH-INFO'

INFO_SETUP_PLAYBOOK = """\
- name: The offering the read-only benchmarks read
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A template
      d2l.brightspace.d2l_course_template:
        code: BENCH-INFO-TPL
        name: Bench info template
    - name: The offering
      d2l.brightspace.d2l_course:
        code: %s
        name: Bench info offering
        template: BENCH-INFO-TPL
""" % INFO_CODE

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


def ensure_info_course(runner: Runner) -> None:
    if getattr(runner, 'info_course_ready', False):
        return
    runner.run(write_playbook(runner.workdir, 'info-setup.yml', INFO_SETUP_PLAYBOOK))
    runner.info_course_ready = True


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


# ---------------------------------------------------------------------------- part 6

def met(ok) -> str:
    return '-' if ok is None else ('yes' if ok else 'no')


def table_rows(results: dict) -> list:
    """(figure, value, target, met) for every section that ran."""
    rows = []
    per_task = results.get('per-task')
    if per_task:
        tasks = per_task['tasks']
        rows += [
            ('1. `debug` baseline, per task', '%.1f ms' % (per_task['per_task']['baseline'] * 1000), '-', None),
            ('1. `uri` GET, per task', '%.1f ms (%.1f ms net of baseline)'
             % (per_task['per_task']['uri'] * 1000, per_task['net']['uri'] * 1000), '-', None),
            ('1. `d2l_course_info`, per task', '%.1f ms (%.1f ms net of baseline)'
             % (per_task['per_task']['module'] * 1000, per_task['net']['module'] * 1000), '-', None),
            ('1. per-task ratio `d2l_course_info` / `uri`', '%.2f' % per_task['ratio_gross'],
             '<= %.2f' % RATIO_TARGET, per_task['ratio_gross'] <= RATIO_TARGET),
            ('1. per-task ratio, net of the `debug` baseline', '%.2f' % per_task['ratio_net'],
             '<= %.2f' % RATIO_TARGET, per_task['ratio_net'] <= RATIO_TARGET),
            ('1. requests of %d tasks: `uri` / `d2l_course_info`' % tasks,
             '%d / %d' % (per_task['requests']['uri'], per_task['requests']['module']), '-', None),
        ]
    rerun = results.get('demo')
    if rerun:
        rows += [
            ('2. demo re-run: GETs per managed resource (%d resources + the api_info check)' % DEMO_RESOURCES,
             '%.2f' % rerun['gets_per_resource'], '1.00', rerun['gets_per_resource'] <= 1.0),
            ('2. demo re-run: writes', '%d' % rerun['writes'], '0', rerun['writes'] == 0),
            ('2. demo re-run: changed', '%d' % rerun['second_changed'], '0', rerun['second_changed'] == 0),
        ]
    scale = results.get('scale')
    if scale:
        name = '2. %d-offering catalog' % scale['offerings']
        rows += [
            ('%s: provisioning run (course_provision role)' % name, '%.1f s, %d requests'
             % (scale['first_time'], scale['first']['total']), '-', None),
            ('%s re-run: GETs per managed resource (%d resources)' % (name, scale['resources']),
             '%.2f' % scale['gets_per_resource'], '1.00', scale['gets_per_resource'] <= 1.0),
            ('%s re-run: writes' % name, '%d' % scale['rerun']['writes'], '0', scale['rerun']['writes'] == 0),
            ('%s re-run: changed' % name, '%d' % scale['rerun_changed'], '0', scale['rerun_changed'] == 0),
            ('%s re-run: wall time, against `uri` doing the same checks' % name,
             '%.1f s vs %.1f s = %.2fx' % (scale['rerun_time'], scale['uri_time'], scale['uri_ratio']),
             '<= 1.0x', scale['uri_ratio'] <= 1.0),
        ]
        for row in scale['forks']:
            rows.append(('%s, one host per course: forks %d' % (name, row['forks']),
                         '%.1f s (%.2fx forks %d; %d writes, changed=%d)'
                         % (row['time'], row['speedup'], scale['forks'][0]['forks'], row['writes'], row['changed']),
                         '-', None))
    lr = results.get('lr')
    if lr:
        name = '2. LR re-run of a %d-package publish' % lr['count']
        rows += [
            ('%s: requests per package' % name, '%.2f' % lr['per_package'], '<= 2', lr['per_package'] <= 2),
            ('%s: writes' % name, '%d' % lr['writes'], '0', lr['writes'] == 0),
            ('%s: wall time' % name, '%.1f s (first run %.1f s)' % (lr['second_time'], lr['first_time']), '-', None),
        ]
    streaming = results.get('streaming')
    if streaming:
        mib = streaming['mib']
        for label, key in (('upload (`d2l_artifact`, resumable)', 'up_extra_mib'),
                           ('download (`d2l_ep_export` package)', 'down_extra_mib'),
                           ('LR download (`d2l_lr_download`)', 'lr_down_extra_mib'),
                           ('LR publish (`d2l_lr_object`, resumable)', 'lr_up_extra_mib')):
            rows.append(('3. %d MiB %s: peak RSS above baseline' % (mib, label), '%.1f MiB' % streaming[key],
                         '< %d MiB' % MEMORY_TARGET_MIB, streaming[key] < MEMORY_TARGET_MIB))
        for label, ratio, seconds, curl_key in (
                ('upload', 'up_ratio', 'up_seconds', 'curl_up'),
                ('export package download', 'down_ratio', 'down_seconds', 'curl_down'),
                ('LR download', 'lr_down_ratio', 'lr_down_seconds', 'curl_lr_down')):
            rows.append(('3. %d MiB %s: throughput against `curl`' % (mib, label),
                         '%.2fx (module %.1f s, curl %.1f s)' % (streaming[ratio], streaming[seconds],
                                                                 streaming[curl_key]),
                         '>= %.1fx' % THROUGHPUT_TARGET, streaming[ratio] >= THROUGHPUT_TARGET))
    job = results.get('job')
    if job:
        rows += [
            ('4. course copy job of %.0f s: polls' % job['job_seconds'], '%d (gaps %s s)'
             % (job['polls'], ', '.join('%.1f' % g for g in job['gaps'])), '-', None),
            ('4. course copy job of %.0f s: noticed after completion' % job['job_seconds'], '%.1f s' % job['delay'],
             '<= %.0f s (one poll interval at its cap)' % job['cap'], job['delay'] <= job['cap']),
        ]
    rate = results.get('rate')
    if rate:
        name = '5. %d forks x %d `d2l_course_info` tasks' % (rate['hosts'], rate['tasks'])
        rows += [
            ('5. unlimited rate (%d forks), and the limit set' % rate['hosts'],
             '%.1f requests/s; limit %.2f requests/s (%d per %.0f s)'
             % (rate['unlimited_rate'], rate['limit_rate'], rate['limit_requests'], rate['window']), '-', None),
            ('%s, rate limited: failures' % name, '%d' % rate['failed'], '0', rate['failed'] == 0),
            ('%s, rate limited: throughput as a share of the limit' % name, '%.2f (%d requests, %d refused with 429)'
             % (rate['share'], rate['allowed'], rate['refused']), '>= %.1f' % RATE_SHARE_TARGET,
             rate['share'] >= RATE_SHARE_TARGET),
        ]
    return rows


def render_table(rows: list) -> list:
    lines = ['| figure | value | target | met? |', '|---|---|---|---|']
    lines += ['| %s | %s | %s | %s |' % (figure, value, target, met(ok)) for figure, value, target, ok in rows]
    return lines


def report(results: dict, info: dict, elapsed: float, command: str, timings: dict) -> str:
    lines = [
        '# Performance',
        '',
        'Produced by `make bench` (`.venv/bin/python tools/bench.py%s`) on %s, in %.0f s. '
        'Each figure is a ratio or a count from one run on one machine: compare it with a run on the '
        'same machine, not with another machine\'s.'
        % ((' ' + command) if command else '', info['date'], elapsed),
        '',
        'Sections: %s.' % ', '.join('%s %.0f s' % kv for kv in timings.items()),
        '',
        '| machine | |',
        '|---|---|',
        '| CPU | %s |' % info['cpu'],
        '| cores | %s |' % info['cpus'],
        '| RAM | %s |' % info['ram'],
        '| OS | %s (kernel %s) |' % (info['os'], info['kernel']),
        '| Python | %s |' % info['python'],
        '| ansible-core | %s |' % info['ansible_core'],
        '',
    ]
    lines += render_table(table_rows(results))
    lines += ['', '## Method', '']
    per_task = results.get('per-task')
    if per_task:
        tasks = per_task['tasks']
        lines += [
            '1. Per-task overhead: playbooks of %d tasks (one task looping %d times) on localhost against '
            'the emulator; median of %d interleaved rounds. "Per task" is playbook wall time / %d; '
            '"net of baseline" subtracts an `ansible.builtin.debug` playbook of the same length first. '
            'The `uri` task makes the look-up `GET /d2l/api/lp/%s/orgstructure/?exactOrgUnitCode=...'
            '&orgUnitType=3`; the module finds the offering its own way (request counts above) and '
            'discovers API versions and org unit types once per playbook (fresh token cache directory '
            'per playbook run). Request counts come from the emulator\'s request log.'
            % (tasks, tasks, per_task['rounds'], tasks, LP_VERSION),
            '',
        ]
    scale = results.get('scale')
    if scale:
        lines += [
            '2. Scale: a catalog of %d semesters, %d course templates and %d offerings provisioned by '
            '`playbooks/provision_courses.yml` (the `course_provision` role), then the same playbook '
            'again with the same token cache directory (`BRIGHTSPACE_TOKEN_CACHE`; whatever the '
            'collection keeps beside the token survives, as on an admin\'s machine). The `uri` '
            'playbook checks the same catalog as an admin would without the collection: for each '
            'semester a look-up by code (`orgstructure/?exactOrgUnitCode=`), for each template and '
            'offering a look-up by code and a read of `coursetemplates/{id}` / `courses/{id}`, the '
            'fields compared in `failed_when`. The per-host runs put each offering on its own '
            'inventory host (`d2l_course`, connection local) and run the catalog, already in place, '
            'with each `--forks` value. The re-run\'s time is the whole role\'s (its bookkeeping '
            'tasks included), as a user runs it. The re-run\'s requests by route:'
            % (scale['semesters'], scale['templates'], scale['offerings']),
            '',
            '| requests | route |',
            '|---|---|',
        ]
        lines += ['| %d | `%s` |' % (count, key)
                  for key, count in sorted(scale['rerun']['routes'].items(), key=lambda kv: (-kv[1], kv[0]))]
        lines += ['']
    rerun = results.get('demo')
    if rerun:
        lines += [
            '2. Demo re-run: `playbooks/demo.yml` twice with one token cache directory; the second '
            'run\'s GETs by route:',
            '',
            '| GETs | route |',
            '|---|---|',
        ]
        lines += ['| %d | `%s` |' % (count, key)
                  for key, count in sorted(rerun['get_routes'].items(), key=lambda kv: (-kv[1], kv[0]))]
        lines += ['']
    if results.get('lr'):
        lines += [
            '2. Learning Repository re-run: %d small SCORM packages published by `d2l_lr_object` '
            '(one task looping over a folder, `content_check: none`), then the same playbook again.'
            % results['lr']['count'], '']
    streaming = results.get('streaming')
    if streaming:
        lines += [
            '3. Streaming: the module process runs under a wrapper interpreter that records its peak '
            'RSS (`ru_maxrss` of its one child) and wall time. Memory is the peak with the %d MiB file '
            'minus the peak with a 1 MiB file. Throughput: the module\'s time net of the 1 MiB run, '
            'median of %d runs, against `curl` (median of %d) sending the same bytes in one request '
            'to the same resumable upload route, writing the same export package to the same disk, '
            'and fetching the same LR asset (`objects/{id}/downloadfile/`, `d2l_lr_download` with '
            '`what: file`) with the same bearer header. The export download is timed by attaching to '
            'a finished export (`export_id`), so the job wait is not counted. The LR publish figure is '
            'from one run.' % (streaming['mib'], STREAM_ROUNDS, STREAM_ROUNDS),
            '',
        ]
    job = results.get('job')
    if job:
        lines += [
            '4. Waiting: one course copy job of %.0f s waited for by `d2l_copy_job` with the default '
            'poll options; "noticed after completion" is the arrival of its last status request '
            '(request log) minus the job\'s completion time (emulator state).' % job['job_seconds'],
            '',
        ]
    rate = results.get('rate')
    if rate:
        lines += [
            '5. Rate limits: %d inventory hosts (connection local), each looping `d2l_course_info` '
            '%d times, `--forks %d`. The unlimited rate is measured first (%d tasks per host); the '
            'emulator is then limited to %.0f%% of it, with a %.0f s window (`rate_window`, instead of '
            'the service\'s minute, to keep the run short; the bucket refills when its window is over). '
            'Failures: failed loop items in the output (or failed tasks in the PLAY RECAP, if more). Throughput: the allowed requests of the log, '
            'replayed into the emulator\'s windows; the requests of every window but the last over '
            'the time from the first window\'s start to the last one\'s, as a share of the limit '
            '(allowed requests per window: %s).'
            % (rate['hosts'], rate['tasks'], rate['hosts'], max(5, rate['tasks'] // 5), rate['fraction'] * 100,
               rate['window'], ', '.join(str(n) for n in rate['per_window'])),
            '',
        ]
    return '\n'.join(lines).rstrip('\n') + '\n'


SECTIONS = ('per-task', 'demo', 'scale', 'lr', 'streaming', 'job', 'rate')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
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
    args = parser.parse_args()
    if min(args.tasks, args.rounds, args.scale, args.lr_packages, args.stream_mib, args.rate_tasks) < 1:
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


if __name__ == '__main__':
    sys.exit(main())
