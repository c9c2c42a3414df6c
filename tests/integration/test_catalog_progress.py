# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""d2l_catalog shows its progress in the play's output as it goes (the default callback), once a
run lasts more than a few seconds: the emulator is slowed down on purpose."""

from __future__ import annotations

import re

import pytest

PLAY = """
- name: A slow catalog
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Thirty semesters, two at a time, each look-up slowed down
      d2l.brightspace.d2l_catalog:
        semesters: "{{ semesters }}"
        concurrency: 2
"""


def test_progress_lines_reach_the_play_output(emulator, playbook, tmp_path):
    if not emulator.control:
        pytest.skip("slows the emulator down with a fault")
    emulator.reset()
    emulator.call("POST", "/_emulator/faults", {"method": "GET", "path": "/orgstructure/$", "delay": 0.3, "times": 30})
    semesters = [{"code": "IT-PROG-%02d" % n, "name": "Progress %02d" % n} for n in range(30)]
    play = tmp_path / "slow.yml"
    play.write_text(PLAY)
    try:
        result = playbook(play, extra_vars={"semesters": semesters})
    finally:
        emulator.reset()
    assert result.returncode == 0, result.output
    lines = re.findall(r"^d2l_catalog: (\d+)/(\d+) resources \((\d+)%\), (\d+) failed, [0-9.]+ s$", result.output,
                       re.MULTILINE)
    assert lines, result.output
    done = [int(line[0]) for line in lines]
    assert done == sorted(done) and done[-1] == 30 and all(line[1] == "30" for line in lines)
    assert len(lines) <= 10 and all(line[3] == "0" for line in lines)
    # the lines come before the task's result, while it runs
    assert result.output.index("d2l_catalog: ") < result.output.index("changed: [localhost]")
