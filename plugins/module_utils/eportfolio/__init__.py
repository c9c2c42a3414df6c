# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio (the eP product): the D2L reference pages "ePortfolio artifacts" and "ePortfolio
import and export", in three layers.

- ``routes``: the HTTP routes and the service's constants (``EportfolioApi``); nothing else.
- ``artifacts``: the artifact resource ``d2l_artifact`` ensures, and the body of ``d2l_artifact_info``.
- ``jobs``: the export job (``d2l_ep_export``) and the import job (``d2l_ep_import``), on the
  one job path (``jobs.JobRun``).

Everything acts in the caller's user context: an artifact is found among the caller's own
objects (``objects/my/``), an export packages the caller's objects, and an import job belongs to
the user it imports into.
"""
