"""The generic resumable-upload store (data on disk, metadata in the state store).

An upload is initiated by a route (today ``POST /d2l/api/eP/(v)/artifacts/file/new`` with the
``X-Upload-*`` headers; later the LR routes) and fed through ``POST /d2l/upload/(key)``.
Other features attach completed uploads with ``completed_upload(emu, key)``.
"""
from __future__ import annotations

import os
import secrets
import string
import time
from typing import Optional

from .errors import ERRORS, ApiError

_KEY_ALPHABET = string.ascii_letters + string.digits


def new_key() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _index in range(10))


def create_upload(emu, content_type: str, size: int, file_name: str) -> dict:
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
    }
    with emu.store.mutate() as data:
        data["uploads"][key] = meta
    return dict(meta)


def get_upload(emu, key: str) -> Optional[dict]:
    return emu.store.data["uploads"].get(key)


def completed_upload(emu, key: str) -> dict:
    """Metadata of a completed upload (``File`` is the path of its bytes on disk).

    Raises ``ApiError(400)`` like the service does for an unknown key or missing data
    ("Invalid upload key provided, or service could not find the file data").
    """
    meta = get_upload(emu, key)
    if meta is None or not meta["Complete"] or not os.path.exists(meta["File"]):
        raise ApiError(400, "Invalid upload key provided, or the service could not find the file data",
                       ERRORS)
    return dict(meta)


def mark_attached(emu, key: str) -> None:
    with emu.store.mutate() as data:
        if key in data["uploads"]:
            data["uploads"][key]["Attached"] = True
