# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Legacy ID-key signing (NOTES.md, "Authentication"): an app id and key and a user id and key
sign every request; no token endpoint, nothing cached. It has the hooks every scheme in
``auth`` has (``apply``, ``recover``, ``secrets``)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import time

from typing import Callable, List
from urllib.parse import unquote_plus, urlsplit

try:
    from requests.utils import requote_uri
except ImportError:  # pragma: no cover - the client reports requests missing
    def requote_uri(uri):
        return uri

# NOTE: NOTES.md, "Authentication": a bad clock gets 403 "Timestamp out of range <server time>".
TIMESTAMP_OUT_OF_RANGE = re.compile(r"Timestamp out of range\s*(\d+)")


@dataclasses.dataclass
class IdKeyAuth:
    """Legacy ID-key signing (NOTES.md): x_a, x_b, x_c, x_d, x_t on every request."""

    kind = "idkey"
    KEEP_SIGNATURES = 64

    app_id: str
    app_key: str = dataclasses.field(repr=False)
    user_id: str
    user_key: str = dataclasses.field(repr=False)
    clock: Callable[[], float] = time.time
    skew: int = 0
    _skew_fixed: bool = False
    _signatures: List[str] = dataclasses.field(default_factory=list, repr=False)

    @staticmethod
    def sign(key, base):
        digest = hmac.new(key.encode("utf-8"), base.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    @staticmethod
    def base_string(method, path, timestamp):
        # NOTE: D2L's SDKs sign the path as sent (percent-encoded), lower-cased, then decoded once
        # with "+" read as a space: the Python SDK's D2LUserContext._build_tokens_for_path uses
        # urllib.parse.unquote_plus(path.lower()); the .NET SDK HttpUtility.UrlDecode.
        return "%s&%s&%s" % (method.upper(), unquote_plus(path.lower()), timestamp)

    def apply(self, method, url, headers, params):
        timestamp = int(self.clock()) + self.skew
        # the path exactly as requests will send it (it re-quotes what is not already quoted)
        base = self.base_string(method, urlsplit(requote_uri(url)).path, timestamp)
        params["x_a"] = self.app_id
        params["x_b"] = self.user_id
        params["x_c"] = self.sign(self.app_key, base)
        params["x_d"] = self.sign(self.user_key, base)
        params["x_t"] = str(timestamp)
        self._signatures = (self._signatures + [params["x_c"], params["x_d"]])[-self.KEEP_SIGNATURES:]

    def recover(self, response):
        if response.status_code != 403 or self._skew_fixed:
            return False
        match = TIMESTAMP_OUT_OF_RANGE.search(response.text or "")
        if not match:
            return False
        self.skew = int(match.group(1)) - int(self.clock())
        self._skew_fixed = True
        return True

    def secrets(self):
        return [self.app_key, self.user_key] + list(self._signatures)
