#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_course_import
short_description: Import a course package into a course offering
version_added: 0.1.0
description:
  - Uploads a course package (a D2L export, an IMS Common Cartridge or a SCORM package) into a
    O(target) course offering as a course import job, and waits for it through UPLOADING,
    PROCESSING, PROCESSED and IMPORTING to COMPLETED.
  - "The module checks the package before any request: it must exist, be readable, be a zip
    archive and hold C(imsmanifest.xml) at its root."
  - The package is streamed, never read into memory, so large packages are fine.
  - Starting an import is a change; every run imports again. Run it with C(when) on the
    C(created) result of M(d2l.brightspace.d2l_course) to import only into new offerings.
  - With O(job_token) the module uploads nothing; it waits for that import job and reports no
    change. A job that ends IMPORTFAILED fails the task with its job token.
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.wait
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.JOB
options:
  target:
    description:
      - The course offering to import into. An integer is an org unit id; a string is a course
        offering code. It is checked before the package is sent.
    type: raw
    required: true
  src:
    description:
      - Path of the course package (a zip file) on the host the module runs on. Required
        unless O(job_token) is given.
    type: path
  callback_url:
    description:
      - A URL the service POSTs the job's status block to, once, when the import ends.
    type: str
  job_token:
    description:
      - Attach to this existing import job of O(target) and wait for it instead of uploading.
    type: str
notes:
  - "OAuth 2.0 scopes: with O(target) given by id, V(orgunits:course:read), V(import:job:create)
    and V(import:job:fetch) (or V(core:*:*)); with a target code, V(core:*:*), because looking a
    code up reads the org unit types (C(outypes/)), which have no specific scope."
  - The import routes are documented under the C(unstable) API contract only, so they are
    called as C(/d2l/api/le/unstable/import/(orgUnitId)/imports/), whatever O(api_versions) says.
seealso:
  - module: d2l.brightspace.d2l_course
  - module: d2l.brightspace.d2l_copy_job
"""

EXAMPLES = r"""
- name: Create the offering
  d2l.brightspace.d2l_course:
    code: CHEM200-2026F
    name: Chemistry 200 (Fall 2026)
    template: CHEM200
  register: offering

- name: Import the course package into it, only when it is new
  d2l.brightspace.d2l_course_import:
    target: CHEM200-2026F
    src: files/chem200-export.zip
  when: offering.created

- name: Import a SCORM package, waiting up to two hours
  d2l.brightspace.d2l_course_import:
    target: 6612
    src: /srv/packages/safety-training-scorm12.zip
    wait_timeout: 7200
    poll_interval: 10
  register: imported

- name: Resume the wait for an import whose first wait timed out
  d2l.brightspace.d2l_course_import:
    target: 6612
    job_token: "{{ imported.job_token }}"
  when: imported is failed and imported.job_token is defined
"""

RETURN = r"""
job_token:
  description: Token of the import job (the one started, or O(job_token)). Not returned in check mode.
  returned: always
  type: str
  sample: 9b0c2e7d41aa03f6
status:
  description: Last status read (C(IMPORTJOBSTATUS_T)), C(COMPLETED) once the import has finished.
  returned: always
  type: str
  sample: COMPLETED
finished:
  description: Whether the job had finished when the module returned.
  returned: always
  type: bool
duration:
  description: Seconds the module spent waiting.
  returned: always
  type: float
polls:
  description: Status requests sent while waiting.
  returned: always
  type: int
history:
  description: Each status the module saw, with the seconds elapsed since it began waiting.
  returned: always
  type: list
  elements: dict
  sample: [{"status": "UPLOADING", "status_name": "UPLOADING", "elapsed": 0.0},
           {"status": "COMPLETED", "status_name": "COMPLETED", "elapsed": 12.0}]
target_id:
  description: Org unit id of the target offering (null in check mode when it does not exist yet).
  returned: always
  type: int
package:
  description: The package sent (null with O(job_token)).
  returned: always
  type: dict
  contains:
    path:
      description: Local path.
      type: str
    file_name:
      description: File name sent in the form part.
      type: str
    size:
      description: Size in bytes.
      type: int
callback_url:
  description: The O(callback_url) passed to the service.
  returned: always
  type: str
diff:
  description: C(before) and C(after), in diff mode only; C(after) describes the job.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.coursejobs import CourseImportJob


def main():
    module = BrightspaceModule(argument_spec=dict(
        target=dict(type="raw", required=True),
        src=dict(type="path"),
        callback_url=dict(type="str"),
        job_token=dict(type="str", no_log=False),
    ), wait=True, required_one_of=[("src", "job_token")], ids=("target",), non_empty=("job_token",), codes=("target",))
    module.run_job(CourseImportJob)


if __name__ == "__main__":
    main()
