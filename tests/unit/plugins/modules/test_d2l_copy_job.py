# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_copy_job: the exact requests of each path (start, check mode, attach, failures)."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_copy_job

from d2l_unit_helpers import BASE, run_module

LP = "/d2l/api/lp/1.47"
COPY = "/d2l/api/le/1.74/import/6612/copy/"
OUTYPES = [{"Id": 3, "Code": "Course Offering", "Name": "Course Offering"},
           {"Id": 2, "Code": "Course Template", "Name": "Course Template"}]


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      api_versions={"lp": "1.47", "le": "1.74"}, poll_interval=0.01, retry_budget=0.01, source="MASTER",
                      target="BIO101-F")
        values.update(given)
        return values
    return make


def expect_lookups(http, target=True, source=True, outypes=True):
    if outypes:  # read once per run, then from the discovery cache
        http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    if target:
        http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIO101-F", "orgUnitType": "3"},
                    answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                            "Items": [{"Identifier": "6612", "Code": "BIO101-F", "Name": "Biology"}]})
    if source:
        http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "MASTER", "orgUnitType": "3"},
                    answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                            "Items": [{"Identifier": "6609", "Code": "MASTER", "Name": "Master"}]})


def test_start_and_wait(http, args):
    expect_lookups(http)
    http.expect("POST", COPY, json={"SourceOrgUnitId": 6609, "Components": ["Content", "Quizzes"],
                                    "CallbackUrl": None}, status=202, answer={"JobToken": "tok-1"})
    http.expect("GET", COPY + "tok-1", answer={"Status": "PENDING"})
    http.expect("GET", COPY + "tok-1", answer={"Status": "PROCESSING"})
    http.expect("GET", COPY + "tok-1", answer={"Status": "COMPLETE"})
    result = run_module(d2l_copy_job.main, args(components=["content", "QUIZZES"]))
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert (result["job_token"], result["status"], result["finished"], result["polls"]) == ("tok-1", "COMPLETE", True, 3)
    assert (result["source_id"], result["target_id"], result["components"]) == (6609, 6612, ["Content", "Quizzes"])
    assert [h["status"] for h in result["history"]] == ["PENDING", "PROCESSING", "COMPLETE"]
    assert "diff" not in result


def test_check_mode_starts_nothing(http, args):
    expect_lookups(http)
    result = run_module(d2l_copy_job.main, args(), check_mode=True, diff=True)
    assert result["changed"] is True and result["job_token"] is None and result["polls"] == 0
    after = {"source_id": 6609, "target_id": 6612, "components": None, "callback_url": None, "job_token": None}
    assert result["diff"] == {"before": {}, "after": after}


def test_check_mode_target_created_earlier_in_the_play_warns(http, args):
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIO101-F", "orgUnitType": "3"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    expect_lookups(http, target=False, outypes=False)
    result = run_module(d2l_copy_job.main, args(), check_mode=True)
    assert result["changed"] is True and result["target_id"] is None and result["source_id"] == 6609
    assert "target: no Course Offering with code 'BIO101-F' exists; in check mode this is expected when an " \
        "earlier task creates it" in str(result["warnings"])  # 2.19 wraps warnings in a summary


def test_missing_target_fails_without_a_write(http, args):
    http.expect("GET", LP + "/outypes/", answer=OUTYPES)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "BIO101-F", "orgUnitType": "3"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    result = run_module(d2l_copy_job.main, args())
    assert result["failed"] is True
    assert result["msg"] == "target: no Course Offering with code 'BIO101-F' exists"


def test_source_may_be_a_template(http, args):
    expect_lookups(http, source=False)
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "MASTER", "orgUnitType": "3"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []})
    http.expect("GET", LP + "/orgstructure/", query={"exactOrgUnitCode": "MASTER", "orgUnitType": "2"},
                answer={"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                        "Items": [{"Identifier": "6608", "Code": "MASTER"}]})
    http.expect("POST", COPY, json={"SourceOrgUnitId": 6608, "Components": None, "CallbackUrl": None},
                status=202, answer={"JobToken": "tok-t"})
    http.expect("GET", COPY + "tok-t", answer={"Status": "PENDING"})
    result = run_module(d2l_copy_job.main, args(wait=False))
    assert result["changed"] is True and result["job_token"] == "tok-t" and result["source_id"] == 6608
    assert result["polls"] == 1 and result["finished"] is False and result["status"] == "PENDING"


def expect_id_checks(http):
    """Before a job starts, a target or source given by id is read (an unknown id: no POST)."""
    http.expect("GET", LP + "/courses/6612", answer={"Identifier": "6612", "Code": "BIO101-F", "Name": "Biology"})
    http.expect("GET", LP + "/orgstructure/6609", answer={"Identifier": "6609", "Code": "MASTER", "Name": "Master"})


def test_ids_are_read_before_the_start(http, args):
    expect_id_checks(http)
    http.expect("POST", COPY, json={"SourceOrgUnitId": 6609, "Components": None,
                                    "CallbackUrl": "https://hooks.example.com/done?x=1"},
                status=202, answer={"JobToken": "tok-2"})
    http.expect("GET", COPY + "tok-2", answer={"Status": "COMPLETE"})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612,
                                                callback_url="https://hooks.example.com/done?x=1"))
    assert result["changed"] is True and result["status"] == "COMPLETE"


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED"])
def test_failed_job_fails_with_its_token(http, args, status):
    expect_id_checks(http)
    http.expect("POST", COPY, json={"SourceOrgUnitId": 6609, "Components": None, "CallbackUrl": None},
                status=202, answer={"JobToken": "tok-3"})
    http.expect("GET", COPY + "tok-3", answer={"Status": status})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612))
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == "course copy job tok-3 ended with status %s" % status
    assert result["job_token"] == "tok-3" and result["status"] == status


@pytest.mark.parametrize("started", [True, False])
def test_a_status_read_refused_for_good_fails_with_the_token(http, args, started):
    """A 403 on the status route (not retried): the job may still run, so the failure carries its
    token, and changed when this task started it."""
    if started:
        expect_id_checks(http)
        http.expect("POST", COPY, json={"SourceOrgUnitId": 6609, "Components": None, "CallbackUrl": None},
                    status=202, answer={"JobToken": "tok-9"})
    else:  # attached: source and target are still looked up (the copy route holds the target's id)
        expect_lookups(http)
    http.expect("GET", COPY + "tok-9", status=403, answer={"Message": "Not authorized to view this job"})
    given = dict(source=6609, target=6612) if started else dict(job_token="tok-9")
    result = run_module(d2l_copy_job.main, args(**given))
    assert result["failed"] is True and result["job_token"] == "tok-9"
    assert result["changed"] is started
    assert "GET" in result["msg"] and "403" in result["msg"]


@pytest.mark.parametrize("unknown, message", [
    ("target", "target: no course offering with id 6612 exists"),
    ("source", "source: no org unit with id 6609 exists"),
])
def test_unknown_id_fails_without_a_write(http, args, unknown, message):
    if unknown == "target":
        http.expect("GET", LP + "/courses/6612", status=404, answer={"Errors": [{"Message": "Not Found"}]})
    else:
        http.expect("GET", LP + "/courses/6612", answer={"Identifier": "6612", "Code": "BIO101-F", "Name": "B"})
        http.expect("GET", LP + "/orgstructure/6609", status=404, answer={"Errors": [{"Message": "Not Found"}]})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612))
    assert result["failed"] is True and result["msg"] == message
    assert [method for method, path in http.sent()] == ["GET"] * len(http.sent())


def test_attach_with_job_token_starts_nothing(http, args):
    http.expect("GET", COPY + "tok-4", answer={"Status": "COMPLETE"})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612, job_token="tok-4"))
    assert result["changed"] is False and result["job_token"] == "tok-4" and result["status"] == "COMPLETE"


def test_attach_in_check_mode_reads_once(http, args):
    http.expect("GET", COPY + "tok-5", answer={"Status": "PROCESSING"})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612, job_token="tok-5"), check_mode=True)
    assert result["changed"] is False and result["polls"] == 1 and result["status"] == "PROCESSING"


def test_unknown_token_names_the_route(http, args):
    http.expect("GET", COPY + "nope", status=404, answer={"Errors": [{"Message": "No such copy job"}]})
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612, job_token="nope"))
    assert result["failed"] is True
    assert result["msg"].startswith("GET /d2l/api/le/1.74/import/6612/copy/nope failed: 404")
    assert "No such copy job" in result["msg"]


def test_ambiguous_start_is_not_resent(http, args):
    expect_id_checks(http)
    http.expect("POST", COPY, json={"SourceOrgUnitId": 6609, "Components": None, "CallbackUrl": None},
                status=502, text="Bad Gateway")
    result = run_module(d2l_copy_job.main, args(source=6609, target=6612))
    assert result["failed"] is True
    assert "the course copy job may have been queued all the same: it was not started again" in result["msg"]
    assert result["changed"] is True  # a change may have happened


@pytest.mark.parametrize("given, message", [
    (dict(components=[]), "components must not be empty: omit it to copy every component"),
    (dict(components=["Contnet"]), "components: unknown course component 'Contnet'; valid components are: "),
    (dict(callback_url="hooks/done"), "callback_url must be an absolute http:// or https:// URL"),
    (dict(source=[1]), "source must be an id (a positive integer) or a code or name (a string), got [1]"),
    (dict(source=0), "source must be a positive id, got 0"),
    (dict(target=-3), "target must be a positive id, got -3"),
    (dict(job_token=""), "job_token must not be empty"),
])
def test_bad_input_fails_before_any_request(http, args, given, message):
    result = run_module(d2l_copy_job.main, args(**given))
    assert result["failed"] is True and result["msg"].startswith(message)
    assert "Traceback" not in str(result)
