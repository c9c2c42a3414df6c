# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ePortfolio routes (the reference pages "ePortfolio artifacts" and "ePortfolio import and
export"): HTTP only, and the service's constants.

The package (its __init__.py stays empty, as ansible-test's empty-init wants):
ePortfolio (the eP product): the D2L reference pages "ePortfolio artifacts" and "ePortfolio
import and export", in three layers.

- ``routes``: the HTTP routes and the service's constants (``EportfolioApi``); nothing else.
- ``artifacts``: the artifact resource ``d2l_artifact`` ensures, and the body of ``d2l_artifact_info``.
- ``jobs``: the export job (``d2l_ep_export``) and the import job (``d2l_ep_import``), on the
  one job path (``jobs.JobRun``).

Everything acts in the caller's user context: an artifact is found among the caller's own
objects (``objects/my/``), an export packages the caller's objects, and an import job belongs to
the user it imports into.
"""

from __future__ import annotations

import os

from ..client import decode_json
from ..errors import BrightspaceError, BrightspaceHTTPError
from ..packages import check_source, check_zip
from ..paging import paged_result_set
from ..uploads import DEFAULT_CHUNK_SIZE, multipart_upload, resumable_upload

# NOTES.md, EPOBJ_T (the ObjectTypeId property)
EPOBJ = {
    "EpObject": 0, "Collection": 100, "StaticCollection": 110, "DynamicCollection": 120,
    "Reflection": 200, "Artifact": 300, "FileArtifact": 310, "FormArtifact": 320, "LEArtifact": 330,
    "LECompetencyArtifact": 331, "LEGradeArtifact": 332, "LEQuizArtifact": 333, "LEDropboxArtifact": 334,
    "UrlArtifact": 340, "Presentation": 400, "LearningObjective": 600,
}
EPOBJ_NAMES = dict((value, name) for name, value in EPOBJ.items())
# the module's ``kind`` → (ObjectTypeId, typed route segment)
KINDS = {"link": (EPOBJ["UrlArtifact"], "link"), "file": (EPOBJ["FileArtifact"], "file")}
KIND_BY_TYPE = dict((type_id, kind) for kind, (type_id, _segment) in KINDS.items())

# the ePortfolio import and export reference page, JOBSTATUS
JOB_QUEUED, JOB_ABORTED, JOB_COMPLETE, JOB_COMPLETE_WITH_ERRORS, JOB_PROCESSING = 0, 1, 2, 3, 4
# The include flags deprecated since eP API 2.1 and the one introduced with it.
FLAGS_CHANGED_IN = (2, 1)
PAGE_SIZE = 100
# NOTE: the page says "a separate form-data part for each target user ID value" without naming
# the part. D2L's own library (D2LValence-UtilTUT, d2lvalence_util/service.py,
# start_ep_import_task) sends one part named ``targetUsers`` per user, as ``text/plain``: so does
# the collection.
TARGET_USER_PART = "targetUsers"


def single_number(answer, what, method, route):
    """The number an answer carries.

    NOTE: the page says these actions return "a JSON data block including a single number"
    without naming a property; a bare JSON number and a block with one numeric property are
    both accepted.
    """
    value = answer
    if isinstance(answer, dict):
        numbers = [v for v in answer.values() if isinstance(v, int) and not isinstance(v, bool)
                   or isinstance(v, str) and v.isdigit()]
        value = numbers[0] if len(numbers) == 1 else None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BrightspaceError("%s %s answered %r where %s was expected" % (method, route, answer, what))
    return value


def upload_key_refused(exc):
    """The 400 the ePortfolio artifacts reference page documents for a key the service cannot attach ("Invalid
    upload key provided, or service could not find the file data"): expired, consumed or unknown,
    and nothing was created."""
    return isinstance(exc, BrightspaceHTTPError) and exc.status == 400 and "upload key" in str(exc).lower()


def check_package(path, option="src"):
    """A readable, safe zip file (packages.check_source and check_zip), checked before any
    request (only its directory is read)."""
    expect = "an ePortfolio package: the zip file an export produces"
    check_source(path, option, expect)
    check_zip(path, option, expect)
    return {"path": path, "file_name": os.path.basename(path), "size": os.path.getsize(path)}


class EportfolioApi:
    """The ePortfolio routes (eP product)."""

    def __init__(self, client):
        self.client = client

    def route(self, template, *args):
        return self.client.route("eP", template, *args)

    # -- objects and artifacts ------------------------------------------------------------
    def mine(self):
        """The caller's ePortfolio objects (PagedResultSet)."""
        return paged_result_set(self.client, self.route("objects/my/"), {"pagesize": PAGE_SIZE})

    def artifact_route(self, object_id, kind=None):
        if kind:
            return self.route("artifact/%s/{}" % KINDS[kind][1], object_id)
        return self.route("artifact/{}", object_id)

    def get(self, object_id, kind=None, comments=False):
        """An artifact (typed route when ``kind`` is known), or None when the service has none."""
        params = {"c": "true"} if comments else None
        return self.client.get_or_none(self.artifact_route(object_id, kind), params=params)

    def create_link(self, body):
        return self.client.send_json("POST", self.route("artifacts/link/new"), body)

    def update(self, kind, object_id, body):
        # NOTE: the update routes are POSTs that replace the whole block: resending the same
        # block is harmless, so they are retried like a read.
        return self.client.send_json("POST", self.artifact_route(object_id, kind), body, idempotent=True)

    def delete(self, kind, object_id):
        self.client.send_json("DELETE", self.artifact_route(object_id, kind))

    def upload_simple(self, path, name, description=None):
        """artifacts/file/upload: one multipart POST (form part ``file``); returns the FileArtifact."""
        params = {"name": name}
        if description:
            params["description"] = description
        route = self.route("artifacts/file/upload")
        response = multipart_upload(self.client, "POST", route, path, field="file", params=params)
        return decode_json(response, "POST", route)

    def upload_resumable(self, path, chunk_size=DEFAULT_CHUNK_SIZE):
        """The resumable upload started at artifacts/file/new; returns the upload key."""
        return resumable_upload(self.client, self.route("artifacts/file/new"), path, chunk_size=chunk_size)

    def attach(self, body):
        """artifacts/file/new with a FileArtifact naming an upload key: the new artifact."""
        return self.client.send_json("POST", self.route("artifacts/file/new"), body)

    # -- export and import jobs -------------------------------------------------------------
    def start_export(self, object_ids=None, params=None):
        if object_ids is None:
            route = self.route("export/new/all")
            answer = self.client.send_json("POST", route, params=params)
        else:
            route = self.route("export/new")
            answer = self.client.send_json("POST", route, [int(i) for i in object_ids], params=params)
        return single_number(answer, "an export task id", "POST", route)

    def export_status(self, export_id):
        route = self.route("export/{}/status", export_id)
        return single_number(self.client.get_json(route), "a job status", "GET", route)

    def export_package_route(self, export_id):
        return self.route("export/{}/package", export_id)

    def start_import(self, path, target_users=None, details=False):
        route = self.route("import/newwithdetails" if details else "import/new")
        fields = [(TARGET_USER_PART, (None, str(int(user)), "text/plain")) for user in target_users or []]
        response = multipart_upload(self.client, "POST", route, path, field="file", fields=fields,
                                    content_type="application/zip")
        return decode_json(response, "POST", route)

    def import_status(self, import_id):
        route = self.route("import/{}/status", import_id)
        return single_number(self.client.get_json(route), "a job status", "GET", route)
