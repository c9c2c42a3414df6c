# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_api_info: the exact GETs of version discovery and whoami, the discovery cache, the
api_versions override, failures."""

from __future__ import annotations

import os

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_api_info

from d2l_unit_helpers import BASE, VERSIONS_BODY, run_module

WHOAMI = {"Identifier": "3", "FirstName": "Demo", "LastName": "Administrator", "UniqueName": "demo-admin",
          "ProfileIdentifier": "p-3"}
ME = {"id": "3", "first_name": "Demo", "last_name": "Administrator", "unique_name": "demo-admin", "profile_id": "p-3"}
# SupportedVersions oldest first, with LatestVersion added when the service leaves it out
VERSIONS = {"lp": ["1.9", "1.10", "1.40", "1.46", "1.47"], "le": ["1.70", "1.74"], "eP": ["2.4", "2.5"],
            "lr": ["1.1", "1.2", "1.3"]}
LATEST = {"lp": "1.47", "le": "1.74", "eP": "2.5", "lr": "1.3"}


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"),
                      retry_budget=0.01)
        values.update(given)
        return values
    return make


@pytest.mark.parametrize("check_mode", [False, True])
def test_versions_then_whoami(http, args, check_mode):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", answer=WHOAMI)
    result = run_module(d2l_api_info.main, args(), check_mode=check_mode)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["versions"] == VERSIONS and result["api_versions"] == LATEST
    assert result["whoami"] == ME


def test_without_whoami_only_the_versions(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    result = run_module(d2l_api_info.main, args(whoami=False))
    assert result["versions"] == VERSIONS and "whoami" not in result


def test_the_next_task_takes_the_versions_from_the_discovery_cache(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", answer=WHOAMI)
    assert run_module(d2l_api_info.main, args())["whoami"] == ME
    sent = len(http.sent())
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", answer=WHOAMI)
    again = run_module(d2l_api_info.main, args())
    assert again["versions"] == VERSIONS and again["whoami"] == ME
    assert http.sent()[sent:] == [("GET", "/d2l/api/lp/1.47/users/whoami")]


def test_an_api_versions_override_is_used_and_reported(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", "/d2l/api/lp/1.46/users/whoami", answer=WHOAMI)
    result = run_module(d2l_api_info.main, args(api_versions={"lp": "1.46"}))
    assert result["api_versions"] == dict(LATEST, lp="1.46") and result["versions"] == VERSIONS


def test_a_product_the_service_does_not_list_is_left_out(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=[{"ProductCode": "lp", "LatestVersion": "1.47",
                                                      "SupportedVersions": []},
                                                     {"ProductCode": "lr", "LatestVersion": None,
                                                      "SupportedVersions": []}])
    result = run_module(d2l_api_info.main, args(whoami=False))
    assert result["versions"] == {"lp": ["1.47"], "lr": []} and result["api_versions"] == {"lp": "1.47"}


# -- failures ---------------------------------------------------------------------------------

def test_refused_credentials_name_method_route_status_and_message(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", status=401, text="Invalid token")
    result = run_module(d2l_api_info.main, args())
    assert result["failed"] is True
    assert result["msg"] == "GET /d2l/api/lp/1.47/users/whoami failed: 401 Unauthorized: Invalid token"


def test_a_versions_page_that_is_not_json_fails(http, args):
    http.expect("GET", "/d2l/api/versions/", text="<html><title>Login</title></html>", content_type="text/html")
    result = run_module(d2l_api_info.main, args())
    assert result["failed"] is True
    assert result["msg"] == "GET /d2l/api/versions/ answered 200 with a body that is not JSON"


def test_a_service_without_the_lp_product_fails_for_whoami(http, args):
    http.expect("GET", "/d2l/api/versions/", answer=[item for item in VERSIONS_BODY if item["ProductCode"] != "lp"])
    result = run_module(d2l_api_info.main, args())
    assert result["failed"] is True
    assert result["msg"] == "the service at https://school.example.com lists no supported versions for API product 'lp'"


@pytest.mark.parametrize("given, message", [
    (dict(brightspace_url="https://school.example.com/d2l/home"),
     "brightspace_url must be the site's root, such as https://school.brightspace.com, without a path, query or "
     "fragment; got 'https://school.example.com/d2l/home'"),
    (dict(brightspace_url="school.example.com"), "brightspace_url must start with http:// or https://, got "
                                                 "'school.example.com'"),
    (dict(api_versions={"lp": "latest"}), "api_versions.lp must look like '1.47', got 'latest'"),
    (dict(access_token=None), "no credentials: set access_token; refresh_token with client_id and client_secret; "
                              "client_id, private_key, key_id and scope (a service user); or app_id, app_key, "
                              "user_id and user_key (or their BRIGHTSPACE_* variables)"),
    (dict(token_url="auth.example.com/token"), "token_url must be an http:// or https:// URL, got "
                                               "'auth.example.com/token'"),
])
def test_bad_input_fails_before_any_request(http, args, given, message, monkeypatch):
    for name in [name for name in os.environ if name.startswith("BRIGHTSPACE_")]:  # no credentials from outside
        monkeypatch.delenv(name)
    result = run_module(d2l_api_info.main, args(**given))
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls
