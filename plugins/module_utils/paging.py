# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Paging of every kind the API uses (NOTES.md, "Paging"): a ``PagedResultSet`` followed by
bookmark, and the Learning Repository's offset/count search pages."""

from __future__ import annotations


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


def offset_pages(fetch, limit=None, page_size=100, offset=0, items="Results", total="TotalResults"):
    """Every item (or the first ``limit``) of a result paged by offset and count, as the Learning
    Repository's search is: ``fetch(offset, count)`` answers one page with its ``items`` and the
    ``total`` count. Stops at a short page or once ``total`` items were passed."""
    results = []
    while limit is None or len(results) < limit:
        count = page_size if limit is None else min(page_size, limit - len(results))
        page = fetch(offset, count) or {}
        found = page.get(items) or []
        results.extend(found)
        offset += len(found)
        if len(found) < count or offset >= (page.get(total) or 0):
            break
    return results
