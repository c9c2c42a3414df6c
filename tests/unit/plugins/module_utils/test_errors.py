# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""errors.py: message formats and extract_message on every error body shape."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceConnectionError, BrightspaceHTTPError, JobFailedError, WaitTimeoutError, extract_message)


def response(body, status=400, reason="Bad Request"):
    answer = requests.Response()
    answer.status_code = status
    answer.reason = reason
    answer._content = body.encode("utf-8") if isinstance(body, str) else body
    answer.encoding = "utf-8"
    return answer


@pytest.mark.parametrize("body, message", [
    ({"type": "about:blank", "status": 400, "title": "Bad Request", "detail": "Name is required"}, "Name is required"),
    ({"title": "Validation failed", "detail": "Code is taken"}, "Validation failed: Code is taken"),
    ({"title": "Validation failed"}, "Validation failed"),
    ({"title": "Same", "detail": "Same"}, "Same"),
    ({"Errors": [{"Message": "One"}, {"Message": "Two"}, {"Other": 1}]}, "One; Two"),
    ({"error": "invalid_grant", "error_description": "expired"}, "expired"),
    ({"error": "invalid_client"}, "invalid_client"),
    ({"Message": "Upper"}, "Upper"),
    ({"message": "lower"}, "lower"),
    ({"Other": 1}, '{"Other": 1}'),
    ("just a JSON string", "just a JSON string"),
])
def test_extract_message_from_json(body, message):
    assert extract_message(response(json.dumps(body))) == message


@pytest.mark.parametrize("body, message", [
    ("", ""),
    ("   \n", ""),
    ("Invalid token", "Invalid token"),
    ("  Timestamp out of range 1768000000\n", "Timestamp out of range 1768000000"),
    ("<html><head><TITLE> 403 Forbidden </TITLE></head><body>...</body></html>", "403 Forbidden"),
    ("<html><body><script>x</script></body></html>", "HTML error page"),
    ("x" * 600, "x" * 500),
])
def test_extract_message_from_text(body, message):
    assert extract_message(response(body)) == message


def test_http_error_format_and_details():
    error = BrightspaceHTTPError("post", "/d2l/api/lp/1.47/courses/", 400, "Bad Request", "Name is required")
    assert str(error) == "POST /d2l/api/lp/1.47/courses/ failed: 400 Bad Request: Name is required"
    assert error.details == {"method": "POST", "route": "/d2l/api/lp/1.47/courses/", "status": 400,
                             "detail": "Name is required"}
    assert str(BrightspaceHTTPError("GET", "/r", 418)) == "GET /r failed: 418"
    assert str(BrightspaceHTTPError("GET", "/r", 404, "Not Found")) == "GET /r failed: 404 Not Found"


def test_connection_error_format():
    error = BrightspaceConnectionError("get", "/d2l/api/versions/", "timed out (ReadTimeout)")
    assert str(error) == "GET /d2l/api/versions/ failed: timed out (ReadTimeout)"
    assert error.method == "GET" and error.route == "/d2l/api/versions/"


def test_job_errors_carry_the_result():
    result = {"job_id": "tok", "status": "FAILED"}
    assert JobFailedError("failed", result).result is result
    assert WaitTimeoutError("timed out", result).result is result


def test_not_resent_is_the_one_rule_for_uncertain_writes():
    from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
        BrightspaceConnectionError, UncertainWriteError, not_resent)
    lost = BrightspaceConnectionError("POST", "/d2l/api/le/1.74/import/6612/copy/", "connection reset")
    lost.ambiguous = True
    with pytest.raises(UncertainWriteError) as info:
        not_resent(lost, "the job may have been queued all the same")
    assert str(info.value).endswith("; the job may have been queued all the same")
    assert info.value.result == {"changed": True}
    plain = BrightspaceConnectionError("POST", "/x", "refused")  # never sent: not ambiguous
    with pytest.raises(BrightspaceConnectionError) as info:
        not_resent(plain, "unused")
    assert info.value is plain
