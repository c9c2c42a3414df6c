# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Service users: the OAuth 2.0 client credentials grant with a private-key JWT client
assertion (RFC 7523), and the service-client registration route of the control API."""
import json
import os
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from brightspace_emulator import Config, create_app
from brightspace_emulator import store as st
from conftest import LP

TOKEN_URL = "/core/connect/token"
AUD = "http://testserver/core/connect/token"  # the TestClient's base URL
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "service-user")
KID = "demo-service-key-1"
DROP = object()  # a claim to leave out


def fixture_text(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as fh:
        return fh.read()


PRIVATE_PEM = fixture_text("private-key.pem")


@pytest.fixture(scope="module")
def other_key():
    """A second RSA key pair (not registered anywhere)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key, kid):
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {"kty": "RSA", "kid": kid, "n": jwk["n"], "e": jwk["e"]}


def assertion(key=PRIVATE_PEM, kid=KID, alg="RS256", now=None, **over):
    now = time.time() if now is None else now
    claims = {"iss": "demo-service", "sub": "demo-service", "aud": AUD, "iat": int(now),
              "exp": int(now) + 300, "jti": uuid.uuid4().hex}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not DROP}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid} if kid else None)


def grant(client, token=None, scope="core:*:*", **form):
    data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion() if token is None else token}
    if scope is not None:
        data["scope"] = scope
    data.update(form)
    data = {k: v for k, v in data.items() if v is not DROP}
    return client.post(TOKEN_URL, data=data)


def refused(r, status, error, fragment=""):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert fragment in body["error_description"], body
    return body


# --- the seeded client ------------------------------------------------------------------------
def test_seed_jwks_is_the_fixture_public_key(client, emu):
    fixture = json.loads(fixture_text("jwks.json"))
    assert st.DEMO_SERVICE_JWKS == fixture
    seeded = emu.store.data["service_clients"]["demo-service"]
    assert seeded["jwks"] == fixture and seeded["user"] == "3"
    assert seeded["scope"].split() == ["core:*:*", *st.sc.TABLE_SCOPES]


def test_token_with_the_fixture_private_key(client, emu):
    r = grant(client, scope="core:*:*")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no refresh token
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "core:*:*"
    assert r.headers["cache-control"] == "no-store"
    h = {"Authorization": "Bearer " + body["access_token"]}
    assert client.get(f"{LP}/users/whoami", headers=h).json()["Identifier"] == "3"
    record = emu.store.data["tokens"][body["access_token"]]
    assert record["client_id"] == "demo-service"  # its rate-limit bucket
    assert record["expires_at"] == pytest.approx(time.time() + 3600, abs=5)


def test_token_carries_exactly_the_requested_scopes(client):
    client.post("/_emulator/config", json={"token_lifetime": 60})
    body = grant(client, scope="organizations:organization:read  users:profile:read").json()
    assert body["scope"] == "organizations:organization:read users:profile:read"
    assert body["expires_in"] == 60
    h = {"Authorization": "Bearer " + body["access_token"]}
    assert client.get(f"{LP}/orgstructure/", headers=h).status_code == 200
    assert client.get(f"{LP}/outypes/", headers=h).status_code == 403
    assert client.get(f"{LP}/users/whoami", headers=h).status_code == 403  # half of the pair
    client.post("/_emulator/config", json={"clock_offset": 61})
    assert client.get(f"{LP}/orgstructure/", headers=h).json()["detail"] == "Token expired"


def test_every_table_scope_can_be_requested(client):
    scope = " ".join(st.sc.TABLE_SCOPES)
    r = grant(client, scope=scope)
    assert r.status_code == 200 and r.json()["scope"] == scope


# --- client authentication refusals -----------------------------------------------------------
def test_client_secrets_are_refused(client):
    message = "client secrets are not accepted"
    refused(grant(client, client_id="demo-service", client_secret="x"), 401, "invalid_client",
            message)
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials",
                                     "client_id": "demo-client", "client_secret": "demo-secret",
                                     "scope": "core:*:*"})
    body = refused(r, 401, "invalid_client", message)
    assert "private-key JWT client assertion" in body["error_description"]
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials", "scope": "core:*:*"},
                    auth=("demo-client", "demo-secret"))
    refused(r, 401, "invalid_client", message)
    r = client.post(TOKEN_URL, auth=("demo-service", "x"), data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(), "scope": "core:*:*"})
    refused(r, 401, "invalid_client", message)


def test_missing_or_malformed_assertion_parameters(client):
    refused(grant(client, client_assertion_type=DROP, client_assertion=DROP), 401,
            "invalid_client", "No client authentication")
    refused(grant(client, client_assertion_type=DROP), 400, "invalid_request",
            "client_assertion_type is required")
    refused(grant(client, client_assertion_type="urn:ietf:params:oauth:client-assertion-type:"
                                                "saml2-bearer"), 401, "invalid_client",
            "Unsupported client_assertion_type")
    refused(grant(client, client_assertion=""), 400, "invalid_request",
            "client_assertion is required")


def _unsigned(header, claims):
    def part(obj):
        return jwt.utils.base64url_encode(json.dumps(obj).encode()).decode()
    return f"{part(header)}.{part(claims)}."


@pytest.mark.parametrize("case", ["garbage", "two-parts", "bad-json"])
def test_malformed_jwt(client, case):
    token = {"garbage": "not a jwt", "two-parts": "abc.def",
             "bad-json": "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"}[case]
    body = refused(grant(client, token), 401, "invalid_client", "not a well-formed JWT")
    assert token not in body["error_description"]


def test_algorithms_other_than_rs256_are_refused(client):
    now = int(time.time())
    claims = {"iss": "demo-service", "sub": "demo-service", "aud": AUD, "iat": now,
              "exp": now + 300, "jti": uuid.uuid4().hex}
    refused(grant(client, _unsigned({"alg": "none", "kid": KID}, claims)), 401,
            "invalid_client", "alg 'none' is refused")
    # HS256 "signed" with the public modulus as the secret (the classic key-confusion attack)
    hs = jwt.encode(claims, st.DEMO_SERVICE_JWKS["keys"][0]["n"], algorithm="HS256",
                    headers={"kid": KID})
    refused(grant(client, hs), 401, "invalid_client", "alg 'HS256' is refused")
    refused(grant(client, assertion(alg="RS512")), 401, "invalid_client", "RS256")
    refused(grant(client, assertion(alg="PS256")), 401, "invalid_client", "RS256")


def test_kid_and_signature(client, other_key):
    refused(grant(client, assertion(kid=None)), 401, "invalid_client", "no 'kid'")
    refused(grant(client, assertion(kid="other-key")), 401, "invalid_client",
            "'kid' names no key")
    refused(grant(client, assertion(key=other_key)), 401, "invalid_client",
            "signature is not valid")
    head, _claims, sig = assertion().split(".")
    forged = jwt.utils.base64url_encode(json.dumps({
        "iss": "demo-service", "sub": "demo-service", "aud": AUD, "iat": int(time.time()),
        "exp": int(time.time()) + 300, "jti": "forged"}).encode()).decode()
    refused(grant(client, f"{head}.{forged}.{sig}"), 401, "invalid_client",
            "signature is not valid")


def test_iss_sub_and_client_id(client):
    refused(grant(client, assertion(iss=DROP)), 401, "invalid_client", "no 'iss'")
    refused(grant(client, assertion(sub="someone-else")), 401, "invalid_client",
            "'sub' must equal 'iss'")
    refused(grant(client, assertion(sub=DROP)), 401, "invalid_client", "'sub' must equal")
    refused(grant(client, assertion(iss="demo-client", sub="demo-client")), 401,
            "invalid_client", "not a registered service client")
    refused(grant(client, client_id="demo-client"), 401, "invalid_client",
            "client_id differs")
    assert grant(client, client_id="demo-service").status_code == 200


def test_audience(client):
    refused(grant(client, assertion(aud=DROP)), 401, "invalid_client", "no 'aud'")
    for aud in ("https://auth.brightspace.com/core/connect/token",
                "http://testserver/core/connect/token/", "http://testserver",
                "https://testserver/core/connect/token", ["http://elsewhere/core/connect/token"]):
        refused(grant(client, assertion(aud=aud)), 401, "invalid_client",
                "'aud' does not name this token endpoint (" + AUD + ")")
    refused(grant(client, assertion(aud=[AUD, 3])), 401, "invalid_client", "no 'aud'")
    r = grant(client, assertion(aud=["https://auth.brightspace.com/core/connect/token", AUD]))
    assert r.status_code == 200, r.text


def test_audience_on_a_live_server(shared_live):
    """The audience is the URL as the request reached the server, port included."""
    url = shared_live.url + TOKEN_URL
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "scope": "core:*:*"}
    r = requests.post(url, data={**form, "client_assertion": assertion(aud=url)}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(url, data={**form, "client_assertion": assertion(aud=AUD)}, timeout=10)
    assert r.status_code == 401 and url in r.json()["error_description"]


def test_times(client):
    now = time.time()
    refused(grant(client, assertion(exp=DROP)), 401, "invalid_client", "no 'exp'")
    refused(grant(client, assertion(exp="soon")), 401, "invalid_client", "not a NumericDate")
    refused(grant(client, assertion(exp=True)), 401, "invalid_client", "not a NumericDate")
    refused(grant(client, assertion(exp=int(now) - 1)), 401, "invalid_client", "expired")
    refused(grant(client, assertion(exp=int(now) + 3 * 3600)), 401, "invalid_client",
            "more than 3600 seconds away")
    refused(grant(client, assertion(exp=int(now) + 3610)), 401, "invalid_client",
            "more than 3600 seconds away")
    assert grant(client, assertion(exp=int(now) + 3500)).status_code == 200
    refused(grant(client, assertion(iat=DROP)), 401, "invalid_client", "no 'iat'")
    refused(grant(client, assertion(iat=int(now) + 120)), 401, "invalid_client",
            "'iat' is more than 60 seconds in the future")
    assert grant(client, assertion(iat=int(now) + 30)).status_code == 200
    refused(grant(client, assertion(nbf=int(now) + 120)), 401, "invalid_client", "'nbf'")
    assert grant(client, assertion(nbf=int(now) - 5)).status_code == 200


def test_times_use_the_emulator_clock(client):
    client.post("/_emulator/config", json={"clock_offset": 2 * 3600})
    # made with the client's (wrong) clock: expired for the server
    refused(grant(client, assertion()), 401, "invalid_client", "expired")
    server_now = time.time() + 2 * 3600
    assert grant(client, assertion(now=server_now)).status_code == 200
    client.post("/_emulator/config", json={"clock_offset": -2 * 3600})
    refused(grant(client, assertion()), 401, "invalid_client", "more than 3600 seconds away")
    server_now = time.time() - 2 * 3600
    refused(grant(client, assertion(exp=int(server_now) + 300)), 401, "invalid_client",
            "'iat' is more than 60 seconds in the future")
    assert grant(client, assertion(now=server_now)).status_code == 200


def test_jti_replay(client, emu):
    refused(grant(client, assertion(jti=DROP)), 401, "invalid_client", "no 'jti'")
    refused(grant(client, assertion(jti="")), 401, "invalid_client", "no 'jti'")
    token = assertion(jti="once", exp=int(time.time()) + 100)
    assert grant(client, token).status_code == 200
    refused(grant(client, token), 401, "invalid_client", "already used (replay)")
    # a new assertion with the same jti: still a replay while the first one is unexpired
    refused(grant(client, assertion(jti="once")), 401, "invalid_client", "replay")
    seen = emu.store.data["assertion_jtis"]["demo-service"]
    assert seen["once"] == pytest.approx(time.time() + 100, abs=5)  # kept with its exp
    # once its exp has passed, a replay is refused as expired, and the next verified
    # assertion prunes the jti
    client.post("/_emulator/config", json={"clock_offset": 200})
    refused(grant(client, token), 401, "invalid_client", "expired")
    assert grant(client, assertion(now=time.time() + 200)).status_code == 200
    assert "once" not in emu.store.data["assertion_jtis"]["demo-service"]
    # a jti is spent once the assertion authenticated the client, even if the grant is refused
    token = assertion(now=time.time() + 200)
    refused(grant(client, token, scope="not:a:scope"), 400, "invalid_scope")
    refused(grant(client, token), 401, "invalid_client", "replay")


# --- scopes -----------------------------------------------------------------------------------
def test_scope_rules(client):
    refused(grant(client, scope=None), 400, "invalid_scope", "scope is required")
    refused(grant(client, scope="  "), 400, "invalid_scope", "scope is required")
    refused(grant(client, scope="core:*:* lor:object:read"), 400, "invalid_scope",
            "'lor:object:read'")
    r = client.post("/_emulator/service-clients", json={
        "client_id": "narrow", "jwks": st.DEMO_SERVICE_JWKS, "scope": "core:*:*"})
    assert r.status_code == 200, r.text
    token = assertion(iss="narrow", sub="narrow")
    # literal: core:*:* registered does not make orgunits:course:read registered
    refused(grant(client, token, scope="orgunits:course:read"), 400, "invalid_scope",
            "'orgunits:course:read'")
    assert grant(client, assertion(iss="narrow", sub="narrow")).status_code == 200


def test_unknown_grant(client):
    r = client.post(TOKEN_URL, data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                     "assertion": assertion()})
    refused(r, 400, "unsupported_grant_type")


# --- registration -----------------------------------------------------------------------------
def register(client, **body):
    return client.post("/_emulator/service-clients", json=body)


def test_register_a_client(client, emu, other_key):
    jwks = {"keys": [public_jwk(other_key, "k1"), {**public_jwk(other_key, "k2"), "use": "sig",
                                                   "alg": "RS256", "key_ops": ["verify"]}]}
    r = register(client, client_id="svc-101", jwks=jwks, scope="lor:object:create core:*:*",
                 user="101")
    assert r.status_code == 200 and r.json() == {"client_id": "svc-101"}
    stored = emu.store.data["service_clients"]["svc-101"]
    assert stored == {"jwks": jwks, "scope": "lor:object:create core:*:*", "user": "101"}
    assert client.get("/_emulator/state").json()["service_clients"]["svc-101"] == stored
    for kid in ("k1", "k2"):
        token = assertion(key=other_key, kid=kid, iss="svc-101", sub="svc-101")
        body = grant(client, token, scope="lor:object:create").json()
        assert body["scope"] == "lor:object:create"
    token = assertion(key=other_key, kid="k1", iss="svc-101", sub="svc-101")
    body = grant(client, token).json()
    h = {"Authorization": "Bearer " + body["access_token"]}
    assert client.get(f"{LP}/users/whoami", headers=h).json()["Identifier"] == "101"
    # the seeded key is not this client's
    refused(grant(client, assertion(iss="svc-101", sub="svc-101")), 401, "invalid_client",
            "'kid' names no key")
    # replacing the client replaces its keys; the default user is 3
    r = register(client, client_id="svc-101", jwks=st.DEMO_SERVICE_JWKS, scope="core:*:*")
    assert r.status_code == 200
    assert emu.store.data["service_clients"]["svc-101"]["user"] == "3"
    token = assertion(key=other_key, kid="k1", iss="svc-101", sub="svc-101")
    refused(grant(client, token), 401, "invalid_client", "'kid' names no key")
    assert grant(client, assertion(iss="svc-101", sub="svc-101")).status_code == 200
    # reset restores the seeds
    assert client.post("/_emulator/reset").status_code == 200
    assert list(emu.store.data["service_clients"]) == ["demo-service"]


def test_registration_is_strict(client, other_key):
    good = {"client_id": "svc", "jwks": {"keys": [public_jwk(other_key, "k1")]},
            "scope": "core:*:*"}
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    key = good["jwks"]["keys"][0]
    cases = [
        ({"client_id": ""}, "client_id"),
        ({"client_id": "a b"}, "client_id"),
        ({"client_id": "demo-client"}, "client_id"),
        ({"client_id": 5}, "client_id"),
        ({"jwks": {"keys": []}}, "jwks.keys"),
        ({"jwks": {}}, "jwks.keys"),
        ({"jwks": {"keys": [key], "extra": 1}}, "jwks.extra"),
        ({"jwks": {"keys": [{**key, "d": "AQAB"}]}}, "private key member(s) d"),
        ({"jwks": {"keys": [{**key, "kty": "EC"}]}}, "jwks.keys.0.kty"),
        ({"jwks": {"keys": [{k: v for k, v in key.items() if k != "kid"}]}}, "jwks.keys.0.kid"),
        ({"jwks": {"keys": [{k: v for k, v in key.items() if k != "n"}]}}, "jwks.keys.0.n"),
        ({"jwks": {"keys": [{**key, "alg": "RS512"}]}}, "jwks.keys.0.alg"),
        ({"jwks": {"keys": [{**key, "use": "enc"}]}}, "jwks.keys.0.use"),
        ({"jwks": {"keys": [{**key, "x5c": ["x"]}]}}, "jwks.keys.0.x5c"),
        ({"jwks": {"keys": [key, dict(key)]}}, "duplicate kid(s) k1"),
        ({"jwks": {"keys": [{**key, "n": "AQAB"}]}}, "jwks.keys.0"),
        ({"jwks": {"keys": [public_jwk(small, "k1")]}}, "1024 bits is too small"),
        ({"scope": ""}, "scope"),
        ({"scope": "core:*"}, "scope: 'core:*'"),
        ({"scope": "core:*:* a::b"}, "scope: 'a::b'"),
        ({"scope": ["core:*:*"]}, "scope"),
        ({"user": "999"}, "user: unknown user '999'"),
        ({"user": 3}, "user"),
        ({"other": 1}, "other"),
    ]
    for change, fragment in cases:
        r = register(client, **{**good, **change})
        assert r.status_code == 400, (change, r.text)
        assert fragment in r.json()["detail"], (change, r.json())
    for missing in ("client_id", "jwks", "scope"):
        r = register(client, **{k: v for k, v in good.items() if k != missing})
        assert r.status_code == 400 and missing in r.json()["detail"]
    assert register(client, **good).status_code == 200


def test_service_clients_and_jtis_persist(tmp_path):
    state = str(tmp_path / "state.json")
    app = create_app(Config(state_file=state))
    emu = app.state.emu
    with emu.store.mutate() as data:
        data["service_clients"]["persisted"] = {"jwks": st.DEMO_SERVICE_JWKS,
                                                "scope": "core:*:*", "user": "102"}
        data["assertion_jtis"]["persisted"] = {"j1": time.time() + 100}
    emu.close()
    again = create_app(Config(state_file=state))
    try:
        data = again.state.emu.store.data
        assert data["service_clients"]["persisted"]["user"] == "102"
        assert "j1" in data["assertion_jtis"]["persisted"]
        assert "demo-service" in data["service_clients"]
    finally:
        again.state.emu.close()
