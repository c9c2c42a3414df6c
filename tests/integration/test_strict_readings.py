# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the reference is silent, the modules work on every reading a tenant could take.

The emulator takes the strict reading by default and can be switched to the other
(``POST /_emulator/config``); each test here would fail if a module relied on one reading:

* course import routes served only under ``unstable`` (the Courses reference page) or only with a version
  (SCOPES.md): d2l_course_import works against both;
* an ePortfolio package the emulator did not write (a zip of XML files): d2l_ep_import sends it
  as it is and the import lands in the target users' portfolios (``targetUsers`` parts, as D2L's
  library sends them);
* an upload key that expired between the upload and the publish (NOTES.md: unattached uploads
  are purged): d2l_lr_object uploads again and publishes once.
* a recycled org unit whose code stays reserved, or does not: d2l_course removes, re-creates and
  restores on both.
(File artifact content replaced by an update, or not: targets/d2l_artifact/main.yml.)
"""

from __future__ import annotations

import json
import time
import zipfile

import pytest

from conftest import ROOT

SCORM = ROOT / "tests" / "fixtures" / "packages" / "singlesco_scorm12.zip"


@pytest.fixture
def emu(emulator):
    if not emulator.control:
        pytest.skip("switches the emulator's readings")
    emulator.reset()
    yield emulator
    emulator.reset()


def play(tmp_path, body, name="play.yml"):
    path = tmp_path / name
    path.write_text("""
- name: A strict reading
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
%s""" % body)
    return path


IMPORT = """
    - name: A template and an offering
      d2l.brightspace.d2l_course_template:
        code: IT-STRICT-TPL
        name: Strict template
    - name: The offering
      d2l.brightspace.d2l_course:
        code: IT-STRICT-%(contract)s
        name: Strict %(contract)s
        template: IT-STRICT-TPL
      register: offering
    - name: Import a package into it
      d2l.brightspace.d2l_course_import:
        target: "{{ offering.course.id }}"
        src: %(src)s
        poll_interval: 0.2
      register: imported
    - name: Wait for it again by token
      d2l.brightspace.d2l_course_import:
        target: "{{ offering.course.id }}"
        job_token: "{{ imported.job_token }}"
      register: attached
    - name: Imported and found again
      ansible.builtin.assert:
        that:
          - imported is changed and imported.status == 'COMPLETED'
          - attached is not changed and attached.status == 'COMPLETED'
"""


@pytest.mark.parametrize("contract", ["unstable", "versioned"])
def test_course_import_works_whichever_contract_the_tenant_serves(emu, playbook, tmp_path, contract):
    emu.call("POST", "/_emulator/config", {"import_routes": contract})
    result = playbook(play(tmp_path, IMPORT % {"contract": contract, "src": SCORM}))
    assert result.returncode == 0, result.output
    posts = [r["path"] for r in emu.requests() if r["method"] == "POST" and "/imports/" in r["path"]]
    served = [p for p in posts if ("/unstable/" in p) == (contract == "unstable")]
    assert len(served) == 1, posts
    # the contract that answered is remembered (discovery cache): the status reads go straight to it
    polls = [r for r in emu.requests() if r["method"] == "GET" and "/imports/" in r["path"]]
    assert polls and all(r["status"] == 200 for r in polls), polls


def test_an_eportfolio_package_of_anyones_making_imports_into_other_users(emu, playbook, tmp_path):
    package = tmp_path / "foreign-portfolio.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("objects/reflection-1.xml", "<Reflection><Name>Week 1</Name></Reflection>")
        archive.writestr("objects/artifact-2.xml", "<Artifact><Name>Essay</Name></Artifact>")
        archive.writestr("README.txt", "exported by another tool")
    result = playbook(play(tmp_path, """
    - name: Import a package another tool wrote into two users
      d2l.brightspace.d2l_ep_import:
        src: %s
        target_users: [101, 102]
        poll_interval: 0.2
      register: imported
    - name: Imported for both
      ansible.builtin.assert:
        that:
          - imported is changed
          - imported.failed_user_ids | default([]) | length == 0
""" % package))
    assert result.returncode == 0, result.output
    # the caller may not read other users' import jobs (the page), so the module does not wait for
    # them: they settle on the emulator's clock
    deadline = time.monotonic() + 15
    for user in ("101", "102"):
        while not emu.call("GET", "/_emulator/eportfolio/objects?user=%s" % user) and time.monotonic() < deadline:
            time.sleep(0.2)
        names = [o["Name"] for o in emu.call("GET", "/_emulator/eportfolio/objects?user=%s" % user)]
        assert names, "nothing was imported for user %s" % user
    assert not emu.call("GET", "/_emulator/eportfolio/objects?user=3")  # not the caller's portfolio


def test_an_upload_key_that_expired_before_the_publish_is_uploaded_again(emu, playbook, tmp_path):
    """The key expires while the publish request is held up (a 1.5 s delay, unattached uploads
    live 1 s): the publish is refused as an invalid file key, nothing is published, and the module
    sends the package once more and publishes it. (The same for ePortfolio attaches: the unit
    tests; the emulator's faults cannot hold up an attach without its initiation, one route.)"""
    emu.call("POST", "/_emulator/config", {"upload_ttl": 1})
    emu.call("POST", "/_emulator/faults", {"method": "POST", "path": "/upload/publish$", "times": 1, "delay": 1.5})
    result = playbook(play(tmp_path, """
    - name: A learning object by the resumable upload, whose publish is slow
      d2l.brightspace.d2l_lr_object:
        repository: 1
        title: IT expired key
        src: %s
        upload: resumable
      register: lo
    - name: Published, once
      ansible.builtin.assert:
        that:
          - lo is changed and lo.object.id is not none
""" % SCORM))
    assert result.returncode == 0, result.output
    publishes = [r for r in emu.requests() if r["path"].endswith("/upload/publish")]
    assert len(publishes) == 2, publishes  # refused (the key expired), then published with a fresh upload
    objects = [o for o in emu.call("GET", "/_emulator/lr/objects")
               if any(v.get("Title") == "IT expired key" for v in o["Versions"])]
    assert len(objects) == 1, json.dumps(objects)[:500]


@pytest.mark.parametrize("lp", ["1.2", "1.25", "1.47"])
def test_course_offerings_work_at_every_lp_version_the_pages_name(emu, playbook, tmp_path, lp):
    """lp 1.2+ (the Courses reference page): the module sends only the fields every version has (the emulator
    refuses Description before lp 1.26), and reads answers with or without the newer fields."""
    result = playbook(play(tmp_path, """
    - name: A template at lp %(lp)s
      d2l.brightspace.d2l_course_template:
        code: IT-LP-TPL
        name: LP template
        api_versions: {lp: "%(lp)s"}
    - name: An offering at lp %(lp)s
      d2l.brightspace.d2l_course:
        code: IT-LP-%(code)s
        name: LP %(lp)s
        template: IT-LP-TPL
        start_date: "2026-09-01"
        api_versions: {lp: "%(lp)s"}
      register: made
    - name: Again, and renamed
      d2l.brightspace.d2l_course:
        code: IT-LP-%(code)s
        name: LP %(lp)s renamed
        api_versions: {lp: "%(lp)s"}
      register: renamed
    - name: Made once, then updated
      ansible.builtin.assert:
        that:
          - made is changed and made.created
          - renamed is changed and not renamed.created and renamed.course.name == 'LP %(lp)s renamed'
""" % {"lp": lp, "code": lp.replace(".", "-")}))
    assert result.returncode == 0, result.output
    assert all("/d2l/api/lp/%s/" % lp in r["path"] for r in emu.requests() if r["path"].startswith("/d2l/api/lp/"))


@pytest.mark.parametrize("codes", ["reserved", "free"])
def test_removal_and_restore_work_whether_a_recycled_code_stays_reserved_or_not(emu, playbook, tmp_path, codes):
    """Nothing says whether a recycled org unit keeps its code. Reserved (the emulator's default):
    a new offering with that code is refused, and the module says what holds it and how to restore
    it. Free: the new offering is made, and the recycled one, whose code is now taken, cannot be
    restored: restore: true finds the live one and leaves the recycle bin alone."""
    emu.call("POST", "/_emulator/config", {"recycled_codes": codes})
    result = playbook(play(tmp_path, """
    - name: A template
      d2l.brightspace.d2l_course_template: {code: IT-RB-TPL, name: Recycle template}
    - name: An offering
      d2l.brightspace.d2l_course: &offering {code: IT-RB-1, name: Recycle 1, template: IT-RB-TPL}
      register: first
    - name: Removed, to the recycle bin
      d2l.brightspace.d2l_course: {code: IT-RB-1, state: absent}
    - name: Another offering with its code
      d2l.brightspace.d2l_course: *offering
      register: second
      ignore_errors: true
    - name: Restore by code
      d2l.brightspace.d2l_course: {code: IT-RB-1, restore: true}
      register: restored
    - name: What each reading gives
      ansible.builtin.assert:
        that:
          - first is changed and first.created
          - >-
            (second is failed and 'the recycle bin holds course offering ' ~ first.course.id ~ ' with this code'
            in second.msg and restored.restored and restored.course.id == first.course.id)
            if '%(codes)s' == 'reserved' else
            (second is changed and second.created and second.course.id != first.course.id
            and restored is not changed and restored.restored is not defined and restored.course.id == second.course.id)
""" % {"codes": codes}))
    assert result.returncode == 0, result.output
    live = [u for u in emu.state()["course_offerings"] if u["Code"] == "IT-RB-1" and not u.get("Recycled")]
    assert len(live) == 1
