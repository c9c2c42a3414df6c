# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_course_import: the exact requests; bad packages fail before any request."""

from __future__ import annotations

import os

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_course_import

from d2l_unit_helpers import BASE, multipart_part, run_module

PACKAGES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "packages")
SCORM = os.path.join(PACKAGES, "singlesco_scorm12.zip")
IMPORTS = "/d2l/api/le/unstable/import/6612/imports/"


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lp": "1.47", "le": "1.74"}, poll_interval=0.01, retry_budget=0.01,
                      target=6612, src=SCORM)
        values.update(given)
        return values
    return make


def content(path):
    with open(path, "rb") as handle:
        return handle.read()


def test_checks_the_target_then_streams_and_waits(http, args):
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", answer={"Identifier": "6612", "Code": "CHEM200-F"})
    http.expect("POST", IMPORTS, extra_match=[multipart_part("file", "singlesco_scorm12.zip", content(SCORM),
                                                             "application/zip")],
                answer={"JobToken": "imp-1"})
    for status in ("UPLOADING", "PROCESSING", "PROCESSED", "IMPORTING", "COMPLETED"):
        http.expect("GET", IMPORTS + "imp-1", answer={"JobToken": "imp-1", "TargetOrgUnitId": 6612, "Status": status})
    result = run_module(d2l_course_import.main, args())
    assert not result.get("failed"), result
    assert result["changed"] is True and result["job_token"] == "imp-1" and result["status"] == "COMPLETED"
    assert [h["status"] for h in result["history"]] == ["UPLOADING", "PROCESSING", "PROCESSED", "IMPORTING",
                                                        "COMPLETED"]
    assert result["package"] == {"path": SCORM, "file_name": "singlesco_scorm12.zip", "size": os.path.getsize(SCORM)}


def test_callback_url_is_a_query_parameter(http, args):
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", answer={"Identifier": "6612"})
    http.expect("POST", IMPORTS, query={"callbackUrl": "https://hooks.example.com/i?x=1"},
                answer={"JobToken": "imp-2"})
    http.expect("GET", IMPORTS + "imp-2", answer={"JobToken": "imp-2", "TargetOrgUnitId": 6612, "Status": "COMPLETED"})
    result = run_module(d2l_course_import.main, args(callback_url="https://hooks.example.com/i?x=1"))
    assert result["changed"] is True and result["callback_url"] == "https://hooks.example.com/i?x=1"


def test_import_failed_fails_with_the_token(http, args):
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", answer={"Identifier": "6612"})
    http.expect("POST", IMPORTS, answer={"JobToken": "imp-3"})
    http.expect("GET", IMPORTS + "imp-3", answer={"JobToken": "imp-3", "TargetOrgUnitId": 6612, "Status": "IMPORTFAILED"})
    result = run_module(d2l_course_import.main, args())
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == "course import job imp-3 ended with status IMPORTFAILED"
    assert result["job_token"] == "imp-3"


def test_missing_target_id_stops_before_the_upload(http, args):
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", status=404,
                answer={"type": "", "status": 404, "title": "Not Found", "detail": "no such course"},
                content_type="application/problem+json")
    result = run_module(d2l_course_import.main, args())
    assert result["failed"] is True and result["msg"] == "target: no course offering with id 6612 exists"


def test_check_mode_uploads_nothing(http, args):
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", answer={"Identifier": "6612"})
    result = run_module(d2l_course_import.main, args(), check_mode=True, diff=True)
    assert result["changed"] is True and result["job_token"] is None
    assert result["diff"]["after"]["package"]["file_name"] == "singlesco_scorm12.zip"


def test_attach_needs_no_package(http, args):
    http.expect("GET", IMPORTS + "imp-4", answer={"JobToken": "imp-4", "TargetOrgUnitId": 6612, "Status": "COMPLETED"})
    result = run_module(d2l_course_import.main, args(src=None, job_token="imp-4"))
    assert result["changed"] is False and result["status"] == "COMPLETED" and result["package"] is None


@pytest.mark.parametrize("name, message", [
    ("badscorm.zip", "has no imsmanifest.xml at its root; it is at 'badscorm/imsmanifest.xml'"),
    ("missing.zip", "src: no such file"),
])
def test_bad_packages_fail_before_any_request(http, args, name, message):
    result = run_module(d2l_course_import.main, args(src=os.path.join(PACKAGES, name)))
    assert result["failed"] is True and message in result["msg"]


def test_src_or_job_token_required(http, args):
    given = args()
    del given["src"]
    result = run_module(d2l_course_import.main, given)
    assert result["failed"] is True and result["msg"] == "one of the following is required: src, job_token"


VERSIONED = "/d2l/api/le/1.74/import/6612/imports/"
NOT_FOUND = {"Errors": [{"Message": "Not Found"}]}


def test_a_tenant_serving_the_versioned_routes_only(http, args, tmp_path):
    """the Courses reference page documents the import routes under `unstable`, SCOPES.md with a version: a 404
    under `unstable` sends the same package to the versioned route (a 404 created nothing), and the
    contract that answered is kept for the next task, which goes straight to it."""
    http.expect("GET", "/d2l/api/lp/1.47/courses/6612", answer={"Identifier": "6612"})
    http.expect("POST", IMPORTS, status=404, answer=NOT_FOUND)
    http.expect("POST", VERSIONED, extra_match=[multipart_part("file", "singlesco_scorm12.zip", content(SCORM),
                                                               "application/zip")],
                answer={"JobToken": "imp-9"})
    http.expect("GET", VERSIONED + "imp-9", answer={"JobToken": "imp-9", "TargetOrgUnitId": 6612, "Status": "COMPLETED"})
    result = run_module(d2l_course_import.main, args())
    assert not result.get("failed") and result["job_token"] == "imp-9", result

    # the next task: the versioned contract first, no 404 on the way
    http.expect("GET", VERSIONED + "imp-9", answer={"JobToken": "imp-9", "TargetOrgUnitId": 6612, "Status": "COMPLETED"})
    result = run_module(d2l_course_import.main, args(job_token="imp-9"))
    assert not result.get("failed") and result["status"] == "COMPLETED", result


def test_a_404_under_both_contracts_reports_the_documented_one(http, args):
    http.expect("GET", IMPORTS + "nope", status=404, answer={"Errors": [{"Message": "No such import job"}]})
    http.expect("GET", VERSIONED + "nope", status=404, answer=NOT_FOUND)
    result = run_module(d2l_course_import.main, args(job_token="nope", wait_timeout=5))
    assert result["failed"] is True
    assert result["msg"].startswith("GET /d2l/api/le/unstable/import/6612/imports/nope failed: 404 Not Found: "
                                    "No such import job"), result["msg"]
