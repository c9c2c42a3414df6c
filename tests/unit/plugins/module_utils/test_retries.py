# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retries and rate limiting: 429, 5xx, connection errors, the time budget, pacing."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceConnectionError, BrightspaceHTTPError)
from ansible_collections.d2l.brightspace.plugins.module_utils.retries import RateLimiter, RetryPolicy

from d2l_unit_helpers import FakeTime

WHOAMI = "/d2l/api/lp/1.47/users/whoami"
COURSES = "/d2l/api/lp/1.47/courses/"
ME = {"Identifier": "170"}
COURSE = {"Name": "Biology", "Code": "BIO-101"}


# -- the policy on its own ------------------------------------------------------------------

def test_backoff_is_jittered_exponential_and_capped():
    draws = iter([0.0, 1.0, 0.5, 1.0, 0.0])
    policy = RetryPolicy(base_delay=0.5, max_delay=10.0, rand=lambda: next(draws))
    assert policy.backoff(0) == 0.25      # half of 0.5
    assert policy.backoff(0) == 0.5       # all of 0.5
    assert policy.backoff(2) == 1.5       # 2.0 * 0.75
    assert policy.backoff(10) == 10.0     # 512 capped at 10
    assert policy.backoff(10) == 5.0


def test_wait_respects_the_budget():
    time = FakeTime(0.0)
    policy = RetryPolicy(budget=5, clock=time.clock, sleep=time.sleep)
    deadline = policy.start()
    assert deadline == 5.0
    assert policy.wait(3, deadline) is True
    assert policy.wait(2, deadline) is True   # exactly at the deadline: still allowed
    assert policy.wait(0.1, deadline) is False
    assert time.sleeps == [3, 2] and policy.slept == 5 and policy.retries == 2


@pytest.mark.parametrize("method, idempotent, expected", [
    ("GET", None, True), ("get", None, True), ("PUT", None, True), ("DELETE", None, True),
    ("HEAD", None, True), ("POST", None, False), ("PATCH", None, False), ("POST", True, True),
    ("GET", False, False)])
def test_idempotent_methods(method, idempotent, expected):
    assert RetryPolicy().is_idempotent(method, idempotent) is expected


# -- 429 ------------------------------------------------------------------------------------

def test_429_waits_retry_after_then_succeeds(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=429, answer_headers={"Retry-After": "3"}, text="Too Many Requests")
    http.expect("GET", WHOAMI, answer=ME)
    assert make_client().get_json(WHOAMI) == ME
    assert fake_time.sleeps == [3.0]


def test_429_on_post_is_resent_because_no_work_was_done(http, make_client, fake_time):
    http.expect("POST", COURSES, json=COURSE, status=429, answer_headers={"Retry-After": "3"})
    http.expect("POST", COURSES, json=COURSE, answer={"Identifier": "6609"})
    assert make_client().send_json("POST", COURSES, COURSE) == {"Identifier": "6609"}
    assert fake_time.sleeps == [3.0]


def test_429_without_retry_after_backs_off(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=429)
    http.expect("GET", WHOAMI, answer=ME)
    make_client().get_json(WHOAMI)
    assert fake_time.sleeps == [0.5]


def test_429_retry_after_beyond_the_budget_is_raised_at_once(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=429, answer_headers={"Retry-After": "300"}, text="slow down")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(retry_budget=120).get_json(WHOAMI)
    assert info.value.status == 429
    assert str(info.value) == "GET /d2l/api/lp/1.47/users/whoami failed: 429 Too Many Requests: slow down"
    assert fake_time.sleeps == []


# -- 5xx ------------------------------------------------------------------------------------

def test_503_on_get_backs_off_then_succeeds(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=503)
    http.expect("GET", WHOAMI, status=502)
    http.expect("GET", WHOAMI, status=504)
    http.expect("GET", WHOAMI, answer=ME)
    assert make_client().get_json(WHOAMI) == ME
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_503_on_post_is_ambiguous_and_never_resent(http, make_client, fake_time):
    http.expect("POST", COURSES, json=COURSE, status=503, text="Service Unavailable")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().send_json("POST", COURSES, COURSE)
    assert info.value.ambiguous is True
    assert info.value.status == 503
    assert len(http.calls) == 1 and fake_time.sleeps == []


def test_503_on_post_marked_idempotent_is_resent(http, make_client, fake_time):
    http.expect("POST", "/d2l/api/lp/1.47/x", status=503)
    http.expect("POST", "/d2l/api/lp/1.47/x", answer={})
    make_client().send_json("POST", "/d2l/api/lp/1.47/x", {}, idempotent=True)
    assert fake_time.sleeps == [0.5]


def test_500_is_not_retried(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=500, text="boom")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().get_json(WHOAMI)
    assert info.value.ambiguous is False and fake_time.sleeps == []


def test_budget_exhausted_raises_the_last_error(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=503, text="first")
    http.expect("GET", WHOAMI, status=503, text="second")
    http.expect("GET", WHOAMI, status=503, text="third")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(retry_budget=2).get_json(WHOAMI)
    # 0.5 + 1.0 fit in 2 s, the next 2.0 does not
    assert fake_time.sleeps == [0.5, 1.0]
    assert str(info.value) == "GET /d2l/api/lp/1.47/users/whoami failed: 503 Service Unavailable: third"
    assert info.value.ambiguous is False


def test_one_budget_for_429_and_503(http, make_client, fake_time):
    http.expect("GET", WHOAMI, status=429, answer_headers={"Retry-After": "4"})
    http.expect("GET", WHOAMI, status=503, text="down")
    with pytest.raises(BrightspaceHTTPError, match="503 Service Unavailable: down"):
        make_client(retry_budget=4.2).get_json(WHOAMI)
    assert fake_time.sleeps == [4.0]


# -- connection errors ----------------------------------------------------------------------

def test_connection_error_on_get_is_retried(http, make_client, fake_time):
    http.drop("GET", WHOAMI)
    http.drop("GET", WHOAMI, exc=requests.exceptions.ReadTimeout("read timed out"))
    http.expect("GET", WHOAMI, answer=ME)
    assert make_client().get_json(WHOAMI) == ME
    assert fake_time.sleeps == [0.5, 1.0]


def test_connection_error_on_post_is_not_retried(http, make_client, fake_time):
    http.drop("POST", COURSES, json=COURSE)
    with pytest.raises(BrightspaceConnectionError) as info:
        make_client().send_json("POST", COURSES, COURSE)
    assert info.value.ambiguous is True
    assert len(http.calls) == 1 and fake_time.sleeps == []


def test_connect_timeout_on_post_is_retried_since_nothing_was_sent(http, make_client, fake_time):
    http.drop("POST", COURSES, json=COURSE, exc=requests.exceptions.ConnectTimeout("connect timed out"))
    http.expect("POST", COURSES, json=COURSE, answer={"Identifier": "6609"})
    make_client().send_json("POST", COURSES, COURSE)
    assert fake_time.sleeps == [0.5]


def test_connection_errors_until_the_budget_is_spent(http, make_client, fake_time):
    http.drop("GET", WHOAMI)
    http.drop("GET", WHOAMI)
    with pytest.raises(BrightspaceConnectionError) as info:
        make_client(retry_budget=1).get_json(WHOAMI)
    assert fake_time.sleeps == [0.5]
    assert str(info.value) == "GET /d2l/api/lp/1.47/users/whoami failed: connection error (ConnectionError)"


# -- pacing ---------------------------------------------------------------------------------

def limits(remaining, reset, cost=10):
    return {"X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(reset),
            "X-Request-Cost": str(cost)}


def test_pacing_when_few_calls_are_left(http, make_client, fake_time):
    http.expect("GET", WHOAMI, answer=ME, answer_headers=limits(30, 12))       # 3 calls left
    http.expect("GET", WHOAMI, answer=ME, answer_headers=limits(49990, 60))    # bucket refilled
    http.expect("GET", WHOAMI, answer=ME)
    client = make_client()
    client.get_json(WHOAMI)
    assert fake_time.sleeps == []
    client.get_json(WHOAMI)
    assert fake_time.sleeps == [12 / 4]     # reset / (calls_left + 1)
    client.get_json(WHOAMI)
    assert fake_time.sleeps == [3.0]        # plenty left: no pause
    assert client.limiter.paused == 3.0


def test_pacing_continues_without_fresh_headers(http, make_client, fake_time):
    http.expect("GET", WHOAMI, answer=ME, answer_headers=limits(20, 9))  # 2 calls left
    http.expect("GET", WHOAMI, answer=ME)
    http.expect("GET", WHOAMI, answer=ME)
    client = make_client()
    for _call in range(3):
        client.get_json(WHOAMI)
    # 9/3 = 3 s; then one call left and 6 s to go: 6/2 = 3 s
    assert fake_time.sleeps == [3.0, 3.0]


def test_no_pacing_at_ten_calls_left(http, make_client, fake_time):
    http.expect("GET", WHOAMI, answer=ME, answer_headers=limits(100, 30))
    http.expect("GET", WHOAMI, answer=ME)
    client = make_client()
    client.get_json(WHOAMI)
    client.get_json(WHOAMI)
    assert fake_time.sleeps == []


def test_limiter_uses_the_request_cost():
    time = FakeTime(0.0)
    limiter = RateLimiter(clock=time.clock, sleep=time.sleep)
    response = requests.Response()
    response.headers.update(limits(100, 10, cost=25))  # 4 calls of 25 left
    limiter.observe(response)
    limiter.pace()
    assert time.sleeps == [2.0]  # 10 / (4 + 1)
    assert limiter.remaining == 75


def test_threads_sharing_a_limiter_take_successive_slots_but_none_after_the_refill():
    """Eight threads at an almost empty bucket: each call one interval after the previous one,
    and none later than the refill (a new window): an empty bucket never queues a thread for
    several windows."""
    time = FakeTime(0.0)
    sleeps = []
    limiter = RateLimiter(clock=time.clock, sleep=sleeps.append)  # sleeping threads: the clock stands
    response = requests.Response()
    response.headers.update(limits(30, 12))  # 3 calls of 10 left, the bucket refills in 12 s
    limiter.observe(response)
    for _thread in range(8):  # they all ask at once
        limiter.pace()
    # 12/4 s, then 12/3 s after that, then 12/2 s after that but capped at the refill, then the refill
    assert sleeps == [3.0, 7.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0]
