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

``tools/matrix.py --updates`` (``make matrix-updates``, not part of CI) asks PyPI for the newest
release of every minor that noxfile.py's ``MATRIX`` pins, runs the sessions of each minor that
has a newer patch with that patch instead (``D2L_MATRIX_PINS``; logs in
``tests/output/matrix-updates/``), names any newer minor, prints a table and exits 0 whatever it
found: the pins change only when someone bumps them (docs/development.md). ``--report-only``
skips the runs.
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(REPO, 'tests', 'output', 'matrix')
UPDATES_OUTPUT = os.path.join(REPO, 'tests', 'output', 'matrix-updates')
# PyPI's JSON API (MATRIX_PYPI_URL for a mirror that serves it)
PYPI_JSON = os.environ.get('MATRIX_PYPI_URL', 'https://pypi.org/pypi/ansible-core/json')
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


def run_lane(names: list[str], env: dict[str, str], results: dict[str, tuple[int, float]],
             output: str = OUTPUT) -> None:
    for name in names:
        log_path = os.path.join(output, name + '.log')
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


def session_env() -> dict[str, str]:
    env = dict(os.environ)
    env['PATH'] = interpreters_dir() + os.pathsep + os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    env['UV_PYTHON_DOWNLOADS'] = 'never'
    env.pop('VIRTUAL_ENV', None)
    return env


def run_sessions(names: list[str], env: dict[str, str], output: str = OUTPUT) -> dict[str, tuple[int, float]]:
    """Every session of ``names`` once, in two lanes (sanity, the rest): ``{name: (status, seconds)}``."""
    lanes = [lane for lane in ([name for name in names if name.startswith('ansible-test-sanity-')],
                               [name for name in names if not name.startswith('ansible-test-sanity-')]) if lane]
    say('%d sessions in %d lane(s): %s' % (len(names), len(lanes), ' '.join(names)))
    results: dict[str, tuple[int, float]] = {}
    threads = [threading.Thread(target=run_lane, args=(lane, env, results, output)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# -- make matrix-updates ---------------------------------------------------------------------
def pinned_matrix() -> dict[str, str]:
    """noxfile.py's MATRIX (minor -> pinned patch), read without importing nox."""
    with open(os.path.join(REPO, 'noxfile.py'), encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, 'id', None) for t in node.targets] == ['MATRIX']:
            return ast.literal_eval(node.value)
    raise SystemExit('matrix: noxfile.py has no MATRIX')


def _release(version: str) -> tuple[int, ...] | None:
    """A final release's numbers (2.16.20 -> (2, 16, 20)); None for a pre-release or a dev build."""
    if not re.fullmatch(r'\d+\.\d+\.\d+', version):
        return None
    return tuple(int(part) for part in version.split('.'))


def pypi_releases(document: dict) -> list[str]:
    """The final, not yanked releases in PyPI's JSON document of a project."""
    found = []
    for version, files in (document.get('releases') or {}).items():
        if _release(version) is None or not files or all(item.get('yanked') for item in files):
            continue
        found.append(version)
    return sorted(found, key=_release)


def updates(pins: dict[str, str], releases: list[str]) -> tuple[dict[str, str], list[str]]:
    """``({minor: newest patch}, [newer minors' newest releases])``: the minors of ``pins`` whose
    newest release on PyPI is newer than the pin, and the releases of minors above the matrix."""
    newest: dict[str, str] = {}
    for version in releases:
        major, minor, _patch = _release(version)
        key = '%d.%d' % (major, minor)
        if key not in newest or _release(version) > _release(newest[key]):
            newest[key] = version
    newer = {minor: newest[minor] for minor, pin in pins.items()
             if minor in newest and _release(newest[minor]) > _release(pin)}
    top = max(_release(minor + '.0') for minor in pins)
    above = sorted((version for key, version in newest.items() if _release(key + '.0') > top), key=_release)
    return newer, above


def fetch_pypi() -> dict:
    request = urllib.request.Request(PYPI_JSON, headers={'Accept': 'application/json'})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def report_updates(argv: list[str]) -> int:
    """``make matrix-updates``: never fails on what it finds (only on a usage error)."""
    pins = pinned_matrix()
    try:
        releases = pypi_releases(fetch_pypi())
    except (OSError, ValueError) as exc:
        print('make matrix-updates: could not read %s (%s): nothing checked' % (PYPI_JSON, exc))
        return 0
    newer, above = updates(pins, releases)
    results: dict[str, tuple[int, float]] = {}
    if newer and '--report-only' not in argv:
        os.makedirs(UPDATES_OUTPUT, exist_ok=True)
        env = session_env()
        env['D2L_MATRIX_PINS'] = ' '.join('%s=%s' % item for item in sorted(newer.items()))
        say('trying %s' % env['D2L_MATRIX_PINS'])
        names = ['%s-%s' % (kind, minor) for minor in sorted(newer, key=lambda m: _release(m + '.0'))
                 for kind in ('ansible-test-sanity', 'units', 'smoke')]
        results = run_sessions(names, env, UPDATES_OUTPUT)

    def outcome(name: str) -> str:
        if name not in results:
            return '-'
        return 'passed' if results[name][0] == 0 else 'FAILED'

    print('\n%-6s %-9s %-9s %-8s %-8s %-8s' % ('minor', 'pinned', 'newest', 'sanity', 'units', 'smoke'))
    for minor, pin in pins.items():
        latest = newer.get(minor, pin)
        print('%-6s %-9s %-9s %-8s %-8s %-8s' % (
            minor, pin, latest if minor in newer else '(same)', outcome('ansible-test-sanity-' + minor),
            outcome('units-' + minor), outcome('smoke-' + minor)))
    if above:
        print('\nnewer minors, not in the matrix: %s (adding one: docs/development.md)' % ', '.join(above))
    if not newer:
        print('\nmake matrix-updates: every pin is the newest patch of its minor')
    elif results:
        passed = [minor for minor in newer if all(outcome('%s-%s' % (kind, minor)) == 'passed'
                                                  for kind in ('ansible-test-sanity', 'units', 'smoke'))]
        print('\nmake matrix-updates: newer patches: %s; passing (ready to bump in noxfile.py MATRIX): %s'
              % (', '.join(newer[m] for m in newer), ', '.join(newer[m] for m in passed) or 'none'))
    else:
        print('\nmake matrix-updates: newer patches: %s (not run: --report-only)' % ', '.join(newer.values()))
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == '--updates':
        return report_updates(argv[1:])
    os.makedirs(OUTPUT, exist_ok=True)
    env = session_env()
    names = argv or sessions()
    started = time.monotonic()
    results = run_sessions(names, env)

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
