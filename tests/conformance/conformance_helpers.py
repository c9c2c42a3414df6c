# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the conformance suite: the target (emulator or tenant), D2L SDK user
contexts and the three ways the SDK signs a request."""
from __future__ import annotations

import io
import json
import os
import time
import zipfile
from typing import Optional
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from d2lvalence import auth as d2lauth

# The emulator's seeds (tests/emulator/README.md "Seeded credentials").
SEED = {
    "app_id": "demo-app-id", "app_key": "demo-app-key",
    "user_id": "demo-user-id", "user_key": "demo-user-key",
    "access_token": "demo-token", "client_id": "demo-client", "client_secret": "demo-secret",
    "refresh_token": "demo-refresh",
}
# NOTES.md: the blocks the supporting routes answer.
WHOAMI_KEYS = {"Identifier", "FirstName", "LastName", "UniqueName", "ProfileIdentifier"}
ERRORS_KEYS = {"Errors"}
PROBLEM_KEYS = {"type", "status", "title", "detail", "instance"}
TIMEOUT = 15


class Target:
    """Where the suite sends its requests, with the credentials to use."""

    def __init__(self, url: str, emulator: bool, creds: dict):
        self.url = url
        self.emulator = emulator
        self.creds = creds
        self._latest: Optional[dict] = None

    @classmethod
    def for_emulator(cls, url: str) -> "Target":
        creds = dict(SEED, token_url=url + "/core/connect/token")
        return cls(url, True, creds)

    @classmethod
    def from_environment(cls, url: str) -> "Target":
        env = os.environ.get
        creds = {
            "app_id": env("BRIGHTSPACE_APP_ID"), "app_key": env("BRIGHTSPACE_APP_KEY"),
            "user_id": env("BRIGHTSPACE_USER_ID"), "user_key": env("BRIGHTSPACE_USER_KEY"),
            "access_token": env("BRIGHTSPACE_ACCESS_TOKEN"),
            "client_id": env("BRIGHTSPACE_CLIENT_ID"),
            "client_secret": env("BRIGHTSPACE_CLIENT_SECRET"),
            "refresh_token": env("BRIGHTSPACE_REFRESH_TOKEN"),
            "refresh_token_file": env("BRIGHTSPACE_REFRESH_TOKEN_FILE"),
            "token_url": env("BRIGHTSPACE_TOKEN_URL",
                             "https://auth.brightspace.com/core/connect/token"),
        }
        return cls(url, False, creds)

    # --- credentials ---------------------------------------------------------------------------
    def need(self, *names: str) -> None:
        missing = [n for n in names if not self.creds.get(n)]
        if missing:
            pytest.skip("no " + ", ".join("BRIGHTSPACE_" + n.upper() for n in missing))

    def sdk_context(self, user_key: Optional[str] = None, skew_ms: float = 0):
        """A D2L SDK user context (ID-key) for this target."""
        self.need("app_id", "app_key", "user_id", "user_key")
        parts = urlsplit(self.url)
        app = d2lauth.fashion_app_context(app_id=self.creds["app_id"],
                                          app_key=self.creds["app_key"])
        return app.create_user_context(d2l_user_context_props_dict={
            "host": parts.netloc, "user_id": self.creds["user_id"],
            "user_key": user_key or self.creds["user_key"],
            "encrypt_requests": parts.scheme == "https", "server_skew": skew_ms})

    # --- versions --------------------------------------------------------------------------
    def latest(self, product: str) -> str:
        """The product's latest version, from GET /d2l/api/versions/ (never hard-coded)."""
        if self._latest is None:
            r = requests.get(self.url + "/d2l/api/versions/", timeout=TIMEOUT)
            r.raise_for_status()
            self._latest = {p["ProductCode"]: p["LatestVersion"] for p in r.json()}
        return self._latest[product]

    def route(self, product: str, rest: str, version: Optional[str] = None) -> str:
        return f"/d2l/api/{product}/{version or self.latest(product)}/{rest}"

    # --- the emulator's control API and seeded bearer token (setup, checks) ---------------------
    def control(self, method: str, path: str, body=None):
        if not self.emulator:
            pytest.skip("needs the emulator's control API")
        r = requests.request(method, self.url + "/_emulator/" + path, json=body, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        return r.json()

    def state(self) -> dict:
        return self.control("GET", "state")

    def mint(self, user: str = "3", scope: str = "core:*:*") -> dict:
        token = self.control("POST", "tokens", {"user": user, "scope": scope})["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def bearer(self) -> dict:
        self.need("access_token")
        return {"Authorization": f"Bearer {self.creds['access_token']}"}

    def api(self, method: str, path: str, expect=200, **kwargs) -> requests.Response:
        """A setup call with the bearer token (not the client under test)."""
        headers = dict(self.bearer(), **kwargs.pop("headers", {}))
        r = requests.request(method, self.url + path, headers=headers, timeout=TIMEOUT, **kwargs)
        if expect is not None:
            assert r.status_code == expect, (method, path, r.status_code, r.text)
        return r


# --- the SDK's three ways of signing ----------------------------------------------------------
SIGNING = ("auth", "url", "decorate")


def sdk_request(target: Target, ctx, mode: str, method: str, path: str, params=None,
                **kwargs) -> requests.Response:
    """Send ``method path`` signed by D2L's SDK: ``auth`` (the context as a requests AuthBase),
    ``url`` (``create_authenticated_url`` for the path, the query appended: the signature
    covers the path only) or ``decorate`` (``decorate_url_with_authentication`` of the full
    URL)."""
    query = urlencode(params or {}, doseq=True)
    kwargs.setdefault("timeout", TIMEOUT)
    kwargs.setdefault("allow_redirects", False)
    if mode == "auth":
        return requests.request(method, target.url + path, params=params, auth=ctx, **kwargs)
    if mode == "url":
        url = ctx.create_authenticated_url(path, method=method)
        return requests.request(method, url + ("&" + query if query else ""), **kwargs)
    if mode == "decorate":
        full = target.url + path + ("?" + query if query else "")
        return requests.request(method, ctx.decorate_url_with_authentication(full, method=method),
                                **kwargs)
    raise ValueError(mode)


# --- small builders ---------------------------------------------------------------------------
def make_zip(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


SCORM_MANIFEST = """<?xml version="1.0"?>
<manifest identifier="m1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o1"><organization identifier="o1"><title>{title}</title>
    <item identifier="i1" identifierref="r1"><title>Page</title></item></organization>
  </organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
      href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""


def scorm_zip(title: str = "Conformance module") -> bytes:
    return make_zip({"imsmanifest.xml": SCORM_MANIFEST.format(title=title),
                     "index.html": "<html><body>hi</body></html>"})


def unique(prefix: str) -> str:
    return f"{prefix}{time.monotonic_ns() % 10**10}"


def problem(r: requests.Response) -> dict:
    assert r.headers.get("content-type", "").startswith("application/problem+json"), r.headers
    body = r.json()
    assert set(body) == PROBLEM_KEYS, body
    return body


def errors(r: requests.Response) -> str:
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == ERRORS_KEYS and body["Errors"], body
    return body["Errors"][0]["Message"]


def lr_ok(r: requests.Response, keys=None) -> dict:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ExecutionStatus"] in (0, 1) and isinstance(body["ExecutionMessage"], str), body
    if keys is not None:
        assert set(body) == {"ExecutionMessage", "ExecutionStatus", *keys}, body
    return body


def lr_error(r: requests.Response) -> str:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ExecutionStatus"] == 2, body
    assert set(body) == {"ExecutionMessage", "ExecutionStatus"}, body
    return body["ExecutionMessage"]


def wait_json(get, predicate, timeout: float = 8.0):
    """Call ``get()`` (a response) until ``predicate(json)``; the last JSON."""
    deadline = time.monotonic() + timeout
    while True:
        r = get()
        assert r.status_code == 200, r.text
        value = r.json()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def dumps(value) -> bytes:
    return json.dumps(value).encode("utf-8")
