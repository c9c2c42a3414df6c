# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules that wait for an asynchronous job.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait for the job to finish before returning.
      - With V(false) the module returns after starting the job (or reading its status once).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the job. On timeout the module fails with the job id and its last
        status; the job goes on, and the message names the option with which a later task can
        attach to the job and wait for it again.
      - At most 31622400 (a year).
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between the first status polls. The interval grows by half each poll, up to
        30 seconds (or O(poll_interval) if larger).
      - A finite number, at most 86400 (a day).
    type: float
    default: 2
"""
