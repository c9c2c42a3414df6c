# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Roles and the permissions the reference pages name (permissions.py), the Learning
Repository trusts of the caller's role (lr.py, routes/lr.py), and the control routes that set
them. Before roles existed every caller acted as an administrator: each test here fails on that
behaviour."""
import time

import pytest
from fastapi.testclient import TestClient

from brightspace_emulator import Config, create_app
from brightspace_emulator import permissions as perms
from brightspace_emulator.auth import idkey_base, sign
from conftest import BEARER, LP, make_offering, make_template, offering_body
from emu_helpers import client  # noqa: F401  pylint: disable=unused-import
from lr_helpers import LR, PUBLISH_KEYS, SEEDED_QUIZ, error, ok, properties_input, scorm_zip

LE = "/d2l/api/le/1.74"
UNSTABLE = "/d2l/api/le/unstable"
EP = "/d2l/api/eP/2.5"
ADMIN, INSTRUCTOR, STUDENT = "3", "104", "105"


@pytest.fixture
def app():
    return create_app(Config(job_duration=0.2))


def token_for(client, user, scope="core:*:*"):
    r = client.post("/_emulator/tokens", json={"user": user, "scope": scope, "lifetime": None})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def forbidden(r, sentence):
    """The page's 403: problem+json whose detail starts with 'No permission to <sentence>.'"""
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["title"] == "Forbidden", body
    assert body["detail"].startswith(f"No permission to {sentence}."), body
    assert "scope" not in body["detail"].lower(), body  # a role's refusal, not a token's
    assert "WWW-Authenticate" not in r.headers
    return body["detail"]


def set_role(client, role, **permissions):
    r = client.put(f"/_emulator/roles/{role}", json={"permissions": permissions})
    assert r.status_code == 200, r.text
    return r.json()


def custom_role(client, user, *granted, role=200):
    """Give ``user`` a role of its own with exactly ``granted``."""
    r = client.put(f"/_emulator/roles/{role}",
                   json={"name": "Custom", "permissions": {n: n in granted for n in perms.NAMES}})
    assert r.status_code == 200, r.text
    r = client.put(f"/_emulator/users/{user}", json={"role": role})
    assert r.status_code == 200, r.text
    return token_for(client, user)


def jobs(client):
    return client.get("/_emulator/state").json()["jobs"]


def lr_count(client):
    return len(client.get("/_emulator/lr/objects").json())


def ep_objects(client, user):
    return client.get("/_emulator/eportfolio/objects", params={"user": user}).json()


def new_link(client, headers=None, name="Link"):
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/artifacts/link/new", headers=headers, json={
        "ObjectId": 0, "Name": name, "Description": "", "AllowComments": True, "GeoTag": None,
        "Url": "https://example.com/"})
    assert r.status_code == 200, r.text
    return r.json()["ObjectId"]


def ep_package(client, headers=None):
    """An export package of the caller's objects (bytes)."""
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/export/new/all", headers=headers)
    assert r.status_code == 200, r.text
    task = r.json()
    deadline = time.time() + 5
    while client.get(f"{EP}/export/{task}/status", headers=headers).json() not in (2, 3):
        assert time.time() < deadline
        time.sleep(0.05)
    return client.get(f"{EP}/export/{task}/package", headers=headers).content


def start_ep_import(client, content, targets=(), headers=None, details=False):
    headers = BEARER if headers is None else headers
    route = "import/newwithdetails" if details else "import/new"
    return client.post(f"{EP}/{route}", headers=headers,
                       files=[("file", ("eP_Export.zip", content, "application/zip"))] +
                       [("targetUsers", (None, str(t))) for t in targets])


def publish(client, headers, repository=1, title="Pkg"):
    return client.put(f"{LR}/objects/?repositoryId={repository}", headers=headers,
                      files={"Resource": ("pkg.zip", scorm_zip(title), "application/zip")})


# --- seeds and the control routes ------------------------------------------------------------
def test_seeded_roles_and_users(client):
    view = client.get("/_emulator/roles").json()
    assert list(view["permissions"]) == list(perms.NAMES)
    assert view["permissions"]["manage or create courses"]["page"] == "courses.txt"
    roles = view["roles"]
    assert {k: r["Name"] for k, r in roles.items()} == {
        "101": "Administrator", "109": "Instructor", "110": "Student"}
    assert all(roles["101"]["Permissions"].values())
    assert {n for n, v in roles["109"]["Permissions"].items() if v} == set(
        perms.INSTRUCTOR_PERMISSIONS)
    assert {n for n, v in roles["110"]["Permissions"].items() if v} == {
        "export EP objects for current user", "export identified EP objects",
        "see status of export task"}
    users = view["users"]
    assert {u: users[u]["Role"] for u in users} == {
        "3": 101, "101": 101, "102": 101, "103": 101, "104": 109, "105": 110}
    assert (users["104"]["FirstName"], users["104"]["UniqueName"]) == ("Marie", "marie")
    assert (users["105"]["FirstName"], users["105"]["UniqueName"]) == ("Emmy", "emmy")
    for user, unique in ((INSTRUCTOR, "marie"), (STUDENT, "emmy")):
        me = client.get(f"{LP}/users/whoami", headers=token_for(client, user)).json()
        assert me["Identifier"] == user and me["UniqueName"] == unique
    state = client.get("/_emulator/state").json()
    assert state["roles"] == roles and state["user_roles"]["105"] == 110


def test_role_route_is_strict(client):
    r = client.put("/_emulator/roles/110", json={"permissions": {
        "manage or create courses": True, "Manage Or Create Courses": True, "fly": False}})
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert "'Manage Or Create Courses'" in detail and "'fly'" in detail
    assert "'manage or create courses'" not in detail.split("(known")[0]  # only the unknown ones
    # nothing changed
    assert not client.get("/_emulator/roles").json()["roles"]["110"]["Permissions"][
        "manage or create courses"]
    for body in ({"permissions": {"import EP objects": "yes"}}, {"permissions": []},
                 {"permission": {}}, {"name": ""}):
        assert client.put("/_emulator/roles/110", json=body).status_code == 400, body
    # a partial update keeps the rest; a new role starts with nothing
    role = set_role(client, 110, **{"import EP objects": True})
    assert role["Permissions"]["import EP objects"] and role["Permissions"][
        "export EP objects for current user"] and role["Name"] == "Student"
    new = client.put("/_emulator/roles/300", json={"permissions": {"import EP objects": True}})
    assert new.status_code == 200 and new.json()["Name"] == "Role 300"
    assert {n for n, v in new.json()["Permissions"].items() if v} == {"import EP objects"}


def test_user_route(client):
    assert client.put("/_emulator/users/105", json={"role": 999}).status_code == 400
    assert client.put("/_emulator/users/999", json={"role": 101}).status_code == 404
    assert client.put("/_emulator/users/105", json={"role": "101"}).status_code == 400
    r = client.put("/_emulator/users/105", json={"role": 101})
    assert r.status_code == 200 and r.json()["Role"] == 101
    tid = int(make_template(client)["Identifier"])
    r = client.post(f"{LP}/courses/", headers=token_for(client, STUDENT),
                    json=offering_body(tid, "PROMOTED"))
    assert r.status_code == 200, r.text


def test_reset_restores_and_state_file_keeps_roles(tmp_path):
    state = str(tmp_path / "state.json")
    app = create_app(Config(state_file=state))
    with TestClient(app) as client:
        set_role(client, 110, **{"manage or create courses": True})
        client.put("/_emulator/users/104", json={"role": 110})
        client.put("/_emulator/lr/trusts/1/6606/110", json={"trusts": {"Publish": True}})
    app.state.emu.close()
    again = create_app(Config(state_file=state))
    with TestClient(again) as client:
        view = client.get("/_emulator/roles").json()
        assert view["roles"]["110"]["Permissions"]["manage or create courses"]
        assert view["users"]["104"]["Role"] == 110
        assert client.get("/_emulator/lr/trusts").json()["1"]["6606"]["110"]["Publish"]
        client.post("/_emulator/reset")
        view = client.get("/_emulator/roles").json()
        assert not view["roles"]["110"]["Permissions"]["manage or create courses"]
        assert view["users"]["104"]["Role"] == 109
        assert not client.get("/_emulator/lr/trusts").json()["1"]["6606"]["110"]["Publish"]
    again.state.emu.close()


# --- the caller's role follows its user, whatever the credential ----------------------------
def test_idkey_caller_acts_as_its_user(client):
    path = f"{LP}/coursetemplates/"
    body = {"Name": "T", "Code": "IDK", "Path": "", "ParentOrgUnitIds": [6606]}

    def signed():
        ts = int(time.time())
        base = idkey_base("POST", path, ts)
        return {"x_a": "demo-app-id", "x_b": "demo-user-id", "x_c": sign("demo-app-key", base),
                "x_d": sign("demo-user-key", base), "x_t": str(ts)}

    client.put("/_emulator/users/3", json={"role": 110})
    forbidden(client.post(path, params=signed(), json=body),
              "manage or create courses and templates")
    client.put("/_emulator/users/3", json={"role": 101})
    assert client.post(path, params=signed(), json=body).status_code == 200


def test_service_client_acts_as_its_user(client):
    from test_service_users import grant  # pylint: disable=import-outside-toplevel
    client.put("/_emulator/users/3", json={"role": 109})  # demo-service acts as user 3
    token = grant(client).json()["access_token"]
    r = client.post(f"{LP}/coursetemplates/", headers={"Authorization": "Bearer " + token},
                    json={"Name": "T", "Code": "SVC", "Path": "", "ParentOrgUnitIds": [6606]})
    forbidden(r, "manage or create courses and templates")
    # the seeded bearer token acts as user 3 too
    forbidden(client.post(f"{LP}/coursetemplates/", headers=BEARER, json={}),
              "manage or create courses and templates")


# --- courses -----------------------------------------------------------------------------------
def test_course_writes_need_manage_or_create_courses(client):
    tid = int(make_template(client)["Identifier"])
    course = make_offering(client, tid, "KEEP")
    cid = int(course["Identifier"])
    before = client.get("/_emulator/state").json()["org_units"]
    for user in (STUDENT, INSTRUCTOR):
        h = token_for(client, user)
        forbidden(client.post(f"{LP}/courses/", headers=h, json=offering_body(tid, "NEW")),
                  "manage or create courses")
        # before the body is validated, and before the target is looked up
        forbidden(client.post(f"{LP}/courses/", headers=h, json={"bogus": 1}),
                  "manage or create courses")
        info = {"Name": "Renamed", "Code": "KEEP", "StartDate": None, "EndDate": None,
                "IsActive": True}
        forbidden(client.put(f"{LP}/courses/{cid}", headers=h, json=info),
                  "manage or create courses")
        forbidden(client.put(f"{LP}/courses/999999", headers=h, json=info),
                  "manage or create courses")
        forbidden(client.delete(f"{LP}/courses/{cid}", headers=h), "manage or create courses")
        # reads stay open
        assert client.get(f"{LP}/courses/{cid}", headers=h).json()["Name"] == course["Name"]
        assert client.get(f"{LP}/orgstructure/?exactOrgUnitCode=KEEP", headers=h).status_code == 200
    assert client.get("/_emulator/state").json()["org_units"] == before


def test_template_writes_need_manage_or_create_courses_and_templates(client):
    tid = int(make_template(client)["Identifier"])
    h = token_for(client, INSTRUCTOR)
    sentence = "manage or create courses and templates"
    forbidden(client.post(f"{LP}/coursetemplates/", headers=h, json={
        "Name": "T", "Code": "T2", "Path": "", "ParentOrgUnitIds": [6606]}), sentence)
    forbidden(client.put(f"{LP}/coursetemplates/{tid}", headers=h,
                         json={"Name": "Renamed", "Code": "TPL1"}), sentence)
    forbidden(client.delete(f"{LP}/coursetemplates/{tid}", headers=h), sentence)
    assert client.get(f"{LP}/coursetemplates/{tid}", headers=h).json()["Name"] == "Template TPL1"
    # managing courses is not managing templates
    h = custom_role(client, STUDENT, "manage or create courses")
    forbidden(client.delete(f"{LP}/coursetemplates/{tid}", headers=h), sentence)
    assert client.post(f"{LP}/courses/", headers=h,
                       json=offering_body(tid, "OK")).status_code == 200


def test_copy_jobs(client):
    tid = int(make_template(client)["Identifier"])
    a = int(make_offering(client, tid, "A")["Identifier"])
    b = int(make_offering(client, tid, "B")["Identifier"])
    forbidden(client.post(f"{LE}/import/{b}/copy/", headers=token_for(client, STUDENT),
                          json={"SourceOrgUnitId": a}), "create course copy job request")
    assert jobs(client) == []
    h = token_for(client, INSTRUCTOR)
    r = client.post(f"{LE}/import/{b}/copy/", headers=h, json={"SourceOrgUnitId": a})
    assert r.status_code == 202, r.text
    token = r.json()["JobToken"]
    assert client.get(f"{LE}/import/{b}/copy/{token}", headers=h).status_code == 200
    h = custom_role(client, INSTRUCTOR, "create course copy job request")
    forbidden(client.get(f"{LE}/import/{b}/copy/{token}", headers=h), "retrieve status of copy job")


@pytest.mark.parametrize("base", [UNSTABLE, LE])
def test_import_jobs(client, base):
    tid = int(make_template(client)["Identifier"])
    target = int(make_offering(client, tid, "T")["Identifier"])
    files = {"file": ("x.zip", b"PK not really", "application/zip")}
    forbidden(client.post(f"{base}/import/{target}/imports/", headers=token_for(client, STUDENT),
                          files=files), "create course import job request")
    assert jobs(client) == []
    h = token_for(client, INSTRUCTOR)
    r = client.post(f"{base}/import/{target}/imports/", headers=h, files=files)
    assert r.status_code == 200, r.text
    token = r.json()["JobToken"]
    assert client.get(f"{base}/import/{target}/imports/{token}", headers=h).status_code == 200
    h = custom_role(client, INSTRUCTOR, "create course import job request")
    forbidden(client.get(f"{base}/import/{target}/imports/{token}", headers=h),
              "retrieve status of import job")
    h = custom_role(client, INSTRUCTOR, "retrieve status of import job")
    forbidden(client.post(f"{base}/import/{target}/imports/", headers=h, files=files),
              "create course import job request")
    assert len(jobs(client)) == 1


# --- ePortfolio ----------------------------------------------------------------------------------
def test_export_own_objects_needs_its_permission(client):
    h = custom_role(client, "101", "export identified EP objects", "see status of export task")
    mine = new_link(client, h)
    forbidden(client.post(f"{EP}/export/new/all", headers=h),
              "export EP objects for current user")
    assert client.post(f"{EP}/export/new", headers=h, json=[mine]).status_code == 200
    h = custom_role(client, "101", "export EP objects for current user",
                    "see status of export task")
    forbidden(client.post(f"{EP}/export/new", headers=h, json=[mine]),
              "export identified EP objects")
    assert client.post(f"{EP}/export/new/all", headers=h).status_code == 200
    assert len(jobs(client)) == 2


def test_export_of_objects_the_caller_does_not_own_is_refused(client):
    """Not a silent skip: the page's 403, for an administrator too, and no task."""
    mine = new_link(client)
    hers = new_link(client, token_for(client, STUDENT))
    for ids in ([hers], [mine, hers], [hers, 424242]):
        detail = forbidden(client.post(f"{EP}/export/new", headers=BEARER, json=ids),
                           "export identified EP objects")
        assert str(hers) in detail
    assert jobs(client) == []
    # the owner may
    assert client.post(f"{EP}/export/new", headers=token_for(client, STUDENT),
                       json=[hers]).status_code == 200


def test_export_task_status_needs_its_permission(client):
    new_link(client, token_for(client, "102"))
    h = custom_role(client, "102", "export EP objects for current user")
    task = client.post(f"{EP}/export/new/all", headers=h).json()
    for what in ("status", "package"):
        forbidden(client.get(f"{EP}/export/{task}/{what}", headers=h), "see status of export task")


def test_import_needs_import_ep_objects(client):
    new_link(client)
    package = ep_package(client)
    before = ep_objects(client, STUDENT)
    for details in (False, True):
        forbidden(start_ep_import(client, package, headers=token_for(client, STUDENT),
                                  details=details), "import EP objects")
        forbidden(start_ep_import(client, package, [STUDENT], headers=token_for(client, STUDENT),
                                  details=details), "import EP objects")
    assert [j for j in jobs(client) if j["kind"] == "ep-import"] == []
    assert ep_objects(client, STUDENT) == before


def test_import_into_other_users_needs_the_right_to(client):
    """Not a silent skip, not an import into the caller instead: the page's 403, no task."""
    new_link(client)
    package = ep_package(client)
    h = token_for(client, INSTRUCTOR)
    for details in (False, True):
        for targets in (["101"], [INSTRUCTOR, "101"], ["101", "999999"]):
            detail = forbidden(start_ep_import(client, package, targets, headers=h,
                                               details=details), "import EP objects")
            assert "101" in detail and "import EP objects for other users" in detail
    kinds = [j["kind"] for j in jobs(client)]
    assert kinds.count("ep-export") == 1 and len(kinds) == 1
    assert ep_objects(client, "101") == [] and ep_objects(client, INSTRUCTOR) == []
    # into their own ePortfolio (named or not) an Instructor may
    r = start_ep_import(client, package, [INSTRUCTOR], headers=h)
    assert r.status_code == 200 and len(r.json()) == 1, r.text
    assert start_ep_import(client, package, headers=h, details=True).json()[
        "ImportJobResultType"] == "Success"
    # an administrator imports into others
    assert len(start_ep_import(client, package, ["101", "102"]).json()) == 2


def test_import_task_status_needs_its_permission(client):
    new_link(client)
    package = ep_package(client)
    h = custom_role(client, INSTRUCTOR, "import EP objects")
    task = start_ep_import(client, package, headers=h).json()[0]
    forbidden(client.get(f"{EP}/import/{task}/status", headers=h), "see status of import task")


def test_artifacts_of_other_users_stay_forbidden_for_every_role(client):
    """The artifact routes' 403s are about another user's artifact (unchanged); no role lifts
    them, and a Student manages their own artifacts."""
    student = token_for(client, STUDENT)
    theirs = new_link(client, student)
    for method, path, sentence in (
            ("GET", f"artifact/link/{theirs}", "see artifact"),
            ("DELETE", f"artifact/{theirs}", "delete the artifact")):
        r = client.request(method, f"{EP}/{path}", headers=BEARER)
        assert r.status_code == 403
        assert r.json()["detail"].startswith(f"No permission to {sentence}")
    r = client.post(f"{EP}/artifact/link/{theirs}", headers=student, json={
        "ObjectId": theirs, "Name": "Mine", "Description": "", "AllowComments": True,
        "GeoTag": None, "Url": "https://example.com/x"})
    assert r.status_code == 200, r.text


# --- Learning Repository -------------------------------------------------------------------------
def test_lr_caller_role_comes_from_its_user(client):
    student, instructor = token_for(client, STUDENT), token_for(client, INSTRUCTOR)
    count = lr_count(client)
    error(publish(client, student), "No permission to Publish to the LOR in repository 1")
    error(publish(client, student), "role Student (110)")
    error(client.post(f"{LR}/1/upload", headers={
        **student, "X-Upload-Content-Type": "application/zip", "X-Upload-Content-Length": "3",
        "X-Upload-File-Name": "p.zip"}), "No permission to Publish")
    error(client.post(f"{LR}/1/upload/publish", headers=student, data={"fileKey": "x"}),
          "No permission to Publish")
    assert lr_count(client) == count
    ok(publish(client, instructor), PUBLISH_KEYS)
    # the role's trusts, not the administrator's: Student search and retrieve, no links
    ok(client.get(f"{LR}/objects/search/?query=&offset=0&count=10&repositories=1",
                  headers=student))
    ok(client.get(f"{LR}/objects/{SEEDED_QUIZ}/properties/", headers=student))
    assert client.get(f"{LR}/objects/{SEEDED_QUIZ}/download/", headers=student).headers[
        "content-type"] == "application/zip"
    error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/link/", headers=student),
          "No permission to Create Links to Objects in the LOR")
    error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/1/link/", headers=instructor),
          "trust LinkToLor")
    error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/1/metadata/", headers=student),
          "No permission to View Metadata on the object's repository")
    assert client.get(f"{LR}/objects/{SEEDED_QUIZ}/1/metadata/", headers=instructor).headers[
        "content-type"].startswith("application/xml")


def test_lr_trust_route_changes_what_a_role_may(client):
    student = token_for(client, STUDENT)
    r = client.put("/_emulator/lr/trusts/1/6606/110", json={"trusts": {
        "RetrieveFromLor": False, "Search": False, "Retrieve": True, "CanSearch": True}})
    assert r.status_code == 400 and "'Retrieve'" in r.json()["detail"] and "'CanSearch'" in \
        r.json()["detail"]
    assert client.put("/_emulator/lr/trusts/9/6606/110", json={"trusts": {}}).status_code == 404
    assert client.put("/_emulator/lr/trusts/1/4242/110", json={"trusts": {}}).status_code == 404
    assert client.put("/_emulator/lr/trusts/1/6606/777", json={"trusts": {}}).status_code == 400
    r = client.put("/_emulator/lr/trusts/1/6606/110",
                   json={"trusts": {"RetrieveFromLor": False, "Search": False}})
    assert r.status_code == 200 and r.json()["ViewItems"] and not r.json()["Search"]
    for route in ("download/", "downloadfile/", "1/download/", "1/downloadfile/"):
        error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/{route}", headers=student),
              "No permission to Retrieve Objects from the LOR")
    error(client.get(f"{LR}/objects/search/?query=&offset=0&count=10&repositories=1",
                     headers=student), "No permission to search repository 1")
    error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/properties/", headers=student),
          "No permission to Search the LOR")
    error(client.get(f"{LR}/objects/{SEEDED_QUIZ}/1/properties/", headers=student),
          "trust Search")
    # listed by listorgUnittrusts as set
    trusts = ok(client.get(f"{LR}/repository/1/listorgUnittrusts/?roles=110", headers=BEARER))
    assert not trusts["RepositoryTrusts"]["6606"]["110"]["CanRetrieve"]


def test_lr_trusts_in_another_org_unit(client):
    """A role with trusts of its own in an org unit uses them there; the others inherit."""
    dept = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": 201, "Name": "Dept", "Code": "DEPT", "Parents": [6606]}).json()["Identifier"]
    client.put(f"/_emulator/lr/trusts/1/{dept}/109", json={"trusts": {"Publish": False}})
    instructor = token_for(client, INSTRUCTOR)
    url = f"{LR}/repositories/Local/?trustParams=Publish"
    assert [r["RepositoryId"] for r in ok(client.get(url, headers=instructor))[
        "Repositories"]] == [1, 4]
    assert [r["RepositoryId"] for r in ok(client.get(f"{url}&orgUnitId={dept}",
                                                     headers=instructor))["Repositories"]] == [4]
    assert [r["RepositoryId"] for r in ok(client.get(f"{url}&orgUnitId={dept}",
                                                     headers=BEARER))["Repositories"]] == [1, 4]


def test_lr_manage_my_and_all_objects(client):
    instructor = token_for(client, INSTRUCTOR)
    mine = ok(publish(client, instructor, title="Mine"))["IdentId"]
    url = f"{LR}/objects/{mine}/properties/"
    ok(client.post(url, headers=instructor, json=properties_input(OwnerId=104, Title="Renamed")))
    # another user's object (the seeded quiz, owner 3): Manage All Objects
    for path in (f"{SEEDED_QUIZ}/properties/", f"{SEEDED_QUIZ}/1/properties/"):
        error(client.post(f"{LR}/objects/{path}", headers=instructor,
                          json=properties_input()),
              "No permission to Manage All Objects in the LOR")
    error(client.post(f"{LR}/objects/{SEEDED_QUIZ}/delete/", headers={**instructor,
                                                                      "Content-Length": "0"}),
          "trust ManageAllItems")
    # moving needs Publish in the target repository
    client.put("/_emulator/lr/trusts/4/6606/109", json={"trusts": {"Publish": False}})
    error(client.post(url, headers=instructor, json=properties_input(RepositoryId=4, OwnerId=104)),
          "No permission to Publish to the LOR in repository 4")
    client.put("/_emulator/lr/trusts/4/6606/109", json={"trusts": {"Publish": True}})
    ok(client.post(url, headers=instructor, json=properties_input(RepositoryId=4, OwnerId=104)))
    # a Student manages nothing, not even their own (granted Publish to get one)
    client.put("/_emulator/lr/trusts/1/6606/110", json={"trusts": {"Publish": True}})
    student = token_for(client, STUDENT)
    own = ok(publish(client, student))["IdentId"]
    error(client.post(f"{LR}/objects/{own}/properties/", headers=student,
                      json=properties_input(OwnerId=105)), "Manage My Objects in the LOR")
    error(client.post(f"{LR}/objects/{own}/delete/", headers={**student, "Content-Length": "0"}),
          "trust ManageMyItems")
    ok(client.post(f"{LR}/objects/{mine}/delete/", headers={**instructor, "Content-Length": "0"}))
    assert [o["IdentId"] for o in client.get("/_emulator/lr/objects").json()] == [
        SEEDED_QUIZ, own]


def test_lr_overwrite_needs_publish_and_version_items(client):
    instructor = token_for(client, INSTRUCTOR)
    files = {"Resource": ("pkg.zip", scorm_zip("v2"), "application/zip")}
    error(client.post(f"{LR}/objects/{SEEDED_QUIZ}/", headers=instructor, files=files),
          "No permission to Version Items in the LOR (another user's)")
    mine = ok(publish(client, instructor))["IdentId"]
    assert ok(client.post(f"{LR}/objects/{mine}/", headers=instructor, files=files))["Version"] == 2
    client.put("/_emulator/lr/trusts/1/6606/109", json={"trusts": {"VersionMyItems": False}})
    error(client.post(f"{LR}/objects/{mine}/", headers=instructor, files=files),
          "trust VersionMyItems")
    client.put("/_emulator/lr/trusts/1/6606/109", json={"trusts": {"Publish": False}})
    error(client.post(f"{LR}/objects/{mine}/", headers=instructor, files=files),
          "No permission to Publish to the LOR")
    # the resumable overwrite names Publish only (the page)
    error(client.put(f"{LR}/1/upload/publish/{mine}", headers=instructor, data={"fileKey": "x"}),
          "No permission to Publish")
    assert len(client.get("/_emulator/lr/objects").json()[-1]["Versions"]) == 2


def test_hidden_objects_and_see_all_hidden_objects(client):
    instructor = token_for(client, INSTRUCTOR)
    # repository 4 hides new objects (its defaults); the Instructor published it
    hidden = ok(publish(client, instructor, repository=4, title="Archived golf"))["IdentId"]
    url = f"{LR}/objects/search/?query=golf&offset=0&count=10&repositories=4"
    assert ok(client.get(url, headers=instructor))["TotalResults"] == 0
    assert [r["IdentId"] for r in ok(client.get(url, headers=BEARER))["Results"]] == [hidden]
    # the page hides it from search results only: its properties answer by id
    assert ok(client.get(f"{LR}/objects/{hidden}/properties/", headers=instructor))[
        "HiddenFromSearchResults"] is True
    client.put("/_emulator/lr/trusts/4/6606/109", json={"trusts": {"SeeAllHiddenObjects": True}})
    assert ok(client.get(url, headers=instructor))["TotalResults"] == 1


def test_repository_routes_need_publish(client):
    student, instructor = token_for(client, STUDENT), token_for(client, INSTRUCTOR)
    for path in ("repositories/all/", "repositories/Local/", "repository/1/listorgUnittrusts/",
                 "repository/3/listorgUnittrusts/"):
        error(client.get(f"{LR}/{path}", headers=student), "No permission to Publish to the LOR")
        ok(client.get(f"{LR}/{path}", headers=instructor))
    listed = ok(client.get(f"{LR}/repositories/all/", headers=instructor))["Repositories"]
    assert [r["RepositoryId"] for r in listed] == [1, 2, 3, 4]
    # the filter uses the caller's role
    url = f"{LR}/repositories/All/?trustParams=ManageAllItems"
    assert ok(client.get(url, headers=instructor))["Repositories"] == []
    assert [r["RepositoryId"] for r in ok(client.get(url, headers=BEARER))["Repositories"]] \
        == [1, 2, 4]
    client.put("/_emulator/lr/trusts/2/6606/109", json={"trusts": {"Search": False}})
    listed = ok(client.get(f"{LR}/repositories/all/", headers=instructor))["Repositories"]
    assert [r["RepositoryId"] for r in listed] == [1, 3, 4]


def test_every_permission_is_named_by_a_route_or_a_rule():
    named = set(perms.ROUTES.values()) | {perms.IMPORT_EP_OTHERS}
    assert named == set(perms.NAMES)
