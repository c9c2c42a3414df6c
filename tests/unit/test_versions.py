# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The supported ansible-core versions are said once per place, and every place agrees with
the version matrix that proves them (noxfile.py ``MATRIX``): meta/runtime.yml's
``requires_ansible``, galaxy.yml's description, the README and the getting-started guide. The
matrix pins each minor's patch release there, and every other exact pin of ansible-core (the dev
venv's, galaxy-importer's) is the matrix's pin of its minor."""

from __future__ import annotations

import ast
import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(*parts):
    with open(os.path.join(REPO, *parts), encoding="utf-8") as handle:
        return handle.read()


def pins():
    """MATRIX from noxfile.py (minor -> pinned patch release), read without importing nox."""
    for node in ast.parse(read("noxfile.py")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["MATRIX"]:
            return ast.literal_eval(node.value)
    raise AssertionError("noxfile.py has no MATRIX")


def matrix():
    """The minors of the matrix, lowest first."""
    return list(pins())


def minor(version):
    major, minor_part = version.split(".")[:2]
    return int(major), int(minor_part)


def test_the_matrix_is_every_minor_from_the_lowest_to_the_highest():
    versions = [minor(v) for v in matrix()]
    assert versions == [(2, n) for n in range(versions[0][1], versions[-1][1] + 1)], versions


def test_requires_ansible_is_the_range_the_matrix_proves():
    low, high = matrix()[0], matrix()[-1]
    runtime = yaml.safe_load(read("meta", "runtime.yml"))
    assert runtime["requires_ansible"] == ">=%s.0,<2.%d.0" % (low, minor(high)[1] + 1)


def test_galaxy_readme_and_guide_say_the_same_versions():
    phrase = "ansible-core %s to %s" % (matrix()[0], matrix()[-1])
    galaxy = yaml.safe_load(read("galaxy.yml"))
    assert phrase in galaxy["description"]
    readme = read("README.md")
    assert "**%s**" % phrase in readme
    assert phrase in read("docs", "getting-started.md")
    # no other "ansible-core 2.x or newer/later" claim left anywhere a user reads first
    for name, text in (("README.md", readme), ("docs/getting-started.md", read("docs", "getting-started.md"))):
        assert not re.search(r"ansible-core 2\.\d+ or (newer|later)", text), name


def test_every_minor_is_pinned_to_a_patch_release_of_its_own():
    for minor_version, patch in pins().items():
        assert re.fullmatch(r"%s\.\d+" % re.escape(minor_version), patch), (minor_version, patch)


def test_every_other_exact_ansible_core_pin_is_the_matrix_s_pin_of_its_minor():
    """requirements-dev.txt (the dev venv: make test, lint, build) and antsibull-nox.toml
    (galaxy-importer's ansible-core) pin a release: the one the matrix proves for that minor."""
    found = {}
    for name in ("requirements-dev.txt", "antsibull-nox.toml", os.path.join("tests", "requirements.txt")):
        for version in re.findall(r"ansible-core==(\d+\.\d+\.\d+)", read(name)):
            found.setdefault(name, []).append(version)
    assert set(found) == {"requirements-dev.txt", "antsibull-nox.toml"}, found
    for name, versions in found.items():
        for version in versions:
            assert pins()[".".join(version.split(".")[:2])] == version, (name, version)
