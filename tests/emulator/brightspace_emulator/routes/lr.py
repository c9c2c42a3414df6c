# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository routes (learning-repository.txt), ``/d2l/api/lr/(version)/...``.

Every answer carries ``ExecutionStatus`` (OK 0, WARN 1, ERROR 2) and ``ExecutionMessage``. A
failed action (unknown object or repository, bad CQL, offset out of range, a missing form
field or query parameter, ...) answers **HTTP 200** with an LRWSBaseResult
``{"ExecutionMessage": "...", "ExecutionStatus": 2}``, as the page says. Only authentication
(401), scope (403), unknown version or route (404), rate limiting (429), malformed JSON or
query values (400 problem+json), malformed multipart bodies and the resumable upload
protocol (400 ``{"Errors"}``) use HTTP error statuses.

An ``lr_execution`` fault rule (faults.py) is taken by the next matching LR request once its
authentication, scope, version and request validation passed (``lr_action``).
"""
from __future__ import annotations

import functools
import os
import secrets
from typing import Optional
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from ..routing import make_router
from .. import cql
from .. import lr
from .. import permissions as perms
from .. import store as st
from .. import uploads as up
from ..auth import Principal, caller
from ..errors import ERRORS, PROBLEM, ApiError
from ..models import (LRWSBaseResult, LRWSObjectLink, LRWSObjectProperties,
                      LRWSObjectPropertiesInput, LRWSPublishResult, LRWSRepositoryCollection,
                      LRWSSearchResultCollection, LRWSTrustCollection)
from ..multipart import remove_quietly, stream_form
from . import get_emu, product_version, scoped
from . import uploads as upload_routes
from .eportfolio import clean_file_name

router = make_router(prefix="/d2l/api/lr/{version}", tags=["learning repository"],
                     dependencies=[product_version("lr"), scoped()])

# Scopes (scopes.py, from SCOPES.md and the page): lor:object:create for the resumable
# initiation (repositoryId)/upload (its data route /d2l/upload/(key) then demands it too),
# lor:object:write for (repositoryId)/upload/publish and PUT (repositoryId)/upload/publish/(id);
# every other LR route is core:*:* only.

RESOURCE_PART = "Resource"
DEFAULT_FILE_NAME = "Resource"
MAX_COUNT = 200
MAX_FORM_BYTES = 64 * 1024
INVALID_FILE_KEY = "Invalid file key"


def _doc(model, description: str = "Success, or an LRWSBaseResult with ExecutionStatus 2"):
    return {200: {"model": model, "description": description}}


def lr_action(func):
    """Wrap an LR route: ``LrError`` -> 200 LRWSBaseResult ERROR; a dict -> JSON; an
    ``lr_execution`` fault matching the request: ERROR without calling the route, or WARN
    replacing the OK status of the route's JSON answer (the work is done)."""

    @functools.wraps(func)
    async def wrapper(*args, **kwargs):
        request: Request = kwargs["request"]
        emu = get_emu(request)
        fault = emu.faults.take_lr_execution(request.method, request.url.path)
        if fault and fault["status"] == lr.ERROR:
            return JSONResponse(lr.base(lr.ERROR, fault["message"]))
        try:
            result = await func(*args, **kwargs)
        except lr.LrError as exc:
            return JSONResponse(lr.base(lr.ERROR, exc.message))
        if isinstance(result, dict):
            # NOTE: emulator mechanics: a WARN fault replaces only an OK answer (an action that
            # failed keeps its ERROR); on a route whose success answer is no JSON block (a
            # download, the metadata XML, the 308 of an upload initiation) it is used up and
            # changes nothing.
            if fault and result.get("ExecutionStatus") == lr.OK:
                result["ExecutionStatus"] = lr.WARN
                result["ExecutionMessage"] = fault["message"]
            return JSONResponse(result)
        return result

    return wrapper


# --- helpers ----------------------------------------------------------------------------------
def _missing(name: str) -> lr.LrError:
    return lr.LrError(f"Missing query parameter '{name}'")


def _csv_ids(value: Optional[str], name: str) -> Optional[list]:
    """A CSV of D2LIDs; None when absent. A value that is not a list of integers is a
    malformed query value: 400 problem+json."""
    if value is None:
        return None
    if value.strip() == "":
        return []
    items = [item.strip() for item in value.split(",")]
    if not all(item.isdigit() for item in items):
        raise ApiError(400, f"{name}: must be a comma-separated list of integer ids", PROBLEM,
                       title="One or more validation errors occurred.")
    return [int(item) for item in items]


def attachment(file_name: str) -> str:
    """A Content-Disposition ``attachment`` header value for ``file_name``."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    value = f'attachment; filename="{fallback}"'
    if fallback != file_name:
        value += f"; filename*=UTF-8''{quote(file_name, safe='')}"
    return value


def _publish_result(obj: dict, record: dict, warning: Optional[str]) -> dict:
    out = lr.base(lr.WARN if warning else lr.OK, warning or "")
    out.update({"IdentId": obj["IdentId"], "Version": record["Version"]})
    return out


async def _receive_resource(request: Request, emu) -> tuple:
    """Stream the multipart part ``Resource`` to a temporary file: (path, file name, type)."""
    tmp = os.path.join(emu.store.upload_dir, "incoming-" + secrets.token_hex(8))
    form = await stream_form(request, tmp, RESOURCE_PART)
    part = form["file"]
    if part is None:
        raise lr.LrError(f"No file was sent in a multipart/form-data part named "
                         f"'{RESOURCE_PART}'")
    # NOTE: evidence: RFC 7578 §4.2 (the last path segment of the part's filename); no
    # evidence for a part without one: the file name is then "Resource" (the part's name).
    name = clean_file_name(part["FileName"]) or DEFAULT_FILE_NAME
    return tmp, name, lr.guess_type(name, part["ContentType"])


async def _classify(path: str, file_name: str, discard: bool) -> dict:
    try:
        return await run_in_threadpool(lr.classify, path, file_name)
    except lr.LrError:
        if discard:
            remove_quietly(path)
        raise


async def _read_form(request: Request, emu) -> dict:
    """The text fields of an application/x-www-form-urlencoded or multipart/form-data body
    (the last value of a repeated field). NOTE: no evidence (the page says "a POST form"); the
    strictest reading: any other body is an empty form (and fileKey is then missing)."""
    ctype, _params = parse_options_header(request.headers.get("content-type", ""))
    if ctype == b"multipart/form-data":
        tmp = os.path.join(emu.store.upload_dir, "incoming-" + secrets.token_hex(8))
        form = await stream_form(request, tmp, "\x00no file part\x00",
                                 text_fields=("fileKey", "name"))
        remove_quietly(tmp)
        return dict(form["fields"])
    if ctype == b"application/x-www-form-urlencoded":
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise ApiError(400, "The form is too large", ERRORS)
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise ApiError(400, "The form is not UTF-8", ERRORS) from None
        return {key: values[-1] for key, values in parsed.items()}
    return {}


def _upload_for(emu, principal: Principal, form: dict) -> dict:
    key = form.get("fileKey", "")
    if not key:
        raise lr.LrError("Missing form field 'fileKey'")
    try:
        return up.completed_upload(emu, key, principal.user)
    except ApiError:
        # NOTE: no evidence beyond the page's "file key the service sent you"; the strictest
        # reading: an unknown key, an upload not complete, one already attached (to an LR
        # object or an ePortfolio artifact), expired or initiated by another user are all an
        # invalid file key.
        raise lr.LrError(INVALID_FILE_KEY) from None


def _attach_upload(data: dict, key: str, path: str, ident: int) -> None:
    stored = data["uploads"][key]
    stored.update(Attached=True, File=path, AttachedTo=f"lr:{ident}")


def _role(emu, principal: Principal) -> int:
    """The caller's role (its user's, permissions.py): the role its trusts are looked up for."""
    return perms.role_of(emu.store.data, principal.user)


def _manage_trust(record: dict, principal: Principal, my: str, everyone: str) -> str:
    # NOTE: evidence: the page (properties update): "If the calling user context owns the
    # learning object, then that user context must have Manage My Objects in the LOR permission;
    # otherwise, the user context must have Manage All Objects"; no evidence of whose object it
    # is when versions were published by different users: the OwnerId of the version the
    # action is about (the latest one without a version in the route).
    return my if str(record["OwnerId"]) == principal.user else everyone


def _check_upload_still_free(emu, principal: Principal, key: str) -> dict:
    try:
        return up.completed_upload(emu, key, principal.user)
    except ApiError:
        raise lr.LrError(INVALID_FILE_KEY) from None


# --- search -----------------------------------------------------------------------------------
@router.get("/objects/search/", responses=_doc(LRWSSearchResultCollection))
@lr_action
async def search_objects(request: Request, query: Optional[str] = None,
                         offset: Optional[int] = None, count: Optional[int] = None,
                         repositories: Optional[str] = None,
                         principal: Principal = Depends(caller)):
    # NOTE: evidence: the page: "None of the query parameters are optional; all must be present": a
    # missing one is an ERROR naming it (an empty query string is present: every object).
    for name, value in (("query", query), ("offset", offset), ("count", count),
                        ("repositories", repositories)):
        if value is None:
            raise _missing(name)
    repo_ids = _csv_ids(repositories, "repositories")
    if not repo_ids:
        raise lr.LrError("repositories: at least one repository id is required")
    if count < 1:
        raise lr.LrError("count must be at least 1")
    # NOTE: evidence: the page: count "(capped at 200)": a count above 200 is capped silently.
    count = min(count, MAX_COUNT)
    if offset < 0:
        raise lr.LrError("offset must not be negative")
    try:
        parsed = cql.parse(query)
    except cql.CQLError as exc:
        raise lr.LrError(f"Invalid CQL query: {exc}") from None
    emu = get_emu(request)
    with emu.store.lock:
        data = emu.store.data
        role = _role(emu, principal)
        # the page: "Caller must have permission to Search all the repositories listed."
        for rid in repo_ids:
            lr.repository(data, rid)
            if not lr.trust(data, rid, "Search", role):
                raise lr.LrError(f"No permission to search repository {rid}: the role "
                                 f"{lr.role_name(data, role)} does not have the trust Search")
        hits = lr.search(data, parsed, repo_ids, role)
        total = len(hits)
        # "Your offset value must be less than the number of records in the result set."
        if offset >= total and not (offset == 0 and total == 0):
            raise lr.LrError(f"offset {offset} is out of range: the search has {total} "
                             "results")
        results = [lr.search_result(data, hit) for hit in hits[offset:offset + count]]
    out = lr.base()
    out.update({"TotalResults": total, "Results": results})
    return out


# --- properties -------------------------------------------------------------------------------
def _properties(request: Request, principal: Principal, ident: int,
                version: Optional[int]) -> dict:
    emu = get_emu(request)
    with emu.store.lock:
        obj, record = lr.get_version(emu.store.data, ident, version)
        # the page: "Caller must have permission to Search the LOR."
        lr.require_trust(emu.store.data, lr.object_repository(obj), "Search",
                         _role(emu, principal))
        return lr.properties_form(emu.store.data, obj, record, versioned=version is not None)


@router.get("/objects/{objectId}/properties/", responses=_doc(LRWSObjectProperties))
@lr_action
async def get_properties(request: Request, objectId: int,
                         principal: Principal = Depends(caller)):
    return _properties(request, principal, objectId, None)


@router.get("/objects/{objectId}/{objectVersion}/properties/",
            responses=_doc(LRWSObjectProperties))
@lr_action
async def get_version_properties(request: Request, objectId: int, objectVersion: int,
                                 principal: Principal = Depends(caller)):
    return _properties(request, principal, objectId, objectVersion)


def _update_properties(request: Request, principal: Principal, ident: int,
                       version: Optional[int], body: LRWSObjectPropertiesInput) -> dict:
    emu = get_emu(request)
    with emu.store.lock:
        data = emu.store.data
        obj, record = lr.get_version(data, ident, version)
        role = _role(emu, principal)
        lr.require_trust(data, lr.object_repository(obj),
                         _manage_trust(record, principal, "ManageMyItems", "ManageAllItems"), role)
        if body.RepositoryId != lr.object_repository(obj):
            # the page: "If you provide a new RepositoryId property (to move the learning object
            # from one repository to another), the user context must have Publish to the LOR
            # permission." NOTE: no evidence of which repository: the strictest reading, the
            # target one (an unknown or non-local target is still refused as such first).
            lr.local_repository(data, body.RepositoryId)
            lr.require_trust(data, body.RepositoryId, "Publish", role)
        if not lr.STATUS_MIN <= body.Status <= lr.STATUS_MAX:
            raise lr.LrError(f"Invalid Status {body.Status}: an LR_OBJECT_STATUS_T value from "
                             "1 (Draft) to 5 (Unassigned) is required")
        if not body.Title.strip():
            raise lr.LrError("Title must not be empty")
        # NOTE: no evidence; the strictest reading: OwnerId must be a known LMS user.
        if str(body.OwnerId) not in st.USERS:
            raise lr.LrError(f"User {body.OwnerId} not found (OwnerId)")
        target = None
        if body.RepositoryId != lr.object_repository(obj):
            target = lr.local_repository(data, body.RepositoryId)
        with emu.store.mutate():
            record.update(Status=body.Status, HiddenFromSearchResults=body.HiddenFromSearchResults,
                          PublicallyAvailable=body.PublicallyAvailable, OwnerId=body.OwnerId,
                          Title=body.Title, Description=body.Description,
                          Keywords=list(body.Keywords))
            if target is not None:
                lr.move_object(data, obj, target)
    return lr.base()


@router.post("/objects/{objectId}/properties/", responses=_doc(LRWSBaseResult))
@lr_action
async def update_properties(request: Request, objectId: int, body: LRWSObjectPropertiesInput,
                            principal: Principal = Depends(caller)):
    return _update_properties(request, principal, objectId, None, body)


@router.post("/objects/{objectId}/{objectVersion}/properties/", responses=_doc(LRWSBaseResult))
@lr_action
async def update_version_properties(request: Request, objectId: int, objectVersion: int,
                                    body: LRWSObjectPropertiesInput,
                                    principal: Principal = Depends(caller)):
    return _update_properties(request, principal, objectId, objectVersion, body)


# --- metadata and links -----------------------------------------------------------------------
@router.get("/objects/{objectId}/{objectVersion}/metadata/",
            responses={200: {"content": {"application/xml": {}},
                             "description": "Dublin Core metadata (XML), or an "
                                            "LRWSBaseResult with ExecutionStatus 2"}})
@lr_action
async def get_metadata(request: Request, objectId: int, objectVersion: int,
                       principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        obj, record = lr.get_version(emu.store.data, objectId, objectVersion)
        # the page: "Caller must have permission to View Metadata on the object's repository."
        lr.require_trust(emu.store.data, lr.object_repository(obj), "ViewMetadata",
                         _role(emu, principal))
        xml = lr.metadata_xml(obj, record)
    return Response(xml, media_type="application/xml")


def _link(request: Request, principal: Principal, ident: int, version: Optional[int]) -> dict:
    emu = get_emu(request)
    with emu.store.lock:
        obj, record = lr.get_version(emu.store.data, ident, version)
        # the page: "Caller must have permission to Create Links to Objects in the LOR."
        lr.require_trust(emu.store.data, lr.object_repository(obj), "LinkToLor",
                         _role(emu, principal))
        out = lr.base()
        out["URL"] = lr.view_url(emu.store.data, obj,
                                 record["Version"] if version is not None else None)
        return out


@router.get("/objects/{objectId}/link/", responses=_doc(LRWSObjectLink))
@lr_action
async def get_link(request: Request, objectId: int, principal: Principal = Depends(caller)):
    return _link(request, principal, objectId, None)


@router.get("/objects/{objectId}/{objectVersion}/link/", responses=_doc(LRWSObjectLink))
@lr_action
async def get_version_link(request: Request, objectId: int, objectVersion: int,
                           principal: Principal = Depends(caller)):
    return _link(request, principal, objectId, objectVersion)


# --- downloads --------------------------------------------------------------------------------
_ZIP_DOC = {200: {"content": {"application/zip": {}},
                  "description": "The package (a zip), or an LRWSBaseResult with "
                                 "ExecutionStatus 2"}}
_FILE_DOC = {200: {"content": {"application/octet-stream": {}},
                   "description": "The asset's file, or an LRWSBaseResult with "
                                  "ExecutionStatus 2"}}


def _retrieve(emu, principal: Principal, obj: dict) -> None:
    # the page (download/, downloadfile/): "Caller must have permission to Retrieve Objects
    # from the LOR."
    lr.require_trust(emu.store.data, lr.object_repository(obj), "RetrieveFromLor",
                     _role(emu, principal))


async def _download(request: Request, principal: Principal, ident: int,
                    version: Optional[int]) -> Response:
    emu = get_emu(request)
    with emu.store.lock:
        obj, record = lr.get_version(emu.store.data, ident, version)
        _retrieve(emu, principal, obj)
        number = record["Version"]
    path, name = await run_in_threadpool(lr.ensure_package, emu, ident, number)
    return FileResponse(path, media_type="application/zip",
                        headers={"Content-Disposition": attachment(name)})


@router.get("/objects/{objectId}/download/", responses=_ZIP_DOC)
@lr_action
async def download(request: Request, objectId: int, principal: Principal = Depends(caller)):
    return await _download(request, principal, objectId, None)


@router.get("/objects/{objectId}/{objectVersion}/download/", responses=_ZIP_DOC)
@lr_action
async def download_version(request: Request, objectId: int, objectVersion: int,
                           principal: Principal = Depends(caller)):
    return await _download(request, principal, objectId, objectVersion)


def _download_file(request: Request, principal: Principal, ident: int,
                   version: Optional[int]) -> Response:
    emu = get_emu(request)
    with emu.store.lock:
        obj, record = lr.get_version(emu.store.data, ident, version)
        _retrieve(emu, principal, obj)
        if record["Type"] != lr.TYPE_ASSET:
            raise lr.LrError(f"Object {ident} is not an asset")
        path, name, ctype = record["File"], record["FileName"], record["ContentType"]
    return FileResponse(path, media_type=ctype, headers={"Content-Disposition": attachment(name)})


@router.get("/objects/{objectId}/downloadfile/", responses=_FILE_DOC)
@lr_action
async def download_file(request: Request, objectId: int, principal: Principal = Depends(caller)):
    return _download_file(request, principal, objectId, None)


@router.get("/objects/{objectId}/{objectVersion}/downloadfile/", responses=_FILE_DOC)
@lr_action
async def download_version_file(request: Request, objectId: int, objectVersion: int,
                                principal: Principal = Depends(caller)):
    return _download_file(request, principal, objectId, objectVersion)


# --- publishing (simple upload) ---------------------------------------------------------------
@router.put("/objects/", responses=_doc(LRWSPublishResult))
@lr_action
async def publish_object(request: Request, repositoryId: Optional[int] = None,
                         principal: Principal = Depends(caller)):
    emu = get_emu(request)
    if repositoryId is None:
        raise _missing("repositoryId")
    with emu.store.lock:
        lr.local_repository(emu.store.data, repositoryId)  # before the body is read
        # the page: "Caller must have permission to Publish to LOR."
        lr.require_trust(emu.store.data, repositoryId, "Publish", _role(emu, principal))
    tmp, name, ctype = await _receive_resource(request, emu)
    facts = await _classify(tmp, name, discard=True)
    with emu.store.mutate() as data:
        repo = lr.local_repository(data, repositoryId)
        obj, record = lr.create_object(data, emu.store.upload_dir, repo, int(principal.user),
                                       facts, name, ctype, tmp)
    return _publish_result(obj, record, facts["Warning"])


def _publish_version_trusts(emu, principal: Principal, obj: dict) -> None:
    # the page (POST objects/(objectId)/): "Caller must have permission to Publish to LOR and
    # Version Items." NOTE: evidence: LR_TRUST_T names VersionMyItems and VersionAllItems; no
    # evidence of which: like the page's Manage My/All Objects rule, VersionMyItems for the
    # caller's own object, VersionAllItems for another user's.
    data, role, rid = emu.store.data, _role(emu, principal), lr.object_repository(obj)
    lr.require_trust(data, rid, "Publish", role)
    lr.require_trust(data, rid, _manage_trust(obj["Versions"][-1], principal, "VersionMyItems",
                                              "VersionAllItems"), role)


@router.post("/objects/{objectId}/", responses=_doc(LRWSPublishResult))
@lr_action
async def overwrite_object(request: Request, objectId: int,
                           principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        obj = lr.get_object(emu.store.data, objectId)  # before the body is read
        _publish_version_trusts(emu, principal, obj)
    tmp, name, ctype = await _receive_resource(request, emu)
    facts = await _classify(tmp, name, discard=True)
    with emu.store.mutate() as data:
        try:
            obj = lr.get_object(data, objectId)
        except lr.LrError:
            remove_quietly(tmp)
            raise
        record = lr.add_version(data, emu.store.upload_dir, obj, int(principal.user), facts,
                                name, ctype, tmp)
    return _publish_result(obj, record, facts["Warning"])


@router.post("/objects/{objectId}/delete/", responses=_doc(LRWSBaseResult))
@lr_action
async def delete_object(request: Request, objectId: int, principal: Principal = Depends(caller)):
    # NOTE: evidence: the page: "Provide an empty post body ... includes a Content-Length: 0";
    # no evidence for a body: the strictest reading, a request announcing or sending one is
    # refused (ERROR) and deletes nothing. (Without Content-Length at all the middleware answers
    # 411 first.)
    length = request.headers.get("content-length")
    if length is not None and length.strip() != "0":
        raise lr.LrError("This action takes an empty body (Content-Length: 0)")
    if length is None:
        async for chunk in request.stream():
            if chunk:
                raise lr.LrError("This action takes an empty body (Content-Length: 0)")
    emu = get_emu(request)
    with emu.store.lock:
        obj = lr.get_object(emu.store.data, objectId)
        # NOTE: no evidence: the page lists no permission for the delete action; the strictest
        # reading: deleting is managing the object, as the properties update words it (Manage My
        # Objects for the caller's own object, Manage All Objects for another user's).
        lr.require_trust(emu.store.data, lr.object_repository(obj),
                         _manage_trust(obj["Versions"][-1], principal, "ManageMyItems",
                                       "ManageAllItems"), _role(emu, principal))
        with emu.store.mutate() as data:
            lr.delete_object(data, obj)
    return lr.base()


# --- publishing (resumable upload) ------------------------------------------------------------
@router.post("/{repositoryId}/upload", status_code=308,
             responses={308: {"description": "Resumable upload initiated; Location holds the "
                                             "upload URL (/d2l/upload/<key>)"},
                        200: {"model": LRWSBaseResult,
                              "description": "ExecutionStatus 2: unknown or non-local "
                                             "repository"}})
@lr_action
async def initiate_upload(request: Request, repositoryId: int,
                          principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        lr.local_repository(emu.store.data, repositoryId)
        # the page: "Caller must have permission to Publish to LOR."
        lr.require_trust(emu.store.data, repositoryId, "Publish", _role(emu, principal))
    # NOTE: evidence: the page names the same three X-Upload-* headers as the ePortfolio page
    # (one resumable upload framework, NOTES.md "Resumable uploads"); they and the empty body
    # are checked as there: a bad initiation answers 400 {"Errors"} like there.
    return await upload_routes.initiate(request, emu, principal)


@router.post("/{repositoryId}/upload/publish", responses=_doc(LRWSPublishResult))
@lr_action
async def publish_upload(request: Request, repositoryId: int,
                         principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        lr.local_repository(emu.store.data, repositoryId)
        # the page: "Caller must have permission to Publish to LOR."
        lr.require_trust(emu.store.data, repositoryId, "Publish", _role(emu, principal))
    form = await _read_form(request, emu)
    meta = _upload_for(emu, principal, form)
    # The name field, if given, is the file name; otherwise the upload's (X-Upload-File-Name).
    name = clean_file_name(form.get("name")) or clean_file_name(meta["FileName"]) \
        or DEFAULT_FILE_NAME
    # NOTE: no evidence; a package the service refuses leaves the upload unattached (it is
    # purged after upload_ttl like any unattached upload).
    facts = await _classify(meta["File"], name, discard=False)
    with emu.store.mutate() as data:
        meta = _check_upload_still_free(emu, principal, meta["Key"])
        repo = lr.local_repository(data, repositoryId)
        obj, record = lr.create_object(data, emu.store.upload_dir, repo, int(principal.user),
                                       facts, name, lr.guess_type(name, meta["ContentType"]),
                                       meta["File"])
        _attach_upload(data, meta["Key"], record["File"], obj["IdentId"])
    return _publish_result(obj, record, facts["Warning"])


@router.put("/{repositoryId}/upload/publish/{objectId}", responses=_doc(LRWSPublishResult))
@lr_action
async def overwrite_upload(request: Request, repositoryId: int, objectId: int,
                           principal: Principal = Depends(caller)):
    emu = get_emu(request)

    def check(data: dict) -> dict:
        lr.local_repository(data, repositoryId)
        obj = lr.get_object(data, objectId)
        # NOTE: no evidence; the strictest reading: the object must be in the repository named
        # by the route.
        if lr.object_repository(obj) != repositoryId:
            raise lr.LrError(f"Object {objectId} is not in repository {repositoryId}")
        # NOTE: evidence: the page (PUT (repositoryId)/upload/publish/(objectId)): "Caller must
        # have permission to Publish to LOR" (it names no Version Items here, unlike POST
        # objects/(objectId)/).
        lr.require_trust(data, repositoryId, "Publish", _role(emu, principal))
        return obj

    with emu.store.lock:
        check(emu.store.data)
    form = await _read_form(request, emu)
    meta = _upload_for(emu, principal, form)
    name = clean_file_name(form.get("name")) or clean_file_name(meta["FileName"]) \
        or DEFAULT_FILE_NAME
    facts = await _classify(meta["File"], name, discard=False)
    with emu.store.mutate() as data:
        meta = _check_upload_still_free(emu, principal, meta["Key"])
        obj = check(data)
        record = lr.add_version(data, emu.store.upload_dir, obj, int(principal.user), facts,
                                name, lr.guess_type(name, meta["ContentType"]), meta["File"])
        _attach_upload(data, meta["Key"], record["File"], obj["IdentId"])
    return _publish_result(obj, record, facts["Warning"])


# --- repositories -----------------------------------------------------------------------------
def _repositories(data: dict, wanted) -> dict:
    repos = sorted(data["lr"]["repositories"].values(), key=lambda r: r["RepositoryId"])
    out = lr.base()
    out["Repositories"] = [lr.repository_form(data, r) for r in repos if wanted(r)]
    return out


def _publisher(data: dict, role: int, org_unit: int = lr.ORGANIZATION_ID) -> None:
    """The repository routes' "Caller must have permission to Publish to LOR"."""
    # NOTE: no evidence of where: the page words it "Publish to LOR", not "to the repository"
    # (and in the seeded Federated repository no role publishes, yet its trusts are listed):
    # the caller's role must have the Publish trust in at least one repository (in the org unit
    # the request names, else the Organization), else ERROR.
    if not any(lr.trust(data, int(rid), "Publish", role, org_unit)
               for rid in data["lr"]["repositories"]):
        raise lr.LrError("No permission to Publish to the LOR: the role "
                         f"{lr.role_name(data, role)} does not have the trust Publish in any "
                         "repository")


@router.get("/repositories/all/", responses=_doc(LRWSRepositoryCollection))
@lr_action
async def all_repositories(request: Request, principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        data = emu.store.data
        role = _role(emu, principal)
        _publisher(data, role)
        return _repositories(data, lambda r: lr.trust(data, r["RepositoryId"], "Search", role))


@router.get("/repositories/{type}/", responses=_doc(LRWSRepositoryCollection))
@lr_action
async def repositories_of_type(request: Request, type: str,  # pylint: disable=redefined-builtin
                               orgUnitId: Optional[int] = None,
                               trustParams: Optional[str] = None,
                               principal: Principal = Depends(caller)):
    # NOTE: evidence: bsapi (brightspace-api, bsapi/__init__.py, _check_entity_type) observes
    # of D2L's enumeration strings that "The case in general does not seem to matter (even
    # 'USEr' works)": the type is matched case-insensitively (Local, Metadata, Federated,
    # All).
    rtype = next((t for t in lr.REPOSITORY_TYPES if t.lower() == type.lower()), None)
    if rtype is None:
        raise lr.LrError(f"Invalid repository type '{type}' (one of "
                         f"{', '.join(lr.REPOSITORY_TYPES)})")
    names = []
    if trustParams:
        for name in (item.strip() for item in trustParams.split(",")):
            # NOTE: no evidence for trust names; the strictest reading: they are matched
            # exactly (LR_TRUST_T spelling).
            if name not in lr.TRUST_NAMES:
                raise lr.LrError(f"Unknown trust name '{name}' in trustParams")
            names.append(name)
    emu = get_emu(request)
    org_unit = lr.ORGANIZATION_ID if orgUnitId is None else orgUnitId
    with emu.store.lock:
        data = emu.store.data
        if emu.store.orgunit(org_unit) is None:
            raise lr.LrError(f"Org unit {org_unit} not found")
        role = _role(emu, principal)
        _publisher(data, role, org_unit)
        return _repositories(data, lambda r: (rtype == "All" or r["Type"] == rtype) and all(
            lr.trust(data, r["RepositoryId"], n, role, org_unit) for n in names))


@router.get("/repository/{repositoryId}/listorgUnittrusts/",
            responses=_doc(LRWSTrustCollection))
@lr_action
async def list_org_unit_trusts(request: Request, repositoryId: int,
                               orgUnits: Optional[str] = None, roles: Optional[str] = None,
                               principal: Principal = Depends(caller)):
    org_filter = _csv_ids(orgUnits, "orgUnits")
    role_filter = _csv_ids(roles, "roles")
    emu = get_emu(request)
    with emu.store.lock:
        data = emu.store.data
        lr.repository(data, repositoryId)
        # the page: "Caller must have permission to Publish to LOR" (as for repositories/all/)
        _publisher(data, _role(emu, principal))
        trusts = data["lr"]["trusts"].get(str(repositoryId), {})
        out_trusts: dict = {}
        for org, per_role in sorted(trusts.items(), key=lambda kv: int(kv[0])):
            # NOTE: evidence: the page marks orgUnits and roles "Optional"; no evidence for an
            # empty list: like an absent one, it does not filter.
            if org_filter and int(org) not in org_filter:
                continue
            chosen = {role: lr.trust_form(names)
                      for role, names in sorted(per_role.items(), key=lambda kv: int(kv[0]))
                      if not role_filter or int(role) in role_filter}
            if chosen:
                out_trusts[org] = chosen
    out = lr.base()
    out["RepositoryTrusts"] = out_trusts
    return out


__all__ = ["router"]
