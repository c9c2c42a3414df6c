# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wait_for_job: done/failed per job kind, history, backoff, timeout, transient errors."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceConnectionError, BrightspaceHTTPError, JobFailedError, WaitTimeoutError)
from ansible_collections.d2l.brightspace.plugins.module_utils.waiter import JOB_KINDS, wait_for_job

from d2l_unit_helpers import FakeTime


class Statuses:
    """``fetch()``: returns (or raises) the given values in order; fails if polled once too often."""

    def __init__(self, *values):
        self.values = list(values)
        self.polls = 0

    def __call__(self):
        assert self.values, "polled after the job finished"
        self.polls += 1
        value = self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value


def run(fetch, kind, time=None, **kwargs):
    time = time or FakeTime(0.0)
    return wait_for_job(fetch, kind, "job-1", clock=time.clock, sleep=time.sleep, **kwargs), time


@pytest.mark.parametrize("kind, progress, done", [
    ("copy", ["PENDING", "PROCESSING"], "COMPLETE"),
    ("import", ["UPLOADING", "PROCESSING"], "COMPLETED"),
    ("eportfolio", [0, 4], 2),
    ("eportfolio", [0, 4], 3),
])
def test_done_statuses(kind, progress, done):
    result, time = run(Statuses(*(progress + [done])), kind)
    assert result["finished"] is True and result["status"] == done
    assert [h["status"] for h in result["history"]] == progress + [done]
    assert result["polls"] == 3 and time.sleeps == [2.0, 3.0]
    assert result["duration"] == 5.0


@pytest.mark.parametrize("kind, failed, name", [
    ("copy", "FAILED", "FAILED"), ("copy", "CANCELLED", "CANCELLED"),
    ("import", "IMPORTFAILED", "IMPORTFAILED"), ("eportfolio", 1, "Aborted"),
])
def test_failed_statuses(kind, failed, name):
    with pytest.raises(JobFailedError) as info:
        run(Statuses(failed), kind)
    assert str(info.value) == "%s job job-1 ended with status %s" % (JOB_KINDS[kind].label, name)
    assert info.value.result["status"] == failed and info.value.result["finished"] is True
    assert info.value.result["job_id"] == "job-1"


def test_eportfolio_status_names():
    result, _time = run(Statuses(0, 4, 3), "eportfolio")
    assert result["status_name"] == "CompleteWithErrors"
    assert [h["status_name"] for h in result["history"]] == ["Queued", "Processing", "CompleteWithErrors"]


def test_history_records_changes_only_with_elapsed_time():
    result, _time = run(Statuses("PENDING", "PENDING", "PROCESSING", "PROCESSING", "PROCESSING", "COMPLETE"), "copy")
    assert result["history"] == [
        {"status": "PENDING", "status_name": "PENDING", "elapsed": 0.0},
        {"status": "PROCESSING", "status_name": "PROCESSING", "elapsed": 5.0},
        {"status": "COMPLETE", "status_name": "COMPLETE", "elapsed": 2 + 3 + 4.5 + 6.75 + 10.125},
    ]
    assert result["polls"] == 6


def test_backoff_grows_and_is_capped():
    result, time = run(Statuses(*(["PROCESSING"] * 7 + ["COMPLETE"])), "copy", poll_interval=10)
    assert time.sleeps == [10.0, 15.0, 22.5, 30.0, 30.0, 30.0, 30.0]


def test_poll_interval_above_the_cap_is_kept():
    _result, time = run(Statuses("PROCESSING", "PROCESSING", "COMPLETE"), "copy", poll_interval=45)
    assert time.sleeps == [45.0, 45.0]


def test_timeout_raises_with_job_id_and_last_status():
    fetch = Statuses(*(["PENDING"] + ["PROCESSING"] * 10))
    with pytest.raises(WaitTimeoutError) as info:
        run(fetch, "copy", wait_timeout=10)
    message = str(info.value)
    assert message == ("timed out after 10s waiting for course copy job job-1 (last status: PROCESSING); "
                       "the job goes on: wait for it again with job_token=job-1")
    result = info.value.result
    assert result["job_id"] == "job-1" and result["status"] == "PROCESSING" and result["finished"] is False
    assert result["polls"] == 5 and result["duration"] == 10.0
    assert fetch.polls == 5


def test_timeout_sleeps_never_past_the_deadline():
    time = FakeTime(0.0)
    with pytest.raises(WaitTimeoutError):
        run(Statuses(*(["PROCESSING"] * 10)), "copy", time=time, wait_timeout=10)
    assert time.sleeps == [2.0, 3.0, 4.5, 0.5]


def test_transient_errors_inside_the_loop_are_tolerated():
    fetch = Statuses("PROCESSING",
                     BrightspaceHTTPError("GET", "/d2l/api/le/1.74/import/6609/imports/job-1", 503, "Service Unavailable"),
                     BrightspaceConnectionError("GET", "/d2l/api/le/1.74/import/6609/imports/job-1", "connection error (ConnectionError)"),
                     BrightspaceHTTPError("GET", "/x", 429, "Too Many Requests"),
                     "COMPLETED")
    result, _time = run(fetch, "import")
    assert result["status"] == "COMPLETED" and result["polls"] == 5
    assert [h["status"] for h in result["history"]] == ["PROCESSING", "COMPLETED"]
    assert result["last_error"] == "GET /x failed: 429 Too Many Requests"


def test_other_errors_inside_the_loop_are_raised():
    fetch = Statuses("PROCESSING", BrightspaceHTTPError("GET", "/x", 404, "Not Found", "no such job"))
    with pytest.raises(BrightspaceHTTPError, match="404 Not Found: no such job"):
        run(fetch, "import")


def test_wait_false_returns_after_one_poll():
    fetch = Statuses("PROCESSING")
    result, time = run(fetch, "copy", wait=False)
    assert result["finished"] is False and result["status"] == "PROCESSING" and result["polls"] == 1
    assert time.sleeps == [] and fetch.polls == 1


def test_wait_false_still_reports_a_failed_job():
    with pytest.raises(JobFailedError):
        run(Statuses("FAILED"), "copy", wait=False)


def test_waiting_through_the_client(http, make_client, fake_time):
    route = "/d2l/api/le/1.74/import/6609/imports/tok"
    http.expect("GET", route, answer={"JobToken": "tok", "Status": "UPLOADING"})
    http.expect("GET", route, answer={"JobToken": "tok", "Status": "COMPLETED"})
    client = make_client()
    result = wait_for_job(lambda: client.get_json(route)["Status"], "import", "tok",
                          clock=fake_time.clock, sleep=fake_time.sleep)
    assert result["status"] == "COMPLETED" and fake_time.sleeps == [2.0]
