# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import time

import pytest
import requests

from brightspace_emulator.middleware import DroppedConnection
from conftest import BEARER, LP


def test_status_fault_n_times(client):
    fid = client.post("/_emulator/faults", json={"method": "GET", "path": "users/whoami$",
                                                 "times": 2, "status": 503,
                                                 "body": "down", "headers": {"X-Test": "1"}})
    assert fid.status_code == 200 and "id" in fid.json()
    for _attempt in range(2):
        r = client.get(f"{LP}/users/whoami", headers=BEARER)
        assert r.status_code == 503 and r.text == "down" and r.headers["X-Test"] == "1"
    assert client.get(f"{LP}/users/whoami", headers=BEARER).status_code == 200
    statuses = [e["status"] for e in client.get("/_emulator/requests").json()["requests"]]
    assert statuses == [503, 503, 200]


def test_429_fault_has_retry_after(client):
    client.post("/_emulator/faults", json={"path": "coursetemplates", "status": 429})
    r = client.post(f"{LP}/coursetemplates/", headers=BEARER,
                    json={"Name": "T", "Code": "T", "Path": "", "ParentOrgUnitIds": [6606]})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert client.get("/_emulator/state").json()["course_templates"] == []  # no work done


def test_method_filter_and_clear(client):
    client.post("/_emulator/faults", json={"method": "POST", "path": "whoami", "status": 500})
    assert client.get(f"{LP}/users/whoami", headers=BEARER).status_code == 200
    client.delete("/_emulator/faults")
    assert client.get("/_emulator/state").json()["faults"] == []


def test_delay_fault(client):
    client.post("/_emulator/faults", json={"path": "whoami", "delay": 0.5})
    t0 = time.monotonic()
    r = client.get(f"{LP}/users/whoami", headers=BEARER)
    assert r.status_code == 200 and time.monotonic() - t0 >= 0.5


def test_drop_without_transport_raises(client):
    client.post("/_emulator/faults", json={"path": "whoami", "drop": True})
    with pytest.raises(DroppedConnection):
        client.get(f"{LP}/users/whoami", headers=BEARER)


def test_bad_fault_rule(client):
    assert client.post("/_emulator/faults", json={"path": "(", "status": 500}).status_code == 400
    assert client.post("/_emulator/faults", json={"path": "x", "status": 500,
                                                  "bogus": 1}).status_code == 400


def test_job_outcome_fault(client, emu):
    client.post("/_emulator/faults", json={"method": "POST", "path": "/import/.*/copy/",
                                           "job_outcome": "FAILED"})
    # a request on the route is not affected by the middleware ...
    other = emu.jobs.create("copy", ["PENDING", "PROCESSING"], "COMPLETE",
                            request_method="POST", request_path="/d2l/api/le/1.74/courses/")
    assert other["outcome"] == "COMPLETE"
    job = emu.jobs.create("copy", ["PENDING", "PROCESSING"], "COMPLETE", duration=0,
                          request_method="POST", request_path="/d2l/api/le/1.74/import/1/copy/")
    assert job["outcome"] == "FAILED" and job["forced_outcome"]
    assert emu.jobs.status(job["id"]) == "FAILED"
    again = emu.jobs.create("copy", ["PENDING"], "COMPLETE", duration=0,
                            request_method="POST", request_path="/d2l/api/le/1.74/import/1/copy/")
    assert again["outcome"] == "COMPLETE"  # used once


def test_drop_live_server(live):
    requests.post(live.url + "/_emulator/faults",
                  json={"method": "GET", "path": "whoami", "drop": True})
    with pytest.raises(requests.ConnectionError):
        requests.get(live.url + f"{LP}/users/whoami", headers=BEARER, timeout=5)
    r = requests.get(live.url + f"{LP}/users/whoami", headers=BEARER, timeout=5)
    assert r.status_code == 200
    log = requests.get(live.url + "/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log] == [0, 200]


def test_delay_keeps_server_responsive(live):
    import threading
    requests.post(live.url + "/_emulator/faults", json={"path": "whoami", "delay": 1.5})
    result = {}
    t = threading.Thread(target=lambda: result.setdefault(
        "r", requests.get(live.url + f"{LP}/users/whoami", headers=BEARER, timeout=10)))
    t.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    assert requests.get(live.url + "/_emulator/health", timeout=5).ok
    assert time.monotonic() - t0 < 1.0
    t.join()
    assert result["r"].status_code == 200


def test_drop_response_after_bytes_live_server(live):
    """The response starts (status, headers, the first N body bytes), then the connection is cut."""
    versions = requests.get(live.url + "/d2l/api/versions/", timeout=5).content
    assert len(versions) > 40
    rule = requests.post(live.url + "/_emulator/faults",
                         json={"method": "GET", "path": "versions", "drop_response_after_bytes": 40})
    assert rule.status_code == 200
    with pytest.raises(requests.exceptions.RequestException):
        response = requests.get(live.url + "/d2l/api/versions/", timeout=5, stream=True)
        assert response.status_code == 200
        got = b""
        try:
            for block in response.iter_content(8):
                got += block
        finally:
            assert got == versions[:40]  # exactly the first 40 bytes arrived
    again = requests.get(live.url + "/d2l/api/versions/", timeout=5)
    assert again.content == versions  # used once
    log = requests.get(live.url + "/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log] == [200, 0, 200]


def test_drop_response_after_bytes_rules(client):
    small = client.post("/_emulator/faults", json={"path": "whoami", "drop_response_after_bytes": 100000})
    assert small.status_code == 200
    assert client.get(f"{LP}/users/whoami", headers=BEARER).status_code == 200  # short answer: untouched
    client.post("/_emulator/faults", json={"path": "whoami", "drop_response_after_bytes": 5})
    with pytest.raises(DroppedConnection):
        client.get(f"{LP}/users/whoami", headers=BEARER)
    for other in ({"drop": True}, {"status": 503}, {"drop_after_bytes": 3}):
        bad = client.post("/_emulator/faults", json=dict({"path": "x", "drop_response_after_bytes": 1}, **other))
        assert bad.status_code == 400


def test_stall_response_after_bytes_live_server(live):
    """The first N body bytes come at once, the rest after the stall: a slow download."""
    versions = requests.get(live.url + "/d2l/api/versions/", timeout=5).content
    rule = requests.post(live.url + "/_emulator/faults", json={
        "method": "GET", "path": "versions", "stall_response_after_bytes": 40, "stall": 1.0})
    assert rule.status_code == 200
    started = time.monotonic()
    response = requests.get(live.url + "/d2l/api/versions/", timeout=5, stream=True)
    first = response.raw.read(40)
    at_first = time.monotonic() - started
    rest = response.raw.read()
    assert first + rest == versions and at_first < 0.9 and time.monotonic() - started >= 1.0
    for bad in ({"stall_response_after_bytes": 1}, {"stall": 1},
                {"stall_response_after_bytes": 1, "stall": 1, "status": 503}):
        bad_rule = requests.post(live.url + "/_emulator/faults", json=dict({"path": "x"}, **bad))
        assert bad_rule.status_code == 400


def test_delay_response_does_the_work_then_answers_late(live):
    """A client that gives up on a slow answer leaves the work done (the semester exists)."""
    requests.post(live.url + "/_emulator/faults",
                  json={"method": "POST", "path": "orgstructure/$", "delay_response": 1.5})
    body = {"Type": 25, "Name": "Late", "Code": "LATE-1", "Parents": [6606]}
    with pytest.raises(requests.exceptions.Timeout):
        requests.post(live.url + f"{LP}/orgstructure/", headers=BEARER, json=body, timeout=0.5)
    time.sleep(1.5)
    units = requests.get(live.url + "/_emulator/state").json()["org_units"]
    assert [u["Code"] for u in units].count("LATE-1") == 1
    log = requests.get(live.url + "/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log] == [200]
    bad = requests.post(live.url + "/_emulator/faults", json={"path": "x", "delay_response": 1, "status": 503})
    assert bad.status_code == 400
