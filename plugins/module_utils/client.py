# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one HTTP client every module uses.

``BrightspaceClient`` owns the ``requests.Session`` (keep-alive, proxies from the environment,
certificate checks), the base URL, API version discovery, authentication hooks, rate limiting and
retries (``retries.py``), and error reporting (``errors.py``). Modules never touch HTTP.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import quote, urljoin, urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module base
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from .caches import DISCOVERY_TTL, DiscoveryCache, IdCache, KeyLocks, PlanStore  # pylint: disable=unused-import  # noqa: F401 (re-exported)
from . import permissions
from .auth import origin
from .errors import BrightspaceConnectionError, BrightspaceError, BrightspaceHTTPError, extract_message, scrub
from .retries import RateLimiter, RetryPolicy, RETRY_STATUSES

COLLECTION_NAME = "d2l.brightspace"
COLLECTION_VERSION = "0.1.0"
USER_AGENT = "%s/%s (Ansible collection)" % (COLLECTION_NAME, COLLECTION_VERSION)

PRODUCTS = ("lp", "le", "eP", "lr")


def _version_key(version):
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)


class BrightspaceClient:
    """HTTP client for one Brightspace service.

    ``request()`` returns a ``requests.Response`` whose status is one of ``expect`` or raises a
    ``BrightspaceError``. Routes are paths such as ``/d2l/api/lp/1.47/courses/``; build them with
    ``route()`` so the API version comes from discovery or the ``api_versions`` override.
    """

    def __init__(self, url, auth, timeout=30, validate_certs=True, ca_path=None, api_versions=None,
                 retry_budget=120, session=None, discovery_cache=None, sleep=time.sleep,
                 clock=time.monotonic, id_cache=None, locks=None):
        if not HAS_REQUESTS:
            raise BrightspaceError("the Python library 'requests' is required: %s" % REQUESTS_IMPORT_ERROR)
        self.base_url = url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.verify = (ca_path or True) if validate_certs else False
        self.api_versions = dict(api_versions or {})
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.retry = RetryPolicy(budget=retry_budget, sleep=sleep, clock=clock)
        self.limiter = RateLimiter(sleep=sleep, clock=clock)
        self.discovery = DiscoveryCache(discovery_cache, self.base_url)
        self.ids = IdCache(id_cache, self.base_url)
        self.locks = KeyLocks(locks, self.base_url)  # locks: the token cache's path (its directory holds them)
        self.plans = PlanStore(locks, self.base_url)  # the catalog's check-run plans, beside them
        self._threads = threading.local()  # each thread's own record of what it sent
        self._all_sent = []
        self.warnings = []  # what the caller should warn of (clear text HTTP, ...)
        self.references = None  # {(type, code): id} while a catalog runs (orgunits.OrgUnitsApi.resolve)
        self.planned = None  # while a catalog plans: whether it creates (type, code) (not looked up then)
        self._versions = None

    @property
    def sent(self):
        """(method, route, status) of every request this thread sent: what a write step looks
        at to tell whether one of its writes was accepted (``ensure.Ensure.writing``)."""
        sent = getattr(self._threads, "sent", None)
        if sent is None:
            sent = self._threads.sent = []
        return sent

    @property
    def requests_sent(self):
        """How many requests every thread sent."""
        return len(self._all_sent)

    def share_between_threads(self, threads):
        """Ready for ``threads`` threads at once: a keep-alive pool of that many connections to
        the service (rate-limit pacing, retries and the token cache are shared already)."""
        if threads > 1 and requests is not None:
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=max(10, int(threads)))
            self.session.mount(self.base_url + "/", adapter)

    # -- routes and versions --------------------------------------------------------------
    def versions(self):
        """``{product: [supported versions]}`` from ``GET /d2l/api/versions/`` (once per run)."""
        if self._versions is None:
            cached = self.discovery.get("versions")
            if cached is None:
                body = self.get_json("/d2l/api/versions/")
                cached = {}
                for item in body or []:
                    supported = list(item.get("SupportedVersions") or [])
                    latest = item.get("LatestVersion")
                    if latest and latest not in supported:
                        supported.append(latest)
                    cached[item.get("ProductCode")] = sorted(supported, key=_version_key)
                self.discovery.put("versions", cached)
            self._versions = cached
        return self._versions

    def version(self, product):
        """The API version used for ``product``: the override if given, else the latest supported."""
        if product in self.api_versions:
            return str(self.api_versions[product])
        supported = self.versions().get(product)
        if not supported:
            raise BrightspaceError("the service at %s lists no supported versions for API product '%s'"
                                   % (self.base_url, product))
        return supported[-1]

    def route(self, product, template, *args, **kwargs):
        """``route('lp', 'courses/{}', 6609)`` → ``/d2l/api/lp/1.47/courses/6609``.

        ``version='unstable'`` names a fixed API contract instead of the discovered version (for
        routes the reference documents only under the ``unstable`` contract).
        """
        parts = [quote(str(a), safe="") for a in args]
        version = kwargs.get("version") or self.version(product)
        return "/d2l/api/%s/%s/%s" % (product, version, template.format(*parts))

    def route_of(self, url, request_route):
        """The route (path and query) of ``url``, a URL reference (RFC 3986) the service gave in
        its answer to ``request_route`` (an upload ``Location``), resolved against that request's
        URL; refused when it names another origin: credentials go nowhere but the base URL's."""
        resolved = urljoin(self.base_url + request_route, url)
        if origin(resolved) != origin(self.base_url):
            raise BrightspaceError(
                "%s answered with a URL on another origin (%s://%s): nothing is sent there, credentials only go "
                "to %s" % (request_route, origin(resolved)[0], urlsplit(resolved).netloc.rsplit("@", 1)[-1],
                           self.base_url))
        parts = urlsplit(resolved)
        return (parts.path or "/") + ("?" + parts.query if parts.query else "")

    # -- requests -------------------------------------------------------------------------
    def request(self, method, route, params=None, json_body=None, data=None, headers=None,
                expect=(200,), idempotent=None, stream=False, timeout=None):
        """Send one request with auth, pacing and retries; return the response or raise.

        ``data`` may be a callable returning a fresh body for each attempt (a stream cannot be
        sent twice). Non-idempotent requests are not resent after 5xx or a dropped connection:
        the raised error has ``ambiguous = True`` so the caller can look before trying again.
        """
        method = method.upper()
        url = self.base_url + route
        retryable = self.retry.is_idempotent(method, idempotent)
        deadline = self.retry.start()
        attempt = 0
        recovered = False
        while True:
            self.limiter.pace()
            body = data() if callable(data) else data  # may set headers (multipart boundary)
            send_headers = dict(headers or {})
            send_params = dict(params or {})
            self.auth.apply(method, url, send_headers, send_params)
            try:
                response = self.session.request(
                    method, url, params=send_params or None, json=json_body, data=body,
                    headers=send_headers, timeout=timeout or self.timeout, verify=self.verify,
                    stream=stream, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
                if _transient(exc) and (retryable or never_sent) \
                        and self.retry.wait(self.retry.backoff(attempt), deadline):
                    attempt += 1
                    continue
                error = BrightspaceConnectionError(method, route, _describe(exc))
                error.ambiguous = not never_sent
                raise error
            self.limiter.observe(response)
            self.sent.append((method, route, response.status_code))
            self._all_sent.append(self.sent[-1])
            status = response.status_code
            if status in expect:
                return response
            if status == 429 and self.retry.wait(self.retry.retry_after(response), deadline):
                attempt += 1
                response.close()
                continue
            if status in (401, 403) and not recovered and self.auth.recover(response):
                recovered = True
                response.close()
                continue
            if status in RETRY_STATUSES and retryable and self.retry.wait(self.retry.backoff(attempt), deadline):
                attempt += 1
                response.close()
                continue
            detail = scrub(extract_message(response), self.auth.secrets())
            if status == 403 and not _scope_refusal(response, detail):
                detail += permissions.hint(method, route)
            error = BrightspaceHTTPError(method, route, status, response.reason, detail)
            error.ambiguous = status in RETRY_STATUSES and not retryable
            response.close()
            raise error

    def get_json(self, route, params=None, expect=(200,)):
        return decode_json(self.request("GET", route, params=params, expect=expect), "GET", route)

    def send_json(self, method, route, body=None, params=None, expect=(200,), idempotent=None):
        """POST/PUT/DELETE a JSON block; returns the parsed answer, or None for an empty one."""
        response = self.request(method, route, params=params, json_body=body, expect=expect,
                                idempotent=idempotent)
        return decode_json(response, method, route)

    def get_or_none(self, route, params=None):
        """GET a resource that may not exist: its JSON, or None on 404."""
        response = self.request("GET", route, params=params, expect=(200, 404))
        if response.status_code == 404:
            return None
        return decode_json(response, "GET", route)


def decode_json(response, method, route):
    """The JSON an answer carries (None for an empty body); a body that is not JSON fails, naming
    the method, the route and the status. The one place answers are decoded."""
    text = response.text
    if not text.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise BrightspaceError("%s %s answered %s with a body that is not JSON"
                               % (method, route, response.status_code))


def _scope_refusal(response, detail):
    """A 403 for the token's scope (RFC 6750 ``insufficient_scope``), not for the role's permission."""
    return "insufficient_scope" in (response.headers.get("WWW-Authenticate") or "") or "scope" in (detail or "").lower()


def _transient(exc):
    """A dropped or timed-out connection may work next time; a bad certificate or URL never will."""
    if isinstance(exc, requests.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return False
    return isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                            requests.exceptions.ChunkedEncodingError))


def _describe(exc):
    name = type(exc).__name__
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out (%s)" % name
    if isinstance(exc, requests.exceptions.SSLError):
        # str(exc) would repeat the URL, query string (ID-key signatures) included: never shown
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return "TLS certificate verification failed (see validate_certs and ca_path)"
        return "TLS error (%s)" % name
    return "connection error (%s)" % name
