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
                            expect_code_lookup, lp_options, only_reads, page)

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
         "department": None, "department_code": None, "description": None, "description_html": None,
         "can_self_register": None}
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
                                "template": 6610, "semester": 6700, "description": None,
                                "can_self_register": None}
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

def test_absent_recycles_then_absent_again_sends_only_the_look_up(http, args):
    expect_lookup(http, FOUND)
    http.expect("POST", LP + "/orgstructure/recyclebin/6612/recycle", body=b"")
    result = run_module(d2l_course.main, args(state="absent", template="IGNORED"), diff=True)
    assert result["changed"] is True and result["created"] is False and result["course"] == {}
    assert result["removal"] == "recycle"
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


# -- the full-replace PUT at LP 1.47: nothing the task does not name is lost --------------------

RICH = {"Text": "Cells & genes", "Html": "<p>Cells &amp; genes</p>"}
OFFERING_147 = dict(OFFERING, Description=RICH, CanSelfRegister=True)
STATE_147 = dict(STATE, description="Cells & genes", description_html="<p>Cells &amp; genes</p>",
                 can_self_register=True)


def test_a_rename_at_lp_1_47_sends_back_the_description_and_self_registration(http, args):
    """PUT courses/(id) replaces the offering's data with what it carries: the description (as its
    HTML, the form that keeps the formatting) and CanSelfRegister go back as they were."""
    expect_code_lookup(http, "BIO101-F", "3", FOUND, outypes=OUTYPES)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING_147)
    http.expect("PUT", LP + "/courses/6612", json={
        "Name": "Biology 101", "Code": "BIO101-F", "StartDate": "2026-09-01T00:00:00.000Z",
        "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": False,
        "Description": {"Content": "<p>Cells &amp; genes</p>", "Type": "Html"}, "CanSelfRegister": True})
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING_147, Name="Biology 101"))
    result = run_module(d2l_course.main, args(name="Biology 101"), diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["diff"] == {"before": STATE_147, "after": dict(STATE_147, name="Biology 101")}


def test_a_description_and_self_registration_are_compared_and_set(http, args):
    expect_code_lookup(http, "BIO101-F", "3", FOUND, outypes=OUTYPES)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING_147)
    http.expect("PUT", LP + "/courses/6612", json={
        "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "StartDate": "2026-09-01T00:00:00.000Z",
        "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": False,
        "Description": {"Content": "Evolution", "Type": "Text"}, "CanSelfRegister": False})
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING_147, CanSelfRegister=False,
                                                         Description={"Text": "Evolution", "Html": "Evolution"}))
    result = run_module(d2l_course.main, args(description="Evolution", can_self_register=False))
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert (result["course"]["description"], result["course"]["can_self_register"]) == ("Evolution", False)

    # the same again: compared with the text form (whitespace at either end aside), no write
    sent = len(http.sent())
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING_147, CanSelfRegister=False,
                                                         Description={"Text": "Evolution\n", "Html": "Evolution"}))
    again = run_module(d2l_course.main, args(description=" Evolution", can_self_register=False))
    assert again["changed"] is False
    assert http.sent()[sent:] == [("GET", LP + "/courses/6612")]


def test_an_html_description_is_compared_with_the_html_form(http, args):
    expect_code_lookup(http, "BIO101-F", "3", FOUND, outypes=OUTYPES)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING_147)
    result = run_module(d2l_course.main, args(description="<p>Cells &amp; genes</p>", description_format="html"))
    assert result["changed"] is False and only_reads(http)


def test_an_update_whose_answer_lost_a_field_fails_naming_it(http, args):
    """A service that clears what the PUT sent back (or did not send) is caught on the read-back:
    the task fails, changed, naming the field and both values."""
    expect_code_lookup(http, "BIO101-F", "3", FOUND, outypes=OUTYPES)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING_147)
    http.expect("PUT", LP + "/courses/6612")
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING_147, IsActive=True, CanSelfRegister=False))
    result = run_module(d2l_course.main, args(is_active=True))
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == ("course offering 'BIO101-F': the update was accepted, but the service changed what the "
                             "task did not ask to change: can_self_register from True to False; set them again (give "
                             "the options) and report this service behaviour")


@pytest.mark.parametrize("option, value, version, since", [
    ("description", "x", "1.25", "1.26"), ("can_self_register", True, "1.26", "1.27")])
def test_a_field_the_lp_version_lacks_fails_before_any_write(http, args, option, value, version, since):
    result = run_module(d2l_course.main, args(api_versions={"lp": version}, **{option: value}))
    assert result["failed"] is True
    assert result["msg"] == ("%s needs LP API %s or later (the course offering blocks have the field from there); "
                             "this run uses LP %s (api_versions)" % (option, since, version))
    assert not http.calls


def test_self_registration_before_lp_1_28_is_set_right_after_the_create(http, tmp_path):
    args = lp_options(tmp_path, code="BIO101-F", api_versions={"lp": "1.27"})
    lp = "/d2l/api/lp/1.27"
    http.expect("GET", lp + "/outypes/", answer=OUTYPES)
    http.expect("GET", lp + "/orgstructure/", query={"exactOrgUnitCode": "BIO101-F", "orgUnitType": "3"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    http.expect("GET", lp + "/orgstructure/6610", answer=TEMPLATE)
    http.expect("POST", lp + "/courses/", json=dict(CREATE, SemesterId=None,
                                                    Description={"Content": "Bio", "Type": "Text"}),
                answer=dict(OFFERING_147, Description={"Text": "Bio", "Html": "Bio"}, CanSelfRegister=False))
    http.expect("PUT", lp + "/courses/6612", json={
        "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "StartDate": "2026-09-01T00:00:00.000Z",
        "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": False, "Description": {"Content": "Bio", "Type": "Html"},
        "CanSelfRegister": True})
    http.expect("GET", lp + "/courses/6612", answer=dict(OFFERING_147, Description={"Text": "Bio", "Html": "Bio"}))
    result = run_module(d2l_course.main, args(**full(template=6610, semester=None, description="Bio",
                                                     can_self_register=True)))
    assert not result.get("failed"), result
    assert result["created"] is True and result["course"]["can_self_register"] is True


# -- removal through the recycle bin, restore --------------------------------------------------

RECYCLED = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F",
            "Path": "/content/enforced/BIO101-F/", "Type": OFFERING_TYPE}


def test_permanent_removal_recycles_then_deletes_from_the_recycle_bin(http, args):
    expect_lookup(http, FOUND)
    http.expect("POST", LP + "/orgstructure/recyclebin/6612/recycle", body=b"")
    http.expect("DELETE", LP + "/orgstructure/recyclebin/6612", body=b"")
    result = run_module(d2l_course.main, args(state="absent", removal="permanent"))
    assert result["changed"] is True and result["removal"] == "permanent"


def test_permanent_removal_of_a_recycled_offering_deletes_it_from_the_bin_and_then_does_nothing(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page(
        dict(RECYCLED, Identifier="6001", Code="OTHER"), RECYCLED))
    http.expect("DELETE", LP + "/orgstructure/recyclebin/6612", body=b"")
    result = run_module(d2l_course.main, args(state="absent", removal="permanent"), diff=True)
    assert result["changed"] is True and result["removal"] == "permanent"
    assert result["diff"]["before"]["id"] == 6612 and result["diff"]["after"] == {}

    sent = len(http.sent())
    expect_lookup(http, outypes=False)
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page())
    again = run_module(d2l_course.main, args(state="absent", removal="permanent"))
    assert again["changed"] is False
    assert http.sent()[sent:] == [("GET", LP + "/orgstructure/?exactOrgUnitCode=BIO101-F&orgUnitType=3"),
                                  ("GET", LP + "/orgstructure/recyclebin/")]


def test_restore_brings_the_recycled_offering_back_with_its_id_then_updates_it(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page(RECYCLED))
    http.expect("POST", LP + "/orgstructure/recyclebin/6612/restore", body=b"")
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    http.expect("PUT", LP + "/courses/6612", json={"Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F",
                                                   "StartDate": "2026-09-01T00:00:00.000Z",
                                                   "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": True})
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, IsActive=True))
    result = run_module(d2l_course.main, args(restore=True, is_active=True), diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["restored"] is True and result["created"] is False
    assert result["course"]["id"] == 6612 and result["course"]["is_active"] is True
    assert result["diff"]["before"]["id"] == 6612


def test_restore_in_check_mode_reads_the_bin_and_writes_nothing(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page(RECYCLED))
    result = run_module(d2l_course.main, args(restore=True, name="Renamed"), check_mode=True)
    assert result["changed"] is True and result["restored"] is True
    assert result["course"]["id"] == 6612 and result["course"]["name"] == "Renamed"
    assert only_reads(http)


def test_a_create_refused_over_a_recycled_code_names_it_and_both_ways_out(http, args):
    expect_lookup(http)
    expect_references(http)
    http.expect("POST", LP + "/courses/", json=CREATE, status=400,
                answer={"Errors": [{"Message": "Code: an org unit with this code already exists"}]})
    expect_lookup(http, outypes=False)  # created meanwhile? no
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page(RECYCLED))
    result = run_module(d2l_course.main, args(**full()))
    assert result["failed"] is True
    assert result["msg"] == (
        "course offering 'BIO101-F' cannot be created: the recycle bin holds course offering 6612 with this code "
        "(the service keeps a recycled org unit's code). Restore it, with its id and content (restore: true), or "
        "delete it for good first (state: absent, removal: permanent). The service said: POST "
        "/d2l/api/lp/1.47/courses/ failed: 400 Bad Request: Code: an org unit with this code already exists")


def test_removal_and_restore_given_where_they_do_nothing_warn(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course.main, args(removal="permanent"))
    assert result["changed"] is False
    assert "removal has no effect unless state is absent (it is present here): it was ignored" in str(result["warnings"])
