# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio objects (eportfolio-artifacts.txt; NOTES.md "ePortfolio objects"): storage, the
fetch form, comments and file-artifact content. The HTTP routes live in routes/eportfolio.py.

Objects live in ``store.data["ep_objects"][str(ObjectId)]`` (every user's objects in one
table; ``UserId`` says whose) with ids from ``store.data["next_ep_id"]`` (starts at 9001). A
stored record::

    {"ObjectId": 9001, "UserId": 3, "ObjectTypeId": 340, "Name": "", "Description": "",
     "AllowComments": true, "GeoTag": null, "Created": "<UTCDateTime>", "Modified": "...",
     "Comments": [{"CommentId": 1, "UserId": 101, "CreatedDate": "...", "Body": "..."}],
     "CommentsReadUpTo": 0,
     "Url": "..."                                              (UrlArtifact 340)
     "FileSize": 0, "FileName": "", "Extension": "", "UploadKey": "", "ContentType": ""
                                                               (FileArtifact 310)}

A file artifact's bytes are those of its upload (``store.data["uploads"][UploadKey]["File"]``,
marked ``Attached``); deleting the artifact, or giving it other content, discards that upload
and its bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Optional

from . import uploads as up
from .models import format_utc, parse_utc

# EPOBJ_T (NOTES.md)
EPOBJ_T = {
    "EpObject": 0, "Collection": 100, "StaticCollection": 110, "DynamicCollection": 120,
    "Reflection": 200, "Artifact": 300, "FileArtifact": 310, "FormArtifact": 320,
    "LEArtifact": 330, "LECompetencyArtifact": 331, "LEGradeArtifact": 332,
    "LEQuizArtifact": 333, "LEDropboxArtifact": 334, "UrlArtifact": 340, "Presentation": 400,
    "LearningObjective": 600,
}
EPOBJ_NAMES = {value: name for name, value in EPOBJ_T.items()}
TYPE_FILE = EPOBJ_T["FileArtifact"]
TYPE_URL = EPOBJ_T["UrlArtifact"]
# The types served by GET/DELETE artifact/(objectId): EP.Artifact and its derived types.
ARTIFACT_TYPES = frozenset(v for v in EPOBJ_T.values() if 300 <= v < 400)

VIEW_LINK = "/d2l/eP/objects/view.d2l?objectId={}"

BASE_FIELDS = ("ObjectId", "Name", "Description", "AllowComments", "UserId", "ObjectTypeId",
               "ViewLink", "CommentsCount", "HasUnreadComments", "Created", "Modified", "GeoTag",
               "Tags", "Comments", "Permissions")
FILE_FIELDS = ("FileSize", "FileName", "Extension", "UploadKey")
URL_FIELDS = ("Url",)


def utc_now() -> str:
    return format_utc(dt.datetime.now(dt.timezone.utc))


def later_than(previous: Optional[str]) -> str:
    """Now as a UTCDateTime, at least one millisecond after ``previous``: Modified changes on
    every update, even two updates within the same millisecond."""
    now = dt.datetime.now(dt.timezone.utc)
    if previous:
        floor = parse_utc(previous) + dt.timedelta(milliseconds=1)
        now = max(now, floor)
    return format_utc(now)


def extension(file_name: str) -> str:
    # NOTE: no evidence: the reference does not define Extension; the emulator derives it from
    # the file name (its last extension without the dot: "report.tar.gz" -> "gz", "README" ->
    # ""), never trusting a client's value.
    return os.path.splitext(file_name)[1][1:]


def new_object(data: dict, user: str, type_id: int, name: str, description: str,
               allow_comments: bool, geotag: Optional[str], **extra) -> dict:
    """Create a stored object for ``user`` (call inside ``store.mutate()``)."""
    object_id = data["next_ep_id"]
    data["next_ep_id"] = object_id + 1
    now = utc_now()
    record = {"ObjectId": object_id, "UserId": int(user), "ObjectTypeId": type_id,
              "Name": name, "Description": description, "AllowComments": allow_comments,
              "GeoTag": geotag, "Created": now, "Modified": now, "Comments": [],
              "CommentsReadUpTo": 0}
    record.update(extra)
    data["ep_objects"][str(object_id)] = record
    return record


def file_content(meta: dict, file_name: Optional[str] = None) -> dict:
    """The FileArtifact content properties given by an upload's metadata."""
    name = file_name or meta["FileName"]
    return {"FileSize": meta["Size"], "FileName": name, "Extension": extension(name),
            "UploadKey": meta["Key"], "ContentType": meta["ContentType"]}


def replace_content(data: dict, record: dict, meta: dict, file_name: Optional[str]) -> None:
    """Give a file artifact the bytes of the upload ``meta`` (its old upload is discarded)."""
    old = record.get("UploadKey")
    record.update(file_content(meta, file_name))
    data["uploads"][meta["Key"]]["Attached"] = True
    if old and old != meta["Key"]:
        up.discard(data, old)


def delete_object(data: dict, record: dict) -> None:
    data["ep_objects"].pop(str(record["ObjectId"]), None)
    if record.get("UploadKey"):
        up.discard(data, record["UploadKey"])


def file_path(data: dict, record: dict) -> Optional[str]:
    meta = data["uploads"].get(record.get("UploadKey") or "")
    return meta["File"] if meta else None


def comment_form(record: dict, comment: dict) -> dict:
    """EP.Comment."""
    return {"ObjectId": record["ObjectId"], "CommentId": comment["CommentId"],
            "UserId": comment["UserId"], "CreatedDate": comment["CreatedDate"],
            "Body": comment["Body"]}


def add_comment(data: dict, record: dict, user: str, body: str) -> dict:
    comment_id = data["next_ep_comment_id"]
    data["next_ep_comment_id"] = comment_id + 1
    comment = {"CommentId": comment_id, "UserId": int(user), "CreatedDate": utc_now(),
               "Body": body}
    record["Comments"].append(comment)
    return comment_form(record, comment)


def has_unread(record: dict) -> bool:
    # NOTE: no evidence: the reference does not say what "unread" means; the emulator counts a
    # comment by another user as unread until the owner fetches the object with ?c=true.
    return any(c["CommentId"] > record.get("CommentsReadUpTo", 0)
               and c["UserId"] != record["UserId"] for c in record["Comments"])


def mark_comments_read(record: dict) -> None:
    if record["Comments"]:
        record["CommentsReadUpTo"] = max(c["CommentId"] for c in record["Comments"])


def fetch_form(record: dict, comments: bool = False) -> dict:
    """The EpObject fetch form (NOTES.md; reconstructed from clients, the block is not
    published), plus FileArtifact's or UrlArtifact's properties."""
    # NOTE: evidence: NOTES.md lists Tags and Permissions in the fetch form without their
    # shapes (EP.TagObject for tags); no evidence for Permissions' members: Tags are always []
    # (the emulator has no tag routes) and Permissions is the small dict {"CanEdit",
    # "CanDelete", "CanComment"}: the owner may edit and delete, and comment when
    # AllowComments.
    out = {
        "ObjectId": record["ObjectId"],
        "Name": record["Name"],
        "Description": record["Description"],
        "AllowComments": record["AllowComments"],
        "UserId": record["UserId"],
        "ObjectTypeId": record["ObjectTypeId"],
        "ViewLink": VIEW_LINK.format(record["ObjectId"]),
        "CommentsCount": len(record["Comments"]),
        "HasUnreadComments": has_unread(record),
        "Created": record["Created"],
        "Modified": record["Modified"],
        "GeoTag": record["GeoTag"],
        "Tags": [],
        "Comments": [comment_form(record, c) for c in record["Comments"]] if comments else [],
        "Permissions": {"CanEdit": True, "CanDelete": True,
                        "CanComment": record["AllowComments"]},
    }
    if record["ObjectTypeId"] == TYPE_FILE:
        for key in FILE_FIELDS:
            out[key] = record[key]
    elif record["ObjectTypeId"] == TYPE_URL:
        out["Url"] = record["Url"]
    return out


def user_objects(data: dict, user: str) -> list:
    """A user's stored objects, by ObjectId."""
    mine = [r for r in data["ep_objects"].values() if str(r["UserId"]) == str(user)]
    return sorted(mine, key=lambda r: r["ObjectId"])


def sha256_file(path: str, block: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(block), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snapshot(data: dict) -> dict:
    """``/_emulator/state``'s ``eportfolio`` block: objects per user (fetch forms with comments,
    file artifacts with the path of their bytes as ``File``), counters."""
    per_user: dict = {}
    for record in sorted(data["ep_objects"].values(), key=lambda r: r["ObjectId"]):
        form = fetch_form(record, comments=True)
        if record["ObjectTypeId"] == TYPE_FILE:
            form["File"] = file_path(data, record)
        per_user.setdefault(str(record["UserId"]), []).append(form)
    return {"objects": per_user, "next_ep_id": data["next_ep_id"],
            "next_ep_job_id": data["next_ep_job_id"]}
