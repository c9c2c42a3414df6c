# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests: real playbooks against a real Brightspace emulator process on loopback.

Point them at a real tenant instead by setting BRIGHTSPACE_TEST_URL (and credentials in the
usual BRIGHTSPACE_* variables); checks that read the emulator's request log are then skipped
inside the playbooks (``emulator`` is false).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from brightspace_emulator import testing

ROOT = Path(__file__).resolve().parents[2]
TARGETS = Path(__file__).resolve().parent / "targets"
BIN = Path(sys.executable).parent


free_port = testing.free_port
Emulator = testing.Emulator  # the control API (call, reset, requests, state); control=False: a real tenant


def start_emulator(tmp_path, *args):
    """An emulator process with ``args`` (its log in ``tmp_path``): ``(process, Emulator)``."""
    port = free_port()
    emulator = testing.start(*args, port=port, log_path=str(tmp_path / ("emulator-%d.log" % port)))
    return emulator.proc, emulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    if os.environ.get("BRIGHTSPACE_TEST_URL"):
        yield Emulator(os.environ["BRIGHTSPACE_TEST_URL"].rstrip("/"), control=False)
        return
    proc, emu = start_emulator(tmp_path_factory.mktemp("emulator"), "--job-duration", "1")
    yield emu
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """An ANSIBLE_COLLECTIONS_PATH holding this checkout as d2l.brightspace; with
    D2L_TEST_COLLECTIONS_PATH, that one instead (the version matrix's smoke sessions install
    the built tarball there)."""
    installed = os.environ.get("D2L_TEST_COLLECTIONS_PATH")
    if installed:
        return Path(installed)
    base = tmp_path_factory.mktemp("collections")
    target = base / "ansible_collections" / "d2l"
    target.mkdir(parents=True)
    (target / "brightspace").symlink_to(ROOT)
    return base


@pytest.fixture
def playbook(emulator, collections_path, tmp_path):
    """Run a playbook on localhost; returns the completed process (stdout has the recap)."""
    return playbook_runner(emulator, collections_path, tmp_path)


def playbook_runner(emulator, collections_path, tmp_path):
    """The ``playbook`` fixture's runner, for fixtures of a wider scope (``tmp_path``: a directory
    of their own, which holds the token cache)."""

    def run(path, extra_vars=None, env=None, args=(), check=False):
        variables = {"brightspace_url": emulator.url, "emulator": emulator.control,
                     "emulator_url": emulator.url}
        variables.update(extra_vars or {})
        full_env = dict(os.environ)
        full_env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_STDOUT_CALLBACK": "default",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            **testing.SHOW_DEPRECATIONS,
            "BRIGHTSPACE_TOKEN_CACHE": str(tmp_path / "cache" / "tokens.json"),
        })
        if emulator.control:
            full_env.setdefault("BRIGHTSPACE_URL", emulator.url)
            full_env["BRIGHTSPACE_URL"] = emulator.url
            full_env.setdefault("BRIGHTSPACE_ACCESS_TOKEN", "demo-token")
        full_env.update(env or {})
        command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   "-e", "ansible_python_interpreter=%s" % sys.executable,
                   "-e", json.dumps(variables), str(path)] + list(args)
        if check:
            command.append("--check")
        proc = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=900, check=False)
        proc.output = proc.stdout + proc.stderr
        # No deprecation of ours on any ansible-core the collection supports (the version matrix
        # runs these playbooks on each): one fails the test that ran the playbook. What this
        # ansible-core prints for a bare playbook and role of its own is not ours.
        core = testing.core_deprecations(command[0], full_env)
        deprecations = testing.collection_deprecations(proc.output, core)
        assert not deprecations, "%s printed deprecation warnings:\n%s" % (path, "\n".join(deprecations))
        return proc

    return run
