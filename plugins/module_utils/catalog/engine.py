# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole catalog in one run: semesters, departments, templates and offerings, each ensured by
the same resource and engine as its own module (``OrgUnitResource``, ``CourseTemplateResource``,
``CourseOfferingResource``, ``ensure.Ensure``), level by level, ``concurrency`` at a time in
threads sharing one client (its connection pool, rate-limit pacing, retries and token cache).

Then the copy and import jobs of the offerings this run created (or ``force_copy``), started
and waited for together on the one job path (``jobs.JobRun``), and, with ``purge``, the
offerings under the catalog's semesters that it does not list are deleted. One item's failure
stops nothing else: it is reported with its message, and the run fails at the end.

Like the engine, this imports nothing from Ansible: the module and the action plugin are its
adapters (``context``: ``params``, ``client``, ``check_mode``, ``_diff``, ``warn()``).

The package (its __init__.py stays empty, as ansible-test's empty-init wants):
A whole catalog in one run (``d2l_catalog``), in two layers.

- ``stdcsv``: D2L Standard CSV orgs files and zips, read as catalog items.
- ``engine``: ``Catalog``, the items level by level, each ensured by its resource and the ensure
  engine, in threads on one client; the jobs of what it created; purge.
"""

from __future__ import annotations

import copy
import threading
import time

from concurrent.futures import ThreadPoolExecutor

from ..coursejobs import CourseCopyJob, CourseImportJob
from ..courses import CourseOfferingResource, CourseOfferingsApi, CourseTemplateResource
from ..ensure import NOTHING, UPDATE, Ensure, Plan
from ..errors import BrightspaceError, ValidationError
from ..jobs import JobRun
from ..normalize import utc_datetime
from ..orgunits import COURSE_OFFERING, COURSE_TEMPLATE, OrgUnitResource, OrgUnitsApi
from ..rules import value_problems
from .stdcsv import CatalogItem, read_catalog

# (list, resource, fixed options): the levels, in the order they are ensured
LEVELS = (
    ("semesters", OrgUnitResource, {"type": "Semester"}),
    ("departments", OrgUnitResource, {"type": "Department"}),
    ("templates", CourseTemplateResource, {}),
    ("offerings", CourseOfferingResource, {}),
)
KIND_NAMES = {"semesters": "semester", "departments": "department", "templates": "course template",
              "offerings": "course offering"}
# what an offering may carry beyond d2l_course's options: the one-time content job
JOB_KEYS = ("copy_from", "components", "package", "force_copy")
MAX_WARNINGS = 20  # problems named in one message; every item keeps its own
DEFAULT_JOB_TIMEOUT = 7200  # seconds a copy or import job is waited for
DEFAULT_POLL_INTERVAL = 5.0


def item_options(kind):
    """The options one item of ``kind`` takes (its module's, without the fixed ones)."""
    _name, resource, fixed = [level for level in LEVELS if level[0] == kind][0]
    options = dict((name, spec) for name, spec in resource.OPTIONS.items() if name not in fixed)
    if kind == "templates":
        options["parent_org_units"] = dict(options["parent_org_units"], aliases=["parents"])
    if kind == "offerings":
        options.update(copy_from=dict(type="raw"), components=dict(type="list", elements="str"),
                       package=dict(type="path"), force_copy=dict(type="bool"))
    return copy.deepcopy(options)


class ItemContext:
    """What a resource runs against for one item: its options, the shared client, check and
    diff mode, and its own warnings."""

    def __init__(self, params, client, check_mode, diff):
        self.params = params
        self.client = client
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def given(self, *names):
        return dict((name, self.params[name]) for name in names if self.params.get(name) is not None)

    def warn(self, message):
        self.warnings.append(message)


class Catalog:
    """One run over a catalog. ``context.params``: the d2l_catalog options. ``progress(done,
    total, label)`` (optional) is called as items finish, from the worker threads."""

    def __init__(self, context, progress=None):
        self.context = context
        self.client = context.client
        self.params = context.params
        self.check = context.check_mode
        self.diff = context._diff  # pylint: disable=protected-access
        self.progress = progress
        self.lock = threading.Lock()
        self.done = 0
        self.total = 0
        self.records = []  # one per resource, in the order given

    # -- the items ----------------------------------------------------------------------------
    def items(self):
        """Every item, from the lists and from ``src``; a code given twice in one list fails
        before any request, naming both places."""
        items = []
        for kind, _resource, _fixed in LEVELS:
            for index, params in enumerate(self.params.get(kind) or []):
                items.append(CatalogItem(kind, dict(params), "%s[%d]" % (kind, index)))
        if self.params.get("src"):
            items.extend(read_catalog(self.params["src"]))
        problems = []
        seen = {}
        specs = dict((kind, item_options(kind)) for kind, _resource, _fixed in LEVELS)
        for item in items:
            spec = specs[item.kind]
            for name, option in spec.items():  # a CSV row carries only what its columns held
                if item.params.get(name) is None and "default" in option:
                    item.params[name] = option["default"]
            _resource = [level for level in LEVELS if level[0] == item.kind][0][1]
            for problem in value_problems(spec, item.params, item.params, **_resource.RULES):
                problems.append("%s: %s" % (item.origin, problem))
            for name in ("start_date", "end_date"):  # known here: no item waits for a request to say so
                if isinstance(item.params.get(name), str):
                    try:
                        utc_datetime(item.params[name], name)
                    except ValidationError as exc:
                        problems.append("%s: %s" % (item.origin, exc))
            key = (item.kind, str(item.params.get("code")).casefold())
            if key in seen:
                problems.append("%s: %s code '%s' is given again (first at %s)"
                                % (item.origin, KIND_NAMES[item.kind], item.params.get("code"), seen[key]))
            seen.setdefault(key, item.origin)
        if problems:
            raise ValidationError("; ".join(problems[:MAX_WARNINGS]) + (
                "; and %d more" % (len(problems) - MAX_WARNINGS) if len(problems) > MAX_WARNINGS else ""))
        return items

    # -- the run ---------------------------------------------------------------------------
    def run(self):
        items = self.items()
        self.total = len(items)
        self.concurrency = max(1, int(self.params.get("concurrency") or 1))
        self.client.share_between_threads(self.concurrency)
        self.client.references = {}
        started = time.monotonic()
        with self.client.ids.deferred():  # one write of the id hints, at the end
            # what is present, level by level (a parent before its children); then what is
            # absent, in the reverse order (offerings before their templates and semesters)
            for kind, resource, fixed in LEVELS:
                level = [item for item in items if item.kind == kind and item.params.get("state") != "absent"]
                if level:
                    self.ensure_level(level, resource, fixed)
            for kind, resource, fixed in reversed(LEVELS):
                level = [item for item in items if item.kind == kind and item.params.get("state") == "absent"]
                if level:
                    self.ensure_level(level, resource, fixed)
            jobs = self.run_jobs(items)
            if self.params.get("purge"):
                self.purge(items)
        return self.result(jobs, time.monotonic() - started)

    def ensure_level(self, level, resource_class, fixed):
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            records = list(pool.map(lambda item: self.ensure_item(item, resource_class, fixed), level))
        self.records.extend(records)
        # what this level found or made, the next one references by code without a look-up
        type_name = fixed.get("type") or {"templates": COURSE_TEMPLATE, "offerings": COURSE_OFFERING}.get(level[0].kind)
        for record in records:
            if record["id"] and record["action"] != "deleted" and not record["error"]:
                self.client.references[(type_name.casefold(), record["code"])] = record["id"]

    def ensure_item(self, item, resource_class, fixed):
        params = dict((k, v) for k, v in item.params.items() if k not in JOB_KEYS)
        params.update(fixed)
        context = ItemContext(params, self.client, self.check, self.diff)
        record = {"kind": KIND_NAMES[item.kind], "code": params.get("code"), "origin": item.origin,
                  "id": None, "action": None, "changed": False, "error": None, "_item": item}
        try:
            resource = resource_class(context)
            decide = None if item.update else _create_only
            result = Ensure(context, resource).run(decide=decide)
            state = result.get(resource.result_key) or {}
            created = bool(result.get("created"))
            action = ("created" if created else "deleted" if params.get("state") == "absent" else "updated") \
                if result["changed"] else "unchanged"
            record.update(id=state.get("id"), changed=result["changed"], created=created, action=action)
            if self.diff and result["changed"] and "diff" in result:
                record["_diff"] = result["diff"]
        except BrightspaceError as exc:
            record.update(error=str(exc), action="failed",
                          changed=bool(isinstance(getattr(exc, "result", None), dict) and exc.result.get("changed")))
        if context.warnings:
            record["warnings"] = list(context.warnings)
        self.tick(record)
        return record

    def tick(self, record):
        with self.lock:
            self.done += 1
            done = self.done
        if self.progress is not None:
            self.progress(done, self.total, record)

    # -- jobs ------------------------------------------------------------------------------------
    def run_jobs(self, items):
        """The copy or import job of every offering this run created (or with ``force_copy``)."""
        wanted = []
        for record in self.records:
            item = record["_item"]
            if item.kind != "offerings" or record["error"]:
                continue
            if not (item.params.get("copy_from") or item.params.get("package")):
                continue
            forced = item.params.get("force_copy")
            if forced is None:  # the catalog's own force_copy / force_import
                forced = self.params.get("force_copy" if item.params.get("copy_from") else "force_import")
            if record.get("created") or forced:
                wanted.append(record)
        if not wanted:
            return []
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self.run_job, wanted))

    def run_job(self, record):
        item = record["_item"]
        params = {"target": record["id"] if record["id"] else item.params["code"], "job_token": None,
                  "wait": True, "wait_timeout": self.params.get("job_timeout") or DEFAULT_JOB_TIMEOUT,
                  "poll_interval": self.params.get("poll_interval") or DEFAULT_POLL_INTERVAL, "callback_url": None}
        if item.params.get("copy_from"):
            job_class, kind = CourseCopyJob, "copy"
            params.update(source=item.params["copy_from"], components=item.params.get("components"))
        else:
            job_class, kind = CourseImportJob, "import"
            params.update(src=item.params["package"])
        job = {"kind": kind, "offering": item.params["code"], "origin": item.origin, "job_token": None,
               "status": None, "finished": False, "error": None}
        if self.check:  # nothing exists to copy into yet, and nothing is started
            job.update(changed=True)
            return job
        context = ItemContext(params, self.client, False, False)
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
        return job

    # -- purge -----------------------------------------------------------------------------------
    def purge(self, items):
        """Delete the offerings under the catalog's semesters that it does not list (state
        present or absent). A semester this run would create (check mode) holds none."""
        listed = set(str(item.params["code"]).casefold() for item in items if item.kind == "offerings")
        semesters = [r for r in self.records if r["kind"] == "semester" and r["id"] and not r["error"]]
        orgunits = OrgUnitsApi(self.client)
        api = CourseOfferingsApi(self.client)
        offering_type = orgunits.type_info(COURSE_OFFERING)["Id"]
        doomed = {}
        for semester in semesters:
            try:
                children = orgunits.children(semester["id"], offering_type)
            except BrightspaceError as exc:
                self.records.append({"kind": "course offering", "code": None, "origin": "purge of semester %s"
                                     % semester["code"], "id": None, "action": "failed", "changed": False,
                                     "error": str(exc), "purge": True})
                continue
            for child in children:
                if str(child.get("Code")).casefold() not in listed:
                    doomed.setdefault(int(child["Identifier"]), (child, semester["code"]))
        self.total += len(doomed)

        def remove(entry):
            child, semester_code = entry
            record = {"kind": "course offering", "code": child.get("Code"), "origin": "purge (semester %s)"
                      % semester_code, "id": int(child["Identifier"]), "action": "deleted", "changed": True,
                      "error": None, "purge": True}
            if self.diff:
                record["_diff"] = {"before": {"id": record["id"], "code": child.get("Code"),
                                              "name": child.get("Name")}, "after": {}}
            if not self.check:
                try:
                    api.delete(record["id"], child.get("Code"))
                except BrightspaceError as exc:
                    record.update(action="failed", error=str(exc), changed=False)
            self.tick(record)
            return record
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            self.records.extend(pool.map(remove, sorted(doomed.values(), key=lambda e: int(e[0]["Identifier"]))))

    # -- the result ------------------------------------------------------------------------------
    def result(self, jobs, elapsed):
        summary = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0, "failed": 0,
                   "jobs": len(jobs), "jobs_failed": sum(1 for job in jobs if job["error"])}
        resources = []
        diffs = []
        warnings = []
        for record in self.records:
            action = record["action"]
            summary[{"created": "created", "updated": "updated", "deleted": "deleted",
                     "failed": "failed"}.get(action, "unchanged")] += 1
            shown = dict((k, v) for k, v in record.items() if not k.startswith("_") and k != "created")
            resources.append(shown)
            if "_diff" in record:
                diffs.append({"before": record["_diff"]["before"], "after": record["_diff"]["after"],
                              "before_header": "%s %s" % (record["kind"], record["code"]),
                              "after_header": "%s %s" % (record["kind"], record["code"])})
            warnings.extend("%s %s: %s" % (record["kind"], record["code"], w) for w in record.get("warnings", []))
        for job in jobs:
            warnings.extend("%s job of %s: %s" % (job["kind"], job["offering"], w) for w in job.get("warnings", []))
        result = {"changed": any(r["changed"] for r in self.records) or any(j.get("changed") for j in jobs),
                  "summary": summary, "resources": resources, "jobs": jobs, "elapsed": round(elapsed, 3),
                  "warnings": warnings}
        if self.diff:
            result["diff"] = diffs
        failed = [r for r in self.records if r["error"]] + [j for j in jobs if j["error"]]
        if failed:
            shown = ["%s %s (%s): %s" % (f["kind"] if "code" in f else "%s job of" % f["kind"],
                                         f.get("code") or f.get("offering"), f.get("origin"), f["error"])
                     for f in failed[:MAX_WARNINGS]]
            more = "; and %d more" % (len(failed) - MAX_WARNINGS) if len(failed) > MAX_WARNINGS else ""
            total = len(self.records) + len(jobs)
            if len(failed) == 1:  # the item's own message first, as its module would give it
                error = BrightspaceError("%s (1 of %d catalog items failed)" % (shown[0], total))
            else:
                error = BrightspaceError("%d of %d catalog items failed: %s%s" % (
                    len(failed), total, "; ".join(shown), more))
            error.result = result
            raise error
        return result


def _create_only(plan):
    """A CSV CREATE row: an existing resource is left as it is (IPSIS creates, never updates)."""
    if plan.action == UPDATE:
        return Plan(NOTHING, plan.before, plan.before, raw=plan.raw, related=plan.related, desired=plan.desired)
    return plan
