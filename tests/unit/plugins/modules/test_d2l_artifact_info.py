# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_artifact_info: the exact GETs of one artifact (generic or typed route, comments) and of
the caller's objects (paged, filtered by kind and name); not found is an empty list; failures."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_artifact_info

from d2l_ep_helpers import EP, FILE, LINK, expect_mine
from d2l_unit_helpers import BASE, run_module

LINK_STATE = {"id": 9001, "kind": "link", "type": "UrlArtifact", "name": "Lab rules", "description": "",
              "allow_comments": True, "user_id": 3, "view_link": "/d2l/eP/objects/view.d2l?objectId=9001",
              "comments_count": 0, "created": "2026-11-22T10:00:00.000Z", "modified": "2026-11-22T10:00:00.000Z",
              "url": "https://example.edu/lab"}
FILE_STATE = dict(LINK_STATE, id=9002, kind="file", type="FileArtifact", name="Report",
                  view_link="/d2l/eP/objects/view.d2l?objectId=9001", file_name="report.txt", file_size=5,
                  extension="txt")
del FILE_STATE["url"]
NOT_FOUND = {"Errors": [{"Message": "Not Found"}]}


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lp": "1.47", "eP": "2.5"}, retry_budget=0.01)
        values.update(given)
        return values
    return make


def test_info_one_with_comments(http, args):
    comment = {"ObjectId": 9001, "CommentId": 1, "UserId": 101, "CreatedDate": "2026-11-22T11:00:00.000Z",
               "Body": "Nice"}
    http.expect("GET", EP + "/artifact/link/9001", query={"c": "true"},
                answer=dict(LINK, CommentsCount=1, Comments=[comment]))
    result = run_module(d2l_artifact_info.main, args(object_id=9001, kind="link", comments=True))
    assert result["artifacts"][0]["comments"] == [{"id": 1, "user_id": 101, "created": "2026-11-22T11:00:00.000Z",
                                                   "body": "Nice"}]


def test_info_lists_by_kind_and_name(http, args):
    reflection = {"ObjectId": 9020, "ObjectTypeId": 200, "Name": "Lab rules"}
    expect_mine(http, LINK, FILE, dict(LINK, ObjectId=9010, Name="Other"), reflection)
    result = run_module(d2l_artifact_info.main, args(kind="link", name="Lab rules"))
    assert [a["id"] for a in result["artifacts"]] == [9001]


# -- one artifact by object_id ------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True])
def test_one_through_the_generic_route(http, args, check_mode):
    http.expect("GET", EP + "/artifact/9002", answer=FILE)
    result = run_module(d2l_artifact_info.main, args(object_id=9002), check_mode=check_mode)
    assert not result.get("failed"), result
    assert result["changed"] is False and result["artifacts"] == [FILE_STATE]


def test_one_through_the_typed_route(http, args):
    http.expect("GET", EP + "/artifact/link/9001", answer=LINK)
    result = run_module(d2l_artifact_info.main, args(object_id=9001, kind="link"))
    assert result["artifacts"] == [LINK_STATE]


@pytest.mark.parametrize("kind, route", [(None, "/artifact/9009"), ("file", "/artifact/file/9009")])
def test_not_found_is_an_empty_list(http, args, kind, route):
    """An unknown id, or an object of another kind on a typed route: the service answers 404."""
    http.expect("GET", EP + route, status=404, answer=NOT_FOUND)
    result = run_module(d2l_artifact_info.main, args(object_id=9009, **({"kind": kind} if kind else {})))
    assert not result.get("failed"), result
    assert result["changed"] is False and result["artifacts"] == []


# -- the caller's objects -------------------------------------------------------------------------

def test_every_artifact_type_over_the_pages(http, args):
    """Without kind: every artifact type (300-399), not reflections, collections or presentations."""
    quiz = {"ObjectId": 9030, "ObjectTypeId": 333, "Name": "Quiz 1"}
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100"},
                answer={"PagingInfo": {"Bookmark": "9020", "HasMoreItems": True},
                        "Items": [LINK, {"ObjectId": 9020, "ObjectTypeId": 200, "Name": "Reflection"}]})
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100", "bookmark": "9020"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                        "Items": [{"ObjectId": 9040, "ObjectTypeId": 110, "Name": "Collection"}, FILE, quiz]})
    result = run_module(d2l_artifact_info.main, args())
    assert [(a["id"], a["kind"], a["type"]) for a in result["artifacts"]] == [
        (9001, "link", "UrlArtifact"), (9002, "file", "FileArtifact"), (9030, None, "LEQuizArtifact")]
    assert result["artifacts"][:2] == [LINK_STATE, FILE_STATE]


def test_no_artifact_is_an_empty_list(http, args):
    expect_mine(http, LINK)
    result = run_module(d2l_artifact_info.main, args(kind="file"))
    assert result["changed"] is False and result["artifacts"] == []


# -- failures ---------------------------------------------------------------------------------

def test_a_refused_read_names_the_route_and_the_permission(http, args):
    http.expect("GET", EP + "/artifact/link/9001", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission"},
                content_type="application/problem+json")
    result = run_module(d2l_artifact_info.main, args(object_id=9001, kind="link"))
    assert result["failed"] is True
    assert result["msg"] == "GET /d2l/api/eP/2.5/artifact/link/9001 failed: 403 Forbidden: No permission (this " \
        "needs the role permission to see the artifact, the ePortfolio artifacts reference page)"


def test_a_refused_list_names_the_route(http, args):
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100"}, status=500, text="Internal Server Error")
    result = run_module(d2l_artifact_info.main, args(kind="link"))
    assert result["failed"] is True
    assert result["msg"] == "GET /d2l/api/eP/2.5/objects/my/ failed: 500 Internal Server Error: Internal Server Error"


@pytest.mark.parametrize("given, message", [
    (dict(object_id=0), "object_id must be a positive id, got 0"),
    (dict(object_id=-3, kind="link"), "object_id must be a positive id, got -3"),
    (dict(comments=True), "comments needs object_id: comments are read one artifact at a time"),
    (dict(object_id=9001, name="Lab rules"), "parameters are mutually exclusive: object_id|name"),
    (dict(kind="reflection"), "value of kind must be one of: link, file, got: reflection"),
])
def test_bad_input_fails_before_any_request(http, args, given, message):
    result = run_module(d2l_artifact_info.main, args(**given))
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls
