# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The read-only Learning Repository modules: ``d2l_lr_object_info``, ``d2l_lr_repository_info``
and ``d2l_lr_download``."""

from __future__ import annotations

from ..downloads import check_destination, download, parse_mode
from ..errors import NotFoundError, ValidationError
from .objects import LrTitles, object_state
from .routes import OBJECT_TYPES, SEARCH_MAX_COUNT, TRUSTS, LearningRepositoryApi, parse_dublin_core


def describe_objects(module):
    """d2l_lr_object_info."""
    params = module.params
    api = LearningRepositoryApi(module.client, module.warn)
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
    api = LearningRepositoryApi(module.client, module.warn)
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
    api = LearningRepositoryApi(module.client, module.warn)
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
