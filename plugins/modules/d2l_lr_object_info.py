#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_lr_object_info
short_description: Search and read Learning Repository objects
version_added: 0.1.0
description:
  - Searches learning objects with a CQL O(query) across O(repositories), paging through the
    whole result (offset and count, at most 200 per request) or up to O(limit); or reads one
    object by O(object_id).
  - For each object it can add the properties of the latest or a given O(version), the Dublin
    Core metadata (as XML text and parsed), and the viewing link.
  - Every answer's C(ExecutionStatus) is checked; C(ERROR) (a bad query, an unknown object)
    fails the task with the service's message.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). The Learning Repository's search, properties, metadata and
    link routes have no specific scope in D2L's scope table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.INFO_MODULE
options:
  query:
    description:
      - "CQL query, e.g. V(dc.title any \"safety\"), V(dc.subject == \"chemistry\" and dc.title = lab),
        V(dc.title = lab sortBy dc.title/sort.descending). Empty matches everything."
    type: str
    default: ""
  repositories:
    description:
      - Repositories to search (ids or names). Default, every repository the caller may search.
    type: list
    elements: raw
  object_id:
    description:
      - Read this one object instead of searching.
    type: int
  version:
    description:
      - Properties, metadata and link of this version instead of the latest.
    type: int
  offset:
    description:
      - Ordinal of the first search result.
    type: int
    default: 0
  limit:
    description:
      - At most this many results.
    type: int
  page_size:
    description:
      - Results per search request (1 to 200).
    type: int
    default: 200
  properties:
    description:
      - Add each object's properties (one request per object).
    type: bool
    default: false
  metadata:
    description:
      - Add each object's Dublin Core metadata, as C(metadata_xml) and parsed into C(metadata).
    type: bool
    default: false
  link:
    description:
      - Add each object's viewing link.
    type: bool
    default: false
seealso:
  - module: d2l.brightspace.d2l_lr_object
"""

EXAMPLES = r"""
- name: Every approved-or-not object about chemistry, with properties
  d2l.brightspace.d2l_lr_object_info:
    query: dc.subject == "chemistry"
    repositories: [Demo Local Repository]
    properties: true
  register: chemistry

- name: One object with its metadata and link
  d2l.brightspace.d2l_lr_object_info:
    object_id: 1001
    metadata: true
    link: true
"""

RETURN = r"""
objects:
  description: The objects found, in the service's order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Learning object id.
      type: int
    version:
      description: Version.
      type: int
    title:
      description: Title.
      type: str
    repository_id:
      description: Repository.
      type: int
    type:
      description: Object type name.
      type: str
    keywords:
      description: Keywords (with properties).
      type: list
      elements: str
    status:
      description: Status name (with properties).
      type: str
    metadata_xml:
      description: Dublin Core XML (with O(metadata)).
      type: str
    metadata:
      description: The Dublin Core elements, each a list of texts (with O(metadata)).
      type: dict
    view_link:
      description: Viewing URL (with O(link)).
      type: str
total:
  description: Number of objects returned.
  returned: always
  type: int
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.lr.info import describe_objects


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            query=dict(type="str", default=""),
            repositories=dict(type="list", elements="raw"),
            object_id=dict(type="int"),
            version=dict(type="int"),
            offset=dict(type="int", default=0),
            limit=dict(type="int"),
            page_size=dict(type="int", default=200),
            properties=dict(type="bool", default=False),
            metadata=dict(type="bool", default=False),
            link=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("object_id", "repositories")],
        ids=("repositories", "object_id"), positive=("version",), non_negative=("offset",),
    )
    module.run(lambda: describe_objects(module))


if __name__ == "__main__":
    main()
