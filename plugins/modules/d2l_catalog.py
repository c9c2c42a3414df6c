#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_catalog
short_description: Ensure a whole Brightspace course catalog in one task
version_added: 0.1.0
description:
  - Ensures semesters, departments, course templates and course offerings in one task, each
    item exactly as M(d2l.brightspace.d2l_org_unit), M(d2l.brightspace.d2l_course_template) and
    M(d2l.brightspace.d2l_course) would (the same keys, the same comparison, the same
    idempotency), at the speed of the API rather than of one Ansible task per item.
  - Levels are ensured in order (semesters, departments, templates, offerings); the items of
    one level run O(concurrency) at a time over one keep-alive connection pool, sharing the
    rate-limit pacing, retries and token cache.
  - Offerings with C(copy_from) or C(package) get their copy or import job once, when this run
    creates them (or with C(force_copy)); the jobs start and are waited for together.
  - A run plans everything before it writes anything, and returns its RV(plan) (every create,
    update, restore, removal and job, with the fields before and after) and RV(plan_digest). A check
    run's plan can be written for a person to approve (O(plan_report), O(plan_file)); a later run
    given O(approved_plan_digest) applies only that plan, and fails before any write, naming what
    differs, when the tenant or the catalog changed since.
  - Removal (an item's C(state=absent), O(purge)) sends org units to the recycle bin unless
    O(removal=permanent); an item's C(restore) brings one back with its id. O(purge) removes only
    the offerings that match O(owns), never more than O(purge_max) offerings nor more than
    O(purge_max_percent) of a semester's, and checks both before the run writes anything.
  - The catalog may come from O(src), a D2L Standard CSV orgs file or a C(D2LStdCSV-*.zip) as
    sent to IPSIS, from the lists, or from both.
  - One item's failure does not stop the others; the task fails at the end, naming each failed
    item and its message. Runs on the controller (an action plugin), showing its progress as it
    goes when it takes more than a few seconds.
notes:
  - "OAuth 2.0 scopes: V(core:*:*), as the per-item modules (the org unit types, C(outypes/),
    have no specific scope in D2L's scope table)."
  - The task runs on the controller whatever host it targets. O(src) and C(package) are files
    there, and the connection options (and their environment variables) are read there.
  - O(purge) reads the offerings of each semester of the catalog with C(GET orgstructure/(id)/children/),
    a route D2L's utility library and scope table name but this API's reference pages do not.
  - An update, restore or removal is planned again just before it is written, under the item's lock, and
    is written only if it is still what the run planned; a create that meets an org unit made
    meanwhile fails rather than updating it. So an approved plan is applied exactly, or not at all
    for the items that changed.
  - See the catalog guide, C(docs/catalog.md), section "Changing a live term safely".
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.RESOURCE
attributes:
  action:
    description: Runs on the controller, as an action plugin.
    support: full
options:
  semesters:
    description:
      - Semesters, each with the options of M(d2l.brightspace.d2l_org_unit) (its O(d2l.brightspace.d2l_org_unit#module:type) is V(Semester)).
    type: list
    elements: dict
    default: []
    suboptions: &org_unit
      code:
        description: Org unit code, the natural key (the code rules of M(d2l.brightspace.d2l_org_unit) apply).
        type: str
        required: true
      name:
        description: Name. Required to create one.
        type: str
      parents:
        description: Parent org units (ids or codes), compared as a set.
        type: list
        elements: raw
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      removal:
        description: How V(absent) removes it, as M(d2l.brightspace.d2l_org_unit) does (O(removal) when omitted).
        type: str
        choices: [recycle, permanent]
      restore:
        description: Restore it from the recycle bin when only a recycled one has the code, as M(d2l.brightspace.d2l_org_unit) does.
        type: bool
        default: false
  departments:
    description:
      - Departments, each with the options of M(d2l.brightspace.d2l_org_unit) (its O(d2l.brightspace.d2l_org_unit#module:type) is V(Department)).
    type: list
    elements: dict
    default: []
    suboptions: *org_unit
  templates:
    description:
      - Course templates, each with the options of M(d2l.brightspace.d2l_course_template).
    type: list
    elements: dict
    default: []
    suboptions:
      code:
        description: Template code, the natural key.
        type: str
        required: true
      name:
        description: Name. Required to create one.
        type: str
      path:
        description: Path, used when the template is created.
        type: str
      parent_org_units:
        description: Parent org units (ids or codes, usually a department), compared as a set.
        type: list
        elements: raw
        aliases: [parents]
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      removal:
        description: How V(absent) removes it (O(removal) when omitted).
        type: str
        choices: [recycle, permanent]
      restore:
        description: Restore it from the recycle bin when only a recycled one has the code.
        type: bool
        default: false
  offerings:
    description:
      - Course offerings, each with the options of M(d2l.brightspace.d2l_course), and optionally
        one content job for when this run creates it.
    type: list
    elements: dict
    default: []
    suboptions:
      code:
        description: Offering code, the natural key.
        type: str
        required: true
      name:
        description: Name. Required to create one.
        type: str
      template:
        description: Course template (id or code). Required to create one.
        type: raw
      semester:
        description: Semester (id or code).
        type: raw
      path:
        description: Path, used when the offering is created.
        type: str
      start_date:
        description: Start date (ISO 8601).
        type: str
      end_date:
        description: End date (ISO 8601).
        type: str
      is_active:
        description: Whether the offering is active.
        type: bool
      description:
        description: Description, as M(d2l.brightspace.d2l_course) takes it (LP 1.26 or later).
        type: str
      description_format:
        description: Whether C(description) is V(text) or V(html).
        type: str
        choices: [text, html]
        default: text
      can_self_register:
        description: Whether users can self-register (LP 1.27 or later).
        type: bool
      locale_id:
        description: Locale id, used when the offering is created.
        type: int
      force_locale:
        description: Force the locale, used when the offering is created.
        type: bool
      show_address_book:
        description: Show the address book, used when the offering is created.
        type: bool
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      removal:
        description: How V(absent) removes it (O(removal) when omitted).
        type: str
        choices: [recycle, permanent]
      restore:
        description: Restore it (with its id, content and enrollments) from the recycle bin when only a recycled one has the code.
        type: bool
        default: false
      copy_from:
        description:
          - Offering (id or code) to copy content from, as M(d2l.brightspace.d2l_copy_job) does,
            once this run creates the offering (or with O(offerings[].force_copy)).
        type: raw
      components:
        description: Components to copy (all when omitted), as M(d2l.brightspace.d2l_copy_job) takes them.
        type: list
        elements: str
      package:
        description:
          - A course package (zip) on the controller to import, as M(d2l.brightspace.d2l_course_import)
            does, once this run creates the offering (or with O(offerings[].force_copy)).
        type: path
      force_copy:
        description:
          - Run the copy or import job although the offering existed already. When omitted,
            O(force_copy) (for a copy) or O(force_import) (for an import) decides.
        type: bool
  src:
    description:
      - A D2L Standard CSV orgs file, or a C(D2LStdCSV-*.zip) holding such files and its
        C(manifest.json), on the controller (a relative path is looked up like C(copy)'s C(src)).
      - "The header is C(type,action,code,name,start_date,end_date,is_active,department_code,
        template_code,semester_code,offering_code,custom_code) (C(discover) may follow); the types
        are C(semester), C(department), C(course template) and C(course offering). Any other type
        fails the task, naming the file and the line."
      - C(UPDATE) (or an empty action) creates or updates, C(CREATE) creates and leaves an existing
        org unit as it is, C(DELETE) deletes. A template's parent is its C(department_code), a
        department's its C(custom_code) (C(|) separates several), an offering names its
        C(template_code) and C(semester_code); C(is_active) is C(1) or C(0); dates are ISO 8601.
      - The items of O(src) join those of the lists; a code given twice fails before any request.
    type: path
  purge:
    description:
      - Remove the offerings under the catalog's semesters (those in O(semesters) and in O(src))
        that the catalog does not list and whose code matches O(owns) (required with it), by
        O(removal). Check mode lists exactly what would go (RV(plan), RV(resources)).
      - Refused before any write when it would remove more than O(purge_max) offerings, or more
        than O(purge_max_percent) of one semester's offerings, naming each it would have removed.
    type: bool
    default: false
  owns:
    description:
      - The offering codes this catalog owns, as shell-style patterns (C(*), C(?), C([...])) matched
        against the whole code, case-insensitively, for example V(BIO*-2026F). O(purge) removes no
        offering that matches none of them.
    type: list
    elements: str
  purge_max:
    description: The most offerings one O(purge) may remove.
    type: int
    default: 10
  purge_max_percent:
    description: The largest share (percent, 0 to 100) of one semester's offerings one O(purge) may remove.
    type: float
    default: 10
  removal:
    description:
      - How O(purge), and the items with C(state=absent) that do not say, remove org units.
      - V(recycle) sends them to the recycle bin, from which an item's C(restore) (or
        M(d2l.brightspace.d2l_course)'s O(d2l.brightspace.d2l_course#module:restore)) brings them back with their id.
        V(permanent) deletes them for good.
    type: str
    choices: [recycle, permanent]
    default: recycle
  approved_plan_digest:
    description:
      - The RV(plan_digest) of the check run a person approved. The run plans again and writes
        only if its plan has this digest; otherwise it fails before any write, naming what
        differs from O(approved_plan) (when given).
    type: str
  approved_plan:
    description:
      - The RV(plan) of that check run (the dict it returned), or the path of the O(plan_file) it
        wrote, so that a refused run names what differs. Its own digest must be O(approved_plan_digest).
      - Without it, a run on the controller where the check run ran finds the plan there (check runs
        keep their plans beside the token cache, in C(plans/), the newest 20 per tenant).
    type: raw
  plan_file:
    description: Write the RV(plan) here as JSON (on the controller), replacing the file whole.
    type: path
  plan_report:
    description:
      - Write the plan here as Markdown for the approver (on the controller), with the digest, a
        summary, and a table per action with the fields that change, before and after.
    type: path
  force_copy:
    description: Run the copy job of every offering with C(copy_from), not only of those this run creates.
    type: bool
    default: false
  force_import:
    description: Run the import job of every offering with C(package), not only of those this run creates.
    type: bool
    default: false
  concurrency:
    description: How many items of one level are ensured at once.
    type: int
    default: 8
  job_timeout:
    description: Seconds each copy or import job is waited for.
    type: float
    default: 7200
  poll_interval:
    description: Seconds between status reads of a job.
    type: float
    default: 5
"""

EXAMPLES = r"""
- name: The fall term, from the lists
  d2l.brightspace.d2l_catalog:
    semesters:
      - {code: 2026F, name: Fall 2026}
    departments:
      - {code: BIOLOGY, name: Department of Biology}
    templates:
      - {code: BIO101-MASTER, name: Biology 101 (master), parents: [BIOLOGY]}
    offerings:
      - code: BIO101-2026F-1
        name: Biology 101, fall 2026, section 1
        template: BIO101-MASTER
        semester: 2026F
        start_date: "2026-09-01"
        end_date: "2026-12-20"
        copy_from: BIO101-MASTER-CONTENT
  register: catalog

- name: The term as the SIS exports it for IPSIS, with what it no longer lists recycled
  d2l.brightspace.d2l_catalog:
    src: files/D2LStdCSV-20260801000000.zip
    purge: true
    owns: ["*-2026F"]
    purge_max: 25
    concurrency: 16

- name: Plan the change, for a person to approve
  d2l.brightspace.d2l_catalog:
    src: files/D2LStdCSV-20260801000000.zip
    plan_report: /tmp/term-plan.md
    plan_file: /tmp/term-plan.json
  check_mode: true
  register: planned

- name: Apply exactly the approved plan (fails, changing nothing, if the tenant changed since)
  d2l.brightspace.d2l_catalog:
    src: files/D2LStdCSV-20260801000000.zip
    approved_plan_digest: "{{ planned.plan_digest }}"
    approved_plan: /tmp/term-plan.json
"""

RETURN = r"""
summary:
  description: How many resources were (or, in check mode, would be) created, updated, deleted, left unchanged or failed, and the jobs.
  returned: always
  type: dict
  sample: {"created": 2, "updated": 1, "restored": 0, "deleted": 0, "unchanged": 497, "failed": 0, "jobs": 2,
           "jobs_failed": 0}
resources:
  description: One entry per resource, in the order of the levels.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(semester), V(department), V(course template) or V(course offering).
      type: str
    code:
      description: Its code.
      type: str
    id:
      description: Its org unit id (null for one check mode would create, or that failed).
      type: int
    action:
      description: V(created), V(updated), V(restored), V(deleted), V(unchanged) or V(failed).
      type: str
    removal:
      description: How a removed one was removed, V(recycle) or V(permanent) (purged offerings).
      type: str
    changed:
      description: Whether it changed (or would).
      type: bool
    error:
      description: Why it failed (null otherwise).
      type: str
    origin:
      description: Where it was given, such as V(offerings[3]) or V(orgs.csv line 7).
      type: str
    purge:
      description: Present (true) for an offering O(purge) deleted.
      type: bool
    warnings:
      description: Its warnings, when it had some.
      type: list
      elements: str
jobs:
  description:
    - The copy and import jobs, one per C(offering) (its code), with their C(kind) (V(copy) or
      V(import)), C(job_token), last C(status), C(finished) and C(error) (null unless it failed).
      In check mode they are predicted, with no token.
  returned: always
  type: list
  elements: dict
elapsed:
  description: Seconds the run took.
  returned: always
  type: float
plan:
  description:
    - What the run does (in check mode, would do), in the canonical form its digest is taken over.
    - C(actions) has one entry per change, in a fixed order (what is present level by level, the
      removals, the jobs, the purge), each with C(action) (V(create), V(update), V(restore),
      V(delete), V(job), V(purge) or V(error), for an item that cannot be planned), C(kind),
      C(code), C(id), C(origin) (where it was given; not part of the digest), C(changes)
      (each field with its C(before) and C(after)), and for a removal C(removal) and C(before);
      C(summary) counts them.
  returned: always
  type: dict
  sample: {"version": 1, "digest": "sha256:5f0c...", "summary": {"create": 1, "update": 0},
           "actions": [{"action": "create", "kind": "course offering", "code": "BIO101-2026F", "id": null,
                        "origin": "offerings[0]", "changes": {"name": {"before": null, "after": "Biology 101"}}}]}
plan_digest:
  description: The digest of RV(plan) (C(sha256:) and 64 hex digits), for O(approved_plan_digest).
  returned: always
  type: str
report:
  description: The plan as Markdown, as O(plan_report) writes it, for the approver.
  returned: in check mode
  type: str
diff:
  description: C(before) and C(after) of each resource that changed (or would), in diff mode only.
  returned: when diff mode is on
  type: list
  elements: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.catalog.engine import Catalog, item_options
from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule

# the declaration the module and its action plugin both validate against
ARGUMENT_SPEC = dict(
    semesters=dict(type="list", elements="dict", default=[], options=item_options("semesters")),
    departments=dict(type="list", elements="dict", default=[], options=item_options("departments")),
    templates=dict(type="list", elements="dict", default=[], options=item_options("templates")),
    offerings=dict(type="list", elements="dict", default=[], options=item_options("offerings")),
    src=dict(type="path"),
    purge=dict(type="bool", default=False),
    owns=dict(type="list", elements="str"),
    purge_max=dict(type="int", default=10),
    purge_max_percent=dict(type="float", default=10),
    removal=dict(type="str", choices=["recycle", "permanent"], default="recycle"),
    approved_plan_digest=dict(type="str"),
    approved_plan=dict(type="raw"),
    plan_file=dict(type="path"),
    plan_report=dict(type="path"),
    force_copy=dict(type="bool", default=False),
    force_import=dict(type="bool", default=False),
    concurrency=dict(type="int", default=8),
    job_timeout=dict(type="float", default=7200),
    poll_interval=dict(type="float", default=5),
)
RULES = dict(positive=("concurrency",), non_negative=("job_timeout", "poll_interval", "purge_max", "purge_max_percent"),
             non_empty=("src", "approved_plan_digest", "plan_file", "plan_report"))


def main():
    # Run as a module (without the action plugin: on whatever host, with no progress shown).
    module = BrightspaceModule(argument_spec=ARGUMENT_SPEC, **RULES)
    module.run(lambda: Catalog(module).run())


if __name__ == "__main__":
    main()
