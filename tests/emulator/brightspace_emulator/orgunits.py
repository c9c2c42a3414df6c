"""Org unit rules and views shared by the org structure and course routes."""
from __future__ import annotations

from typing import Optional

from . import store as st
from .errors import bad_request

# NOTES.md: org unit codes are at most 50 characters and may not contain these characters.
CODE_MAX = 50
CODE_FORBIDDEN = set('\\:*?"<>|\'#,%&')


def check_code(code: str) -> None:
    # NOTE: an empty (or blank) code is refused too: the service requires a code.
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


def offering_view(store, ou: dict) -> dict:
    """CourseOffering block; Department is the template's parent department, if any."""
    template = parent_of_type(store, ou, st.TYPE_COURSE_TEMPLATE)
    semester = parent_of_type(store, ou, st.TYPE_SEMESTER)
    department = parent_of_type(store, template, st.TYPE_DEPARTMENT) if template else None
    return {
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
