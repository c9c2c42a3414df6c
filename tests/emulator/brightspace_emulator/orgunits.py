# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Org unit rules and views shared by the org structure and course routes."""
from __future__ import annotations

import html
import re
from typing import Optional

from . import store as st
from .config import version_tuple
from .errors import bad_request
from .models import LP_FIELD_SINCE

# NOTES.md: org unit codes are at most 50 characters and may not contain these characters.
CODE_MAX = 50
CODE_FORBIDDEN = set('\\:*?"<>|\'#,%&')


def check_code(code: str) -> None:
    # NOTE: no evidence (NOTES.md gives the length and characters only); the strictest
    # reading: an empty (or blank) code is refused too.
    if not code.strip():
        raise bad_request("Code is required")
    if len(code) > CODE_MAX:
        raise bad_request(f"Code must be at most {CODE_MAX} characters")
    bad = sorted({c for c in code if c in CODE_FORBIDDEN})
    if bad:
        raise bad_request("Code contains characters that are not allowed: " + " ".join(bad))


def check_name(name: str) -> None:
    if not name.strip():
        raise bad_request("Name is required")


def check_unique_code(store, type_id: int, code: str, exclude: Optional[int] = None) -> None:
    if store.find_code(type_id, code, exclude) is not None:
        type_name = st.OUTYPE_BY_ID[type_id][2]
        raise bad_request(f"An org unit of type {type_name} with code '{code}' already exists")


def enforced_path(identifier: int, code: str) -> str:
    return f"/content/enforced/{identifier}-{code}/"


def type_info(ou: dict) -> dict:
    return st.outype_info(ou["TypeId"])


def basic(ou: Optional[dict]) -> Optional[dict]:
    if ou is None:
        return None
    return {"Identifier": str(ou["Identifier"]), "Name": ou["Name"], "Code": ou["Code"]}


def orgunit_view(ou: dict) -> dict:
    """OrgUnit block."""
    return {"Identifier": str(ou["Identifier"]), "Name": ou["Name"], "Code": ou["Code"],
            "Type": type_info(ou)}


def properties_view(ou: dict) -> dict:
    """OrgUnitProperties block."""
    return {"Identifier": str(ou["Identifier"]), "Name": ou["Name"], "Code": ou["Code"],
            "Path": ou["Path"], "Type": type_info(ou)}


def parent_of_type(store, ou: dict, type_id: int) -> Optional[dict]:
    for pid in ou["Parents"]:
        parent = store.orgunit(pid, type_id, include_recycled=True)
        if parent is not None:
            return parent
    return None


EMPTY_RICH_TEXT = {"Text": "", "Html": ""}


def rich_text(value) -> dict:
    """The RichText (``{"Text", "Html"}``) stored for a RichTextInput (``{"Content", "Type"}``).

    NOTE: no evidence of how the service derives one form from the other; the emulator keeps
    the content as given in the member its Type names and derives the other simply (Text: HTML
    escaped; Html: tags removed, entities decoded). A client comparing a description should
    compare the member of the Type it sent."""
    content, kind = value.Content, value.Type
    if kind == "Html":
        return {"Text": html.unescape(re.sub(r"<[^>]*>", "", content)), "Html": content}
    return {"Text": content, "Html": html.escape(content, quote=False)}


def has_field(block: str, name: str, version: str) -> bool:
    """Whether LP ``version`` has field ``name`` in ``block`` (models.LP_FIELD_SINCE)."""
    since = LP_FIELD_SINCE.get(block, {}).get(name)
    return since is None or version_tuple(version) >= version_tuple(since)


def offering_view(store, ou: dict, version: str) -> dict:
    """CourseOffering block as LP ``version`` has it; Department is the template's parent
    department, if any."""
    template = parent_of_type(store, ou, st.TYPE_COURSE_TEMPLATE)
    semester = parent_of_type(store, ou, st.TYPE_SEMESTER)
    department = parent_of_type(store, template, st.TYPE_DEPARTMENT) if template else None
    view = {
        "Identifier": str(ou["Identifier"]),
        "Name": ou["Name"],
        "Code": ou["Code"],
        "IsActive": ou["IsActive"],
        "Path": ou["Path"],
        "StartDate": ou["StartDate"],
        "EndDate": ou["EndDate"],
        "CourseTemplate": basic(template),
        "Semester": basic(semester),
        "Department": basic(department),
    }
    if has_field("CourseOffering", "Description", version):
        view["Description"] = dict(ou.get("Description") or EMPTY_RICH_TEXT)
    if has_field("CourseOffering", "CanSelfRegister", version):
        view["CanSelfRegister"] = bool(ou.get("CanSelfRegister", False))
    return view


def template_view(ou: dict) -> dict:
    return {"Identifier": str(ou["Identifier"]), "Code": ou["Code"], "Name": ou["Name"],
            "Path": ou["Path"]}


def new_orgunit(store, type_id: int, name: str, code: str, path: str, parents: list,
                **extra) -> dict:
    """Insert a new org unit (the caller holds ``store.mutate()``)."""
    ou_id = store.new_id()
    ou = {"Identifier": ou_id, "TypeId": type_id, "Name": name, "Code": code, "Path": path,
          "Parents": list(parents), "Recycled": False}
    ou.update(extra)
    store.data["orgunits"][str(ou_id)] = ou
    return ou


def delete_orgunit(store, ou: dict) -> None:
    """Remove an org unit for good (the caller holds ``store.mutate()``)."""
    store.data["orgunits"].pop(str(ou["Identifier"]), None)
    store.data["course_content"].pop(str(ou["Identifier"]), None)
    for other in store.data["orgunits"].values():
        if ou["Identifier"] in other["Parents"]:
            other["Parents"].remove(ou["Identifier"])
