# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""paging.py: PagedResultSet (bookmark) and offset/count pages (the LR search)."""

from __future__ import annotations

from ansible_collections.d2l.brightspace.plugins.module_utils.paging import offset_pages, paged_result_set

ORGS = "/d2l/api/lp/1.47/orgstructure/"


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


def test_paged_result_set_stops_on_repeated_or_missing_bookmark(http, make_client):
    http.expect("GET", ORGS, answer=page([{"Identifier": "1"}], "b1", True))
    http.expect("GET", ORGS, query={"bookmark": "b1"}, answer=page([{"Identifier": "2"}], "b1", True))
    assert len(list(paged_result_set(make_client(), ORGS))) == 2
    http.expect("GET", ORGS, answer=page([{"Identifier": "1"}], None, True))
    assert len(list(paged_result_set(make_client(), ORGS))) == 1


def test_paged_result_set_empty(http, make_client):
    http.expect("GET", ORGS, answer=page([]))
    assert list(paged_result_set(make_client(), ORGS)) == []


def _pages(total, size):
    """A fetch(offset, count) over ``total`` numbered items, recording what was asked."""
    asked = []

    def fetch(offset, count):
        asked.append((offset, count))
        return {"TotalResults": total, "Results": list(range(offset, min(offset + count, total, offset + size)))}
    return fetch, asked


def test_offset_pages_walks_to_the_total():
    fetch, asked = _pages(5, 2)
    assert offset_pages(fetch, page_size=2) == [0, 1, 2, 3, 4]
    assert asked == [(0, 2), (2, 2), (4, 2)]


def test_offset_pages_limit_and_start():
    fetch, asked = _pages(10, 4)
    assert offset_pages(fetch, limit=5, page_size=4, offset=3) == [3, 4, 5, 6, 7]
    assert asked == [(3, 4), (7, 1)]  # the last page asks for what is left of the limit


def test_offset_pages_stops_at_a_short_page_and_at_limit_zero():
    fetch, asked = _pages(10, 3)  # the service answers fewer than asked
    assert offset_pages(fetch, page_size=5) == [0, 1, 2]
    assert asked == [(0, 5)]
    assert offset_pages(fetch, limit=0) == []
