# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module does with its connection options, end to end through ``main()``: a missing
library for service users, the clear-text warning, learnt secrets masked in what is returned."""

from __future__ import annotations

import json
import os

from ansible_collections.d2l.brightspace.plugins.module_utils import auth
from ansible_collections.d2l.brightspace.plugins.modules import d2l_api_info

from d2l_unit_helpers import VERSIONS_BODY, run_module

KEY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures", "service-user",
                        "private-key.pem")
WHOAMI = {"Identifier": "3", "FirstName": "Demo", "LastName": "Administrator", "UniqueName": "demo-admin",
          "ProfileIdentifier": "p"}


def service_args(tmp_path, **extra):
    values = dict(brightspace_url="https://school.example.com", client_id="demo-service", private_key=KEY_FILE,
                  key_id="demo-service-key-1", scope="core:*:*", token_url="https://auth.example.com/core/connect/token",
                  token_cache=str(tmp_path / "cache" / "tokens.json"))
    values.update(extra)
    return values


def test_without_pyjwt_a_service_user_is_a_clean_missing_library_failure(http, tmp_path, monkeypatch):
    monkeypatch.setattr(auth, "HAS_PYJWT", False)
    monkeypatch.setattr(auth, "PYJWT_IMPORT_ERROR", ImportError("No module named 'jwt'"))
    result = run_module(d2l_api_info.main, service_args(tmp_path))
    assert result["failed"] is True
    assert "Failed to import the required Python library (PyJWT)" in result["msg"]
    assert "service-user grant" in result["msg"]
    assert not http.calls


def test_clear_text_http_to_another_host_is_warned_of(http, tmp_path):
    http.expect("GET", "http://school.example.com/d2l/api/versions/", answer=VERSIONS_BODY)
    result = run_module(d2l_api_info.main, dict(brightspace_url="http://school.example.com", access_token="demo-token",
                                                whoami=False, token_cache=str(tmp_path / "c" / "tokens.json")))
    assert not result.get("failed"), result
    assert "credentials and data travel in clear text" in str(result["warnings"])  # 2.19: warning summaries


def test_the_service_users_access_token_is_masked_in_the_result(http, tmp_path):
    http.expect("POST", "https://auth.example.com/core/connect/token", auth=None,
                answer={"access_token": "sat-0123456789", "token_type": "Bearer", "expires_in": 3600,
                        "scope": "core:*:*"})
    http.expect("GET", "/d2l/api/versions/", auth="Bearer sat-0123456789", answer=VERSIONS_BODY)
    # a service that puts the token in an answer the module returns (whoami's name here)
    http.expect("GET", "/d2l/api/lp/1.47/users/whoami", auth="Bearer sat-0123456789",
                answer=dict(WHOAMI, FirstName="sat-0123456789"))
    result = run_module(d2l_api_info.main, service_args(tmp_path))
    assert not result.get("failed"), result
    assert "sat-0123456789" not in json.dumps(result)
    assert result["whoami"]["first_name"] in ("********", "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")
    with open(KEY_FILE, encoding="ascii") as key_file:
        pem = key_file.read()
    assert pem.strip().splitlines()[1] not in json.dumps(result)
    # ansible-core 2.21 adds `invocation` only when asked (its INJECT_INVOCATION setting); where
    # it is there, the key option is masked
    invocation = result.get("invocation")
    if invocation is not None:
        assert invocation["module_args"]["private_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
