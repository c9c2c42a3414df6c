# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles through their playbooks against the emulator: a first run provisions and starts the
jobs (together, async); a re-run changes nothing and starts no job."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import ROOT

RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def recap(output):
    match = RECAP.search(output)
    assert match, output
    return dict(zip(("ok", "changed", "unreachable", "failed"), (int(g) for g in match.groups())))


def summary(output):
    """The course_provision_summary the role shows (debug var, JSON in the default callback)."""
    start = output.index('"course_provision_summary": ')
    text = output[start + len('"course_provision_summary": '):]
    depth = 0
    for index, char in enumerate(text):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0:
            return json.loads(text[:index + 1])
    raise AssertionError(output)


def test_course_provision_twice(emulator, playbook):
    if not emulator.control:
        pytest.skip("reads the emulator's request log and course content")
    emulator.reset()
    play = ROOT / "playbooks" / "provision_courses.yml"
    args = ["-e", "@%s" % (ROOT / "playbooks" / "vars" / "catalog.yml")]
    checked = playbook(play, args=args, check=True)
    assert checked.returncode == 0, checked.output
    assert sorted(summary(checked.output)["created"])[0] == "CAT-2027S"
    assert [r for r in emulator.requests() if r["method"] not in ("GET", "HEAD")
            and not r["path"].startswith("/core/")] == []
    first = playbook(play, args=args)
    assert first.returncode == 0, first.output
    done = summary(first.output)
    assert sorted(done["created"]) == sorted(["CAT-2027S", "CAT-CHEM", "CAT-CHEM-MASTER", "CAT-CHEM-2027S-A",
                                              "CAT-CHEM-2027S-B", "CAT-CHEM-2027S-LAB"])
    assert sorted((j["offering"], j["kind"], j["status"]) for j in done["jobs"]) == [
        ("CAT-CHEM-2027S-A", "copy", "COMPLETE"), ("CAT-CHEM-2027S-B", "copy", "COMPLETE"),
        ("CAT-CHEM-2027S-LAB", "import", "COMPLETED")]
    assert done["failed_jobs"] == []
    offerings = dict((o["Code"], o["Identifier"]) for o in emulator.state()["course_offerings"])
    content_a = emulator.call("GET", "/_emulator/courses/%d/content" % offerings["CAT-CHEM-2027S-A"])
    assert sorted(content_a["components"]) == ["Content", "Quizzes", "Rubrics"]
    assert len(content_a["copies"]) == 1
    lab = emulator.call("GET", "/_emulator/courses/%d/content" % offerings["CAT-CHEM-2027S-LAB"])
    assert [i["PackageType"] for i in lab["imports"]] == ["d2l"]

    mark = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    second = playbook(play, args=args)
    assert second.returncode == 0, second.output
    assert recap(second.output)["changed"] == 0
    again = summary(second.output)
    assert again["created"] == [] and again["updated"] == [] and again["jobs"] == []
    writes = [r for r in emulator.requests(mark) if r["method"] not in ("GET", "HEAD")
              and not r["path"].startswith("/core/")]
    assert writes == []
    # the token never appears, secure logging hides the task arguments
    assert "demo-token" not in first.output + second.output


def report(output, name):
    """A variable the role shows with ansible.builtin.debug (JSON in the default callback)."""
    key = '"%s": ' % name
    text = output[output.index(key) + len(key):]
    opening, closing = text[0], "]" if text[0] == "[" else "}"
    depth = 0
    for index, char in enumerate(text):
        depth += char == opening
        depth -= char == closing
        if depth == 0:
            return json.loads(text[:index + 1])
    raise AssertionError(output)


SETUP = """
- name: Artifacts to migrate
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A link and a file
      d2l.brightspace.d2l_artifact: "{{ item }}"
      loop:
        - {kind: link, name: Migrated link, url: "https://example.edu/migrated"}
        - {kind: file, name: Migrated file, src: "{{ src }}"}
"""


def test_ep_migrate_twice(emulator, playbook, tmp_path):
    if not emulator.control:
        pytest.skip("reads the emulator's ePortfolio store")
    emulator.reset()
    setup = tmp_path / "setup.yml"
    setup.write_text(SETUP)
    src = tmp_path / "evidence.txt"
    src.write_text("evidence\n")
    assert playbook(setup, extra_vars={"src": str(src)}).returncode == 0
    package = tmp_path / "ada.zip"
    play = ROOT / "playbooks" / "migrate_eportfolio.yml"
    args = ["-e", "@%s" % (ROOT / "playbooks" / "vars" / "eportfolio.yml"), "-e", "ep_migrate_package=%s" % package]
    first = playbook(play, args=args)
    assert first.returncode == 0, first.output
    done = report(first.output, "ep_migrate_report")
    assert done["exported"] is True and done["imported"] is True and len(done["sha256"]) == 64
    assert [u["user_id"] for u in done["users"]] == [101, 102]
    assert done["failed_user_ids"] == []
    for user in ("101", "102"):
        names = []
        for _attempt in range(40):
            names = sorted(o["Name"] for o in emulator.call("GET", "/_emulator/eportfolio/objects?user=" + user))
            if len(names) == 2:
                break
            time.sleep(0.25)
        assert names == ["Migrated file", "Migrated link"]
    mark = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    second = playbook(play, args=args)
    assert second.returncode == 0, second.output
    assert recap(second.output)["changed"] == 0
    again = report(second.output, "ep_migrate_report")
    assert again["exported"] is False and again["imported"] is False and again["sha256"] == done["sha256"]
    assert [r for r in emulator.requests(mark) if r["method"] not in ("GET", "HEAD")] == []
    assert "demo-token" not in first.output + second.output


def test_lr_publish_twice(emulator, playbook):
    if not emulator.control:
        pytest.skip("reads the emulator's request log")
    emulator.reset()
    play = ROOT / "playbooks" / "publish_learning_objects.yml"
    args = ["-e", "@%s" % (ROOT / "playbooks" / "vars" / "learning_objects.yml")]
    first = playbook(play, args=args)
    assert first.returncode == 0, first.output
    published = report(first.output, "lr_publish_report")
    assert sorted((p["file"], p["title"], p["version"], p["created"]) for p in published) == [
        ("golf-basics-scorm2004.zip", "Golf basics", 1, True),
        ("golf-etiquette-scorm12.zip", "Golf etiquette", 1, True)]
    latest = dict((o["Versions"][-1]["Title"], o["Versions"][-1]) for o in emulator.call("GET", "/_emulator/lr/objects"))
    assert latest["Golf etiquette"]["Status"] == 3 and latest["Golf basics"]["Status"] == 2
    assert latest["Golf etiquette"]["Keywords"] == ["etiquette, golf, sport"]
    mark = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    second = playbook(play, args=args)
    assert second.returncode == 0, second.output
    assert recap(second.output)["changed"] == 0
    logged = [r for r in emulator.requests(mark) if r["path"].startswith("/d2l/api/lr/")]
    assert [r for r in logged if r["method"] != "GET"] == []
    # one properties read per package: the ids the first run found are in ids.json beside the
    # token cache, so no title search is needed
    reads = sorted(r["path"] for r in logged if "/objects/" in r["path"])
    assert len(reads) == 2 and all(path.endswith("/properties/") for path in reads), reads
