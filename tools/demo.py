#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the demo playbook twice against a local Brightspace emulator (``make demo``).

1. starts ``python -m brightspace_emulator`` on a free loopback port with the interpreter
   running this script (the project venv), through ``brightspace_emulator.testing``, and waits
   until ``GET /_emulator/health`` answers;
2. its log goes to the run's scratch directory;
3. runs ``ansible-playbook -i playbooks/inventory.yml playbooks/demo.yml`` twice with
   BRIGHTSPACE_URL pointing at the emulator, authenticated as the emulator's seeded service user
   (``demo-service``, signing its client assertions with the TEST key in
   tests/fixtures/service-user/): the grant an unattended run uses;
4. fails unless both runs succeed, print no deprecation warning of the collection's
   (ansible-core's own, which it prints for a bare playbook and role, are not counted), and the
   second one reports ``changed=0`` for every host;
5. always stops the emulator.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import sys

from brightspace_emulator import testing

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
INVENTORY = os.path.join('playbooks', 'inventory.yml')
PLAYBOOK = os.path.join('playbooks', 'demo.yml')
SERVICE_KEY = os.path.join(REPO, 'tests', 'fixtures', 'service-user', 'private-key.pem')
HEALTH_TIMEOUT = 30.0

RECAP_LINE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+'
                        r'unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)')


def banner(message: str) -> None:
    print('==> demo: %s' % message, flush=True)


def run_playbook(run: int, env: dict[str, str]) -> dict[str, int]:
    """Run the demo playbook, echo its output, return the changed count per host of the recap."""
    banner('ansible-playbook run %d' % run)
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', INVENTORY, PLAYBOOK]
    process = subprocess.run(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    sys.stdout.write(process.stdout)
    sys.stdout.flush()

    if process.returncode != 0:
        raise RuntimeError('ansible-playbook run %d failed with status %d' % (run, process.returncode))

    # ours only: what this ansible-core prints for a bare playbook and role of its own is not
    deprecations = testing.collection_deprecations(process.stdout, testing.core_deprecations(command[0], env))

    if deprecations:
        raise RuntimeError('ansible-playbook run %d printed deprecation warnings:\n  %s' % (run, '\n  '.join(deprecations)))

    changed = {}

    for line in process.stdout.splitlines():
        match = RECAP_LINE.match(line.strip())

        if match:
            changed[match.group('host')] = int(match.group('changed'))

    if not changed:
        raise RuntimeError('no PLAY RECAP found in the output of run %d' % run)

    return changed


def main() -> int:
    for path in (INVENTORY, PLAYBOOK):
        if not os.path.exists(os.path.join(REPO, path)):
            banner('%s does not exist' % path)
            return 1

    workdir = tempfile.mkdtemp(prefix='d2l-demo-')  # the exported ePortfolio package goes here
    log_path = os.path.join(workdir, 'emulator.log')
    banner('starting the emulator (its log: %s)' % log_path)
    emulator = None

    def on_signal(signum, _frame):
        if emulator is not None:
            emulator.stop()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        emulator = testing.start(cwd=REPO, log_path=log_path, timeout=HEALTH_TIMEOUT)
        url = emulator.url
        banner('the emulator is at %s' % url)
        env = dict(os.environ, BRIGHTSPACE_URL=url, DEMO_WORKDIR=workdir,
                   BRIGHTSPACE_TOKEN_CACHE=os.path.join(workdir, 'cache', 'tokens.json'),
                   ANSIBLE_FORCE_COLOR=os.environ.get('ANSIBLE_FORCE_COLOR', '0'), **testing.SHOW_DEPRECATIONS)
        # the service-user grant; other credentials of the caller's environment would win over it
        for name in ('ACCESS_TOKEN', 'REFRESH_TOKEN', 'CLIENT_SECRET', 'APP_ID', 'APP_KEY', 'USER_ID', 'USER_KEY'):
            env['BRIGHTSPACE_' + name] = ''
        env.update(BRIGHTSPACE_CLIENT_ID='demo-service', BRIGHTSPACE_PRIVATE_KEY=SERVICE_KEY,
                   BRIGHTSPACE_KEY_ID='demo-service-key-1', BRIGHTSPACE_SCOPE='core:*:*',
                   BRIGHTSPACE_TOKEN_URL=url + '/core/connect/token')
        env['PATH'] = BIN + os.pathsep + env.get('PATH', '')

        first = run_playbook(1, env)
        banner('run 1: changed per host %s' % first)
        second = run_playbook(2, env)
        banner('run 2: changed per host %s' % second)

        not_idempotent = {host: count for host, count in second.items() if count}

        if not_idempotent:
            banner('FAILED: the second run changed something: %s' % not_idempotent)
            return 1

        banner('OK: the second run reported changed=0')
        return 0
    except RuntimeError as ex:  # testing.EmulatorError too
        banner('FAILED: %s' % ex)
        return 1
    finally:
        if emulator is not None:
            banner('stopping the emulator')
            emulator.stop()


if __name__ == '__main__':
    sys.exit(main())
