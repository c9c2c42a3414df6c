# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_org_unit: the exact requests of each path (check mode, create, re-run, diff, rename,
re-parent, delete, failures)."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_org_unit

from d2l_unit_helpers import run_module
from d2l_lp_helpers import (BIOLOGY, DEPARTMENT_TYPE, LP, NOT_FOUND, OFFERING_TYPE, ORGANIZATION_TYPE, ROOT,
                            SEMESTER_TYPE, TEMPLATE_TYPE, expect_code_lookup, lp_options, only_reads, page)

OUTYPES = [ORGANIZATION_TYPE, TEMPLATE_TYPE, OFFERING_TYPE, SEMESTER_TYPE, DEPARTMENT_TYPE]
FALL = {"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F", "Path": "", "Type": SEMESTER_TYPE}
STATE = {"id": 6700, "name": "Fall 2026", "code": "2026F", "path": "", "type": "Semester", "type_id": 5}


@pytest.fixture
def args(tmp_path):
    return lp_options(tmp_path, type="Semester", code="2026F")


def expect_lookup(http, *items, outypes=True, code="2026F", type_id="5"):
    """The org unit types (read once, then from the discovery cache), then the look-up by code."""
    expect_code_lookup(http, code, type_id, *items, outypes=OUTYPES if outypes else None)


# -- check mode ---------------------------------------------------------------------------------

def test_check_mode_predicts_the_creation_and_writes_nothing(http, args):
    expect_lookup(http)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"), check_mode=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["org_unit"] == {"id": None, "name": "Fall 2026", "parents": None, "code": "2026F",
                                  "type": "Semester"}
    assert result["diff"] == {"before": {}, "after": result["org_unit"]}
    assert only_reads(http)


def test_check_mode_reads_the_parents_it_would_name(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/6606", answer=ROOT)  # an id: read, so it is known to exist
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", parents=[6606, "BIOLOGY"]), check_mode=True)
    assert result["changed"] is True and result["org_unit"]["parents"] == [6606, 6650]
    assert only_reads(http)


def test_check_mode_rename_writes_nothing(http, args):
    expect_lookup(http, FALL)
    result = run_module(d2l_org_unit.main, args(name="Autumn 2026"), check_mode=True)
    assert result["changed"] is True and result["created"] is False
    assert result["org_unit"] == dict(STATE, name="Autumn 2026")
    assert only_reads(http)


# -- apply, apply again ---------------------------------------------------------------------------

def test_create_under_the_organization_then_rerun_sends_one_get(http, args):
    expect_lookup(http)
    # no parents given: the organization (root) is the parent, found by its type
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/orgstructure/", json={"Type": 5, "Name": "Fall 2026", "Code": "2026F",
                                                     "Parents": [6606]}, answer=FALL)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["created"] is True
    assert result["org_unit"] == dict(STATE, parents=[6606])
    assert "diff" not in result

    # the re-run: the org unit types come from the discovery cache, the look-up finds it
    expect_lookup(http, FALL, outypes=False)
    again = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert again["changed"] is False and again["created"] is False and again["org_unit"] == STATE


def test_create_with_parents_by_id_and_code(http, args):
    expect_lookup(http)
    # each parent in the order given: a code is looked up, an id read (so it is known to exist)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    http.expect("GET", LP + "/orgstructure/6606", answer=ROOT)
    http.expect("POST", LP + "/orgstructure/", json={"Type": 5, "Name": "Fall 2026", "Code": "2026F",
                                                     "Parents": [6606, 6650]}, answer=FALL)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", parents=["BIOLOGY", 6606]))
    assert result["changed"] is True and result["org_unit"]["parents"] == [6606, 6650]


def test_rerun_with_the_same_parents_reads_them_and_writes_nothing(http, args):
    expect_lookup(http, FALL)
    http.expect("GET", LP + "/orgstructure/6700/parents/", answer=[ROOT])
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", parents=["DEMO"]))
    assert result["changed"] is False and result["org_unit"] == dict(STATE, parents=[6606])
    assert only_reads(http)


def test_the_type_is_matched_by_name_in_any_case(http, args):
    expect_lookup(http, FALL)
    result = run_module(d2l_org_unit.main, args(type="semester"))
    assert result["changed"] is False and result["org_unit"]["id"] == 6700


# -- diff mode: rename and re-parent -------------------------------------------------------------

def test_rename_puts_the_whole_block_and_reports_the_diff(http, args):
    expect_lookup(http, dict(FALL, Name="Fall"))
    http.expect("GET", LP + "/orgstructure/6700", answer=dict(FALL, Name="Fall"))
    http.expect("PUT", LP + "/orgstructure/6700", json={"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F",
                                                        "Path": "", "Type": SEMESTER_TYPE}, answer=FALL)
    http.expect("GET", LP + "/orgstructure/6700", answer=FALL)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"), diff=True)
    assert result["changed"] is True and result["created"] is False
    assert result["diff"] == {"before": dict(STATE, name="Fall"), "after": STATE}
    assert result["org_unit"] == STATE


def test_reparent_adds_before_it_removes(http, args):
    expect_lookup(http, FALL)
    http.expect("GET", LP + "/orgstructure/6700/parents/", answer=[ROOT])
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page(BIOLOGY))
    http.expect("POST", LP + "/orgstructure/6700/parents/", json=6650)
    http.expect("DELETE", LP + "/orgstructure/6700/parents/6606")
    http.expect("GET", LP + "/orgstructure/6700", answer=FALL)
    http.expect("GET", LP + "/orgstructure/6700/parents/", answer=[BIOLOGY])
    result = run_module(d2l_org_unit.main, args(parents=["BIOLOGY"]), diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"]["parents"] == [6606] and result["diff"]["after"]["parents"] == [6650]


# -- state absent ---------------------------------------------------------------------------------

def test_absent_recycles_it(http, args):
    expect_lookup(http, FALL)
    http.expect("POST", LP + "/orgstructure/recyclebin/6700/recycle", body=b"")
    result = run_module(d2l_org_unit.main, args(state="absent"), diff=True)
    assert result["changed"] is True and result["created"] is False and result["org_unit"] == {}
    assert result["diff"] == {"before": STATE, "after": {}} and result["removal"] == "recycle"


def test_permanent_removal_recycles_then_deletes_from_the_recycle_bin(http, args):
    expect_lookup(http, FALL)
    http.expect("POST", LP + "/orgstructure/recyclebin/6700/recycle", body=b"")
    http.expect("DELETE", LP + "/orgstructure/recyclebin/6700", body=b"")
    result = run_module(d2l_org_unit.main, args(state="absent", removal="permanent"))
    assert result["changed"] is True and result["removal"] == "permanent"


def test_restore_brings_the_semester_back_by_code(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page(dict(FALL, Identifier="6001", Code="2025F"), FALL))
    http.expect("POST", LP + "/orgstructure/recyclebin/6700/restore", body=b"")
    http.expect("GET", LP + "/orgstructure/6700", answer=FALL)
    result = run_module(d2l_org_unit.main, args(restore=True, name=FALL["Name"]))
    assert not result.get("failed"), result
    assert result["changed"] is True and result["restored"] is True and result["org_unit"] == STATE


def test_absent_again_sends_only_the_look_up(http, args):
    expect_lookup(http)
    result = run_module(d2l_org_unit.main, args(state="absent", parents=["IGNORED"]))
    assert result["changed"] is False and result["org_unit"] == {}
    assert only_reads(http)


def test_absent_in_check_mode_deletes_nothing(http, args):
    expect_lookup(http, FALL)
    result = run_module(d2l_org_unit.main, args(state="absent"), check_mode=True)
    assert result["changed"] is True and result["org_unit"] == {}
    assert only_reads(http)


# -- failures ---------------------------------------------------------------------------------

def test_a_refused_create_names_method_route_status_and_message(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/orgstructure/", json={"Type": 5, "Name": "Fall 2026", "Code": "2026F",
                                                     "Parents": [6606]}, status=403,
                answer={"type": "", "status": 403, "title": "Forbidden", "detail": "No permission to create org units"},
                content_type="application/problem+json")
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/orgstructure/ failed: 403 Forbidden: No permission to create " \
        "org units"


def test_a_400_on_create_looks_again_then_fails_with_the_message(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/orgstructure/", status=400, answer={"Errors": [{"Message": "Invalid Code"}]})
    expect_lookup(http, outypes=False)  # not created meanwhile by another run
    http.expect("GET", LP + "/orgstructure/recyclebin/", answer=page())  # nor held by a recycled one
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/orgstructure/ failed: 400 Bad Request: Invalid Code"


def test_a_conflict_on_create_with_the_unit_there_is_present(http, args):
    """Another run created it since the look-up: read again, it is there, nothing else is sent."""
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"}, answer=page(ROOT))
    http.expect("POST", LP + "/orgstructure/", status=409, answer={"Errors": [{"Message": "Code in use"}]})
    expect_lookup(http, FALL, outypes=False)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert not result.get("failed"), result
    assert result["changed"] is False and result["org_unit"] == STATE


def test_a_refused_delete_names_the_route(http, args):
    expect_lookup(http, FALL)
    http.expect("POST", LP + "/orgstructure/recyclebin/6700/recycle", status=403,
                answer={"Errors": [{"Message": "Org unit has children"}]})
    result = run_module(d2l_org_unit.main, args(state="absent"))
    assert result["failed"] is True
    assert result["msg"] == "POST /d2l/api/lp/1.47/orgstructure/recyclebin/6700/recycle failed: 403 Forbidden: " \
        "Org unit has children"


def test_an_unknown_parent_id_fails_before_the_create(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/999", status=404, answer=NOT_FOUND)
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", parents=[999]))
    assert result["failed"] is True and result["msg"] == "parents: no org unit with id 999 exists"
    assert only_reads(http)


def test_two_units_with_the_code_fail(http, args):
    expect_lookup(http, FALL, dict(FALL, Identifier="6701"))
    result = run_module(d2l_org_unit.main, args(name="Fall 2026"))
    assert result["failed"] is True
    assert result["msg"] == "org unit code '2026F' is ambiguous: 2 org units of type Semester have it (ids 6700, 6701)"


def test_an_unknown_type_fails_after_reading_the_types(http, args):
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    result = run_module(d2l_org_unit.main, args(type="Semster", name="Fall 2026"))
    assert result["failed"] is True
    assert result["msg"] == "unknown org unit type 'Semster'; the service knows: Course Offering, Course Template, " \
        "Department, Organization, Semester"


def test_a_missing_name_is_named_before_any_write(http, args):
    expect_lookup(http)
    result = run_module(d2l_org_unit.main, args())
    assert result["failed"] is True and result["msg"] == "org unit '2026F' does not exist; to create it, give name"
    assert only_reads(http)


@pytest.mark.parametrize("given, message", [
    (dict(code="2026#F"), "code '2026#F' contains the forbidden character(s) #; org unit codes may not contain any "
                          "of \\ : * ? \" < > | ' # , % &"),
    (dict(code="C" * 51), "code '%s' is 51 characters long; org unit codes are at most 50" % ("C" * 51)),
    (dict(parents=["BIO:1"]), "parents 'BIO:1' contains the forbidden character(s) :; org unit codes may not "
                              "contain any of \\ : * ? \" < > | ' # , % &"),
    (dict(state="gone"), "value of state must be one of: present, absent, got: gone"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_bad_input_fails_before_any_request(http, args, given, message, check_mode):
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", **given), check_mode=check_mode)
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls


def test_check_mode_parent_created_earlier_in_the_play_warns(http, args):
    expect_lookup(http)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIOLOGY"}, answer=page())
    result = run_module(d2l_org_unit.main, args(name="Fall 2026", parents=["BIOLOGY"]), check_mode=True)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True and result["created"] is True
    assert "parents: no org unit with code 'BIOLOGY' exists; in check mode this is expected when an earlier task " \
        "creates it" in str(result["warnings"])
    assert only_reads(http)
