# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Service users (client credentials with a private-key JWT), redirects from the token endpoint,
and secrets a service echoes back."""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

import jwt
import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import (
    ASSERTION_TYPE, RefreshTokenAuth, ServiceUserAuth, load_private_key)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceAuthError, BrightspaceHTTPError, scrub)

from d2l_unit_helpers import FakeTime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
KEY_FILE = os.path.join(ROOT, "tests", "fixtures", "service-user", "private-key.pem")
JWKS_FILE = os.path.join(ROOT, "tests", "fixtures", "service-user", "jwks.json")
TOKEN_URL = "https://auth.example.com/core/connect/token"
WHOAMI = "/d2l/api/lp/1.47/users/whoami"
ME = {"Identifier": "3"}
NOW = 1767999000.0


def public_key():
    with open(JWKS_FILE, encoding="utf-8") as handle:
        return jwt.PyJWK(json.load(handle)["keys"][0]).key


def key_text():
    with open(KEY_FILE, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def wall():
    return FakeTime(NOW)


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / "cache" / "tokens.json")


@pytest.fixture
def service(wall, cache_path):
    def make(scope="core:*:*", key=KEY_FILE, cache=cache_path, client_id="demo-service"):
        return ServiceUserAuth(requests.Session(), TOKEN_URL, client_id, key, "demo-service-key-1", scope,
                               cache_path=cache, clock=wall.clock)
    return make


def grant_matcher(seen, scope="core:*:*"):
    """Matcher for a service-user grant: the exact form, and an assertion valid for the test key."""
    def match(request):
        form = dict((k, v[0]) for k, v in parse_qs(request.body).items())
        seen.append(form)
        expected = {"grant_type", "client_assertion_type", "client_assertion", "scope"}
        if set(form) != expected:
            return False, "form fields %r" % sorted(form)
        if form["grant_type"] != "client_credentials" or form["client_assertion_type"] != ASSERTION_TYPE:
            return False, "grant %r" % form
        if form["scope"] != scope:
            return False, "scope %r" % form["scope"]
        return True, ""
    return match


def expect_service_grant(http, seen, access="sat-1", scope="core:*:*", expires_in=3600):
    http.expect("POST", TOKEN_URL, auth=None, headers={"Accept": "application/json"},
                extra_match=[grant_matcher(seen, scope)],
                answer={"access_token": access, "token_type": "Bearer", "expires_in": expires_in, "scope": scope})


def test_service_user_grant_sends_a_signed_assertion_d2l_can_verify(http, make_client, service):
    seen = []
    expect_service_grant(http, seen)
    http.expect("GET", WHOAMI, auth="Bearer sat-1", answer=ME)
    assert make_client(auth=service()).get_json(WHOAMI) == ME

    assertion = seen[0]["client_assertion"]
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "RS256" and header["kid"] == "demo-service-key-1"
    claims = jwt.decode(assertion, public_key(), algorithms=["RS256"], audience=TOKEN_URL,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["iss"] == claims["sub"] == "demo-service"
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == int(NOW) and claims["exp"] == int(NOW) + 300
    assert len(claims["jti"]) >= 32


def test_every_assertion_has_its_own_jti(service):
    auth = service()
    first, second = (jwt.decode(auth.assertion(), public_key(), algorithms=["RS256"], audience=TOKEN_URL,
                                options={"verify_exp": False, "verify_iat": False})["jti"] for _twice in range(2))
    assert first != second


def test_the_key_may_be_given_as_pem_text(http, make_client, service):
    seen = []
    expect_service_grant(http, seen)
    http.expect("GET", WHOAMI, auth="Bearer sat-1", answer=ME)
    auth = service(key=key_text())
    make_client(auth=auth).get_json(WHOAMI)
    assert key_text() in auth.secrets()


def test_the_token_is_cached_per_client_and_scope_and_shared(http, make_client, service, wall, cache_path):
    seen = []
    expect_service_grant(http, seen, access="sat-1")
    http.expect("GET", WHOAMI, auth="Bearer sat-1", answer=ME)
    make_client(auth=service()).get_json(WHOAMI)
    # another task (another process in a play): the cached token, no grant
    http.expect("GET", WHOAMI, auth="Bearer sat-1", answer=ME)
    make_client(auth=service()).get_json(WHOAMI)
    # another scope is another token
    expect_service_grant(http, seen, access="sat-2", scope="users:profile:read users:own_profile:read")
    http.expect("GET", WHOAMI, auth="Bearer sat-2", answer=ME)
    make_client(auth=service(scope="users:profile:read users:own_profile:read")).get_json(WHOAMI)
    # shortly before it expires, a new one
    wall.advance(3600 - 29)
    expect_service_grant(http, seen, access="sat-3")
    http.expect("GET", WHOAMI, auth="Bearer sat-3", answer=ME)
    make_client(auth=service()).get_json(WHOAMI)
    assert len(seen) == 3
    with open(cache_path, encoding="utf-8") as handle:
        text = handle.read()
    assert "BEGIN" not in text and "client_assertion" not in text


def test_a_401_fetches_a_new_token_once(http, make_client, service):
    seen = []
    expect_service_grant(http, seen, access="sat-1")
    http.expect("GET", WHOAMI, auth="Bearer sat-1", status=401, text="Token expired")
    expect_service_grant(http, seen, access="sat-2")
    http.expect("GET", WHOAMI, auth="Bearer sat-2", answer=ME)
    make_client(auth=service()).get_json(WHOAMI)


def test_a_refused_assertion_is_a_clear_error_without_the_assertion(http, service):
    seen = []
    http.expect("POST", TOKEN_URL, auth=None, extra_match=[grant_matcher(seen)], status=401,
                answer={"error": "invalid_client", "error_description": "assertion signature is invalid"})
    auth = service()
    with pytest.raises(BrightspaceAuthError) as info:
        auth.token()
    assert str(info.value) == ("POST /core/connect/token failed: 401 Unauthorized: OAuth client_credentials "
                               "grant refused: assertion signature is invalid")


@pytest.mark.parametrize("value, message", [
    ("", "private_key must not be empty"),
    ("/nonexistent/key.pem", "private_key: neither PEM text nor an existing file"),
    ("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", "private_key: not a PEM private key"),
])
def test_bad_private_keys_are_named(value, message):
    with pytest.raises(BrightspaceAuthError) as info:
        load_private_key(value)
    assert str(info.value).startswith(message)


def test_an_encrypted_or_non_rsa_key_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = load_private_key(KEY_FILE)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pass")).decode()
    with pytest.raises(BrightspaceAuthError, match="encrypted with a passphrase"):
        load_private_key(encrypted)
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(BrightspaceAuthError, match="an RSA private key is needed"):
        load_private_key(other)


# -- redirects ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_token_endpoint_redirect_is_never_followed(http, status, wall, cache_path):
    auth = RefreshTokenAuth(requests.Session(), TOKEN_URL, "demo-client", "demo-secret", "demo-refresh",
                            cache_path=cache_path, clock=wall.clock)
    http.expect("POST", TOKEN_URL, auth=None, status=status,
                answer_headers={"Location": "https://collector.example.net/steal?x=1"})
    with pytest.raises(BrightspaceAuthError) as info:
        auth.token()
    assert str(info.value).startswith("POST /core/connect/token failed: %d " % status)
    assert "redirect to https://collector.example.net" in str(info.value)
    assert "steal" not in str(info.value)
    assert len(http.calls) == 1  # nothing was sent to the other host


# -- secrets a service echoes back ---------------------------------------------------------------

def test_a_token_endpoint_that_echoes_the_form_shows_no_secret(http, wall, cache_path):
    auth = RefreshTokenAuth(requests.Session(), TOKEN_URL, "demo-client", "demo-secret-0123", "rt-secret-4567",
                            cache_path=cache_path, clock=wall.clock)
    http.expect("POST", TOKEN_URL, auth=None, status=400, text=(
        "bad request: grant_type=refresh_token&refresh_token=rt-secret-4567&client_secret=demo-secret-0123"))
    with pytest.raises(BrightspaceAuthError) as info:
        auth.token()
    assert "rt-secret-4567" not in str(info.value) and "demo-secret-0123" not in str(info.value)
    assert "refresh_token=********" in str(info.value)


def test_an_api_error_that_echoes_the_bearer_token_shows_no_secret(http, make_client, service):
    seen = []
    expect_service_grant(http, seen, access="sat-echoed-token")
    http.expect("GET", WHOAMI, auth="Bearer sat-echoed-token", status=400,
                answer={"Errors": [{"Message": "bad header Authorization: Bearer sat-echoed-token"}]})
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(auth=service()).get_json(WHOAMI)
    assert str(info.value) == ("GET /d2l/api/lp/1.47/users/whoami failed: 400 Bad Request: "
                               "bad header Authorization: Bearer ********")


def test_scrub_masks_longer_secrets_first_and_leaves_short_words():
    assert scrub("a abcdef abcdefgh", ["abcdef", "abcdefgh", "a"]) == "a ******** ********"
    assert scrub("", ["secret"]) == ""
    assert scrub(None, ["secret"]) is None
