"""ePortfolio objects and artifacts (eportfolio-artifacts.txt), the seeded users, whoami."""
import os

import pytest
import requests

from brightspace_emulator.middleware import DroppedConnection
from conftest import BEARER, LP

EP = "/d2l/api/eP/2.5"


def token_for(client, user, scope="core:*:*"):
    r = client.post("/_emulator/tokens", json={"user": user, "scope": scope, "lifetime": None})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


# --- users ------------------------------------------------------------------------------------
def test_whoami_answers_the_callers_user(client):
    assert client.get(f"{LP}/users/whoami", headers=BEARER).json() == {
        "Identifier": "3", "FirstName": "Demo", "LastName": "Administrator",
        "UniqueName": "demo-admin", "ProfileIdentifier": "dEmOaDmInPrOfIlE"}
    for user, unique in (("101", "ada"), ("102", "grace"), ("103", "alan")):
        me = client.get(f"{LP}/users/whoami", headers=token_for(client, user)).json()
        assert me["Identifier"] == user and me["UniqueName"] == unique
    me = client.get(f"{LP}/users/whoami", headers=token_for(client, "101")).json()
    assert (me["FirstName"], me["LastName"]) == ("Ada", "Lovelace")


def test_mint_token_user(client):
    r = client.post("/_emulator/tokens", json={})
    me = client.get(f"{LP}/users/whoami",
                    headers={"Authorization": "Bearer " + r.json()["access_token"]}).json()
    assert me["Identifier"] == "3"  # default user
    assert client.post("/_emulator/tokens", json={"user": "999"}).status_code == 400
    assert client.post("/_emulator/tokens", json={"user": 101}).status_code == 400


# --- drop_after_bytes -------------------------------------------------------------------------
def _initiate(post, size, name="blob.bin", headers=BEARER, base=""):
    r = post(f"{base}{EP}/artifacts/file/new", headers={
        **headers, "X-Upload-Content-Type": "application/octet-stream",
        "X-Upload-Content-Length": str(size), "X-Upload-File-Name": name},
        **({"allow_redirects": False} if post.__module__.startswith("requests") else
           {"follow_redirects": False}))
    assert r.status_code == 308, r.text
    return r.headers["Location"]


def test_drop_after_bytes_under_testclient_keeps_the_bytes(client):
    data = os.urandom(5000)
    loc = _initiate(client.post, len(data))
    fault = {"method": "POST", "path": "^/d2l/upload/", "drop_after_bytes": 1234}
    assert client.post("/_emulator/faults", json=fault).status_code == 200
    with pytest.raises(DroppedConnection):
        client.post(loc, content=data[:3000],
                    headers={**BEARER, "Content-Range": f"bytes 0-2999/{len(data)}"})
    r = client.post(loc, headers={**BEARER, "Content-Range": f"bytes */{len(data)}"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-1233"
    r = client.post(loc, content=data[1234:],
                    headers={**BEARER, "Content-Range": f"bytes 1234-4999/{len(data)}"})
    assert r.status_code == 200
    log = client.get("/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log if e["path"].startswith("/d2l/upload/")] == [0, 308, 200]
    up = client.get("/_emulator/state").json()["uploads"][0]
    with open(up["File"], "rb") as fh:
        assert fh.read() == data


def test_drop_after_bytes_does_not_touch_a_short_body(client):
    loc = _initiate(client.post, 100)
    client.post("/_emulator/faults", json={"path": "^/d2l/upload/", "drop_after_bytes": 100})
    r = client.post(loc, content=b"x" * 100, headers={**BEARER, "Content-Range": "bytes 0-99/100"})
    assert r.status_code == 200
    assert client.get("/_emulator/faults").json()["faults"] == []  # consumed


def test_drop_after_bytes_rule_checks(client):
    for bad in ({"path": "x", "drop_after_bytes": -1},
                {"path": "x", "drop_after_bytes": 10, "drop": True},
                {"path": "x", "drop_after_bytes": 10, "status": 503},
                {"path": "x", "drop_after_bytes": "10"}):
        assert client.post("/_emulator/faults", json=bad).status_code == 400, bad
    assert client.post("/_emulator/faults",
                       json={"path": "x", "drop_after_bytes": 0}).status_code == 200


def test_drop_after_bytes_mid_chunk_then_resume_live(live):
    data = os.urandom(700_000)
    total = len(data)
    s = requests.Session()
    loc = live.url + _initiate(s.post, total, base=live.url)
    requests.post(live.url + "/_emulator/faults", json={
        "method": "POST", "path": "^/d2l/upload/", "drop_after_bytes": 100_000})
    with pytest.raises(requests.ConnectionError):
        requests.post(loc, data=data[:400_000], timeout=10,
                      headers={**BEARER, "Content-Range": f"bytes 0-399999/{total}"})
    r = s.post(loc, headers={**BEARER, "Content-Range": f"bytes */{total}"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-99999"
    pos = int(r.headers["Range"].rsplit("-", 1)[1]) + 1
    r = s.post(loc, data=data[pos:], headers={
        **BEARER, "Content-Range": f"bytes {pos}-{total - 1}/{total}"})
    assert r.status_code == 200
    log = requests.get(live.url + "/_emulator/requests").json()["requests"]
    assert [e["status"] for e in log if e["path"].startswith("/d2l/upload/")] == [0, 308, 200]
    up = requests.get(live.url + "/_emulator/state").json()["uploads"][0]
    assert up["Complete"] and up["Received"] == total
    with open(up["File"], "rb") as fh:
        assert fh.read() == data
