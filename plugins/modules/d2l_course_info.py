#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_course_info
short_description: Read Brightspace course offerings and templates
version_added: 0.1.0
description:
  - Returns one course offering or template by O(id) or O(code), or a list filtered by
    O(code_contains) and O(name_contains), and optionally the parent org unit schema.
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.INFO_MODULE
options:
  kind:
    description:
      - Read course offerings or course templates.
    type: str
    choices: [offering, template]
    default: offering
  id:
    description:
      - Org unit id of one offering or template.
    type: int
  code:
    description:
      - Exact code of one offering or template. A code no org unit can have (over 50 characters, a
        forbidden character, whitespace at either end, a control or invisible formatting character)
        is refused before any request.
    type: str
  code_contains:
    description:
      - List those whose code contains this text.
    type: str
  name_contains:
    description:
      - List those whose name contains this text.
    type: str
  details:
    description:
      - For lists of offerings, read each item's full block (dates, template, semester); one
        request per item. A template's look-up already holds every field it has, so templates
        need no further request.
    type: bool
    default: false
  limit:
    description:
      - For lists, return at most this many items.
    type: int
  schema:
    description:
      - Also return the parent org unit type constraints (C(courses/schema) or C(coursetemplates/schema)).
    type: bool
    default: false
notes:
  - "OAuth 2.0 scopes: V(core:*:*). It reads the org unit types (C(outypes/)), which D2L's scope
    table gives no specific scope, so no narrower set of scopes is enough. The template and
    schema routes have no specific scope either."
  - A missing offering or template is not an error; the list is empty.
"""

EXAMPLES = r"""
- name: One offering by code
  d2l.brightspace.d2l_course_info:
    brightspace_url: https://school.brightspace.com
    access_token: "{{ brightspace_token }}"
    code: BIO101-2026F
  register: bio

- name: Every 2026F offering, with details
  d2l.brightspace.d2l_course_info:
    code_contains: 2026F
    details: true

- name: The template schema
  d2l.brightspace.d2l_course_info:
    kind: template
    schema: true
"""

RETURN = r"""
courses:
  description: Offerings found (O(kind=offering)); the same keys as M(d2l.brightspace.d2l_course) returns.
  returned: when O(kind=offering)
  type: list
  elements: dict
course_templates:
  description: Templates found (O(kind=template)); the same keys as M(d2l.brightspace.d2l_course_template) returns.
  returned: when O(kind=template)
  type: list
  elements: dict
schema:
  description: Parent org unit type constraints.
  returned: when O(schema=true)
  type: list
  elements: dict
  contains:
    type:
      description: Org unit type code.
      type: str
    type_id:
      description: Org unit type id.
      type: int
    is_not_allowed:
      description: This type may not be a parent.
      type: bool
    is_required:
      description: This type must be a parent.
      type: bool
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.courses import describe_courses


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            kind=dict(type="str", choices=["offering", "template"], default="offering"),
            id=dict(type="int"),
            code=dict(type="str"),
            code_contains=dict(type="str"),
            name_contains=dict(type="str"),
            details=dict(type="bool", default=False),
            limit=dict(type="int"),
            schema=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("id", "code", "code_contains"), ("id", "code", "name_contains")],
        ids=("id",), non_negative=("limit",), codes=("code",),
    )
    module.run(lambda: describe_courses(module))


if __name__ == "__main__":
    main()
