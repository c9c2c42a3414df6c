# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP routes, one module per area. Shared helpers live here."""
from __future__ import annotations

from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ..auth import Principal, route_scope
from ..permissions import route_permission
from ..config import API_VERSIONS
from ..errors import ERRORS, ApiError


def get_emu(request: Request):
    return request.app.state.emu


def product_version(product: str):
    """Router dependency: 404 when the route's API version is not supported for ``product``."""

    example = API_VERSIONS[product][0]

    def dependency(version: str = Path(..., description=f"{product} API version, e.g. {example}")):
        if version not in API_VERSIONS[product][1]:
            # NOTE: no evidence; the strictest reading: an unsupported version is no route:
            # 404 like an unknown route.
            raise ApiError(404, f"API version '{version}' is not supported for product "
                                f"'{product}'", ERRORS)
        return version

    dependency.__name__ = f"version_{product}"
    return Depends(dependency)


def guard(request: Request, principal: Principal = Depends(route_scope)) -> Principal:
    """The caller, once its token's scope (auth.route_scope) and then its role's permission
    (permissions.route_permission) allow the matched route."""
    route_permission(request, principal)
    return principal


def scoped():
    """Router dependency of every authenticated /d2l/ router (after ``product_version``, so an
    unknown version stays a 404): 403 unless the caller's token grants the matched route's
    scope, as scopes.py declares it (auth.route_scope), then 403 unless the caller's role has
    the permission permissions.py gives the route (before the path, query and body are
    validated)."""
    return Depends(guard)


def parse_body(model, raw: bytes):
    """Validate a JSON request body read by the route itself (routes whose body depends on the
    request, e.g. eP ``artifacts/file/new``): errors answer 400 like FastAPI's body validation."""
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            e = dict(e)
            e["loc"] = ("body", *e.get("loc", ()))
            errors.append(e)
        raise RequestValidationError(errors) from None
