# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course copy jobs and course import jobs (courses.txt, le ``import/(orgUnitId)/...``).

- ``POST /d2l/api/le/(v)/import/(orgUnitId)/copy/`` (CreateCopyJobRequest) -> 202
  ``{"JobToken"}``; ``GET .../copy/(jobToken)`` -> ``{"Status": COPYJOBSTATUS_T}``.
- ``POST /d2l/api/le/unstable/import/(orgUnitId)/imports/`` and
  ``POST /d2l/api/le/(v)/import/(orgUnitId)/imports/`` (multipart/form-data, part ``file``,
  optional ``?callbackUrl=``) -> 200 ``{"JobToken"}``;
  ``GET .../imports/(jobToken)`` -> ``{"JobToken", "TargetOrgUnitId", "Status"}``.

Completion effects and callbacks: see coursejobs.py and jobs.py.
"""
from __future__ import annotations

import os
import secrets
from typing import Optional

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..routing import make_router
from .. import coursejobs as cj
from .. import store as st
from ..callbacks import check_callback_url
from ..errors import ERRORS, PROBLEM, ApiError, bad_request
from ..models import (CreateCopyJobRequest, CreateCopyJobResponse, CreateImportJobResponse,
                      GetCopyJobResponse, GetImportJobResponse)
from ..multipart import stream_form
from ..packages import analyse_package
from . import get_emu, product_version, scoped

router = make_router(prefix="/d2l/api/le/{version}/import", tags=["course jobs"],
                     dependencies=[product_version("le"), scoped()])

# NOTE: evidence: courses.txt documents the import routes under the "unstable" API contract
# only ("API Versions: unstable"), while D2L's scope table (SCOPES.md: import:job:create /
# import:job:fetch) writes them with a version, "/d2l/api/le/(version)/import/(orgUnitId)/
# imports/", and SCOPES.md adds "A real tenant may serve either". The emulator serves both by
# default: /d2l/api/le/unstable/import/... (unstable_router, no version check) and
# /d2l/api/le/(version)/import/(orgUnitId)/imports/... for every supported le version
# (versioned_router). The switch import_routes (config.py: "both", "unstable", "versioned")
# turns one of them off, so a client can be tested against a tenant that serves only one: a
# contract that is off answers 404 like an unknown route (before any scope check). "unstable" is
# not in versions/ (the list stays numeric), and the copy routes under "unstable" answer 404
# (unsupported version).


def import_contract(name: str):
    """Router dependency: 404 (an unknown route) unless config.import_routes serves ``name``."""

    def dependency(request: Request):
        if get_emu(request).config.import_routes not in ("both", name):
            raise ApiError(404, "Not Found", ERRORS)

    dependency.__name__ = f"import_contract_{name}"
    return Depends(dependency)


unstable_router = make_router(prefix="/d2l/api/le/unstable/import", tags=["course jobs"],
                              dependencies=[import_contract("unstable"), scoped()])
versioned_router = make_router(prefix="/d2l/api/le/{version}/import", tags=["course jobs"],
                               dependencies=[import_contract("versioned"), product_version("le"),
                                             scoped()])

FILE_PART = "file"
_NO_FILE_PART = "the course package must be sent as a form part named 'file'"


def _target(emu, ou_id: int) -> dict:
    ou = emu.store.orgunit(ou_id, st.TYPE_COURSE_OFFERING)
    if ou is None:
        raise ApiError(404, "Target org unit not found", PROBLEM)
    return ou


def _source(emu, ou_id: int) -> Optional[dict]:
    ou = emu.store.orgunit(ou_id)
    if ou is None or ou["TypeId"] not in (st.TYPE_COURSE_OFFERING, st.TYPE_COURSE_TEMPLATE):
        return None
    return ou


def _job(emu, token: str, kind: str, target_id: int) -> dict:
    job = emu.jobs.get(token, kind=kind)
    if job is None or job["data"].get("TargetOrgUnitId") != target_id:
        # NOTE: evidence: the page's 404 "no such import job, or job token is invalid" (and
        # "no such copy job"); no evidence for a token of another kind of job or of another
        # target org unit: the strictest reading, 404 as well. The {"Errors": [...]} format: no
        # evidence, like an unknown upload key.
        raise ApiError(404, f"No such {kind} job, or the job token is invalid", ERRORS)
    return job


def _check_components(components) -> None:
    if components is None:
        return
    if not components:
        raise bad_request("Invalid (empty) course component list")
    # NOTE: no evidence of case handling; the strictest reading: component names are matched
    # exactly (case-sensitive) as COURSECOMPONENT_T spells them.
    invalid = [c for c in components if c not in cj.COURSE_COMPONENTS]
    if invalid:
        raise bad_request("Invalid course component string value(s): " +
                          ", ".join(repr(c) for c in invalid))


# --- copy -------------------------------------------------------------------------------------
@router.post("/{orgUnitId}/copy/", status_code=202, response_model=CreateCopyJobResponse,
             responses={202: {"description": "Job request accepted"}})
async def create_copy_job(request: Request, orgUnitId: int, body: CreateCopyJobRequest):
    emu = get_emu(request)
    _target(emu, orgUnitId)
    if _source(emu, body.SourceOrgUnitId) is None:
        # NOTE: evidence: the page lists "Source org unit not found" under 400 (not 404); no
        # evidence of which types may be a source: the strictest reading, a course offering or
        # a course template, not recycled.
        raise bad_request("Source org unit not found")
    _check_components(body.Components)
    check_callback_url(body.CallbackUrl, "CallbackUrl")
    # NOTE: evidence: the page: "The job processor in the back-end service will do no check to
    # verify that your request course components have already been copied": copying an
    # offering onto itself and repeating a copy are not refused.
    job = emu.jobs.create(cj.KIND_COPY, cj.COPY_STATUSES, cj.COPY_COMPLETE, data={
        "SourceOrgUnitId": body.SourceOrgUnitId,
        "TargetOrgUnitId": orgUnitId,
        "Components": None if body.Components is None else list(body.Components),
        "CallbackUrl": body.CallbackUrl,
    }, request_method=request.method, request_path=request.url.path)
    return JSONResponse({"JobToken": job["id"]}, status_code=202)


@router.get("/{orgUnitId}/copy/{jobToken}", response_model=GetCopyJobResponse)
async def get_copy_job(request: Request, orgUnitId: int, jobToken: str):
    emu = get_emu(request)
    _target(emu, orgUnitId)
    job = _job(emu, jobToken, cj.KIND_COPY, orgUnitId)
    if _source(emu, job["data"]["SourceOrgUnitId"]) is None:
        # The reference's 404 list includes "no such source org unit (from copy job)".
        raise ApiError(404, "Source org unit (from copy job) not found", PROBLEM)
    now = emu.jobs.clock()
    status = emu.jobs.status(job, now)
    emu.jobs.settle(job, now)
    return {"Status": status}


# --- import -----------------------------------------------------------------------------------
async def _stream_file_part(request: Request, dest: str) -> Optional[dict]:
    """Stream the first multipart part named ``file`` (with a filename) to ``dest``.

    Returns ``{"FileName", "Size"}`` or None when there is no such part; raises 400 for a
    malformed body. The part is written block by block as it arrives (multipart.py)."""
    form = await stream_form(request, dest, FILE_PART)
    if form["file"] is None:
        return None
    return {"FileName": form["file"]["FileName"], "Size": form["file"]["Size"]}


async def create_import_job(request: Request, orgUnitId: int, callbackUrl: Optional[str] = None):
    # NOTE: no evidence: the page lists no status code for this action; the strictest reading
    # is 200, the status the page gives every other action that returns a block (a client that
    # accepts only 200 and one that accepts any 2xx both work; 201/202 would break the first).
    emu = get_emu(request)
    _target(emu, orgUnitId)  # before the body is read
    check_callback_url(callbackUrl, "callbackUrl")
    token = secrets.token_hex(8)
    path = os.path.join(emu.store.upload_dir, f"import-{token}")
    part = await _stream_file_part(request, path)
    if part is None:
        raise bad_request(_NO_FILE_PART)
    analysis = await run_in_threadpool(analyse_package, path, part["FileName"])
    if analysis["ok"]:
        statuses, outcome = cj.IMPORT_STATUSES, cj.IMPORT_COMPLETED
    else:
        statuses, outcome = cj.IMPORT_FAILED_STATUSES, cj.IMPORT_FAILED
    job = emu.jobs.create(cj.KIND_IMPORT, statuses, outcome, token=token, data={
        "TargetOrgUnitId": orgUnitId,
        "FileName": part["FileName"],
        "Size": part["Size"],
        "File": path,
        "PackageType": analysis["PackageType"],
        "Title": analysis["Title"],
        "Reason": analysis["Reason"],
        "CallbackUrl": callbackUrl,
    }, request_method=request.method, request_path=request.url.path)
    return {"JobToken": job["id"]}


async def get_import_job(request: Request, orgUnitId: int, jobToken: str):
    emu = get_emu(request)
    _target(emu, orgUnitId)
    job = _job(emu, jobToken, cj.KIND_IMPORT, orgUnitId)
    now = emu.jobs.clock()
    status = emu.jobs.status(job, now)
    emu.jobs.settle(job, now)
    return {"JobToken": job["id"], "TargetOrgUnitId": orgUnitId, "Status": status}


for _router in (unstable_router, versioned_router):
    _router.add_api_route("/{orgUnitId}/imports/", create_import_job, methods=["POST"],
                          response_model=CreateImportJobResponse)
    _router.add_api_route("/{orgUnitId}/imports/{jobToken}", get_import_job, methods=["GET"],
                          response_model=GetImportJobResponse)


__all__ = ["router", "unstable_router", "versioned_router"]
