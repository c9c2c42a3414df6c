# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from conftest import BEARER, LP, make_offering, make_template


def types(client):
    return {t["Code"]: t["Id"] for t in client.get(f"{LP}/outypes/", headers=BEARER).json()}


def test_lookup_by_exact_code_and_type(client):
    t = types(client)
    tpl = make_template(client, code="MATH")
    make_offering(client, int(tpl["Identifier"]), code="MATH-101")
    make_offering(client, int(tpl["Identifier"]), code="MATH-1010")
    r = client.get(f"{LP}/orgstructure/", headers=BEARER,
                   params={"exactOrgUnitCode": "math-101", "orgUnitType": t["Course Offering"]})
    body = r.json()
    assert body["PagingInfo"]["HasMoreItems"] is False
    assert [i["Code"] for i in body["Items"]] == ["MATH-101"]
    item = body["Items"][0]
    assert set(item) == {"Identifier", "Name", "Code", "Path", "Type"}
    assert item["Type"] == {"Id": t["Course Offering"], "Code": "Course Offering",
                            "Name": "Course Offering"}
    r = client.get(f"{LP}/orgstructure/", headers=BEARER,
                   params={"exactOrgUnitCode": "MATH", "orgUnitType": t["Course Offering"]})
    assert r.json()["Items"] == []
    r = client.get(f"{LP}/orgstructure/", headers=BEARER, params={"orgUnitCode": "ath-10"})
    assert len(r.json()["Items"]) == 2
    r = client.get(f"{LP}/orgstructure/", headers=BEARER, params={"exactOrgUnitName": "demo university"})
    assert r.json()["Items"][0]["Identifier"] == "6606"
    r = client.get(f"{LP}/orgstructure/", headers=BEARER, params={"orgUnitType": "x"})
    assert r.status_code == 400


def test_paging_with_bookmark(client):
    t = types(client)
    for n in range(230):
        r = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
            "Type": t["Semester"], "Name": f"Term {n}", "Code": f"T{n:03d}", "Parents": [6606]})
        assert r.status_code == 200
    codes, bookmark, pages = [], None, 0
    while True:
        params = {"orgUnitType": t["Semester"]}
        if bookmark:
            params["bookmark"] = bookmark
        body = client.get(f"{LP}/orgstructure/", headers=BEARER, params=params).json()
        pages += 1
        assert len(body["Items"]) <= 100
        codes += [i["Code"] for i in body["Items"]]
        if not body["PagingInfo"]["HasMoreItems"]:
            break
        bookmark = body["PagingInfo"]["Bookmark"]
    assert pages == 3 and len(codes) == 230 and len(set(codes)) == 230


def test_create_errors(client):
    t = types(client)
    ok = {"Type": t["Department"], "Name": "D", "Code": "D1", "Parents": [6606]}
    assert client.post(f"{LP}/orgstructure/", headers=BEARER, json=ok).status_code == 200
    assert client.post(f"{LP}/orgstructure/", headers=BEARER, json=ok).status_code == 400
    # same code, other type: fine
    r = client.post(f"{LP}/orgstructure/", headers=BEARER, json=dict(ok, Type=t["Semester"]))
    assert r.status_code == 200
    r = client.post(f"{LP}/orgstructure/", headers=BEARER, json=dict(ok, Code="D2", Parents=[999999]))
    assert r.status_code == 404
    r = client.post(f"{LP}/orgstructure/", headers=BEARER, json=dict(ok, Code="bad/<"))
    assert r.status_code == 400
    r = client.post(f"{LP}/orgstructure/", headers=BEARER, json=dict(ok, Code="D3", Type="201"))
    assert r.status_code == 400 and "Type" in r.json()["detail"]


def test_update_parents_recycle_delete(client):
    t = types(client)
    dept = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": t["Department"], "Name": "D", "Code": "D1", "Parents": [6606]}).json()
    did = dept["Identifier"]
    props = client.get(f"{LP}/orgstructure/{did}", headers=BEARER).json()
    props.update(Name="Dept", Code="D1X")
    r = client.put(f"{LP}/orgstructure/{did}", headers=BEARER, json=props)
    assert r.status_code == 200 and r.json()["Code"] == "D1X"
    r = client.put(f"{LP}/orgstructure/{did}", headers=BEARER, json=dict(props, Extra=1))
    assert r.status_code == 400
    # template moved under the department via parents routes
    tpl = make_template(client)
    tid = tpl["Identifier"]
    assert client.post(f"{LP}/orgstructure/{tid}/parents/", headers=BEARER,
                       json=int(did)).status_code == 200
    assert client.delete(f"{LP}/orgstructure/{tid}/parents/6606", headers=BEARER).status_code == 200
    parents = client.get(f"{LP}/orgstructure/{tid}/parents/", headers=BEARER).json()
    assert [p["Identifier"] for p in parents] == [did]
    assert client.delete(f"{LP}/orgstructure/{tid}/parents/{did}", headers=BEARER).status_code == 400
    off = make_offering(client, int(tid))
    assert off["Department"]["Identifier"] == did
    # recycle then delete permanently
    oid = off["Identifier"]
    assert client.post(f"{LP}/orgstructure/recyclebin/{oid}/recycle", headers=BEARER).status_code == 200
    assert client.get(f"{LP}/orgstructure/{oid}", headers=BEARER).status_code == 404
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).status_code == 404
    listed = client.get(f"{LP}/orgstructure/", headers=BEARER, params={"orgUnitType": 3}).json()
    assert listed["Items"] == []
    assert client.delete(f"{LP}/orgstructure/recyclebin/{oid}", headers=BEARER).status_code == 200
    assert client.delete(f"{LP}/orgstructure/recyclebin/{oid}", headers=BEARER).status_code == 404
    assert all(ou["Identifier"] != int(oid) for ou in client.get("/_emulator/state").json()["org_units"])


def test_children_of_a_semester_by_type(client):
    """GET orgstructure/(id)/children/ (d2lvalence_util's get_orgunit_children): a JSON array of
    OrgUnit blocks, filtered by ouTypeId; recycled units are not children."""
    t = types(client)
    sem = client.post(f"{LP}/orgstructure/", headers=BEARER, json={
        "Type": t["Semester"], "Name": "Fall", "Code": "FALL-K", "Parents": [6606]}).json()
    tpl = make_template(client, code="KIDS")
    kept = make_offering(client, int(tpl["Identifier"]), code="KIDS-1", SemesterId=int(sem["Identifier"]))
    gone = make_offering(client, int(tpl["Identifier"]), code="KIDS-2", SemesterId=int(sem["Identifier"]))
    make_offering(client, int(tpl["Identifier"]), code="KIDS-3")  # no semester
    r = client.post(f"{LP}/orgstructure/recyclebin/{gone['Identifier']}/recycle", headers=BEARER)
    assert r.status_code == 200
    r = client.get(f"{LP}/orgstructure/{sem['Identifier']}/children/", headers=BEARER,
                   params={"ouTypeId": t["Course Offering"]})
    assert r.status_code == 200
    assert r.json() == [{"Identifier": kept["Identifier"], "Name": kept["Name"], "Code": "KIDS-1",
                         "Type": {"Id": t["Course Offering"], "Code": "Course Offering", "Name": "Course Offering"}}]
    assert client.get(f"{LP}/orgstructure/{sem['Identifier']}/children/", headers=BEARER,
                      params={"ouTypeId": t["Semester"]}).json() == []
    assert client.get(f"{LP}/orgstructure/999999/children/", headers=BEARER).status_code == 404
