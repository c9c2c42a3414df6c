# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rate limiting and retry policy: the only place that decides to wait and send again.

Rules (NOTES.md, "Rate limiting"):

* 429: the service did no work; wait ``Retry-After`` and resend, whatever the method.
* 502/503/504 and connection errors: resend idempotent requests (GET, HEAD, PUT, DELETE, or a
  call marked idempotent) with jittered exponential backoff. A POST that creates something is
  never resent blindly: the error goes back to the caller, whose ensure path looks the resource
  up before trying again.
* Every retry draws on one time budget (``retry_budget`` seconds, measured on a monotonic
  clock); once it is spent, the last error is reported.
* A polite client slows down as ``X-Rate-Limit-Remaining`` approaches zero: with fewer than
  ``PACE_BELOW_CALLS`` calls left in the bucket, requests are spread evenly over the seconds
  until ``X-Rate-Limit-Reset``.

We keep this in our own small policy rather than urllib3's ``Retry`` because one loop must also
handle the auth hooks (401 refresh, ID-key clock skew) and a single time budget across 429s and
5xx, which ``Retry`` counts separately and in attempts rather than seconds.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time

from typing import Callable, Optional

IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
RETRY_STATUSES = frozenset([502, 503, 504])
PACE_BELOW_CALLS = 10
DEFAULT_COST = 10


def _number(value, default=None):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclasses.dataclass
class RetryPolicy:
    """When and how long to wait before sending a request again (the retry budget in seconds)."""

    budget: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 10.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    slept: float = 0.0
    retries: int = 0

    def __post_init__(self):
        self.budget = float(self.budget)

    def start(self):
        """A new request: returns its deadline."""
        return self.clock() + self.budget

    def is_idempotent(self, method, idempotent=None):
        if idempotent is not None:
            return idempotent
        return method.upper() in IDEMPOTENT_METHODS

    def backoff(self, attempt):
        """Jittered exponential backoff: between half and all of base * 2**attempt, capped."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return ceiling * (0.5 + 0.5 * self.rand())

    def retry_after(self, response):
        value = _number(response.headers.get("Retry-After"))
        if value is None:
            return self.backoff(0)
        return max(0.0, value)

    def wait(self, delay, deadline):
        """Sleep ``delay`` seconds if the budget allows it; False when it does not."""
        if self.clock() + delay > deadline:
            return False
        if delay > 0:
            self.sleep(delay)
            self.slept += delay
        self.retries += 1
        return True


@dataclasses.dataclass
class RateLimiter:
    """Reads the rate-limit headers of every response and paces the next request."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    remaining: Optional[float] = None
    reset_at: Optional[float] = None
    cost: float = DEFAULT_COST
    paused: float = 0.0
    next_at: Optional[float] = None  # when the next paced call may go (threads take turns)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False, compare=False)

    def observe(self, response):
        remaining = _number(response.headers.get("X-Rate-Limit-Remaining"))
        reset = _number(response.headers.get("X-Rate-Limit-Reset"))
        cost = _number(response.headers.get("X-Request-Cost"))
        with self.lock:
            if cost:
                self.cost = cost
            if remaining is not None and reset is not None:
                self.remaining = remaining
                self.reset_at = self.clock() + reset

    def pace(self):
        """Before a request: spread the calls left in the bucket over the time until it refills.
        Threads sharing the limiter each take one call from the bucket under its lock, then
        sleep their own share outside it."""
        with self.lock:
            if self.remaining is None or self.reset_at is None:
                return
            calls_left = int(self.remaining // max(self.cost, 1))
            if calls_left >= PACE_BELOW_CALLS:
                return
            until_reset = self.reset_at - self.clock()
            if until_reset <= 0:
                return
            interval = until_reset / (calls_left + 1)
            now = self.clock()
            start = max(now, self.next_at if self.next_at is not None else now)
            # the next thread's call comes one interval later, but never after the bucket refills:
            # then a new window starts, and every thread may go
            self.next_at = min(start + interval, self.reset_at)
            delay = self.next_at - now
            self.paused += delay
            # one call spent: keep pacing from the new position until fresh headers arrive
            self.remaining = max(0.0, self.remaining - self.cost)
        self.sleep(delay)
