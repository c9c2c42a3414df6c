"""The generic resumable-upload store (data on disk, metadata in the state store).

An upload is initiated by a route (``POST /d2l/api/eP/(v)/artifacts/file/new`` or
``POST /d2l/api/lr/(v)/(repositoryId)/upload`` with the ``X-Upload-*`` headers) and fed
through ``POST /d2l/upload/(key)``, which demands the OAuth scope(s) of the initiating route
(``Scope``, space separated; see scopes.py and auth.required_scopes). Other features attach
completed uploads with ``completed_upload(emu, key)``.
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
        "File": path,
        "User": user,  # the LMS user who initiated it (None: anyone may attach it)
        "Scope": scope,  # the OAuth scope(s) the data route demands (those of the initiation)
    }
    with emu.store.mutate() as data:
        data["uploads"][key] = meta
    return dict(meta)


def get_upload(emu, key: str) -> Optional[dict]:
    return emu.store.data["uploads"].get(key)


INVALID_KEY = "Invalid upload key provided, or service could not find the file data"


def completed_upload(emu, key: str, user: Optional[str] = None) -> dict:
    """Metadata of a completed, not yet attached upload (``File`` is the path of its bytes).
    With ``user``, an upload initiated by another user is refused too.

    Raises ``ApiError(400)`` like the service does for an unknown key or missing data
    ("Invalid upload key provided, or service could not find the file data").
    """
    meta = get_upload(emu, key)
    # NOTE: an upload is attached once; its key cannot attach the same bytes to a second
    # object (the first owner keeps them), so an attached key is refused like an unknown one.
    # NOTE: an upload belongs to the user who initiated it; another user's key is refused
    # like an unknown one.
    if meta is None or not meta["Complete"] or meta["Attached"] \
            or not os.path.exists(meta["File"]) \
            or (user is not None and meta.get("User") not in (None, user)):
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
