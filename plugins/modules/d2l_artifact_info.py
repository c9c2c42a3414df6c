#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_artifact_info
short_description: Read ePortfolio artifacts
version_added: 0.1.0
description:
  - Returns one ePortfolio artifact by O(object_id), with its comments when asked, or the calling
    user's artifacts filtered by O(kind) and O(name).
  - An O(object_id) the caller cannot find returns an empty list.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). No ePortfolio route has a specific scope in D2L's scope
    table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.INFO_MODULE
options:
  object_id:
    description:
      - ePortfolio object id of one artifact. With O(kind) the typed route of that kind is
        used (an object of another kind is not found); without it, the generic artifact route.
    type: int
  kind:
    description:
      - V(link) or V(file) artifacts only.
    type: str
    choices: [link, file]
  name:
    description:
      - Only the artifacts with exactly this name (without O(object_id)).
    type: str
  comments:
    description:
      - Include the comments on the artifact (needs O(object_id)).
    type: bool
    default: false
seealso:
  - module: d2l.brightspace.d2l_artifact
"""

EXAMPLES = r"""
- name: All my link artifacts
  d2l.brightspace.d2l_artifact_info:
    kind: link
  register: links

- name: One artifact with its comments
  d2l.brightspace.d2l_artifact_info:
    object_id: 9001
    comments: true
  register: one
"""

RETURN = r"""
artifacts:
  description: The artifacts found, in object id order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ePortfolio object id.
      type: int
    kind:
      description: V(link), V(file), or null for other artifact types.
      type: str
    type:
      description: EPOBJ_T name of the object.
      type: str
    name:
      description: Name.
      type: str
    description:
      description: Description.
      type: str
    allow_comments:
      description: Whether comments are allowed.
      type: bool
    url:
      description: URL of a link artifact.
      type: str
    file_name:
      description: File name of a file artifact.
      type: str
    file_size:
      description: Size of a file artifact in bytes.
      type: int
    comments_count:
      description: Number of comments.
      type: int
    comments:
      description: The comments, with O(comments=true).
      type: list
      elements: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.artifacts import describe_artifacts


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            object_id=dict(type="int"),
            kind=dict(type="str", choices=["link", "file"]),
            name=dict(type="str"),
            comments=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("object_id", "name")], ids=("object_id",),
    )
    module.run(lambda: describe_artifacts(module))


if __name__ == "__main__":
    main()
