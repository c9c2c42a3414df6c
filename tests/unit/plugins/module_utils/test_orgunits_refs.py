# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OrgUnits.resolve / resolve_all: an id that will be written into a reference is read first."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import OrgUnits, UnknownIdError

OUTYPES = "/d2l/api/lp/1.47/outypes/"
TYPES = [{"Id": 2, "Code": "Course Template", "Name": "Course Template"},
         {"Id": 5, "Code": "Semester", "Name": "Semester"}]


def unit(org_unit_id, type_id, type_name):
    return {"Identifier": str(org_unit_id), "Name": "X", "Code": "X%d" % org_unit_id, "Path": "/",
            "Type": {"Id": type_id, "Code": type_name, "Name": type_name}}


def test_an_id_is_taken_as_is_unless_verified(http, make_client):
    orgunits = OrgUnits(make_client())
    assert orgunits.resolve(6606, "Course Template", "template") == 6606
    assert orgunits.resolve("id:6606", "Course Template", "template") == 6606
    assert http.sent() == []


def test_a_verified_id_must_exist_and_have_the_type(http, make_client):
    orgunits = OrgUnits(make_client())
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/6606", answer=unit(6606, 2, "Course Template"))
    http.expect("GET", OUTYPES, answer=TYPES)
    assert orgunits.resolve(6606, "Course Template", "template", verify=True) == 6606
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/6607", answer=unit(6607, 5, "Semester"))
    with pytest.raises(UnknownIdError, match=r"^template: org unit 6607 is a Semester, not a Course Template$"):
        orgunits.resolve(6607, "Course Template", "template", verify=True)
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/999999", status=404, answer={"Message": "Not found"})
    with pytest.raises(UnknownIdError, match=r"^semester: no Semester with id 999999 exists$"):
        orgunits.resolve(999999, "Semester", "semester", verify=True)


def test_resolve_all_reads_only_ids_that_are_not_current_parents(http, make_client):
    orgunits = OrgUnits(make_client())
    current = {6606: "SCI", 6608: "ARTS"}
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/7000", answer=unit(7000, 5, "Semester"))
    assert orgunits.resolve_all(["SCI", 6608, 7000], "parents", current) == [6606, 6608, 7000]
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/2147483647", status=404, answer={"Message": "Not found"})
    with pytest.raises(UnknownIdError, match=r"^parents: no org unit with id 2147483647 exists$"):
        orgunits.resolve_all([2147483647], "parents", current)
