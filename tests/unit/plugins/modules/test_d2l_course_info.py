# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_course_info: the exact GETs of a look-up by id, by code, of a filtered list and of the
schema; what is not found is an empty list; failures."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_course_info

from d2l_unit_helpers import run_module
from d2l_lp_helpers import (DEPARTMENT_TYPE, LP, NOT_FOUND, OFFERING_TYPE, ORGANIZATION_TYPE, SEMESTER_TYPE,
                            TEMPLATE_TYPE, expect_code_lookup, lp_options, page)

OUTYPES = [ORGANIZATION_TYPE, TEMPLATE_TYPE, OFFERING_TYPE, SEMESTER_TYPE]
FOUND = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "Path": "/content/bio/",
         "Type": OFFERING_TYPE}
OFFERING = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "IsActive": True,
            "Path": "/content/bio/", "StartDate": "2026-09-01T00:00:00.000Z", "EndDate": None,
            "CourseTemplate": {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101"},
            "Semester": None, "Department": {"Identifier": "6650", "Name": "Biology", "Code": "BIOLOGY"}}
STATE = {"id": 6612, "name": "Biology 101 (Fall 2026)", "code": "BIO101-F", "path": "/content/bio/",
         "is_active": True, "start_date": "2026-09-01T00:00:00.000Z", "end_date": None,
         "template": 6610, "template_code": "BIO101", "semester": None, "semester_code": None,
         "department": 6650, "department_code": "BIOLOGY", "description": None, "description_html": None,
         "can_self_register": None}
TEMPLATE = {"Identifier": "6610", "Code": "BIO101", "Name": "Biology 101", "Path": "/content/bio101/"}
TEMPLATE_FOUND = dict(TEMPLATE, Type=TEMPLATE_TYPE)
TEMPLATE_STATE = {"id": 6610, "code": "BIO101", "name": "Biology 101", "path": "/content/bio101/"}


@pytest.fixture
def args(tmp_path):
    return lp_options(tmp_path)


# -- by id ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True])
def test_offering_by_id_is_one_get(http, args, check_mode):
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    result = run_module(d2l_course_info.main, args(id=6612), check_mode=check_mode)
    assert result["changed"] is False and result["courses"] == [STATE]
    assert "course_templates" not in result and "schema" not in result


def test_offering_by_id_not_found_is_an_empty_list(http, args):
    http.expect("GET", LP + "/courses/6699", status=404, answer=NOT_FOUND)
    result = run_module(d2l_course_info.main, args(id=6699))
    assert not result.get("failed"), result
    assert result["changed"] is False and result["courses"] == []


def test_template_by_id_is_one_get(http, args):
    http.expect("GET", LP + "/coursetemplates/6610", answer=TEMPLATE)
    result = run_module(d2l_course_info.main, args(kind="template", id=6610))
    assert result["course_templates"] == [TEMPLATE_STATE] and "courses" not in result


def test_template_by_id_not_found_is_an_empty_list(http, args):
    http.expect("GET", LP + "/coursetemplates/6699", status=404, answer=NOT_FOUND)
    result = run_module(d2l_course_info.main, args(kind="template", id=6699))
    assert result["changed"] is False and result["course_templates"] == []


# -- by code --------------------------------------------------------------------------------------

def test_offering_by_code_then_through_the_remembered_id(http, args):
    expect_code_lookup(http, "BIO101-F", "3", FOUND, outypes=OUTYPES)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    result = run_module(d2l_course_info.main, args(code="BIO101-F"))
    assert result["courses"] == [STATE]

    sent = len(http.sent())
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    again = run_module(d2l_course_info.main, args(code="BIO101-F"))
    assert again["courses"] == [STATE] and http.sent()[sent:] == [("GET", LP + "/courses/6612")]


def test_offering_by_code_not_found_is_an_empty_list(http, args):
    expect_code_lookup(http, "NOPE", "3", outypes=OUTYPES)
    result = run_module(d2l_course_info.main, args(code="NOPE"))
    assert not result.get("failed"), result
    assert result["changed"] is False and result["courses"] == []


def test_template_by_code_is_the_look_up_alone(http, args):
    """The look-up's OrgUnitProperties carry every field of a CourseTemplate block (Identifier,
    Name, Code, Path): no second GET."""
    expect_code_lookup(http, "BIO101", "2", TEMPLATE_FOUND, outypes=OUTYPES)
    result = run_module(d2l_course_info.main, args(kind="template", code="BIO101"))
    assert result["course_templates"] == [TEMPLATE_STATE]
    assert [path for _method, path in http.sent()] == [LP + "/outypes/", LP + "/orgstructure/?exactOrgUnitCode=BIO101"
                                                       "&orgUnitType=2"]


def test_template_by_code_not_found_is_an_empty_list(http, args):
    expect_code_lookup(http, "NOPE", "2", outypes=OUTYPES)
    result = run_module(d2l_course_info.main, args(kind="template", code="NOPE"))
    assert result["course_templates"] == []


# -- lists and the schema ---------------------------------------------------------------------------

def test_list_follows_the_bookmark_with_the_filters(http, args):
    second = dict(FOUND, Identifier="6613", Code="BIO101-G")
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "3", "orgUnitCode": "BIO", "orgUnitName": "Bio"},
                answer=page(FOUND, bookmark="6612"))
    http.expect("GET", LP + "/orgstructure/",
                query={"orgUnitType": "3", "orgUnitCode": "BIO", "orgUnitName": "Bio", "bookmark": "6612"},
                answer=page(second))
    result = run_module(d2l_course_info.main, args(code_contains="BIO", name_contains="Bio"))
    assert result["courses"] == [
        {"id": 6612, "code": "BIO101-F", "name": "Biology 101 (Fall 2026)", "path": "/content/bio/"},
        {"id": 6613, "code": "BIO101-G", "name": "Biology 101 (Fall 2026)", "path": "/content/bio/"}]


def test_list_with_details_and_a_limit_reads_each_block(http, args):
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "3", "orgUnitCode": "BIO"},
                answer=page(FOUND, dict(FOUND, Identifier="6613"), bookmark="6613"))
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    result = run_module(d2l_course_info.main, args(code_contains="BIO", details=True, limit=1))
    assert result["courses"] == [STATE]


def test_an_empty_list_and_the_template_schema(http, args):
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "2", "orgUnitName": "Nothing"}, answer=page())
    http.expect("GET", LP + "/coursetemplates/schema",
                answer=[{"Type": DEPARTMENT_TYPE, "IsNotAllowed": False, "IsRequired": True},
                        {"Type": SEMESTER_TYPE, "IsNotAllowed": True, "IsRequired": False}])
    result = run_module(d2l_course_info.main, args(kind="template", name_contains="Nothing", schema=True))
    assert result["course_templates"] == []
    assert result["schema"] == [{"type": "Department", "type_id": 101, "is_not_allowed": False, "is_required": True},
                                {"type": "Semester", "type_id": 5, "is_not_allowed": True, "is_required": False}]


def test_the_offering_schema(http, args):
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    http.expect("GET", LP + "/courses/schema", answer=[])
    result = run_module(d2l_course_info.main, args(id=6612, schema=True))
    assert result["courses"] == [STATE] and result["schema"] == []


# -- failures ---------------------------------------------------------------------------------

def test_a_refused_read_names_method_route_status_and_message(http, args):
    http.expect("GET", LP + "/courses/6612", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "Not enrolled in 6612"},
                content_type="application/problem+json")
    result = run_module(d2l_course_info.main, args(id=6612))
    assert result["failed"] is True
    assert result["msg"] == "GET /d2l/api/lp/1.47/courses/6612 failed: 403 Forbidden: Not enrolled in 6612"


def test_two_offerings_with_the_code_fail(http, args):
    expect_code_lookup(http, "BIO101-F", "3", FOUND, dict(FOUND, Identifier="6613"), outypes=OUTYPES)
    result = run_module(d2l_course_info.main, args(code="BIO101-F"))
    assert result["failed"] is True
    assert result["msg"] == "org unit code 'BIO101-F' is ambiguous: 2 org units of type Course Offering have it " \
        "(ids 6612, 6613)"


@pytest.mark.parametrize("given, message", [
    (dict(id=0), "id must be a positive id, got 0"),
    (dict(id=6612, code="BIO101-F"), "parameters are mutually exclusive: id|code|code_contains, "
                                     "id|code|name_contains"),
    (dict(code="BIO101-F", name_contains="Bio"), "parameters are mutually exclusive: id|code|name_contains"),
    (dict(limit=-1), "limit must not be negative, got -1"),
    (dict(kind="section"), "value of kind must be one of: offering, template, got: section"),
])
def test_bad_input_fails_before_any_request(http, args, given, message):
    result = run_module(d2l_course_info.main, args(**given))
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls
