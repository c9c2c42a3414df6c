# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

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


# --- X-Upload-File-Name: printable ASCII as it is, other names as an RFC 8187 ext-value --------
def _initiate_named(client, header):
    return client.post(f"{EP}/artifacts/file/new", follow_redirects=False, headers={
        **BEARER, "X-Upload-Content-Type": "text/plain", "X-Upload-Content-Length": "3",
        "X-Upload-File-Name": header})


def _initiated_name(client, emu, header):
    r = _initiate_named(client, header)
    assert r.status_code == 308, r.text
    from brightspace_emulator.uploads import get_upload
    return get_upload(emu, r.headers["Location"].rsplit("/", 1)[1])["FileName"]


def test_file_name_as_an_rfc_8187_ext_value(client, emu):
    cyrillic = "UTF-8''%D0%9F%D0%BE%D1%80%D1%82%D1%84%D0%BE%D0%BB%D0%B8%D0%BE%202026.pdf"
    assert _initiated_name(client, emu, cyrillic) == "Портфолио 2026.pdf"
    assert _initiated_name(client, emu, "utf-8'ru'%E6%97%A5.zip") == "日.zip"
    assert _initiated_name(client, emu, "a%20b (1).txt") == "a%20b (1).txt"  # plain: as it is
    assert _initiated_name(client, emu, "UTF-8''UTF-8%27%27x") == "UTF-8''x"


def test_file_names_a_tenant_would_refuse(client):
    for header, words in [
            ("Caf\xe9.pdf".encode("latin-1"), "printable ASCII"),  # raw obs-text
            ("Портфолио.pdf".encode("utf-8"), "printable ASCII"),
            (b"tab\there.txt", "printable ASCII"),
            ("ISO-8859-1''caf%E9.pdf", "unsupported charset"),
            ("x-unknown''abc", "unsupported charset"),
            ("UTF-8''%ZZ.pdf", "not percent-encoded"),
            ("UTF-8''caf\xe9".encode("latin-1"), "printable ASCII"),
            ("UTF-8''a b.pdf", "not percent-encoded"),
            ("UTF-8''%FF%FE.pdf", "not UTF-8"),
            ("UTF-8''a%0Ab.pdf", "control characters"),
            ("UTF-8''%00", "control characters"),
            ("UTF-8''", "must not be empty"),
            ("   ", "must not be empty")]:
        r = _initiate_named(client, header)
        assert r.status_code == 400, (header, r.status_code)
        assert words in r.json()["Errors"][0]["Message"], (header, r.text)


def test_multipart_file_name_in_utf_8(client):
    """RFC 7578 §4.2: the filename parameter holds the UTF-8 name (so do D2L's utility library
    and requests-toolbelt)."""
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
            + "Портфолио 2026.pdf".encode("utf-8")
            + b"\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\n")
    r = client.post(f"{EP}/artifacts/file/upload?name=P", content=body, headers={
        **BEARER, "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 200, r.text
    assert r.json()["FileName"] == "Портфолио 2026.pdf" and r.json()["Extension"] == "pdf"
