# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the reference is silent the emulator takes the reading that exposes a client bug (or
follows evidence), with a switch where the other reading must be testable too. Each test here
fails on the emulator's earlier, more lenient behaviour."""
import http.client
import json
import os
import re
import time

import pytest

from brightspace_emulator import Config, create_app
from brightspace_emulator.__main__ import parse_args
from conftest import BEARER, LP, make_template, offering_body
from emu_helpers import assert_errors, assert_problem, make_zip
from emu_helpers import client  # noqa: F401  pylint: disable=unused-import
from lr_helpers import LR, error, initiate, ok, properties_input, resumable_key
from test_eportfolio import EP, attach, file_body, listed, resumable, simple_upload, token_for

PACKAGE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "packages")
LE = "/d2l/api/le/1.74"
UNSTABLE = "/d2l/api/le/unstable"


@pytest.fixture
def app():
    return create_app(Config(job_duration=0.2))


def wait_status(client, url, headers=None, finals=(1, 2, 3), timeout=5.0):
    headers = BEARER if headers is None else headers
    deadline = time.time() + timeout
    while True:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        if r.json() in finals or time.time() > deadline:
            return r.json()
        time.sleep(0.05)


def config(client, **values):
    r = client.post("/_emulator/config", json=values)
    assert r.status_code == 200, r.text
    return r.json()


# --- Part 1: JSON bodies whatever their Content-Type -----------------------------------------
def test_json_bodies_without_a_content_type_are_read(client):
    """D2L's utility library sends POST/PUT courses/ and LR properties with no Content-Type."""
    tid = int(make_template(client)["Identifier"])
    body = json.dumps(offering_body(tid, "NOCT1")).encode()
    r = client.post(f"{LP}/courses/", headers=BEARER, content=body)
    assert "content-type" not in r.request.headers
    assert r.status_code == 200, r.text
    oid = r.json()["Identifier"]
    info = {"Name": "Renamed", "Code": "NOCT1", "StartDate": None, "EndDate": None,
            "IsActive": False}
    r = client.put(f"{LP}/courses/{oid}", headers=BEARER, content=json.dumps(info).encode())
    assert r.status_code == 200, r.text
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).json()["Name"] == "Renamed"
    # any declared type: the body is read as JSON
    r = client.post(f"{LP}/courses/", headers={**BEARER, "Content-Type": "text/plain"},
                    content=json.dumps(offering_body(tid, "NOCT2")).encode())
    assert r.status_code == 200, r.text
    r = client.post(f"{LR}/objects/1001/properties/", headers=BEARER,
                    content=json.dumps(properties_input(Title="No type")).encode())
    ok(r)
    # still refused: a body that is not JSON
    for ctype in (None, "text/plain", "application/x-www-form-urlencoded"):
        headers = dict(BEARER, **({"Content-Type": ctype} if ctype else {}))
        r = client.post(f"{LP}/courses/", headers=headers, content=b"Name=x&Code=y")
        assert_problem(r, 400, "not valid JSON")


# --- Part 1: ePortfolio import target users ---------------------------------------------------
def _package(client):
    simple_upload(client, b"abc", filename="a.txt")
    task = client.post(f"{EP}/export/new/all", headers=BEARER).json()
    assert wait_status(client, f"{EP}/export/{task}/status") == 2
    return client.get(f"{EP}/export/{task}/package", headers=BEARER).content


def test_import_reads_one_target_users_part_per_user(client):
    content = _package(client)
    r = client.post(f"{EP}/import/new", headers=BEARER, files=[
        ("targetUsers", (None, "102", "text/plain")), ("targetUsers", (None, "101", "text/plain")),
        ("file", ("p.zip", content, "application/zip"))])
    assert r.status_code == 200, r.text
    first, second = r.json()
    assert wait_status(client, f"{EP}/import/{first}/status", token_for(client, "102")) == 2
    assert wait_status(client, f"{EP}/import/{second}/status", token_for(client, "101")) == 2
    assert len(listed(client, "102")) == 1 and len(listed(client, "101")) == 1


@pytest.mark.parametrize("parts,fragment", [
    ([("targetUserId", (None, "101"))], "unknown form part 'targetUserId'"),
    ([("targetusers", (None, "101"))], "unknown form part 'targetusers'"),
    ([("comment", (None, "hello"))], "unknown form part 'comment'"),
    ([("targetUsers", ("ids.txt", b"101", "text/plain"))], "must be a text part"),
    ([("file", ("second.zip", b"PK", "application/zip"))], "more than one file part"),
])
def test_import_refuses_parts_it_does_not_know(client, parts, fragment):
    content = _package(client)
    before = len(client.get("/_emulator/state").json()["jobs"])
    for route in ("import/new", "import/newwithdetails"):
        r = client.post(f"{EP}/{route}", headers=BEARER,
                        files=[("file", ("p.zip", content, "application/zip"))] + parts)
        assert_errors(r, 400, fragment)
    assert len(client.get("/_emulator/state").json()["jobs"]) == before


# --- 1. file artifact updates and content -----------------------------------------------------
def test_artifact_update_keeps_the_content_by_default(client):
    art = simple_upload(client, b"version one", filename="v1.txt").json()
    oid, old_key = art["ObjectId"], art["UploadKey"]
    key = resumable(client, b"version two!", name="v2.pdf")
    r = client.post(f"{EP}/artifact/file/{oid}", headers=BEARER,
                    json=file_body(key, ObjectId=oid, Name="Renamed", FileName="v2.pdf",
                                   FileSize=12))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["Name"], body["FileName"], body["FileSize"], body["UploadKey"],
            body["Extension"]) == ("Renamed", "v1.txt", 11, old_key, "txt")
    uploads = {u["Key"]: u for u in client.get("/_emulator/state").json()["uploads"]}
    assert uploads[key]["Attached"] is False and uploads[old_key]["Attached"] is True
    (obj,) = listed(client, "3")
    assert obj["FileSize"] == 11
    # the unattached upload can still make a new artifact
    assert attach(client, key).status_code == 200


def test_artifact_update_replaces_content_switch(client):
    assert config(client)["artifact_update_replaces_content"] is False
    config(client, artifact_update_replaces_content=True)
    art = simple_upload(client, b"version one", filename="v1.txt").json()
    key = resumable(client, b"version two!", name="v2.pdf")
    r = client.post(f"{EP}/artifact/file/{art['ObjectId']}", headers=BEARER,
                    json=file_body(key, ObjectId=art["ObjectId"]))
    assert (r.json()["FileName"], r.json()["FileSize"], r.json()["UploadKey"]) == \
        ("v2.pdf", 12, key)
    # reset restores the CLI value (false)
    client.post("/_emulator/reset")
    assert config(client)["artifact_update_replaces_content"] is False


def test_cli_switches():
    args = parse_args(["--artifact-update-replaces-content", "--import-routes", "versioned",
                       "--upload-ttl", "5", "--recycled-codes", "free"])
    assert (args.artifact_update_replaces_content, args.import_routes, args.upload_ttl,
            args.recycled_codes) == (True, "versioned", 5.0, "free")
    args = parse_args([])
    assert (args.artifact_update_replaces_content, args.import_routes, args.upload_ttl,
            args.recycled_codes) == (False, "both", 3600.0, "reserved")
    with pytest.raises(SystemExit):
        parse_args(["--import-routes", "sometimes"])
    with pytest.raises(SystemExit):
        parse_args(["--recycled-codes", "sometimes"])


# --- 2. ePortfolio packages of another layout -------------------------------------------------
def _import(client, content, user="101"):
    r = client.post(f"{EP}/import/new", headers=BEARER, files=[
        ("file", ("other.zip", content, "application/zip")), ("targetUsers", (None, user))])
    assert r.status_code == 200, r.text
    (task,) = r.json()
    return wait_status(client, f"{EP}/import/{task}/status", token_for(client, user)), task


def test_any_zip_with_xml_files_imports(client):
    portfolio = '<?xml version="1.0"?><portfolio><item>One</item></portfolio>'
    content = make_zip({"data/portfolio.xml": portfolio, "reflection.XML": "<r>two</r>",
                        "images/logo.png": b"\x89PNG", "readme.txt": "not xml"})
    status, _task = _import(client, content)
    assert status == 2
    objects = listed(client, "101")
    assert [(o["Name"], o["FileName"], o["ObjectTypeId"], o["FileSize"]) for o in objects] == [
        ("portfolio", "portfolio.xml", 310, len(portfolio)),
        ("reflection", "reflection.XML", 310, len("<r>two</r>"))]
    # a manifest.xml of another kind is such a package too (it becomes an object)
    status, _task = _import(client, make_zip({"manifest.xml": "<Manifest/>", "x.xml": "<x/>"}),
                            user="102")
    assert status == 2
    assert [o["Name"] for o in listed(client, "102")] == ["manifest", "x"]


@pytest.mark.parametrize("content,reason", [
    (b"this is no zip", "not a zip"),
    (make_zip({"readme.txt": "hello", "files/a.bin": b"\x00"}), "holds no XML file"),
    (make_zip({"folder/": b""}), "holds no XML file"),
    (make_zip({"a.xml": "<a><b></a>"}), "not well-formed"),
    (make_zip({"a.xml": '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'}), "DOCTYPE"),
])
def test_only_what_is_no_package_is_refused(client, content, reason):
    status, task = _import(client, content)
    assert status == 1
    data = next(j for j in client.get("/_emulator/state").json()["jobs"] if j["id"] == str(task))
    assert reason in data["data"]["Reason"]
    assert listed(client, "101") == []


# --- 3. course import routes: unstable and versioned ------------------------------------------
@pytest.fixture
def target(client):
    tid = int(make_template(client, code="IMPTPL")["Identifier"])
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(tid, "IMPCRS"))
    return int(r.json()["Identifier"])


def _cc_package():
    with open(os.path.join(PACKAGE_DIR, "singlesco_scorm12.zip"), "rb") as fh:
        return fh.read()


def _start(client, base, target, headers=None):
    headers = BEARER if headers is None else headers
    return client.post(f"{base}/import/{target}/imports/", headers=headers,
                       files={"file": ("pkg.zip", _cc_package(), "application/zip")})


def test_import_routes_are_served_with_a_version_too(client, target):
    for base in (LE, "/d2l/api/le/1.5", UNSTABLE):
        r = _start(client, base, target)
        assert r.status_code == 200, (base, r.text)
        token = r.json()["JobToken"]
        # a job is one job whichever contract reads it
        for reader in (LE, UNSTABLE):
            r = client.get(f"{reader}/import/{target}/imports/{token}", headers=BEARER)
            assert r.status_code == 200 and r.json()["JobToken"] == token, r.text
    # an le version that is not served is still an unknown version
    assert_errors(_start(client, "/d2l/api/le/1.4", target), 404, "not supported")


def test_versioned_import_routes_have_the_import_scopes(client, target):
    create = token_for(client, "3", scope="import:job:create")
    fetch = token_for(client, "3", scope="import:job:fetch")
    r = _start(client, LE, target, headers=create)
    assert r.status_code == 200, r.text
    token = r.json()["JobToken"]
    assert client.get(f"{LE}/import/{target}/imports/{token}", headers=fetch).status_code == 200
    assert_problem(client.get(f"{LE}/import/{target}/imports/{token}", headers=create), 403,
                   "import:job:fetch")


@pytest.mark.parametrize("served,off", [("unstable", LE), ("versioned", UNSTABLE)])
def test_import_routes_switch(client, target, served, off):
    assert config(client)["import_routes"] == "both"
    config(client, import_routes=served)
    on = UNSTABLE if served == "unstable" else LE
    assert _start(client, on, target).status_code == 200
    r = _start(client, off, target)
    assert_errors(r, 404, "Not Found")
    # like an unknown route: 404 before any scope check
    no_scope = token_for(client, "3", scope="orgunits:course:read")
    assert_errors(_start(client, off, target, headers=no_scope), 404)
    assert_errors(client.get(f"{off}/import/{target}/imports/x", headers=BEARER), 404)
    r = client.post("/_emulator/config", json={"import_routes": "never"})
    assert r.status_code == 400


# --- 4. API versions the pages support --------------------------------------------------------
def test_versions_the_pages_support_answer(client):
    assert client.get("/d2l/api/lp/1.2/courses/schema", headers=BEARER).status_code == 200
    assert client.get("/d2l/api/lp/1.1/courses/schema", headers=BEARER).status_code == 404
    tid = int(make_template(client, code="OLDTPL")["Identifier"])
    oid = int(client.post(f"{LP}/courses/", headers=BEARER,
                          json=offering_body(tid, "OLDCRS")).json()["Identifier"])
    r = client.post(f"/d2l/api/le/1.5/import/{oid}/copy/", headers=BEARER,
                    json={"SourceOrgUnitId": tid})
    assert r.status_code == 202, r.text
    assert client.post(f"/d2l/api/le/1.4/import/{oid}/copy/", headers=BEARER,
                       json={"SourceOrgUnitId": tid}).status_code == 404
    versions = {p["ProductCode"]: p for p in client.get("/d2l/api/versions/").json()}
    assert versions["lp"]["SupportedVersions"][0] == "1.2"
    assert versions["le"]["SupportedVersions"][0] == "1.5"


# --- 5. Description and CanSelfRegister by LP version -----------------------------------------
def test_newer_course_fields_by_version(client):
    tid = int(make_template(client, code="DESC")["Identifier"])
    html_desc = {"Content": "<p>Fish &amp; chips</p>", "Type": "Html"}
    r = client.post(f"{LP}/courses/", headers=BEARER,
                    json=offering_body(tid, "D1", Description=html_desc, CanSelfRegister=None))
    assert r.status_code == 200, r.text
    assert r.json()["Description"] == {"Text": "Fish & chips", "Html": "<p>Fish &amp; chips</p>"}
    assert r.json()["CanSelfRegister"] is False  # null is false
    oid = r.json()["Identifier"]
    # the answer has the fields of the version asked
    old = client.get(f"/d2l/api/lp/1.25/courses/{oid}", headers=BEARER).json()
    assert "Description" not in old and "CanSelfRegister" not in old
    mid = client.get(f"/d2l/api/lp/1.26/courses/{oid}", headers=BEARER).json()
    assert "Description" in mid and "CanSelfRegister" not in mid
    new = client.get(f"/d2l/api/lp/1.27/courses/{oid}", headers=BEARER).json()
    assert {"Description", "CanSelfRegister"} <= set(new)
    # CreateCourseOffering: Description from 1.26, CanSelfRegister from 1.28
    r = client.post("/d2l/api/lp/1.25/courses/", headers=BEARER,
                    json=offering_body(tid, "D2", Description=html_desc))
    assert_problem(r, 400, "Description")
    r = client.post("/d2l/api/lp/1.27/courses/", headers=BEARER,
                    json=offering_body(tid, "D2", CanSelfRegister=True))
    assert_problem(r, 400, "CanSelfRegister")
    r = client.post("/d2l/api/lp/1.28/courses/", headers=BEARER,
                    json=offering_body(tid, "D2", CanSelfRegister=True))
    assert r.status_code == 200 and r.json()["CanSelfRegister"] is True, r.text
    # shapes: RichTextInput exactly, Description no null
    for bad in (None, {"Content": "x"}, {"Content": "x", "Type": "html"},
                {"Text": "", "Html": ""}, "plain"):
        r = client.post(f"{LP}/courses/", headers=BEARER,
                        json=offering_body(tid, "D3", Description=bad))
        assert_problem(r, 400, "Description")
    # CourseOfferingInfo: Description from 1.26, CanSelfRegister from 1.27; both optional (a
    # PUT without them clears them: test_put_course_replaces_the_whole_block)
    info = {"Name": "D", "Code": "D1", "StartDate": None, "EndDate": None, "IsActive": True}
    r = client.put(f"/d2l/api/lp/1.26/courses/{oid}", headers=BEARER,
                   json=dict(info, CanSelfRegister=True))
    assert_problem(r, 400, "CanSelfRegister")
    r = client.put(f"/d2l/api/lp/1.27/courses/{oid}", headers=BEARER,
                   json=dict(info, CanSelfRegister=True,
                             Description={"Content": "a < b", "Type": "Text"}))
    assert r.status_code == 200, r.text
    got = client.get(f"{LP}/courses/{oid}", headers=BEARER).json()
    assert got["Description"] == {"Text": "a < b", "Html": "a &lt; b"}
    assert got["CanSelfRegister"] is True
    # no evidence of a Description in the template blocks
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER, json={
        "Name": "T", "Code": "T9", "Path": "", "ParentOrgUnitIds": [6606],
        "Description": {"Content": "x", "Type": "Text"}})
    assert_problem(r, 400, "Description")


def test_put_course_replaces_the_whole_block(client):
    """courses.txt: PUT "replaces the associated course offering's data with all the properties
    you provide": at a version whose CourseOfferingInfo has Description (1.26+) and
    CanSelfRegister (1.27+), omitting them clears them; before, they are untouched."""
    tid = int(make_template(client, code="FULL")["Identifier"])
    desc = {"Content": "<b>Keep</b>", "Type": "Html"}
    stored_desc = {"Text": "Keep", "Html": "<b>Keep</b>"}
    r = client.post(f"{LP}/courses/", headers=BEARER,
                    json=offering_body(tid, "FULL1", Description=desc, CanSelfRegister=True))
    assert r.status_code == 200, r.text
    oid = r.json()["Identifier"]
    info = {"Name": "Full", "Code": "FULL1", "StartDate": None, "EndDate": None, "IsActive": True}

    def fields():
        got = client.get(f"{LP}/courses/{oid}", headers=BEARER).json()
        return got["Description"], got["CanSelfRegister"]

    # sending them keeps them
    r = client.put(f"{LP}/courses/{oid}", headers=BEARER,
                   json=dict(info, Description=desc, CanSelfRegister=True))
    assert r.status_code == 200, r.text
    assert fields() == (stored_desc, True)
    # an older version's block has neither: the stored values are untouched
    assert client.put(f"/d2l/api/lp/1.25/courses/{oid}", headers=BEARER,
                      json=info).status_code == 200
    assert fields() == (stored_desc, True)
    # 1.26 has Description only: omitting it clears it, CanSelfRegister untouched
    assert client.put(f"/d2l/api/lp/1.26/courses/{oid}", headers=BEARER,
                      json=info).status_code == 200
    assert fields() == ({"Text": "", "Html": ""}, True)
    # LP 1.47 without either: both cleared
    client.put(f"{LP}/courses/{oid}", headers=BEARER,
               json=dict(info, Description=desc, CanSelfRegister=True))
    assert client.put(f"{LP}/courses/{oid}", headers=BEARER, json=info).status_code == 200
    assert fields() == ({"Text": "", "Html": ""}, False)
    # null CanSelfRegister is false ("Null is treated as false")
    client.put(f"{LP}/courses/{oid}", headers=BEARER, json=dict(info, CanSelfRegister=True))
    assert fields()[1] is True
    assert client.put(f"{LP}/courses/{oid}", headers=BEARER,
                      json=dict(info, CanSelfRegister=None)).status_code == 200
    assert fields()[1] is False
    # the five fields of the page are replaced too; Path and the create-only fields are kept
    path = client.get(f"{LP}/courses/{oid}", headers=BEARER).json()["Path"]
    assert client.put(f"{LP}/courses/{oid}", headers=BEARER, json=dict(
        info, Name="Other", StartDate="2026-01-05T00:00:00.000Z")).status_code == 200
    got = client.get(f"{LP}/courses/{oid}", headers=BEARER).json()
    assert (got["Name"], got["StartDate"], got["EndDate"], got["Path"]) == \
        ("Other", "2026-01-05T00:00:00.000Z", None, path)


# --- 6. trailing slashes ----------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", f"{LP}/outypes"), ("GET", f"{LP}/courses/schema/"), ("GET", f"{LP}/orgstructure"),
    ("POST", f"{LP}/courses"), ("GET", "/d2l/api/versions"), ("GET", f"{LR}/repositories/all"),
    ("GET", f"{EP}/objects/my"), ("GET", f"{LP}/users/whoami/"),
])
def test_wrong_trailing_slash_is_an_unknown_route(client, method, path):
    r = client.request(method, path, headers=BEARER, follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers, (r.status_code, r.headers)
    assert r.json() == {"Errors": [{"Message": "Not Found"}]}


# --- 8a. an empty POST or PUT needs Content-Length --------------------------------------------
def _raw(server, method, path, headers=(), body=b""):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    conn.putheader("Authorization", "Bearer demo-token")
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders(body or None)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def test_post_or_put_without_content_length_is_411(shared_live):
    for method, path in (("POST", f"{EP}/export/new/all"), ("POST", f"{LR}/objects/1001/delete/"),
                         ("PUT", f"{LP}/courses/1"), ("POST", "/d2l/api/lp/1.47/nosuchroute")):
        status, data = _raw(shared_live, method, path)
        assert status == 411, (method, path, status, data)
        assert "Content-Length" in json.loads(data)["Errors"][0]["Message"]
    # with Content-Length: 0 the route answers (here: its own answers)
    status = _raw(shared_live, "POST", f"{EP}/export/new/all", [("Content-Length", "0")])[0]
    assert status == 400  # "No EP objects found owned by current user"
    # a chunked body has its framing
    status = _raw(shared_live, "POST", f"{EP}/export/new/all",
                  [("Transfer-Encoding", "chunked")], b"0\r\n\r\n")[0]
    assert status == 400
    # GET and DELETE need none; neither do the token endpoint and the control API
    assert _raw(shared_live, "GET", f"{LP}/users/whoami")[0] == 200
    assert _raw(shared_live, "DELETE", f"{EP}/artifact/424242")[0] == 404
    assert _raw(shared_live, "POST", "/core/connect/token")[0] == 400
    assert _raw(shared_live, "GET", "/_emulator/health")[0] == 200


# --- 8b. upload keys: expiry and owner --------------------------------------------------------
def test_unattached_uploads_expire(client):
    config(client, upload_ttl=60)
    ep_key = resumable(client, b"some bytes", name="a.txt")
    lr_key = resumable_key(client, make_zip({"index.html": "<p/>"}))
    pending = initiate(client, 10).headers["Location"]  # incomplete
    attached = attach(client, resumable(client, b"kept", name="k.txt")).json()["UploadKey"]
    config(client, clock_offset=61)  # the server clock moves on
    assert_errors(attach(client, ep_key), 400, "Invalid upload key provided, or service could "
                                               "not find the file data")
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": lr_key}),
          "Invalid file key")
    r = client.post(pending, headers={**BEARER, "Content-Range": "bytes */10"})
    assert_errors(r, 404, "Unknown upload key")
    keys = [u["Key"] for u in client.get("/_emulator/state").json()["uploads"]]
    assert keys == [attached]  # purged, bytes and all; an attached upload never expires


def test_upload_activity_keeps_it_alive(client):
    config(client, upload_ttl=60)
    loc = _initiate_ep(client, 4)
    config(client, clock_offset=50)
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 0-1/4"}, content=b"ab")
    assert r.status_code == 308
    config(client, clock_offset=100)  # 50 s after the last chunk
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 2-3/4"}, content=b"cd")
    assert r.status_code == 200, r.text
    config(client, clock_offset=170)
    assert_errors(attach(client, loc.rsplit("/", 1)[1]), 400, "Invalid upload key")


def _initiate_ep(client, size, headers=None):
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/artifacts/file/new", follow_redirects=False, headers={
        **headers, "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": str(size),
        "X-Upload-File-Name": "t.txt"})
    assert r.status_code == 308, r.text
    return r.headers["Location"]


def test_upload_ttl_default_and_validation(client):
    assert config(client)["upload_ttl"] == 3600
    assert client.post("/_emulator/config", json={"upload_ttl": 0}).status_code == 400


def test_another_users_upload_key_is_unknown(client):
    ada = token_for(client, "101")
    loc = _initiate_ep(client, 3)
    key = loc.rsplit("/", 1)[1]
    r = client.post(loc, headers={**ada, "Content-Range": "bytes 0-2/3"}, content=b"abc")
    assert_errors(r, 404, "Unknown upload key")
    assert client.post(loc, headers={**BEARER, "Content-Range": "bytes 0-2/3"},
                       content=b"abc").status_code == 200
    assert_errors(attach(client, key, headers=ada), 400, "Invalid upload key")
    lr_key = resumable_key(client, make_zip({"index.html": "<p/>"}))
    error(client.post(f"{LR}/1/upload/publish", headers=ada, data={"fileKey": lr_key}),
          "Invalid file key")
    # its owner still can
    assert attach(client, key).status_code == 200
    ok(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": lr_key}))


# --- 8c. query parameter names, whatever their case -------------------------------------------
def test_query_parameter_names_are_case_insensitive(client):
    ou = f"{LP}/orgstructure/"
    assert client.get(ou + "?exactorgunitcode=nope", headers=BEARER).json()["Items"] == []
    assert [u["Identifier"] for u in client.get(ou + "?EXACTORGUNITCODE=Demo&OrgUnitType=1",
                                                headers=BEARER).json()["Items"]] == ["6606"]
    assert client.get(ou + "?orgunittype=2", headers=BEARER).json()["Items"] == []
    # an unknown name stays ignored
    assert len(client.get(ou + "?exactCode=nope", headers=BEARER).json()["Items"]) == 1
    # LR search: every parameter required, in any case
    r = client.get(f"{LR}/objects/search/?QUERY=&OFFSET=0&Count=5&Repositories=1",
                   headers=BEARER)
    assert ok(r)["TotalResults"] == 1
    # the deprecated export parameters are refused in any case too
    simple_upload(client, b"x")
    r = client.post(f"{EP}/export/new?includeassociatedreflections=false", headers=BEARER,
                    json=[9001])
    assert_errors(r, 400, "deprecated")
    r = client.post(f"{EP}/export/new?IncludeFormsItems=maybe", headers=BEARER, json=[9001])
    assert_problem(r, 400, "includeFormsItems")


def test_idkey_parameter_names_are_case_insensitive(shared_live):
    from d2lvalence import auth as d2lauth
    import requests

    ctx = d2lauth.fashion_app_context("demo-app-id", "demo-app-key").create_user_context(
        d2l_user_context_props_dict={"host": f"127.0.0.1:{shared_live.port}",
                                     "user_id": "demo-user-id", "user_key": "demo-user-key",
                                     "encrypt_requests": False, "server_skew": 0})
    url = ctx.create_authenticated_url(f"{LP}/users/whoami")
    upper = re.sub(r"([?&])x_([abcdt])=", lambda m: f"{m.group(1)}X_{m.group(2).upper()}=", url)
    assert upper != url
    r = requests.get(upper, timeout=10)
    assert r.status_code == 200 and r.json()["Identifier"] == "3", r.text
    log = requests.get(shared_live.url + "/_emulator/requests").json()["requests"]
    assert not any(k.lower() in ("x_c", "x_d") for e in log for k in e["query"])


# --- 9. every NOTE cites its evidence ---------------------------------------------------------
MARKERS = re.compile(r"evidence:|no evidence|emulator mechanics", re.I)


def _note_blocks(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        if not re.search(r"\bNOTE\b", line):
            continue
        comment = line.lstrip().startswith("#") or line.find("#") < line.find("NOTE")
        block = [line]
        for nxt in lines[i + 1:]:
            if re.search(r"\bNOTE\b", nxt) or (comment and not nxt.lstrip().startswith("#")) \
                    or (not comment and not nxt.strip()):
                break
            block.append(nxt)
            if not comment and '"""' in nxt:
                break
        yield i + 1, "\n".join(block)


def test_every_note_cites_evidence_or_says_there_is_none():
    package = os.path.join(os.path.dirname(__file__), "..", "brightspace_emulator")
    missing = []
    for folder, _dirs, files in os.walk(package):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                missing += [f"{os.path.relpath(path, package)}:{n}: {text.strip()[:80]}"
                            for n, text in _note_blocks(path) if not MARKERS.search(text)]
    assert not missing, "NOTEs without 'evidence:', 'no evidence' or 'emulator mechanics':\n" + \
        "\n".join(missing)
