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
      - Delete the offerings under the catalog's semesters (those in O(semesters) and in O(src))
        that the catalog does not list. Check mode shows what would be deleted.
    type: bool
    default: false
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

- name: The term as the SIS exports it for IPSIS, with what it no longer lists deleted
  d2l.brightspace.d2l_catalog:
    src: files/D2LStdCSV-20260801000000.zip
    purge: true
    concurrency: 16
"""

RETURN = r"""
summary:
  description: How many resources were (or, in check mode, would be) created, updated, deleted, left unchanged or failed, and the jobs.
  returned: always
  type: dict
  sample: {"created": 2, "updated": 1, "deleted": 0, "unchanged": 497, "failed": 0, "jobs": 2, "jobs_failed": 0}
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
      description: V(created), V(updated), V(deleted), V(unchanged) or V(failed).
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
    force_copy=dict(type="bool", default=False),
    force_import=dict(type="bool", default=False),
    concurrency=dict(type="int", default=8),
    job_timeout=dict(type="float", default=7200),
    poll_interval=dict(type="float", default=5),
)
RULES = dict(positive=("concurrency",), non_negative=("job_timeout", "poll_interval"), non_empty=("src",))


def main():
    # Run as a module (without the action plugin: on whatever host, with no progress shown).
    module = BrightspaceModule(argument_spec=ARGUMENT_SPEC, **RULES)
    module.run(lambda: Catalog(module).run())


if __name__ == "__main__":
    main()
