# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: every task result, as the controller received it, one JSON line each.

Enabled by tests/integration/test_secrets.py with ANSIBLE_CALLBACK_PLUGINS pointing here and
ANSIBLE_CALLBACKS_ENABLED=record_results; RECORD_RESULTS_FILE names the output file. The
secrets sweep searches this file as well as the playbook's output, so returned data that the
default callback would not print (for example a result's full ``invocation``) is searched too.
"""

from __future__ import annotations

DOCUMENTATION = """
name: record_results
type: notification
short_description: write every task result to RECORD_RESULTS_FILE (tests only)
description:
  - Test helper of the d2l.brightspace integration tests.
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        path = os.environ.get("RECORD_RESULTS_FILE")
        if not path:
            return
        line = {"status": status, "task": result._task.get_name(),  # pylint: disable=protected-access
                "host": result._host.get_name(),  # pylint: disable=protected-access
                "result": result._result}  # pylint: disable=protected-access
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, default=repr) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_item_on_ok(self, result):
        self._record("item ok", result)

    def v2_runner_item_on_failed(self, result):
        self._record("item failed", result)
