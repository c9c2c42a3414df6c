#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for ansible-test's get-pip bootstrap script.

``ansible-test ... --venv`` creates each virtual environment ``--without-pip`` and then
bootstraps pip by running ``get-pip-<version>.py``, downloaded from a host this machine
cannot reach, cached as ``~/.ansible/test/cache/get_pip_<version>.py``.  ``tools/sanity.py``
copies this file to that cache path so ansible-test uses it instead.

ansible-test runs it (through its quiet_pip.py wrapper, via runpy) as::

    python get_pip_X_Y.py --disable-pip-version-check pip==X.Y [--no-setuptools] [--no-wheel]

This script installs the pip bundled with the interpreter (``ensurepip``), then asks that
pip to install the requested packages (normally the exact pip version ansible-test wants)
from the package index configured for pip on this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys

# get-pip.py options that ``pip install`` does not understand: they only tell get-pip.py
# not to install setuptools / wheel / pip, which ``pip install <packages>`` never does anyway.
GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel', '--no-pip'))


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    env = dict(os.environ)
    # The real get-pip.py is not pip: never let GET_PIP leak into the pip we start.
    env.pop('GET_PIP', None)

    subprocess.run([sys.executable, '-m', 'ensurepip', '--default-pip'], check=True, env=env,
                   stdout=subprocess.DEVNULL)

    if any(not arg.startswith('-') for arg in args):
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet'] + args, check=True, env=env)

    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as ex:
        sys.stderr.write('get-pip stand-in: %s\n' % ex)
        sys.exit(ex.returncode or 1)
