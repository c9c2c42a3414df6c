#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_lr_repository_info
short_description: Read Learning Repository repositories and their trusts
version_added: 0.1.0
description:
  - Lists every repository the caller may search, or the repositories of a O(type) that grant
    the O(trusts) in an org unit.
  - With O(repository), also returns that repository's trusts per org unit and role (filtered
    by O(org_units) and O(roles)), flattened from the service's nested dictionary into a list of
    C({org_unit_id, role_id, trusts}).
notes:
  - "OAuth 2.0 scopes: V(core:*:*). The Learning Repository's repository and trust routes have no
    specific scope in D2L's scope table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.INFO_MODULE
options:
  type:
    description:
      - Only repositories of this type (LR_REPOSITORY_T).
    type: str
    choices: [Local, Metadata, Federated, All]
  org_unit_id:
    description:
      - Org unit context of the O(trusts) filter.
    type: int
  trusts:
    description:
      - Only repositories granting all of these permissions (LR_TRUST_T names, such as
        V(Search), V(Publish), V(RetrieveFromLor)).
    type: list
    elements: str
  repository:
    description:
      - Also return the trusts of this repository (id or name).
    type: raw
  org_units:
    description:
      - Only the trusts in these org units. Requires O(repository) (it filters that repository's
        trusts); without it the task fails before any request.
    type: list
    elements: int
  roles:
    description:
      - Only the trusts of these roles. Requires O(repository), as O(org_units) does.
    type: list
    elements: int
seealso:
  - module: d2l.brightspace.d2l_lr_object
"""

EXAMPLES = r"""
- name: Local repositories I can publish to
  d2l.brightspace.d2l_lr_repository_info:
    type: Local
    trusts: [Publish]
  register: local

- name: Who may do what in one repository, at the organization level
  d2l.brightspace.d2l_lr_repository_info:
    repository: Demo Local Repository
    org_units: [6606]
"""

RETURN = r"""
repositories:
  description: The repositories.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Repository id.
      type: int
    name:
      description: Name.
      type: str
    description:
      description: Description.
      type: str
    type:
      description: Repository type.
      type: str
    org_id:
      description: Org unit it belongs to.
      type: int
    object_count:
      description: Number of objects.
      type: int
trusts:
  description: The trusts of O(repository), one entry per org unit and role.
  returned: when O(repository) is given
  type: list
  elements: dict
  contains:
    org_unit_id:
      description: Org unit id.
      type: int
    role_id:
      description: Role id.
      type: int
    trusts:
      description: The LRWSTrust booleans (C(CanViewItems), C(CanPublish), ...).
      type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.lr.info import describe_repositories


def main():
    module = BrightspaceModule(argument_spec=dict(
        type=dict(type="str", choices=["Local", "Metadata", "Federated", "All"]),
        org_unit_id=dict(type="int"),
        trusts=dict(type="list", elements="str"),
        repository=dict(type="raw"),
        org_units=dict(type="list", elements="int"),
        roles=dict(type="list", elements="int"),
    ), ids=("org_unit_id", "repository", "org_units", "roles"),
        required_by={"org_units": "repository", "roles": "repository"})
    module.run(lambda: describe_repositories(module))


if __name__ == "__main__":
    main()
