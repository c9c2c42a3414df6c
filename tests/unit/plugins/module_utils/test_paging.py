# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagedResultSet (bookmark) and ObjectListPage (Next) iterators."""

from __future__ import annotations

from ansible_collections.d2l.brightspace.plugins.module_utils.paging import object_list_page, paged_result_set

ORGS = "/d2l/api/lp/1.47/orgstructure/"
OBJECTS = "/d2l/api/lr/1.3/objects/"


def page(items, bookmark=None, more=False):
    return {"PagingInfo": {"Bookmark": bookmark, "HasMoreItems": more}, "Items": items}


def test_paged_result_set_follows_bookmarks_over_three_pages(http, make_client):
    query = {"orgUnitType": "3"}
    http.expect("GET", ORGS, query=query, answer=page([{"Identifier": "1"}, {"Identifier": "2"}], "b1", True))
    http.expect("GET", ORGS, query=dict(query, bookmark="b1"), answer=page([{"Identifier": "3"}], "b2", True))
    http.expect("GET", ORGS, query=dict(query, bookmark="b2"), answer=page([{"Identifier": "4"}], "b3", False))
    items = list(paged_result_set(make_client(), ORGS, query))
    assert [i["Identifier"] for i in items] == ["1", "2", "3", "4"]
    assert query == {"orgUnitType": "3"}  # the caller's dict is not changed


def test_paged_result_set_limit_stops_requesting(http, make_client):
    http.expect("GET", ORGS, answer=page([{"Identifier": "1"}, {"Identifier": "2"}], "b1", True))
    http.expect("GET", ORGS, query={"bookmark": "b1"}, answer=page([{"Identifier": "3"}, {"Identifier": "4"}], "b2", True))
    items = list(paged_result_set(make_client(), ORGS, limit=3))
    assert [i["Identifier"] for i in items] == ["1", "2", "3"]


def test_paged_result_set_limit_zero_returns_nothing(http, make_client):
    assert list(paged_result_set(make_client(), ORGS, limit=0)) == []
    assert list(object_list_page(make_client(), OBJECTS, limit=0)) == []


def test_paged_result_set_stops_on_repeated_or_missing_bookmark(http, make_client):
    http.expect("GET", ORGS, answer=page([{"Identifier": "1"}], "b1", True))
    http.expect("GET", ORGS, query={"bookmark": "b1"}, answer=page([{"Identifier": "2"}], "b1", True))
    assert len(list(paged_result_set(make_client(), ORGS))) == 2
    http.expect("GET", ORGS, answer=page([{"Identifier": "1"}], None, True))
    assert len(list(paged_result_set(make_client(), ORGS))) == 1


def test_paged_result_set_empty(http, make_client):
    http.expect("GET", ORGS, answer=page([]))
    assert list(paged_result_set(make_client(), ORGS)) == []


def test_object_list_page_follows_next(http, make_client):
    http.expect("GET", OBJECTS, query={"pagesize": "2"},
                answer={"Next": "https://school.example.com/d2l/api/lr/1.3/objects/?pagesize=2&page=2",
                        "Objects": [{"Id": 1}, {"Id": 2}]})
    http.expect("GET", OBJECTS, query={"pagesize": "2", "page": "2"},
                answer={"Next": "/d2l/api/lr/1.3/objects/?pagesize=2&page=3", "Objects": [{"Id": 3}, {"Id": 4}]})
    http.expect("GET", OBJECTS, query={"pagesize": "2", "page": "3"}, answer={"Next": None, "Objects": [{"Id": 5}]})
    items = list(object_list_page(make_client(), OBJECTS, {"pagesize": 2}))
    assert [i["Id"] for i in items] == [1, 2, 3, 4, 5]


def test_object_list_page_limit(http, make_client):
    http.expect("GET", OBJECTS, answer={"Next": "/d2l/api/lr/1.3/objects/?page=2", "Objects": [{"Id": 1}, {"Id": 2}]})
    items = list(object_list_page(make_client(), OBJECTS, limit=2))
    assert [i["Id"] for i in items] == [1, 2]
