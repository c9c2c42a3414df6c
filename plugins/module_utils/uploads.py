# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""File uploads: streaming multipart forms and the resumable (308) upload.

Neither reads a file whole into memory: multipart bodies are streamed by requests-toolbelt's
``MultipartEncoder``, resumable chunks by ``FileSlice``.
"""

from __future__ import annotations

import mimetypes
import os
import re

from urllib.parse import quote, urlsplit

try:
    from requests_toolbelt.multipart.encoder import MultipartEncoder
    HAS_TOOLBELT = True
except ImportError:  # pragma: no cover - reported by the module base
    MultipartEncoder = None
    HAS_TOOLBELT = False

from .errors import BrightspaceError, ValidationError
from .packages import control_characters, shown

DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
MIN_CHUNK_SIZE = 1024  # the least chunk_size a module takes
CHUNK_SIZE_RULE = {"chunk_size": (MIN_CHUNK_SIZE, "bytes")}  # declared by the modules that upload
# Above this size ``upload: auto`` chooses the resumable upload (documented in the modules).
RESUMABLE_THRESHOLD = 16 * 1024 * 1024
MAX_RESUMES = 5
RANGE_HEADER = re.compile(r"bytes=(\d+)-(\d+)")
# RFC 8187 §3.2.1: an ext-value is charset'language'value-chars; attr-char (besides letters and
# digits) is one of these (quote() keeps letters, digits and "_.-~" itself)
_ATTR_CHAR_PUNCTUATION = "!#$&+^`|"
_LOOKS_EXTENDED = re.compile(r"^[!#$%&+\-^_`{}~0-9A-Za-z]+'[A-Za-z0-9-]*'")


def file_name_header(name, option="src"):
    """The ``X-Upload-File-Name`` value for ``name``.

    NOTE: evidence: the pages (the ePortfolio artifacts reference page, the Learning Repository objects reference page) say only that
    the header "indicates the file name", and NOTES.md gives no encoding. D2L's own utility
    library (d2lvalence_util) has no resumable upload; the public Brightspace clients that do
    (a PHP client's ResumableFileUploader, a Python client's dropbox feedback upload) send the
    name verbatim, so an ASCII name goes as it is, which is what every known client sends. HTTP
    field values are ASCII (RFC 9110 §5.5: other octets are obsolete, opaque to a recipient),
    and http.client cannot send a character outside Latin-1 at all; RFC 8187 (after RFC 5987)
    is the standard way to carry any other name in a header: the ext-value ``UTF-8''`` +
    percent-encoded UTF-8, as Content-Disposition's ``filename*`` does (RFC 6266). So a name
    that is not printable ASCII, starts or ends with a space, or could be read as an ext-value
    itself goes as an RFC 8187 ext-value. Whether a tenant decodes it is not published; the
    name sent when the upload is attached (``FileName`` in the eP JSON body, ``name`` in the LR
    publish form: UTF-8 bodies) is the exact name either way. A control character in the name
    is refused here (no HTTP header can carry CR or LF, and no file name should hold one).
    """
    bad = control_characters(name)
    if bad:
        raise ValidationError("%s: the file name '%s' contains control characters (%s); rename the file"
                              % (option, shown(name), ", ".join(bad)))
    if not name.strip():
        raise ValidationError("%s: the file name must not be empty" % option)
    plain = all(" " <= char <= "~" for char in name) and name == name.strip() and not _LOOKS_EXTENDED.match(name)
    if plain:
        return name
    return "UTF-8''" + quote(name.encode("utf-8"), safe=_ATTR_CHAR_PUNCTUATION)


def guess_type(path):
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class FileSlice:
    """A read-only, length-aware view of ``length`` bytes of a file from ``offset``."""

    def __init__(self, path, offset, length, block=1024 * 1024):
        self._handle = open(path, "rb")  # pylint: disable=consider-using-with
        self._handle.seek(offset)
        self._left = length
        self._length = length
        self._block = block

    def __len__(self):
        return self._length

    def read(self, size=-1):
        if self._left <= 0:
            self.close()
            return b""
        if size is None or size < 0 or size > self._left:
            size = self._left  # read() means "all that is left", as for any file
        data = self._handle.read(size)
        self._left -= len(data)
        if not data:
            self._left = 0
        return data

    def __iter__(self):
        while True:
            data = self.read(self._block)
            if not data:
                return
            yield data

    def close(self):
        if not self._handle.closed:
            self._handle.close()


def multipart_upload(client, method, route, path, field="file", file_name=None, content_type=None,
                     fields=None, params=None, expect=(200,), idempotent=None):
    """Send ``path`` as a multipart form part named ``field``; returns the response.

    ``idempotent`` as for ``client.request`` (False: a PUT that creates is not resent after an
    ambiguous failure)."""
    if not HAS_TOOLBELT:
        raise BrightspaceError("the Python library 'requests-toolbelt' is required for uploads")
    file_name = file_name or os.path.basename(path)
    content_type = content_type or guess_type(path)
    handles = []
    headers = {}

    def body():
        # a fresh encoder and file handle for every attempt (a stream cannot be sent twice);
        # the boundary differs per encoder, so the Content-Type header follows the body
        while handles:
            handles.pop().close()
        handle = open(path, "rb")  # pylint: disable=consider-using-with
        handles.append(handle)
        extra = list(fields.items()) if isinstance(fields, dict) else list(fields or [])  # a list repeats names
        parts = extra + [(field, (file_name, handle, content_type))]
        encoder = MultipartEncoder(fields=parts)
        headers["Content-Type"] = encoder.content_type
        return encoder

    try:
        extra = {} if idempotent is None else {"idempotent": idempotent}
        return client.request(method, route, params=params, data=body, headers=headers, expect=expect, **extra)
    finally:
        while handles:
            handles.pop().close()


def _received(response):
    """Bytes the service holds, from a 308's ``Range: bytes=0-<last>`` (none: 0)."""
    match = RANGE_HEADER.search(response.headers.get("Range", ""))
    return int(match.group(2)) + 1 if match else 0


def upload_target(client, response, route):
    """``(route, key)`` of the upload a 308 answer started: its ``Location`` (resolved as a URL
    reference and kept to the base URL's origin, ``client.route_of``) and that path's last segment."""
    location = (response.headers.get("Location") or "").strip()
    if not location:
        raise BrightspaceError("POST %s answered 308 without an upload Location" % route)
    target = client.route_of(location, route)
    key = urlsplit(target).path.rstrip("/").rsplit("/", 1)[-1]
    if not key:
        raise BrightspaceError("POST %s answered 308 with an upload Location that names no upload key" % route)
    return target, key


def _chunk_body(path, offset, length, opened):
    """A body factory for one chunk: a fresh ``FileSlice`` per attempt, remembered in ``opened``."""
    def body():
        opened.append(FileSlice(path, offset, length))
        return opened[-1]
    return body


def resumable_upload(client, init_route, path, chunk_size=DEFAULT_CHUNK_SIZE, content_type=None,
                     file_name=None, init_params=None):
    """Resumable upload (NOTES.md, "Resumable uploads"); returns the upload key.

    1. POST ``init_route`` with the X-Upload-* headers and an empty body → 308 + Location.
    2. POST chunks with ``Content-Range``; 308 + ``Range`` while incomplete, 200 at the end.
    3. After an interrupted chunk, ask ``bytes */total`` and go on from what arrived.
    """
    total = os.path.getsize(path)
    if total == 0:
        raise BrightspaceError("%s is empty: a resumable upload needs at least one byte" % path)
    headers = {
        "X-Upload-Content-Type": content_type or guess_type(path),
        "X-Upload-Content-Length": str(total),
        "X-Upload-File-Name": file_name_header(file_name or os.path.basename(path)),
    }
    response = client.request("POST", init_route, params=init_params, headers=headers, data=b"",
                              expect=(308,))
    route, key = upload_target(client, response, init_route)
    offset = 0
    resumes = 0
    chunk_size = max(1, int(chunk_size))
    while offset < total:
        length = min(chunk_size, total - offset)
        last = offset + length - 1
        chunk_headers = {"Content-Range": "bytes %d-%d/%d" % (offset, last, total),
                         "Content-Type": "application/octet-stream"}
        slices = []  # every attempt's view of the chunk, closed however the request ends
        chunk = _chunk_body(path, offset, length, slices)

        try:
            response = client.request(
                "POST", route, headers=chunk_headers, expect=(200, 201, 308), idempotent=False,
                data=chunk)
        except BrightspaceError as exc:
            if not getattr(exc, "ambiguous", False) or resumes >= MAX_RESUMES:
                raise
            resumes += 1
            status = client.request("POST", route, headers={"Content-Range": "bytes */%d" % total},
                                    data=b"", expect=(200, 201, 308), idempotent=True)
            if status.status_code in (200, 201):
                return key
            offset = _received(status)
            continue
        finally:
            for piece in slices:
                piece.close()
        if response.status_code in (200, 201):
            return key
        received = _received(response)
        if received <= offset:
            # the service kept nothing of this chunk (or sent no Range): resend it a few times
            resumes += 1
            if resumes > MAX_RESUMES:
                raise BrightspaceError("POST %s: the upload made no progress at byte %d of %d"
                                       % (route, offset, total))
        offset = received
    return key


def with_upload(upload, attach, key_refused):
    """``attach(upload())``, with the content uploaded once more when the service refuses the key.

    NOTES.md, "Resumable uploads": the service purges uploads that are never attached, and a key
    is the uploader's own; a key that expired between the upload and the attach (a long upload, a
    slow service) is refused as an invalid key, and nothing was attached. ``key_refused(exc)``
    says whether an error is that refusal; the content is then sent again (once) and attached.
    """
    key = upload()
    try:
        return attach(key)
    except BrightspaceError as exc:
        if not key_refused(exc):
            raise
    return attach(upload())
