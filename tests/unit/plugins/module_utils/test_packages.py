# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""packages.py: the local checks of a file to upload and of a zip package, and every module's
package check built on them (course import, LR publish, ePortfolio import, file artifact)."""

from __future__ import annotations

import io
import os
import socket
import stat
import threading
import zipfile

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.coursejobs import check_course_package
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.artifacts import ArtifactResource
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.routes import check_package
from ansible_collections.d2l.brightspace.plugins.module_utils.lr.routes import check_scorm
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError
from ansible_collections.d2l.brightspace.plugins.module_utils.packages import (
    check_source, check_zip, control_characters, unsafe_member)

MANIFEST = b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>'


def make_zip(path, members):
    with zipfile.ZipFile(str(path), "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return str(path)


def empty_zip_bytes():
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def in_time(call, seconds=5):
    """``call()``'s exception (or None), failing the test if it does not return in time (a FIFO
    opened for reading blocks until a writer comes)."""
    outcome = {}

    def run():
        try:
            call()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            outcome["error"] = exc
        outcome["done"] = True

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome.get("done"), "the check blocked (it opened the file)"
    return outcome.get("error")


# -- check_source --------------------------------------------------------------------------------

def test_a_regular_file_passes(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF")
    assert check_source(str(path)) == str(path)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device", "directory"])
def test_what_is_not_a_regular_file_is_refused_unopened(tmp_path, kind):
    path = str(tmp_path / "thing.zip")
    if kind == "fifo":
        os.mkfifo(path)
        expected = "is a FIFO (named pipe), not a regular file"
    elif kind == "socket":
        path = str(tmp_path / "s.zip")
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)
        expected = "is a socket, not a regular file"
    elif kind == "device":
        path = "/dev/null"
        expected = "is a character device, not a regular file"
    else:
        os.mkdir(path)
        expected = "is a directory; give a package"
    error = in_time(lambda: check_source(path, "src", "a package"))
    assert isinstance(error, ValidationError)
    assert str(error).startswith("src: '%s' " % path) and expected in str(error)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match=r"^src: '.*empty.pdf' is empty; give a file with content$"):
        check_source(str(path))
    assert check_source(str(path), allow_empty=True) == str(path)


@pytest.mark.parametrize("name", ["a\nb.pdf", "tab\there.zip", "nul\x7f.zip", "bell\x07.txt", "c1\x85.txt"])
def test_control_characters_in_the_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(ValidationError) as info:
        check_source(str(path))
    message = str(info.value)
    assert message.startswith("src: the file name of ") and "contains control characters (U+" in message
    assert "\n" not in message and "\t" not in message  # shown escaped: one line


def test_missing_unreadable_and_odd_paths(tmp_path, monkeypatch):
    with pytest.raises(ValidationError, match=r"^src: no such file '.*nope.zip'$"):
        check_source(str(tmp_path / "nope.zip"))
    with pytest.raises(ValidationError, match="^src is required$"):
        check_source("")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"x")
    with pytest.raises(ValidationError, match=r"^src: cannot read '.*plain.txt/inner.zip': Not a directory$"):
        check_source(str(plain / "inner.zip"))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(plain) else real_access(p, mode))
    with pytest.raises(ValidationError, match=r"^src: '.*plain.txt' is not readable$"):
        check_source(str(plain))


def test_control_characters():
    assert control_characters("Портфолио 2026.pdf") == []
    assert control_characters("a\nb\nc\x00") == ["U+000A", "U+0000"]


# -- check_zip -----------------------------------------------------------------------------------

def test_a_zip_gives_its_member_names(tmp_path):
    path = make_zip(tmp_path / "p.zip", [("imsmanifest.xml", MANIFEST), ("res/a.html", b"<p/>")])
    assert check_zip(path) == ["imsmanifest.xml", "res/a.html"]


def test_an_empty_zip(tmp_path):
    path = tmp_path / "empty.zip"
    path.write_bytes(empty_zip_bytes())
    with pytest.raises(ValidationError, match=r"^src: '.*empty.zip' is an empty zip archive"):
        check_zip(str(path))


def test_text_that_merely_ends_in_an_end_of_central_directory(tmp_path):
    path = tmp_path / "notes.zip"
    path.write_bytes(b"These are plain notes, not a package.\n" + empty_zip_bytes())
    assert zipfile.is_zipfile(str(path))  # what the old check relied on
    with pytest.raises(ValidationError, match=r"^src: '.*notes.zip' is not a zip archive \(it does not start"):
        check_zip(str(path))


def test_a_truncated_zip(tmp_path):
    whole = make_zip(tmp_path / "whole.zip", [("imsmanifest.xml", MANIFEST * 50)])
    path = tmp_path / "cut.zip"
    with open(whole, "rb") as handle:
        path.write_bytes(handle.read()[:-30])
    with pytest.raises(ValidationError, match=r"^src: '.*cut.zip' is not a zip archive \(.+\)"):
        check_zip(str(path))


@pytest.mark.parametrize("member, reason", [
    ("../evil.sh", "has a '..' component"),
    ("a/../../evil.sh", "has a '..' component"),
    ("..\\evil.bat", "has a '..' component"),
    ("/etc/cron.d/evil", "has an absolute name"),
    ("\\windows\\evil.dll", "has an absolute name"),
    ("C:\\evil.dll", "has an absolute name"),
])
def test_zip_slip_members(tmp_path, member, reason):
    path = make_zip(tmp_path / "slip.zip", [("imsmanifest.xml", MANIFEST), (member, b"x")])
    with pytest.raises(ValidationError) as info:
        check_zip(path)
    assert str(info.value).startswith("src: '%s' is refused: its member " % path)
    assert reason in str(info.value) and "outside the package's folder" in str(info.value)


def test_a_symbolic_link_member(tmp_path):
    path = str(tmp_path / "link.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        link = zipfile.ZipInfo("res")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc")
    with pytest.raises(ValidationError, match="its member 'res' is a symbolic link"):
        check_zip(path)


@pytest.mark.parametrize("name", ["imsmanifest.xml", "a/b/c.txt", "a..b/c", "..a", "dir/"])
def test_safe_member_names(name):
    assert unsafe_member(name) is None


# -- every module's package check refuses the same classes -------------------------------------

ZIP_CHECKS = {
    "d2l_course_import": check_course_package,
    "d2l_lr_object": check_scorm,
    "d2l_ep_import": check_package,
}


def bad_package(tmp_path, kind):
    path = tmp_path / ("%s.zip" % kind)
    if kind == "empty-zip":
        path.write_bytes(empty_zip_bytes())
    elif kind == "eocd-text":
        path.write_bytes(b"plain text\n" + empty_zip_bytes())
    elif kind == "slip":
        make_zip(path, [("imsmanifest.xml", MANIFEST), ("../../evil", b"x")])
    elif kind == "absolute":
        make_zip(path, [("imsmanifest.xml", MANIFEST), ("/tmp/evil", b"x")])
    elif kind == "fifo":
        os.mkfifo(str(path))
    elif kind == "empty":
        path.write_bytes(b"")
    return str(path)


@pytest.mark.parametrize("module", sorted(ZIP_CHECKS))
@pytest.mark.parametrize("kind, words", [
    ("empty-zip", "empty zip archive"), ("eocd-text", "is not a zip archive"), ("slip", "'..' component"),
    ("absolute", "absolute name"), ("fifo", "FIFO"), ("empty", "is empty")])
def test_each_package_check(tmp_path, module, kind, words):
    path = bad_package(tmp_path, kind)
    error = in_time(lambda: ZIP_CHECKS[module](path))
    assert isinstance(error, ValidationError), error
    assert str(error).startswith("src: ") and words in str(error)


@pytest.mark.parametrize("kind, words", [("fifo", "FIFO"), ("empty", "is empty")])
def test_a_file_artifact_takes_the_file_rules_only(tmp_path, kind, words):
    path = bad_package(tmp_path, kind)
    error = in_time(lambda: ArtifactResource.check_src(path))
    assert isinstance(error, ValidationError) and str(error).startswith("src: ") and words in str(error)
    text = tmp_path / "notes.zip"
    text.write_bytes(b"plain text\n" + empty_zip_bytes())  # not a package: any content is a file
    ArtifactResource.check_src(str(text))
