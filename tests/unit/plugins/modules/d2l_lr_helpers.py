# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the Learning Repository module tests: the lr route prefix, the SCORM package of
tests/fixtures, LR result blocks, the search d2l_lr_object sends, and the connection options."""

from __future__ import annotations

import os

import pytest

from d2l_unit_helpers import BASE

LR = "/d2l/api/lr/1.3"
PACKAGES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "packages")
SCORM = os.path.join(PACKAGES, "singlesco_scorm12.zip")
OK = {"ExecutionMessage": "", "ExecutionStatus": 0}
PROPS = dict(OK, RepositoryId=1, Status=5, HiddenFromSearchResults=False, PublicallyAvailable=False, IdentId=1001,
             Version=1, URL="/d2l/lor/viewer/view.d2l?ou=6606&loIdentId=1001", Title="Golf", Description="",
             OwnerId=3, Keywords=[], Type=3)
QUERY = 'dc.title == "Golf"'


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lr": "1.3"}, retry_budget=0.01)
        values.update(given)
        return values
    return make


def expect_search(http, *results):
    http.expect("GET", LR + "/objects/search/",
                query={"query": QUERY, "offset": "0", "count": "200", "repositories": "1"},
                answer=dict(OK, TotalResults=len(results), Results=list(results)))


HIT = {"RepositoryId": 1, "IdentId": 1001, "Version": 1, "URL": "/x", "Title": "Golf", "OrgId": 6606, "TypeId": 3}


def content(path):
    with open(path, "rb") as handle:
        return handle.read()
