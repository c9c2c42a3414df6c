# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layers point one way (docs/architecture.md): only the Ansible adapter, module.py, imports
Ansible's module layer, and nothing below it imports the adapter, so the ensure engine and the
job path run without an AnsibleModule (one resource for a module, many in threads)."""

from __future__ import annotations

import ast
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
UTILS = os.path.join(ROOT, "plugins", "module_utils")
ADAPTER = "module"
# the engine and the job path: below the API families, above the client
ENGINE = ("ensure", "jobs")
FAMILIES = ("courses", "coursejobs", "eportfolio", "lr")


def imports(path):
    """The modules ``path`` imports: ``ansible.*`` names as given, this package's as their top-level
    name under module_utils (``.client``; ``.lr`` for anything in the ``lr`` package), and, from a
    file inside a family package, its siblings as ``.lr.routes``."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    package = os.path.basename(os.path.dirname(path))
    inside = package != "module_utils"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1 and inside:  # from .routes import x: a sibling in the package
                names = [node.module] if node.module else [alias.name for alias in node.names]
                found.update(".%s.%s" % (package, name.split(".")[0]) for name in names)
                found.add("." + package)
            elif node.level:  # from .x import y / from . import x (from ..x in a package)
                if node.module:
                    found.add("." + node.module.split(".")[0])
                else:
                    found.update("." + alias.name for alias in node.names)
            elif node.module:
                found.add(node.module)
                if node.module.endswith("plugins.module_utils"):
                    found.update("." + alias.name for alias in node.names)
                elif ".plugins.module_utils." in node.module:
                    found.add("." + node.module.rsplit(".", 1)[1])
    return found


def utils():
    """Every file under module_utils as its dotted name (``client``, ``lr.routes``)."""
    names = []
    for name in os.listdir(UTILS):
        if name.endswith(".py") and name != "__init__.py":
            names.append(name[:-3])
        elif os.path.isfile(os.path.join(UTILS, name, "__init__.py")):
            names.extend("%s.%s" % (name, inner[:-3]) for inner in os.listdir(os.path.join(UTILS, name))
                         if inner.endswith(".py"))
    return sorted(names)


def path_of(name):
    return os.path.join(UTILS, *name.split(".")) + ".py"


def tops():
    return set(name.split(".")[0] for name in utils())


def test_the_map_is_read():
    assert ADAPTER in utils() and set(ENGINE) <= set(utils()) and set(FAMILIES) <= tops()
    assert "ansible.module_utils.basic" in imports(path_of(ADAPTER))  # the check can see it
    assert ".client" in imports(path_of("lr.routes")) and ".lr.routes" in imports(path_of("lr.objects"))


@pytest.mark.parametrize("name", [name for name in utils() if name != ADAPTER])
def test_only_the_adapter_imports_ansible_module_layer_or_the_adapter(name):
    found = imports(path_of(name))
    assert not [i for i in found if i.startswith("ansible.module_utils.basic") or i == "ansible.module_utils"]
    assert "." + ADAPTER not in found, "%s.py imports the Ansible adapter (module.py)" % name


@pytest.mark.parametrize("name", ENGINE)
def test_the_engine_imports_no_api_family(name):
    found = imports(path_of(name))
    assert not [family for family in FAMILIES if "." + family in found]


@pytest.mark.parametrize("name", [name for name in utils() if name.endswith(".routes")])
def test_the_routes_of_a_family_are_http_only(name):
    """A family's routes layer knows the client, not the engine, the job path or its own resources."""
    found = imports(path_of(name))
    package = name.split(".")[0]
    assert not [i for i in found if i in (".ensure", ".jobs", ".module") or
                (i.startswith("." + package + ".") and i != "." + name)]


@pytest.mark.parametrize("name", sorted(set(utils()) - {ADAPTER}))
def test_no_file_is_over_500_lines(name):
    with open(path_of(name), encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) <= 500, "%s.py: split it along its layers" % name


def test_the_inventory_plugin_builds_its_client_without_the_adapter():
    path = os.path.join(ROOT, "plugins", "inventory", "courses.py")
    found = imports(path)
    assert ".connection" in found and "." + ADAPTER not in found
