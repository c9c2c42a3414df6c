# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio objects and artifacts (eportfolio-artifacts.txt), the seeded users, whoami."""
import hashlib
import os
import re

import pytest
import requests

from brightspace_emulator import eportfolio as ep
from brightspace_emulator.middleware import DroppedConnection
from brightspace_emulator.scopes import TABLE_SCOPES
from conftest import BEARER, LP
from emu_helpers import assert_errors, assert_problem

EP = "/d2l/api/eP/2.5"
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
BASE_KEYS = {"ObjectId", "Name", "Description", "AllowComments", "UserId", "ObjectTypeId",
             "ViewLink", "CommentsCount", "HasUnreadComments", "Created", "Modified", "GeoTag",
             "Tags", "Comments", "Permissions"}
FILE_KEYS = BASE_KEYS | {"FileSize", "FileName", "Extension", "UploadKey"}
LINK_KEYS = BASE_KEYS | {"Url"}


def token_for(client, user, scope="core:*:*"):
    r = client.post("/_emulator/tokens", json={"user": user, "scope": scope, "lifetime": None})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


# --- users ------------------------------------------------------------------------------------
def test_whoami_answers_the_callers_user(client):
    assert client.get(f"{LP}/users/whoami", headers=BEARER).json() == {
        "Identifier": "3", "FirstName": "Demo", "LastName": "Administrator",
        "UniqueName": "demo-admin", "ProfileIdentifier": "dEmOaDmInPrOfIlE"}
    for user, unique in (("101", "ada"), ("102", "grace"), ("103", "alan")):
        me = client.get(f"{LP}/users/whoami", headers=token_for(client, user)).json()
        assert me["Identifier"] == user and me["UniqueName"] == unique
    me = client.get(f"{LP}/users/whoami", headers=token_for(client, "101")).json()
    assert (me["FirstName"], me["LastName"]) == ("Ada", "Lovelace")


def test_mint_token_user(client):
    r = client.post("/_emulator/tokens", json={})
    me = client.get(f"{LP}/users/whoami",
                    headers={"Authorization": "Bearer " + r.json()["access_token"]}).json()
    assert me["Identifier"] == "3"  # default user
    assert client.post("/_emulator/tokens", json={"user": "999"}).status_code == 400
    assert client.post("/_emulator/tokens", json={"user": 101}).status_code == 400


# --- drop_after_bytes -------------------------------------------------------------------------
def _initiate(post, size, name="blob.bin", headers=None, base=""):
    headers = BEARER if headers is None else headers
    r = post(f"{base}{EP}/artifacts/file/new", headers={
        **headers, "X-Upload-Content-Type": "application/octet-stream",
        "X-Upload-Content-Length": str(size), "X-Upload-File-Name": name},
        **({"allow_redirects": False} if post.__module__.startswith("requests") else
           {"follow_redirects": False}))
    assert r.status_code == 308, r.text
    return r.headers["Location"]


def test_drop_after_bytes_under_testclient_keeps_the_bytes(client):
    data = os.urandom(5000)
    loc = _initiate(client.post, len(data))
    fault = {"method": "POST", "path": "^/d2l/upload/", "drop_after_bytes": 1234}
    assert client.post("/_emulator/faults", json=fault).status_code == 200
    with pytest.raises(DroppedConnection):
        client.post(loc, content=data[:3000],
                    headers={**BEARER, "Content-Range": f"bytes 0-2999/{len(data)}"})
    r = client.post(loc, headers={**BEARER, "Content-Range": f"bytes */{len(data)}"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-1233"
    r = client.post(loc, content=data[1234:],
                    headers={**BEARER, "Content-Range": f"bytes 1234-4999/{len(data)}"})
    assert r.status_code == 200
    log = client.get("/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log if e["path"].startswith("/d2l/upload/")] == [0, 308, 200]
    up = client.get("/_emulator/state").json()["uploads"][0]
    with open(up["File"], "rb") as fh:
        assert fh.read() == data


def test_drop_after_bytes_does_not_touch_a_short_body(client):
    loc = _initiate(client.post, 100)
    client.post("/_emulator/faults", json={"path": "^/d2l/upload/", "drop_after_bytes": 100})
    r = client.post(loc, content=b"x" * 100, headers={**BEARER, "Content-Range": "bytes 0-99/100"})
    assert r.status_code == 200
    assert client.get("/_emulator/faults").json()["faults"] == []  # consumed


def test_drop_after_bytes_rule_checks(client):
    for bad in ({"path": "x", "drop_after_bytes": -1},
                {"path": "x", "drop_after_bytes": 10, "drop": True},
                {"path": "x", "drop_after_bytes": 10, "status": 503},
                {"path": "x", "drop_after_bytes": "10"}):
        assert client.post("/_emulator/faults", json=bad).status_code == 400, bad
    assert client.post("/_emulator/faults",
                       json={"path": "x", "drop_after_bytes": 0}).status_code == 200


def test_drop_after_bytes_mid_chunk_then_resume_live(live):
    data = os.urandom(700_000)
    total = len(data)
    s = requests.Session()
    loc = live.url + _initiate(s.post, total, base=live.url)
    requests.post(live.url + "/_emulator/faults", json={
        "method": "POST", "path": "^/d2l/upload/", "drop_after_bytes": 100_000})
    with pytest.raises(requests.ConnectionError):
        requests.post(loc, data=data[:400_000], timeout=10,
                      headers={**BEARER, "Content-Range": f"bytes 0-399999/{total}"})
    r = s.post(loc, headers={**BEARER, "Content-Range": f"bytes */{total}"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-99999"
    pos = int(r.headers["Range"].rsplit("-", 1)[1]) + 1
    r = s.post(loc, data=data[pos:], headers={
        **BEARER, "Content-Range": f"bytes {pos}-{total - 1}/{total}"})
    assert r.status_code == 200
    log = requests.get(live.url + "/_emulator/requests").json()["requests"]
    assert [(e["status"], e["content_range"]) for e in log
            if e["path"].startswith("/d2l/upload/")] == [
        (0, f"bytes 0-399999/{total}"), (308, f"bytes */{total}"),
        (200, f"bytes 100000-{total - 1}/{total}")]
    up = requests.get(live.url + "/_emulator/state").json()["uploads"][0]
    assert up["Complete"] and up["Received"] == total
    with open(up["File"], "rb") as fh:
        assert fh.read() == data


# --- helpers ----------------------------------------------------------------------------------
def link_body(**over):
    body = {"ObjectId": 0, "Name": "D2L", "Description": "Docs", "AllowComments": True,
            "GeoTag": None, "Url": "https://docs.valence.desire2learn.com/"}
    body.update(over)
    return body


def new_link(client, headers=None, **over):
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/artifacts/link/new", headers=headers, json=link_body(**over))
    assert r.status_code == 200, r.text
    return r.json()


def simple_upload(client, content, filename="notes.txt", headers=None, query="",
                  ctype="text/plain"):
    headers = BEARER if headers is None else headers
    return client.post(f"{EP}/artifacts/file/upload{query}", headers=headers,
                       files={"file": (filename, content, ctype)})


def resumable(client, content, name="report.pdf", headers=None):
    """A completed resumable upload: its key."""
    headers = BEARER if headers is None else headers
    loc = _initiate(client.post, len(content), name=name, headers=headers)
    if content:
        r = client.post(loc, content=content, headers={
            **headers, "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"})
        assert r.status_code == 200, r.text
    return loc.rsplit("/", 1)[1]


def file_body(key, **over):
    body = {"ObjectId": 0, "Name": "Report", "Description": "Q1", "AllowComments": False,
            "GeoTag": None, "FileSize": 0, "FileName": "", "Extension": "", "UploadKey": key}
    body.update(over)
    return body


def attach(client, key, headers=None, **over):
    headers = BEARER if headers is None else headers
    return client.post(f"{EP}/artifacts/file/new", headers=headers, json=file_body(key, **over))


def listed(client, user):
    r = client.get("/_emulator/eportfolio/objects", params={"user": user})
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)
    return r.json()


# --- link artifacts ---------------------------------------------------------------------------
def test_link_artifact_fetch_form(client):
    art = new_link(client)
    assert set(art) == LINK_KEYS
    oid = art["ObjectId"]
    assert oid == 9001
    assert art["ObjectTypeId"] == 340 and art["UserId"] == 3
    assert art["ViewLink"] == f"/d2l/eP/objects/view.d2l?objectId={oid}"
    assert UTC_RE.match(art["Created"]) and art["Created"] == art["Modified"]
    assert (art["Tags"], art["Comments"], art["CommentsCount"], art["HasUnreadComments"]) == \
        ([], [], 0, False)
    assert art["Permissions"] == {"CanEdit": True, "CanDelete": True, "CanComment": True}
    assert art["GeoTag"] is None and art["Url"] == "https://docs.valence.desire2learn.com/"
    for path in (f"artifact/{oid}", f"artifact/link/{oid}", f"artifact/link/{oid}?c=false"):
        r = client.get(f"{EP}/{path}", headers=BEARER)
        assert r.status_code == 200 and r.json() == art, path
    assert new_link(client, GeoTag="49.1,-123.1")["ObjectId"] == 9002


@pytest.mark.parametrize("over,fragment", [
    ({"ObjectId": 5}, "ObjectId must be 0"),
    ({"Name": "  "}, "Name must not be empty"),
    ({"Url": "ftp://example.com/x"}, "Url"),
    ({"Url": "/relative/path"}, "Url"),
    ({"Url": ""}, "Url"),
])
def test_link_create_rules(client, over, fragment):
    r = client.post(f"{EP}/artifacts/link/new", headers=BEARER, json=link_body(**over))
    assert_errors(r, 400, "Invalid link artifact data provided")
    assert fragment in r.json()["Errors"][0]["Message"]


@pytest.mark.parametrize("body", [
    {k: v for k, v in link_body().items() if k != "GeoTag"},  # every key is required
    link_body(Extra=1),
    link_body(AllowComments="true"),
    link_body(ObjectId="0"),
    [link_body()],
])
def test_link_create_is_strict(client, body):
    assert_problem(client.post(f"{EP}/artifacts/link/new", headers=BEARER, json=body), 400)
    assert listed(client, "3") == []


def test_link_update(client):
    art = new_link(client)
    oid = art["ObjectId"]
    body = link_body(ObjectId=oid, Name="Valence", Description="", AllowComments=False,
                     GeoTag="here", Url="http://example.com/a?b=c")
    r = client.post(f"{EP}/artifact/link/{oid}", headers=BEARER, json=body)
    assert r.status_code == 200, r.text
    new = r.json()
    assert set(new) == LINK_KEYS and new["ObjectId"] == oid
    assert {k: new[k] for k in ("Name", "Description", "AllowComments", "GeoTag", "Url")} == \
        {k: body[k] for k in ("Name", "Description", "AllowComments", "GeoTag", "Url")}
    assert new["Created"] == art["Created"] and new["Modified"] > art["Modified"]
    assert new["Permissions"]["CanComment"] is False
    again = client.post(f"{EP}/artifact/link/{oid}", headers=BEARER, json=body).json()
    assert again["Modified"] > new["Modified"]  # every update changes Modified
    assert client.get(f"{EP}/artifact/link/{oid}", headers=BEARER).json() == again
    # mismatched ObjectId, bad data
    r = client.post(f"{EP}/artifact/link/{oid}", headers=BEARER, json=link_body(ObjectId=0))
    assert_errors(r, 400, "Mismatch between EP object ID in route and ObjectId")
    r = client.post(f"{EP}/artifact/link/{oid}", headers=BEARER,
                    json=link_body(ObjectId=oid, Url="nope"))
    assert_errors(r, 400, "Invalid link artifact data provided")
    assert client.get(f"{EP}/artifact/link/{oid}", headers=BEARER).json() == again


def test_delete_routes(client):
    a, b, c = (new_link(client, Name=n)["ObjectId"] for n in ("a", "b", "c"))
    f = simple_upload(client, b"x").json()["ObjectId"]
    for route, oid in (("artifact", a), ("artifact/link", b), ("artifact/file", f)):
        r = client.delete(f"{EP}/{route}/{oid}", headers=BEARER)
        assert r.status_code == 200 and r.content == b""
        assert_errors(client.get(f"{EP}/artifact/{oid}", headers=BEARER), 404)
        assert_errors(client.delete(f"{EP}/{route}/{oid}", headers=BEARER), 404)
    assert [o["ObjectId"] for o in listed(client, "3")] == [c]
    assert client.get("/_emulator/state").json()["uploads"] == []  # its bytes went with it


# --- typed routes, ownership, unknown ids -----------------------------------------------------
def test_typed_routes_refuse_other_kinds(client, emu):
    link = new_link(client)["ObjectId"]
    fil = simple_upload(client, b"abc").json()["ObjectId"]
    with emu.store.mutate() as data:
        refl = ep.new_object(data, "3", ep.EPOBJ_T["Reflection"], "Thoughts", "", True,
                             None)["ObjectId"]
        form = ep.new_object(data, "3", ep.EPOBJ_T["FormArtifact"], "Form", "", True,
                             None)["ObjectId"]
    for method, path in (("GET", f"artifact/file/{link}"), ("GET", f"artifact/link/{fil}"),
                         ("DELETE", f"artifact/file/{link}"), ("DELETE", f"artifact/link/{fil}"),
                         ("GET", f"artifact/{refl}"), ("DELETE", f"artifact/{refl}"),
                         ("GET", f"artifact/link/{form}")):
        assert_errors(client.request(method, f"{EP}/{path}", headers=BEARER), 404)
    r = client.post(f"{EP}/artifact/file/{link}", headers=BEARER,
                    json=file_body("", ObjectId=link))
    assert_errors(r, 404)
    r = client.post(f"{EP}/artifact/link/{fil}", headers=BEARER, json=link_body(ObjectId=fil))
    assert_errors(r, 404)
    got = client.get(f"{EP}/artifact/{form}", headers=BEARER).json()  # a generic artifact
    assert got["ObjectTypeId"] == 320 and set(got) == BASE_KEYS
    assert client.get(f"{EP}/artifact/{fil}", headers=BEARER).json()["ObjectTypeId"] == 310
    assert len(listed(client, "3")) == 4  # nothing was deleted


def test_other_users_objects_are_forbidden(client):
    ada = token_for(client, "101")
    link = new_link(client, headers=ada)["ObjectId"]
    fil = simple_upload(client, b"ada's", headers=ada).json()["ObjectId"]
    assert listed(client, "101")[0]["UserId"] == 101
    for method, path, body in (
            ("GET", f"artifact/{link}", None), ("GET", f"artifact/link/{link}", None),
            ("GET", f"artifact/file/{fil}", None), ("DELETE", f"artifact/{link}", None),
            ("DELETE", f"artifact/link/{link}", None), ("DELETE", f"artifact/file/{fil}", None),
            ("POST", f"artifact/link/{link}", link_body(ObjectId=link)),
            ("POST", f"artifact/file/{fil}", file_body("", ObjectId=fil))):
        r = client.request(method, f"{EP}/{path}", headers=BEARER, json=body)
        assert_problem(r, 403, "No permission")
    assert len(listed(client, "101")) == 2
    assert client.get(f"{EP}/objects/my/", headers=BEARER).json()["Items"] == []


def test_unknown_and_malformed_ids(client):
    for method, path in (("GET", "artifact/9999"), ("GET", "artifact/file/9999"),
                         ("GET", "artifact/link/9999"), ("DELETE", "artifact/9999"),
                         ("GET", "artifact/abc"), ("DELETE", "artifact/link/-x")):
        assert_errors(client.request(method, f"{EP}/{path}", headers=BEARER), 404)
    r = client.post(f"{EP}/artifact/link/9999", headers=BEARER, json=link_body(ObjectId=9999))
    assert_errors(r, 404)
    assert_errors(client.get("/d2l/api/eP/2.4/artifact/9001", headers=BEARER), 404)


def test_scopes(client):
    """No ePortfolio route is in SCOPES.md's table: only core:*:* reaches them, also the
    resumable initiation of artifacts/file/new and its data route."""
    specific = token_for(client, "3", " ".join(TABLE_SCOPES))  # every specific scope
    invented = token_for(client, "3", "eportfolio:objects:read eportfolio:objects:write "
                                      "upload:file:create eportfolio:*:*")
    oid = new_link(client)["ObjectId"]
    key = resumable(client, b"data")
    for headers in (specific, invented):
        assert_problem(client.post(f"{EP}/artifacts/link/new", headers=headers,
                                   json=link_body()), 403, "requires the scope 'core:*:*'")
        assert_problem(client.get(f"{EP}/artifact/{oid}", headers=headers), 403, "core:*:*")
        assert_problem(client.get(f"{EP}/objects/my/", headers=headers), 403, "core:*:*")
        assert_problem(client.delete(f"{EP}/artifact/{oid}", headers=headers), 403)
        assert_problem(simple_upload(client, b"x", headers=headers), 403)
        assert_problem(attach(client, key, headers=headers), 403, "core:*:*")
        assert_problem(client.post(f"{EP}/artifacts/file/new", headers={
            **headers, "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "1",
            "X-Upload-File-Name": "a.txt"}, follow_redirects=False), 403, "core:*:*")
    # the data route of an eP upload demands the initiation's scope: core:*:*
    loc = _initiate(client.post, 4, name="x.txt", headers=BEARER)
    r = client.post(loc, content=b"data", headers={**specific, "Content-Range": "bytes 0-3/4"})
    assert_problem(r, 403, "requires the scope 'core:*:*'")
    r = client.post(loc, content=b"data", headers={**BEARER, "Content-Range": "bytes 0-3/4"})
    assert r.status_code == 200
    assert attach(client, key, headers=BEARER).status_code == 200


# --- objects/my -------------------------------------------------------------------------------
def test_objects_my_pages_by_object_id(client):
    ada = token_for(client, "101")
    ids = []
    for n in range(5):
        ids.append(new_link(client, Name=f"link {n}")["ObjectId"])
        new_link(client, headers=ada, Name=f"ada {n}")
    ids.append(simple_upload(client, b"f").json()["ObjectId"])
    r = client.get(f"{EP}/objects/my/", headers=BEARER)
    assert r.status_code == 200
    page = r.json()
    assert page["PagingInfo"] == {"Bookmark": str(ids[-1]), "HasMoreItems": False}
    assert [o["ObjectId"] for o in page["Items"]] == ids
    assert set(page["Items"][0]) == LINK_KEYS and set(page["Items"][-1]) == FILE_KEYS
    seen, bookmark = [], None
    while True:
        params = {"pagesize": 2, **({"bookmark": bookmark} if bookmark else {})}
        page = client.get(f"{EP}/objects/my/", headers=BEARER, params=params).json()
        seen.extend(o["ObjectId"] for o in page["Items"])
        assert page["PagingInfo"]["Bookmark"] == str(seen[-1])
        if not page["PagingInfo"]["HasMoreItems"]:
            break
        bookmark = page["PagingInfo"]["Bookmark"]
    assert seen == ids
    page = client.get(f"{EP}/objects/my/", headers=BEARER,
                      params={"bookmark": str(ids[-1])}).json()
    assert page == {"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []}
    page = client.get(f"{EP}/objects/my/", headers=BEARER, params={"pagesize": 500}).json()
    assert len(page["Items"]) == 6
    for params in ({"pagesize": 0}, {"pagesize": 501}, {"pagesize": "x"}, {"bookmark": "abc"}):
        assert_problem(client.get(f"{EP}/objects/my/", headers=BEARER, params=params), 400)
    mine = client.get(f"{EP}/objects/my/", headers=ada).json()["Items"]
    assert [o["Name"] for o in mine] == [f"ada {n}" for n in range(5)]
    empty = client.get(f"{EP}/objects/my/", headers=token_for(client, "103")).json()
    assert empty == {"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []}


# --- comments ---------------------------------------------------------------------------------
def test_comments_with_c_true(client):
    oid = new_link(client)["ObjectId"]
    r = client.post(f"/_emulator/eportfolio/objects/{oid}/comments",
                    json={"user": "101", "body": "Nice"})
    assert r.status_code == 200, r.text
    first = r.json()
    assert set(first) == {"ObjectId", "CommentId", "UserId", "CreatedDate", "Body"}
    assert first["ObjectId"] == oid and first["UserId"] == 101 and first["Body"] == "Nice"
    assert UTC_RE.match(first["CreatedDate"])
    client.post(f"/_emulator/eportfolio/objects/{oid}/comments",
                json={"user": "3", "body": "Thanks"})
    plain = client.get(f"{EP}/artifact/link/{oid}", headers=BEARER).json()
    assert plain["Comments"] == [] and plain["CommentsCount"] == 2
    assert plain["HasUnreadComments"] is True
    full = client.get(f"{EP}/artifact/{oid}?c=true", headers=BEARER).json()
    assert [c["Body"] for c in full["Comments"]] == ["Nice", "Thanks"]
    assert full["Comments"][0] == first and full["CommentsCount"] == 2
    assert client.get(f"{EP}/artifact/{oid}", headers=BEARER).json()["HasUnreadComments"] is False
    assert client.get(f"{EP}/artifact/{oid}?c=TRUE", headers=BEARER).json()["Comments"]
    assert_problem(client.get(f"{EP}/artifact/{oid}?c=yes", headers=BEARER), 400)
    page = client.get(f"{EP}/objects/my/", headers=BEARER).json()
    assert page["Items"][0]["Comments"] == [] and page["Items"][0]["CommentsCount"] == 2


def test_comment_control_route_rules(client):
    closed = new_link(client, AllowComments=False)["ObjectId"]
    r = client.post(f"/_emulator/eportfolio/objects/{closed}/comments",
                    json={"user": "101", "body": "x"})
    assert r.status_code == 400
    open_ = new_link(client)["ObjectId"]
    assert client.post(f"/_emulator/eportfolio/objects/{open_}/comments",
                       json={"user": "999", "body": "x"}).status_code == 400
    assert client.post("/_emulator/eportfolio/objects/12345/comments",
                       json={"user": "101", "body": "x"}).status_code == 404
    assert client.post(f"/_emulator/eportfolio/objects/{open_}/comments",
                       json={"user": "101"}).status_code == 400
    assert client.get("/_emulator/eportfolio/objects", params={"user": "999"}).status_code == 400


# --- file artifacts ---------------------------------------------------------------------------
def test_simple_upload(client):
    content = os.urandom(70_000)
    r = simple_upload(client, content, filename="Lab Notes.v2.TXT",
                      query="?name=Lab%20notes&description=week%201")
    assert r.status_code == 200, r.text
    art = r.json()
    assert set(art) == FILE_KEYS and art["ObjectTypeId"] == 310
    assert (art["Name"], art["Description"], art["AllowComments"]) == ("Lab notes", "week 1", True)
    assert (art["FileName"], art["Extension"], art["FileSize"]) == \
        ("Lab Notes.v2.TXT", "TXT", len(content))
    assert re.match(r"^[A-Za-z0-9]{10}$", art["UploadKey"])
    assert client.get(f"{EP}/artifact/file/{art['ObjectId']}", headers=BEARER).json() == art
    (obj,) = listed(client, "3")
    assert obj["Sha256"] == hashlib.sha256(content).hexdigest()
    up = client.get("/_emulator/state").json()["uploads"][0]
    assert up["Key"] == art["UploadKey"] and up["Attached"] and up["Complete"]
    # defaults: name "file", no description; a path in the filename is dropped
    art = simple_upload(client, b"", filename="C:\\temp\\empty").json()
    assert (art["Name"], art["Description"], art["FileName"], art["Extension"],
            art["FileSize"]) == ("file", "", "empty", "", 0)
    # the key of a simple upload is attached: it cannot make a second artifact
    assert_errors(attach(client, art["UploadKey"]), 400, "Invalid upload key")


def test_simple_upload_needs_the_file_part(client):
    r = client.post(f"{EP}/artifacts/file/upload", headers=BEARER,
                    files={"document": ("a.txt", b"x", "text/plain")})
    assert_errors(r, 400, "'file'")
    r = client.post(f"{EP}/artifacts/file/upload", headers=BEARER, data={"file": "not a file"})
    assert_errors(r, 400)
    r = client.post(f"{EP}/artifacts/file/upload", headers=BEARER, content=b"raw bytes")
    assert_errors(r, 400)
    r = client.post(f"{EP}/artifacts/file/upload", headers={
        **BEARER, "Content-Type": "multipart/form-data; boundary=xyz"}, content=b"--xyz\r\nbroken")
    assert_errors(r, 400, "Malformed")
    assert listed(client, "3") == []
    state = client.get("/_emulator/state").json()
    assert state["uploads"] == [] and state["eportfolio"]["objects"] == {}


def test_resumable_upload_then_attach(client):
    content = os.urandom(3000)
    key = resumable(client, content, name="Quarterly Report.pdf")
    r = attach(client, key)
    assert r.status_code == 200, r.text
    art = r.json()
    assert set(art) == FILE_KEYS
    assert (art["Name"], art["Description"], art["AllowComments"]) == ("Report", "Q1", False)
    assert (art["FileName"], art["Extension"], art["FileSize"], art["UploadKey"]) == \
        ("Quarterly Report.pdf", "pdf", 3000, key)
    assert art["Permissions"]["CanComment"] is False
    assert listed(client, "3")[0]["Sha256"] == hashlib.sha256(content).hexdigest()
    assert_errors(attach(client, key), 400, "Invalid upload key provided, or service could not "
                                            "find the file data")  # already attached
    # FileName given, FileSize equal to the upload
    key2 = resumable(client, b"12345", name="x.bin")
    art2 = attach(client, key2, FileName="renamed.tar.gz", FileSize=5).json()
    assert (art2["FileName"], art2["Extension"]) == ("renamed.tar.gz", "gz")


def test_attach_refusals(client):
    key = resumable(client, b"12345", name="x.bin")
    assert_errors(attach(client, key, FileSize=6), 400, "FileSize")
    assert_errors(attach(client, key, ObjectId=9001), 400, "Invalid file artifact data provided")
    assert_errors(attach(client, key, Name=""), 400, "Name")
    assert_errors(attach(client, "nope"), 400, "Invalid upload key")
    assert_errors(attach(client, key, headers=token_for(client, "101")), 400,
                  "Invalid upload key")  # another user's upload
    incomplete = _initiate(client.post, 10).rsplit("/", 1)[1]
    assert_errors(attach(client, incomplete), 400, "Invalid upload key")
    body = file_body(key)
    del body["UploadKey"]
    assert_problem(client.post(f"{EP}/artifacts/file/new", headers=BEARER, json=body), 400,
                   "UploadKey")
    assert_problem(client.post(f"{EP}/artifacts/file/new", headers=BEARER,
                               json=file_body(key, Bogus=1)), 400, "Bogus")
    assert_problem(client.post(f"{EP}/artifacts/file/new", headers=BEARER,
                               json=file_body(key, FileSize="5")), 400, "FileSize")
    assert_problem(client.post(f"{EP}/artifacts/file/new", headers=BEARER, content=b"{"), 400,
                   "not valid JSON")
    assert_problem(client.post(f"{EP}/artifacts/file/new", headers=BEARER), 400)
    assert listed(client, "3") == []
    assert attach(client, key).status_code == 200  # still attachable after all that


def test_update_file_artifact_and_replace_content(client):
    old = os.urandom(1000)
    art = simple_upload(client, old, filename="v1.txt").json()
    oid, old_key = art["ObjectId"], art["UploadKey"]
    # same key: properties change, content does not
    body = file_body(old_key, ObjectId=oid, Name="Renamed", Description="d", AllowComments=False,
                     GeoTag="g", FileName="ignored.bin", FileSize=1)
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER, json=body)
    assert r.status_code == 200, r.text
    up1 = r.json()
    assert (up1["Name"], up1["Description"], up1["AllowComments"], up1["GeoTag"]) == \
        ("Renamed", "d", False, "g")
    assert (up1["FileName"], up1["FileSize"], up1["UploadKey"]) == ("v1.txt", 1000, old_key)
    assert up1["Modified"] > art["Modified"] and up1["Created"] == art["Created"]
    # empty key: content unchanged as well
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                    json=file_body("", ObjectId=oid, Name="Again"))
    assert r.status_code == 200 and r.json()["UploadKey"] == old_key
    # strict default: a new completed upload changes the properties only; the upload stays
    # unattached (test_strict_readings.py covers it in detail)
    new = os.urandom(2500)
    key = resumable(client, new, name="v2.pdf")
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                    json=file_body(key, ObjectId=oid, Name="Report v2"))
    assert r.status_code == 200, r.text
    assert (r.json()["Name"], r.json()["FileName"], r.json()["UploadKey"]) == \
        ("Report v2", "v1.txt", old_key)
    # artifact_update_replaces_content: the new upload replaces the content, the ObjectId stays
    assert client.post("/_emulator/config",
                       json={"artifact_update_replaces_content": True}).status_code == 200
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                    json=file_body(key, ObjectId=oid, Name="Report v2", FileName="v1.txt",
                                   FileSize=1000))
    assert r.status_code == 200, r.text
    up2 = r.json()
    assert (up2["ObjectId"], up2["Name"], up2["FileName"], up2["Extension"], up2["FileSize"],
            up2["UploadKey"]) == (oid, "Report v2", "v2.pdf", "pdf", 2500, key)
    (obj,) = listed(client, "3")
    assert obj["Sha256"] == hashlib.sha256(new).hexdigest()
    uploads = client.get("/_emulator/state").json()["uploads"]
    assert [u["Key"] for u in uploads] == [key] and uploads[0]["Attached"]  # old bytes gone
    # refusals: mismatched id, unusable keys, empty name; nothing changes
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                    json=file_body(key, ObjectId=oid + 1))
    assert_errors(r, 400, "Mismatch between EP object ID in route and ObjectId")
    for bad in ("nope", old_key, _initiate(client.post, 5).rsplit("/", 1)[1]):
        r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                        json=file_body(bad, ObjectId=oid, Name="Changed?"))
        assert_errors(r, 400, "Invalid upload key")
    assert_errors(client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                              json=file_body(key, ObjectId=oid, Name="")), 400, "Name")
    assert client.get(f"{EP}/artifact/file/{oid}", headers=BEARER).json() == up2


# --- state, reset, persistence ----------------------------------------------------------------
def test_state_and_reset(client):
    new_link(client)
    art = simple_upload(client, b"bytes", headers=token_for(client, "102")).json()
    state = client.get("/_emulator/state").json()["eportfolio"]
    assert sorted(state["objects"]) == ["102", "3"]
    assert state["objects"]["3"][0]["ObjectTypeId"] == 340
    stored = state["objects"]["102"][0]
    assert stored["UploadKey"] == art["UploadKey"] and os.path.exists(stored["File"])
    assert state["next_ep_id"] == 9003 and state["next_ep_job_id"] == 5001
    client.post("/_emulator/reset")
    state = client.get("/_emulator/state").json()["eportfolio"]
    assert state["objects"] == {} and state["next_ep_id"] == 9001
    assert not os.path.exists(stored["File"])
    assert new_link(client)["ObjectId"] == 9001


def test_objects_survive_a_restart(live_factory, tmp_path):
    state_file = str(tmp_path / "state.json")
    a = live_factory("--state-file", state_file)
    link = requests.post(a.url + f"{EP}/artifacts/link/new", headers=BEARER,
                         json=link_body()).json()
    art = requests.post(a.url + f"{EP}/artifacts/file/upload", headers=BEARER,
                        files={"file": ("k.txt", b"kept", "text/plain")}).json()
    a.stop()
    b = live_factory("--state-file", state_file)
    assert requests.get(b.url + f"{EP}/artifact/{link['ObjectId']}", headers=BEARER).json() == link
    assert requests.get(b.url + f"{EP}/artifact/file/{art['ObjectId']}",
                        headers=BEARER).json() == art
    objs = requests.get(b.url + "/_emulator/eportfolio/objects", params={"user": "3"}).json()
    assert objs[1]["Sha256"] == hashlib.sha256(b"kept").hexdigest()
    r = requests.post(b.url + f"{EP}/artifacts/link/new", headers=BEARER, json=link_body())
    assert r.json()["ObjectId"] == 9003
