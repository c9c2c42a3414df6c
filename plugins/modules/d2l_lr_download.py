#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_lr_download
short_description: Download a Learning Repository object's package or file
version_added: 0.1.0
description:
  - Streams the package (C(download/); a quiz comes as a D2L package, other objects as a SCORM
    package) or the asset file (C(downloadfile/), asset objects only) of the latest or a given
    version of a learning object to O(dest).
  - The download goes to a temporary file beside O(dest) and is renamed into place only when
    complete. When O(dest) already holds the same bytes it is left untouched and the task
    reports no change; other bytes replace it (RV(previous_sha256) gives the old checksum), also
    when O(dest) is a directory and the service's file name is already there.
  - The temporary file (C(.<name>.<random>.part) beside O(dest)) is removed when the task is
    interrupted, also by SIGTERM; one a killed run left behind is removed by a later download into
    that directory once it is 15 minutes old and no running task holds its lock.
  - A download the service refuses (answered with a Learning Repository result instead of the
    file) fails with the service's message.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). The Learning Repository's download and properties routes have
    no specific scope in D2L's scope table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.download
  - d2l.brightspace.attributes
attributes:
  check_mode:
    support: full
    details: The bytes are downloaded and compared, but O(dest) is not written.
  diff_mode:
    support: full
    details: C(before) and C(after) give the path and the SHA-256 of its content (null before when absent).
options:
  object_id:
    description:
      - Learning object id. Give it, or O(repository) and O(title).
    type: int
  repository:
    description:
      - With O(title), the repository the object is in, as M(d2l.brightspace.d2l_lr_object) takes
        it (its natural key). An integer is a repository id; a string is the name of a repository
        the caller may search.
    type: raw
  title:
    description:
      - With O(repository), the title of the object, found as M(d2l.brightspace.d2l_lr_object)
        finds it (the search, then the id remembered beside the token cache). No object of that
        title fails the task, as do several.
    type: str
  version:
    description:
      - Version to download; the latest when omitted.
    type: int
  what:
    description:
      - V(package) or V(file) (the asset's own file).
    type: str
    choices: [package, file]
    default: package
  dest:
    description:
      - A file path, or an existing directory (the file name then comes from the service, reduced
        to a safe base name without a path, control characters or leading dots, at most 255 bytes). A
        path ending in C(/) names a directory, which must exist. O(dest) is checked before any
        request.
    type: path
    required: true
seealso:
  - module: d2l.brightspace.d2l_lr_object
"""

EXAMPLES = r"""
- name: Keep a copy of the latest package
  d2l.brightspace.d2l_lr_download:
    object_id: 1001
    dest: /srv/backup/lab-safety.zip

- name: The package of the object d2l_lr_object publishes under this title
  d2l.brightspace.d2l_lr_download:
    repository: Demo Local Repository
    title: Lab safety training
    dest: /srv/backup/lab-safety.zip

- name: The file of version 2 of an asset, into a directory
  d2l.brightspace.d2l_lr_download:
    object_id: 1002
    version: 2
    what: file
    dest: /srv/backup/
"""

RETURN = r"""
object_id:
  description: The learning object downloaded (the one O(title) found, or O(object_id)).
  returned: always
  type: int
path:
  description: Path written (or that would be written in check mode).
  returned: always
  type: str
size:
  description: Size in bytes.
  returned: always
  type: int
sha256:
  description: SHA-256 of the downloaded bytes.
  returned: always
  type: str
previous_sha256:
  description: SHA-256 of the file that was at RV(path) before (null when there was none); when it
    differs from RV(sha256), the file was replaced.
  returned: always
  type: str
content_type:
  description: Content type the service sent.
  returned: always
  type: str
diff:
  description: C(before) and C(after) (path and sha256), in diff mode only.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.lr.info import download_object


def main():
    module = BrightspaceModule(argument_spec=dict(
        object_id=dict(type="int"),
        repository=dict(type="raw"),
        title=dict(type="str"),
        version=dict(type="int"),
        what=dict(type="str", choices=["package", "file"], default="package"),
        dest=dict(type="path", required=True),
        mode=dict(type="raw"),
    ), required_one_of=[("object_id", "title")], mutually_exclusive=[("object_id", "title")],
        required_together=[("repository", "title")], non_empty=("title",), ids=("object_id", "repository"),
        positive=("version",))
    module.run(lambda: download_object(module))


if __name__ == "__main__":
    main()
