#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_course
short_description: Manage Brightspace course offerings
version_added: 0.1.0
description:
  - Create, update and remove a course offering, identified by its O(code).
  - Only the options you give are compared and changed. O(path), O(locale_id),
    O(force_locale) and O(show_address_book) are used when the offering is created; the API
    does not return them, so they are not compared afterwards.
  - An update (C(PUT courses/(id)), which replaces the offering's data with what it carries)
    sends back the current value of every field the task does not change, O(description) and
    O(can_self_register) included where the LP version has them; the answer is read back, and
    the task fails, naming the field, if the service changed one the task did not name.
  - Removing sends the offering to the recycle bin, from which O(restore) brings it back with its
    id, content and enrollments; O(removal=permanent) deletes it for good.
  - The API cannot move an offering to another O(template) or O(semester); asking for that
    fails with a message that says so, and nothing is changed.
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
      - "Org unit code of the offering, its natural key. At most 50 characters, and none of
        these characters: C(\\ : * ? \" < > | ' # , % &).
        No whitespace at either end, no whitespace other than the plain space inside, and no
        control or invisible formatting character (such as U+200B ZERO WIDTH SPACE or U+FEFF):
        a code that reads like another is refused before any request."
    type: str
    required: true
  name:
    description:
      - Name of the offering. Required to create one.
    type: str
  template:
    description:
      - Course template of the offering, required to create one. An integer is an org unit id;
        a string is a course template code.
    type: raw
  semester:
    description:
      - Semester of the offering. An integer is an org unit id; a string is a semester code.
    type: raw
  path:
    description:
      - Root path of the offering's content. Leave unset when the service enforces paths.
      - Used on creation only.
    type: str
  start_date:
    description:
      - Start of the offering, ISO 8601 (V(2026-09-01), V(2026-09-01T08:00:00Z)); stored in UTC.
    type: str
  end_date:
    description:
      - End of the offering, ISO 8601; must not be before O(start_date).
    type: str
  is_active:
    description:
      - Whether the offering is active.
    type: bool
  description:
    description:
      - The offering's description, compared with its text form (or, with
        O(description_format=html), its HTML form), ignoring whitespace at either end.
      - Needs LP API 1.26 or later (the offering blocks have C(Description) from there).
    type: str
  description_format:
    description:
      - Whether O(description) is plain text or HTML (C(RichTextInput) C(Type) V(Text) or V(Html)).
    type: str
    choices: [text, html]
    default: text
  can_self_register:
    description:
      - Whether users can self-register in the offering (C(CanSelfRegister)).
      - Needs LP API 1.27 or later; before LP 1.28 a new offering gets it by an update right after
        its creation.
    type: bool
  locale_id:
    description:
      - Locale of the offering. Used on creation only.
    type: int
  force_locale:
    description:
      - Whether the offering's locale overrides the user's saved locale. Used on creation only.
    type: bool
  show_address_book:
    description:
      - Whether the email address book groups the course's users together. Used on creation only.
    type: bool
  state:
    description:
      - V(present) creates or updates the offering (or restores it, with O(restore)); V(absent)
        removes it (to the recycle bin unless O(removal=permanent)).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: d2l.brightspace.d2l_course_template
  - module: d2l.brightspace.d2l_course_info
"""

EXAMPLES = r"""
- name: Provision a course offering from a template in a semester
  d2l.brightspace.d2l_course:
    brightspace_url: https://school.brightspace.com
    access_token: "{{ brightspace_token }}"
    code: BIO101-2026F
    name: Biology 101 (Fall 2026)
    template: BIO101
    semester: 2026F
    start_date: "2026-09-01"
    end_date: "2026-12-20"
    is_active: true

- name: Deactivate it (connection from the BRIGHTSPACE_* environment variables)
  d2l.brightspace.d2l_course:
    code: BIO101-2026F
    is_active: false

- name: Describe it and open it to self-registration
  d2l.brightspace.d2l_course:
    code: BIO101-2026F
    description: "<p>Cells, genes and evolution.</p>"
    description_format: html
    can_self_register: true

- name: Remove it (to the recycle bin)
  d2l.brightspace.d2l_course:
    code: BIO101-2026F
    state: absent

- name: Bring it back, with its id, content and enrollments
  d2l.brightspace.d2l_course:
    code: BIO101-2026F
    restore: true
"""

RETURN = r"""
course:
  description: The offering after the task (its predicted state in check mode; empty when absent).
  returned: always
  type: dict
  contains:
    id:
      description: Org unit id (null in check mode before creation).
      type: int
      sample: 6609
    code:
      description: Org unit code.
      type: str
      sample: BIO101-2026F
    name:
      description: Name.
      type: str
    path:
      description: Content path.
      type: str
    is_active:
      description: Whether the offering is active.
      type: bool
    start_date:
      description: Start, UTC.
      type: str
      sample: "2026-09-01T00:00:00.000Z"
    end_date:
      description: End, UTC.
      type: str
    template:
      description: Course template id.
      type: int
    template_code:
      description: Course template code.
      type: str
    semester:
      description: Semester id.
      type: int
    semester_code:
      description: Semester code.
      type: str
    department:
      description: Department id (from the template).
      type: int
    department_code:
      description: Department code.
      type: str
    description:
      description: Description, its text form (null before LP 1.26).
      type: str
    description_html:
      description: Description, its HTML form (null before LP 1.26).
      type: str
    can_self_register:
      description: Whether users can self-register (null before LP 1.27).
      type: bool
created:
  description:
    - Whether this task created the offering (or, in check mode, would create it). Use it to run
      one-time work, such as copying content, only for what this run created.
  returned: always
  type: bool
  sample: true
removal:
  description:
    - How the task removed the offering (or, in check mode, would), V(recycle) (to the recycle
      bin) or V(permanent) (deleted for good).
  returned: when the task removed it
  type: str
  sample: recycle
restored:
  description: Whether the task restored the offering from the recycle bin (O(restore)); always true when returned.
  returned: when the task restored it (or, in check mode, would)
  type: bool
  sample: true
diff:
  description: C(before) and C(after) states, in diff mode only.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.courses import CourseOfferingResource


def main():
    module = BrightspaceModule(argument_spec=CourseOfferingResource.OPTIONS, **CourseOfferingResource.RULES)
    module.ensure(CourseOfferingResource)


if __name__ == "__main__":
    main()
