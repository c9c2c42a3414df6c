#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_ep_export
short_description: Export ePortfolio objects to a package file
version_added: 0.1.0
description:
  - Starts an ePortfolio export of the calling user's objects, given O(object_ids) or O(all),
    waits for it, and streams the package (a zip of XML files) to O(dest).
  - The package is written to a temporary file beside O(dest) and renamed into place once
    complete, so an interrupted download never leaves a partial file at O(dest).
  - When O(dest) is a file that already exists and O(force) is false, nothing is exported and
    nothing changes. When O(dest) is a directory, the file name comes from the service
    (C(eP_Export_<First>_<Last>_<yyyyMMddHHmm>.zip)) and every run exports; a file of that name
    already there is replaced when its bytes differ (RV(previous_sha256) gives the old checksum)
    and left untouched when they are the same.
  - The temporary file (C(.<name>.<random>.part) beside O(dest)) is removed when the task is
    interrupted, also by SIGTERM; one a killed run left behind is removed by a later download into
    that directory once it is 15 minutes old and no running task holds its lock.
  - An export that ends C(CompleteWithErrors) is reported as a warning and its package is kept;
    one that ends C(Aborted) fails the task.
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.wait
  - d2l.brightspace.download
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.JOB
options:
  object_ids:
    description:
      - ePortfolio object ids to export (export/new).
    type: list
    elements: int
  all:
    description:
      - Export every object the calling user owns (export/new/all).
    type: bool
  include_forms_items:
    description:
      - Include all form items.
    type: bool
  include_associated_items:
    description:
      - Include the objects associated with the exported ones. ePortfolio API 2.1 and later.
    type: bool
  include_associated_reflections:
    description:
      - Include the reflections associated with the exported objects. Taken only by ePortfolio
        API versions before 2.1 (see O(api_versions)); with a later version the task fails and
        says so.
    type: bool
  include_reflections_associations:
    description:
      - Include the associations of the reflections among the exported objects. Taken only by
        ePortfolio API versions before 2.1.
    type: bool
  dest:
    description:
      - A file path for the package, or an existing directory to write it into under the name
        the service gives (reduced to a safe base name without a path, control characters or leading
        dots, at most 255 bytes). A path ending in C(/) names a directory, which must exist.
      - Every local check of O(dest) (its directory exists and is writable; an existing O(dest) is
        a regular file or a directory) is made before the export starts.
    type: path
    required: true
  force:
    description:
      - Export and overwrite O(dest) even when the file exists.
    type: bool
    default: false
  export_id:
    description:
      - Attach to this existing export task, wait for it and download its package, instead of
        starting an export.
    type: int
notes:
  - "OAuth 2.0 scopes: V(core:*:*). No ePortfolio route has a specific scope in D2L's scope
    table."
  - With O(wait=false) the task starts the export and returns its O(export_id) without writing
    O(dest); a later task with O(export_id) downloads the package.
seealso:
  - module: d2l.brightspace.d2l_ep_import
  - module: d2l.brightspace.d2l_artifact
"""

EXAMPLES = r"""
- name: Archive a graduate's whole ePortfolio (once)
  d2l.brightspace.d2l_ep_export:
    all: true
    dest: /srv/archive/ada-lovelace-eportfolio.zip
  register: archive

- name: Export two objects with their associated items into a directory
  d2l.brightspace.d2l_ep_export:
    object_ids: [9001, 9002]
    include_associated_items: true
    dest: /srv/exports/
    force: true
"""

RETURN = r"""
path:
  description: Path of the package at O(dest).
  returned: unless in check mode or the export did not finish
  type: str
  sample: /srv/exports/eP_Export_Ada_Lovelace_202611221530.zip
size:
  description: Size of the package in bytes.
  returned: unless in check mode or the export did not finish
  type: int
sha256:
  description: SHA-256 of the package.
  returned: unless in check mode or the export did not finish
  type: str
previous_sha256:
  description: SHA-256 of the file that was at RV(path) before the package was written (null when
    there was none); when it differs from RV(sha256) that file was replaced, when it is the same the
    file was left untouched.
  returned: when a package was downloaded
  type: str
exported:
  description: Whether this task exported (false when O(dest) already existed).
  returned: unless in check mode or the export did not finish
  type: bool
export_id:
  description: Id of the export task (null when nothing was exported, or in check mode).
  returned: always
  type: int
  sample: 5001
status:
  description: Last JOBSTATUS read (2 Complete, 3 CompleteWithErrors, 1 Aborted, 0 Queued, 4 Processing).
  returned: always
  type: int
  sample: 2
finished:
  description: Whether the export had finished.
  returned: always
  type: bool
duration:
  description: Seconds spent waiting.
  returned: always
  type: float
polls:
  description: Status requests sent.
  returned: always
  type: int
history:
  description: Each status seen, with C(status_name) and the seconds elapsed.
  returned: always
  type: list
  elements: dict
object_ids:
  description: The object ids exported (null with O(all)).
  returned: always
  type: list
  elements: int
diff:
  description: C(before) and C(after), in diff mode only; C(after) describes the export.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.jobs import EpExportJob


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            object_ids=dict(type="list", elements="int"),
            all=dict(type="bool"),
            include_forms_items=dict(type="bool"),
            include_associated_items=dict(type="bool"),
            include_associated_reflections=dict(type="bool"),
            include_reflections_associations=dict(type="bool"),
            dest=dict(type="path", required=True),
            force=dict(type="bool", default=False),
            mode=dict(type="raw"),
            export_id=dict(type="int"),
        ),
        wait=True,
        mutually_exclusive=[("object_ids", "all")],
        ids=("export_id",),
    )
    module.run_job(EpExportJob)


if __name__ == "__main__":
    main()
