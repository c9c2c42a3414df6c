# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning objects: found by their natural key (repository + title, ``LrTitles``), and the
resource ``d2l_lr_object`` ensures."""

from __future__ import annotations

import os
import shutil
import tempfile

from ..downloads import download, file_digest
from ..errors import BrightspaceError, BrightspaceHTTPError, LrError, NotFoundError, ValidationError, not_resent
from ..ensure import Resource
from ..uploads import DEFAULT_CHUNK_SIZE
from .routes import OBJECT_TYPES, STATUS_NAMES, STATUSES, LearningRepositoryApi, check_scorm, normalize_keywords


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
    expensive = ("content",)  # a download of the latest version, and its sha256
    # the properties POST replaces the whole block: what the task does not set is sent back (properties_input)
    preserved = ("title", "description", "keywords", "status", "hidden_from_search", "publicly_available",
                 "owner_id", "repository_id")
    required_to_create = ("title", ("content", "src"))

    def __init__(self, module):
        super().__init__(module)
        self.api = LearningRepositoryApi(self.client, module.warn)
        self.key = "object_id" if module.params.get("object_id") is not None else "title"
        self.repository_id = None
        self.titles = None  # LrTitles of the repository, once desired() resolved it

    def desired(self):
        params = self.module.params
        state = params.get("state") or "present"
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
            held_in = props.get("RepositoryId")
            if held_in is not None and str(held_in).isdigit() and int(held_in) != self.repository_id:
                # never act on an object outside the repository the task names
                raise ValidationError("object_id %s is in repository %s, not in repository %s (repository): give "
                                      "the repository that holds it" % (params["object_id"], held_in,
                                                                        self.repository_id))
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

    def normalize(self, raw, related):
        return object_state(raw)

    def checks_content(self):
        params = self.module.params
        return not params.get("force") and (params.get("content_check") or "none") != "none"

    def observe(self, name, before, raw, related):
        """The latest version's sha256 (a download) when the content is compared; None (not
        observed) with force or content_check=none."""
        return self.remote_content_digest(before) if self.checks_content() else None

    def same(self, name, before, wanted, related):
        if name == "content":
            if self.module.params.get("force"):
                return False
            return before.get("content") == wanted if self.checks_content() else True
        if name == "description":
            return (before.get(name) or "") == (wanted or "")
        return super().same(name, before, wanted, related)

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
        if any(not self.same(name, object_state(props), value, {}) for name, value in wanted.items()):
            self.api.set_properties(object_id, properties_input(props, wanted))
            props = self.api.properties(object_id)
        self.remember(props)
        if props.get("HiddenFromSearchResults") and not self.api.sees_hidden(self.repository_id):
            # NOTE: the search this module finds objects by title with skips objects hidden from
            # search for a caller without See All Hidden Objects (the Learning Repository objects reference page): only
            # the id kept in ids.json finds this one again.
            self.module.warn(
                "learning object %s ('%s') is hidden from search, and you lack See All Hidden Objects in repository "
                "%s: a search cannot find it, so a later run finds it only through the id remembered beside the "
                "token cache (ids.json) on this controller; elsewhere give object_id %s" % (
                    object_id, props.get("Title"), self.repository_id, object_id))
        return props

    def update(self, raw, changes, desired, related):
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
            return self.api.properties(object_id)
        self.api.set_properties(object_id, properties_input(current, wanted), version)
        return self.api.properties(object_id, version)

    def delete(self, raw):
        self.api.delete(raw["IdentId"])
        if raw.get("Title"):
            self.titles.forget(raw["Title"])
