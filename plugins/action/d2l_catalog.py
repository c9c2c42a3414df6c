# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_catalog on the controller: the catalog engine (module_utils/catalog) runs here, in this
process, so its threads share one client and its progress reaches the play's output as it goes.

This is an adapter, like ``module_utils.module.BrightspaceModule``: it validates the task's
arguments against the module's declaration (``d2l_catalog.ARGUMENT_SPEC``, plus the connection
options with their environment fallbacks), checks the declared value rules, builds the client,
and turns every ``BrightspaceError`` into a clean failure, scrubbed of every secret.
"""

from __future__ import annotations

import os
import threading
import time

from ansible.errors import AnsibleError
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.d2l.brightspace.plugins.module_utils.catalog.engine import Catalog
from ansible_collections.d2l.brightspace.plugins.module_utils.connection import build_client
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceError, scrub
from ansible_collections.d2l.brightspace.plugins.module_utils.module import connection_argument_spec, unexpected_failure
from ansible_collections.d2l.brightspace.plugins.module_utils.rules import value_problems
from ansible_collections.d2l.brightspace.plugins.modules.d2l_catalog import ARGUMENT_SPEC, RULES

display = Display()

QUIET_SECONDS = 3.0  # a run shorter than this shows no progress lines
STEPS = 10  # otherwise a line at every tenth of the work


class ControllerContext:
    """What the engine runs against on the controller: the validated options, the client
    (built when first needed), check and diff mode, and the warnings to return."""

    def __init__(self, params, check_mode, diff):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self._client = None
        self.warnings = []

    @property
    def client(self):
        if self._client is None:
            self._client = build_client(self.params)
            self.warnings.extend(getattr(self._client, "warnings", []))
        return self._client

    def secrets(self):
        found = [value for name, value in self.params.items() if name in SECRET_OPTIONS and value]
        if self._client is not None:
            found.extend(s for s in self._client.auth.secrets() if s)
        return found

    def warn(self, message):
        self.warnings.append(message)


SPEC = connection_argument_spec()
SPEC.update(ARGUMENT_SPEC)
SECRET_OPTIONS = set(name for name, option in SPEC.items() if option.get("no_log"))


def with_environment(spec, environment):
    """``spec`` with each environment fallback reading ``environment`` instead of os.environ."""
    def lookup(*names, **_kwargs):
        for name in names:
            if name in environment:
                return environment[name]
        raise AnsibleFallbackNotFound
    changed = {}
    for name, option in spec.items():
        fallback = option.get("fallback")
        if fallback and fallback[0] is env_fallback:
            option = dict(option, fallback=(lookup, fallback[1]))
        changed[name] = option
    return changed


class Progress:
    """Progress lines in the play's output: after QUIET_SECONDS, at every tenth of the work."""

    def __init__(self, label, clock=time.monotonic, show=display.display):
        self.label = label
        self.clock = clock
        self.show = show
        self.started = clock()
        self.lock = threading.Lock()
        self.shown_step = 0
        self.failed = 0

    def __call__(self, done, total, record):
        with self.lock:
            if record.get("error"):
                self.failed += 1
            step = done * STEPS // max(total, 1)
            if step <= self.shown_step or self.clock() - self.started < QUIET_SECONDS:
                return
            self.shown_step = step
            line = "%s: %d/%d resources (%d%%), %d failed, %.1f s" % (
                self.label, done, total, 100 * done // max(total, 1), self.failed, self.clock() - self.started)
            self.show(line)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        # the task's environment keyword (a play's or block's too) as a module would see it: the
        # connection options fall back to BRIGHTSPACE_* from there, then from this process
        task_environment = {}
        try:
            self._compute_environment_string(task_environment)
        except AnsibleError as exc:
            result.update(failed=True, msg="environment: %s" % exc)
            return result
        environment = dict(os.environ)
        environment.update((str(k), str(v)) for k, v in task_environment.items() if v is not None)
        validated = ArgumentSpecValidator(with_environment(SPEC, environment)).validate(dict(self._task.args))
        if validated.error_messages:
            result.update(failed=True, msg="; ".join(validated.error_messages))
            return result
        params = validated.validated_parameters
        problems = value_problems(SPEC, dict(self._task.args), params, **RULES)
        if problems:
            result.update(failed=True, msg="; ".join(problems))
            return result
        if params.get("src"):
            try:
                params["src"] = self._find_needle("files", params["src"])
            except AnsibleError as exc:
                result.update(failed=True, msg="src: %s" % exc)
                return result
        for item in params.get("offerings") or []:  # a relative package is found as src is
            if item.get("package") and not os.path.isabs(item["package"]):
                try:
                    item["package"] = self._find_needle("files", item["package"])
                except AnsibleError as exc:
                    result.update(failed=True, msg="offerings: package of %s: %s" % (item.get("code"), exc))
                    return result
        context = ControllerContext(params, bool(self._task.check_mode), bool(self._task.diff))
        progress = Progress("d2l_catalog%s" % (" (check mode)" if context.check_mode else ""))
        try:
            outcome = Catalog(context, progress=progress).run()
        except BrightspaceError as exc:
            partial = exc.result if isinstance(getattr(exc, "result", None), dict) else {}
            result.update(partial)
            result.update(failed=True, msg=scrub(str(exc), context.secrets()))
        except Exception as exc:  # pylint: disable=broad-except  # a bug, not a user error
            msg, trace = unexpected_failure(exc)
            result.update(failed=True, msg=scrub(msg, context.secrets()), exception=scrub(trace, context.secrets()))
        else:
            result.update(outcome)
        secrets = context.secrets()
        for entry in list(result.get("resources") or []) + list(result.get("jobs") or []):
            if entry.get("error"):  # the client scrubs what the service says; this is the last look
                entry["error"] = scrub(entry["error"], secrets)
            if entry.get("warnings"):
                entry["warnings"] = [scrub(w, secrets) for w in entry["warnings"]]
        warnings = [scrub(w, secrets) for w in list(context.warnings) + list(result.pop("warnings", None) or [])]
        if warnings:
            result["warnings"] = warnings[:50] + (["%d more warnings: see resources[].warnings" % (len(warnings) - 50)]
                                                  if len(warnings) > 50 else [])
        return result
