# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each target under targets/ is a playbook in the rhythm check mode → apply → apply again →
diff → remove → remove again (plus its failure paths), asserting inside the play."""

from __future__ import annotations

import pytest

from conftest import TARGETS

NAMES = sorted(p.name for p in TARGETS.iterdir() if (p / "main.yml").is_file())


@pytest.mark.parametrize("name", NAMES)
def test_target(name, emulator, playbook):
    emulator.reset()
    result = playbook(TARGETS / name / "main.yml")
    assert result.returncode == 0, result.output
    assert "failed=0" in result.output, result.output


def test_faults_leave_no_duplicates(emulator, playbook):
    """After the course target's 429/503/drop faults, each code exists exactly once; at -vvvv
    the access token appears nowhere in the output."""
    if not emulator.control:
        pytest.skip("needs the emulator's state")
    emulator.reset()
    result = playbook(TARGETS / "d2l_course" / "main.yml", args=["-vvvv"])
    assert result.returncode == 0, result.output
    # secrets never appear, even at -vvvv (the target runs diff-mode tasks too)
    assert "demo-token" not in result.output
    state = emulator.state()
    offerings = state["course_offerings"]
    codes = [o["Code"] for o in (offerings.values() if isinstance(offerings, dict) else offerings)
             if not o.get("Recycled")]
    assert codes.count("IT-FAULTS") == 1
    assert "IT-BIO101-F" not in codes  # removed by the rhythm (for good, at its end)
    assert "IT-BIO101-F" not in [o["Code"] for o in offerings]
    assert not any(code.startswith("IT-BAD") or code in ("IT-403", "IT-404") for code in codes)


def test_the_catalog_at_vvvv_shows_no_credential(emulator, playbook):
    """d2l_catalog runs on the controller (an action plugin): at -vvvv its arguments, results and
    failures (the target fails some items on purpose) still never show the access token."""
    emulator.reset()
    result = playbook(TARGETS / "d2l_catalog" / "main.yml", args=["-vvvv"])
    assert result.returncode == 0, result.output
    assert '"code": "IT-CAT-01"' in result.output  # the results were shown, resource by resource
    assert "demo-token" not in result.output
