# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role permissions the reference pages name for each route, so that a refusal says which
permission the caller's role lacks, whatever words the service chose for its 403.

Courses and ePortfolio routes refuse with ``403 Forbidden`` ("No permission to ..." in the
pages' Status Codes); Learning Repository routes answer HTTP 200 with an ERROR result and list
"Permissions: Caller must have permission to ..." instead. One table: the permission of each
route as the page words it, found by method and route (the API version left out).
"""

from __future__ import annotations

import re

_V = r"[^/]+"  # an API version or an id segment
_ID = r"[^/]+"

# (method, route pattern below /d2l/api/, permission as the page words it, page)
TABLE = (
    # the Courses reference page
    ("POST", r"lp/%s/courses/" % _V, "manage or create courses", "the Courses reference page"),
    ("POST", r"lp/%s/coursetemplates/" % _V, "manage or create courses and templates", "the Courses reference page"),
    ("POST", r"le/%s/import/%s/copy/" % (_V, _ID), "create course copy job requests", "the Courses reference page"),
    ("GET", r"le/%s/import/%s/copy/%s" % (_V, _ID, _ID), "retrieve the status of copy jobs", "the Courses reference page"),
    ("GET", r"le/%s/import/%s/imports/%s" % (_V, _ID, _ID), "retrieve the status of import jobs", "the Courses reference page"),
    # the ePortfolio artifacts reference page
    ("DELETE", r"eP/%s/artifact/(?:file/|link/)?%s" % (_V, _ID), "delete the artifact", "the ePortfolio artifacts reference page"),
    ("GET", r"eP/%s/artifact/(?:file/|link/)?%s" % (_V, _ID), "see the artifact", "the ePortfolio artifacts reference page"),
    ("POST", r"eP/%s/artifact/file/%s" % (_V, _ID), "update file artifacts", "the ePortfolio artifacts reference page"),
    ("POST", r"eP/%s/artifact/link/%s" % (_V, _ID), "update link artifacts", "the ePortfolio artifacts reference page"),
    # the ePortfolio import and export reference page
    ("POST", r"eP/%s/export/new" % _V, "export the identified ePortfolio objects", "the ePortfolio import and export reference page"),
    ("POST", r"eP/%s/export/new/all" % _V, "export the current user's ePortfolio objects",
     "the ePortfolio import and export reference page"),
    ("GET", r"eP/%s/export/%s/(?:status|package)" % (_V, _ID), "see the export task",
     "the ePortfolio import and export reference page"),
    ("POST", r"eP/%s/import/(?:new|newwithdetails)" % _V, "import ePortfolio objects (into other users: for them)",
     "the ePortfolio import and export reference page"),
    ("GET", r"eP/%s/import/%s/status" % (_V, _ID), "see the import task", "the ePortfolio import and export reference page"),
    # the Learning Repository objects reference page ("Permissions: Caller must have permission to ...")
    ("GET", r"lr/%s/objects/search/" % _V, "Search the repositories listed", "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/objects/%s/(?:%s/)?(?:download|downloadfile)/" % (_V, _ID, _ID), "Retrieve Objects from the LOR",
     "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/objects/%s/(?:%s/)?link/" % (_V, _ID, _ID), "Create Links to Objects in the LOR",
     "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/objects/%s/%s/metadata/" % (_V, _ID, _ID), "View Metadata on the object's repository",
     "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/objects/%s/(?:%s/)?properties/" % (_V, _ID, _ID), "Search the LOR", "the Learning Repository objects reference page"),
    ("POST", r"lr/%s/objects/%s/(?:%s/)?properties/" % (_V, _ID, _ID),
     "Manage My Objects (your own) or Manage All Objects in the LOR", "the Learning Repository objects reference page"),
    ("PUT", r"lr/%s/objects/" % _V, "Publish to the LOR", "the Learning Repository objects reference page"),
    ("POST", r"lr/%s/objects/%s/" % (_V, _ID), "Publish to the LOR and Version Items", "the Learning Repository objects reference page"),
    ("POST", r"lr/%s/%s/upload(?:/publish)?" % (_V, _ID), "Publish to the LOR", "the Learning Repository objects reference page"),
    ("PUT", r"lr/%s/%s/upload/publish/%s" % (_V, _ID, _ID), "Publish to the LOR", "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/repository/%s/listorgUnittrusts/" % (_V, _ID), "Publish to the LOR", "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/repositories/all/" % _V, "Publish to the LOR", "the Learning Repository objects reference page"),
    ("GET", r"lr/%s/repositories/%s/" % (_V, _ID), "Publish to the LOR", "the Learning Repository objects reference page"),
)
_COMPILED = [(method, re.compile(r"^/d2l/api/%s$" % pattern), permission, page)
             for method, pattern, permission, page in TABLE]


def needed(method, route):
    """``(permission, page)`` the reference names for ``method route`` (route without query), or None."""
    path = route.split("?", 1)[0]
    for wanted, pattern, permission, page in _COMPILED:
        if wanted == method.upper() and pattern.match(path):
            return permission, page
    return None


def hint(method, route):
    """The sentence a refusal of ``method route`` ends with: the permission the caller's role
    needs (an empty string for a route the pages name no permission for)."""
    found = needed(method, route)
    if found is None:
        return ""
    return " (this needs the role permission to %s, %s)" % found
