# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course offerings and course templates (courses.txt, lp)."""
from __future__ import annotations

from typing import List

from fastapi import Request, Response

from ..routing import make_router
from .. import orgunits as ous
from .. import store as st
from ..errors import PROBLEM, ApiError, bad_request, not_found_orgunit
from ..models import (LP_FIELD_SINCE, CourseOffering, CourseOfferingInfo, CourseTemplate,
                      CourseTemplateInfo, CreateCourseOffering, CreateCourseTemplate,
                      SchemaElement, parse_utc)
from . import get_emu, product_version, scoped
from .orgstructure import check_parent_type, send_to_recycle_bin

router = make_router(prefix="/d2l/api/lp/{version}", tags=["courses"],
                     dependencies=[product_version("lp"), scoped()])


def _offering(emu, ou_id: int) -> dict:
    ou = emu.store.orgunit(ou_id, st.TYPE_COURSE_OFFERING)
    if ou is None:  # also a template (or any other type) id: 404
        raise not_found_orgunit("course offering")
    return ou


def _template(emu, ou_id: int) -> dict:
    ou = emu.store.orgunit(ou_id, st.TYPE_COURSE_TEMPLATE)
    if ou is None:
        raise not_found_orgunit("course template")
    return ou


def _check_dates(start, end) -> None:
    if start is not None and end is not None and parse_utc(end) < parse_utc(start):
        raise bad_request("EndDate must not be earlier than StartDate")


def _check_version_fields(block: str, body, version: str) -> None:
    """A field the block gains in a later LP version is an unknown field before it: 400 like any
    unknown field (models.LP_FIELD_SINCE)."""
    for name in sorted(body.model_fields_set):
        if not ous.has_field(block, name, version):
            since = LP_FIELD_SINCE[block][name]
            raise ApiError(400, f"{name}: Extra inputs are not permitted ({name} is a field of "
                                f"{block} from LP API {since}; this request uses {version})",
                           PROBLEM, title="One or more validation errors occurred.")


def _schema(elements) -> list:
    return [SchemaElement(Type=st.outype_info(tid), IsNotAllowed=not_allowed, IsRequired=required)
            for tid, not_allowed, required in elements]


# --- course offerings -------------------------------------------------------------------------
@router.get("/courses/schema", response_model=List[SchemaElement])
async def course_schema():
    return _schema([
        (st.TYPE_COURSE_TEMPLATE, False, True),
        (st.TYPE_SEMESTER, False, False),
        (st.TYPE_DEPARTMENT, True, False),
        (st.TYPE_ORGANIZATION, True, False),
    ])


@router.post("/courses/", response_model=CourseOffering, response_model_exclude_unset=True)
async def create_course(request: Request, version: str, body: CreateCourseOffering):
    emu = get_emu(request)
    _check_version_fields("CreateCourseOffering", body, version)
    template = emu.store.orgunit(body.CourseTemplateId, st.TYPE_COURSE_TEMPLATE)
    if template is None:
        raise not_found_orgunit("org unit (CourseTemplateId)")
    parents = [template["Identifier"]]
    if body.SemesterId is not None:
        # NOTE: evidence: the page's 404 "Could not resolve org unit for created course to a
        # known org unit"; a SemesterId that is not a semester cannot be resolved either (the
        # strictest reading): 404 like a missing one.
        semester = emu.store.orgunit(body.SemesterId, st.TYPE_SEMESTER)
        if semester is None:
            raise not_found_orgunit("org unit (SemesterId)")
        parents.append(semester["Identifier"])
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    _check_dates(body.StartDate, body.EndDate)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, st.TYPE_COURSE_OFFERING, body.Code)
        # NOTE: no evidence: CreateCourseOffering has no IsActive; new offerings start active
        # (a client that wants another state PUTs CourseOfferingInfo).
        ou = ous.new_orgunit(emu.store, st.TYPE_COURSE_OFFERING, body.Name, body.Code, body.Path,
                             parents, IsActive=True, StartDate=body.StartDate,
                             EndDate=body.EndDate, LocaleId=body.LocaleId,
                             ForceLocale=body.ForceLocale, ShowAddressBook=body.ShowAddressBook,
                             Description=ous.rich_text(body.Description) if body.Description
                             else dict(ous.EMPTY_RICH_TEXT),
                             # "Null is treated as false" (models.py, the evidence)
                             CanSelfRegister=bool(body.CanSelfRegister))
        if not body.Path:
            ou["Path"] = ous.enforced_path(ou["Identifier"], body.Code)
    return ous.offering_view(emu.store, ou, version)


@router.get("/courses/{orgUnitId}", response_model=CourseOffering,
            response_model_exclude_unset=True)
async def get_course(request: Request, version: str, orgUnitId: int):
    emu = get_emu(request)
    return ous.offering_view(emu.store, _offering(emu, orgUnitId), version)


@router.put("/courses/{orgUnitId}")
async def update_course(request: Request, version: str, orgUnitId: int, body: CourseOfferingInfo):
    emu = get_emu(request)
    ou = _offering(emu, orgUnitId)
    _check_version_fields("CourseOfferingInfo", body, version)
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    _check_dates(body.StartDate, body.EndDate)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, st.TYPE_COURSE_OFFERING, body.Code, exclude=orgUnitId)
        # NOTE: evidence: courses.txt (PUT courses/(orgUnitId)): "This action replaces the
        # associated course offering's data with all the properties you provide": a full
        # replace of the block the version has. The five fields of the page always; from the LP
        # version whose CourseOfferingInfo has them (models.LP_FIELD_SINCE) Description and
        # CanSelfRegister too, so a PUT that omits Description clears it (the empty RichText
        # {"Text": "", "Html": ""}, what a new offering without one has) and one that omits
        # CanSelfRegister, or sends null, sets it false (HR.BrightspaceConnector, quoting the
        # reference: "Null is treated as false"; models.py). At a version whose block lacks a
        # field the stored value is untouched (the block there does not have it). Path,
        # LocaleId, ForceLocale and ShowAddressBook are in no CourseOfferingInfo: kept.
        ou.update(Name=body.Name, Code=body.Code, StartDate=body.StartDate,
                  EndDate=body.EndDate, IsActive=body.IsActive)
        if ous.has_field("CourseOfferingInfo", "Description", version):
            ou["Description"] = ous.rich_text(body.Description) \
                if body.Description is not None else dict(ous.EMPTY_RICH_TEXT)
        if ous.has_field("CourseOfferingInfo", "CanSelfRegister", version):
            ou["CanSelfRegister"] = bool(body.CanSelfRegister)
    return Response(status_code=200)


@router.delete("/courses/{orgUnitId}")
async def delete_course(request: Request, orgUnitId: int):
    emu = get_emu(request)
    ou = _offering(emu, orgUnitId)
    # NOTE: evidence: D2L's reference text for this route as copied into HR.BrightspaceConnector
    # (IApiClient.cs, DeleteCourseOfferingAsync): "Using this action is equivalent to using the
    # route to send an org unit to the recycle bin. You can restore the course offering from the
    # recycle bin, if needed." So the offering goes to the recycle bin (not a permanent delete:
    # DELETE orgstructure/recyclebin/(id) is): it keeps its code (the recycled_codes switch),
    # content and properties, and POST orgstructure/recyclebin/(id)/restore brings it back.
    # Refused (400) like the recycle action while it has groups or sections not in the bin.
    send_to_recycle_bin(emu, ou, "The course offering still has child org units (groups or "
                                 "sections)")
    return Response(status_code=200)


# --- course templates -------------------------------------------------------------------------
@router.get("/coursetemplates/schema", response_model=List[SchemaElement])
async def template_schema():
    return _schema([
        (st.TYPE_DEPARTMENT, False, False),
        (st.TYPE_ORGANIZATION, False, False),
        (st.TYPE_SEMESTER, True, False),
    ])


@router.post("/coursetemplates/", response_model=CourseTemplate)
async def create_template(request: Request, body: CreateCourseTemplate):
    emu = get_emu(request)
    if not body.ParentOrgUnitIds:
        # NOTE: no evidence; the strictest reading: a template needs a parent (the
        # Organization or a Department): an empty ParentOrgUnitIds is refused.
        raise bad_request("ParentOrgUnitIds: at least one parent org unit is required")
    for pid in body.ParentOrgUnitIds:
        parent = emu.store.orgunit(pid)
        if parent is None:
            raise not_found_orgunit("org unit (ParentOrgUnitIds)")
        check_parent_type(st.TYPE_COURSE_TEMPLATE, parent)
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, st.TYPE_COURSE_TEMPLATE, body.Code)
        ou = ous.new_orgunit(emu.store, st.TYPE_COURSE_TEMPLATE, body.Name, body.Code, body.Path,
                             list(dict.fromkeys(body.ParentOrgUnitIds)))
        if not body.Path:
            ou["Path"] = ous.enforced_path(ou["Identifier"], body.Code)
    return ous.template_view(ou)


@router.get("/coursetemplates/{orgUnitId}", response_model=CourseTemplate)
async def get_template(request: Request, orgUnitId: int):
    return ous.template_view(_template(get_emu(request), orgUnitId))


@router.put("/coursetemplates/{orgUnitId}")
async def update_template(request: Request, orgUnitId: int, body: CourseTemplateInfo):
    emu = get_emu(request)
    ou = _template(emu, orgUnitId)
    ous.check_name(body.Name)
    ous.check_code(body.Code)
    with emu.store.mutate():
        ous.check_unique_code(emu.store, st.TYPE_COURSE_TEMPLATE, body.Code, exclude=orgUnitId)
        ou.update(Name=body.Name, Code=body.Code)
    return Response(status_code=200)


@router.delete("/coursetemplates/{orgUnitId}")
async def delete_template(request: Request, orgUnitId: int):
    emu = get_emu(request)
    ou = _template(emu, orgUnitId)
    # NOTE: evidence: D2L's reference text for this route as copied into HR.BrightspaceConnector
    # (IApiClient.cs, DeleteCourseTemplateAsync): "Using this action is equivalent to using the
    # route to send an org unit to the recycle bin. You can restore the course template from the
    # recycle bin, if needed." The template goes to the recycle bin, refused (400) while it has
    # course offerings not in the bin (offerings in the bin do not count, as for the recycle
    # action: orgstructure.send_to_recycle_bin).
    send_to_recycle_bin(emu, ou, "The course template still has course offerings; delete them "
                                 "first")
    return Response(status_code=200)
