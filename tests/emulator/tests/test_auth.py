# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import time

from brightspace_emulator.auth import idkey_base, sign
from conftest import BEARER, LP

TOKEN_URL = "/core/connect/token"


def test_missing_and_unknown_bearer_401(client):
    r = client.get(f"{LP}/users/whoami")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get(f"{LP}/users/whoami", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    body = r.json()
    assert body["title"] == "Unauthorized" and body["detail"] == "Invalid token"
    assert set(body) == {"type", "status", "title", "detail", "instance"}


def test_expired_token_401(client):
    tok = client.post("/_emulator/tokens", json={"scope": "core:*:*", "lifetime": 60}).json()
    h = {"Authorization": "Bearer " + tok["access_token"]}
    assert client.get(f"{LP}/users/whoami", headers=h).status_code == 200
    client.post("/_emulator/config", json={"clock_offset": 120})
    r = client.get(f"{LP}/users/whoami", headers=h)
    assert r.status_code == 401 and r.json()["detail"] == "Token expired"
    # demo-token never expires
    assert client.get(f"{LP}/users/whoami", headers=BEARER).status_code == 200


def test_scope_403_names_scope(client):
    tok = client.post("/_emulator/tokens", json={"scope": "orgunits:course:read"}).json()
    h = {"Authorization": "Bearer " + tok["access_token"]}
    assert client.get(f"{LP}/courses/6606", headers=h).status_code == 404  # allowed; not a course
    r = client.post(f"{LP}/courses/", headers=h, json={})
    assert r.status_code == 403
    assert r.json()["detail"] == ("Insufficient scope: this action requires the scope "
                                  "'orgunits:course:create' (or core:*:*)")
    # the schema route is not in SCOPES.md's table: core:*:* only
    r = client.get(f"{LP}/courses/schema", headers=h)
    assert r.status_code == 403 and "'core:*:*'" in r.json()["detail"]
    # "*" is no wildcard (only the literal core:*:* grants everything)
    tok = client.post("/_emulator/tokens", json={"scope": "organizations:*:read users:*:*"}).json()
    h = {"Authorization": "Bearer " + tok["access_token"]}
    assert client.get(f"{LP}/orgstructure/", headers=h).status_code == 403
    assert client.get(f"{LP}/users/whoami", headers=h).status_code == 403
    tok = client.post("/_emulator/tokens", json={
        "scope": "organizations:organization:read users:profile:read users:own_profile:read"
    }).json()
    h = {"Authorization": "Bearer " + tok["access_token"]}
    assert client.get(f"{LP}/orgstructure/", headers=h).status_code == 200
    assert client.get(f"{LP}/users/whoami", headers=h).status_code == 200
    assert client.delete(f"{LP}/coursetemplates/1", headers=h).status_code == 403


def refresh(client, rt, **extra):
    data = {"grant_type": "refresh_token", "refresh_token": rt, "client_id": "demo-client",
            "client_secret": "demo-secret", **extra}
    return client.post(TOKEN_URL, data=data)


def test_refresh_rotation(client):
    r = refresh(client, "demo-refresh")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] != "demo-refresh" and body["scope"] == "core:*:*"
    h = {"Authorization": "Bearer " + body["access_token"]}
    assert client.get(f"{LP}/users/whoami", headers=h).status_code == 200
    # the old refresh token is refused
    r = refresh(client, "demo-refresh")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert r.json()["error_description"]
    # the new one works once
    r2 = refresh(client, body["refresh_token"])
    assert r2.status_code == 200
    assert refresh(client, body["refresh_token"]).status_code == 400


def test_refresh_bad_client(client):
    r = client.post(TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": "demo-refresh",
                                     "client_id": "demo-client", "client_secret": "wrong"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # the refresh token was not consumed
    assert refresh(client, "demo-refresh").status_code == 200


def test_token_lifetime_config(client):
    client.post("/_emulator/config", json={"token_lifetime": 5})
    body = refresh(client, "demo-refresh").json()
    assert body["expires_in"] == 5
    h = {"Authorization": "Bearer " + body["access_token"]}
    client.post("/_emulator/config", json={"clock_offset": 6})
    assert client.get(f"{LP}/users/whoami", headers=h).json()["detail"] == "Token expired"


def test_refresh_scope_is_literal(client):
    """A refresh may ask for a scope only if it is literally registered: core:*:* registered
    does not make orgunits:course:read registered."""
    r = refresh(client, "demo-refresh", scope="orgunits:course:read")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    assert "orgunits:course:read" in r.json()["error_description"]
    # refused before anything was spent: the refresh token still works, with a literal scope
    r = refresh(client, "demo-refresh", scope="core:*:*")
    assert r.status_code == 200 and r.json()["scope"] == "core:*:*"
    # no scope asked: the chain's scope
    r = refresh(client, r.json()["refresh_token"])
    assert r.status_code == 200 and r.json()["scope"] == "core:*:*"


def test_refresh_client_authentication(client):
    basic = "Basic " + base64.b64encode(b"demo-client:demo-secret").decode()
    form = {"grant_type": "refresh_token", "refresh_token": "demo-refresh"}
    # both HTTP Basic and client_secret: one method only (RFC 6749 §2.3)
    r = client.post(TOKEN_URL, data={**form, "client_secret": "demo-secret"},
                    headers={"Authorization": basic})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # a client assertion is not how the refresh grant authenticates
    r = client.post(TOKEN_URL, data={**form, "client_id": "demo-client",
                                     "client_assertion_type": "urn:ietf:params:oauth:"
                                     "client-assertion-type:jwt-bearer",
                                     "client_assertion": "a.b.c"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # a repeated parameter (RFC 6749 §3.2)
    r = client.post(TOKEN_URL, content="grant_type=refresh_token&refresh_token=demo-refresh"
                    "&refresh_token=demo-refresh&client_id=demo-client&client_secret=demo-secret",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and r.json() == {
        "error": "invalid_request", "error_description": "Parameter 'refresh_token' is repeated"}
    # a wrong Basic secret: 401 with WWW-Authenticate (RFC 6749 §5.2)
    wrong = "Basic " + base64.b64encode(b"demo-client:nope").decode()
    r = client.post(TOKEN_URL, data=form, headers={"Authorization": wrong})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    # HTTP Basic alone works
    r = client.post(TOKEN_URL, data=form, headers={"Authorization": basic})
    assert r.status_code == 200, r.text


def test_token_endpoint_request_errors(client):
    r = client.post(TOKEN_URL, data={"grant_type": "password", "client_id": "demo-client",
                                     "client_secret": "demo-secret"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = client.post(TOKEN_URL, data={"client_id": "demo-client"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = client.post(TOKEN_URL, json={"grant_type": "refresh_token"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = client.post(TOKEN_URL, data={"grant_type": "refresh_token", "client_id": "demo-client",
                                     "client_secret": "demo-secret"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def idkey_params(method, path, ts, app_key="demo-app-key", user_key="demo-user-key"):
    base = idkey_base(method, path, ts)
    return {"x_a": "demo-app-id", "x_b": "demo-user-id", "x_c": sign(app_key, base),
            "x_d": sign(user_key, base), "x_t": str(ts)}


def test_idkey_good_signature(client):
    path = f"{LP}/users/whoami"
    r = client.get(path, params=idkey_params("GET", path, int(time.time())))
    assert r.status_code == 200, r.text
    # mixed case path: the signature uses the lower-cased path
    path = f"{LP}/orgstructure/"
    r = client.get(path, params=idkey_params("GET", path.upper().replace("/D2L/API/LP", "/d2l/api/lp"),
                                             int(time.time())))
    assert r.status_code == 200, r.text


def test_idkey_bad_signature(client):
    path = f"{LP}/users/whoami"
    r = client.get(path, params=idkey_params("GET", path, int(time.time()), user_key="wrong"))
    assert r.status_code == 403 and r.text == "Invalid token"
    r = client.get(path, params=idkey_params("POST", path, int(time.time())))
    assert r.status_code == 403 and r.text == "Invalid token"


def test_idkey_timestamp_out_of_range(client):
    client.post("/_emulator/config", json={"clock_offset": 1000})
    path = f"{LP}/users/whoami"
    r = client.get(path, params=idkey_params("GET", path, int(time.time())))
    assert r.status_code == 403
    assert r.text.startswith("Timestamp out of range ")
    server_time = int(r.text.rsplit(" ", 1)[1])
    assert abs(server_time - (time.time() + 1000)) < 5
    # a client that corrects its skew succeeds
    r = client.get(path, params=idkey_params("GET", path, server_time))
    assert r.status_code == 200
