# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job-completion callbacks: one JSON POST to a client-supplied URL, from a background thread.

The reference (courses.txt, ``CallbackUrl`` / ``callbackUrl``) says the service POSTs the
completion block to the URL "including any query parameters you provided" and expects
``200 OK`` "in a timely fashion (by default, five seconds or less)". The emulator POSTs once,
with a 5 s timeout, and records the outcome; it never retries.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Optional, Tuple
from urllib.parse import urlsplit

from .errors import bad_request

logger = logging.getLogger("brightspace_emulator.callbacks")

TIMEOUT = 5.0  # seconds (courses.txt: "by default, five seconds or less")


def is_http_url(url: str) -> bool:
    """An absolute http:// or https:// URL with a host (and a valid port, no whitespace)."""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and port_ok \
        and not any(c.isspace() for c in url)


def check_callback_url(url: Optional[str], field: str) -> None:
    """400 (``Errors`` format) unless ``url`` is an absolute http:// or https:// URL."""
    if url is None:
        return
    # NOTE: no evidence beyond the page's "a valid URL" that the service "can reach"; the
    # strictest reading: only absolute http(s) URLs with a host (an empty string, a relative
    # URL or another scheme is refused), since the service must be able to POST to it.
    if not is_http_url(url):
        raise bad_request(f"{field} must be an absolute http:// or https:// URL")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None  # a 3xx answer is recorded as the receiver's status, not followed


# NOTE: evidence: the page: "The back-end service expects that your service will respond to that
# POST with a 200 OK ... (by default, five seconds or less)"; no evidence on proxies or redirects,
# the strictest reading: callbacks go straight to the receiver (no proxy from the environment)
# and redirects are not followed (a 3xx is not the receiver's 200 OK).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def post_json(url: str, body: dict, timeout: float = TIMEOUT) -> Tuple[Optional[int], Optional[str]]:
    """POST ``body`` as JSON to ``url``: ``(status or None, error or None)``.

    Anything but ``200`` is recorded as an error (the reference expects 200 OK)."""
    data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, f"receiver answered {exc.code} {exc.reason}, expected 200 OK"
    except Exception as exc:  # pylint: disable=broad-except
        return None, f"{type(exc).__name__}: {exc}"
    if status != 200:
        return status, f"receiver answered {status}, expected 200 OK"
    return status, None
