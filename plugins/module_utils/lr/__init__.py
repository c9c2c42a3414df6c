# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository (the lr product): the D2L reference page "Learning Repository", in layers.

- ``routes``: the HTTP routes, the service's constants, and the check of every answer
  (``LearningRepositoryApi.checked``).
- ``objects``: learning objects by their natural key (``LrTitles``) and the resource
  ``d2l_lr_object`` ensures.
- ``info``: the bodies of ``d2l_lr_object_info``, ``d2l_lr_repository_info`` and ``d2l_lr_download``.

The page's warning applies to every route: the Learning Repository answers HTTP 200 even when
the action failed. Every answer's ``ExecutionStatus`` is checked in one place
(``LearningRepositoryApi.checked``): ERROR raises ``errors.LrError`` with the service's message,
WARN becomes an Ansible warning.
"""
