# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Options of the modules that remove org units: removal through the recycle bin, and restore.
    DOCUMENTATION = r"""
options:
  removal:
    description:
      - How O(state=absent) removes the org unit.
      - V(recycle) sends it to the org structure's recycle bin (C(POST orgstructure/recyclebin/(id)/recycle)),
        from which it can be restored with its id, content and enrollments (O(restore)). Its code
        stays taken while it is there, on a service that keeps recycled codes reserved.
      - V(permanent) recycles it and deletes it from the recycle bin for good
        (C(DELETE orgstructure/recyclebin/(id))), which frees its code. An org unit already in the
        recycle bin is then deleted for good too (the task reads the recycle bin to find it).
      - Has an effect only with O(state=absent).
    type: str
    choices: [recycle, permanent]
    default: recycle
  restore:
    description:
      - With O(state=present), when no org unit has the code but the recycle bin holds one of
        this type that has it, restore that one (C(POST orgstructure/recyclebin/(id)/restore)),
        keeping its id and what it held, then make the options given true of it. The task reads
        the recycle bin to find it.
      - Without it, a create that the service refuses because a recycled org unit holds the code
        fails with a message naming that org unit and both ways out.
      - Has an effect only with O(state=present).
    type: bool
    default: false
notes:
  - "Removal is reversible by default: O(removal=recycle). The recycle bin routes need the OAuth 2.0
    scopes V(organizations:organization:create) (recycle, restore), V(organizations:organization:delete)
    (delete for good) and V(organizations:organization:read) (read the recycle bin), all within V(core:*:*)."
"""
