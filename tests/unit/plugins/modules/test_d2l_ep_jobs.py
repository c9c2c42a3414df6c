# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""d2l_ep_export and d2l_ep_import: the exact requests, statuses and failures."""

from __future__ import annotations

import hashlib
import stat
import zipfile

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_artifact, d2l_ep_export, d2l_ep_import

from d2l_unit_helpers import BASE, multipart_part, run_module

EP = "/d2l/api/eP/2.5"
PACKAGE = b"PK-this-is-the-package"
NAME = "eP_Export_Demo_Administrator_202611221530.zip"


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "cache" / "tokens.json"),
                      api_versions={"lp": "1.47", "eP": "2.5"}, retry_budget=0.01, poll_interval=0.01)
        values.update(given)
        return values
    return make


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("manifest.xml", "<manifest/>")
    return str(path)


def expect_package(http):
    http.expect("GET", EP + "/export/5001/package", text=PACKAGE.decode(), content_type="application/zip",
                answer_headers={"Content-Disposition": 'attachment; filename="%s"' % NAME})


# -- export -----------------------------------------------------------------------------------

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


# -- import -----------------------------------------------------------------------------------

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


def test_missing_create_options_are_named(http, args):
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    values = args(kind="link", name="New link")
    del values["poll_interval"]  # not an option of d2l_artifact
    result = run_module(d2l_artifact.main, values)
    assert result["failed"] is True
    assert result["msg"] == "ePortfolio artifact 'New link' does not exist; to create it, give url"


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
    assert "(this needs the role permission to see the import task, eportfolio-import-export.txt)" in result["msg"]
