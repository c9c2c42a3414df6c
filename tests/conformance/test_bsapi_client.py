# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bsapi (brightspace-api, an OAuth 2.0 wrapper): its token refresh against the token endpoint
and the calls it makes for routes of ROUTES.txt (whoami, versions; its generic JSON and paging
layer for course offerings and the org structure).

Library behaviour recorded here (bsapi, not the emulator):
- ``BSAPI._create_url`` builds ``https://`` URLs only: against the emulator (plain HTTP on
  loopback) the tests mount a transport adapter that sends them over http, keeping bsapi's own
  retry policy (429/5xx, Retry-After).
- ``types.WhoAmIUser.from_json`` requires a ``Pronouns`` member; NOTES.md's WhoAmIUser block
  (what the emulator answers) has none, so ``BSAPI.whoami()`` raises KeyError there; the raw
  ``_whoami()`` answer is checked against the documented block.
"""
from __future__ import annotations

import os

import bsapi
import bsapi.oauth
import pytest
import requests
from requests.adapters import HTTPAdapter

from conformance_helpers import WHOAMI_KEYS, unique
from test_sdk_signing import offering_keys
from world import ORGANIZATION, World


class HttpForHttps(HTTPAdapter):
    """Sends bsapi's https:// URLs to the emulator's plain-HTTP port."""

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        if request.url.startswith("https://"):
            request.url = "http://" + request.url[len("https://"):]
        return super().send(request, **kwargs)


def bsapi_session(target) -> requests.Session:
    session = bsapi.BSAPI._build_session()  # pylint: disable=protected-access
    if target.url.startswith("http://"):
        retries = session.get_adapter("https://").max_retries
        session.mount("https://", HttpForHttps(max_retries=retries))
    return session


def client_for(target, token: str) -> bsapi.BSAPI:
    host = target.url.split("://", 1)[1]
    return bsapi.BSAPI(token, host, le_version=target.latest("le"),
                       lp_version=target.latest("lp"), session=bsapi_session(target))


@pytest.fixture(scope="module")
def access_token(target):
    """A bearer token: BRIGHTSPACE_ACCESS_TOKEN, or one refresh of BRIGHTSPACE_REFRESH_TOKEN
    (the rotated refresh token is written to BRIGHTSPACE_REFRESH_TOKEN_FILE); the emulator's
    seeded demo-token."""
    creds = target.creds
    if creds.get("access_token"):
        return creds["access_token"]
    if creds.get("refresh_token") and creds.get("client_id") and creds.get("client_secret"):
        if not creds.get("refresh_token_file"):
            pytest.skip("refresh tokens are single use: set BRIGHTSPACE_REFRESH_TOKEN_FILE for "
                        "the rotated one (or BRIGHTSPACE_ACCESS_TOKEN)")
        tokens = bsapi.oauth.refresh_access_token(creds["client_id"], creds["client_secret"],
                                                  creds["refresh_token"], creds["token_url"])
        with open(creds["refresh_token_file"], "w", encoding="utf-8") as fh:
            fh.write(tokens["refresh_token"] + "\n")
        os.chmod(creds["refresh_token_file"], 0o600)
        return tokens["access_token"]
    pytest.skip("no BRIGHTSPACE_ACCESS_TOKEN (or refresh token, client id and secret)")
    return None


@pytest.fixture(scope="module")
def api(target, access_token):
    return client_for(target, access_token)


# --- token endpoint ---------------------------------------------------------------------------
def test_refresh_rotates_the_refresh_token(emulator):
    creds = emulator.creds
    first = bsapi.oauth.refresh_access_token(creds["client_id"], creds["client_secret"],
                                             creds["refresh_token"], creds["token_url"])
    assert {"access_token", "token_type", "expires_in", "refresh_token", "scope"} <= set(first)
    assert first["token_type"] == "Bearer" and first["refresh_token"] != creds["refresh_token"]
    # single use: the old refresh token is spent
    with pytest.raises(bsapi.APIError) as excinfo:
        bsapi.oauth.refresh_access_token(creds["client_id"], creds["client_secret"],
                                         creds["refresh_token"], creds["token_url"])
    assert excinfo.value.response.status_code == 400
    assert excinfo.value.response.json()["error"] == "invalid_grant"
    # the new one works, once, and its access token calls the API
    second = bsapi.oauth.refresh_access_token(creds["client_id"], creds["client_secret"],
                                              first["refresh_token"], creds["token_url"])
    me = client_for(emulator, second["access_token"])._whoami()  # pylint: disable=protected-access
    assert me["Identifier"] == "3"
    # a wrong secret: 401 invalid_client
    with pytest.raises(bsapi.APIError) as excinfo:
        bsapi.oauth.refresh_access_token(creds["client_id"], "wrong", second["refresh_token"],
                                         creds["token_url"])
    assert excinfo.value.response.status_code == 401
    assert excinfo.value.response.json()["error"] == "invalid_client"


# --- whoami and versions ----------------------------------------------------------------------
@pytest.mark.readonly
def test_whoami(target, api):
    me = api._whoami()  # pylint: disable=protected-access
    assert WHOAMI_KEYS <= set(me)
    if target.emulator:
        assert set(me) == WHOAMI_KEYS  # NOTES.md's block
    if "Pronouns" in me:
        assert api.whoami().identifier == int(me["Identifier"])
    else:
        with pytest.raises(KeyError, match="Pronouns"):
            api.whoami()


@pytest.mark.readonly
def test_versions(target, api):
    products = {p.product_code: p for p in api.get_versions()}
    assert {"lp", "le", "eP", "lr"} <= set(products)
    assert products["lp"].latest_version == target.latest("lp")
    assert target.latest("lp") in products["lp"].supported_versions


@pytest.mark.readonly
def test_paged_org_structure_lookup(target, api):
    types = api._get_json(api._get_lp_route("outypes/"))  # pylint: disable=protected-access
    org_type = next(t["Id"] for t in types if t["Code"] == "Organization")
    items = api._get_paged_set(  # pylint: disable=protected-access
        api._get_lp_route("orgstructure/"), {"orgUnitType": org_type})  # pylint: disable=protected-access
    assert len(items) == 1 and items[0]["Type"]["Id"] == org_type


# --- bsapi's JSON and paging layer on writing routes -----------------------------------------
def test_course_offering_round_trip(emulator, api):
    w = World(emulator)
    code = unique("BCRS")
    r = api._post(api._get_lp_route("courses/"),  # pylint: disable=protected-access
                  json=w.offering_body(code), check_status=True)
    assert set(r.json()) == offering_keys(emulator.latest("lp"))
    oid = r.json()["Identifier"]
    route = api._get_lp_route(f"courses/{oid}")  # pylint: disable=protected-access
    assert api._get_json(route)["Code"] == code  # pylint: disable=protected-access
    r = api._put(route, json={"Name": "Renamed", "Code": code, "StartDate": None,  # pylint: disable=protected-access
                              "EndDate": None, "IsActive": True}, check_status=True)
    assert r.content == b""
    assert api._get_json(route)["Name"] == "Renamed"  # pylint: disable=protected-access
    api._delete(route, check_status=True)  # pylint: disable=protected-access
    assert api._get_json(route, none_on_404=True) is None  # pylint: disable=protected-access


def test_paging_over_more_than_a_page(emulator, api):
    """bsapi follows PagingInfo.Bookmark until HasMoreItems is false (pages of 100)."""
    w = World(emulator)
    types = {t["Code"]: t["Id"] for t in emulator.api("GET", w.lp("outypes/")).json()}
    prefix = unique("PG")
    for n in range(105):
        emulator.api("POST", w.lp("orgstructure/"), json={
            "Type": types["Department"], "Name": f"{prefix} {n}", "Code": f"{prefix}-{n}",
            "Parents": [ORGANIZATION]})
    items = api._get_paged_set(api._get_lp_route("orgstructure/"),  # pylint: disable=protected-access
                               {"orgUnitType": types["Department"], "orgUnitCode": prefix})
    assert len(items) == 105 and len({i["Identifier"] for i in items}) == 105


def test_retry_after_is_honoured(emulator, api):
    """bsapi's session retries a 429 after its Retry-After (the emulator's fault)."""
    emulator.control("POST", "faults", {"method": "GET", "path": "/users/whoami$", "times": 1,
                                        "status": 429})
    assert api._whoami()["Identifier"] == "3"  # pylint: disable=protected-access
    log = emulator.control("GET", "requests")["requests"]
    statuses = [e["status"] for e in log if e["path"].endswith("/users/whoami")]
    assert statuses[-2:] == [429, 200]
