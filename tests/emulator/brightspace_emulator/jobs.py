"""A generic, time-based job engine.

A job has a ``kind`` (e.g. ``copy``, ``import``, ``ep-export``), a creation time, a list of
``(status, seconds)`` phases and a final ``outcome``. Its status is computed from the wall-clock
time elapsed since creation, so a restarted emulator (with a state file) carries on where it
was. A fault rule with ``job_outcome`` replaces the outcome of the next job created by a
matching request (see faults.py).

Later issues build copy/import/ePortfolio jobs on ``JobEngine.create`` and ``JobEngine.status``.
"""
from __future__ import annotations

import secrets
import time
from typing import Optional, Sequence


def even_phases(statuses: Sequence[str], duration: float) -> list:
    """Split ``duration`` seconds evenly over ``statuses``: [(status, seconds), ...]."""
    if not statuses:
        return []
    share = float(duration) / len(statuses)
    return [[s, share] for s in statuses]


def status_at(job: dict, now: float) -> str:
    elapsed = now - job["created"]
    boundary = 0.0
    for status, seconds in job["phases"]:
        boundary += seconds
        if elapsed < boundary:
            return status
    return job["outcome"]


class JobEngine:
    def __init__(self, store, faults, config, clock=time.time):
        self.store = store
        self.faults = faults
        self.config = config
        self.clock = clock  # NOTE: real wall clock, not shifted by clock_offset

    def create(self, kind: str, statuses: Sequence[str], outcome: str, *,
               data: Optional[dict] = None, duration: Optional[float] = None,
               phases: Optional[list] = None, request_method: Optional[str] = None,
               request_path: Optional[str] = None, token: Optional[str] = None) -> dict:
        """Create a job. ``statuses`` share ``duration`` (default: config.job_duration)
        unless explicit ``phases`` [(status, seconds)] are given. When the creating request's
        method/path are passed, a matching ``job_outcome`` fault overrides ``outcome``."""
        if phases is None:
            phases = even_phases(statuses, self.config.job_duration if duration is None else duration)
        forced = None
        if request_method and request_path:
            forced = self.faults.take_job_outcome(request_method, request_path)
        job = {
            "id": token or secrets.token_hex(8),
            "kind": kind,
            "created": self.clock(),
            "phases": [[s, float(sec)] for s, sec in phases],
            "outcome": forced or outcome,
            "forced_outcome": forced is not None,
            "data": data or {},
        }
        with self.store.mutate() as state:
            state["jobs"][job["id"]] = job
        return dict(job)

    def get(self, job_id: str, kind: Optional[str] = None) -> Optional[dict]:
        job = self.store.data["jobs"].get(job_id)
        if job is None or (kind is not None and job["kind"] != kind):
            return None
        return job

    def status(self, job_or_id, now: Optional[float] = None) -> Optional[str]:
        job = self.get(job_or_id) if isinstance(job_or_id, str) else job_or_id
        if job is None:
            return None
        return status_at(job, self.clock() if now is None else now)

    def is_final(self, job_or_id, now: Optional[float] = None) -> bool:
        job = self.get(job_or_id) if isinstance(job_or_id, str) else job_or_id
        return job is not None and self.status(job, now) == job["outcome"] and \
            (self.clock() if now is None else now) - job["created"] >= \
            sum(sec for _status, sec in job["phases"])

    def describe(self, job: dict) -> dict:
        out = dict(job)
        out["status"] = self.status(job)
        return out
