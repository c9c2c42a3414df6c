#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_ep_import
short_description: Import an ePortfolio package into users' ePortfolios
version_added: 0.1.0
description:
  - Uploads an ePortfolio export package (see M(d2l.brightspace.d2l_ep_export)) and starts one
    import job per target user, then waits for the jobs.
  - The package is checked before any request (it exists and is a zip archive) and streamed.
  - "Each import job belongs to the user it imports into. The service lets only that user
    read its status: the module waits on the jobs it can read (the caller's own), and reports
    the others with C(readable: false). To follow those, read them with that user's
    credentials."
  - The task fails if the import could not start for a user, or a job it can read ends
    C(Aborted), unless O(allow_partial) is true; then those are warnings.
  - Every run imports again, creating the objects anew. Guard the task, for example with
    C(when) on a fact your play keeps.
notes:
  - "OAuth 2.0 scopes: V(core:*:*). No ePortfolio route has a specific scope in D2L's scope
    table."
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.wait
  - d2l.brightspace.attributes
options:
  src:
    description:
      - Path of the ePortfolio package (a zip file).
    type: path
    required: true
  target_users:
    description:
      - LMS user ids to import into, one form part each. Omit it to import into the calling
        user's own ePortfolio.
    type: list
    elements: int
  details:
    description:
      - Use import/newwithdetails, which reports at once the users for whom no job could start
        and why (C(failed_user_ids), C(error_messages)).
    type: bool
    default: false
  allow_partial:
    description:
      - Succeed (with warnings) when some users' imports could not start or failed.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: No package is sent in check mode; the result predicts the change.
  diff_mode:
    support: full
    details: Returns C(before) and C(after) in diff mode only; C(after) describes the import.
seealso:
  - module: d2l.brightspace.d2l_ep_export
"""

EXAMPLES = r"""
- name: Import a package into two users, with immediate feedback
  d2l.brightspace.d2l_ep_import:
    src: /srv/archive/ada-lovelace-eportfolio.zip
    target_users: [102, 103]
    details: true
  register: imported

- name: Import into my own ePortfolio
  d2l.brightspace.d2l_ep_import:
    src: files/my-portfolio.zip
"""

RETURN = r"""
jobs:
  description: One entry per import job started, in target user order.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Import task id.
      type: int
    user_id:
      description: The user it imports into (null when importing into the caller).
      type: int
    readable:
      description: Whether the caller could read the job's status.
      type: bool
    status:
      description: Last JOBSTATUS read (2 Complete, 3 CompleteWithErrors, 1 Aborted).
      type: int
    status_name:
      description: Name of that status.
      type: str
    finished:
      description: Whether the job had finished.
      type: bool
    message:
      description: Why the job is not readable, or how it failed.
      type: str
successful_job_ids:
  description: Ids of the import jobs that started.
  returned: always
  type: list
  elements: int
failed_user_ids:
  description: Users for whom no import could start (O(details=true)).
  returned: always
  type: list
  elements: int
error_messages:
  description: The service's message for each of O(target_users) in C(failed_user_ids).
  returned: always
  type: list
  elements: str
import_job_result_type:
  description: The service's summary of the request (O(details=true)).
  returned: always
  type: str
package:
  description: The package sent (C(path), C(file_name), C(size)).
  returned: always
  type: dict
diff:
  description: C(before) and C(after), in diff mode only; C(after) describes the import.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.eportfolio.jobs import EpImportJob


def main():
    module = BrightspaceModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            target_users=dict(type="list", elements="int"),
            details=dict(type="bool", default=False),
            allow_partial=dict(type="bool", default=False),
        ),
        wait=True,
    )
    module.run_job(EpImportJob)


if __name__ == "__main__":
    main()
