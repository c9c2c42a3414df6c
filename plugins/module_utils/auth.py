# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication for the Brightspace client: bearer tokens, OAuth 2.0 and ID-key signing.

Every scheme has the same two hooks the client calls:

* ``apply(method, url, headers, params)`` adds credentials to one outgoing request;
* ``recover(response)`` is called with a 401/403 answer and returns True when the request is
  worth sending once more (a refreshed access token, a corrected clock skew).

The OAuth token cache
---------------------
Brightspace refresh tokens are single use: every refresh returns a new access token and a new
refresh token, and the old refresh token stops working. A playbook runs each task in its own
process, several at a time (forks), so the current refresh token must outlive the process that
received it. ``TokenCache`` keeps it in one JSON file (mode 0600 in a 0700 directory) shared by
every task on the machine; a refresh happens under an exclusive ``flock`` on a sibling lock file,
and a process that waited for the lock re-reads the cache first, so only one process refreshes
and the others use its result. There is one entry per rotation chain (token URL, client id and
the chain's refresh tokens) and one per client and scope for client credentials; a chain's entry
remembers the fingerprints (SHA-256) of every refresh token of the chain: the refresh token a
playbook was started with keeps mapping to the newest one in the chain, and two chains of one
client (two users) never overwrite each other.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import time

from urllib.parse import unquote, urlsplit

from .caches import directory_problem, ensure_private_directory, exclusive_lock, write_private_json
from .errors import BrightspaceAuthError, extract_message

DEFAULT_TOKEN_URL = "https://auth.brightspace.com/core/connect/token"

# NOTE: NOTES.md, "Authentication": a bad clock gets 403 "Timestamp out of range <server time>".
TIMESTAMP_OUT_OF_RANGE = re.compile(r"Timestamp out of range\s*(\d+)")


def fingerprint(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class NoAuth:
    kind = "none"

    def apply(self, method, url, headers, params):
        pass

    def recover(self, response):
        return False


class BearerAuth:
    """A fixed access token (``access_token``). Nothing to refresh when it expires."""

    kind = "bearer"

    def __init__(self, token):
        self.token = token

    def apply(self, method, url, headers, params):
        headers["Authorization"] = "Bearer " + self.token

    def recover(self, response):
        return False


class TokenCache:
    """The shared OAuth token cache file. See the module docstring."""

    def __init__(self, path):
        self.path = os.path.abspath(os.path.expanduser(path))

    def _ensure_dir(self):
        # never in a place other users can read or change (TokenLocationError names token_cache)
        ensure_private_directory(os.path.dirname(self.path))

    def read(self):
        if directory_problem(os.path.dirname(self.path)):
            self._ensure_dir()  # raises TokenLocationError: a planted token is never used either
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, data):
        self._ensure_dir()
        write_private_json(self.path, data)

    @contextlib.contextmanager
    def locked(self):
        """Exclusive lock held while a token is refreshed (released when the process dies)."""
        self._ensure_dir()
        with exclusive_lock(self.path):
            yield


class OAuth2Auth:
    """OAuth 2.0 with a refresh token (rotating) or client credentials, through the token cache."""

    kind = "bearer"

    def __init__(self, session, token_url, client_id, client_secret, refresh_token=None, scope=None,
                 cache_path=None, timeout=30, verify=True, clock=time.time):
        self.session = session
        self.token_url = token_url or DEFAULT_TOKEN_URL
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.scope = scope
        self.cache = TokenCache(cache_path) if cache_path else None
        self.timeout = timeout
        self.verify = verify
        self.clock = clock
        self.key = fingerprint("%s\n%s" % (self.token_url, client_id or ""))
        # where our entry lives in the cache file: one per refresh chain (found by _load), one
        # per client and scope for client credentials (never a user's token from a chain)
        self._slot = fingerprint("client_credentials\n%s\n%s" % (self.key, scope or ""))
        self._memory = {}  # the entry when no cache file is used
        self._current = None  # access token used for the last request
        self._rejected = None  # access token the service refused in this process

    # -- cache entry helpers -------------------------------------------------------------
    def _load(self):
        if self.cache is None:
            return dict(self._memory)
        data = self.cache.read()
        if not self.refresh_token:
            entry = data.get(self._slot)
            return entry if isinstance(entry, dict) else {}
        # An entry belongs to our chain if the token we were given is one of its links; other
        # chains of the same client (other users) keep their own entries.
        mine = fingerprint(self.refresh_token)
        for slot, entry in data.items():
            if isinstance(entry, dict) and entry.get("client") == self.key and mine in entry.get("chain", []):
                self._slot = slot
                return entry
        self._slot = fingerprint("%s\n%s" % (self.key, mine))
        return {}

    def _store(self, entry):
        if self.cache is None:
            self._memory = entry
            return
        data = self.cache.read()
        if self.refresh_token:
            entry["client"] = self.key
        data[self._slot] = entry
        self.cache.write(data)

    def _valid(self, entry):
        token = entry.get("access_token")
        if not token:
            return False
        lifetime = entry.get("lifetime") or 0
        margin = min(30.0, lifetime * 0.25)
        return entry.get("expires_at", 0) - margin > self.clock()

    # -- token endpoint ------------------------------------------------------------------
    def _grant(self, entry):
        if self.refresh_token:
            refresh = entry.get("refresh_token") or self.refresh_token
            form = {"grant_type": "refresh_token", "refresh_token": refresh}
        else:
            refresh = None
            form = {"grant_type": "client_credentials"}
        form["client_id"] = self.client_id or ""
        form["client_secret"] = self.client_secret or ""
        if self.scope:
            form["scope"] = self.scope
        route = urlsplit(self.token_url).path or "/"
        try:
            response = self.session.post(self.token_url, data=form, timeout=self.timeout,
                                         verify=self.verify, headers={"Accept": "application/json"})
        except Exception as exc:  # requests.RequestException and friends
            raise BrightspaceAuthError(
                "POST %s failed: OAuth token request could not be sent: %s" % (route, type(exc).__name__))
        if response.status_code != 200:
            raise BrightspaceAuthError(
                "POST %s failed: %s %s: OAuth %s grant refused: %s" % (
                    route, response.status_code, response.reason or "", form["grant_type"],
                    extract_message(response) or "no detail"))
        try:
            body = response.json()
            access = body["access_token"]
        except (ValueError, KeyError, TypeError):
            raise BrightspaceAuthError("POST %s failed: the token endpoint answered without an access_token" % route)
        lifetime = float(body.get("expires_in") or 3600)
        chain = list(entry.get("chain", []))
        if self.refresh_token and not chain:
            chain.append(fingerprint(self.refresh_token))
        new_refresh = body.get("refresh_token") or refresh
        if new_refresh and fingerprint(new_refresh) not in chain:
            chain.append(fingerprint(new_refresh))
        return {
            "access_token": access,
            "expires_at": self.clock() + lifetime,
            "lifetime": lifetime,
            "refresh_token": new_refresh,
            "chain": chain[-50:],
        }

    def _lock(self):
        return self.cache.locked() if self.cache is not None else contextlib.nullcontext()

    def token(self):
        entry = self._load()
        if self._usable(entry):
            return entry["access_token"]
        with self._lock():
            entry = self._load()  # another process may have refreshed while we waited
            if not self._usable(entry):
                entry = self._grant(entry)
                self._store(entry)
        return entry["access_token"]

    def _usable(self, entry):
        return self._valid(entry) and entry["access_token"] != self._rejected

    # -- hooks ---------------------------------------------------------------------------
    def apply(self, method, url, headers, params):
        self._current = self.token()
        headers["Authorization"] = "Bearer " + self._current

    def recover(self, response):
        if response.status_code != 401 or self._rejected == self._current:
            return False
        # The service refused a token we thought valid (expired early, revoked): never use it
        # again in this process; the next apply() refreshes unless another process already has.
        self._rejected = self._current
        return True


class IdKeyAuth:
    """Legacy ID-key signing (NOTES.md): x_a, x_b, x_c, x_d, x_t on every request."""

    kind = "idkey"

    def __init__(self, app_id, app_key, user_id, user_key, clock=time.time):
        self.app_id = app_id
        self.app_key = app_key
        self.user_id = user_id
        self.user_key = user_key
        self.clock = clock
        self.skew = 0
        self._skew_fixed = False

    @staticmethod
    def sign(key, base):
        digest = hmac.new(key.encode("utf-8"), base.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    @staticmethod
    def base_string(method, path, timestamp):
        return "%s&%s&%s" % (method.upper(), unquote(path).lower(), timestamp)

    def apply(self, method, url, headers, params):
        timestamp = int(self.clock()) + self.skew
        base = self.base_string(method, urlsplit(url).path, timestamp)
        params["x_a"] = self.app_id
        params["x_b"] = self.user_id
        params["x_c"] = self.sign(self.app_key, base)
        params["x_d"] = self.sign(self.user_key, base)
        params["x_t"] = str(timestamp)

    def recover(self, response):
        if response.status_code != 403 or self._skew_fixed:
            return False
        match = TIMESTAMP_OUT_OF_RANGE.search(response.text or "")
        if not match:
            return False
        self.skew = int(match.group(1)) - int(self.clock())
        self._skew_fixed = True
        return True
