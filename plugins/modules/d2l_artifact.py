#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_artifact
short_description: Manage ePortfolio link and file artifacts
version_added: 0.1.0
description:
  - Create, update and delete an ePortfolio artifact of the calling user, a link (a URL) or a
    file.
  - The artifact is identified by O(object_id), or by its O(name) among the caller's own objects
    of the same O(kind). Only the options you give are compared and changed.
  - A file artifact's content is uploaded with the simple upload or the resumable upload (see
    O(upload)). Its properties are updated in place. Its content is replaced when the local
    file's name or size differs from the artifact's, or with O(force).
  - "New content: the reference does not say whether updating a file artifact with a new upload
    key replaces its content, so the module sends the update and reads the artifact back. When it
    holds the new upload, the id is kept (RV(artifact.content_replaced=in_place)). When it does
    not, the module creates a new artifact from the upload and deletes the old one, with a warning
    (RV(artifact.content_replaced=new_artifact), RV(artifact.previous_id)); comments on the old
    artifact are lost then."
  - All actions run in the context of the user the credentials belong to.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). No ePortfolio route has a specific scope in D2L's scope
    table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.RESOURCE
options:
  kind:
    description:
      - V(link) for a URL artifact, V(file) for a file artifact. The typed routes of that kind
        are used, and an object of another kind is not matched.
    type: str
    choices: [link, file]
    required: true
  object_id:
    description:
      - ePortfolio object id of an existing artifact. Without it, the artifact is found by
        O(name).
    type: int
  name:
    description:
      - Name of the artifact. Without O(object_id) it is the natural key, and it must be unique
        among your artifacts of this O(kind). Required to create an artifact.
    type: str
  description:
    description:
      - Description of the artifact.
    type: str
  allow_comments:
    description:
      - Whether others may comment on the artifact. New artifacts allow comments.
    type: bool
  url:
    description:
      - The URL a link artifact (O(kind=link)) points to, absolute C(http://) or C(https://) (the
        API's C(Url)). Required to create one.
      - It is only the link's target; the Brightspace service is O(brightspace_url), whatever this
        option says.
    type: str
  src:
    description:
      - Local file with the content of a file artifact (O(kind=file)). Required to create one.
      - Its file name and size are compared with the artifact's; if either differs the content
        is replaced.
    type: path
  upload:
    description:
      - How a file's content is sent.
      - V(simple) is one multipart request (artifacts/file/upload).
      - V(resumable) sends chunks of O(chunk_size) and resumes after an interruption from the
        offset the service reports (artifacts/file/new).
      - V(auto) chooses V(resumable) above 16 MiB.
      - Replacing the content of an existing artifact always uses the resumable upload, the
        only one that attaches new content to an existing artifact.
    type: str
    choices: [auto, simple, resumable]
    default: auto
  chunk_size:
    description:
      - Bytes per chunk of the resumable upload. At least 1024.
      - O(upload), O(chunk_size) and O(force) apply to O(kind=file) only; given for a link, each is
        reported as a warning and ignored.
    type: int
    default: 8388608
  force:
    description:
      - Replace a file artifact's content even when its name and size match O(src). Every run
        then uploads and reports a change.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the artifact; V(absent) deletes it through the typed route.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: d2l.brightspace.d2l_artifact_info
  - module: d2l.brightspace.d2l_ep_export
"""

EXAMPLES = r"""
- name: A link artifact
  d2l.brightspace.d2l_artifact:
    kind: link
    name: Lab safety rules
    url: https://example.edu/lab-safety
    description: The department's rules
    allow_comments: false

- name: A file artifact (resumable upload above 16 MiB)
  d2l.brightspace.d2l_artifact:
    kind: file
    name: Capstone report
    src: files/capstone-report.pdf

- name: A large video, in 32 MiB chunks
  d2l.brightspace.d2l_artifact:
    kind: file
    name: Defence recording
    src: /srv/media/defence.mp4
    upload: resumable
    chunk_size: 33554432

- name: Delete the link
  d2l.brightspace.d2l_artifact:
    kind: link
    name: Lab safety rules
    state: absent
"""

RETURN = r"""
artifact:
  description: The artifact after the task ({} once deleted). In check mode, the predicted state.
  returned: always
  type: dict
  contains:
    id:
      description: ePortfolio object id (null in check mode for a new artifact).
      type: int
      sample: 9001
    kind:
      description: V(link) or V(file).
      type: str
    type:
      description: EPOBJ_T name of the object.
      type: str
      sample: UrlArtifact
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
      description: Size in bytes of a file artifact.
      type: int
    extension:
      description: File extension of a file artifact.
      type: str
    user_id:
      description: Owner.
      type: int
    view_link:
      description: Link to view the artifact in Brightspace.
      type: str
    created:
      description: Creation time, UTC.
      type: str
    modified:
      description: Last modification time, UTC.
      type: str
    content_replaced:
      description:
        - How new file content got there, when this task replaced it; V(in_place) (the update
          took the new upload, the id is kept) or V(new_artifact) (a new artifact holds it and the
          old one was deleted).
      type: str
      returned: when the content of a file artifact was replaced
      sample: in_place
    previous_id:
      description: The id of the artifact the content was in before, when a new artifact replaced it.
      type: int
      returned: when RV(artifact.content_replaced=new_artifact)
      sample: 9001
created:
  description: Whether this task created the artifact (or, in check mode, would create it).
  returned: always
  type: bool
diff:
  description: C(before) and C(after) states, in diff mode only.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.uploads import CHUNK_SIZE_RULE, DEFAULT_CHUNK_SIZE
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.artifacts import ArtifactResource


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            kind=dict(type="str", choices=["link", "file"], required=True),
            object_id=dict(type="int"),
            name=dict(type="str"),
            description=dict(type="str"),
            allow_comments=dict(type="bool"),
            url=dict(type="str"),
            src=dict(type="path"),
            upload=dict(type="str", choices=["auto", "simple", "resumable"], default="auto"),
            chunk_size=dict(type="int", default=DEFAULT_CHUNK_SIZE),
            force=dict(type="bool", default=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_one_of=[("object_id", "name")],
        non_empty=("name",), ids=("object_id",),
        only_if=[("kind", "file", ("upload", "chunk_size", "force"))], minimums=CHUNK_SIZE_RULE,
    )
    module.ensure(ArtifactResource)


if __name__ == "__main__":
    main()
