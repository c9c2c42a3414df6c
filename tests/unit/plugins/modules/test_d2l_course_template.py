# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_course_template: the exact requests of each path (check mode, create, re-run, diff,
rename, re-parent, delete, failures)."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_course_template

from d2l_unit_helpers import run_module
from d2l_lp_helpers import (BIOLOGY, DEPARTMENT_TYPE, LP, OFFERING_TYPE, ORGANIZATION_TYPE, ROOT, TEMPLATE_TYPE,
                            expect_code_lookup, lp_options, only_reads, page)

OUTYPES = [ORGANIZATION_TYPE, TEMPLATE_TYPE, OFFERING_TYPE, DEPARTMENT_TYPE]
# the look-up's OrgUnitProperties, and the CourseTemplate block of coursetemplates/(id)
FOUND = {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101", "Path": "/content/bio101/",
         "Type": TEMPLATE_TYPE}
TEMPLATE = {"Identifier": "6610", "Code": "BIO101", "Name": "Biology 101", "Path": "/content/bio101/"}
CHEMISTRY = {"Identifier": "6651", "Name": "Chemistry", "Code": "CHEM", "Path": "", "Type": DEPARTMENT_TYPE}
STATE = {"id": 6610, "name": "Biology 101", "code": "BIO101", "path": "/content/bio101/"}


@pytest.fixture
def args(tmp_path):
    return lp_options(tmp_path, code="BIO101")


def expect_lookup(http, *items, outypes=True):
    """The org unit types (read once, then from the discovery cache), then the look-up by code."""
    expect_code_lookup(http, "BIO101", "2", *items, outypes=OUTYPES if outypes else None)


# -- check mode ---------------------------------------------------------------------------------

def test_check_mode_predicts_the_creation_and_writes_nothing(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    result = run_module(d2l_course_template.main, args(name="Biology 101", parent_org_units=["BIOLOGY"]),
                        check_mode=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["course_template"] == {"id": None, "name": "Biology 101", "parent_org_units": [6650],
                                         "code": "BIO101"}
    assert result["diff"] == {"before": {}, "after": result["course_template"]}
    assert only_reads(http)


def test_check_mode_rename_writes_nothing(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course_template.main, args(name="Biology I"), check_mode=True)
    assert result["changed"] is True and result["created"] is False
    assert result["course_template"] == dict(STATE, name="Biology I")
    assert only_reads(http)


# -- apply, apply again ---------------------------------------------------------------------------

def test_create_under_the_organization_then_rerun_sends_one_get(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/coursetemplates/", json={"Name": "Biology 101", "Code": "BIO101", "Path": "",
                                                        "ParentOrgUnitIds": [6606]}, answer=TEMPLATE)
    result = run_module(d2l_course_template.main, args(name="Biology 101"))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["course_template"] == dict(STATE, parent_org_units=[6606])
    assert "diff" not in result

    # the re-run: the org unit types come from the discovery cache; the look-up's block is enough
    expect_lookup(http, FOUND, outypes=False)
    again = run_module(d2l_course_template.main, args(name="Biology 101"))
    assert again["changed"] is False and again["created"] is False and again["course_template"] == STATE


def test_create_with_a_path_and_parents(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    http.expect("GET", LP + "/orgstructure/6651", answer=CHEMISTRY)
    http.expect("POST", LP + "/coursetemplates/", json={"Name": "Biology 101", "Code": "BIO101",
                                                        "Path": "/content/bio101/", "ParentOrgUnitIds": [6650, 6651]},
                answer=TEMPLATE)
    result = run_module(d2l_course_template.main, args(name="Biology 101", path="/content/bio101/",
                                                       parent_org_units=["BIOLOGY", 6651]))
    assert result["changed"] is True and result["course_template"]["parent_org_units"] == [6650, 6651]


def test_rerun_with_the_same_parents_reads_them_and_writes_nothing(http, args):
    expect_lookup(http, FOUND)
    http.expect("GET", LP + "/orgstructure/6610/parents/", answer=[BIOLOGY, CHEMISTRY])
    result = run_module(d2l_course_template.main, args(name="Biology 101", parent_org_units=[6651, "BIOLOGY"]))
    assert result["changed"] is False and result["course_template"] == dict(STATE, parent_org_units=[6650, 6651])
    assert only_reads(http)


# -- diff mode: rename and re-parent -------------------------------------------------------------

def test_rename_puts_name_and_code_and_reports_the_diff(http, args):
    expect_lookup(http, dict(FOUND, Name="Biology"))
    http.expect("PUT", LP + "/coursetemplates/6610", json={"Name": "Biology 101", "Code": "BIO101"})
    http.expect("GET", LP + "/coursetemplates/6610", answer=TEMPLATE)
    result = run_module(d2l_course_template.main, args(name="Biology 101"), diff=True)
    assert result["changed"] is True and result["created"] is False
    assert result["diff"] == {"before": dict(STATE, name="Biology"), "after": STATE}


def test_reparent_adds_before_it_removes(http, args):
    expect_lookup(http, FOUND)
    http.expect("GET", LP + "/orgstructure/6610/parents/", answer=[ROOT])
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    http.expect("POST", LP + "/orgstructure/6610/parents/", json=6650)
    http.expect("DELETE", LP + "/orgstructure/6610/parents/6606")
    http.expect("GET", LP + "/coursetemplates/6610", answer=TEMPLATE)
    http.expect("GET", LP + "/orgstructure/6610/parents/", answer=[BIOLOGY])
    result = run_module(d2l_course_template.main, args(parent_org_units=["BIOLOGY"]), diff=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": dict(STATE, parent_org_units=[6606]),
                              "after": dict(STATE, parent_org_units=[6650])}


# -- state absent ---------------------------------------------------------------------------------

def test_absent_sends_it_to_the_recycle_bin(http, args):
    expect_lookup(http, FOUND)
    http.expect("POST", LP + "/orgstructure/recyclebin/6610/recycle", body=b"")
    result = run_module(d2l_course_template.main, args(state="absent", parent_org_units=["NOT-READ"]), diff=True)
    assert result["changed"] is True and result["created"] is False and result["course_template"] == {}
    assert result["diff"] == {"before": STATE, "after": {}} and result["removal"] == "recycle"


def test_permanent_removal_deletes_it_from_the_recycle_bin_too(http, args):
    expect_lookup(http, FOUND)
    http.expect("POST", LP + "/orgstructure/recyclebin/6610/recycle", body=b"")
    http.expect("DELETE", LP + "/orgstructure/recyclebin/6610", body=b"")
    result = run_module(d2l_course_template.main, args(state="absent", removal="permanent"))
    assert result["changed"] is True and result["removal"] == "permanent"


def test_absent_again_sends_only_the_look_up(http, args):
    expect_lookup(http)
    result = run_module(d2l_course_template.main, args(state="absent"))
    assert result["changed"] is False and result["course_template"] == {}
    assert only_reads(http)


def test_absent_in_check_mode_deletes_nothing(http, args):
    expect_lookup(http, FOUND)
    result = run_module(d2l_course_template.main, args(state="absent"), check_mode=True)
    assert result["changed"] is True and result["course_template"] == {}
    assert only_reads(http)


# -- failures ---------------------------------------------------------------------------------

def test_a_refused_create_names_the_route_and_the_permission(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/coursetemplates/", status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission"},
                content_type="application/problem+json")
    result = run_module(d2l_course_template.main, args(name="Biology 101"))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/coursetemplates/ failed: 403 Forbidden: No permission (this needs " \
        "the role permission to manage or create courses and templates, the Courses reference page)"


def test_a_template_with_offerings_is_not_removed(http, args):
    expect_lookup(http, FOUND)
    http.expect("POST", LP + "/orgstructure/recyclebin/6610/recycle", status=400,
                answer={"Errors": [{"Message": "The org unit still has child org units"}]})
    result = run_module(d2l_course_template.main, args(state="absent"))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/orgstructure/recyclebin/6610/recycle failed: 400 Bad Request: " \
        "The org unit still has child org units"


def test_an_unknown_parent_code_fails_before_the_create(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "NOPE"}, answer=page())
    result = run_module(d2l_course_template.main, args(name="Biology 101", parent_org_units=["NOPE"]))
    assert result["failed"] is True and result["msg"] == "parent_org_units: no org unit with code 'NOPE' exists"
    assert only_reads(http)


def test_a_missing_name_is_named_before_any_write(http, args):
    expect_lookup(http)
    result = run_module(d2l_course_template.main, args())
    assert result["failed"] is True
    assert result["msg"] == "course template 'BIO101' does not exist; to create it, give name"
    assert only_reads(http)


@pytest.mark.parametrize("given, message", [
    (dict(code="BIO 101, sec A"), "code 'BIO 101, sec A' contains the forbidden character(s) ,; org unit codes may "
                                  "not contain any of \\ : * ? \" < > | ' # , % &"),
    (dict(code="B" * 51), "code '%s' is 51 characters long; org unit codes are at most 50" % ("B" * 51)),
    (dict(parent_org_units=[0]), "parent_org_units must be a positive id, got 0"),
    (dict(name=" "), "name must not be empty"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_bad_input_fails_before_any_request(http, args, given, message, check_mode):
    values = dict(name="Biology 101")
    values.update(given)
    result = run_module(d2l_course_template.main, args(**values), check_mode=check_mode)
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls


def test_check_mode_parent_created_earlier_in_the_play_warns(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page())
    result = run_module(d2l_course_template.main, args(name="Biology 101", parent_org_units=["BIOLOGY"]),
                        check_mode=True)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True and result["created"] is True
    assert "parent_org_units: no org unit with code 'BIOLOGY' exists; in check mode this is expected when an " \
        "earlier task creates it" in str(result["warnings"])
    assert only_reads(http)
