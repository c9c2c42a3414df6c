# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error bodies, in the three formats the real service mixes.

Format choices (documented in README.md):
- ``problem``: ``application/problem+json`` ``{"type","status","title","detail","instance"}``:
  request-body/query validation (400), bearer auth (401), missing scope (403), org units,
  course offerings and templates that do not exist or are of the wrong type (404), 429.
- ``errors``: ``application/json`` ``{"Errors": [{"Message": "..."}]}``: business-rule
  refusals on valid blocks (duplicate code, bad code characters, EndDate before StartDate,
  template still used, ...), unsupported API version (404), unknown route (404), upload
  protocol errors and unknown upload keys.
- ``text``: ``text/plain``: ID-key signature failures (403 ``Invalid token`` /
  ``Timestamp out of range <server time>``), like the real service.
"""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import Optional

from starlette.responses import Response

PROBLEM = "problem"
ERRORS = "errors"
TEXT = "text"


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ApiError(Exception):
    """Raise from a route to answer an error; see module docstring for ``fmt``."""

    def __init__(self, status: int, message: str, fmt: str = PROBLEM,
                 headers: Optional[dict] = None, title: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fmt = fmt
        self.headers = headers or {}
        self.title = title


def problem_response(status: int, detail: str, instance: str = "", title: Optional[str] = None,
                     headers: Optional[dict] = None) -> Response:
    body = {
        "type": f"https://httpstatuses.io/{status}",
        "status": status,
        "title": title or _title(status),
        "detail": detail,
        "instance": instance,
    }
    return Response(json.dumps(body), status_code=status, headers=headers,
                    media_type="application/problem+json")


def errors_response(status: int, message: str, headers: Optional[dict] = None) -> Response:
    return Response(json.dumps({"Errors": [{"Message": message}]}), status_code=status,
                    headers=headers, media_type="application/json")


def text_response(status: int, message: str, headers: Optional[dict] = None) -> Response:
    return Response(message, status_code=status, headers=headers, media_type="text/plain")


def error_response(err: ApiError, instance: str = "") -> Response:
    if err.fmt == ERRORS:
        return errors_response(err.status, err.message, err.headers)
    if err.fmt == TEXT:
        return text_response(err.status, err.message, err.headers)
    return problem_response(err.status, err.message, instance, err.title, err.headers)


def not_found_orgunit(what: str = "org unit") -> ApiError:
    return ApiError(404, f"Could not resolve {what} to a known org unit.", PROBLEM)


def bad_request(message: str) -> ApiError:
    """Business-rule refusal of a well-formed block (legacy ``Errors`` format)."""
    return ApiError(400, message, ERRORS)
