# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio artifacts: the resource ``d2l_artifact`` ensures, and ``d2l_artifact_info``'s body."""

from __future__ import annotations

import os

from ..errors import BrightspaceError, NotFoundError, ValidationError
from ..ensure import Resource
from ..packages import check_source
from ..uploads import DEFAULT_CHUNK_SIZE, RESUMABLE_THRESHOLD, with_upload
from .routes import EPOBJ, EPOBJ_NAMES, KIND_BY_TYPE, KINDS, EportfolioApi, upload_key_refused


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
    # the update POST takes the whole block: what the task does not set is sent back (block())
    preserved = ("name", "description", "allow_comments", "url")

    def __init__(self, module):
        super().__init__(module)
        self.api = EportfolioApi(self.client)
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
        else:
            if params.get("url") is not None:
                raise ValidationError("url applies to kind=link only")
            src = params.get("src")
            if src is not None and state == "present":
                self.check_src(src)
                desired["file_name"] = os.path.basename(src)
                desired["file_size"] = os.path.getsize(src)
        return desired

    def required(self, desired):
        return ("name", "url") if self.kind == "link" else ("name", ("file_name", "src"))

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

    def normalize(self, raw, related):
        state = artifact_state(raw)
        state["kind"] = self.kind
        state.update(related)  # after replace_content: content_replaced (how), previous_id
        return state

    def same(self, name, before, wanted, related):
        if name in ("file_name", "file_size") and self.module.params.get("force"):
            return False
        if name == "description":
            return (before.get(name) or "") == (wanted or "")
        return super().same(name, before, wanted, related)

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

    def update(self, raw, changes, desired, related):
        body = self.block(raw, desired)
        if self.kind == "file" and ("file_name" in changes or "file_size" in changes):
            src = self.module.params.get("src")
            if not src:
                raise ValidationError("the content differs: give src to replace it")
            return self.replace_content(raw, body, src)
        return self.api.update(self.kind, raw["ObjectId"], body)

    def replace_content(self, raw, body, src):
        """New content for a file artifact, by documented operations only.

        NOTE: the ePortfolio artifacts reference page documents the update route as taking a FileArtifact block
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
            return current, {"content_replaced": "in_place"}
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
        return created, {"content_replaced": "new_artifact", "previous_id": old_id}

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
    api = EportfolioApi(module.client)
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
