# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Setup for the conformance cases: objects made with the emulator's seeded bearer token (the
setup is not what is under test), each case then calls its route with the client under test."""
from __future__ import annotations

import time

from conformance_helpers import Target, dumps, make_zip, scorm_zip, unique, wait_json

ORGANIZATION = 6606  # the emulator's seeded Organization
LOCAL_REPOSITORY = 1  # the emulator's seeded Local repository


class World:
    def __init__(self, target: Target):
        self.t = target
        self.lp = lambda rest: target.route("lp", rest)
        self.le = lambda rest: target.route("le", rest)
        self.ep = lambda rest: target.route("eP", rest)
        self.lr = lambda rest: target.route("lr", rest)
        self._template = None
        self._offering = None

    # --- org units ----------------------------------------------------------------------------
    def template(self, fresh: bool = False) -> int:
        if self._template is None or fresh:
            code = unique("CT")
            r = self.t.api("POST", self.lp("coursetemplates/"), json={
                "Name": "Conformance " + code, "Code": code, "Path": "",
                "ParentOrgUnitIds": [ORGANIZATION]})
            tid = int(r.json()["Identifier"])
            if fresh:
                return tid
            self._template = tid
        return self._template

    def offering_body(self, code: str, template=None) -> dict:
        return {"Name": "Conformance " + code, "Code": code, "Path": "",
                "CourseTemplateId": template or self.template(), "SemesterId": None,
                "StartDate": "2026-01-05T00:00:00.000Z", "EndDate": "2026-05-31T23:59:59.000Z",
                "LocaleId": None, "ForceLocale": False, "ShowAddressBook": False}

    def offering(self, fresh: bool = False) -> int:
        if self._offering is None or fresh:
            r = self.t.api("POST", self.lp("courses/"), json=self.offering_body(unique("CO")))
            oid = int(r.json()["Identifier"])
            if fresh:
                return oid
            self._offering = oid
        return self._offering

    # --- course jobs ----------------------------------------------------------------------------
    def copy_job(self) -> tuple:
        target = self.offering()
        r = self.t.api("POST", self.le(f"import/{target}/copy/"), expect=202,
                       json={"SourceOrgUnitId": self.template()})
        return target, r.json()["JobToken"]

    def import_job(self) -> tuple:
        target = self.offering()
        r = self.t.api("POST", f"/d2l/api/le/unstable/import/{target}/imports/",
                       files={"file": ("course.zip", scorm_zip(), "application/zip")})
        return target, r.json()["JobToken"]

    # --- ePortfolio ---------------------------------------------------------------------------
    def link_body(self, object_id: int = 0, **over) -> dict:
        body = {"ObjectId": object_id, "Name": "D2L", "Description": "", "AllowComments": True,
                "GeoTag": None, "Url": "https://www.d2l.com/"}
        body.update(over)
        return body

    def link(self) -> dict:
        return self.t.api("POST", self.ep("artifacts/link/new"), json=self.link_body()).json()

    def file(self, content: bytes = b"conformance bytes", name: str = "notes.txt") -> dict:
        return self.t.api("POST", self.ep("artifacts/file/upload"),
                          files={"file": (name, content, "text/plain")}).json()

    def upload_key(self, content: bytes, name: str = "data.bin", initiating: str = None) -> str:
        """A completed resumable upload (eP by default): its key."""
        r = self.t.api("POST", initiating or self.ep("artifacts/file/new"), expect=308,
                       allow_redirects=False, headers={
                           "X-Upload-Content-Type": "application/octet-stream",
                           "X-Upload-Content-Length": str(len(content)),
                           "X-Upload-File-Name": name})
        location = r.headers["Location"]
        self.t.api("POST", location, data=content, headers={
            "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"})
        return location.rsplit("/", 1)[1]

    def export_task(self) -> int:
        self.link()
        task = self.t.api("POST", self.ep("export/new/all"), data=b"").json()
        self.wait_ep(self.ep(f"export/{task}/status"))
        return task

    def package(self) -> bytes:
        return self.t.api("GET", self.ep(f"export/{self.export_task()}/package")).content

    def wait_ep(self, path: str, headers=None) -> int:
        return wait_json(lambda: self.t.api("GET", path, expect=None, headers=headers or {}),
                         lambda status: status in (1, 2, 3))

    def import_task(self) -> int:
        r = self.t.api("POST", self.ep("import/new"),
                       files={"file": ("p.zip", self.package(), "application/zip")})
        return r.json()[0]

    # --- Learning Repository ------------------------------------------------------------------
    def lr_object(self, content: bytes = None, name: str = "notes.txt") -> int:
        """A new LR object (an Asset by default: a plain text file)."""
        content = content if content is not None else b"a learning object " + \
            str(time.monotonic_ns()).encode()
        r = self.t.api("PUT", self.lr("objects/"), params={"repositoryId": LOCAL_REPOSITORY},
                       files={"Resource": (name, content, "text/plain")})
        assert r.json()["ExecutionStatus"] == 0, r.text
        return r.json()["IdentId"]

    def lr_key(self, content: bytes = None) -> str:
        return self.upload_key(content or scorm_zip(), "pkg.zip",
                               initiating=self.lr(f"{LOCAL_REPOSITORY}/upload"))

    def properties_input(self, **over) -> dict:
        body = {"RepositoryId": LOCAL_REPOSITORY, "Status": 3, "HiddenFromSearchResults": False,
                "PublicallyAvailable": False, "OwnerId": 3, "Title": "Conformance object",
                "Description": "", "Keywords": ["Conformance, Test"]}
        body.update(over)
        return body


def zip_names(content: bytes) -> list:
    import io
    import zipfile
    return zipfile.ZipFile(io.BytesIO(content)).namelist()


__all__ = ["World", "ORGANIZATION", "LOCAL_REPOSITORY", "zip_names", "dumps", "make_zip"]
