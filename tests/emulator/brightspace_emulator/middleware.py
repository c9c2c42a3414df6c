# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ASGI middleware in front of every /d2l/ and /core/ request.

Order: request log entry -> fault rules (delay, drop, drop_after_bytes,
drop_response_after_bytes, stall_response_after_bytes, status; delay_response holds the route's
answer back) -> message
framing (/d2l/ only: a POST or PUT without Content-Length and Transfer-Encoding -> 411) -> rate
limit (/d2l/ only) -> authentication (/d2l/ except /d2l/api/versions/) -> the route. The control
API (/_emulator/...) and the docs (/openapi.json, /docs) bypass all of it.
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, quote

from starlette.datastructures import Headers
from starlette.responses import Response

from .auth import auth_kind, authenticate, claimed_app
from .errors import ApiError, error_response, errors_response, problem_response

UNAUTHENTICATED_PATHS = ("/d2l/api/versions/", "/d2l/api/versions")
TRANSPORT_KEY = "emulator.transport"  # set by server.DroppableH11Protocol
# ID-key query parameters (auth.py); their names are matched case-insensitively like every other
# query parameter name (routing.py).
IDKEY_PARAMS = ("x_a", "x_b", "x_c", "x_d", "x_t")
# NOTE: evidence: learning-repository.txt (POST objects/(id)/delete/: "You should ensure that
# your request includes a Content-Length: 0 HTTP header value (some HTTP client libraries may
# neglect to do this with empty POST calls)") and RFC 9110 §8.6 ("a user agent SHOULD send
# Content-Length in a request when the method defines a meaning for enclosed content and it is
# not sending Transfer-Encoding ... even when the value is 0"). POST and PUT define a meaning for
# a body; a request of either without Content-Length and Transfer-Encoding is refused with
# 411 Length Required (RFC 9110 §15.5.12) on every /d2l/ route, before the rate limit and
# authentication (it is refused as a message, like a front end would).
FRAMED_METHODS = ("POST", "PUT")


def parse_query(query_string: bytes) -> dict:
    """The query as a dict (the last value of a repeated name), the ID-key names lower-cased."""
    query = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    for key in list(query):
        if key.lower() in IDKEY_PARAMS and key != key.lower():
            query[key.lower()] = query.pop(key)
    return query


class DroppedConnection(Exception):
    """Raised for a ``drop`` fault when no transport is reachable (e.g. TestClient)."""


class EmulatorMiddleware:
    def __init__(self, app, emu):
        self.app = app
        self.emu = emu

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not (path.startswith("/d2l/") or path.startswith("/core/")):
            await self.app(scope, receive, send)
            return
        emu = self.emu
        method = scope["method"]
        headers = Headers(scope=scope)
        query = parse_query(scope.get("query_string", b""))
        entry = emu.log.start(method, path, query, auth_kind(headers, query),
                              headers.get("content-range"))
        extra_headers: dict = {}
        dropped = [False]  # set once a drop_after_bytes fault has cut the connection
        response_limit = [None]  # drop_response_after_bytes: body bytes left to send
        stall_limit = [None]  # stall_response_after_bytes: body bytes left before the pause
        fault = None  # this request's fault rule, taken below

        async def send_wrapper(message):
            if dropped[0]:
                return  # the connection is gone: whatever the route answers is lost
            if message["type"] == "http.response.body" and stall_limit[0] is not None:
                body = message.get("body", b"")
                if len(body) > stall_limit[0]:
                    # send what comes before the pause, wait, then go on (a slow download)
                    await send(dict(message, body=body[:stall_limit[0]], more_body=True))
                    await asyncio.sleep(float(fault["stall"]))
                    message = dict(message, body=body[stall_limit[0]:])
                    stall_limit[0] = None
                else:
                    stall_limit[0] -= len(body)
            if message["type"] == "http.response.body" and response_limit[0] is not None:
                body = message.get("body", b"")
                if len(body) > response_limit[0]:
                    # send what the limit allows, then cut the connection mid-response
                    await send(dict(message, body=body[:response_limit[0]], more_body=True))
                    dropped[0] = True
                    entry["status"] = 0
                    transport = scope.get(TRANSPORT_KEY)
                    if transport is not None:
                        transport.abort()
                    return
                response_limit[0] -= len(body)
            if message["type"] == "http.response.start":
                if fault and fault.get("delay_response"):
                    # the work is done; the answer comes late (a client may have given up by now)
                    await asyncio.sleep(float(fault["delay_response"]))
                entry["status"] = message["status"]
                if extra_headers:
                    raw = list(message.get("headers", []))
                    present = {k.lower() for k, _value in raw}
                    for k, v in extra_headers.items():
                        if k.lower().encode("latin-1") not in present:
                            raw.append((k.lower().encode("latin-1"), v.encode("latin-1")))
                    message = dict(message, headers=raw)
            await send(message)

        # --- faults ---------------------------------------------------------------------------
        fault = emu.faults.take_request_fault(method, path)
        if fault:
            if fault.get("delay"):
                await asyncio.sleep(float(fault["delay"]))
            if fault.get("drop"):
                entry["status"] = 0
                transport = scope.get(TRANSPORT_KEY)
                if transport is None:
                    raise DroppedConnection(f"fault {fault['id']} dropped {method} {path}")
                transport.abort()
                await asyncio.sleep(0)  # let uvicorn see the lost connection (no 500 attempt)
                return
            if fault.get("stall_response_after_bytes") is not None:
                stall_limit[0] = int(fault["stall_response_after_bytes"])
            if fault.get("drop_response_after_bytes") is not None:
                response_limit[0] = int(fault["drop_response_after_bytes"])
            elif fault.get("drop_after_bytes") is not None:
                receive = self._dropping_receive(receive, int(fault["drop_after_bytes"]),
                                                 scope, entry, dropped)
            elif fault.get("status"):
                await fault_response(fault, path)(scope, receive, send_wrapper)
                return

        # --- message framing ------------------------------------------------------------------
        if path.startswith("/d2l/") and method in FRAMED_METHODS \
                and "content-length" not in headers and "transfer-encoding" not in headers:
            resp = errors_response(411, f"Length Required: a {method} request must carry a "
                                        "Content-Length header (Content-Length: 0 for an empty "
                                        "body) or Transfer-Encoding")
            await resp(scope, receive, send_wrapper)
            return

        # --- rate limit -----------------------------------------------------------------------
        if path.startswith("/d2l/"):
            verdict = emu.ratelimiter.charge(claimed_app(emu, headers, query))
            extra_headers.update(verdict.headers())
            if not verdict.allowed:
                resp = problem_response(429, "API call-rate limit exceeded; retry after "
                                        f"{verdict.reset} seconds", path, "Too Many Requests")
                await resp(scope, receive, send_wrapper)
                return
            # --- authentication -------------------------------------------------------------
            if path not in UNAUTHENTICATED_PATHS:
                # ID-key signatures cover the path as sent (raw_path, still percent-encoded);
                # NOTE: emulator mechanics: ASGI makes raw_path optional: without it, the
                # decoded path is encoded again (every reserved character escaped), the
                # closest stand-in.
                raw_path = scope.get("raw_path") or quote(path).encode("ascii")
                result = authenticate(emu, method, raw_path.split(b"?", 1)[0], headers, query)
                if isinstance(result, ApiError):
                    await error_response(result, path)(scope, receive, send_wrapper)
                    return
                scope.setdefault("state", {})["principal"] = result
        await self.app(scope, receive, send_wrapper)
        if dropped[0]:
            if scope.get(TRANSPORT_KEY) is None:
                what = "request" if fault.get("drop_response_after_bytes") is None else "response"
                limit = fault[f"drop_{'' if what == 'request' else 'response_'}after_bytes"]
                raise DroppedConnection(f"fault {fault['id']} dropped {method} {path} after "
                                        f"{limit} {what} body bytes")
            await asyncio.sleep(0)  # let uvicorn see the lost connection (no 500 attempt)

    @staticmethod
    def _dropping_receive(receive, limit: int, scope, entry: dict, dropped: list):
        """``receive`` for a ``drop_after_bytes`` fault: hands the route the first ``limit``
        request-body bytes, then, when the route asks for more, aborts the TCP connection (the
        bundled server) and answers ``http.disconnect``, so the route sees a client that went
        away mid-body (under TestClient the middleware raises ``DroppedConnection`` once the
        route has returned)."""
        delivered = [0]  # body bytes handed to the route
        cut_next = [False]  # the limit was reached inside a chunk: the next read cuts
        finished = [False]  # the whole body fit within the limit: never cut

        def cut() -> dict:
            if not dropped[0]:
                dropped[0] = True
                entry["status"] = 0
                transport = scope.get(TRANSPORT_KEY)
                if transport is not None:
                    transport.abort()
            return {"type": "http.disconnect"}

        async def dropping_receive():
            if dropped[0] or cut_next[0]:
                return cut()
            message = await receive()
            if finished[0] or message["type"] != "http.request":
                return message
            body = message.get("body", b"")
            room = limit - delivered[0]
            if len(body) > room:
                if room == 0:
                    return cut()
                delivered[0] = limit
                cut_next[0] = True
                return dict(message, body=body[:room], more_body=True)
            delivered[0] += len(body)
            # NOTE: emulator mechanics: a request body of at most drop_after_bytes bytes is not
            # affected: the cut happens only when bytes beyond the limit arrive and the route
            # reads them.
            if not message.get("more_body", False):
                finished[0] = True
            return message

        return dropping_receive


def fault_response(fault: dict, path: str) -> Response:
    status = int(fault["status"])
    headers = dict(fault.get("headers") or {})
    if status == 429 and not any(k.lower() == "retry-after" for k in headers):
        headers["Retry-After"] = "1"
    body = fault.get("body")
    if body is None:
        if status >= 400:
            return problem_response(status, "Injected fault", path, headers=headers)
        return Response(b"", status_code=status, headers=headers)
    media_type = None
    if not any(k.lower() == "content-type" for k in headers):
        try:
            json.loads(body)
            media_type = "application/json"
        except ValueError:
            media_type = "text/plain"
    return Response(body, status_code=status, headers=headers, media_type=media_type)
