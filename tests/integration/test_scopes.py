# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OAuth 2.0 scopes each module documents are the scopes it needs, as D2L's table gives them.

Every module's DOCUMENTATION has a note ``OAuth 2.0 scopes: ...`` whose ``V(...)`` values are the
scopes. For a module that documents only ``core:*:*``, a token holding every specific scope of the
table but not ``core:*:*`` must be refused, with a message naming ``core:*:*`` (so the note does
not over-claim); with ``core:*:*`` it works (``test_bad_input.py::test_valid_base``, demo-token).
A module that documents narrower scopes must work with exactly those.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import uuid

import pytest
import yaml

from bad_input_cases import build
from test_bad_input import PACKAGE, World

try:
    from brightspace_emulator.scopes import CORE, TABLE_SCOPES
except ImportError:  # pragma: no cover - the emulator is installed by make venv
    CORE, TABLE_SCOPES = "core:*:*", ()

MODULES = sorted(build("/tmp/x", PACKAGE, "/tmp/x.zip"))
SCOPE_NOTE = re.compile(r"^OAuth 2\.0 scopes: ")


def documented_scopes(name):
    module = importlib.import_module("ansible_collections.d2l.brightspace.plugins.modules.%s" % name)
    notes = [n for n in yaml.safe_load(module.DOCUMENTATION).get("notes", []) if SCOPE_NOTE.match(n)]
    assert len(notes) == 1, "%s: one note 'OAuth 2.0 scopes: ...' expected" % name
    return notes[0], re.findall(r"V\(([^)]+)\)", notes[0])


@pytest.fixture(scope="module")
def world(emulator, tmp_path_factory):
    if not emulator.control:
        pytest.skip("mints tokens with the emulator's control API")
    made = World(emulator, tmp_path_factory.mktemp("scopes"))
    made.setup()
    yield made
    emulator.reset()
    shutil.rmtree(made.tmp, ignore_errors=True)


def run_with_scopes(world, scopes, name, args, check_mode=False):
    """Run module ``name`` with a token minted with exactly ``scopes``, and a token cache directory
    of its own: no fact discovered by an earlier task (the org unit types) spares a request."""
    minted = world.emulator.call("POST", "/_emulator/tokens", {"scope": " ".join(scopes)})["access_token"]
    saved = dict(world.connection)
    cold = os.path.join(world.tmp, "cold", uuid.uuid4().hex, "tokens.json")
    world.connection.update(access_token=minted, token_cache=cold)
    try:
        return world.run(name, args, check_mode=check_mode)
    finally:
        world.connection.clear()
        world.connection.update(saved)


def test_the_table_is_known():
    assert len(TABLE_SCOPES) == 15 and CORE not in TABLE_SCOPES


@pytest.mark.parametrize("name", MODULES)
def test_every_module_documents_its_scopes(name):
    note, scopes = documented_scopes(name)
    assert scopes, note
    assert all(scope == CORE or scope in TABLE_SCOPES for scope in scopes), note


@pytest.mark.parametrize("name", [m for m in MODULES if documented_scopes(m)[1] == ["core:*:*"]])
def test_core_only_modules_need_core(world, name):
    """Every specific scope of the table is not enough: the refusal names core:*:*. (A real run, not
    check mode: some modules send no authenticated request in check mode.)"""
    result = run_with_scopes(world, TABLE_SCOPES, name, world.table[name][0])
    assert "exception" not in result, result
    assert result.get("failed"), "%s worked without core:*:* (its note says it needs it): %r" % (name, result)
    assert "403" in result["msg"] and CORE in result["msg"], result["msg"]


def test_api_info_needs_only_the_whoami_pair(world):
    note, scopes = documented_scopes("d2l_api_info")
    assert scopes == ["users:profile:read", "users:own_profile:read", "core:*:*"], note
    result = run_with_scopes(world, ["users:profile:read", "users:own_profile:read"], "d2l_api_info", {"whoami": True})
    refused = run_with_scopes(world, ["users:profile:read"], "d2l_api_info", {"whoami": True})
    assert not result.get("failed") and result["whoami"]["id"] == "3", result
    assert refused.get("failed") and "users:own_profile:read" in refused["msg"], refused


def test_course_import_by_id_needs_only_its_three_scopes(world):
    note, scopes = documented_scopes("d2l_course_import")
    assert set(scopes) == {"orgunits:course:read", "import:job:create", "import:job:fetch", CORE}, note
    target = world.run("d2l_course", {"code": "BADIN-CRS", "name": "Bad input target", "template": "BADIN-TPL"},
                       check_mode=True)["course"]["id"]
    result = run_with_scopes(world, ["orgunits:course:read", "import:job:create", "import:job:fetch"],
                             "d2l_course_import", {"target": target, "src": PACKAGE, "poll_interval": 0.2})
    assert not result.get("failed") and result["status"] == "COMPLETED", result
