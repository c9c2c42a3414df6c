# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio export and import tasks (eportfolio-import-export.txt)."""
import datetime as dt
import hashlib
import io
import os
import re
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile

import pytest
import requests

from brightspace_emulator import Config, create_app
from brightspace_emulator import eportfolio as ep
from brightspace_emulator import epjobs as ej
from brightspace_emulator import uploads as up
from brightspace_emulator.scopes import TABLE_SCOPES
from conftest import BEARER, corrupt_deflate, deflated_zip
from emu_helpers import assert_errors, assert_problem, make_zip
from emu_helpers import client, clock  # noqa: F401  pylint: disable=unused-import
from test_eportfolio import EP, link_body, listed, new_link, simple_upload, token_for

DURATION = 0.2
PROPS = ("Name", "Description", "AllowComments", "ObjectTypeId", "GeoTag")
FILE_PROPS = ("FileName", "FileSize", "Extension", "Sha256")
NAME_RE = re.compile(r'^attachment; filename="eP_Export_Demo_Administrator_(\d{12})\.zip"$')


# --- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture
def app():
    return create_app(Config(job_duration=DURATION))


def export(client, ids, headers=None, query=""):
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/export/new{query}", headers=headers, json=ids)
    assert r.status_code == 200, r.text
    assert re.fullmatch(r"\d+", r.text), r.text  # a bare JSON number
    return r.json()


def export_all(client, headers=None):
    headers = BEARER if headers is None else headers
    r = client.post(f"{EP}/export/new/all", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def wait_status(get, url, headers=None, timeout=5.0):
    headers = BEARER if headers is None else headers
    deadline = time.time() + timeout
    while True:
        r = get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert isinstance(r.json(), int) and re.fullmatch(r"\d", r.text), r.text
        if r.json() in (1, 2, 3):
            return r.json()
        assert time.time() < deadline, r.text
        time.sleep(0.03)


def package(client, task_id, headers=None):
    headers = BEARER if headers is None else headers
    assert wait_status(client.get, f"{EP}/export/{task_id}/status", headers) in (2, 3)
    r = client.get(f"{EP}/export/{task_id}/package", headers=headers)
    assert r.status_code == 200, r.text
    return r


def start_import(client, content, targets=(), headers=None, details=False,
                 name="eP_Export.zip"):
    headers = BEARER if headers is None else headers
    route = "import/newwithdetails" if details else "import/new"
    return client.post(f"{EP}/{route}", headers=headers,
                       files=[("file", (name, content, "application/zip"))] +
                       [("targetUsers", (None, str(t))) for t in targets])


def portfolio(client):
    """User 3's objects: a link with a GeoTag, two file artifacts (one with text that XML
    cannot carry as is), comments; returns (link, file, odd file, bytes by ObjectId)."""
    link = new_link(client, GeoTag="49.28,-123.12", Description="see <docs> & \"more\"")
    data1 = os.urandom(200_000)
    data2 = b"tiny"
    f1 = simple_upload(client, data1, filename="Report Q1.pdf",
                       query="?name=Report&description=first%20quarter").json()
    f2 = simple_upload(client, data2, filename="odd.bin").json()
    body = {"ObjectId": f2["ObjectId"], "Name": "Odd\tname", "Description": "a\r\nb\x01c\u00e9",
            "AllowComments": False, "GeoTag": None, "FileSize": 0, "FileName": "", "Extension": "",
            "UploadKey": ""}
    r = client.post(f"{EP}/artifact/file/{f2['ObjectId']}", headers=BEARER, json=body)
    assert r.status_code == 200, r.text
    client.post(f"/_emulator/eportfolio/objects/{link['ObjectId']}/comments",
                json={"user": "101", "body": "Nice"})
    return link, f1, r.json(), {f1["ObjectId"]: data1, f2["ObjectId"]: data2}


def job(client, task_id):
    return next(j for j in client.get("/_emulator/state").json()["jobs"]
                if j["id"] == str(task_id))


# --- export -----------------------------------------------------------------------------------
def test_export_statuses(client, clock):
    oid = new_link(client)["ObjectId"]
    task = export(client, [oid])
    assert task == 5001
    url = f"{EP}/export/{task}/status"
    seen = []
    for t in (0, 0.09, 0.11, 0.19, 0.21, 5):
        clock.at(t)
        r = client.get(url, headers=BEARER)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        seen.append(r.text)
    assert seen == ["0", "0", "4", "4", "2", "2"]
    clock.at(0.15)
    assert_errors(client.get(f"{EP}/export/{task}/package", headers=BEARER), 404,
                  "Export package not ready")
    assert export_all(client) == 5002


def test_export_package(client, emu):
    link, f1, f2, contents = portfolio(client)
    task = export_all(client)
    r = package(client, task)
    assert r.headers["content-type"] == "application/zip"
    assert int(r.headers["content-length"]) == len(r.content)
    stamp = NAME_RE.match(r.headers["content-disposition"]).group(1)
    stored = job(client, task)
    done = dt.datetime.fromtimestamp(stored["created"] + DURATION, dt.timezone.utc)
    assert stamp == done.strftime("%Y%m%d%H%M")
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert zf.testzip() is None
    ids = [link["ObjectId"], f1["ObjectId"], f2["ObjectId"]]
    names = set(zf.namelist())
    assert names == {"manifest.xml", *(f"objects/{i}.xml" for i in ids),
                     f"files/{f1['ObjectId']}/Report Q1.pdf", f"files/{f2['ObjectId']}/odd.bin"}
    for info in zf.infolist():
        if info.filename.endswith(".xml"):
            assert info.compress_type == zipfile.ZIP_DEFLATED
            ET.fromstring(zf.read(info))  # every XML file is well-formed
        else:
            assert info.compress_type == zipfile.ZIP_STORED
    manifest = ET.fromstring(zf.read("manifest.xml"))
    assert manifest.tag == "EpExport" and manifest.findtext("ExportId") == str(task)
    assert manifest.findtext("UserId") == "3"
    assert [o.get("ObjectId") for o in manifest.iter("Object")] == [str(i) for i in ids]
    xml_link = ET.fromstring(zf.read(f"objects/{link['ObjectId']}.xml"))
    assert xml_link.tag == "EpObject"
    assert xml_link.findtext("ObjectType") == "UrlArtifact"
    assert xml_link.findtext("Url") == link["Url"]
    assert xml_link.findtext("Description") == 'see <docs> & "more"'
    assert xml_link.findtext("GeoTag") == "49.28,-123.12"
    assert [c.findtext("Body") for c in xml_link.iter("Comment")] == ["Nice"]
    xml_file = ET.fromstring(zf.read(f"objects/{f1['ObjectId']}.xml"))
    assert xml_file.findtext("ObjectTypeId") == "310"
    assert xml_file.find("GeoTag").get("nil") == "true"
    assert xml_file.findtext("File/FileName") == "Report Q1.pdf"
    assert xml_file.findtext("File/FileSize") == str(len(contents[f1["ObjectId"]]))
    path = xml_file.findtext("File/Path")
    assert zf.read(path) == contents[f1["ObjectId"]]
    assert zf.read(f"files/{f2['ObjectId']}/odd.bin") == b"tiny"
    # built once: a second download serves the same file
    built = emu.jobs.get(str(task))["data"]["Package"]
    mtime = os.stat(built).st_mtime_ns
    again = client.get(f"{EP}/export/{task}/package", headers=BEARER)
    assert again.content == r.content and os.stat(built).st_mtime_ns == mtime


def test_export_refusals(client):
    mine = new_link(client)["ObjectId"]
    ada = token_for(client, "101")
    hers = new_link(client, headers=ada)["ObjectId"]
    assert_errors(client.post(f"{EP}/export/new", headers=BEARER, json=[]), 400,
                  "Empty list of EP object IDs provided")
    assert_errors(client.post(f"{EP}/export/new", headers=BEARER, json=[424242, 424243]), 400,
                  "no matching EP objects found")
    # another user's object is no unknown id: the page's 403 (test_permissions.py)
    assert_problem(client.post(f"{EP}/export/new", headers=BEARER, json=[hers, 424242]), 403,
                   "No permission to export identified EP objects")
    for body in ({"ObjectIds": [mine]}, [str(mine)], [mine + 0.5], mine, None):
        assert_problem(client.post(f"{EP}/export/new", headers=BEARER, json=body), 400)
    for query in ("?includeAssociatedReflections=true", "?includeReflectionsAssociations=false"):
        assert_errors(client.post(f"{EP}/export/new{query}", headers=BEARER, json=[mine]), 400,
                      "deprecated")
    assert_problem(client.post(f"{EP}/export/new?includeFormsItems=yes", headers=BEARER,
                               json=[mine]), 400, "includeFormsItems")
    assert_errors(client.post(f"{EP}/export/new/all", headers=token_for(client, "103")), 400,
                  "No EP objects found owned by current user")
    assert client.get("/_emulator/state").json()["jobs"] == []
    task = export(client, [mine], query="?includeFormsItems=true&includeAssociatedItems=FALSE")
    data = job(client, task)["data"]
    assert (data["IncludeFormsItems"], data["IncludeAssociatedItems"]) == (True, False)
    # status and package: unknown, another user's, an import id
    for what in ("status", "package"):
        assert_errors(client.get(f"{EP}/export/777/{what}", headers=BEARER), 404,
                      "Export task not found")
        assert_problem(client.get(f"{EP}/export/{task}/{what}", headers=ada), 403,
                       "No permission")
        assert_errors(client.get(f"{EP}/export/abc/{what}", headers=BEARER), 404)
    assert_errors(client.get(f"{EP}/import/{task}/status", headers=BEARER), 404,
                  "Import task not found")


def test_export_scopes(client):
    """ePortfolio export/import routes are not in SCOPES.md's table: core:*:* only."""
    oid = new_link(client)["ObjectId"]
    specific = token_for(client, "3", " ".join(TABLE_SCOPES))  # every specific scope
    invented = token_for(client, "3", "eportfolio:exports:read eportfolio:exports:write "
                                      "eportfolio:imports:read eportfolio:imports:write")
    task = export(client, [oid])
    for headers in (specific, invented):
        assert_problem(client.post(f"{EP}/export/new", headers=headers, json=[oid]), 403,
                       "requires the scope 'core:*:*'")
        assert_problem(client.post(f"{EP}/export/new/all", headers=headers), 403, "core:*:*")
        assert_problem(client.get(f"{EP}/export/{task}/status", headers=headers), 403,
                       "core:*:*")
        assert_problem(client.get(f"{EP}/export/{task}/package", headers=headers), 403,
                       "core:*:*")
        assert_problem(start_import(client, b"x", headers=headers), 403, "core:*:*")
    assert client.get(f"{EP}/export/{task}/status", headers=BEARER).status_code == 200


def test_export_skips_unknown_ids(client):
    """Unknown ids are left out (CompleteWithErrors); another user's object refuses the whole
    export with 403 instead (test_permissions.py)."""
    mine = [new_link(client, Name=f"m{n}")["ObjectId"] for n in range(2)]
    task = export(client, [mine[1], 31338, 31337, mine[0], mine[1]])
    zf = zipfile.ZipFile(io.BytesIO(package(client, task).content))
    assert wait_status(client.get, f"{EP}/export/{task}/status") == 3  # CompleteWithErrors
    manifest = ET.fromstring(zf.read("manifest.xml"))
    assert [o.get("ObjectId") for o in manifest.iter("Object")] == [str(mine[1]), str(mine[0])]
    assert job(client, task)["data"]["Skipped"] == [31338, 31337]


def test_export_job_outcome_faults(client):
    oid = new_link(client)["ObjectId"]
    client.post("/_emulator/faults", json={"path": "/export/new$", "job_outcome": "FAILED"})
    client.post("/_emulator/faults", json={"path": "/export/new$", "job_outcome": "Aborted"})
    task = export(client, [oid])
    assert wait_status(client.get, f"{EP}/export/{task}/status") == 1
    assert_errors(client.get(f"{EP}/export/{task}/package", headers=BEARER), 404, "aborted")
    client.post("/_emulator/faults", json={"path": "/export/new$",
                                           "job_outcome": "CompleteWithErrors"})
    task = export(client, [oid])
    assert wait_status(client.get, f"{EP}/export/{task}/status") == 3
    assert zipfile.ZipFile(io.BytesIO(package(client, task).content)).testzip() is None
    client.post("/_emulator/faults", json={"path": "/export/new/all$", "job_outcome": "1"})
    task = export_all(client)
    assert wait_status(client.get, f"{EP}/export/{task}/status") == 1
    # the course-job value was never taken by an ePortfolio task
    assert [f["job_outcome"] for f in client.get("/_emulator/faults").json()["faults"]] == \
        ["FAILED"]


def test_export_captures_objects_when_created(client):
    art = simple_upload(client, b"original bytes", filename="a.txt").json()
    task = export(client, [art["ObjectId"]])
    assert client.delete(f"{EP}/artifact/{art['ObjectId']}", headers=BEARER).status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(package(client, task).content))
    assert zf.read(f"files/{art['ObjectId']}/a.txt") == b"original bytes"
    assert not os.path.exists(job(client, task)["data"]["Dir"])  # its bytes live in the zip


def test_large_file_export_is_streamed(client, emu):
    size = 96 * 1024 * 1024
    src = os.path.join(emu.store.upload_dir, "big-src")
    with open(src, "wb") as fh:  # sparse: cheap to make
        fh.truncate(size)
    with emu.store.mutate() as data:
        meta = up.register_file(data, emu.store.upload_dir, src, "application/octet-stream",
                                "big.bin", user="3")
        oid = ep.new_object(data, "3", ep.TYPE_FILE, "Big", "", True, None,
                            **ep.file_content(meta))["ObjectId"]
    task = export(client, [oid])
    assert wait_status(client.get, f"{EP}/export/{task}/status") == 2
    tracemalloc.start()
    try:
        path = ej.ensure_package(emu, str(task))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(f"files/{oid}/big.bin")
        assert info.file_size == size and info.compress_type == zipfile.ZIP_STORED
    staging = os.path.join(emu.store.upload_dir, "staging-test")
    tracemalloc.start()
    try:
        result = ej.read_package(path, staging)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result["ok"] and peak < 8 * 1024 * 1024, (result, peak)
    assert os.path.getsize(result["Objects"][0]["Staged"]) == size


# --- import -----------------------------------------------------------------------------------
def test_export_then_import_into_other_users(client):
    link, f1, f2, _contents = portfolio(client)
    originals = {o["ObjectId"]: o for o in listed(client, "3")}
    content = package(client, export_all(client)).content
    r = start_import(client, content, targets=("101", "102"))
    assert r.status_code == 200, r.text
    ids = r.json()
    assert isinstance(ids, list) and len(ids) == 2 and all(isinstance(i, int) for i in ids)
    ada, grace = token_for(client, "101"), token_for(client, "102")
    # each task belongs to its target user: the caller may not read it, nor the other user
    for task, owner, other in ((ids[0], ada, grace), (ids[1], grace, ada)):
        assert_problem(client.get(f"{EP}/import/{task}/status", headers=BEARER), 403,
                       "No permission to see status of import task")
        assert_problem(client.get(f"{EP}/import/{task}/status", headers=other), 403)
        assert wait_status(client.get, f"{EP}/import/{task}/status", owner) == 2
    seen_ids = set(originals)
    for user in ("101", "102"):
        objects = listed(client, user)
        assert len(objects) == 3
        for new, old in zip(objects, originals.values()):
            assert new["ObjectId"] not in seen_ids  # new ids, none reused
            seen_ids.add(new["ObjectId"])
            assert new["UserId"] == int(user)
            assert {k: new[k] for k in PROPS} == {k: old[k] for k in PROPS}
            assert new["CommentsCount"] == 0 and new["Comments"] == []  # not imported
            if old["ObjectTypeId"] == 340:
                assert new["Url"] == old["Url"]
            else:
                assert {k: new[k] for k in FILE_PROPS} == {k: old[k] for k in FILE_PROPS}
                assert new["UploadKey"] != old["UploadKey"]
        got = client.get(f"{EP}/artifact/file/{objects[2]['ObjectId']}",
                         headers=ada if user == "101" else grace)
        assert got.status_code == 200 and got.json()["Description"] == "a\r\nb\x01c\u00e9"
    assert listed(client, "3") == list(originals.values())  # the exporter's objects untouched
    # settled exactly once: more reads create nothing more
    for _attempt in range(3):
        client.get(f"{EP}/import/{ids[0]}/status", headers=ada)
        client.get("/_emulator/state")
    assert len(listed(client, "101")) == 3
    assert job(client, ids[0])["data"]["CreatedObjectIds"] == \
        [o["ObjectId"] for o in listed(client, "101")]


def test_import_to_the_caller_by_default(client):
    new_link(client, Name="mine")
    content = package(client, export_all(client)).content
    (task,) = start_import(client, content).json()
    assert wait_status(client.get, f"{EP}/import/{task}/status") == 2
    assert [o["Name"] for o in listed(client, "3")] == ["mine", "mine"]
    (task,) = start_import(client, content, targets=("3",)).json()
    assert wait_status(client.get, f"{EP}/import/{task}/status") == 2
    assert len(listed(client, "3")) == 3


def test_newwithdetails(client):
    new_link(client)
    content = package(client, export_all(client)).content
    r = start_import(client, content, targets=("101", "999", "102"), details=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"ImportJobResultType", "SuccessfulJobIds", "FailedUserIds",
                         "ErrorMessages"}
    assert body["ImportJobResultType"] == "PartialSuccess"
    assert body["FailedUserIds"] == [999] and body["ErrorMessages"] == ["User 999 not found"]
    first, second = body["SuccessfulJobIds"]
    assert wait_status(client.get, f"{EP}/import/{first}/status", token_for(client, "101")) == 2
    assert wait_status(client.get, f"{EP}/import/{second}/status", token_for(client, "102")) == 2
    assert len(listed(client, "101")) == len(listed(client, "102")) == 1
    body = start_import(client, content, details=True).json()
    assert body["ImportJobResultType"] == "Success" and len(body["SuccessfulJobIds"]) == 1
    assert body["FailedUserIds"] == [] and body["ErrorMessages"] == []
    body = start_import(client, content, targets=("998", "999"), details=True).json()
    assert body == {"ImportJobResultType": "Failure", "SuccessfulJobIds": [],
                    "FailedUserIds": [998, 999],
                    "ErrorMessages": ["User 998 not found", "User 999 not found"]}


def test_import_refusals(client):
    new_link(client)
    content = package(client, export_all(client)).content
    jobs_before = len(client.get("/_emulator/state").json()["jobs"])
    assert_errors(start_import(client, content, targets=("101", "999")), 404,
                  "Could not create a valid import task ID")
    for details in (False, True):
        route = "import/newwithdetails" if details else "import/new"
        r = client.post(f"{EP}/{route}", headers=BEARER,
                        files={"package": ("x.zip", content, "application/zip")})
        assert_errors(r, 400, "unknown form part 'package'")
        r = client.post(f"{EP}/{route}", headers=BEARER, content=content)
        assert_errors(r, 400, "No EP package file provided")
        assert_errors(start_import(client, content, targets=("ada",), details=details), 400,
                      "Invalid targetUsers value")
    state = client.get("/_emulator/state").json()
    assert len(state["jobs"]) == jobs_before
    assert [u for u in os.listdir(client.app.state.emu.store.upload_dir)
            if u.startswith(("incoming-", "ep-import-"))] == []
    assert_errors(client.get(f"{EP}/import/4242/status", headers=BEARER), 404,
                  "Import task not found")


def _valid_parts():
    obj = ("<EpObject><ObjectId>9001</ObjectId><ObjectTypeId>310</ObjectTypeId><Name>F</Name>"
           "<Description/><AllowComments>true</AllowComments><GeoTag nil=\"true\"/>"
           "<File><FileName>f.txt</FileName><FileSize>3</FileSize><Extension>txt</Extension>"
           "<Path>files/9001/f.txt</Path></File></EpObject>")
    manifest = ('<EpExport><Objects><Object ObjectId="9001" ObjectTypeId="310" '
                'Path="objects/9001.xml"/></Objects></EpExport>')
    return {"manifest.xml": manifest, "objects/9001.xml": obj, "files/9001/f.txt": b"abc"}


def _without(name):
    parts = _valid_parts()
    del parts[name]
    return make_zip(parts)


def _with(name, value):
    return make_zip({**_valid_parts(), name: value})


MALFORMED = {
    "not a zip": b"PK\x03\x04 certainly not a zip",
    # (a zip without manifest.xml, or with another manifest, is a package of another layout:
    # test_strict_readings.py)
    "no xml file": make_zip({"files/9001/f.txt": b"abc", "readme.txt": "no xml here"}),
    "bad manifest": _with("manifest.xml", "<EpExport><Objects>"),
    "empty manifest": _with("manifest.xml", "<EpExport><Objects/></EpExport>"),
    "doctype": _with("manifest.xml", '<!DOCTYPE x [<!ENTITY e "x">]><EpExport/>'),
    "object missing": _without("objects/9001.xml"),
    "bad object xml": _with("objects/9001.xml", "<EpObject><Name>x</EpObject>"),
    "unknown type": _with("objects/9001.xml", _valid_parts()["objects/9001.xml"]
                          .replace("<ObjectTypeId>310", "<ObjectTypeId>999")),
    "file missing": _without("files/9001/f.txt"),
    "size mismatch": _with("files/9001/f.txt", b"abcd"),
    "no name": _with("objects/9001.xml", _valid_parts()["objects/9001.xml"]
                     .replace("<Name>F</Name>", "")),
    # corrupt deflate data (zlib.error): in an XML file, in a file's bytes, in a member of a
    # package of another layout that is not imported: Aborted, never a 500
    "corrupt manifest": corrupt_deflate(deflated_zip(_valid_parts()), "manifest.xml"),
    "corrupt file": corrupt_deflate(deflated_zip(_valid_parts()), "files/9001/f.txt"),
    "corrupt other member": corrupt_deflate(deflated_zip({"a.xml": "<a/>", "img.bin": b"x" * 500}),
                                            "img.bin"),
}


def test_malformed_packages_abort_and_create_nothing(client):
    (task,) = start_import(client, make_zip(_valid_parts())).json()  # the baseline imports
    assert wait_status(client.get, f"{EP}/import/{task}/status") == 2
    assert [o["FileName"] for o in listed(client, "3")] == ["f.txt"]
    tasks = {}
    for label, content in MALFORMED.items():
        r = start_import(client, content, targets=("101",))
        assert r.status_code == 200, (label, r.text)
        tasks[label] = r.json()[0]
    ada = token_for(client, "101")
    for label, task in tasks.items():
        assert wait_status(client.get, f"{EP}/import/{task}/status", ada) == 1, label
        assert job(client, task)["data"]["Reason"], label
    assert listed(client, "101") == []
    assert "not a zip" in job(client, tasks["not a zip"])["data"]["Reason"]
    assert "files/9001/f.txt" in job(client, tasks["file missing"])["data"]["Reason"]
    for label in ("corrupt manifest", "corrupt file", "corrupt other member"):
        assert "cannot be read" in job(client, tasks[label])["data"]["Reason"], label
    left = [u for u in os.listdir(client.app.state.emu.store.upload_dir)
            if u.startswith(("incoming-", "ep-import-"))]
    assert left == []


def test_import_job_outcome_fault(client):
    new_link(client)
    content = package(client, export_all(client)).content
    client.post("/_emulator/faults", json={"path": "/import/new$", "job_outcome": "Aborted"})
    (task,) = start_import(client, content).json()
    assert wait_status(client.get, f"{EP}/import/{task}/status") == 1
    assert len(listed(client, "3")) == 1
    client.post("/_emulator/faults", json={"path": "/import/new$", "job_outcome": "3"})
    (task,) = start_import(client, content).json()
    assert wait_status(client.get, f"{EP}/import/{task}/status") == 3
    assert len(listed(client, "3")) == 2  # CompleteWithErrors still imports


# --- live server ------------------------------------------------------------------------------
def test_live_export_package_survives_a_restart(live_factory, tmp_path):
    state_file = str(tmp_path / "state.json")
    a = live_factory("--state-file", state_file, "--job-duration", "0.2")
    data = os.urandom(300_000)
    art = requests.post(a.url + f"{EP}/artifacts/file/upload", headers=BEARER,
                        files={"file": ("blob.bin", data, "application/octet-stream")}).json()
    task = requests.post(a.url + f"{EP}/export/new", headers=BEARER,
                         json=[art["ObjectId"]]).json()
    assert wait_status(requests.get, a.url + f"{EP}/export/{task}/status") == 2
    first = requests.get(a.url + f"{EP}/export/{task}/package", headers=BEARER, stream=True)
    assert first.status_code == 200 and NAME_RE.match(first.headers["Content-Disposition"])
    body = first.raw.read()
    assert int(first.headers["Content-Length"]) == len(body)
    a.stop()
    b = live_factory("--state-file", state_file, "--job-duration", "0.2")
    again = requests.get(b.url + f"{EP}/export/{task}/package", headers=BEARER)
    assert again.content == body
    r = requests.post(b.url + f"{EP}/import/new", headers=BEARER,
                      files=[("file", ("p.zip", body, "application/zip")),
                             ("targetUsers", (None, "103"))])
    (imported,) = r.json()
    alan = {"Authorization": "Bearer " + requests.post(
        b.url + "/_emulator/tokens", json={"user": "103"}).json()["access_token"]}
    assert wait_status(requests.get, b.url + f"{EP}/import/{imported}/status", alan) == 2
    objs = requests.get(b.url + "/_emulator/eportfolio/objects", params={"user": "103"}).json()
    assert objs[0]["Sha256"] == hashlib.sha256(data).hexdigest()
    assert link_body()["ObjectId"] == 0  # (helper shared with test_eportfolio)
