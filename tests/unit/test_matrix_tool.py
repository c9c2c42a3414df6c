# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/matrix.py: which sessions `make matrix` runs, and what fails `make build`'s import."""

from __future__ import annotations

import importlib.util
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SPEC = importlib.util.spec_from_file_location("matrix_tool", os.path.join(REPO, "tools", "matrix.py"))
matrix = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(matrix)

# nox --list as nox 2026.10 prints it for noxfile.py (shortened)
LISTING = """Sessions defined in /work/main/noxfile.py:

* lint -> Meta session for triggering the following sessions: codeqa, yamllint, and antsibull-nox-config
* license-check -> Run license checkers: reuse and license-check (ensure GPLv3+ for plugins)
- matrix-generator -> Generate matrix for CI systems.
- ansible-test-sanity-2.16 -> ansible-test sanity --venv from ansible-core 2.16
- units-2.16 -> pytest tests/unit beside ansible-core 2.16 (Python 3.12)
- smoke-2.16 -> the demo twice and the roles' playbooks against the emulator, ansible-core 2.16 (Python 3.12)
- ansible-test-sanity-2.21 -> ansible-test sanity --venv from ansible-core 2.21
- units-2.21 -> pytest tests/unit beside ansible-core 2.21 (Python 3.13)
- smoke-2.21 -> the demo twice and the roles' playbooks against the emulator, ansible-core 2.21 (Python 3.13)

sessions marked with * are selected, sessions marked with - are skipped.
"""


def test_every_per_version_session_is_found_and_nothing_else():
    assert matrix.versioned_sessions(LISTING) == [
        "ansible-test-sanity-2.16", "units-2.16", "smoke-2.16",
        "ansible-test-sanity-2.21", "units-2.21", "smoke-2.21"]
    assert matrix.versioned_sessions("Sessions defined in noxfile.py:\n\n* lint -> x\n") == []


# galaxy-importer 0.4.44's log of a role task with no name (ansible-lint's findings are WARNINGs)
IMPORT_LOG = """nox > python -m galaxy_importer.main d2l-brightspace-0.1.0.tar.gz
Importing with galaxy-importer 0.4.44
Getting doc strings via ansible-doc
Linting collection via ansible-lint 26.10.1...
WARNING: roles/lr_publish/tasks/main.yml:71: name[missing][/]: All tasks should be named.
...ansible-lint run complete
Importer processing completed successfully
"""


def test_any_importer_warning_or_error_fails_the_import_check():
    assert matrix.importer_findings(IMPORT_LOG) == [
        "WARNING: roles/lr_publish/tasks/main.yml:71: name[missing][/]: All tasks should be named."]
    clean = IMPORT_LOG.replace("WARNING: roles/lr_publish/tasks/main.yml:71: name[missing][/]: All tasks should be named.\n", "")
    assert matrix.importer_findings(clean) == []
    assert matrix.importer_findings("ERROR: before the importer started\n") == ["no galaxy-importer output in the log"]
    assert matrix.importer_findings(clean + "ERROR: Unable to parse meta/runtime.yml\n") == [
        "ERROR: Unable to parse meta/runtime.yml"]


# PyPI's JSON document of ansible-core, shortened: a pre-release, a yanked release and a release
# with no files are none of the newest.
PYPI = {"releases": {
    "2.16.19": [{"yanked": False}], "2.16.20": [{"yanked": False}], "2.16.21rc1": [{"yanked": False}],
    "2.17.14": [{"yanked": False}], "2.17.15": [{"yanked": True}],
    "2.19.14": [{"yanked": False}], "2.19.15": [{"yanked": False}], "2.19.16": [],
    "2.21.6": [{"yanked": False}], "2.22.0b1": [{"yanked": False}], "2.22.0": [{"yanked": False}],
    "2.23.0.dev0": [{"yanked": False}],
}}


def test_matrix_updates_finds_newer_final_patches_and_newer_minors():
    releases = matrix.pypi_releases(PYPI)
    assert releases == ["2.16.19", "2.16.20", "2.17.14", "2.19.14", "2.19.15", "2.21.6", "2.22.0"]
    pins = {"2.16": "2.16.20", "2.17": "2.17.14", "2.19": "2.19.14", "2.21": "2.21.6"}
    assert matrix.updates(pins, releases) == ({"2.19": "2.19.15"}, ["2.22.0"])
    # an older patch on PyPI than the pin (a pin ahead of the mirror) is no update
    assert matrix.updates({"2.16": "2.16.20"}, ["2.16.19"]) == ({}, [])
    # 2.10 is above 2.9: minors compare as numbers
    assert matrix.updates({"2.9": "2.9.27"}, ["2.9.27", "2.10.1"]) == ({}, ["2.10.1"])


def test_the_matrix_pins_are_read_from_noxfile():
    pins = matrix.pinned_matrix()
    assert list(pins)[0] == "2.16" and all(patch.startswith(minor + ".") for minor, patch in pins.items())
