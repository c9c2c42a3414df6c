# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""POST /core/connect/token: the OAuth 2.0 token endpoint (form-encoded).

Grants (auth.issue_token): ``refresh_token`` (client_id + client_secret, rotating refresh
tokens) and ``client_credentials`` (service clients: a private-key JWT client assertion,
RFC 7523, no refresh token). Errors are RFC 6749 §5.2 bodies ``{"error", "error_description"}``.
"""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from ..routing import make_router
from ..auth import TOKEN_PATH, OAuthFailure, issue_token, parse_form
from ..models import OAuthError, TokenResponse

router = make_router(tags=["oauth"])


@router.post(TOKEN_PATH, response_model=TokenResponse,
             responses={400: {"model": OAuthError}, 401: {"model": OAuthError}},
             openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {
                 "schema": {"type": "object", "properties": {
                     k: {"type": "string"} for k in (
                         "grant_type", "refresh_token", "client_id", "client_secret", "scope",
                         "client_assertion_type", "client_assertion")}}}}}})
async def token(request: Request):
    emu = request.app.state.emu
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if ctype != "application/x-www-form-urlencoded":
        return JSONResponse({"error": "invalid_request",
                             "error_description": "Body must be application/x-www-form-urlencoded"},
                            status_code=400, headers=headers)
    # A client assertion's audience: this endpoint's URL as the request reached it
    # (scheme://host[:port]/core/connect/token, from the Host header).
    endpoint_url = f"{request.url.scheme}://{request.url.netloc}{TOKEN_PATH}"
    try:
        form = parse_form(await request.body())
        body = issue_token(emu, form, request.headers, endpoint_url)
    except OAuthFailure as exc:
        failure_headers = dict(headers)
        if exc.status == 401 and \
                request.headers.get("authorization", "").lower().startswith("basic "):
            # RFC 6749 §5.2: a client that tried HTTP Basic gets WWW-Authenticate back.
            failure_headers["WWW-Authenticate"] = 'Basic realm="token"'
        return JSONResponse({"error": exc.error, "error_description": exc.description},
                            status_code=exc.status, headers=failure_headers)
    return JSONResponse(body, headers=headers)
