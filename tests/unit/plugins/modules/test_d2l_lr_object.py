# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_lr_object: the exact requests; ExecutionStatus WARN and ERROR on HTTP 200."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.lr.routes import normalize_keywords
from ansible_collections.d2l.brightspace.plugins.modules import d2l_lr_object

from d2l_lr_helpers import HIT, LR, OK, PACKAGES, PROPS, SCORM, content, expect_search
from d2l_lr_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import BASE, multipart_part, run_module


def test_keywords_compare_as_a_set():
    assert normalize_keywords(["Word1, Word2 ,Word3", "Word 1", "Word1"]) == ["Word 1", "Word1", "Word2", "Word3"]
    assert normalize_keywords(None) == []


def test_publish_simple_then_set_properties(http, args):
    expect_search(http)
    http.expect("PUT", LR + "/objects/", query={"repositoryId": "1"},
                extra_match=[multipart_part("Resource", "singlesco_scorm12.zip", content(SCORM), "application/zip")],
                answer=dict(OK, IdentId=1001, Version=1))
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("POST", LR + "/objects/1001/properties/",
                json={"RepositoryId": 1, "Status": 3, "HiddenFromSearchResults": False, "PublicallyAvailable": False,
                      "OwnerId": 3, "Title": "Golf", "Description": "", "Keywords": ["golf, sport"]}, answer=OK)
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3, Keywords=["golf, sport"]))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, keywords=["sport", "golf"],
                                                 status="Approved"))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["object"]["keywords"] == ["golf", "sport"] and result["object"]["status"] == "Approved"


@pytest.mark.parametrize("upload", ["simple", "resumable"])
def test_publish_lost_to_a_502_is_not_sent_again(http, args, upload):
    """Each publish makes a new object (titled after the package until the properties are set),
    so after an ambiguous answer the module cannot look it up by title: it fails, naming the
    route and status and what may have happened, and sends the publish once."""
    expect_search(http)
    if upload == "simple":
        route = LR + "/objects/"
        http.expect("PUT", route, query={"repositoryId": "1"}, status=502, answer={"title": "Bad Gateway"})
    else:
        http.expect("POST", LR + "/1/upload", status=308,
                    answer_headers={"Location": BASE + "/d2l/upload/KEY1"})
        http.expect("POST", "/d2l/upload/KEY1", status=200, answer={})
        route = LR + "/1/upload/publish"
        http.expect("POST", route, status=503, answer={"title": "Service Unavailable"})
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, upload=upload))
    assert result["failed"] is True
    assert result["msg"].startswith("%s %s failed: 50" % ("PUT" if upload == "simple" else "POST", route))
    assert "may have been published all the same" in result["msg"] and "not published again" in result["msg"]
    assert result["changed"] is True  # the service may hold the object: the failure says a change may have happened
    assert [method for method, path in http.sent() if "publish" in path or path.startswith(LR + "/objects/?")] \
        == ["PUT" if upload == "simple" else "POST"]


def test_rerun_sends_two_gets(http, args):
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Keywords=["sport", "golf"]))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, keywords=["golf, sport"]))
    assert result["changed"] is False and result["object"]["id"] == 1001


def test_content_check_download_publishes_a_new_version_when_bytes_differ(http, args):
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3, Description="kept"))
    http.expect("GET", LR + "/objects/1001/download/", text="older bytes", content_type="application/zip")
    http.expect("POST", LR + "/objects/1001/",
                extra_match=[multipart_part("Resource", "singlesco_scorm12.zip", content(SCORM), "application/zip")],
                answer=dict(OK, IdentId=1001, Version=2))
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Version=2, Status=5))
    http.expect("POST", LR + "/objects/1001/properties/",
                json={"RepositoryId": 1, "Status": 3, "HiddenFromSearchResults": False, "PublicallyAvailable": False,
                      "OwnerId": 3, "Title": "Golf", "Description": "kept", "Keywords": []}, answer=OK)
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Version=2, Status=3, Description="kept"))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, content_check="download"),
                        diff=True)
    assert result["changed"] is True and result["object"]["version"] == 2
    assert result["diff"]["before"]["content"] == hashlib.sha256(b"older bytes").hexdigest()
    assert result["diff"]["after"]["content"] == hashlib.sha256(content(SCORM)).hexdigest()


def test_same_bytes_with_content_check_download_is_unchanged(http, args):
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("GET", LR + "/objects/1001/download/", content=content(SCORM), content_type="application/zip")
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, content_check="download"))
    assert result["changed"] is False


def test_warn_is_a_warning(http, args):
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("POST", LR + "/objects/1001/properties/",
                json={"RepositoryId": 1, "Status": 5, "HiddenFromSearchResults": True, "PublicallyAvailable": False,
                      "OwnerId": 3, "Title": "Golf", "Description": "", "Keywords": []},
                answer={"ExecutionStatus": 1, "ExecutionMessage": "Search index update delayed"})
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, HiddenFromSearchResults=True))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", hidden_from_search=True))
    assert result["changed"] is True
    assert "the Learning Repository warned: Search index update delayed" in str(result["warnings"])


def test_error_on_200_fails_with_the_message(http, args):
    error = {"ExecutionStatus": 2, "ExecutionMessage": "Object 4242 not found"}
    http.expect("GET", LR + "/objects/4242/properties/", answer=error)
    result = run_module(d2l_lr_object.main, args(repository=1, object_id=4242, status="Draft"))
    assert result["failed"] is True
    assert result["msg"] == ("object_id 4242: Object 4242 not found")


def test_delete_sends_an_empty_post(http, args):
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    http.expect("POST", LR + "/objects/1001/delete/", body=b"", headers={"Content-Length": "0"}, answer=OK)
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", state="absent"))
    assert result["changed"] is True and result["object"] == {}


@pytest.mark.parametrize("given, message", [
    (dict(src=os.path.join(PACKAGES, "badscorm.zip")), "is not a SCORM package: no imsmanifest.xml at its root; it "
                                                       "is at 'badscorm/imsmanifest.xml'"),
    (dict(src="/no/such.zip"), "src: no such file '/no/such.zip'"),
    (dict(chunk_size=10), "chunk_size must be at least 1024 bytes"),
    (dict(title=" "), "title must not be empty"),
    (dict(status="Published"), "value of status must be one of"),
])
def test_bad_input_before_any_request(http, args, given, message):
    values = dict(repository=1, title="Golf")
    values.update(given)
    result = run_module(d2l_lr_object.main, args(**values))
    assert result["failed"] is True and message in result["msg"]


def test_repository_by_name(http, args):
    http.expect("GET", LR + "/repositories/all/", answer=dict(OK, Repositories=[
        {"RepositoryId": 1, "Name": "Demo Local Repository", "Description": "", "Type": "Local", "OrgId": 6606,
         "ObjectCount": 3}]))
    expect_search(http, HIT)
    http.expect("GET", LR + "/objects/1001/properties/", answer=PROPS)
    result = run_module(d2l_lr_object.main, args(repository="Demo Local Repository", title="Golf"))
    assert result["changed"] is False
    http.expect("GET", LR + "/repositories/all/", answer=dict(OK, Repositories=[]))
    missing = run_module(d2l_lr_object.main, args(repository="Nope", title="Golf"))
    assert missing["failed"] is True and missing["msg"].startswith("repository: no searchable repository is named 'Nope'")


@pytest.mark.parametrize("ref", ["\u00b2", "\u0661", "\u00b9\u00b2"])
def test_a_repository_in_other_digits_is_a_name(http, args, ref):
    """'²' or '١' pass str.isdigit (int() refuses the first, reads the second as 1): looked up as a
    name, never taken for an id."""
    http.expect("GET", LR + "/repositories/all/", answer=dict(OK, Repositories=[
        {"RepositoryId": 1, "Name": "Demo Local Repository", "Description": "", "Type": "Local", "OrgId": 6606,
         "ObjectCount": 3}]))
    result = run_module(d2l_lr_object.main, args(repository=ref, title="Golf"))
    assert result["failed"] is True
    assert result["msg"] == "repository: no searchable repository is named '%s' (known: Demo Local Repository)" % ref


def test_a_file_key_refused_at_publish_is_uploaded_again(http, args):
    """An unattached upload is purged by the service (NOTES.md): an ERROR refusing the file key
    published nothing, so the package is sent again and published with the new key, once."""
    expect_search(http)
    for number, key in enumerate(("KEY1", "KEY2")):
        http.expect("POST", LR + "/1/upload", status=308, answer_headers={"Location": "/d2l/upload/%s" % key})
        http.expect("POST", "/d2l/upload/%s" % key, status=200, answer={})
        http.expect("POST", LR + "/1/upload/publish",
                    answer=dict(OK, IdentId=1001, Version=1) if number else
                    {"ExecutionMessage": "Invalid file key", "ExecutionStatus": 2})
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, upload="resumable"))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["object"]["id"] == 1001
    assert [path for _method, path in http.sent() if path.endswith("/upload/publish")] == [LR + "/1/upload/publish"] * 2


@pytest.mark.parametrize("sees_hidden", [False, True])
def test_a_hidden_object_the_caller_cannot_search_for_is_remembered_and_warned_of(http, args, sees_hidden):
    expect_search(http)
    http.expect("PUT", LR + "/objects/", query={"repositoryId": "1"}, answer=dict(OK, IdentId=1001, Version=1))
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3))
    http.expect("POST", LR + "/objects/1001/properties/",
                json={"RepositoryId": 1, "Status": 3, "HiddenFromSearchResults": True, "PublicallyAvailable": False,
                      "OwnerId": 3, "Title": "Golf", "Description": "", "Keywords": []}, answer=OK)
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3, HiddenFromSearchResults=True))
    http.expect("GET", LR + "/repositories/all/",
                answer=dict(OK, Repositories=[{"RepositoryId": 1, "Name": "Local", "Type": "Local", "OrgId": 6606}]))
    http.expect("GET", LR + "/repositories/Local/", query={"trustParams": "SeeAllHiddenObjects"},
                answer=dict(OK, Repositories=[{"RepositoryId": 1, "Type": "Local"}] if sees_hidden else []))
    result = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, hidden_from_search=True))
    assert result["changed"] is True and result["object"]["id"] == 1001, result
    warned = "a search cannot find it" in str(result.get("warnings"))
    assert warned is not sees_hidden
    # the re-run finds it through the remembered id, without a search
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, Status=3, HiddenFromSearchResults=True))
    again = run_module(d2l_lr_object.main, args(repository=1, title="Golf", src=SCORM, hidden_from_search=True))
    assert again["changed"] is False and again["object"]["id"] == 1001, again


@pytest.mark.parametrize("state", ["present", "absent"])
def test_an_object_id_outside_the_repository_named_is_refused_without_a_write(http, args, state):
    """No option is silently ignored: repository 1 does not hold object 1001 (it is in 2), so the
    task fails naming both, and neither updates nor deletes the object."""
    http.expect("GET", LR + "/objects/1001/properties/", answer=dict(PROPS, RepositoryId=2))
    result = run_module(d2l_lr_object.main, args(repository=1, object_id=1001, description="x", state=state))
    assert result["failed"] is True
    assert result["msg"] == ("object_id 1001 is in repository 2, not in repository 1 (repository): give the "
                             "repository that holds it")
