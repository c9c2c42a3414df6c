# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``d2l_api_info``: the service's API versions and who the credentials belong to."""

from __future__ import annotations


def describe_api(module):
    client = module.client
    versions = client.versions()
    result = {
        "changed": False,
        "versions": dict((product, supported) for product, supported in versions.items()),
        "api_versions": dict((product, client.version(product)) for product in versions
                             if versions.get(product) or product in client.api_versions),
    }
    if module.params["whoami"]:
        me = client.get_json(client.route("lp", "users/whoami")) or {}
        result["whoami"] = {
            "id": me.get("Identifier"),
            "first_name": me.get("FirstName"),
            "last_name": me.get("LastName"),
            "unique_name": me.get("UniqueName"),
            "profile_id": me.get("ProfileIdentifier"),
        }
    return result
