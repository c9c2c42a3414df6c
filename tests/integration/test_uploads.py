# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared client's uploads over real HTTP against the emulator: resumable chunks, a chunk
dropped mid-upload and resumed, and the bytes the service holds at the end."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import BearerAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.client import BrightspaceClient
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceHTTPError
from ansible_collections.d2l.brightspace.plugins.module_utils.uploads import resumable_upload

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "packages")
PACKAGE = os.path.join(FIXTURES, "singlesco_scorm12.zip")


@pytest.fixture
def client(emulator):
    if not emulator.control:
        pytest.skip("needs the emulator's upload store and faults")
    emulator.reset()
    return BrightspaceClient(emulator.url, BearerAuth("demo-token"), retry_budget=10)


def stored_upload(emulator, key):
    uploads = emulator.state()["uploads"]
    items = uploads.values() if isinstance(uploads, dict) else uploads
    return next(u for u in items if u["Key"] == key)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture
def package():
    """The real SCORM package from tests/fixtures/packages."""
    return PACKAGE


def test_resumable_upload_in_chunks(client, emulator, package):
    route = client.route("eP", "artifacts/file/new")
    key = resumable_upload(client, route, package, chunk_size=100 * 1024)
    size = os.path.getsize(package)
    chunks = [r for r in emulator.requests() if r["path"] == "/d2l/upload/" + key]
    assert len(chunks) == -(-size // (100 * 1024))  # ceil: one request per chunk
    assert [r["status"] for r in chunks][-1] == 200
    assert all(r["status"] == 308 for r in chunks[:-1])
    stored = stored_upload(emulator, key)
    assert stored["Complete"] and stored["Received"] == size
    assert sha256(stored["File"]) == sha256(package)  # the emulator runs on this machine


def test_resumable_upload_resumes_after_a_dropped_chunk(client, emulator, package):
    route = client.route("eP", "artifacts/file/new")
    # the second data chunk is dropped without an answer: the client asks what arrived
    # (Content-Range bytes */total) and goes on from there
    emulator.call("POST", "/_emulator/faults", {"method": "POST", "path": "^/d2l/upload/",
                                                "drop": True, "times": 1})
    key = resumable_upload(client, route, package, chunk_size=128 * 1024)
    log = [r for r in emulator.requests() if r["path"] == "/d2l/upload/" + key]
    assert log[0]["status"] == 0  # dropped
    assert log[-1]["status"] == 200
    assert any(r["status"] == 308 and r["method"] == "POST" for r in log[1:-1])  # the */total query
    stored = stored_upload(emulator, key)
    assert stored["Complete"] and stored["Received"] == os.path.getsize(package)
    assert sha256(stored["File"]) == sha256(package)


def test_resumable_upload_error_names_route(client, tmp_path):
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    with pytest.raises(Exception) as info:
        resumable_upload(client, client.route("eP", "artifacts/file/new"), str(empty))
    assert "empty" in str(info.value)


def test_unknown_upload_key_is_404(client):
    with pytest.raises(BrightspaceHTTPError) as info:
        client.request("POST", "/d2l/upload/nosuchkey", headers={"Content-Range": "bytes */10"}, data=b"",
                       expect=(200, 308))
    assert info.value.status == 404
    assert str(info.value).startswith("POST /d2l/upload/nosuchkey failed: 404")
