# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-application rate limiting: a bucket of ``rate_limit`` credits per window.

Each /d2l/ call costs ``REQUEST_COST`` credits. A bucket refills completely when its window
(``rate_window`` seconds, a minute by default, starting with its first call) is over.
Buckets: ``client:<OAuth client id>``,
``app:<ID-key app id>``, or ``anonymous`` for calls without credentials.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from .config import REQUEST_COST, Config


@dataclass
class Verdict:
    allowed: bool
    remaining: int
    reset: int  # whole seconds until the bucket refills (>= 1)
    cost: int

    def headers(self) -> dict:
        h = {
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
            "X-Request-Cost": str(self.cost if self.allowed else 0),
        }
        if not self.allowed:
            h["Retry-After"] = str(self.reset)
        return h


class RateLimiter:
    def __init__(self, config: Config):
        self.config = config
        self.lock = threading.Lock()
        self.buckets: dict = {}  # key -> [window_start, used]

    def reset(self) -> None:
        with self.lock:
            self.buckets.clear()

    def charge(self, key: str, cost: int = REQUEST_COST) -> Verdict:
        now = time.monotonic()
        limit = int(self.config.rate_limit)
        window = float(self.config.rate_window)
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None or now - bucket[0] >= window:
                bucket = [now, 0]
                self.buckets[key] = bucket
            reset = max(1, math.ceil(window - (now - bucket[0])))
            if bucket[1] + cost > limit:
                # NOTE: no evidence; a refused call (429) costs nothing and does no work
                # (NOTES.md: the client "waits Retry-After and retries").
                return Verdict(False, max(0, limit - bucket[1]), reset, cost)
            bucket[1] += cost
            return Verdict(True, limit - bucket[1], reset, cost)
