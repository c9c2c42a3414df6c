# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Org unit types and the org structure (lp).

From ROUTES.txt: GET outypes/, GET orgstructure/ (look-ups), POST orgstructure/.
Supporting routes, not in ROUTES.txt (real Valence routes needed to update/delete org units):
GET/PUT orgstructure/(id), GET/POST orgstructure/(id)/parents/, GET orgstructure/(id)/children/,
DELETE orgstructure/(id)/parents/(parentId), and the recycle bin: GET orgstructure/recyclebin/,
POST orgstructure/recyclebin/(id)/recycle, POST orgstructure/recyclebin/(id)/restore,
DELETE orgstructure/recyclebin/(id) (DELETE courses/(id) and coursetemplates/(id) recycle too:
``send_to_recycle_bin``).

A unit in the recycle bin keeps its properties (code, parents, path; a course offering its
dates, description, content) and its Identifier; it is neither listed by GET orgstructure/ nor
gettable by any route but GET orgstructure/recyclebin/. Its code stays reserved unless the
``recycled_codes`` switch says "free" (config.py).
"""
from __future__ import annotations

from typing import Annotated, List, Optional

from fastapi import Body, Depends, Query, Request, Response
from pydantic import StrictInt

from ..routing import make_router
from .. import orgunits as ous
from .. import store as st
from ..errors import ApiError, bad_request, not_found_orgunit
from ..models import (OrgUnit, OrgUnitCreateData, OrgUnitProperties, OrgUnitPropertiesIn,
                      OrgUnitType, PagedResultSet)
from . import get_emu, product_version, scoped
from .. import permissions as perms
from ..auth import Principal, caller

router = make_router(prefix="/d2l/api/lp/{version}", tags=["orgstructure"],
                     dependencies=[product_version("lp"), scoped()])

PAGE_SIZE = 100

# NOTE: no evidence (a tenant's structure is configurable); the emulator's reading of a default
# tenant's structure: which parent types each type accepts. Course templates and offerings are
# created through the courses routes.
ALLOWED_PARENTS = {
    st.TYPE_DEPARTMENT: {st.TYPE_ORGANIZATION},
    st.TYPE_SEMESTER: {st.TYPE_ORGANIZATION},
    st.TYPE_GROUP: {st.TYPE_COURSE_OFFERING},
    st.TYPE_SECTION: {st.TYPE_COURSE_OFFERING},
    st.TYPE_COURSE_TEMPLATE: {st.TYPE_ORGANIZATION, st.TYPE_DEPARTMENT},
    st.TYPE_COURSE_OFFERING: {st.TYPE_COURSE_TEMPLATE, st.TYPE_SEMESTER},
}
CREATABLE_HERE = {st.TYPE_DEPARTMENT, st.TYPE_SEMESTER, st.TYPE_GROUP, st.TYPE_SECTION}


def _unit(emu, ou_id: int) -> dict:
    ou = emu.store.orgunit(ou_id)
    if ou is None:
        raise not_found_orgunit("org unit")
    return ou


def check_parent_type(child_type: int, parent: dict) -> None:
    allowed = ALLOWED_PARENTS.get(child_type, set())
    if parent["TypeId"] not in allowed:
        raise bad_request(f"An org unit of type {st.OUTYPE_BY_ID[parent['TypeId']][2]} cannot be a "
                          f"parent of an org unit of type {st.OUTYPE_BY_ID[child_type][2]}")


@router.get("/outypes/", response_model=List[OrgUnitType])
async def list_outypes():
    out = []
    for order, (tid, code, name, desc) in enumerate(st.OUTYPES):
        fixed = tid == st.TYPE_ORGANIZATION
        out.append(OrgUnitType(Id=tid, Code=code, Name=name, Description=desc, SortOrder=order,
                               Permissions={"CanCreate": not fixed, "CanDelete": not fixed,
                                            "CanEdit": True}))
    return out


@router.get("/orgstructure/", response_model=PagedResultSet[OrgUnitProperties])
async def list_orgunits(
        request: Request,
        orgUnitType: Optional[int] = Query(None),
        orgUnitCode: Optional[str] = Query(None),
        orgUnitName: Optional[str] = Query(None),
        exactOrgUnitCode: Optional[str] = Query(None),
        exactOrgUnitName: Optional[str] = Query(None),
        bookmark: Optional[str] = Query(None)):
    emu = get_emu(request)
    after = _after(bookmark)
    items = []
    for ou in emu.store.orgunits():
        if ou["Identifier"] <= after:
            continue
        if orgUnitType is not None and ou["TypeId"] != orgUnitType:
            continue
        # NOTE: no evidence in the pages; codes are unique case-insensitively (store.py), so
        # the exact filters compare case-insensitively (a client that would create "abc"
        # beside "ABC" finds the existing unit), and so do the "contains" filters.
        if orgUnitCode is not None and orgUnitCode.lower() not in ou["Code"].lower():
            continue
        if orgUnitName is not None and orgUnitName.lower() not in ou["Name"].lower():
            continue
        if exactOrgUnitCode is not None and exactOrgUnitCode.lower() != ou["Code"].lower():
            continue
        if exactOrgUnitName is not None and exactOrgUnitName.lower() != ou["Name"].lower():
            continue
        items.append(ou)
    return _paged(items)


def _after(bookmark: Optional[str]) -> int:
    """The Identifier a ``bookmark`` query value stands for (0: from the start)."""
    if not bookmark:
        return 0
    if not bookmark.isdigit():
        raise ApiError(400, "bookmark: invalid bookmark", title="Bad Request")
    return int(bookmark)


def _paged(items: list) -> dict:
    """A PagedResultSet of OrgUnitProperties: the first PAGE_SIZE of ``items`` (in Identifier
    order, those after the bookmark already)."""
    page, more = items[:PAGE_SIZE], len(items) > PAGE_SIZE
    # NOTE: evidence: NOTES.md "pass bookmark=<Bookmark> for the next page"; no evidence of
    # its value: the last returned Identifier (also on the last page); "" when empty.
    mark = str(page[-1]["Identifier"]) if page else ""
    return {"PagingInfo": {"Bookmark": mark, "HasMoreItems": more},
            "Items": [ous.properties_view(ou) for ou in page]}


@router.get("/orgstructure/recyclebin/", response_model=PagedResultSet[OrgUnitProperties])
async def list_recycle_bin(request: Request, bookmark: Optional[str] = Query(None)):
    # Supporting route, not in ROUTES.txt. NOTE: evidence: D2L's reference text as generated
    # into kerbeh/valence-wrapper (src/Service/OrganizationStructure.php, "Developer Platform
    # (July 2020)"): "Retrieve all the org units currently in the recycle bin. Return. This
    # action returns a paged result set containing the resulting OrgUnitProperties blocks for
    # the segment following your bookmark parameter (or the first segment if that parameter is
    # empty or missing)"; gsu-dle/d2l-api-tools pages it by Identifier. No filter is
    # documented (none is taken: an unknown query parameter is ignored, like everywhere);
    # order, page size and bookmark as GET orgstructure/ (no evidence: Identifier order).
    emu = get_emu(request)
    after = _after(bookmark)
    items = [ou for ou in emu.store.orgunits(include_recycled=True)
             if ou["Recycled"] and ou["Identifier"] > after]
    return _paged(items)


@router.post("/orgstructure/", response_model=OrgUnit)
async def create_orgunit(request: Request, body: OrgUnitCreateData):
    emu = get_emu(request)
    if body.Type not in st.OUTYPE_BY_ID:
        raise bad_request(f"Unknown org unit type {body.Type}")
    if body.Type not in CREATABLE_HERE:
        # NOTE: evidence: ROUTES.txt lists POST orgstructure/ for "semesters, departments";
        # no evidence for other types: the Organization is unique; templates/offerings go
        # through coursetemplates/ and courses/ so that their create-only fields exist.
        raise bad_request(f"Org units of type {st.OUTYPE_BY_ID[body.Type][2]} cannot be "
                          "created with this action")
    if not body.Parents:
        raise bad_request("Parents: at least one parent org unit is required")
    parents = []
    for pid in body.Parents:
        parent = emu.store.orgunit(pid)
        if parent is None:
            raise not_found_orgunit("parent org unit")
        check_parent_type(body.Type, parent)
        parents.append(pid)
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, body.Type, body.Code)
        ou = ous.new_orgunit(emu.store, body.Type, body.Name, body.Code, "",
                             list(dict.fromkeys(parents)))
    return ous.orgunit_view(ou)


@router.get("/orgstructure/{orgUnitId}", response_model=OrgUnitProperties)
async def get_orgunit(request: Request, orgUnitId: int):
    # Supporting route, not in ROUTES.txt.
    return ous.properties_view(_unit(get_emu(request), orgUnitId))


@router.put("/orgstructure/{orgUnitId}", response_model=OrgUnitProperties)
async def update_orgunit(request: Request, orgUnitId: int, body: OrgUnitPropertiesIn):
    # Supporting route, not in ROUTES.txt.
    emu = get_emu(request)
    ou = _unit(emu, orgUnitId)
    if int(body.Identifier) != orgUnitId:
        raise bad_request("Identifier does not match the org unit in the route")
    if body.Type.Id != ou["TypeId"]:
        raise bad_request("The type of an org unit cannot be changed")
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, ou["TypeId"], body.Code, exclude=orgUnitId)
        ou.update(Name=body.Name, Code=body.Code, Path=body.Path)
    return ous.properties_view(ou)


@router.get("/orgstructure/{orgUnitId}/parents/", response_model=List[OrgUnit])
async def list_parents(request: Request, orgUnitId: int):
    # Supporting route, not in ROUTES.txt.
    emu = get_emu(request)
    ou = _unit(emu, orgUnitId)
    parents = [emu.store.orgunit(pid) for pid in ou["Parents"]]
    return [ous.orgunit_view(p) for p in parents if p is not None]


@router.get("/orgstructure/{orgUnitId}/children/", response_model=List[OrgUnit])
async def list_children(request: Request, orgUnitId: int, ouTypeId: Optional[int] = Query(None)):
    # Supporting route, not in ROUTES.txt. NOTE: evidence: D2L's utility library
    # (d2lvalence_util, service.get_orgunit_children) sends GET orgstructure/(id)/children/ with
    # an optional ouTypeId and reads a JSON array of OrgUnit blocks; SCOPES.md lists it under
    # organizations:organization:read. Units in the recycle bin are not children (strictest).
    emu = get_emu(request)
    _unit(emu, orgUnitId)
    children = emu.store.children(orgUnitId, include_recycled=False)
    if ouTypeId is not None:
        children = [ou for ou in children if ou["TypeId"] == ouTypeId]
    return [ous.orgunit_view(ou) for ou in children]


@router.post("/orgstructure/{orgUnitId}/parents/")
async def add_parent(request: Request, orgUnitId: int,
                     parentId: Annotated[StrictInt, Body(description="the parent's D2LID")]):
    # Supporting route, not in ROUTES.txt. Body: a bare JSON number.
    emu = get_emu(request)
    ou = _unit(emu, orgUnitId)
    parent = emu.store.orgunit(parentId)
    if parent is None:
        raise not_found_orgunit("parent org unit")
    check_parent_type(ou["TypeId"], parent)
    if parentId == orgUnitId:
        raise bad_request("An org unit cannot be its own parent")
    if parentId in ou["Parents"]:
        return Response(status_code=200)
    if ou["TypeId"] == st.TYPE_COURSE_OFFERING and parent["TypeId"] in (
            st.TYPE_COURSE_TEMPLATE, st.TYPE_SEMESTER) and \
            ous.parent_of_type(emu.store, ou, parent["TypeId"]) is not None:
        # NOTE: evidence: CreateCourseOffering takes one CourseTemplateId and one SemesterId
        # (or null): an offering has exactly one template and at most one semester.
        raise bad_request(f"The course offering already has a "
                          f"{st.OUTYPE_BY_ID[parent['TypeId']][2]} parent")
    with emu.store.mutate():
        ou["Parents"].append(parentId)
    return Response(status_code=200)


@router.delete("/orgstructure/{orgUnitId}/parents/{parentOrgUnitId}")
async def remove_parent(request: Request, orgUnitId: int, parentOrgUnitId: int):
    # Supporting route, not in ROUTES.txt.
    emu = get_emu(request)
    ou = _unit(emu, orgUnitId)
    if parentOrgUnitId not in ou["Parents"]:
        raise not_found_orgunit("parent org unit")
    parent = emu.store.orgunit(parentOrgUnitId, include_recycled=True)
    if ou["TypeId"] == st.TYPE_COURSE_OFFERING and parent and \
            parent["TypeId"] == st.TYPE_COURSE_TEMPLATE:
        raise bad_request("A course offering must keep its course template parent")
    if len(ou["Parents"]) == 1:
        # NOTE: no evidence; the strictest reading: every org unit except the Organization
        # needs at least one parent.
        raise bad_request("An org unit must have at least one parent")
    with emu.store.mutate():
        ou["Parents"].remove(parentOrgUnitId)
    return Response(status_code=200)


def _ids(units) -> str:
    return ", ".join(str(ou["Identifier"]) for ou in units)


def send_to_recycle_bin(emu, ou: dict, refusal: str) -> None:
    """Send ``ou`` to the recycle bin, or refuse (400 ``refusal`` naming the children) while
    it has child org units that are not in the recycle bin.

    NOTE: evidence: D2L's help page (community.d2l.com KB 4203 "Create and delete org units"):
    "Before moving an org unit to the Recycle Bin, you must detach all child org units."; and
    HR.BrightspaceConnector's test DeleteOrgUnitAsync_GivenOrgUnitWithChild_ThrowsException
    expects 400 Bad Request for a unit with a child (its DeleteOrgUnitAsync sends POST
    orgstructure/recyclebin/(id)/recycle first). Children already in the recycle bin do not
    count (no evidence that they must be detached, and they cannot be: the parents routes do not
    reach a unit in the bin, so counting them would leave no way to recycle the parent)."""
    with emu.store.mutate():
        live = emu.store.children(ou["Identifier"], include_recycled=False)
        if live:
            raise bad_request(f"{refusal} (child org units not in the recycle bin: {_ids(live)})")
        ou["Recycled"] = True


@router.post("/orgstructure/recyclebin/{orgUnitId}/recycle")
async def recycle_orgunit(request: Request, orgUnitId: int, principal: Principal = Depends(caller)):
    # Supporting route, not in ROUTES.txt; its path is the one D2L's scope table gives it
    # (SCOPES.md: POST orgstructure/recyclebin/(id)/recycle). The unit is neither listed nor
    # gettable afterwards (a unit already in the bin is not found: 404); it keeps its code
    # (Store.find_code, the recycled_codes switch) until deleted from the recycle bin.
    emu = get_emu(request)
    ou = _unit(emu, orgUnitId)
    _course_permission(emu, principal, ou)
    if ou["TypeId"] == st.TYPE_ORGANIZATION:
        raise bad_request("The organization cannot be recycled")
    send_to_recycle_bin(emu, ou, "The org unit still has child org units; detach them (or send "
                                 "them to the recycle bin) first")
    return Response(status_code=200)


def _course_permission(emu, principal: Principal, ou: dict) -> None:
    """The role permission the course routes need, for a course offering or template in the
    recycle bin routes.

    NOTE: evidence: D2L's reference, as HR.BrightspaceConnector's IApiClient.cs copies it, says
    DELETE courses/(orgUnitId) "is equivalent to using the route to send an org unit to the
    recycle bin" (and the same of course templates); the pages name no permission for the recycle
    bin routes. The strictest reading: what guards removing a course offering (template) by its
    own route guards recycling, restoring and permanently deleting it by the recycle bin routes
    (permissions.py: "manage or create courses", "... and templates"), so a role cannot do by one
    route what the other refuses it. Other org units: no permission (none is named)."""
    name = {st.TYPE_COURSE_OFFERING: perms.MANAGE_COURSES,
            st.TYPE_COURSE_TEMPLATE: perms.MANAGE_TEMPLATES}.get(ou["TypeId"])
    if name is not None:
        with emu.store.lock:
            perms.require(emu.store.data, principal.user, name)


def _recycled(emu, ou_id: int) -> dict:
    ou = emu.store.orgunit(ou_id, include_recycled=True)
    if ou is None or not ou["Recycled"]:
        raise not_found_orgunit("org unit in the recycle bin")
    return ou


@router.post("/orgstructure/recyclebin/{orgUnitId}/restore")
async def restore_orgunit(request: Request, orgUnitId: int, principal: Principal = Depends(caller)):
    # Supporting route, not in ROUTES.txt (D2L's reference text as kerbeh/valence-wrapper and
    # gsu-dle/d2l-api-tools carry it: "Restore an org unit from the recycle bin."; SCOPES.md
    # gives it organizations:organization:create). The unit comes back as it was: same
    # Identifier, code, parents and properties. An id that is not in the bin: 404.
    emu = get_emu(request)
    _course_permission(emu, principal, _recycled(emu, orgUnitId))
    with emu.store.mutate():
        ou = _recycled(emu, orgUnitId)
        binned = [p for p in (emu.store.orgunit(pid, include_recycled=True)
                              for pid in ou["Parents"]) if p is not None and p["Recycled"]]
        if binned:
            # NOTE: no evidence; the strictest reading: a unit whose parent is in the recycle
            # bin is not restored under it (400): restore the parent first.
            raise bad_request(f"The org unit's parent org units {_ids(binned)} are in the "
                              "recycle bin; restore them first")
        holder = emu.store.find_code(ou["TypeId"], ou["Code"], exclude=orgUnitId,
                                     include_recycled=False)
        if holder is not None:
            # NOTE: no evidence; the strictest reading: a live unit of the same type that took
            # the code meanwhile (only under recycled_codes "free", config.py) makes the
            # restore a duplicate code: refused (400) like any duplicate, never two live units
            # with one code.
            type_name = st.OUTYPE_BY_ID[ou["TypeId"]][2]
            raise bad_request(f"An org unit of type {type_name} with code '{ou['Code']}' already "
                              f"exists (org unit {holder['Identifier']}); the org unit cannot be "
                              "restored")
        ou["Recycled"] = False
    return Response(status_code=200)


@router.delete("/orgstructure/recyclebin/{orgUnitId}")
async def delete_recycled(request: Request, orgUnitId: int, principal: Principal = Depends(caller)):
    # Supporting route, not in ROUTES.txt: permanent deletion of a recycled org unit (its code
    # is free again).
    emu = get_emu(request)
    _course_permission(emu, principal, _recycled(emu, orgUnitId))
    with emu.store.mutate():
        ou = _recycled(emu, orgUnitId)
        if emu.store.children(orgUnitId):
            # NOTE: no evidence; the strictest reading: the emulator refuses to delete a unit
            # that other units (in the recycle bin too) still have as parent.
            raise bad_request("The org unit still has child org units")
        ous.delete_orgunit(emu.store, ou)
    return Response(status_code=200)
