# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course copy jobs and course package imports (the Courses reference page, "Copying courses", "Importing
courses"): the routes, the component names, the local package check, and the two ``Job``
declarations the modules run through ``BrightspaceModule.run_job``.
"""

from __future__ import annotations

import os

from .client import decode_json
from .errors import BrightspaceError, BrightspaceHTTPError, NotFoundError, ValidationError
from .connection import check_http_url
from .jobs import Job
from .orgunits import COURSE_OFFERING, COURSE_TEMPLATE, OrgUnitsApi, id_of_reference
from .courses import CourseOfferingsApi
from .packages import check_source, check_zip
from .uploads import multipart_upload

# the Courses reference page, COURSECOMPONENT_T
COURSE_COMPONENTS = (
    "AttendanceRegisters", "Classlists", "Checklists", "Competencies", "Content", "CourseFiles",
    "Discussions", "DisplaySettings", "Dropbox", "Faq", "Forms", "Glossary", "Grades",
    "GradesSettings", "Groups", "Homepages", "IntelligentAgents", "Links", "LtiLink", "LtiTP",
    "Navbars", "News", "QuestionLibrary", "Quizzes", "ReleaseConditions", "Rubrics", "Schedule",
    "SelfAssessments", "Surveys", "ToolNames", "Widgets",
)
_COMPONENT_BY_KEY = dict((name.lower(), name) for name in COURSE_COMPONENTS)

# NOTE: the Courses reference page documents the import routes under the "unstable" API contract only ("API
# Versions: unstable"), while D2L's scope table (SCOPES.md) writes them with a version segment
# ("A real tenant may serve either"). CourseImportApi tries the "unstable" contract first and, when the
# service answers 404 there, the latest discovered le version; the contract that answered is kept
# in the discovery cache, so later tasks go straight to it.
IMPORT_API_VERSION = "unstable"
MANIFEST = "imsmanifest.xml"


def canonical_components(names, option="components"):
    """The documented spelling of each component name (any letter case accepted), in order, once.

    ``None`` means every component. An empty list or an unknown name is refused before any
    request, listing the valid names.
    """
    if names is None:
        return None
    if not names:
        raise ValidationError("%s must not be empty: omit it to copy every component" % option)
    canonical = []
    unknown = []
    for name in names:
        found = _COMPONENT_BY_KEY.get(str(name).strip().lower())
        if found is None:
            unknown.append(str(name))
        elif found not in canonical:
            canonical.append(found)
    if unknown:
        raise ValidationError("%s: unknown course component%s %s; valid components are: %s" % (
            option, "s" if len(unknown) > 1 else "", ", ".join("'%s'" % n for n in unknown),
            ", ".join(COURSE_COMPONENTS)))
    return canonical


def validate_callback_url(url, option="callback_url"):
    if url is None:
        return None
    if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
        raise ValidationError("%s must be an absolute http:// or https:// URL the service can reach, got '%s'"
                              % (option, url))
    check_http_url(url, option)  # a host name, a port, and a URL urlsplit can read (not http://[::1)
    return url


def check_course_package(path, option="src"):
    """Check a course package locally: a readable zip file (packages.check_source, check_zip)
    with ``imsmanifest.xml`` at its root.

    Returns ``{"path", "file_name", "size"}``; raises ``ValidationError`` naming ``option``.
    Only the zip's directory is read, never the whole file.
    """
    if not path:
        raise ValidationError("%s is required: the path of the course package to import" % option)
    expect = "a course package: a zip file with %s at its root" % MANIFEST
    check_source(path, option, expect)
    names = check_zip(path, option, expect)
    if MANIFEST not in names:
        nested = [name for name in names if name.endswith("/" + MANIFEST)]
        hint = ("; it is at '%s': zip the folder's contents, not the folder" % nested[0]) if nested else ""
        raise ValidationError("%s: '%s' has no %s at its root%s" % (option, path, MANIFEST, hint))
    return {"path": path, "file_name": os.path.basename(path), "size": os.path.getsize(path)}


class CourseCopyApi:
    """The copy job routes (le)."""

    def __init__(self, client):
        self.client = client

    def route(self, target_id, token=None):
        if token is None:
            return self.client.route("le", "import/{}/copy/", target_id)
        return self.client.route("le", "import/{}/copy/{}", target_id, token)

    def start(self, target_id, source_id, components=None, callback_url=None):
        """Queue a copy job (CreateCopyJobRequest); returns its job token."""
        body = {"SourceOrgUnitId": int(source_id), "Components": components, "CallbackUrl": callback_url}
        answer = self.client.send_json("POST", self.route(target_id), body, expect=(200, 201, 202))
        return _job_token(answer, "POST", self.route(target_id))

    def status(self, target_id, token):
        return (self.client.get_json(self.route(target_id, token)) or {}).get("Status")


class CourseImportApi:
    """The course import routes (le): the ``unstable`` contract, or a numbered le version."""

    CACHE_KEY = "import_contract"

    def __init__(self, client):
        self.client = client

    def contracts(self):
        """The contracts to try, the one that answered last first (discovery cache)."""
        known = self.client.discovery.get(self.CACHE_KEY)
        candidates = [IMPORT_API_VERSION, self.client.version("le")]
        if known in candidates:
            candidates.remove(known)
            return [known] + candidates
        return candidates

    def route(self, target_id, token=None, version=IMPORT_API_VERSION):
        if token is None:
            return self.client.route("le", "import/{}/imports/", target_id, version=version)
        return self.client.route("le", "import/{}/imports/{}", target_id, token, version=version)

    def _either(self, send):
        """``send(version)`` under each contract until one is not a 404; that one is remembered."""
        first = None
        for version in self.contracts():
            try:
                answer = send(version)
            except BrightspaceHTTPError as exc:
                if exc.status != 404:
                    raise
                first = first or exc
                continue
            if self.client.discovery.get(self.CACHE_KEY) != version:
                self.client.discovery.put(self.CACHE_KEY, version)
            return answer
        # 404 under every contract: the first one's answer (the preferred contract) says why
        raise first if first is not None else BrightspaceError("no import contract to try")

    def start(self, target_id, path, callback_url=None):
        """Stream the package as the form part ``file``; returns the job token.

        A 404 did nothing (no job), so the package may be sent again under the other contract."""
        params = {"callbackUrl": callback_url} if callback_url else None

        def send(version):
            route = self.route(target_id, version=version)
            # NOTE: the page lists no status code for this POST; 200, 201 and 202 are all success.
            response = multipart_upload(self.client, "POST", route, path, field="file",
                                        content_type="application/zip", params=params, expect=(200, 201, 202))
            return _job_token(decode_json(response, "POST", route), "POST", route)
        return self._either(send)

    def status(self, target_id, token):
        return self._either(lambda version: (self.client.get_json(self.route(target_id, token, version)) or {})
                            .get("Status"))


def _job_token(answer, method, route):
    token = answer.get("JobToken") if isinstance(answer, dict) else None
    if not token:
        raise ValidationError("%s %s answered without a JobToken" % (method, route))
    return str(token)


class CourseJob(Job):
    """What the two course jobs share: the target course offering, resolved id or code."""

    def __init__(self, module):
        super().__init__(module)
        self.orgunits = OrgUnitsApi(self.client)

    def resolve_offering(self, ref, option):
        """Id of a course offering given by id or code. In check mode an offering that does not
        exist yet (an earlier task would create it) gives a warning instead of a failure."""
        try:
            return self.orgunits.resolve(ref, COURSE_OFFERING, option)
        except NotFoundError as exc:
            if not self.module.check_mode:
                raise
            self.module.warn("%s; in check mode this is expected when an earlier task creates it" % exc)
            return None

    @staticmethod
    def by_id(ref):
        return id_of_reference(ref) is not None

    def check_target(self, target_id):
        """A target given by id is checked before the job starts (a code was looked up already)."""
        if CourseOfferingsApi(self.client).get(target_id) is None:
            raise NotFoundError("target: no course offering with id %s exists" % target_id)


class CourseCopyJob(CourseJob):
    kind = "copy"
    label = "course copy"

    def prepare(self):
        params = self.module.params
        components = canonical_components(params.get("components"))
        callback_url = validate_callback_url(params.get("callback_url"))
        OrgUnitsApi.check_reference(params["target"], "target")
        OrgUnitsApi.check_reference(params["source"], "source")
        target_id = self.resolve_offering(params["target"], "target")
        source_id = self.resolve_source(params["source"])
        if not params.get("job_token"):  # the job starts: ids must name what exists, before the POST
            if self.by_id(params["target"]):
                self.check_target(target_id)
            if self.by_id(params["source"]) and self.orgunits.get(source_id) is None:
                raise NotFoundError("source: no org unit with id %s exists" % source_id)
        self.api = CourseCopyApi(self.client)
        return {"target_id": target_id, "source_id": source_id, "components": components,
                "callback_url": callback_url}

    def resolve_source(self, ref):
        # NOTE: the copy source may be a course offering (the usual master course) or a course
        # template; a code is looked up among offerings first, then templates.
        try:
            return self.orgunits.resolve(ref, COURSE_OFFERING, "source")
        except NotFoundError:
            try:
                return self.orgunits.resolve(ref, COURSE_TEMPLATE, "source")
            except NotFoundError:
                if not self.module.check_mode:
                    raise NotFoundError("source: no course offering or course template with code '%s' exists" % ref)
                self.module.warn("source: no course offering or course template with code '%s' exists yet" % ref)
                return None

    def start(self, spec):
        return self.api.start(spec["target_id"], spec["source_id"], spec["components"], spec["callback_url"])

    def status(self, spec, token):
        return self.api.status(spec["target_id"], token)


class CourseImportJob(CourseJob):
    kind = "import"
    label = "course import"

    def prepare(self):
        params = self.module.params
        package = None
        if not params.get("job_token"):  # attaching to a running import needs no package
            package = check_course_package(params.get("src"))
        callback_url = validate_callback_url(params.get("callback_url"))
        OrgUnitsApi.check_reference(params["target"], "target")
        target_id = self.resolve_offering(params["target"], "target")
        self.api = CourseImportApi(self.client)
        if self.by_id(params["target"]) and package is not None:  # before the package is streamed
            self.check_target(target_id)
        return {"target_id": target_id, "package": package, "callback_url": callback_url}

    def start(self, spec):
        return self.api.start(spec["target_id"], spec["package"]["path"], spec["callback_url"])

    def status(self, spec, token):
        return self.api.status(spec["target_id"], token)
