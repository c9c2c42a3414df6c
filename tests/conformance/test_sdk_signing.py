# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""D2L's Python SDK (``d2lvalence``): every route of ROUTES.txt, signed with ID-key by the SDK
three ways (its requests ``AuthBase``, ``create_authenticated_url``, and
``decorate_url_with_authentication``), gets the answer the reference documents.

Library behaviour recorded here (the SDK, not the emulator):
- ``decorate_url_with_authentication`` (also what the ``AuthBase`` calls) re-reads the query
  with ``urllib.parse.parse_qs`` without ``keep_blank_values``: an empty parameter such as the
  LR search's ``query=`` is DROPPED from the URL it signs and sends. The emulator answers what
  the page says for a missing parameter (an ERROR naming it): see
  ``test_sdk_drops_empty_query_parameters``.
- ``_build_tokens_for_path`` refuses a path with a character outside its URL-path set (a raw
  space, ``"``, ...): ``ValueError``; a space must be sent encoded (``%20``, or ``+``).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

import pytest
import requests

from conformance_helpers import (SIGNING, WHOAMI_KEYS, errors, lr_error, lr_ok, scorm_zip,
                                 sdk_request, unique, wait_json)
from world import LOCAL_REPOSITORY, ORGANIZATION, World, make_zip, zip_names

COURSE_OFFERING = {"Identifier", "Name", "Code", "IsActive", "Path", "StartDate", "EndDate",
                   "CourseTemplate", "Semester", "Department"}
COURSE_TEMPLATE = {"Identifier", "Code", "Name", "Path"}
SCHEMA_ELEMENT = {"Type", "IsNotAllowed", "IsRequired"}
EP_BASE = {"ObjectId", "Name", "Description", "AllowComments", "UserId", "ObjectTypeId",
           "ViewLink", "CommentsCount", "HasUnreadComments", "Created", "Modified", "GeoTag",
           "Tags", "Comments", "Permissions"}
FILE_ARTIFACT = EP_BASE | {"FileSize", "FileName", "Extension", "UploadKey"}
URL_ARTIFACT = EP_BASE | {"Url"}
LR_PROPERTIES = {"RepositoryId", "Status", "HiddenFromSearchResults", "PublicallyAvailable",
                 "IdentId", "Version", "URL", "Title", "Description", "OwnerId", "Keywords",
                 "Type"}
JOBSTATUS = (0, 1, 2, 3, 4)
COPYJOBSTATUS = ("PENDING", "PROCESSING", "COMPLETE", "FAILED", "CANCELLED")
IMPORTJOBSTATUS = ("UPLOADING", "PROCESSING", "PROCESSED", "IMPORTING", "IMPORTFAILED",
                   "COMPLETED")


def version_tuple(version: str) -> tuple:
    return tuple(int(p) for p in version.split("."))


def offering_keys(lp: str) -> set:
    keys = set(COURSE_OFFERING)
    if version_tuple(lp) >= (1, 26):
        keys.add("Description")  # evidence: models.LP_FIELD_SINCE in the emulator
    if version_tuple(lp) >= (1, 27):
        keys.add("CanSelfRegister")
    return keys


@pytest.fixture(scope="module")
def world(emulator):
    return World(emulator)


@pytest.fixture
def ctx(target):
    return target.sdk_context()


class Sender:
    """``send(method, path, params=..., **requests kwargs)`` signed by the SDK in one mode."""

    def __init__(self, target, ctx, mode):
        self.target, self.ctx, self.mode = target, ctx, mode

    def __call__(self, method, path, params=None, **kwargs):
        return sdk_request(self.target, self.ctx, self.mode, method, path, params, **kwargs)


@dataclass
class Case:
    route: str  # exactly as ROUTES.txt writes it: "METHOD /d2l/api/..."
    run: Callable  # run(send, target, world)
    readonly: bool = False


CASES = []


def case(route: str, readonly: bool = False):
    def register(func):
        CASES.append(Case(route, func, readonly))
        return func
    return register


# --- supporting routes (ROUTES.txt, second part) ----------------------------------------------
@case("GET /d2l/api/versions/", readonly=True)
def _versions(send, t, w):
    r = send("GET", "/d2l/api/versions/")
    assert r.status_code == 200, r.text
    products = {p["ProductCode"]: p for p in r.json()}
    assert {"lp", "le", "eP", "lr"} <= set(products)
    for product in products.values():
        assert set(product) >= {"ProductCode", "LatestVersion", "SupportedVersions"}
        assert product["LatestVersion"] in product["SupportedVersions"]


@case("GET /d2l/api/lp/(version)/users/whoami", readonly=True)
def _whoami(send, t, w):
    r = send("GET", t.route("lp", "users/whoami"))
    assert r.status_code == 200, r.text
    assert WHOAMI_KEYS <= set(r.json()) and r.json()["Identifier"].isdigit()
    if t.emulator:
        assert set(r.json()) == WHOAMI_KEYS and r.json()["Identifier"] == "3"


@case("GET /d2l/api/lp/(version)/outypes/", readonly=True)
def _outypes(send, t, w):
    r = send("GET", t.route("lp", "outypes/"))
    assert r.status_code == 200, r.text
    codes = {o["Code"] for o in r.json()}
    assert {"Organization", "Course Offering", "Course Template"} <= codes


def _organization_type(send, t) -> int:
    types = send("GET", t.route("lp", "outypes/")).json()
    return next(o["Id"] for o in types if o["Code"] == "Organization")


@case("GET /d2l/api/lp/(version)/orgstructure/?exactOrgUnitCode=&orgUnitType=", readonly=True)
def _orgstructure_lookup(send, t, w):
    org_type = _organization_type(send, t)
    r = send("GET", t.route("lp", "orgstructure/"), params={"orgUnitType": org_type})
    assert r.status_code == 200, r.text
    (org,) = r.json()["Items"]
    assert set(r.json()) == {"PagingInfo", "Items"}
    assert {"Identifier", "Name", "Code", "Type", "Path"} <= set(org)
    r = send("GET", t.route("lp", "orgstructure/"),
             params={"exactOrgUnitCode": org["Code"], "orgUnitType": org_type})
    assert [u["Identifier"] for u in r.json()["Items"]] == [org["Identifier"]]
    r = send("GET", t.route("lp", "orgstructure/"),
             params={"exactOrgUnitCode": org["Code"] + "-no-such", "orgUnitType": org_type})
    assert r.json()["Items"] == []


@case("POST /d2l/api/lp/(version)/orgstructure/")
def _orgstructure_create(send, t, w):
    types = {o["Code"]: o["Id"] for o in send("GET", t.route("lp", "outypes/")).json()}
    code = unique("SEM")
    r = send("POST", t.route("lp", "orgstructure/"), json={
        "Type": types["Semester"], "Name": "Semester " + code, "Code": code,
        "Parents": [ORGANIZATION]})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"Identifier", "Name", "Code", "Type"}


@case("GET /d2l/api/eP/(version)/objects/my/", readonly=True)
def _ep_objects_my(send, t, w):
    r = send("GET", t.route("eP", "objects/my/"), params={"pagesize": 5})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"PagingInfo", "Items"}


@case("POST /d2l/upload/(uploadKey)")
def _upload_data(send, t, w):
    r = send("POST", w.ep("artifacts/file/new"), headers={
        "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "6",
        "X-Upload-File-Name": "six.txt"})
    assert r.status_code == 308, r.text
    location = r.headers["Location"]
    assert re.match(r"^/d2l/upload/[A-Za-z0-9]+$", location)
    r = send("POST", location, data=b"abc", headers={"Content-Range": "bytes 0-2/6"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-2", r.headers
    r = send("POST", location, data=b"", headers={"Content-Range": "bytes */6"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-2"
    r = send("POST", location, data=b"def", headers={"Content-Range": "bytes 3-5/6"})
    assert r.status_code == 200, r.text


# --- courses.txt ------------------------------------------------------------------------------
@case("GET /d2l/api/lp/(version)/courses/schema", readonly=True)
def _course_schema(send, t, w):
    r = send("GET", t.route("lp", "courses/schema"))
    assert r.status_code == 200 and r.json(), r.text
    assert all(set(e) == SCHEMA_ELEMENT and set(e["Type"]) == {"Id", "Code", "Name"}
               for e in r.json())


@case("GET /d2l/api/lp/(version)/coursetemplates/schema", readonly=True)
def _template_schema(send, t, w):
    r = send("GET", t.route("lp", "coursetemplates/schema"))
    assert r.status_code == 200 and r.json(), r.text
    assert all(set(e) == SCHEMA_ELEMENT for e in r.json())


@case("POST /d2l/api/lp/(version)/coursetemplates/")
def _template_create(send, t, w):
    code = unique("TPL")
    r = send("POST", w.lp("coursetemplates/"), json={
        "Name": "T " + code, "Code": code, "Path": "", "ParentOrgUnitIds": [ORGANIZATION]})
    assert r.status_code == 200, r.text
    assert set(r.json()) == COURSE_TEMPLATE and r.json()["Code"] == code


@case("GET /d2l/api/lp/(version)/coursetemplates/(orgUnitId)")
def _template_get(send, t, w):
    r = send("GET", w.lp(f"coursetemplates/{w.template()}"))
    assert r.status_code == 200 and set(r.json()) == COURSE_TEMPLATE, r.text


@case("PUT /d2l/api/lp/(version)/coursetemplates/(orgUnitId)")
def _template_put(send, t, w):
    tid = w.template(fresh=True)
    code = unique("TPLU")
    r = send("PUT", w.lp(f"coursetemplates/{tid}"), json={"Name": "Renamed", "Code": code})
    assert r.status_code == 200 and r.content == b"", r.text
    assert t.api("GET", w.lp(f"coursetemplates/{tid}")).json()["Code"] == code


@case("DELETE /d2l/api/lp/(version)/coursetemplates/(orgUnitId)")
def _template_delete(send, t, w):
    tid = w.template(fresh=True)
    r = send("DELETE", w.lp(f"coursetemplates/{tid}"))
    assert r.status_code == 200, r.text
    t.api("GET", w.lp(f"coursetemplates/{tid}"), expect=404)


@case("POST /d2l/api/lp/(version)/courses/")
def _course_create(send, t, w):
    r = send("POST", w.lp("courses/"), json=w.offering_body(unique("CRS")))
    assert r.status_code == 200, r.text
    assert set(r.json()) == offering_keys(t.latest("lp"))


@case("GET /d2l/api/lp/(version)/courses/(orgUnitId)")
def _course_get(send, t, w):
    r = send("GET", w.lp(f"courses/{w.offering()}"))
    assert r.status_code == 200 and set(r.json()) == offering_keys(t.latest("lp")), r.text
    assert r.json()["CourseTemplate"]["Identifier"] == str(w.template())


@case("PUT /d2l/api/lp/(version)/courses/(orgUnitId)")
def _course_put(send, t, w):
    oid = w.offering(fresh=True)
    code = unique("CRSU")
    r = send("PUT", w.lp(f"courses/{oid}"), json={
        "Name": "Renamed", "Code": code, "StartDate": None, "EndDate": None, "IsActive": False})
    assert r.status_code == 200 and r.content == b"", r.text
    got = t.api("GET", w.lp(f"courses/{oid}")).json()
    assert (got["Code"], got["IsActive"], got["StartDate"]) == (code, False, None)


@case("DELETE /d2l/api/lp/(version)/courses/(orgUnitId)")
def _course_delete(send, t, w):
    oid = w.offering(fresh=True)
    assert send("DELETE", w.lp(f"courses/{oid}")).status_code == 200
    assert "Could not resolve" in t.api("GET", w.lp(f"courses/{oid}"), expect=404).json()["detail"]


@case("POST /d2l/api/le/(version)/import/(orgUnitId)/copy/")
def _copy_create(send, t, w):
    r = send("POST", w.le(f"import/{w.offering()}/copy/"),
             json={"SourceOrgUnitId": w.template(), "Components": ["Content"],
                   "CallbackUrl": None})
    assert r.status_code == 202 and set(r.json()) == {"JobToken"}, r.text


@case("GET /d2l/api/le/(version)/import/(orgUnitId)/copy/(jobToken)")
def _copy_get(send, t, w):
    target, token = w.copy_job()
    r = send("GET", w.le(f"import/{target}/copy/{token}"))
    assert r.status_code == 200 and set(r.json()) == {"Status"}, r.text
    assert r.json()["Status"] in COPYJOBSTATUS


# ROUTES.txt writes the import routes with (version): the page's only version for them is
# "unstable" and D2L's scope table writes a numbered one; the emulator serves both.
@case("POST /d2l/api/le/(version)/import/(orgUnitId)/imports/")
def _import_create(send, t, w):
    for version in ("unstable", t.latest("le")):
        r = send("POST", f"/d2l/api/le/{version}/import/{w.offering()}/imports/",
                 files={"file": ("course.zip", scorm_zip(), "application/zip")})
        assert r.status_code == 200 and set(r.json()) == {"JobToken"}, (version, r.text)


@case("GET /d2l/api/le/(version)/import/(orgUnitId)/imports/(jobToken)")
def _import_get(send, t, w):
    target, token = w.import_job()
    for version in ("unstable", t.latest("le")):
        r = send("GET", f"/d2l/api/le/{version}/import/{target}/imports/{token}")
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"JobToken", "TargetOrgUnitId", "Status"}
        assert r.json()["Status"] in IMPORTJOBSTATUS and r.json()["TargetOrgUnitId"] == target


# --- eportfolio-import-export.txt ------------------------------------------------------------
@case("POST /d2l/api/eP/(version)/export/new")
def _export_new(send, t, w):
    link = w.link()
    r = send("POST", w.ep("export/new"), json=[link["ObjectId"]],
             params={"includeFormsItems": "false", "includeAssociatedItems": "true"})
    assert r.status_code == 200 and isinstance(r.json(), int), r.text


@case("POST /d2l/api/eP/(version)/export/new/all")
def _export_all(send, t, w):
    w.link()
    r = send("POST", w.ep("export/new/all"), data=b"")
    assert r.status_code == 200 and isinstance(r.json(), int), r.text


@case("GET /d2l/api/eP/(version)/export/(exportId)/status")
def _export_status(send, t, w):
    task = t.api("POST", w.ep("export/new"), json=[w.link()["ObjectId"]]).json()
    status = wait_json(lambda: send("GET", w.ep(f"export/{task}/status")), lambda s: s == 2)
    assert status == 2


@case("GET /d2l/api/eP/(version)/export/(exportId)/package")
def _export_package(send, t, w):
    task = w.export_task()
    r = send("GET", w.ep(f"export/{task}/package"))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert re.match(r'^attachment; filename="eP_Export_[^_"]+_[^_"]+_\d{12}\.zip"$',
                    r.headers["Content-Disposition"])
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert any(n.endswith(".xml") for n in zip_names(r.content))


@case("POST /d2l/api/eP/(version)/import/new")
def _import_new(send, t, w):
    r = send("POST", w.ep("import/new"), files=[
        ("file", ("p.zip", w.package(), "application/zip")),
        ("targetUsers", (None, "3", "text/plain"))])
    assert r.status_code == 200 and len(r.json()) == 1 and isinstance(r.json()[0], int), r.text


@case("POST /d2l/api/eP/(version)/import/newwithdetails")
def _import_details(send, t, w):
    r = send("POST", w.ep("import/newwithdetails"), files=[
        ("file", ("p.zip", w.package(), "application/zip")),
        ("targetUsers", (None, "3", "text/plain")), ("targetUsers", (None, "424242"))])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"ImportJobResultType", "SuccessfulJobIds", "FailedUserIds",
                         "ErrorMessages"}
    assert len(body["SuccessfulJobIds"]) == 1 and body["FailedUserIds"] == [424242]
    assert len(body["ErrorMessages"]) == 1


@case("GET /d2l/api/eP/(version)/import/(importId)/status")
def _import_status(send, t, w):
    task = w.import_task()
    assert wait_json(lambda: send("GET", w.ep(f"import/{task}/status")),
                     lambda s: s == 2) == 2


# --- eportfolio-artifacts.txt ----------------------------------------------------------------
@case("POST /d2l/api/eP/(version)/artifacts/link/new")
def _link_new(send, t, w):
    r = send("POST", w.ep("artifacts/link/new"), json=w.link_body())
    assert r.status_code == 200 and set(r.json()) == URL_ARTIFACT, r.text
    assert r.json()["ObjectTypeId"] == 340


@case("POST /d2l/api/eP/(version)/artifact/link/(objectId)")
def _link_update(send, t, w):
    oid = w.link()["ObjectId"]
    r = send("POST", w.ep(f"artifact/link/{oid}"),
             json=w.link_body(oid, Name="Renamed", Url="https://community.d2l.com/"))
    assert r.status_code == 200 and r.json()["Url"] == "https://community.d2l.com/", r.text


@case("GET /d2l/api/eP/(version)/artifact/link/(objectId)")
def _link_get(send, t, w):
    oid = w.link()["ObjectId"]
    r = send("GET", w.ep(f"artifact/link/{oid}"), params={"c": "true"})
    assert r.status_code == 200 and set(r.json()) == URL_ARTIFACT, r.text


@case("GET /d2l/api/eP/(version)/artifact/(objectId)")
def _artifact_get(send, t, w):
    oid = w.link()["ObjectId"]
    r = send("GET", w.ep(f"artifact/{oid}"))
    assert r.status_code == 200 and r.json()["ObjectId"] == oid, r.text


@case("DELETE /d2l/api/eP/(version)/artifact/link/(objectId)")
def _link_delete(send, t, w):
    oid = w.link()["ObjectId"]
    assert send("DELETE", w.ep(f"artifact/link/{oid}")).status_code == 200
    t.api("GET", w.ep(f"artifact/{oid}"), expect=404)


@case("DELETE /d2l/api/eP/(version)/artifact/(objectId)")
def _artifact_delete(send, t, w):
    oid = w.file()["ObjectId"]
    assert send("DELETE", w.ep(f"artifact/{oid}")).status_code == 200
    t.api("GET", w.ep(f"artifact/{oid}"), expect=404)


@case("POST /d2l/api/eP/(version)/artifacts/file/upload")
def _file_upload(send, t, w):
    r = send("POST", w.ep("artifacts/file/upload"), params={"name": "Notes"},
             files={"file": ("notes.txt", b"hello", "text/plain")})
    assert r.status_code == 200 and set(r.json()) == FILE_ARTIFACT, r.text
    assert (r.json()["Name"], r.json()["FileName"], r.json()["FileSize"]) == \
        ("Notes", "notes.txt", 5)


@case("POST /d2l/api/eP/(version)/artifacts/file/new")
def _file_new(send, t, w):
    # the resumable initiation (308), then the FileArtifact that attaches the upload (200)
    r = send("POST", w.ep("artifacts/file/new"), headers={
        "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "4",
        "X-Upload-File-Name": "four.txt"})
    assert r.status_code == 308 and r.headers["Location"].startswith("/d2l/upload/"), r.text
    location = r.headers["Location"]
    send("POST", location, data=b"four", headers={"Content-Range": "bytes 0-3/4"})
    key = location.rsplit("/", 1)[1]
    r = send("POST", w.ep("artifacts/file/new"), json={
        "ObjectId": 0, "Name": "Four", "Description": "", "AllowComments": True,
        "GeoTag": None, "FileSize": 4, "FileName": "four.txt", "Extension": "txt",
        "UploadKey": key})
    assert r.status_code == 200 and r.json()["UploadKey"] == key, r.text


@case("GET /d2l/api/eP/(version)/artifact/file/(objectId)")
def _file_get(send, t, w):
    oid = w.file()["ObjectId"]
    r = send("GET", w.ep(f"artifact/file/{oid}"))
    assert r.status_code == 200 and set(r.json()) == FILE_ARTIFACT, r.text


@case("POST /d2l/api/eP/(version)/artifact/file/(objectId)")
def _file_update(send, t, w):
    art = w.file()
    body = {k: art[k] for k in ("ObjectId", "Description", "AllowComments", "GeoTag",
                                "FileSize", "FileName", "Extension", "UploadKey")}
    r = send("POST", w.ep(f"artifact/file/{art['ObjectId']}"), json=dict(body, Name="New"))
    assert r.status_code == 200 and r.json()["Name"] == "New", r.text


@case("DELETE /d2l/api/eP/(version)/artifact/file/(objectId)")
def _file_delete(send, t, w):
    oid = w.file()["ObjectId"]
    assert send("DELETE", w.ep(f"artifact/file/{oid}")).status_code == 200


# --- learning-repository.txt ------------------------------------------------------------------
@case("GET /d2l/api/lr/(version)/repositories/all/", readonly=True)
def _repositories_all(send, t, w):
    body = lr_ok(send("GET", t.route("lr", "repositories/all/")), {"Repositories"})
    assert all(set(r) == {"RepositoryId", "Name", "Description", "Type", "OrgId", "ObjectCount"}
               for r in body["Repositories"])


@case("GET /d2l/api/lr/(version)/repositories/(type)/", readonly=True)
def _repositories_type(send, t, w):
    body = lr_ok(send("GET", t.route("lr", "repositories/Local/")), {"Repositories"})
    assert all(r["Type"] == "Local" for r in body["Repositories"])


def _first_repository(send, t) -> int:
    repos = send("GET", t.route("lr", "repositories/all/")).json()["Repositories"]
    if not repos:
        pytest.skip("the tenant has no searchable repository")
    return repos[0]["RepositoryId"]


@case("GET /d2l/api/lr/(version)/repository/(repositoryId)/listorgUnittrusts/", readonly=True)
def _trusts(send, t, w):
    rid = _first_repository(send, t)
    body = lr_ok(send("GET", t.route("lr", f"repository/{rid}/listorgUnittrusts/")),
                 {"RepositoryTrusts"})
    for per_role in body["RepositoryTrusts"].values():
        for trust in per_role.values():
            assert len(trust) == 20 and all(k.startswith("Can") for k in trust)


@case("GET /d2l/api/lr/(version)/objects/search/", readonly=True)
def _search(send, t, w):
    rid = _first_repository(send, t)
    # a non-empty query: the SDK drops an empty one (the module docstring)
    r = send("GET", t.route("lr", "objects/search/"),
             params={"query": 'dc.title any "conformance quiz"', "offset": 0, "count": 5,
                     "repositories": str(rid)})
    body = lr_ok(r, {"TotalResults", "Results"})
    assert all(set(x) == {"RepositoryId", "IdentId", "Version", "URL", "Title", "OrgId",
                          "TypeId"} for x in body["Results"])


@case("PUT /d2l/api/lr/(version)/objects/")
def _lr_publish(send, t, w):
    r = send("PUT", w.lr("objects/"), params={"repositoryId": LOCAL_REPOSITORY},
             files={"Resource": ("module.zip", scorm_zip(), "application/zip")})
    body = lr_ok(r, {"IdentId", "Version"})
    assert body["Version"] == 1


@case("POST /d2l/api/lr/(version)/objects/(objectId)/")
def _lr_overwrite(send, t, w):
    ident = w.lr_object()
    r = send("POST", w.lr(f"objects/{ident}/"),
             files={"Resource": ("module.zip", scorm_zip("Second"), "application/zip")})
    assert lr_ok(r, {"IdentId", "Version"})["Version"] == 2


@case("GET /d2l/api/lr/(version)/objects/(objectId)/properties/")
def _lr_properties(send, t, w):
    body = lr_ok(send("GET", w.lr(f"objects/{w.lr_object()}/properties/")), LR_PROPERTIES)
    assert body["Version"] == 1 and body["Type"] == 1


@case("GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/properties/")
def _lr_version_properties(send, t, w):
    lr_ok(send("GET", w.lr(f"objects/{w.lr_object()}/1/properties/")), LR_PROPERTIES)


@case("POST /d2l/api/lr/(version)/objects/(objectId)/properties/")
def _lr_update_properties(send, t, w):
    ident = w.lr_object()
    r = send("POST", w.lr(f"objects/{ident}/properties/"), json=w.properties_input())
    lr_ok(r, set())
    assert t.api("GET", w.lr(f"objects/{ident}/properties/")).json()["Status"] == 3


@case("POST /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/properties/")
def _lr_update_version_properties(send, t, w):
    ident = w.lr_object()
    r = send("POST", w.lr(f"objects/{ident}/1/properties/"),
             json=w.properties_input(Title="Version one"))
    lr_ok(r, set())


@case("GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/metadata/")
def _lr_metadata(send, t, w):
    r = send("GET", w.lr(f"objects/{w.lr_object()}/1/metadata/"))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    assert b"http://purl.org/dc/elements/1.1/" in r.content


@case("GET /d2l/api/lr/(version)/objects/(objectId)/link/")
def _lr_link(send, t, w):
    assert lr_ok(send("GET", w.lr(f"objects/{w.lr_object()}/link/")), {"URL"})["URL"]


@case("GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/link/")
def _lr_version_link(send, t, w):
    assert lr_ok(send("GET", w.lr(f"objects/{w.lr_object()}/1/link/")), {"URL"})["URL"]


@case("GET /d2l/api/lr/(version)/objects/(objectId)/download/")
def _lr_download(send, t, w):
    r = send("GET", w.lr(f"objects/{w.lr_object()}/download/"))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert "imsmanifest.xml" in zip_names(r.content)  # an Asset comes as a SCORM package


@case("GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/download/")
def _lr_version_download(send, t, w):
    r = send("GET", w.lr(f"objects/{w.lr_object()}/1/download/"))
    assert r.status_code == 200 and zip_names(r.content)


@case("GET /d2l/api/lr/(version)/objects/(objectId)/downloadfile/")
def _lr_downloadfile(send, t, w):
    ident = w.lr_object(b"the asset's own bytes", "asset.txt")
    r = send("GET", w.lr(f"objects/{ident}/downloadfile/"))
    assert r.status_code == 200 and r.content == b"the asset's own bytes"
    assert 'filename="asset.txt"' in r.headers["Content-Disposition"]


@case("GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/downloadfile/")
def _lr_version_downloadfile(send, t, w):
    ident = w.lr_object(b"version one bytes", "asset.txt")
    r = send("GET", w.lr(f"objects/{ident}/1/downloadfile/"))
    assert r.status_code == 200 and r.content == b"version one bytes"


@case("POST /d2l/api/lr/(version)/objects/(objectId)/delete/")
def _lr_delete(send, t, w):
    ident = w.lr_object()
    lr_ok(send("POST", w.lr(f"objects/{ident}/delete/"), data=b""), set())
    assert "not found" in lr_error(t.api("GET", w.lr(f"objects/{ident}/properties/")))


@case("POST /d2l/api/lr/(version)/(repositoryId)/upload")
def _lr_initiate(send, t, w):
    r = send("POST", w.lr(f"{LOCAL_REPOSITORY}/upload"), headers={
        "X-Upload-Content-Type": "application/zip", "X-Upload-Content-Length": "10",
        "X-Upload-File-Name": "pkg.zip"})
    assert r.status_code == 308 and r.headers["Location"].startswith("/d2l/upload/"), r.text


@case("POST /d2l/api/lr/(version)/(repositoryId)/upload/publish")
def _lr_publish_upload(send, t, w):
    r = send("POST", w.lr(f"{LOCAL_REPOSITORY}/upload/publish"),
             data={"fileKey": w.lr_key(), "name": "module.zip"})
    assert lr_ok(r, {"IdentId", "Version"})["Version"] == 1


@case("PUT /d2l/api/lr/(version)/(repositoryId)/upload/publish/(objectId)")
def _lr_overwrite_upload(send, t, w):
    ident = w.lr_object()
    r = send("PUT", w.lr(f"{LOCAL_REPOSITORY}/upload/publish/{ident}"),
             data={"fileKey": w.lr_key()})
    assert lr_ok(r, {"IdentId", "Version"})["Version"] == 2


# --- the cases, each signed three ways ---------------------------------------------------------
def _params():
    for c in CASES:
        for mode in SIGNING:
            marks = [pytest.mark.readonly] if c.readonly else []
            yield pytest.param(c, mode, id=f"{mode}:{c.route}", marks=marks)


@pytest.mark.parametrize("the_case,mode", list(_params()))
def test_route(request, target, ctx, the_case, mode):
    world = None if the_case.readonly else request.getfixturevalue("world")
    the_case.run(Sender(target, ctx, mode), target, world)


# --- paths with escapes, signed as the SDK signs them ------------------------------------------
SEGMENTS = {  # the segment as sent -> as the route sees it (decoded once; "+" is a plus)
    "a+b": "a+b", "A%2Bb": "A+b", "100%25": "100%", "two%20words": "two words",
    "MiXeD%2bCase%25%20+x": "MiXeD+Case% +x", "%E2%82%AC": "\u20ac", "x%252B": "x%2B",
}


@pytest.mark.readonly
@pytest.mark.parametrize("mode", SIGNING)
@pytest.mark.parametrize("segment", list(SEGMENTS))
def test_escaped_path_segments(target, ctx, mode, segment):
    """The SDK signs ``unquote_plus(path.lower())`` of the path as sent (``+`` a space in the
    base string, ``%2B`` a plus, ``%25`` a percent sign): the signature is accepted (no 403)
    and the route answers its documented refusal for a value it does not know."""
    send = Sender(target, ctx, mode)
    r = send("GET", target.route("lr", f"repositories/{segment}/"))
    message = lr_error(r)
    if target.emulator:
        assert message.startswith(f"Invalid repository type '{SEGMENTS[segment]}'"), message
    r = send("GET", target.route("lp", f"courses/{segment}"))
    assert r.status_code == 404, r.text  # not a D2LID: no such route
    if target.emulator:
        assert errors(r) == "Not Found"


@pytest.mark.parametrize("mode", SIGNING)
def test_escaped_job_token(emulator, ctx, world, mode):
    target_ou, _token = world.copy_job()
    for segment in ("tok+en", "tok%2Ben", "tok%25en", "T%20o%20K"):
        r = Sender(emulator, ctx, mode)("GET", world.le(f"import/{target_ou}/copy/{segment}"))
        assert r.status_code == 404 and "No such copy job" in errors(r), r.text


@pytest.mark.readonly
def test_mixed_case_routes(target, ctx):
    """The base string is lower-cased (the SDK): "eP", "LoCaL", "listorgUnittrusts" verify."""
    send = Sender(target, ctx, "auth")
    assert send("GET", target.route("eP", "objects/my/")).status_code == 200
    lr_ok(send("GET", target.route("lr", "repositories/LoCaL/")))


@pytest.mark.readonly
def test_raw_space_needs_encoding(target, ctx):
    path = target.route("lr", "repositories/two words/")
    with pytest.raises(ValueError, match="invalid characters"):
        ctx.create_authenticated_url(path)
    # requests encodes the space (%20) before the AuthBase signs the prepared URL
    r = requests.get(target.url + path, auth=ctx, timeout=10)
    assert r.request.path_url.startswith(path.replace(" ", "%20"))
    lr_error(r)


@pytest.mark.readonly
def test_sdk_drops_empty_query_parameters(target, ctx):
    """SDK bug: decorate_url_with_authentication (and so the AuthBase) drops ``query=``; the
    route then answers what the page says for a missing parameter. Signing the path with
    create_authenticated_url and appending the query keeps it."""
    path = target.route("lr", "objects/search/")
    params = {"query": "", "offset": 0, "count": 1, "repositories": "1"}
    for mode in ("auth", "decorate"):
        r = sdk_request(target, ctx, mode, "GET", path, params)
        assert "query=" not in r.request.url
        message = lr_error(r)
        if target.emulator:
            assert message == "Missing query parameter 'query'"
    if target.emulator:
        lr_ok(sdk_request(target, ctx, "url", "GET", path, params))


@pytest.mark.readonly
def test_skew_retry(target):
    ctx = target.sdk_context(skew_ms=-1_000_000)
    r = requests.get(target.url + target.route("lp", "users/whoami"), auth=ctx, timeout=10)
    assert r.status_code == 403 and r.text.startswith("Timestamp out of range"), r.text
    server_time = int(r.text.rsplit(" ", 1)[1])
    ctx.set_new_skew((server_time - time.time()) * 1000)
    r = requests.get(target.url + target.route("lp", "users/whoami"), auth=ctx, timeout=10)
    assert r.status_code == 200, r.text


@pytest.mark.readonly
def test_wrong_key_is_invalid_token(target):
    ctx = target.sdk_context(user_key="not-the-key")
    r = requests.get(target.url + target.route("lp", "users/whoami"), auth=ctx, timeout=10)
    assert r.status_code == 403
    if target.emulator:
        assert r.text == "Invalid token"


__all__ = ["CASES", "make_zip"]
