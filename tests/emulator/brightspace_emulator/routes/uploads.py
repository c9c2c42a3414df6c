# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resumable uploads: initiation (eP artifacts/file/new; the LR's ``(repositoryId)/upload`` in
routes/lr.py uses ``initiate``) and the data route /d2l/upload/(key).

Protocol (NOTES.md "Resumable uploads"):
- Initiate: POST with ``X-Upload-Content-Type``, ``X-Upload-Content-Length``,
  ``X-Upload-File-Name`` and an empty body -> ``308`` with ``Location: /d2l/upload/<key>``.
  Without any ``X-Upload-*`` header, ``artifacts/file/new`` takes a JSON EP.FileArtifact whose
  ``UploadKey`` names a completed upload and answers 200 with the new FileArtifact
  (routes/eportfolio.py). Both branches are core:*:* only (scopes.py: no ePortfolio route has
  a specific scope).
- Data: ``POST /d2l/upload/<key>`` with ``Content-Range: bytes first-last/total``, with the
  scope of the route that initiated the upload (auth.required_scopes). ``first``
  must equal the number of bytes already received, ``total`` the announced length and the body
  exactly ``last-first+1`` bytes. Incomplete -> ``308`` with ``Range: bytes=0-<last received>``;
  complete -> ``200`` (empty body).
- Status query: empty body with ``Content-Range: bytes */total`` -> ``308`` with ``Range`` (no
  ``Range`` header if nothing arrived yet) or ``200`` when complete.
- ``X-Upload-File-Name``: printable ASCII as it is, any other name as an RFC 8187 ext-value
  (``UTF-8''<percent-encoded UTF-8>``), decoded by ``upload_file_name`` (its note gives the evidence).
- Errors (``{"Errors": [...]}`` format): unknown key -> 404; missing/malformed Content-Range,
  wrong total, body length not matching the range -> 400; a chunk that does not start at the
  received length -> 416 with the current ``Range`` header (if any bytes arrived).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from ..routing import make_router
from .. import uploads as up
from ..auth import Principal, caller, required_scopes
from ..errors import ERRORS, ApiError
from ..models import FileArtifact, FileArtifactIn
from . import eportfolio as ep_routes
from . import get_emu, parse_body, product_version, scoped

router = make_router(prefix="/d2l/api/eP/{version}", tags=["eportfolio"],
                     dependencies=[product_version("eP"), scoped()])
data_router = make_router(tags=["uploads"], dependencies=[scoped()])

_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_QUERY_RE = re.compile(r"^bytes \*/(\d+|\*)$")
# RFC 8187 §3.2.1: ext-value = charset "'" [ language ] "'" value-chars
_EXT_VALUE_RE = re.compile(r"^([!#$%&+\-^_`{}~0-9A-Za-z]+)'([A-Za-z0-9-]*)'(.*)$", re.DOTALL)
_VALUE_CHARS_RE = re.compile(r"^(?:[!#$&+\-.^_`|~0-9A-Za-z]|%[0-9A-Fa-f]{2})*$")


def upload_file_name(raw: str) -> str:
    """The file name an ``X-Upload-File-Name`` value gives (the header as Starlette decoded it:
    Latin-1), or ``ApiError(400)`` naming what is wrong.

    NOTE: evidence: the pages say only that the header "indicates the file name"; the public
    Brightspace clients send an ASCII name verbatim, and HTTP field values are ASCII (RFC 9110
    §5.5: other octets are obsolete, opaque to a recipient), so printable ASCII is the name as it
    is. RFC 8187 is the standard way to carry any other name in a header (an ext-value, as
    Content-Disposition's filename* per RFC 6266): a value of that shape is decoded, and RFC 8187
    §3.2.1 makes UTF-8 the one charset a producer may use. no evidence of what a tenant refuses;
    the strictest reading: raw octets outside printable ASCII (obs-text, control characters), an
    ext-value with another charset, bad percent-encoding or bytes that are not UTF-8, and a name
    that is empty or holds control characters once decoded are all refused (400).
    """
    if any(not " " <= char <= "~" for char in raw):
        raise ApiError(400, "X-Upload-File-Name must be printable ASCII; send any other name as "
                            "an RFC 8187 ext-value (UTF-8''<percent-encoded UTF-8>)", ERRORS)
    name = raw.strip()
    extended = _EXT_VALUE_RE.match(name)
    if extended:
        charset, _language, chars = extended.groups()
        if charset.lower() != "utf-8":
            raise ApiError(400, f"X-Upload-File-Name: unsupported charset '{charset}' "
                                "(RFC 8187: UTF-8)", ERRORS)
        if not _VALUE_CHARS_RE.match(chars):
            raise ApiError(400, "X-Upload-File-Name: the ext-value is not percent-encoded "
                                "(RFC 8187)", ERRORS)
        try:
            name = unquote_to_bytes(chars).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "X-Upload-File-Name: the ext-value's bytes are not UTF-8", ERRORS) \
                from None
        if any(unicodedata.category(char) == "Cc" for char in name):
            raise ApiError(400, "X-Upload-File-Name must not contain control characters", ERRORS)
    if not name.strip():
        raise ApiError(400, "X-Upload-File-Name must not be empty", ERRORS)
    return name


def _range_headers(meta: dict) -> dict:
    if meta["Received"] <= 0:
        return {}
    return {"Range": f"bytes=0-{meta['Received'] - 1}"}


def _progress(meta: dict) -> Response:
    if meta["Complete"]:
        return Response(status_code=200)
    return Response(status_code=308, headers=_range_headers(meta))


@router.post("/artifacts/file/new", status_code=308,
             responses={308: {"description": "Resumable upload initiated; Location holds the "
                                             "upload URL (/d2l/upload/<key>)"},
                        200: {"description": "FileArtifact created from a completed upload",
                              "model": FileArtifact}})
async def new_file_artifact(request: Request, principal: Principal = Depends(caller)):
    emu = get_emu(request)
    h = request.headers
    names = ("x-upload-content-type", "x-upload-content-length", "x-upload-file-name")
    present = [n for n in names if n in h]
    if not present:
        # The FileArtifact branch: attach a completed upload -> 200 FileArtifact.
        body = parse_body(FileArtifactIn, await request.body())
        return JSONResponse(ep_routes.attach_file_artifact(emu, principal, body))
    return await initiate(request, emu, principal)


async def initiate(request: Request, emu, principal: Principal) -> Response:
    """Validate the ``X-Upload-*`` headers and the empty body of an initiating request (400
    ``{"Errors"}`` otherwise), create the upload and answer 308 with its ``Location``. The
    data route will demand the scope(s) of the initiating route (scopes.py)."""
    h = request.headers
    names = ("x-upload-content-type", "x-upload-content-length", "x-upload-file-name")
    missing = [n for n in names if n not in h]
    if missing:
        raise ApiError(400, "Missing header(s): " + ", ".join(missing), ERRORS)
    length = h["x-upload-content-length"].strip()
    if not length.isdigit():
        raise ApiError(400, "X-Upload-Content-Length must be a non-negative integer", ERRORS)
    file_name = upload_file_name(h["x-upload-file-name"])
    if await request.body():
        raise ApiError(400, "The initiating request must have an empty body", ERRORS)
    meta = up.create_upload(emu, h["x-upload-content-type"], int(length), file_name,
                            principal.user, " ".join(required_scopes(request)))
    return Response(status_code=308, headers={"Location": f"/d2l/upload/{meta['Key']}"})


@data_router.post("/d2l/upload/{uploadKey}",
                  responses={308: {"description": "Resume Incomplete; Range says what arrived"}})
async def upload_data(request: Request, uploadKey: str, principal: Principal = Depends(caller)):
    # NOTE: no evidence (NOTES.md gives the protocol, not its authentication); the strictest
    # reading: the data route is authenticated like any /d2l/ call (same credentials as the
    # initiating request) and demands the scope of the route that initiated the upload (the
    # router's scoped() dependency): core:*:* for eP artifacts/file/new, lor:object:create for
    # the LR's (repositoryId)/upload; an unknown key: core:*:* (scopes.py), then 404. Another
    # user's upload, or one purged for expiry (uploads.py), is an unknown key (404).
    emu = get_emu(request)
    meta = up.get_upload(emu, uploadKey, principal.user)
    if meta is None:
        raise ApiError(404, f"Unknown upload key '{uploadKey}'", ERRORS)
    content_range = request.headers.get("content-range", "").strip()
    query = _QUERY_RE.match(content_range)
    if query:
        if await request.body():
            raise ApiError(400, "A status query (Content-Range: bytes */total) must have an "
                                "empty body", ERRORS)
        if query.group(1) != "*" and int(query.group(1)) != meta["Size"]:
            raise ApiError(400, f"Content-Range total {query.group(1)} does not match the "
                                f"announced length {meta['Size']}", ERRORS)
        return _progress(meta)
    match = _RANGE_RE.match(content_range)
    if not match:
        raise ApiError(400, "Content-Range header 'bytes first-last/total' is required", ERRORS)
    first, last, total = (int(g) for g in match.groups())
    if total != meta["Size"]:
        raise ApiError(400, f"Content-Range total {total} does not match the announced length "
                            f"{meta['Size']}", ERRORS)
    if last < first or last >= total:
        raise ApiError(400, f"Invalid Content-Range '{content_range}'", ERRORS)
    if meta["Complete"]:
        return _progress(meta)
    if first != meta["Received"]:
        # NOTE: no evidence (NOTES.md: the chunk details follow "the common resumable-upload
        # convention"); the strictest reading: a chunk must continue exactly where the data
        # stops: 416 + the current Range.
        raise ApiError(416, f"Chunk starts at {first} but {meta['Received']} bytes were "
                            "received", ERRORS, headers=_range_headers(meta))
    expected = last - first + 1
    written = 0
    too_long = False
    disconnected = False
    # Streams to disk chunk by chunk: the whole file is never held in memory.
    with open(meta["File"], "r+b") as fh:
        fh.seek(first)
        fh.truncate()
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                if written + len(chunk) > expected:
                    too_long = True
                    break
                fh.write(chunk)
                written += len(chunk)
        except ClientDisconnect:
            disconnected = True
        if too_long or (written != expected and not disconnected):
            fh.seek(first)
            fh.truncate()
            written = 0
    if too_long or (written != expected and not disconnected):
        raise ApiError(400, f"The body length does not match Content-Range '{content_range}'",
                       ERRORS)
    with emu.store.mutate() as data:
        # NOTE: evidence: NOTES.md: "To resume after an interruption, POST an empty body with
        # Content-Range: bytes */<total>: the 308 Range header says how much arrived": bytes
        # that arrived before a client disconnect are kept.
        stored = data["uploads"].get(uploadKey)
        if stored is None:  # purged meanwhile (expired): the key is unknown now
            raise ApiError(404, f"Unknown upload key '{uploadKey}'", ERRORS)
        stored["Received"] = first + written
        stored["Complete"] = stored["Received"] == stored["Size"]
        up.touch(stored, emu)
        meta = stored
    if disconnected:
        return Response(status_code=400)
    return _progress(meta)


__all__ = ["router", "data_router"]
