# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming multipart/form-data (RFC 1867 / RFC 7578) reader for the "simple file upload" routes.

``stream_form(request, dest, file_field="file", text_fields=())`` parses the request body as
it arrives: the first *file* part (``Content-Disposition: form-data; name="<file_field>";
filename="..."``) is written block by block to ``dest`` (never held in memory whole), and the
values of the text parts named in ``text_fields`` are collected in order. A malformed body
raises 400 (``{"Errors"}`` format).
"""
from __future__ import annotations

import os
from typing import Optional, Sequence

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from .errors import bad_request

MAX_TEXT_PART = 64 * 1024  # bytes; a longer text part is refused


class StrictFormError(ValueError):
    """A part that a strict form does not take (answered 400 naming it)."""


def is_multipart(request) -> bool:
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    return ctype == b"multipart/form-data" and bool(params.get(b"boundary"))


async def stream_form(request, dest: str, file_field: str = "file",
                      text_fields: Sequence[str] = (), strict: bool = False) -> dict:
    """``{"file": {"FileName", "Size", "ContentType"} | None, "fields": [(name, value)]}``.

    ``file`` is None (and ``dest`` does not exist) when the body is not multipart/form-data or
    has no file part named ``file_field``. With ``strict``, a part that is neither that file
    part nor one of ``text_fields`` (a text part: no ``filename``) is refused with 400 naming
    it, instead of being skipped; so is a second file part."""
    result: dict = {"file": None, "fields": []}
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        return result
    wanted = {name.encode() for name in text_fields}
    state = {"field": b"", "value": b"", "headers": {}, "mode": None, "done": False,
             "ended": False, "name": None, "type": None, "size": 0, "text_name": None,
             "text": b""}
    out = open(dest, "wb")  # pylint: disable=consider-using-with

    def on_part_begin():
        state["headers"] = {}

    def on_header_field(data, start, end):
        state["field"] += data[start:end]

    def on_header_value(data, start, end):
        state["value"] += data[start:end]

    def on_header_end():
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished():
        disposition, options = parse_options_header(state["headers"].get(b"content-disposition"))
        name = options.get(b"name")
        state["mode"] = None
        if disposition != b"form-data":
            if strict:
                raise ValueError("every part must have 'Content-Disposition: form-data'")
            return
        # NOTE: evidence: RFC 7578 §4.2: a file's part carries a filename parameter; a part
        # named "file" without one is not a file and is treated like a missing part (the
        # strictest reading). Only the first file part counts (a strict form refuses a
        # second one).
        if name == file_field.encode() and b"filename" in options and not state["done"]:
            state["mode"] = "file"
            state["name"] = options[b"filename"].decode("utf-8", errors="replace")
            ptype = state["headers"].get(b"content-type")
            state["type"] = ptype.decode("latin-1").strip() if ptype else None
        elif name in wanted and b"filename" not in options:
            state["mode"] = "text"
            state["text_name"], state["text"] = name.decode(), b""
        elif strict:
            shown = (name or b"").decode("utf-8", errors="replace")
            if name == file_field.encode() and b"filename" in options:
                raise StrictFormError(f"more than one file part '{shown}'")
            if name == file_field.encode() or name in wanted:
                kind = "a file part (with a filename)" if name == file_field.encode() \
                    else "a text part (without a filename)"
                raise StrictFormError(f"form part '{shown}' must be {kind}")
            known = ", ".join(repr(n) for n in (file_field, *text_fields))
            raise StrictFormError(f"unknown form part '{shown}' (this action takes {known})")

    def on_part_data(data, start, end):
        if state["mode"] == "file":
            out.write(data[start:end])
            state["size"] += end - start
        elif state["mode"] == "text":
            state["text"] += data[start:end]
            if len(state["text"]) > MAX_TEXT_PART:
                raise ValueError(f"form part '{state['text_name']}' is too long")

    def on_part_end():
        if state["mode"] == "file":
            state["done"] = True
        elif state["mode"] == "text":
            try:
                value = state["text"].decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"form part '{state['text_name']}' is not UTF-8") from None
            result["fields"].append((state["text_name"], value))
        state["mode"] = None

    def on_end():
        state["ended"] = True

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_end": on_end})
    try:
        try:
            async for chunk in request.stream():
                if chunk:
                    parser.write(chunk)
            parser.finalize()
        finally:
            out.close()
    except StrictFormError as exc:
        os.remove(dest)
        raise bad_request(f"Invalid form: {exc}") from None
    except (MultipartParseError, ClientDisconnect, ValueError) as exc:
        os.remove(dest)
        raise bad_request(f"Malformed multipart/form-data body: {exc or type(exc).__name__}") \
            from None
    if not state["ended"]:
        os.remove(dest)
        raise bad_request("Malformed multipart/form-data body: the closing boundary is missing")
    if not state["done"]:
        os.remove(dest)
        return result
    result["file"] = {"FileName": state["name"], "Size": state["size"],
                      "ContentType": state["type"]}
    return result


def remove_quietly(path: Optional[str]) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass
