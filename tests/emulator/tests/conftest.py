import os
import socket
import subprocess
import sys
import time
import warnings

import pytest
import requests

warnings.filterwarnings("ignore", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

from brightspace_emulator import Config, create_app  # noqa: E402

BEARER = {"Authorization": "Bearer demo-token"}
LP = "/d2l/api/lp/1.47"


@pytest.fixture
def app():
    return create_app(Config())


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def emu(app):
    return app.state.emu


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, *args):
        self.args = list(args)
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "brightspace_emulator", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", *self.args],
            env=dict(os.environ, PYTHONWARNINGS="ignore"))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/_emulator/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("emulator did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def live_factory():
    servers = []

    def factory(*args):
        server = LiveServer(*args).start()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def live(live_factory):
    return live_factory()


@pytest.fixture(scope="session")
def shared_live():
    """One live emulator for tests that only read and authenticate (the raw request path and
    the Host header as a real HTTP server sees them); do not reset or reconfigure it."""
    server = LiveServer().start()
    yield server
    server.stop()


def make_template(client, code="TPL1", parents=(6606,), headers=None):
    headers = headers or BEARER
    r = client.post(f"{LP}/coursetemplates/", headers=headers,
                    json={"Name": "Template " + code, "Code": code, "Path": "",
                          "ParentOrgUnitIds": list(parents)})
    assert r.status_code == 200, r.text
    return r.json()


def offering_body(template_id, code="CRS1", **over):
    body = {"Name": "Course " + code, "Code": code, "Path": "", "CourseTemplateId": template_id,
            "SemesterId": None, "StartDate": "2026-01-05T00:00:00.000Z",
            "EndDate": "2026-05-31T23:59:59.000Z", "LocaleId": None, "ForceLocale": False,
            "ShowAddressBook": False}
    body.update(over)
    return body


def make_offering(client, template_id, code="CRS1", **over):
    r = client.post(f"{LP}/courses/", headers=BEARER, json=offering_body(template_id, code, **over))
    assert r.status_code == 200, r.text
    return r.json()
