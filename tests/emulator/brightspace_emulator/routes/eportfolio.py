# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio objects and artifacts (eportfolio-artifacts.txt; NOTES.md "ePortfolio objects").

- ``GET objects/my/?bookmark=&pagesize=`` -> PagedResultSet of the caller's objects.
- ``GET|DELETE artifact/(id)``, ``artifact/file/(id)``, ``artifact/link/(id)``.
- ``POST artifacts/link/new``, ``POST artifact/link/(id)``, ``POST artifact/file/(id)``,
  ``POST artifacts/file/upload`` (simple multipart upload). ``POST artifacts/file/new`` lives in
  routes/uploads.py (resumable initiation) and calls ``attach_file_artifact`` here for its
  FileArtifact (JSON) branch.

Every route acts in the caller's user context: another user's object -> 403 (problem+json),
an unknown id -> 404 (``{"Errors"}``).
"""
from __future__ import annotations

import os
import secrets
from typing import Optional

from fastapi import Depends, Query, Request, Response

from ..routing import make_router
from .. import eportfolio as ep
from .. import uploads as up
from ..auth import Principal, caller
from ..callbacks import is_http_url
from ..errors import ERRORS, PROBLEM, ApiError, bad_request
from ..models import (AnyEpObject, EpObjectPage, FileArtifact, FileArtifactIn, UrlArtifact,
                      UrlArtifactIn)
from ..multipart import stream_form
from . import get_emu, product_version, scoped

router = make_router(prefix="/d2l/api/eP/{version}", tags=["eportfolio"],
                     dependencies=[product_version("eP"), scoped()])

# Scopes: no ePortfolio route is in SCOPES.md's table, so every one is core:*:* only (scopes.py).

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
FILE_PART = "file"
DEFAULT_FILE_NAME = "file"

ANY_ARTIFACT = frozenset(ep.ARTIFACT_TYPES)
FILE_ONLY = frozenset({ep.TYPE_FILE})
LINK_ONLY = frozenset({ep.TYPE_URL})
_KIND = {ANY_ARTIFACT: "artifact", FILE_ONLY: "file artifact", LINK_ONLY: "link artifact"}


def bool_query(value: Optional[str], name: str) -> bool:
    """An optional boolean query parameter: "true" or "false" (any case); absent = false."""
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise ApiError(400, f"{name}: must be 'true' or 'false'", PROBLEM,
                       title="One or more validation errors occurred.")
    return value.lower() == "true"


def owned_object(emu, principal: Principal, object_id: int, types: Optional[frozenset],
                 forbidden: str) -> dict:
    """The stored object ``object_id`` if the caller owns it and it is of one of ``types``."""
    record = emu.store.data["ep_objects"].get(str(object_id))
    kind = _KIND.get(types, "EP object")
    # NOTE: no evidence: the reference lists no 404 for the artifact routes; the strictest
    # reading: an unknown id answers 404 like an unknown route (never someone else's data).
    # Typed routes refuse an object of another kind the same way (404), also GET/DELETE
    # artifact/(id) given an object that is not an artifact (EPOBJ_T 300-340).
    if record is None or (types is not None and record["ObjectTypeId"] not in types):
        raise ApiError(404, f"No {kind} found with ObjectId {object_id}", ERRORS)
    if str(record["UserId"]) != principal.user:
        raise ApiError(403, f"{forbidden}: EP object {object_id} belongs to another user",
                       PROBLEM, title="Forbidden")
    return record


def clean_file_name(name: Optional[str]) -> str:
    # NOTE: evidence: RFC 7578 §4.2 (with RFC 2183 §2.3): a receiver does "not use directory
    # path information that may be present" in a filename; a file name keeps only its last
    # path segment (a browser may send "C:\\x\\a.pdf"); "", "." and ".." are no names.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "" if base in (".", "..") else base


def _check_common(body, what: str) -> None:
    if not body.Name.strip():
        raise bad_request(f"Invalid {what} data provided: Name must not be empty")


def _check_link(body: UrlArtifactIn) -> None:
    _check_common(body, "link artifact")
    if not is_http_url(body.Url):
        raise bad_request("Invalid link artifact data provided: Url must be an absolute "
                          "http:// or https:// URL")


def _check_new(body, what: str) -> None:
    if body.ObjectId != 0:
        raise bad_request(f"Invalid {what} data provided: ObjectId must be 0 to create a new "
                          f"{what} (got {body.ObjectId})")


def _check_same_id(body, object_id: int) -> None:
    if body.ObjectId != object_id:
        raise bad_request("Mismatch between EP object ID in route and ObjectId property in the "
                          f"provided JSON data ({object_id} != {body.ObjectId})")


def _fetch(request: Request, principal: Principal, object_id: int, types, c: Optional[str]):
    emu = get_emu(request)
    comments = bool_query(c, "c")
    with emu.store.lock:
        record = owned_object(emu, principal, object_id, types, "No permission to see artifact")
        if comments and record["Comments"]:
            with emu.store.mutate():
                ep.mark_comments_read(record)
        return ep.fetch_form(record, comments=comments)


def _delete(request: Request, principal: Principal, object_id: int, types) -> Response:
    emu = get_emu(request)
    with emu.store.lock:
        record = owned_object(emu, principal, object_id, types,
                              "No permission to delete the artifact")
        with emu.store.mutate() as data:
            ep.delete_object(data, record)
    return Response(status_code=200)


# --- listing ----------------------------------------------------------------------------------
@router.get("/objects/my/", response_model=EpObjectPage)
async def my_objects(request: Request, bookmark: Optional[str] = None,
                     pagesize: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
                     principal: Principal = Depends(caller)):
    # NOTE: evidence: NOTES.md gives the route and its PagedResultSet but calls the listing
    # uncertain (third-party clients); no evidence for the paging details. The emulator pages by
    # ObjectId: Bookmark is the last returned ObjectId (also on the last page; "" when the page
    # is empty), pass it as bookmark for the next page; pagesize 1-500, default 100.
    emu = get_emu(request)
    after = 0
    if bookmark:
        if not bookmark.isdigit():
            raise ApiError(400, "bookmark: invalid bookmark", PROBLEM,
                           title="One or more validation errors occurred.")
        after = int(bookmark)
    with emu.store.lock:
        items = [r for r in ep.user_objects(emu.store.data, principal.user)
                 if r["ObjectId"] > after]
        page = [ep.fetch_form(r) for r in items[:pagesize]]
    mark = str(page[-1]["ObjectId"]) if page else ""
    return {"PagingInfo": {"Bookmark": mark, "HasMoreItems": len(items) > pagesize},
            "Items": page}


# --- fetch ------------------------------------------------------------------------------------
@router.get("/artifact/{objectId}", response_model=AnyEpObject)
async def get_artifact(request: Request, objectId: int, c: Optional[str] = None,
                       principal: Principal = Depends(caller)):
    return _fetch(request, principal, objectId, ANY_ARTIFACT, c)


@router.get("/artifact/file/{objectId}", response_model=FileArtifact)
async def get_file_artifact(request: Request, objectId: int, c: Optional[str] = None,
                            principal: Principal = Depends(caller)):
    return _fetch(request, principal, objectId, FILE_ONLY, c)


@router.get("/artifact/link/{objectId}", response_model=UrlArtifact)
async def get_link_artifact(request: Request, objectId: int, c: Optional[str] = None,
                            principal: Principal = Depends(caller)):
    return _fetch(request, principal, objectId, LINK_ONLY, c)


# --- delete -----------------------------------------------------------------------------------
@router.delete("/artifact/{objectId}")
async def delete_artifact(request: Request, objectId: int,
                          principal: Principal = Depends(caller)):
    return _delete(request, principal, objectId, ANY_ARTIFACT)


@router.delete("/artifact/file/{objectId}")
async def delete_file_artifact(request: Request, objectId: int,
                               principal: Principal = Depends(caller)):
    return _delete(request, principal, objectId, FILE_ONLY)


@router.delete("/artifact/link/{objectId}")
async def delete_link_artifact(request: Request, objectId: int,
                               principal: Principal = Depends(caller)):
    return _delete(request, principal, objectId, LINK_ONLY)


# --- link artifacts ---------------------------------------------------------------------------
@router.post("/artifacts/link/new", response_model=UrlArtifact)
async def create_link_artifact(request: Request, body: UrlArtifactIn,
                               principal: Principal = Depends(caller)):
    _check_new(body, "link artifact")
    _check_link(body)
    emu = get_emu(request)
    with emu.store.mutate() as data:
        record = ep.new_object(data, principal.user, ep.TYPE_URL, body.Name, body.Description,
                               body.AllowComments, body.GeoTag, Url=body.Url)
        return ep.fetch_form(record)


@router.post("/artifact/link/{objectId}", response_model=UrlArtifact)
async def update_link_artifact(request: Request, objectId: int, body: UrlArtifactIn,
                               principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        record = owned_object(emu, principal, objectId, LINK_ONLY,
                              "No permission to update link artifact")
        _check_same_id(body, objectId)
        _check_link(body)
        with emu.store.mutate():
            # The body replaces every property it carries.
            record.update(Name=body.Name, Description=body.Description,
                          AllowComments=body.AllowComments, GeoTag=body.GeoTag, Url=body.Url,
                          Modified=ep.later_than(record["Modified"]))
        return ep.fetch_form(record)


# --- file artifacts ---------------------------------------------------------------------------
def attach_file_artifact(emu, principal: Principal, body: FileArtifactIn) -> dict:
    """``POST artifacts/file/new`` with a FileArtifact: a new file artifact from a completed
    upload (the resumable upload's key)."""
    _check_new(body, "file artifact")
    _check_common(body, "file artifact")
    with emu.store.lock:
        meta = up.completed_upload(emu, body.UploadKey, principal.user)
        # NOTE: no evidence: the block must carry FileSize and FileName but the page does not
        # say what they do when attaching; by analogy with NOTES.md's create form (0 and ""
        # mean "not set", like ObjectId 0), FileSize 0 means "not given" and any other value
        # must be the upload's size (400 otherwise); FileName "" takes the upload's file name
        # (X-Upload-File-Name); Extension is always derived from FileName (the body's value is
        # not used).
        if body.FileSize and body.FileSize != meta["Size"]:
            raise bad_request(f"Invalid file artifact data provided: FileSize {body.FileSize} "
                              f"does not match the uploaded file's size {meta['Size']}")
        name = clean_file_name(body.FileName) or clean_file_name(meta["FileName"]) \
            or DEFAULT_FILE_NAME
        with emu.store.mutate() as data:
            record = ep.new_object(data, principal.user, ep.TYPE_FILE, body.Name,
                                   body.Description, body.AllowComments, body.GeoTag,
                                   **ep.file_content(meta, name))
            data["uploads"][meta["Key"]]["Attached"] = True
        return ep.fetch_form(record)


@router.post("/artifact/file/{objectId}", response_model=FileArtifact)
async def update_file_artifact(request: Request, objectId: int, body: FileArtifactIn,
                               principal: Principal = Depends(caller)):
    emu = get_emu(request)
    with emu.store.lock:
        record = owned_object(emu, principal, objectId, FILE_ONLY,
                              "No permission to update file artifact")
        _check_same_id(body, objectId)
        _check_common(body, "file artifact")
        meta = None
        # NOTE: no evidence: the page lists FileSize, FileName, Extension and UploadKey in the
        # FileArtifact block the update takes, but never says that an update replaces the
        # artifact's file. The strictest reading (the default): the update changes the
        # properties (Name, Description, AllowComments, GeoTag) and NOT the content: FileName,
        # FileSize, Extension, UploadKey and the bytes stay, and an upload named by another
        # UploadKey stays unattached (so it is purged in time, uploads.py); the answer shows
        # the content unchanged, so a client that expected a replacement can see it did not
        # happen. The other reading is the switch artifact_update_replaces_content (config.py):
        # an UploadKey other than the current one must then name a completed, unattached
        # upload of the caller (else 400, the page's invalid-key answer) and the content
        # (bytes, FileSize, FileName, Extension) becomes that upload's, keeping the ObjectId;
        # the body's FileSize, FileName and Extension are not used. The same key, or "", leaves
        # the content in both readings.
        if emu.config.artifact_update_replaces_content and body.UploadKey \
                and body.UploadKey != record["UploadKey"]:
            meta = up.completed_upload(emu, body.UploadKey, principal.user)
        with emu.store.mutate() as data:
            record.update(Name=body.Name, Description=body.Description,
                          AllowComments=body.AllowComments, GeoTag=body.GeoTag,
                          Modified=ep.later_than(record["Modified"]))
            if meta is not None:
                name = clean_file_name(meta["FileName"]) or DEFAULT_FILE_NAME
                ep.replace_content(data, record, meta, name)
        return ep.fetch_form(record)


@router.post("/artifacts/file/upload", response_model=FileArtifact)
async def upload_file_artifact(request: Request, name: Optional[str] = None,
                               description: Optional[str] = None,
                               principal: Principal = Depends(caller)):
    """Simple (RFC 1867) upload: a new file artifact from the form part ``file``."""
    emu = get_emu(request)
    tmp = os.path.join(emu.store.upload_dir, "incoming-" + secrets.token_hex(8))
    # NOTE: no evidence: the reference does not name the form part; like the other simple
    # upload routes (eP import, course import: "file") it is "file", and (the strictest
    # reading) a request without it answers 400.
    form = await stream_form(request, tmp, FILE_PART)
    part = form["file"]
    if part is None:
        raise bad_request("Invalid file artifact data provided: no file was sent in a "
                          "multipart/form-data part named 'file'")
    # NOTE: evidence: the page: name "Optional ... (if absent, default value is 'file')"; an
    # empty name is absent too. No evidence for the file name: it is the
    # part's filename (its last path segment), "file" if it has none.
    file_name = clean_file_name(part["FileName"]) or DEFAULT_FILE_NAME
    with emu.store.mutate() as data:
        meta = up.register_file(data, emu.store.upload_dir, tmp,
                                part["ContentType"] or "application/octet-stream", file_name,
                                user=principal.user)
        record = ep.new_object(data, principal.user, ep.TYPE_FILE, name or DEFAULT_FILE_NAME,
                               description or "", True, None, **ep.file_content(meta, file_name))
        return ep.fetch_form(record)


__all__ = ["router", "attach_file_artifact", "bool_query", "owned_object"]
