"""The control API (/_emulator/...): never authenticated, logged or rate limited."""
from __future__ import annotations

import json
import re

from fastapi import APIRouter, Request

from . import auth
from . import store as st
from .errors import ApiError
from .models import ConfigUpdate, FaultRule, MintTokenRequest

router = APIRouter(prefix="/_emulator", tags=["control"])


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
            or rule.drop_after_bytes is not None):
        raise ApiError(400, "A fault needs at least one of status, drop, drop_after_bytes, "
                            "delay, job_outcome")
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
    if values.get("token_lifetime") is not None and values["token_lifetime"] <= 0:
        raise ApiError(400, "token_lifetime must be positive")
    if values.get("job_duration") is not None and values["job_duration"] < 0:
        raise ApiError(400, "job_duration must not be negative")
    for key, value in values.items():
        setattr(emu.config, key, value)
    if "rate_limit" in values:
        emu.ratelimiter.reset()
    return emu.config.public()


@router.post("/tokens")
async def mint(request: Request, body: MintTokenRequest):
    if body.user not in st.USERS:
        raise ApiError(400, f"user: unknown user '{body.user}' (known: {', '.join(st.USERS)})")
    token = auth.mint_token(_emu(request), body.scope, body.lifetime, body.client_id, body.user)
    return {"access_token": token}


@router.get("/state")
async def state(request: Request):
    emu = _emu(request)
    emu.jobs.settle_due()
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
