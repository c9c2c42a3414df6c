# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  action_group:
    description: Use C(group/d2l.brightspace.brightspace) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - d2l.brightspace.brightspace
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads.
"""

    RESOURCE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: No write request is sent in check mode; the result predicts the change.
  diff_mode:
    support: full
    details: Returns C(before) and C(after) in diff mode only.
"""

    JOB = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - No job is started in check mode; the result predicts the change.
      - When the task attaches to an existing job, the job's status is read once and not waited for.
  diff_mode:
    support: full
    details: Returns C(before) and C(after) in diff mode only; C(after) describes the job started.
"""
