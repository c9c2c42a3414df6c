# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A catalog's plan: what a run does (every create, update, restore, removal and job, with the
fields before and after), in a canonical form a person approves and a later run proves it
applies exactly.

- ``entry(...)``: one action of the plan, a plain dict (JSON as it is).
- ``digest(entries)``: ``sha256:`` over the canonical form: the entries in a fixed order, each
  without ``origin`` (where the item was given: moving it in a list changes nothing), as JSON with
  sorted keys. The same catalog against the same tenant state gives the same digest in check mode
  and in a real run.
- ``differences(approved, current)``: what differs between two plans, in words.
- ``report(plan)``: the plan as Markdown for the approver: a table per action.
- ``approve(plan, digest, approved)``: a run given an approved digest goes on only with that plan.
- ``write(plan, plan_file, plan_report)``: the plan as JSON and as Markdown, each written whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile

from ..errors import ValidationError

PLAN_VERSION = 1
# the order of the plan: what is ensured present, level by level; what is removed, offerings
# first; the jobs; the purge
ACTION_ORDER = {"create": 0, "restore": 0, "update": 0, "error": 0, "delete": 1, "job": 2, "purge": 3}
KIND_ORDER = {"semester": 0, "department": 1, "course template": 2, "course offering": 3, "copy": 4, "import": 4}
# what a removal's before shows
REMOVED_FIELDS = ("id", "code", "name", "path", "semester_code", "template_code")


def canonical(value):
    """A value as the plan holds it: JSON types only (a tuple is a list, a set a sorted list)."""
    if isinstance(value, dict):
        return dict((str(k), canonical(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, set):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def entry(action, kind, code, origin, **fields):
    """One action of the plan."""
    found = {"action": action, "kind": kind, "code": code, "origin": origin}
    found.update((name, canonical(value)) for name, value in fields.items())
    return found


def changes(before, after, names):
    """``{field: {"before": b, "after": a}}`` for ``names`` (sorted)."""
    before = before or {}
    return dict((name, {"before": canonical(before.get(name)), "after": canonical(after.get(name))})
                for name in sorted(names))


def removed(before):
    """What a removal shows of the removed resource."""
    return dict((name, canonical(before.get(name))) for name in REMOVED_FIELDS if before and name in before)


def sort_key(item):
    return (ACTION_ORDER.get(item["action"], 9),
            KIND_ORDER.get(item["kind"], 9) * (-1 if item["action"] == "delete" else 1),
            str(item.get("code")).casefold(), str(item.get("code")))


def ordered(entries):
    return sorted(entries, key=sort_key)


def without_origin(entries):
    return [dict((k, v) for k, v in item.items() if k != "origin") for item in entries]


def digest(entries):
    """``sha256:<hex>`` of the canonical form of ``entries``."""
    text = json.dumps({"version": PLAN_VERSION, "actions": without_origin(ordered(entries))},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def summary(entries):
    counts = {"create": 0, "update": 0, "restore": 0, "delete": 0, "purge": 0, "job": 0, "error": 0}
    for item in entries:
        counts[item["action"]] = counts.get(item["action"], 0) + 1
    return counts


def plan_of(entries):
    """The plan a run returns (and writes to ``plan_file``)."""
    entries = ordered(entries)
    return {"version": PLAN_VERSION, "digest": digest(entries), "summary": summary(entries), "actions": entries}


def _key(item):
    return (item["action"], item["kind"], str(item.get("code")).casefold())


def _describe(item):
    return "%s %s %s" % (item["action"], item["kind"], item.get("code"))


def differences(approved, current, limit=20):
    """What ``current`` does that ``approved`` did not, and the reverse, one phrase each."""
    old = dict((_key(item), item) for item in without_origin(approved))
    new = dict((_key(item), item) for item in without_origin(current))
    found = []
    for key in sorted(set(new) - set(old)):
        found.append("now also: %s" % _describe(new[key]))
    for key in sorted(set(old) - set(new)):
        found.append("no longer: %s" % _describe(old[key]))
    for key in sorted(set(old) & set(new)):
        if old[key] == new[key]:
            continue
        fields = sorted(name for name in set(old[key]) | set(new[key]) if old[key].get(name) != new[key].get(name))
        details = []
        for name in fields:
            if name == "changes":
                before, after = old[key].get(name) or {}, new[key].get(name) or {}
                for field in sorted(set(before) | set(after)):
                    if before.get(field) != after.get(field):
                        details.append("%s: approved %s, now %s" % (
                            field, _shown(before.get(field)), _shown(after.get(field))))
            else:
                details.append("%s: approved %s, now %s" % (
                    name, _shown(old[key].get(name)), _shown(new[key].get(name))))
        found.append("%s differs (%s)" % (_describe(new[key]), "; ".join(details)))
    if len(found) > limit:
        found = found[:limit] + ["and %d more" % (len(found) - limit)]
    return found


def _shown(value):
    if isinstance(value, dict) and set(value) == {"before", "after"}:
        return "%s -> %s" % (json.dumps(value["before"]), json.dumps(value["after"]))
    return json.dumps(value, sort_keys=True)


# -- the report ------------------------------------------------------------------------------
_TITLES = (("create", "Create"), ("restore", "Restore from the recycle bin"), ("update", "Update"),
           ("delete", "Remove"), ("purge", "Purge (listed by no item of the catalog)"), ("job", "Jobs"),
           ("error", "Cannot be planned"))


def _cell(value):
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def report(plan, title="d2l_catalog plan"):
    """The plan in Markdown: its digest, a summary, then a table per action with the fields that
    change (before and after)."""
    lines = ["# %s" % title, "", "Digest: `%s`" % plan["digest"], ""]
    counts = plan["summary"]
    lines.append("Summary: " + ", ".join("%d %s" % (counts.get(action, 0), name.lower())
                                         for action, name in _TITLES if counts.get(action)) if any(
        counts.values()) else "Summary: nothing to do")
    lines.append("")
    for action, name in _TITLES:
        items = [item for item in plan["actions"] if item["action"] == action]
        if not items:
            continue
        lines += ["## %s (%d)" % (name, len(items)), ""]
        if action in ("create", "update", "restore"):
            lines += ["| kind | code | id | field | before | after | given at |", "|---|---|---|---|---|---|---|"]
            for item in items:
                fields = item.get("changes") or {"": {"before": None, "after": None}}
                for field, values in sorted(fields.items()):
                    lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                        _cell(item["kind"]), _cell(item["code"]), _cell(item.get("id")), _cell(field),
                        _cell(values.get("before")), _cell(values.get("after")), _cell(item.get("origin"))))
        elif action in ("delete", "purge"):
            lines += ["| kind | code | id | name | removal | why |", "|---|---|---|---|---|---|"]
            for item in items:
                before = item.get("before") or {}
                lines.append("| %s | %s | %s | %s | %s | %s |" % (
                    _cell(item["kind"]), _cell(item["code"]), _cell(item.get("id")), _cell(before.get("name")),
                    _cell(item.get("removal")), _cell(item.get("origin"))))
        elif action == "job":
            lines += ["| kind | offering | from | components |", "|---|---|---|---|"]
            for item in items:
                source = item.get("source") if item["kind"] == "copy" else "%s (sha256 %s)" % (
                    item.get("package"), item.get("sha256"))
                lines.append("| %s | %s | %s | %s |" % (_cell(item["kind"]), _cell(item["code"]), _cell(source),
                                                        _cell(", ".join(item.get("components") or []) or "all")))
        else:
            lines += ["| kind | code | error |", "|---|---|---|"]
            for item in items:
                lines.append("| %s | %s | %s |" % (_cell(item["kind"]), _cell(item["code"]), _cell(item.get("error"))))
        lines.append("")
    return "\n".join(lines)


# -- approval ----------------------------------------------------------------------------------
def approve(plan, wanted, approved_plan=None):
    """With ``wanted`` (``approved_plan_digest``), the plan must have that digest, or a
    ``ValidationError`` names what differs from ``approved_plan`` (the approved run's plan, or the
    path of its plan file); without ``approved_plan`` it gives the plan's summary instead."""
    if not wanted:
        return
    approved = checked_approval(wanted, approved_plan)
    if plan["digest"] == wanted:
        return
    if approved is not None:
        found = differences(approved.get("actions") or [], plan["actions"])
        detail = "what differs: " + "; ".join(found or ["only the order or the origin of items"])
    else:
        counts = ", ".join("%d %s" % (n, action) for action, n in sorted(plan["summary"].items()) if n)
        detail = ("the plan now: %s (the approved plan is not kept on this controller: give approved_plan, the "
                  "plan of the approved run, to have the differences named)" % (counts or "nothing to do"))
    error = ValidationError("the plan is not the approved one, so nothing was changed (approved %s, now %s); the "
                            "tenant or the catalog changed since the approval: %s" % (wanted, plan["digest"], detail))
    error.result = {"changed": False, "plan": plan, "plan_digest": plan["digest"]}
    raise error


def checked_approval(wanted, approved_plan=None):
    """The approved plan (None when not given), once ``wanted`` is a digest and the plan is its
    plan: known before any request."""
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", str(wanted)):
        raise ValidationError("approved_plan_digest must be a plan_digest a run returned (sha256: and 64 hex digits), "
                              "got %r" % (wanted,))
    approved = read_approved(approved_plan)
    if approved is not None and digest(approved.get("actions") or []) != wanted:
        raise ValidationError("approved_plan is not the plan of approved_plan_digest %s (its digest is %s): give the "
                              "plan and the digest of the same check run" % (
                                  wanted, digest(approved.get("actions") or [])))
    return approved


def read_approved(given):
    if not given:
        return None
    if isinstance(given, str):
        try:
            with open(given, encoding="utf-8") as handle:
                given = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ValidationError("approved_plan: cannot read the plan file %s: %s" % (given, exc))
    if not isinstance(given, dict) or not isinstance(given.get("actions"), list):
        raise ValidationError("approved_plan must be the plan a check run returned (a dict with actions), or the "
                              "path of the plan_file it wrote")
    return given


def write(plan, plan_file=None, plan_report=None):
    if plan_file:
        write_file(plan_file, json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "plan_file")
    if plan_report:
        write_file(plan_report, report(plan) + "\n", "plan_report")


def write_file(path, text, option):
    """Write ``text`` to ``path`` whole (a temporary file beside it, then renamed over it)."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".d2l-plan-", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
        raise ValidationError("%s: cannot write %s: %s" % (option, path, exc))
