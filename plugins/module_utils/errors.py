# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exceptions raised by the shared client. Modules turn them into ``fail_json``."""

from __future__ import annotations

import json


class BrightspaceError(Exception):
    """Base class: anything the client wants a module to report as a failure."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self):
        return self.message


class ValidationError(BrightspaceError):
    """Bad input known before any request."""


class NotFoundError(ValidationError):
    """A reference (a code) names nothing on the service."""


class UnknownIdError(NotFoundError):
    """A reference given as an id names nothing (of that type) on the service. Unlike a code, no
    earlier task of a check-mode play can be about to create it."""


class BrightspaceHTTPError(BrightspaceError):
    """An HTTP request that ended with an unexpected status.

    ``str()`` reads ``POST /d2l/api/lp/1.47/courses/ failed: 400 Bad Request: <detail>``.
    The route never carries a query string: ID-key signatures travel there.
    """

    def __init__(self, method, route, status, reason="", detail="", body=None):
        self.method = method.upper()
        self.route = route
        self.status = status
        self.reason = reason or ""
        self.detail = detail or ""
        self.body = body
        text = "%s %s failed: %s" % (self.method, route, status)
        if self.reason:
            text += " " + self.reason
        if self.detail:
            text += ": " + self.detail
        super().__init__(text, method=self.method, route=route, status=status, detail=self.detail)


class BrightspaceConnectionError(BrightspaceError):
    """The request never got an HTTP answer (refused, reset, timed out) after the retries."""

    def __init__(self, method, route, reason):
        self.method = method.upper()
        self.route = route
        super().__init__("%s %s failed: %s" % (self.method, route, reason), method=self.method, route=route)


class BrightspaceAuthError(BrightspaceError):
    """Credentials missing, refused by the token endpoint, or not usable."""


class MissingLibraryError(BrightspaceError):
    """A Python library a chosen feature needs is not installed (``missing_required_lib``)."""

    def __init__(self, library, reason, error=None):
        super().__init__("the Python library '%s' is required %s" % (library, reason))
        self.library = library
        self.reason = reason
        self.error = error


class JobFailedError(BrightspaceError):
    """A job ended in a failure status. ``result`` carries the waiter's partial result."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class WaitTimeoutError(BrightspaceError):
    """A job did not finish within ``wait_timeout``; ``result`` carries job id and last status."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class UncertainWriteError(BrightspaceError):
    """A write whose answer was lost (5xx, a dropped connection): it may have happened, and it is
    never sent again. ``result`` says ``changed: true``, so the task reports that a change may
    have been made."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = dict(result or {}, changed=True)


def not_resent(exc, consequence):
    """The one rule for uncertain writes: an ambiguous failure (``exc.ambiguous``) of a write that
    must not be repeated (a publish, a job start, an import) becomes an ``UncertainWriteError``
    that says what may have happened (``consequence``); any other error is raised as it is."""
    if getattr(exc, "ambiguous", False):
        raise UncertainWriteError("%s; %s" % (exc, consequence)) from None
    raise exc


MASK = "********"
MIN_SECRET = 6  # shorter strings are not masked: they would blot out ordinary words


def scrub(text, secrets):
    """``text`` with every known secret in it (tokens, keys, assertions) replaced by a mask.

    A service may echo what it was sent (an error page that repeats the form, a refresh token in
    an ``error_description``); whatever comes from the server passes through here before it is
    shown. Longer secrets go first, so one that contains another is masked whole."""
    if not text:
        return text
    for secret in sorted(set(s for s in secrets if s and len(s) >= MIN_SECRET), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def extract_message(response):
    """Best human message from an error response: problem+json, ``Errors`` list, JSON, text."""
    try:
        text = response.text or ""
    except Exception:  # pylint: disable=broad-except
        return ""
    text = text.strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        parts = []
        for key in ("title", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
        if parts:
            # problem+json: "title: detail" unless the title just repeats the HTTP reason
            if len(parts) == 2 and parts[0] == response.reason:
                parts = parts[1:]
            return ": ".join(parts)
        errors = data.get("Errors")
        if isinstance(errors, list):
            messages = [e.get("Message") for e in errors if isinstance(e, dict) and e.get("Message")]
            if messages:
                return "; ".join(messages)
        for key in ("error_description", "error", "Message", "message"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
        return text[:500]
    if isinstance(data, str):
        return data
    if text.startswith("<"):
        # HTML error page: keep its title if it has one, never the markup
        lower = text.lower()
        start = lower.find("<title>")
        end = lower.find("</title>")
        if 0 <= start < end:
            return text[start + 7:end].strip()
        return "HTML error page"
    return text[:500]


class LrError(BrightspaceError):
    """An LR action answered ExecutionStatus ERROR (HTTP 200)."""

    def __init__(self, method, route, message):
        super().__init__("%s %s failed: the Learning Repository answered ERROR: %s"
                         % (method, route, message or "(no message)"))
        self.service_message = message


class TokenLocationError(BrightspaceError):
    """The token cache would be written where other users can read or change it."""
