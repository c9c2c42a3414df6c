# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Learning Repository (learning-repository.txt): routes, result checking, the object resource
and the info/download helpers the d2l_lr_* modules run.

The page's warning applies to every route here: the Learning Repository answers HTTP 200 even
when the action failed. Every answer's ``ExecutionStatus`` is checked in one place
(``LrApi.checked``): ERROR raises ``LrError`` with the service's message, WARN becomes an Ansible
warning.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from xml.etree import ElementTree

from .downloads import check_destination, download, file_digest, parse_mode
from . import permissions
from .errors import BrightspaceError, BrightspaceHTTPError, NotFoundError, ValidationError, not_resent
from .ensure import Resource
from .orgunits import ascii_digits
from .packages import check_source, check_zip
from .paging import offset_pages
from .uploads import DEFAULT_CHUNK_SIZE, RESUMABLE_THRESHOLD, multipart_upload, resumable_upload, with_upload

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


class LrError(BrightspaceError):
    """An LR action answered ExecutionStatus ERROR (HTTP 200)."""

    def __init__(self, method, route, message):
        super().__init__("%s %s failed: the Learning Repository answered ERROR: %s"
                         % (method, route, message or "(no message)"))
        self.service_message = message


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


class LrApi:
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
        search find objects hidden from search (learning-repository.txt, LR_TRUST_T
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
            self.checked(response.json(), "GET", route)
        return response.text

    def link(self, object_id, version=None):
        return self.get(self.route("objects/{}/%slink/" % self.version_part(version), object_id)).get("URL")

    def download_route(self, object_id, version=None, what="package"):
        return self.route("objects/{}/%s%s/" % (self.version_part(version),
                                                "download" if what == "package" else "downloadfile"), object_id)

    def check_download(self, response, route):
        """A download answered with JSON is an LR result (an ERROR), not the file."""
        if "json" in (response.headers.get("Content-Type") or ""):
            try:
                answer = response.json()
            except ValueError:
                return
            self.checked(answer, "GET", route)
            raise BrightspaceError("GET %s answered an LR result instead of the file" % route)

    def publish(self, repository_id, path, upload="auto", chunk_size=DEFAULT_CHUNK_SIZE):
        """A new learning object from ``path``: the simple PUT or the resumable upload + publish."""
        if resumable(path, upload):
            route = self.route("{}/upload/publish", repository_id)
            return with_upload(
                lambda: resumable_upload(self.client, self.route("{}/upload", repository_id), path, chunk_size=chunk_size),
                lambda key: self.checked(_json(self.client.request(
                    "POST", route, data={"fileKey": key, "name": os.path.basename(path)}), route), "POST", route),
                file_key_refused)
        else:
            route = self.route("objects/")
            # a PUT, but each one publishes a new object: never resent after an ambiguous failure
            response = multipart_upload(self.client, "PUT", route, path, field="Resource",
                                        params={"repositoryId": int(repository_id)}, idempotent=False)
        return self.checked(_json(response, route), "PUT", route)

    def overwrite(self, repository_id, object_id, path, upload="auto", chunk_size=DEFAULT_CHUNK_SIZE):
        """A new version of ``object_id`` from ``path`` (POST objects/(id)/ or PUT upload/publish/(id))."""
        if resumable(path, upload):
            route = self.route("{}/upload/publish/{}", repository_id, object_id)
            return with_upload(
                lambda: resumable_upload(self.client, self.route("{}/upload", repository_id), path, chunk_size=chunk_size),
                lambda key: self.checked(_json(self.client.request(
                    "PUT", route, data={"fileKey": key, "name": os.path.basename(path)},
                    idempotent=False), route), "PUT", route),  # each one adds a version: never resent blindly
                file_key_refused)
        else:
            route = self.route("objects/{}/", object_id)
            response = multipart_upload(self.client, "POST", route, path, field="Resource")
        return self.checked(_json(response, route), "POST", route)

    def delete(self, object_id):
        route = self.route("objects/{}/delete/", object_id)
        # the page: an empty body with Content-Length: 0
        return self.checked(_json(self.client.request("POST", route, data=b"", headers={"Content-Length": "0"}),
                                  route), "POST", route)


def file_key_refused(exc):
    """An ERROR result refusing the file key of a resumable upload (expired or unknown), which
    publishes nothing. NOTE: learning-repository.txt gives no text for it; the emulator answers
    "Invalid file key", and a message naming the file key is taken as that refusal."""
    return isinstance(exc, LrError) and "file key" in str(exc).lower()


def resumable(path, upload):
    return upload == "resumable" or (upload == "auto" and os.path.getsize(path) > RESUMABLE_THRESHOLD)


def _json(response, route):
    try:
        return response.json()
    except ValueError:
        raise BrightspaceError("%s answered %s with a body that is not JSON" % (route, response.status_code))


def object_state(props):
    """The module's view of an LRWSObjectProperties block."""
    return {
        "id": int(props["IdentId"]) if props.get("IdentId") is not None else None,
        "version": props.get("Version"),
        "repository_id": props.get("RepositoryId"),
        "title": props.get("Title"),
        "description": props.get("Description"),
        "keywords": normalize_keywords(props.get("Keywords")),
        "status": STATUS_NAMES.get(props.get("Status"), props.get("Status")),
        "hidden_from_search": props.get("HiddenFromSearchResults"),
        "publicly_available": props.get("PublicallyAvailable"),
        "owner_id": props.get("OwnerId"),
        "type": OBJECT_TYPES.get(props.get("Type"), props.get("Type")),
        "url": props.get("URL"),
    }


def properties_input(props, desired):
    """LRWSObjectPropertiesInput from the current properties with ``desired`` applied."""
    body = {
        "RepositoryId": props.get("RepositoryId"),
        "Status": props.get("Status"),
        "HiddenFromSearchResults": props.get("HiddenFromSearchResults"),
        "PublicallyAvailable": props.get("PublicallyAvailable"),
        "OwnerId": props.get("OwnerId"),
        "Title": props.get("Title"),
        "Description": props.get("Description") or "",
        "Keywords": list(props.get("Keywords") or []),
    }
    names = {"title": "Title", "description": "Description", "hidden_from_search": "HiddenFromSearchResults",
             "publicly_available": "PublicallyAvailable", "owner_id": "OwnerId"}
    for name, key in names.items():
        if name in desired:
            body[key] = desired[name]
    if "status" in desired:
        body["Status"] = STATUSES[desired["status"]]
    if "keywords" in desired:
        # NOTE: one comma-separated string, the form the page calls the usual one
        body["Keywords"] = [", ".join(desired["keywords"])] if desired["keywords"] else []
    return body


class LrTitles:
    """The learning objects of one repository by title: the natural key ``d2l_lr_object`` manages
    them by and ``d2l_lr_download`` reads them by. ``find(title)`` answers the latest properties of
    the one object of that title, None when there is none, and fails when several share it.

    NOTE: the id of the object a title found is kept in ids.json beside the token cache
    (caches.IdCache), per repository: a re-run reads its properties directly (one GET) instead of
    searching first. The properties must still show this title in this repository, else
    (deleted, renamed, moved) the title is searched again; like the search, it sees an object
    that another user later gave the same title only when the search runs again.
    """

    def __init__(self, api, repository_id):
        self.api = api
        self.client = api.client
        self.repository_id = repository_id

    def kind(self):
        return "LR object in repository %s" % self.repository_id

    def find(self, title):
        cached = self.remembered(title)
        if cached is not None:
            return cached
        query = 'dc.title == "%s"' % title.replace("\\", "\\\\").replace('"', '\\"')
        found = [r for r in self.api.search_all(query, [self.repository_id])
                 if r.get("Title") == title and int(r.get("RepositoryId", self.repository_id)) == self.repository_id]
        if len(found) > 1:
            raise BrightspaceError("%d learning objects in repository %s are titled '%s' (ids %s): give object_id"
                                   % (len(found), self.repository_id, title,
                                      ", ".join(str(r.get("IdentId")) for r in found)))
        if not found:
            return None
        props = self.api.properties(found[0]["IdentId"])
        self.remember(props)
        return props

    def remembered(self, title):
        object_id = self.client.ids.get(self.kind(), title)
        if object_id is None:
            return None
        try:
            props = self.api.properties(object_id)
        except LrError:
            props = None
        except BrightspaceHTTPError as exc:
            if exc.status != 404:
                raise
            props = None
        if props and props.get("Title") == title and \
                int(props.get("RepositoryId", self.repository_id)) == self.repository_id:
            return props
        self.forget(title)
        return None

    def remember(self, props):
        if props and props.get("IdentId") is not None and props.get("Title"):
            self.client.ids.put(self.kind(), props["Title"], int(props["IdentId"]))

    def forget(self, title):
        self.client.ids.drop(self.kind(), title)


class LrObjectResource(Resource):
    label = "learning object"
    lock_scope = ("repository",)
    result_key = "object"
    compare = ("title", "description", "keywords", "status", "hidden_from_search", "publicly_available",
               "owner_id", "content")
    required_to_create = ("title", ("content", "src"))

    def __init__(self, module):
        super().__init__(module)
        self.api = LrApi(self.client, module.warn)
        self.key = "object_id" if module.params.get("object_id") is not None else "title"
        self.repository_id = None
        self.titles = None  # LrTitles of the repository, once desired() resolved it
        self.remote_digest = None

    def desired(self):
        params = self.module.params
        state = params.get("state") or "present"
        if params.get("chunk_size") is not None and params["chunk_size"] < 1024:
            raise ValidationError("chunk_size must be at least 1024 bytes, got %s" % params["chunk_size"])
        desired = self.module.given("title", "description", "hidden_from_search", "publicly_available", "owner_id")
        if params.get("title") is not None and not params["title"].strip():
            raise ValidationError("title must not be empty")
        if params.get("keywords") is not None:
            desired["keywords"] = normalize_keywords(params["keywords"])
        if params.get("status") is not None:
            desired["status"] = params["status"]
        if params.get("src") is not None and state == "present":
            check_scorm(params["src"])
            desired["content"] = file_digest(params["src"])[1]
        self.repository_id = self.api.repository_id(params["repository"])
        self.titles = LrTitles(self.api, self.repository_id)
        return desired

    def find(self):
        params = self.module.params
        if params.get("object_id") is not None:
            try:
                props = self.api.properties(params["object_id"])
            except LrError as exc:
                if (params.get("state") or "present") == "present":
                    raise NotFoundError("object_id %s: %s" % (params["object_id"], exc.service_message))
                return None
            return self.at_version(props)
        props = self.titles.find(params["title"])
        return self.at_version(props) if props is not None else None

    def remember(self, props):
        self.titles.remember(props)

    def at_version(self, latest):
        version = self.module.params.get("version")
        if version is None or int(version) == int(latest.get("Version") or 0):
            return latest
        return self.api.properties(latest["IdentId"], version)

    def normalize(self, raw):
        state = object_state(raw)
        if self.remote_digest is not None:
            state["content"] = self.remote_digest
        return state

    def same(self, name, before, wanted):
        if name == "content":
            params = self.module.params
            if params.get("force"):
                return False
            if (params.get("content_check") or "none") == "none":
                return True
            self.remote_digest = self.remote_content_digest(before)
            before["content"] = self.remote_digest
            return self.remote_digest == wanted
        if name == "description":
            return (before.get(name) or "") == (wanted or "")
        return super().same(name, before, wanted)

    def remote_content_digest(self, before):
        """sha256 of the latest version's bytes (downloadfile/ for assets, download/ otherwise)."""
        what = "file" if before.get("type") == "Asset" else "package"
        route = self.api.download_route(before["id"], None, what)
        scratch = tempfile.mkdtemp(prefix="d2l-lr-")
        try:
            got = download(self.client, route, os.path.join(scratch, "latest"),
                           check=lambda response: self.api.check_download(response, route))
            return got["sha256"]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def preview(self, desired):
        after = dict((name, None) for name in self.compare)
        after.update(desired)
        after.update({"id": None, "repository_id": self.repository_id})
        return after

    def create(self, desired):
        params = self.module.params
        try:
            published = self.api.publish(self.repository_id, params["src"], params.get("upload") or "auto",
                                         params.get("chunk_size") or DEFAULT_CHUNK_SIZE)
        except BrightspaceError as exc:
            # The object gets its title only after the publish (properties), so a look-up by title
            # cannot find one published by a request whose answer was lost: never publish again.
            not_resent(exc, "the learning object may have been published all the same (under the package's "
                            "own title): it was not published again. Check the repository before running the task "
                            "again")
        object_id = published["IdentId"]
        props = self.api.properties(object_id)
        wanted = dict((k, v) for k, v in desired.items() if k != "content")
        if any(not self.same(name, object_state(props), value) for name, value in wanted.items()):
            self.api.set_properties(object_id, properties_input(props, wanted))
            props = self.api.properties(object_id)
        self.remember(props)
        if props.get("HiddenFromSearchResults") and not self.api.sees_hidden(self.repository_id):
            # NOTE: the search this module finds objects by title with skips objects hidden from
            # search for a caller without See All Hidden Objects (learning-repository.txt): only
            # the id kept in ids.json finds this one again.
            self.module.warn(
                "learning object %s ('%s') is hidden from search, and you lack See All Hidden Objects in repository "
                "%s: a search cannot find it, so a later run finds it only through the id remembered beside the "
                "token cache (ids.json) on this controller; elsewhere give object_id %s" % (
                    object_id, props.get("Title"), self.repository_id, object_id))
        return props

    def update(self, raw, changes, desired):
        params = self.module.params
        object_id = raw["IdentId"]
        version = params.get("version")
        wanted = dict((k, v) for k, v in desired.items() if k != "content")
        current = raw
        if "content" in changes:
            # a new version starts from the service's defaults (Unassigned, repository
            # visibility): carry the previous version's properties over, then apply what was asked
            try:
                self.api.overwrite(self.repository_id, object_id, params["src"], params.get("upload") or "auto",
                                   params.get("chunk_size") or DEFAULT_CHUNK_SIZE)
            except BrightspaceError as exc:
                not_resent(exc, "a new version of object %s may have been published all the same: it was not "
                                "published again. Check the object's versions before running the task again" % object_id)
            latest = self.api.properties(object_id)
            self.api.set_properties(object_id, properties_input(dict(raw, Version=latest.get("Version")), wanted))
            updated = self.api.properties(object_id)
            self.remote_digest = desired["content"]
            return updated
        self.api.set_properties(object_id, properties_input(current, wanted), version)
        return self.api.properties(object_id, version)

    def delete(self, raw):
        self.api.delete(raw["IdentId"])
        if raw.get("Title"):
            self.titles.forget(raw["Title"])


# ---------------------------------------------------------------------------------- info

def describe_objects(module):
    """d2l_lr_object_info."""
    params = module.params
    api = LrApi(module.client, module.warn)
    if params.get("page_size") is not None and not 1 <= params["page_size"] <= SEARCH_MAX_COUNT:
        raise ValidationError("page_size must be between 1 and %d (the service caps count at %d), got %s"
                              % (SEARCH_MAX_COUNT, SEARCH_MAX_COUNT, params["page_size"]))
    if params.get("limit") is not None and params["limit"] < 0:
        raise ValidationError("limit must not be negative, got %s" % params["limit"])
    version = params.get("version")
    if params.get("object_id") is not None:
        ids = [int(params["object_id"])]
        results = []
        total = 1
    else:
        repositories = [api.repository_id(r, "repositories") for r in params.get("repositories") or []]
        if not repositories:
            repositories = [int(r["RepositoryId"]) for r in api.repositories()]
        if params.get("limit") == 0:
            return {"changed": False, "objects": [], "total": 0}
        results = api.search_all(params.get("query") or "", repositories, limit=params.get("limit"),
                                 page_size=params.get("page_size") or SEARCH_MAX_COUNT,
                                 offset=params.get("offset") or 0)
        ids = [int(r["IdentId"]) for r in results]
        total = len(results)
    objects = []
    for index, object_id in enumerate(ids):
        item = {"id": object_id}
        if results:
            hit = results[index]
            item.update({"version": hit.get("Version"), "title": hit.get("Title"), "repository_id": hit.get("RepositoryId"),
                         "type": OBJECT_TYPES.get(hit.get("TypeId"), hit.get("TypeId")), "url": hit.get("URL"),
                         "org_id": hit.get("OrgId")})
        if params.get("properties") or params.get("object_id") is not None:
            item.update(object_state(api.properties(object_id, version)))
        if params.get("metadata"):
            text = api.metadata(object_id, version or item.get("version") or api.properties(object_id)["Version"])
            item["metadata_xml"] = text
            item["metadata"] = parse_dublin_core(text)
        if params.get("link"):
            item["view_link"] = api.link(object_id, version)
        objects.append(item)
    return {"changed": False, "objects": objects, "total": total}


def describe_repositories(module):
    """d2l_lr_repository_info."""
    params = module.params
    api = LrApi(module.client, module.warn)
    unknown = [t for t in params.get("trusts") or [] if t not in TRUSTS]
    if unknown:
        raise ValidationError("trusts: unknown trust name(s) %s; valid: %s" % (", ".join(unknown), ", ".join(TRUSTS)))
    kind = params.get("type")
    result = {"changed": False}
    if kind is None and not params.get("trusts") and params.get("org_unit_id") is None:
        repositories = api.repositories()
    else:
        repositories = api.repositories_of_type(kind or "All", params.get("org_unit_id"), params.get("trusts"))
    result["repositories"] = [repository_state(r) for r in repositories]
    if params.get("repository") is not None:
        repository_id = api.repository_id(params["repository"])
        nested = api.trusts(repository_id, params.get("org_units"), params.get("roles"))
        # the page: RepositoryTrusts is a dictionary of org unit id → role id → LRWSTrust
        result["trusts"] = [{"org_unit_id": int(org_unit), "role_id": int(role), "trusts": trust}
                            for org_unit, roles in sorted(nested.items(), key=lambda kv: int(kv[0]))
                            for role, trust in sorted(roles.items(), key=lambda kv: int(kv[0]))]
    return result


def repository_state(raw):
    return {"id": raw.get("RepositoryId"), "name": raw.get("Name"), "description": raw.get("Description"),
            "type": raw.get("Type"), "org_id": raw.get("OrgId"), "object_count": raw.get("ObjectCount")}


def download_object(module):
    """d2l_lr_download: stream to dest; unchanged when dest already holds the same bytes."""
    params = module.params
    check_destination(params["dest"])
    mode = parse_mode(params.get("mode"))
    api = LrApi(module.client, module.warn)
    object_id = params.get("object_id")
    if object_id is None:  # the natural key d2l_lr_object manages the object by
        repository_id = api.repository_id(params["repository"])
        props = LrTitles(api, repository_id).find(params["title"])
        if props is None:
            raise NotFoundError("title: no learning object titled '%s' in repository %s"
                                % (params["title"], repository_id))
        object_id = int(props["IdentId"])
    route = api.download_route(object_id, params.get("version"), params.get("what") or "package")
    got = download(module.client, route, params["dest"], default_name="lr-object-%s.zip" % object_id,
                   check=lambda response: api.check_download(response, route), replace=not module.check_mode,
                   mode=mode)
    result = {"changed": got["changed"], "object_id": object_id, "path": got["path"], "size": got["size"],
              "sha256": got["sha256"],
              "content_type": got["content_type"], "previous_sha256": got["previous_sha256"]}
    if module._diff:  # pylint: disable=protected-access
        result["diff"] = {"before": {"path": got["path"], "sha256": got["previous_sha256"]},
                          "after": {"path": got["path"], "sha256": got["sha256"]}}
    return result
