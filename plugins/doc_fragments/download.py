# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The mode option of modules that download a file to dest (module_utils/downloads.py,
    # parse_mode). The module documents dest itself.
    DOCUMENTATION = r"""
options:
  mode:
    description:
      - The permissions of the file written, as for M(ansible.builtin.get_url) or M(ansible.builtin.file),
        given as an octal string such as V("0644") (quote it in YAML) or a number such as V(0644).
        Symbolic modes such as V(u=rw,g=r) are not taken.
      - Without it, a file that is replaced keeps its mode, and a new file gets C(0666) minus the
        umask. A file that is replaced always keeps its owner and group (as far as the user running
        the module may set them).
      - When O(dest) already holds the same bytes with another mode, only the mode is changed.
    type: raw
"""
