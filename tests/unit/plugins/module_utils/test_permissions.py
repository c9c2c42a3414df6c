# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A refusal names the role permission the reference pages give for the route."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceHTTPError
from ansible_collections.d2l.brightspace.plugins.module_utils.permissions import needed


@pytest.mark.parametrize("method, route, permission", [
    ("POST", "/d2l/api/lp/1.47/courses/", "manage or create courses"),
    ("POST", "/d2l/api/lp/1.47/coursetemplates/", "manage or create courses and templates"),
    ("POST", "/d2l/api/le/1.74/import/6612/copy/", "create course copy job requests"),
    ("GET", "/d2l/api/le/unstable/import/6612/imports/tok", "retrieve the status of import jobs"),
    ("POST", "/d2l/api/eP/2.5/export/new/all", "export the current user's ePortfolio objects"),
    ("POST", "/d2l/api/eP/2.5/import/newwithdetails", "import ePortfolio objects (into other users: for them)"),
    ("DELETE", "/d2l/api/eP/2.5/artifact/file/9001", "delete the artifact"),
    ("GET", "/d2l/api/lr/1.3/objects/search/?query=x", "Search the repositories listed"),
    ("POST", "/d2l/api/lr/1.3/objects/1001/properties/", "Manage My Objects (your own) or Manage All Objects in the LOR"),
    ("POST", "/d2l/api/lr/1.3/objects/1001/", "Publish to the LOR and Version Items"),
    ("POST", "/d2l/api/lr/1.3/1/upload/publish", "Publish to the LOR"),
])
def test_the_pages_permission_of_each_route(method, route, permission):
    assert needed(method, route)[0] == permission


@pytest.mark.parametrize("method, route", [
    ("GET", "/d2l/api/lp/1.47/courses/6612"),  # the Courses reference page lists no 403 for it
    ("POST", "/d2l/api/lr/1.3/objects/1001/delete/"),  # the Learning Repository objects reference page names none
    ("GET", "/d2l/api/lp/1.47/outypes/"),
])
def test_routes_the_pages_name_no_permission_for(method, route):
    assert needed(method, route) is None


def test_a_403_names_the_permission(http, make_client):
    http.expect("POST", "/d2l/api/lp/1.47/courses/", status=403, text="Forbidden")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().send_json("POST", "/d2l/api/lp/1.47/courses/", {})
    assert str(info.value) == ("POST /d2l/api/lp/1.47/courses/ failed: 403 Forbidden: Forbidden (this needs the role "
                               "permission to manage or create courses, the Courses reference page)")


def test_a_scope_403_is_not_blamed_on_the_role(http, make_client):
    http.expect("POST", "/d2l/api/lp/1.47/courses/", status=403, text="Insufficient scope",
                answer_headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="orgunits:course:create"'})
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().send_json("POST", "/d2l/api/lp/1.47/courses/", {})
    assert "role permission" not in str(info.value)
