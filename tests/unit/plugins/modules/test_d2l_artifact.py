# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_artifact: the exact requests of each path."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_artifact

from d2l_ep_helpers import EP, FILE, LINK, expect_mine
from d2l_unit_helpers import BASE, multipart_part, run_module


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lp": "1.47", "eP": "2.5"}, retry_budget=0.01)
        values.update(given)
        return values
    return make


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"hello")
    return str(path)


def test_create_link(http, args):
    expect_mine(http, FILE)
    http.expect("POST", EP + "/artifacts/link/new",
                json={"ObjectId": 0, "Name": "Lab rules", "Description": "", "AllowComments": False, "GeoTag": None,
                      "Url": "https://example.edu/lab"}, answer=dict(LINK, AllowComments=False))
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab",
                                                allow_comments=False))
    assert result["changed"] is True and result["created"] is True
    assert result["artifact"]["id"] == 9001 and result["artifact"]["url"] == "https://example.edu/lab"


def test_link_unchanged_sends_one_get(http, args):
    expect_mine(http, LINK, FILE)
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab"))
    assert result["changed"] is False and result["artifact"]["id"] == 9001


@pytest.mark.parametrize("given", [{"chunk_size": 1048576}, {"upload": "resumable"}, {"force": True}])
def test_file_options_given_for_a_link_are_a_warning(http, args, given):
    expect_mine(http, LINK, FILE)
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab", **given))
    assert result["changed"] is False and not result.get("failed")
    name = sorted(given)[0]
    assert "%s has no effect unless kind is file (it is link here): it was ignored" % name in str(result["warnings"])


def test_file_options_with_their_defaults_are_no_warning(http, args):
    expect_mine(http, LINK, FILE)
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab"))
    assert "no effect" not in str(result.get("warnings"))


def test_update_link_sends_the_whole_block(http, args):
    expect_mine(http, LINK)
    http.expect("POST", EP + "/artifact/link/9001",
                json={"ObjectId": 9001, "Name": "Lab rules", "Description": "New", "AllowComments": True,
                      "GeoTag": None, "Url": "https://example.edu/lab2"},
                answer=dict(LINK, Description="New", Url="https://example.edu/lab2"))
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab2",
                                                description="New"), diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["url"] == "https://example.edu/lab"
    assert result["diff"]["after"]["url"] == "https://example.edu/lab2"


def test_link_in_check_mode_writes_nothing(http, args):
    expect_mine(http, LINK)
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/x"),
                        check_mode=True)
    assert result["changed"] is True and result["artifact"]["url"] == "https://example.edu/x"


def test_delete_through_the_typed_route(http, args):
    http.expect("GET", EP + "/artifact/link/9001", answer=LINK)
    http.expect("DELETE", EP + "/artifact/link/9001")
    result = run_module(d2l_artifact.main, args(kind="link", object_id=9001, state="absent"))
    assert result["changed"] is True and result["artifact"] == {}


def test_object_of_another_kind_is_named(http, args):
    http.expect("GET", EP + "/artifact/link/9002", status=404, answer={"Errors": [{"Message": "Not Found"}]})
    http.expect("GET", EP + "/artifact/9002", answer=FILE)
    result = run_module(d2l_artifact.main, args(kind="link", object_id=9002, name="x", url="https://e.x/"))
    assert result["failed"] is True and result["msg"] == "object_id 9002 is a FileArtifact, not a link artifact"


def test_two_artifacts_with_the_name_fail(http, args):
    expect_mine(http, LINK, dict(LINK, ObjectId=9005))
    result = run_module(d2l_artifact.main, args(kind="link", name="Lab rules", url="https://example.edu/lab"))
    assert result["failed"] is True and result["msg"] == \
        "2 link artifacts are named 'Lab rules' (ids 9001, 9005): give object_id"


def test_new_small_file_uses_the_simple_upload(http, args, report):
    expect_mine(http)
    http.expect("POST", EP + "/artifacts/file/upload", query={"name": "Report", "description": "Mine"},
                extra_match=[multipart_part("file", "report.txt", b"hello", "text/plain")], answer=FILE)
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report, description="Mine"))
    assert result["changed"] is True and result["artifact"]["file_name"] == "report.txt"


def test_new_file_resumable_then_attached(http, args, report):
    expect_mine(http)
    http.expect("POST", EP + "/artifacts/file/new", status=308, body=b"",
                headers={"X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "5",
                         "X-Upload-File-Name": "report.txt"},
                answer_headers={"Location": "/d2l/upload/KEY1"})
    http.expect("POST", "/d2l/upload/KEY1", headers={"Content-Range": "bytes 0-4/5"}, body=b"hello")
    http.expect("POST", EP + "/artifacts/file/new",
                json={"ObjectId": 0, "Name": "Report", "Description": "", "AllowComments": True, "GeoTag": None,
                      "FileSize": 5, "FileName": "report.txt", "Extension": "txt", "UploadKey": "KEY1"},
                answer=dict(FILE, UploadKey="KEY1"))
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report, upload="resumable"))
    assert result["changed"] is True and result["artifact"]["id"] == 9002


def test_same_file_is_unchanged_and_force_replaces_it(http, args, report):
    expect_mine(http, FILE)
    assert run_module(d2l_artifact.main, args(kind="file", name="Report", src=report))["changed"] is False
    expect_mine(http, FILE)
    http.expect("POST", EP + "/artifacts/file/new", status=308, body=b"",
                answer_headers={"Location": "/d2l/upload/KEY2"})
    http.expect("POST", "/d2l/upload/KEY2", headers={"Content-Range": "bytes 0-4/5"}, body=b"hello")
    http.expect("POST", EP + "/artifact/file/9002",
                json={"ObjectId": 9002, "Name": "Report", "Description": "", "AllowComments": True, "GeoTag": None,
                      "FileSize": 5, "FileName": "report.txt", "Extension": "txt", "UploadKey": "KEY2"},
                answer=dict(FILE, UploadKey="KEY2"))
    # the effect is read back: the artifact names the new key, so it was replaced in place
    http.expect("GET", EP + "/artifact/file/9002", answer=dict(FILE, UploadKey="KEY2"))
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report, force=True))
    assert result["changed"] is True and result["created"] is False
    assert result["artifact"]["id"] == 9002 and result["artifact"]["content_replaced"] == "in_place"


UPDATED = {"ObjectId": 9002, "Name": "Report", "Description": "", "AllowComments": True, "GeoTag": None,
           "FileSize": 6, "FileName": "report2.txt", "Extension": "txt"}


def expect_upload(http, key, content):
    http.expect("POST", EP + "/artifacts/file/new", status=308, body=b"",
                answer_headers={"Location": "/d2l/upload/%s" % key})
    http.expect("POST", "/d2l/upload/%s" % key, headers={"Content-Range": "bytes 0-%d/%d" % (len(content) - 1, len(content))},
                body=content)


@pytest.fixture
def report2(tmp_path):
    path = tmp_path / "report2.txt"
    path.write_bytes(b"hello!")
    return str(path)


def test_new_content_the_update_ignored_goes_into_a_new_artifact(http, args, report2):
    """The page does not say an update with a new UploadKey replaces the content: when the artifact
    read back still has the old content, a new artifact is made from the upload and the old one
    deleted (documented operations only), and the result says so."""
    expect_mine(http, FILE)
    expect_upload(http, "KEY2", b"hello!")
    http.expect("POST", EP + "/artifact/file/9002", json=dict(UPDATED, UploadKey="KEY2"), answer=FILE)
    http.expect("GET", EP + "/artifact/file/9002", answer=FILE)  # name, size and key unchanged
    http.expect("POST", EP + "/artifacts/file/new", json=dict(UPDATED, ObjectId=0, UploadKey="KEY2"),
                answer=dict(FILE, ObjectId=9003, FileName="report2.txt", FileSize=6, UploadKey="KEY2"))
    http.expect("DELETE", EP + "/artifact/file/9002", answer={})
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report2))
    assert result["changed"] is True, result
    assert result["artifact"]["id"] == 9003 and result["artifact"]["previous_id"] == 9002
    assert result["artifact"]["content_replaced"] == "new_artifact"
    assert "replaced by a new artifact 9003 and the old artifact 9002 was deleted" in str(result["warnings"])


def test_a_key_the_update_consumed_is_uploaded_again_for_the_new_artifact(http, args, report2):
    expect_mine(http, FILE)
    expect_upload(http, "KEY2", b"hello!")
    http.expect("POST", EP + "/artifact/file/9002", json=dict(UPDATED, UploadKey="KEY2"), answer=FILE)
    http.expect("GET", EP + "/artifact/file/9002", answer=dict(FILE, UploadKey="KEY2-used"))
    http.expect("POST", EP + "/artifacts/file/new", json=dict(UPDATED, ObjectId=0, UploadKey="KEY2"), status=400,
                answer={"Errors": [{"Message": "Invalid upload key provided, or service could not find the file data"}]})
    expect_upload(http, "KEY3", b"hello!")
    http.expect("POST", EP + "/artifacts/file/new", json=dict(UPDATED, ObjectId=0, UploadKey="KEY3"),
                answer=dict(FILE, ObjectId=9004, FileName="report2.txt", FileSize=6, UploadKey="KEY3"))
    http.expect("DELETE", EP + "/artifact/file/9002", answer={})
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report2))
    assert result["artifact"]["id"] == 9004 and result["artifact"]["previous_id"] == 9002, result


def test_a_failed_delete_of_the_old_artifact_says_what_to_do(http, args, report2):
    expect_mine(http, FILE)
    expect_upload(http, "KEY2", b"hello!")
    http.expect("POST", EP + "/artifact/file/9002", json=dict(UPDATED, UploadKey="KEY2"), answer=FILE)
    http.expect("GET", EP + "/artifact/file/9002", answer=FILE)
    http.expect("POST", EP + "/artifacts/file/new", json=dict(UPDATED, ObjectId=0, UploadKey="KEY2"),
                answer=dict(FILE, ObjectId=9003, FileName="report2.txt", FileSize=6))
    http.expect("DELETE", EP + "/artifact/file/9002", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission"},
                content_type="application/problem+json")
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report2))
    assert result["failed"] is True
    assert "new content went into a new artifact 9003; deleting the old artifact 9002 then failed" in result["msg"]
    assert "object_id 9002 and state=absent" in result["msg"]


@pytest.mark.parametrize("given, message", [
    (dict(kind="link", name="x", url="ftp://x"), "url must be an absolute http:// or https:// URL, got 'ftp://x'"),
    (dict(kind="link", name="x", src="/etc/hosts"), "src applies to kind=file only"),
    (dict(kind="file", name="x", url="https://x.y/"), "url applies to kind=link only"),
    (dict(kind="file", name="x", src="/no/such/file"), "src: no such file '/no/such/file'"),
    (dict(kind="file", name="x", src="/tmp"), "src: '/tmp' is a directory; give the file the artifact holds"),
    (dict(kind="file", object_id=-4), "object_id must be a positive id, got -4"),
    (dict(kind="link"), "one of the following is required: object_id, name"),
])
def test_bad_input_before_any_request(http, args, given, message):
    result = run_module(d2l_artifact.main, args(**given))
    assert result["failed"] is True and result["msg"] == message


def test_missing_create_options_are_named(http, args):
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    values = args(kind="link", name="New link")
    result = run_module(d2l_artifact.main, values)
    assert result["failed"] is True
    assert result["msg"] == "ePortfolio artifact 'New link' does not exist; to create it, give url"


def test_an_upload_key_refused_at_attach_is_uploaded_again(http, args, report):
    """An unattached upload is purged by the service (NOTES.md): a key refused when the new
    artifact is attached means the content is sent once more, then attached."""
    expect_mine(http)
    expect_upload(http, "OLD", b"hello")
    refused = {"Errors": [{"Message": "Invalid upload key provided, or service could not find the file data"}]}
    block = {"ObjectId": 0, "Name": "Report", "Description": "", "AllowComments": True, "GeoTag": None,
             "FileSize": 5, "FileName": "report.txt", "Extension": "txt"}
    http.expect("POST", EP + "/artifacts/file/new", json=dict(block, UploadKey="OLD"), status=400, answer=refused)
    expect_upload(http, "NEW", b"hello")
    http.expect("POST", EP + "/artifacts/file/new", json=dict(block, UploadKey="NEW"), answer=dict(FILE, UploadKey="NEW"))
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report, upload="resumable"))
    assert result["changed"] is True and result["artifact"]["id"] == 9002, result


def test_other_attach_errors_are_not_uploaded_again(http, args, report):
    expect_mine(http)
    expect_upload(http, "K", b"hello")
    http.expect("POST", EP + "/artifacts/file/new", status=400,
                answer={"Errors": [{"Message": "Invalid file artifact data provided: Name"}]})
    expect_mine(http)  # a 400 on a create: looked up again (another run may have made it), not there
    result = run_module(d2l_artifact.main, args(kind="file", name="Report", src=report, upload="resumable"))
    assert result["failed"] is True and "Invalid file artifact data provided" in result["msg"]
