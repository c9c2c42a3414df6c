# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ePortfolio jobs: the export (``d2l_ep_export``) and the import (``d2l_ep_import``)."""

from __future__ import annotations

import os
import stat

from ..downloads import check_destination, download, file_digest, parse_mode
from ..errors import BrightspaceError, BrightspaceHTTPError, ValidationError
from ..jobs import Job, TasksJob
from ..waiter import JOB_KINDS
from .routes import FLAGS_CHANGED_IN, JOB_COMPLETE_WITH_ERRORS, EportfolioApi, check_package, single_number


def _version_tuple(version):
    """An API version as numbers; one that does not parse counts as the newest."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (99,)


class EpExportJob(Job):
    """d2l_ep_export: export/new (object ids) or export/new/all, wait, stream the package to dest."""

    kind = "eportfolio"
    label = "ePortfolio export"
    token_option = "export_id"
    mode = None  # the permission bits asked for (the mode option)

    def prepare(self):
        params = self.module.params
        check_destination(params["dest"])
        self.mode = parse_mode(params.get("mode"))
        object_ids = params.get("object_ids")
        if object_ids is not None:
            if not object_ids:
                raise ValidationError("object_ids must not be empty: give the ePortfolio object ids to export, "
                                      "or all=true")
            bad = [i for i in object_ids if int(i) <= 0]
            if bad:
                raise ValidationError("object_ids must be positive ePortfolio object ids, got %s" % bad)
        elif not params.get("all") and params.get("export_id") is None:
            raise ValidationError("give object_ids, or all=true to export every object you own")
        self.api = EportfolioApi(self.client)
        return {"object_ids": [int(i) for i in object_ids] if object_ids is not None else None,
                "all": object_ids is None, "dest": params["dest"], "query": self.flags()}

    def flags(self):
        """Query parameters, checked against the eP API version in use."""
        params = self.module.params
        given = dict((name, params.get(name)) for name in (
            "include_forms_items", "include_associated_items", "include_associated_reflections",
            "include_reflections_associations") if params.get(name) is not None)
        if not given:
            return {}
        version = self.client.version("eP")
        new_api = _version_tuple(version) >= FLAGS_CHANGED_IN
        for name in ("include_associated_reflections", "include_reflections_associations"):
            if name in given and new_api:
                raise ValidationError("%s is deprecated since ePortfolio API 2.1 and not taken by version %s in use; "
                                      "use include_associated_items" % (name, version))
        if "include_associated_items" in given and not new_api:
            raise ValidationError("include_associated_items needs ePortfolio API 2.1 or later (version %s is in use)"
                                  % version)
        names = {"include_forms_items": "includeFormsItems", "include_associated_items": "includeAssociatedItems",
                 "include_associated_reflections": "includeAssociatedReflections",
                 "include_reflections_associations": "includeReflectionsAssociations"}
        return dict((names[name], "true" if value else "false") for name, value in given.items())

    def satisfied(self, spec):
        dest = spec["dest"]
        if self.module.params.get("force") or os.path.isdir(dest) or not os.path.exists(dest):
            return None
        size, digest = file_digest(dest)
        done = {"path": dest, "size": size, "sha256": digest, "exported": False}
        if self.mode is not None and stat.S_IMODE(os.stat(dest).st_mode) != self.mode:
            if not self.module.check_mode:
                try:
                    os.chmod(dest, self.mode)
                except OSError as exc:
                    raise BrightspaceError("dest: cannot set the mode of '%s': %s" % (dest, exc.strerror or exc))
            done["changed"] = True  # only the file's mode
        return done

    def start(self, spec):
        return self.api.start_export(spec["object_ids"], spec["query"])

    def status(self, spec, token):
        return self.api.export_status(token)

    def finish(self, spec, token, waited):
        if waited["status"] == JOB_COMPLETE_WITH_ERRORS:
            self.module.warn("ePortfolio export %s completed with errors: some objects may be missing from the "
                             "package, which was kept" % token)
        got = download(self.client, self.api.export_package_route(token), spec["dest"],
                       default_name="eP_Export_%s.zip" % token, mode=self.mode)
        return {"path": got["path"], "size": got["size"], "sha256": got["sha256"], "exported": True,
                "previous_sha256": got["previous_sha256"], "changed": got["changed"]}


# ---------------------------------------------------------------------------------- import

class EpImportJob(TasksJob):
    """d2l_ep_import: send the package once (one form part per target user), then wait on every
    job the caller may read.

    The page: an import job for another user "is owned by that user, and not the calling user
    context": its status answers 403 to the caller. Such jobs are reported as not readable, with
    their ids, and not waited for.
    """

    kind = "eportfolio"
    label = "ePortfolio import"

    def __init__(self, module):
        super().__init__(module)
        self.api = EportfolioApi(self.client)
        self.caller_id = None

    def prepare(self):
        params = self.module.params
        package = check_package(params.get("src"))
        users = params.get("target_users")
        if users is not None:
            if not users:
                raise ValidationError("target_users must not be empty: omit it to import into your own ePortfolio")
            bad = [u for u in users if int(u) <= 0]
            if bad:
                raise ValidationError("target_users must be positive user ids, got %s" % bad)
            users = [int(u) for u in users]
        return {"package": package, "target_users": users}

    def fields(self):
        return {"jobs": [], "successful_job_ids": [], "failed_user_ids": [], "error_messages": [],
                "import_job_result_type": None}

    def start(self, spec):
        return self.api.start_import(spec["package"]["path"], spec["target_users"], bool(self.module.params.get("details")))

    def started(self, spec, answer):
        if self.module.params.get("details"):
            answer = answer or {}
            return {"successful_job_ids": [int(i) for i in answer.get("SuccessfulJobIds") or []],
                    "import_job_result_type": answer.get("ImportJobResultType"),
                    "failed_user_ids": [int(u) for u in answer.get("FailedUserIds") or []],
                    "error_messages": list(answer.get("ErrorMessages") or [])}
        if not isinstance(answer, list):
            answer = [single_number(answer, "an import task id", "POST", self.api.route("import/new"))]
        return {"successful_job_ids": [int(i) for i in answer]}

    def tasks(self, spec, result):
        job_ids = result["successful_job_ids"]
        users = self.users_of(job_ids, spec["target_users"], result["failed_user_ids"])
        return [(job_id, {"job_id": job_id, "user_id": user, "readable": True, "status": None, "status_name": None,
                          "finished": False}) for job_id, user in zip(job_ids, users)]

    def status(self, spec, token):
        return self.api.import_status(token)

    @staticmethod
    def users_of(job_ids, users, failed):
        """The target user of each job: the page keeps the order of the target users given."""
        if not users:
            return [None] * len(job_ids)
        remaining = [u for u in users if u not in failed]
        if len(remaining) != len(job_ids):
            return [None] * len(job_ids)
        return remaining

    def task_failed(self, spec, token, info, exc):
        job = dict(info)
        user = info["user_id"]
        if isinstance(exc, BrightspaceHTTPError):
            if exc.status != 403:
                return None
            if self.own(user):
                # the caller's own job: a 403 is the caller's role lacking the permission to see it
                job.update({"readable": False, "failed": True, "message": str(exc)})
                return job
            job.update({"readable": False, "message": "the job belongs to user %s: read its status in that "
                        "user's context" % user})
            return job
        result = getattr(exc, "result", None) or {}
        job.update({"status": result.get("status"), "status_name": result.get("status_name"),
                    "finished": result.get("finished", False), "message": str(exc)})
        return job

    def task_done(self, spec, token, info, waited):
        job = super().task_done(spec, token, info, waited)
        if waited["status"] == JOB_COMPLETE_WITH_ERRORS:
            self.module.warn("ePortfolio import job %s (user %s) completed with errors" % (token, info["user_id"]))
        return job

    def own(self, user):
        """Whether a job imports into the caller's own ePortfolio: no target users given, or the
        target is the caller (``whoami``, read once when first needed)."""
        if user is None:
            return True
        if self.caller_id is None:
            me = self.client.get_json(self.client.route("lp", "users/whoami")) or {}
            self.caller_id = int(me["Identifier"]) if str(me.get("Identifier", "")).isdigit() else -1
        return int(user) == self.caller_id

    def verdict(self, result):
        failed_jobs = [job for job in result["jobs"] if job["status"] in JOB_KINDS["eportfolio"].failed
                       or job.get("failed") or (job.get("message") and job["readable"])]
        problems = []
        if result["failed_user_ids"]:
            problems.append("the import could not start for user(s) %s: %s" % (
                ", ".join(str(u) for u in result["failed_user_ids"]), "; ".join(result["error_messages"])))
        for job in failed_jobs:
            problems.append(job.get("message") or "import job %s (user %s) ended with status %s" % (
                job["job_id"], job["user_id"], job["status_name"]))
        if problems and not self.module.params.get("allow_partial"):
            error = BrightspaceError("; ".join(problems))
            error.result = result
            raise error
        for problem in problems:
            self.module.warn(problem)
        return result
