# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authentication: bearer tokens (OAuth 2.0), the token endpoint's grants, ID-key signatures.

``authenticate(emu, ...)`` identifies the caller of a /d2l/ request and returns a ``Principal``
or an ``ApiError``; the routers then demand the route's scope (scopes.py) with ``route_scope``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote_plus

import jwt
from fastapi import Request

from . import scopes as sc
from . import store as st
from . import uploads as up
from .errors import PROBLEM, TEXT, ApiError

IDKEY_SKEW_LIMIT = 300  # seconds

TOKEN_PATH = "/core/connect/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALG = "RS256"
# NOTE: no evidence for the figures: the reference is silent on how far ahead a client
# assertion may expire and how much clock skew its iat may show (RFC 7523 §3 lets the server
# reject a JWT whose exp is unreasonably far in the future and allows "a reasonable small
# leeway"); the strictest reading: an exp more than an hour away, or an iat more than 60 s ahead,
# is refused.
ASSERTION_MAX_LIFETIME = 3600  # seconds between now and exp, at most
ASSERTION_CLOCK_SKEW = 60  # seconds an iat (or nbf) may lie in the future


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


def idkey_base(method: str, raw_path: Union[str, bytes], timestamp: Union[int, str]) -> str:
    """The ID-key base string of a request whose path was sent as ``raw_path`` (still
    percent-encoded, no query string).

    NOTE: evidence: D2L's Python SDK (d2lvalence/auth.py, ``D2LUserContext._build_tokens_for_path``)
    signs ``METHOD.upper() + "&" + urllib.parse.unquote_plus(path.lower()) + "&" + timestamp``
    where ``path`` is the URL path as it is sent (percent-encoded). NOTES.md writes
    ``unquote(path).lower()``; the SDK is the evidence of what the service verifies, so the
    emulator lower-cases the raw path first and then decodes it once with ``unquote_plus``
    (``+`` is a space, ``%2B`` a plus, ``%25`` a percent sign).
    """
    if isinstance(raw_path, bytes):
        raw_path = raw_path.decode("utf-8", "replace")
    return f"{method.upper()}&{unquote_plus(raw_path.lower())}&{timestamp}"


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
def authenticate(emu, method: str, raw_path: Union[str, bytes], headers,
                 query: dict) -> Union[Principal, ApiError]:
    """``raw_path``: the request's path as received (ASGI ``raw_path``), for ID-key."""
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
        return _idkey(emu, method, raw_path, query, now)
    return ApiError(401, "Authentication required: send a bearer token or ID-key parameters",
                    PROBLEM, title="Unauthorized", headers={"WWW-Authenticate": "Bearer"})


def _idkey(emu, method: str, raw_path, query: dict, now: float) -> Union[Principal, ApiError]:
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
    base = idkey_base(method, raw_path, x_t)
    if not hmac.compare_digest(x_c, sign(app_key, base)) or \
            not hmac.compare_digest(x_d, sign(user["key"], base)):
        return invalid
    return Principal("idkey", "app:" + app_id, user["user"], None)


def caller(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller (no scope check; see ``route_scope``)."""
    principal: Optional[Principal] = getattr(request.state, "principal", None)
    if principal is None:  # middleware not installed (should not happen)
        raise ApiError(401, "Invalid token", PROBLEM, title="Unauthorized")
    return principal


def check_scope(principal: Principal, required: Union[Tuple[str, ...], str]) -> Principal:
    """403 unless the caller's token carries ``core:*:*`` or every scope of ``required``
    (a tuple, or a space-separated string)."""
    if isinstance(required, str):
        required = tuple(required.split())
    # NOTE: evidence: scopes belong to OAuth 2.0 tokens (SCOPES.md, "a request is allowed when
    # the token carries the route's scope"); an ID-key call carries no token and no scopes
    # (NOTES.md "Authentication"), the user's own permissions apply (the role of its user,
    # permissions.py), so the scope check does not apply to it.
    if principal.scopes is not None and not sc.allowed(principal.scopes, required):
        # RFC 6750 §3.1: insufficient_scope, with the scope(s) that would do.
        wanted = " ".join(required)
        raise ApiError(403, f"Insufficient scope: this action requires {sc.describe(required)}",
                       PROBLEM, title="Forbidden",
                       headers={"WWW-Authenticate":
                                f'Bearer error="insufficient_scope", scope="{wanted}"'})
    return principal


def required_scopes(request: Request) -> Tuple[str, ...]:
    """The scope(s) of the route that matched ``request`` (scopes.py); the upload data route
    demands those of the route that initiated the upload (an unknown key: core:*:*)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return (sc.CORE,)  # fail closed
    if (request.method, path) == sc.UPLOAD_DATA:
        # another user's (or an expired) upload is an unknown key: core:*:*, then 404
        principal = getattr(request.state, "principal", None)
        meta = up.get_upload(request.app.state.emu, request.path_params.get("uploadKey", ""),
                             principal.user if principal is not None else None)
        if meta and meta.get("Scope"):
            return tuple(meta["Scope"].split())
        return (sc.CORE,)
    return sc.needed(request.method, path)


def route_scope(request: Request) -> Principal:
    """Router dependency of every authenticated /d2l/ router: 403 unless the caller's token
    grants the route's scope (scopes.py). Returns the caller."""
    return check_scope(caller(request), required_scopes(request))


# --- token endpoint ---------------------------------------------------------------------------
class OAuthFailure(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _invalid_client(description: str) -> OAuthFailure:
    return OAuthFailure(401, "invalid_client", description)


def _has_basic(headers) -> bool:
    return headers.get("authorization", "").lower().startswith("basic ")


def _basic_credentials(headers) -> Optional[tuple]:
    if not _has_basic(headers):
        return None
    auth = headers.get("authorization", "")
    try:
        raw = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = raw.split(":", 1)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid_client("Malformed HTTP Basic client credentials") from None
    # RFC 6749 §2.3.1: client id and secret are form-urlencoded (Appendix B) before Basic.
    return unquote_plus(client_id), unquote_plus(secret)


def _secret_client(form: dict, headers, grant: str) -> str:
    """The refresh_token grant's client authentication: client_id + client_secret (form or
    HTTP Basic, not both)."""
    if "client_assertion" in form or "client_assertion_type" in form:
        # NOTE: evidence: NOTES.md lists the refresh grant's fields as grant_type,
        # refresh_token, client_id, client_secret; only service clients (client_credentials)
        # use assertions (NOTES.md "private-key JWT client assertion").
        raise _invalid_client(f"The {grant} grant authenticates the client with client_id and "
                              "client_secret; client assertions are not accepted for it")
    basic = _basic_credentials(headers)
    if basic is not None:
        if "client_secret" in form:
            # RFC 6749 §2.3: a client must not use more than one authentication method.
            raise OAuthFailure(400, "invalid_request", "The client authenticated twice (HTTP "
                                                       "Basic and client_secret): use one")
        if "client_id" in form and form["client_id"] != basic[0]:
            raise OAuthFailure(400, "invalid_request",
                               "client_id differs from the HTTP Basic client id")
        client_id, secret = basic
    else:
        client_id, secret = form.get("client_id"), form.get("client_secret")
    client = st.CLIENTS.get(client_id or "")
    if client is None or secret is None or not hmac.compare_digest(secret, client["secret"]):
        raise _invalid_client("Client authentication failed")
    return client_id


def _number(claims: dict, name: str) -> float:
    value = claims.get(name)
    if value is None:
        raise _invalid_client(f"client_assertion has no '{name}' claim")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid_client(f"client_assertion '{name}' claim is not a NumericDate")
    return float(value)


def _assertion_client(emu, form: dict, headers, endpoint_url: str) -> Tuple[str, dict]:
    """The client_credentials grant's client authentication: a private-key JWT client
    assertion (RFC 7523 §2.2, §3), verified against the registered JWKS of the service client.
    Returns (client id, its record); the assertion's jti is recorded (no replay)."""
    if "client_secret" in form or _has_basic(headers):
        raise _invalid_client(
            "The client_credentials grant needs a private-key JWT client assertion "
            "(client_assertion_type=" + ASSERTION_TYPE + ", client_assertion); client "
            "secrets are not accepted")
    assertion_type = form.get("client_assertion_type")
    assertion = form.get("client_assertion")
    if assertion_type is None and assertion is None:
        # RFC 6749 §5.2 invalid_client: "no client authentication included".
        raise _invalid_client("No client authentication: the client_credentials grant needs "
                              "a private-key JWT client assertion (client_assertion_type="
                              + ASSERTION_TYPE + ", client_assertion)")
    if assertion_type is None:
        raise OAuthFailure(400, "invalid_request", "client_assertion_type is required with "
                                                   "client_assertion")
    if assertion_type != ASSERTION_TYPE:
        raise _invalid_client("Unsupported client_assertion_type (expected " + ASSERTION_TYPE
                              + ")")
    if not assertion:
        raise OAuthFailure(400, "invalid_request", "client_assertion is required")

    # --- the header: RS256, a kid -------------------------------------------------------------
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _invalid_client("client_assertion is not a well-formed JWT (JWS compact "
                              "serialization with a JSON header and claims)") from None
    alg = header.get("alg")
    if alg != ASSERTION_ALG:
        shown = alg if isinstance(alg, str) and len(alg) <= 16 else "?"
        raise _invalid_client(f"client_assertion must be signed with {ASSERTION_ALG} "
                              f"(alg '{shown}' is refused)")
    if "crit" in header:
        # RFC 7515 §4.1.11: the emulator understands no JWS extension.
        raise _invalid_client("client_assertion header 'crit' names extensions this server "
                              "does not understand")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _invalid_client("client_assertion header has no 'kid' naming the signing key")

    # --- iss == sub == a registered service client (and the form's client_id) ----------------
    iss, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(iss, str) or not iss:
        raise _invalid_client("client_assertion has no 'iss' claim (the client id)")
    if sub != iss:
        raise _invalid_client("client_assertion 'sub' must equal 'iss' (both the client id)")
    clients = emu.store.data["service_clients"]
    client = clients.get(iss)
    if client is None:
        raise _invalid_client("client_assertion 'iss' is not a registered service client")
    if "client_id" in form and form["client_id"] != iss:
        raise _invalid_client("client_id differs from the client_assertion's 'iss'")

    # --- the key and the signature ------------------------------------------------------------
    jwk = next((k for k in client["jwks"]["keys"] if k.get("kid") == kid), None)
    if jwk is None:
        raise _invalid_client("client_assertion 'kid' names no key of the client's JWKS")
    try:
        key = jwt.PyJWK(jwk, algorithm=ASSERTION_ALG)
        # Signature only: every time-based claim is checked below with the emulator's clock.
        jwt.decode(assertion, key=key, algorithms=[ASSERTION_ALG],
                   options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                            "verify_aud": False, "verify_iss": False, "verify_sub": False,
                            "verify_jti": False})
    except jwt.PyJWTError:
        raise _invalid_client("client_assertion signature is not valid for the key "
                              "'kid' names") from None

    # --- aud: this token endpoint -------------------------------------------------------------
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if not audiences or not all(isinstance(a, str) for a in audiences):
        raise _invalid_client("client_assertion has no 'aud' claim (the token endpoint URL)")
    if endpoint_url not in audiences:
        # RFC 7523 §3: the audience identifies the authorization server's token endpoint.
        raise _invalid_client("client_assertion 'aud' does not name this token endpoint ("
                              + endpoint_url + ")")

    # --- exp, iat, nbf with the emulator's clock ---------------------------------------------
    now = emu.config.now()
    exp = _number(claims, "exp")
    if exp <= now:
        raise _invalid_client("client_assertion has expired ('exp' is not in the future)")
    if exp - now > ASSERTION_MAX_LIFETIME:
        raise _invalid_client(f"client_assertion 'exp' is more than {ASSERTION_MAX_LIFETIME} "
                              "seconds away")
    iat = _number(claims, "iat")
    if iat - now > ASSERTION_CLOCK_SKEW:
        raise _invalid_client(f"client_assertion 'iat' is more than {ASSERTION_CLOCK_SKEW} "
                              "seconds in the future")
    if "nbf" in claims and _number(claims, "nbf") - now > ASSERTION_CLOCK_SKEW:
        # NOTE: no evidence for the figure; the strictest reading: the same 60 s leeway as
        # iat (RFC 7523 §3 allows "a reasonable small leeway").
        raise _invalid_client("client_assertion is not valid yet ('nbf')")

    # --- jti: never seen before for this client -----------------------------------------------
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise _invalid_client("client_assertion has no 'jti' claim")
    with emu.store.mutate() as data:
        seen_all = data.setdefault("assertion_jtis", {})
        for cid in list(seen_all):
            seen_all[cid] = {j: e for j, e in seen_all[cid].items() if e > now}
            if not seen_all[cid]:
                del seen_all[cid]
        seen = seen_all.setdefault(iss, {})
        if jti in seen:
            raise _invalid_client("client_assertion 'jti' was already used (replay)")
        # NOTE: evidence: RFC 7523 §3 lets the server refuse replays for as long as the JWT is
        # valid; no evidence of when a jti counts as used, so the strictest reading: it is spent
        # once the assertion authenticated the client, even if the request is then refused
        # (e.g. invalid_scope): a retry needs a new assertion.
        seen[jti] = exp
    return iss, client


def _requested_scopes(requested: Optional[str]) -> list:
    return list(dict.fromkeys((requested or "").split()))


def _check_scopes(requested: list, registered: str) -> None:
    """Every requested scope must be literally one of the registered ones (no wildcards)."""
    allowed = set(registered.split())
    for s in requested:
        if s not in allowed:
            raise OAuthFailure(400, "invalid_scope",
                               f"Scope '{s}' is not registered for this client")


def issue_token(emu, form: dict, headers, endpoint_url: str) -> dict:
    """The token endpoint. ``endpoint_url``: scheme://host[:port]/core/connect/token as the
    request reached it (a client assertion's required audience)."""
    grant = form.get("grant_type")
    if not grant:
        raise OAuthFailure(400, "invalid_request", "grant_type is required")
    if grant not in ("refresh_token", "client_credentials"):
        raise OAuthFailure(400, "unsupported_grant_type", f"Unsupported grant_type '{grant}'")
    lifetime = int(emu.config.token_lifetime)
    refresh = None
    if grant == "refresh_token":
        client_id = _secret_client(form, headers, grant)
        presented = form.get("refresh_token")
        if not presented:
            raise OAuthFailure(400, "invalid_request", "refresh_token is required")
        with emu.store.mutate() as data:
            rec = data["refresh_tokens"].get(presented)
            if rec is None or rec["client_id"] != client_id:
                raise OAuthFailure(400, "invalid_grant", "Invalid refresh token")
            if rec["used"]:
                raise OAuthFailure(400, "invalid_grant",
                                   "Refresh token has already been used (refresh tokens are single "
                                   "use)")
            requested = _requested_scopes(form.get("scope"))
            if requested:
                # The chain's scope is what the client may ask for on a refresh (RFC 6749 §6:
                # no scope beyond the original grant), the client's registered scope too.
                _check_scopes(requested, rec["scope"])
                _check_scopes(requested, st.CLIENTS[client_id]["scope"])
                scope = " ".join(requested)
            else:
                scope = rec["scope"]  # no scope asked: the chain's scope
            rec["used"] = True
            user = rec["user"]
            refresh = "rt-" + secrets.token_urlsafe(24)
            data["refresh_tokens"][refresh] = {"client_id": client_id, "scope": rec["scope"],
                                               "used": False, "user": user}
            access = _store_access(emu, data, scope, client_id, user, lifetime)
    else:
        client_id, client = _assertion_client(emu, form, headers, endpoint_url)
        requested = _requested_scopes(form.get("scope"))
        if not requested:
            raise OAuthFailure(400, "invalid_scope", "scope is required")
        _check_scopes(requested, client["scope"])
        scope = " ".join(requested)
        with emu.store.mutate() as data:
            access = _store_access(emu, data, scope, client_id, client["user"], lifetime)
    body = {"access_token": access, "token_type": "Bearer", "expires_in": lifetime, "scope": scope}
    if refresh:
        body["refresh_token"] = refresh
    return body


def _store_access(emu, data: dict, scope: str, client_id: str, user: str, lifetime: int) -> str:
    access = "at-" + secrets.token_urlsafe(24)
    data["tokens"][access] = {"scope": scope, "expires_at": emu.config.now() + lifetime,
                              "client_id": client_id, "user": user}
    return access


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
    """The token request's form fields. A repeated field is refused (RFC 6749 §3.2: "Request
    and response parameters MUST NOT be included more than once"): 400 invalid_request."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise OAuthFailure(400, "invalid_request", "The form is not UTF-8") from None
    form: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in form:
            raise OAuthFailure(400, "invalid_request", f"Parameter '{key}' is repeated")
        form[key] = value
    return form
