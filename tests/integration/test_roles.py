"""The roles through their playbooks against the emulator: a first run provisions and starts the
jobs (together, async); a re-run changes nothing and starts no job."""

from __future__ import annotations

import json
import re

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
