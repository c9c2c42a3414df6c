# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A generic, time-based job engine.

A job has a ``kind`` (e.g. ``copy``, ``import``, ``ep-export``, ``ep-import``), a creation
time, a list of ``(status, seconds)`` phases and a final ``outcome`` (statuses are any JSON
value: course jobs use strings, ePortfolio tasks JOBSTATUS integers). Its status is computed from the wall-clock
time elapsed since creation, so a restarted emulator (with a state file) carries on where it
was. A fault rule with ``job_outcome`` replaces the outcome of the next job created by a
matching request (see faults.py).

Settling: when a job reaches its final status, its completion effect runs exactly once.
Features register per-kind handlers with ``JobEngine.register(kind, effect, callback_body)``;
``settle(job)`` / ``settle_due()`` run the effect of a final, unsettled job inside one store
mutation and mark the stored job ``"settled": true`` (persisted with the state file, so a
restarted emulator never settles twice). If the job's data has a ``CallbackUrl``, the callback
is marked sent in the job data (``data["callback"]``) in that same mutation, then POSTed from a
background thread and its outcome recorded (see callbacks.py).

Settling happens synchronously in the status routes and ``/_emulator/state``, and in a daemon
settler thread (every ``SETTLE_INTERVAL`` seconds) that runs only while unsettled jobs exist:
it is started by ``start_settler()`` (the Emulator calls it at start) and by ``create``, and it
exits when no unsettled job is left or the engine is garbage collected.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from typing import Callable, Optional, Sequence

from . import callbacks

logger = logging.getLogger("brightspace_emulator.jobs")

SETTLE_INTERVAL = 0.2  # seconds between two passes of the settler thread


def even_phases(statuses: Sequence[str], duration: float) -> list:
    """Split ``duration`` seconds evenly over ``statuses``: [(status, seconds), ...]."""
    if not statuses:
        return []
    share = float(duration) / len(statuses)
    return [[s, share] for s in statuses]


def status_at(job: dict, now: float):
    """The status of ``job`` at ``now``: a phase's status, then the outcome (strings for course
    jobs, JOBSTATUS integers for ePortfolio tasks)."""
    elapsed = now - job["created"]
    boundary = 0.0
    for status, seconds in job["phases"]:
        boundary += seconds
        if elapsed < boundary:
            return status
    return job["outcome"]


def _settler_loop(ref, interval: float) -> None:
    """Body of the settler thread; holds the engine only through a weak reference."""
    while True:
        time.sleep(interval)
        engine = ref()
        if engine is None:
            return
        try:
            engine.settle_due()
        except Exception:  # pylint: disable=broad-except
            logger.exception("settling jobs failed")
        with engine.thread_lock:
            if engine.closed or not engine.has_unsettled():
                engine.thread = None
                return
        del engine


class JobEngine:
    def __init__(self, store, faults, config, clock=time.time):
        self.store = store
        self.faults = faults
        self.config = config
        self.clock = clock  # NOTE: emulator mechanics: real wall clock, not shifted by clock_offset
        self.handlers: dict = {}
        self.thread_lock = threading.Lock()
        self.thread: Optional[threading.Thread] = None
        self.closed = False
        self.post_callback = callbacks.post_json  # replaceable in tests

    # --- completion handlers --------------------------------------------------------------
    def register(self, kind: str, effect: Optional[Callable] = None,
                 callback_body: Optional[Callable] = None) -> None:
        """Completion handlers of ``kind``: ``effect(data, job, status)`` changes the store
        ``data`` (called inside the settling mutation); ``callback_body(job, status)`` builds
        the JSON body POSTed to the job's ``data["CallbackUrl"]``."""
        self.handlers[kind] = (effect, callback_body)

    def create(self, kind: str, statuses: Sequence, outcome, *,
               data: Optional[dict] = None, duration: Optional[float] = None,
               phases: Optional[list] = None, request_method: Optional[str] = None,
               request_path: Optional[str] = None, token: Optional[str] = None,
               outcomes: Optional[dict] = None) -> dict:
        """Create a job. ``statuses`` share ``duration`` (default: config.job_duration)
        unless explicit ``phases`` [(status, seconds)] are given. When the creating request's
        method/path are passed, a matching ``job_outcome`` fault overrides ``outcome``; with
        ``outcomes`` (fault value -> status, e.g. {"Aborted": 1}) only rules naming one of its
        keys apply, and the status is the mapped value."""
        if phases is None:
            phases = even_phases(statuses, self.config.job_duration if duration is None else duration)
        forced = None
        if request_method and request_path:
            forced = self.faults.take_job_outcome(
                request_method, request_path,
                accept=None if outcomes is None else outcomes.__contains__)
            if forced is not None and outcomes is not None:
                forced = outcomes[forced]
        job = {
            "id": token or secrets.token_hex(8),
            "kind": kind,
            "created": self.clock(),
            "phases": [[s, float(sec)] for s, sec in phases],
            "outcome": outcome if forced is None else forced,
            "forced_outcome": forced is not None,
            "data": data or {},
            "settled": False,
        }
        with self.store.mutate() as state:
            state["jobs"][job["id"]] = job
        self.wake()
        return dict(job)

    def get(self, job_id: str, kind: Optional[str] = None) -> Optional[dict]:
        job = self.store.data["jobs"].get(job_id)
        if job is None or (kind is not None and job["kind"] != kind):
            return None
        return job

    def status(self, job_or_id, now: Optional[float] = None):
        job = self.get(job_or_id) if isinstance(job_or_id, str) else job_or_id
        if job is None:
            return None
        return status_at(job, self.clock() if now is None else now)

    def is_final(self, job_or_id, now: Optional[float] = None) -> bool:
        job = self.get(job_or_id) if isinstance(job_or_id, str) else job_or_id
        return job is not None and \
            (self.clock() if now is None else now) - job["created"] >= self.duration(job)

    @staticmethod
    def duration(job: dict) -> float:
        """Seconds from creation to the final status."""
        return sum(sec for _status, sec in job["phases"])

    def describe(self, job: dict) -> dict:
        out = dict(job)
        out["status"] = self.status(job)
        return out

    # --- settling -------------------------------------------------------------------------
    def has_unsettled(self) -> bool:
        # list() copies the values atomically (GIL); no store lock needed here.
        return any(not j.get("settled") for j in list(self.store.data["jobs"].values()))

    def settle(self, job_or_id, now: Optional[float] = None) -> bool:
        """Run the completion effect of one job if it is final and not yet settled."""
        job_id = job_or_id if isinstance(job_or_id, str) else job_or_id["id"]
        now = self.clock() if now is None else now
        sends: list = []
        with self.store.lock:
            job = self.store.data["jobs"].get(job_id)
            if job is None or job.get("settled") or not self.is_final(job, now):
                return False
            with self.store.mutate() as data:
                self._settle_locked(data, job, now, sends)
        self._dispatch(sends)
        return True

    def settle_due(self, now: Optional[float] = None) -> int:
        """Settle every final, unsettled job; returns how many were settled."""
        now = self.clock() if now is None else now
        sends: list = []
        with self.store.lock:
            due = [j for j in self.store.data["jobs"].values()
                   if not j.get("settled") and self.is_final(j, now)]
            if not due:
                return 0
            with self.store.mutate() as data:
                for job in due:
                    self._settle_locked(data, job, now, sends)
        self._dispatch(sends)
        return len(due)

    def _settle_locked(self, data: dict, job: dict, now: float, sends: list) -> None:
        status = job["outcome"]
        job["settled"] = True
        job["settled_at"] = now
        effect, callback_body = self.handlers.get(job["kind"], (None, None))
        if effect is not None:
            try:
                effect(data, job, status)
            except Exception:  # pylint: disable=broad-except
                logger.exception("completion effect of job %s failed", job["id"])
        url = job["data"].get("CallbackUrl")
        if url and callback_body is not None and not job["data"].get("callback", {}).get("sent"):
            # Marked sent before sending: a callback is never sent twice, even across restarts.
            job["data"]["callback"] = {"url": url, "sent": True, "status": None, "error": None}
            sends.append((job["id"], url, callback_body(job, status)))

    def _dispatch(self, sends: list) -> None:
        for job_id, url, body in sends:
            threading.Thread(target=self._send_callback, args=(job_id, url, body), daemon=True,
                             name=f"brightspace-emulator-callback-{job_id}").start()

    def _send_callback(self, job_id: str, url: str, body: dict) -> None:
        status, error = self.post_callback(url, body)
        with self.store.mutate() as data:
            job = data["jobs"].get(job_id)
            if job is not None and "callback" in job["data"]:  # gone after a reset
                job["data"]["callback"].update(status=status, error=error)

    # --- settler thread -------------------------------------------------------------------
    def start_settler(self) -> None:
        """Start the settler thread if any job is unsettled (e.g. loaded from a state file)."""
        self.closed = False
        if self.has_unsettled():
            self.wake()

    def wake(self) -> None:
        with self.thread_lock:
            if self.thread is None and not self.closed:
                self.thread = threading.Thread(
                    target=_settler_loop, args=(weakref.ref(self), SETTLE_INTERVAL),
                    daemon=True, name="brightspace-emulator-settler")
                self.thread.start()

    def close(self) -> None:
        """Stop the settler thread (it exits at its next pass)."""
        with self.thread_lock:
            self.closed = True
