# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OAuth token cache: one file every task on this controller shares.

Brightspace refresh tokens are single use: every refresh returns a new access token and a new
refresh token, and the old refresh token stops working. A playbook runs each task in its own
process, several at a time (forks), so the current refresh token must outlive the process that
received it. ``TokenCache`` keeps it in one JSON file (mode 0600 in a 0700 directory) shared by
every task on the machine; a grant happens under an exclusive ``flock`` on a sibling lock file,
and a process that waited for the lock re-reads the cache first, so only one process asks the
token endpoint and the others use its result.

There is one entry per rotation chain (token URL, client id and the fingerprints of every
refresh token of the chain) and one per service client and scope. A chain's entry keeps a
fingerprint of EVERY link: a link is spent once rotated, but the token a playbook was started
with (or any later one someone copied from the cache) must keep mapping to the newest one, and
a spent token must never reach the endpoint again, so no link is ever pruned. A link costs 33
bytes; a chain rotated every hour for a year is under 300 kB.

A rotated refresh token never exists only in memory: before a refresh is sent, the new cache
file is created beside the old one with its space reserved (``caches.PendingFile``), so a
directory or disk that cannot take it fails the task while the old token is still unspent;
after the answer, the new tokens are written, flushed and fsynced, then renamed over the cache.
A cache file that cannot be read (another owner, open permissions, a directory, a symbolic link
leading out of a private directory, not JSON) is refused with a message naming ``token_cache``
and is never replaced, so no other chain in it is wiped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat

from .caches import (PendingFile, directory_problem, ensure_private_directory, exclusive_lock,
                     write_private_json)
from .errors import TokenLocationError

LINK_CHARS = 32  # hex characters of a chain link's fingerprint (128 bits)


def fingerprint(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def chain_link(secret):
    """The fingerprint a chain keeps of one of its refresh tokens."""
    return fingerprint(secret)[:LINK_CHARS]


class TokenCache:

    """The shared OAuth token cache file (see the module docstring)."""

    option = "token_cache"

    def __init__(self, path):
        self.path = os.path.abspath(os.path.expanduser(path))

    def _refuse(self, what):
        raise TokenLocationError("%s: %s; it was left as it is and no token in it was used or replaced. "
                                 "Fix it, move it away, or choose another token_cache" % (self.option, what))

    def _target(self):
        """The file the tokens live in (a symbolic link's target) and its ``stat``, or None when
        it does not exist yet; refuses a place or a file that is not this user's alone."""
        directory = os.path.dirname(self.path)
        if directory_problem(directory):
            ensure_private_directory(directory, self.option)  # raises TokenLocationError
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return self.path, None
        except OSError as exc:
            self._refuse("%s cannot be read (%s)" % (self.path, exc.strerror))
        target = self.path
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(self.path)
            problem = directory_problem(os.path.dirname(target))
            if problem:
                self._refuse("%s is a symbolic link to %s, outside a private directory (its directory %s)"
                             % (self.path, target, problem))
            try:
                info = os.stat(target)
            except FileNotFoundError:
                return target, None
            except OSError as exc:
                self._refuse("%s (a link to %s) cannot be read (%s)" % (self.path, target, exc.strerror))
        if stat.S_ISDIR(info.st_mode):
            self._refuse("%s is a directory, not a token cache file" % target)
        if not stat.S_ISREG(info.st_mode):
            self._refuse("%s is not a regular file" % target)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            self._refuse("%s belongs to another user (uid %d)" % (target, info.st_uid))
        if info.st_mode & 0o077:
            self._refuse("%s is open to other users (mode %04o); run chmod 600 on it if it is yours"
                         % (target, stat.S_IMODE(info.st_mode)))
        return target, info

    def read(self):
        target, info = self._target()
        if info is None:
            return {}
        try:
            with open(target, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            self._refuse("%s cannot be read (%s)" % (target, exc.strerror))
        except ValueError:
            self._refuse("%s is not a token cache (not JSON)" % target)
        if not isinstance(data, dict):
            self._refuse("%s is not a token cache (not a JSON object)" % target)
        return data

    def _writable_target(self):
        target, _info = self._target()
        ensure_private_directory(os.path.dirname(target), self.option)
        return target

    def write(self, data):
        write_private_json(self._writable_target(), data)

    def reserve(self, size):
        """A ``PendingFile`` that will replace the cache, made now (see the module docstring)."""
        target = self._writable_target()
        try:
            return PendingFile.reserve(target, size)
        except OSError as exc:
            raise TokenLocationError(
                "%s: cannot write the token cache %s (%s); nothing was sent to the token endpoint, so "
                "the refresh token is still valid" % (self.option, target, exc.strerror or exc))

    @contextlib.contextmanager
    def locked(self):
        """Exclusive lock held while a token is fetched (released when the process dies)."""
        target = self._writable_target()
        try:
            lock = exclusive_lock(target)
            lock.__enter__()  # pylint: disable=unnecessary-dunder-call  # only its own OSError is ours
        except OSError as exc:
            raise TokenLocationError(
                "%s: cannot lock the token cache (%s.lock: %s); nothing was sent to the token endpoint, so the "
                "refresh token is still valid" % (self.option, target, exc.strerror or exc))
        try:
            yield
        finally:
            lock.__exit__(None, None, None)
