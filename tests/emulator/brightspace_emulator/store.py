# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-memory state, optionally persisted to a JSON state file on every mutation.

Everything that must survive a restart lives in ``Store.data`` (plain JSON types):
org units (the Organization, departments, semesters, course templates and offerings are all
org units), access and refresh tokens, OAuth service clients and the client-assertion ids they
used, uploads metadata, jobs, course content records, ePortfolio and Learning Repository
objects. The request log, fault rules and rate-limit buckets are not persisted.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from typing import Iterator, Optional

from . import eportfolio, lr
from . import permissions as perms
from . import scopes as sc
from .config import Config

# --- Org unit types ---------------------------------------------------------------------------
# NOTE: evidence: NOTES.md: type ids come from GET outypes/, "do not hard-code them". The
# emulator deliberately uses non-consecutive ids for Semester and Department so a client that
# hard-codes ids breaks here.
TYPE_ORGANIZATION = 1
TYPE_COURSE_TEMPLATE = 2
TYPE_COURSE_OFFERING = 3
TYPE_GROUP = 4
TYPE_SECTION = 5
TYPE_SEMESTER = 25
TYPE_DEPARTMENT = 201

OUTYPES = [
    # (Id, Code, Name, Description)
    (TYPE_ORGANIZATION, "Organization", "Organization", "The root of the org structure"),
    (TYPE_COURSE_TEMPLATE, "Course Template", "Course Template", "Course templates"),
    (TYPE_COURSE_OFFERING, "Course Offering", "Course Offering", "Course offerings"),
    (TYPE_GROUP, "Group", "Group", "Groups within course offerings"),
    (TYPE_SECTION, "Section", "Section", "Sections within course offerings"),
    (TYPE_SEMESTER, "Semester", "Semester", "Academic terms"),
    (TYPE_DEPARTMENT, "Department", "Department", "Academic departments"),
]
OUTYPE_BY_ID = {t[0]: t for t in OUTYPES}

ORGANIZATION_ID = 6606
FIRST_NEW_ID = 6607
FIRST_EP_ID = 9001  # ePortfolio object ids (their own counter)
FIRST_EP_JOB_ID = 5001  # ePortfolio export and import task ids

# --- Seeded credentials -----------------------------------------------------------------------
DEMO_TOKEN = "demo-token"
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
DEMO_REFRESH_TOKEN = "demo-refresh"
DEMO_USER_IDENTIFIER = "3"  # the LMS user behind every seeded credential

CLIENTS = {DEMO_CLIENT_ID: {"secret": DEMO_CLIENT_SECRET, "scope": "core:*:*"}}

# The seeded service client (OAuth 2.0 client credentials grant with a private-key JWT client
# assertion, RFC 7523). Its JWKS is the public half of the TEST key pair in
# tests/fixtures/service-user/ (jwks.json; the private key is private-key.pem there): a test
# checks the two are the same. Never register that key with a real tenant.
DEMO_SERVICE_CLIENT_ID = "demo-service"
DEMO_SERVICE_JWKS = {
    "keys": [
        {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": "demo-service-key-1",
            "n": ("jzPcNmTyReCHIOrhK7gzeJLmyASNIusxi_QNN9IlxrMAJLLpyjepPa281-cN6Ewc3fckWJv1"
                  "8mwSzq8077EapVUfI3IwGWNI_wEnLoFBDudOJgVJ7-JVbSbYfC02RP5pSv3Hpml7qgWRtplL"
                  "O1eeUcciqcTGlxf8rnqDHEk9Hj7kAi389jnOMWCGegjBXAce4919sZ-k1RVD3iuXkTTxrVR0"
                  "UIjk-y2aHo_5TDkgtJjhC2XDuUT-btpy7NISJlxLDEDQ_Gp0c4f2o9nmHXhsV0o7cJa7jmNx"
                  "_Y24g0Zf2VwIOsY9JHdgMv16HQGIp71L1qrPQTkedhvKPkG6RBhqoQ"),
            "e": "AQAB",
        }
    ]
}
# core:*:* plus every scope of SCOPES.md's table, so any subset can be requested.
DEMO_SERVICE_SCOPE = " ".join((sc.CORE,) + sc.TABLE_SCOPES)
IDKEY_APPS = {"demo-app-id": "demo-app-key"}
IDKEY_USERS = {"demo-user-id": {"key": "demo-user-key", "user": DEMO_USER_IDENTIFIER}}


def _user(identifier: str, first: str, last: str, unique: str, profile: str) -> dict:
    return {"Identifier": identifier, "FirstName": first, "LastName": last,
            "UniqueName": unique, "ProfileIdentifier": profile}


# The LMS users (whoami; ePortfolio owners; LR object owners). Seeded credentials act as "3";
# the control API mints tokens for the others (POST /_emulator/tokens {"user": "101"}). Each user
# has a role (permissions.py: 3, 101, 102 and 103 Administrators, 104 an Instructor, 105 a
# Student), kept in the store's "user_roles" (PUT /_emulator/users/(userId) changes it).
USERS = {
    DEMO_USER_IDENTIFIER: _user(DEMO_USER_IDENTIFIER, "Demo", "Administrator", "demo-admin",
                                "dEmOaDmInPrOfIlE"),
    "101": _user("101", "Ada", "Lovelace", "ada", "aDaLoVeLaCePrOfIlE"),
    "102": _user("102", "Grace", "Hopper", "grace", "gRaCeHoPpErPrOfIlE"),
    "103": _user("103", "Alan", "Turing", "alan", "aLaNtUrInGpRoFiLe"),
    "104": _user("104", "Marie", "Curie", "marie", "mArIeCuRiEpRoFiLe"),
    "105": _user("105", "Emmy", "Noether", "emmy", "eMmYnOeThErPrOfIlE"),
}


def outype_info(type_id: int) -> dict:
    t = OUTYPE_BY_ID[type_id]
    return {"Id": t[0], "Code": t[1], "Name": t[2]}


def seed_data() -> dict:
    return {
        "next_id": FIRST_NEW_ID,
        "orgunits": {
            str(ORGANIZATION_ID): {
                "Identifier": ORGANIZATION_ID,
                "TypeId": TYPE_ORGANIZATION,
                "Name": "Demo University",
                "Code": "demo",
                "Path": "",
                "Parents": [],
                "Recycled": False,
            }
        },
        "tokens": {
            DEMO_TOKEN: {"scope": "core:*:*", "expires_at": None, "client_id": DEMO_CLIENT_ID,
                         "user": DEMO_USER_IDENTIFIER},
        },
        "refresh_tokens": {
            DEMO_REFRESH_TOKEN: {"client_id": DEMO_CLIENT_ID, "scope": "core:*:*", "used": False,
                                 "user": DEMO_USER_IDENTIFIER},
        },
        # OAuth 2.0 service clients (client credentials grant, private-key JWT assertion):
        # client_id -> {"jwks": {"keys": [public JWK, ...]}, "scope": "registered scopes",
        # "user": "<LMS user id the tokens act as>"}; POST /_emulator/service-clients adds more
        "service_clients": {
            DEMO_SERVICE_CLIENT_ID: {"jwks": json.loads(json.dumps(DEMO_SERVICE_JWKS)),
                                     "scope": DEMO_SERVICE_SCOPE,
                                     "user": DEMO_USER_IDENTIFIER},
        },
        # client_id -> {jti: exp}: client assertion ids already used (refused as replays);
        # pruned once their exp has passed
        "assertion_jtis": {},
        "uploads": {},
        "jobs": {},
        # str(orgUnitId) -> {"components": {...}, "copies": [...], "imports": [...]}: what
        # copy and import jobs delivered to a course offering (see coursejobs.py)
        "course_content": {},
        # ePortfolio (eportfolio.py, epjobs.py): str(ObjectId) -> stored object, per-user by
        # its UserId; object ids from next_ep_id, comment ids from next_ep_comment_id, export
        # and import task ids from next_ep_job_id
        "ep_objects": {},
        "next_ep_id": FIRST_EP_ID,
        "next_ep_comment_id": 1,
        "next_ep_job_id": FIRST_EP_JOB_ID,
        # Learning Repository (lr.py): repositories, trusts, objects and their versions
        "lr": lr.seed(),
        # roles (permissions.py): role id -> {"Name", "Permissions": {name: bool}}; and the
        # role of each user: user id -> role id
        "roles": perms.seed_roles(),
        "user_roles": perms.seed_user_roles(),
    }


class Store:
    def __init__(self, config: Config):
        self.config = config
        self.lock = threading.RLock()
        self.data: dict = {}
        if config.upload_dir:
            self.upload_dir = config.upload_dir
        elif config.state_file:
            self.upload_dir = config.state_file + ".uploads"
        else:
            self.upload_dir = tempfile.mkdtemp(prefix="brightspace-emulator-uploads-")
        os.makedirs(self.upload_dir, exist_ok=True)
        if config.state_file and os.path.exists(config.state_file):
            self.load()
        else:
            self.data = seed_data()
        lr.ensure_seed_files(self.data, self.upload_dir)
        self.save()

    # --- persistence --------------------------------------------------------------------------
    def load(self) -> None:
        with open(self.config.state_file, encoding="utf-8") as fh:
            loaded = json.load(fh)
        data = seed_data()
        data.update(loaded)
        self.data = data

    def save(self) -> None:
        path = self.config.state_file
        if not path:
            return
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)

    @contextlib.contextmanager
    def mutate(self) -> Iterator[dict]:
        """``with store.mutate() as data:`` change ``data``; it is saved on exit."""
        with self.lock:
            yield self.data
            self.save()

    def reset(self) -> None:
        with self.lock:
            shutil.rmtree(self.upload_dir, ignore_errors=True)
            os.makedirs(self.upload_dir, exist_ok=True)
            self.data = seed_data()
            lr.ensure_seed_files(self.data, self.upload_dir)
            self.save()

    # --- ids ----------------------------------------------------------------------------------
    def new_id(self) -> int:
        with self.lock:
            value = self.data["next_id"]
            self.data["next_id"] = value + 1
            return value

    # --- org units ----------------------------------------------------------------------------
    def orgunit(self, ou_id: int, type_id: Optional[int] = None,
                include_recycled: bool = False) -> Optional[dict]:
        ou = self.data["orgunits"].get(str(ou_id))
        if ou is None or (ou["Recycled"] and not include_recycled):
            return None
        if type_id is not None and ou["TypeId"] != type_id:
            return None
        return ou

    def orgunits(self, include_recycled: bool = False) -> list:
        units = [ou for ou in self.data["orgunits"].values()
                 if include_recycled or not ou["Recycled"]]
        return sorted(units, key=lambda ou: ou["Identifier"])

    def find_code(self, type_id: int, code: str, exclude: Optional[int] = None,
                  include_recycled: Optional[bool] = None) -> Optional[dict]:
        """The org unit of ``type_id`` (other than ``exclude``) holding ``code``, or None.
        ``include_recycled`` None: as the ``recycled_codes`` switch says (config.py)."""
        # NOTE: no evidence; the strictest reading: codes are unique per org unit type,
        # compared case-insensitively. Whether units in the recycle bin keep their code until
        # permanently deleted is the recycled_codes switch (config.py says why): "reserved"
        # (the default) they do, "free" they do not.
        if include_recycled is None:
            include_recycled = self.config.recycled_codes != "free"
        for ou in self.data["orgunits"].values():
            if ou["TypeId"] == type_id and ou["Code"].lower() == code.lower() \
                    and ou["Identifier"] != exclude and (include_recycled or not ou["Recycled"]):
                return ou
        return None

    def children(self, ou_id: int, include_recycled: bool = True) -> list:
        return [ou for ou in self.orgunits(include_recycled) if ou_id in ou["Parents"]]

    # --- snapshot for /_emulator/state --------------------------------------------------------
    def snapshot(self) -> dict:
        with self.lock:
            data = json.loads(json.dumps(self.data))
        units = sorted(data["orgunits"].values(), key=lambda ou: ou["Identifier"])
        return {
            "org_units": units,
            "course_offerings": [ou for ou in units if ou["TypeId"] == TYPE_COURSE_OFFERING],
            "course_templates": [ou for ou in units if ou["TypeId"] == TYPE_COURSE_TEMPLATE],
            "outypes": [{"Id": t[0], "Code": t[1], "Name": t[2]} for t in OUTYPES],
            "uploads": list(data["uploads"].values()),
            "jobs": list(data["jobs"].values()),
            "course_content": data["course_content"],
            "tokens": [{"client_id": t["client_id"], "scope": t["scope"],
                        "expires_at": t["expires_at"]} for t in data["tokens"].values()],
            "next_id": data["next_id"],
            "service_clients": data["service_clients"],
            "eportfolio": eportfolio.snapshot(data),
            "lr": lr.snapshot(data),
            "roles": data["roles"],
            "user_roles": data["user_roles"],
            "server_time": time.time() + self.config.clock_offset,
        }
