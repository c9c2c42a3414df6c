# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository objects: publish (simple and resumable), overwrite, properties,
metadata, links, downloads, delete (learning-repository.txt)."""
import hashlib
import io
import os
import re
import zipfile
import xml.etree.ElementTree as ET

import pytest

from brightspace_emulator.packages import manifest_facts
from conftest import BEARER, corrupt_deflate, deflated_zip
from lr_helpers import (BASE_KEYS, LR, PROPERTY_KEYS, PUBLISH_KEYS, SEEDED_QUIZ, control_object,
                        error, fixture_bytes, initiate, make_zip, ok, overwrite, props,
                        properties_input, publish, publish_ok, resumable_key, scorm_zip)

DC = "{http://purl.org/dc/elements/1.1/}"
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def zip_of(content):
    return zipfile.ZipFile(io.BytesIO(content))


# --- seed -------------------------------------------------------------------------------------
def test_seeded_quiz(client):
    body = ok(props(client, SEEDED_QUIZ), PROPERTY_KEYS)
    assert body["Title"] == "Seeded quiz" and body["Type"] == 6 and body["Version"] == 1
    assert body["RepositoryId"] == 1 and body["OwnerId"] == 3
    assert body["URL"] == "/d2l/lor/viewer/view.d2l?ou=6606&loIdentId=1001"


# --- simple publish ---------------------------------------------------------------------------
@pytest.mark.parametrize("fixture, otype, title", [
    ("singlesco_scorm12.zip", 3, "Golf Explained - CP Single SCO"),
    ("RuntimeBasicCalls_SCORM20043rdEdition.zip", 3, "Golf Explained - Run-time Basic Calls"),
    ("d2l-course-package.zip", 4, "d2l-course-package"),
])
def test_publish_real_packages(client, fixture, otype, title):
    data = fixture_bytes(fixture)
    ident = publish_ok(client, data, fixture)
    assert ident > SEEDED_QUIZ
    body = ok(props(client, ident), PROPERTY_KEYS)
    assert (body["Type"], body["Title"], body["Version"]) == (otype, title, 1)
    # the default publishing options
    assert body["Status"] == 5 and body["Description"] == "" and body["Keywords"] == []
    assert body["HiddenFromSearchResults"] is False and body["PublicallyAvailable"] is False
    assert body["OwnerId"] == 3 and body["RepositoryId"] == 1
    stored = control_object(client, ident)["Versions"][0]
    assert stored["Sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["Size"] == len(data) and stored["FileName"] == fixture
    # a Module/Course download is exactly the stored zip
    r = client.get(f"{LR}/objects/{ident}/download/", headers=BEARER)
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-length"] == str(len(data))
    assert r.headers["content-disposition"] == f'attachment; filename="{fixture}"'


def test_badscorm_is_refused_and_nothing_created(client):
    before = client.get("/_emulator/lr/objects").json()
    error(publish(client, fixture_bytes("badscorm.zip"), "badscorm.zip"),
          "Invalid package: imsmanifest.xml not found at the root")
    assert client.get("/_emulator/lr/objects").json() == before
    state = client.get("/_emulator/state").json()
    assert state["lr"]["next_id"] == SEEDED_QUIZ + 1


def test_scorm_without_title_warns(client):
    r = publish(client, scorm_zip(title=None), "untitled-module.zip")
    body = r.json()
    assert r.status_code == 200 and set(body) == PUBLISH_KEYS
    assert body["ExecutionStatus"] == 1
    assert body["ExecutionMessage"] == "Package has no title; the file name was used"
    p = ok(props(client, body["IdentId"]))
    assert p["Title"] == "untitled-module" and p["Type"] == 3


def test_publish_assets(client):
    ident = publish_ok(client, b"%PDF-1.4 hello", "Lecture notes.pdf", ctype="application/pdf")
    body = ok(props(client, ident))
    assert body["Type"] == 1 and body["Title"] == "Lecture notes"
    # a zip without any manifest is an ordinary file
    ident = publish_ok(client, make_zip({"a.txt": "x"}), "bundle.zip")
    assert ok(props(client, ident))["Type"] == 1
    # a manifest of another kind (plain IMS CP) too
    plain = make_zip({"imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/'
                                         'imscp_v1p1"><organizations/></manifest>'})
    assert ok(props(client, publish_ok(client, plain, "cp.zip")))["Type"] == 1


def test_publish_refusals(client):
    data = scorm_zip()
    error(publish(client, data, repository=2), "Repository 2 is not a local repository")
    error(publish(client, data, repository=3), "is not a local repository")
    error(publish(client, data, repository=99), "Repository 99 not found")
    error(client.put(f"{LR}/objects/", headers=BEARER,
                     files={"Resource": ("a.zip", data, "application/zip")}),
          "Missing query parameter 'repositoryId'")
    error(client.put(f"{LR}/objects/?repositoryId=1", headers=BEARER,
                     files={"file": ("a.zip", data, "application/zip")}),
          "part named 'Resource'")
    error(client.put(f"{LR}/objects/?repositoryId=1", headers=BEARER, content=data),
          "part named 'Resource'")
    error(publish(client, b""), "Invalid package: the file is empty")
    bad_manifest = make_zip({"imsmanifest.xml": "<manifest><unclosed></manifest>"})
    error(publish(client, bad_manifest), "Invalid package: imsmanifest.xml is not well-formed")
    # corrupt deflate data (zlib.error), in the manifest or in another member: an ERROR
    with zipfile.ZipFile(io.BytesIO(scorm_zip())) as zf:
        members = {name: zf.read(name) + b" " * 200 for name in zf.namelist()}
    for member in ("imsmanifest.xml", "index.html"):
        error(publish(client, corrupt_deflate(deflated_zip(members), member)),
              "Invalid package: the package cannot be read")
    assert client.put(f"{LR}/objects/?repositoryId=abc", headers=BEARER,
                      files={"Resource": ("a.zip", data)}).status_code == 400
    assert len(client.get("/_emulator/lr/objects").json()) == 1


def test_repository_defaults_apply(client):
    ident = publish_ok(client, scorm_zip(), repository=4)
    body = ok(props(client, ident))
    assert body["RepositoryId"] == 4 and body["HiddenFromSearchResults"] is True
    assert body["PublicallyAvailable"] is False


def test_publish_as_another_user_owns_it(client):
    token = client.post("/_emulator/tokens", json={"user": "101"}).json()["access_token"]
    r = publish(client, scorm_zip(), headers={"Authorization": "Bearer " + token})
    assert ok(props(client, ok(r)["IdentId"]))["OwnerId"] == 101


# --- overwrite --------------------------------------------------------------------------------
def test_overwrite_adds_versions_and_resets_properties(client):
    first = fixture_bytes("singlesco_scorm12.zip")
    ident = publish_ok(client, first, "singlesco_scorm12.zip")
    ok(client.post(f"{LR}/objects/{ident}/properties/", headers=BEARER,
                   json=properties_input(HiddenFromSearchResults=True)))
    second = fixture_bytes("RuntimeBasicCalls_SCORM20043rdEdition.zip")
    body = ok(overwrite(client, ident, second, "runtime.zip"), PUBLISH_KEYS)
    assert (body["IdentId"], body["Version"]) == (ident, 2)
    latest = ok(props(client, ident))
    assert latest["Version"] == 2 and latest["Title"] == "Golf Explained - Run-time Basic Calls"
    assert latest["Status"] == 5 and latest["Keywords"] == [] and latest["Description"] == ""
    assert latest["HiddenFromSearchResults"] is False  # the repository's default again
    v1 = ok(props(client, ident, 1))
    assert v1["Title"] == "Updated title" and v1["Version"] == 1
    assert v1["URL"].endswith(f"loIdentId={ident}&loVersion=1")
    body = ok(overwrite(client, ident, b"plain text", "notes.txt", "text/plain"))
    assert body["Version"] == 3 and ok(props(client, ident))["Type"] == 1
    # each version keeps its bytes
    assert client.get(f"{LR}/objects/{ident}/1/download/", headers=BEARER).content == first
    assert client.get(f"{LR}/objects/{ident}/2/download/", headers=BEARER).content == second


def test_overwrite_refusals(client):
    error(overwrite(client, 4242, scorm_zip()), "Object 4242 not found")
    ident = publish_ok(client, scorm_zip())
    error(overwrite(client, ident, fixture_bytes("badscorm.zip")), "not found at the root")
    error(client.post(f"{LR}/objects/{ident}/", headers=BEARER,
                      files={"Other": ("a.zip", b"x")}), "part named 'Resource'")
    assert ok(props(client, ident))["Version"] == 1


# --- resumable publish ------------------------------------------------------------------------
def test_resumable_publish_and_overwrite(client):
    data = fixture_bytes("singlesco_scorm12.zip")
    key = resumable_key(client, data, "upload.zip", chunk=100_000)
    body = ok(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": key}),
              PUBLISH_KEYS)
    ident = body["IdentId"]
    assert body["Version"] == 1
    stored = control_object(client, ident)["Versions"][0]
    assert stored["FileName"] == "upload.zip" and stored["Type"] == 3
    assert stored["Sha256"] == hashlib.sha256(data).hexdigest()
    # the key is attached: a second publish with it is refused
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": key}),
          "Invalid file key")
    # overwrite with a name field (multipart form this time)
    data2 = fixture_bytes("d2l-course-package.zip")
    key2 = resumable_key(client, data2, "ignored.zip")
    body = ok(client.put(f"{LR}/1/upload/publish/{ident}", headers=BEARER,
                         files={"fileKey": (None, key2), "name": (None, "course.zip")}))
    assert (body["IdentId"], body["Version"]) == (ident, 2)
    latest = ok(props(client, ident))
    assert latest["Type"] == 4 and latest["Title"] == "course" and latest["Status"] == 5
    r = client.get(f"{LR}/objects/{ident}/download/", headers=BEARER)
    assert r.content == data2 and r.headers["content-disposition"] == \
        'attachment; filename="course.zip"'
    ups = {u["Key"]: u for u in client.get("/_emulator/state").json()["uploads"]}
    assert ups[key]["Attached"] and ups[key2]["Attached"]


def test_resumable_initiation(client):
    r = initiate(client, 10)
    assert r.status_code == 308 and r.headers["Location"].startswith("/d2l/upload/")
    error(initiate(client, 10, repository=2), "not a local repository")
    error(initiate(client, 10, repository=77), "Repository 77 not found")
    # the upload framework's own checks (shared with ePortfolio): 400 {"Errors"}
    r = client.post(f"{LR}/1/upload", headers={**BEARER, "X-Upload-File-Name": "a.zip"})
    assert r.status_code == 400 and "Errors" in r.json()
    r = client.post(f"{LR}/1/upload", headers={
        **BEARER, "X-Upload-Content-Type": "application/zip", "X-Upload-Content-Length": "x",
        "X-Upload-File-Name": "a.zip"})
    assert r.status_code == 400


def test_resumable_publish_refusals(client):
    data = scorm_zip()
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"name": "x"}),
          "Missing form field 'fileKey'")
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": "nope"}),
          "Invalid file key")
    # an incomplete upload
    r = initiate(client, len(data))
    key = r.headers["Location"].rsplit("/", 1)[1]
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": key}),
          "Invalid file key")
    key = resumable_key(client, data)
    error(client.post(f"{LR}/2/upload/publish", headers=BEARER, data={"fileKey": key}),
          "not a local repository")
    # another user's key
    token = client.post("/_emulator/tokens", json={"user": "102"}).json()["access_token"]
    error(client.post(f"{LR}/1/upload/publish", data={"fileKey": key},
                      headers={"Authorization": "Bearer " + token}), "Invalid file key")
    # a refused package leaves the upload unattached
    bad = resumable_key(client, fixture_bytes("badscorm.zip"), "badscorm.zip")
    error(client.post(f"{LR}/1/upload/publish", headers=BEARER, data={"fileKey": bad}),
          "not found at the root")
    ident = ok(client.post(f"{LR}/1/upload/publish", headers=BEARER,
                           data={"fileKey": key}))["IdentId"]
    # overwrite: unknown object, object in another repository
    key2 = resumable_key(client, data)
    error(client.put(f"{LR}/1/upload/publish/9999", headers=BEARER, data={"fileKey": key2}),
          "Object 9999 not found")
    error(client.put(f"{LR}/4/upload/publish/{ident}", headers=BEARER, data={"fileKey": key2}),
          f"Object {ident} is not in repository 4")
    error(client.put(f"{LR}/1/upload/publish/{ident}", headers=BEARER, data={}),
          "Missing form field 'fileKey'")
    assert ok(client.put(f"{LR}/1/upload/publish/{ident}", headers=BEARER,
                         data={"fileKey": key2}))["Version"] == 2


# --- properties -------------------------------------------------------------------------------
def test_update_properties_latest_and_per_version(client):
    ident = publish_ok(client, scorm_zip())
    ok(overwrite(client, ident, scorm_zip("Second")))
    ok(client.post(f"{LR}/objects/{ident}/properties/", headers=BEARER,
                   json=properties_input(OwnerId=101, Status=1)), BASE_KEYS)
    latest = ok(props(client, ident))
    assert latest["Version"] == 2 and latest["Title"] == "Updated title"
    assert latest["Keywords"] == ["Word1, Word2", "Word 3"]  # exactly as given
    assert latest["OwnerId"] == 101 and latest["Status"] == 1
    assert latest["PublicallyAvailable"] is True
    assert ok(props(client, ident, 1))["Title"] == "My SCORM module"
    ok(client.post(f"{LR}/objects/{ident}/1/properties/", headers=BEARER,
                   json=properties_input(Title="First version", Keywords=[])))
    assert ok(props(client, ident, 1))["Title"] == "First version"
    assert ok(props(client, ident, 2))["Title"] == "Updated title"


def test_move_between_repositories(client):
    ident = publish_ok(client, scorm_zip())
    ok(overwrite(client, ident, scorm_zip()))
    ok(client.post(f"{LR}/objects/{ident}/1/properties/", headers=BEARER,
                   json=properties_input(RepositoryId=4)))
    assert ok(props(client, ident))["RepositoryId"] == 4  # every version moves
    assert ok(props(client, ident, 1))["RepositoryId"] == 4
    for rid, message in ((2, "not a local repository"), (3, "not a local repository"),
                         (50, "Repository 50 not found")):
        error(client.post(f"{LR}/objects/{ident}/properties/", headers=BEARER,
                          json=properties_input(RepositoryId=rid)), message)
    repos = {r["RepositoryId"]: r["ObjectCount"] for r in
             ok(client.get(f"{LR}/repositories/all/", headers=BEARER))["Repositories"]}
    assert repos == {1: 1, 2: 0, 3: 0, 4: 1}


def test_properties_failures(client):
    error(props(client, 4242), "Object 4242 not found")
    error(props(client, SEEDED_QUIZ, 2), "Object 1001 has no version 2")
    error(props(client, SEEDED_QUIZ, 0), "has no version 0")
    url = f"{LR}/objects/{SEEDED_QUIZ}/properties/"
    error(client.post(url, headers=BEARER, json=properties_input(Status=6)), "Invalid Status 6")
    error(client.post(url, headers=BEARER, json=properties_input(Status=0)), "Invalid Status")
    error(client.post(url, headers=BEARER, json=properties_input(Title="  ")),
          "Title must not be empty")
    error(client.post(url, headers=BEARER, json=properties_input(OwnerId=555)),
          "User 555 not found")
    error(client.post(f"{LR}/objects/4242/properties/", headers=BEARER,
                      json=properties_input()), "Object 4242 not found")
    error(client.post(f"{LR}/objects/{SEEDED_QUIZ}/3/properties/", headers=BEARER,
                      json=properties_input()), "has no version 3")
    # strict block: missing key, extra key, wrong types, bad JSON -> 400 problem+json
    body = properties_input()
    del body["Keywords"]
    for bad in (body, properties_input(Extra=1), properties_input(Status="3"),
                properties_input(Keywords="a, b"), properties_input(RepositoryId=1.0)):
        r = client.post(url, headers=BEARER, json=bad)
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    r = client.post(url, headers={**BEARER, "Content-Type": "application/json"}, content=b"{")
    assert r.status_code == 400
    assert ok(props(client, SEEDED_QUIZ))["Title"] == "Seeded quiz"


def test_malformed_route_ids_are_404(client):
    assert client.get(f"{LR}/objects/abc/properties/", headers=BEARER).status_code == 404
    assert client.get(f"{LR}/objects/1001/x/properties/", headers=BEARER).status_code == 404
    assert client.get("/d2l/api/lr/1.2/objects/1001/properties/",
                      headers=BEARER).status_code == 404


# --- metadata and links -----------------------------------------------------------------------
def test_metadata_dublin_core(client):
    ident = publish_ok(client, b"col1,col2\n", "table.csv", ctype="text/csv")
    ok(client.post(f"{LR}/objects/{ident}/properties/", headers=BEARER,
                   json=properties_input(Title="Tables & <charts>",
                                         Keywords=["Word1, Word2", "Word 3", " , "])))
    r = client.get(f"{LR}/objects/{ident}/1/metadata/", headers=BEARER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "metadata"
    assert b'xmlns:dc="http://purl.org/dc/elements/1.1/"' in r.content
    text = {child.tag: child.text for child in root}
    assert text[DC + "title"] == "Tables & <charts>"
    assert text[DC + "description"] == "Updated description"
    assert [c.text for c in root.findall(DC + "subject")] == ["Word1", "Word2", "Word 3"]
    assert UTC_RE.match(text[DC + "date"])
    assert text[DC + "identifier"] == str(ident)
    assert text[DC + "type"] == "Asset" and text[DC + "format"] == "text/csv"
    quiz = ET.fromstring(client.get(f"{LR}/objects/1001/1/metadata/", headers=BEARER).content)
    assert quiz.find(DC + "type").text == "Quiz"
    error(client.get(f"{LR}/objects/1001/2/metadata/", headers=BEARER), "has no version 2")
    error(client.get(f"{LR}/objects/77/1/metadata/", headers=BEARER), "Object 77 not found")


def test_links(client):
    body = ok(client.get(f"{LR}/objects/1001/link/", headers=BEARER),
              BASE_KEYS | {"URL"})
    assert body["URL"] == "/d2l/lor/viewer/view.d2l?ou=6606&loIdentId=1001"
    body = ok(client.get(f"{LR}/objects/1001/1/link/", headers=BEARER))
    assert body["URL"] == "/d2l/lor/viewer/view.d2l?ou=6606&loIdentId=1001&loVersion=1"
    error(client.get(f"{LR}/objects/5/link/", headers=BEARER), "Object 5 not found")
    error(client.get(f"{LR}/objects/1001/9/link/", headers=BEARER), "has no version 9")


# --- downloads --------------------------------------------------------------------------------
def test_quiz_download_is_a_d2l_package(client, tmp_path):
    r = client.get(f"{LR}/objects/1001/download/", headers=BEARER)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="seeded_quiz.zip"'
    zf = zip_of(r.content)
    assert "imsmanifest.xml" in zf.namelist()
    root = ET.fromstring(zf.read("imsmanifest.xml"))
    assert root.tag == "{http://www.imsglobal.org/xsd/imscp_v1p1}manifest"
    path = tmp_path / "quiz.zip"
    path.write_bytes(r.content)
    assert manifest_facts(str(path))["PackageType"] == "d2l"
    resource = root.find(".//{http://www.imsglobal.org/xsd/imscp_v1p1}resource")
    assert resource.get("{http://desire2learn.com/xsd/d2lcp_v2p0}material_type") == "d2lquiz"
    assert b"<questestinterop>" in zf.read(resource.get("href"))
    # built once and kept
    again = client.get(f"{LR}/objects/1001/1/download/", headers=BEARER)
    assert again.content == r.content
    assert control_object(client, 1001)["Versions"][0]["Package"].endswith("-package.zip")


def test_asset_download_is_a_scorm_package(client, tmp_path):
    data = bytes(range(256)) * 40
    ident = publish_ok(client, data, "diagram.png", ctype="image/png")
    r = client.get(f"{LR}/objects/{ident}/download/", headers=BEARER)
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="diagram.zip"'
    assert r.headers["content-length"] == str(len(r.content))
    zf = zip_of(r.content)
    assert zf.read("diagram.png") == data
    path = tmp_path / "asset.zip"
    path.write_bytes(r.content)
    facts = manifest_facts(str(path))
    assert facts["PackageType"] == "scorm" and facts["Title"] == "diagram"
    assert b"http://www.adlnet.org/xsd/adlcp_rootv1p2" in zf.read("imsmanifest.xml")


def test_downloadfile(client):
    data = b"%PDF-1.4 some bytes"
    ident = publish_ok(client, data, "Report 2026.pdf", ctype="application/pdf")
    for path in (f"{ident}/downloadfile/", f"{ident}/1/downloadfile/"):
        r = client.get(f"{LR}/objects/{path}", headers=BEARER)
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"] == 'attachment; filename="Report 2026.pdf"'
    ident2 = publish_ok(client, b"x", "r\u00e9sum\u00e9.txt", ctype="text/plain")
    r = client.get(f"{LR}/objects/{ident2}/downloadfile/", headers=BEARER)
    assert r.headers["content-disposition"] == \
        "attachment; filename=\"r_sum_.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
    error(client.get(f"{LR}/objects/1001/downloadfile/", headers=BEARER),
          "Object 1001 is not an asset")
    module = publish_ok(client, scorm_zip())
    error(client.get(f"{LR}/objects/{module}/1/downloadfile/", headers=BEARER),
          f"Object {module} is not an asset")
    error(client.get(f"{LR}/objects/{ident}/2/downloadfile/", headers=BEARER),
          "has no version 2")
    error(client.get(f"{LR}/objects/31337/downloadfile/", headers=BEARER), "not found")


def test_download_failures(client):
    error(client.get(f"{LR}/objects/31337/download/", headers=BEARER), "Object 31337 not found")
    error(client.get(f"{LR}/objects/1001/2/download/", headers=BEARER), "has no version 2")


# --- delete -----------------------------------------------------------------------------------
def test_delete(client):
    ident = publish_ok(client, b"abc", "a.txt", ctype="text/plain")
    ok(overwrite(client, ident, b"def", "b.txt", "text/plain"))
    client.get(f"{LR}/objects/{ident}/download/", headers=BEARER)  # build a package
    files = [v["File"] for v in control_object(client, ident)["Versions"]]
    files.append(control_object(client, ident)["Versions"][-1]["Package"])
    error(client.post(f"{LR}/objects/{ident}/delete/", headers=BEARER, content=b"{}"),
          "empty body")
    assert control_object(client, ident) is not None
    ok(client.post(f"{LR}/objects/{ident}/delete/", headers={**BEARER, "Content-Length": "0"}),
       BASE_KEYS)
    assert control_object(client, ident) is None
    assert not any(os.path.exists(f) for f in files)
    error(props(client, ident), f"Object {ident} not found")
    error(client.post(f"{LR}/objects/{ident}/delete/", headers=BEARER), "not found")
