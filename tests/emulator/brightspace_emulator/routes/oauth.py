"""POST /core/connect/token: the OAuth 2.0 token endpoint (form-encoded)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..auth import OAuthFailure, issue_token, parse_form
from ..models import OAuthError, TokenResponse

router = APIRouter(tags=["oauth"])


@router.post("/core/connect/token", response_model=TokenResponse,
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
    form = parse_form(await request.body())
    try:
        body = issue_token(emu, form, request.headers)
    except OAuthFailure as exc:
        return JSONResponse({"error": exc.error, "error_description": exc.description},
                            status_code=exc.status, headers=headers)
    return JSONResponse(body, headers=headers)
