# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streaming, atomic downloads.

``download()`` streams a GET into a temporary file beside the destination, hashing as it goes,
and renames it into place only when every byte arrived: an interrupted download never leaves a
partial file at ``dest``. A connection dropped mid-body is retried from the start (a GET is
idempotent) within the client's retry budget.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import tempfile
import threading
from urllib.parse import unquote

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module base
    requests = None

from .errors import BrightspaceConnectionError, BrightspaceError

BLOCK = 1024 * 1024
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))', re.IGNORECASE)


def disposition_filename(header):
    """The file name of a ``Content-Disposition`` header (RFC 6266), reduced to a safe base name."""
    if not header:
        return None
    name = None
    match = _FILENAME_STAR.search(header)
    if match:
        name = unquote(match.group(2).strip(), encoding=match.group(1) or "utf-8", errors="replace")
    else:
        match = _FILENAME.search(header)
        if match:
            name = match.group(1) if match.group(1) is not None else match.group(2).strip()
            name = re.sub(r"\\(.)", r"\1", name)
    if not name:
        return None
    name = os.path.basename(name.replace("\\", "/")).strip()
    return name if name not in ("", ".", "..") else None


def file_digest(path, block=BLOCK):
    """``(size, sha256 hex)`` of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(block), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def check_destination(dest, option="dest"):
    """Raise ``BrightspaceError`` naming ``option`` if ``dest`` cannot receive a file (no request)."""
    if not dest:
        raise BrightspaceError("%s is required" % option)
    if os.path.isdir(dest):
        if not os.access(dest, os.W_OK | os.X_OK):
            raise BrightspaceError("%s: directory '%s' is not writable" % (option, dest))
        return
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        raise BrightspaceError("%s: directory '%s' does not exist" % (option, parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BrightspaceError("%s: directory '%s' is not writable" % (option, parent))


def download(client, route, dest, params=None, default_name=None, block=BLOCK, attempts=3, check=None,
             keep_if_same=False, replace=True):
    """Stream ``GET route`` to ``dest`` (a file path, or a directory: the name then comes from
    ``Content-Disposition``, else ``default_name``). Returns ``{"path", "file_name", "size",
    "sha256", "content_type", "changed"}``.

    ``check(response)`` may refuse a response before anything is written (e.g. an LR result sent
    instead of the file). With ``keep_if_same`` an existing file with the same bytes is left
    untouched (``changed`` false); with ``replace=False`` (check mode) nothing is renamed into
    place, and ``changed`` says whether it would have been.
    """
    attempt = 0
    deadline = client.retry.start()
    while True:
        attempt += 1
        response = client.request("GET", route, params=params, stream=True)
        try:
            if check is not None:
                check(response)
            path = _final_path(dest, response, default_name, route)
            try:
                return _write(response, path, block, route, keep_if_same, replace)
            except _Interrupted as exc:
                if attempt >= attempts or not client.retry.wait(client.retry.backoff(attempt - 1), deadline):
                    raise BrightspaceConnectionError("GET", route, str(exc))
        finally:
            response.close()


class _Interrupted(Exception):
    pass


def _final_path(dest, response, default_name, route):
    if not os.path.isdir(dest):
        return dest
    name = disposition_filename(response.headers.get("Content-Disposition")) or default_name
    if not name:
        raise BrightspaceError("GET %s sent no file name (Content-Disposition) for the directory %s: give "
                               "a file path as dest" % (route, dest))
    return os.path.join(dest, name)


class _Hasher:
    """SHA-256 in a second thread (hashlib releases the GIL on large blocks), so hashing overlaps
    receiving and writing; at most ``depth`` blocks wait in its queue."""

    def __init__(self, depth=4):
        self.digest = hashlib.sha256()
        self.blocks = queue.Queue(maxsize=depth)
        self.thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            block = self.blocks.get()
            if block is None:
                return
            self.digest.update(block)

    def update(self, block):
        self.blocks.put(block)

    def hexdigest(self):
        self.blocks.put(None)
        self.thread.join()
        return self.digest.hexdigest()


def _write(response, path, block, route, keep_if_same=False, replace=True):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".part", dir=directory)
    digest = _Hasher()
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                for chunk in response.iter_content(block):
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            except requests.exceptions.RequestException as exc:
                raise _Interrupted("the download was interrupted after %d bytes (%s)" % (size, type(exc).__name__))
            finally:
                sha256 = digest.hexdigest()
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != size \
                and not response.headers.get("Content-Encoding"):
            raise _Interrupted("the download ended after %d of %s bytes" % (size, expected))
        previous = file_digest(path) if keep_if_same and os.path.isfile(path) else None
        changed = previous != (size, sha256)
        if changed and replace:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": path, "file_name": os.path.basename(path), "size": size, "sha256": sha256,
            "content_type": response.headers.get("Content-Type"), "changed": changed,
            "previous_sha256": previous[1] if previous else None}
