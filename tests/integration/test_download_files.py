# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a download does to the file it writes, over real HTTP (modules run in-process).

A replaced ``dest`` keeps its mode (0600 and 0444 stay so, never widened to 0644); ``mode``
sets it; the same bytes with another mode change only the mode; a file the service names into
a directory that already holds that name is reported as replaced with its old checksum; and
every local check of ``dest`` comes before any request, so ``d2l_ep_export`` never starts an
export job it could not save.
"""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from bad_input_helpers import RequestLog, in_process_runner

SCORM = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "fixtures", "packages",
                                     "singlesco_scorm12.zip"))


def sha256(path):
    with open(str(path), "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


@pytest.fixture(scope="module")
def world(emulator, tmp_path_factory):
    run_module = in_process_runner(emulator, tmp_path_factory, "download-files")

    def run(name, args, check_mode=False):
        result = run_module(name, args, check_mode=check_mode)
        assert "exception" not in result, result["exception"]
        return result

    made = run("d2l_lr_object", {"repository": 1, "title": "IT Download modes", "src": SCORM})
    assert not made.get("failed"), made
    return {"run": run, "log": RequestLog(emulator), "object_id": made["object"]["id"]}


@pytest.mark.parametrize("old_mode", [0o600, 0o444, 0o640])
def test_a_replaced_file_keeps_its_mode(world, tmp_path, old_mode):
    dest = tmp_path / "package.zip"
    dest.write_bytes(b"older bytes")
    old = sha256(dest)
    os.chmod(str(dest), old_mode)
    got = world["run"]("d2l_lr_download", {"object_id": world["object_id"], "dest": str(dest)})
    assert got["changed"] is True and got["previous_sha256"] == old, got
    assert sha256(dest) == sha256(SCORM) == got["sha256"]
    assert oct(mode_of(dest)) == oct(old_mode)
    assert os.listdir(str(tmp_path)) == ["package.zip"]


def test_mode_sets_it_and_same_bytes_change_only_the_mode(world, tmp_path):
    dest = tmp_path / "package.zip"
    args = {"object_id": world["object_id"], "dest": str(dest), "mode": "0640"}
    first = world["run"]("d2l_lr_download", args)
    assert first["changed"] is True and first["previous_sha256"] is None and oct(mode_of(dest)) == oct(0o640)
    again = world["run"]("d2l_lr_download", args)
    assert again["changed"] is False and oct(mode_of(dest)) == oct(0o640), again
    os.chmod(str(dest), 0o600)
    inode = os.stat(str(dest)).st_ino
    world["log"].take()
    preview = world["run"]("d2l_lr_download", dict(args, mode=0o644), check_mode=True)
    assert preview["changed"] is True and oct(mode_of(dest)) == oct(0o600)  # check mode: nothing done
    assert [r for r in world["log"].take() if r["method"] not in ("GET", "HEAD")] == []
    fixed = world["run"]("d2l_lr_download", dict(args, mode=0o644))
    assert fixed["changed"] is True and oct(mode_of(dest)) == oct(0o644)
    assert os.stat(str(dest)).st_ino == inode  # the bytes were already there: only the mode changed


def test_a_name_already_in_the_directory_is_reported_replaced(world, tmp_path):
    first = world["run"]("d2l_lr_download", {"object_id": world["object_id"], "dest": str(tmp_path)})
    assert first["changed"] is True, first
    path = first["path"]
    assert os.path.dirname(path) == str(tmp_path) and not os.path.basename(path).startswith(".")
    with open(path, "wb") as handle:
        handle.write(b"someone else's bytes")
    old = sha256(path)
    second = world["run"]("d2l_lr_download", {"object_id": world["object_id"], "dest": str(tmp_path) + "/"})
    assert second["changed"] is True and second["path"] == path and second["previous_sha256"] == old, second
    assert sha256(path) == sha256(SCORM)


@pytest.mark.parametrize("module, args", [
    ("d2l_ep_export", {"all": True}),
    ("d2l_lr_download", {"object_id": 1001}),
])
@pytest.mark.parametrize("dest, mode, words", [
    ("missing-dir/", None, "does not exist"),
    ("missing-dir/file.zip", None, "does not exist"),
    ("a-file.txt/", None, "is not a directory"),
    ("ok.zip", "u=rw", "mode must be an octal mode"),
    ("ok.zip", "0999", "mode must be an octal mode"),
])
def test_dest_and_mode_are_checked_before_any_request(world, tmp_path, module, args, dest, mode, words):
    (tmp_path / "a-file.txt").write_text("x")
    given = dict(args, dest=os.path.join(str(tmp_path), dest))  # (a Path would drop the trailing slash)
    if mode is not None:
        given["mode"] = mode
    world["log"].take()
    result = world["run"](module, given)
    assert result.get("failed") and words in result["msg"], result
    assert result["msg"].startswith(("dest", "mode")), result["msg"]
    assert world["log"].take() == []  # no export job was started, no request at all
