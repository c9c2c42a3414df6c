# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import warnings

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

from brightspace_emulator import Config, create_app, testing  # noqa: E402

BEARER = {"Authorization": "Bearer demo-token"}
LP = "/d2l/api/lp/1.47"


def deflated_zip(files: dict) -> bytes:
    """A zip (bytes) of ``{name: bytes|str}``, every member deflated."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def corrupt_deflate(content: bytes, member: str) -> bytes:
    """``content`` (a zip) with ``member``'s deflate stream broken: its first byte declares the
    reserved block type 3, so reading it raises zlib.error (not a CRC mismatch)."""
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        info = zf.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > 2
    data = bytearray(content)
    name_length, extra_length = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28],
                                               "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    data[start] = 0x07  # BFINAL 1, BTYPE 11 (reserved): "invalid block type"
    return bytes(data)


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


class LiveServer:
    """An emulator process on a free port (``brightspace_emulator.testing``), started on demand."""

    def __init__(self, *args):
        self.args = ["--log-level", "warning", *args]
        self.emulator = None

    @property
    def url(self):
        return self.emulator.url

    @property
    def port(self):
        return self.emulator.port

    @property
    def proc(self):
        return self.emulator.proc

    def start(self):
        self.emulator = testing.start(*self.args)
        return self

    def stop(self):
        if self.emulator is not None:
            self.emulator.stop()


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
