# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio export and import tasks (eportfolio-import-export.txt).

- ``POST export/new`` (JSON array of ObjectIds), ``POST export/new/all`` -> 200 task id (a
  bare JSON number); ``GET export/(id)/status`` -> JOBSTATUS (a bare JSON number);
  ``GET export/(id)/package`` -> the zip.
- ``POST import/new`` -> JSON array of task ids; ``POST import/newwithdetails`` ->
  EP.EpImportJobResponse; ``GET import/(id)/status`` -> JOBSTATUS.

Package building and reading, completion effects: epjobs.py.
"""
from __future__ import annotations

import os
import secrets
from typing import List, Optional

from fastapi import Body, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import StrictInt
from starlette.concurrency import run_in_threadpool

from ..routing import make_router
from .. import eportfolio as ep
from .. import epjobs as ej
from .. import permissions as perms
from .. import store as st
from ..auth import Principal, caller
from ..errors import ERRORS, PROBLEM, ApiError, bad_request
from ..models import EpImportJobResponse
from ..multipart import remove_quietly, stream_form
from . import get_emu, product_version, scoped
from .eportfolio import bool_query

router = make_router(prefix="/d2l/api/eP/{version}", tags=["eportfolio import/export"],
                     dependencies=[product_version("eP"), scoped()])

# Scopes: no ePortfolio route is in SCOPES.md's table, so every one is core:*:* only (scopes.py).

FILE_PART = "file"
# NOTE: evidence: D2L's utility library (D2LValence-UtilTUT, d2lvalence_util/service.py,
# start_ep_import_task) sends one form part named "targetUsers" per target user, as text/plain
# (the page says only "a separate form-data part for each target user ID value").
TARGET_PART = "targetUsers"
DEPRECATED = ("includeAssociatedReflections", "includeReflectionsAssociations")


def _create_export(request: Request, principal: Principal, records: list, skipped: list,
                   forms_items: bool, associated: bool) -> JSONResponse:
    emu = get_emu(request)
    # NOTE: evidence: the page's 400 "no matching EP objects found" (none matches) and the
    # JOBSTATUS CompleteWithErrors; no evidence for a list that matches in part: unknown ids are
    # left out and the task ends CompleteWithErrors (3) instead of Complete (2), so the client
    # sees it. (Another user's object is never left out: export_new refuses it with 403.)
    outcome = ej.COMPLETE_WITH_ERRORS if skipped else ej.COMPLETE
    with emu.store.lock:
        with emu.store.mutate() as data:
            task_id = ej.new_task_id(data)
            objects, task_dir = ej.capture(data, emu.store.upload_dir, task_id, records)
        emu.jobs.create(ej.KIND_EXPORT, ej.PHASES, outcome, token=str(task_id), data={
            "UserId": principal.user,
            "ObjectIds": [r["ObjectId"] for r in records],
            "Skipped": skipped,
            "IncludeFormsItems": forms_items,
            "IncludeAssociatedItems": associated,
            "Objects": objects,
            "Dir": task_dir,
            "Package": None,
        }, request_method=request.method, request_path=request.url.path,
            outcomes=ej.FAULT_OUTCOMES)
    return JSONResponse(task_id)


def _task(emu, principal: Principal, task_id: int, kind: str, what: str) -> dict:
    job = emu.jobs.get(str(task_id), kind=kind)
    if job is None:
        raise ApiError(404, f"{what.capitalize()} task not found", ERRORS)
    if job["data"]["UserId"] != principal.user:
        raise ApiError(403, f"No permission to see status of {what} task", PROBLEM,
                       title="Forbidden")
    return job


def _status(emu, job: dict):
    now = emu.jobs.clock()
    status = emu.jobs.status(job, now)
    emu.jobs.settle(job, now)
    return status


# --- export -----------------------------------------------------------------------------------
@router.post("/export/new", response_model=int)
async def export_new(request: Request, object_ids: List[StrictInt] = Body(...),
                     includeFormsItems: Optional[str] = None,
                     includeAssociatedItems: Optional[str] = None,
                     principal: Principal = Depends(caller)):
    # NOTE: no evidence of what the service does with them; the strictest reading: the page
    # says includeAssociatedReflections and includeReflectionsAssociations are "Deprecated since
    # API version 2.1" and the emulator serves only eP 2.5, so a request that passes them (in
    # any case, like every query parameter name: routing.py) is refused.
    given = {key.lower() for key in request.query_params}
    for name in DEPRECATED:
        if name.lower() in given:
            raise bad_request(f"{name} is deprecated since API version 2.1 and not supported "
                              "by this API version")
    forms_items = bool_query(includeFormsItems, "includeFormsItems")
    associated = bool_query(includeAssociatedItems, "includeAssociatedItems")
    if not object_ids:
        raise bad_request("Empty list of EP object IDs provided")
    emu = get_emu(request)
    wanted = list(dict.fromkeys(object_ids))  # duplicates count once, order kept
    with emu.store.lock:
        data = emu.store.data
        records, skipped, others = [], [], []
        for object_id in wanted:
            record = data["ep_objects"].get(str(object_id))
            if record is None:
                skipped.append(object_id)
            elif str(record["UserId"]) == principal.user:
                records.append(record)
            else:
                others.append(object_id)
        # NOTE: evidence: the page's 403 "No permission to export identified EP objects" and
        # export/new/all's "objects owned by the current user context"; no evidence of a right
        # to export other users' objects: the strictest reading, an identified object that
        # belongs to another user refuses the whole request with that 403, whatever the
        # caller's role (never a silent skip: the package would lack it).
        if others:
            raise perms.refusal(data, principal.user, perms.EXPORT_IDENTIFIED, why=(
                "EP object(s) " + ", ".join(map(str, others)) + " belong to another user; "
                "an export takes only the caller's own objects"))
        if not records:
            raise bad_request("Invalid export request: no matching EP objects found")
        return _create_export(request, principal, records, skipped, forms_items, associated)


@router.post("/export/new/all", response_model=int)
async def export_new_all(request: Request,
                         principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        records = ep.user_objects(emu.store.data, principal.user)
        if not records:
            raise bad_request("No EP objects found owned by current user")
        return _create_export(request, principal, records, [], False, False)


@router.get("/export/{exportId}/status", response_model=int)
async def export_status(request: Request, exportId: int,
                        principal: Principal = Depends(caller)):
    emu = get_emu(request)
    job = _task(emu, principal, exportId, ej.KIND_EXPORT, "export")
    return JSONResponse(_status(emu, job))


@router.get("/export/{exportId}/package",
            responses={200: {"content": {"application/zip": {}},
                             "description": "The export package (a zip)"}})
async def export_package(request: Request, exportId: int,
                         principal: Principal = Depends(caller)):
    emu = get_emu(request)
    job = _task(emu, principal, exportId, ej.KIND_EXPORT, "export")
    status = _status(emu, job)
    # NOTE: evidence: the page lists only 404 "Export task not found"; no evidence for a task
    # that has no package yet: the strictest reading, a task that is not finished answers 404
    # "Export package not ready", an Aborted one 404 as well (it has no package).
    if status == ej.ABORTED:
        raise ApiError(404, "Export package not found: the export task was aborted", ERRORS)
    if status not in ej.FINISHED:
        raise ApiError(404, "Export package not ready", ERRORS)
    path = await run_in_threadpool(ej.ensure_package, emu, job["id"])
    return FileResponse(path, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{ej.package_file_name(job)}"'})


# --- import -----------------------------------------------------------------------------------
async def _start_import(request: Request, principal: Principal, details: bool):
    """Read the form, then create one import task per known target user."""
    emu = get_emu(request)
    incoming = os.path.join(emu.store.upload_dir, "incoming-" + secrets.token_hex(8))
    # NOTE: no evidence for the other parts; the strictest reading: a form part this action does
    # not take (any name but "file" and "targetUsers", e.g. a misspelt "targetUserId") is
    # refused with 400 naming it, rather than dropped: a dropped target-user part would import
    # into the caller's ePortfolio instead of the intended user's.
    form = await stream_form(request, incoming, FILE_PART, text_fields=(TARGET_PART,),
                             strict=True)
    part = form["file"]
    if part is None:
        raise bad_request("No EP package file provided")
    try:
        # Each target user is one "targetUsers" part (a D2LID as text), in order; none means
        # the caller. NOTE: no evidence; the strictest reading: a value that is not a D2LID is
        # refused (400).
        targets = [value.strip() for name, value in form["fields"] if name == TARGET_PART]
        bad = [t for t in targets if not t.isdigit()]
        if bad:
            raise bad_request(f"Invalid {TARGET_PART} value(s): " + ", ".join(map(repr, bad)))
        targets = [str(int(t)) for t in targets] or [principal.user]
        others = [t for t in dict.fromkeys(targets) if t != principal.user]
        if others:
            with emu.store.lock:
                if not perms.has(emu.store.data, principal.user, perms.IMPORT_EP_OTHERS):
                    # the whole request is refused (permissions.py IMPORT_EP_OTHERS), before
                    # any target user is looked up: no task for anyone
                    raise perms.refusal(
                        emu.store.data, principal.user, perms.IMPORT_EP_OTHERS, perms.IMPORT_EP,
                        why=f"importing into other users ({', '.join(others)}) needs the "
                            f"permission '{perms.IMPORT_EP_OTHERS}', which the role "
                            f"{perms.describe_role(emu.store.data, principal.user)} of user "
                            f"{principal.user} does not have")
        unknown = [t for t in targets if t not in st.USERS]
        if unknown and not details:
            # NOTE: evidence: the page's 404 "Could not create a valid import task ID";
            # import/new has no way to report a user it cannot import to, so (the strictest
            # reading) one unknown target user fails the whole request with that 404 (no task
            # created).
            raise ApiError(404, "Could not create a valid import task ID: unknown user(s) "
                                + ", ".join(unknown), ERRORS)
        known = [t for t in targets if t in st.USERS]
        staging = os.path.join(emu.store.upload_dir, "ep-import-" + secrets.token_hex(8))
        result = await run_in_threadpool(ej.read_package, incoming, staging) if known \
            else {"ok": False, "Reason": "no target user", "Objects": []}
    finally:
        remove_quietly(incoming)  # the package was read (its file bytes are staged)
    task_ids = []
    outcome = ej.COMPLETE if result["ok"] else ej.ABORTED
    with emu.store.lock:  # all tasks exist before any of them settles (they share the staging)
        for user in known:
            with emu.store.mutate() as data:
                task_id = ej.new_task_id(data)
            emu.jobs.create(ej.KIND_IMPORT, ej.PHASES, outcome, token=str(task_id), data={
                "UserId": user,
                "CreatedBy": principal.user,
                "FileName": part["FileName"],
                "Size": part["Size"],
                "Staging": staging,
                "Objects": result["Objects"],
                "Reason": result["Reason"],
                "CreatedObjectIds": [],
            }, request_method=request.method, request_path=request.url.path,
                outcomes=ej.FAULT_OUTCOMES)
            task_ids.append(task_id)
    if not details:
        return JSONResponse(task_ids)
    # NOTE: no evidence: the reference does not list the ImportJobResultType strings; the
    # emulator answers "Success" (every target user has a task), "PartialSuccess" (some do) or
    # "Failure" (none; still 200).
    kind = "Success" if not unknown else ("PartialSuccess" if task_ids else "Failure")
    return {"ImportJobResultType": kind, "SuccessfulJobIds": task_ids,
            "FailedUserIds": [int(u) for u in unknown],
            "ErrorMessages": [f"User {u} not found" for u in unknown]}


@router.post("/import/new", response_model=List[int])
async def import_new(request: Request,
                     principal: Principal = Depends(caller)):
    return await _start_import(request, principal, details=False)


@router.post("/import/newwithdetails", response_model=EpImportJobResponse)
async def import_new_with_details(request: Request,
                                  principal: Principal = Depends(caller)):
    return await _start_import(request, principal, details=True)


@router.get("/import/{importId}/status", response_model=int)
async def import_status(request: Request, importId: int,
                        principal: Principal = Depends(caller)):
    # The task belongs to its target user, not to the caller who started it: only the target
    # user may read its status (the reference's note on import/new).
    emu = get_emu(request)
    job = _task(emu, principal, importId, ej.KIND_IMPORT, "import")
    return JSONResponse(_status(emu, job))


__all__ = ["router"]
