# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The planner: ``Ensure.plan()`` reads and decides (a ``Plan``), ``apply(plan)`` writes; related
reads come with what was found; an expensive comparison runs only after the cheap ones."""

from __future__ import annotations

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.ensure import Ensure, Plan, Resource
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError

from test_module import NORMAL, RAW, FakeCourse, FakeModule, writes


@pytest.mark.parametrize("given, existing, action, changes", [
    (dict(code="BIO-101", name="Biology", template=6606), None, "create", {}),
    (dict(code="BIO-101", name="Biology", template=6606), RAW, "nothing", {}),
    (dict(code="BIO-101", name="Biology II"), RAW, "update", {"name": "Biology II"}),
    (dict(code="BIO-101", state="absent"), RAW, "delete", {}),
    (dict(code="BIO-101", state="absent"), None, "nothing", {}),
])
def test_a_plan_reads_and_decides_without_writing(given, existing, action, changes):
    module = FakeModule(**given)
    resource = FakeCourse(module, existing=dict(existing) if existing else None)
    plan = Ensure(module, resource).plan()
    assert isinstance(plan, Plan)
    assert (plan.action, plan.changes, plan.changed) == (action, changes, action != "nothing")
    assert writes(resource) == []
    assert plan.before == (dict(NORMAL) if existing else None)


def test_a_plan_applied_gives_the_result_run_gives():
    module = FakeModule(code="BIO-101", name="Biology II")
    resource = FakeCourse(module, existing=dict(RAW))
    ensure = Ensure(module, resource)
    plan = ensure.plan()
    assert plan.after == dict(NORMAL, name="Biology II")
    result = ensure.apply(plan)
    assert result == {"changed": True, "created": False, "course": dict(NORMAL, name="Biology II")}
    assert writes(resource) == [("update", {"name": "Biology II"})]


def test_a_create_plan_predicts_its_state_only_in_check_mode():
    given = dict(code="BIO-101", name="Biology", template=6606)
    assert Ensure(FakeModule(**given), FakeCourse(FakeModule(**given))).plan().after is None
    module = FakeModule(check_mode=True, **given)
    assert Ensure(module, FakeCourse(module)).plan().after["name"] == "Biology"


def test_a_plan_refuses_what_cannot_be_done_before_any_write():
    module = FakeModule(code="BIO-101", template=7000)
    resource = FakeCourse(module, existing=dict(RAW))
    with pytest.raises(ValidationError, match="template cannot change from 6606 to 7000"):
        Ensure(module, resource).plan()
    module = FakeModule(code="BIO-101", name="Biology")
    with pytest.raises(ValidationError, match="to create it, give template"):
        Ensure(module, FakeCourse(module)).plan()


class Observed(Resource):
    """A resource with related reads and one expensive option; records the order of its hooks."""

    label = "thing"
    result_key = "thing"
    key = "code"
    compare = ("name", "content")
    expensive = ("content",)

    def __init__(self, module, content="old"):
        super().__init__(module)
        self.calls = []
        self.content = content

    def desired(self):
        return self.module.given("name", "content")

    def find(self):
        self.calls.append("find")
        return {"Code": "X", "Name": "x"}

    def related(self, raw):
        self.calls.append("related")
        return {"tags": ["a"]}

    def normalize(self, raw, related):
        self.calls.append("normalize")
        return {"code": raw["Code"], "name": raw["Name"], "tags": related["tags"]}

    def same(self, name, before, wanted, related):
        self.calls.append("same %s" % name)
        return super().same(name, before, wanted, related)

    def observe(self, name, before, raw, related):
        self.calls.append("observe %s" % name)
        return self.content

    def update(self, raw, changes, desired, related):
        self.calls.append("update")
        return dict(raw, Name=changes.get("name", raw["Name"])), related


class Given(FakeModule):
    def given(self, *names):
        return dict((name, self.params[name]) for name in names if self.params.get(name) is not None)


def test_related_reads_come_with_what_was_found_and_the_expensive_comparison_comes_last():
    module = Given(code="X", name="y", content="new")
    resource = Observed(module)
    plan = Ensure(module, resource).plan()
    assert resource.calls == ["find", "related", "normalize", "same name", "observe content", "same content"]
    assert plan.before == {"code": "X", "name": "x", "tags": ["a"], "content": "old"}
    assert plan.changes == {"name": "y", "content": "new"}


def test_an_expensive_option_not_given_is_never_observed():
    module = Given(code="X", name="x")
    resource = Observed(module)
    assert Ensure(module, resource).plan().action == "nothing"
    assert "observe content" not in resource.calls


def test_an_observed_value_is_kept_in_the_result_after_an_update():
    module = Given(code="X", name="y", content="old")
    resource = Observed(module)
    result = Ensure(module, resource).run()
    assert result["thing"] == {"code": "X", "name": "y", "tags": ["a"], "content": "old"}
