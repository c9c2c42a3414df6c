# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from conftest import BEARER, LP


def test_versions_no_auth(client):
    r = client.get("/d2l/api/versions/")
    assert r.status_code == 200
    by = {p["ProductCode"]: p for p in r.json()}
    assert by["lp"]["LatestVersion"] == "1.47"
    assert by["lp"]["SupportedVersions"] == [f"1.{n}" for n in range(2, 48)]
    assert by["le"]["LatestVersion"] == "1.74"
    assert by["le"]["SupportedVersions"] == [f"1.{n}" for n in range(5, 75)]
    assert by["eP"]["SupportedVersions"] == ["2.5"]
    assert by["lr"]["SupportedVersions"] == ["1.3"]
    assert r.headers["X-Request-Cost"] == "10"


def test_unsupported_version_404(client):
    # lp 1.2+ (courses.txt "API Versions"); 1.1 and 1.0 are not served, nor 1.48 (newer than
    # the latest) or another major
    for version in ("1.1", "1.0", "1.48", "2.5", "1.02"):
        assert client.get(f"/d2l/api/lp/{version}/outypes/", headers=BEARER).status_code == 404
    for version in ("1.2", "1.9", "1.30", "1.40", "1.47"):
        assert client.get(f"/d2l/api/lp/{version}/outypes/", headers=BEARER).status_code == 200


def test_whoami(client):
    r = client.get(f"{LP}/users/whoami", headers=BEARER)
    assert r.status_code == 200
    assert set(r.json()) == {"Identifier", "FirstName", "LastName", "UniqueName",
                             "ProfileIdentifier"}


def test_outypes_shape(client):
    r = client.get(f"{LP}/outypes/", headers=BEARER)
    types = {t["Code"]: t for t in r.json()}
    assert {"Organization", "Course Template", "Course Offering", "Semester",
            "Department"} <= set(types)
    assert types["Course Offering"]["Id"] == 3
    assert set(types["Semester"]["Permissions"]) == {"CanCreate", "CanDelete", "CanEdit"}
    assert len({t["Id"] for t in r.json()}) == len(r.json())


def test_openapi_lists_every_route(client, app):
    paths = client.get("/openapi.json").json()["paths"]
    for route in app.routes:
        p = getattr(route, "path", "")
        if p.startswith(("/d2l/", "/core/", "/_emulator/")):
            assert p in paths, p


def test_rate_limit_headers_and_429(client):
    client.post("/_emulator/config", json={"rate_limit": 30})
    seen = []
    for _attempt in range(3):
        r = client.get(f"{LP}/users/whoami", headers=BEARER)
        assert r.status_code == 200
        seen.append(int(r.headers["X-Rate-Limit-Remaining"]))
        assert int(r.headers["X-Rate-Limit-Reset"]) >= 1
        assert r.headers["X-Request-Cost"] == "10"
    assert seen == [20, 10, 0]
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "X", "Code": "X", "Path": "", "ParentOrgUnitIds": [6606]})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    # no work done
    assert client.get("/_emulator/state").json()["course_templates"] == []
    # another application has its own bucket
    tok = client.post("/_emulator/tokens", json={"scope": "core:*:*", "client_id": "other"}).json()
    r = client.get(f"{LP}/users/whoami", headers={"Authorization": "Bearer " + tok["access_token"]})
    assert r.status_code == 200


def test_request_log_redacts(client):
    client.get(f"{LP}/users/whoami?x_a=a&x_b=b&x_c=secret&x_d=secret2&x_t=1&access_token=z")
    client.get(f"{LP}/users/whoami", headers=BEARER)
    client.get("/_emulator/health")
    log = client.get("/_emulator/requests?since=0").json()
    assert log["next"] == 2
    first, second = log["requests"]
    assert first["query"] == {"x_a": "a", "x_b": "b", "x_t": "1"}
    assert first["auth"] == "idkey" and first["status"] == 403
    assert second["auth"] == "bearer" and second["status"] == 200
    assert client.get("/_emulator/requests?since=1").json()["requests"] == [second]


def test_reset(client):
    client.post("/_emulator/config", json={"rate_limit": 100})
    client.post(f"{LP}/coursetemplates/", headers=BEARER,
                json={"Name": "X", "Code": "X", "Path": "", "ParentOrgUnitIds": [6606]})
    client.post("/_emulator/faults", json={"path": "whoami", "status": 500})
    assert client.post("/_emulator/reset").json() == {"status": "ok"}
    state = client.get("/_emulator/state").json()
    assert state["course_templates"] == [] and state["faults"] == []
    assert state["config"]["rate_limit"] == 50000
    assert client.get("/_emulator/requests").json() == {"next": 0, "requests": []}
    assert client.get(f"{LP}/users/whoami", headers=BEARER).status_code == 200


def test_unknown_route_404(client):
    r = client.get(f"{LP}/nothing/here", headers=BEARER)
    assert r.status_code == 404
    assert r.json() == {"Errors": [{"Message": "Not Found"}]}
