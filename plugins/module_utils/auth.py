# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authentication for the Brightspace client: bearer tokens and OAuth 2.0 (ID-key signing, the
third scheme, is ``idkey.IdKeyAuth``; the OAuth token cache is ``tokens.TokenCache``).

Every scheme has the same three hooks the client calls:

* ``apply(method, url, headers, params)`` adds credentials to one outgoing request;
* ``recover(response)`` is called with a 401/403 answer and returns True when the request is
  worth sending once more (a refreshed access token, a corrected clock skew);
* ``secrets()`` lists every secret the scheme knows or has learnt (keys, tokens, assertions),
  so that no text shown to a user can carry one (``errors.scrub``).

OAuth 2.0 has two grants here (NOTES.md, "Authentication"):

* ``RefreshTokenAuth``: a user's refresh token, rotating (``grant_type=refresh_token``);
* ``ServiceUserAuth``: a service user's app, the client credentials grant with a private-key
  JWT client assertion (RFC 7523); Brightspace has no client-secret variant of that grant.

"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import unicodedata
import uuid

from urllib.parse import urlsplit

try:
    import jwt
    from jwt.algorithms import has_crypto as _JWT_HAS_CRYPTO
    HAS_PYJWT = True
    PYJWT_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported as missing_required_lib
    jwt = None
    _JWT_HAS_CRYPTO = False
    HAS_PYJWT = False
    PYJWT_IMPORT_ERROR = exc

try:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported as missing_required_lib
    serialization = rsa = None
    UnsupportedAlgorithm = ValueError
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc

try:
    from requests.utils import requote_uri
except ImportError:  # pragma: no cover - the client reports requests missing
    def requote_uri(uri):
        return uri

from .errors import BrightspaceAuthError, MissingLibraryError, extract_message, scrub
from .tokens import LINK_CHARS, TokenCache, chain_link, fingerprint

DEFAULT_TOKEN_URL = "https://auth.brightspace.com/core/connect/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # seconds: a client assertion is used once, at once


def origin(url):
    """``(scheme, host, port)`` of an absolute URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def show_origin(url):
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc.rsplit("@", 1)[-1])


class NoAuth:
    kind = "none"

    def apply(self, method, url, headers, params):
        pass

    def recover(self, response):
        return False

    def secrets(self):
        return []


def check_header_secret(value, option):
    """``value``, a secret sent in an HTTP header (``Authorization: Bearer ...``), when it is
    visible ASCII only (RFC 6750 b64token characters are a subset); ``BrightspaceAuthError``
    naming ``option`` otherwise, the secret never echoed. http.client would raise a bare
    UnicodeEncodeError for a character outside Latin-1, and requests an InvalidHeader ("connection
    error") for a line break; a space or tab at either end is a copy-paste slip, not a token."""
    for position, char in enumerate(value, 1):
        if "\x21" <= char <= "\x7e":
            continue
        if char.isspace():
            what = "whitespace"
        elif unicodedata.category(char) == "Cc":
            what = "a control character"
        else:
            what = "a character outside visible ASCII"
        raise BrightspaceAuthError(
            "%s holds %s (U+%04X, character %d of %d); a bearer token is visible ASCII only: give it as "
            "issued, without spaces or line breaks" % (option, what, ord(char), position, len(value)))
    return value


class BearerAuth:
    """A fixed access token (``access_token``). Nothing to refresh when it expires."""

    kind = "bearer"

    def __init__(self, token, option="access_token"):
        self.token = check_header_secret(token, option)

    def apply(self, method, url, headers, params):
        headers["Authorization"] = "Bearer " + self.token

    def recover(self, response):
        return False

    def secrets(self):
        return [self.token]


def _bearer_of(response):
    """The bearer token the request of ``response`` carried, or None."""
    try:
        sent = response.request.headers.get("Authorization") or ""
    except AttributeError:
        return None
    return sent[len("Bearer "):] if isinstance(sent, str) and sent.startswith("Bearer ") else None


class _TokenEndpointAuth:
    """What both OAuth 2.0 grants share: the cache entry, the lock, the token endpoint call,
    reuse of a valid access token by every task and fork, and a refresh on 401."""

    kind = "bearer"
    grant_type = None
    rotating = False  # True: the grant spends a secret (the refresh token) it must hand on

    def __init__(self, session, token_url, client_id, scope=None, cache_path=None, timeout=30,
                 verify=True, clock=time.time):
        self.session = session
        self.token_url = token_url or DEFAULT_TOKEN_URL
        self.client_id = client_id
        self.scope = scope
        self.cache = TokenCache(cache_path) if cache_path else None
        self.timeout = timeout
        self.verify = verify
        self.clock = clock
        self.key = fingerprint("%s\n%s" % (self.token_url, client_id or ""))
        self._slot = None  # set by _load
        self._memory = {}  # the cache file's contents when no cache file is used
        self._current = None  # access token used for the last request
        self._rejected = None  # access token the service refused in this process
        self._seen = set()  # every secret this object has handled (errors.scrub)
        self._thread_lock = threading.RLock()  # a catalog's threads share this object: one grant at a time

    # -- the cache -----------------------------------------------------------------------
    def _data(self):
        return self.cache.read() if self.cache is not None else dict(self._memory)

    def _find(self, data):
        """``(slot, entry)`` of our entry in the cache's ``data`` (entry {} when none)."""
        raise NotImplementedError

    def _load(self):
        self._slot, entry = self._find(self._data())
        self._learn(entry)
        return entry

    def _learn(self, entry):
        for name in ("access_token", "refresh_token"):
            if entry.get(name):
                self._seen.add(entry[name])

    def _valid(self, entry):
        token = entry.get("access_token")
        if not token:
            return False
        lifetime = entry.get("lifetime") or 0
        margin = min(30.0, lifetime * 0.25)
        return entry.get("expires_at", 0) - margin > self.clock()

    def _usable(self, entry):
        return self._valid(entry) and entry["access_token"] != self._rejected

    def _lock(self):
        return self.cache.locked() if self.cache is not None else contextlib.nullcontext()

    # -- the token endpoint --------------------------------------------------------------
    def _form(self, entry):
        raise NotImplementedError

    def _entry(self, entry, body):
        """The new cache entry from a grant's answer."""
        lifetime = float(body.get("expires_in") or 3600)
        return {"access_token": body["access_token"], "expires_at": self.clock() + lifetime, "lifetime": lifetime}

    def _post(self, form):
        route = urlsplit(self.token_url).path or "/"
        try:
            # NOTE: a redirect is never followed: requests would POST the form (refresh token,
            # client secret or assertion) again to wherever the Location points.
            response = self.session.post(self.token_url, data=form, timeout=self.timeout, verify=self.verify,
                                         headers={"Accept": "application/json"}, allow_redirects=False)
        except Exception as exc:  # requests.RequestException and friends
            raise BrightspaceAuthError(
                "POST %s failed: OAuth token request could not be sent: %s" % (route, type(exc).__name__))
        try:
            return self._answer(route, form, response)
        finally:
            response.close()

    def _answer(self, route, form, response):
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location") or ""
            where = show_origin(requote_uri(location)) if "://" in location else "the same host"
            raise BrightspaceAuthError(
                "POST %s failed: %s %s: the token endpoint answered with a redirect to %s; credentials are "
                "never sent after a redirect: set token_url to the token endpoint itself"
                % (route, status, response.reason or "", where))
        if status != 200:
            detail = scrub(extract_message(response), self.secrets()) or "no detail"
            raise BrightspaceAuthError("POST %s failed: %s %s: OAuth %s grant refused: %s%s" % (
                route, status, response.reason or "", form["grant_type"], detail, self._hint(response)))
        try:
            body = response.json()
            if not isinstance(body["access_token"], str) or not body["access_token"]:
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise BrightspaceAuthError("POST %s failed: the token endpoint answered without an access_token" % route)
        self._learn(body)
        return body

    def _hint(self, response):
        return ""

    def _grant(self, entry):
        """Ask the token endpoint; store and return the new entry (the lock is held)."""
        form = self._form(entry)
        new = self._entry(entry, self._post(form))
        self._store(new)
        return new

    def _store(self, entry):
        if self.cache is None:
            self._memory = dict(self._memory)
            self._memory[self._slot] = entry
            return
        data = self.cache.read()
        data[self._slot] = entry
        try:
            self.cache.write(data)
        except OSError:
            pass  # a token that spends nothing is fetched again next time: only a request lost

    def token(self):
        entry = self._load()
        if self._usable(entry):
            return entry["access_token"]
        with self._lock():
            entry = self._load()  # another process may have fetched one while we waited
            if not self._usable(entry):
                entry = self._grant(entry)
        return entry["access_token"]

    # -- hooks ---------------------------------------------------------------------------
    def apply(self, method, url, headers, params):
        with self._thread_lock:
            self._current = self.token()
            headers["Authorization"] = "Bearer " + self._current

    def recover(self, response):
        refused = _bearer_of(response) or self._current  # the token this answer refused
        with self._thread_lock:
            if response.status_code != 401 or self._rejected == refused:
                return False
            # The service refused a token we thought valid (expired early, revoked): never use it
            # again in this process; the next apply() fetches one unless another process (or
            # thread) already has.
            self._rejected = refused
            return True

    def secrets(self):
        return sorted(self._seen)


class RefreshTokenAuth(_TokenEndpointAuth):
    """A user's rotating refresh token, exchanged with the client id and secret."""

    grant_type = "refresh_token"
    rotating = True

    def __init__(self, session, token_url, client_id, client_secret, refresh_token, **kwargs):
        super().__init__(session, token_url, client_id, **kwargs)
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self._seen.update(s for s in (client_secret, refresh_token) if s)

    def _find(self, data):
        # An entry belongs to our chain if the token we were given is one of its links; other
        # chains of the same client (other users) keep their own entries.
        mine = chain_link(self.refresh_token)
        for slot, entry in data.items():
            if isinstance(entry, dict) and entry.get("client") == self.key and \
                    any(str(link)[:LINK_CHARS] == mine for link in entry.get("chain", [])):
                return slot, entry
        return fingerprint("%s\n%s" % (self.key, fingerprint(self.refresh_token))), {}

    def _form(self, entry):
        form = {"grant_type": "refresh_token", "refresh_token": entry.get("refresh_token") or self.refresh_token,
                "client_id": self.client_id or "", "client_secret": self.client_secret or ""}
        if self.scope:
            form["scope"] = self.scope
        return form

    def _entry(self, entry, body):
        new = super()._entry(entry, body)
        spent = entry.get("refresh_token") or self.refresh_token
        rotated = body.get("refresh_token") or spent
        chain = [str(link)[:LINK_CHARS] for link in entry.get("chain", [])] or [chain_link(self.refresh_token)]
        for token in (spent, rotated):
            if chain_link(token) not in chain:
                chain.append(chain_link(token))
        new.update({"client": self.key, "refresh_token": rotated, "chain": chain})
        return new

    def _hint(self, response):
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            return ""
        if error == "invalid_grant":
            where = " (token cache %s)" % self.cache.path if self.cache is not None else ""
            return ("; the refresh token chain that started with the configured refresh_token is no longer valid"
                    "%s: authorize again and configure the new refresh token" % where)
        return ""

    def _grant(self, entry):
        if self.cache is None:
            return super()._grant(entry)
        # Prove the new tokens can be kept BEFORE the old refresh token is spent.
        data = self.cache.read()
        pending = self.cache.reserve(len(json.dumps(data)) + 8192)
        try:
            new = self._entry(entry, self._post(self._form(entry)))
            data = self.cache.read()  # unchanged: every writer of tokens holds the lock we hold
            data[self._slot] = new
            try:
                pending.commit(data)
            except OSError as exc:
                if pending.kept:
                    raise BrightspaceAuthError(
                        "token_cache: the token endpoint rotated the refresh token, but the cache %s could not be "
                        "replaced (%s). The new tokens are in %s: rename that file to %s before the next run "
                        "(the refresh token you configured is spent)" % (
                            self.cache.path, exc.strerror or exc, pending.kept, pending.path))
                raise BrightspaceAuthError(
                    "token_cache: the token endpoint rotated the refresh token, but the new one could not be "
                    "written to %s (%s); the refresh token you configured is spent: authorize again"
                    % (self.cache.path, exc.strerror or exc))
            return new
        finally:
            pending.discard()


def load_private_key(value, option="private_key"):
    """The RSA private key from PEM text or from a PEM file's path; clear errors naming ``option``."""
    if not HAS_CRYPTOGRAPHY:
        raise MissingLibraryError("cryptography", "for the service-user grant (%s)" % option, CRYPTOGRAPHY_IMPORT_ERROR)
    text = value if isinstance(value, str) else ""
    if "-----BEGIN" in text:
        data = text.encode("utf-8")
    else:
        path = os.path.expanduser(text.strip())
        if not path:
            raise BrightspaceAuthError("%s must not be empty" % option)
        if not os.path.isfile(path):
            raise BrightspaceAuthError("%s: neither PEM text nor an existing file (give the key itself, "
                                       "-----BEGIN PRIVATE KEY----- ..., or the path of its PEM file)" % option)
        try:
            with open(path, "rb") as handle:
                data = handle.read(1024 * 1024)
        except OSError as exc:
            raise BrightspaceAuthError("%s: the key file cannot be read (%s)" % (option, exc.strerror))
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise BrightspaceAuthError("%s: the private key is encrypted with a passphrase; give it unencrypted "
                                   "(keep it in Ansible Vault or an AWX credential instead)" % option)
    except (ValueError, UnsupportedAlgorithm):
        raise BrightspaceAuthError("%s: not a PEM private key" % option)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BrightspaceAuthError("%s: an RSA private key is needed (the assertion is signed with RS256)" % option)
    return key


class ServiceUserAuth(_TokenEndpointAuth):
    """A service user's app: the client credentials grant with a private-key JWT client assertion
    (RFC 7523). The assertion: RS256, ``kid`` in the header, ``iss`` = ``sub`` = the client id,
    ``aud`` = the token URL, ``iat``, ``exp`` five minutes later and a unique ``jti``. The access
    token is cached per client id and scope and shared by every task and fork until shortly
    before it expires; there is no refresh token."""

    grant_type = "client_credentials"

    def __init__(self, session, token_url, client_id, private_key, key_id, scope, **kwargs):
        if not HAS_PYJWT:
            raise MissingLibraryError("PyJWT", "for the service-user grant (private_key)", PYJWT_IMPORT_ERROR)
        if not _JWT_HAS_CRYPTO:
            raise MissingLibraryError("cryptography", "for the service-user grant (private_key)",
                                      CRYPTOGRAPHY_IMPORT_ERROR)
        super().__init__(session, token_url, client_id, scope=scope, **kwargs)
        if isinstance(private_key, str) and "-----BEGIN" in private_key:
            self._seen.add(private_key)
        self.private_key = load_private_key(private_key)
        self.key_id = key_id
        self._slot = fingerprint("service\n%s\n%s" % (self.key, " ".join(sorted((scope or "").split()))))

    def _find(self, data):
        entry = data.get(self._slot)
        return self._slot, entry if isinstance(entry, dict) else {}

    def assertion(self):
        now = int(self.clock())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url, "iat": now,
                  "exp": now + ASSERTION_LIFETIME, "jti": uuid.uuid4().hex}
        token = jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.key_id})
        if isinstance(token, bytes):  # PyJWT < 2
            token = token.decode("ascii")
        self._seen.add(token)
        return token

    def _form(self, entry):
        return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.assertion(), "scope": self.scope}
