# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.d2l.brightspace`` importable without installing the collection.

``make venv`` links the work tree into the venv's site-packages and ``ansible-test units`` runs
from an ``ansible_collections/d2l/brightspace`` tree; both already import. Anywhere else (a bare
venv with ansible-core), a temporary ``ansible_collections/d2l/brightspace`` symlink to the repo
root is put first on ``sys.path`` before any test module is imported.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _importable():
    try:
        from ansible_collections.d2l.brightspace.plugins.module_utils import client  # noqa: F401
    except ImportError:
        return False
    # the importable copy must be this work tree, not some other installed one
    return os.path.realpath(client.__file__).startswith(os.path.realpath(REPO_ROOT) + os.sep)


def _link_collection():
    top = tempfile.mkdtemp(prefix="d2l-brightspace-unit-")
    atexit.register(shutil.rmtree, top, True)
    namespace = os.path.join(top, "ansible_collections", "d2l")
    os.makedirs(namespace)
    os.symlink(REPO_ROOT, os.path.join(namespace, "brightspace"))
    sys.path.insert(0, top)
    for name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        del sys.modules[name]


if not _importable():
    _link_collection()
    if not _importable():  # pragma: no cover - a broken checkout
        raise ImportError("cannot import ansible_collections.d2l.brightspace from %s" % REPO_ROOT)
