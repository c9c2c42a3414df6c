#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_org_unit
short_description: Manage Brightspace semesters, departments and other custom org units
version_added: 0.1.0
description:
  - Create, rename, re-parent and delete an org unit of a custom type (semester, department,
    ...), identified by its O(code) within its O(type).
  - Course offerings and templates have their own modules, M(d2l.brightspace.d2l_course) and
    M(d2l.brightspace.d2l_course_template).
  - Removing sends the org unit to the recycle bin, from which O(restore) brings it back;
    O(removal=permanent) deletes it for good.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). It reads the org unit types (C(outypes/)), which D2L's scope
    table gives no specific scope, so no narrower set of scopes is enough."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.RESOURCE
  - d2l.brightspace.recycle
options:
  code:
    description:
      - "Org unit code, the natural key with O(type). At most 50 characters, and none of these
        characters: C(\\ : * ? \" < > | ' # , % &).
        No whitespace at either end, no whitespace other than the plain space inside, and no
        control or invisible formatting character (such as U+200B ZERO WIDTH SPACE or U+FEFF):
        a code that reads like another is refused before any request."
    type: str
    required: true
  type:
    description:
      - Org unit type, by its code or name as the service lists it (C(GET outypes/)), for example
        V(Semester) or V(Department).
      - V(Organization), V(Course Offering) and V(Course Template) are refused (in any letter case); manage
        offerings with M(d2l.brightspace.d2l_course) and templates with M(d2l.brightspace.d2l_course_template).
    type: str
    required: true
  name:
    description:
      - Name of the org unit. Required to create one.
    type: str
  parents:
    description:
      - Parent org units. An integer is an org unit id; a string is an org unit code. Compared
        as a set. When creating without this option, the organization (root) is the parent.
    type: list
    elements: raw
  state:
    description:
      - V(present) creates or updates the org unit (or restores it, with O(restore)); V(absent)
        removes it (to the recycle bin unless O(removal=permanent)).
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: A semester
  d2l.brightspace.d2l_org_unit:
    brightspace_url: https://school.brightspace.com
    access_token: "{{ brightspace_token }}"
    type: Semester
    code: 2026F
    name: Fall 2026

- name: A department
  d2l.brightspace.d2l_org_unit:
    type: Department
    code: BIOLOGY
    name: Department of Biology

- name: Remove a semester (to the recycle bin; restore brings it back with its id)
  d2l.brightspace.d2l_org_unit:
    type: Semester
    code: 2025F
    state: absent

- name: Bring it back
  d2l.brightspace.d2l_org_unit:
    type: Semester
    code: 2025F
    restore: true
"""

RETURN = r"""
org_unit:
  description: The org unit after the task (its predicted state in check mode; empty when absent).
  returned: always
  type: dict
  contains:
    id:
      description: Org unit id (null in check mode before creation).
      type: int
    code:
      description: Code.
      type: str
    name:
      description: Name.
      type: str
    type:
      description: Type code.
      type: str
    type_id:
      description: Type id.
      type: int
    path:
      description: Path.
      type: str
    parents:
      description: Parent org unit ids, when O(parents) was given.
      type: list
      elements: int
created:
  description:
    - Whether this task created the org unit (or, in check mode, would create it). Use it to run
      one-time work, such as copying content, only for what this run created.
  returned: always
  type: bool
  sample: true
removal:
  description:
    - How the task removed the org unit (or, in check mode, would), V(recycle) (to the recycle
      bin) or V(permanent) (deleted for good).
  returned: when the task removed it
  type: str
  sample: recycle
restored:
  description: Whether the task restored the org unit from the recycle bin (O(restore)); always true when returned.
  returned: when the task restored it (or, in check mode, would)
  type: bool
  sample: true
diff:
  description: C(before) and C(after) states, in diff mode only.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import OrgUnitResource


def main():
    module = BrightspaceModule(argument_spec=OrgUnitResource.OPTIONS, **OrgUnitResource.RULES)
    module.ensure(OrgUnitResource)


if __name__ == "__main__":
    main()
