# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A download stopped by a signal leaves no partial file, and a later run removes stale ones.

A real ``ansible-playbook`` runs ``d2l_lr_download`` against the emulator while the emulator
stalls the package's body after its first kilobyte (the ``stall_response_after_bytes`` fault),
so the module's hidden ``.part`` file exists when the signal arrives. SIGTERM is sent three
ways: to the module's own process, to ``ansible-playbook`` alone, and to its whole process
group (as a terminal or a job scheduler does); SIGINT to the group as Ctrl-C does. Each time
the directory must end with nothing but the file that was there before, unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import BIN

PACKAGES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "packages")
PACKAGE = os.path.abspath(os.path.join(PACKAGES, "singlesco_scorm12.zip"))
# the module's process is found, and watched until it is gone, through /proc (Linux's procfs)
NEEDS_PROC = pytest.mark.skipif(not os.path.isdir("/proc/self"),
                                reason="finds and watches the module's process through /proc (procfs), "
                                       "which this system does not have")

SETUP = """
- hosts: localhost
  gather_facts: false
  tasks:
    - d2l.brightspace.d2l_lr_object:
        brightspace_url: "{{ brightspace_url }}"
        repository: 1
        title: IT Interrupted download
        src: "%s"
      register: made
    - ansible.builtin.copy:
        content: "{{ made.object.id }}"
        dest: "{{ out }}"
        mode: "0600"
""" % PACKAGE

DOWNLOAD = """
- hosts: localhost
  gather_facts: false
  tasks:
    - d2l.brightspace.d2l_lr_download:
        brightspace_url: "{{ brightspace_url }}"
        object_id: "{{ object_id }}"
        dest: "{{ dest }}"
"""


@pytest.fixture(scope="module")
def lr_object(emulator, collections_path, tmp_path_factory):
    from conftest import playbook_runner
    base = tmp_path_factory.mktemp("interrupted")
    run = playbook_runner(emulator, collections_path, base)
    (base / "setup.yml").write_text(SETUP)
    out = base / "object-id"
    proc = run(base / "setup.yml", {"out": str(out)})
    assert proc.returncode == 0, proc.output
    return {"id": int(out.read_text()), "run": run, "base": base}


def _env(emulator, tmp_path, collections_path):
    env = dict(os.environ)
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(collections_path), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_LOCALHOST_WARNING": "0",
                "BRIGHTSPACE_TOKEN_CACHE": str(tmp_path / "cache" / "tokens.json")})
    if emulator.control:
        env["BRIGHTSPACE_URL"] = emulator.url
        env.setdefault("BRIGHTSPACE_ACCESS_TOKEN", "demo-token")
    return env


def _descendants(root):
    """The live processes below ``root`` (children, grandchildren, ...): ``{pid: command line}``."""
    parents, commands = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                commands[int(entry)] = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found, frontier = {}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in found}
        found.update((pid, commands.get(pid, "")) for pid in frontier)
    return found


def _module_pids(root):
    """The Python processes below ``root`` running the d2l_lr_download module (AnsiballZ)."""
    return [pid for pid, command in _descendants(root).items()
            if "AnsiballZ_d2l_lr_download" in command and not command.startswith("/bin/sh")]


def _parts(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".part"))


def _sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals")
@NEEDS_PROC
@pytest.mark.parametrize("target, signum", [
    ("module", signal.SIGTERM),
    ("ansible-playbook", signal.SIGTERM),
    ("group", signal.SIGTERM),
    ("group", signal.SIGINT),
])
def test_a_signal_mid_download_leaves_no_partial_file(emulator, collections_path, lr_object, tmp_path,
                                                      target, signum):
    if not emulator.control:
        pytest.skip("needs the emulator's fault rules")
    directory = tmp_path / "dl"
    directory.mkdir()
    dest = directory / "package.zip"
    dest.write_bytes(b"the file that was here before\n")
    os.chmod(dest, 0o600)
    before = _sha256(dest)
    route = r"^/d2l/api/lr/[^/]+/objects/%d/download/$" % lr_object["id"]
    emulator.call("POST", "/_emulator/faults", {"method": "GET", "path": route, "stall_response_after_bytes": 1024,
                                                "stall": 60})
    (tmp_path / "download.yml").write_text(DOWNLOAD)
    variables = {"brightspace_url": emulator.url, "object_id": lr_object["id"], "dest": str(dest)}
    command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
               "-e", "ansible_python_interpreter=%s" % sys.executable, "-e", json.dumps(variables),
               str(tmp_path / "download.yml")]
    proc = subprocess.Popen(command, env=_env(emulator, tmp_path, collections_path),  # pylint: disable=consider-using-with
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _parts(directory):
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.05)
        partial = _parts(directory)
        modules = _module_pids(proc.pid)
        assert modules, "the module's process was not found: %s" % _descendants(proc.pid)
        if target == "module":
            for pid in modules:
                os.kill(pid, signum)
        elif target == "ansible-playbook":
            proc.send_signal(signum)
        else:
            os.killpg(proc.pid, signum)
        output = proc.communicate(timeout=45)[0].decode(errors="replace")
        # the module runs in a session of its own: judge the directory once it is gone too
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in modules):
            assert time.monotonic() < deadline, "the module outlived the run by 30 s"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        emulator.call("DELETE", "/_emulator/faults")
    assert partial, "no partial file was seen"
    assert proc.returncode != 0, output  # the stall was 60 s: the signal ended the run
    assert sorted(os.listdir(directory)) == ["package.zip"], (os.listdir(directory), output)
    assert _sha256(dest) == before
    assert oct(os.stat(dest).st_mode & 0o777) == oct(0o600)
    assert "Traceback" not in output, output
    if target == "module":  # the task itself reports what happened
        assert "the download was stopped by SIGTERM; no partial file was left" in output, output


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_later_run_removes_a_stale_partial_file_of_a_killed_run(emulator, collections_path, lr_object, tmp_path):
    """SIGKILL cannot be caught: the partial file it leaves is removed by the next download into
    that directory once it is stale (15 minutes untouched, no lock held); a fresh one is kept."""
    directory = tmp_path / "dl"
    directory.mkdir()
    stale = directory / ".package.zip.k3j9x_q2.part"
    stale.write_bytes(b"PK\x03\x04 half a zip")
    old = time.time() - 16 * 60
    os.utime(stale, (old, old))
    fresh = directory / ".other.zip.abcdefgh.part"
    fresh.write_bytes(b"PK\x03\x04 a live run's file")
    foreign = directory / ".notes.txt.swp"
    foreign.write_bytes(b"not ours")
    os.utime(foreign, (old, old))
    (tmp_path / "download.yml").write_text(DOWNLOAD)
    proc = lr_object["run"](tmp_path / "download.yml", {"object_id": lr_object["id"],
                                                        "dest": str(directory / "package.zip")})
    assert proc.returncode == 0, proc.output
    assert sorted(os.listdir(directory)) == [".notes.txt.swp", ".other.zip.abcdefgh.part", "package.zip"]
    assert _sha256(directory / "package.zip") == _sha256(PACKAGE)
