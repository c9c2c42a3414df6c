# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""d2l_lr_download: the exact requests; dest and mode checked before any request."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_lr_download

from d2l_lr_helpers import LR
from d2l_lr_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import run_module


def test_download_unchanged_when_dest_has_the_bytes(http, args, tmp_path):
    dest = tmp_path / "golf.zip"
    dest.write_bytes(b"package bytes")
    http.expect("GET", LR + "/objects/1001/download/", text="package bytes", content_type="application/zip")
    result = run_module(d2l_lr_download.main, args(object_id=1001, dest=str(dest)))
    assert result["changed"] is False and result["sha256"] == hashlib.sha256(b"package bytes").hexdigest()
    http.expect("GET", LR + "/objects/1001/2/downloadfile/", text="new bytes", content_type="text/plain")
    result = run_module(d2l_lr_download.main, args(object_id=1001, version=2, what="file", dest=str(dest)),
                        check_mode=True)
    assert result["changed"] is True and dest.read_bytes() == b"package bytes"


def test_download_replaces_other_bytes_keeping_the_mode(http, args, tmp_path):
    dest = tmp_path / "golf.zip"
    dest.write_bytes(b"old bytes")
    dest.chmod(0o444)
    http.expect("GET", LR + "/objects/1001/download/", text="package bytes", content_type="application/zip")
    result = run_module(d2l_lr_download.main, args(object_id=1001, dest=str(dest)))
    assert result["changed"] is True and result["previous_sha256"] == hashlib.sha256(b"old bytes").hexdigest()
    assert dest.read_bytes() == b"package bytes" and stat.S_IMODE(dest.stat().st_mode) == 0o444
    http.expect("GET", LR + "/objects/1001/download/", text="package bytes", content_type="application/zip")
    result = run_module(d2l_lr_download.main, args(object_id=1001, dest=str(dest), mode="0600"))
    assert result["changed"] is True and stat.S_IMODE(dest.stat().st_mode) == 0o600


@pytest.mark.parametrize("given, message", [
    (dict(mode="rw-r--r--"), "mode must be an octal mode such as '0644'"),
    (dict(mode=0o20000), "mode must be a file mode between 0 and 07777"),
    (dict(dest="/nonexistent-dir-d2l/"), "dest: directory '/nonexistent-dir-d2l/' does not exist"),
])
def test_download_checks_before_any_request(http, args, tmp_path, given, message):
    full = dict(object_id=1001, dest=str(tmp_path / "x.zip"))
    full.update(given)
    result = run_module(d2l_lr_download.main, args(**full))
    assert result["failed"] is True and result["msg"].startswith(message), result


def test_download_refused_by_an_lr_result(http, args, tmp_path):
    http.expect("GET", LR + "/objects/1001/downloadfile/",
                answer={"ExecutionStatus": 2, "ExecutionMessage": "Object 1001 is not an asset"})
    result = run_module(d2l_lr_download.main, args(object_id=1001, what="file", dest=str(tmp_path / "x")))
    assert result["failed"] is True and result["msg"].endswith("Object 1001 is not an asset")
    assert os.listdir(str(tmp_path)) == ["tokens.json"] or os.listdir(str(tmp_path)) == []
