#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the version matrix (``make matrix``): the sessions of noxfile.py, in two lanes.

1. finds a Python that really runs for every version the sessions ask for (a pyenv shim named
   ``python3.12`` can be on PATH and still refuse to run): ``pythonX.Y`` on PATH if it answers,
   else the newest ``$PYENV_ROOT/versions/X.Y.*``, and links them into
   ``tests/output/matrix/bin``, first on the sessions' PATH (nox and uv take them from there;
   uv never downloads one);
2. runs every session once (``nox -db uv -s NAME``: uv makes the venvs, from PyPI), in two lanes
   at a time on two cores: the ansible-test sanity sessions in one lane, the rest in the other.
   Each session's output goes to ``tests/output/matrix/<session>.log``, and is shown when
   it fails (or always with MATRIX_VERBOSE=1);
3. prints one line per session (result, seconds) and exits non-zero if any failed.

``tools/matrix.py units-2.16 smoke-2.16`` runs only those sessions (in the same lanes).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(REPO, 'tests', 'output', 'matrix')
NOX = [os.path.join(os.path.dirname(sys.executable), 'nox'), '--no-color', '-db', 'uv']
PYTHONS = ('3.12', '3.13')
# antsibull-nox's sessions that `make matrix` runs (build-import-check is `make build`'s).
CHECKS = ('lint', 'docs-check', 'license-check', 'extra-checks')


def importer_findings(log: str) -> list[str]:
    """galaxy-importer's ERROR and WARNING lines (ansible-lint's findings among them): Galaxy
    shows them in the collection's import log, and antsibull-nox only warns about the ERROR
    ones, so here any of them fails the session."""
    start = log.find('Importing with galaxy-importer')
    if start < 0:
        return ['no galaxy-importer output in the log']
    return [line for line in log[start:].splitlines() if line.startswith(('ERROR:', 'WARNING:'))]


# Checks of a session's log beyond its exit status: the problems found, none when it is fine.
LOG_CHECKS = {'build-import-check': importer_findings}

_print_lock = threading.Lock()


def say(message: str) -> None:
    with _print_lock:
        print('==> matrix: %s' % message, flush=True)


def runs(python: str) -> bool:
    try:
        return subprocess.run([python, '-c', 'import sys, venv; sys.exit(0)'], capture_output=True,
                              timeout=60, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python(version: str) -> str | None:
    on_path = shutil.which('python' + version)
    if on_path and runs(on_path):
        return on_path
    root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')

    def key(path: str) -> list[int]:
        return [int(part) if part.isdigit() else -1 for part in re.split(r'[.]', path.split('/versions/')[1].split('/')[0])]

    for candidate in sorted(glob.glob(os.path.join(root, 'versions', version + '.*', 'bin', 'python' + version)), key=key, reverse=True):
        if runs(candidate):
            return candidate
    return None


def interpreters_dir() -> str:
    bin_dir = os.path.join(OUTPUT, 'bin')
    shutil.rmtree(bin_dir, ignore_errors=True)
    os.makedirs(bin_dir)
    missing = []
    for version in PYTHONS:
        python = find_python(version)
        if python is None:
            missing.append(version)
            continue
        os.symlink(python, os.path.join(bin_dir, 'python' + version))
        say('Python %s: %s' % (version, python))
    if missing:
        raise SystemExit('matrix: no working Python %s (on PATH as pythonX.Y, or in pyenv)' % ', '.join(missing))
    return bin_dir


def sessions() -> list[str]:
    """CHECKS, then every per-version session noxfile.py declares (``nox --list``: they are not
    default sessions, so its JSON listing leaves them out)."""
    listed = subprocess.run(NOX + ['--list'], cwd=REPO, check=True, capture_output=True, text=True).stdout
    versioned = versioned_sessions(listed)
    if not versioned:
        raise SystemExit('matrix: nox --list shows no per-version session:\n' + listed)
    return list(CHECKS) + versioned


def versioned_sessions(listing: str) -> list[str]:
    """The per-version sessions in ``nox --list``'s output, in its order."""
    names = [match.group(1) for match in re.finditer(r'^[*-] (\S+) ->', listing, re.M)]
    return [name for name in names if re.match(r'^(ansible-test-sanity|units|smoke)-2\.\d+$', name)]


def run_lane(names: list[str], env: dict[str, str], results: dict[str, tuple[int, float]]) -> None:
    for name in names:
        log_path = os.path.join(OUTPUT, name + '.log')
        say('%s: started' % name)
        started = time.monotonic()
        with open(log_path, 'w', encoding='utf-8') as log:
            status = subprocess.run(NOX + ['-s', name], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, check=False).returncode
        elapsed = time.monotonic() - started
        if status == 0 and name in LOG_CHECKS:
            with open(log_path, encoding='utf-8', errors='replace') as log:
                problems = LOG_CHECKS[name](log.read())
            if problems:
                status = 1
                say('%s: %s' % (name, '\n  '.join(['failed on:'] + problems)))
        results[name] = (status, elapsed)
        say('%s: %s in %.0f s (log: %s)' % (name, 'passed' if status == 0 else 'FAILED (%d)' % status,
                                            elapsed, os.path.relpath(log_path, REPO)))
        if status != 0 or os.environ.get('MATRIX_VERBOSE'):
            with open(log_path, encoding='utf-8', errors='replace') as log:
                text = log.read()
            with _print_lock:
                print('-------- %s --------\n%s\n-------- end of %s --------' % (name, text[-20000:], name), flush=True)


def main(argv: list[str]) -> int:
    os.makedirs(OUTPUT, exist_ok=True)
    env = dict(os.environ)
    env['PATH'] = interpreters_dir() + os.pathsep + os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    env['UV_PYTHON_DOWNLOADS'] = 'never'
    env.pop('VIRTUAL_ENV', None)

    names = argv or sessions()
    lanes = [lane for lane in ([name for name in names if name.startswith('ansible-test-sanity-')],
                               [name for name in names if not name.startswith('ansible-test-sanity-')]) if lane]
    say('%d sessions in %d lane(s): %s' % (len(names), len(lanes), ' '.join(names)))

    results: dict[str, tuple[int, float]] = {}
    started = time.monotonic()
    threads = [threading.Thread(target=run_lane, args=(lane, env, results)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print('\n%-28s %-8s %8s' % ('session', 'result', 'seconds'))
    for name in names:
        status, elapsed = results.get(name, (-1, 0.0))
        print('%-28s %-8s %8.0f' % (name, 'passed' if status == 0 else 'FAILED', elapsed))
    failed = [name for name in names if results.get(name, (-1, 0.0))[0] != 0]
    total = time.monotonic() - started
    if failed:
        print('\nmake matrix: FAILED: %s (%.0f s)' % (' '.join(failed), total))
        return 1
    print('\nmake matrix: %d sessions passed in %.0f s' % (len(names), total))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
