# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_catalog: the exact requests of a re-run, check mode, purge and bad items (one thread,
so the order is fixed), and the progress lines of the action plugin."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.action.d2l_catalog import Progress
from ansible_collections.d2l.brightspace.plugins.modules import d2l_catalog

from d2l_unit_helpers import run_module
from d2l_lp_helpers import (LP, OFFERING_TYPE, ORGANIZATION_TYPE, SEMESTER_TYPE, TEMPLATE_TYPE, expect_code_lookup,
                            lp_options, only_reads)

OUTYPES = [ORGANIZATION_TYPE, TEMPLATE_TYPE, OFFERING_TYPE, SEMESTER_TYPE]
SEMESTER = {"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F", "Path": "", "Type": SEMESTER_TYPE}
TEMPLATE = {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101", "Path": "", "Type": TEMPLATE_TYPE}
FOUND = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "Path": "",
         "Type": OFFERING_TYPE}
OFFERING = {"Identifier": "6612", "Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "IsActive": True,
            "Path": "", "StartDate": None, "EndDate": None,
            "CourseTemplate": {"Identifier": "6610", "Name": "Biology 101", "Code": "BIO101"},
            "Semester": {"Identifier": "6700", "Name": "Fall 2026", "Code": "2026F"}, "Department": None}
CATALOG = dict(semesters=[{"code": "2026F", "name": "Fall 2026"}],
               templates=[{"code": "BIO101", "name": "Biology 101"}],
               offerings=[{"code": "BIO101-F", "name": "Biology 101 (Fall 2026)", "template": "BIO101",
                           "semester": "2026F"}],
               concurrency=1)


@pytest.fixture
def args(tmp_path):
    return lp_options(tmp_path)


def expect_catalog(http, offering=True):
    """One look-up per resource; the offering's template and semester codes compare with the
    codes its block carries, so nothing else is read."""
    expect_code_lookup(http, "2026F", "5", SEMESTER, outypes=OUTYPES)
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    expect_code_lookup(http, "BIO101-F", "3", *([FOUND] if offering else []))
    if offering:
        http.expect("GET", LP + "/courses/6612", answer=OFFERING)


def test_a_rerun_reads_each_resource_once_and_writes_nothing(http, args):
    expect_catalog(http)
    result = run_module(d2l_catalog.main, args(**CATALOG))
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["summary"] == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 3, "failed": 0, "jobs": 0,
                                 "jobs_failed": 0}
    assert [(r["kind"], r["code"], r["id"], r["action"], r["origin"]) for r in result["resources"]] == [
        ("semester", "2026F", 6700, "unchanged", "semesters[0]"),
        ("course template", "BIO101", 6610, "unchanged", "templates[0]"),
        ("course offering", "BIO101-F", 6612, "unchanged", "offerings[0]")]
    assert only_reads(http) and len(http.sent()) == 5  # the types, three look-ups, one block


def test_check_mode_predicts_the_missing_offering_with_a_diff_and_writes_nothing(http, args):
    expect_catalog(http, offering=False)
    result = run_module(d2l_catalog.main, args(**CATALOG), check_mode=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["summary"]["created"] == 1 and result["summary"]["unchanged"] == 2
    # the template and semester the level before found are taken by id: no second look-up
    assert result["diff"] == [{"before": {}, "after": {
        "id": None, "code": "BIO101-F", "name": "Biology 101 (Fall 2026)", "is_active": None, "start_date": None,
        "end_date": None, "template": 6610, "semester": 6700},
        "before_header": "course offering BIO101-F", "after_header": "course offering BIO101-F"}]
    assert only_reads(http) and len(http.sent()) == 4  # the types and three look-ups


def test_purge_deletes_the_offerings_of_its_semesters_it_does_not_list(http, args):
    expect_code_lookup(http, "2026F", "5", SEMESTER, outypes=OUTYPES)
    expect_code_lookup(http, "BIO101-F", "3")  # listed (state absent): ensured on its own, and not there
    http.expect("GET", LP + "/orgstructure/6700/children/", query={"ouTypeId": "3"},
                answer=[{"Identifier": "6612", "Name": "Listed", "Code": "bio101-f", "Type": OFFERING_TYPE},
                        {"Identifier": "6613", "Name": "Old", "Code": "BIO101-OLD", "Type": OFFERING_TYPE}])
    http.expect("DELETE", LP + "/courses/6613", answer=None)
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True, concurrency=1,
                                               offerings=[{"code": "BIO101-F", "state": "absent"}]))
    # the listed offering (codes compare case-insensitively) is not purged
    assert result["changed"] is True and result["summary"]["deleted"] == 1, result
    purged = [r for r in result["resources"] if r.get("purge")]
    assert purged == [{"kind": "course offering", "code": "BIO101-OLD", "origin": "purge (semester 2026F)",
                       "id": 6613, "action": "deleted", "changed": True, "error": None, "purge": True}]


def test_bad_items_fail_before_any_request_naming_each(http, args):
    result = run_module(d2l_catalog.main, args(
        semesters=[{"code": "2026F", "name": ""}],
        offerings=[{"code": "BIO#1", "template": 0}, {"code": "X"}, {"code": "x"}]))
    assert result["failed"] is True
    assert result["msg"] == (
        "semesters[0]: name must not be empty; offerings[0]: template must be a positive id, got 0; "
        "offerings[0]: code 'BIO#1' contains the forbidden character(s) #; org unit codes may not contain any of "
        "\\ : * ? \" < > | ' # , % &; offerings[2]: course offering code 'x' is given again (first at offerings[1])")
    assert http.sent() == []


def test_progress_is_quiet_for_a_short_run_then_shown_each_tenth():
    now = [0.0]
    lines = []
    progress = Progress("d2l_catalog", clock=lambda: now[0], show=lines.append)
    for done in range(1, 6):
        progress(done, 100, {"error": None})
    assert lines == []  # under three seconds: nothing
    now[0] = 5.0
    for done in range(6, 101):
        progress(done, 100, {"error": "x" if done == 50 else None})
    assert lines[0] == "d2l_catalog: 10/100 resources (10%), 0 failed, 5.0 s"
    assert lines[-1] == "d2l_catalog: 100/100 resources (100%), 1 failed, 5.0 s"
    assert len(lines) == 10


def test_the_connection_options_fall_back_to_the_tasks_environment():
    """On the controller, the task's environment keyword is where BRIGHTSPACE_* come from first
    (a module would see it in its own environment), then the controller's."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.d2l.brightspace.plugins.action.d2l_catalog import SPEC, with_environment

    spec = with_environment(SPEC, {"BRIGHTSPACE_URL": "https://school.example.com", "BRIGHTSPACE_TIMEOUT": "7"})
    params = ArgumentSpecValidator(spec).validate({}).validated_parameters
    assert params["brightspace_url"] == "https://school.example.com" and params["timeout"] == 7
    assert ArgumentSpecValidator(with_environment(SPEC, {})).validate({}).validated_parameters["brightspace_url"] is None
