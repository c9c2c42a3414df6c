# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The small files kept beside the token cache, and the rule for where they may live.

Every task of a playbook is its own process, so what one task learnt is kept on disk for the
next, in the directory of ``token_cache`` (default ``~/.cache/d2l.brightspace/``):

* ``tokens.json``: OAuth tokens (``auth.TokenCache``);
* ``discovery.json``: facts about the service that rarely change (API versions, org unit types,
  LR repositories), reused for ``DISCOVERY_TTL`` seconds (``DiscoveryCache``);
* ``ids.json``: the id of each org unit the collection looked up by code (``IdCache``), so a
  re-run reads the resource directly instead of looking it up first. An id is only a hint: the
  resource read through it must still carry the code, or the look-up by code is made after all;
* ``plans/``: the plans of the catalog's check runs, by digest (``PlanStore``).

The directory must be private: owned by the user running the module and closed to group and
others (0700; created so when missing). Tokens are never written elsewhere (``TokenLocationError``
names ``token_cache``); the two other caches are simply not used in a shared directory, so a
file planted by another user is never read.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
import tempfile
import threading
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

from .errors import TokenLocationError

DISCOVERY_TTL = 600  # seconds a discovered fact (versions, org unit types) is reused across tasks


def directory_problem(directory):
    """Why ``directory`` is not private to this user, or None when it is (or does not exist)."""
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return "cannot be read (%s)" % exc.strerror
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return "belongs to another user (uid %d)" % info.st_uid
    if info.st_mode & 0o077:
        return "is open to other users (mode %04o)" % stat.S_IMODE(info.st_mode)
    return None


def ensure_private_directory(directory, option="token_cache"):
    """Create ``directory`` with mode 0700 when missing; refuse one other users can reach."""
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise TokenLocationError("%s: cannot create the directory %s: %s" % (option, directory, exc.strerror))
    problem = directory_problem(directory)
    if problem:
        raise TokenLocationError(
            "%s: the directory %s %s; tokens are only kept in a private directory: choose a file in "
            "one (for example ~/.cache/d2l.brightspace/tokens.json) or run chmod 700 on it"
            % (option, directory, problem))


def check_token_cache(path, option="token_cache"):
    """``path`` (absolute, ``~`` expanded) when it can name the token cache file: not a directory,
    no NUL character, and no regular file (or other non-directory) where one of its directories
    should be. Raises ``TokenLocationError`` naming ``option`` otherwise, before any request and
    whatever the authentication: every cache beside it (discovery, ids, locks) lives in its
    directory. Whether the directory is private, or can be written, is checked where a file is
    written (``ensure_private_directory``): the tokens need it, the other caches only skip it."""
    if "\x00" in path:
        raise TokenLocationError("%s: the path contains a NUL character" % option)
    path = os.path.abspath(path)
    if os.path.isdir(path):
        raise TokenLocationError("%s: %s is a directory; give the path of a file, such as %s"
                                 % (option, path, os.path.join(path, "tokens.json")))
    directory = os.path.dirname(path)
    while True:
        try:
            info = os.stat(directory)
        except (FileNotFoundError, NotADirectoryError):  # missing (made when needed), or below a file
            parent = os.path.dirname(directory)
            if parent == directory:
                return path
            directory = parent
            continue
        except OSError as exc:  # ENAMETOOLONG, ELOOP, EACCES on a directory above: found where it is used
            if exc.errno == errno.ENAMETOOLONG:
                raise TokenLocationError("%s: the path is too long for this system: %s" % (option, path))
            return path
        if not stat.S_ISDIR(info.st_mode):
            raise TokenLocationError("%s: %s is a file, not a directory, so %s cannot be kept in it"
                                     % (option, directory, path))
        return path


def _usable(directory):
    """True when a cache may be read from or written to ``directory`` (created when missing)."""
    try:
        ensure_private_directory(directory)
    except TokenLocationError:
        return False
    return True


def write_private_json(path, data):
    """Replace ``path`` atomically with ``data`` as JSON in a new 0600 file (a temporary file in
    the same directory, then a rename); the temporary file never outlives a failure."""
    fd, tmp = tempfile.mkstemp(prefix=".%s-" % os.path.basename(path), dir=os.path.dirname(path))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def fsync_directory(directory):
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class PendingFile:
    """A private temporary file, made (and its space reserved) BEFORE something that cannot be
    undone, so that what comes back from it can always be written: ``commit(data)`` writes the
    JSON, flushes and fsyncs it, renames it over ``path`` and fsyncs the directory.

    ``reserve(path, size)`` raises ``OSError`` when the directory takes no new file or the disk
    has no room for ``size`` bytes: nothing irreversible has happened yet. A failure inside
    ``commit`` after the data was written leaves the file in place (``kept`` names it) rather
    than losing what it holds; a failure before that removes it.
    """

    def __init__(self, fd, tmp, path):
        self.fd = fd
        self.tmp = tmp
        self.path = path
        self.kept = None
        self.done = False

    @classmethod
    def reserve(cls, path, size):
        directory = os.path.dirname(path)
        fd, tmp = tempfile.mkstemp(prefix=".%s-" % os.path.basename(path), suffix=".new", dir=directory)
        pending = cls(fd, tmp, path)
        try:
            os.fchmod(fd, 0o600)
            if hasattr(os, "posix_fallocate"):
                try:
                    os.posix_fallocate(fd, 0, max(1, int(size)))
                except OSError as exc:
                    if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                        raise
        except BaseException:
            pending.discard()
            raise
        return pending

    def commit(self, data):
        payload = json.dumps(data).encode("utf-8")
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            view = memoryview(payload)
            while view:
                view = view[os.write(self.fd, view):]
            os.ftruncate(self.fd, len(payload))
        except BaseException:
            self.discard()
            raise
        try:  # from here on the file holds the data: never removed on failure
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None
            os.replace(self.tmp, self.path)
        except BaseException:
            self.kept = self.tmp
            if self.fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self.fd)
                self.fd = None
            raise
        self.done = True
        fsync_directory(os.path.dirname(self.path))

    def discard(self):
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        if not self.done and self.kept is None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)


@contextlib.contextmanager
def exclusive_lock(path):
    """An exclusive ``flock`` on ``path + ".lock"`` (0600), released when the process dies."""
    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class _JsonFile:
    """A JSON object in a private directory, replaced atomically, changed under a lock."""

    def __init__(self, path):
        self.path = os.path.abspath(os.path.expanduser(path)) if path else None

    def read(self):
        if not self.path or directory_problem(os.path.dirname(self.path)):
            return {}
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def change(self, edit):
        """Read, ``edit(data)`` in place, write back; a cache that cannot be written only
        costs a request next time, so every OSError is swallowed."""
        if not self.path:
            return
        directory = os.path.dirname(self.path)
        if not _usable(directory):
            return
        try:
            with exclusive_lock(self.path):
                data = self.read()
                edit(data)
                write_private_json(self.path, data)
        except OSError:
            pass


class DiscoveryCache:
    """Facts about a service that every task would otherwise fetch again (versions, org unit
    types), kept for ``DISCOVERY_TTL`` seconds in ``discovery.json`` beside the token cache, so a
    playbook of many tasks discovers them once per run, not once per task."""

    def __init__(self, path, base_url, clock=time.time):
        self.file = _JsonFile(path)
        self.path = self.file.path
        self.base_url = base_url
        self.clock = clock

    def get(self, name):
        entry = self.file.read().get(self.base_url, {}).get(name)
        if isinstance(entry, dict) and entry.get("at", 0) + DISCOVERY_TTL > self.clock():
            return entry.get("value")
        return None

    def put(self, name, value):
        def edit(data):
            data.setdefault(self.base_url, {})[name] = {"at": self.clock(), "value": value}
        self.file.change(edit)


class IdCache:
    """``ids.json``: the id last seen for an org unit code, per service and kind.

    NOTE: NOTES.md, "Finding a course by its Code": the code is the natural key, found with
    ``orgstructure/?exactOrgUnitCode=``. An id is stored only after that look-up found exactly
    one org unit, or after a create, and the caller always checks that the resource read through
    it still has exactly that code (a deleted, recycled or re-coded org unit sends it back to the
    look-up), so the cache saves a request without ever choosing a different resource than the
    code did. What it cannot see is a second org unit given the same code later (the look-up
    would then fail as ambiguous); nothing expires, and a stale id costs one GET.
    """

    def __init__(self, path, base_url):
        self.file = _JsonFile(path)
        self.path = self.file.path
        self.base_url = base_url
        self._lock = threading.Lock()
        self._pending = None  # in deferred(): {key: id, or None to drop}
        self._known = None  # in deferred(): this service's ids, read once

    @staticmethod
    def _key(kind, code):
        return "%s:%s" % (kind, code)

    @contextlib.contextmanager
    def deferred(self):
        """Many look-ups at once (a catalog): ids.json is read once, and what changes is
        written once, at the end, merged under the file's lock with what other processes wrote
        meanwhile."""
        with self._lock:
            self._known = dict(self.file.read().get(self.base_url, {}))
            self._pending = {}
        try:
            yield self
        finally:
            with self._lock:
                pending, self._pending, self._known = self._pending, None, None
            if pending:
                def edit(data):
                    mine = data.setdefault(self.base_url, {})
                    for key, value in pending.items():
                        if value is None:
                            mine.pop(key, None)
                        else:
                            mine[key] = value
                self.file.change(edit)

    def _ids(self):
        with self._lock:
            if self._known is not None:
                return self._known
        return self.file.read().get(self.base_url, {})

    def get(self, kind, code):
        value = self._ids().get(self._key(kind, code))
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

    def _set(self, key, value):
        """In deferred(): remembered for the one write at the end. True when it was."""
        with self._lock:
            if self._pending is None:
                return False
            self._pending[key] = value
            if value is None:
                self._known.pop(key, None)
            else:
                self._known[key] = value
            return True

    def put(self, kind, code, org_unit_id):
        key = self._key(kind, code)
        if self.get(kind, code) == org_unit_id:
            return  # nothing to write: the common case of a re-run
        if self._set(key, int(org_unit_id)):
            return

        def edit(data):
            data.setdefault(self.base_url, {})[key] = int(org_unit_id)
        self.file.change(edit)

    def drop(self, kind, code):
        key = self._key(kind, code)
        if self.get(kind, code) is None:
            return
        if self._set(key, None):
            return

        def edit(data):
            data.get(self.base_url, {}).pop(key, None)
        self.file.change(edit)


class KeyLocks:
    """Locks beside the token cache (``locks/``), one per resource and natural key: the processes
    of one controller (forks, parallel playbooks) that ensure the same semester code, artifact
    name or learning object title take turns, so the second finds what the first created instead
    of creating it again. An ``flock``, released when the process dies.

    NOTE: this serialises one controller only. Two controllers (two AWX nodes, two machines) can
    still race: a create answered with a conflict is then resolved by reading the resource again
    (module.Ensure), but resources whose names the service does not keep unique (ePortfolio
    artifacts, Learning Repository titles) can get a duplicate, which later runs report as
    ambiguous, naming the ids. In a shared or unusable directory the locks are simply not taken.
    """

    def __init__(self, token_cache_path, base_url):
        self.directory = None
        if token_cache_path:
            self.directory = os.path.join(os.path.dirname(os.path.abspath(os.path.expanduser(token_cache_path))),
                                          "locks")
        self.base_url = base_url

    def path(self, kind, key):
        digest = hashlib.sha256(("%s\n%s\n%s" % (self.base_url, kind, key)).encode("utf-8")).hexdigest()
        return os.path.join(self.directory, digest[:40])

    @contextlib.contextmanager
    def hold(self, kind, key):
        if not self.directory or key is None or not _usable(os.path.dirname(self.directory)) \
                or not _usable(self.directory):
            yield False
            return
        try:
            lock = exclusive_lock(self.path(kind, key))
            lock.__enter__()  # pylint: disable=unnecessary-dunder-call  # only its own OSError is ours
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            lock.__exit__(None, None, None)


class PlanStore:
    """The plans of the catalog's check runs, beside the token cache (``plans/``), one file per
    tenant and digest, the newest ``KEEP`` kept: a later run on the same controller given only an
    ``approved_plan_digest`` finds the approved plan by it, so its refusal can name what differs.
    Like the other caches it is skipped in a directory that is not private, and a plan it cannot
    write or read is simply not there."""

    KEEP = 20

    def __init__(self, token_cache_path, base_url):
        self.directory = None
        if token_cache_path:
            self.directory = os.path.join(os.path.dirname(os.path.abspath(os.path.expanduser(token_cache_path))),
                                          "plans")
        self.prefix = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:12]

    def path(self, digest):
        return os.path.join(self.directory, "%s-%s.json" % (self.prefix, str(digest).rsplit(":", maxsplit=1)[-1][:64]))

    def put(self, plan):
        if not self.directory or not _usable(os.path.dirname(self.directory)) or not _usable(self.directory):
            return
        try:
            write_private_json(self.path(plan["digest"]), plan)
            kept = sorted((os.path.join(self.directory, name) for name in os.listdir(self.directory)
                           if name.endswith(".json")), key=os.path.getmtime, reverse=True)
            for old in kept[self.KEEP:]:
                os.unlink(old)
        except OSError:
            return

    def get(self, digest):
        if not self.directory or directory_problem(self.directory):
            return None
        try:
            with open(self.path(digest), encoding="utf-8") as handle:
                plan = json.load(handle)
        except (OSError, ValueError):
            return None
        return plan if isinstance(plan, dict) and plan.get("digest") == digest else None
