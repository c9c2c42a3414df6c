# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Ansible adapter: the module base every d2l_* module declares into.

``BrightspaceModule`` adds the connection options (doc fragment ``d2l.brightspace.connection``,
``connection.CONNECTION_OPTIONS``) and optionally the wait options (``d2l.brightspace.wait``),
checks the declared value rules (``value_problems``) before any request, builds the client
(``connection.build_client``), turns every ``BrightspaceError`` into a clean ``fail_json`` (never
a traceback), and hands resources to the ensure engine (``ensure.Ensure``) and jobs to the job
path (``jobs.JobRun``). It is the only file under module_utils that imports Ansible's module
layer (a unit test, test_layers.py, keeps it so).

Check mode never sends a write: the engine skips the write and predicts the end state.
``diff`` (``before``/``after``) is returned only in diff mode.
"""

from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from .connection import CONNECTION_OPTIONS, build_client, seconds_problem
from .ensure import Ensure
from .errors import BrightspaceError, MissingLibraryError, scrub
from .jobs import JobRun
from .rules import ignored_options, value_problems


def connection_argument_spec():
    """Options of the ``d2l.brightspace.connection`` doc fragment (``connection.CONNECTION_OPTIONS``),
    with their env fallbacks.

    NOTE: the base URL is ``brightspace_url``, never ``url``: a module option of that name (the
    link of ``d2l_artifact``) would otherwise be read as the service's address, and the bearer
    token sent there; no module option may take a connection option's name.
    """
    spec = {}
    for name, (kind, variable, secret) in CONNECTION_OPTIONS.items():
        option = dict(type=kind)
        if kind == "str" or name in ("token_cache",):
            option["no_log"] = secret
        if variable:
            option["fallback"] = (env_fallback, [variable])
        spec[name] = option
    return spec


def wait_argument_spec():
    """Options of the ``d2l.brightspace.wait`` doc fragment."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="float", default=2.0),
    )


def unexpected_failure(exc):
    """The message and traceback of a bug (never of a user error, which is a BrightspaceError
    naming its option): the one catch-all of every adapter, this one and d2l_catalog's action."""
    return "unexpected error: %s: %s" % (type(exc).__name__, exc), traceback.format_exc()


class BrightspaceModule(AnsibleModule):
    """AnsibleModule with the connection options, the shared client and the ensure path.

    Declared value rules, checked before any request (see ``value_problems``): ``ids`` are
    options holding ids (or codes/names for ``raw`` references), alone or in a list; ``non_empty``
    strings must not be blank; ``non_negative`` numbers must not be below zero; ``codes`` are codes
    (``str`` options) and org unit references by code (``raw`` options: their strings, ``id:N``
    aside) that must follow the code rules (``orgunits.validate_code``: no look-alike whitespace
    or invisible characters, the service's length and characters); ``minimums`` maps an option
    to ``(least value, unit)`` (a chunk size).
    """

    def __init__(self, argument_spec=None, wait=False, ids=(), non_empty=(), non_negative=(), codes=(), only_if=(),
                 positive=(), minimums=None, **kwargs):
        spec = connection_argument_spec()
        if wait:
            spec.update(wait_argument_spec())
            non_negative = tuple(non_negative) + ("wait_timeout", "poll_interval")
        spec.update(copy.deepcopy(argument_spec or {}))  # a declaration shared with a catalog stays as declared
        kwargs.pop("supports_check_mode", None)  # every module supports check mode
        self._given = {}
        super().__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self._client = None
        problems = value_problems(spec, self._given, self.params, ids, non_empty, non_negative, codes, positive,
                                  minimums)
        for name in ("wait_timeout", "poll_interval") if wait else ():  # time.sleep(1e10) would overflow
            problem = seconds_problem(self.params.get(name), name, positive=False)
            if problem and not any(found.startswith(name + " ") for found in problems):  # said already
                problems.append(problem)
        if problems:
            self.fail_json(msg="; ".join(problems))
        for warning in ignored_options(only_if, self._given, self.params):
            self.warn(warning)

    def _load_params(self):
        super()._load_params()
        self._given = copy.deepcopy(self.params)  # as given: AnsibleModule turns a list into a str

    @property
    def client(self):
        if self._client is None:
            self._client = build_client(self.params)
            for warning in getattr(self._client, "warnings", []):
                self.warn(warning)
        return self._client

    def _hide_learnt_secrets(self):
        """Tokens and assertions learnt while running (a rotated refresh token, an access token,
        a client assertion) are not options, so Ansible's no_log cannot know them: add them to
        the values it masks in everything the module returns."""
        client = getattr(self, "_client", None)
        if client is not None:
            for secret in client.auth.secrets():
                if secret:
                    self.no_log_values.add(secret)

    def exit_json(self, **kwargs):
        self._hide_learnt_secrets()
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self._hide_learnt_secrets()
        client = getattr(self, "_client", None)
        if client is not None:
            msg = scrub(msg, client.auth.secrets())
        super().fail_json(msg=msg, **kwargs)

    def given(self, *names):
        """The options among ``names`` the user set (not None)."""
        return dict((name, self.params[name]) for name in names if self.params.get(name) is not None)

    def fail_from(self, exc, **result):
        """Report a client error as a failure; keep partial results (job id, history)."""
        if isinstance(getattr(exc, "result", None), dict):  # a job's token, status and history
            result.update(exc.result)
        if isinstance(exc, MissingLibraryError):
            self.fail_json(msg=missing_required_lib(exc.library, reason=exc.reason), exception=str(exc.error), **result)
        self.fail_json(msg=str(exc), **result)

    def run(self, action):
        """Call ``action()`` (returns the result dict) and exit; errors become clean failures."""
        try:
            result = action()
        except BrightspaceError as exc:
            self.fail_from(exc)
        except Exception as exc:  # a bug, not a user error: keep the traceback for -vvv
            msg, trace = unexpected_failure(exc)
            self.fail_json(msg=msg, exception=trace)
        self.exit_json(**result)

    # -- the ensure path ------------------------------------------------------------------
    def ensure(self, resource_class):
        """present/absent for one resource declared by a ``Resource`` subclass."""
        self.run(lambda: Ensure(self, resource_class(self)).run())

    def run_job(self, job_class):
        """Start (or attach to) one asynchronous job declared by a ``Job`` subclass, and wait."""
        self.run(lambda: JobRun(self, job_class(self)).run())
