# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures ``http``, ``fake_time`` and ``make_client`` (see d2l_unit_helpers.py)."""

from __future__ import annotations

from d2l_unit_helpers import fake_time, http, make_client  # noqa: F401  pylint: disable=unused-import
