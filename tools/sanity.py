#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ``ansible-test sanity`` on this collection from a staged copy.

ansible-test only runs from a directory whose path ends in
``ansible_collections/<namespace>/<name>`` and resolves symlinks (it uses ``os.getcwd()``),
so a symlink to the repository is rejected.  This script therefore:

1. copies the working tree (tracked files plus untracked, not ignored ones, i.e.
   ``git ls-files --cached --others --exclude-standard``; uncommitted edits included) to
   ``<tmp>/ansible_collections/<namespace>/<name>``;
2. puts the offline pip bootstrap stand-in (``tools/get-pip.py``) where ansible-test's
   ``--venv`` mode looks for its cached get-pip script, for the pip version that this
   ansible-test asks for (read from ansible-test itself, not hard-coded);
3. runs ``ansible-test sanity --venv --python <X.Y>`` there, with any extra arguments given
   to this script (e.g. ``--test pylint``), copies ``tests/output`` back into the repository
   and exits with ansible-test's status.

Run it with the interpreter of the venv that holds ansible-core: ``.venv/bin/python tools/sanity.py``
(``make sanity``); the version matrix's sanity sessions (noxfile.py) run it with theirs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GET_PIP_STANDIN = os.path.join(REPO, 'tools', 'get-pip.py')
STANDIN_MARKER = b'Offline stand-in for ansible-test'

# Never staged, even when a .gitignore forgets them.
EXCLUDED_TOP = ('.git', '.venv', 'tests/output')


def banner(message: str) -> None:
    print('==> sanity: %s' % message, flush=True)


def collection_name() -> tuple[str, str]:
    import yaml  # pylint: disable=import-outside-toplevel  # from ansible-core's venv

    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as galaxy_file:
        galaxy = yaml.safe_load(galaxy_file)

    return galaxy['namespace'], galaxy['name']


def excluded(rel_path: str) -> bool:
    parts = rel_path.split('/')

    if '__pycache__' in parts or rel_path.endswith(('.pyc', '.pyo')):
        return True

    return any(rel_path == top or rel_path.startswith(top + '/') for top in EXCLUDED_TOP)


def working_tree_files() -> list[str]:
    """Relative paths of the files that make up the working tree."""
    try:
        output = subprocess.run(
            ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
            cwd=REPO, check=True, capture_output=True,
        ).stdout
        paths = [path for path in output.decode('utf-8').split('\0') if path]
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (e.g. an unpacked tarball): take everything.
        paths = []

        for dirpath, dirnames, filenames in os.walk(REPO):
            rel_dir = os.path.relpath(dirpath, REPO)
            dirnames[:] = [name for name in dirnames
                           if not excluded(os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, '/'))]
            paths.extend(os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, '/') for name in filenames)

    # Deleted-but-still-tracked files are listed by git: skip what is not on disk.
    return sorted(path for path in set(paths)
                  if not excluded(path) and os.path.lexists(os.path.join(REPO, path)))


def stage(destination: str) -> int:
    count = 0

    for rel_path in working_tree_files():
        source = os.path.join(REPO, rel_path)

        if os.path.isdir(source) and not os.path.islink(source):
            continue  # a submodule / nested repository entry

        target = os.path.join(destination, rel_path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)  # keeps the executable bit
        count += 1

    return count


def ansible_test_pip_version() -> str:
    """The pip version ansible-test bootstraps into the virtual environments it creates."""
    from ansible_test._internal import python_requirements  # pylint: disable=import-outside-toplevel

    class _Python:  # the only attribute get_venv_packages() reads
        version = '%d.%d' % sys.version_info[:2]

    return python_requirements.get_venv_packages(_Python())['pip']  # type: ignore[arg-type]


def prime_get_pip_cache() -> None:
    version = ansible_test_pip_version()
    cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))

    with open(GET_PIP_STANDIN, 'rb') as standin_file:
        standin = standin_file.read()

    if os.path.exists(cache_path):
        with open(cache_path, 'rb') as cached_file:
            cached = cached_file.read()

        if cached == standin:
            return

        if STANDIN_MARKER not in cached:
            banner('using the real get-pip %s already cached at %s' % (version, cache_path))
            return

    os.makedirs(os.path.dirname(cache_path), exist_ok=True)

    with open(cache_path + '.tmp', 'wb') as cache_file:
        cache_file.write(standin)

    os.replace(cache_path + '.tmp', cache_path)
    banner('installed the offline get-pip %s stand-in at %s' % (version, cache_path))


def main(argv: list[str]) -> int:
    namespace, name = collection_name()
    python_version = '%d.%d' % sys.version_info[:2]
    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')

    prime_get_pip_cache()

    staging = tempfile.mkdtemp(prefix='d2l-sanity-')
    collection_root = os.path.join(staging, 'ansible_collections', namespace, name)

    try:
        count = stage(collection_root)
        banner('staged %d files in %s' % (count, collection_root))

        command = [ansible_test, 'sanity', '--venv', '--python', python_version] + argv
        banner(' '.join(command))
        started = time.monotonic()
        status = subprocess.run(command, cwd=collection_root, stdin=subprocess.DEVNULL, check=False).returncode
        banner('ansible-test exited %d after %.0f s' % (status, time.monotonic() - started))

        results = os.path.join(collection_root, 'tests', 'output')

        if os.path.isdir(results):
            shutil.copytree(results, os.path.join(REPO, 'tests', 'output'), dirs_exist_ok=True)
            banner('results copied to tests/output/')

        return status
    finally:
        if os.environ.get('SANITY_KEEP_STAGING'):
            banner('kept %s (SANITY_KEEP_STAGING)' % staging)
        else:
            shutil.rmtree(staging, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
