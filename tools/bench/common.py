# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every section shares: paths, the emulator handle, the playbook runner, output parsing."""

from __future__ import annotations

import collections
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request

from brightspace_emulator import testing


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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


# the course the per-task and rate sections look up (made once)
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


def ensure_info_course(runner: Runner) -> None:
    if getattr(runner, 'info_course_ready', False):
        return
    runner.run(write_playbook(runner.workdir, 'info-setup.yml', INFO_SETUP_PLAYBOOK))
    runner.info_course_ready = True
