# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No silent loss on update: every PUT and POST-as-update the collection sends keeps what the task
did not ask to change.

For each update route: an object is stored with every field set to something other than its
default (through the modules, and through the API for what no module manages, such as an
artifact's GeoTag), one module task changes one field, and the stored object (the emulator's
state) is compared field by field before and after: the named field changed, and nothing else
did. The emulator takes each block as a full replace (a PUT courses/(id) at LP 1.47 that omits
Description or CanSelfRegister clears them, routes/courses.py), so a client that does not send
back a field fails here."""

from __future__ import annotations

import json
import urllib.request

import pytest
import yaml

from conftest import ROOT

TOKEN = "demo-token"
PACKAGE = ROOT / "tests" / "fixtures" / "packages" / "singlesco_scorm12.zip"
# what an update changes of itself, whatever the task names
BOOKKEEPING = {"Modified"}


def api(emulator, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(emulator.url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read().decode()
    return json.loads(text) if text else None


def run(playbook, tmp_path, name, tasks):
    path = tmp_path / (name + ".yml")
    path.write_text(yaml.safe_dump([{
        "name": name, "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/d2l.brightspace.brightspace": {"brightspace_url": "{{ brightspace_url }}"}},
        "tasks": tasks}], sort_keys=False))
    result = playbook(path)
    assert result.returncode == 0, result.output
    return result


def org_unit(state, code):
    return [unit for unit in state["org_units"] if unit["Code"] == code][0]


def lr_object(state, title):
    found = [obj for obj in state["lr"]["objects"] if obj["Versions"][-1]["Title"] == title]
    assert len(found) == 1, [obj["Versions"][-1]["Title"] for obj in state["lr"]["objects"]]
    return found[0]["Versions"][-1]


def artifact(state, object_id):
    for objects in state["eportfolio"]["objects"].values():
        for obj in objects:
            if obj["ObjectId"] == object_id:
                return obj
    raise AssertionError("no artifact %s" % object_id)


def differences(before, after, named):
    """The fields other than ``named`` whose stored value changed."""
    return dict((key, (before.get(key), after.get(key))) for key in sorted(set(before) | set(after))
                if key not in named | BOOKKEEPING and before.get(key) != after.get(key))


SEMESTER = {"d2l.brightspace.d2l_org_unit": {"type": "Semester", "code": "IT-KEEP-SEM", "name": "Keep semester"}}
TEMPLATE = {"d2l.brightspace.d2l_course_template": {"code": "IT-KEEP-T", "name": "Keep template",
                                                    "path": "/content/keep-template/"}}


LP = "/d2l/api/lp/1.47"


def stored_offering(emulator):
    """An offering stored through the API alone (not through the code under test), every field set:
    a description (HTML), self-registration on, inactive, dates, a path."""
    types = dict((t["Code"], t["Id"]) for t in api(emulator, "GET", LP + "/outypes/"))
    root = api(emulator, "GET", LP + "/orgstructure/?orgUnitType=%d" % types["Organization"])["Items"][0]
    semester = api(emulator, "POST", LP + "/orgstructure/", {
        "Type": types["Semester"], "Name": "Keep semester", "Code": "IT-KEEP-SEM", "Parents": [int(root["Identifier"])]})
    template = api(emulator, "POST", LP + "/coursetemplates/", {
        "Name": "Keep template", "Code": "IT-KEEP-T", "Path": "", "ParentOrgUnitIds": [int(root["Identifier"])]})
    offering = api(emulator, "POST", LP + "/courses/", {
        "Name": "Keep course", "Code": "IT-KEEP-C", "Path": "/content/keep/",
        "CourseTemplateId": int(template["Identifier"]), "SemesterId": int(semester["Identifier"]),
        "StartDate": "2026-09-01T00:00:00.000Z", "EndDate": "2026-12-20T00:00:00.000Z", "LocaleId": None,
        "ForceLocale": False, "ShowAddressBook": False,
        "Description": {"Content": "<p>Kept <b>as is</b></p>", "Type": "Html"}, "CanSelfRegister": True})
    api(emulator, "PUT", LP + "/courses/%s" % offering["Identifier"], {
        "Name": "Keep course", "Code": "IT-KEEP-C", "StartDate": "2026-09-01T00:00:00.000Z",
        "EndDate": "2026-12-20T00:00:00.000Z", "IsActive": False,
        "Description": {"Content": "<p>Kept <b>as is</b></p>", "Type": "Html"}, "CanSelfRegister": True})
    stored = org_unit(emulator.state(), "IT-KEEP-C")
    assert (stored["IsActive"], stored["CanSelfRegister"], stored["Description"]["Html"]) == (
        False, True, "<p>Kept <b>as is</b></p>")


def case_course(emulator, playbook, tmp_path):
    """PUT courses/(id) at LP 1.47: a rename keeps the description, self-registration, dates,
    active flag and path (the emulator clears an omitted Description and CanSelfRegister)."""
    stored_offering(emulator)
    return (lambda state: org_unit(state, "IT-KEEP-C"),
            {"d2l.brightspace.d2l_course": {"code": "IT-KEEP-C", "name": "Keep course, renamed"}}, {"Name"})


def case_course_dates(emulator, playbook, tmp_path):
    """PUT courses/(id) at LP 1.47: a date change keeps the name, description and self-registration."""
    _stored, _change, _named = case_course(emulator, playbook, tmp_path)
    return (_stored, {"d2l.brightspace.d2l_course": {"code": "IT-KEEP-C", "end_date": "2026-12-22"}}, {"EndDate"})


def case_template(emulator, playbook, tmp_path):
    """PUT coursetemplates/(id): a rename keeps the code, path and parents."""
    run(playbook, tmp_path, "setup", [TEMPLATE])
    return (lambda state: org_unit(state, "IT-KEEP-T"),
            {"d2l.brightspace.d2l_course_template": {"code": "IT-KEEP-T", "name": "Keep template, renamed"}},
            {"Name"})


def case_org_unit(emulator, playbook, tmp_path):
    """PUT orgstructure/(id): a rename keeps the code, path, type and parents."""
    run(playbook, tmp_path, "setup", [SEMESTER])
    return (lambda state: org_unit(state, "IT-KEEP-SEM"),
            {"d2l.brightspace.d2l_org_unit": {"type": "Semester", "code": "IT-KEEP-SEM",
                                              "name": "Keep semester, renamed"}}, {"Name"})


def case_lr_properties(emulator, playbook, tmp_path):
    """POST objects/(id)/properties/: a new title keeps the description, keywords, status,
    visibility and owner."""
    run(playbook, tmp_path, "setup", [{"d2l.brightspace.d2l_lr_object": {
        "repository": "Demo Local Repository", "title": "IT Keep LR", "src": str(PACKAGE),
        "description": "Kept description", "keywords": ["kept", "words"], "status": "Approved",
        "hidden_from_search": True, "publicly_available": True, "owner_id": 101}}])
    return (lambda state: lr_object(state, "IT Keep LR"),
            {"d2l.brightspace.d2l_lr_object": {"repository": "Demo Local Repository", "title": "IT Keep LR",
                                               "description": "Changed description"}}, {"Description"})


def case_link_artifact(emulator, playbook, tmp_path):
    """POST eP artifact/link/(id): a new description keeps the name, URL, comments setting and
    the GeoTag (which no module manages)."""
    created = api(emulator, "POST", "/d2l/api/eP/2.5/artifacts/link/new", {
        "ObjectId": 0, "Name": "IT Keep link", "Description": "Kept", "AllowComments": False,
        "GeoTag": "43.65,-79.38", "Url": "https://example.edu/kept"})
    object_id = int(created["ObjectId"])
    return (lambda state: artifact(state, object_id),
            {"d2l.brightspace.d2l_artifact": {"kind": "link", "object_id": object_id,
                                              "description": "Changed"}}, {"Description"})


def case_file_artifact(emulator, playbook, tmp_path):
    """POST eP artifact/file/(id): allowing comments keeps the name, description, GeoTag and the
    file (its name, size and upload key)."""
    run(playbook, tmp_path, "setup", [{"d2l.brightspace.d2l_artifact": {
        "kind": "file", "name": "IT Keep file", "src": str(PACKAGE), "description": "Kept file",
        "allow_comments": False}, "register": "made"}, {"ansible.builtin.copy": {
            "content": "{{ made.artifact.id }}", "dest": str(tmp_path / "artifact-id"), "mode": "0600"}}])
    object_id = int((tmp_path / "artifact-id").read_text())
    stored = artifact(emulator.state(), object_id)
    body = dict((key, stored[key])
                for key in ("Name", "Description", "AllowComments", "FileSize", "FileName", "Extension", "UploadKey"))
    api(emulator, "POST", "/d2l/api/eP/2.5/artifact/file/%d" % object_id,
        dict(body, ObjectId=object_id, GeoTag="51.50,-0.12"))  # a GeoTag no module manages
    return (lambda state: artifact(state, object_id),
            {"d2l.brightspace.d2l_artifact": {"kind": "file", "object_id": object_id, "allow_comments": True}},
            {"AllowComments", "Permissions"})


CASES = {
    "PUT courses/(id) rename": case_course,
    "PUT courses/(id) date": case_course_dates,
    "PUT coursetemplates/(id)": case_template,
    "PUT orgstructure/(id)": case_org_unit,
    "POST lr objects/(id)/properties/": case_lr_properties,
    "POST eP artifact/link/(id)": case_link_artifact,
    "POST eP artifact/file/(id)": case_file_artifact,
}


@pytest.mark.parametrize("route", sorted(CASES))
def test_an_update_changes_only_what_the_task_names(emulator, playbook, tmp_path, route):
    if not emulator.control:
        pytest.skip("reads the stored objects from the emulator's state")
    emulator.reset()
    stored, change, named = CASES[route](emulator, playbook, tmp_path)
    before = stored(emulator.state())
    result = run(playbook, tmp_path, "change", [change])
    assert "changed=1" in result.output, result.output
    after = stored(emulator.state())
    assert any(before.get(key) != after.get(key) for key in named), (before, after)
    assert differences(before, after, named) == {}
