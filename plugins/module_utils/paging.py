# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Iterators over the two paged shapes of the API (NOTES.md, "Paging")."""

from __future__ import annotations

from urllib.parse import urlsplit, parse_qsl


def paged_result_set(client, route, params=None, limit=None):
    """Items of a ``PagedResultSet``, following ``PagingInfo.Bookmark`` while ``HasMoreItems``."""
    if limit is not None and limit <= 0:  # limit: 0 asks for nothing, not for one item
        return
    params = dict(params or {})
    count = 0
    while True:
        page = client.get_json(route, params=params) or {}
        for item in page.get("Items") or []:
            yield item
            count += 1
            if limit is not None and count >= limit:
                return
        info = page.get("PagingInfo") or {}
        bookmark = info.get("Bookmark")
        if not info.get("HasMoreItems") or not bookmark or bookmark == params.get("bookmark"):
            return
        params["bookmark"] = bookmark


def object_list_page(client, route, params=None, limit=None):
    """Objects of an ``ObjectListPage``, following ``Next`` (an absolute or relative URL)."""
    if limit is not None and limit <= 0:  # limit: 0 asks for nothing, not for one item
        return
    params = dict(params or {})
    count = 0
    while route:
        page = client.get_json(route, params=params) or {}
        for item in page.get("Objects") or []:
            yield item
            count += 1
            if limit is not None and count >= limit:
                return
        following = page.get("Next")
        if not following:
            return
        parts = urlsplit(following)
        route = parts.path
        params = dict(parse_qsl(parts.query))
