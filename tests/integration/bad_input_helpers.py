# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's ``main()`` in-process against the emulator, and judge a bad-input result.

``run_in_process`` feeds ``ANSIBLE_MODULE_ARGS`` the way ``ansible-playbook`` does and returns
what the module printed (``exit_json`` or ``fail_json``). Any exception other than
``SystemExit`` coming out of ``main()`` is a bug: it is returned as ``{"exception": text}`` so
the caller fails the example with the traceback. ``in_process_runner`` binds it to an
emulator's connection options.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import re
import traceback
from unittest import mock

import pytest
from ansible.module_utils import basic

EXCEPTION_REPR = re.compile(
    r"Traceback|\b(KeyError|TypeError|ValueError|AttributeError|IndexError|"
    r"OverflowError|UnicodeError|UnicodeEncodeError|OSError|RecursionError|NameError)\b")
# how BrightspaceModule.run's catch-all (``except Exception``) words a failure: a bug, never the
# answer to a user's input, which must end in a message naming the option and the problem
CATCH_ALL = "unexpected error"
WRITE_METHODS_EXEMPT = ("GET", "HEAD")


def module_main(name):
    return importlib.import_module("ansible_collections.d2l.brightspace.plugins.modules.%s" % name).main


def run_in_process(name, args, check_mode=False):
    """Run module ``name`` with ``args``; return its result dict (``failed`` on fail_json)."""
    args = dict(args)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = False
    payload = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
    patches = [mock.patch.object(basic, "_ANSIBLE_ARGS", payload)]
    try:  # ansible-core 2.19+: a module imported next to controller code still runs as a module
        from ansible.module_utils import _internal
        if hasattr(_internal, "is_controller"):
            patches.append(mock.patch.object(_internal, "is_controller", False))
    except ImportError:
        pass
    if hasattr(basic, "_ANSIBLE_PROFILE"):
        patches.append(mock.patch.object(basic, "_ANSIBLE_PROFILE", "legacy"))
    out = io.StringIO()
    main = module_main(name)
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        stack.enter_context(contextlib.redirect_stdout(out))
        try:
            main()
        except SystemExit:
            pass
        except Exception:  # pylint: disable=broad-exception-caught
            return {"exception": traceback.format_exc()}
    text = out.getvalue()
    try:
        return json.loads(text)
    except ValueError:
        return {"exception": "not JSON on stdout: %r" % text[:2000]}


def in_process_runner(emulator, tmp_path_factory, directory):
    """``run(name, args, check_mode=False)``: ``run_in_process`` with the connection options of
    ``emulator`` (its URL, the demo bearer token, a token cache in a new temporary directory
    named ``directory``), then ``args``. Skips the calling test unless the emulator has its
    control API: the callers judge what the modules sent by its request log (``RequestLog``)."""
    if not emulator.control:
        pytest.skip("needs the emulator's request log")
    base = tmp_path_factory.mktemp(directory)
    connection = {"brightspace_url": emulator.url, "access_token": "demo-token",
                  "token_cache": str(base / "cache" / "tokens.json")}

    def run(name, args, check_mode=False):
        return run_in_process(name, dict(connection, **args), check_mode=check_mode)
    return run


class RequestLog:
    """A cursor on the emulator's request log: ``take()`` answers the requests since last time."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.cursor = 0
        self.take()

    def take(self):
        answer = self.emulator.call("GET", "/_emulator/requests?since=%d" % self.cursor)
        self.cursor = answer["next"]
        return answer["requests"]


def problems(result, case, sent):
    """What is wrong with the module's answer to a bad input (an empty list: nothing)."""
    found = []
    msg = result.get("msg")
    if isinstance(msg, str) and msg.strip().lower().startswith(CATCH_ALL):
        return ["the module base's catch-all answered (BrightspaceModule.run, except Exception) instead of a "
                "message naming the option: %r\n%s" % (msg, result.get("exception", ""))]
    if "exception" in result:
        return ["exception out of main():\n" + result["exception"]]
    if not result.get("failed"):
        found.append("did not fail: %r" % result)
    if not isinstance(msg, str) or not msg.strip():
        found.append("no message: %r" % (msg,))
        msg = ""
    if EXCEPTION_REPR.search(msg):
        found.append("an exception in the message: %r" % msg)
    named = list(case.options)
    if not case.local:  # the service's answer names the value instead ("Object 2147483648 not found")
        named += [str(value) for value in case.set.values() if isinstance(value, int)]
        named += [str(item) for value in case.set.values() if isinstance(value, list) for item in value]
    if case.options and not any(option in msg for option in named):
        found.append("the message names none of %s: %r" % (", ".join(case.options), msg))
    if case.problem and not re.search(case.problem, msg, re.IGNORECASE):
        found.append("the message does not say what is wrong (/%s/): %r" % (case.problem, msg))
    writes = [(r["method"], r["path"]) for r in sent if r["method"] not in WRITE_METHODS_EXEMPT]
    if writes:
        found.append("write request(s) sent: %r" % writes)
    if case.local and sent:
        found.append("known locally, yet requests were sent: %r" % [(r["method"], r["path"]) for r in sent])
    return found
