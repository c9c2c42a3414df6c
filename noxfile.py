# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version matrix of d2l.brightspace (``make matrix`` runs it through tools/matrix.py).

antsibull-nox (antsibull-nox.toml) declares the sessions it has: ``lint``, ``docs-check``,
``license-check``, ``extra-checks`` and ``build-import-check`` (galaxy-importer, which
``make build`` runs). This file adds, for every ansible-core minor in ``MATRIX`` (the range ``meta/runtime.yml``
promises), at the patch release ``MATRIX`` pins, each on the newest Python that release supports
as a controller and that is installed here:

- ``ansible-test-sanity-X.Y``: ``tools/sanity.py`` (what ``make sanity`` runs: the tree staged as
  ``ansible_collections/d2l/brightspace``, ``ansible-test sanity --venv``, ``tests/output``
  copied back) with that ansible-core;
- ``units-X.Y``: pytest ``tests/unit`` beside that ansible-core;
- ``smoke-X.Y``: the collection built and installed from its tarball with that ansible-core,
  then the demo twice against the emulator (the second run changed=0) and the roles' playbooks
  twice (``tests/integration/test_roles.py``), with no deprecation warning of the collection's in
  any playbook's output (``tests/integration/test_deprecations.py`` proves the check on this
  ansible-core).

The pins make the matrix reproducible: a new upstream release changes nothing here until someone
bumps its pin. ``make matrix-updates`` (``tools/matrix.py --updates``) reports newer patches and
runs the sessions of each minor with the newer one (``D2L_MATRIX_PINS``, below), without failing.
How to bump: docs/development.md.

``nox -l`` lists them; ``nox -s units-2.16`` runs one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

import antsibull_nox
from antsibull_nox.ansible import get_ansible_core_info
from antsibull_nox.python.versions import get_installed_python_versions
from antsibull_nox.utils import Version

antsibull_nox.load_antsibull_nox_toml()

REPO = Path(__file__).resolve().parent

# Every ansible-core minor the collection supports, and the patch release its sessions install:
# the one place the matrix's versions are pinned. The lowest minor is requires_ansible in
# meta/runtime.yml; tests/unit/test_versions.py keeps galaxy.yml, the README, the dev venv's pin
# (requirements-dev.txt) and galaxy-importer's (antsibull-nox.toml) in step with it.
MATRIX = {
    '2.16': '2.16.20',
    '2.17': '2.17.14',
    '2.18': '2.18.19',
    '2.19': '2.19.14',
    '2.20': '2.20.10',
    '2.21': '2.21.6',
}

# `make matrix-updates` tries newer patches without editing MATRIX: D2L_MATRIX_PINS="2.16=2.16.21
# 2.19=2.19.15" replaces those pins for this run only.
PIN_OVERRIDES = dict(item.split('=', 1) for item in os.environ.get('D2L_MATRIX_PINS', '').split() if '=' in item)
PINS = {minor: PIN_OVERRIDES.get(minor, patch) for minor, patch in MATRIX.items()}

# What a test run needs beside ansible-core (the same pins as `make venv`'s).
TEST_REQUIREMENTS = ('-r', str(REPO / 'tests' / 'requirements.txt'))

# The playbooks' own Python runs the modules (as in every inventory here); no colour, and the
# tests' subprocesses find ansible-playbook in the session's venv first (nox puts it on PATH).
RUN_ENV = {'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_NOCOLOR': '1', 'PYTHONDONTWRITEBYTECODE': '1',
           'ANSIBLE_DEPRECATION_WARNINGS': '1'}


def python_for(core: str) -> str:
    """The newest installed Python that this ansible-core supports on the controller (as
    antsibull-nox picks it for its ansible-test sessions)."""
    supported = get_ansible_core_info(Version.parse(core)).controller_python_versions
    installed = [version for version in supported if version in get_installed_python_versions()]
    return str(max(installed or supported))


def core_requirement(core: str) -> str:
    """The exact ansible-core release of this minor's sessions."""
    patch = PINS[core]
    if not patch.startswith(core + '.'):
        raise ValueError('the pin %r of ansible-core %s is not a release of %s' % (patch, core, core))
    return 'ansible-core==%s' % patch


def add_version(core: str) -> None:
    python = python_for(core)

    # antsibull-nox's sanity sessions install the newest patch of a minor (and always pass
    # --docker, while no container engine runs here): this one installs the pinned release and
    # runs what `make sanity` runs, tools/sanity.py (ansible-test sanity --venv from a staged tree).
    @nox.session(name='ansible-test-sanity-%s' % core, python=python, default=False)
    def sanity(session: nox.Session) -> None:
        session.install(core_requirement(core))
        session.run('ansible', '--version')
        session.run('python', 'tools/sanity.py', *session.posargs)

    sanity.__doc__ = 'ansible-test sanity --venv from ansible-core %s (Python %s)' % (PINS[core], python)

    @nox.session(name='units-%s' % core, python=python, default=False)
    def units(session: nox.Session) -> None:
        session.install(core_requirement(core), *TEST_REQUIREMENTS)
        session.run('ansible', '--version')
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-n', '2',
                    *(session.posargs or ['tests/unit']), env=RUN_ENV)

    units.__doc__ = 'pytest tests/unit beside ansible-core %s (Python %s)' % (PINS[core], python)

    @nox.session(name='smoke-%s' % core, python=python, default=False)
    def smoke(session: nox.Session) -> None:
        session.install(core_requirement(core), *TEST_REQUIREMENTS, '-e', str(REPO / 'tests' / 'emulator'))
        session.run('ansible', '--version')
        # The collection as users get it: built with this ansible-core, installed from the tarball.
        tmp = Path(session.create_tmp())
        shutil.rmtree(tmp / 'build', ignore_errors=True)
        shutil.rmtree(tmp / 'collections', ignore_errors=True)
        session.run('ansible-galaxy', 'collection', 'build', '--output-path', str(tmp / 'build'), str(REPO))
        tarball = [str(path) for path in (tmp / 'build').glob('d2l-brightspace-*.tar.gz')]
        session.run('ansible-galaxy', 'collection', 'install', '--offline', '-p', str(tmp / 'collections'), *tarball)
        env = dict(RUN_ENV, ANSIBLE_COLLECTIONS_PATH=str(tmp / 'collections'),
                   D2L_TEST_COLLECTIONS_PATH=str(tmp / 'collections'))
        session.run('python', 'tools/demo.py', env=env)
        tests = session.posargs or ['tests/integration/test_roles.py', 'tests/integration/test_deprecations.py']
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', *tests, env=env)

    smoke.__doc__ = ('the demo twice and the roles\' playbooks against the emulator, ansible-core %s '
                     '(Python %s)' % (PINS[core], python))


for _core in MATRIX:
    add_version(_core)

os.environ.setdefault('UV_PYTHON_DOWNLOADS', 'never')  # an interpreter uv lacks is an error, not a download
