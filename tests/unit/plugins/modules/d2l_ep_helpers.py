# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the ePortfolio module tests: the eP route prefix, artifact blocks as the service
returns them, the caller's object list, and the options of the job modules (d2l_ep_export,
d2l_ep_import)."""

from __future__ import annotations

import pytest

from d2l_unit_helpers import BASE

EP = "/d2l/api/eP/2.5"
LINK = {"ObjectId": 9001, "Name": "Lab rules", "Description": "", "AllowComments": True, "UserId": 3,
        "ObjectTypeId": 340, "ViewLink": "/d2l/eP/objects/view.d2l?objectId=9001", "CommentsCount": 0,
        "HasUnreadComments": False, "Created": "2026-11-22T10:00:00.000Z", "Modified": "2026-11-22T10:00:00.000Z",
        "GeoTag": None, "Tags": [], "Comments": [], "Permissions": {}, "Url": "https://example.edu/lab"}
FILE = dict(LINK, ObjectId=9002, Name="Report", ObjectTypeId=310, FileSize=5, FileName="report.txt",
            Extension="txt", UploadKey="k1")
del FILE["Url"]


def page(*items):
    return {"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": list(items)}


def expect_mine(http, *items):
    http.expect("GET", EP + "/objects/my/", query={"pagesize": "100"}, answer=page(*items))


@pytest.fixture
def args(tmp_path):
    """The options of the ePortfolio job modules (they take the wait options)."""
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token",
                      token_cache=str(tmp_path / "cache" / "tokens.json"), api_versions={"lp": "1.47", "eP": "2.5"},
                      retry_budget=0.01, poll_interval=0.01)
        values.update(given)
        return values
    return make
