# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's FastAPI route class and router factory: what every route shares before its own
code runs.

``make_router(...)`` is ``APIRouter(...)`` with:

- ``redirect_slashes=False``: a path with the wrong trailing slash is an unknown route (404 in
  the ``{"Errors"}`` format), never a 307 to an absolute URL (which would hide a client that
  calls a wrong route; the real service serves its routes exactly as the pages write them).
- ``route_class=EmulatorRoute``:
  - a route that takes a JSON body reads the body as JSON whatever the request's
    ``Content-Type`` says (missing, ``text/plain``, ...); a body that is not JSON is still
    refused (400 problem+json, "Request body is not valid JSON"). NOTE: evidence: D2L's own
    utility library (D2LValence-UtilTUT, ``d2lvalence_util/service.py``) sends its JSON blocks
    with no ``Content-Type`` at all on ``create_course_offering`` (POST courses/),
    ``update_course_offering`` (PUT courses/(id)) and ``update_learning_object_properties``
    (POST lr objects/(id)/properties/), and those calls work against real tenants; FastAPI's
    default (strict content types) would refuse them.
  - query parameter names are matched case-insensitively: ``exactorgunitcode=x`` is
    ``exactOrgUnitCode=x``. NOTE: evidence: the service runs on ASP.NET, whose query-string
    binding (``HttpUtility.ParseQueryString``, Web API parameter binding) compares names
    case-insensitively; D2L publishes no statement of its own. Treating a wrongly cased name as
    unknown (ignored) would make a look-up silently return everything. An unknown name stays
    ignored, as before.
"""
from __future__ import annotations

from typing import Callable, Iterable
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from starlette.requests import Request


def _query_names(dependant, seen=None) -> Iterable[str]:
    """Every query parameter name (alias) a route's dependency tree declares."""
    seen = seen if seen is not None else set()
    if id(dependant) in seen:
        return
    seen.add(id(dependant))
    for field in getattr(dependant, "query_params", ()) or ():
        yield getattr(field, "alias", None) or field.name
    for sub in getattr(dependant, "dependencies", ()) or ():
        yield from _query_names(sub, seen)


def canonical_query(query_string: bytes, names: dict) -> bytes:
    """``query_string`` with every parameter name that matches a declared name regardless of
    case rewritten to the declared spelling (``names``: lower-case -> declared)."""
    if not query_string or not names:
        return query_string
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    changed = False
    out = []
    for key, value in pairs:
        canonical = names.get(key.lower(), key)
        changed = changed or canonical != key
        out.append((canonical, value))
    if not changed:
        return query_string
    return urlencode(out).encode("latin-1")


def _set_header(scope: dict, name: bytes, value: bytes) -> None:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != name]
    headers.append((name, value))
    scope["headers"] = headers


class EmulatorRoute(APIRoute):
    """See the module docstring."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()  # now: FastAPI reads its inclusion context here
        names = {name.lower(): name for name in _query_names(self.dependant)}
        body_field = self.body_field
        json_body = body_field is not None and not isinstance(body_field.field_info, params.Form)

        async def route_handler(request: Request):
            scope = request.scope
            scope["query_string"] = canonical_query(scope.get("query_string", b""), names)
            if json_body:
                _set_header(scope, b"content-type", b"application/json")
            return await handler(request)

        return route_handler


def make_router(**kwargs) -> APIRouter:
    """``APIRouter(**kwargs)`` with the emulator's route class and no trailing-slash redirects."""
    kwargs.setdefault("redirect_slashes", False)
    kwargs.setdefault("route_class", EmulatorRoute)
    return APIRouter(**kwargs)
