# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""D2L Standard CSV orgs files as catalog items: what is read, and how a malformed file is
refused (always a ValidationError naming src, the file and the line; never another error)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.d2l.brightspace.plugins.module_utils.catalog.stdcsv import (
    HEADER, read_catalog, read_orgs)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError

HEAD = ",".join(HEADER)


def orgs(*rows, header=HEAD):
    return ("\n".join((header,) + rows) + "\n").encode("utf-8")


def test_every_managed_type_becomes_an_item_of_its_list():
    items = read_orgs(orgs(
        "semester,UPDATE,2026F,Fall 2026,,,,,,,,",
        "department,,BIO,Biology,,,,,,,,school101|college7",
        "course template,CREATE,BIO-T,Biology template,,,,BIO,,,,",
        "course offering,update,BIO-101,Biology 101,2026-09-01,2026-12-20T17:00:00Z,0,,BIO-T,2026F,,",
        "course offering,DELETE,BIO-OLD,,,,,,,,,",
    ), "orgs.csv")
    assert [(i.kind, i.origin, i.update) for i in items] == [
        ("semesters", "orgs.csv line 2", True), ("departments", "orgs.csv line 3", True),
        ("templates", "orgs.csv line 4", False), ("offerings", "orgs.csv line 5", True),
        ("offerings", "orgs.csv line 6", True)]
    assert items[0].params == {"code": "2026F", "name": "Fall 2026", "state": "present"}
    assert items[1].params["parents"] == ["school101", "college7"]
    assert items[2].params == {"code": "BIO-T", "name": "Biology template", "state": "present",
                               "parent_org_units": ["BIO"]}
    assert items[3].params == {"code": "BIO-101", "name": "Biology 101", "state": "present", "template": "BIO-T",
                               "semester": "2026F", "start_date": "2026-09-01",
                               "end_date": "2026-12-20T17:00:00Z", "is_active": False}
    assert items[4].params == {"code": "BIO-OLD", "state": "absent"}


def test_discover_column_bom_crlf_quotes_and_blank_lines_are_taken():
    data = ("\ufeff" + HEAD + ",discover\r\n\r\n" + 'semester,UPDATE,"W,26","Winter, 2026",,,,,,,,,1\r\n').encode("utf-8")
    items = read_orgs(data, "orgs.csv")
    assert [(i.params["code"], i.params["name"], i.origin) for i in items] == [("W,26", "Winter, 2026", "orgs.csv line 3")]


@pytest.mark.parametrize("data, message", [
    (b"", "src: orgs.csv is empty: an orgs file starts with the header " + HEAD),
    (orgs(header="type,action,code"), "src: orgs.csv line 1 is not the header of a D2L Standard CSV orgs file"),
    (orgs("semester,UPDATE,2026F,Fall"), "src: orgs.csv line 2 has 4 fields; the header has 12"),
    (orgs("course section,UPDATE,S1,Section,,,,,,,BIO-101,"),
     "src: orgs.csv line 2: type 'course section' is not one d2l_catalog manages"),
    (orgs("Semester,UPDATE,2026F,Fall,,,,,,,,"), "src: orgs.csv line 2: type 'Semester' is not one d2l_catalog manages"),
    (orgs("semester,MERGE,2026F,Fall,,,,,,,,"), "src: orgs.csv line 2: action 'MERGE' must be CREATE, UPDATE or DELETE"),
    (orgs("semester,UPDATE,,Fall,,,,,,,,"), "src: orgs.csv line 2: code is empty"),
    (orgs("semester,UPDATE,2026F,,,,,,,,,"), "src: orgs.csv line 2: name is empty (it is required for UPDATE)"),
    (orgs("course offering,UPDATE,C1,C,,,yes,,T,,,"), "src: orgs.csv line 2: is_active must be 1 or 0, got 'yes'"),
    (orgs("course offering,UPDATE,C1,C,2026-13-01,,,,T,,,"), "src: orgs.csv line 2: start_date"),
    (orgs("semester,UPDATE,2026F,Fall,,,,,,,,", "semester,UPDATE,2026f,Again,,,,,,,,"),
     "src: orgs.csv line 3 gives semester code '2026f' again (first at orgs.csv line 2)"),
    (orgs("semester,UPDATE,2026F,Fall,,,,,,,,") + b"semester,UPDATE,X,\xff,,,,,,,,\n",
     "src: orgs.csv line 3 is not UTF-8 (byte 0xff): save the file as UTF-8"),
    (orgs('semester,UPDATE,"2026F,Fall,,,,,,,,'), "src: orgs.csv line"),
    (orgs("semester,UPDATE,2026F,Fa\x00ll,,,,,,,,"), "src: orgs.csv line 2: name holds a control character (U+0000)"),
])
def test_a_malformed_file_is_refused_naming_the_file_and_line(data, message):
    with pytest.raises(ValidationError) as caught:
        read_orgs(data, "orgs.csv")
    assert str(caught.value).startswith(message), str(caught.value)


def write_zip(path, members):
    with zipfile.ZipFile(str(path), "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def test_a_zip_is_read_in_alphabetical_order_with_its_manifest(tmp_path):
    path = write_zip(tmp_path / "D2LStdCSV-20260801000000.zip", {
        "manifest.json": json.dumps({"version": "2.0"}),
        "05 - Offerings.csv": orgs("course offering,UPDATE,C1,Course 1,,,1,,T1,S1,,"),
        "03 - Semesters.csv": orgs("semester,UPDATE,S1,Semester 1,,,,,,,,"),
        "04 - Templates.csv": orgs("course template,UPDATE,T1,Template 1,,,,,,,,")})
    items = read_catalog(path)
    assert [(i.kind, i.origin) for i in items] == [
        ("semesters", "D2LStdCSV-20260801000000.zip/03 - Semesters.csv line 2"),
        ("templates", "D2LStdCSV-20260801000000.zip/04 - Templates.csv line 2"),
        ("offerings", "D2LStdCSV-20260801000000.zip/05 - Offerings.csv line 2")]


@pytest.mark.parametrize("members, message", [
    ({"orgs.csv": orgs()}, "src: z.zip has no manifest.json at its root"),
    ({"manifest.json": "[]", "orgs.csv": orgs()}, 'src: z.zip/manifest.json must be a JSON object with a "version"'),
    ({"manifest.json": "{", "orgs.csv": orgs()}, 'src: z.zip/manifest.json must be a JSON object with a "version"'),
    ({"manifest.json": '{"version": "2.0"}'}, "src: z.zip holds no CSV file"),
    ({"manifest.json": '{"version": "2.0"}', "07 - Users.csv": b"type,action,username\nuser,UPDATE,ada\n"},
     "src: z.zip/07 - Users.csv line 1 is not the header of a D2L Standard CSV orgs file"),
    ({"manifest.json": '{"version": "2.0"}', "../orgs.csv": orgs()}, "src: "),
])
def test_a_bad_zip_is_refused(tmp_path, members, message):
    path = write_zip(tmp_path / "z.zip", members)
    with pytest.raises(ValidationError) as caught:
        read_catalog(path)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_plain_file_that_is_not_there_or_empty_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="^src"):
        read_catalog(str(tmp_path / "missing.csv"))
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValidationError, match="^src"):
        read_catalog(str(tmp_path / "empty.csv"))


# -- property-based: malformed files -------------------------------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_items_or_a_validation_error(data):
    try:
        items = read_orgs(data, "orgs.csv")
    except ValidationError as exc:
        assert str(exc).startswith("src: orgs.csv")
    else:
        assert all(item.params["code"] for item in items)


FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(FIELD, min_size=0, max_size=14), max_size=6))
def test_rows_of_any_text_give_items_or_an_error_naming_a_line(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    try:
        read_orgs(buffer.getvalue().encode("utf-8"), "orgs.csv")
    except ValidationError as exc:
        assert str(exc).startswith("src: orgs.csv line ") or str(exc).startswith("src: orgs.csv is empty"), str(exc)


CODE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["semester", "department", "course template", "course offering"]),
                          CODE, st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)),
                max_size=20, unique_by=lambda row: (row[0], row[1].casefold())))
def test_well_formed_rows_are_read_back_as_written(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for kind, code, name in rows:
        writer.writerow([kind, "UPDATE", code, name] + [""] * 8)
    items = read_orgs(buffer.getvalue().encode("utf-8"), "orgs.csv")
    assert [(i.params["code"], i.params["name"]) for i in items] == [(code, name) for _k, code, name in rows]
