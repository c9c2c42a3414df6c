#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_course_template
short_description: Manage Brightspace course templates
version_added: 0.1.0
description:
  - Create, update and remove a course template, identified by its O(code).
  - Only the options you give are compared and changed. An update sends back the fields it does
    not change, and fails if the service's answer shows one of them changed anyway.
  - Removing sends the template to the recycle bin, from which O(restore) brings it back;
    O(removal=permanent) deletes it for good.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). It reads the org unit types (C(outypes/)), which D2L's scope
    table gives no specific scope, so no narrower set of scopes is enough. The template routes
    (C(coursetemplates/(id))) have no specific scope either."
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
      - "Org unit code of the template, its natural key. At most 50 characters, and none of
        these characters: C(\\ : * ? \" < > | ' # , % &).
        No whitespace at either end, no whitespace other than the plain space inside, and no
        control or invisible formatting character (such as U+200B ZERO WIDTH SPACE or U+FEFF):
        a code that reads like another is refused before any request."
    type: str
    required: true
  name:
    description:
      - Name of the template. Required to create one.
    type: str
  path:
    description:
      - Root path of the template's content. Leave unset when the service enforces paths.
      - Used on creation only.
    type: str
  parent_org_units:
    description:
      - Parent org units (usually departments). An integer is an org unit id; a string is an org
        unit code. Compared as a set; missing parents are added before extra ones are removed.
      - When creating without this option, the organization (root) org unit is the parent.
    type: list
    elements: raw
  state:
    description:
      - V(present) creates or updates the template (or restores it, with O(restore)); V(absent)
        removes it (to the recycle bin unless O(removal=permanent)). The service refuses to
        remove a template that still has offerings.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: d2l.brightspace.d2l_course
  - module: d2l.brightspace.d2l_org_unit
"""

EXAMPLES = r"""
- name: A course template under the Biology department
  d2l.brightspace.d2l_course_template:
    brightspace_url: https://school.brightspace.com
    access_token: "{{ brightspace_token }}"
    code: BIO101
    name: Biology 101
    parent_org_units:
      - BIOLOGY

- name: Remove it (to the recycle bin)
  d2l.brightspace.d2l_course_template:
    code: BIO101
    state: absent

- name: Remove a retired template for good, even from the recycle bin
  d2l.brightspace.d2l_course_template:
    code: CHEM099
    state: absent
    removal: permanent
"""

RETURN = r"""
course_template:
  description: The template after the task (its predicted state in check mode; empty when absent).
  returned: always
  type: dict
  contains:
    id:
      description: Org unit id (null in check mode before creation).
      type: int
      sample: 6610
    code:
      description: Org unit code.
      type: str
    name:
      description: Name.
      type: str
    path:
      description: Content path.
      type: str
    parent_org_units:
      description: Parent org unit ids, when O(parent_org_units) was given.
      type: list
      elements: int
created:
  description:
    - Whether this task created the template (or, in check mode, would create it). Use it to run
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
from ansible_collections.d2l.brightspace.plugins.module_utils.courses import CourseTemplateResource


def main():
    module = BrightspaceModule(argument_spec=CourseTemplateResource.OPTIONS, **CourseTemplateResource.RULES)
    module.ensure(CourseTemplateResource)


if __name__ == "__main__":
    main()
