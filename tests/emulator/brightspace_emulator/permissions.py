# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Roles and their permissions: the permissions the reference pages name.

Every LMS user has one role (``store.data["user_roles"]``: user id -> role id); a role is
``{"Name": str, "Permissions": {<permission name>: bool}}`` (``store.data["roles"]``). The
caller's role follows its user, whatever the credential: a bearer token (seeded, refreshed or
minted with ``POST /_emulator/tokens {"user": ...}``), a service client's token (its ``user``),
an ID-key user (``demo-user-id`` is user 3). Roles and role assignments are persisted with the
state file and back to the seeds on reset; ``GET /_emulator/roles``, ``PUT
/_emulator/roles/(roleId)``, ``PUT /_emulator/users/(userId)`` (control.py) read and change them.

Permission names are the pages' own words: each one is what follows "No permission to" in a
"403 Forbidden" line of courses.txt or eportfolio-import-export.txt, so a refusal's text is
``No permission to <name>`` exactly as the page lists it. Two are the emulator's (each with its
reading below): ``create course import job request`` and ``import EP objects for other users``.

The Learning Repository has no role permissions of this kind: its pages name trusts
(LR_TRUST_T) per repository, org unit and role (lr.py ``trust``); the caller's role there is
the same role (``role_of``), and the role ids are the ones the LR trusts are stored under.

Routes the pages name no permission for are open to every role: ``GET courses/(id)``, ``GET
coursetemplates/(id)``, both schema routes, ``outypes/``, ``users/whoami``, every
``orgstructure/`` route (the recycle bin's too: ``GET orgstructure/recyclebin/``, ``POST
orgstructure/recyclebin/(id)/recycle``, ``.../restore``, ``DELETE orgstructure/recyclebin/(id)``,
except that recycling, restoring or permanently deleting a course offering or template needs the
permission its own DELETE route needs: routes/orgstructure.py ``_course_permission``), the ePortfolio artifact routes (their 403s are about another user's
artifact: routes/eportfolio.py) and ``objects/my/``. NOTE: no evidence for the reads
(courses.txt lists no 403 for them): they stay open, the reading under which a client meets the
pages' documented 403s of the writes instead of a refusal of the look-up that comes first (a
guarded read would hide every documented 403 behind an undocumented one). NOTE: no evidence for
the org structure routes (they are on none of the four pages, NOTES.md lists them as supporting
routes): no page names a permission for them and the emulator invents no permission name; a
client's handling of a refusal there is tested with the scope 403 (scopes.py).
"""
from __future__ import annotations

from typing import Dict, Optional

from .errors import PROBLEM, ApiError

# --- permission names (the pages' words after "No permission to") ----------------------------
MANAGE_COURSES = "manage or create courses"
MANAGE_TEMPLATES = "manage or create courses and templates"
CREATE_COPY = "create course copy job request"
COPY_STATUS = "retrieve status of copy job"
CREATE_IMPORT = "create course import job request"
IMPORT_STATUS = "retrieve status of import job"
EXPORT_OWN = "export EP objects for current user"
EXPORT_IDENTIFIED = "export identified EP objects"
EXPORT_STATUS = "see status of export task"
IMPORT_EP = "import EP objects"
IMPORT_EP_OTHERS = "import EP objects for other users"
IMPORT_EP_STATUS = "see status of import task"

# name -> (page, what it guards); the order is the order GET /_emulator/roles lists them in.
PERMISSIONS: Dict[str, tuple] = {
    # courses.txt POST courses/: "403 Forbidden – No permission to manage or create courses."
    # NOTE: no evidence for PUT and DELETE courses/(id) (the page lists no status code for
    # them); the strictest reading a client must handle: managing courses guards them too.
    MANAGE_COURSES: ("courses.txt", "POST courses/, PUT and DELETE courses/(orgUnitId)"),
    # courses.txt POST coursetemplates/: "403 Forbidden – No permission to manage or create
    # courses and templates." NOTE: no evidence for PUT and DELETE coursetemplates/(orgUnitId)
    # (no status code listed); the strictest reading: the same permission guards them.
    MANAGE_TEMPLATES: ("courses.txt",
                       "POST coursetemplates/, PUT and DELETE coursetemplates/(orgUnitId)"),
    # courses.txt POST import/(orgUnitId)/copy/: "403 Forbidden – No permission to create
    # course copy job request."
    CREATE_COPY: ("courses.txt", "POST import/(orgUnitId)/copy/"),
    # courses.txt GET import/(orgUnitId)/copy/(jobToken): "403 Forbidden – No permission to
    # retrieve status of copy job."
    COPY_STATUS: ("courses.txt", "GET import/(orgUnitId)/copy/(jobToken)"),
    # NOTE: no evidence: courses.txt lists no status code at all for POST
    # import/(orgUnitId)/imports/ (its "Status Codes:" line is empty, like PUT courses/(id)), so
    # its silence says nothing; the strictest reading: creating an import job is guarded like
    # creating a copy job (the page's 403 "No permission to create course copy job request"),
    # by a permission of its own named in the same words.
    CREATE_IMPORT: ("courses.txt (emulator: not on the page)", "POST import/(orgUnitId)/imports/"),
    # courses.txt GET import/(orgUnitId)/imports/(jobToken): "403 Forbidden – No permission to
    # retrieve status of import job."
    IMPORT_STATUS: ("courses.txt", "GET import/(orgUnitId)/imports/(jobToken)"),
    # eportfolio-import-export.txt POST export/new/all: "403 Forbidden – No permission to
    # export EP objects for current user."
    EXPORT_OWN: ("eportfolio-import-export.txt", "POST export/new/all"),
    # eportfolio-import-export.txt POST export/new: "403 Forbidden – No permission to export
    # identified EP objects." (also when an identified object is not the caller's: epjobs)
    EXPORT_IDENTIFIED: ("eportfolio-import-export.txt", "POST export/new"),
    # eportfolio-import-export.txt GET export/(id)/status and /package: "403 Forbidden – No
    # permission to see status of export task." (also another user's task: routes/epjobs.py)
    EXPORT_STATUS: ("eportfolio-import-export.txt",
                    "GET export/(exportId)/status, GET export/(exportId)/package"),
    # eportfolio-import-export.txt POST import/new and import/newwithdetails: "403 Forbidden –
    # No permission to import EP objects."
    IMPORT_EP: ("eportfolio-import-export.txt", "POST import/new, POST import/newwithdetails"),
    # NOTE: no evidence: the page lets a request name "users, other than the calling user, that
    # should receive the imported package" and names no permission for it; the strictest
    # reading: importing into another user's ePortfolio needs a right of its own, and a request
    # that names another user without it is refused as a whole with the page's 403 "No
    # permission to import EP objects" (never a silent skip of that user, nor an import into the
    # caller's ePortfolio instead).
    IMPORT_EP_OTHERS: ("eportfolio-import-export.txt (emulator: not on the page)",
                       "targetUsers other than the caller in POST import/new and newwithdetails"),
    # eportfolio-import-export.txt GET import/(id)/status: "403 Forbidden – No permission to see
    # status of import task." (also another user's task: routes/epjobs.py)
    IMPORT_EP_STATUS: ("eportfolio-import-export.txt", "GET import/(importId)/status"),
}
NAMES = tuple(PERMISSIONS)

# --- roles -------------------------------------------------------------------------------------
# The role ids the Learning Repository trusts are stored under (lr.py).
ROLE_ADMIN, ROLE_INSTRUCTOR, ROLE_STUDENT = 101, 109, 110

INSTRUCTOR_PERMISSIONS = (CREATE_COPY, COPY_STATUS, CREATE_IMPORT, IMPORT_STATUS, EXPORT_OWN,
                          EXPORT_IDENTIFIED, EXPORT_STATUS, IMPORT_EP, IMPORT_EP_STATUS)
STUDENT_PERMISSIONS = (EXPORT_OWN, EXPORT_IDENTIFIED, EXPORT_STATUS)


def _grant(*granted: str) -> dict:
    return {name: name in granted for name in NAMES}


def seed_roles() -> dict:
    # NOTE: emulator mechanics (seed data): an Administrator has every permission (every
    # existing credential acts as one, as before roles existed); an Instructor copies and imports
    # into courses but does not create or change courses and templates, and imports ePortfolio
    # objects only into their own ePortfolio; a Student exports their own ePortfolio only.
    return {
        str(ROLE_ADMIN): {"Name": "Administrator", "Permissions": _grant(*NAMES)},
        str(ROLE_INSTRUCTOR): {"Name": "Instructor",
                               "Permissions": _grant(*INSTRUCTOR_PERMISSIONS)},
        str(ROLE_STUDENT): {"Name": "Student", "Permissions": _grant(*STUDENT_PERMISSIONS)},
    }


# user id -> role id. The demo administrator and the three users the tests have always used as
# administrators keep that role; 104 is an Instructor and 105 a Student (store.USERS).
SEED_USER_ROLES = {"3": ROLE_ADMIN, "101": ROLE_ADMIN, "102": ROLE_ADMIN, "103": ROLE_ADMIN,
                   "104": ROLE_INSTRUCTOR, "105": ROLE_STUDENT}


def seed_user_roles() -> dict:
    return dict(SEED_USER_ROLES)


# --- route table -------------------------------------------------------------------------------
LP = "/d2l/api/lp/{version}"
LE = "/d2l/api/le/{version}"
LE_UNSTABLE = "/d2l/api/le/unstable"
EP = "/d2l/api/eP/{version}"

# (METHOD, route as declared) -> the permission the route needs (before its path, query and body
# are validated; after the scope check). Checks that depend on the request (another user's
# object or target user) are made by the routes themselves.
ROUTES = {
    ("POST", f"{LP}/courses/"): MANAGE_COURSES,
    ("PUT", f"{LP}/courses/{{orgUnitId}}"): MANAGE_COURSES,
    ("DELETE", f"{LP}/courses/{{orgUnitId}}"): MANAGE_COURSES,
    ("POST", f"{LP}/coursetemplates/"): MANAGE_TEMPLATES,
    ("PUT", f"{LP}/coursetemplates/{{orgUnitId}}"): MANAGE_TEMPLATES,
    ("DELETE", f"{LP}/coursetemplates/{{orgUnitId}}"): MANAGE_TEMPLATES,
    ("POST", f"{LE}/import/{{orgUnitId}}/copy/"): CREATE_COPY,
    ("GET", f"{LE}/import/{{orgUnitId}}/copy/{{jobToken}}"): COPY_STATUS,
    ("POST", f"{LE}/import/{{orgUnitId}}/imports/"): CREATE_IMPORT,
    ("POST", f"{LE_UNSTABLE}/import/{{orgUnitId}}/imports/"): CREATE_IMPORT,
    ("GET", f"{LE}/import/{{orgUnitId}}/imports/{{jobToken}}"): IMPORT_STATUS,
    ("GET", f"{LE_UNSTABLE}/import/{{orgUnitId}}/imports/{{jobToken}}"): IMPORT_STATUS,
    ("POST", f"{EP}/export/new"): EXPORT_IDENTIFIED,
    ("POST", f"{EP}/export/new/all"): EXPORT_OWN,
    ("GET", f"{EP}/export/{{exportId}}/status"): EXPORT_STATUS,
    ("GET", f"{EP}/export/{{exportId}}/package"): EXPORT_STATUS,
    ("POST", f"{EP}/import/new"): IMPORT_EP,
    ("POST", f"{EP}/import/newwithdetails"): IMPORT_EP,
    ("GET", f"{EP}/import/{{importId}}/status"): IMPORT_EP_STATUS,
}
assert set(ROUTES.values()) <= set(NAMES)


# --- checks ------------------------------------------------------------------------------------
def role_of(data: dict, user: str) -> int:
    """The role id of LMS user ``user`` (0, a role without any permission, for a user without
    one: NOTE: emulator mechanics, every seeded user has a role)."""
    return int(data["user_roles"].get(str(user), 0))


def role(data: dict, role_id: int) -> Optional[dict]:
    return data["roles"].get(str(role_id))


def has(data: dict, user: str, name: str) -> bool:
    found = role(data, role_of(data, user))
    return bool(found and found["Permissions"].get(name, False))


def describe_role(data: dict, user: str) -> str:
    role_id = role_of(data, user)
    found = role(data, role_id)
    return f"{found['Name'] if found else 'no role'} ({role_id})"


def refusal(data: dict, user: str, name: str, sentence: Optional[str] = None,
            why: Optional[str] = None) -> ApiError:
    """The 403 of a caller whose role lacks ``name``: ``No permission to <sentence>.`` (the
    page's words; ``sentence`` defaults to the permission's name), then why."""
    reason = why or (f"the role {describe_role(data, user)} of user {user} does not have the "
                     f"permission '{name}'")
    return ApiError(403, f"No permission to {sentence or name}. ({reason})", PROBLEM,
                    title="Forbidden")


def require(data: dict, user: str, name: str, sentence: Optional[str] = None) -> None:
    if not has(data, user, name):
        raise refusal(data, user, name, sentence)


def route_permission(request, principal) -> None:
    """403 unless the caller's role has the permission ``ROUTES`` gives the matched route."""
    route = request.scope.get("route")
    name = ROUTES.get((request.method, getattr(route, "path", None)))
    if name is None:
        return
    emu = request.app.state.emu
    with emu.store.lock:
        require(emu.store.data, principal.user, name)


def snapshot(data: dict) -> dict:
    """GET /_emulator/roles (without the users; control.py adds them)."""
    return {"permissions": {name: {"page": page, "routes": routes}
                            for name, (page, routes) in PERMISSIONS.items()},
            "roles": data["roles"]}
