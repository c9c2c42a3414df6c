# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A catalog's purge: the offerings under its semesters that it does not list, bounded.

An offering is purged only when all of these hold:

- it is a child of one of the catalog's semesters (``GET orgstructure/(id)/children/``);
- no item of the catalog lists its code (present or absent; codes compare case-insensitively);
- its code matches one of ``owns``, the shell-style patterns (``*``, ``?``, ``[...]``) of the codes
  the catalog owns, matched against the whole code, case-insensitively. ``purge`` without ``owns``
  is refused before any request: what a catalog may remove is declared, never inferred.

The limits are checked before the run writes anything: more than ``purge_max`` offerings, or more
than ``purge_max_percent`` of the offerings of one semester, fails the task with every offering
it would have removed named (a catalog with a typo in a semester's offering codes would otherwise
remove the whole semester). Removal is by the recycle bin unless ``removal`` is ``permanent``.
"""

from __future__ import annotations

import fnmatch

from concurrent.futures import ThreadPoolExecutor

from ..errors import BrightspaceError, ValidationError
from ..orgunits import COURSE_OFFERING, OrgUnitsApi
from ..recyclebin import RecycleBinApi
from . import plan as plans

DEFAULT_MAX = 10
DEFAULT_MAX_PERCENT = 10.0
SHOWN = 20  # offerings named in a refusal


def owned(code, patterns):
    """Whether ``code`` matches one of ``patterns`` (the whole code, case-insensitively)."""
    folded = str(code).casefold()
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def option_problems(params):
    """What is wrong with the purge options, known before any request."""
    problems = []
    owns = params.get("owns") or []
    if params.get("purge") and not owns:
        problems.append("purge needs owns: the code patterns (such as BIO*-2026F) of the offerings this catalog "
                        "owns; only offerings matching one of them are ever purged")
    for pattern in owns:
        if not isinstance(pattern, str) or not pattern.strip():
            problems.append("owns must be a list of non-empty code patterns, got %r" % (pattern,))
    percent = params.get("purge_max_percent")
    if percent is not None and not 0 <= percent <= 100:
        problems.append("purge_max_percent must be between 0 and 100, got %s" % percent)
    return problems


class Purge:
    """The purge of one catalog run: ``plan(listed, semesters)`` reads and decides (and fails on
    a limit), ``remove(entry, removal)`` removes one offering."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.orgunits = OrgUnitsApi(client)

    def plan(self, listed, semesters):
        """``(doomed, failures)``: ``doomed`` is a list of ``{"id", "code", "name", "semester",
        "path"}`` (sorted by code), ``failures`` the semesters whose offerings could not be read.
        ``listed``: the casefolded offering codes the catalog lists; ``semesters``: ``[(id, code)]``."""
        owns = self.params.get("owns") or []
        offering_type = self.orgunits.type_info(COURSE_OFFERING)["Id"]
        doomed = {}
        per_semester = {}
        failures = []
        for semester_id, semester_code in semesters:
            try:
                children = self.orgunits.children(semester_id, offering_type)
            except BrightspaceError as exc:
                failures.append((semester_code, str(exc)))
                continue
            gone = [child for child in children if str(child.get("Code")).casefold() not in listed
                    and owned(child.get("Code"), owns)]
            per_semester[semester_code] = (len(gone), len(children))
            for child in gone:
                doomed.setdefault(int(child["Identifier"]), {
                    "id": int(child["Identifier"]), "code": child.get("Code"), "name": child.get("Name"),
                    "path": child.get("Path"), "semester": semester_code})
        doomed = sorted(doomed.values(), key=lambda item: (str(item["code"]).casefold(), item["id"]))
        self.check_limits(doomed, per_semester)
        return doomed, failures

    def check_limits(self, doomed, per_semester):
        limit = self.params.get("purge_max")
        limit = DEFAULT_MAX if limit is None else limit
        percent = self.params.get("purge_max_percent")
        percent = DEFAULT_MAX_PERCENT if percent is None else percent
        problems = []
        if len(doomed) > limit:
            problems.append("it would remove %d offerings, more than purge_max (%d)" % (len(doomed), limit))
        for semester_code, (gone, total) in sorted(per_semester.items()):
            if total and gone and 100.0 * gone / total > percent:
                problems.append("it would remove %d of the %d offerings of semester %s (%.0f%%), more than "
                                "purge_max_percent (%s%%)" % (gone, total, semester_code, 100.0 * gone / total,
                                                              _number(percent)))
        if problems:
            names = ", ".join("%s (%s)" % (item["code"], item["semester"]) for item in doomed[:SHOWN])
            more = " and %d more" % (len(doomed) - SHOWN) if len(doomed) > SHOWN else ""
            raise ValidationError(
                "purge refused before any change: %s. The offerings it would remove: %s%s. If the catalog is right "
                "(not a typo in its codes or semesters), raise purge_max or purge_max_percent for this run, or "
                "narrow owns" % ("; ".join(problems), names, more))

    def remove(self, item, removal):
        RecycleBinApi(self.client).remove(item["id"], removal)
        self.client.ids.drop(COURSE_OFFERING, item["code"])


def _number(value):
    return ("%g" % value) if isinstance(value, float) else str(value)


# -- a catalog run's purge --------------------------------------------------------------------
def plan_purge(catalog, items):
    """What ``catalog``'s purge removes: ``[{"id", "code", "name", "path", "semester", "removal",
    "_entry"}]`` (reads only; a limit passed raises here, before any write)."""
    if not catalog.params.get("purge"):
        return []
    listed = set(str(item.params["code"]).casefold() for item in items if item.kind == "offerings")
    semesters = [(r["id"], r["code"]) for r in catalog.records
                 if r["kind"] == "semester" and r["id"] and not r["error"] and r["_plan"].action != "delete"]
    doomed, failures = Purge(catalog.client, catalog.params).plan(listed, semesters)
    for semester_code, error in failures:
        catalog.records.append({"kind": "course offering", "code": None, "origin": "purge of semester %s"
                                % semester_code, "id": None, "action": "failed", "changed": False, "error": error,
                                "purge": True, "_entry": None})
    removal = catalog.params.get("removal") or "recycle"
    for item in doomed:
        item["removal"] = removal
        item["_entry"] = plans.entry("purge", "course offering", item["code"], "purge (semester %s)"
                                     % item["semester"], id=item["id"], removal=removal,
                                     before={"id": item["id"], "code": item["code"], "name": item["name"],
                                             "semester_code": item["semester"]})
    catalog.total += len(doomed)
    return doomed


def apply_purge(catalog, doomed):
    """Remove the planned offerings, ``concurrency`` at a time; each one's failure is its record's."""
    if not doomed:
        return
    purge = Purge(catalog.client, catalog.params)

    def remove(item):
        record = purge_record(catalog, item)
        try:
            purge.remove(item, item["removal"])
        except BrightspaceError as exc:
            record.update(action="failed", error=str(exc), changed=False)
        catalog.tick(record)
        return record
    with ThreadPoolExecutor(max_workers=catalog.concurrency) as pool:
        catalog.records.extend(pool.map(remove, doomed))


def purge_record(catalog, item):
    """The result's record of a purged offering."""
    record = {"kind": "course offering", "code": item["code"], "origin": "purge (semester %s)" % item["semester"],
              "id": item["id"], "action": "deleted", "changed": True, "error": None, "purge": True,
              "removal": item["removal"]}
    if catalog.diff:
        record["_diff"] = {"before": {"id": item["id"], "code": item["code"], "name": item["name"]}, "after": {}}
    return record
