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
    assert result["summary"] == {"created": 0, "updated": 0, "restored": 0, "deleted": 0, "unchanged": 3,
                                 "failed": 0, "jobs": 0, "jobs_failed": 0}
    assert result["plan"]["actions"] == [] and result["plan_digest"].startswith("sha256:")
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
        "end_date": None, "template": 6610, "semester": 6700, "description": None, "can_self_register": None},
        "before_header": "course offering BIO101-F", "after_header": "course offering BIO101-F"}]
    assert only_reads(http) and len(http.sent()) == 4  # the types and three look-ups
    # the plan: the one create, with what the item gives (references as given, defaults included)
    assert result["plan"]["actions"] == [{
        "action": "create", "kind": "course offering", "code": "BIO101-F", "origin": "offerings[0]", "id": None,
        "changes": {"description_format": {"before": None, "after": "text"},
                    "name": {"before": None, "after": "Biology 101 (Fall 2026)"},
                    "semester": {"before": None, "after": "2026F"}, "template": {"before": None, "after": "BIO101"}}}]


CHILDREN = [{"Identifier": "6612", "Name": "Listed", "Code": "bio101-f", "Type": OFFERING_TYPE},
            {"Identifier": "6613", "Name": "Old", "Code": "BIO101-OLD", "Type": OFFERING_TYPE},
            {"Identifier": "6614", "Name": "Not ours", "Code": "CHEM-OLD", "Type": OFFERING_TYPE}]


def expect_purge_reads(http, outypes=True, recycle_bin=False):
    expect_code_lookup(http, "2026F", "5", SEMESTER, outypes=OUTYPES if outypes else None)
    expect_code_lookup(http, "BIO101-F", "3")  # listed (state absent): planned on its own, and not there
    if recycle_bin:  # removal=permanent: an absent item is looked for in the recycle bin too
        http.expect("GET", LP + "/orgstructure/recyclebin/",
                    answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    http.expect("GET", LP + "/orgstructure/6700/children/", query={"ouTypeId": "3"}, answer=CHILDREN)


def test_purge_recycles_the_offerings_it_owns_of_its_semesters_that_it_does_not_list(http, args):
    expect_purge_reads(http)
    http.expect("POST", LP + "/orgstructure/recyclebin/6613/recycle", body=b"")
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True, owns=["BIO*"],
                                               purge_max_percent=50, concurrency=1,
                                               offerings=[{"code": "BIO101-F", "state": "absent"}]))
    # the listed offering (codes compare case-insensitively) and the one not owned are not purged
    assert result["changed"] is True and result["summary"]["deleted"] == 1, result
    purged = [r for r in result["resources"] if r.get("purge")]
    assert purged == [{"kind": "course offering", "code": "BIO101-OLD", "origin": "purge (semester 2026F)",
                       "id": 6613, "action": "deleted", "changed": True, "error": None, "purge": True,
                       "removal": "recycle"}]
    assert [(e["action"], e["code"], e["removal"]) for e in result["plan"]["actions"]] == [
        ("purge", "BIO101-OLD", "recycle")]


def test_purge_in_check_mode_lists_what_would_go_and_writes_nothing(http, args):
    expect_purge_reads(http, recycle_bin=True)
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True, owns=["*-OLD"],
                                               purge_max_percent=100, removal="permanent", concurrency=1,
                                               offerings=[{"code": "BIO101-F", "state": "absent"}]),
                        check_mode=True)
    assert only_reads(http)
    assert sorted((r["code"], r["removal"]) for r in result["resources"] if r.get("purge")) == [
        ("BIO101-OLD", "permanent"), ("CHEM-OLD", "permanent")]


def test_a_purge_over_its_limit_is_refused_before_any_write(http, args):
    """The default limits (10 offerings, 10% of a semester): 2 of its 3 offerings is too much; the
    task fails naming them, and nothing (not even the catalog's own changes) is written."""
    expect_purge_reads(http)
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True, owns=["*"],
                                               concurrency=1, offerings=[{"code": "BIO101-F", "state": "absent"}]))
    assert result["failed"] is True and only_reads(http)
    assert result["msg"] == (
        "purge refused before any change: it would remove 2 of the 3 offerings of semester 2026F (67%), more than "
        "purge_max_percent (10%). The offerings it would remove: BIO101-OLD (2026F), CHEM-OLD (2026F). If the "
        "catalog is right (not a typo in its codes or semesters), raise purge_max or purge_max_percent for this "
        "run, or narrow owns")

    sent = len(http.sent())
    expect_purge_reads(http, outypes=False)
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True, owns=["*"], purge_max=1,
                                               purge_max_percent=100, concurrency=1,
                                               offerings=[{"code": "BIO101-F", "state": "absent"}]))
    assert result["failed"] is True and "it would remove 2 offerings, more than purge_max (1)" in result["msg"]
    assert [method for method, _path in http.sent()[sent:]] == ["GET"] * 3


def test_purge_without_owns_is_refused_before_any_request(http, args):
    result = run_module(d2l_catalog.main, args(semesters=CATALOG["semesters"], purge=True))
    assert result["failed"] is True
    assert result["msg"] == ("purge needs owns: the code patterns (such as BIO*-2026F) of the offerings this catalog "
                             "owns; only offerings matching one of them are ever purged")
    assert http.sent() == []


# -- the plan, its digest, its approval ------------------------------------------------------------

RENAME = dict(CATALOG, offerings=[dict(CATALOG["offerings"][0], name="Biology 101, fall")])


def test_the_approved_digest_applies_and_another_is_refused_naming_the_difference(http, args, tmp_path):
    expect_catalog(http)
    planned = run_module(d2l_catalog.main, args(plan_file=str(tmp_path / "plan.json"),
                                                plan_report=str(tmp_path / "plan.md"), **RENAME),
                         check_mode=True)
    assert only_reads(http)
    assert planned["plan"]["actions"] == [{
        "action": "update", "kind": "course offering", "code": "BIO101-F", "origin": "offerings[0]", "id": 6612,
        "changes": {"name": {"before": "Biology 101 (Fall 2026)", "after": "Biology 101, fall"}}}]
    report = (tmp_path / "plan.md").read_text()
    assert "Digest: `%s`" % planned["plan_digest"] in report
    assert "| course offering | BIO101-F | 6612 | name | Biology 101 (Fall 2026) | Biology 101, fall | offerings[0] |" \
        in report

    # the tenant changed since: the offering was renamed by hand; refused, nothing written
    sent = len(http.sent())
    expect_code_lookup(http, "2026F", "5", SEMESTER)
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, Name="Renamed by hand"))
    refused = run_module(d2l_catalog.main, args(approved_plan_digest=planned["plan_digest"],
                                                approved_plan=str(tmp_path / "plan.json"), **RENAME))
    assert refused["failed"] is True and refused["changed"] is False
    assert refused["msg"] == (
        "the plan is not the approved one, so nothing was changed (approved %s, now %s); the tenant or the catalog "
        "changed since the approval: what differs: update course offering BIO101-F differs (name: approved "
        "\"Biology 101 (Fall 2026)\" -> \"Biology 101, fall\", now \"Renamed by hand\" -> \"Biology 101, fall\")"
        % (planned["plan_digest"], refused["plan_digest"]))
    assert [method for method, _path in http.sent()[sent:]] == ["GET"] * 3

    # as approved: planned again (the same digest), re-read under the lock, written
    sent = len(http.sent())
    expect_code_lookup(http, "2026F", "5", SEMESTER)
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    http.expect("GET", LP + "/courses/6612", answer=OFFERING)
    http.expect("PUT", LP + "/courses/6612", json={"Name": "Biology 101, fall", "Code": "BIO101-F", "StartDate": None,
                                                   "EndDate": None, "IsActive": True})
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, Name="Biology 101, fall"))
    applied = run_module(d2l_catalog.main, args(approved_plan_digest=planned["plan_digest"],
                                                approved_plan=planned["plan"], **RENAME))
    assert not applied.get("failed"), applied
    assert applied["changed"] is True and applied["plan_digest"] == planned["plan_digest"]
    assert applied["summary"]["updated"] == 1


def test_a_plan_that_is_not_the_digest_s_is_refused(http, args):
    result = run_module(d2l_catalog.main, args(approved_plan_digest="sha256:" + "0" * 64,
                                               approved_plan={"actions": []}, **CATALOG))
    assert result["failed"] is True
    assert result["msg"].startswith("approved_plan is not the plan of approved_plan_digest sha256:000")


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


def test_the_digest_alone_finds_the_approved_plan_kept_by_the_check_run_on_this_controller(http, args, tmp_path):
    expect_catalog(http)
    planned = run_module(d2l_catalog.main, args(**RENAME), check_mode=True)
    assert (tmp_path / "plans").is_dir() and len(list((tmp_path / "plans").iterdir())) == 1

    expect_code_lookup(http, "2026F", "5", SEMESTER)
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, Name="Renamed by hand"))
    refused = run_module(d2l_catalog.main, args(approved_plan_digest=planned["plan_digest"], **RENAME))
    assert refused["failed"] is True
    assert "what differs: update course offering BIO101-F differs (name: approved" in refused["msg"]

    # another controller (another token cache) has no such plan: the summary instead
    expect_code_lookup(http, "2026F", "5", SEMESTER, outypes=OUTYPES)
    expect_code_lookup(http, "BIO101", "2", TEMPLATE)
    expect_code_lookup(http, "BIO101-F", "3", FOUND)  # no id remembered there either
    http.expect("GET", LP + "/courses/6612", answer=dict(OFFERING, Name="Renamed by hand"))
    elsewhere = run_module(d2l_catalog.main, args(approved_plan_digest=planned["plan_digest"],
                                                  token_cache=str(tmp_path / "other" / "tokens.json"), **RENAME))
    assert elsewhere["failed"] is True
    assert elsewhere["msg"].endswith("the plan now: 1 update (the approved plan is not kept on this controller: give "
                                     "approved_plan, the plan of the approved run, to have the differences named)")


def test_a_new_term_looks_each_code_up_once_and_creates_level_by_level(http, args):
    """Nothing exists: each code is looked up once while planning (a code an earlier level creates
    is not looked up again for the offering that names it), then the creates, parents first, the
    offering naming what the run created by id."""
    expect_code_lookup(http, "2026F", "5", outypes=OUTYPES)
    expect_code_lookup(http, "BIO101", "2")
    expect_code_lookup(http, "BIO101-F", "3")
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                        "Items": [{"Identifier": "6606", "Name": "Root", "Code": "ROOT", "Path": "",
                                   "Type": ORGANIZATION_TYPE}]})
    http.expect("POST", LP + "/orgstructure/", json={"Type": 5, "Name": "Fall 2026", "Code": "2026F", "Parents": [6606]},
                answer=dict(SEMESTER))
    http.expect("GET", LP + "/orgstructure/", query={"orgUnitType": "1"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                        "Items": [{"Identifier": "6606", "Name": "Root", "Code": "ROOT", "Path": "",
                                   "Type": ORGANIZATION_TYPE}]})
    http.expect("POST", LP + "/coursetemplates/", json={"Name": "Biology 101", "Code": "BIO101", "Path": "",
                                                        "ParentOrgUnitIds": [6606]}, answer=dict(TEMPLATE))
    http.expect("POST", LP + "/courses/", json={"Name": "Biology 101 (Fall 2026)", "Code": "BIO101-F", "Path": "",
                                                "CourseTemplateId": 6610, "SemesterId": 6700, "StartDate": None,
                                                "EndDate": None, "LocaleId": None, "ForceLocale": False,
                                                "ShowAddressBook": False}, answer=OFFERING)
    result = run_module(d2l_catalog.main, args(**CATALOG))
    assert not result.get("failed"), result
    assert result["summary"]["created"] == 3 and result["warnings"] == []
    assert [path for method, path in http.sent() if method == "GET"].count(
        LP + "/orgstructure/?exactOrgUnitCode=2026F&orgUnitType=5") == 1
