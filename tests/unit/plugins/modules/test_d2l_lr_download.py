# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_lr_download: the exact requests; dest and mode checked before any request."""

from __future__ import annotations

import hashlib
import stat

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_lr_download

from d2l_lr_helpers import HIT, LR, PROPS, expect_search
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
    assert not (tmp_path / "x.zip").exists()


def test_download_by_repository_and_title_as_d2l_lr_object_finds_it(http, args, tmp_path):
    """The natural key of d2l_lr_object: the search by title, the properties, then the package;
    a second run reads the id remembered beside the token cache (no search)."""
    dest = tmp_path / "golf.zip"
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("GET", LR + "/objects/1001/download/", text="package bytes", content_type="application/zip")
    result = run_module(d2l_lr_download.main, args(repository=1, title="Golf", dest=str(dest)))
    assert result["changed"] is True and result["object_id"] == 1001 and dest.read_bytes() == b"package bytes"
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("GET", LR + "/objects/1001/download/", text="package bytes", content_type="application/zip")
    again = run_module(d2l_lr_download.main, args(repository=1, title="Golf", dest=str(dest)))
    assert again["changed"] is False and again["object_id"] == 1001


def test_download_by_a_title_nothing_has(http, args, tmp_path):
    expect_search(http)
    result = run_module(d2l_lr_download.main, args(repository=1, title="Golf", dest=str(tmp_path / "x.zip")))
    assert result["failed"] is True and result["msg"] == "title: no learning object titled 'Golf' in repository 1"
    assert not (tmp_path / "x.zip").exists()


def test_download_by_a_title_several_share(http, args, tmp_path):
    expect_search(http, HIT, dict(HIT, IdentId=1002))
    result = run_module(d2l_lr_download.main, args(repository=1, title="Golf", dest=str(tmp_path / "x.zip")))
    assert result["failed"] is True
    assert result["msg"] == "2 learning objects in repository 1 are titled 'Golf' (ids 1001, 1002): give object_id"


@pytest.mark.parametrize("given, message", [
    ({"title": "Golf"}, "parameters are required together: repository, title"),
    ({"repository": 1}, "parameters are required together: repository, title"),
    ({"object_id": 1001, "repository": 1, "title": "Golf"}, "parameters are mutually exclusive: object_id|title"),
    ({}, "one of the following is required: object_id, title"),
])
def test_the_key_is_object_id_or_repository_and_title(http, args, tmp_path, given, message):
    result = run_module(d2l_lr_download.main, args(dest=str(tmp_path / "x.zip"), **given))
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert not http.calls
