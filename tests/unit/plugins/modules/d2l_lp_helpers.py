# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the org structure and course module tests (d2l_org_unit, d2l_course_template,
d2l_course, d2l_course_info): the lp route prefix, the org unit types and the org units several
tests name, paged answers, the connection options, the look-up of a code within a type, and
whether only GETs were sent.

(Not called d2l_unit_helpers: that is ../module_utils/d2l_unit_helpers.py, imported by that name
by every module test.)"""

from __future__ import annotations

from d2l_unit_helpers import BASE

LP = "/d2l/api/lp/1.47"
NOT_FOUND = {"Errors": [{"Message": "Not Found"}]}

# org unit types as outypes/ and the Type of an OrgUnitProperties block give them
ORGANIZATION_TYPE = {"Id": 1, "Code": "Organization", "Name": "Organization"}
TEMPLATE_TYPE = {"Id": 2, "Code": "Course Template", "Name": "Course Template"}
OFFERING_TYPE = {"Id": 3, "Code": "Course Offering", "Name": "Course Offering"}
SEMESTER_TYPE = {"Id": 5, "Code": "Semester", "Name": "Semester"}
DEPARTMENT_TYPE = {"Id": 101, "Code": "Department", "Name": "Department"}

# the organization (root) and a department, as orgstructure/ gives them
ROOT = {"Identifier": "6606", "Name": "Demo University", "Code": "DEMO", "Path": "", "Type": ORGANIZATION_TYPE}
BIOLOGY = {"Identifier": "6650", "Name": "Biology", "Code": "BIOLOGY", "Path": "", "Type": DEPARTMENT_TYPE}


def page(*items, bookmark=""):
    """A paged answer (PagedResultSet); with a bookmark, more items follow."""
    return {"PagingInfo": {"Bookmark": bookmark, "HasMoreItems": bool(bookmark)}, "Items": list(items)}


def lp_options(tmp_path, **defaults):
    """The ``args`` factory of a module test: the connection options (lp 1.47, a token cache in
    tmp_path, a short retry budget), then ``defaults``, then what the test gives."""
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lp": "1.47"}, retry_budget=0.01)
        values.update(defaults)
        values.update(given)
        return values
    return make


def expect_code_lookup(http, code, type_id, *items, outypes=None):
    """The org unit types when ``outypes`` is given (the answer to outypes/: the first run reads
    them, a later one takes them from the discovery cache), then the look-up of ``code`` within
    the type ``type_id``, answered with ``items``."""
    if outypes:
        http.expect("GET", LP + "/outypes/", answer=outypes)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": code, "orgUnitType": type_id},
                answer=page(*items))


def only_reads(http):
    """Every request sent was a GET."""
    return [method for method, _path in http.sent()] == ["GET"] * len(http.sent())
