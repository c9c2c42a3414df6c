# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Role permissions, as the reference pages name them, through real playbooks.

Every one of the 15 modules is run by a caller whose role lacks the permission the module needs
(the emulator's seeded Instructor, user 104, and Student, user 105, or a role set up with the
control API: tests/emulator/README.md "Roles and permissions"). Each must fail cleanly: failed,
no traceback, a message naming the method, the route, the status (403, or the Learning
Repository's ERROR) and the permission: the service's words, plus the collection's
`` (this needs the role permission to <permission as the page words it>, <page>)`` wherever the
page names one for that route (plugins/module_utils/permissions.py). A module whose routes the
pages name no permission for (whoami, the org structure, course reads) is refused with the
service's own 403 (the token's scope) and must not get that sentence. Nothing is written: the
emulator's state is the same before and after, and every write request in its log was refused.

Also: objects hidden from search stay out of a search by a caller without See All Hidden Objects,
and d2l_lr_object must converge on such an object it published; ePortfolio export of objects the
caller does not own, and import into other users without the right to, are the page's 403, not
a silent skip. The refusals run in one playbook (every task ``ignore_errors``), the tasks that
write before they are refused in a second one, the hidden object in three short runs.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
import uuid
import zipfile

import pytest
import yaml

from conftest import ROOT, playbook_runner

PACKAGES = ROOT / "tests" / "fixtures" / "packages"
SCORM = str(PACKAGES / "singlesco_scorm12.zip")
COURSE_PACKAGE = str(PACKAGES / "d2l-course-package.zip")
LP, EP, LR = "/d2l/api/lp/1.47", "/d2l/api/eP/2.5", "/d2l/api/lr/1.3"
ADMIN, INSTRUCTOR, STUDENT = "3", "104", "105"
HINT = " (this needs the role permission to %s, %s)"
ANY_HINT = "(this needs the role permission to"
SEEDED_QUIZ = 1001
TEMPLATE, COURSE_A, COURSE_B = "IT-PERM-TPL", "IT-PERM-A", "IT-PERM-B"


class Api:
    """The emulator's REST API as the demo administrator, and its control API."""

    def __init__(self, emulator):
        self.emulator = emulator

    def call(self, method, path, body=None, token="demo-token"):
        data = json.dumps(body).encode() if body is not None else b"" if method in ("POST", "PUT") else None
        request = urllib.request.Request(self.emulator.url + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def mint(self, user, scope="core:*:*"):
        return self.emulator.call("POST", "/_emulator/tokens", {"user": user, "scope": scope,
                                                                "lifetime": None})["access_token"]

    def link(self, name, token="demo-token"):
        return self.call("POST", EP + "/artifacts/link/new", {
            "ObjectId": 0, "Name": name, "Description": "", "AllowComments": True, "GeoTag": None,
            "Url": "https://example.com/"}, token)["ObjectId"]

    def role(self, role_id, *granted, user=None):
        names = list(self.emulator.call("GET", "/_emulator/roles")["permissions"])
        self.emulator.call("PUT", "/_emulator/roles/%d" % role_id, {
            "name": "IT role %d" % role_id, "permissions": dict((n, n in granted) for n in names)})
        if user is not None:
            self.emulator.call("PUT", "/_emulator/users/%s" % user, {"role": role_id})

    def trusts(self, repository, role_id, **trusts):
        self.emulator.call("PUT", "/_emulator/lr/trusts/%d/6606/%d" % (repository, role_id), {"trusts": trusts})

    def written(self):
        """What a refused module must leave as it was."""
        state = self.emulator.state()
        return {"org_units": state["org_units"], "jobs": [(j["kind"], j["id"]) for j in state["jobs"]],
                "eportfolio": state["eportfolio"]["objects"],
                "lr": [(o["IdentId"], len(o["Versions"])) for o in state["lr"]["objects"]],
                "course_content": state["course_content"]}


def ep_package(path):
    """An ePortfolio package: the emulator takes any zip of XML files."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("reflection.xml", "<reflection>Permissions</reflection>")
    return str(path)


class Case:
    """One module run by a caller without the permission it needs, and what its message names."""

    def __init__(self, name, module, args, token, method, route, says, hint=None, marks=(), cache=None):
        self.name, self.module, self.args, self.token = name, module, args, token
        self.method, self.route, self.says, self.hint, self.marks = method, route, says, hint, marks
        self.cache = cache  # the token cache (and the discovery and id caches beside it): the case's own
        self.check_mode = False


def refusal_cases(w):
    """``w``: the world (tokens, ids, paths). ``hint``: (permission, page) of the collection's
    sentence, or None where the page names no permission (then no such sentence may appear)."""
    lr_page, courses = "the Learning Repository objects reference page", "the Courses reference page"
    ep, art = "the ePortfolio import and export reference page", "the ePortfolio artifacts reference page"
    return [
        # no page names a permission: the service's own 403 (the token's scope)
        Case("api_info_whoami", "d2l_api_info", {"whoami": True}, w["course_read"], "GET", r"/users/whoami$",
             ["403", "users:profile:read"]),
        Case("org_unit_create", "d2l_org_unit", {"code": "IT-PERM-SEM", "type": "Semester", "name": "IT semester"},
             w["no_orgunit_create"], "POST", r"/orgstructure/$", ["403", "organizations:organization:create"]),
        Case("course_info_read", "d2l_course_info", {"id": w["course_a"]}, w["course_create"], "GET",
             r"/courses/%s$" % w["course_a"], ["403", "orgunits:course:read"]),
        # the Courses reference page
        Case("course_create", "d2l_course", {"code": "IT-PERM-NEW", "name": "IT new", "template": TEMPLATE},
             w[STUDENT], "POST", r"/lp/[^/]+/courses/$", ["403", "No permission to manage or create courses."],
             ("manage or create courses", courses)),
        # a catalog's item: the same refusal as its module's, named after its item
        Case("catalog_create", "d2l_catalog",
             {"offerings": [{"code": "IT-PERM-CAT", "name": "IT catalog", "template": TEMPLATE}], "concurrency": 1},
             w[STUDENT], "POST", r"/lp/[^/]+/courses/$",
             ["403", "No permission to manage or create courses.", "course offering IT-PERM-CAT (offerings[0])"],
             ("manage or create courses", courses)),
        Case("course_update", "d2l_course", {"code": COURSE_A, "name": "IT renamed"}, w[INSTRUCTOR], "PUT",
             r"/courses/%s$" % w["course_a"], ["403", "No permission to manage or create courses."]),
        # removal through the recycle bin: the emulator guards it as DELETE courses/(id), its equivalent
        Case("course_delete", "d2l_course", {"code": COURSE_A, "state": "absent"}, w[INSTRUCTOR], "POST",
             r"/orgstructure/recyclebin/%s/recycle$" % w["course_a"],
             ["403", "No permission to manage or create courses."]),
        Case("course_template_create", "d2l_course_template", {"code": "IT-PERM-TPL2", "name": "IT template"},
             w[INSTRUCTOR], "POST", r"/coursetemplates/$",
             ["403", "No permission to manage or create courses and templates."],
             ("manage or create courses and templates", courses)),
        Case("copy_job_create", "d2l_copy_job", {"source": COURSE_A, "target": COURSE_B, "poll_interval": 0.2},
             w[STUDENT], "POST", r"/import/%s/copy/$" % w["course_b"],
             ["403", "No permission to create course copy job request."],
             ("create course copy job requests", courses)),
        Case("course_import_create", "d2l_course_import",
             {"target": COURSE_B, "src": COURSE_PACKAGE, "poll_interval": 0.2},
             w[STUDENT], "POST", r"/import/%s/imports/$" % w["course_b"],
             ["403", "No permission to create course import job request."]),
        # the ePortfolio artifacts reference page: another user's artifact
        Case("artifact_update_other", "d2l_artifact", {"kind": "link", "object_id": w["admin_link"],
                                                       "name": "IT taken", "url": "https://example.com/x"},
             w[STUDENT], "GET", r"/artifact/link/%s$" % w["admin_link"], ["403", "No permission to see artifact"],
             ("see the artifact", art)),
        Case("artifact_delete_other", "d2l_artifact", {"kind": "link", "object_id": w["admin_link"],
                                                       "state": "absent"},
             w[STUDENT], "GET", r"/artifact/link/%s$" % w["admin_link"], ["403", "No permission to see artifact"],
             ("see the artifact", art)),
        Case("artifact_info_other", "d2l_artifact_info", {"object_id": w["admin_link"]}, w[STUDENT], "GET",
             r"/artifact/%s$" % w["admin_link"], ["403", "No permission to see artifact"], ("see the artifact", art)),
        # the ePortfolio import and export reference page
        Case("ep_export_not_owned", "d2l_ep_export", {"object_ids": [w["admin_link"]], "dest": w["dest"] + "-1.zip",
                                                      "poll_interval": 0.2},
             w[STUDENT], "POST", r"/export/new$", ["403", "No permission to export identified EP objects."],
             ("export the identified ePortfolio objects", ep)),
        Case("ep_export_partly_owned", "d2l_ep_export", {"object_ids": [w["admin_link"], w["student_link"]],
                                                         "dest": w["dest"] + "-2.zip", "poll_interval": 0.2},
             "demo-token", "POST", r"/export/new$", ["403", "No permission to export identified EP objects.",
                                                     str(w["student_link"])],
             ("export the identified ePortfolio objects", ep)),
        Case("ep_export_all", "d2l_ep_export", {"all": True, "dest": w["dest"] + "-3.zip", "poll_interval": 0.2},
             w["no_own_export"], "POST", r"/export/new/all$",
             ["403", "No permission to export EP objects for current user."],
             ("export the current user's ePortfolio objects", ep)),
        Case("ep_import", "d2l_ep_import", {"src": w["package"], "poll_interval": 0.2}, w[STUDENT], "POST",
             r"/import/new$", ["403", "No permission to import EP objects."],
             ("import ePortfolio objects (into other users: for them)", ep)),
        Case("ep_import_other_users", "d2l_ep_import", {"src": w["package"], "target_users": [101],
                                                        "poll_interval": 0.2},
             w[INSTRUCTOR], "POST", r"/import/new$", ["403", "No permission to import EP objects.", "101"],
             ("import ePortfolio objects (into other users: for them)", ep)),
        Case("ep_import_other_users_details", "d2l_ep_import", {"src": w["package"], "target_users": [104, 102],
                                                                "details": True, "poll_interval": 0.2},
             w[INSTRUCTOR], "POST", r"/import/newwithdetails$", ["403", "No permission to import EP objects.", "102"],
             ("import ePortfolio objects (into other users: for them)", ep)),
        # the Learning Repository objects reference page: HTTP 200, ERROR, "No permission to ..."
        Case("lr_object_publish", "d2l_lr_object", {"repository": 1, "title": "IT perm student", "src": SCORM},
             w[STUDENT], "PUT", r"/lr/[^/]+/objects/$",
             ["ERROR", "No permission to Publish to the LOR in repository 1", "Student (110)"],
             ("Publish to the LOR", lr_page)),
        Case("lr_object_properties_other", "d2l_lr_object", {"repository": 1, "object_id": SEEDED_QUIZ,
                                                             "description": "IT taken"},
             w[INSTRUCTOR], "POST", r"/objects/%d/properties/$" % SEEDED_QUIZ,
             ["ERROR", "No permission to Manage All Objects in the LOR"],
             ("Manage My Objects (your own) or Manage All Objects in the LOR", lr_page)),
        Case("lr_object_delete_other", "d2l_lr_object", {"repository": 1, "object_id": SEEDED_QUIZ,
                                                         "state": "absent"},
             w[INSTRUCTOR], "POST", r"/objects/%d/delete/$" % SEEDED_QUIZ,
             ["ERROR", "No permission to Manage All Objects in the LOR"]),
        Case("lr_object_info_link", "d2l_lr_object_info", {"object_id": SEEDED_QUIZ, "link": True}, w[INSTRUCTOR],
             "GET", r"/objects/%d/link/$" % SEEDED_QUIZ, ["ERROR", "No permission to Create Links"],
             ("Create Links to Objects in the LOR", lr_page)),
        Case("lr_object_info_metadata", "d2l_lr_object_info", {"object_id": SEEDED_QUIZ, "version": 1,
                                                               "metadata": True},
             w[STUDENT], "GET", r"/objects/%d/1/metadata/$" % SEEDED_QUIZ, ["ERROR", "No permission to View Metadata"],
             ("View Metadata on the object's repository", lr_page)),
        Case("lr_download", "d2l_lr_download", {"object_id": SEEDED_QUIZ, "dest": w["dest"] + "-quiz.zip"},
             w[STUDENT], "GET", r"/objects/%d/download/$" % SEEDED_QUIZ,
             ["ERROR", "No permission to Retrieve Objects from the LOR"], ("Retrieve Objects from the LOR", lr_page)),
        Case("lr_repository_info", "d2l_lr_repository_info", {}, w[STUDENT], "GET", r"/repositories/all/$",
             ["ERROR", "No permission to Publish to the LOR"], ("Publish to the LOR", lr_page)),
        Case("lr_repository_info_of_type", "d2l_lr_repository_info", {"type": "Local"}, w[STUDENT], "GET",
             r"/repositories/Local/$", ["ERROR", "No permission to Publish to the LOR"],
             ("Publish to the LOR", lr_page)),
    ]


# cases whose module writes before it is refused: (name, module, args, token, method, route, says, hint)
def status_cases(w):
    return [
        Case("copy_job_status", "d2l_copy_job", {"source": COURSE_A, "target": COURSE_B, "poll_interval": 0.2},
             w["no_copy_status"], "GET", r"/import/%s/copy/[^/]+$" % w["course_b"],
             ["403", "No permission to retrieve status of copy job."],
             ("retrieve the status of copy jobs", "the Courses reference page")),
        Case("course_import_status", "d2l_course_import", {"target": COURSE_B, "src": COURSE_PACKAGE,
                                                           "poll_interval": 0.2},
             w["no_import_status"], "GET", r"/import/%s/imports/[^/]+$" % w["course_b"],
             ["403", "No permission to retrieve status of import job."],
             ("retrieve the status of import jobs", "the Courses reference page")),
        Case("ep_export_status", "d2l_ep_export", {"all": True, "dest": w["dest"] + "-s.zip", "poll_interval": 0.2},
             w["no_export_status"], "GET", r"/export/\d+/status$",
             ["403", "No permission to see status of export task."],
             ("see the export task", "the ePortfolio import and export reference page")),
        Case("ep_import_own_status", "d2l_ep_import", {"src": w["package"], "poll_interval": 0.2},
             w["no_import_status_ep"], "GET", r"/import/\d+/status$",
             ["403", "No permission to see status of import task."],
             ("see the import task", "the ePortfolio import and export reference page")),
    ]


def play(cases, out, name):
    tasks = []
    for case in cases:
        args = dict(case.args)
        args.update({"access_token": case.token, "token_cache": case.cache})
        task = {"name": case.name, "d2l.brightspace.%s" % case.module: args, "register": "r_" + case.name,
                "ignore_errors": True}
        if case.check_mode:
            task["check_mode"] = True
        tasks.append(task)
    results = "{{ {%s} | to_json }}" % ", ".join("'%s': r_%s" % (c.name, c.name) for c in cases)
    tasks.append({"name": "Keep the results", "ansible.builtin.copy": {"content": results, "dest": out,
                                                                       "mode": "0600"}})
    return yaml.safe_dump([{"name": name, "hosts": "localhost", "gather_facts": False,
                            "module_defaults": {"group/d2l.brightspace.brightspace": {
                                "brightspace_url": "{{ brightspace_url }}"}},
                            "tasks": tasks}], sort_keys=False)


def run_cases(world, cases, label):
    out = os.path.join(world["tmp"], label + ".json")
    path = os.path.join(world["tmp"], label + ".yml")
    for case in cases:
        case.cache = os.path.join(world["tmp"], "caches", case.cache or case.name, "tokens.json")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(play(cases, out, "Permissions: " + label))
    result = world["playbook"](path)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output, result.output
    with open(out, encoding="utf-8") as handle:
        return json.load(handle), result.output


@pytest.fixture(scope="module")
def world(emulator, tmp_path_factory):
    if not emulator.control:
        pytest.skip("needs the emulator's control API, roles and request log")
    emulator.reset()
    api = Api(emulator)
    tmp = str(tmp_path_factory.mktemp("permissions"))
    template = api.call("POST", LP + "/coursetemplates/", {"Name": "IT perm template", "Code": TEMPLATE,
                                                           "Path": "", "ParentOrgUnitIds": [6606]})
    courses = {}
    for code in (COURSE_A, COURSE_B):
        courses[code] = api.call("POST", LP + "/courses/", {
            "Name": "IT " + code, "Code": code, "Path": "", "CourseTemplateId": int(template["Identifier"]),
            "SemesterId": None, "StartDate": None, "EndDate": None, "LocaleId": None, "ForceLocale": False,
            "ShowAddressBook": False})["Identifier"]
    w = {"tmp": tmp, "api": api, "emulator": emulator, "course_a": courses[COURSE_A],
         "course_b": courses[COURSE_B], "dest": os.path.join(tmp, "out", "export"),
         "package": ep_package(os.path.join(tmp, "portfolio.zip"))}
    os.makedirs(os.path.join(tmp, "out"))
    for user in (INSTRUCTOR, STUDENT):
        w[user] = api.mint(user)
    w["admin_link"] = api.link("IT admin link")
    w["student_link"] = api.link("IT student link", w[STUDENT])
    # tokens for the service's own 403 (scopes), for routes no page names a permission for
    w["course_read"] = api.mint(ADMIN, "orgunits:course:read")
    w["course_create"] = api.mint(ADMIN, "orgunits:course:create organizations:organization:read")
    from brightspace_emulator.scopes import TABLE_SCOPES  # pylint: disable=import-outside-toplevel
    w["no_orgunit_create"] = api.mint(ADMIN, " ".join(s for s in TABLE_SCOPES
                                                      if s != "organizations:organization:create"))
    # roles of their own (users 101 and 102 are Administrators in the seeds)
    api.role(201, "export identified EP objects", "see status of export task", user="102")
    w["no_own_export"] = api.mint("102")
    # the Student may not retrieve from repository 1 (its seeded trusts would allow it)
    api.trusts(1, 110, RetrieveFromLor=False)
    yield w
    emulator.reset()  # the next test file finds the seeds only


@pytest.fixture(scope="module")
def refusals(world, emulator, collections_path, tmp_path_factory):
    """Every refusal case in one playbook; the state and the log before and after."""
    log_start = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    before = world["api"].written()
    world["playbook"] = playbook_runner(emulator, collections_path, tmp_path_factory.mktemp("refusals-run"))
    cases = refusal_cases(world)
    # the org unit types come from an earlier run (discovery cache), so the scope-limited token
    # meets the write: an administrator's check-mode run warms the cache of that case
    warm = Case("warm_org_unit_cache", "d2l_org_unit",
                {"code": "IT-PERM-SEM", "type": "Semester", "name": "IT semester"}, "demo-token", "", "", [],
                cache="org_unit_create")
    warm.check_mode = True
    # and what no page guards, a Student may: read a course (its code, with the org structure)
    reads = Case("student_reads_course", "d2l_course_info", {"code": COURSE_A}, world[STUDENT], "", "", [])
    results, output = run_cases(world, [warm] + cases + [reads], "refusals")
    assert results["warm_org_unit_cache"].get("failed") is not True, results["warm_org_unit_cache"]
    return {"cases": dict((c.name, c) for c in cases), "results": results, "output": output,
            "before": before, "after": world["api"].written(),
            "log": emulator.call("GET", "/_emulator/requests?since=%d" % log_start)["requests"]}


def check_refusal(case, result):
    """The module's answer to a caller without the permission: what is wrong (empty: nothing)."""
    found = []
    if not result.get("failed"):
        return ["did not fail: %r" % result]
    # ansible-core records "(traceback unavailable)" for every fail_json: only a real traceback counts
    exception = result.get("exception") or ""
    if "Traceback" in exception or result.get("module_stderr"):
        found.append("an exception: %r" % (exception or result.get("module_stderr")))
    msg = result.get("msg") or ""
    if "Traceback" in msg or re.search(r"\b(KeyError|TypeError|ValueError|AttributeError)\b", msg):
        found.append("an exception in the message: %r" % msg)
    head = re.match(r"^(?:[^:]*: )?(GET|POST|PUT|DELETE) (/d2l/\S+) failed: ", msg)
    if not head:
        found.append("the message does not start with 'METHOD ROUTE failed:': %r" % msg)
    else:
        if head.group(1) != case.method:
            found.append("method %s, expected %s: %r" % (head.group(1), case.method, msg))
        if not re.search(case.route, head.group(2)):
            found.append("route %s does not match %s: %r" % (head.group(2), case.route, msg))
    for words in case.says:
        if words not in msg:
            found.append("the message does not say %r: %r" % (words, msg))
    if case.hint is not None:
        if HINT % case.hint not in msg:
            found.append("no %r: %r" % (HINT % case.hint, msg))
    elif ANY_HINT in msg:
        found.append("a role-permission sentence, although the page names no permission for this route: %r" % msg)
    return found


REFUSALS = [pytest.param(c.name, id=c.name, marks=c.marks) for c in refusal_cases(dict(
    (k, "0") for k in ("course_a", "course_b", "admin_link", "student_link", "dest", "package", "course_read",
                       "course_create", "no_orgunit_create", "no_own_export", INSTRUCTOR, STUDENT)))]


@pytest.mark.parametrize("name", REFUSALS)
def test_refused_cleanly(refusals, name):
    case, result = refusals["cases"][name], refusals["results"][name]
    found = check_refusal(case, result)
    assert not found, "%s (%s):\n%s" % (name, case.module, "\n".join(found))


def test_every_module_is_refused(refusals):
    modules = sorted(f[:-3] for f in os.listdir(ROOT / "plugins" / "modules") if f.startswith("d2l_"))
    assert len(modules) == 16
    assert sorted({c.module for c in refusals["cases"].values()}) == modules


def test_nothing_was_written(refusals, world):
    assert refusals["after"] == refusals["before"]
    writes = [r for r in refusals["log"] if r["method"] not in ("GET", "HEAD")]
    assert writes, "no write was even tried"
    lr_writes = [r for r in writes if r["path"].startswith("/d2l/api/lr/")]
    others = [r for r in writes if not r["path"].startswith("/d2l/api/lr/")]
    # every write outside the LR was refused with 403 (the LR's ERROR is HTTP 200, its state unchanged)
    assert all(r["status"] == 403 for r in others), [(r["method"], r["path"], r["status"]) for r in others]
    assert lr_writes and {r["status"] for r in lr_writes} == {200}
    outputs = os.listdir(os.path.dirname(world["dest"]))
    assert outputs == [], outputs  # no export, no download left a file


def test_reads_stay_open_to_every_role(world, refusals):
    """A Student reads courses (no page names a permission for the reads) and searches the LR."""
    read = refusals["results"]["student_reads_course"]
    assert not read.get("failed"), read
    assert [c["code"] for c in read["courses"]] == [COURSE_A], read
    found = world["api"].call("GET", LR + "/objects/search/?query=&offset=0&count=10&repositories=1",
                              token=world[STUDENT])
    assert found["ExecutionStatus"] == 0 and found["TotalResults"] >= 1


# --- writes before the refusal: the job or task is started, its status refused -------------------
@pytest.fixture(scope="module")
def status_refusals(world, refusals, emulator):
    api = world["api"]
    api.role(202, "create course copy job request", user="103")
    world["no_copy_status"] = api.mint("103")
    api.role(203, "create course import job request", user="101")
    world["no_import_status"] = api.mint("101")
    api.role(204, "export EP objects for current user", user=STUDENT)
    world["no_export_status"] = api.mint(STUDENT)
    api.role(205, "import EP objects", user=INSTRUCTOR)
    world["no_import_status_ep"] = api.mint(INSTRUCTOR)
    before = len(emulator.state()["jobs"])
    cases = status_cases(world)
    results, _output = run_cases(world, cases, "status-refusals")
    jobs = emulator.state()["jobs"][before:]
    return {"cases": dict((c.name, c) for c in cases), "results": results, "jobs": jobs}


@pytest.mark.parametrize("name", [pytest.param(c.name, id=c.name, marks=c.marks) for c in status_cases(
    dict((k, "0") for k in ("course_b", "dest", "package", "no_copy_status", "no_import_status",
                            "no_export_status", "no_import_status_ep")))])
def test_status_refused_cleanly(status_refusals, name):
    case, result = status_refusals["cases"][name], status_refusals["results"][name]
    found = check_refusal(case, result)
    assert not found, "%s (%s):\n%s" % (name, case.module, "\n".join(found))


def test_each_job_was_started_once(status_refusals):
    kinds = sorted(j["kind"] for j in status_refusals["jobs"])
    assert kinds == ["copy", "ep-export", "ep-import", "import"], kinds


# --- objects hidden from search -------------------------------------------------------------------
HIDDEN_PLAY = """
- name: An Instructor publishes into the archive, whose defaults hide new objects from search
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Publish
      d2l.brightspace.d2l_lr_object:
        brightspace_url: "{{ brightspace_url }}"
        access_token: "{{ token }}"
        token_cache: "{{ cache }}"
        repository: 4
        title: IT hidden golf
        description: Hidden from search
        src: "{{ src }}"
      register: published
    - name: Search as the Instructor, who lacks See All Hidden Objects
      d2l.brightspace.d2l_lr_object_info:
        brightspace_url: "{{ brightspace_url }}"
        access_token: "{{ token }}"
        token_cache: "{{ cache }}"
        query: 'dc.title == "IT hidden golf"'
        repositories: [4]
      register: searched
    - name: Search as the administrator
      d2l.brightspace.d2l_lr_object_info:
        brightspace_url: "{{ brightspace_url }}"
        query: 'dc.title == "IT hidden golf"'
        repositories: [4]
      register: admin_searched
    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'published': published, 'searched': searched, 'admin_searched': admin_searched} | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


@pytest.fixture(scope="module")
def hidden(world, status_refusals, emulator):
    """Run 1 publishes; run 2 again from the same controller (its caches); run 3 from a fresh one."""
    api = world["api"]
    api.emulator.call("PUT", "/_emulator/users/%s" % INSTRUCTOR, {"role": 109})  # the seeded Instructor
    token = api.mint(INSTRUCTOR)
    path = os.path.join(world["tmp"], "hidden.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HIDDEN_PLAY)
    runs = []
    for label, cache in (("first", "a"), ("same controller", "a"), ("fresh controller", "b")):
        out = os.path.join(world["tmp"], "hidden-%s.json" % uuid.uuid4().hex)
        result = world["playbook"](path, extra_vars={
            "token": token, "cache": os.path.join(world["tmp"], "hidden-cache-" + cache, "tokens.json"),
            "src": SCORM, "out": out})
        assert result.returncode == 0 and "Traceback" not in result.output, (label, result.output)
        with open(out, encoding="utf-8") as handle:
            runs.append(json.load(handle))
        runs[-1]["objects"] = [o for o in emulator.call("GET", "/_emulator/lr/objects")
                               if o["Versions"][-1]["Title"] == "IT hidden golf"]
    return runs


def test_hidden_objects_stay_out_of_search(hidden):
    first = hidden[0]
    assert first["published"]["changed"] and first["published"]["object"]["hidden_from_search"] is True
    assert first["searched"]["objects"] == [] and first["searched"]["total"] == 0
    assert [o["id"] for o in first["admin_searched"]["objects"]] == [first["published"]["object"]["id"]]


def test_hidden_object_converges_on_a_rerun(hidden):
    """The same controller (its ids.json remembers the object): the second run changes nothing."""
    first, again = hidden[0], hidden[1]
    assert not again["published"]["changed"], again["published"]
    assert again["published"]["object"]["id"] == first["published"]["object"]["id"]
    assert len(again["objects"]) == 1, again["objects"]


@pytest.mark.xfail(strict=True, reason=(
    "d2l_lr_object finds an object by its title through objects/search/, which leaves out objects hidden "
    "from search for a caller without See All Hidden Objects: from a controller without the ids cache "
    "(another machine, an AWX job, a cleared cache) the re-run does not see the hidden object it published "
    "and publishes a duplicate (module side: plugins/module_utils/lr/objects.py LrObjectResource.find)"))
def test_hidden_object_converges_from_a_fresh_controller(hidden):
    first, fresh = hidden[0], hidden[2]
    assert len(fresh["objects"]) == 1, "a duplicate was published: %r" % [o["IdentId"] for o in fresh["objects"]]
    assert not fresh["published"]["changed"]
    assert fresh["published"]["object"]["id"] == first["published"]["object"]["id"]
