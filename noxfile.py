# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version matrix of d2l.brightspace (``make matrix`` runs it through tools/matrix.py).

antsibull-nox (antsibull-nox.toml) declares the sessions it has: ``lint``, ``docs-check``,
``license-check``, ``extra-checks`` and ``build-import-check`` (galaxy-importer, which
``make build`` runs). This file adds, for every ansible-core minor in ``MATRIX`` (the range
``meta/runtime.yml`` promises, up to the newest release), each on the newest Python that
release supports as a controller and that is installed here:

- ``ansible-test-sanity-X.Y``: ansible-test sanity from that ansible-core, through
  antsibull-nox's ``add_ansible_test_session`` (it stages the collection as
  ``ansible_collections/d2l/brightspace`` and copies ``tests/output`` back);
- ``units-X.Y``: pytest ``tests/unit`` beside that ansible-core;
- ``smoke-X.Y``: the collection built and installed from its tarball with that ansible-core,
  then the demo twice against the emulator (the second run changed=0) and the roles' playbooks
  twice (``tests/integration/test_roles.py``), with no deprecation warning in any playbook's
  output.

``nox -l`` lists them; ``nox -s units-2.16`` runs one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

import antsibull_nox
from antsibull_nox.ansible import get_ansible_core_info
from antsibull_nox.python.versions import get_installed_python_versions
from antsibull_nox.utils import Version

antsibull_nox.load_antsibull_nox_toml()

REPO = Path(__file__).resolve().parent

# Every ansible-core minor the collection supports: the lowest is requires_ansible in
# meta/runtime.yml (tests/unit/test_versions.py keeps them, galaxy.yml and the README in step).
MATRIX = ('2.16', '2.17', '2.18', '2.19', '2.20', '2.21')

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
    major, minor = core.split('.')
    return 'ansible-core>=%s,<%s.%d' % (core, major, int(minor) + 1)


def prime_get_pip() -> None:
    """ansible-test --venv bootstraps pip with a get-pip script it downloads from a host this
    machine cannot reach: put tools/get-pip.py (the offline stand-in) in its cache for the pip
    of every ansible-test the sessions have installed (tools/sanity.py reads the version from
    ansible-test itself)."""
    for package in sorted((REPO / '.nox').glob('*/lib/python*/site-packages/ansible_test')):
        python = package.parents[3] / 'bin' / 'python'
        subprocess.run([str(python), str(REPO / 'tools' / 'sanity.py'), '--prime-get-pip'], check=True)


def drop_scratch() -> None:
    """Run in the staged collection before antsibull-nox copies its tests/output back: the
    delegation venvs ansible-test leaves in tests/output/.tmp are scratch (and their symlinks
    break the copy); the results are kept."""
    shutil.rmtree(os.path.join('tests', 'output', '.tmp'), ignore_errors=True)


def add_version(core: str) -> None:
    python = python_for(core)

    # antsibull-nox's own sanity sessions always pass --docker, and no container engine runs
    # here: the same session with --venv (ansible-test makes a venv per test from PyPI).
    antsibull_nox.add_ansible_test_session(
        name='ansible-test-sanity-%s' % core,
        description='ansible-test sanity --venv from ansible-core %s' % core,
        ansible_test_params=['sanity', '--venv', '--python', python],
        default=False,
        ansible_core_version=core,
        ansible_core_source='pypi',
        callback_before=prime_get_pip,
        callback_after=drop_scratch,
    )

    @nox.session(name='units-%s' % core, python=python, default=False)
    def units(session: nox.Session) -> None:
        session.install(core_requirement(core), *TEST_REQUIREMENTS)
        session.run('ansible', '--version')
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-n', '2',
                    *(session.posargs or ['tests/unit']), env=RUN_ENV)

    units.__doc__ = 'pytest tests/unit beside ansible-core %s (Python %s)' % (core, python)

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
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q',
                    *(session.posargs or ['tests/integration/test_roles.py']), env=env)

    smoke.__doc__ = ('the demo twice and the roles\' playbooks against the emulator, ansible-core %s '
                     '(Python %s)' % (core, python))


for _core in MATRIX:
    add_version(_core)

os.environ.setdefault('UV_PYTHON_DOWNLOADS', 'never')  # an interpreter uv lacks is an error, not a download
