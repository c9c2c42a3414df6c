import os

import requests

from conftest import BEARER

EP = "/d2l/api/eP/2.5"


def initiate(base_get, size, name="report.pdf"):
    return base_get(f"{EP}/artifacts/file/new", headers={
        **BEARER, "X-Upload-Content-Type": "application/pdf",
        "X-Upload-Content-Length": str(size), "X-Upload-File-Name": name})


def test_initiate_requires_headers(client):
    r = client.post(f"{EP}/artifacts/file/new", headers=BEARER)
    assert r.status_code == 400
    r = client.post(f"{EP}/artifacts/file/new", headers={**BEARER, "X-Upload-File-Name": "a"})
    assert r.status_code == 400


def test_chunks_and_resume(client, emu):
    data = os.urandom(2500)
    r = client.post(f"{EP}/artifacts/file/new", follow_redirects=False, headers={
        **BEARER, "X-Upload-Content-Type": "application/pdf", "X-Upload-Content-Length": "2500",
        "X-Upload-File-Name": "report.pdf"})
    assert r.status_code == 308
    loc = r.headers["Location"]
    assert loc.startswith("/d2l/upload/")
    key = loc.rsplit("/", 1)[1]
    # nothing yet: 308 without Range
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes */2500"})
    assert r.status_code == 308 and "Range" not in r.headers
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 0-999/2500"}, content=data[:1000])
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-999"
    # wrong start: 416 with the current Range
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 500-999/2500"},
                    content=data[500:1000])
    assert r.status_code == 416 and r.headers["Range"] == "bytes=0-999"
    # body shorter than the range: 400 and nothing kept
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 1000-1999/2500"},
                    content=data[1000:1500])
    assert r.status_code == 400
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes */2500"})
    assert r.status_code == 308 and r.headers["Range"] == "bytes=0-999"
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes 1000-2499/2500"},
                    content=data[1000:])
    assert r.status_code == 200
    r = client.post(loc, headers={**BEARER, "Content-Range": "bytes */2500"})
    assert r.status_code == 200
    from brightspace_emulator.uploads import completed_upload
    meta = completed_upload(emu, key)
    with open(meta["File"], "rb") as fh:
        assert fh.read() == data
    assert meta["FileName"] == "report.pdf" and meta["ContentType"] == "application/pdf"
    state = client.get("/_emulator/state").json()
    assert state["uploads"][0]["Complete"] is True


def test_upload_errors(client):
    assert client.post("/d2l/upload/nope", headers={**BEARER, "Content-Range": "bytes */1"}
                       ).status_code == 404
    r = client.post(f"{EP}/artifacts/file/new", follow_redirects=False, headers={
        **BEARER, "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "10",
        "X-Upload-File-Name": "a.txt"})
    loc = r.headers["Location"]
    assert client.post(loc, headers=BEARER, content=b"x").status_code == 400
    assert client.post(loc, headers={**BEARER, "Content-Range": "bytes 0-9/11"},
                       content=b"0123456789").status_code == 400
    assert client.post(loc, headers={"Content-Range": "bytes */10"}).status_code == 401


def test_live_308_flow(live):
    data = os.urandom(300_000)
    s = requests.Session()
    r = s.post(live.url + f"{EP}/artifacts/file/new", allow_redirects=False, headers={
        **BEARER, "X-Upload-Content-Type": "application/octet-stream",
        "X-Upload-Content-Length": str(len(data)), "X-Upload-File-Name": "blob.bin"})
    assert r.status_code == 308
    url = live.url + r.headers["Location"]
    pos = 0
    while pos < len(data):
        end = min(pos + 128 * 1024, len(data))
        r = s.post(url, data=data[pos:end], headers={
            **BEARER, "Content-Range": f"bytes {pos}-{end - 1}/{len(data)}"})
        if end < len(data):
            assert r.status_code == 308 and r.headers["Range"] == f"bytes=0-{end - 1}"
        pos = end
    assert r.status_code == 200
    r = s.post(url, headers={**BEARER, "Content-Range": f"bytes */{len(data)}"})
    assert r.status_code == 200
    up = requests.get(live.url + "/_emulator/state").json()["uploads"][0]
    assert up["Received"] == len(data)
    with open(up["File"], "rb") as fh:
        assert fh.read() == data
