# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course copy jobs, course import jobs, settling, content records and callbacks."""
import http.server
import json
import os
import threading
import time

import pytest
import requests

from brightspace_emulator import Config, create_app
from brightspace_emulator.coursejobs import COURSE_COMPONENTS
from brightspace_emulator.packages import analyse_package
from brightspace_emulator.scopes import TABLE_SCOPES
from conftest import BEARER, LP, corrupt_deflate, deflated_zip, make_offering, make_template, offering_body
from emu_helpers import assert_errors, assert_problem, make_zip
from emu_helpers import client, clock  # noqa: F401  pylint: disable=unused-import

LE = "/d2l/api/le/1.74"
UNSTABLE = "/d2l/api/le/unstable"
PACKAGES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "packages")


# --- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture
def app():
    return create_app(Config(job_duration=0.3))


@pytest.fixture
def courses(client):
    """(template id, offering id, second offering id)."""
    tpl = make_template(client)
    tid = int(tpl["Identifier"])
    a = int(make_offering(client, tid, "CRS1")["Identifier"])
    b = int(make_offering(client, tid, "CRS2")["Identifier"])
    return tid, a, b


def copy_url(target, token=""):
    return f"{LE}/import/{target}/copy/{token}"


def import_url(target, token=""):
    return f"{UNSTABLE}/import/{target}/imports/{token}"


def start_copy(client, target, source, **extra):
    r = client.post(copy_url(target), headers=BEARER, json={"SourceOrgUnitId": source, **extra})
    assert r.status_code == 202, r.text
    return r.json()["JobToken"]


def upload(client, target, name, content, query="", headers=None):
    return client.post(import_url(target) + query, headers=headers or BEARER,
                       files={"file": (name, content, "application/zip")})


def start_import(client, target, name, content, query=""):
    r = upload(client, target, name, content, query)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"JobToken"}
    return r.json()["JobToken"]


def wait_final(get, url, finals, timeout=5.0):
    deadline = time.time() + timeout
    while True:
        r = get(url, headers=BEARER)
        assert r.status_code == 200, r.text
        if r.json()["Status"] in finals:
            return r.json()
        assert time.time() < deadline, r.json()
        time.sleep(0.05)


COPY_FINAL = ("COMPLETE", "FAILED", "CANCELLED")
IMPORT_FINAL = ("COMPLETED", "IMPORTFAILED")


def package(name):
    with open(os.path.join(PACKAGES, name), "rb") as fh:
        return fh.read()


CC_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cc1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
          xmlns:lom="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion></metadata>
  <organizations>
    <organization identifier="org" structure="rooted-hierarchy">
      <title>Cartridge Course</title>
      <item identifier="root"><item identifier="i1" identifierref="r1"><title>Page</title></item></item>
    </organization>
  </organizations>
  <resources><resource identifier="r1" type="webcontent" href="page.html">
    <file href="page.html"/></resource></resources>
</manifest>
"""


def cc_package():
    return make_zip({"imsmanifest.xml": CC_MANIFEST, "page.html": "<p>hi</p>"})


class Receiver:
    """A real HTTP callback receiver on 127.0.0.1 (http.server in a thread)."""

    def __init__(self, status=200):
        self.posts = []
        self.status = status
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.posts.append({"path": self.path, "body": json.loads(body),
                                       "content_type": self.headers.get("Content-Type")})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait(self, count, timeout=5.0):
        deadline = time.time() + timeout
        while len(self.posts) < count:
            assert time.time() < deadline, self.posts
            time.sleep(0.02)
        return self.posts

    def for_token(self, token):
        return [p for p in self.posts if p["body"]["JobToken"] == token]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def job_data(client, token):
    jobs = client.get("/_emulator/state").json()["jobs"]
    return next(j for j in jobs if j["id"] == token)


# --- copy jobs --------------------------------------------------------------------------------
def test_copy_statuses_and_content(client, courses, clock):
    tid, target, _other = courses
    token = start_copy(client, target, tid)
    seen = []
    for t in (0, 0.1, 0.2, 0.29, 0.31, 5):
        clock.at(t)
        seen.append(client.get(copy_url(target, token), headers=BEARER).json())
    assert seen == [{"Status": s} for s in
                    ("PENDING", "PENDING", "PROCESSING", "PROCESSING", "COMPLETE", "COMPLETE")]
    content = client.get(f"/_emulator/courses/{target}/content").json()
    assert sorted(content["components"]) == sorted(COURSE_COMPONENTS) and len(COURSE_COMPONENTS) == 31
    assert content["components"]["Grades"] == {"SourceOrgUnitId": tid, "JobToken": token}
    assert content["copies"] == [{"JobToken": token, "SourceOrgUnitId": tid, "Components": None}]
    assert content["imports"] == []
    state = client.get("/_emulator/state").json()
    assert state["course_content"][str(target)] == content  # settled once, however often read
    job = next(j for j in state["jobs"] if j["id"] == token)
    assert job["kind"] == "copy" and job["settled"] is True and job["data"] == {
        "SourceOrgUnitId": tid, "TargetOrgUnitId": target, "Components": None,
        "CallbackUrl": None}


def test_copy_selected_components_from_an_offering(client, courses):
    _tid, target, source = courses
    token = start_copy(client, target, source, Components=["Dropbox", "Grades", "Rubrics"],
                       CallbackUrl=None)
    assert wait_final(client.get, copy_url(target, token), COPY_FINAL) == {"Status": "COMPLETE"}
    content = client.get(f"/_emulator/courses/{target}/content").json()
    assert sorted(content["components"]) == ["Dropbox", "Grades", "Rubrics"]
    assert content["copies"][0]["Components"] == ["Dropbox", "Grades", "Rubrics"]
    # a second copy adds to the record; the latest source wins per component
    tid = courses[0]
    token2 = start_copy(client, target, tid, Components=["Grades"])
    wait_final(client.get, copy_url(target, token2), COPY_FINAL)
    content = client.get(f"/_emulator/courses/{target}/content").json()
    assert content["components"]["Grades"] == {"SourceOrgUnitId": tid, "JobToken": token2}
    assert content["components"]["Dropbox"]["SourceOrgUnitId"] == source
    assert [c["JobToken"] for c in content["copies"]] == [token, token2]
    # the background settler applies the effect without any status GET
    token3 = start_copy(client, source, target, Components=["News"])
    deadline = time.time() + 5
    while not client.get(f"/_emulator/courses/{source}/content").status_code == 200:
        assert time.time() < deadline
        time.sleep(0.05)
    assert job_data(client, token3)["settled"] is True


def test_copy_request_errors(client, courses):
    tid, target, source = courses

    def post(body, ou=target):
        return client.post(copy_url(ou), headers=BEARER, json=body)

    assert_errors(post({"SourceOrgUnitId": 999999}), 400, "Source org unit not found")
    assert_errors(post({"SourceOrgUnitId": 6606}), 400, "Source org unit not found")
    dept = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": 201, "Name": "Dept", "Code": "DEPT", "Parents": [6606]}).json()
    assert_errors(post({"SourceOrgUnitId": int(dept["Identifier"])}), 400, "Source")
    assert client.post(f"{LP}/orgstructure/recyclebin/{source}/recycle", headers=BEARER).status_code == 200
    assert_errors(post({"SourceOrgUnitId": source}), 400, "Source org unit not found")
    assert_problem(post({"SourceOrgUnitId": tid}, ou=999999), 404, "Target org unit not found")
    assert_problem(post({"SourceOrgUnitId": tid}, ou=tid), 404, "Target org unit not found")
    assert_problem(post({"SourceOrgUnitId": tid}, ou=source), 404)  # recycled target
    assert_errors(post({"SourceOrgUnitId": tid, "Components": []}), 400,
                  "Invalid (empty) course component list")
    r = post({"SourceOrgUnitId": tid, "Components": ["Content", "Gradebook", "content"]})
    assert_errors(r, 400, "'Gradebook', 'content'")
    assert "'Content'" not in r.json()["Errors"][0]["Message"]
    for url in ("", "/callback", "ftp://127.0.0.1/cb", "http://", "http://host:bad/", "cb.example"):
        assert_errors(post({"SourceOrgUnitId": tid, "CallbackUrl": url}), 400, "CallbackUrl")
    # block validation: problem+json
    assert_problem(post({"SourceOrgUnitId": str(tid)}), 400, "SourceOrgUnitId")
    assert_problem(post({"Components": None}), 400, "SourceOrgUnitId")
    assert_problem(post({"SourceOrgUnitId": tid, "Extra": 1}), 400, "Extra")
    assert_problem(post({"SourceOrgUnitId": tid, "Components": [1]}), 400, "Components")
    # versions: 1.4 unsupported, "unstable" is not a copy version
    r = client.post(f"/d2l/api/le/1.4/import/{target}/copy/", headers=BEARER,
                    json={"SourceOrgUnitId": tid})
    assert_errors(r, 404)
    r = client.post(f"{UNSTABLE}/import/{target}/copy/", headers=BEARER,
                    json={"SourceOrgUnitId": tid})
    assert_errors(r, 404)
    assert client.get("/_emulator/state").json()["jobs"] == []


def test_copy_status_errors(client, courses):
    tid, target, other = courses
    token = start_copy(client, target, other)
    assert client.get(copy_url(target, token), headers=BEARER).status_code == 200
    assert_errors(client.get(copy_url(target, "nosuchtoken"), headers=BEARER), 404, "No such")
    assert_errors(client.get(copy_url(other, token), headers=BEARER), 404)  # another course
    assert_problem(client.get(copy_url(tid, token), headers=BEARER), 404)  # not an offering
    assert_problem(client.get(copy_url(999999, token), headers=BEARER), 404)
    imp = start_import(client, target, "cc.zip", cc_package())
    assert_errors(client.get(copy_url(target, imp), headers=BEARER), 404)  # an import job
    assert client.get(f"/d2l/api/le/1.4/import/{target}/copy/{token}",
                      headers=BEARER).status_code == 404
    # the reference's 404 list includes a source that no longer exists
    token2 = start_copy(client, target, tid)
    assert client.delete(f"{LP}/courses/{other}", headers=BEARER).status_code == 200
    assert_problem(client.get(copy_url(target, token), headers=BEARER), 404, "Source")
    assert client.get(copy_url(target, token2), headers=BEARER).status_code == 200


@pytest.mark.parametrize("outcome", ["FAILED", "CANCELLED"])
def test_forced_copy_outcome_leaves_no_content(client, courses, outcome):
    tid, target, _other = courses
    r = client.post("/_emulator/faults", json={"method": "POST", "path": "/copy/$",
                                               "job_outcome": outcome})
    assert r.status_code == 200
    token = start_copy(client, target, tid)
    assert wait_final(client.get, copy_url(target, token), COPY_FINAL) == {"Status": outcome}
    state = client.get("/_emulator/state").json()
    assert state["course_content"] == {}
    assert next(j for j in state["jobs"] if j["id"] == token)["settled"] is True
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 404
    # the fault was used up: the next copy completes
    token = start_copy(client, target, tid, Components=["Faq"])
    assert wait_final(client.get, copy_url(target, token), COPY_FINAL) == {"Status": "COMPLETE"}


def test_scopes(client, courses):
    """SCOPES.md: import:job:create / import:job:fetch for the import routes; the copy routes
    are not in the table, so only core:*:* reaches them."""
    tid, target, _other = courses

    def bearer(scope):
        token = client.post("/_emulator/tokens", json={"scope": scope}).json()["access_token"]
        return {"Authorization": "Bearer " + token}

    h_fetch, h_create = bearer("import:job:fetch"), bearer("import:job:create")
    h_specific = bearer(" ".join(TABLE_SCOPES))  # every specific scope, not core:*:*
    assert_problem(client.post(copy_url(target), headers=h_specific, json={"SourceOrgUnitId": tid}),
                   403, "requires the scope 'core:*:*'")
    token = start_copy(client, target, tid)
    assert_problem(client.get(copy_url(target, token), headers=h_specific), 403,
                   "requires the scope 'core:*:*'")
    assert client.get(copy_url(target, token), headers=BEARER).status_code == 200
    r = upload(client, target, "cc.zip", cc_package(), headers=h_fetch)
    assert_problem(r, 403, "requires the scope 'import:job:create' (or core:*:*)")
    r = upload(client, target, "cc.zip", cc_package(), headers=h_create)
    assert r.status_code == 200
    imp = r.json()["JobToken"]
    assert_problem(client.get(import_url(target, imp), headers=h_create), 403,
                   "requires the scope 'import:job:fetch' (or core:*:*)")
    assert client.get(import_url(target, imp), headers=h_fetch).status_code == 200
    assert client.get(copy_url(target, token)).status_code == 401


def test_reset_clears_content(client, courses):
    tid, target, _other = courses
    token = start_copy(client, target, tid, Components=["Content"])
    wait_final(client.get, copy_url(target, token), COPY_FINAL)
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 200
    assert client.post("/_emulator/reset").status_code == 200
    assert client.get("/_emulator/state").json()["course_content"] == {}
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 404


def test_deleting_a_course_drops_its_content(client, courses):
    """DELETE courses/(id) recycles (the course can be restored with its content); deleting it
    from the recycle bin drops the content."""
    tid, target, _other = courses
    token = start_copy(client, target, tid, Components=["Content"])
    wait_final(client.get, copy_url(target, token), COPY_FINAL)
    content = client.get(f"/_emulator/courses/{target}/content").json()
    assert client.delete(f"{LP}/courses/{target}", headers=BEARER).status_code == 200
    assert client.get(f"/_emulator/courses/{target}/content").json() == content
    assert client.delete(f"{LP}/orgstructure/recyclebin/{target}", headers=BEARER).status_code == 200
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 404


# --- import jobs ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,status,kind,title", [
    ("d2l-course-package.zip", "COMPLETED", "d2l", "d2l-course-package.zip"),
    ("singlesco_scorm12.zip", "COMPLETED", "scorm", "Golf Explained - CP Single SCO"),
    ("RuntimeBasicCalls_SCORM20043rdEdition.zip", "COMPLETED", "scorm",
     "Golf Explained - Run-time Basic Calls"),
    ("badscorm.zip", "IMPORTFAILED", None, None),
])
def test_import_real_packages(client, courses, name, status, kind, title):
    _tid, target, _other = courses
    content = package(name)
    token = start_import(client, target, name, content)
    body = wait_final(client.get, import_url(target, token), IMPORT_FINAL)
    assert body == {"JobToken": token, "TargetOrgUnitId": target, "Status": status}
    data = job_data(client, token)["data"]
    assert data["PackageType"] == kind and data["Size"] == len(content)
    with open(data["File"], "rb") as fh:
        assert fh.read() == content
    r = client.get(f"/_emulator/courses/{target}/content")
    if status == "COMPLETED":
        assert r.json()["imports"] == [{"JobToken": token, "PackageType": kind, "Title": title,
                                        "FileName": name, "Size": len(content)}]
        assert r.json()["components"] == {} and r.json()["copies"] == []
    else:
        assert r.status_code == 404
        assert "imsmanifest.xml" in data["Reason"]


@pytest.mark.parametrize("member", ["imsmanifest.xml", "page.html"])
def test_import_corrupt_deflate_data_fails(client, courses, member):
    """A package whose deflate data is corrupt (zlib.error while reading) ends IMPORTFAILED,
    never a 500: in the manifest or in any other member."""
    _tid, target, _other = courses
    content = corrupt_deflate(deflated_zip({"imsmanifest.xml": CC_MANIFEST,
                                            "page.html": "<p>hi</p>" * 50}), member)
    token = start_import(client, target, "broken.imscc", content)
    body = wait_final(client.get, import_url(target, token), IMPORT_FINAL)
    assert body["Status"] == "IMPORTFAILED"
    reason = job_data(client, token)["data"]["Reason"]
    assert reason.startswith("the package cannot be read") and "invalid block type" in reason
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 404


def test_import_statuses_ims_cc(client, courses, clock):
    _tid, target, _other = courses
    token = start_import(client, target, "cartridge.imscc", cc_package())
    seen = []
    for t in (0, 0.1, 0.16, 0.26, 0.31):
        clock.at(t)
        seen.append(client.get(import_url(target, token), headers=BEARER).json()["Status"])
    assert seen == ["UPLOADING", "PROCESSING", "PROCESSED", "IMPORTING", "COMPLETED"]
    imports = client.get(f"/_emulator/courses/{target}/content").json()["imports"]
    assert imports[0]["PackageType"] == "ims-cc" and imports[0]["Title"] == "Cartridge Course"


def test_import_not_a_zip_fails(client, courses, clock):
    _tid, target, _other = courses
    token = start_import(client, target, "notes.txt", b"just some text, not a zip")
    seen = []
    for t in (0, 0.2, 0.31):
        clock.at(t)
        seen.append(client.get(import_url(target, token), headers=BEARER).json()["Status"])
    assert seen == ["UPLOADING", "PROCESSING", "IMPORTFAILED"]
    data = job_data(client, token)["data"]
    assert data["Reason"] == "the package is not a zip file"
    assert client.get("/_emulator/state").json()["course_content"] == {}


def test_forced_importfailed(client, courses):
    _tid, target, _other = courses
    client.post("/_emulator/faults", json={"path": "/imports/$", "job_outcome": "IMPORTFAILED"})
    token = start_import(client, target, "cc.zip", cc_package())
    assert wait_final(client.get, import_url(target, token), IMPORT_FINAL)["Status"] == \
        "IMPORTFAILED"
    assert client.get(f"/_emulator/courses/{target}/content").status_code == 404


def test_import_request_errors(client, courses):
    tid, target, other = courses
    cc = cc_package()
    # a numbered version that is not supported (the versioned contract: test_strict_readings.py)
    for version in ("1.4", "1.75", "2.0"):
        r = client.post(f"/d2l/api/le/{version}/import/{target}/imports/", headers=BEARER,
                        files={"file": ("cc.zip", cc, "application/zip")})
        assert_errors(r, 404)
    # the part must be a file part named "file"
    r = client.post(import_url(target), headers=BEARER,
                    files={"package": ("cc.zip", cc, "application/zip")})
    assert_errors(r, 400, "form part named 'file'")
    r = client.post(import_url(target), headers=BEARER, data={"file": "not a file"},
                    files={"other": ("x.txt", b"x", "text/plain")})
    assert_errors(r, 400, "form part named 'file'")
    r = client.post(import_url(target), headers={**BEARER, "Content-Type": "application/zip"},
                    content=cc)
    assert_errors(r, 400, "form part named 'file'")
    r = client.post(import_url(target), headers={
        **BEARER, "Content-Type": "multipart/form-data; boundary=XYZ"},
        content=b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\r\n"
                b"\r\npartial")
    assert_errors(r, 400, "Malformed")
    # target
    assert_problem(upload(client, 999999, "cc.zip", cc), 404, "Target org unit not found")
    assert_problem(upload(client, tid, "cc.zip", cc), 404, "Target org unit not found")
    # callbackUrl
    for bad in ("", "ftp://127.0.0.1/x", "/relative"):
        r = upload(client, target, "cc.zip", cc, query="?callbackUrl=" + bad)
        assert_errors(r, 400, "callbackUrl")
    assert client.get("/_emulator/state").json()["jobs"] == []
    assert [f for f in os.listdir(client.app.state.emu.store.upload_dir)
            if f.startswith("import-")] == []
    # status route
    token = start_import(client, target, "cc.zip", cc)
    assert_errors(client.get(import_url(target, "nosuchtoken"), headers=BEARER), 404)
    assert_errors(client.get(import_url(other, token), headers=BEARER), 404)
    assert_problem(client.get(import_url(tid, token), headers=BEARER), 404)
    assert client.get(f"/d2l/api/le/1.4/import/{target}/imports/{token}",
                      headers=BEARER).status_code == 404
    copy = start_copy(client, target, tid)
    assert_errors(client.get(import_url(target, copy), headers=BEARER), 404)


def test_analyse_package_refusals(tmp_path):
    def analyse(files):
        path = tmp_path / "p.zip"
        path.write_bytes(make_zip(files))
        return analyse_package(str(path), "p.zip")

    r = analyse({"imsmanifest.xml": '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "y">]>'
                                    "<manifest>&x;</manifest>"})
    assert not r["ok"] and "DOCTYPE" in r["Reason"]
    r = analyse({"imsmanifest.xml": "<manifest><unclosed></manifest>"})
    assert not r["ok"] and "well-formed" in r["Reason"]
    r = analyse({"IMSManifest.xml": CC_MANIFEST})
    assert not r["ok"] and "no imsmanifest.xml" in r["Reason"]
    r = analyse({"imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1">'
                                    "<organizations/></manifest>"})
    assert not r["ok"] and r["Reason"].startswith("unrecognised package")
    r = analyse({"imsmanifest.xml": "<manifest><metadata><schema>ADL SCORM</schema></metadata>"
                                    "</manifest>"})
    assert r == {"ok": True, "PackageType": "scorm", "Title": "p.zip", "Reason": None}
    r = analyse({"imsmanifest.xml": '<manifest xmlns:d="http://desire2learn.com/xsd/d2lcp_v2p0">'
                                    "<organizations><organization><title>T</title>"
                                    "</organization></organizations></manifest>"})
    assert r["PackageType"] == "d2l" and r["Title"] == "T"


# --- callbacks --------------------------------------------------------------------------------
def test_copy_callback_sent_once(client, courses, receiver):
    tid, target, _other = courses
    url = receiver.url + "/hooks/copy?run=42&tag=a%20b"
    token = start_copy(client, target, tid, Components=["Content"], CallbackUrl=url)
    posts = receiver.wait(1)  # sent by the background settler: no status GET needed
    assert posts[0]["path"] == "/hooks/copy?run=42&tag=a%20b"
    assert posts[0]["content_type"] == "application/json"
    assert posts[0]["body"] == {"JobToken": token, "SourceOrgUnitId": tid,
                                "TargetOrgUnitId": target, "Status": "COMPLETE"}
    for _index in range(3):
        assert client.get(copy_url(target, token), headers=BEARER).json() == {"Status": "COMPLETE"}
        client.get("/_emulator/state")
    time.sleep(0.5)
    assert len(receiver.posts) == 1
    assert job_data(client, token)["data"]["callback"] == {"url": url, "sent": True,
                                                           "status": 200, "error": None}


def test_import_callback_failures_are_recorded(client, courses, receiver):
    _tid, target, _other = courses
    receiver.status = 500
    url = receiver.url + "/cb"
    token = start_import(client, target, "bad.zip", package("badscorm.zip"),
                         query="?callbackUrl=" + requests.utils.quote(url, safe=""))
    posts = receiver.wait(1)
    assert posts[0]["body"] == {"JobToken": token, "TargetOrgUnitId": target,
                                "Status": "IMPORTFAILED"}
    deadline = time.time() + 5
    while job_data(client, token)["data"]["callback"]["status"] is None:
        assert time.time() < deadline
        time.sleep(0.05)
    callback = job_data(client, token)["data"]["callback"]
    assert callback["status"] == 500 and "500" in callback["error"] and callback["sent"] is True
    time.sleep(0.4)
    assert len(receiver.posts) == 1  # not retried


def test_unreachable_callback_is_recorded(client, courses):
    tid, target, _other = courses
    receiver = Receiver()
    url = receiver.url + "/gone"
    receiver.close()  # nothing listens there any more
    token = start_copy(client, target, tid, CallbackUrl=url)
    wait_final(client.get, copy_url(target, token), COPY_FINAL)
    deadline = time.time() + 5
    while job_data(client, token)["data"]["callback"]["error"] is None:
        assert time.time() < deadline
        time.sleep(0.05)
    callback = job_data(client, token)["data"]["callback"]
    assert callback["status"] is None and callback["sent"] is True


def test_settling_survives_restart(live_factory, tmp_path, receiver):
    state_file = str(tmp_path / "state.json")
    # the job duration is fixed at creation: 1 s leaves time to stop A before job 2 ends
    a = live_factory("--state-file", state_file, "--job-duration", "1")
    tpl = requests.post(a.url + f"{LP}/coursetemplates/", headers=BEARER, json={
        "Name": "T", "Code": "TPL", "Path": "", "ParentOrgUnitIds": [6606]}).json()
    tid = int(tpl["Identifier"])
    target = int(requests.post(a.url + f"{LP}/courses/", headers=BEARER,
                               json=offering_body(tid, "CRS")).json()["Identifier"])
    r = requests.post(a.url + copy_url(target), headers=BEARER, json={
        "SourceOrgUnitId": tid, "Components": ["Content"], "CallbackUrl": receiver.url + "/one"})
    first = r.json()["JobToken"]
    receiver.wait(1)
    wait_final(lambda url, headers: requests.get(a.url + url, headers=headers),
               copy_url(target, first), COPY_FINAL)
    # a second job is still running when the emulator stops
    r = requests.post(a.url + copy_url(target), headers=BEARER, json={
        "SourceOrgUnitId": tid, "Components": ["News"], "CallbackUrl": receiver.url + "/two"})
    second = r.json()["JobToken"]
    a.stop()
    assert receiver.for_token(second) == []
    b = live_factory("--state-file", state_file, "--job-duration", "0.5")
    receiver.wait(2)  # the restarted emulator settles the second job by itself
    for token in (first, second):
        wait_final(lambda url, headers: requests.get(b.url + url, headers=headers),
                   copy_url(target, token), COPY_FINAL)
    requests.get(b.url + "/_emulator/state")
    time.sleep(0.6)
    assert len(receiver.for_token(first)) == 1 and len(receiver.for_token(second)) == 1
    content = requests.get(b.url + f"/_emulator/courses/{target}/content").json()
    assert [c["JobToken"] for c in content["copies"]] == [first, second]
    assert sorted(content["components"]) == ["Content", "News"]
