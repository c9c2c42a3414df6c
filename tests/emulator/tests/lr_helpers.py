# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the Learning Repository tests (test_lr_*.py)."""
import os

from conftest import BEARER
from emu_helpers import make_zip

LR = "/d2l/api/lr/1.3"
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "packages")
BASE_KEYS = {"ExecutionMessage", "ExecutionStatus"}
PROPERTY_KEYS = BASE_KEYS | {"RepositoryId", "Status", "HiddenFromSearchResults",
                             "PublicallyAvailable", "IdentId", "Version", "URL", "Title",
                             "Description", "OwnerId", "Keywords", "Type"}
PUBLISH_KEYS = BASE_KEYS | {"IdentId", "Version"}
SEEDED_QUIZ = 1001


def fixture_bytes(name):
    with open(os.path.join(FIXTURES, name), "rb") as fh:
        return fh.read()


def scorm_zip(title="My SCORM module", extra=None):
    org_title = f"<title>{title}</title>" if title is not None else ""
    manifest = f"""<?xml version="1.0"?>
<manifest identifier="m1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <organizations default="o1"><organization identifier="o1">{org_title}
    <item identifier="i1" identifierref="r1"><title>Item</title></item></organization>
  </organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
    return make_zip({"imsmanifest.xml": manifest, "index.html": "<html></html>",
                     **(extra or {})})


def ok(r, keys=None):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ExecutionStatus"] == 0 and body["ExecutionMessage"] == "", body
    if keys is not None:
        assert set(body) == keys, body
    return body


def error(r, contains=""):
    """A failed LR action: HTTP 200 with exactly an LRWSBaseResult, ExecutionStatus 2."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == BASE_KEYS, body
    assert body["ExecutionStatus"] == 2, body
    assert contains in body["ExecutionMessage"], body
    return body


def publish(client, data, name="file.zip", repository=1, ctype="application/zip",
            headers=None):
    return client.put(f"{LR}/objects/?repositoryId={repository}", headers=headers or BEARER,
                      files={"Resource": (name, data, ctype)})


def publish_ok(client, data, name="file.zip", repository=1, ctype="application/zip"):
    body = ok(publish(client, data, name, repository, ctype), PUBLISH_KEYS)
    return body["IdentId"]


def overwrite(client, ident, data, name="file.zip", ctype="application/zip", headers=None):
    return client.post(f"{LR}/objects/{ident}/", headers=headers or BEARER,
                       files={"Resource": (name, data, ctype)})


def props(client, ident, version=None):
    path = f"{ident}/properties/" if version is None else f"{ident}/{version}/properties/"
    return client.get(f"{LR}/objects/{path}", headers=BEARER)


def properties_input(**over):
    body = {"RepositoryId": 1, "Status": 3, "HiddenFromSearchResults": False,
            "PublicallyAvailable": True, "OwnerId": 3, "Title": "Updated title",
            "Description": "Updated description", "Keywords": ["Word1, Word2", "Word 3"]}
    body.update(over)
    return body


def initiate(client, size, name="pkg.zip", repository=1, headers=None,
             ctype="application/zip"):
    return client.post(f"{LR}/{repository}/upload", follow_redirects=False, headers={
        **(headers or BEARER), "X-Upload-Content-Type": ctype,
        "X-Upload-Content-Length": str(size), "X-Upload-File-Name": name})


def resumable_key(client, data, name="pkg.zip", repository=1, chunk=None,
                  ctype="application/zip"):
    """Initiate and send ``data`` (in chunks of ``chunk`` bytes): the file key."""
    r = initiate(client, len(data), name, repository, ctype=ctype)
    assert r.status_code == 308, r.text
    loc = r.headers["Location"]
    assert loc.startswith("/d2l/upload/")
    chunk = chunk or max(len(data), 1)
    for first in range(0, len(data), chunk):
        part = data[first:first + chunk]
        r = client.post(loc, content=part, headers={
            **BEARER, "Content-Range": f"bytes {first}-{first + len(part) - 1}/{len(data)}"})
        assert r.status_code in (200, 308), r.text
    assert r.status_code == 200
    return loc.rsplit("/", 1)[1]


def control_object(client, ident):
    for obj in client.get("/_emulator/lr/objects").json():
        if obj["IdentId"] == ident:
            return obj
    return None
