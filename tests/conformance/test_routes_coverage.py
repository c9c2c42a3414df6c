# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The suite calls every route of ROUTES.txt (the collection's route list) with D2L's SDK."""
from __future__ import annotations

import os

import pytest

from test_sdk_signing import CASES

# ROUTES.txt (/work/shared/brightspace-api/ROUTES.txt), "METHOD route" of every line: the 53
# routes of the four reference pages, then the supporting routes the collection needs.
ROUTES = """
DELETE /d2l/api/lp/(version)/courses/(orgUnitId)
DELETE /d2l/api/lp/(version)/coursetemplates/(orgUnitId)
GET /d2l/api/le/(version)/import/(orgUnitId)/copy/(jobToken)
GET /d2l/api/le/(version)/import/(orgUnitId)/imports/(jobToken)
GET /d2l/api/lp/(version)/courses/(orgUnitId)
GET /d2l/api/lp/(version)/courses/schema
GET /d2l/api/lp/(version)/coursetemplates/(orgUnitId)
GET /d2l/api/lp/(version)/coursetemplates/schema
POST /d2l/api/le/(version)/import/(orgUnitId)/copy/
POST /d2l/api/le/(version)/import/(orgUnitId)/imports/
POST /d2l/api/lp/(version)/courses/
POST /d2l/api/lp/(version)/coursetemplates/
PUT /d2l/api/lp/(version)/courses/(orgUnitId)
PUT /d2l/api/lp/(version)/coursetemplates/(orgUnitId)
GET /d2l/api/eP/(version)/export/(exportId)/package
GET /d2l/api/eP/(version)/export/(exportId)/status
GET /d2l/api/eP/(version)/import/(importId)/status
POST /d2l/api/eP/(version)/export/new
POST /d2l/api/eP/(version)/export/new/all
POST /d2l/api/eP/(version)/import/new
POST /d2l/api/eP/(version)/import/newwithdetails
DELETE /d2l/api/eP/(version)/artifact/(objectId)
DELETE /d2l/api/eP/(version)/artifact/file/(objectId)
DELETE /d2l/api/eP/(version)/artifact/link/(objectId)
GET /d2l/api/eP/(version)/artifact/(objectId)
GET /d2l/api/eP/(version)/artifact/file/(objectId)
GET /d2l/api/eP/(version)/artifact/link/(objectId)
POST /d2l/api/eP/(version)/artifact/file/(objectId)
POST /d2l/api/eP/(version)/artifact/link/(objectId)
POST /d2l/api/eP/(version)/artifacts/file/new
POST /d2l/api/eP/(version)/artifacts/file/upload
POST /d2l/api/eP/(version)/artifacts/link/new
GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/download/
GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/downloadfile/
GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/metadata/
GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/properties/
GET /d2l/api/lr/(version)/objects/(objectId)/download/
GET /d2l/api/lr/(version)/objects/(objectId)/downloadfile/
GET /d2l/api/lr/(version)/objects/(objectId)/properties/
GET /d2l/api/lr/(version)/objects/search/
GET /d2l/api/lr/(version)/repositories/(type)/
GET /d2l/api/lr/(version)/repositories/all/
GET /d2l/api/lr/(version)/repository/(repositoryId)/listorgUnittrusts/
POST /d2l/api/lr/(version)/(repositoryId)/upload
POST /d2l/api/lr/(version)/(repositoryId)/upload/publish
POST /d2l/api/lr/(version)/objects/(objectId)/
POST /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/properties/
POST /d2l/api/lr/(version)/objects/(objectId)/delete/
POST /d2l/api/lr/(version)/objects/(objectId)/properties/
PUT /d2l/api/lr/(version)/(repositoryId)/upload/publish/(objectId)
PUT /d2l/api/lr/(version)/objects/
GET /d2l/api/lr/(version)/objects/(objectId)/link/
GET /d2l/api/lr/(version)/objects/(objectId)/(objectVersion)/link/
GET /d2l/api/versions/
GET /d2l/api/lp/(version)/users/whoami
GET /d2l/api/lp/(version)/outypes/
GET /d2l/api/lp/(version)/orgstructure/?exactOrgUnitCode=&orgUnitType=
POST /d2l/api/lp/(version)/orgstructure/
GET /d2l/api/eP/(version)/objects/my/
POST /d2l/upload/(uploadKey)
""".split("\n")
ROUTES = [line for line in ROUTES if line]
# POST <token_url> (the OAuth 2.0 token endpoint) is bsapi's: test_bsapi_client.py.
TOKEN_ENDPOINT = "POST <token_url>"
REFERENCE = os.environ.get("BRIGHTSPACE_API_REFERENCE", "/work/shared/brightspace-api")


@pytest.mark.readonly
def test_every_route_has_a_case():
    covered = [c.route for c in CASES]
    assert len(covered) == len(set(covered)), "a route has two cases"
    assert sorted(covered) == sorted(ROUTES)
    assert len(ROUTES) == 53 + 7  # the token endpoint is the eighth supporting route


@pytest.mark.readonly
def test_the_list_is_routes_txt():
    path = os.path.join(REFERENCE, "ROUTES.txt")
    if not os.path.exists(path):
        pytest.skip(f"{path} is not here (set BRIGHTSPACE_API_REFERENCE)")
    lines = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append(line.split("   (", 1)[0].strip())
    assert sorted(lines) == sorted(ROUTES + [TOKEN_ENDPOINT])
