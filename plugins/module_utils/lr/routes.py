# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Learning Repository routes (the reference page "Learning Repository"): HTTP only, each
answer checked, and the service's constants.

The package (its __init__.py stays empty, as ansible-test's empty-init wants):
Learning Repository (the lr product): the D2L reference page "Learning Repository", in layers.

- ``routes``: the HTTP routes, the service's constants, and the check of every answer
  (``LearningRepositoryApi.checked``).
- ``objects``: learning objects by their natural key (``LrTitles``) and the resource
  ``d2l_lr_object`` ensures.
- ``info``: the bodies of ``d2l_lr_object_info``, ``d2l_lr_repository_info`` and ``d2l_lr_download``.

The page's warning applies to every route: the Learning Repository answers HTTP 200 even when
the action failed. Every answer's ``ExecutionStatus`` is checked in one place
(``LearningRepositoryApi.checked``): ERROR raises ``errors.LrError`` with the service's message,
WARN becomes an Ansible warning.
"""

from __future__ import annotations

import os
import re
from xml.etree import ElementTree

from .. import permissions
from ..client import decode_json
from ..errors import BrightspaceError, LrError, NotFoundError, ValidationError
from ..orgunits import ascii_digits
from ..packages import check_source, check_zip
from ..paging import offset_pages
from ..uploads import DEFAULT_CHUNK_SIZE, RESUMABLE_THRESHOLD, multipart_upload, resumable_upload, with_upload

# LR_EXEC_STATUS_T
EXEC_OK, EXEC_WARN, EXEC_ERROR = 0, 1, 2
# LR_OBJECT_STATUS_T
STATUSES = {"Draft": 1, "InReview": 2, "Approved": 3, "Archived": 4, "Unassigned": 5}
STATUS_NAMES = dict((value, name) for name, value in STATUSES.items())
# LR_OBJECT_T
OBJECT_TYPES = {0: "Unspecified", 1: "Asset", 2: "Topic", 3: "Module", 4: "Course", 6: "Quiz", 7: "Url"}
ASSET = 1
# LR_REPOSITORY_T
REPOSITORY_TYPES = ("Local", "Metadata", "Federated", "All")
# LR_TRUST_T
TRUSTS = ("ViewItems", "ViewDetails", "LinkToLor", "RetrieveFromLor", "ManageAllItems", "ManageMyItems",
          "ViewEventLog", "ViewFiles", "AddReviews", "DeleteReviews", "ManageReviews", "Classify",
          "SeeAllHiddenObjects", "Publish", "PublishOffline", "Search", "VersionMyItems", "VersionAllItems",
          "ViewMetadata", "EditMetadata", "ManageRepositories", "AdministerLearningRepository")
SEARCH_MAX_COUNT = 200  # objects/search/: "count ... capped at 200"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"


def normalize_keywords(keywords):
    """Keywords as a set, whatever grouping they come in: ``["a, b", "c"]`` → ``["a", "b", "c"]``
    (split on commas, stripped, empties and repeats dropped, sorted)."""
    words = set()
    for group in keywords or []:
        for word in str(group).split(","):
            if word.strip():
                words.add(" ".join(word.split()))
    return sorted(words)


def check_scorm(path, option="src"):
    """A file to publish (packages.check_source); a .zip must be a safe zip (packages.check_zip)
    with imsmanifest.xml at its root (checked before any request); other files pass."""
    check_source(path, option, "a file to publish")
    if path.lower().endswith(".zip"):
        names = check_zip(path, option, "a SCORM or D2L package")
        if "imsmanifest.xml" not in names:
            nested = [n for n in names if n.endswith("/imsmanifest.xml")]
            hint = ("; it is at '%s': zip the folder's contents, not the folder" % nested[0]) if nested else ""
            raise ValidationError("%s: '%s' is not a SCORM package: no imsmanifest.xml at its root%s"
                                  % (option, path, hint))
    return path


def parse_dublin_core(text):
    """``{element: [texts]}`` of a Dublin Core metadata document (dc: elements anywhere)."""
    root = ElementTree.fromstring(text)
    parsed = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{%s}" % DC_NAMESPACE):
            parsed.setdefault(element.tag.split("}", 1)[1], []).append((element.text or "").strip())
    return parsed


class LearningRepositoryApi:
    """The Learning Repository routes (lr product), each answer checked."""

    def __init__(self, client, warn):
        self.client = client
        self.warn = warn

    def route(self, template, *args):
        return self.client.route("lr", template, *args)

    @staticmethod
    def version_part(version):
        return "" if version is None else "%d/" % int(version)

    def checked(self, answer, method, route):
        if not isinstance(answer, dict) or "ExecutionStatus" not in answer:
            raise BrightspaceError("%s %s answered without an ExecutionStatus: %r" % (method, route, answer))
        status = answer.get("ExecutionStatus")
        message = answer.get("ExecutionMessage") or ""
        if status == EXEC_ERROR:
            if re.search(r"permission|not allowed|denied|forbidden", message, re.IGNORECASE):
                message += permissions.hint(method, route)
            raise LrError(method, route, message)
        if status == EXEC_WARN:
            self.warn("%s %s: the Learning Repository warned: %s" % (method, route, message or "(no message)"))
        return answer

    def get(self, route, params=None):
        return self.checked(self.client.get_json(route, params=params), "GET", route)

    def send(self, method, route, body=None, idempotent=None):
        return self.checked(self.client.send_json(method, route, body, idempotent=idempotent), method, route)

    # -- repositories -----------------------------------------------------------------------
    def repositories(self):
        return self.get(self.route("repositories/all/")).get("Repositories") or []

    def repositories_of_type(self, kind, org_unit_id=None, trusts=None):
        params = {}
        if org_unit_id is not None:
            params["orgUnitId"] = int(org_unit_id)
        if trusts:
            params["trustParams"] = ",".join(trusts)
        return self.get(self.route("repositories/{}/", kind), params).get("Repositories") or []

    def trusts(self, repository_id, org_units=None, roles=None):
        params = {}
        if org_units:
            params["orgUnits"] = ",".join(str(int(o)) for o in org_units)
        if roles:
            params["roles"] = ",".join(str(int(r)) for r in roles)
        return self.get(self.route("repository/{}/listorgUnittrusts/", repository_id), params).get(
            "RepositoryTrusts") or {}

    def sees_hidden(self, repository_id):
        """Whether the caller has See All Hidden Objects in ``repository_id``: only then does a
        search find objects hidden from search (the Learning Repository objects reference page, LR_TRUST_T
        SeeAllHiddenObjects; ``repositories/(type)/?trustParams=`` lists the repositories where
        the caller has the trusts). A refusal (the route needs Publish) counts as no."""
        try:
            kinds = [r.get("Type") for r in self.repositories() if int(r.get("RepositoryId") or 0) == int(repository_id)]
            if not kinds or not kinds[0]:
                return False
            seen = self.repositories_of_type(kinds[0], trusts=["SeeAllHiddenObjects"])
        except LrError:
            return False
        return any(int(r.get("RepositoryId") or 0) == int(repository_id) for r in seen)

    def repository_id(self, ref, option="repository"):
        """An id (integer) as given, or the id of the searchable repository with that name."""
        if isinstance(ref, int) and not isinstance(ref, bool):
            return ref
        if ascii_digits(ref.strip() if isinstance(ref, str) else None):  # not a superscript or another script's digit
            return int(ref)
        if not isinstance(ref, str) or not ref.strip():
            raise ValidationError("%s must be a repository id or name, got %r" % (option, ref))
        cached = self.client.discovery.get("lr_repositories")
        if cached is None or ref not in cached:
            cached = dict((r.get("Name"), int(r["RepositoryId"])) for r in self.repositories())
            self.client.discovery.put("lr_repositories", cached)
        if ref not in cached:
            raise NotFoundError("%s: no searchable repository is named '%s' (known: %s)"
                                % (option, ref, ", ".join(sorted(str(n) for n in cached)) or "none"))
        return cached[ref]

    # -- objects --------------------------------------------------------------------------------
    def search(self, query, repositories, offset=0, count=SEARCH_MAX_COUNT):
        params = {"query": query or "", "offset": int(offset), "count": min(int(count), SEARCH_MAX_COUNT),
                  "repositories": ",".join(str(int(r)) for r in repositories)}
        return self.get(self.route("objects/search/"), params)

    def search_all(self, query, repositories, limit=None, page_size=SEARCH_MAX_COUNT, offset=0):
        """Every result (or the first ``limit``), paging with offset/count as the page describes."""
        page_size = max(1, min(int(page_size), SEARCH_MAX_COUNT))
        return offset_pages(lambda at, count: self.search(query, repositories, at, count), limit, page_size, offset)

    def properties(self, object_id, version=None):
        return self.get(self.route("objects/{}/%sproperties/" % self.version_part(version), object_id))

    def set_properties(self, object_id, body, version=None):
        # NOTE: the properties POST replaces the whole block; sending it again is harmless, so it
        # is retried like a read.
        route = self.route("objects/{}/%sproperties/" % self.version_part(version), object_id)
        return self.send("POST", route, body, idempotent=True)

    def metadata(self, object_id, version):
        route = self.route("objects/{}/{}/metadata/", object_id, int(version))
        response = self.client.request("GET", route)
        if "json" in (response.headers.get("Content-Type") or ""):
            self.checked(decode_json(response, "GET", route), "GET", route)
        return response.text

    def link(self, object_id, version=None):
        return self.get(self.route("objects/{}/%slink/" % self.version_part(version), object_id)).get("URL")

    def download_route(self, object_id, version=None, what="package"):
        return self.route("objects/{}/%s%s/" % (self.version_part(version),
                                                "download" if what == "package" else "downloadfile"), object_id)

    def check_download(self, response, route):
        """A download answered with JSON is an LR result (an ERROR), not the file. A body that
        does not parse as JSON is the file, whatever its Content-Type says."""
        if "json" in (response.headers.get("Content-Type") or ""):
            try:
                answer = decode_json(response, "GET", route)
            except BrightspaceError:
                return
            self.checked(answer, "GET", route)
            raise BrightspaceError("GET %s answered an LR result instead of the file" % route)

    def publish(self, repository_id, path, upload="auto", chunk_size=DEFAULT_CHUNK_SIZE):
        """A new learning object from ``path``: the simple PUT or the resumable upload + publish."""
        if resumable(path, upload):
            route = self.route("{}/upload/publish", repository_id)
            return with_upload(
                lambda: resumable_upload(self.client, self.route("{}/upload", repository_id), path, chunk_size=chunk_size),
                lambda key: self.checked(decode_json(self.client.request(
                    "POST", route, data={"fileKey": key, "name": os.path.basename(path)}), "POST", route), "POST", route),
                file_key_refused)
        else:
            route = self.route("objects/")
            # a PUT, but each one publishes a new object: never resent after an ambiguous failure
            response = multipart_upload(self.client, "PUT", route, path, field="Resource",
                                        params={"repositoryId": int(repository_id)}, idempotent=False)
        return self.checked(decode_json(response, "PUT", route), "PUT", route)

    def overwrite(self, repository_id, object_id, path, upload="auto", chunk_size=DEFAULT_CHUNK_SIZE):
        """A new version of ``object_id`` from ``path`` (POST objects/(id)/ or PUT upload/publish/(id))."""
        if resumable(path, upload):
            route = self.route("{}/upload/publish/{}", repository_id, object_id)
            return with_upload(
                lambda: resumable_upload(self.client, self.route("{}/upload", repository_id), path, chunk_size=chunk_size),
                lambda key: self.checked(decode_json(self.client.request(
                    "PUT", route, data={"fileKey": key, "name": os.path.basename(path)},
                    idempotent=False), "PUT", route), "PUT", route),  # each one adds a version: never resent blindly
                file_key_refused)
        else:
            route = self.route("objects/{}/", object_id)
            response = multipart_upload(self.client, "POST", route, path, field="Resource")
        return self.checked(decode_json(response, "POST", route), "POST", route)

    def delete(self, object_id):
        route = self.route("objects/{}/delete/", object_id)
        # the page: an empty body with Content-Length: 0
        response = self.client.request("POST", route, data=b"", headers={"Content-Length": "0"})
        return self.checked(decode_json(response, "POST", route), "POST", route)


def file_key_refused(exc):
    """An ERROR result refusing the file key of a resumable upload (expired or unknown), which
    publishes nothing. NOTE: the Learning Repository objects reference page gives no text for it; the emulator answers
    "Invalid file key", and a message naming the file key is taken as that refusal."""
    return isinstance(exc, LrError) and "file key" in str(exc).lower()


def resumable(path, upload):
    return upload == "resumable" or (upload == "auto" and os.path.getsize(path) > RESUMABLE_THRESHOLD)
