# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OrgUnitsApi.resolve / resolve_all: an id that will be written into a reference is read first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.d2l.brightspace.plugins.module_utils.rules import value_problems
from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import (
    OrgUnitsApi, UnknownIdError, ascii_digits, id_of_reference, shown_code)

OUTYPES = "/d2l/api/lp/1.47/outypes/"
TYPES = [{"Id": 2, "Code": "Course Template", "Name": "Course Template"},
         {"Id": 5, "Code": "Semester", "Name": "Semester"}]


def unit(org_unit_id, type_id, type_name):
    return {"Identifier": str(org_unit_id), "Name": "X", "Code": "X%d" % org_unit_id, "Path": "/",
            "Type": {"Id": type_id, "Code": type_name, "Name": type_name}}


def test_an_id_is_taken_as_is_unless_verified(http, make_client):
    orgunits = OrgUnitsApi(make_client())
    assert orgunits.resolve(6606, "Course Template", "template") == 6606
    assert orgunits.resolve("id:6606", "Course Template", "template") == 6606
    assert http.sent() == []


def test_a_verified_id_must_exist_and_have_the_type(http, make_client):
    orgunits = OrgUnitsApi(make_client())
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
    orgunits = OrgUnitsApi(make_client())
    current = {6606: "SCI", 6608: "ARTS"}
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/7000", answer=unit(7000, 5, "Semester"))
    assert orgunits.resolve_all(["SCI", 6608, 7000], "parents", current) == [6606, 6608, 7000]
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/2147483647", status=404, answer={"Message": "Not found"})
    with pytest.raises(UnknownIdError, match=r"^parents: no org unit with id 2147483647 exists$"):
        orgunits.resolve_all([2147483647], "parents", current)


# -- ids written with digits other than 0-9 ---------------------------------------------------
# str.isdigit takes superscripts ('²', which int() refuses) and other scripts' digits ('١٢', which
# int() reads as 12): an id reference takes the digits 0-9 only, anything else is a code.
OTHER_DIGITS = st.text(alphabet=st.characters(whitelist_categories=("Nd", "No")).filter(lambda c: not c.isascii()),
                       min_size=1, max_size=6)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(digits=OTHER_DIGITS)
def test_other_digits_are_no_id(digits):
    assert not ascii_digits(digits)
    assert id_of_reference("id:" + digits) is None


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(number=st.integers(min_value=1, max_value=2 ** 63))
def test_ascii_digits_are_an_id(number):
    assert ascii_digits(str(number)) and id_of_reference("id:%d" % number) == number and id_of_reference(number) == number


@pytest.mark.parametrize("ref", ["id:", "id:12a", "id: 12", "id:-1", "ID:12", "12", "", True, None, 1.5])
def test_what_is_no_id_reference(ref):
    assert id_of_reference(ref) is None


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(digits=OTHER_DIGITS)
def test_the_module_rules_name_an_id_with_other_digits(digits):
    spec = dict(template=dict(type="raw"), parents=dict(type="list", elements="raw"))
    for name, value in (("template", "id:" + digits), ("parents", [6606, "id:" + digits])):
        given_values = {name: value}
        found = value_problems(spec, given_values, given_values, ids=(name,), codes=(name,))
        assert found == ["%s 'id:%s' is not an id reference: id: must be followed by the digits 0-9 only"
                         % (name, shown_code(digits))]
