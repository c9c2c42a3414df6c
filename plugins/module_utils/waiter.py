# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One waiter for every asynchronous job kind of the API.

A job kind is a table entry: which statuses mean done, which mean failed, and how to name them.
The waiter polls a ``fetch()`` callable on a monotonic clock with a growing interval (up to a
cap), keeps the history of status changes, tolerates transient errors inside the loop (the job
exists on the service; a failed poll is not a failed job), and on timeout raises with the job id
and last status so a later task can resume the wait with the job's token.
"""

from __future__ import annotations

import time

from .errors import BrightspaceConnectionError, BrightspaceHTTPError, JobFailedError, WaitTimeoutError
from .retries import RETRY_STATUSES

MAX_POLL_INTERVAL = 30.0
POLL_GROWTH = 1.5


class JobKind:
    def __init__(self, label, done, failed, warn=(), names=None):
        self.label = label
        self.done = frozenset(done)
        self.failed = frozenset(failed)
        self.warn = frozenset(warn)
        self.names = names or {}

    def name(self, status):
        return self.names.get(status, status)

    def finished(self, status):
        return status in self.done or status in self.failed


JOB_KINDS = {
    # the Courses reference page, COPYJOBSTATUS_T
    "copy": JobKind("course copy", done=["COMPLETE"], failed=["FAILED", "CANCELLED"]),
    # the Courses reference page, IMPORTJOBSTATUS_T
    "import": JobKind("course import", done=["COMPLETED"], failed=["IMPORTFAILED"]),
    # the ePortfolio import and export reference page, JOBSTATUS (integers)
    "eportfolio": JobKind("ePortfolio", done=[2, 3], failed=[1], warn=[3], names={
        0: "Queued", 1: "Aborted", 2: "Complete", 3: "CompleteWithErrors", 4: "Processing"}),
}


def wait_for_job(fetch, kind, job_id, wait=True, wait_timeout=1800, poll_interval=2.0,
                 clock=time.monotonic, sleep=time.sleep, resume_option="job_token"):
    """Poll ``fetch()`` (returns the job's status value) until the job finishes.

    Returns ``{"job_id", "status", "status_name", "finished", "duration", "polls", "history"}``.
    Raises ``JobFailedError`` on a failure status and ``WaitTimeoutError`` after ``wait_timeout``
    seconds; both carry that same dict as ``result``.
    """
    job = JOB_KINDS[kind]
    start = clock()
    deadline = start + float(wait_timeout)
    interval = max(0.0, float(poll_interval))
    result = {"job_id": job_id, "status": None, "status_name": None, "finished": False,
              "duration": 0.0, "polls": 0, "history": []}

    def record(status):
        result["status"] = status
        result["status_name"] = job.name(status)
        history = result["history"]
        if not history or history[-1]["status"] != status:
            history.append({"status": status, "status_name": job.name(status),
                            "elapsed": round(clock() - start, 3)})

    while True:
        result["polls"] += 1
        try:
            record(fetch())
        except BrightspaceHTTPError as exc:
            if exc.status not in RETRY_STATUSES and exc.status != 429:
                raise
            result["last_error"] = str(exc)
        except BrightspaceConnectionError as exc:
            result["last_error"] = str(exc)
        result["duration"] = round(clock() - start, 3)
        status = result["status"]
        if job.finished(status):
            result["finished"] = True
            if status in job.failed:
                raise JobFailedError("%s job %s ended with status %s" % (job.label, job_id, job.name(status)), result)
            return result
        if not wait:
            return result
        remaining = deadline - clock()
        if remaining <= 0:
            hint = "; the job goes on"
            if resume_option:
                hint += ": wait for it again with %s=%s" % (resume_option, job_id)
            raise WaitTimeoutError("timed out after %ss waiting for %s job %s (last status: %s)%s" % (
                wait_timeout, job.label, job_id, job.name(status), hint), result)
        sleep(min(interval, remaining))
        interval = min(max(interval * POLL_GROWTH, 0.1), max(float(poll_interval), MAX_POLL_INTERVAL))
