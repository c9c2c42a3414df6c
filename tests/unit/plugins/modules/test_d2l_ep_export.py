# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_ep_export: the exact requests, statuses and failures."""

from __future__ import annotations

import hashlib
import stat

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_ep_export

from d2l_ep_helpers import EP
from d2l_ep_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import run_module

PACKAGE = b"PK-this-is-the-package"
NAME = "eP_Export_Demo_Administrator_202611221530.zip"


def expect_package(http):
    http.expect("GET", EP + "/export/5001/package", text=PACKAGE.decode(), content_type="application/zip",
                answer_headers={"Content-Disposition": 'attachment; filename="%s"' % NAME})


def test_export_ids_wait_and_download_into_a_directory(http, args, tmp_path):
    http.expect("POST", EP + "/export/new", json=[9001, 9002], query={"includeAssociatedItems": "true"}, answer=5001)
    http.expect("GET", EP + "/export/5001/status", answer=0)
    http.expect("GET", EP + "/export/5001/status", answer=4)
    http.expect("GET", EP + "/export/5001/status", answer=2)
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(object_ids=[9001, 9002], include_associated_items=True,
                                                 dest=str(tmp_path)))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["export_id"] == 5001 and result["status"] == 2
    assert [h["status_name"] for h in result["history"]] == ["Queued", "Processing", "Complete"]
    assert result["path"] == str(tmp_path / NAME) and result["size"] == len(PACKAGE)
    assert result["sha256"] == hashlib.sha256(PACKAGE).hexdigest()
    assert (tmp_path / NAME).read_bytes() == PACKAGE


def test_export_all_takes_a_block_with_one_number(http, args, tmp_path):
    http.expect("POST", EP + "/export/new/all", answer={"ExportId": 5001})
    http.expect("GET", EP + "/export/5001/status", answer={"Status": 2})
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "mine.zip")))
    assert result["changed"] is True and result["path"] == str(tmp_path / "mine.zip")


def test_existing_dest_is_left_alone(http, args, tmp_path):
    dest = tmp_path / "mine.zip"
    dest.write_bytes(b"kept")
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(dest)))
    assert result["changed"] is False and result["exported"] is False and result["export_id"] is None
    assert result["sha256"] == hashlib.sha256(b"kept").hexdigest() and dest.read_bytes() == b"kept"


def test_a_package_name_already_in_the_directory_is_reported(http, args, tmp_path):
    (tmp_path / NAME).write_bytes(b"last year's")
    (tmp_path / NAME).chmod(0o600)
    http.expect("POST", EP + "/export/new/all", answer=5001)
    http.expect("GET", EP + "/export/5001/status", answer=2)
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path) + "/"))
    assert result["changed"] is True and result["path"] == str(tmp_path / NAME)
    assert result["previous_sha256"] == hashlib.sha256(b"last year's").hexdigest()
    assert (tmp_path / NAME).read_bytes() == PACKAGE and stat.S_IMODE((tmp_path / NAME).stat().st_mode) == 0o600


def test_mode_of_the_package(http, args, tmp_path):
    http.expect("POST", EP + "/export/new/all", answer=5001)
    http.expect("GET", EP + "/export/5001/status", answer=2)
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "m.zip"), mode="0640"))
    assert not result.get("failed"), result
    assert stat.S_IMODE((tmp_path / "m.zip").stat().st_mode) == 0o640
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "m.zip"), mode=0o600))
    assert result["changed"] is True and result["exported"] is False  # only the mode changed
    assert stat.S_IMODE((tmp_path / "m.zip").stat().st_mode) == 0o600
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "m.zip"), mode="600"))
    assert result["changed"] is False


@pytest.mark.parametrize("given, message", [
    (dict(mode="u=rw"), "mode must be an octal mode such as '0644'"),
    (dict(mode=[6, 4, 4]), "mode must be an octal mode such as '0644'"),
    (dict(dest="/nonexistent-dir-d2l/"), "dest: directory '/nonexistent-dir-d2l/' does not exist (a dest ending in '/'"),
    (dict(dest="/dev/null"), "dest: '/dev/null' exists and is not a regular file or a directory"),
    (dict(dest="/nonexistent-dir-d2l/", export_id=5001), "dest: directory '/nonexistent-dir-d2l/' does not exist"),
])
def test_dest_and_mode_are_checked_before_any_job(http, args, tmp_path, given, message):
    full = dict(all=True, dest=str(tmp_path / "x.zip"))
    full.update(given)
    result = run_module(d2l_ep_export.main, args(**full))
    assert result["failed"] is True and result["msg"].startswith(message), result  # http: no request expected


def test_export_in_check_mode_sends_nothing(http, args, tmp_path):
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "x.zip")), check_mode=True)
    assert result["changed"] is True and result["export_id"] is None


def test_complete_with_errors_warns_and_keeps_the_package(http, args, tmp_path):
    http.expect("POST", EP + "/export/new/all", answer=5001)
    http.expect("GET", EP + "/export/5001/status", answer=3)
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "x.zip")))
    assert result["changed"] is True and result["status"] == 3
    assert "completed with errors" in str(result["warnings"])
    assert (tmp_path / "x.zip").read_bytes() == PACKAGE


def test_aborted_fails_and_writes_nothing(http, args, tmp_path):
    http.expect("POST", EP + "/export/new/all", answer=5001)
    http.expect("GET", EP + "/export/5001/status", answer=1)
    result = run_module(d2l_ep_export.main, args(all=True, dest=str(tmp_path / "x.zip")))
    assert result["failed"] is True and result["msg"] == "ePortfolio job 5001 ended with status Aborted"
    assert result["export_id"] == 5001 and not (tmp_path / "x.zip").exists()


def test_attach_with_export_id_downloads(http, args, tmp_path):
    http.expect("GET", EP + "/export/5001/status", answer=2)
    expect_package(http)
    result = run_module(d2l_ep_export.main, args(export_id=5001, dest=str(tmp_path / "x.zip")))
    assert result["changed"] is True and result["exported"] is True


@pytest.mark.parametrize("given, message", [
    (dict(object_ids=[]), "object_ids must not be empty"),
    (dict(object_ids=[0, 5]), "object_ids must be positive ePortfolio object ids, got [0]"),
    (dict(), "give object_ids, or all=true to export every object you own"),
    (dict(all=True, include_associated_reflections=True),
     "include_associated_reflections is deprecated since ePortfolio API 2.1 and not taken by version 2.5 in use"),
    (dict(all=True, dest="/no/such/dir/x.zip"), "dest: directory '/no/such/dir' does not exist"),
])
def test_export_bad_input_before_any_request(http, args, tmp_path, given, message):
    values = dict(dest=str(tmp_path / "x.zip"))
    values.update(given)
    result = run_module(d2l_ep_export.main, args(**values))
    assert result["failed"] is True and result["msg"].startswith(message)


def test_deprecated_flags_on_an_old_api_version(http, args, tmp_path):
    http.expect("POST", "/d2l/api/eP/2.0/export/new", json=[9001],
                query={"includeAssociatedReflections": "true"}, answer=5001)
    http.expect("GET", "/d2l/api/eP/2.0/export/5001/status", answer=4)
    result = run_module(d2l_ep_export.main, args(object_ids=[9001], include_associated_reflections=True, wait=False,
                                                 dest=str(tmp_path / "x.zip"), api_versions={"eP": "2.0"}))
    assert result["changed"] is True and result["finished"] is False and "path" not in result
