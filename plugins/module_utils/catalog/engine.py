# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole catalog in one run: semesters, departments, templates and offerings, each ensured by
the same resource and engine as its own module (``OrgUnitResource``, ``CourseTemplateResource``,
``CourseOfferingResource``, ``ensure.Ensure``), ``concurrency`` at a time in threads sharing one
client (its connection pool, rate-limit pacing, retries and token cache).

A run plans everything before it writes anything:

1. plan (reads only): every item, level by level, as its module would plan it; the copy and
   import jobs of the offerings it creates (or ``force_copy``); with ``purge``, the offerings of
   its semesters it does not list that match ``owns``, within ``purge_max`` and
   ``purge_max_percent`` (a limit passed fails the task here);
2. the plan, in its canonical form (``plan.py``), and its digest; given ``approved_plan_digest``, a
   different digest fails the task here, naming what differs from ``approved_plan``;
3. apply (not in check mode): level by level what is present, then what is absent in the reverse
   order, each item under its per-key lock; an update, restore or removal is planned again first
   and written only if it is still the one planned, and a create that meets one made meanwhile
   fails rather than updating it; then the jobs, together; then the purge.

One item's failure stops nothing else: it is reported with its message, and the run fails at the
end. Like the engine, this imports nothing from Ansible: the module and the action plugin are its
adapters (``context``: ``params``, ``client``, ``check_mode``, ``_diff``, ``warn()``).

The package (its __init__.py stays empty, as ansible-test's empty-init wants):
A whole catalog in one run (``d2l_catalog``).

- ``stdcsv``: D2L Standard CSV orgs files and zips, read as catalog items.
- ``plan``: the plan's canonical form, digest, differences and Markdown report.
- ``purge``: the offerings a purge removes, and its limits.
- ``engine``: ``Catalog``, the run: plan, approval, apply, jobs, purge, one result.
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import time

from concurrent.futures import ThreadPoolExecutor

from ..courses import CourseOfferingResource, CourseTemplateResource
from ..ensure import CREATE, DELETE, NOTHING, RESTORE, UPDATE, Ensure, Plan
from ..errors import BrightspaceError, ValidationError
from ..normalize import utc_datetime
from ..orgunits import COURSE_OFFERING, COURSE_TEMPLATE, OrgUnitResource
from ..recyclebin import recycle_bin_memo
from ..rules import ignored_options, value_problems
from . import content, plan as plans
from . import purge
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
TYPE_NAMES = {"semesters": "Semester", "departments": "Department", "templates": COURSE_TEMPLATE,
              "offerings": COURSE_OFFERING}
# what an offering may carry beyond d2l_course's options: the one-time content job
JOB_KEYS = ("copy_from", "components", "package", "force_copy")
# an item's options that say how to ensure it, not what it is (not in a create's plan entry)
NOT_FIELDS = ("code", "state", "removal", "restore", "type")
RECORD_ACTIONS = {CREATE: "created", UPDATE: "updated", DELETE: "deleted", RESTORE: "restored", NOTHING: "unchanged"}
MAX_WARNINGS = 20  # problems named in one message; every item keeps its own


def item_options(kind):
    """The options one item of ``kind`` takes (its module's, without the fixed ones). ``removal``
    has no default here: an item without one takes the catalog's."""
    _name, resource, fixed = [level for level in LEVELS if level[0] == kind][0]
    options = dict((name, spec) for name, spec in resource.OPTIONS.items() if name not in fixed)
    options["removal"] = dict((k, v) for k, v in options["removal"].items() if k != "default")
    if kind == "templates":
        options["parent_org_units"] = dict(options["parent_org_units"], aliases=["parents"])
    if kind == "offerings":
        options.update(copy_from=dict(type="raw"), components=dict(type="list", elements="str"),
                       package=dict(type="path"), force_copy=dict(type="bool"))
    return copy.deepcopy(options)


class ItemContext:
    """What a resource runs against for one item: its options, the shared client, check and
    diff mode, and its own warnings. ``planned(type_name, code)`` tells whether an earlier level
    of the catalog creates (or restores) that org unit; with ``strict_references`` a reference
    that names nothing else fails (see ``ensure.predicted``)."""

    def __init__(self, params, client, check_mode, diff, planned=None, strict_references=False):
        self.params = params
        self.client = client
        self.check_mode = check_mode
        self._diff = diff
        self.planned = planned
        self.strict_references = strict_references
        self.warnings = []

    def given(self, *names):
        return dict((name, self.params[name]) for name in names if self.params.get(name) is not None)

    def warn(self, message):
        self.warnings.append(message)


class ChangedSincePlanned(BrightspaceError):
    """A resource is no longer what the run planned for it: nothing is written to it."""


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
        self.warnings = []
        self.planned_codes = set()  # (type, code) casefolded, of what the run creates or restores
        self.concurrency = 1

    # -- the items ----------------------------------------------------------------------------
    def items(self):
        """Every item, from the lists and from ``src``; a code given twice in one list fails
        before any request, naming both places."""
        problems = purge.option_problems(self.params)
        if self.params.get("approved_plan_digest"):
            try:
                plans.checked_approval(self.params["approved_plan_digest"], self.params.get("approved_plan"))
            except ValidationError as exc:
                problems.append(str(exc))
        items = []
        for kind, _resource, _fixed in LEVELS:
            for index, params in enumerate(self.params.get(kind) or []):
                items.append(CatalogItem(kind, dict(params), "%s[%d]" % (kind, index)))
        if self.params.get("src"):
            items.extend(read_catalog(self.params["src"]))
        seen = {}
        specs = dict((kind, item_options(kind)) for kind, _resource, _fixed in LEVELS)
        for item in items:
            spec = specs[item.kind]
            given = dict(item.params)
            for name, option in spec.items():  # a CSV row carries only what its columns held
                if item.params.get(name) is None and "default" in option:
                    item.params[name] = option["default"]
            if item.params.get("removal") is None:
                item.params["removal"] = self.params.get("removal") or "recycle"
            rules = dict(_resource_of(item.kind).RULES)
            only_if = rules.pop("only_if", ())
            for problem in value_problems(spec, item.params, item.params, **rules):
                problems.append("%s: %s" % (item.origin, problem))
            self.warnings.extend("%s: %s" % (item.origin, warning)
                                 for warning in ignored_options(only_if, given, item.params))
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
        self.client.recycle_bin = recycle_bin_memo()  # read once if an item needs it
        started = time.monotonic()
        with self.client.ids.deferred():  # one write of the id hints, at the end
            # 1. plan: reads only (a code an earlier level creates is not looked up: it is not there yet)
            self.client.planned = self.is_planned
            try:
                for kind, _resource, _fixed in LEVELS:  # what is present, a parent before its children
                    self.plan_level([i for i in items if i.kind == kind and i.params.get("state") != "absent"])
                for kind, _resource, _fixed in reversed(LEVELS):  # what is absent, children first
                    self.plan_level([i for i in items if i.kind == kind and i.params.get("state") == "absent"])
            finally:
                self.client.planned = None
            jobs = self.plan_jobs()
            doomed = self.plan_purge(items)
            # 2. the plan, and its approval
            plan = plans.plan_of(self.entries(jobs, doomed))
            self.approve(plan)
            self.write_plan(plan)
            # 3. apply
            if not self.check:
                for level in self.levels():
                    self.apply_level(level)
                jobs = self.run_jobs(jobs)
                self.apply_purge(doomed)
            else:
                for job in jobs:
                    job.pop("_record", None)
        return self.result(jobs, time.monotonic() - started, plan)

    def levels(self):
        """The planned records, grouped as they were planned (level by level, present then absent)."""
        groups = []
        for record in self.records:
            if record.get("purge"):
                continue
            if not groups or groups[-1][0]["_group"] != record["_group"]:
                groups.append([])
            groups[-1].append(record)
        return groups

    # -- planning ----------------------------------------------------------------------------
    def is_planned(self, type_name, code):
        code = str(code).casefold()
        if type_name:
            return (type_name.casefold(), code) in self.planned_codes
        return any(planned == code for _type, planned in self.planned_codes)

    def plan_level(self, level):
        if not level:
            return
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            records = list(pool.map(self.plan_item, level))
        group = len(self.records)
        for record in records:
            record["_group"] = group
        self.records.extend(records)
        type_name = TYPE_NAMES[level[0].kind]
        for record in records:  # what this level finds, the next one references without a look-up
            plan = record.get("_plan")
            if plan is None or record["error"]:
                continue
            if plan.action in (CREATE, RESTORE):
                self.planned_codes.add((type_name.casefold(), str(record["code"]).casefold()))
            if record["id"] and plan.action in (NOTHING, UPDATE, RESTORE):
                self.client.references[(type_name.casefold(), record["code"])] = record["id"]

    def context_for(self, item, check_mode):
        params = dict((k, v) for k, v in item.params.items() if k not in JOB_KEYS)
        params.update([level for level in LEVELS if level[0] == item.kind][0][2])
        return ItemContext(params, self.client, check_mode, self.diff, planned=self.is_planned,
                           strict_references=not self.check)

    def plan_item(self, item):
        """Plan one item (as check mode would: a create is previewed, its references resolved or
        known to be created by an earlier level); in check mode, also its predicted result."""
        context = self.context_for(item, True)
        record = {"kind": KIND_NAMES[item.kind], "code": item.params.get("code"), "origin": item.origin,
                  "id": None, "action": None, "changed": False, "error": None, "_item": item}
        try:
            resource = _resource_of(item.kind)(context)
            ensure = Ensure(context, resource)
            plan = ensure.plan()
            if not item.update:
                plan = _create_only(plan)
            record.update(_plan=plan, _entry=self.entry_for(record, plan, resource),
                          id=(plan.before or {}).get("id"), action=RECORD_ACTIONS[plan.action], changed=plan.changed)
            if self.check:
                result = ensure.apply(plan)
                if self.diff and result["changed"] and "diff" in result:
                    record["_diff"] = result["diff"]
        except BrightspaceError as exc:
            record.update(error=str(exc), action="failed", _entry=plans.entry(
                "error", record["kind"], record["code"], item.origin, error=str(exc)))
        if context.warnings:
            record["warnings"] = list(context.warnings)
        if self.check or not record["changed"] or record["error"]:
            self.tick(record)  # done; what changes is done once applied
        return record

    def entry_for(self, record, plan, resource):
        """The plan's entry of one item's plan, or None when nothing changes."""
        kind, code, origin = record["kind"], record["code"], record["origin"]
        if plan.action == CREATE:
            item = record["_item"]
            fields = dict((name, value) for name, value in item.params.items()
                          if value is not None and name not in NOT_FIELDS and name not in JOB_KEYS)
            fields.update(plan.desired)
            return plans.entry("create", kind, code, origin, id=None, changes=plans.changes({}, fields, fields))
        if plan.action in (UPDATE, RESTORE):
            return plans.entry(plan.action, kind, code, origin, id=(plan.before or {}).get("id"),
                               changes=plans.changes(plan.before, plan.after or {}, plan.changes))
        if plan.action == DELETE:
            return plans.entry("delete", kind, code, origin, id=(plan.before or {}).get("id"),
                               removal=resource.outcome(plan).get("removal"), before=plans.removed(plan.before))
        return None

    def plan_jobs(self):
        """The copy or import job of every offering the run creates (or with ``force_copy``)."""
        return content.plan_jobs(self)

    def plan_purge(self, items):
        """The offerings the purge removes (reads only); a limit passed fails the task here."""
        return purge.plan_purge(self, items)

    def entries(self, jobs, doomed):
        found = [record["_entry"] for record in self.records if record.get("_entry")]
        found.extend(job["_entry"] for job in jobs)
        found.extend(item["_entry"] for item in doomed)
        return found

    # -- approval ----------------------------------------------------------------------------------
    def approve(self, plan):
        """With ``approved_plan_digest``: the plan must be the approved one, or nothing is written.
        Without ``approved_plan``, the check run's plan kept on this controller (``client.plans``)
        names what differs."""
        wanted = self.params.get("approved_plan_digest")
        approved = self.params.get("approved_plan")
        store = getattr(self.client, "plans", None)
        if wanted and not approved and store is not None:
            approved = store.get(wanted)
        plans.approve(plan, wanted, approved)

    def write_plan(self, plan):
        plans.write(plan, self.params.get("plan_file"), self.params.get("plan_report"))
        store = getattr(self.client, "plans", None)
        if self.check and store is not None:
            store.put(plan)

    # -- applying --------------------------------------------------------------------------------
    def apply_level(self, records):
        changed = [record for record in records if record["changed"] and not record["error"]]
        if not changed:
            return
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            list(pool.map(self.apply_item, changed))
        type_name = TYPE_NAMES[changed[0]["_item"].kind]
        for record in changed:
            if record["id"] and record["action"] in ("created", "restored") and not record["error"]:
                self.client.references[(type_name.casefold(), record["code"])] = record["id"]

    def apply_item(self, record):
        item = record["_item"]
        planned = record["_plan"]
        context = self.context_for(item, False)
        try:
            resource = _resource_of(item.kind)(context)
            ensure = Ensure(context, resource)
            ensure.exact = True  # a create that meets one made meanwhile fails: it was not planned
            locks = getattr(self.client, "locks", None)
            holding = locks.hold(type(resource).__name__, resource.lock_key()) if locks is not None else contextlib.nullcontext()
            with holding:
                if planned.action == CREATE:
                    plan = planned
                else:  # planned again under the lock: written only if it is still the same
                    plan = ensure.plan(planned.desired)
                    if not item.update:
                        plan = _create_only(plan)
                    now = self.entry_for(record, plan, resource)
                    if now != record["_entry"]:
                        raise ChangedSincePlanned("%s %s changed since this run planned it, so it was left as it is: "
                                                  "planned %s, now %s" % (record["kind"], record["code"],
                                                                          _action_of(record["_entry"]),
                                                                          _action_of(now)))
                result = ensure.apply(plan)
            state = result.get(resource.result_key) or {}
            record.update(id=state.get("id") or record["id"], changed=result["changed"],
                          action=RECORD_ACTIONS[plan.action] if result["changed"] else "unchanged")
            if self.diff and result["changed"] and "diff" in result:
                record["_diff"] = result["diff"]
        except BrightspaceError as exc:
            record.update(error=str(exc), action="failed",
                          changed=bool(isinstance(getattr(exc, "result", None), dict) and exc.result.get("changed")))
        if context.warnings:
            record.setdefault("warnings", []).extend(context.warnings)
        self.tick(record)

    def job_context(self, params):
        """What one content job runs against (content.run_job): its options and the shared client."""
        return ItemContext(params, self.client, False, False)

    def tick(self, record):
        with self.lock:
            self.done += 1
            done = self.done
        if self.progress is not None:
            self.progress(done, self.total, record)

    # -- jobs ------------------------------------------------------------------------------------
    def run_jobs(self, jobs):
        return content.run_jobs(self, jobs)

    # -- purge -----------------------------------------------------------------------------------
    def apply_purge(self, doomed):
        purge.apply_purge(self, doomed)

    # -- the result ------------------------------------------------------------------------------
    def result(self, jobs, elapsed, plan):
        if self.check:  # what a purge would remove, as the records of a real run show it
            for entry in [e for e in plan["actions"] if e["action"] == "purge"]:
                record = purge.purge_record(self, {"id": entry["id"], "code": entry["code"], "name": entry["before"]["name"],
                                            "semester": entry["before"]["semester_code"], "removal": entry["removal"]})
                self.records.append(record)
                self.tick(record)
            for job in jobs:
                job["changed"] = True
        summary = {"created": 0, "updated": 0, "restored": 0, "deleted": 0, "unchanged": 0, "failed": 0,
                   "jobs": len(jobs), "jobs_failed": sum(1 for job in jobs if job["error"])}
        resources = []
        diffs = []
        warnings = list(self.warnings)
        for record in self.records:
            action = record["action"]
            summary[action if action in summary else "unchanged"] += 1
            shown = dict((k, v) for k, v in record.items() if not k.startswith("_") and k != "created")
            resources.append(shown)
            if "_diff" in record:
                diffs.append({"before": record["_diff"]["before"], "after": record["_diff"]["after"],
                              "before_header": "%s %s" % (record["kind"], record["code"]),
                              "after_header": "%s %s" % (record["kind"], record["code"])})
            warnings.extend("%s %s: %s" % (record["kind"], record["code"], w) for w in record.get("warnings", []))
        for job in jobs:
            job.pop("_entry", None)
            warnings.extend("%s job of %s: %s" % (job["kind"], job["offering"], w) for w in job.get("warnings", []))
        result = {"changed": any(r["changed"] for r in self.records) or any(j.get("changed") for j in jobs),
                  "summary": summary, "resources": resources, "jobs": jobs, "elapsed": round(elapsed, 3),
                  "warnings": warnings, "plan": plan, "plan_digest": plan["digest"]}
        if self.check:  # for whoever approves it
            result["report"] = plans.report(plan)
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


def _resource_of(kind):
    return [level for level in LEVELS if level[0] == kind][0][1]


def _create_only(plan):
    """A CSV CREATE row: an existing resource is left as it is (IPSIS creates, never updates)."""
    if plan.action in (UPDATE, RESTORE) and plan.before is not None and not plan.related.get("removed"):
        return Plan(NOTHING, plan.before, plan.before, raw=plan.raw, related=plan.related, desired=plan.desired)
    return plan


def _action_of(entry):
    if entry is None:
        return "nothing"
    changed = sorted((entry.get("changes") or {}).items())
    return "%s%s" % (entry["action"], " of %s" % ", ".join(
        "%s %s -> %s" % (name, json.dumps(values["before"]), json.dumps(values["after"])) for name, values in changed)
        if changed else "")
