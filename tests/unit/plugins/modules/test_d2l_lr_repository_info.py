# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_lr_repository_info: the exact requests; trusts flattened."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.modules import d2l_lr_repository_info

from d2l_lr_helpers import LR, OK
from d2l_lr_helpers import args  # noqa: F401  pylint: disable=unused-import
from d2l_unit_helpers import run_module


def test_repository_trusts_flattened(http, args):
    trust = {"CanViewItems": True, "CanPublish": False}
    http.expect("GET", LR + "/repositories/Local/", query={"trustParams": "Publish"},
                answer=dict(OK, Repositories=[{"RepositoryId": 1, "Name": "L", "Description": "", "Type": "Local",
                                               "OrgId": 6606, "ObjectCount": 0}]))
    http.expect("GET", LR + "/repository/1/listorgUnittrusts/", query={"orgUnits": "6606", "roles": "110,109"},
                answer=dict(OK, RepositoryTrusts={"6606": {"110": trust, "109": trust}}))
    result = run_module(d2l_lr_repository_info.main, args(type="Local", trusts=["Publish"], repository=1,
                                                          org_units=[6606], roles=[110, 109]))
    assert result["repositories"][0]["id"] == 1
    assert result["trusts"] == [{"org_unit_id": 6606, "role_id": 109, "trusts": trust},
                                {"org_unit_id": 6606, "role_id": 110, "trusts": trust}]
    bad = run_module(d2l_lr_repository_info.main, args(trusts=["Publsh"]))
    assert bad["failed"] is True and bad["msg"].startswith("trusts: unknown trust name(s) Publsh; valid: ViewItems")


@pytest.mark.parametrize("given", [{"org_units": [6606]}, {"roles": [104]}, {"org_units": [6606], "roles": [104]}])
def test_trust_filters_without_a_repository_are_refused_before_any_request(http, args, given):
    result = run_module(d2l_lr_repository_info.main, args(**given))
    assert result["failed"] is True
    assert "missing parameter(s) required by '%s': repository" % sorted(given)[0] in result["msg"]
    assert not http.calls
