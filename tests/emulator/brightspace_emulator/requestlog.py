# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request log read by ``GET /_emulator/requests?since=N``.

Every /d2l/ and /core/ request is recorded (control routes are not). ``seq`` starts at 1;
``since=N`` returns the entries with ``seq > N`` and ``next`` is the highest ``seq`` so far, so
passing ``next`` back as ``since`` reads only newer requests. ``content_range`` is the request's
``Content-Range`` header (null without one): it shows how a client resumed an upload. Secrets never appear: the query
parameters ``x_c``, ``x_d`` and anything naming a token, secret or assertion are removed.
"""
from __future__ import annotations

import threading
import time
from typing import Optional

_SECRET_PARAMS = {"x_c", "x_d"}
_SECRET_WORDS = ("token", "secret", "assertion", "password")


def redact_query(query: dict) -> dict:
    return {k: v for k, v in query.items()
            if k.lower() not in _SECRET_PARAMS and not any(w in k.lower() for w in _SECRET_WORDS)}


class RequestLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries: list = []
        self.seq = 0

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.seq = 0

    def start(self, method: str, path: str, query: dict, auth: str,
              content_range: Optional[str] = None) -> dict:
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "method": method, "path": path,
                     "query": redact_query(query), "status": None, "auth": auth,
                     "time": time.time(), "content_range": content_range}
            self.entries.append(entry)
            return entry

    def since(self, since: int) -> dict:
        with self.lock:
            items = [dict(e) for e in self.entries if e["seq"] > since]
            return {"next": self.seq, "requests": items}
