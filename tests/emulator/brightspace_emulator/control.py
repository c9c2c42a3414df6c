# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The control API (/_emulator/...): never authenticated, logged or rate limited."""
from __future__ import annotations

import json
import re

import jwt
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from .routing import make_router
from . import auth
from . import eportfolio as ep
from . import lr
from . import permissions as perms
from . import scopes as sc
from . import store as st
from . import uploads as up
from .errors import ApiError
from .models import (ConfigUpdate, EpCommentRequest, FaultRule, LrBulkRequest, LrTrustUpdate,
                     MintTokenRequest, RoleUpdate, ServiceClientRequest, UserRoleUpdate)

router = make_router(prefix="/_emulator", tags=["control"])


def _emu(request: Request):
    return request.app.state.emu


@router.get("/health")
async def health():
    return {"status": "ok"}


@router.get("/requests")
async def requests_log(request: Request, since: int = 0):
    return _emu(request).log.since(since)


@router.post("/reset")
async def reset(request: Request):
    _emu(request).reset()
    return {"status": "ok"}


@router.post("/faults")
async def add_fault(request: Request, rule: FaultRule):
    try:
        re.compile(rule.path)
    except re.error as exc:
        raise ApiError(400, f"path: invalid regular expression: {exc}") from None
    if not (rule.status or rule.drop or rule.delay or rule.job_outcome
            or rule.drop_after_bytes is not None or rule.lr_execution
            or rule.drop_response_after_bytes is not None or rule.delay_response
            or rule.stall_response_after_bytes is not None):
        raise ApiError(400, "A fault needs at least one of status, drop, drop_after_bytes, "
                            "drop_response_after_bytes, stall_response_after_bytes, delay, "
                            "delay_response, job_outcome, lr_execution")
    if (rule.stall_response_after_bytes is None) != (not rule.stall):
        raise ApiError(400, "stall_response_after_bytes and stall (seconds, above 0) go together")
    if rule.stall_response_after_bytes is not None and (
            rule.drop or rule.status or rule.job_outcome or rule.lr_execution
            or rule.drop_response_after_bytes is not None):
        raise ApiError(400, "stall_response_after_bytes cannot be combined with drop, status, "
                            "drop_response_after_bytes, job_outcome or lr_execution")
    if rule.delay_response and (rule.drop or rule.status or rule.job_outcome or rule.lr_execution):
        raise ApiError(400, "delay_response cannot be combined with drop, status, job_outcome or "
                            "lr_execution")
    if rule.drop_response_after_bytes is not None and (
            rule.drop or rule.status or rule.job_outcome or rule.lr_execution
            or rule.drop_after_bytes is not None):
        raise ApiError(400, "drop_response_after_bytes cannot be combined with drop, status, "
                            "drop_after_bytes, job_outcome or lr_execution")
    if rule.lr_execution is not None:
        if rule.status or rule.drop or rule.delay or rule.job_outcome \
                or rule.drop_after_bytes is not None:
            raise ApiError(400, "lr_execution cannot be combined with status, drop, "
                                "drop_after_bytes, delay or job_outcome")
        if rule.lr_execution.status == 2 and not rule.lr_execution.message.strip():
            # An ERROR always carries an execution message (learning-repository.txt).
            raise ApiError(400, "lr_execution: an ERROR (status 2) needs a message")
    if rule.drop_after_bytes is not None and (rule.drop or rule.status or rule.job_outcome):
        raise ApiError(400, "drop_after_bytes cannot be combined with drop, status or "
                            "job_outcome")
    return {"id": _emu(request).faults.add(rule.model_dump())}


@router.get("/faults")
async def list_faults(request: Request):
    return {"faults": _emu(request).faults.list()}


@router.delete("/faults")
async def clear_faults(request: Request):
    _emu(request).faults.clear()
    return {"status": "ok"}


@router.get("/config")
async def get_config(request: Request):
    return _emu(request).config.public()


@router.post("/config")
async def set_config(request: Request, update: ConfigUpdate):
    emu = _emu(request)
    values = update.model_dump(exclude_none=True)
    if values.get("rate_limit") is not None and values["rate_limit"] <= 0:
        raise ApiError(400, "rate_limit must be positive")
    if values.get("rate_window") is not None and values["rate_window"] <= 0:
        raise ApiError(400, "rate_window must be positive")
    if values.get("token_lifetime") is not None and values["token_lifetime"] <= 0:
        raise ApiError(400, "token_lifetime must be positive")
    if values.get("job_duration") is not None and values["job_duration"] < 0:
        raise ApiError(400, "job_duration must not be negative")
    if values.get("upload_ttl") is not None and values["upload_ttl"] <= 0:
        raise ApiError(400, "upload_ttl must be positive")
    for key, value in values.items():
        setattr(emu.config, key, value)
    if "rate_limit" in values or "rate_window" in values:
        emu.ratelimiter.reset()
    return emu.config.public()


@router.post("/tokens")
async def mint(request: Request, body: MintTokenRequest):
    if body.user not in st.USERS:
        raise ApiError(400, f"user: unknown user '{body.user}' (known: {', '.join(st.USERS)})")
    token = auth.mint_token(_emu(request), body.scope, body.lifetime, body.client_id, body.user)
    return {"access_token": token}


# NOTE: evidence: RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these
# algorithms" (RS256); a smaller key is refused at registration.
MIN_RSA_BITS = 2048


@router.post("/service-clients")
async def register_service_client(request: Request, body: ServiceClientRequest):
    """Register (or replace) an OAuth 2.0 service client: the client credentials grant with a
    private-key JWT client assertion verified against ``jwks``; its tokens act as ``user`` and
    may carry any of the space-separated ``scope``."""
    client_id = body.client_id
    if not client_id.strip() or any(c.isspace() for c in client_id):
        raise ApiError(400, "client_id: must be a non-empty string without white space")
    if client_id in st.CLIENTS:
        raise ApiError(400, f"client_id: '{client_id}' is a client-secret OAuth client")
    kids = [k.kid for k in body.jwks.keys]
    dupes = sorted({k for k in kids if kids.count(k) > 1})
    if dupes:
        raise ApiError(400, f"jwks.keys: duplicate kid(s) {', '.join(dupes)}")
    for index, key in enumerate(body.jwks.keys):
        jwk = key.model_dump(exclude_none=True)
        try:
            bits = jwt.PyJWK(jwk, algorithm="RS256").key.key_size
        except jwt.PyJWTError as exc:
            raise ApiError(400, f"jwks.keys.{index}: not a usable RSA public key ({exc})") from None
        if bits < MIN_RSA_BITS:
            raise ApiError(400, f"jwks.keys.{index}: an RSA key of {bits} bits is too small "
                                f"(at least {MIN_RSA_BITS})")
    registered = body.scope.split()
    if not registered:
        raise ApiError(400, "scope: at least one scope is required")
    for scope in registered:
        if not sc.SCOPE_RE.match(scope):
            raise ApiError(400, f"scope: '{scope}' is not of the form group:resource:action")
    if body.user not in st.USERS:
        raise ApiError(400, f"user: unknown user '{body.user}' (known: {', '.join(st.USERS)})")
    with _emu(request).store.mutate() as data:
        data["service_clients"][client_id] = {
            "jwks": {"keys": [k.model_dump(exclude_none=True) for k in body.jwks.keys]},
            "scope": " ".join(dict.fromkeys(registered)), "user": body.user}
    return {"client_id": client_id}


@router.get("/state")
async def state(request: Request):
    emu = _emu(request)
    emu.jobs.settle_due()
    up.purge_expired(emu)  # like the jobs, the state shows what a client would see now
    snap = emu.store.snapshot()
    snap["jobs"] = [emu.jobs.describe(j) for j in snap["jobs"]]
    snap["faults"] = emu.faults.list()
    snap["config"] = emu.config.public()
    return snap


@router.get("/courses/{orgUnitId}/content")
async def course_content(request: Request, orgUnitId: int):
    """What copy and import jobs delivered to a course: {"components", "copies", "imports"}."""
    emu = _emu(request)
    emu.jobs.settle_due()
    with emu.store.lock:
        record = emu.store.data["course_content"].get(str(orgUnitId))
        if record is None:
            raise ApiError(404, f"No content recorded for org unit {orgUnitId}")
        return json.loads(json.dumps(record))


# --- ePortfolio -------------------------------------------------------------------------------
def _known_user(user: str) -> str:
    if user not in st.USERS:
        raise ApiError(400, f"user: unknown user '{user}' (known: {', '.join(st.USERS)})")
    return user


@router.get("/eportfolio/objects")
async def ep_objects(request: Request, user: str):
    """A user's ePortfolio objects, a JSON list by ObjectId: fetch forms with their comments;
    file artifacts also carry ``Sha256``, the SHA-256 (hex) of their stored bytes."""
    emu = _emu(request)
    _known_user(user)
    emu.jobs.settle_due()
    with emu.store.lock:
        records = ep.user_objects(emu.store.data, user)
        forms = [ep.fetch_form(r, comments=True) for r in records]
        paths = [ep.file_path(emu.store.data, r) if r["ObjectTypeId"] == ep.TYPE_FILE else None
                 for r in records]
    for form, path in zip(forms, paths):
        if form["ObjectTypeId"] == ep.TYPE_FILE:
            form["Sha256"] = await run_in_threadpool(ep.sha256_file, path) if path else None
    return forms


@router.post("/eportfolio/objects/{objectId}/comments")
async def ep_add_comment(request: Request, objectId: int, body: EpCommentRequest):
    """Add a comment by ``user`` to an object (tests); answers the EP.Comment block."""
    emu = _emu(request)
    _known_user(body.user)
    with emu.store.lock:
        record = emu.store.data["ep_objects"].get(str(objectId))
        if record is None:
            raise ApiError(404, f"No EP object with ObjectId {objectId}")
        # NOTE: no evidence (the reference has no comment-creating route); the strictest
        # reading: an object with AllowComments false takes no comments (400), so a test
        # cannot set up a state a real tenant would not reach.
        if not record["AllowComments"]:
            raise ApiError(400, f"EP object {objectId} does not allow comments")
        with emu.store.mutate() as data:
            return ep.add_comment(data, record, body.user, body.body)


# --- Learning Repository ----------------------------------------------------------------------
@router.get("/lr/objects")
async def lr_objects(request: Request):
    """Every LR object by IdentId: ``{"IdentId", "RepositoryId", "Versions": [...]}``, each
    version with its stored properties, ``URL``, ``File`` (path of the bytes), ``Size`` and
    ``Sha256`` (hex SHA-256 of the stored bytes)."""
    emu = _emu(request)
    with emu.store.lock:
        objects = lr.control_objects(emu.store.data)
    for obj in objects:
        for version in obj["Versions"]:
            version["Sha256"] = await run_in_threadpool(lr.sha256_file, version["File"])
    return objects


@router.post("/lr/objects/bulk")
async def lr_bulk(request: Request, body: LrBulkRequest):
    """Create ``count`` small Asset objects (``<title_prefix> 0001``, ...) in a local
    repository at once, owned by user 3: ``{"IdentIds": [...]}``."""
    emu = _emu(request)
    with emu.store.lock:
        try:
            lr.local_repository(emu.store.data, body.repository)
        except lr.LrError as exc:
            raise ApiError(400, f"repository: {exc.message}") from None
        with emu.store.mutate() as data:
            idents = lr.bulk_create(data, emu.store.upload_dir, body.repository, body.count,
                                    body.title_prefix, int(st.DEMO_USER_IDENTIFIER))
    return {"IdentIds": idents}


# --- roles and permissions (permissions.py) ----------------------------------------------------
def _roles_view(data: dict) -> dict:
    out = perms.snapshot(data)
    out["users"] = {uid: dict(user, Role=perms.role_of(data, uid))
                    for uid, user in st.USERS.items()}
    return json.loads(json.dumps(out))


@router.get("/roles")
async def list_roles(request: Request):
    """``{"permissions": {name: {"page", "routes"}}, "roles": {roleId: {"Name", "Permissions"}},
    "users": {userId: {..whoami.., "Role": roleId}}}``."""
    emu = _emu(request)
    with emu.store.lock:
        return _roles_view(emu.store.data)


@router.put("/roles/{roleId}")
async def set_role(request: Request, roleId: int, body: RoleUpdate):
    """Set the given permissions of a role (the others stay), or create a role (every
    permission not given false; ``name`` defaults to ``Role <id>``). Unknown permission names
    are refused (400 naming them); nothing changes then."""
    unknown = [name for name in body.permissions if name not in perms.NAMES]
    if unknown:
        raise ApiError(400, "permissions: unknown permission name(s) " +
                       ", ".join(repr(n) for n in unknown) + " (known: " +
                       ", ".join(repr(n) for n in perms.NAMES) + ")")
    if roleId <= 0:
        raise ApiError(400, "roleId: a role id is a positive number")
    if body.name is not None and not body.name.strip():
        raise ApiError(400, "name: must not be empty")
    emu = _emu(request)
    with emu.store.mutate() as data:
        role = data["roles"].get(str(roleId))
        if role is None:
            role = {"Name": f"Role {roleId}", "Permissions": {n: False for n in perms.NAMES}}
            data["roles"][str(roleId)] = role
        if body.name is not None:
            role["Name"] = body.name
        role["Permissions"].update(body.permissions)
        return json.loads(json.dumps(dict(role, Identifier=roleId)))


@router.put("/users/{userId}")
async def set_user_role(request: Request, userId: str, body: UserRoleUpdate):
    """Give a user a role: ``{"role": roleId}`` (a known role); answers the user with its role."""
    if userId not in st.USERS:
        raise ApiError(404, f"Unknown user '{userId}' (known: {', '.join(st.USERS)})")
    emu = _emu(request)
    with emu.store.mutate() as data:
        if str(body.role) not in data["roles"]:
            raise ApiError(400, f"role: unknown role {body.role} (known: "
                                f"{', '.join(data['roles'])})")
        data["user_roles"][userId] = body.role
        return dict(st.USERS[userId], Role=body.role)


@router.get("/lr/trusts")
async def lr_trusts(request: Request):
    """Every stored trust: ``{repositoryId: {orgUnitId: {roleId: {LR_TRUST_T name: bool}}}}``."""
    emu = _emu(request)
    with emu.store.lock:
        return json.loads(json.dumps(emu.store.data["lr"]["trusts"]))


@router.put("/lr/trusts/{repositoryId}/{orgUnitId}/{roleId}")
async def set_lr_trusts(request: Request, repositoryId: int, orgUnitId: int, roleId: int,
                        body: LrTrustUpdate):
    """Set the given trusts of a role in a repository and org unit (the others stay; a role
    with no trusts of its own in that org unit starts from what it inherits from the
    Organization). Unknown LR_TRUST_T names are refused (400 naming them)."""
    unknown = [name for name in body.trusts if name not in lr.TRUST_NAMES]
    if unknown:
        raise ApiError(400, "trusts: unknown LR_TRUST_T name(s) " +
                       ", ".join(repr(n) for n in unknown) + " (known: " +
                       ", ".join(lr.TRUST_NAMES) + ")")
    emu = _emu(request)
    with emu.store.mutate() as data:
        if str(repositoryId) not in data["lr"]["repositories"]:
            raise ApiError(404, f"Repository {repositoryId} not found")
        if emu.store.orgunit(orgUnitId) is None:
            raise ApiError(404, f"Org unit {orgUnitId} not found")
        if str(roleId) not in data["roles"]:
            raise ApiError(400, f"roleId: unknown role {roleId} (known: "
                                f"{', '.join(data['roles'])})")
        inherited = dict(lr.role_trusts(data, repositoryId, roleId, orgUnitId))
        current = {name: bool(inherited.get(name, False)) for name in lr.TRUST_NAMES}
        current.update(body.trusts)
        per_org = data["lr"]["trusts"].setdefault(str(repositoryId), {})
        per_org.setdefault(str(orgUnitId), {})[str(roleId)] = current
        return dict(current)
