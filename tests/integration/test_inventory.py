# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The courses inventory plugin through ansible-inventory against the emulator: offerings made by
the collection's own modules come back as hosts with their vars and groups."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from conftest import BIN

SETUP = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
    - d2l.brightspace.d2l_course_template:
        code: INV-CHEM
        name: Inventory chemistry
    - d2l.brightspace.d2l_org_unit:
        code: INV-2026F
        type: Semester
        name: Inventory fall 2026
    - d2l.brightspace.d2l_course:
        code: "{{ item.code }}"
        name: "{{ item.code }} course"
        template: INV-CHEM
        semester: "{{ item.semester | default(omit) }}"
        is_active: "{{ item.active }}"
        start_date: "2026-09-01"
        end_date: "2026-12-20"
      loop:
        - {code: INV-CHEM-A, semester: INV-2026F, active: true}
        - {code: INV-CHEM-B, semester: INV-2026F, active: false}
        - {code: INV-CHEM-X, active: true}
"""


CODES = ("INV-CHEM-A", "INV-CHEM-B", "INV-CHEM-X")


def current_offerings(emulator):
    return dict((o["Code"], int(o["Identifier"])) for o in emulator.state()["course_offerings"])


@pytest.fixture
def offerings(emulator, tmp_path, collections_path):
    """The template, semester and three offerings, made by a playbook when missing (another test
    may have reset the emulator in between); ``{code: id}``."""
    if not emulator.control:
        pytest.skip("creates and reads back offerings on the emulator (no control API on a real tenant)")
    if all(code in current_offerings(emulator) for code in CODES):
        return current_offerings(emulator)
    play = tmp_path / "setup.yml"
    play.write_text(SETUP)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path), BRIGHTSPACE_URL=emulator.url,
               BRIGHTSPACE_ACCESS_TOKEN="demo-token", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_NOCOLOR="1",
               BRIGHTSPACE_TOKEN_CACHE=str(tmp_path / "cache" / "tokens.json"))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           "-e", json.dumps({"brightspace_url": emulator.url,
                                             "ansible_python_interpreter": str(BIN / "python")}), str(play)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return current_offerings(emulator)


@pytest.fixture
def inventory(emulator, collections_path, tmp_path, offerings):
    """Write a d2l_courses.yml with ``options``, run ansible-inventory --list; its JSON."""

    def run(**options):
        config = {"plugin": "d2l.brightspace.courses", "code_contains": "INV-"}
        config.update(options)
        path = tmp_path / "school.d2l_courses.yml"
        path.write_text(yaml.safe_dump(config))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path), BRIGHTSPACE_URL=emulator.url,
                   BRIGHTSPACE_ACCESS_TOKEN="demo-token", ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
                   BRIGHTSPACE_TOKEN_CACHE=str(tmp_path / "cache" / "tokens.json"), ANSIBLE_NOCOLOR="1")
        proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(path), "--list"], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return plain(json.loads(proc.stdout))

    return run


def plain(value):
    """ansible-core 2.19 marks strings from an inventory source as unsafe in --list output
    (``{"__ansible_unsafe": "..."}``): the API's text is never templated. Compare the text."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def hosts_of(listing, group):
    return sorted(listing.get(group, {}).get("hosts", []))


def test_hosts_vars_and_groups(inventory, offerings):
    listing = inventory()
    hostvars = listing["_meta"]["hostvars"]
    assert sorted(hostvars) == ["INV-CHEM-A", "INV-CHEM-B", "INV-CHEM-X"]
    a = hostvars["INV-CHEM-A"]
    assert a["d2l_id"] == offerings["INV-CHEM-A"]
    assert (a["d2l_code"], a["d2l_name"], a["d2l_is_active"]) == ("INV-CHEM-A", "INV-CHEM-A course", True)
    assert (a["d2l_template_code"], a["d2l_semester_code"]) == ("INV-CHEM", "INV-2026F")
    assert (a["d2l_start_date"], a["d2l_end_date"]) == ("2026-09-01T00:00:00.000Z", "2026-12-20T00:00:00.000Z")
    assert hostvars["INV-CHEM-X"]["d2l_semester"] is None
    assert "ansible_connection" not in a
    assert hosts_of(listing, "d2l_courses") == ["INV-CHEM-A", "INV-CHEM-B", "INV-CHEM-X"]
    assert hosts_of(listing, "d2l_template_INV_CHEM") == ["INV-CHEM-A", "INV-CHEM-B", "INV-CHEM-X"]
    assert hosts_of(listing, "d2l_semester_INV_2026F") == ["INV-CHEM-A", "INV-CHEM-B"]
    assert hosts_of(listing, "d2l_active") == ["INV-CHEM-A", "INV-CHEM-X"]
    assert hosts_of(listing, "d2l_inactive") == ["INV-CHEM-B"]


def test_semester_filter(inventory):
    listing = inventory(semester="INV-2026F", include_inactive=False)
    assert sorted(listing["_meta"]["hostvars"]) == ["INV-CHEM-A"]


def test_code_pattern_and_keyed_groups(inventory):
    listing = inventory(code_pattern="-[AB]$", compose={"ansible_connection": "'local'"},
                        keyed_groups=[{"key": "d2l_semester_code", "prefix": "term"},
                                      {"key": "d2l_is_active | string", "prefix": "active"}])
    assert sorted(listing["_meta"]["hostvars"]) == ["INV-CHEM-A", "INV-CHEM-B"]
    assert listing["_meta"]["hostvars"]["INV-CHEM-A"]["ansible_connection"] == "local"
    assert hosts_of(listing, "term_INV_2026F") == ["INV-CHEM-A", "INV-CHEM-B"]
    assert hosts_of(listing, "active_True") == ["INV-CHEM-A"]
    assert hosts_of(listing, "active_False") == ["INV-CHEM-B"]


def test_failure_is_a_clear_message(emulator, collections_path, tmp_path, offerings):
    path = tmp_path / "bad.d2l_courses.yml"
    path.write_text("plugin: d2l.brightspace.courses\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path), BRIGHTSPACE_URL=emulator.url,
               BRIGHTSPACE_ACCESS_TOKEN="not-a-token", ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
               BRIGHTSPACE_TOKEN_CACHE=str(tmp_path / "cache" / "tokens.json"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(path), "--list"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    output = " ".join((proc.stdout + proc.stderr).split())
    assert "failed: 401" in output, output
    assert "Traceback" not in output and "not-a-token" not in output
