# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the shared client's unit tests: ordered HTTP expectations and a fake clock.

``http.expect(...)`` registers the next expected request (community.hrobot style): method, URL,
auth and query are always pinned, plus the JSON/form/body sent, and the answer. The registry is
``responses.registries.OrderedRegistry``: a request out of order or not registered fails, and at
teardown every expectation must have been used and no other request sent.
"""

from __future__ import annotations

import json as jsonlib

import pytest
import requests
import responses
from requests_toolbelt.multipart.decoder import MultipartDecoder
from responses import matchers
from responses.registries import OrderedRegistry

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import BearerAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.client import BrightspaceClient

BASE = "https://school.example.com"
TOKEN = "demo-token"
BEARER = "Bearer " + TOKEN
ANY = object()  # auth=ANY: the Authorization header is not pinned (ID-key tests pin the query)
VERSIONS = {"lp": "1.47", "le": "1.74", "eP": "2.5", "lr": "1.3"}
VERSIONS_BODY = [
    {"ProductCode": "lp", "LatestVersion": "1.47", "SupportedVersions": ["1.9", "1.10", "1.40", "1.46"]},
    {"ProductCode": "le", "LatestVersion": "1.74", "SupportedVersions": ["1.70", "1.74"]},
    {"ProductCode": "eP", "LatestVersion": "2.5", "SupportedVersions": ["2.4"]},
    {"ProductCode": "lr", "LatestVersion": "1.3", "SupportedVersions": ["1.1", "1.2", "1.3"]},
]


class FakeTime:
    """``clock``/``sleep`` pair: sleeping advances the clock and is recorded, never real."""

    def __init__(self, now=1000.0):
        self.now = float(now)
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


def multipart_part(name, filename, content, content_type):
    """Matcher: the multipart body has a part ``name`` with that file name, type and content."""
    def match(request):
        body = request.body
        decoder = MultipartDecoder(body, request.headers["Content-Type"])
        for part in decoder.parts:
            disposition = part.headers[b"Content-Disposition"].decode()
            if 'name="%s"' % name in disposition:
                ok = ('filename="%s"' % filename in disposition and part.content == content
                      and part.headers[b"Content-Type"].decode() == content_type)
                return ok, "part %s: %s %r" % (name, disposition, part.content)
        return False, "no part named %s" % name
    return match


def no_header(name):
    def match(request):
        if name in request.headers:
            return False, "unexpected %s header: %r" % (name, request.headers[name])
        return True, ""
    return match


def raw_body(expected):
    """The request body is exactly ``expected`` bytes (None and b"" both mean empty)."""
    def match(request):
        body = request.body
        if body is None:
            body = b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body != expected:
            return False, "body %r != %r" % (body, expected)
        return True, ""
    return match


class Http:
    def __init__(self, rsps):
        self.rsps = rsps
        self.count = 0

    def _matchers(self, auth, query, json, form, headers, body):
        match = [matchers.query_param_matcher(query or {})]
        if auth is None:
            match.append(no_header("Authorization"))
        elif auth is not ANY:
            match.append(matchers.header_matcher({"Authorization": auth}))
        if headers:
            match.append(matchers.header_matcher(headers))
        if json is not None:
            match.append(matchers.json_params_matcher(json))
        if form is not None:
            match.append(matchers.urlencoded_params_matcher(form))
        if body is not None:
            match.append(raw_body(body))
        return match

    def expect(self, method, path, *, auth=BEARER, query=None, json=None, form=None, headers=None,
               body=None, status=200, answer=None, text=None, answer_headers=None,
               content_type=None, extra_match=(), content=None):
        """The next request is ``method BASE+path`` (or an absolute URL); it gets this answer."""
        url = path if path.startswith("http") else BASE + path
        kwargs = {}
        if answer is not None:
            kwargs["body"] = jsonlib.dumps(answer)
            kwargs["content_type"] = content_type or "application/json"
        elif content is not None:  # raw bytes
            kwargs["body"] = content
            kwargs["content_type"] = content_type or "application/octet-stream"
        else:
            kwargs["body"] = text or ""
            kwargs["content_type"] = content_type or "text/plain"
        self.rsps.add(method, url, status=status, headers=answer_headers or {},
                      match=self._matchers(auth, query, json, form, headers, body) + list(extra_match),
                      **kwargs)
        self.count += 1

    def drop(self, method, path, *, exc=None, auth=BEARER, query=None, json=None, headers=None,
             body=None):
        """The next request is sent but gets no HTTP answer (connection reset by default)."""
        url = path if path.startswith("http") else BASE + path
        self.rsps.add(method, url, body=exc or requests.exceptions.ConnectionError("Connection reset by peer"),
                      match=self._matchers(auth, query, json, None, headers, body))
        self.count += 1

    @property
    def calls(self):
        return self.rsps.calls

    def sent(self):
        """``[(method, path?query)]`` of every request sent so far."""
        return [(c.request.method, c.request.path_url) for c in self.rsps.calls]


@pytest.fixture
def http():
    with responses.RequestsMock(registry=OrderedRegistry, assert_all_requests_are_fired=True) as rsps:
        expectations = Http(rsps)
        yield expectations
        unexpected = [(c.request.method, c.request.url) for c in rsps.calls
                      if isinstance(c.response, requests.exceptions.ConnectionError)
                      and "match" in str(c.response)]
        assert not unexpected, "unexpected requests: %r" % unexpected
        assert len(rsps.calls) == expectations.count, "sent %r" % expectations.sent()


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_client(fake_time):
    """A client with the fake clock, fixed versions (no discovery) and jitter pinned to its top."""
    def make(auth=None, api_versions="fixed", rand=1.0, **kwargs):
        if api_versions == "fixed":  # a string marker: a dict default would be shared between calls
            api_versions = VERSIONS
        client = BrightspaceClient(BASE, auth or BearerAuth(TOKEN), api_versions=api_versions,
                                   sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)
        client.retry.rand = lambda: rand
        return client
    return make


def run_module(main, args, check_mode=False, diff=False):
    """Run a module's ``main()`` in-process with ``args``; return its result dict.

    The result is what the module printed (``exit_json`` or ``fail_json``); ``failed`` tells
    them apart. Requests go through the ``http`` fixture like any other.
    """
    import contextlib
    import io
    from unittest import mock

    from ansible.module_utils import basic

    args = dict(args)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    payload = jsonlib.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
    patches = [mock.patch.object(basic, "_ANSIBLE_ARGS", payload)]
    try:  # ansible-core 2.19+: once controller code is imported (an inventory plugin test), module
        # warnings go to the controller's display instead of the result; a module runs as a module
        from ansible.module_utils import _internal
        if hasattr(_internal, "is_controller"):
            patches.append(mock.patch.object(_internal, "is_controller", False))
    except ImportError:
        pass
    if hasattr(basic, "_ANSIBLE_PROFILE"):  # ansible-core 2.19+
        patches.append(mock.patch.object(basic, "_ANSIBLE_PROFILE", "legacy"))
    from ansible.module_utils.common import warnings as ansible_warnings
    for name in ("_global_warnings", "_global_deprecations"):  # a module's warnings are its own run's
        if isinstance(getattr(ansible_warnings, name, None), (dict, list)):
            getattr(ansible_warnings, name).clear()
    out = io.StringIO()
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        stack.enter_context(contextlib.redirect_stdout(out))
        with pytest.raises(SystemExit):
            main()
    return jsonlib.loads(out.getvalue())
