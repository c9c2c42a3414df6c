#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_lr_object
short_description: Publish and manage Learning Repository objects
version_added: 0.1.0
description:
  - Publishes a SCORM package or another asset file to a Learning Repository, publishes new
    versions of it, keeps its properties (title, description, keywords, status, visibility,
    owner) as given, and deletes it.
  - The object is identified by O(object_id), or by its O(title) in the O(repository), found
    with an exact CQL title search.
  - Only the properties you give are compared and changed, on the latest version or on
    O(version). Keywords are compared as a set, however the service groups them.
  - The Learning Repository answers HTTP 200 even when an action failed; every answer's
    C(ExecutionStatus) is checked. C(WARN) becomes a warning with the service's message,
    C(ERROR) fails the task with it.
  - "Content: with O(content_check=none) an existing object is not published again unless
    O(force); with O(content_check=download) the latest version's bytes are downloaded and a
    new version is published only when they differ from O(src)."
  - A new version starts from the service's default properties; the module carries the
    previous version's properties over and applies the ones you gave.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). Publishing uses V(lor:object:create) (the upload) and
    V(lor:object:write) (C(upload/publish)), but the look-up by title (C(objects/search/)), the
    properties and delete routes have no specific scope in D2L's scope table."
  - An object is found by O(title) through the Learning Repository's search, which skips objects
    hidden from search (O(hidden_from_search)) for a caller without the See All Hidden Objects
    trust in the repository. The id of every object the module found or published is kept beside
    the token cache (C(ids.json)), so a re-run on the same controller finds a hidden one all the
    same; publishing a hidden object without that trust gives a warning saying so. On another
    controller, give O(object_id).
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.RESOURCE
options:
  repository:
    description:
      - The local repository. An integer is a repository id; a string is the name of a
        repository the caller may search.
      - With O(object_id), it must be the repository that holds the object; another one fails
        the task before any write.
    type: raw
    required: true
  object_id:
    description:
      - Learning object id (IdentId) of an existing object.
    type: int
  title:
    description:
      - Title of the object. Without O(object_id) it is the natural key in O(repository).
        Required to publish a new object.
    type: str
  src:
    description:
      - The file to publish. A C(.zip) must be a SCORM package with C(imsmanifest.xml) at its
        root (checked before any request); any other file is published as an asset.
    type: path
  upload:
    description:
      - V(simple) sends the file in one request (C(Resource) form part), V(resumable) in chunks
        that resume after an interruption, V(auto) chooses V(resumable) above 16 MiB.
    type: str
    choices: [auto, simple, resumable]
    default: auto
  chunk_size:
    description:
      - Bytes per chunk of the resumable upload.
    type: int
    default: 8388608
  content_check:
    description:
      - How an existing object's content is compared with O(src). V(none) never republishes
        (one search and one properties read per run); V(download) downloads the latest version
        and compares the bytes.
    type: str
    choices: [none, download]
    default: none
  force:
    description:
      - Publish O(src) as a new version even when the content is the same.
    type: bool
    default: false
  description:
    description:
      - Description.
    type: str
  keywords:
    description:
      - Keywords, compared as a set.
    type: list
    elements: str
  status:
    description:
      - Review status.
    type: str
    choices: [Draft, InReview, Approved, Archived, Unassigned]
  hidden_from_search:
    description:
      - Hide the object from search results.
    type: bool
  publicly_available:
    description:
      - Make the object reachable without logging in.
    type: bool
  owner_id:
    description:
      - LMS user id of the object's owner.
    type: int
  version:
    description:
      - Read and update the properties of this version instead of the latest. New content
        always becomes a new latest version.
    type: int
  state:
    description:
      - V(present) publishes or updates; V(absent) deletes every version.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: d2l.brightspace.d2l_lr_object_info
  - module: d2l.brightspace.d2l_lr_download
"""

EXAMPLES = r"""
- name: Publish a SCORM package, approved and tagged
  d2l.brightspace.d2l_lr_object:
    repository: Demo Local Repository
    title: Lab safety training
    src: packages/lab-safety-scorm12.zip
    description: Required before the first lab
    keywords: [safety, lab, chemistry]
    status: Approved

- name: Publish a new version only when the package changed
  d2l.brightspace.d2l_lr_object:
    repository: 1
    title: Lab safety training
    src: packages/lab-safety-scorm12.zip
    content_check: download

- name: Delete it, every version
  d2l.brightspace.d2l_lr_object:
    repository: 1
    title: Lab safety training
    state: absent
"""

RETURN = r"""
object:
  description: The object after the task ({} once deleted); in check mode the prediction.
  returned: always
  type: dict
  contains:
    id:
      description: Learning object id (IdentId).
      type: int
    version:
      description: Version the properties belong to.
      type: int
    repository_id:
      description: Repository.
      type: int
    title:
      description: Title.
      type: str
    description:
      description: Description.
      type: str
    keywords:
      description: Keywords, normalised and sorted.
      type: list
      elements: str
    status:
      description: Status name.
      type: str
    hidden_from_search:
      description: Hidden from search results.
      type: bool
    publicly_available:
      description: Reachable without login.
      type: bool
    owner_id:
      description: Owner's user id.
      type: int
    type:
      description: Learning object type name (LR_OBJECT_T).
      type: str
    url:
      description: URL of the object in the service's web interface.
      type: str
    content:
      description: SHA-256 of the content, when it was compared or published by this task.
      type: str
created:
  description: Whether this task published a new object.
  returned: always
  type: bool
diff:
  description: C(before) and C(after) states, in diff mode only.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.uploads import CHUNK_SIZE_RULE, DEFAULT_CHUNK_SIZE
from ansible_collections.d2l.brightspace.plugins.module_utils.lr.objects import LrObjectResource


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            repository=dict(type="raw", required=True),
            object_id=dict(type="int"),
            title=dict(type="str"),
            src=dict(type="path"),
            upload=dict(type="str", choices=["auto", "simple", "resumable"], default="auto"),
            chunk_size=dict(type="int", default=DEFAULT_CHUNK_SIZE),
            content_check=dict(type="str", choices=["none", "download"], default="none"),
            force=dict(type="bool", default=False),
            description=dict(type="str"),
            keywords=dict(type="list", elements="str", no_log=False),
            status=dict(type="str", choices=["Draft", "InReview", "Approved", "Archived", "Unassigned"]),
            hidden_from_search=dict(type="bool"),
            publicly_available=dict(type="bool"),
            owner_id=dict(type="int"),
            version=dict(type="int"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_one_of=[("object_id", "title")],
        ids=("repository", "object_id"), positive=("version", "owner_id"), non_empty=("title",),
        minimums=CHUNK_SIZE_RULE,
    )
    module.ensure(LrObjectResource)


if __name__ == "__main__":
    main()
