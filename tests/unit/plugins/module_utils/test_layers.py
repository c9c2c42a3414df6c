# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
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
    """The modules ``path`` imports: ``ansible.*`` names as given, this package's as their file stem."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .x import y / from . import x
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
    return sorted(name[:-3] for name in os.listdir(UTILS) if name.endswith(".py") and name != "__init__.py")


def test_the_map_is_read():
    assert ADAPTER in utils() and set(ENGINE) <= set(utils()) and set(FAMILIES) <= set(utils())
    assert "ansible.module_utils.basic" in imports(os.path.join(UTILS, ADAPTER + ".py"))  # the check can see it


@pytest.mark.parametrize("name", [name for name in utils() if name != ADAPTER])
def test_only_the_adapter_imports_ansible_module_layer_or_the_adapter(name):
    found = imports(os.path.join(UTILS, name + ".py"))
    assert not [i for i in found if i.startswith("ansible.module_utils.basic") or i == "ansible.module_utils"]
    assert "." + ADAPTER not in found, "%s.py imports the Ansible adapter (module.py)" % name


@pytest.mark.parametrize("name", ENGINE)
def test_the_engine_imports_no_api_family(name):
    found = imports(os.path.join(UTILS, name + ".py"))
    assert not [family for family in FAMILIES if "." + family in found]


def test_the_inventory_plugin_builds_its_client_without_the_adapter():
    path = os.path.join(ROOT, "plugins", "inventory", "courses.py")
    found = imports(path)
    assert ".connection" in found and "." + ADAPTER not in found
