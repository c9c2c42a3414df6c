# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""downloads.py: file names from Content-Disposition, atomic writes, retries of a dropped body,
modes and owners, stale partial files, the local checks of dest."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import stat
import time
import types

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.downloads import (
    STALE_AFTER, check_destination, disposition_filename, download, file_digest, parse_mode, remove_stale_parts,
    safe_file_name)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceConnectionError, BrightspaceError

ROUTE = "/d2l/api/eP/2.5/export/5001/package"
BODY = b"PK\x03\x04" + b"x" * 5000


@pytest.mark.parametrize("header, name", [
    ('attachment; filename="eP_Export_Ada_Lovelace_202611221530.zip"', "eP_Export_Ada_Lovelace_202611221530.zip"),
    ("attachment; filename=plain.zip", "plain.zip"),
    ("attachment; filename*=UTF-8''Caf%C3%A9%20notes.zip", "Café notes.zip"),
    ("attachment; filename*=utf-8'en'%D0%9F%D0%BE%D1%80%D1%82%D1%84%D0%BE%D0%BB%D0%B8%D0%BE.zip", "Портфолио.zip"),
    ("attachment; filename*=iso-8859-1''caf%E9.zip", "café.zip"),
    ('attachment; filename="fallback.zip"; filename*=UTF-8\'\'pr%C3%A9f%C3%A9r%C3%A9.zip', "préféré.zip"),
    # an unknown charset or bytes that do not decode: filename*= is ignored, filename= counts
    ('attachment; filename*=x-klingon\'\'abc.zip; filename="plain.zip"', "plain.zip"),
    ("attachment; filename*=x-klingon''abc.zip", None),
    ('attachment; filename*=UTF-8\'\'%FF%FE.zip; filename="ok.zip"', "ok.zip"),
    # raw UTF-8 in filename= (requests reads it as Latin-1)
    ('attachment; filename="Caf\u00c3\u00a9.zip"', "Café.zip"),
    ('attachment; filename="../../etc/passwd"', "passwd"),
    ('attachment; filename="a\\\\b.zip"', "b.zip"),
    ('attachment; filename=".bashrc"', "bashrc"),
    ('attachment; filename="...hidden.zip"', "hidden.zip"),
    ("attachment; filename*=UTF-8''a%00b%0Ac%0D%09.zip", "abc.zip"),
    ("attachment; filename*=UTF-8''%E2%80%AEfdp.exe", "fdp.exe"),  # a right-to-left override
    ('attachment; filename=" spaced.zip "', "spaced.zip"),
    ("attachment; xfilename=evil.zip", None),
    ("attachment", None),
    (None, None),
    ('attachment; filename=".."', None),
    ('attachment; filename="..."', None),
    ('attachment; filename="/"', None),
    ("attachment; filename*=UTF-8''%0A%0D", None),
])
def test_disposition_filename(header, name):
    assert disposition_filename(header) == name
    assert disposition_filename(header, "default.zip") == (name or "default.zip")


def test_a_long_name_is_cut_to_255_bytes_keeping_the_extension():
    name = safe_file_name("ж" * 300 + ".zip")
    assert len(name.encode("utf-8")) <= 255 and name.endswith(".zip") and name.startswith("жж")
    assert name == "ж" * 125 + ".zip"  # 2 bytes each: 250 + 4
    assert len(safe_file_name("a" * 400).encode()) == 255
    assert safe_file_name("x." + "e" * 300) == "x." + "e" * 253  # no real extension: the whole name cut


def test_download_into_a_directory_uses_the_service_name(http, make_client, tmp_path):
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"), content_type="application/zip",
                answer_headers={"Content-Disposition": 'attachment; filename="eP_Export_Ada_Lovelace_202611221530.zip"'})
    got = download(make_client(), ROUTE, str(tmp_path))
    path = tmp_path / "eP_Export_Ada_Lovelace_202611221530.zip"
    assert got == {"path": str(path), "file_name": path.name, "size": len(BODY),
                   "sha256": hashlib.sha256(BODY).hexdigest(), "content_type": "application/zip", "changed": True, "previous_sha256": None}
    assert path.read_bytes() == BODY
    assert os.listdir(str(tmp_path)) == [path.name]  # no temporary file left


def test_download_to_a_file_path_replaces_it_whole(http, make_client, tmp_path):
    dest = tmp_path / "archive.zip"
    dest.write_bytes(b"old")
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    got = download(make_client(), ROUTE, str(dest))
    assert got["path"] == str(dest) and dest.read_bytes() == BODY
    assert file_digest(str(dest)) == (len(BODY), hashlib.sha256(BODY).hexdigest())


def test_a_body_dropped_midway_is_fetched_again(http, make_client, tmp_path, monkeypatch):
    dest = tmp_path / "archive.zip"
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    calls = []
    original = requests.Response.iter_content

    def flaky(self, chunk_size=1, decode_unicode=False):
        calls.append(1)
        if len(calls) == 1:
            yield BODY[:100]
            raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
        yield from original(self, chunk_size, decode_unicode)

    monkeypatch.setattr(requests.Response, "iter_content", flaky)
    client = make_client()
    got = download(client, ROUTE, str(dest))
    assert got["size"] == len(BODY) and dest.read_bytes() == BODY
    assert os.listdir(str(tmp_path)) == ["archive.zip"]


def test_an_interrupted_download_leaves_no_file(http, make_client, tmp_path, monkeypatch):
    dest = tmp_path / "archive.zip"
    for _attempt in range(3):
        http.expect("GET", ROUTE, text=BODY.decode("latin-1"))

    def broken(self, chunk_size=1, decode_unicode=False):
        yield BODY[:10]
        raise requests.exceptions.ConnectionError("reset")

    monkeypatch.setattr(requests.Response, "iter_content", broken)
    with pytest.raises(BrightspaceConnectionError) as info:
        download(make_client(), ROUTE, str(dest))
    assert str(info.value).startswith("GET %s failed: the download was interrupted after 10 bytes" % ROUTE)
    assert os.listdir(str(tmp_path)) == []


def _terminated_midway(monkeypatch, seen):
    """iter_content that writes a first block, then receives SIGTERM (as from ``kill``)."""
    def signalled(self, chunk_size=1, decode_unicode=False):  # pylint: disable=unused-argument
        yield BODY[:100]
        seen.extend(os.listdir(os.path.dirname(seen.pop())))  # the partial file exists now
        os.kill(os.getpid(), signal.SIGTERM)
        yield BODY[100:]  # never reached: the handler raises first
        raise AssertionError("SIGTERM did not stop the download")

    monkeypatch.setattr(requests.Response, "iter_content", signalled)


def test_sigterm_mid_download_removes_the_partial_file_and_fails_cleanly(http, make_client, tmp_path, monkeypatch):
    dest = tmp_path / "archive.zip"
    dest.write_bytes(b"the old file")
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    seen = [str(dest)]
    _terminated_midway(monkeypatch, seen)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(BrightspaceError, match=r"^the download was stopped by SIGTERM; no partial file was left$"):
        download(make_client(), ROUTE, str(dest))
    assert [name for name in seen if name.endswith(".part")], seen  # there was one while it ran
    assert os.listdir(str(tmp_path)) == ["archive.zip"] and dest.read_bytes() == b"the old file"
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back


def test_sigterm_mid_download_calls_the_handler_that_was_there(http, make_client, tmp_path, monkeypatch):
    dest = tmp_path / "archive.zip"
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    seen = [str(dest)]
    _terminated_midway(monkeypatch, seen)
    called = []
    frames = []

    def program_handler(signum, frame):
        called.append((signum, os.listdir(str(tmp_path))))  # the clean-up ran before it
        frames.append(frame)

    previous = signal.signal(signal.SIGTERM, program_handler)
    try:
        with pytest.raises(BrightspaceError, match="stopped by SIGTERM"):
            download(make_client(), ROUTE, str(dest))
        assert signal.getsignal(signal.SIGTERM) is program_handler
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert called == [(signal.SIGTERM, [])]
    # the frame the signal interrupted (the body being read, where os.kill ran), as the signal
    # would have given it, not None
    assert len(frames) == 1 and isinstance(frames[0], types.FrameType), frames
    assert frames[0].f_code.co_name == "signalled", frames[0].f_code


def test_the_handler_is_there_only_during_a_transfer():
    before = signal.getsignal(signal.SIGTERM)
    from ansible_collections.d2l.brightspace.plugins.module_utils.downloads import terminate_cleanly
    with terminate_cleanly():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with terminate_cleanly():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN  # an ignored SIGTERM stays ignored
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_short_body_counts_as_interrupted(http, make_client, tmp_path):
    dest = tmp_path / "archive.zip"
    for _attempt in range(3):
        http.expect("GET", ROUTE, text="abc", answer_headers={"Content-Length": "10"})
    with pytest.raises(BrightspaceConnectionError, match="the download (ended after 3 of 10 bytes|was interrupted)"):
        download(make_client(), ROUTE, str(dest))
    assert not dest.exists()


def test_check_destination(tmp_path):
    check_destination(str(tmp_path))
    check_destination(str(tmp_path) + "/")
    check_destination(str(tmp_path / "new.zip"))
    with pytest.raises(BrightspaceError, match=r"^dest: directory '.*missing' does not exist$"):
        check_destination(str(tmp_path / "missing" / "x.zip"))
    with pytest.raises(BrightspaceError, match="^dest is required$"):
        check_destination("")


def test_a_trailing_slash_names_a_directory_that_must_exist(tmp_path):
    with pytest.raises(BrightspaceError, match=r"^dest: directory '.*/nope/' does not exist \(a dest ending in '/' "):
        check_destination(str(tmp_path / "nope") + "/")
    (tmp_path / "file.zip").write_bytes(b"x")
    with pytest.raises(BrightspaceError, match=r"^dest: '.*/file.zip/' is not a directory"):
        check_destination(str(tmp_path / "file.zip") + "/")


def test_dest_must_be_a_regular_file_or_a_directory(tmp_path):
    with pytest.raises(BrightspaceError, match=r"^dest: '/dev/null' exists and is not a regular file or a directory$"):
        check_destination("/dev/null")
    os.mkfifo(str(tmp_path / "pipe"))
    with pytest.raises(BrightspaceError, match="is not a regular file"):
        check_destination(str(tmp_path / "pipe"))
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(BrightspaceError, match=r"^dest: directory '.*/file' is not a directory$"):
        check_destination(str(tmp_path / "file" / "x.zip"))
    with pytest.raises(BrightspaceError, match=r"^dest: cannot use '.*': File name too long$"):
        check_destination(str(tmp_path / ("é" * 128)))


@pytest.mark.parametrize("value, mode", [
    ("0600", 0o600), ("600", 0o600), ("0o640", 0o640), ("0444", 0o444), (" 0755 ", 0o755), ("4755", 0o4755),
    (0o600, 0o600), (420, 0o644), (None, None)])
def test_parse_mode(value, mode):
    assert parse_mode(value) == mode


@pytest.mark.parametrize("value", ["u=rw,g=r", "0800", "rw-r--r--", "", "07777x", "012345", True, -1, 0o10000,
                                   [6, 0, 0], {"a": 1}, 6.5])
def test_parse_mode_refuses(value):
    with pytest.raises(BrightspaceError, match=r"^mode must be "):
        parse_mode(value)


# -- modes, owners and what a replaced file was ---------------------------------------------------

def _umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_a_new_file_gets_0666_less_the_umask(http, make_client, tmp_path):
    http.expect("GET", ROUTE, text="new")
    dest = tmp_path / "new.zip"
    download(make_client(), ROUTE, str(dest))
    assert stat.S_IMODE(dest.stat().st_mode) == 0o666 & ~_umask()


@pytest.mark.parametrize("old_mode", [0o600, 0o444, 0o640])
def test_a_replaced_file_keeps_its_mode_and_owner(http, make_client, tmp_path, old_mode):
    dest = tmp_path / "kept.zip"
    dest.write_bytes(b"old bytes")
    os.chown(str(dest), 1234, 5678)  # the tests run as root: any owner
    dest.chmod(old_mode)
    http.expect("GET", ROUTE, text="new bytes")
    got = download(make_client(), ROUTE, str(dest))
    info = dest.stat()
    assert dest.read_bytes() == b"new bytes"
    assert stat.S_IMODE(info.st_mode) == old_mode and (info.st_uid, info.st_gid) == (1234, 5678)
    assert got["changed"] and got["previous_sha256"] == hashlib.sha256(b"old bytes").hexdigest()


def test_mode_sets_the_mode_of_a_new_or_replaced_file(http, make_client, tmp_path):
    dest = tmp_path / "m.zip"
    http.expect("GET", ROUTE, text="one")
    download(make_client(), ROUTE, str(dest), mode=0o600)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    http.expect("GET", ROUTE, text="two")
    download(make_client(), ROUTE, str(dest), mode=0o640)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640 and dest.read_bytes() == b"two"


def test_same_bytes_are_left_alone_unless_the_mode_differs(http, make_client, tmp_path):
    dest = tmp_path / "same.zip"
    dest.write_bytes(b"same")
    dest.chmod(0o644)
    inode = dest.stat().st_ino
    http.expect("GET", ROUTE, text="same")
    got = download(make_client(), ROUTE, str(dest))
    assert not got["changed"] and got["previous_sha256"] == got["sha256"] and dest.stat().st_ino == inode
    http.expect("GET", ROUTE, text="same")
    got = download(make_client(), ROUTE, str(dest), mode="0600", replace=False)  # check mode: would change
    assert got["changed"] and stat.S_IMODE(dest.stat().st_mode) == 0o644
    http.expect("GET", ROUTE, text="same")
    got = download(make_client(), ROUTE, str(dest), mode=0o600)
    assert got["changed"] and stat.S_IMODE(dest.stat().st_mode) == 0o600 and dest.stat().st_ino == inode


def test_a_name_in_a_directory_that_exists_is_reported(http, make_client, tmp_path):
    disposition = {"Content-Disposition": 'attachment; filename="report.zip"'}
    (tmp_path / "report.zip").write_bytes(b"older")
    http.expect("GET", ROUTE, text="newer", answer_headers=disposition)
    got = download(make_client(), ROUTE, str(tmp_path) + "/")
    assert got["changed"] and got["previous_sha256"] == hashlib.sha256(b"older").hexdigest()
    http.expect("GET", ROUTE, text="newer", answer_headers=disposition)
    got = download(make_client(), ROUTE, str(tmp_path))
    assert not got["changed"] and got["previous_sha256"] == got["sha256"]
    assert sorted(os.listdir(str(tmp_path))) == ["report.zip"]


def test_a_hostile_service_name_stays_in_the_directory(http, make_client, tmp_path):
    http.expect("GET", ROUTE, text="x", answer_headers={
        "Content-Disposition": "attachment; filename*=UTF-8''..%2F..%2F.%0Aprofile"})
    got = download(make_client(), ROUTE, str(tmp_path), default_name="default.zip")
    assert got["path"] == str(tmp_path / "profile") and os.listdir(str(tmp_path)) == ["profile"]


def test_a_service_name_that_is_a_directory_there_fails_cleanly(http, make_client, tmp_path):
    (tmp_path / "taken.zip").mkdir()
    http.expect("GET", ROUTE, text="x", answer_headers={"Content-Disposition": 'attachment; filename="taken.zip"'})
    with pytest.raises(BrightspaceError, match=r"^dest: '.*taken.zip' \(the name GET .* gave\) exists and is not a "
                                               r"regular file; nothing was written$"):
        download(make_client(), ROUTE, str(tmp_path))
    assert os.listdir(str(tmp_path)) == ["taken.zip"]


def test_a_long_dest_name_gets_a_short_temporary_name(http, make_client, tmp_path):
    dest = tmp_path / ("n" * 250 + ".zip")
    http.expect("GET", ROUTE, text="x")
    download(make_client(), ROUTE, str(dest))
    assert dest.read_bytes() == b"x" and os.listdir(str(tmp_path)) == [dest.name]


def test_a_write_error_is_a_clean_failure(http, make_client, tmp_path, monkeypatch):
    http.expect("GET", ROUTE, text="x")

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(BrightspaceError, match=r"^dest: cannot write '.*full.zip': No space left on device$"):
        download(make_client(), ROUTE, str(tmp_path / "full.zip"))
    assert os.listdir(str(tmp_path)) == []


# -- stale partial files ---------------------------------------------------------------------------

def _part(directory, name, age):
    path = directory / name
    path.write_bytes(b"partial")
    when = time.time() - age
    os.utime(str(path), (when, when))
    return path


def test_stale_partial_files_are_removed_and_others_kept(tmp_path):
    old = _part(tmp_path, ".report.zip.a1b2c3d_.part", STALE_AFTER + 60)
    young = _part(tmp_path, ".report.zip.zzzzzzzz.part", 30)
    foreign = [_part(tmp_path, name, STALE_AFTER + 60) for name in (
        "report.zip.a1b2c3d4.part", ".report.zip.abc.part", ".report.zip.ABCDEFGH.part", ".x.a1b2c3d4.partial",
        "notes.txt")]
    other_owner = _part(tmp_path, ".theirs.zip.a1b2c3d4.part", STALE_AFTER + 60)
    os.chown(str(other_owner), 4321, 4321)
    os.symlink("/etc/hosts", str(tmp_path / ".link.zip.a1b2c3d4.part"))
    locked = _part(tmp_path, ".live.zip.k1k2k3k4.part", STALE_AFTER + 60)  # a slow run still writing
    with open(str(locked), "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        assert remove_stale_parts(str(tmp_path)) == [old.name]
    assert not old.exists()
    assert young.exists() and locked.exists() and other_owner.exists() and all(p.exists() for p in foreign)
    assert os.path.islink(str(tmp_path / ".link.zip.a1b2c3d4.part"))
    assert remove_stale_parts(str(tmp_path)) == [locked.name]  # its run ended (the lock went with it)


def test_a_download_removes_stale_partial_files_of_its_directory(http, make_client, tmp_path):
    stale = _part(tmp_path, ".eP_Export_5001.zip.q9w8e7r6.part", STALE_AFTER + 1)
    http.expect("GET", ROUTE, text="x")
    download(make_client(), ROUTE, str(tmp_path / "archive.zip"))
    assert sorted(os.listdir(str(tmp_path))) == ["archive.zip"] and not stale.exists()


def test_check_mode_removes_nothing(http, make_client, tmp_path):
    stale = _part(tmp_path, ".a.zip.q9w8e7r6.part", STALE_AFTER + 1)
    http.expect("GET", ROUTE, text="x")
    download(make_client(), ROUTE, str(tmp_path / "a.zip"), replace=False)
    assert os.listdir(str(tmp_path)) == [stale.name]


def test_the_partial_file_is_locked_while_it_is_written(http, make_client, tmp_path, monkeypatch):
    http.expect("GET", ROUTE, text=BODY.decode("latin-1"))
    seen = []
    original = requests.Response.iter_content

    def watching(self, chunk_size=1, decode_unicode=False):
        for chunk in original(self, chunk_size, decode_unicode):
            parts = [n for n in os.listdir(str(tmp_path)) if n.endswith(".part")]
            with open(str(tmp_path / parts[0]), "rb") as other:
                try:
                    fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    seen.append("unlocked")
                except OSError:
                    seen.append("locked")
            yield chunk

    monkeypatch.setattr(requests.Response, "iter_content", watching)
    download(make_client(), ROUTE, str(tmp_path / "locked.zip"))
    assert seen and set(seen) == {"locked"}
