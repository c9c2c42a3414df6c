"""Authentication: bearer tokens (OAuth 2.0), the token endpoint's grants, ID-key signatures.

``authenticate(emu, scope)`` identifies the caller of a /d2l/ request and returns a
``Principal`` or an ``ApiError``; routes then demand a scope with ``require_scope``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Optional, Union
from urllib.parse import parse_qs, unquote

from fastapi import Request

from . import store as st
from .errors import PROBLEM, TEXT, ApiError

IDKEY_SKEW_LIMIT = 300  # seconds


@dataclass
class Principal:
    kind: str  # "bearer" or "idkey"
    app: str  # rate-limit bucket: OAuth client id or ID-key app id
    user: str  # LMS user identifier
    scopes: list = field(default_factory=list)  # None for ID-key (user permissions apply)


# --- helpers ----------------------------------------------------------------------------------
def sign(key: str, base: str) -> str:
    """ID-key signature: base64url(HMAC-SHA256(key, base)) without '=' padding."""
    digest = hmac.new(key.encode("utf-8"), base.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def idkey_base(method: str, path: str, timestamp: Union[int, str]) -> str:
    return f"{method.upper()}&{unquote(path).lower()}&{timestamp}"


def scope_covers(granted: str, needed: str) -> bool:
    # NOTE: Brightspace's "core:*:*" is the all-routes scope (legacy full access); any other
    # scope covers a need part by part, "*" matching any part.
    if granted == "core:*:*":
        return True
    g = granted.split(":")
    n = needed.split(":")
    if len(g) != 3 or len(n) != 3:
        return False
    return all(a == "*" or a == b for a, b in zip(g, n))


def scopes_cover(granted: list, needed: str) -> bool:
    return any(scope_covers(g, needed) for g in granted)


def bearer_token(headers) -> Optional[str]:
    value = headers.get("authorization")
    if not value:
        return None
    parts = value.split(None, 1)
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1].strip()
    return ""  # present but not a bearer credential


def auth_kind(headers, query: dict) -> str:
    if headers.get("authorization"):
        return "bearer"
    if "x_a" in query:
        return "idkey"
    return "none"


def claimed_app(emu, headers, query: dict) -> str:
    """Rate-limit bucket of a request, before (or without) authentication."""
    token = bearer_token(headers)
    if token:
        rec = emu.store.data["tokens"].get(token)
        if rec:
            return "client:" + rec["client_id"]
    if "x_a" in query:
        return "app:" + query["x_a"]
    return "anonymous"


# --- authentication of /d2l/ requests ---------------------------------------------------------
def authenticate(emu, method: str, path: str, headers, query: dict) -> Union[Principal, ApiError]:
    now = emu.config.now()
    token = bearer_token(headers)
    if token is not None:
        rec = emu.store.data["tokens"].get(token) if token else None
        if rec is None:
            return ApiError(401, "Invalid token", PROBLEM, title="Unauthorized",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if rec["expires_at"] is not None and now >= rec["expires_at"]:
            return ApiError(401, "Token expired", PROBLEM, title="Unauthorized",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return Principal("bearer", "client:" + rec["client_id"], rec["user"], rec["scope"].split())
    if "x_a" in query:
        return _idkey(emu, method, path, query, now)
    return ApiError(401, "Authentication required: send a bearer token or ID-key parameters",
                    PROBLEM, title="Unauthorized", headers={"WWW-Authenticate": "Bearer"})


def _idkey(emu, method: str, path: str, query: dict, now: float) -> Union[Principal, ApiError]:
    invalid = ApiError(403, "Invalid token", TEXT)
    app_id, user_id = query.get("x_a", ""), query.get("x_b", "")
    x_c, x_d, x_t = query.get("x_c", ""), query.get("x_d", ""), query.get("x_t", "")
    app_key = st.IDKEY_APPS.get(app_id)
    user = st.IDKEY_USERS.get(user_id)
    if app_key is None or user is None or not x_c or not x_d:
        return invalid
    try:
        ts = int(x_t)
    except ValueError:
        return invalid
    if abs(now - ts) > IDKEY_SKEW_LIMIT:
        return ApiError(403, f"Timestamp out of range {int(now)}", TEXT)
    base = idkey_base(method, path, x_t)
    if not hmac.compare_digest(x_c, sign(app_key, base)) or \
            not hmac.compare_digest(x_d, sign(user["key"], base)):
        return invalid
    return Principal("idkey", "app:" + app_id, user["user"], None)


def caller(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller (no scope check; see ``check_scope``)."""
    principal: Optional[Principal] = getattr(request.state, "principal", None)
    if principal is None:  # middleware not installed (should not happen)
        raise ApiError(401, "Invalid token", PROBLEM, title="Unauthorized")
    return principal


def check_scope(principal: Principal, needed: str) -> Principal:
    """403 unless the caller's token grants ``needed`` (for routes whose scope depends on
    the request, e.g. eP ``artifacts/file/new``)."""
    # NOTE: ID-key calls carry no OAuth scopes; the (seeded, administrator) user's
    # permissions apply, so every scope check passes for them.
    if principal.scopes is not None and not scopes_cover(principal.scopes, needed):
        raise ApiError(403, f"Insufficient scope: this action requires the scope '{needed}'",
                       PROBLEM, title="Forbidden")
    return principal


def require_scope(needed: str):
    """FastAPI dependency factory: 403 unless the caller's token grants ``needed``."""

    def dependency(request: Request) -> Principal:
        return check_scope(caller(request), needed)

    dependency.__name__ = "scope_" + needed.replace(":", "_").replace("*", "any")
    dependency.required_scope = needed
    return dependency


# --- token endpoint ---------------------------------------------------------------------------
class OAuthFailure(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _jwt_subject(assertion: str) -> Optional[str]:
    """Client id from a private-key JWT client assertion (signature NOT checked: emulator)."""
    try:
        payload = assertion.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
        return claims.get("sub") or claims.get("iss")
    except Exception:  # noqa: BLE001 - any malformed assertion is an invalid client
        return None


def _client(form: dict, headers) -> str:
    client_id = form.get("client_id")
    secret = form.get("client_secret")
    auth = headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            raw = base64.b64decode(auth[6:].strip()).decode("utf-8")
            client_id, secret = (unquote(p) for p in raw.split(":", 1))
        except Exception:  # noqa: BLE001
            raise OAuthFailure(401, "invalid_client", "Malformed Basic credentials") from None
    assertion_type = form.get("client_assertion_type")
    if assertion_type:
        if assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            raise OAuthFailure(401, "invalid_client", "Unsupported client_assertion_type")
        subject = _jwt_subject(form.get("client_assertion", ""))
        if subject is None or subject not in st.CLIENTS or (client_id and client_id != subject):
            raise OAuthFailure(401, "invalid_client", "Client authentication failed")
        return subject
    if not client_id or client_id not in st.CLIENTS or secret != st.CLIENTS[client_id]["secret"]:
        raise OAuthFailure(401, "invalid_client", "Client authentication failed")
    return client_id


def _granted_scope(requested: Optional[str], allowed: str) -> str:
    if not requested:
        return allowed
    allowed_list = allowed.split()
    for s in requested.split():
        if not scopes_cover(allowed_list, s):
            raise OAuthFailure(400, "invalid_scope", f"Scope '{s}' is not allowed for this client")
    return " ".join(requested.split())


def issue_token(emu, form: dict, headers) -> dict:
    grant = form.get("grant_type")
    if not grant:
        raise OAuthFailure(400, "invalid_request", "grant_type is required")
    if grant not in ("refresh_token", "client_credentials"):
        raise OAuthFailure(400, "unsupported_grant_type", f"Unsupported grant_type '{grant}'")
    client_id = _client(form, headers)
    lifetime = int(emu.config.token_lifetime)
    now = emu.config.now()
    with emu.store.mutate() as data:
        refresh = None
        if grant == "refresh_token":
            presented = form.get("refresh_token")
            if not presented:
                raise OAuthFailure(400, "invalid_request", "refresh_token is required")
            rec = data["refresh_tokens"].get(presented)
            if rec is None or rec["client_id"] != client_id:
                raise OAuthFailure(400, "invalid_grant", "Invalid refresh token")
            if rec["used"]:
                raise OAuthFailure(400, "invalid_grant",
                                   "Refresh token has already been used (refresh tokens are single use)")
            scope = _granted_scope(form.get("scope"), rec["scope"])
            rec["used"] = True
            user = rec["user"]
            refresh = "rt-" + secrets.token_urlsafe(24)
            data["refresh_tokens"][refresh] = {"client_id": client_id, "scope": rec["scope"],
                                               "used": False, "user": user}
        else:
            scope = _granted_scope(form.get("scope"), st.CLIENTS[client_id]["scope"])
            user = st.DEMO_USER_IDENTIFIER  # the client's service user
        access = "at-" + secrets.token_urlsafe(24)
        data["tokens"][access] = {"scope": scope, "expires_at": now + lifetime,
                                  "client_id": client_id, "user": user}
    body = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": scope}
    if refresh:
        body["refresh_token"] = refresh
    return body


def mint_token(emu, scope: str, lifetime: Optional[float], client_id: str,
               user: str = st.DEMO_USER_IDENTIFIER) -> str:
    """A bearer token acting as LMS user ``user`` (a key of ``store.USERS``)."""
    access = "mt-" + secrets.token_urlsafe(24)
    expires = None if lifetime is None else emu.config.now() + lifetime
    with emu.store.mutate() as data:
        data["tokens"][access] = {"scope": scope, "expires_at": expires, "client_id": client_id,
                                  "user": user}
    return access


def parse_form(body: bytes) -> dict:
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in parsed.items()}
