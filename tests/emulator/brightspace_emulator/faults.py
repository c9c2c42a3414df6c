# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection rules set through ``POST /_emulator/faults``.

A rule matches a request when ``method`` is null or equal (case-insensitive) and the regex
``path`` is found (``re.search``) in the URL path. Each match consumes one of its ``times``.
Effects, in order: ``delay`` (seconds, asyncio sleep), then ``drop`` (close the TCP connection
without any HTTP response), ``drop_after_bytes`` (let the route read that many request-body
bytes, then close the TCP connection when it reads further; see middleware.py) or ``status``
(answer with ``status``, ``headers``, ``body`` without doing the work); a rule with only
``delay`` lets the request proceed afterwards.

``job_outcome`` rules are not consumed by the middleware: the next *job created* by a request
matching the rule consumes one use and ends with that status instead of its normal outcome.
Job kinds whose statuses are not strings name the values they accept (ePortfolio jobs:
"Aborted", "Complete", "CompleteWithErrors" or "1", "2", "3"); a rule with another value is
left alone by such a job.

``lr_execution`` rules (``{"status": 1|2, "message": "..."}``) are not consumed by the
middleware either: the next *Learning Repository* request matching the rule (after its
authentication, scope and version checks) consumes one use and answers 200 with that
ExecutionStatus and ExecutionMessage: status 2 (ERROR) without doing the work, status 1 (WARN)
after doing it, replacing the OK status of its normal answer (see routes/lr.py).
"""
from __future__ import annotations

import itertools
import re
import threading
from typing import Callable, Optional


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules: list = []
        self._ids = itertools.count(1)

    def add(self, rule: dict) -> int:
        re.compile(rule["path"])  # raises re.error for a bad regex
        with self.lock:
            rule = dict(rule)
            rule["id"] = next(self._ids)
            rule["remaining"] = rule.get("times") or 1
            self.rules.append(rule)
            return rule["id"]

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def list(self) -> list:
        with self.lock:
            return [dict(r) for r in self.rules]

    @staticmethod
    def _matches(rule: dict, method: str, path: str) -> bool:
        if rule.get("method") and rule["method"].upper() != method.upper():
            return False
        return re.search(rule["path"], path) is not None

    @staticmethod
    def _kind(rule: dict) -> str:
        if rule.get("job_outcome"):
            return "job"
        if rule.get("lr_execution"):
            return "lr"
        return "request"

    def _take(self, method: str, path: str, kind: str,
              accept: Optional[Callable[[str], bool]] = None) -> Optional[dict]:
        with self.lock:
            for rule in self.rules:
                if self._kind(rule) != kind:
                    continue
                if accept is not None and not accept(rule["job_outcome"]):
                    continue
                if rule["remaining"] > 0 and self._matches(rule, method, path):
                    rule["remaining"] -= 1
                    if rule["remaining"] <= 0:
                        self.rules.remove(rule)
                    return dict(rule)
        return None

    def take_request_fault(self, method: str, path: str) -> Optional[dict]:
        return self._take(method, path, "request")

    def take_job_outcome(self, method: str, path: str,
                         accept: Optional[Callable[[str], bool]] = None) -> Optional[str]:
        """The ``job_outcome`` of the first matching rule (one use consumed); ``accept``
        skips rules whose value the job kind does not know."""
        rule = self._take(method, path, "job", accept=accept)
        return rule["job_outcome"] if rule else None

    def take_lr_execution(self, method: str, path: str) -> Optional[dict]:
        """The ``lr_execution`` of the first matching rule (one use consumed), or None."""
        rule = self._take(method, path, "lr")
        return dict(rule["lr_execution"]) if rule else None
