# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_ep_import: the exact requests, statuses and failures."""

from __future__ import annotations

import zipfile

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_ep_import

from d2l_ep_helpers import EP
from d2l_ep_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import multipart_part, run_module


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("manifest.xml", "<manifest/>")
    return str(path)


def test_import_into_the_caller(http, args, package):
    with open(package, "rb") as handle:
        content = handle.read()
    http.expect("POST", EP + "/import/new", extra_match=[multipart_part("file", "package.zip", content,
                                                                        "application/zip")], answer=[7001])
    http.expect("GET", EP + "/import/7001/status", answer=4)
    http.expect("GET", EP + "/import/7001/status", answer=2)
    result = run_module(d2l_ep_import.main, args(src=package))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["successful_job_ids"] == [7001]
    assert result["jobs"][0]["status_name"] == "Complete" and result["jobs"][0]["readable"] is True


def test_import_for_other_users_reports_unreadable_jobs(http, args, package):
    def user_parts(request):
        body = request.body if isinstance(request.body, bytes) else request.body.read()
        parts = body.split(b'name="targetUsers"')
        ok = len(parts) == 3 and all(part.startswith(b"\r\nContent-Type: text/plain\r\n\r\n") for part in parts[1:]) \
            and b"\r\n\r\n102\r\n" in body and b"\r\n\r\n103\r\n" in body
        return ok, "targetUsers parts (text/plain, as D2L's library sends them)"
    http.expect("POST", EP + "/import/newwithdetails", extra_match=[user_parts],
                answer={"ImportJobResultType": "PartialSuccess", "SuccessfulJobIds": [7002],
                        "FailedUserIds": [103], "ErrorMessages": ["User 103 not found"]})
    http.expect("GET", EP + "/import/7002/status", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission"},
                content_type="application/problem+json")
    # whose job: the caller is 3, the job's user 102 (another user: the 403 the page describes)
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", answer={"Identifier": "3"})
    result = run_module(d2l_ep_import.main, args(src=package, target_users=[102, 103], details=True))
    assert result["failed"] is True
    assert result["msg"] == "the import could not start for user(s) 103: User 103 not found"
    assert result["jobs"] == [{"job_id": 7002, "user_id": 102, "readable": False, "status": None, "status_name": None,
                               "finished": False, "message": "the job belongs to user 102: read its status in that "
                                                             "user's context"}]
    http.expect("POST", EP + "/import/newwithdetails",
                answer={"ImportJobResultType": "PartialSuccess", "SuccessfulJobIds": [7003],
                        "FailedUserIds": [103], "ErrorMessages": ["User 103 not found"]})
    http.expect("GET", EP + "/import/7003/status", status=403, answer={"title": "Forbidden"})
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", answer={"Identifier": "3"})
    partial = run_module(d2l_ep_import.main, args(src=package, target_users=[102, 103], details=True,
                                                  allow_partial=True))
    assert partial["changed"] is True and partial.get("failed") is not True
    assert "User 103 not found" in str(partial["warnings"])


def test_import_aborted_fails(http, args, package):
    http.expect("POST", EP + "/import/new", answer=[7004])
    http.expect("GET", EP + "/import/7004/status", answer=1)
    result = run_module(d2l_ep_import.main, args(src=package))
    assert result["failed"] is True and result["msg"] == "ePortfolio job 7004 ended with status Aborted"


def test_import_start_lost_to_a_502_is_not_resent(http, args, package):
    http.expect("POST", EP + "/import/new", status=502, answer={"title": "Bad Gateway"})
    result = run_module(d2l_ep_import.main, args(src=package))
    assert result["failed"] is True
    assert result["msg"].startswith("POST %s/import/new failed: 502" % EP)
    assert "may have been queued" in result["msg"] and "not started again" in result["msg"]
    assert result["changed"] is True  # a change may have happened
    assert len(http.calls) == 1  # sent once


def test_import_check_mode_and_bad_packages(http, args, package, tmp_path):
    assert run_module(d2l_ep_import.main, args(src=package), check_mode=True)["changed"] is True
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    result = run_module(d2l_ep_import.main, args(src=str(text)))
    assert result["failed"] is True and "is not a zip archive" in result["msg"]
    result = run_module(d2l_ep_import.main, args(src=str(tmp_path / "missing.zip")))
    assert result["failed"] is True and result["msg"].startswith("src: no such file")
    result = run_module(d2l_ep_import.main, args(src=package, target_users=[]))
    assert result["failed"] is True and result["msg"].startswith("target_users must not be empty")


def test_a_403_on_the_callers_own_import_job_fails_naming_the_permission(http, args, package):
    """The caller's own job (no target users): a 403 on its status is the caller's role lacking
    the permission to see import tasks, not another user's job."""
    http.expect("POST", EP + "/import/new", answer=[7005])
    http.expect("GET", EP + "/import/7005/status", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission to see status"},
                content_type="application/problem+json")
    result = run_module(d2l_ep_import.main, args(src=package))
    assert result["failed"] is True
    assert result["msg"].startswith("GET /d2l/api/eP/2.5/import/7005/status failed: 403 Forbidden: No permission")
    assert "(this needs the role permission to see the import task, the ePortfolio import and export reference page)" in result["msg"]


def test_a_status_read_that_fails_for_good_reports_the_started_jobs_and_a_change(http, args, package):
    """One result contract on the job path: the import was sent, so a failure after it reports
    changed and the job ids it started, never a bare message."""
    http.expect("POST", EP + "/import/new", answer=[7003, 7004])
    http.expect("GET", EP + "/import/7003/status", status=404,
                answer={"type": "", "status": 404, "title": "Not Found", "detail": "No such task"},
                content_type="application/problem+json")
    result = run_module(d2l_ep_import.main, args(src=package))
    assert result["failed"] is True and result["changed"] is True
    assert result["successful_job_ids"] == [7003, 7004] and result["jobs"] == []
    assert "GET %s/import/7003/status" % EP in result["msg"] and "404" in result["msg"]
