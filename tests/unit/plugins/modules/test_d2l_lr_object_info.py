# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_lr_object_info: the exact requests; an ERROR result on HTTP 200 fails with its message."""

from __future__ import annotations

from ansible_collections.d2l.brightspace.plugins.module_utils.lr.routes import parse_dublin_core
from ansible_collections.d2l.brightspace.plugins.modules import d2l_lr_object_info

from d2l_lr_helpers import HIT, LR, OK
from d2l_lr_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import run_module


def test_dublin_core_parsed():
    xml = ('<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Golf</dc:title>'
           '<dc:subject>sport</dc:subject><dc:subject>golf</dc:subject></metadata>')
    assert parse_dublin_core(xml) == {"title": ["Golf"], "subject": ["sport", "golf"]}


def test_info_pages_with_offset_and_count(http, args):
    first = [dict(HIT, IdentId=1000 + n) for n in range(2)]
    http.expect("GET", LR + "/objects/search/", query={"query": "", "offset": "0", "count": "2", "repositories": "1"},
                answer=dict(OK, TotalResults=3, Results=first))
    http.expect("GET", LR + "/objects/search/", query={"query": "", "offset": "2", "count": "2", "repositories": "1"},
                answer=dict(OK, TotalResults=3, Results=[dict(HIT, IdentId=1002)]))
    result = run_module(d2l_lr_object_info.main, args(repositories=[1], page_size=2))
    assert [o["id"] for o in result["objects"]] == [1000, 1001, 1002] and result["total"] == 3


def test_info_bad_cql_fails_with_the_message(http, args):
    http.expect("GET", LR + "/objects/search/",
                query={"query": "dc.nope = x", "offset": "0", "count": "200", "repositories": "1"},
                answer={"ExecutionStatus": 2, "ExecutionMessage": "Invalid CQL query: unknown index dc.nope"})
    result = run_module(d2l_lr_object_info.main, args(repositories=[1], query="dc.nope = x"))
    assert result["failed"] is True and result["msg"].endswith("answered ERROR: Invalid CQL query: unknown index dc.nope")
