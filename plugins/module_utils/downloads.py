# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming, atomic downloads.

``download()`` streams a GET into a temporary file beside the destination, hashing as it goes,
and renames it into place only when every byte arrived: an interrupted download never leaves a
partial file at ``dest``. A connection dropped mid-body is retried from the start (a GET is
idempotent) within the client's retry budget.

- The temporary file is ``.<name>.<random>.part`` beside the destination, locked (``flock``)
  while it is written. SIGINT and SIGTERM remove it (a SIGTERM handler raises for the transfer,
  then the previous handler is restored, and the download fails saying it was stopped). A partial file a killed
  run left behind is removed by a later download into that directory: only files of this
  naming pattern, owned by this user, untouched for ``STALE_AFTER`` seconds and not locked (a
  live run, also one downloading into the same directory right now, holds its lock).
- A replaced file keeps its mode and ownership; ``mode`` sets the mode (as ansible.builtin's
  ``mode``: an octal string or a number); a new file without ``mode`` gets 0666 & ~umask.
- A file that already holds the same bytes is left untouched (``changed`` false); one with other
  bytes is replaced, and ``previous_sha256`` gives its old checksum.
- A name chosen by the service (``Content-Disposition``) is reduced to a safe base name
  (``safe_file_name``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import queue
import re
import signal
import stat
import tempfile
import threading
import time
import unicodedata
from urllib.parse import unquote_to_bytes

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locks, no stale-file removal
    fcntl = None

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module base
    requests = None

from .errors import BrightspaceConnectionError, BrightspaceError
from .packages import shown

BLOCK = 1024 * 1024
NAME_MAX = 255  # bytes of a file name (UTF-8), on every common file system
STALE_AFTER = 15 * 60  # seconds a partial file must be untouched before a later run removes it
_PART_NAME_BYTES = 200  # of the destination's name kept in a temporary file's name
_PART = re.compile(r"^\..+\.[a-z0-9_]{8}\.part$", re.DOTALL)  # tempfile.mkstemp's 8 random characters
_PARAM = re.compile(r'(?:^|;)\s*([A-Za-z0-9!#$&+.^_`|~-]+\*?)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_BIDI_CONTROLS = set(chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0x200E, 0x200F])
_OCTAL = re.compile(r"^(?:0o?)?([0-7]{1,4})$", re.IGNORECASE)


class Terminated(BaseException):
    """Raised by the SIGTERM handler during a transfer, so every ``finally`` runs. ``args`` is
    ``(signum,)``; ``frame`` is the frame the signal interrupted, for the previous handler."""

    def __init__(self, signum, frame=None):
        super().__init__(signum)
        self.frame = frame


# ------------------------------------------------------------------------------ file names
def safe_file_name(name, default=None):
    """``name`` as a safe base name, or ``default`` when nothing safe is left: the last path
    segment (``/`` and ``\\`` separate), without control or bidirectional formatting characters,
    surrounding space or leading dots, cut to 255 UTF-8 bytes keeping the extension."""
    if not name:
        return default
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS)
    name = name.strip().lstrip(".").strip()
    if not name:
        return default
    return _truncate(name, NAME_MAX)


def _truncate(name, limit):
    """``name`` cut to ``limit`` UTF-8 bytes at a character boundary, the extension kept."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, extension = os.path.splitext(name)
    if len(extension.encode("utf-8")) > limit // 4:  # no real extension: cut the whole name
        stem, extension = name, ""
    room = limit - len(extension.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip()
    return stem + extension


def _unquote_param(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _extended_value(value):
    """The text of an RFC 8187 ext-value (``charset'lang'pct-encoded``), or None when it is not
    one, its charset is not UTF-8 or ISO-8859-1 (RFC 5987), or its bytes do not decode."""
    parts = value.split("'", 2)
    if len(parts) != 3:
        return None
    charset = parts[0].strip().lower()
    codec = {"utf-8": "utf-8", "iso-8859-1": "latin-1"}.get(charset)
    if codec is None:
        return None
    try:
        return unquote_to_bytes(parts[2]).decode(codec)
    except (UnicodeDecodeError, ValueError):
        return None


def _repaired(text):
    """A plain ``filename`` whose bytes were UTF-8 (common, though RFC 6266 says ISO-8859-1)
    arrives decoded as Latin-1 by ``requests``: read it as UTF-8 when that is what it is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def disposition_filename(header, default=None):
    """The file name of a ``Content-Disposition`` header (RFC 6266), reduced to a safe base name
    (``safe_file_name``); ``default`` when it gives none usable. ``filename*`` is preferred; one
    with an unknown charset or undecodable bytes is ignored (then ``filename`` counts)."""
    if not header:
        return default
    params = {}
    for match in _PARAM.finditer(header):
        params.setdefault(match.group(1).lower(), match.group(2))
    candidates = []
    if "filename*" in params:
        candidates.append(_extended_value(_unquote_param(params["filename*"])))
    if "filename" in params:
        candidates.append(_repaired(_unquote_param(params["filename"])))
    for candidate in candidates:
        name = safe_file_name(candidate)
        if name:
            return name
    return default


# ------------------------------------------------------------------------------ the local checks
def parse_mode(value, option="mode"):
    """The permission bits ``value`` asks for, or None: a number (as YAML's ``0644`` arrives) or
    an octal string (``"0644"``, ``"644"``, ``"0o644"``); raises ``BrightspaceError`` naming
    ``option`` otherwise (no request is sent)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BrightspaceError("%s must be an octal mode such as '0644', got %r" % (option, value))
    if isinstance(value, int):
        if not 0 <= value <= 0o7777:
            raise BrightspaceError("%s must be a file mode between 0 and 07777 (octal), got %s" % (option, value))
        return value
    if isinstance(value, str):
        match = _OCTAL.match(value.strip())
        if match:
            return int(match.group(1), 8)
    raise BrightspaceError("%s must be an octal mode such as '0644' (quote it in YAML), got %r; symbolic modes are "
                           "not taken" % (option, value))


def check_destination(dest, option="dest"):
    """Raise ``BrightspaceError`` naming ``option`` if ``dest`` cannot receive a file (no request).

    A ``dest`` ending in a slash means a directory, which must exist. An existing ``dest`` must
    be a directory or a regular file (never a device, a FIFO or a socket); the directory a file
    goes into must exist and be writable.
    """
    if not dest:
        raise BrightspaceError("%s is required" % option)
    seps = tuple(sep for sep in (os.sep, os.altsep) if sep)
    try:
        info = os.stat(dest.rstrip("".join(seps)) or dest)
    except (FileNotFoundError, NotADirectoryError):  # the directory checks below say which
        info = None
    except (OSError, ValueError) as exc:
        raise BrightspaceError("%s: cannot use '%s': %s" % (option, shown(dest), getattr(exc, "strerror", None) or exc))
    if dest.endswith(seps):
        if info is None:
            raise BrightspaceError("%s: directory '%s' does not exist (a dest ending in '/' names a directory)"
                                   % (option, shown(dest)))
        if not stat.S_ISDIR(info.st_mode):
            raise BrightspaceError("%s: '%s' is not a directory (a dest ending in '/' names a directory)"
                                   % (option, shown(dest)))
    if info is not None and stat.S_ISDIR(info.st_mode):
        if not os.access(dest, os.W_OK | os.X_OK):
            raise BrightspaceError("%s: directory '%s' is not writable" % (option, shown(dest)))
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise BrightspaceError("%s: '%s' exists and is not a regular file or a directory" % (option, shown(dest)))
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        what = "is not a directory" if os.path.exists(parent) else "does not exist"
        raise BrightspaceError("%s: directory '%s' %s" % (option, shown(parent), what))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BrightspaceError("%s: directory '%s' is not writable" % (option, shown(parent)))


def file_digest(path, block=BLOCK):
    """``(size, sha256 hex)`` of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(block), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# ------------------------------------------------------------------------------ signals and leftovers
@contextlib.contextmanager
def terminate_cleanly():
    """During the block, SIGTERM raises ``Terminated`` (as SIGINT raises KeyboardInterrupt), so
    the ``finally`` clauses remove temporary files; then the previous handler is restored. A
    Python handler that was there is called with the signal number and the frame the signal
    interrupted (its program ends as it means to); under the default handler a
    ``BrightspaceError`` says what happened, so a module ends with a clean failure (the task's
    message) rather than a result Ansible cannot read. Outside the main thread, or when SIGTERM
    is ignored, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous in (signal.SIG_IGN, None):
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up is not interrupted again
        raise Terminated(signum, frame)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except Terminated as exc:
        signal.signal(signal.SIGTERM, previous)
        if callable(previous):
            previous(exc.args[0], exc.frame)  # as the signal would have called it
        raise BrightspaceError("the download was stopped by SIGTERM; no partial file was left") from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _lock(fd):
    """Take an exclusive, non-blocking ``flock`` on ``fd``; whether it was taken."""
    if fcntl is None:  # pragma: no cover
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale_parts(directory, now=None, stale_after=STALE_AFTER):
    """Remove the partial files earlier downloads left in ``directory``; the names removed.

    Only ``.<name>.<8 random>.part`` files (this module's pattern) that are regular files owned
    by this user, untouched for ``stale_after`` seconds, and whose ``flock`` can be taken: a live
    download holds the lock on its own partial file for as long as it writes, so another run's
    file in progress is never removed, however slow it is.
    """
    if fcntl is None:  # pragma: no cover
        return []
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not _PART.match(name):
            continue
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or now - info.st_mtime < stale_after:
                continue
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if _lock(fd) and os.fstat(fd).st_ino == os.lstat(path).st_ino:
                os.unlink(path)
                removed.append(name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


# ------------------------------------------------------------------------------ the download
def download(client, route, dest, params=None, default_name=None, block=BLOCK, attempts=3, check=None,
             replace=True, mode=None):
    """Stream ``GET route`` to ``dest`` (a file path, or a directory: the name then comes from
    ``Content-Disposition``, else ``default_name``). Returns ``{"path", "file_name", "size",
    "sha256", "content_type", "changed", "previous_sha256"}``.

    ``check(response)`` may refuse a response before anything is written (e.g. an LR result sent
    instead of the file). A file already at the path with the same bytes is left untouched
    (``changed`` false, unless ``mode`` differs: then only its mode changes); one with other bytes
    is replaced (``previous_sha256`` is its checksum). ``mode`` (permission bits, see
    ``parse_mode``) applies to the file written; without it a replaced file keeps its mode. With
    ``replace=False`` (check mode) nothing is written, and ``changed`` says whether it would be.
    """
    directory = dest if os.path.isdir(dest) else os.path.dirname(os.path.abspath(dest))
    with terminate_cleanly():
        if replace:
            remove_stale_parts(directory)
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
                    return _write(response, path, block, replace, mode)
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
    name = disposition_filename(response.headers.get("Content-Disposition"), safe_file_name(default_name))
    if not name:
        raise BrightspaceError("GET %s sent no usable file name (Content-Disposition) for the directory %s: give "
                               "a file path as dest" % (route, dest))
    path = os.path.join(dest, name)
    if os.path.lexists(path) and not os.path.isfile(path):
        raise BrightspaceError("dest: '%s' (the name GET %s gave) exists and is not a regular file; nothing was "
                               "written" % (shown(path), route))
    return path


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


def _umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _keep_owner(fd, previous):
    """Give the new file the replaced file's owner and group, as far as this user may."""
    for uid, gid in ((previous.st_uid, previous.st_gid), (-1, previous.st_gid)):
        try:
            os.fchown(fd, uid, gid)
            return
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EACCES):
                raise


def _write(response, path, block, replace=True, mode=None):
    try:
        return _write_file(response, path, block, replace, mode)
    except OSError as exc:
        raise BrightspaceError("dest: cannot write '%s': %s" % (shown(path), exc.strerror or exc))


def _write_file(response, path, block, replace, mode):
    directory = os.path.dirname(os.path.abspath(path))
    prefix = ".%s." % _truncate(os.path.basename(path), _PART_NAME_BYTES)
    tmp = None
    digest = _Hasher()
    size = 0
    sha256 = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            _lock(handle.fileno())  # held until the file is renamed into place or removed
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
            previous = os.stat(path) if os.path.isfile(path) else None
            before = file_digest(path) if previous is not None else None
            same = before == (size, sha256)
            wanted = mode if mode is not None else \
                stat.S_IMODE(previous.st_mode) if previous is not None else 0o666 & ~_umask()
            changed = not same or stat.S_IMODE(previous.st_mode) != wanted
            if changed and replace:
                if same:  # the bytes are there: only the mode changes
                    os.chmod(path, wanted)
                else:
                    handle.flush()
                    if previous is not None:
                        _keep_owner(handle.fileno(), previous)
                    os.fchmod(handle.fileno(), wanted)
                    os.replace(tmp, path)
                    tmp = None
    finally:
        if sha256 is None:
            digest.hexdigest()  # the hashing thread ends
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": path, "file_name": os.path.basename(path), "size": size, "sha256": sha256,
            "content_type": response.headers.get("Content-Type"), "changed": changed,
            "previous_sha256": before[1] if before else None}
