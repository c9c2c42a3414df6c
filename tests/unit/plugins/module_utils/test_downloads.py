# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""downloads.py: file names from Content-Disposition, atomic writes, retries of a dropped body."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.downloads import (
    check_destination, disposition_filename, download, file_digest)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceConnectionError, BrightspaceError

ROUTE = "/d2l/api/eP/2.5/export/5001/package"
BODY = b"PK\x03\x04" + b"x" * 5000


@pytest.mark.parametrize("header, name", [
    ('attachment; filename="eP_Export_Ada_Lovelace_202611221530.zip"', "eP_Export_Ada_Lovelace_202611221530.zip"),
    ("attachment; filename=plain.zip", "plain.zip"),
    ("attachment; filename*=UTF-8''Caf%C3%A9%20notes.zip", "Café notes.zip"),
    ('attachment; filename="../../etc/passwd"', "passwd"),
    ('attachment; filename="a\\\\b.zip"', "b.zip"),
    ("attachment", None),
    (None, None),
    ('attachment; filename=".."', None),
])
def test_disposition_filename(header, name):
    assert disposition_filename(header) == name


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


def test_a_short_body_counts_as_interrupted(http, make_client, tmp_path):
    dest = tmp_path / "archive.zip"
    for _attempt in range(3):
        http.expect("GET", ROUTE, text="abc", answer_headers={"Content-Length": "10"})
    with pytest.raises(BrightspaceConnectionError, match="the download (ended after 3 of 10 bytes|was interrupted)"):
        download(make_client(), ROUTE, str(dest))
    assert not dest.exists()


def test_check_destination(tmp_path):
    check_destination(str(tmp_path))
    check_destination(str(tmp_path / "new.zip"))
    with pytest.raises(BrightspaceError, match=r"^dest: directory '.*missing' does not exist$"):
        check_destination(str(tmp_path / "missing" / "x.zip"))
    with pytest.raises(BrightspaceError, match="^dest is required$"):
        check_destination("")
