# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job path: start (or attach to) one asynchronous job, then wait for it.

``Job`` declares a kind of job (implemented per API family), ``TasksJob`` one that a single
request starts as several tasks (the ePortfolio import into several users); ``JobRun`` runs
either, with check mode, diff and the one rule for uncertain starts (never resent). Like the ensure engine, it imports nothing from
Ansible and works on any ``context`` with ``params``, ``client``, ``check_mode``, ``_diff`` and
``warn()``.
"""

from __future__ import annotations

from .ensure import Declared
from .errors import BrightspaceError, JobFailedError, ValidationError, WaitTimeoutError, not_resent
from .waiter import wait_for_job


class Job(Declared):
    """A kind of asynchronous job a module starts, declared in module_utils like a ``Resource``.

    Subclasses set ``kind`` (a ``waiter.JOB_KINDS`` key) and ``label``, and implement
    ``prepare()`` (check the options, resolve references; returns the job's description, which
    is returned and shown in diff mode), ``start(spec)`` (returns the job token) and
    ``status(spec, token)`` (one status read).
    """

    kind = None
    label = "job"
    token_option = "job_token"  # the option that attaches to an existing job

    def prepare(self):
        raise NotImplementedError

    def satisfied(self, spec):
        """A result dict when there is nothing to do (no job started), else None."""
        return None

    def finish(self, spec, token, waited):
        """Work after the job finished (e.g. fetch its output); returns extra result fields."""
        return {}

    def start(self, spec):
        raise NotImplementedError

    def status(self, spec, token):
        raise NotImplementedError


class TasksJob(Job):
    """A job that one request starts as several tasks (an ePortfolio import into several users),
    each waited for on its own. There is no token to attach to: a run starts once (never resent
    after an uncertain start) and waits on every task.

    Subclasses implement ``prepare()``, ``start(spec)`` (returns the service's answer),
    ``status(spec, token)``, and: ``fields()`` (the result's task fields before anything started,
    as in check mode), ``started(spec, answer)`` (the result fields the answer gives),
    ``tasks(spec, result)`` (``[(token, info)]`` to wait on), ``task_failed(spec, token, info,
    exc)`` (a task dict for a status read that failed for good, or None to fail the run) and
    ``verdict(result)`` (the result, or raise with it).
    """

    token_option = None

    def fields(self):
        return {}

    def started(self, spec, answer):
        raise NotImplementedError

    def tasks(self, spec, result):
        raise NotImplementedError

    def task_failed(self, spec, token, info, exc):
        return None

    def task_done(self, spec, token, info, waited):
        """The task dict of a task waited for."""
        task = dict(info)
        task.update({"status": waited["status"], "status_name": waited["status_name"],
                     "finished": waited["finished"], "duration": waited["duration"]})
        return task

    def verdict(self, result):
        return result


class JobRun:
    """Start or attach, then wait: the one path of every job module.

    - ``job_token`` given: attach to that job (started earlier, or elsewhere) and wait for it;
      nothing is started, so the task reports no change.
    - otherwise start a job (a change). Check mode starts nothing and reads nothing more.
    - ``wait`` (default) polls through ``waiter.wait_for_job``; a failed job or a timed-out wait
      fails the task with the job token, its last status and the history, so a later task can
      wait again with ``job_token``.
    A start that fails ambiguously (5xx, dropped connection) is never resent: the service may
    have queued the job, and there is no route to list jobs and find it again.
    """

    def __init__(self, module, job):
        self.module = module
        self.job = job
        self.check = module.check_mode

    def run(self):
        params = self.module.params
        spec = self.job.prepare()
        if isinstance(self.job, TasksJob):
            return self.run_tasks(spec)
        option = self.job.token_option
        token = params.get(option)
        if token is not None and not str(token).strip():
            raise ValidationError("%s must not be empty" % option)
        started = False
        if not token:
            done = self.job.satisfied(spec)
            if done is not None:
                result = self.result(False, spec, None, None)
                result.update(done)
                return result
            if self.check:
                return self.result(True, spec, None, None)
            token = self.start(spec)
            started = True
        wait = bool(params.get("wait", True)) and not self.check
        try:
            waited = wait_for_job(lambda: self.job.status(spec, token), self.job.kind, token, wait=wait,
                                  wait_timeout=params.get("wait_timeout") or 0,
                                  poll_interval=params.get("poll_interval") or 0, resume_option=option)
        except (JobFailedError, WaitTimeoutError) as exc:
            exc.result = self.result(started, spec, token, exc.result)
            raise
        except BrightspaceError as exc:
            # a status read that failed for good (403, 404, a refused token): the job may still
            # run, so the failure carries its token (and changed, when this task started it)
            if not isinstance(getattr(exc, "result", None), dict):
                exc.result = self.result(started, spec, token, None)
            raise
        result = self.result(started, spec, token, waited)
        if waited.get("finished") and not self.check:
            try:
                extra = self.job.finish(spec, token, waited)
            except BrightspaceError as exc:
                exc.result = result
                raise
            changed = extra.pop("changed", None)
            result.update(extra)
            if changed:
                result["changed"] = True
        return result

    def run_tasks(self, spec):
        """Start once, then wait on each task the answer names (see ``TasksJob``)."""
        params = self.module.params
        result = dict(spec)
        result["changed"] = True
        result.update(self.job.fields())
        if self.module._diff:  # pylint: disable=protected-access
            result["diff"] = {"before": {}, "after": dict(spec)}
        if self.check:
            return result
        answer = self.start(spec)
        try:
            result.update(self.job.started(spec, answer))
            result["jobs"] = []
            for token, info in self.job.tasks(spec, result):
                try:
                    waited = wait_for_job(lambda: self.job.status(spec, token), self.job.kind, token,
                                          wait=bool(params.get("wait", True)),
                                          wait_timeout=params.get("wait_timeout") or 0,
                                          poll_interval=params.get("poll_interval") or 0, resume_option=None)
                except BrightspaceError as exc:
                    task = self.job.task_failed(spec, token, info, exc)
                    if task is None:
                        raise
                    result["jobs"].append(task)
                    continue
                result["jobs"].append(self.job.task_done(spec, token, info, waited))
        except BrightspaceError as exc:
            if not isinstance(getattr(exc, "result", None), dict):
                exc.result = result  # started: changed, with what is known of the tasks
            raise
        return self.job.verdict(result)

    def start(self, spec):
        try:
            return self.job.start(spec)
        except BrightspaceError as exc:
            not_resent(exc, "the %s job may have been queued all the same: it was not started again. Check "
                            "the target before running the task again" % self.job.label)

    def result(self, started, spec, token, waited):
        waited = dict(waited or {})
        waited.pop("job_id", None)
        result = dict(spec)
        result.update({"changed": started or (token is None and self.check), self.job.token_option: token,
                       "status": waited.get("status"), "finished": waited.get("finished", False),
                       "duration": waited.get("duration", 0.0), "polls": waited.get("polls", 0),
                       "history": waited.get("history", [])})
        if "last_error" in waited:
            result["last_error"] = waited["last_error"]
        if self.module._diff:  # pylint: disable=protected-access
            job = dict(spec)
            job[self.job.token_option] = token
            result["diff"] = {"before": job if not result["changed"] else {}, "after": job}
        return result
