# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile files and packages, through every module that sends one, against the emulator.

Each of d2l_course_import, d2l_lr_object, d2l_ep_import (packages) and d2l_artifact (a file)
is run in-process, as ``ansible-playbook`` runs it, with a ``src`` that must be refused
locally: a zip with members that would land outside the folder they are unpacked into (zip
slip: ``..``, absolute names, drive letters, symbolic links; hypothesis generates the names),
an empty zip, text that merely ends in a zip record, a truncated zip, a FIFO (reading it would
block), a device, a directory, an empty file, a name with a control character. Every one must
fail naming ``src``, within seconds, with no request at all in the emulator's log. A file named
outside Latin-1 then goes up whole through the resumable upload, its name intact.
"""

from __future__ import annotations

import io
import os
import stat
import threading
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bad_input_helpers import RequestLog, in_process_runner

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "packages")
SCORM = os.path.abspath(os.path.join(FIXTURES, "singlesco_scorm12.zip"))
MANIFEST = b'<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>'
PACKAGE_MODULES = {
    "d2l_course_import": {"target": "HOSTILE-CRS", "wait": False},
    "d2l_lr_object": {"repository": 1, "title": "IT Hostile package"},
    "d2l_ep_import": {"wait": False},
}
FILE_MODULES = {"d2l_artifact": {"kind": "file", "name": "IT Hostile file"}}
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def make_zip(path, members, symlink=None):
    with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink[0])
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, symlink[1])
    return str(path)


def empty_zip_bytes():
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def hostile(directory, kind):
    """A ``src`` of ``kind`` in ``directory``, and the words the refusal must hold."""
    path = directory / ("%s.zip" % kind)
    if kind == "empty-zip":
        path.write_bytes(empty_zip_bytes())
        return str(path), "empty zip"
    if kind == "eocd-text":
        path.write_bytes(b"just some text\n" * 40 + empty_zip_bytes())
        return str(path), "not a zip"
    if kind == "truncated":
        data = open(make_zip(directory / "whole.zip", [("imsmanifest.xml", MANIFEST), ("a.txt", b"x" * 5000)]),
                    "rb").read()
        path.write_bytes(data[:len(data) // 2])
        return str(path), "zip"
    if kind == "slip":
        return make_zip(path, [("imsmanifest.xml", MANIFEST), ("../../etc/cron.d/evil", b"x")]), "'..'"
    if kind == "absolute":
        return make_zip(path, [("imsmanifest.xml", MANIFEST), ("/etc/passwd", b"x")]), "absolute"
    if kind == "symlink":
        return make_zip(path, [("imsmanifest.xml", MANIFEST)], symlink=("link", "/etc/passwd")), "symbolic link"
    return hostile_file(directory, kind)


def hostile_file(directory, kind):
    path = directory / ("%s.bin" % kind)
    if kind == "fifo":
        os.mkfifo(str(path))
        return str(path), "FIFO"
    if kind == "device":
        return "/dev/zero", "device"
    if kind == "directory":
        path.mkdir()
        return str(path), "directory"
    if kind == "empty":
        path.write_bytes(b"")
        return str(path), "empty"
    if kind == "control-character":
        path = directory / "two\nlines.zip"
        make_zip(path, [("imsmanifest.xml", MANIFEST)])
        return str(path), "control character"
    raise AssertionError(kind)


def in_time(action, seconds=20):
    """``action()``'s result; fails the test (instead of hanging) if it blocks."""
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", action()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the module blocked for %d s" % seconds
    return box["result"]


@pytest.fixture(scope="module")
def world(emulator, tmp_path_factory):
    run_module = in_process_runner(emulator, tmp_path_factory, "hostile")

    def run(name, args, check_mode=False):
        return in_time(lambda: run_module(name, args, check_mode=check_mode))

    for name, args in (("d2l_course_template", {"code": "HOSTILE-TPL", "name": "Hostile template"}),
                       ("d2l_course", {"code": "HOSTILE-CRS", "name": "Hostile target", "template": "HOSTILE-TPL"})):
        result = run(name, args)
        assert not result.get("failed") and "exception" not in result, result
    world = {"run": run, "log": RequestLog(emulator), "emulator": emulator}
    yield world


def refused(world, name, args, words):
    world["log"].take()
    result = world["run"](name, args)
    sent = world["log"].take()
    assert result.get("failed"), result
    assert "exception" not in result, result
    msg = result["msg"]
    assert msg.startswith("src: ") and words.lower() in msg.lower(), msg
    assert "Traceback" not in msg and "unexpected error" not in msg, msg
    assert sent == [], [(r["method"], r["path"]) for r in sent]


@pytest.mark.parametrize("name", sorted(PACKAGE_MODULES))
@pytest.mark.parametrize("kind", ["empty-zip", "eocd-text", "truncated", "slip", "absolute", "symlink", "fifo",
                                  "device", "directory", "empty", "control-character"])
def test_a_hostile_package_is_refused_locally(world, tmp_path, name, kind):
    src, words = hostile(tmp_path, kind)
    refused(world, name, dict(PACKAGE_MODULES[name], src=src), words)


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "empty", "control-character"])
def test_a_hostile_file_is_refused_locally(world, tmp_path, kind):
    src, words = hostile_file(tmp_path, kind)
    refused(world, "d2l_artifact", dict(FILE_MODULES["d2l_artifact"], src=src), words)


SEGMENT = st.text(alphabet="abcXYZ09_-.é中 ", min_size=1, max_size=8).filter(lambda s: s.strip(". ") == s and s)
ESCAPING = st.one_of(
    st.builds(lambda before, after: "/".join(before + [".."] + after),
              st.lists(SEGMENT, max_size=2), st.lists(SEGMENT, min_size=1, max_size=3)),
    st.builds(lambda rest: "/" + "/".join(rest), st.lists(SEGMENT, min_size=1, max_size=3)),
    st.builds(lambda drive, rest: drive + ":/" + "/".join(rest), st.sampled_from("CDz"),
              st.lists(SEGMENT, min_size=1, max_size=2)),
    st.builds(lambda before, after: "\\".join(before + [".."] + after),
              st.lists(SEGMENT, max_size=2), st.lists(SEGMENT, min_size=1, max_size=2)),
)


@pytest.mark.parametrize("name", sorted(PACKAGE_MODULES))
def test_any_escaping_member_name_is_refused(world, tmp_path_factory, name):
    @SETTINGS
    @given(member=ESCAPING)
    def check(member):
        path = make_zip(tmp_path_factory.mktemp("slip") / "slip.zip", [("imsmanifest.xml", MANIFEST), (member, b"x")])
        refused(world, name, dict(PACKAGE_MODULES[name], src=path), "")

    check()  # pylint: disable=no-value-for-parameter


def test_a_name_outside_latin1_goes_up_whole(world, tmp_path):
    """A resumable upload of ``Портфолио 2026.pdf`` (once an UnicodeEncodeError): the artifact
    holds the file with its name, and the second run changes nothing."""
    src = tmp_path / "Портфолио 2026.pdf"
    src.write_bytes(b"%PDF-1.4\n" + os.urandom(4096))
    args = dict(FILE_MODULES["d2l_artifact"], name="IT Портфолио", src=str(src), upload="resumable")
    world["log"].take()
    first = world["run"]("d2l_artifact", args)
    assert first.get("changed") and not first.get("failed"), first
    sent = world["log"].take()
    starts = [r for r in sent if r["method"] == "POST" and "upload" in r["path"].lower()]
    assert starts, [(r["method"], r["path"]) for r in sent]
    again = world["run"]("d2l_artifact", args)
    assert again.get("changed") is False and not again.get("failed"), again
    assert [r for r in world["log"].take() if r["method"] not in ("GET", "HEAD")] == []
    state = world["emulator"].state()
    assert "Портфолио 2026.pdf" in str(state), "the name did not arrive intact"
    world["run"]("d2l_artifact", dict(args, state="absent"))
