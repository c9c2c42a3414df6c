# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The generic resumable-upload store (data on disk, metadata in the state store).

An upload is initiated by a route (``POST /d2l/api/eP/(v)/artifacts/file/new`` or
``POST /d2l/api/lr/(v)/(repositoryId)/upload`` with the ``X-Upload-*`` headers) and fed
through ``POST /d2l/upload/(key)``, which demands the OAuth scope(s) of the initiating route
(``Scope``, space separated; see scopes.py and auth.required_scopes). Other features attach
completed uploads with ``completed_upload(emu, key, user)``.

An upload belongs to the user who initiated it (``User``): for anyone else its key is unknown
(the data route answers 404, an attach the documented invalid-key answer). An upload that is
not attached ``config.upload_ttl`` seconds after its last activity (``Touched``: the initiation
or the last data received, on the server clock) is purged: its record and bytes are removed and
its key is unknown from then on (NOTES.md: "The service purges uploads that are never
attached"; config.py explains the figure).
"""
from __future__ import annotations

import os
import secrets
import shutil
import string
import time
from typing import Optional

from .errors import ERRORS, ApiError

_KEY_ALPHABET = string.ascii_letters + string.digits


def new_key() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _index in range(10))


def create_upload(emu, content_type: str, size: int, file_name: str,
                  user: Optional[str] = None, scope: str = "core:*:*") -> dict:
    purge_expired(emu)
    key = new_key()
    path = os.path.join(emu.store.upload_dir, key)
    open(path, "wb").close()
    meta = {
        "Key": key,
        "ContentType": content_type,
        "FileName": file_name,
        "Size": size,
        "Received": 0,
        "Complete": size == 0,
        "Attached": False,
        "Created": time.time(),
        "Touched": emu.config.now(),  # last activity (server clock): the upload_ttl counts from it
        "File": path,
        "User": user,  # the LMS user who initiated it (only that user may use the key)
        "Scope": scope,  # the OAuth scope(s) the data route demands (those of the initiation)
    }
    with emu.store.mutate() as data:
        data["uploads"][key] = meta
    return dict(meta)


def expired(emu, meta: dict, now: Optional[float] = None) -> bool:
    """An unattached upload whose last activity is more than ``upload_ttl`` seconds ago."""
    if meta.get("Attached"):
        return False
    now = emu.config.now() if now is None else now
    return now - meta.get("Touched", meta.get("Created", now)) > emu.config.upload_ttl


def purge_expired(emu) -> int:
    """Remove every expired upload (record and bytes); the number removed."""
    now = emu.config.now()
    with emu.store.lock:
        stale = [k for k, m in emu.store.data["uploads"].items() if expired(emu, m, now)]
        if stale:
            with emu.store.mutate() as data:
                for key in stale:
                    discard(data, key)
    return len(stale)


def get_upload(emu, key: str, user: Optional[str] = None) -> Optional[dict]:
    """The upload ``key`` (None when unknown or purged for expiry); with ``user``, None as well
    when another user initiated it."""
    with emu.store.lock:
        meta = emu.store.data["uploads"].get(key)
        if meta is not None and expired(emu, meta):
            with emu.store.mutate() as data:
                discard(data, key)
            return None
        if meta is not None and user is not None and meta.get("User") != user:
            return None
        return meta


def touch(meta: dict, emu) -> None:
    """Record activity on an upload (the caller holds ``store.mutate()``)."""
    meta["Touched"] = emu.config.now()


INVALID_KEY = "Invalid upload key provided, or service could not find the file data"


def completed_upload(emu, key: str, user: Optional[str] = None) -> dict:
    """Metadata of a completed, not yet attached upload (``File`` is the path of its bytes).
    With ``user``, an upload initiated by another user is refused too.

    Raises ``ApiError(400)`` like the service does for an unknown key or missing data
    ("Invalid upload key provided, or service could not find the file data").
    """
    meta = get_upload(emu, key, user)
    # NOTE: no evidence; the strictest reading: an upload is attached once (its key cannot
    # attach the same bytes to a second object; the first owner keeps them), so an attached key
    # is refused like an unknown one, with the page's answer for an invalid key.
    # NOTE: no evidence for the user rule in the pages; the strictest reading: an upload
    # belongs to the user who initiated it (the data lives in that user's context), so another
    # user's key, like an expired (purged, NOTES.md) one, is an unknown key.
    if meta is None or not meta["Complete"] or meta["Attached"] \
            or not os.path.exists(meta["File"]):
        raise ApiError(400, INVALID_KEY, ERRORS)
    return dict(meta)


def mark_attached(emu, key: str) -> None:
    with emu.store.mutate() as data:
        if key in data["uploads"]:
            data["uploads"][key]["Attached"] = True


def register_file(data: dict, upload_dir: str, src: str, content_type: str, file_name: str,
                  user: Optional[str] = None, link: bool = False) -> dict:
    """A completed, attached upload made from the file ``src`` (moved, or hard-linked when
    ``link``; copied if the file system cannot link). Call inside ``store.mutate()``."""
    key = new_key()
    while key in data["uploads"]:
        key = new_key()
    path = os.path.join(upload_dir, key)
    if link:
        try:
            os.link(src, path)
        except OSError:
            shutil.copyfile(src, path)
    else:
        os.replace(src, path)
    size = os.path.getsize(path)
    meta = {"Key": key, "ContentType": content_type, "FileName": file_name, "Size": size,
            "Received": size, "Complete": True, "Attached": True, "Created": time.time(),
            "File": path, "User": user}
    data["uploads"][key] = meta
    return dict(meta)


def discard(data: dict, key: str) -> None:
    """Forget an upload and delete its bytes (the owning object is gone or was given other
    content). Call inside ``store.mutate()``."""
    meta = data["uploads"].pop(key, None)
    if meta is not None:
        try:
            os.remove(meta["File"])
        except OSError:
            pass
