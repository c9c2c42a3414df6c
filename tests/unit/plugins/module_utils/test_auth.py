# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OAuth 2.0 (refresh rotation, the token cache, service users, 401, redirects, secrets in
answers) and ID-key signing (checked against D2L's own SDK, ``d2lvalence``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import threading

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import RefreshTokenAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.idkey import IdKeyAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.tokens import fingerprint
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceAuthError, BrightspaceHTTPError)

from d2l_unit_helpers import ANY, FakeTime

TOKEN_URL = "https://auth.example.com/core/connect/token"
WHOAMI = "/d2l/api/lp/1.47/users/whoami"
ME = {"Identifier": "170"}
NOW = 1767999000.0


def refresh_form(refresh):
    return {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "demo-client",
            "client_secret": "demo-secret"}


def token_answer(access, refresh=None, expires_in=3600):
    answer = {"access_token": access, "token_type": "Bearer", "expires_in": expires_in, "scope": "core:*:*"}
    if refresh:
        answer["refresh_token"] = refresh
    return answer


@pytest.fixture
def wall():
    return FakeTime(NOW)


@pytest.fixture
def cache_path(tmp_path):
    return str(tmp_path / "cache" / "d2l.brightspace" / "tokens.json")


@pytest.fixture
def oauth(wall, cache_path):
    def make(refresh_token="demo-refresh", cache=cache_path, **kwargs):
        return RefreshTokenAuth(requests.Session(), TOKEN_URL, "demo-client", "demo-secret", refresh_token,
                                cache_path=cache, clock=wall.clock, **kwargs)
    return make


def expect_grant(http, form, answer, status=200):
    http.expect("POST", TOKEN_URL, auth=None, form=form, headers={"Accept": "application/json"},
                status=status, answer=answer)


# -- refresh token rotation and the cache ----------------------------------------------------

def test_refresh_grant_sends_exact_form_and_stores_rotation(http, make_client, oauth, cache_path):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    assert make_client(auth=oauth()).get_json(WHOAMI) == ME

    assert stat.S_IMODE(os.stat(cache_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(cache_path)).st_mode) == 0o700
    with open(cache_path, encoding="utf-8") as handle:
        entries = list(json.load(handle).values())
    assert len(entries) == 1
    entry = entries[0]
    assert entry["access_token"] == "at-1" and entry["refresh_token"] == "rt-2"
    assert entry["expires_at"] == NOW + 3600 and entry["lifetime"] == 3600
    assert entry["chain"] == [fingerprint("demo-refresh")[:32], fingerprint("rt-2")[:32]]
    assert "demo-refresh" not in json.dumps(entry)  # the used token is kept only as a fingerprint


def test_second_instance_with_original_token_uses_cache_then_rotated_token(http, make_client, oauth, wall):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    make_client(auth=oauth()).get_json(WHOAMI)

    # a later task, started with the ORIGINAL refresh token: the cached access token, no grant
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    make_client(auth=oauth("demo-refresh")).get_json(WHOAMI)

    # the access token expires: the refresh uses the ROTATED token, never the original
    wall.advance(3600 - 30)
    expect_grant(http, refresh_form("rt-2"), token_answer("at-2", "rt-3"))
    http.expect("GET", WHOAMI, auth="Bearer at-2", answer=ME)
    make_client(auth=oauth("demo-refresh")).get_json(WHOAMI)

    wall.advance(3600)
    expect_grant(http, refresh_form("rt-3"), token_answer("at-3", "rt-4"))
    http.expect("GET", WHOAMI, auth="Bearer at-3", answer=ME)
    make_client(auth=oauth("demo-refresh")).get_json(WHOAMI)


def test_token_still_valid_inside_the_margin(http, make_client, oauth, wall):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    make_client(auth=oauth()).get_json(WHOAMI)
    wall.advance(3600 - 31)  # 31 s left: more than the 30 s margin
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    make_client(auth=oauth()).get_json(WHOAMI)


def test_two_chains_of_the_same_client_do_not_clobber_each_other(http, make_client, oauth, wall):
    """Two users (or two playbooks) of one OAuth app on one machine: each keeps its own chain."""
    expect_grant(http, refresh_form("alice-1"), token_answer("alice-at-1", "alice-2"))
    http.expect("GET", WHOAMI, auth="Bearer alice-at-1", answer=ME)
    make_client(auth=oauth("alice-1")).get_json(WHOAMI)
    expect_grant(http, refresh_form("bob-1"), token_answer("bob-at-1", "bob-2"))
    http.expect("GET", WHOAMI, auth="Bearer bob-at-1", answer=ME)
    make_client(auth=oauth("bob-1")).get_json(WHOAMI)
    # alice's cached token is still there, and after expiry her ROTATED token is used
    http.expect("GET", WHOAMI, auth="Bearer alice-at-1", answer=ME)
    make_client(auth=oauth("alice-1")).get_json(WHOAMI)
    wall.advance(4000)
    expect_grant(http, refresh_form("alice-2"), token_answer("alice-at-2", "alice-3"))
    http.expect("GET", WHOAMI, auth="Bearer alice-at-2", answer=ME)
    make_client(auth=oauth("alice-1")).get_json(WHOAMI)


def test_concurrent_refresh_does_one_grant(http, oauth):
    first = oauth()
    second = oauth()
    barrier = threading.Barrier(2, timeout=10)

    def pausing(original):
        state = {"first": True}

        def load():
            entry = original()
            if state["first"]:  # both see an empty cache before either takes the lock
                state["first"] = False
                barrier.wait()
            return entry
        return load

    for auth in (first, second):
        auth._load = pausing(auth._load)

    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    tokens, errors = [], []

    def run(auth):
        try:
            tokens.append(auth.token())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(auth,)) for auth in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert tokens == ["at-1", "at-1"]
    assert len(http.calls) == 1


def test_401_refreshes_once_and_retries_once(http, make_client, oauth):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", status=401, text="Token expired")
    expect_grant(http, refresh_form("rt-2"), token_answer("at-2", "rt-3"))
    http.expect("GET", WHOAMI, auth="Bearer at-2", answer=ME)
    assert make_client(auth=oauth()).get_json(WHOAMI) == ME


def test_second_401_is_raised(http, make_client, oauth):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", status=401, text="Token expired")
    expect_grant(http, refresh_form("rt-2"), token_answer("at-2", "rt-3"))
    http.expect("GET", WHOAMI, auth="Bearer at-2", status=401, text="Invalid token")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(auth=oauth()).get_json(WHOAMI)
    assert str(info.value) == "GET /d2l/api/lp/1.47/users/whoami failed: 401 Unauthorized: Invalid token"


def test_403_is_not_a_reason_to_refresh(http, make_client, oauth):
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("POST", "/d2l/api/lp/1.47/courses/", auth="Bearer at-1", status=403, text="Missing scope")
    with pytest.raises(BrightspaceHTTPError, match="403 Forbidden: Missing scope"):
        make_client(auth=oauth()).send_json("POST", "/d2l/api/lp/1.47/courses/", {})


def test_without_cache_file_the_token_lives_in_memory(http, make_client, oauth):
    auth = oauth(cache=None)
    expect_grant(http, refresh_form("demo-refresh"), token_answer("at-1", "rt-2"))
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    http.expect("GET", WHOAMI, auth="Bearer at-1", answer=ME)
    client = make_client(auth=auth)
    client.get_json(WHOAMI)
    client.get_json(WHOAMI)


# -- token endpoint errors -------------------------------------------------------------------

def test_token_endpoint_error_is_clear_and_keeps_secrets(http, make_client, oauth):
    expect_grant(http, refresh_form("demo-refresh"),
                 {"error": "invalid_grant", "error_description": "The refresh token is no longer valid"},
                 status=400)
    with pytest.raises(BrightspaceAuthError) as info:
        make_client(auth=oauth()).get_json(WHOAMI)
    message = str(info.value)
    assert message.startswith("POST /core/connect/token failed: 400 Bad Request: OAuth refresh_token grant "
                              "refused: The refresh token is no longer valid; the refresh token chain that started "
                              "with the configured refresh_token is no longer valid (token cache ")
    assert message.endswith("tokens.json): authorize again and configure the new refresh token")
    assert "demo-secret" not in message and "demo-refresh" not in message


def test_token_endpoint_error_without_description(http, oauth):
    expect_grant(http, refresh_form("demo-refresh"), {"error": "invalid_client"}, status=401)
    with pytest.raises(BrightspaceAuthError) as info:
        oauth().token()
    assert "401" in str(info.value) and "invalid_client" in str(info.value)
    assert "demo-secret" not in str(info.value)


def test_token_endpoint_unreachable(http, oauth):
    http.drop("POST", TOKEN_URL, auth=None,
              exc=requests.exceptions.ConnectionError("POST https://auth.example.com/?client_secret=demo-secret"))
    with pytest.raises(BrightspaceAuthError) as info:
        oauth().token()
    assert str(info.value) == "POST /core/connect/token failed: OAuth token request could not be sent: ConnectionError"


def test_token_answer_without_access_token(http, oauth):
    expect_grant(http, refresh_form("demo-refresh"), {"token_type": "Bearer"})
    with pytest.raises(BrightspaceAuthError, match="without an access_token"):
        oauth().token()


# -- ID-key ----------------------------------------------------------------------------------

def idkey_query(method, path, timestamp, **extra):
    """The ID-key parameters D2L's own Python SDK (d2lvalence) computes for ``path`` as sent."""
    from d2lvalence import auth as d2l_auth
    context = d2l_auth.D2LUserContext(host="school.example.com", user_id="demo-user-id", user_key="demo-user-key",
                                      app_id="demo-app-id", app_key="demo-app-key", encrypt_requests=True,
                                      signer=d2l_auth.D2LSigner())
    context._get_time_string = lambda: str(timestamp)  # pylint: disable=protected-access
    tokens = context._build_tokens_for_path(path, method=method)  # pylint: disable=protected-access
    query = dict((name, values[0]) for name, values in tokens.items())
    query.update(extra)
    return query


@pytest.fixture
def idkey(wall):
    wall.now = NOW + 0.7  # whole seconds only
    return IdKeyAuth("demo-app-id", "demo-app-key", "demo-user-id", "demo-user-key", clock=wall.clock)


def test_signature_known_value():
    # fixed vector computed once by hand from the NOTES.md formula
    base = "GET&/d2l/api/lp/1.47/users/whoami&1767999000"
    digest = hmac.new(b"demo-app-key", base.encode(), hashlib.sha256).digest()
    assert IdKeyAuth.sign("demo-app-key", base) == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert "=" not in IdKeyAuth.sign("k", base)
    assert IdKeyAuth.base_string("get", "/D2L/api/LP/1.47/Org%20Units/A%2FB", 5) == \
        "GET&/d2l/api/lp/1.47/org units/a/b&5"
    # as D2L's SDKs: lower-cased, then decoded once, "+" read as a space, "%25" a single "%"
    assert IdKeyAuth.base_string("GET", "/x/A+B%2B%25%2541", 5) == "GET&/x/a b+%%41&5"


def test_idkey_query_parameters(http, make_client, idkey):
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW)), answer=ME)
    assert make_client(auth=idkey).get_json(WHOAMI) == ME


def test_idkey_signs_the_unquoted_lowercased_path_and_keeps_other_params(http, make_client, idkey):
    client = make_client(auth=idkey)
    route = client.route("lp", "orgstructure/{}/children/", "My Unit")
    assert route == "/d2l/api/lp/1.47/orgstructure/My%20Unit/children/"
    http.expect("POST", route, auth=None, json={"a": 1},
                query=idkey_query("POST", route, int(NOW), bookmark="b1"),
                answer={})
    client.send_json("POST", route, {"a": 1}, params={"bookmark": "b1"})


@pytest.mark.parametrize("code", ["A+B", "50%", "100%25", "a b", "Ünï", "x%2By", "MiXeD"])
def test_idkey_signs_as_d2ls_sdk_for_awkward_paths(http, make_client, idkey, code):
    client = make_client(auth=idkey)
    route = client.route("lp", "courses/{}", code)
    http.expect("GET", route, auth=None, query=idkey_query("GET", route, int(NOW)), answer={})
    client.get_json(route)


def test_idkey_clock_skew_is_corrected_once(http, make_client, idkey):
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW)),
                status=403, text="Timestamp out of range 1768000000")
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, 1768000000), answer=ME)
    client = make_client(auth=idkey)
    assert client.get_json(WHOAMI) == ME
    assert idkey.skew == 1000
    # the skew stays for the next requests
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, 1768000000), answer=ME)
    client.get_json(WHOAMI)


def test_idkey_second_timestamp_403_is_not_retried(http, make_client, idkey):
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW)),
                status=403, text="Timestamp out of range 1768000000")
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, 1768000000),
                status=403, text="Timestamp out of range 1768000500")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(auth=idkey).get_json(WHOAMI)
    assert str(info.value) == ("GET /d2l/api/lp/1.47/users/whoami failed: 403 Forbidden: "
                               "Timestamp out of range 1768000500")
    assert "x_c" not in str(info.value)


def test_idkey_other_403_is_not_retried(http, make_client, idkey):
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW)),
                status=403, text="Invalid token")
    with pytest.raises(BrightspaceHTTPError, match="403 Forbidden: Invalid token$"):
        make_client(auth=idkey).get_json(WHOAMI)
    assert idkey.skew == 0


def test_idkey_retry_after_429_signs_again(http, make_client, idkey, fake_time, wall):
    # the client's monotonic clock and the wall clock are different clocks: advance both
    def sleep(seconds):
        fake_time.sleeps.append(seconds)
        wall.advance(seconds)
    client = make_client(auth=idkey)
    client.retry.sleep = sleep
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW)), status=429,
                answer_headers={"Retry-After": "5"})
    http.expect("GET", WHOAMI, auth=None, query=idkey_query("GET", WHOAMI, int(NOW) + 5), answer=ME)
    client.get_json(WHOAMI)
    assert http.calls[0].request.headers.get("Authorization") is None


def test_idkey_is_not_matched_with_any_auth_header(http, make_client, idkey):
    http.expect("GET", WHOAMI, auth=ANY, query=idkey_query("GET", WHOAMI, int(NOW)), answer=ME)
    make_client(auth=idkey).get_json(WHOAMI)
    assert "Authorization" not in http.calls[0].request.headers
