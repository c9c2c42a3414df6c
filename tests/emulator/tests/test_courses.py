# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from conftest import BEARER, LP, make_offering, make_template, offering_body


def test_offering_crud(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]))
    # lp 1.47 has Description (1.26+) and CanSelfRegister (1.27+): test_strict_readings.py
    assert set(off) == {"Identifier", "Name", "Code", "IsActive", "Path", "StartDate", "EndDate",
                        "CourseTemplate", "Semester", "Department", "Description",
                        "CanSelfRegister"}
    assert isinstance(off["Identifier"], str) and off["IsActive"] is True
    assert off["Path"] == f"/content/enforced/{off['Identifier']}-CRS1/"
    assert off["CourseTemplate"] == {"Identifier": tpl["Identifier"], "Name": tpl["Name"],
                                     "Code": "TPL1"}
    oid = off["Identifier"]
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).json() == off
    info = {"Name": "Renamed", "Code": "CRS1B", "StartDate": None, "EndDate": None,
            "IsActive": False}
    r = client.put(f"{LP}/courses/{oid}", headers=BEARER, json=info)
    assert r.status_code == 200 and r.content == b""
    got = client.get(f"{LP}/courses/{oid}", headers=BEARER).json()
    assert (got["Name"], got["Code"], got["IsActive"], got["StartDate"]) == \
        ("Renamed", "CRS1B", False, None)
    state = client.get("/_emulator/state").json()
    stored = state["course_offerings"][0]
    assert stored["ForceLocale"] is False and stored["ShowAddressBook"] is False
    assert "LocaleId" in stored
    assert client.delete(f"{LP}/courses/{oid}", headers=BEARER).status_code == 200
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).status_code == 404


def test_offering_with_semester_and_department(client):
    types = {t["Code"]: t["Id"] for t in client.get(f"{LP}/outypes/", headers=BEARER).json()}
    dept = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": types["Department"], "Name": "Science", "Code": "SCI", "Parents": [6606]}).json()
    sem = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": types["Semester"], "Name": "Fall", "Code": "2026FA", "Parents": [6606]}).json()
    assert sem["Type"]["Code"] == "Semester"
    tpl = make_template(client, parents=[int(dept["Identifier"])])
    off = make_offering(client, int(tpl["Identifier"]), SemesterId=int(sem["Identifier"]),
                        Path="/custom/path/")
    assert off["Semester"]["Code"] == "2026FA"
    assert off["Department"]["Code"] == "SCI"
    assert off["Path"] == "/custom/path/"
    parents = client.get(f"{LP}/orgstructure/{off['Identifier']}/parents/", headers=BEARER).json()
    assert {p["Identifier"] for p in parents} == {tpl["Identifier"], sem["Identifier"]}


def test_offering_create_errors(client):
    tpl = make_template(client)
    tid = int(tpl["Identifier"])
    # template id must be a template
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(6606))
    assert r.status_code == 404 and "Could not resolve org unit" in r.json()["detail"]
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(99999))
    assert r.status_code == 404
    # semester must be a semester
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(tid, SemesterId=tid))
    assert r.status_code == 404
    # EndDate before StartDate
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(
        tid, StartDate="2026-05-01T00:00:00.000Z", EndDate="2026-04-01T00:00:00.000Z"))
    assert r.status_code == 400 and "EndDate" in r.json()["Errors"][0]["Message"]
    make_offering(client, tid, "DUP")
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(tid, "dup"))
    assert r.status_code == 400 and "already exists" in r.json()["Errors"][0]["Message"]


@pytest.mark.parametrize("field,value,needle", [
    ("Unknown", 1, "Unknown"),
    ("CourseTemplateId", "6607", "CourseTemplateId"),
    ("SemesterId", 1.5, "SemesterId"),
    ("StartDate", "2026-01-31", "StartDate"),
    ("StartDate", "2026-01-31T23:59:59Z", "StartDate"),
    ("EndDate", "2026-01-31T23:59:59.000+01:00", "EndDate"),
    ("StartDate", "2026-02-30T00:00:00.000Z", "StartDate"),
    ("ForceLocale", 0, "ForceLocale"),
    ("Name", 5, "Name"),
])
def test_strict_create_block(client, field, value, needle):
    body = offering_body(6607)
    body[field] = value
    r = client.post(f"{LP}/courses/", headers=BEARER, json=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert set(problem) == {"type", "status", "title", "detail", "instance"}
    assert needle in problem["detail"]


@pytest.mark.parametrize("missing", ["Name", "Path", "SemesterId", "LocaleId", "ShowAddressBook"])
def test_missing_field(client, missing):
    body = offering_body(6607)
    del body[missing]
    r = client.post(f"{LP}/courses/", headers=BEARER, json=body)
    assert r.status_code == 400 and missing in r.json()["detail"]


def test_put_offering_strict(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]))
    r = client.put(f"{LP}/courses/{off['Identifier']}", headers=BEARER,
                   json={"Name": "x", "Code": "y", "StartDate": None, "EndDate": None})
    assert r.status_code == 400 and "IsActive" in r.json()["detail"]
    r = client.put(f"{LP}/courses/{off['Identifier']}", headers=BEARER,
                   json={"Name": "x", "Code": "y", "StartDate": None, "EndDate": None,
                         "IsActive": True, "Path": "/x/"})
    assert r.status_code == 400 and "Path" in r.json()["detail"]


@pytest.mark.parametrize("code", ["a" * 51, "bad:code", "bad#", "a,b", "50%", "x&y", "it's",
                                  'q"', "a\\b", "a*", "a?", "<a>", "a|b", ""])
def test_code_rules(client, code):
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "T", "Code": code, "Path": "", "ParentOrgUnitIds": [6606]})
    assert r.status_code == 400, code
    assert client.post(f"{LP}/coursetemplates/", headers=BEARER,
                       json={"Name": "T", "Code": "a" * 50, "Path": "",
                             "ParentOrgUnitIds": [6606]}).status_code == 200


def test_template_crud_and_in_use(client):
    tpl = make_template(client)
    tid = tpl["Identifier"]
    assert tpl["Path"] == f"/content/enforced/{tid}-TPL1/"
    assert client.get(f"{LP}/coursetemplates/{tid}", headers=BEARER).json() == tpl
    r = client.put(f"{LP}/coursetemplates/{tid}", headers=BEARER, json={"Name": "N", "Code": "C"})
    assert r.status_code == 200
    got = client.get(f"{LP}/coursetemplates/{tid}", headers=BEARER).json()
    assert (got["Name"], got["Code"]) == ("N", "C")
    r = client.put(f"{LP}/coursetemplates/{tid}", headers=BEARER, json={"Name": "N"})
    assert r.status_code == 400
    off = make_offering(client, int(tid))
    # wrong-type ids are 404 on both route families
    assert client.get(f"{LP}/courses/{tid}", headers=BEARER).status_code == 404
    assert client.get(f"{LP}/coursetemplates/{off['Identifier']}", headers=BEARER).status_code == 404
    assert client.delete(f"{LP}/courses/{tid}", headers=BEARER).status_code == 404
    r = client.delete(f"{LP}/coursetemplates/{tid}", headers=BEARER)
    assert r.status_code == 400
    client.delete(f"{LP}/courses/{off['Identifier']}", headers=BEARER)
    assert client.delete(f"{LP}/coursetemplates/{tid}", headers=BEARER).status_code == 200
    assert client.get(f"{LP}/coursetemplates/{tid}", headers=BEARER).status_code == 404


def test_template_parent_errors(client):
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "T", "Code": "T", "Path": "", "ParentOrgUnitIds": [424242]})
    assert r.status_code == 404
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "T", "Code": "T", "Path": "", "ParentOrgUnitIds": ["6606"]})
    assert r.status_code == 400


def test_schemas(client):
    for route in ("courses/schema", "coursetemplates/schema"):
        r = client.get(f"{LP}/{route}", headers=BEARER)
        assert r.status_code == 200
        for el in r.json():
            assert set(el) == {"Type", "IsNotAllowed", "IsRequired"}
            assert set(el["Type"]) == {"Id", "Code", "Name"}
    offering = {e["Type"]["Code"]: e for e in client.get(f"{LP}/courses/schema", headers=BEARER).json()}
    assert offering["Course Template"]["IsRequired"] is True
