# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input, property-based: every module, fed certainly-invalid values, fails cleanly.

Each of the 15 modules runs in-process (its ``main()`` with ``ANSIBLE_MODULE_ARGS``, as
``ansible-playbook`` would run it) against the real emulator process over HTTP. The bad values
come from hypothesis strategies in ``bad_input_cases.py``: wrong types (a list or dict for a
string or an id, text for a number or a boolean), empty and oversized codes, forbidden
characters, unicode inside paths, numbers and choices, paths that do not exist or are
directories, ids that are negative, zero or huge, invalid choices, mutually exclusive options.
Each bad value replaces one option of a valid argument set (checked first: ``test_valid_base``);
hypothesis also chooses check mode or not.

Every example must end with ``failed``, a message naming the offending option and what is wrong,
never the module base's catch-all (``unexpected error: ...``), no traceback or exception repr,
and no write request in the emulator's request log
(``/_emulator/requests``); where the problem can be known locally, no request at all.

The examples are derandomized (the same ones on every run, as CI needs) and few per case
(``BAD_INPUT_EXAMPLES``, default 5; the file takes about 15 s alone, longer on a busy
machine). Explore more with, for example,
``BAD_INPUT_EXAMPLES=50 BAD_INPUT_RANDOM=1 make integration PYTEST_ARGS="-k bad_input"``
(``BAD_INPUT_NO_SHRINK=1`` skips shrinking a failure to its smallest example). A case the
product does not handle yet is a ``KnownIssue`` in ``bad_input_cases.py``: a strict xfail with
the reason and where the fix belongs, so it turns into a failure once fixed.
"""

from __future__ import annotations

import os
import shutil
import zipfile

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from bad_input_cases import Case, KnownIssue, build
from bad_input_helpers import RequestLog, problems, run_in_process

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "packages")
PACKAGE = os.path.abspath(os.path.join(FIXTURES, "d2l-course-package.zip"))
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "5"))
RANDOM = os.environ.get("BAD_INPUT_RANDOM", "") not in ("", "0")

PHASES = [Phase.explicit, Phase.generate] if os.environ.get("BAD_INPUT_NO_SHRINK") else list(Phase)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None, phases=PHASES,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])

# the table is built once with placeholder paths for the parametrisation, then per run with real ones
_LABELS = build("/tmp/x", PACKAGE, "/tmp/x.zip")
CASES = [
    pytest.param(name, index, id="%s-%d" % (name, index),
                 marks=[pytest.mark.xfail(strict=True, reason=case.reason)] if isinstance(case, KnownIssue) else [])
    for name, (base, cases) in sorted(_LABELS.items()) for index, case in enumerate(cases)]


class World:
    """The emulator after setup, a scratch directory and the table of cases for its paths."""

    def __init__(self, emulator, tmp):
        self.emulator = emulator
        self.tmp = str(tmp)
        self.connection = {"brightspace_url": emulator.url, "access_token": "demo-token",
                           "token_cache": os.path.join(self.tmp, "cache", "tokens.json")}
        self.portfolio = os.path.join(self.tmp, "portfolio.zip")
        self.table = build(os.path.join(self.tmp, "scratch"), PACKAGE, self.portfolio)
        os.makedirs(os.path.join(self.tmp, "scratch", "out"))

    def run(self, name, args, check_mode=False):
        full = dict(self.connection)
        full.update(args)
        here = os.getcwd()
        os.chdir(os.path.join(self.tmp, "scratch"))  # a relative path lands here, as in Ansible's temp dir
        try:
            return run_in_process(name, full, check_mode=check_mode)
        finally:
            os.chdir(here)

    def setup(self):
        self.emulator.reset()
        steps = [
            ("d2l_course_template", {"code": "BADIN-TPL", "name": "Bad input template"}),
            ("d2l_course", {"code": "BADIN-CRS", "name": "Bad input target", "template": "BADIN-TPL"}),
            ("d2l_course", {"code": "BADIN-MASTER", "name": "Bad input master", "template": "BADIN-TPL"}),
            ("d2l_artifact", {"kind": "link", "name": "Bad input link", "url": "https://example.com/"}),
            ("d2l_ep_export", {"all": True, "dest": self.portfolio, "poll_interval": 0.2}),
        ]
        for name, args in steps:
            result = self.run(name, args)
            assert not result.get("failed") and "exception" not in result, (name, result)
        with zipfile.ZipFile(self.portfolio) as archive:
            assert archive.namelist()
        with open(self.portfolio + ".txt", "w", encoding="utf-8") as handle:
            handle.write("not a zip\n")


@pytest.fixture(scope="module")
def world(emulator, tmp_path_factory):
    if not emulator.control:
        pytest.skip("needs the emulator's request log")
    made = World(emulator, tmp_path_factory.mktemp("bad-input"))
    made.setup()
    made.log = RequestLog(emulator)
    yield made
    emulator.reset()  # the next test file finds the seeds only
    shutil.rmtree(made.tmp, ignore_errors=True)


@pytest.mark.parametrize("name", sorted(_LABELS))
def test_valid_base(world, name):
    """The valid argument set each bad value is put into succeeds (check mode: nothing written)."""
    base = world.table[name][0]
    result = world.run(name, base, check_mode=True)
    assert "exception" not in result, result["exception"]
    assert not result.get("failed"), result
    sent = world.log.take()
    assert not [r for r in sent if r["method"] not in ("GET", "HEAD")], sent


@pytest.mark.parametrize("name, index", CASES)
def test_bad_input(world, name, index):
    base, cases = world.table[name]

    strategy, chosen = cases[index], SETTINGS
    if isinstance(strategy, KnownIssue):  # expected to fail: one example, not shrunk
        strategy, chosen = strategy.strategy, settings(SETTINGS, max_examples=1, phases=[Phase.explicit, Phase.generate])

    @chosen
    @given(case=strategy, check_mode=st.booleans())
    def check(case, check_mode):
        args = case.args(base)
        world.log.take()
        result = world.run(name, args, check_mode=check_mode)
        sent = world.log.take()
        found = problems(result, case, sent)
        assert not found, "%s (%s%s) with %r:\n%s" % (name, case.label, ", check mode" if check_mode else "", args,
                                                      "\n".join(found))

    check()  # pylint: disable=no-value-for-parameter


@pytest.mark.parametrize("msg", ["unexpected error: OSError: Could not find a suitable TLS CA certificate bundle",
                                 "unexpected error: ValueError: Invalid IPv6 URL (token_cache, ca_path)"])
def test_the_catch_all_is_never_an_answer(msg):
    """A failure worded by BrightspaceModule.run's catch-all fails every example, even one that
    names the option and matches the problem (the check of ``problems`` the fixes rely on)."""
    case = Case("x", {"ca_path": "/nope"}, (), ("ca_path", "token_cache"), r"error|URL|no such")
    found = problems({"failed": True, "msg": msg}, case, [])
    assert len(found) == 1 and found[0].startswith("the module base's catch-all answered"), found
    assert not problems({"failed": True, "msg": "ca_path: no such file '/nope'"}, case, [])
