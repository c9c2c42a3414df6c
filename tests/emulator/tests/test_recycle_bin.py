# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The recycle bin (routes/orgstructure.py): DELETE courses/(id) and coursetemplates/(id)
recycle, GET orgstructure/recyclebin/, recycle and restore refusals, the recycled_codes switch
and the two routes' scopes."""
import pytest

from brightspace_emulator import Config, create_app
from brightspace_emulator.__main__ import parse_args
from conftest import BEARER, LP, make_offering, make_template, offering_body
from emu_helpers import assert_errors, assert_problem
from emu_helpers import client  # noqa: F401  pylint: disable=unused-import

BIN = f"{LP}/orgstructure/recyclebin"
DEPARTMENT, SEMESTER, GROUP, SECTION = 201, 25, 4, 5


@pytest.fixture
def app():
    return create_app(Config())


def create_unit(client, type_id, code, parents=(6606,)):
    r = client.post(f"{LP}/orgstructure/", headers=BEARER,
                    json={"Type": type_id, "Name": "Unit " + code, "Code": code,
                          "Parents": list(parents)})
    assert r.status_code == 200, r.text
    return r.json()


def recycle(client, ou_id, headers=None):
    return client.post(f"{BIN}/{ou_id}/recycle", headers=headers or BEARER)


def restore(client, ou_id, headers=None):
    return client.post(f"{BIN}/{ou_id}/restore", headers=headers or BEARER)


def binned(client, bookmark=None):
    r = client.get(f"{BIN}/", headers=BEARER, params={"bookmark": bookmark} if bookmark else None)
    assert r.status_code == 200, r.text
    return r.json()


def binned_ids(client):
    return [item["Identifier"] for item in binned(client)["Items"]]


def config(client, **values):
    r = client.post("/_emulator/config", json=values)
    assert r.status_code == 200, r.text
    return r.json()


# --- DELETE courses/(id) and coursetemplates/(id) recycle ------------------------------------
def test_delete_course_recycles_and_restore_brings_it_back(client):
    sem = create_unit(client, SEMESTER, "2026FA")
    dept = create_unit(client, DEPARTMENT, "SCI")
    tpl = make_template(client, parents=[int(dept["Identifier"])])
    off = make_offering(client, int(tpl["Identifier"]), "BIO101", SemesterId=int(sem["Identifier"]),
                        Description={"Content": "<p>Cells</p>", "Type": "Html"},
                        CanSelfRegister=True)
    oid = off["Identifier"]
    assert binned(client) == {"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": []}
    r = client.delete(f"{LP}/courses/{oid}", headers=BEARER)
    assert r.status_code == 200 and r.content == b""
    # gone from every route but the recycle bin's
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).status_code == 404
    assert client.get(f"{LP}/orgstructure/{oid}", headers=BEARER).status_code == 404
    listed = client.get(f"{LP}/orgstructure/", headers=BEARER, params={"orgUnitType": 3}).json()
    assert listed["Items"] == []
    assert client.delete(f"{LP}/courses/{oid}", headers=BEARER).status_code == 404
    assert binned(client) == {
        "PagingInfo": {"Bookmark": oid, "HasMoreItems": False},
        "Items": [{"Identifier": oid, "Name": "Course BIO101", "Code": "BIO101",
                   "Path": off["Path"],
                   "Type": {"Id": 3, "Code": "Course Offering", "Name": "Course Offering"}}]}
    stored = next(ou for ou in client.get("/_emulator/state").json()["org_units"]
                  if ou["Identifier"] == int(oid))
    assert stored["Recycled"] is True
    # restore: the same Identifier, code, parents, description
    r = restore(client, oid)
    assert r.status_code == 200 and r.content == b""
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).json() == off
    parents = client.get(f"{LP}/orgstructure/{oid}/parents/", headers=BEARER).json()
    assert {p["Identifier"] for p in parents} == {tpl["Identifier"], sem["Identifier"]}
    assert binned_ids(client) == []
    assert_problem(restore(client, oid), 404, "recycle bin")  # no longer in the bin


def test_delete_template_recycles_and_counts_only_live_offerings(client):
    tpl = make_template(client, code="TPLX")
    tid = tpl["Identifier"]
    off = make_offering(client, int(tid), "OFFX")
    assert_errors(client.delete(f"{LP}/coursetemplates/{tid}", headers=BEARER), 400,
                  off["Identifier"])
    assert client.delete(f"{LP}/courses/{off['Identifier']}", headers=BEARER).status_code == 200
    # the offering is in the bin: it does not count
    assert client.delete(f"{LP}/coursetemplates/{tid}", headers=BEARER).status_code == 200
    assert client.get(f"{LP}/coursetemplates/{tid}", headers=BEARER).status_code == 404
    assert binned_ids(client) == [tid, off["Identifier"]]
    # the offering cannot come back while its template is in the bin
    assert_errors(restore(client, off["Identifier"]), 400, "restore them first")
    assert restore(client, tid).status_code == 200
    assert restore(client, off["Identifier"]).status_code == 200
    got = client.get(f"{LP}/courses/{off['Identifier']}", headers=BEARER).json()
    assert got["CourseTemplate"]["Identifier"] == tid


def test_delete_course_refused_with_live_groups_or_sections(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]))
    oid = off["Identifier"]
    group = create_unit(client, GROUP, "G1", parents=[int(oid)])
    section = create_unit(client, SECTION, "S1", parents=[int(oid)])
    r = client.delete(f"{LP}/courses/{oid}", headers=BEARER)
    assert_errors(r, 400, "still has child org units")
    assert group["Identifier"] in r.json()["Errors"][0]["Message"]
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).status_code == 200
    assert recycle(client, group["Identifier"]).status_code == 200
    assert_errors(client.delete(f"{LP}/courses/{oid}", headers=BEARER), 400, section["Identifier"])
    assert recycle(client, section["Identifier"]).status_code == 200
    assert client.delete(f"{LP}/courses/{oid}", headers=BEARER).status_code == 200
    assert binned_ids(client) == [oid, group["Identifier"], section["Identifier"]]


def test_permanent_delete_frees_the_code(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]), "REUSE1")
    oid = off["Identifier"]
    assert client.delete(f"{LP}/courses/{oid}", headers=BEARER).status_code == 200
    # reserved (the default) while in the bin
    r = client.post(f"{LP}/courses/", headers=BEARER,
                    json=offering_body(int(tpl["Identifier"]), "reuse1"))
    assert_errors(r, 400, "already exists")
    assert client.delete(f"{BIN}/{oid}", headers=BEARER).status_code == 200
    assert all(ou["Identifier"] != int(oid)
               for ou in client.get("/_emulator/state").json()["org_units"])
    assert_problem(restore(client, oid), 404)
    again = make_offering(client, int(tpl["Identifier"]), "REUSE1")
    assert again["Identifier"] != oid


def test_permanent_delete_refused_while_children_are_in_the_bin(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]))
    assert client.delete(f"{LP}/courses/{off['Identifier']}", headers=BEARER).status_code == 200
    assert client.delete(f"{LP}/coursetemplates/{tpl['Identifier']}", headers=BEARER).status_code == 200
    assert_errors(client.delete(f"{BIN}/{tpl['Identifier']}", headers=BEARER), 400, "child")
    assert client.delete(f"{BIN}/{off['Identifier']}", headers=BEARER).status_code == 200
    assert client.delete(f"{BIN}/{tpl['Identifier']}", headers=BEARER).status_code == 200
    assert binned_ids(client) == []
    # a live unit is not in the bin
    assert_problem(client.delete(f"{BIN}/6606", headers=BEARER), 404, "recycle bin")


# --- recycle ----------------------------------------------------------------------------------
def test_recycle_refused_with_live_children_allowed_when_they_are_recycled(client):
    dept = create_unit(client, DEPARTMENT, "DEP")
    did = dept["Identifier"]
    tpl_a = make_template(client, code="TA", parents=[int(did)])
    tpl_b = make_template(client, code="TB", parents=[int(did)])
    r = recycle(client, did)
    assert_errors(r, 400, "detach them")
    message = r.json()["Errors"][0]["Message"]
    assert tpl_a["Identifier"] in message and tpl_b["Identifier"] in message
    assert recycle(client, tpl_a["Identifier"]).status_code == 200
    r = recycle(client, did)
    assert_errors(r, 400, tpl_b["Identifier"])
    assert tpl_a["Identifier"] not in r.json()["Errors"][0]["Message"]
    # detached: no longer a child
    assert client.post(f"{LP}/orgstructure/{tpl_b['Identifier']}/parents/", headers=BEARER,
                       json=6606).status_code == 200
    assert client.delete(f"{LP}/orgstructure/{tpl_b['Identifier']}/parents/{did}",
                         headers=BEARER).status_code == 200
    assert recycle(client, did).status_code == 200
    assert binned_ids(client) == [did, tpl_a["Identifier"]]
    # already in the bin: not found
    assert_problem(recycle(client, did), 404)
    assert_problem(recycle(client, 999999), 404)
    assert_errors(recycle(client, 6606), 400, "organization")


# --- restore ----------------------------------------------------------------------------------
def test_restore_refusals(client):
    assert_problem(restore(client, 999999), 404, "recycle bin")
    assert_problem(restore(client, 6606), 404, "recycle bin")  # live
    sem = create_unit(client, SEMESTER, "SEM")
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]), SemesterId=int(sem["Identifier"]))
    assert client.delete(f"{LP}/courses/{off['Identifier']}", headers=BEARER).status_code == 200
    assert recycle(client, sem["Identifier"]).status_code == 200
    # one parent (the semester) in the bin is enough
    r = restore(client, off["Identifier"])
    assert_errors(r, 400, "in the recycle bin; restore them first")
    assert sem["Identifier"] in r.json()["Errors"][0]["Message"]
    assert client.get(f"{LP}/courses/{off['Identifier']}", headers=BEARER).status_code == 404
    assert restore(client, sem["Identifier"]).status_code == 200
    assert restore(client, off["Identifier"]).status_code == 200
    assert binned_ids(client) == []


# --- the recycled_codes switch ----------------------------------------------------------------
def test_recycled_codes_reserved_by_default(client):
    assert config(client)["recycled_codes"] == "reserved"
    tpl = make_template(client, code="KEEP")
    dept = create_unit(client, DEPARTMENT, "DKEEP")
    off = make_offering(client, int(tpl["Identifier"]), "CKEEP")
    assert client.delete(f"{LP}/courses/{off['Identifier']}", headers=BEARER).status_code == 200
    assert recycle(client, dept["Identifier"]).status_code == 200
    # creates
    r = client.post(f"{LP}/courses/", headers=BEARER,
                    json=offering_body(int(tpl["Identifier"]), "ckeep"))
    assert_errors(r, 400, "already exists")
    r = client.post(f"{LP}/orgstructure/", headers=BEARER,
                    json={"Type": DEPARTMENT, "Name": "D", "Code": "DKEEP", "Parents": [6606]})
    assert_errors(r, 400, "already exists")
    assert client.delete(f"{LP}/coursetemplates/{tpl['Identifier']}", headers=BEARER).status_code == 200
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "T", "Code": "KEEP", "Path": "", "ParentOrgUnitIds": [6606]})
    assert_errors(r, 400, "already exists")
    # updates
    other_tpl = make_template(client, code="OTHER")
    other = make_offering(client, int(other_tpl["Identifier"]), "OTHERC")
    info = {"Name": "x", "Code": "CKEEP", "StartDate": None, "EndDate": None, "IsActive": True}
    assert_errors(client.put(f"{LP}/courses/{other['Identifier']}", headers=BEARER, json=info),
                  400, "already exists")
    assert_errors(client.put(f"{LP}/coursetemplates/{other_tpl['Identifier']}", headers=BEARER,
                             json={"Name": "x", "Code": "KEEP"}), 400, "already exists")
    dept2 = create_unit(client, DEPARTMENT, "D2")
    props = client.get(f"{LP}/orgstructure/{dept2['Identifier']}", headers=BEARER).json()
    assert_errors(client.put(f"{LP}/orgstructure/{dept2['Identifier']}", headers=BEARER,
                             json=dict(props, Code="dkeep")), 400, "already exists")


def test_recycled_codes_free(client):
    assert config(client, recycled_codes="free")["recycled_codes"] == "free"
    tpl = make_template(client)
    first = make_offering(client, int(tpl["Identifier"]), "SAME")
    assert client.delete(f"{LP}/courses/{first['Identifier']}", headers=BEARER).status_code == 200
    second = make_offering(client, int(tpl["Identifier"]), "same")  # allowed
    assert second["Identifier"] != first["Identifier"]
    # restoring the recycled one would make two live units with one code
    r = restore(client, first["Identifier"])
    assert_errors(r, 400, "already exists")
    assert second["Identifier"] in r.json()["Errors"][0]["Message"]
    assert binned_ids(client) == [first["Identifier"]]
    # a PUT may take a recycled unit's code too
    dept = create_unit(client, DEPARTMENT, "DFREE")
    assert recycle(client, dept["Identifier"]).status_code == 200
    dept2 = create_unit(client, DEPARTMENT, "D2")
    props = client.get(f"{LP}/orgstructure/{dept2['Identifier']}", headers=BEARER).json()
    assert client.put(f"{LP}/orgstructure/{dept2['Identifier']}", headers=BEARER,
                      json=dict(props, Code="DFREE")).status_code == 200
    # live duplicates are still refused
    assert_errors(client.post(f"{LP}/courses/", headers=BEARER,
                              json=offering_body(int(tpl["Identifier"]), "SAME")), 400,
                  "already exists")
    # once the live holder is gone (recycled), the first can come back
    assert client.delete(f"{LP}/courses/{second['Identifier']}", headers=BEARER).status_code == 200
    assert restore(client, first["Identifier"]).status_code == 200
    # switching back to reserved: the restore check still looks at live units only
    config(client, recycled_codes="reserved")
    assert_errors(restore(client, second["Identifier"]), 400, "already exists")
    # reset brings back the CLI value
    client.post("/_emulator/reset")
    assert config(client)["recycled_codes"] == "reserved"
    assert client.post("/_emulator/config", json={"recycled_codes": "sometimes"}).status_code == 400


def test_recycled_codes_cli_value():
    assert parse_args([]).recycled_codes == "reserved"
    assert parse_args(["--recycled-codes", "free"]).recycled_codes == "free"
    with pytest.raises(SystemExit):
        parse_args(["--recycled-codes", "never"])
    app = create_app(Config(recycled_codes="free"))
    assert app.state.emu.config.public()["recycled_codes"] == "free"
    app.state.emu.close()


# --- GET orgstructure/recyclebin/ paging -----------------------------------------------------
def test_recycle_bin_pages_over_more_than_100_units(client):
    created = [create_unit(client, DEPARTMENT, f"PG{i:03d}")["Identifier"] for i in range(140)]
    recycled = [ou_id for i, ou_id in enumerate(created) if i % 7 != 3]  # 120, live ones between
    for ou_id in recycled:
        assert recycle(client, ou_id).status_code == 200
    first = binned(client)
    assert first["PagingInfo"] == {"Bookmark": recycled[99], "HasMoreItems": True}
    assert [item["Identifier"] for item in first["Items"]] == recycled[:100]
    assert all(set(item) == {"Identifier", "Name", "Code", "Path", "Type"}
               for item in first["Items"])
    second = binned(client, first["PagingInfo"]["Bookmark"])
    assert second["PagingInfo"] == {"Bookmark": recycled[-1], "HasMoreItems": False}
    assert [item["Identifier"] for item in second["Items"]] == recycled[100:]
    assert binned(client, recycled[-1]) == {"PagingInfo": {"Bookmark": "", "HasMoreItems": False},
                                            "Items": []}
    # GET orgstructure/ lists the live ones only
    live = client.get(f"{LP}/orgstructure/", headers=BEARER,
                      params={"orgUnitType": DEPARTMENT}).json()["Items"]
    assert [item["Identifier"] for item in live] == [c for c in created if c not in recycled]
    assert_problem(client.get(f"{BIN}/", headers=BEARER, params={"bookmark": "x"}), 400,
                   "bookmark")
    # no filters: an unknown (undocumented) query parameter is ignored
    r = client.get(f"{BIN}/", headers=BEARER, params={"orgUnitType": 3})
    assert len(r.json()["Items"]) == 100
    # every LP version serves it; no redirect without the slash
    assert client.get("/d2l/api/lp/1.2/orgstructure/recyclebin/", headers=BEARER).status_code == 200
    assert_errors(client.get(f"{LP}/orgstructure/recyclebin", headers=BEARER), 404)


# --- scopes -----------------------------------------------------------------------------------
def bearer(client, scope):
    r = client.post("/_emulator/tokens", json={"scope": scope})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def test_recycle_bin_route_scopes(client):
    tpl = make_template(client)
    off = make_offering(client, int(tpl["Identifier"]))
    oid = off["Identifier"]
    read = bearer(client, "organizations:organization:read")
    create = bearer(client, "organizations:organization:create")
    # orgunits:course:delete is the scope of DELETE courses/(id), which recycles
    assert_problem(client.delete(f"{LP}/courses/{oid}", headers=read), 403,
                   "'orgunits:course:delete'")
    assert client.delete(f"{LP}/courses/{oid}",
                         headers=bearer(client, "orgunits:course:delete")).status_code == 200
    # GET recyclebin/: organizations:organization:read
    assert client.get(f"{BIN}/", headers=read).json()["Items"][0]["Identifier"] == oid
    assert_problem(client.get(f"{BIN}/", headers=create), 403,
                   "requires the scope 'organizations:organization:read' (or core:*:*)")
    # POST recyclebin/(id)/restore: organizations:organization:create
    assert_problem(restore(client, oid, headers=read), 403,
                   "requires the scope 'organizations:organization:create' (or core:*:*)")
    assert_problem(restore(client, oid, headers=bearer(client, "organizations:organization:update")),
                   403, "organizations:organization:create")
    assert restore(client, oid, headers=create).status_code == 200
    assert client.get(f"{LP}/courses/{oid}", headers=BEARER).status_code == 200
    # the scope comes before the look-up
    assert_problem(restore(client, 999999, headers=read), 403)
    assert_problem(restore(client, 999999, headers=create), 404)


# --- the course permissions guard the recycle bin routes for courses and templates ----------
def test_an_instructor_cannot_recycle_restore_or_delete_a_course_by_the_recycle_bin_routes(client):
    """DELETE courses/(id) needs "manage or create courses"; recycling the offering by the
    recycle bin route (its equivalent) needs it too, and so do restoring and deleting it for good.
    A semester (no course permission named) stays open."""
    r = client.post("/_emulator/tokens", json={"user": "104", "scope": "core:*:*", "lifetime": None})
    instructor = {"Authorization": "Bearer " + r.json()["access_token"]}
    course = make_offering(client, int(make_template(client)["Identifier"]), "PERM-1")
    refused = recycle(client, course["Identifier"], headers=instructor)
    assert_problem(refused, 403, "No permission to manage or create courses.")
    assert recycle(client, course["Identifier"]).status_code == 200  # the administrator may
    assert restore(client, course["Identifier"], headers=instructor).status_code == 403
    assert client.delete(f"{BIN}/{course['Identifier']}", headers=instructor).status_code == 403
    assert restore(client, course["Identifier"]).status_code == 200
    semester = create_unit(client, SEMESTER, "PERM-SEM")
    assert recycle(client, semester["Identifier"], headers=instructor).status_code == 200
