# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The scope table (brightspace_emulator/scopes.py, from SCOPES.md): every /d2l/ route is
declared, each specific row accepts exactly its scope, core-only routes accept only core:*:*."""
import re
import time

import pytest
from fastapi.testclient import TestClient

from brightspace_emulator import Config, auth, create_app, scopes
from brightspace_emulator.config import API_VERSIONS
from conftest import BEARER, LP

# Values for the path parameters of the route templates (the requests need not succeed: only
# the scope check is under test, and it comes before any other check).
PATH_VALUES = {"orgUnitId": "6606", "parentOrgUnitId": "6606", "objectId": "1001",
               "objectVersion": "1", "repositoryId": "1", "jobToken": "nosuchjob",
               "exportId": "5001", "importId": "5001", "uploadKey": "NoSuchKey0",
               "type": "Local"}


def concrete(path):
    """A URL for a route template: the product's latest version, PATH_VALUES for the ids."""
    match = re.match(r"^/d2l/api/(\w+)/\{version\}/", path)
    if match:
        path = path.replace("{version}", API_VERSIONS[match.group(1)][0])

    def value(m):
        assert m.group(1) in PATH_VALUES, f"no test value for path parameter {m.group(1)}"
        return PATH_VALUES[m.group(1)]

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.fixture(scope="module")
def scope_app():
    app = create_app(Config())
    yield app
    app.state.emu.close()


@pytest.fixture(scope="module")
def mclient(scope_app):
    with TestClient(scope_app) as c:
        yield c


def bearer(client, scope):
    r = client.post("/_emulator/tokens", json={"scope": scope})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def _calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def d2l_routes(app):
    return [(m, p, r) for m, p, r in scopes.api_routes(app) if p.startswith("/d2l/")]


# --- every route is declared ------------------------------------------------------------------
def test_every_d2l_route_has_a_scope_declaration(scope_app):
    routes = d2l_routes(scope_app)
    assert len(routes) > 60  # the walk found the routes of the included routers
    undeclared, unchecked = [], []
    for method, path, route in routes:
        key = (method, path)
        if key in scopes.PUBLIC:
            continue
        if key not in scopes.SPECIFIC and key not in scopes.CORE_ONLY:
            undeclared.append(f"{method} {path}")
        if auth.route_scope not in set(_calls(route.dependant)):
            unchecked.append(f"{method} {path}")
    assert not undeclared, "routes missing from scopes.py (specific or CORE_ONLY): " + \
        ", ".join(undeclared)
    assert not unchecked, "routes without the scoped() router dependency: " + ", ".join(unchecked)
    served = {(m, p) for m, p, _r in routes}
    stale = (set(scopes.SPECIFIC) | scopes.CORE_ONLY) - served
    assert not stale, f"scopes.py declares routes the emulator does not serve: {sorted(stale)}"


def test_table_scopes_are_those_of_scopes_md():
    assert scopes.TABLE_SCOPES == (
        "orgunits:course:create", "orgunits:course:read", "orgunits:course:update",
        "orgunits:course:delete", "orgunits:coursetemplate:create",
        "organizations:organization:read", "organizations:organization:create",
        "organizations:organization:update", "organizations:organization:delete",
        "import:job:create", "import:job:fetch", "lor:object:create", "lor:object:write",
        "users:profile:read", "users:own_profile:read")
    assert scopes.SPECIFIC[("GET", f"{scopes.LP}/users/whoami")] == (
        "users:profile:read", "users:own_profile:read")
    # a route in neither table fails closed
    assert scopes.needed("GET", "/d2l/api/lp/{version}/nothing") == ("core:*:*",)


# --- specific rows ----------------------------------------------------------------------------
SPECIFIC_ROWS = sorted(scopes.SPECIFIC.items())


@pytest.mark.parametrize("key, required", SPECIFIC_ROWS,
                         ids=[f"{m} {p}" for (m, p), _s in SPECIFIC_ROWS])
def test_specific_row(mclient, key, required):
    method, path = key
    url = concrete(path)
    # exactly the row's scope(s): not refused
    r = mclient.request(method, url, headers=bearer(mclient, " ".join(required)))
    assert r.status_code not in (401, 403), r.text
    # every other specific scope of the table (and half of a pair): refused, naming the need
    others = [s for s in scopes.TABLE_SCOPES if s not in required]
    for granted in [others] + ([others + [required[0]]] if len(required) > 1 else []):
        r = mclient.request(method, url, headers=bearer(mclient, " ".join(granted)))
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["title"] == "Forbidden"
        assert body["detail"] == "Insufficient scope: this action requires " + \
            scopes.describe(required)
        for scope in required:
            assert f"'{scope}'" in body["detail"]
        assert r.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')
    # core:*:* reaches it too
    r = mclient.request(method, url, headers=bearer(mclient, "core:*:*"))
    assert r.status_code not in (401, 403), r.text


def test_403_messages(mclient):
    r = mclient.get(f"{LP}/orgstructure/", headers=bearer(mclient, "orgunits:course:read"))
    assert r.json()["detail"] == ("Insufficient scope: this action requires the scope "
                                  "'organizations:organization:read' (or core:*:*)")
    r = mclient.get(f"{LP}/users/whoami", headers=bearer(mclient, "users:profile:read"))
    assert r.json()["detail"] == ("Insufficient scope: this action requires the scopes "
                                  "'users:profile:read' and 'users:own_profile:read' "
                                  "(or core:*:*)")
    r = mclient.get(f"{LP}/outypes/", headers=bearer(mclient, "organizations:organization:read"))
    assert r.json()["detail"] == "Insufficient scope: this action requires the scope 'core:*:*'"


@pytest.mark.parametrize("granted", ["*:*:*", "organizations:*:*", "organizations:organization:*",
                                     "organizations:*:read", "core:*:read", "core:organization:*",
                                     "CORE:*:*", "organizations:organization:READ"])
def test_star_is_no_wildcard(mclient, granted):
    r = mclient.get(f"{LP}/orgstructure/", headers=bearer(mclient, granted))
    assert r.status_code == 403, r.text


# --- core-only routes -------------------------------------------------------------------------
CORE_ROWS = sorted(scopes.CORE_ONLY)


@pytest.mark.parametrize("key", CORE_ROWS, ids=[f"{m} {p}" for m, p in CORE_ROWS])
def test_core_only_route(mclient, key):
    method, path = key
    url = concrete(path)
    everything = " ".join(scopes.TABLE_SCOPES)  # every specific scope, not core:*:*
    r = mclient.request(method, url, headers=bearer(mclient, everything))
    assert r.status_code == 403, r.text
    assert r.json()["detail"] == "Insufficient scope: this action requires the scope 'core:*:*'"


def test_core_only_routes_take_core(mclient):
    h = bearer(mclient, "core:*:*")
    for url in (f"{LP}/outypes/", f"{LP}/courses/schema", f"{LP}/coursetemplates/schema",
                "/d2l/api/eP/2.5/objects/my/", "/d2l/api/lr/1.3/repositories/all/"):
        assert mclient.get(url, headers=h).status_code == 200, url


def test_idkey_callers_pass_every_scope_check(mclient):
    # NOTE (auth.check_scope): ID-key calls carry no scopes; the user's permissions apply.
    for path in (f"{LP}/outypes/", f"{LP}/users/whoami", f"{LP}/orgstructure/"):
        ts = int(time.time())
        base = auth.idkey_base("GET", path, ts)
        params = {"x_a": "demo-app-id", "x_b": "demo-user-id", "x_t": str(ts),
                  "x_c": auth.sign("demo-app-key", base), "x_d": auth.sign("demo-user-key", base)}
        assert mclient.get(path, params=params).status_code == 200, path


def test_unknown_version_is_404_before_the_scope(mclient):
    r = mclient.get("/d2l/api/lp/9.99/outypes/", headers=bearer(mclient, "users:profile:read"))
    assert r.status_code == 404
    assert mclient.get("/d2l/api/versions/").status_code == 200  # no credentials at all
    assert mclient.get(f"{LP}/outypes/", headers=BEARER).status_code == 200
