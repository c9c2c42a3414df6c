# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The value rules every module declares (``BrightspaceModule`` ``ids``, ``non_empty``,
``non_negative``, and no list or dict for a string): each fails before any request."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.connection import MAX_SECONDS, seconds_problem
from ansible_collections.d2l.brightspace.plugins.module_utils.rules import value_problems
from ansible_collections.d2l.brightspace.plugins.modules import (
    d2l_artifact, d2l_copy_job, d2l_course, d2l_course_import, d2l_course_info, d2l_course_template, d2l_ep_export, d2l_lr_object,
    d2l_lr_object_info, d2l_lr_repository_info, d2l_org_unit)

from d2l_unit_helpers import BASE, run_module

SPEC = dict(name=dict(type="str"), tags=dict(type="list", elements="str"), ref=dict(type="raw"),
            refs=dict(type="list", elements="raw"), count=dict(type="int"), secret=dict(type="str", no_log=True))


@pytest.mark.parametrize("given, rules, problems", [
    (dict(name=["a"]), {}, ["name must be a string, got a list: ['a']"]),
    (dict(name={"a": 1}), {}, ["name must be a string, got a dict: {'a': 1}"]),
    (dict(tags=["a", {"b": 1}]), {}, ["tags must be a list of strings, got a list with a list or dict in it: ['a', {'b': 1}]"]),
    (dict(secret=["hunter2"]), {}, ["secret must be a string, got a list"]),
    (dict(ref=0), dict(ids=("ref",)), ["ref must be a positive id, got 0"]),
    (dict(ref=[1]), dict(ids=("ref",)), ["ref must be an id (a positive integer) or a code or name (a string), got [1]"]),
    (dict(ref=True), dict(ids=("ref",)), ["ref must be an id (a positive integer) or a code or name (a string), got True"]),
    (dict(ref=" "), dict(ids=("ref",)), ["ref must not be empty"]),
    (dict(refs=[3, -1, 0]), dict(ids=("refs",)), ["refs must be a positive id, got -1"]),
    (dict(refs=["CODE", 1.5]), dict(ids=("refs",)), ["refs must be an id (a positive integer) or a code or name (a string), got 1.5"]),
    (dict(name=""), dict(non_empty=("name",)), ["name must not be empty"]),
    (dict(count=-2), dict(non_negative=("count",)), ["count must not be negative, got -2"]),
    (dict(count=1023), dict(minimums={"count": (1024, "bytes")}), ["count must be at least 1024 bytes, got 1023"]),
    (dict(ref="A" * 51), dict(codes=("ref",)), ["ref '%s' is 51 characters long; org unit codes are at most 50" % ("A" * 51)]),
    (dict(refs=[6606, "OK", "B#1"]), dict(codes=("refs",)),
     ["refs 'B#1' contains the forbidden character(s) #; org unit codes may not contain any of \\ : * ? \" < > | ' # , % &"]),
])
def test_value_problems(given, rules, problems):
    assert value_problems(SPEC, given, given, **rules) == problems


@pytest.mark.parametrize("given", [
    dict(name="Bio", tags=["a"], ref="CODE", refs=[1, "CODE"], count=0),
    dict(count=1024),
    dict(ref="id:6606", refs=["Sémestre-été_2026"]),
    dict(ref=6606, refs=None, name=None),
    {},
])
def test_valid_values_have_no_problem(given):
    rules = dict(ids=("ref", "refs"), non_empty=("name",), non_negative=("count",), codes=("ref", "refs"),
                 minimums={"count": (0, "items")})
    assert not value_problems(SPEC, given, given, **rules)


def test_a_secret_in_a_list_is_not_echoed(http, args):
    result = run_module(d2l_org_unit.main, args(code="X", type="Semester", access_token=["s3cret-value"]))
    assert result["failed"] is True and result["msg"] == "access_token must be a string, got a list"
    assert "s3cret-value" not in str(result)
    assert not http.calls


def test_a_str_option_keeps_taking_a_number():
    assert not value_problems(SPEC, dict(name=2026), dict(name="2026"))


@pytest.fixture
def args(tmp_path):
    def make(**given):
        values = dict(brightspace_url=BASE, access_token="demo-token", token_cache=str(tmp_path / "tokens.json"))
        values.update(given)
        return values
    return make


@pytest.mark.parametrize("main, given, message", [
    (d2l_org_unit.main, dict(code="2026F", type="Semester", name=["Fall"]), "name must be a string, got a list: ['Fall']"),
    (d2l_org_unit.main, dict(code="2026F", type="Semester", name=""), "name must not be empty"),
    (d2l_org_unit.main, dict(code="2026F", type="Semester", name="Fall", parents=[0]), "parents must be a positive id, got 0"),
    (d2l_org_unit.main, dict(code="2026F", type="Semester", parents=[[6606]]),
     "parents must be an id (a positive integer) or a code or name (a string), got [6606]"),
    (d2l_org_unit.main, dict(code="2026F", type=""), "type must not be empty"),
    (d2l_course_template.main, dict(code="BIO", name="Bio", parent_org_units=[-1]), "parent_org_units must be a positive id, got -1"),
    (d2l_course_template.main, dict(code="BIO", path={"a": 1}), "path must be a string, got a dict: {'a': 1}"),
    (d2l_course.main, dict(code=["BIO101"], name="Bio"), "code must be a string, got a list: ['BIO101']"),
    (d2l_course.main, dict(code="BIO101", name="", template="BIO"), "name must not be empty"),
    (d2l_course.main, dict(code="BIO101", template=0), "template must be a positive id, got 0"),
    (d2l_course.main, dict(code="BIO101", semester=""), "semester must not be empty"),
    (d2l_course.main, dict(code="BIO101", locale_id=-1), "locale_id must not be negative, got -1"),
    (d2l_course.main, dict(code="BIO101", template="T" * 51),
     "template '%s' is 51 characters long; org unit codes are at most 50" % ("T" * 51)),
    (d2l_copy_job.main, dict(source="M:1", target="F"), "source 'M:1' contains the forbidden character(s) :; "
     "org unit codes may not contain any of \\ : * ? \" < > | ' # , % &"),
    (d2l_course_info.main, dict(id=0), "id must be a positive id, got 0"),
    (d2l_course_info.main, dict(limit=-1), "limit must not be negative, got -1"),
    (d2l_copy_job.main, dict(source="M", target="F", wait_timeout=-1), "wait_timeout must not be negative, got -1"),
    (d2l_ep_export.main, dict(all=True, dest="/tmp/x.zip", export_id=0), "export_id must be a positive id, got 0"),
    (d2l_lr_object.main, dict(repository=0, object_id=1001), "repository must be a positive id, got 0"),
    (d2l_lr_object.main, dict(repository=1, title=" "), "title must not be empty"),
    (d2l_lr_object.main, dict(repository=1, title="T", chunk_size=1023), "chunk_size must be at least 1024 bytes, got 1023"),
    (d2l_artifact.main, dict(kind="file", name="A", chunk_size=0), "chunk_size must be at least 1024 bytes, got 0"),
    (d2l_lr_object.main, dict(repository=1, object_id=1001, keywords=[{"a": 1}]),
     "keywords must be a list of strings, got a list with a list or dict in it: [{'a': 1}]"),
    (d2l_lr_object_info.main, dict(query=["x"]), "query must be a string, got a list: ['x']"),
    (d2l_lr_object_info.main, dict(repositories=[0]), "repositories must be a positive id, got 0"),
    (d2l_lr_object_info.main, dict(offset=-1), "offset must not be negative, got -1"),
    (d2l_lr_repository_info.main, dict(org_unit_id=0), "org_unit_id must be a positive id, got 0"),
    (d2l_lr_repository_info.main, dict(repository=[1]),
     "repository must be an id (a positive integer) or a code or name (a string), got [1]"),
    (d2l_lr_repository_info.main, dict(repository=1, roles=[0]), "roles must be a positive id, got 0"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_bad_values_fail_before_any_request(http, args, main, given, message, check_mode):
    result = run_module(main, args(**given), check_mode=check_mode)
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls


@pytest.mark.parametrize("kind", ["Organization", "course offering", "Course Template"])
def test_org_unit_refuses_types_it_does_not_manage(http, args, kind):
    result = run_module(d2l_org_unit.main, args(code="X", type=kind, name="X"))
    assert result["failed"] is True and result["msg"].startswith("type '%s' is not a custom org unit type: " % kind)
    assert not http.calls


# Every option that is a code, or names an org unit by code, refuses a look-alike code before
# any request (orgunits.validate_code, declared as ``codes`` by each module).
CODE_OPTIONS = [
    (d2l_org_unit.main, dict(code="2026F", type="Semester", name="Fall"), "code", False),
    (d2l_org_unit.main, dict(code="2026F", type="Semester", name="Fall"), "parents", True),
    (d2l_course_template.main, dict(code="BIO", name="Bio"), "code", False),
    (d2l_course_template.main, dict(code="BIO", name="Bio"), "parent_org_units", True),
    (d2l_course.main, dict(code="BIO101", name="Bio", template="BIO"), "code", False),
    (d2l_course.main, dict(code="BIO101", name="Bio", template="BIO"), "template", False),
    (d2l_course.main, dict(code="BIO101", name="Bio", template="BIO"), "semester", False),
    (d2l_course_info.main, dict(code="BIO101"), "code", False),
    (d2l_copy_job.main, dict(source="MASTER", target="BIO101"), "source", False),
    (d2l_copy_job.main, dict(source="MASTER", target="BIO101"), "target", False),
    (d2l_course_import.main, dict(target="BIO101", job_token="t-1"), "target", False),
]
LOOK_ALIKES = [
    ("BIO101 ", "must not start or end with whitespace"),
    ("\tBIO101", "must not start or end with whitespace"),
    ("BIO\u200b101", "contains an invisible formatting character U+200B (ZERO WIDTH SPACE)"),
    ("\ufeffBIO101", "contains an invisible formatting character U+FEFF"),
    ("BIO\u202e101", "contains an invisible formatting character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("BIO\u00a0101", "contains the whitespace character U+00A0 (NO-BREAK SPACE)"),
    ("BIO\x1b101", "contains a control character U+001B"),
]


@pytest.mark.parametrize("main, base, option, is_list", CODE_OPTIONS,
                         ids=["%s-%s" % (row[0].__module__.rsplit(".", 1)[-1], row[2]) for row in CODE_OPTIONS])
@pytest.mark.parametrize("code, problem", LOOK_ALIKES, ids=[repr(row[0]) for row in LOOK_ALIKES])
@pytest.mark.parametrize("check_mode", [False, True])
def test_a_look_alike_code_fails_before_any_request(http, args, main, base, option, is_list, code, problem, check_mode):
    given = dict(base)
    given[option] = [6606, code] if is_list else code
    result = run_module(main, args(**given), check_mode=check_mode)
    assert result["failed"] is True
    assert result["msg"].startswith("%s '" % option) and problem in result["msg"], result["msg"]
    assert not http.calls


@pytest.mark.parametrize("given, message", [
    (dict(poll_interval=float("nan")), "poll_interval must be a number, got nan"),
    (dict(poll_interval=float("inf")),
     "poll_interval must be a finite number of seconds of 0 or more and at most 86400 (a day), got inf"),
    (dict(poll_interval=1e12),
     "poll_interval must be a finite number of seconds of 0 or more and at most 86400 (a day), got 1000000000000.0"),
    (dict(wait_timeout=10 ** 400), "wait_timeout must be a finite number of seconds of 0 or more and at most 31622400 "
                                   "(a year), got %d" % 10 ** 400),
    (dict(wait_timeout=-1), "wait_timeout must not be negative, got -1"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_wait_options_a_sleep_cannot_take_fail_before_any_request(http, args, given, message, check_mode):
    """time.sleep(1e12) and float(10 ** 400) overflow: the waiter must never be handed them."""
    result = run_module(d2l_copy_job.main, args(source="MASTER", target="BIO101", **given), check_mode=check_mode)
    assert result["failed"] is True and result["msg"] == message
    assert not http.calls


@pytest.mark.parametrize("name, value", [("poll_interval", 86400.0), ("poll_interval", 0.0), ("wait_timeout", 0),
                                         ("wait_timeout", 366 * 86400), ("poll_interval", None)])
def test_wait_options_up_to_their_bounds_are_taken(name, value):
    assert seconds_problem(value, name, positive=False) is None
    if value == MAX_SECONDS[name]:  # the bound itself is taken, a second more is not
        assert seconds_problem(value + 1, name, positive=False).startswith(name + " must be a finite number")
