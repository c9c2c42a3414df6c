# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository repositories and trusts, scopes, the lr_execution fault, control
routes and persistence."""
import hashlib

import pytest
import requests

from conftest import BEARER
from lr_helpers import (BASE_KEYS, LR, PUBLISH_KEYS, error, fixture_bytes, initiate, ok,
                        overwrite, props, properties_input, publish, publish_ok, resumable_key,
                        scorm_zip)

REPOSITORY_KEYS = {"RepositoryId", "Name", "Description", "Type", "OrgId", "ObjectCount"}
TRUST_KEYS = {"CanViewItems", "CanSeeDetails", "CanLinkToLor", "CanRetrieve",
              "CanManageAllItems", "CanManageMyItems", "CanSeeEventLog", "CanViewFiles",
              "CanAddReviews", "CanDeleteReviews", "CanManageReviews", "CanClassify",
              "CanSeeAllHiddenObjects", "CanPublish", "CanPublishOffline", "CanSearch",
              "CanVersionMyItems", "CanViewMetadata", "CanEditMetadata", "CanManageRepositories"}


def repo_ids(r):
    body = ok(r, BASE_KEYS | {"Repositories"})
    for repo in body["Repositories"]:
        assert set(repo) == REPOSITORY_KEYS
    return [repo["RepositoryId"] for repo in body["Repositories"]]


def get(client, path, headers=None, **params):
    return client.get(f"{LR}/{path}", headers=headers or BEARER, params=params)


# --- repositories -----------------------------------------------------------------------------
def test_all_repositories(client):
    body = ok(get(client, "repositories/all/"))
    assert body["Repositories"] == [
        {"RepositoryId": 1, "Name": "Demo Local Repository",
         "Description": "Learning objects of Demo University", "Type": "Local",
         "OrgId": 6606, "ObjectCount": 1},
        {"RepositoryId": 2, "Name": "Demo Metadata Repository",
         "Description": "Metadata records of external learning objects", "Type": "Metadata",
         "OrgId": 6606, "ObjectCount": 0},
        {"RepositoryId": 3, "Name": "Federated Search",
         "Description": "Searches the federated repositories", "Type": "Federated",
         "OrgId": 6606, "ObjectCount": 0},
        {"RepositoryId": 4, "Name": "Archive Repository",
         "Description": "Retired learning objects", "Type": "Local", "OrgId": 6606,
         "ObjectCount": 0}]
    publish_ok(client, scorm_zip(), repository=4)
    counts = {r["RepositoryId"]: r["ObjectCount"]
              for r in ok(get(client, "repositories/all/"))["Repositories"]}
    assert counts == {1: 1, 2: 0, 3: 0, 4: 1}


def test_all_repositories_only_searchable(client, emu):
    with emu.store.lock:
        emu.store.data["lr"]["trusts"]["2"]["6606"]["101"]["Search"] = False
    assert repo_ids(get(client, "repositories/all/")) == [1, 3, 4]


def test_repositories_by_type(client):
    assert repo_ids(get(client, "repositories/Local/")) == [1, 4]
    assert repo_ids(get(client, "repositories/local/")) == [1, 4]
    assert repo_ids(get(client, "repositories/METADATA/")) == [2]
    assert repo_ids(get(client, "repositories/Federated/")) == [3]
    assert repo_ids(get(client, "repositories/All/")) == [1, 2, 3, 4]
    error(get(client, "repositories/Remote/"), "Invalid repository type 'Remote'")


def test_repositories_trust_filters(client):
    assert repo_ids(get(client, "repositories/All/", trustParams="Search,ViewItems")) == \
        [1, 2, 3, 4]
    assert repo_ids(get(client, "repositories/All/", trustParams="Publish")) == [1, 2, 4]
    assert repo_ids(get(client, "repositories/Federated/", trustParams="Publish")) == []
    assert repo_ids(get(client, "repositories/Local/",
                        trustParams="VersionAllItems,AdministerLearningRepository")) == [1, 4]
    assert repo_ids(get(client, "repositories/All/", trustParams="")) == [1, 2, 3, 4]
    error(get(client, "repositories/All/", trustParams="Search,Teleport"),
          "Unknown trust name 'Teleport'")
    error(get(client, "repositories/All/", trustParams="search"), "Unknown trust name 'search'")
    error(get(client, "repositories/All/", trustParams="Search,"), "Unknown trust name ''")


def test_repositories_org_unit(client):
    assert repo_ids(get(client, "repositories/Local/", orgUnitId=6606,
                        trustParams="Publish")) == [1, 4]
    error(get(client, "repositories/Local/", orgUnitId=424242), "Org unit 424242 not found")
    # another org unit inherits the Organization's trusts
    r = client.post("/d2l/api/lp/1.47/orgstructure/", headers=BEARER, json={
        "Type": 201, "Name": "Science", "Code": "SCI", "Parents": [6606]})
    dept = int(r.json()["Identifier"])
    assert repo_ids(get(client, "repositories/All/", orgUnitId=dept,
                        trustParams="Publish")) == [1, 2, 4]
    assert get(client, "repositories/All/", orgUnitId="x").status_code == 400


# --- trusts -----------------------------------------------------------------------------------
def test_list_org_unit_trusts(client):
    body = ok(get(client, "repository/1/listorgUnittrusts/"),
              BASE_KEYS | {"RepositoryTrusts"})
    trusts = body["RepositoryTrusts"]
    assert list(trusts) == ["6606"] and list(trusts["6606"]) == ["101", "109", "110"]
    for trust in trusts["6606"].values():
        assert set(trust) == TRUST_KEYS
    assert all(trusts["6606"]["101"].values())
    student = trusts["6606"]["110"]
    assert {k for k, v in student.items() if v} == {
        "CanViewItems", "CanSeeDetails", "CanSearch", "CanRetrieve"}
    instructor = trusts["6606"]["109"]
    assert instructor["CanPublish"] and instructor["CanVersionMyItems"]
    assert instructor["CanViewMetadata"] and instructor["CanManageMyItems"]
    assert not instructor["CanManageAllItems"] and not instructor["CanManageRepositories"]
    federated = ok(get(client, "repository/3/listorgUnittrusts/"))["RepositoryTrusts"]
    for trust in federated["6606"].values():
        assert {k for k, v in trust.items() if v} == {"CanSearch", "CanViewItems"}


def test_list_org_unit_trusts_filters(client):
    trusts = ok(get(client, "repository/1/listorgUnittrusts/", roles="110,101"))
    assert list(trusts["RepositoryTrusts"]["6606"]) == ["101", "110"]
    trusts = ok(get(client, "repository/1/listorgUnittrusts/", orgUnits="6606", roles="109"))
    assert list(trusts["RepositoryTrusts"]["6606"]) == ["109"]
    assert ok(get(client, "repository/1/listorgUnittrusts/",
                  orgUnits="7777"))["RepositoryTrusts"] == {}
    assert ok(get(client, "repository/1/listorgUnittrusts/",
                  roles="999"))["RepositoryTrusts"] == {}
    error(get(client, "repository/9/listorgUnittrusts/"), "Repository 9 not found")
    assert get(client, "repository/1/listorgUnittrusts/", roles="a").status_code == 400


# --- scopes -----------------------------------------------------------------------------------
def narrow(client, scope):
    token = client.post("/_emulator/tokens", json={"scope": scope}).json()["access_token"]
    return {"Authorization": "Bearer " + token}


LR_SPECIFIC = ("lor:object:create", "lor:object:write")


@pytest.mark.parametrize("method, path, scope", [
    # SCOPES.md (and the page): the only LR routes with a specific scope
    ("POST", "1/upload", "lor:object:create"),
    ("POST", "1/upload/publish", "lor:object:write"),
    ("PUT", "1/upload/publish/1001", "lor:object:write"),
])
def test_specific_scopes(client, method, path, scope):
    other = next(s for s in LR_SPECIFIC if s != scope)
    r = client.request(method, f"{LR}/{path}", headers=narrow(client, other))
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert f"requires the scope '{scope}' (or core:*:*)" in r.json()["detail"]
    # the scope alone is enough (the initiation without X-Upload-* headers is then a 400; the
    # publish routes without a form an LR ERROR)
    r = client.request(method, f"{LR}/{path}", headers=narrow(client, scope))
    assert r.status_code in (200, 400), r.text
    # "*" has no wildcard meaning outside core:*:*
    assert client.request(method, f"{LR}/{path}",
                          headers=narrow(client, "lor:*:* lor:object:*")).status_code == 403


@pytest.mark.parametrize("method, path", [
    ("GET", "objects/search/?query=&offset=0&count=1&repositories=1"),
    ("GET", "objects/1001/properties/"),
    ("GET", "objects/1001/1/properties/"),
    ("GET", "objects/1001/1/metadata/"),
    ("GET", "objects/1001/link/"),
    ("GET", "objects/1001/1/link/"),
    ("GET", "objects/1001/download/"),
    ("GET", "objects/1001/1/download/"),
    ("GET", "objects/1001/downloadfile/"),
    ("GET", "objects/1001/1/downloadfile/"),
    ("PUT", "objects/?repositoryId=1"),
    ("POST", "objects/1001/"),
    ("POST", "objects/1001/properties/"),
    ("POST", "objects/1001/1/properties/"),
    ("POST", "objects/1001/delete/"),
    ("GET", "repositories/all/"),
    ("GET", "repositories/Local/"),
    ("GET", "repository/1/listorgUnittrusts/"),
])
def test_core_only_routes(client, method, path):
    """SCOPES.md: every other LR route is core:*:* only (also for the scope names the emulator
    used to invent)."""
    scope = " ".join(LR_SPECIFIC) + " lor:object:read lor:repository:read lor:*:*"
    r = client.request(method, f"{LR}/{path}", headers=narrow(client, scope))
    assert r.status_code == 403, r.text
    assert r.json()["detail"] == "Insufficient scope: this action requires the scope 'core:*:*'"
    r = client.request(method, f"{LR}/{path}", headers=narrow(client, "core:*:*"),
                       json=properties_input() if path.endswith("properties/") and
                       method == "POST" else None)
    assert r.status_code not in (401, 403), r.text


def test_lr_upload_data_route_takes_lor_object_create(client):
    data = scorm_zip()
    headers = narrow(client, "lor:object:create")
    r = initiate(client, len(data), headers=headers)
    loc = r.headers["Location"]
    content_range = f"bytes 0-{len(data) - 1}/{len(data)}"
    r = client.post(loc, content=data, headers={
        **narrow(client, "lor:object:write"), "Content-Range": content_range})
    assert r.status_code == 403
    assert "requires the scope 'lor:object:create' (or core:*:*)" in r.json()["detail"]
    r = client.post(loc, content=data, headers={**headers, "Content-Range": content_range})
    assert r.status_code == 200
    # publishing needs lor:object:write (SCOPES.md), not lor:object:create
    key = loc.rsplit("/", 1)[1]
    r = client.post(f"{LR}/1/upload/publish", headers=headers, data={"fileKey": key})
    assert r.status_code == 403 and "lor:object:write" in r.json()["detail"]
    body = ok(client.post(f"{LR}/1/upload/publish", headers=narrow(client, "lor:object:write"),
                          data={"fileKey": key}))
    assert body["Version"] == 1
    # an unknown key: the data route's own declaration (core:*:* only), then 404
    r = client.post("/d2l/upload/NoSuchKey0", content=b"x", headers={
        **headers, "Content-Range": "bytes 0-0/1"})
    assert r.status_code == 403 and "'core:*:*'" in r.json()["detail"]
    r = client.post("/d2l/upload/NoSuchKey0", content=b"x", headers={
        **BEARER, "Content-Range": "bytes 0-0/1"})
    assert r.status_code == 404


def test_unauthenticated_and_unknown_version(client):
    assert client.get(f"{LR}/repositories/all/").status_code == 401
    r = client.get("/d2l/api/lr/1.4/repositories/all/", headers=BEARER)
    assert r.status_code == 404 and "Errors" in r.json()


# --- lr_execution fault -----------------------------------------------------------------------
def test_lr_execution_error_does_no_work(client):
    r = client.post("/_emulator/faults", json={
        "method": "PUT", "path": r"/d2l/api/lr/.*/objects/$",
        "lr_execution": {"status": 2, "message": "Repository is read-only right now"}})
    assert r.status_code == 200
    r = publish(client, scorm_zip())
    assert r.status_code == 200
    assert r.json() == {"ExecutionMessage": "Repository is read-only right now",
                        "ExecutionStatus": 2}
    assert len(client.get("/_emulator/lr/objects").json()) == 1  # nothing published
    assert ok(publish(client, scorm_zip()), PUBLISH_KEYS)  # the rule is used up


def test_lr_execution_warn_does_the_work(client):
    client.post("/_emulator/faults", json={
        "path": "properties/$", "method": "POST", "times": 2,
        "lr_execution": {"status": 1, "message": "Indexing delayed"}})
    r = client.post(f"{LR}/objects/1001/properties/", headers=BEARER,
                    json=properties_input(Title="Renamed"))
    assert r.json() == {"ExecutionMessage": "Indexing delayed", "ExecutionStatus": 1}
    assert ok(props(client, 1001))["Title"] == "Renamed"
    # an action that fails keeps its ERROR (and uses the rule up)
    r = client.post(f"{LR}/objects/5/properties/", headers=BEARER, json=properties_input())
    assert r.json()["ExecutionStatus"] == 2 and "not found" in r.json()["ExecutionMessage"]
    assert client.get("/_emulator/faults").json()["faults"] == []


def test_lr_execution_only_taken_by_lr_requests(client):
    client.post("/_emulator/faults", json={
        "path": ".*", "lr_execution": {"status": 1, "message": "Slow"}})
    assert client.get("/d2l/api/lp/1.47/users/whoami", headers=BEARER).status_code == 200
    assert len(client.get("/_emulator/faults").json()["faults"]) == 1
    # taken after the scope check: a 403 leaves it
    r = client.get(f"{LR}/objects/1001/link/", headers=narrow(client, "lor:object:write"))
    assert r.status_code == 403
    assert len(client.get("/_emulator/faults").json()["faults"]) == 1
    body = client.get(f"{LR}/objects/1001/link/", headers=BEARER).json()
    assert body["ExecutionStatus"] == 1 and body["ExecutionMessage"] == "Slow"
    assert body["URL"].endswith("loIdentId=1001")


def test_lr_execution_on_a_download(client):
    client.post("/_emulator/faults", json={
        "path": "download/$", "lr_execution": {"status": 2, "message": "Package service down"}})
    assert client.get(f"{LR}/objects/1001/download/", headers=BEARER).json() == {
        "ExecutionMessage": "Package service down", "ExecutionStatus": 2}
    client.post("/_emulator/faults", json={
        "path": "download/$", "lr_execution": {"status": 1, "message": "ignored"}})
    r = client.get(f"{LR}/objects/1001/download/", headers=BEARER)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"


def test_lr_execution_rule_validation(client):
    for bad in ({"lr_execution": {"status": 0, "message": "x"}},
                {"lr_execution": {"status": 2}},
                {"lr_execution": {"status": 2, "message": "x", "extra": 1}},
                {"lr_execution": {"status": 1, "message": "x"}, "status": 500},
                {"lr_execution": {"status": 1, "message": "x"}, "delay": 1}):
        r = client.post("/_emulator/faults", json={"path": "lr", **bad})
        assert r.status_code == 400, bad


# --- control ----------------------------------------------------------------------------------
def test_control_objects_state_and_reset(client):
    ident = publish_ok(client, b"abc", "a.txt", ctype="text/plain")
    ok(overwrite(client, ident, b"defg", "b.txt", "text/plain"))
    objects = client.get("/_emulator/lr/objects").json()
    assert [o["IdentId"] for o in objects] == [1001, ident]
    versions = objects[1]["Versions"]
    assert [(v["Version"], v["Size"], v["Sha256"]) for v in versions] == [
        (1, 3, hashlib.sha256(b"abc").hexdigest()), (2, 4, hashlib.sha256(b"defg").hexdigest())]
    for key in ("Title", "Description", "Keywords", "Status", "HiddenFromSearchResults",
                "PublicallyAvailable", "OwnerId", "Type", "RepositoryId", "FileName",
                "ContentType", "Created"):
        assert key in versions[0]
    state = client.get("/_emulator/state").json()["lr"]
    assert [r["RepositoryId"] for r in state["repositories"]] == [1, 2, 3, 4]
    assert state["repositories"][3]["Defaults"] == {"HiddenFromSearchResults": True,
                                                    "PublicallyAvailable": False}
    assert state["next_id"] == ident + 1 and len(state["objects"]) == 2
    assert state["trusts"]["3"]["6606"]["110"]["Search"] is True
    client.post("/_emulator/reset")
    assert [o["IdentId"] for o in client.get("/_emulator/lr/objects").json()] == [1001]
    # the seed's bytes are back after the reset
    assert client.get(f"{LR}/objects/1001/download/", headers=BEARER).status_code == 200
    assert publish_ok(client, b"x", "x.txt") == 1002


def test_bulk_validation(client):
    assert client.post("/_emulator/lr/objects/bulk",
                       json={"repository": 2, "count": 3}).status_code == 400
    assert client.post("/_emulator/lr/objects/bulk",
                       json={"repository": 9, "count": 3}).status_code == 400
    assert client.post("/_emulator/lr/objects/bulk", json={"count": 0}).status_code == 400
    r = client.post("/_emulator/lr/objects/bulk", json={"count": 2, "title_prefix": "Pack"})
    assert r.json() == {"IdentIds": [1002, 1003]}
    assert ok(props(client, 1003))["Title"] == "Pack 0002"


# --- persistence ------------------------------------------------------------------------------
def test_lr_state_survives_a_restart(live_factory, tmp_path):
    state_file = str(tmp_path / "state.json")
    a = live_factory("--state-file", state_file)
    data = fixture_bytes("singlesco_scorm12.zip")
    r = requests.put(f"{a.url}{LR}/objects/?repositoryId=1", headers=BEARER,
                     files={"Resource": ("golf.zip", data, "application/zip")})
    ident = ok(r)["IdentId"]
    ok(requests.post(f"{a.url}{LR}/objects/{ident}/properties/", headers=BEARER,
                     json=properties_input(Keywords=["kept"])))
    quiz = requests.get(f"{a.url}{LR}/objects/1001/download/", headers=BEARER).content
    a.stop()
    b = live_factory("--state-file", state_file)
    body = ok(requests.get(f"{b.url}{LR}/objects/{ident}/properties/", headers=BEARER))
    assert body["Keywords"] == ["kept"] and body["Title"] == "Updated title"
    r = requests.get(f"{b.url}{LR}/objects/{ident}/download/", headers=BEARER)
    assert r.content == data
    assert requests.get(f"{b.url}{LR}/objects/1001/download/", headers=BEARER).content == quiz
    # ids continue
    r = requests.put(f"{b.url}{LR}/objects/?repositoryId=1", headers=BEARER,
                     files={"Resource": ("n.txt", b"new", "text/plain")})
    assert ok(r)["IdentId"] == ident + 1
    # a resumable upload over real HTTP
    key = None
    r = requests.post(f"{b.url}{LR}/1/upload", allow_redirects=False, headers={
        **BEARER, "X-Upload-Content-Type": "application/zip",
        "X-Upload-Content-Length": str(len(data)), "X-Upload-File-Name": "golf2.zip"})
    assert r.status_code == 308
    loc = r.headers["Location"]
    key = loc.rsplit("/", 1)[1]
    r = requests.post(b.url + loc, data=data, headers={
        **BEARER, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    assert r.status_code == 200
    r = requests.put(f"{b.url}{LR}/1/upload/publish/{ident}", headers=BEARER,
                     data={"fileKey": key})
    assert ok(r)["Version"] == 2


def test_resumable_helper_sanity(client):
    key = resumable_key(client, b"0123456789", "digits.txt", chunk=3, ctype="text/plain")
    body = ok(client.post(f"{LR}/1/upload/publish", headers=BEARER,
                          data={"fileKey": key, "name": "renamed.txt"}))
    r = client.get(f"{LR}/objects/{body['IdentId']}/downloadfile/", headers=BEARER)
    assert r.content == b"0123456789"
    assert r.headers["content-disposition"] == 'attachment; filename="renamed.txt"'
    assert r.headers["content-type"].startswith("text/plain")
