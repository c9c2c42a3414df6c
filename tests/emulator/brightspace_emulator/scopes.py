# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OAuth 2.0 scopes of the /d2l/ routes: one table, as /work/shared/brightspace-api/SCOPES.md
publishes it (D2L's "Authentication Scopes Table").

Rules (SCOPES.md "Rules the table states"):

- A request is allowed when the token carries ``core:*:*`` or the route's specific scope
  (every scope of a ``+`` pair). Scopes are compared as exact strings: ``*`` inside a granted
  scope means nothing, except in the literal ``core:*:*``.
- A route without a row in SCOPES.md's table has no specific scope: only ``core:*:*`` reaches it
  (``CORE_ONLY`` below).
- ID-key callers carry no scopes and pass every check (auth.check_scope).

Paths are written as the emulator's routes are declared (FastAPI templates), so a route's row is
found from the route that matched the request (``request.scope["route"].path``).
"""
from __future__ import annotations

import re
from typing import Iterator, Tuple

CORE = "core:*:*"

# A scope is `<group>:<resource>:<action>` (SCOPES.md; NOTES.md "Authentication").
SCOPE_RE = re.compile(r"^[^\s:]+:[^\s:]+:[^\s:]+$")

# Every scope of SCOPES.md's table, in its order.
TABLE_SCOPES = (
    "orgunits:course:create", "orgunits:course:read", "orgunits:course:update",
    "orgunits:course:delete", "orgunits:coursetemplate:create",
    "organizations:organization:read", "organizations:organization:create",
    "organizations:organization:update", "organizations:organization:delete",
    "import:job:create", "import:job:fetch", "lor:object:create", "lor:object:write",
    "users:profile:read", "users:own_profile:read",
)

LP = "/d2l/api/lp/{version}"
LE_UNSTABLE = "/d2l/api/le/unstable"
LE = "/d2l/api/le/{version}"
EP = "/d2l/api/eP/{version}"
LR = "/d2l/api/lr/{version}"

# The resumable-upload data route (NOTES.md "Resumable uploads").
UPLOAD_DATA = ("POST", "/d2l/upload/{uploadKey}")

# (METHOD, route) -> the specific scope(s) it accepts besides core:*:* (all of them needed).
# Each row cites the row of SCOPES.md's table it comes from.
SPECIFIC = {
    # SCOPES.md: orgunits:course:create | POST /d2l/api/lp/(v)/courses/
    ("POST", f"{LP}/courses/"): ("orgunits:course:create",),
    # SCOPES.md: orgunits:course:read | GET /d2l/api/lp/(v)/courses/(orgUnitId)
    ("GET", f"{LP}/courses/{{orgUnitId}}"): ("orgunits:course:read",),
    # SCOPES.md: orgunits:course:update | PUT /d2l/api/lp/(v)/courses/(orgUnitId)
    ("PUT", f"{LP}/courses/{{orgUnitId}}"): ("orgunits:course:update",),
    # SCOPES.md: orgunits:course:delete | DELETE /d2l/api/lp/(v)/courses/(orgUnitId)
    ("DELETE", f"{LP}/courses/{{orgUnitId}}"): ("orgunits:course:delete",),
    # SCOPES.md: orgunits:coursetemplate:create | POST /d2l/api/lp/(v)/coursetemplates/
    ("POST", f"{LP}/coursetemplates/"): ("orgunits:coursetemplate:create",),
    # SCOPES.md: organizations:organization:read | GET orgstructure/, GET orgstructure/(id),
    # GET orgstructure/(id)/parents/, .../children/, GET orgstructure/recyclebin/ (ancestors/,
    # descendants/: not served by the emulator)
    ("GET", f"{LP}/orgstructure/"): ("organizations:organization:read",),
    ("GET", f"{LP}/orgstructure/{{orgUnitId}}"): ("organizations:organization:read",),
    ("GET", f"{LP}/orgstructure/{{orgUnitId}}/parents/"): ("organizations:organization:read",),
    ("GET", f"{LP}/orgstructure/{{orgUnitId}}/children/"): ("organizations:organization:read",),
    ("GET", f"{LP}/orgstructure/recyclebin/"): ("organizations:organization:read",),
    # SCOPES.md: organizations:organization:create | POST orgstructure/,
    # POST orgstructure/(id)/parents/, POST orgstructure/recyclebin/(id)/recycle,
    # POST orgstructure/recyclebin/(id)/restore (POST orgstructure/(id)/children/: not served
    # by the emulator)
    ("POST", f"{LP}/orgstructure/"): ("organizations:organization:create",),
    ("POST", f"{LP}/orgstructure/{{orgUnitId}}/parents/"): ("organizations:organization:create",),
    ("POST", f"{LP}/orgstructure/recyclebin/{{orgUnitId}}/recycle"): ("organizations:organization:create",),
    ("POST", f"{LP}/orgstructure/recyclebin/{{orgUnitId}}/restore"): ("organizations:organization:create",),
    # SCOPES.md: organizations:organization:update | PUT /d2l/api/lp/(v)/orgstructure/(id)
    ("PUT", f"{LP}/orgstructure/{{orgUnitId}}"): ("organizations:organization:update",),
    # SCOPES.md: organizations:organization:delete | DELETE orgstructure/(id)/parents/(parentId),
    # DELETE orgstructure/recyclebin/(id) (DELETE orgstructure/(id)/children/(childId): not served)
    ("DELETE", f"{LP}/orgstructure/{{orgUnitId}}/parents/{{parentOrgUnitId}}"):
        ("organizations:organization:delete",),
    ("DELETE", f"{LP}/orgstructure/recyclebin/{{orgUnitId}}"):
        ("organizations:organization:delete",),
    # SCOPES.md: import:job:create | POST /d2l/api/le/(version)/import/(orgUnitId)/imports/
    # (served with a version, as SCOPES.md writes it, and under `unstable`, the courses page's
    # contract; SCOPES.md: "A real tenant may serve either"; the same scope for both)
    ("POST", f"{LE}/import/{{orgUnitId}}/imports/"): ("import:job:create",),
    ("POST", f"{LE_UNSTABLE}/import/{{orgUnitId}}/imports/"): ("import:job:create",),
    # SCOPES.md: import:job:fetch | GET /d2l/api/le/(version)/import/(orgUnitId)/imports/(jobToken)
    ("GET", f"{LE}/import/{{orgUnitId}}/imports/{{jobToken}}"): ("import:job:fetch",),
    ("GET", f"{LE_UNSTABLE}/import/{{orgUnitId}}/imports/{{jobToken}}"): ("import:job:fetch",),
    # SCOPES.md: lor:object:create | POST /d2l/api/lr/(v)/(repositoryId)/upload
    # (also learning-repository.txt, ~line 764)
    ("POST", f"{LR}/{{repositoryId}}/upload"): ("lor:object:create",),
    # SCOPES.md: lor:object:write | POST (repositoryId)/upload/publish,
    # PUT (repositoryId)/upload/publish/(objectId) (also learning-repository.txt, ~795, ~860)
    ("POST", f"{LR}/{{repositoryId}}/upload/publish"): ("lor:object:write",),
    ("PUT", f"{LR}/{{repositoryId}}/upload/publish/{{objectId}}"): ("lor:object:write",),
    # SCOPES.md: users:profile:read + users:own_profile:read | GET /d2l/api/lp/(v)/users/whoami
    ("GET", f"{LP}/users/whoami"): ("users:profile:read", "users:own_profile:read"),
}

# Routes SCOPES.md's table does not list: only core:*:* reaches them (SCOPES.md: "Routes not
# listed below have **no** specific scope: only `core:*:*` reaches them").
CORE_ONLY = {
    # SCOPES.md "Not in the table": GET outypes/
    ("GET", f"{LP}/outypes/"),
    # SCOPES.md "Not in the table": both schema routes, GET/PUT/DELETE coursetemplates/(id)
    ("GET", f"{LP}/courses/schema"),
    ("GET", f"{LP}/coursetemplates/schema"),
    ("GET", f"{LP}/coursetemplates/{{orgUnitId}}"),
    ("PUT", f"{LP}/coursetemplates/{{orgUnitId}}"),
    ("DELETE", f"{LP}/coursetemplates/{{orgUnitId}}"),
    # SCOPES.md "Not in the table": the course copy routes (import/(id)/copy/...)
    ("POST", f"{LE}/import/{{orgUnitId}}/copy/"),
    ("GET", f"{LE}/import/{{orgUnitId}}/copy/{{jobToken}}"),
    # SCOPES.md "Not in the table": every ePortfolio route (artifacts/file/new both as the
    # resumable initiation and as the FileArtifact attach)
    ("GET", f"{EP}/objects/my/"),
    ("GET", f"{EP}/artifact/{{objectId}}"),
    ("GET", f"{EP}/artifact/file/{{objectId}}"),
    ("GET", f"{EP}/artifact/link/{{objectId}}"),
    ("DELETE", f"{EP}/artifact/{{objectId}}"),
    ("DELETE", f"{EP}/artifact/file/{{objectId}}"),
    ("DELETE", f"{EP}/artifact/link/{{objectId}}"),
    ("POST", f"{EP}/artifacts/link/new"),
    ("POST", f"{EP}/artifact/link/{{objectId}}"),
    ("POST", f"{EP}/artifact/file/{{objectId}}"),
    ("POST", f"{EP}/artifacts/file/upload"),
    ("POST", f"{EP}/artifacts/file/new"),
    ("POST", f"{EP}/export/new"),
    ("POST", f"{EP}/export/new/all"),
    ("GET", f"{EP}/export/{{exportId}}/status"),
    ("GET", f"{EP}/export/{{exportId}}/package"),
    ("POST", f"{EP}/import/new"),
    ("POST", f"{EP}/import/newwithdetails"),
    ("GET", f"{EP}/import/{{importId}}/status"),
    # SCOPES.md "Not in the table": every other Learning Repository route (search,
    # properties, download, metadata, link, repositories, trusts, PUT objects/,
    # POST objects/(id)/, delete)
    ("GET", f"{LR}/objects/search/"),
    ("GET", f"{LR}/objects/{{objectId}}/properties/"),
    ("GET", f"{LR}/objects/{{objectId}}/{{objectVersion}}/properties/"),
    ("POST", f"{LR}/objects/{{objectId}}/properties/"),
    ("POST", f"{LR}/objects/{{objectId}}/{{objectVersion}}/properties/"),
    ("GET", f"{LR}/objects/{{objectId}}/{{objectVersion}}/metadata/"),
    ("GET", f"{LR}/objects/{{objectId}}/link/"),
    ("GET", f"{LR}/objects/{{objectId}}/{{objectVersion}}/link/"),
    ("GET", f"{LR}/objects/{{objectId}}/download/"),
    ("GET", f"{LR}/objects/{{objectId}}/{{objectVersion}}/download/"),
    ("GET", f"{LR}/objects/{{objectId}}/downloadfile/"),
    ("GET", f"{LR}/objects/{{objectId}}/{{objectVersion}}/downloadfile/"),
    ("PUT", f"{LR}/objects/"),
    ("POST", f"{LR}/objects/{{objectId}}/"),
    ("POST", f"{LR}/objects/{{objectId}}/delete/"),
    ("GET", f"{LR}/repositories/all/"),
    ("GET", f"{LR}/repositories/{{type}}/"),
    ("GET", f"{LR}/repository/{{repositoryId}}/listorgUnittrusts/"),
    # The resumable-upload data route is not in the table either. An upload that exists demands
    # the scope of the route that initiated it instead (uploads.py "Scope"; see required()).
    # NOTE: evidence: the LR page names lor:object:create for the initiation
    # (POST (repositoryId)/upload), which would be useless if the data route needed more; an
    # unknown key: core:*:*, then 404.
    UPLOAD_DATA,
}

# /d2l/ routes that take no credentials at all (middleware.UNAUTHENTICATED_PATHS).
PUBLIC = {("GET", "/d2l/api/versions/")}

assert not set(SPECIFIC) & CORE_ONLY, "a route is both specific and core-only"
assert {s for row in SPECIFIC.values() for s in row} <= set(TABLE_SCOPES)


def needed(method: str, route_path: str) -> Tuple[str, ...]:
    """The scope(s) a route demands: its specific ones, else ``(core:*:*,)``. A route that is
    in neither table is core-only too (fail closed; a test keeps every route declared)."""
    return SPECIFIC.get((method.upper(), route_path), (CORE,))


def allowed(granted, required: Tuple[str, ...]) -> bool:
    """Exact string match: ``core:*:*``, or every required scope literally granted."""
    granted = set(granted)
    return CORE in granted or all(s in granted for s in required)


def describe(required: Tuple[str, ...]) -> str:
    """What the 403 names: ``the scope 'x' (or core:*:*)``, ``the scopes 'x' and 'y' (or
    core:*:*)``, ``the scope 'core:*:*'``."""
    required = tuple(required)
    if required == (CORE,):
        return f"the scope '{CORE}'"
    if len(required) == 1:
        return f"the scope '{required[0]}' (or {CORE})"
    names = " and ".join(f"'{s}'" for s in required)
    return f"the scopes {names} (or {CORE})"


def api_routes(app) -> Iterator[Tuple[str, str, object]]:
    """(METHOD, path template, route) of every FastAPI route of ``app``, also inside included
    routers (FastAPI versions that include routers lazily keep them out of ``app.routes``)."""
    from fastapi.routing import APIRoute
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat
        iter_route_contexts = None
    if iter_route_contexts is not None:
        contexts = [(c.path, c.methods, c.original_route) for c in iter_route_contexts(app.routes)]
    else:
        contexts = [(r.path, r.methods, r) for r in app.routes]
    for path, methods, route in contexts:
        if not isinstance(route, APIRoute) or not path:
            continue
        for method in sorted(methods or ()):
            yield method, path, route
