# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deprecation check on the ansible-core it runs with (the version matrix's smoke sessions run
this file on each): a collection's deprecations fail, ansible-core's own for a bare role do not.

A throw-away collection (``acme.deprecating``) has a role with ``meta/argument_specs.yml``, as
ours do, whose task calls a module that deprecates its option and calls ``deprecate()``: the
check must report exactly those two, whatever ansible-core prints of its own around them (2.16.20
deprecates something in the validation task it adds for the argument specs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from brightspace_emulator import testing

BIN = Path(sys.executable).parent

MODULE = '''#!/usr/bin/python
from __future__ import annotations
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"old": {"type": "str", "removed_in_version": "3.0.0",
                                                  "removed_from_collection": "acme.deprecating"}})
    module.deprecate("the deprecating module is going away", version="3.0.0",
                     collection_name="acme.deprecating")
    module.exit_json(changed=False)


if __name__ == "__main__":
    main()
'''
FILES = {
    "galaxy.yml": "namespace: acme\nname: deprecating\nversion: 1.0.0\nreadme: README.md\nauthors: [tests]\n",
    "README.md": "A collection that deprecates.\n",
    "plugins/modules/old.py": MODULE,
    "roles/spec/meta/argument_specs.yml": ("argument_specs:\n  main:\n    short_description: spec\n"
                                           "    options:\n      value:\n        type: str\n        default: x\n"),
    "roles/spec/tasks/main.yml": "- name: The deprecating module\n  acme.deprecating.old:\n    old: y\n",
}
PLAYBOOK = ("- name: A role of a collection\n  hosts: localhost\n  gather_facts: false\n"
            "  vars:\n    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
            "  roles:\n    - acme.deprecating.spec\n")


def test_the_collection_s_deprecations_fail_and_ansible_core_s_own_do_not(tmp_path):
    root = tmp_path / "collections" / "ansible_collections" / "acme" / "deprecating"
    for relative, text in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    (tmp_path / "playbook.yml").write_text(PLAYBOOK, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", **testing.SHOW_DEPRECATIONS)
    ansible_playbook = str(BIN / "ansible-playbook")
    proc = subprocess.run([ansible_playbook, "-i", "localhost,", "-c", "local", "playbook.yml"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output

    core = testing.core_deprecations(ansible_playbook, env)
    ours = testing.collection_deprecations(output, core)
    assert len(ours) == 2, output
    assert "'old' is deprecated" in ours[0] and "the deprecating module is going away" in ours[1]
    # everything else the run printed is ansible-core's own, and it printed each of those here too
    everything = testing.deprecation_warnings(output)
    assert len(everything) == len(ours) + len(core), (everything, core)
