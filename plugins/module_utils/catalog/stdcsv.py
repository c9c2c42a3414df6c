# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""D2L Standard CSV orgs files: what an administrator sends to IPSIS, read as catalog items.

NOTE: the format is D2L's, from its community knowledge base ("D2L Standard CSV file formats":
"Orgs", "CSV file format rules", "Manifest"; the reference pages of this API do not describe
it). What is taken from there:

- the header ``type,action,code,name,start_date,end_date,is_active,department_code,
  template_code,semester_code,offering_code,custom_code``, with ``discover`` as an optional
  thirteenth column (D2L Standard CSV 2.0 and later);
- ``type`` in lowercase; the org types this collection manages are ``semester``,
  ``department``, ``course template`` and ``course offering`` (any other type is refused,
  naming the file and line);
- ``action`` ``CREATE``, ``UPDATE`` or ``DELETE``, case-insensitive, ``UPDATE`` when empty;
- values are case-sensitive and an empty field is a blank value (nothing is stripped);
- ``is_active`` is ``1`` or ``0``; a template's parent is its ``department_code``, a
  department's its ``custom_code`` (``|`` separates several); an offering names its
  ``template_code`` and ``semester_code``;
- a zip (``D2LStdCSV-{YYYYmmddHHMMSS}.zip``) holds the CSV files and ``manifest.json``
  (``{"version": "2.0"}``); its files are processed in alphabetical order.

Where the knowledge base is silent the strictest reading is taken: files are UTF-8 (a byte order
mark is allowed), every row has as many fields as the header, no field holds a control character,
a code appears once per type, and dates are ISO 8601 (``normalize.utc_datetime``), as the other modules take them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
import zipfile

from ..errors import ValidationError
from ..normalize import utc_datetime
from ..packages import check_source, check_zip

HEADER = ("type", "action", "code", "name", "start_date", "end_date", "is_active", "department_code",
          "template_code", "semester_code", "offering_code", "custom_code")
OPTIONAL = ("discover",)
# the org types of an orgs file → the catalog list their rows belong to
KINDS = {"semester": "semesters", "department": "departments", "course template": "templates",
         "course offering": "offerings"}
ACTIONS = ("CREATE", "UPDATE", "DELETE")
MANIFEST = "manifest.json"
MAX_MEMBER = 256 * 1024 * 1024  # bytes of one CSV file in a zip: an orgs file of a term is far smaller


class CatalogItem:
    """One resource of a catalog: its list (``kind``), its options (``params``, the keys of
    d2l_org_unit, d2l_course_template or d2l_course), where it was given (``origin``: a list
    position or a file and line) and whether an existing one may be updated (``update``: false
    for a CSV ``CREATE`` row)."""

    __slots__ = ("kind", "params", "origin", "update")

    def __init__(self, kind, params, origin, update=True):
        self.kind = kind
        self.params = params
        self.origin = origin
        self.update = update

    def __repr__(self):
        return "CatalogItem(%s, %r, %s)" % (self.kind, self.params.get("code"), self.origin)


def read_catalog(path, option="src"):
    """The items of a D2L Standard CSV orgs file, or of every CSV file in a D2L Standard CSV zip.
    Any problem fails with ``ValidationError`` naming ``option``, the file and the line."""
    check_source(path, option, "a D2L Standard CSV orgs file (.csv) or a D2LStdCSV zip")
    if zipfile.is_zipfile(path):
        return read_zip(path, option)
    with open(path, "rb") as handle:
        data = handle.read()
    return read_orgs(data, os.path.basename(path), option)


def read_zip(path, option="src"):
    names = check_zip(path, option, "a D2L Standard CSV zip")
    name = os.path.basename(path)
    with zipfile.ZipFile(path) as archive:
        if MANIFEST not in names:
            raise ValidationError("%s: %s has no %s at its root: D2L Standard CSV zips announce their version in it"
                                  % (option, name, MANIFEST))
        manifest = _member(archive, MANIFEST, name, option)
        try:
            version = json.loads(manifest.decode("utf-8-sig")).get("version")
        except (ValueError, AttributeError):
            version = None
        if not isinstance(version, str) or not version.strip():
            raise ValidationError('%s: %s/%s must be a JSON object with a "version", such as {"version": "2.0"}'
                                  % (option, name, MANIFEST))
        csvs = sorted(n for n in names if n.lower().endswith(".csv") and not n.endswith("/"))
        if not csvs:
            raise ValidationError("%s: %s holds no CSV file" % (option, name))
        items = []
        for member in csvs:  # the knowledge base: "Files are processed in alphabetical order"
            items.extend(read_orgs(_member(archive, member, name, option), "%s/%s" % (name, member), option))
    return items


def _member(archive, member, name, option):
    info = archive.getinfo(member)
    if info.file_size > MAX_MEMBER:
        raise ValidationError("%s: %s/%s is %d bytes once unpacked; the most a member may hold is %d"
                              % (option, name, member, info.file_size, MAX_MEMBER))
    try:
        with archive.open(info) as handle:
            return handle.read(MAX_MEMBER + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise ValidationError("%s: %s/%s cannot be unpacked: %s" % (option, name, member, exc))


def read_orgs(data, name, option="src"):
    """The items of one orgs file (``data``: its bytes; ``name``: for messages)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ValidationError("%s: %s line %d is not UTF-8 (byte 0x%02x): save the file as UTF-8"
                              % (option, name, line, data[exc.start]))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    items = []
    seen = {}
    try:
        header = next(reader, None)
        if header is None or not any(header):
            raise ValidationError("%s: %s is empty: an orgs file starts with the header %s"
                                  % (option, name, ",".join(HEADER)))
        if tuple(header) not in (HEADER, HEADER + OPTIONAL):
            raise ValidationError("%s: %s line 1 is not the header of a D2L Standard CSV orgs file (%s%s); got %s"
                                  % (option, name, ",".join(HEADER), "[,discover]", _shown(",".join(header))))
        for row in reader:
            where = "%s line %d" % (name, reader.line_num)
            if not any(row):
                continue  # a blank line
            if len(row) != len(header):
                raise ValidationError("%s: %s has %d fields; the header has %d" % (option, where, len(row), len(header)))
            item = _item(dict(zip(header, row)), where, option)
            key = (item.kind, item.params["code"].casefold())
            if key in seen:
                raise ValidationError("%s: %s gives %s code '%s' again (first at %s)"
                                      % (option, where, item.kind[:-1], item.params["code"], seen[key]))
            seen[key] = where
            items.append(item)
    except csv.Error as exc:
        raise ValidationError("%s: %s line %d: %s" % (option, name, reader.line_num, exc))
    return items


def _shown(text, most=120):
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= most else text[:most] + "..."


def _item(row, where, option):
    for column in HEADER:
        bad = [char for char in row[column] if unicodedata.category(char) == "Cc"]
        if bad:
            raise ValidationError("%s: %s: %s holds a control character (U+%04X)" % (option, where, column, ord(bad[0])))
    kind = KINDS.get(row["type"])
    if kind is None:
        raise ValidationError("%s: %s: type '%s' is not one d2l_catalog manages (%s, in lowercase)"
                              % (option, where, _shown(row["type"], 60), ", ".join(KINDS)))
    action = (row["action"] or "UPDATE").upper()
    if action not in ACTIONS:
        raise ValidationError("%s: %s: action '%s' must be CREATE, UPDATE or DELETE (or empty, for UPDATE)"
                              % (option, where, _shown(row["action"], 60)))
    code = row["code"]
    if not code:
        raise ValidationError("%s: %s: code is empty" % (option, where))
    params = {"code": code, "state": "absent" if action == "DELETE" else "present"}
    if row["name"]:
        params["name"] = row["name"]
    elif action != "DELETE":
        raise ValidationError("%s: %s: name is empty (it is required for %s)" % (option, where, action))
    if kind == "departments" and row["custom_code"]:
        params["parents"] = row["custom_code"].split("|")
    if kind == "templates" and row["department_code"]:
        params["parent_org_units"] = [row["department_code"]]
    if kind == "offerings":
        for column, key in (("template_code", "template"), ("semester_code", "semester")):
            if row[column]:
                params[key] = row[column]
        for column in ("start_date", "end_date"):
            if row[column]:
                try:
                    utc_datetime(row[column], column)
                except ValidationError as exc:
                    raise ValidationError("%s: %s: %s" % (option, where, exc))
                params[column] = row[column]
        if row["is_active"]:
            if row["is_active"] not in ("0", "1"):
                raise ValidationError("%s: %s: is_active must be 1 or 0, got '%s'"
                                      % (option, where, _shown(row["is_active"], 20)))
            params["is_active"] = row["is_active"] == "1"
    return CatalogItem(kind, params, where, update=action != "CREATE")
