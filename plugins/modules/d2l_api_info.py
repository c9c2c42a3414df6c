#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_api_info
short_description: Brightspace API versions and the identity behind the credentials
version_added: 0.1.0
description:
  - Returns the API versions the service supports per product and the versions the
    collection will use, and (by default) C(whoami), the cheapest authenticated call, to
    check credentials.
notes:
  - "OAuth 2.0 scopes: none for the API versions (C(GET /d2l/api/versions/) needs no
    credentials); with O(whoami), V(users:profile:read) and V(users:own_profile:read), or
    V(core:*:*)."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.INFO_MODULE
options:
  whoami:
    description:
      - Also call C(users/whoami) to check the credentials.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Check the connection and credentials
  d2l.brightspace.d2l_api_info:
    brightspace_url: https://school.brightspace.com
    access_token: "{{ brightspace_token }}"
  register: api

- name: Show who we are
  ansible.builtin.debug:
    msg: "Connected as {{ api.whoami.unique_name }}, lp {{ api.api_versions.lp }}"
"""

RETURN = r"""
versions:
  description: Supported versions per product code, oldest first.
  returned: always
  type: dict
  sample: {"lp": ["1.46", "1.47"], "le": ["1.74"]}
api_versions:
  description: The version used per product (the latest supported, or the O(api_versions) override).
  returned: always
  type: dict
  sample: {"lp": "1.47", "le": "1.74", "eP": "2.5", "lr": "1.3"}
whoami:
  description: The user behind the credentials.
  returned: when O(whoami=true)
  type: dict
  contains:
    id:
      description: User id.
      type: str
    first_name:
      description: First name.
      type: str
    last_name:
      description: Last name.
      type: str
    unique_name:
      description: Unique name (login).
      type: str
    profile_id:
      description: Profile identifier.
      type: str
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.identity import describe_api


def main():
    module = BrightspaceModule(argument_spec=dict(whoami=dict(type="bool", default=True)))
    module.run(lambda: describe_api(module))


if __name__ == "__main__":
    main()
