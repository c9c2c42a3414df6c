# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole catalog in one run (``d2l_catalog``), in two layers.

- ``stdcsv``: D2L Standard CSV orgs files and zips, read as catalog items.
- ``engine``: ``Catalog``, the items level by level, each ensured by its resource and the ensure
  engine, in threads on one client; the jobs of what it created; purge.
"""
