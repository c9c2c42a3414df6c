# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault matrix helper: the emulator's control API from the controller, without a module run.

A lookup runs inside ansible-playbook (no fork, no AnsiballZ), so arming a fault before each of
the matrix's many tasks costs milliseconds instead of a ``uri`` task each.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: fm_control
short_description: Drive the Brightspace emulator's control API (fault matrix tests only)
description:
  - V(arm) takes a matrix step; it records what the emulator saw for the step armed before,
    clears every fault, adds the step's C(faults) and remembers the request log position and
    the jobs that exist. It returns the step's C(timeout) (or None), for the module's option.
  - V(flush) records what the emulator saw for the armed step and clears every fault.
  - A step's record, C(<record>/<key>.json), holds the requests the emulator logged, the faults
    left unused, the jobs created while the step ran and the objects (org units, ePortfolio and
    Learning Repository objects, LR versions) it added.
options:
  _terms:
    description: The action (V(arm) or V(flush)), then the step for V(arm).
    required: true
  record:
    description: The directory where step records are written.
    type: path
    required: true
  url:
    description: The emulator's base URL.
    type: str
    required: true
"""

RETURN = r"""
_raw:
  description: The step's timeout for V(arm), None otherwise.
  type: list
"""

import json
import os
import time
import urllib.request

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

SETTLE_SECONDS = 15


def _call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    except OSError as exc:
        raise AnsibleError("emulator control call %s %s failed: %s" % (method, path, exc))
    return json.loads(text) if text else None


def _jobs(state):
    jobs = state["jobs"]
    if isinstance(jobs, list):
        return dict((str(job.get("id", index)), job) for index, job in enumerate(jobs))
    return jobs


def _objects(state):
    """What a step may create: {kind: {id: versions}}."""
    found = {}
    for kind in ("org_units", "course_offerings", "course_templates"):
        found[kind] = dict((str(unit["Identifier"]), 1) for unit in state[kind])
    found["eportfolio"] = dict((str(item["ObjectId"]), 1)
                               for items in state["eportfolio"]["objects"].values() for item in items)
    found["lr"] = dict((str(item["IdentId"]), len(item["Versions"])) for item in state["lr"]["objects"])
    return found


def _observe(base, armed):
    # a delayed request may still be running after the module gave up on it: wait until every
    # request of the step has its answer (or was dropped), so its effects count for this step
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        log = _call(base, "GET", "/_emulator/requests?since=%d" % int(armed["mark"]))
        if all(entry["status"] is not None for entry in log["requests"]) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    faults = _call(base, "GET", "/_emulator/faults")["faults"]
    state = _call(base, "GET", "/_emulator/state")
    known = set(armed.get("jobs") or [])
    jobs = [job for key, job in sorted(_jobs(state).items()) if str(key) not in known]
    before = armed["objects"]
    new = {}
    for kind, items in _objects(state).items():
        # new objects, and new versions of objects that existed (as {id: versions added})
        added = dict((key, count - before[kind].get(key, 0)) for key, count in items.items()
                     if count > before[kind].get(key, 0))
        if added:
            new[kind] = added
    return {"requests": log["requests"], "faults_left": faults, "new_jobs": jobs, "new_objects": new}


def _flush(base, record):
    """Write what the emulator saw since the armed step to ``record/<key>.json``."""
    current = os.path.join(record, "armed.json")
    if not os.path.exists(current):
        return
    with open(current, "r", encoding="utf-8") as handle:
        armed = json.load(handle)
    seen = _observe(base, armed)
    seen["key"] = armed["key"]
    with open(os.path.join(record, "%s.json" % armed["key"]), "w", encoding="utf-8") as handle:
        json.dump(seen, handle)
    os.unlink(current)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        base = self.get_option("url")
        record = self.get_option("record")
        action = terms[0]
        if action == "flush":
            _flush(base, record)
            _call(base, "DELETE", "/_emulator/faults")
            return [None]
        if action == "arm":
            step = terms[1]
            _flush(base, record)
            _call(base, "DELETE", "/_emulator/faults")
            for rule in step.get("faults") or []:
                _call(base, "POST", "/_emulator/faults", rule)
            state = _call(base, "GET", "/_emulator/state")
            armed = {"key": step["key"],
                     "mark": _call(base, "GET", "/_emulator/requests?since=999999999")["next"],
                     "jobs": sorted(str(job) for job in _jobs(state)), "objects": _objects(state)}
            with open(os.path.join(record, "armed.json"), "w", encoding="utf-8") as handle:
                json.dump(armed, handle)
            return [step.get("timeout")]
        raise AnsibleError("fm_control: unknown action %r" % action)
