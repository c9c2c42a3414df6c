# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_course: the exact requests of each path (check mode, create, re-run through the
remembered id, diff, update, delete, failures)."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_course

from d2l_unit_helpers import run_module
from d2l_lp_helpers import (LP, NOT_FOUND, OFFERING_TYPE, ORGANIZATION_TYPE, SEMESTER_TYPE, TEMPLATE_TYPE,
                            expect_code_lookup, lp_options, only_reads)

OUTYPES = [ORGANIZATION_TYPE, TEMPLATE_TYPE, OFFERING_TYPE, SEMESTER_TYPE]
TEMPLATE = {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101", "Path": "", "Type": TEMPLATE_TYPE}
SEMESTER = {"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F", "Path": "", "Type": SEMESTER_TYPE}
FOUND = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "Path": "",
         "Type": OFFERING_TYPE}
OFFERING = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "IsActive": False,
            "Path": "/content/enforced/BIO101-F/", "StartDate": "2026-09-01T00:00:00.000Z",
            "EndDate": "2026-12-20T00:00:00.000Z",
            "CourseTemplate": {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101"},
            "Semester": {"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F"}, "Department": None}
STATE = {"id": 6612, "name": "Biology 101 (Fall 2026)", "code": "BIO101-F", "path": "/content/enforced/BIO101-F/",
         "is_active": False, "start_date": "2026-09-01T00:00:00.000Z", "end_date": "2026-12-20T00:00:00.000Z",
         "template": 6610, "template_code": "BIO101", "semester": 6700, "semester_code": "2026F",
         "department": None, "department_code": None}
CREATE = {"Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "Path": "", "CourseTemplateId": 6610,
          "SemesterId": 6700, "StartDate": "2026-09-01T00:00:00.000Z", "EndDate": "2026-12-20T00:00:00.000Z",
          "LocaleId": None, "ForceLocale": False, "ShowAddressBook": False}


@pytest.fixture
def args(tmp_path):
    return lp_options(tmp_path, code="BIO101-F")


def full(**given):
    """The options of a complete offering (what CREATE sends)."""
    values = dict(name="Biology 101 (Fall 2026)", template="BIO101", semester="2026F", start_date="2026-09-01",
                  end_date="2026-12-20T00:00:00Z")
    values.update(given)
    return values


def expect_lookup(http, *items, outypes=True):
    """The org unit types (read once, then from the discovery cache), the look-up by code, and
    the CourseOffering block of what was found."""
    expect_code_lookup(http, "BIO101-F", "3", *items, outypes=OUTYPES if outypes else None)
    if items:
        http.expect("GET", LP + "/courses/6612", answer=OFFERING)


def expect_references(http):
    """The template and semester codes, each looked up within its type."""
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    expect_code_lookup(http, "2026F", "5", SEMESTER)


# -- check mode ---------------------------------------------------------------------------------

def test_check_mode_resolves_the_references_and_writes_nothing(http, args):
    expect_lookup(http)
    expect_references(http)
    result = run_module(d2l_course.main, args(**full()), check_mode=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["course"] == {"id": None, "code": "BIO101-F", "name": "Biology 101 (Fall 2026)", "is_active": None,
                                "start_date": "2026-09-01T00:00:00.000Z", "end_date": "2026-12-20T00:00:00.000Z",
                                "template": 6610, "semester": 6700}
    assert result["diff"] == {"before": {}, "after": result["course"]}
    assert only_reads(http)


def test_check_mode_template_created_earlier_in_the_play_warns(http, args):
    expect_lookup(http)
    # the template first: not there, the prediction keeps the references as given
    expect_code_lookup(http, "BIO101", "2")
    result = run_module(d2l_course.main, args(**full()), check_mode=True)
    assert result["changed"] is True and result["created"] is True
    assert (result["course"]["template"], result["course"]["semester"]) == ("BIO101", "2026F")
    assert "template: no Course Template with code 'BIO101' exists; in check mode this is expected when an earlier " \
        "task creates it" in str(result["warnings"])
    assert only_reads(http)


def test_check_mode_an_id_of_another_type_fails(http, args):
    """An id names what exists now: nothing earlier in the play can make it a template."""
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/6700", answer=SEMESTER)
    result = run_module(d2l_course.main, args(**full(template=6700, semester=None)), check_mode=True)
    assert result["failed"] is True and result["msg"] == "template: org unit 6700 is a Semester, not a Course Template"
    assert only_reads(http)


def test_check_mode_update_writes_nothing(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course.main, args(is_active=True), check_mode=True)
    assert result["changed"] is True and result["created"] is False
    assert result["course"] == dict(STATE, is_active=True)
    assert only_reads(http)


# -- apply, apply again ---------------------------------------------------------------------------

def test_create_sets_is_active_afterwards_then_rerun_sends_one_get(http, args):
    expect_lookup(http)
    expect_references(http)
    http.expect("POST", LP + "/courses/", json=CREATE, answer=OFFERING)
    # CreateCourseOffering has no IsActive: the complete CourseOfferingInfo is PUT afterwards
    http.expect("PUT", LP + "/courses/6612", json={"Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F",
                                                   "StartDate": "2026-09-01T00:00:00.000Z",
                                                   "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": True})
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, IsActive=True))
    result = run_module(d2l_course.main, args(**full(is_active=True)))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["course"] == dict(STATE, is_active=True)
    assert "diff" not in result

    # the re-run: the id remembered beside the token cache, one GET; references compare by code
    sent = len(http.sent())
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, IsActive=True))
    again = run_module(d2l_course.main, args(**full(is_active=True)))
    assert again["changed"] is False and again["created"] is False and again["course"] == dict(STATE, is_active=True)
    assert http.sent()[sent:] == [("GET", LP + "/courses/6612")]


def test_create_with_ids_and_the_creation_only_options(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/6610", answer=TEMPLATE)
    http.expect("POST", LP + "/courses/", json={"Name": "Bio", "Code": "BIO101-F", "Path": "/content/bio/",
                                                "CourseTemplateId": 6610, "SemesterId": None, "StartDate": None,
                                                "EndDate": None, "LocaleId": 3, "ForceLocale": True,
                                                "ShowAddressBook": True},
                answer=dict(OFFERING, Name="Bio", Semester=None, StartDate=None, EndDate=None))
    result = run_module(d2l_course.main, args(name="Bio", template=6610, path="/content/bio/", locale_id=3,
                                              force_locale=True, show_address_book=True))
    assert result["changed"] is True and result["course"]["semester"] is None
    assert [method for method, _path in http.sent()].count("PUT") == 0  # is_active not asked for


def test_an_existing_offering_is_found_by_code_and_unchanged(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course.main, args(**full(is_active=False)))
    assert result["changed"] is False and result["course"] == STATE
    assert only_reads(http)


# -- diff mode: update ----------------------------------------------------------------------------

def test_update_puts_the_complete_info_and_reports_the_diff(http, args):
    expect_lookup(http, FOUND)
    http.expect("PUT", LP + "/courses/6612", json={"Name": "Biology 101", "Code": "BIO101-F",
                                                   "StartDate": "2026-09-01T00:00:00.000Z",
                                                   "EndDate": "2026-12-21T08:00:00.000Z", "IsActive": False})
    updated = dict(OFFERING, Name="Biology 101", EndDate="2026-12-21T08:00:00.000Z")
    http.expect("GET", LP + "/courses/6612", answer=updated)
    result = run_module(d2l_course.main, args(name="Biology 101", end_date="2026-12-21T10:00:00+02:00",
                                              template="BIO101"), diff=True)
    assert result["changed"] is True and result["created"] is False
    assert result["diff"] == {"before": STATE,
                              "after": dict(STATE, name="Biology 101", end_date="2026-12-21T08:00:00.000Z")}


# -- state absent ---------------------------------------------------------------------------------

def test_absent_deletes_then_absent_again_sends_only_the_look_up(http, args):
    expect_lookup(http, FOUND)
    http.expect("DELETE", LP + "/courses/6612", body=b"")
    result = run_module(d2l_course.main, args(state="absent", template="IGNORED"), diff=True)
    assert result["changed"] is True and result["created"] is False and result["course"] == {}
    assert result["diff"] == {"before": STATE, "after": {}}

    # the remembered id went with it: the code is looked up (the types from the discovery cache)
    sent = len(http.sent())
    expect_lookup(http, outypes=False)
    again = run_module(d2l_course.main, args(state="absent"))
    assert again["changed"] is False and again["course"] == {}
    assert http.sent()[sent:] == [("GET", LP + "/orgstructure/?exactOrgUnitCode=BIO101-F&orgUnitType=3")]


def test_absent_in_check_mode_deletes_nothing(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course.main, args(state="absent"), check_mode=True)
    assert result["changed"] is True and result["course"] == {}
    assert only_reads(http)


def test_a_remembered_id_that_is_gone_is_looked_up_by_code(http, args):
    expect_lookup(http, FOUND)
    assert run_module(d2l_course.main, args())["changed"] is False  # remembers 6612
    http.expect("GET", LP + "/courses/6612", status=404, answer=NOT_FOUND)
    expect_lookup(http, outypes=False)
    result = run_module(d2l_course.main, args(state="absent"))
    assert result["changed"] is False and result["course"] == {}


# -- failures ---------------------------------------------------------------------------------

def test_a_refused_create_names_the_route_and_the_permission(http, args):
    expect_lookup(http)
    expect_references(http)
    http.expect("POST", LP + "/courses/", json=CREATE, status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission"},
                content_type="application/problem+json")
    result = run_module(d2l_course.main, args(**full()))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/courses/ failed: 403 Forbidden: No permission (this needs the " \
        "role permission to manage or create courses, the Courses reference page)"


def test_a_refused_update_names_the_route(http, args):
    expect_lookup(http, FOUND)
    http.expect("PUT", LP + "/courses/6612", status=400, answer={"Errors": [{"Message": "Invalid course data"}]})
    result = run_module(d2l_course.main, args(is_active=True))
    assert result["failed"] is True
    assert result["msg"] == "PUT /d2l/api/lp/1.47/courses/6612 failed: 400 Bad Request: Invalid course data"


def test_a_template_code_that_names_nothing_fails_before_the_create(http, args):
    expect_lookup(http)
    expect_code_lookup(http, "BIO101", "2")
    result = run_module(d2l_course.main, args(**full()))
    assert result["failed"] is True and result["msg"] == "template: no Course Template with code 'BIO101' exists"
    assert only_reads(http)


def test_another_template_is_refused_without_a_write(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course.main, args(template="CHEM100"))
    assert result["failed"] is True
    assert result["msg"] == "course offering 'BIO101-F': template cannot change from 6610 to 'CHEM100': the API " \
        "cannot move an offering to another course template; delete the offering and create it again " \
        "(state=absent, then present)"
    assert only_reads(http)


def test_missing_create_options_are_named(http, args):
    expect_lookup(http)
    result = run_module(d2l_course.main, args(is_active=True))
    assert result["failed"] is True
    assert result["msg"] == "course offering 'BIO101-F' does not exist; to create it, give name, template"
    assert only_reads(http)


@pytest.mark.parametrize("given, message", [
    (dict(end_date="2026-08-31"), "end_date 2026-08-31T00:00:00.000Z is before start_date 2026-09-01T00:00:00.000Z"),
    (dict(start_date="2026-13-01"), "start_date: '2026-13-01' is not an ISO 8601 date or date-time such as "
                                    "2026-01-31T23:59:59Z"),
    (dict(code="BIO101/F?"), "code 'BIO101/F?' contains the forbidden character(s) ?; org unit codes may not "
                             "contain any of \\ : * ? \" < > | ' # , % &"),
    (dict(semester=["2026F"]), "semester must be an id (a positive integer) or a code or name (a string), "
                               "got ['2026F']"),
    (dict(template=True), "template must be an id (a positive integer) or a code or name (a string), got True"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_bad_input_fails_before_any_request(http, args, given, message, check_mode):
    result = run_module(d2l_course.main, args(**full(**given)), check_mode=check_mode)
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls
