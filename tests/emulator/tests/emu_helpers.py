# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures and helpers shared by the emulator tests of jobs and of the routes they use
(test_coursejobs.py, test_ep_jobs.py, test_eportfolio.py, test_permissions.py,
test_strict_readings.py; make_zip also by lr_helpers.py).

A test file takes the fixtures by importing them (``from emu_helpers import client``) and keeps
its own ``app`` (the job duration is its own); ``emu`` is conftest.py's.
"""
import io
import zipfile

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(app):
    """A TestClient of ``app``; the emulator is closed afterwards (its job threads stop)."""
    with TestClient(app) as c:
        yield c
    app.state.emu.close()


@pytest.fixture
def clock(emu):
    """A frozen job clock: the test moves time with ``clock.at(seconds)``."""

    class Clock:
        start = 1_000_000.0
        now = start

        def __call__(self):
            return self.now

        def at(self, seconds):
            self.now = self.start + seconds

    fake = Clock()
    emu.jobs.clock = fake
    return fake


def make_zip(members):
    """A zip (bytes) of {name: bytes|str}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def assert_errors(r, status, fragment=""):
    """A ``{"Errors": [{"Message": ...}]}`` answer with ``status``, its first message holding
    ``fragment``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    message = r.json()["Errors"][0]["Message"]
    assert fragment in message, message


def assert_problem(r, status, fragment=""):
    """An ``application/problem+json`` answer with ``status``, its detail holding ``fragment``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    assert fragment in r.json()["detail"], r.json()
