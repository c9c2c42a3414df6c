# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A catalog's content jobs: the copy (``copy_from``) or import (``package``) job of each offering
the run creates (or with ``force_copy``), planned with the rest (the package's sha256 is in the
plan, so another file is another plan), then started and waited for together on the one job
path (``jobs.JobRun``)."""

from __future__ import annotations

import hashlib

from concurrent.futures import ThreadPoolExecutor

from ..coursejobs import CourseCopyJob, CourseImportJob
from ..ensure import CREATE
from ..errors import BrightspaceError
from ..jobs import JobRun
from . import plan as plans

DEFAULT_JOB_TIMEOUT = 7200  # seconds a copy or import job is waited for
DEFAULT_POLL_INTERVAL = 5.0


def plan_jobs(catalog):
    """The jobs of ``catalog``'s planned records: ``[job]``, each with its plan ``_entry`` and ``_record``."""
    jobs = []
    for record in catalog.records:
        item = record["_item"]
        if item.kind != "offerings" or record["error"] or item.params.get("state") == "absent":
            continue
        if not (item.params.get("copy_from") or item.params.get("package")):
            continue
        forced = item.params.get("force_copy")
        if forced is None:  # the catalog's own force_copy / force_import
            forced = catalog.params.get("force_copy" if item.params.get("copy_from") else "force_import")
        if record["_plan"].action != CREATE and not forced:
            continue
        copy_job = bool(item.params.get("copy_from"))
        job = {"kind": "copy" if copy_job else "import", "offering": item.params["code"], "origin": item.origin,
               "job_token": None, "status": None, "finished": False, "error": None, "_record": record}
        if copy_job:
            job["_entry"] = plans.entry("job", "copy", item.params["code"], item.origin,
                                        source=item.params["copy_from"],
                                        components=sorted(item.params.get("components") or []) or None)
        else:
            job["_entry"] = plans.entry("job", "import", item.params["code"], item.origin,
                                        package=item.params["package"], sha256=sha256(item.params["package"]))
        jobs.append(job)
    return jobs


def run_jobs(catalog, jobs):
    """Start and wait for the planned jobs of the offerings that were created (or forced)."""
    runnable = []
    for job in jobs:
        record = job.pop("_record")
        if record["error"]:
            job.update(error="not started: the offering failed (%s)" % record["error"], changed=False)
        else:
            runnable.append((job, record))
    if runnable:
        with ThreadPoolExecutor(max_workers=catalog.concurrency) as pool:
            list(pool.map(lambda pair: run_job(catalog, *pair), runnable))
    return jobs


def run_job(catalog, job, record):
    item = record["_item"]
    params = {"target": record["id"] if record["id"] else item.params["code"], "job_token": None,
              "wait": True, "wait_timeout": catalog.params.get("job_timeout") or DEFAULT_JOB_TIMEOUT,
              "poll_interval": catalog.params.get("poll_interval") or DEFAULT_POLL_INTERVAL, "callback_url": None}
    if item.params.get("copy_from"):
        job_class = CourseCopyJob
        params.update(source=item.params["copy_from"], components=item.params.get("components"))
    else:
        job_class = CourseImportJob
        params.update(src=item.params["package"])
    context = catalog.job_context(params)
    try:
        result = JobRun(context, job_class(context)).run()
        job.update(job_token=result.get("job_token"), status=result.get("status"),
                   finished=result.get("finished"), changed=result.get("changed"))
    except BrightspaceError as exc:
        partial = exc.result if isinstance(getattr(exc, "result", None), dict) else {}
        job.update(job_token=partial.get("job_token"), status=partial.get("status"), error=str(exc),
                   changed=bool(partial.get("changed")))
    if context.warnings:
        job["warnings"] = list(context.warnings)


def sha256(path):
    """The package's sha256 (in the plan), or None when it cannot be read (its job fails then)."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None
