# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""brightspace_emulator.testing: the one launcher every suite, the demo, the bench and Molecule use."""
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

from brightspace_emulator import testing

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_running_gives_a_healthy_emulator_and_stops_it(tmp_path):
    log = tmp_path / "emulator.log"
    with testing.running("--job-duration", "0.5", log_path=str(log)) as emulator:
        assert emulator.healthy()
        assert emulator.url == "http://127.0.0.1:%d" % emulator.port
        assert emulator.call("GET", "/_emulator/config")["job_duration"] == 0.5
        assert emulator.requests() == []
        proc = emulator.proc
    assert proc.poll() is not None  # stopped after the block
    assert not emulator.healthy()
    assert log.exists()


def test_an_emulator_that_cannot_start_is_reported_with_its_log(tmp_path):
    log = tmp_path / "emulator.log"
    with pytest.raises(testing.EmulatorError, match=r"exited with status 2 before it was healthy \(log: .*emulator.log\)"):
        testing.start("--no-such-option", log_path=str(log))
    assert "--no-such-option" in log.read_text()


def test_a_real_tenant_handle_has_no_control_api():
    tenant = testing.Emulator("https://school.example.com/", control=False)
    assert tenant.url == "https://school.example.com"
    tenant.reset()  # nothing is sent to a real tenant
    tenant.stop()  # no process of ours


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "brightspace_emulator.testing", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_the_shell_interface_starts_a_detached_emulator_and_stops_it(tmp_path):
    started = _cli("start", "--dir", str(tmp_path), "--", "--job-duration", "0.25")
    assert started.returncode == 0, started.stderr
    url = (tmp_path / "emulator.url").read_text().strip()
    assert started.stdout.strip() == url
    pid = int((tmp_path / "emulator.pid").read_text())
    emulator = testing.Emulator(url)
    try:
        assert emulator.call("GET", "/_emulator/config")["job_duration"] == 0.25
        again = _cli("start", "--dir", str(tmp_path))  # already running: the same one
        assert again.returncode == 0 and again.stdout.strip() == url
        assert int((tmp_path / "emulator.pid").read_text()) == pid
    finally:
        stopped = _cli("stop", "--dir", str(tmp_path))
    assert stopped.returncode == 0, stopped.stderr
    assert not (tmp_path / "emulator.pid").exists()
    assert not emulator.healthy()
    assert not os.path.exists("/proc/%d/cmdline" % pid) or b"brightspace_emulator" not in \
        pathlib.Path("/proc/%d/cmdline" % pid).read_bytes()


def test_stop_never_kills_a_process_that_is_not_the_emulator(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # pylint: disable=consider-using-with
    try:
        (tmp_path / "emulator.pid").write_text("%d\n" % other.pid)
        assert _cli("stop", "--dir", str(tmp_path)).returncode == 0
        assert other.poll() is None  # a reused pid is left alone
        assert not (tmp_path / "emulator.pid").exists()
    finally:
        other.kill()
        other.wait()


# the emulator started as a process: an argv list, or a shell line that gives it options
LAUNCH = re.compile(r"""["']-m["'],\s*["']brightspace_emulator["']|-m\s+brightspace_emulator\s+--|"""
                    r"""brightspace-emulator\s+--""")


def test_nothing_else_launches_the_emulator_itself():
    """Every test suite, the demo, the bench and Molecule go through brightspace_emulator.testing."""
    offenders = []
    for top in ("tests", "tools", "extensions", "playbooks", "Makefile"):
        base = REPO / top
        paths = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()] if base.exists() else []
        for path in paths:
            if path.suffix not in ("", ".py", ".yml", ".yaml", ".sh") or "output" in path.parts \
                    or "brightspace_emulator" in path.parts or path == pathlib.Path(__file__).resolve():
                continue
            text = path.read_text(errors="replace")
            if LAUNCH.search(text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


# What ansible-core 2.16.19 printed for `until: r.finished` on async_status (an int there), the
# pattern issue 17 found in the course_provision role: two warnings, each wrapped over 4 lines.
ANSIBLE_2_16_DEPRECATIONS = """TASK [async_status] ************************************************************
[DEPRECATION WARNING]: Conditional result at location /tmp/dep.yml 11:14 was of
 type 'int'. Conditional results should only be True or False. The result was
interpreted as False. This feature will be removed in version 2.19. Deprecation
 warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.
FAILED - RETRYING: [localhost]: async_status (5 retries left).
[DEPRECATION WARNING]: Conditional result at location /tmp/dep.yml 11:14 was of
 type 'int'. Conditional results should only be True or False. The result was
interpreted as True. This feature will be removed in version 2.19. Deprecation
warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.
changed: [localhost]

PLAY RECAP *********************************************************************
localhost                  : ok=2    changed=2    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
"""


def test_deprecation_warnings_are_found_whole_and_nothing_else_is():
    found = testing.deprecation_warnings(ANSIBLE_2_16_DEPRECATIONS)
    assert len(found) == 2
    assert found[0].startswith("[DEPRECATION WARNING]: Conditional result at location /tmp/dep.yml 11:14")
    assert found[0].endswith("deprecation_warnings=False in ansible.cfg.")
    assert "interpreted as False" in found[0] and "interpreted as True" in found[1]
    assert "RETRYING" not in found[0]
    clean = "\n".join(line for line in ANSIBLE_2_16_DEPRECATIONS.splitlines() if "DEPRECATION" not in line
                      and not line.startswith((" type", "interpreted", " warnings", "warnings")))
    assert testing.deprecation_warnings(clean) == []
    # a [WARNING] is not a deprecation
    assert testing.deprecation_warnings("[WARNING]: Platform linux on host localhost is using...") == []


RECORDED = pathlib.Path(__file__).resolve().parent / "recorded"
CORE_2_16_20 = ("[DEPRECATION WARNING]: Using a mapping for `action` is deprecated. Use a string value for "
                "`action`. This feature will be removed in version 2.23. Deprecation warnings can be disabled "
                "by setting deprecation_warnings=False in ansible.cfg.")


def recorded(name):
    return (RECORDED / name).read_text(encoding="utf-8")


def test_ansible_core_s_own_deprecation_is_not_the_collection_s_and_the_collection_s_are():
    """ansible-core 2.16.20 deprecates something in the task it adds for any role's argument specs
    (recorded from a bare role of no collection): that one is core's own and passes; the two a
    collection's module causes (recorded in the same run) fail."""
    core = testing.deprecation_warnings(recorded("ansible-core-2.16.20-bare-role.txt"))
    assert core == [CORE_2_16_20]
    run = recorded("ansible-core-2.16.20-collection-role.txt")
    assert len(testing.deprecation_warnings(run)) == 3
    ours = testing.collection_deprecations(run, core)
    assert [warning.split(". ")[0] for warning in ours] == [
        "[DEPRECATION WARNING]: Param 'x' is deprecated", "[DEPRECATION WARNING]: old_thing is going away"]
    assert all("acme.dep" in warning for warning in ours)
    # the bare role's own run has nothing of a collection's
    assert testing.collection_deprecations(recorded("ansible-core-2.16.20-bare-role.txt"), core) == []
    # with no baseline, every warning counts: nothing is let through by default
    assert len(testing.collection_deprecations(run, [])) == 3


def test_a_core_warning_wrapped_at_another_width_is_still_core_s():
    core = testing.deprecation_warnings(recorded("ansible-core-2.16.20-bare-role.txt"))
    rewrapped = "\n".join(textwrap.wrap(CORE_2_16_20, 60)) + "\n\nPLAY [localhost] ***\n"
    assert testing.collection_deprecations(rewrapped, core) == []
    # a warning that only starts the same is not core's
    assert len(testing.collection_deprecations(rewrapped.replace("2.23", "2.24"), core)) == 1


def test_ansible_core_2_21_prints_none_of_its_own_and_the_collection_s_still_fail():
    core = testing.deprecation_warnings(recorded("ansible-core-2.21.6-bare-role.txt"))
    assert core == []
    ours = testing.collection_deprecations(recorded("ansible-core-2.21.6-collection-role.txt"), core)
    assert len(ours) == 2 and all("removed from collection 'acme.dep'" in warning for warning in ours)


def test_core_deprecations_runs_a_bare_playbook_with_this_ansible_core():
    """The live baseline with the venv's ansible-core (the version matrix runs this module's tests
    on its own ansible-core only through the integration conftest; here, the one of `make venv`)."""
    playbook = str(pathlib.Path(sys.executable).parent / "ansible-playbook")
    core = testing.core_deprecations(playbook)
    assert all(warning.startswith(testing.DEPRECATION_PREFIX) for warning in core)
    assert testing.core_deprecations(playbook) == core  # cached: the same list, not re-run
    with pytest.raises(RuntimeError, match="bare playbook failed"):
        testing.core_deprecations("/bin/false")
