# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ePortfolio: artifacts (eportfolio-artifacts.txt), export and import jobs
(eportfolio-import-export.txt), and the declarations the d2l_ep_* and d2l_artifact* modules run.

Everything acts in the caller's user context: an artifact is found among the caller's own
objects (``objects/my/``), an export packages the caller's objects, and an import job belongs to
the user it imports into.
"""

from __future__ import annotations

import os
import stat

from .downloads import check_destination, download, file_digest, parse_mode
from .errors import BrightspaceError, BrightspaceHTTPError, NotFoundError, ValidationError, not_resent
from .ensure import Resource
from .jobs import Job
from .packages import check_source, check_zip
from .paging import paged_result_set
from .uploads import DEFAULT_CHUNK_SIZE, RESUMABLE_THRESHOLD, multipart_upload, resumable_upload, with_upload
from .waiter import JOB_KINDS, wait_for_job

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

# eportfolio-import-export.txt, JOBSTATUS
JOB_QUEUED, JOB_ABORTED, JOB_COMPLETE, JOB_COMPLETE_WITH_ERRORS, JOB_PROCESSING = 0, 1, 2, 3, 4
# The include flags deprecated since eP API 2.1 and the one introduced with it.
FLAGS_CHANGED_IN = (2, 1)
PAGE_SIZE = 100
# NOTE: the page says "a separate form-data part for each target user ID value" without naming
# the part. D2L's own library (D2LValence-UtilTUT, d2lvalence_util/service.py,
# start_ep_import_task) sends one part named ``targetUsers`` per user, as ``text/plain``: so does
# the collection.
TARGET_USER_PART = "targetUsers"


def _version_tuple(version):
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (99,)


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
    """The 400 eportfolio-artifacts.txt documents for a key the service cannot attach ("Invalid
    upload key provided, or service could not find the file data"): expired, consumed or unknown,
    and nothing was created."""
    return isinstance(exc, BrightspaceHTTPError) and exc.status == 400 and "upload key" in str(exc).lower()


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_package(path, option="src"):
    """A readable, safe zip file (packages.check_source and check_zip), checked before any
    request (only its directory is read)."""
    expect = "an ePortfolio package: the zip file an export produces"
    check_source(path, option, expect)
    check_zip(path, option, expect)
    return {"path": path, "file_name": os.path.basename(path), "size": os.path.getsize(path)}


# ---------------------------------------------------------------------------------- the routes

class EpApi:
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
        return _answer(response, "POST", route)

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
        return _answer(response, "POST", route)

    def import_status(self, import_id):
        route = self.route("import/{}/status", import_id)
        return single_number(self.client.get_json(route), "a job status", "GET", route)


def _answer(response, method, route):
    try:
        return response.json()
    except ValueError:
        raise BrightspaceError("%s %s answered %s with a body that is not JSON" % (method, route, response.status_code))


# ---------------------------------------------------------------------------------- artifacts

def artifact_state(raw, comments=False):
    """The module's view of an artifact block (only what a playbook sets or needs)."""
    type_id = raw.get("ObjectTypeId")
    kind = KIND_BY_TYPE.get(type_id)
    state = {
        "id": int(raw["ObjectId"]) if raw.get("ObjectId") is not None else None,
        "kind": kind,
        "type": EPOBJ_NAMES.get(type_id, type_id),
        "name": raw.get("Name"),
        "description": raw.get("Description"),
        "allow_comments": raw.get("AllowComments"),
        "user_id": int(raw["UserId"]) if str(raw.get("UserId", "")).isdigit() else raw.get("UserId"),
        "view_link": raw.get("ViewLink"),
        "comments_count": raw.get("CommentsCount"),
        "created": raw.get("Created"),
        "modified": raw.get("Modified"),
    }
    if kind == "link" or "Url" in raw:
        state["url"] = raw.get("Url")
    if kind == "file" or "FileName" in raw:
        state.update({"file_name": raw.get("FileName"), "file_size": raw.get("FileSize"),
                      "extension": raw.get("Extension")})
    if comments:
        state["comments"] = [{"id": c.get("CommentId"), "user_id": c.get("UserId"), "created": c.get("CreatedDate"),
                              "body": c.get("Body")} for c in raw.get("Comments") or []]
    return state


class ArtifactResource(Resource):
    label = "ePortfolio artifact"
    lock_scope = ("kind",)
    result_key = "artifact"
    compare = ("name", "description", "allow_comments", "url", "file_name", "file_size")
    required_to_create = ("name",)

    def __init__(self, module):
        super().__init__(module)
        self.api = EpApi(self.client)
        self.kind = module.params["kind"]
        self.type_id, self.segment = KINDS[self.kind]
        self.key = "object_id" if module.params.get("object_id") is not None else "name"

    # -- what the user asked for --------------------------------------------------------------
    def desired(self):
        params = self.module.params
        state = params.get("state") or "present"
        desired = self.module.given("name", "description", "allow_comments")
        if self.kind == "link":
            if params.get("src") is not None:
                raise ValidationError("src applies to kind=file only")
            if params.get("url") is not None:
                url = params["url"]
                if not url.startswith(("http://", "https://")) or not url.split("://", 1)[1]:
                    raise ValidationError("url must be an absolute http:// or https:// URL, got '%s'" % url)
                desired["url"] = url
            self.required_to_create = ("name", "url")
        else:
            if params.get("url") is not None:
                raise ValidationError("url applies to kind=link only")
            if params.get("chunk_size") is not None and params["chunk_size"] < 1024:
                raise ValidationError("chunk_size must be at least 1024 bytes, got %s" % params["chunk_size"])
            src = params.get("src")
            if src is not None and state == "present":
                self.check_src(src)
                desired["file_name"] = os.path.basename(src)
                desired["file_size"] = os.path.getsize(src)
            self.required_to_create = ("name", ("file_name", "src"))
        return desired

    @staticmethod
    def check_src(src):
        check_source(src, "src", "the file the artifact holds")

    # -- the service's side --------------------------------------------------------------------
    def find(self):
        params = self.module.params
        if params.get("object_id") is not None:
            raw = self.api.get(params["object_id"], self.kind)
            if raw is None:
                other = self.api.get(params["object_id"])
                if other is not None:
                    raise ValidationError("object_id %s is a %s, not a %s artifact" % (
                        params["object_id"], EPOBJ_NAMES.get(other.get("ObjectTypeId"), "different object"),
                        self.kind))
                if (params.get("state") or "present") == "present":
                    raise NotFoundError("object_id %s: no such ePortfolio artifact among your objects; leave "
                                        "object_id out to create one by name" % params["object_id"])
            return raw
        name = params["name"]
        found = [item for item in self.api.mine()
                 if item.get("ObjectTypeId") == self.type_id and item.get("Name") == name]
        if len(found) > 1:
            raise BrightspaceError("%d %s artifacts are named '%s' (ids %s): give object_id" % (
                len(found), self.kind, name, ", ".join(str(item.get("ObjectId")) for item in found)))
        if not found:
            return None
        item = found[0]
        needed = "Url" if self.kind == "link" else "FileSize"
        return item if needed in item else self.api.get(item["ObjectId"], self.kind)

    def normalize(self, raw):
        state = artifact_state(raw)
        state["kind"] = self.kind
        if raw.get("_replaced"):  # set by replace_content: how the new content got there
            state["content_replaced"] = raw["_replaced"]
        if raw.get("_previous_id"):
            state["previous_id"] = raw["_previous_id"]
        return state

    def same(self, name, before, wanted):
        if name in ("file_name", "file_size") and self.module.params.get("force"):
            return False
        if name == "description":
            return (before.get(name) or "") == (wanted or "")
        return super().same(name, before, wanted)

    def preview(self, desired):
        other_kind = ("url",) if self.kind == "file" else ("file_name", "file_size")
        after = dict((name, None) for name in self.compare if name not in other_kind)
        after.update(desired)
        after.update({"id": None, "kind": self.kind})
        return after

    # -- writes ----------------------------------------------------------------------------------
    def block(self, raw, desired):
        """The create/update form of the typed routes (EpObject form plus the kind's properties)."""
        body = {
            "ObjectId": int(raw["ObjectId"]) if raw else 0,
            "Name": desired.get("name", raw.get("Name") if raw else None),
            "Description": desired.get("description", (raw.get("Description") if raw else None) or ""),
            "AllowComments": desired.get("allow_comments", raw.get("AllowComments") if raw else True),
            "GeoTag": raw.get("GeoTag") if raw else None,
        }
        if self.kind == "link":
            body["Url"] = desired.get("url", raw.get("Url") if raw else None)
        else:
            for name in ("FileSize", "FileName", "Extension", "UploadKey"):
                body[name] = raw.get(name) if raw else None
        if body["AllowComments"] is None:
            body["AllowComments"] = True
        return body

    def create(self, desired):
        if self.kind == "link":
            return self.api.create_link(self.block(None, desired))
        src = self.module.params["src"]
        if self.resumable(src):
            body = self.block(None, desired)
            return with_upload(lambda: self.upload(src), lambda upload: self.api.attach(dict(body, **upload)),
                               upload_key_refused)
        created = self.api.upload_simple(src, desired["name"], desired.get("description"))
        if desired.get("allow_comments") is False and created.get("AllowComments") is not False:
            # the simple upload takes only a name and a description
            created = self.api.update("file", created["ObjectId"], self.block(created, desired))
        return created

    def update(self, raw, changes, desired):
        body = self.block(raw, desired)
        if self.kind == "file" and ("file_name" in changes or "file_size" in changes):
            src = self.module.params.get("src")
            if not src:
                raise ValidationError("the content differs: give src to replace it")
            return self.replace_content(raw, body, src)
        return self.api.update(self.kind, raw["ObjectId"], body)

    def replace_content(self, raw, body, src):
        """New content for a file artifact, by documented operations only.

        NOTE: eportfolio-artifacts.txt documents the update route as taking a FileArtifact block
        (UploadKey among its properties) but does not say that a new UploadKey replaces the
        content. So the update is sent with the new key, and its effect is read back: when the
        artifact now has the new file's name and size, the content was replaced in place (same
        id). When it has not, the documented way is taken: a new artifact from the upload
        (``artifacts/file/new``, the key attached there), then the old one deleted; the result
        carries the new id, ``previous_id`` and a warning. The emulator takes the reading where
        the key is ignored (``artifact_update_replaces_content: false``), and is tested on both.
        """
        old_id = int(raw["ObjectId"])

        def update(given):
            self.api.update(self.kind, old_id, dict(body, **given))
            return given
        upload = with_upload(lambda: self.upload(src), update, upload_key_refused)
        body.update(upload)
        current = self.api.get(old_id, self.kind)
        if current is not None and self.holds(current, raw, upload):
            current["_replaced"] = "in_place"
            return current
        fresh = dict(body, ObjectId=0)
        uploads = iter([upload])  # the key the update did not take, then (if refused) a new upload
        created = with_upload(lambda: next(uploads, None) or self.upload(src),
                              lambda given: self.api.attach(dict(fresh, **given)), upload_key_refused)
        new_id = created.get("ObjectId")
        try:
            self.api.delete(self.kind, old_id)
        except BrightspaceError as exc:
            raise BrightspaceError(
                "ePortfolio artifact %s: the service kept the old content on update, so the new content went into a "
                "new artifact %s; deleting the old artifact %s then failed: %s. Delete it (d2l_artifact with "
                "object_id %s and state=absent) before the next run, which would find two artifacts of this name"
                % (raw.get("Name"), new_id, old_id, exc, old_id))
        self.module.warn("ePortfolio artifact '%s': the service kept the old content when updated with a new upload, "
                         "so the content was replaced by a new artifact %s and the old artifact %s was deleted "
                         "(its comments are gone)" % (raw.get("Name"), new_id, old_id))
        created["_replaced"] = "new_artifact"
        created["_previous_id"] = old_id
        return created

    @staticmethod
    def holds(current, old, upload):
        """Whether the artifact read back holds the new upload: it names the new key, or (a service
        that does not echo keys) its file name and size changed to the new file's. With the same
        name and size (``force``) only the key can tell, so no key means no."""
        if current.get("UploadKey") and current.get("UploadKey") == upload["UploadKey"]:
            return True
        now = (current.get("FileName"), _int_or_none(current.get("FileSize")))
        new = (upload["FileName"], upload["FileSize"])
        return now == new and (old.get("FileName"), _int_or_none(old.get("FileSize"))) != new

    def delete(self, raw):
        self.api.delete(self.kind, raw["ObjectId"])

    # -- file content -----------------------------------------------------------------------------
    def resumable(self, src):
        mode = self.module.params.get("upload") or "auto"
        return mode == "resumable" or (mode == "auto" and os.path.getsize(src) > RESUMABLE_THRESHOLD)

    def upload(self, src):
        key = self.api.upload_resumable(src, self.module.params.get("chunk_size") or DEFAULT_CHUNK_SIZE)
        name = os.path.basename(src)
        return {"UploadKey": key, "FileName": name, "FileSize": os.path.getsize(src),
                "Extension": os.path.splitext(name)[1].lstrip(".")}


def describe_artifacts(module):
    """d2l_artifact_info: one artifact by id, or the caller's artifacts filtered by kind and name."""
    params = module.params
    api = EpApi(module.client)
    kind = params.get("kind")
    comments = bool(params.get("comments"))
    if params.get("object_id") is not None:
        raw = api.get(params["object_id"], kind, comments=comments)
        return {"changed": False, "artifacts": [artifact_state(raw, comments)] if raw is not None else []}
    if comments:
        raise ValidationError("comments needs object_id: comments are read one artifact at a time")
    wanted_types = [KINDS[kind][0]] if kind else [t for t in EPOBJ.values() if 300 <= t < 400]
    found = [artifact_state(item) for item in api.mine()
             if item.get("ObjectTypeId") in wanted_types
             and (params.get("name") is None or item.get("Name") == params["name"])]
    return {"changed": False, "artifacts": found}


# ---------------------------------------------------------------------------------- export

class ExportJob(Job):
    """d2l_ep_export: export/new (object ids) or export/new/all, wait, stream the package to dest."""

    kind = "eportfolio"
    label = "ePortfolio export"
    token_option = "export_id"
    mode = None  # the permission bits asked for (the mode option)

    def prepare(self):
        params = self.module.params
        check_destination(params["dest"])
        self.mode = parse_mode(params.get("mode"))
        object_ids = params.get("object_ids")
        if object_ids is not None:
            if not object_ids:
                raise ValidationError("object_ids must not be empty: give the ePortfolio object ids to export, "
                                      "or all=true")
            bad = [i for i in object_ids if int(i) <= 0]
            if bad:
                raise ValidationError("object_ids must be positive ePortfolio object ids, got %s" % bad)
        elif not params.get("all") and params.get("export_id") is None:
            raise ValidationError("give object_ids, or all=true to export every object you own")
        self.api = EpApi(self.client)
        return {"object_ids": [int(i) for i in object_ids] if object_ids is not None else None,
                "all": object_ids is None, "dest": params["dest"], "query": self.flags()}

    def flags(self):
        """Query parameters, checked against the eP API version in use."""
        params = self.module.params
        given = dict((name, params.get(name)) for name in (
            "include_forms_items", "include_associated_items", "include_associated_reflections",
            "include_reflections_associations") if params.get(name) is not None)
        if not given:
            return {}
        version = self.client.version("eP")
        new_api = _version_tuple(version) >= FLAGS_CHANGED_IN
        for name in ("include_associated_reflections", "include_reflections_associations"):
            if name in given and new_api:
                raise ValidationError("%s is deprecated since ePortfolio API 2.1 and not taken by version %s in use; "
                                      "use include_associated_items" % (name, version))
        if "include_associated_items" in given and not new_api:
            raise ValidationError("include_associated_items needs ePortfolio API 2.1 or later (version %s is in use)"
                                  % version)
        names = {"include_forms_items": "includeFormsItems", "include_associated_items": "includeAssociatedItems",
                 "include_associated_reflections": "includeAssociatedReflections",
                 "include_reflections_associations": "includeReflectionsAssociations"}
        return dict((names[name], "true" if value else "false") for name, value in given.items())

    def satisfied(self, spec):
        dest = spec["dest"]
        if self.module.params.get("force") or os.path.isdir(dest) or not os.path.exists(dest):
            return None
        size, digest = file_digest(dest)
        done = {"path": dest, "size": size, "sha256": digest, "exported": False}
        if self.mode is not None and stat.S_IMODE(os.stat(dest).st_mode) != self.mode:
            if not self.module.check_mode:
                try:
                    os.chmod(dest, self.mode)
                except OSError as exc:
                    raise BrightspaceError("dest: cannot set the mode of '%s': %s" % (dest, exc.strerror or exc))
            done["changed"] = True  # only the file's mode
        return done

    def start(self, spec):
        return self.api.start_export(spec["object_ids"], spec["query"])

    def status(self, spec, token):
        return self.api.export_status(token)

    def finish(self, spec, token, waited):
        if waited["status"] == JOB_COMPLETE_WITH_ERRORS:
            self.module.warn("ePortfolio export %s completed with errors: some objects may be missing from the "
                             "package, which was kept" % token)
        got = download(self.client, self.api.export_package_route(token), spec["dest"],
                       default_name="eP_Export_%s.zip" % token, mode=self.mode)
        return {"path": got["path"], "size": got["size"], "sha256": got["sha256"], "exported": True,
                "previous_sha256": got["previous_sha256"], "changed": got["changed"]}


# ---------------------------------------------------------------------------------- import

class ImportRun:
    """d2l_ep_import: send the package once (one form part per target user), then wait on every
    job the caller may read.

    The page: an import job for another user "is owned by that user, and not the calling user
    context": its status answers 403 to the caller. Such jobs are reported as not readable, with
    their ids, and not waited for.
    """

    def __init__(self, module):
        self.module = module
        self.api = EpApi(module.client)
        self.caller_id = None

    def run(self):
        params = self.module.params
        package = check_package(params.get("src"))
        users = params.get("target_users")
        if users is not None:
            if not users:
                raise ValidationError("target_users must not be empty: omit it to import into your own ePortfolio")
            bad = [u for u in users if int(u) <= 0]
            if bad:
                raise ValidationError("target_users must be positive user ids, got %s" % bad)
            users = [int(u) for u in users]
        details = bool(params.get("details"))
        result = {"changed": True, "package": package, "target_users": users, "jobs": [],
                  "successful_job_ids": [], "failed_user_ids": [], "error_messages": [],
                  "import_job_result_type": None}
        if self.module._diff:  # pylint: disable=protected-access
            result["diff"] = {"before": {}, "after": {"package": package, "target_users": users}}
        if self.module.check_mode:
            return result
        try:
            answer = self.api.start_import(package["path"], users, details)
        except BrightspaceError as exc:
            not_resent(exc, "the ePortfolio import job may have been queued all the same: it was not started "
                            "again. Check the target before running the task again")
        if details:
            answer = answer or {}
            job_ids = [int(i) for i in answer.get("SuccessfulJobIds") or []]
            result.update({"import_job_result_type": answer.get("ImportJobResultType"),
                           "failed_user_ids": [int(u) for u in answer.get("FailedUserIds") or []],
                           "error_messages": list(answer.get("ErrorMessages") or [])})
        else:
            if not isinstance(answer, list):
                answer = [single_number(answer, "an import task id", "POST", self.api.route("import/new"))]
            job_ids = [int(i) for i in answer]
        result["successful_job_ids"] = job_ids
        job_users = self.users_of(job_ids, users, result["failed_user_ids"])
        for job_id, user in zip(job_ids, job_users):
            result["jobs"].append(self.wait(job_id, user))
        return self.verdict(result)

    @staticmethod
    def users_of(job_ids, users, failed):
        """The target user of each job: the page keeps the order of the target users given."""
        if not users:
            return [None] * len(job_ids)
        remaining = [u for u in users if u not in failed]
        if len(remaining) != len(job_ids):
            return [None] * len(job_ids)
        return remaining

    def wait(self, job_id, user):
        params = self.module.params
        job = {"job_id": job_id, "user_id": user, "readable": True, "status": None, "status_name": None,
               "finished": False}
        try:
            waited = wait_for_job(lambda: self.api.import_status(job_id), "eportfolio", job_id,
                                  wait=params.get("wait", True), wait_timeout=params.get("wait_timeout") or 0,
                                  poll_interval=params.get("poll_interval") or 0, resume_option=None)
        except BrightspaceHTTPError as exc:
            if exc.status != 403:
                raise
            if self.own(user):
                # the caller's own job: a 403 is the caller's role lacking the permission to see it
                job.update({"readable": False, "failed": True, "message": str(exc)})
                return job
            job.update({"readable": False, "message": "the job belongs to user %s: read its status in that "
                        "user's context" % user})
            return job
        except BrightspaceError as exc:
            result = getattr(exc, "result", None) or {}
            job.update({"status": result.get("status"), "status_name": result.get("status_name"),
                        "finished": result.get("finished", False), "message": str(exc)})
            return job
        job.update({"status": waited["status"], "status_name": waited["status_name"],
                    "finished": waited["finished"], "duration": waited["duration"]})
        if waited["status"] == JOB_COMPLETE_WITH_ERRORS:
            self.module.warn("ePortfolio import job %s (user %s) completed with errors" % (job_id, user))
        return job

    def own(self, user):
        """Whether a job imports into the caller's own ePortfolio: no target users given, or the
        target is the caller (``whoami``, read once when first needed)."""
        if user is None:
            return True
        if self.caller_id is None:
            me = self.module.client.get_json(self.module.client.route("lp", "users/whoami")) or {}
            self.caller_id = int(me["Identifier"]) if str(me.get("Identifier", "")).isdigit() else -1
        return int(user) == self.caller_id

    def verdict(self, result):
        failed_jobs = [job for job in result["jobs"] if job["status"] in JOB_KINDS["eportfolio"].failed
                       or job.get("failed") or (job.get("message") and job["readable"])]
        problems = []
        if result["failed_user_ids"]:
            problems.append("the import could not start for user(s) %s: %s" % (
                ", ".join(str(u) for u in result["failed_user_ids"]), "; ".join(result["error_messages"])))
        for job in failed_jobs:
            problems.append(job.get("message") or "import job %s (user %s) ended with status %s" % (
                job["job_id"], job["user_id"], job["status_name"]))
        if problems and not self.module.params.get("allow_partial"):
            error = BrightspaceError("; ".join(problems))
            error.result = result
            raise error
        for problem in problems:
            self.module.warn(problem)
        return result
