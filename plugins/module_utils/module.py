# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base every d2l_* module declares into.

``BrightspaceModule`` adds the connection options (doc fragment ``d2l.brightspace.connection``)
and optionally the wait options (``d2l.brightspace.wait``), builds the shared client from them,
turns every ``BrightspaceError`` into a clean ``fail_json`` (never a traceback), and runs the one
ensure path for resources:

    find by natural key → normalise → compare only the options the user gave
    → create / update / delete / nothing

Check mode never sends a write: the ensure path skips the write and predicts the end state.
``diff`` (``before``/``after``) is returned only in diff mode.
"""

from __future__ import annotations

import copy
import ipaddress
import math
import os
import re
import ssl
import stat
import traceback
import unicodedata

from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from .auth import BearerAuth, DEFAULT_TOKEN_URL, IdKeyAuth, RefreshTokenAuth, ServiceUserAuth
from .caches import check_token_cache
from .client import BrightspaceClient, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from .errors import (BrightspaceError, BrightspaceHTTPError, JobFailedError, MissingLibraryError, WaitTimeoutError,
                     scrub)
from .orgunits import ValidationError, id_of_reference, shown_code, validate_code
from .waiter import wait_for_job

DEFAULT_CACHE = "~/.cache/d2l.brightspace/tokens.json"


def connection_argument_spec():
    """Options of the ``d2l.brightspace.connection`` doc fragment, with their env fallbacks.

    NOTE: the base URL is ``brightspace_url``, never ``url``: a module option of that name (the
    link of ``d2l_artifact``) would otherwise be read as the service's address, and the bearer
    token sent there; no module option may take a connection option's name.
    """
    def env(name):
        return (env_fallback, [name])

    return dict(
        brightspace_url=dict(type="str", fallback=env("BRIGHTSPACE_URL")),
        access_token=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_ACCESS_TOKEN")),
        refresh_token=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_REFRESH_TOKEN")),
        client_id=dict(type="str", fallback=env("BRIGHTSPACE_CLIENT_ID")),
        client_secret=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_CLIENT_SECRET")),
        private_key=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_PRIVATE_KEY")),
        key_id=dict(type="str", no_log=False, fallback=env("BRIGHTSPACE_KEY_ID")),
        token_url=dict(type="str", no_log=False, fallback=env("BRIGHTSPACE_TOKEN_URL")),
        scope=dict(type="str", fallback=env("BRIGHTSPACE_SCOPE")),
        token_cache=dict(type="path", no_log=False, fallback=env("BRIGHTSPACE_TOKEN_CACHE")),
        app_id=dict(type="str", fallback=env("BRIGHTSPACE_APP_ID")),
        app_key=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_APP_KEY")),
        user_id=dict(type="str", fallback=env("BRIGHTSPACE_USER_ID")),
        user_key=dict(type="str", no_log=True, fallback=env("BRIGHTSPACE_USER_KEY")),
        validate_certs=dict(type="bool", fallback=env("BRIGHTSPACE_VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=env("BRIGHTSPACE_CA_PATH")),
        timeout=dict(type="float", fallback=env("BRIGHTSPACE_TIMEOUT")),
        retry_budget=dict(type="float", fallback=env("BRIGHTSPACE_RETRY_BUDGET")),
        api_versions=dict(type="dict"),
    )


def wait_argument_spec():
    """Options of the ``d2l.brightspace.wait`` doc fragment."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="float", default=2.0),
    )


def value_problems(spec, given, params, ids=(), non_empty=(), non_negative=(), codes=()):
    """What is wrong with the option values beyond their declared types, one sentence each.

    AnsibleModule converts anything given to a ``str`` option into a string (a list becomes
    ``"['a']"``), so the values as given are checked here: a list or dict for a string is an
    error. Then the declared rules (see ``BrightspaceModule``).
    """
    found = []
    mistyped = set()  # already wrong: its text (a list's repr) is no code to check
    for name, option in spec.items():
        value = given.get(name)
        kind = option.get("type", "str")
        shown = "" if option.get("no_log") else ": %r" % (value,)  # a secret is never echoed
        if kind == "str" and isinstance(value, (list, dict)):
            found.append("%s must be a string, got a %s%s" % (name, type(value).__name__, shown))
            mistyped.add(name)
        elif kind == "list" and option.get("elements") == "str" and isinstance(value, list) and \
                any(isinstance(item, (list, dict)) for item in value):
            found.append("%s must be a list of strings, got a list with a list or dict in it%s" % (name, shown))
    for name in ids:
        value = params.get(name)
        for item in (value or []) if spec[name].get("type") == "list" else [value]:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                found.append("%s must be an id (a positive integer) or a code or name (a string), got %r" % (name, item))
            elif isinstance(item, int) and item < 1:
                found.append("%s must be a positive id, got %d" % (name, item))
            elif isinstance(item, str) and not item.strip():
                found.append("%s must not be empty" % name)
            else:
                continue
            break
    for name in non_empty:
        value = params.get(name)
        if isinstance(value, str) and not value.strip():
            found.append("%s must not be empty" % name)
    for name in non_negative:
        value = params.get(name)
        if isinstance(value, float) and math.isnan(value):
            found.append("%s must be a number, got nan" % name)
        elif value is not None and value < 0:
            found.append("%s must not be negative, got %s" % (name, value))
    for name in codes:  # codes, and references by code: a code no org unit can have is known here, in check mode too
        if name in mistyped:
            continue
        value = params.get(name)
        reference = spec[name].get("type") == "raw" or spec[name].get("elements") == "raw"  # an id or a code
        for item in (value or []) if spec[name].get("type") == "list" else [value]:
            if not isinstance(item, str) or (reference and not item.strip()):  # a blank reference: ids= says so
                continue
            if reference and item.startswith("id:") and id_of_reference(item) is None:
                found.append("%s '%s' is not an id reference: id: must be followed by the digits 0-9 only"
                             % (name, shown_code(item)))
                break
            if not (reference and id_of_reference(item) is not None):
                try:
                    validate_code(item, name)
                except ValidationError as exc:
                    found.append(str(exc))
                    break
    return found


SERVICE_USER_OPTIONS = "client_id, private_key, key_id and scope"


def build_auth(params, session):
    """Choose the auth scheme from the options, in the documented order of precedence."""
    verify = _verify(params)
    timeout = params.get("timeout") or 30
    cache = params.get("token_cache") or DEFAULT_CACHE
    token_url = params.get("token_url") or DEFAULT_TOKEN_URL
    if params.get("access_token"):
        return BearerAuth(params["access_token"])
    if params.get("refresh_token"):
        missing = [name for name in ("client_id", "client_secret") if not params.get(name)]
        if missing:
            raise ValidationError("a refresh_token needs %s" % " and ".join(missing))
        return RefreshTokenAuth(session, token_url, params["client_id"], params["client_secret"],
                                params["refresh_token"], scope=params.get("scope"), cache_path=cache,
                                timeout=timeout, verify=verify)
    if params.get("private_key") or params.get("key_id"):
        missing = [name for name in ("client_id", "private_key", "key_id", "scope") if not params.get(name)]
        if missing:
            raise ValidationError("the service-user grant (client credentials with a private-key JWT) needs %s; "
                                  "missing: %s" % (SERVICE_USER_OPTIONS, ", ".join(missing)))
        return ServiceUserAuth(session, token_url, params["client_id"], params["private_key"], params["key_id"],
                               params["scope"], cache_path=cache, timeout=timeout, verify=verify)
    if params.get("client_id") or params.get("client_secret"):
        # NOTE: Brightspace's client credentials grant exists only with a private-key JWT client
        # assertion for a service user's app (NOTES.md; D2L KB "Register an OAuth 2.0 application
        # for server-to-server authentication"): a tenant refuses a client secret for it.
        raise ValidationError(
            "client_id and client_secret alone are not a Brightspace grant: unattended access uses a service "
            "user's app, the client credentials grant with a private-key JWT: give %s (or their BRIGHTSPACE_* "
            "variables); a client secret is only used with a refresh_token" % SERVICE_USER_OPTIONS)
    idkey = ("app_id", "app_key", "user_id", "user_key")
    if any(params.get(name) for name in idkey):
        missing = [name for name in idkey if not params.get(name)]
        if missing:
            raise ValidationError("ID-key authentication needs %s" % ", ".join(missing))
        return IdKeyAuth(params["app_id"], params["app_key"], params["user_id"], params["user_key"])
    raise ValidationError(
        "no credentials: set access_token; refresh_token with client_id and client_secret; %s (a service "
        "user); or app_id, app_key, user_id and user_key (or their BRIGHTSPACE_* variables)" % SERVICE_USER_OPTIONS)


def _verify(params):
    validate = params.get("validate_certs")
    if validate is None:
        validate = True
    if not validate:
        return False
    return params.get("ca_path") or True


def _is_loopback(host):
    host = (host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


try:  # what requests encodes a non-ASCII host name with (IDNA 2008, UTS 46); else the stdlib's IDNA 2003
    import idna

    def _idna(label):
        return idna.encode(label, uts46=True).decode("ascii")
except ImportError:  # pragma: no cover - requests depends on it
    def _idna(label):
        return label.encode("idna").decode("ascii")

_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$")


def host_problem(host):
    """Why ``host`` (a URL's host name, brackets removed) can name no host, in words, or None.

    An IP address, or a DNS name: labels of 1 to 63 characters (after IDNA encoding) of letters,
    digits, ``-`` and ``_``, 253 characters in all; no whitespace, control or invisible character.
    """
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    for char in host:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            return "contains the character U+%04X (whitespace, a control or an invisible character)" % ord(char)
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    encoded = []
    for label in labels:
        if not label:
            return "has an empty label (a dot at the start, or two dots in a row)"
        try:
            ascii_label = label if label.isascii() else _idna(label)
        except UnicodeError:  # idna.IDNAError is one
            return "has a label that is no valid internationalised domain name: '%s'" % label
        if len(ascii_label) > 63:
            return "has a label longer than 63 characters: '%s'" % label
        if not _LABEL.match(ascii_label):
            return "has a label with a character no host name holds: '%s'" % label
        encoded.append(ascii_label)
    if len(".".join(encoded)) > 253:
        return "is longer than 253 characters"
    return None


def check_http_url(url, option):
    """``urlsplit(url)`` of an http(s) URL with a valid host; ``ValidationError`` naming ``option``
    otherwise (a URL ``urlsplit`` cannot parse, such as ``http://[::1``, included)."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValidationError("%s must be an http:// or https:// URL, got '%s'" % (option, url))
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # an unclosed [ of an IPv6 address, ...
        raise ValidationError("%s is not a valid URL (%s): '%s'" % (option, exc, url))
    if not host:
        raise ValidationError("%s has no host name: '%s'" % (option, url))
    try:
        parts.port  # pylint: disable=pointless-statement  # raises on a bad port
    except ValueError:
        raise ValidationError("%s has an invalid port: '%s'" % (option, url))
    problem = host_problem(host)
    if problem:
        raise ValidationError("%s: the host name '%s' %s" % (option, shown_code(host), problem))
    return parts


def check_site_url(url, option):
    """``url`` must be an http(s) site root: no path, query, fragment or user name; returns it
    without a trailing slash, and a warning for clear text HTTP to another host."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValidationError("%s must start with http:// or https://, got '%s'" % (option, url))
    parts = check_http_url(url, option)
    if parts.username is not None or parts.password is not None:
        raise ValidationError("%s must not carry a user name or password; give credentials in their own options"
                              % option)
    if parts.path not in ("", "/") or parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ValidationError(
            "%s must be the site's root, such as https://school.brightspace.com, without a path, query or "
            "fragment; got '%s'" % (option, url))
    warning = None
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        warning = ("%s is http:// to %s, which is not this machine: credentials and data travel in clear text; "
                   "use https://" % (option, parts.hostname))
    return url.rstrip("/"), warning


def check_ca_path(path, option="ca_path"):
    """``path`` must be a readable file of PEM certificates (a CA bundle) or a readable directory
    of hashed certificates; ``ValidationError`` naming ``option`` otherwise. Checked before any request: ``requests`` would raise a bare
    ``OSError`` for a missing file and a TLS error that names nothing for the rest."""
    if "\x00" in path:
        raise ValidationError("%s: the path contains a NUL character" % option)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValidationError("%s: no such file '%s'; give the CA bundle, a file of PEM certificates" % (option, path))
    except (OSError, ValueError) as exc:
        raise ValidationError("%s: cannot read '%s': %s" % (option, path, getattr(exc, "strerror", None) or exc))
    if stat.S_ISDIR(info.st_mode):
        # a directory of hashed certificates (c_rehash / openssl rehash), as requests and OpenSSL
        # take it (CApath): its files are read by hash when a certificate is checked
        if not os.access(path, os.R_OK | os.X_OK):
            raise ValidationError("%s: cannot read the directory '%s'" % (option, path))
        return path
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError("%s: '%s' is not a regular file; give the CA bundle, a file of PEM certificates"
                              % (option, path))
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError:
        raise ValidationError("%s: '%s' holds no PEM certificate; give the CA bundle, a file of PEM certificates"
                              % (option, path))
    except (OSError, ValueError) as exc:
        raise ValidationError("%s: cannot read '%s': %s" % (option, path, getattr(exc, "strerror", None) or exc))
    return path


DAY = 86400
# the longest each time option may be: time.sleep and socket timeouts overflow (time_t) near 1e10
# seconds, float() of an int near 1e309; these bounds are far below that and far above any use
MAX_SECONDS = {"timeout": DAY, "poll_interval": DAY, "wait_timeout": 366 * DAY, "retry_budget": 366 * DAY}


def seconds_problem(value, option, positive):
    """What is wrong with a time option (seconds): not a finite number, below 0 (or, ``positive``,
    not above 0), or over ``MAX_SECONDS``; None when nothing is (or it is unset)."""
    if value is None or isinstance(value, bool):
        return None
    limit = MAX_SECONDS[option]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)) or value < 0 or \
            (positive and value == 0) or value > limit:
        return "%s must be a finite number of seconds %s and at most %d (%s), got %s" % (
            option, "above 0" if positive else "of 0 or more", limit,
            "a day" if limit == DAY else "a year", value)
    return None


def check_seconds(value, option, positive):
    problem = seconds_problem(value, option, positive)
    if problem:
        raise ValidationError(problem)


def build_client(params):
    """The shared client for a module's parameters (``client.warnings`` lists what to warn of)."""
    import requests  # imported here: the module base reports a missing library cleanly

    url = params.get("brightspace_url")
    if not url:
        raise ValidationError("brightspace_url is required: the Brightspace base URL (or set BRIGHTSPACE_URL)")
    url, warning = check_site_url(url, "brightspace_url")
    warnings = [warning] if warning else []
    if params.get("token_url"):
        token_url = check_http_url(params["token_url"], "token_url")
        if token_url.scheme == "http" and not _is_loopback(token_url.hostname):
            warnings.append("token_url is http:// to %s, which is not this machine: credentials travel in clear "
                            "text; use https://" % token_url.hostname)
    check_seconds(params.get("timeout"), "timeout", positive=True)
    check_seconds(params.get("retry_budget"), "retry_budget", positive=False)
    if params.get("ca_path") and params.get("validate_certs") is not False:
        check_ca_path(params["ca_path"])
    for product, version in (params.get("api_versions") or {}).items():
        if not str(version).replace(".", "").isdigit():
            raise ValidationError("api_versions.%s must look like '1.47', got '%s'" % (product, version))
    cache = check_token_cache(os.path.expanduser(params.get("token_cache") or DEFAULT_CACHE))
    session = requests.Session()
    auth = build_auth(params, session)
    validate = params.get("validate_certs")
    client = BrightspaceClient(
        url, auth, timeout=params.get("timeout") or 30,
        validate_certs=True if validate is None else validate, ca_path=params.get("ca_path"),
        api_versions=params.get("api_versions"),
        retry_budget=120 if params.get("retry_budget") is None else params["retry_budget"],  # 0: no retries
        session=session, discovery_cache=os.path.join(os.path.dirname(cache), "discovery.json"),
        id_cache=os.path.join(os.path.dirname(cache), "ids.json"), locks=cache)
    client.warnings = warnings
    return client


class BrightspaceModule(AnsibleModule):
    """AnsibleModule with the connection options, the shared client and the ensure path.

    Declared value rules, checked before any request (see ``value_problems``): ``ids`` are
    options holding ids (or codes/names for ``raw`` references), alone or in a list; ``non_empty``
    strings must not be blank; ``non_negative`` numbers must not be below zero; ``codes`` are codes
    (``str`` options) and org unit references by code (``raw`` options: their strings, ``id:N``
    aside) that must follow the code rules (``orgunits.validate_code``: no look-alike whitespace
    or invisible characters, the service's length and characters).
    """

    def __init__(self, argument_spec=None, wait=False, ids=(), non_empty=(), non_negative=(), codes=(), **kwargs):
        spec = connection_argument_spec()
        if wait:
            spec.update(wait_argument_spec())
            non_negative = tuple(non_negative) + ("wait_timeout", "poll_interval")
        spec.update(argument_spec or {})
        kwargs.pop("supports_check_mode", None)  # every module supports check mode
        self._given = {}
        super().__init__(argument_spec=spec, supports_check_mode=True, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self._client = None
        problems = value_problems(spec, self._given, self.params, ids, non_empty, non_negative, codes)
        for name in ("wait_timeout", "poll_interval") if wait else ():  # time.sleep(1e10) would overflow
            problem = seconds_problem(self.params.get(name), name, positive=False)
            if problem and not any(found.startswith(name + " ") for found in problems):  # said already
                problems.append(problem)
        if problems:
            self.fail_json(msg="; ".join(problems))

    def _load_params(self):
        super()._load_params()
        self._given = copy.deepcopy(self.params)  # as given: AnsibleModule turns a list into a str

    @property
    def client(self):
        if self._client is None:
            self._client = build_client(self.params)
            for warning in getattr(self._client, "warnings", []):
                self.warn(warning)
        return self._client

    def _hide_learnt_secrets(self):
        """Tokens and assertions learnt while running (a rotated refresh token, an access token,
        a client assertion) are not options, so Ansible's no_log cannot know them: add them to
        the values it masks in everything the module returns."""
        client = getattr(self, "_client", None)
        if client is not None:
            for secret in client.auth.secrets():
                if secret:
                    self.no_log_values.add(secret)

    def exit_json(self, **kwargs):
        self._hide_learnt_secrets()
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self._hide_learnt_secrets()
        client = getattr(self, "_client", None)
        if client is not None:
            msg = scrub(msg, client.auth.secrets())
        super().fail_json(msg=msg, **kwargs)

    def given(self, *names):
        """The options among ``names`` the user set (not None)."""
        return dict((name, self.params[name]) for name in names if self.params.get(name) is not None)

    def fail_from(self, exc, **result):
        """Report a client error as a failure; keep partial results (job id, history)."""
        if isinstance(getattr(exc, "result", None), dict):  # a job's token, status and history
            result.update(exc.result)
        if isinstance(exc, MissingLibraryError):
            self.fail_json(msg=missing_required_lib(exc.library, reason=exc.reason), exception=str(exc.error), **result)
        self.fail_json(msg=str(exc), **result)

    def run(self, action):
        """Call ``action()`` (returns the result dict) and exit; errors become clean failures."""
        try:
            result = action()
        except BrightspaceError as exc:
            self.fail_from(exc)
        except Exception as exc:  # a bug, not a user error: keep the traceback for -vvv
            self.fail_json(msg="unexpected error: %s: %s" % (type(exc).__name__, exc),
                           exception=traceback.format_exc())
        self.exit_json(**result)

    # -- the ensure path ------------------------------------------------------------------
    def ensure(self, resource_class):
        """present/absent for one resource declared by a ``Resource`` subclass."""
        self.run(lambda: Ensure(self, resource_class(self)).run())

    def run_job(self, job_class):
        """Start (or attach to) one asynchronous job declared by a ``Job`` subclass, and wait."""
        self.run(lambda: JobRun(self, job_class(self)).run())


class Resource:
    """A kind of thing the API manages, declared by a module and implemented in module_utils.

    Subclasses set ``label`` (for messages), ``result_key`` (the key of the returned state),
    ``compare`` (option names compared with the current state), ``immutable`` (options that
    cannot change after creation, with the reason) and implement ``desired``, ``find``,
    ``normalize``, ``create``, ``update``, ``delete``. ``desired`` returns only the options the
    user gave, normalised the way ``normalize`` presents the current state, so the two compare.
    """

    label = "resource"
    result_key = "resource"
    compare = ()
    immutable = {}
    required_to_create = ()
    key = None  # the option that holds the natural key (code, name, title, or an id)
    lock_scope = ()  # further options that make the natural key unique (an org unit's type, ...)

    def __init__(self, module):
        self.module = module
        self.client = module.client

    def desired(self):
        raise NotImplementedError

    def find(self):
        raise NotImplementedError

    def normalize(self, raw):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, raw, changes, desired):
        raise NotImplementedError

    def delete(self, raw):
        raise NotImplementedError

    def same(self, name, before, wanted):
        """Whether option ``name`` already has the ``wanted`` value in the ``before`` state."""
        return _same(before.get(name), wanted)

    def lock_key(self):
        """What processes ensuring this same resource take turns on (``caches.KeyLocks``), or
        None. Codes compare case-insensitively at the service, so the key is case-folded."""
        params = self.module.params
        key = getattr(self, "key", None)
        if not key or params.get(key) is None:
            return None
        parts = ["%s=%s" % (name, params.get(name)) for name in self.lock_scope] + ["%s=%s" % (key, params[key])]
        return " ".join(parts).casefold()

    def preview(self, desired):
        """The predicted state of a new resource in check mode."""
        after = dict((name, None) for name in self.compare)
        after.update(desired)
        after["id"] = None
        return after


def _same(current, wanted):
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(current, key=str) == sorted(wanted, key=str)
    return current == wanted


class Ensure:
    """One run of the ensure path (kept apart so each step reads as a sentence)."""

    CREATE_ATTEMPTS = 3

    def __init__(self, module, resource):
        self.module = module
        self.resource = resource
        self.check = module.check_mode

    def run(self):
        desired = self.resource.desired()
        if self.check:  # nothing is written: no need to take turns
            return self.converge(desired)
        locks = getattr(self.resource.client, "locks", None)
        if locks is None:
            return self.converge(desired)
        with locks.hold(type(self.resource).__name__, self.resource.lock_key()):
            return self.converge(desired)

    def converge(self, desired):
        state = self.module.params.get("state") or "present"
        raw = self.resource.find()
        before = self.resource.normalize(raw) if raw is not None else None
        if state == "absent":
            if before is None:
                return self.result(False, None, None)
            if not self.check:
                self.resource.delete(raw)
            return self.result(True, before, None)
        if before is None:
            # an entry is an option name, or (key in desired, option name) when they differ
            required = [item if isinstance(item, tuple) else (item, item) for item in self.resource.required_to_create]
            missing = [option for key, option in required if desired.get(key) is None]
            if missing:
                raise ValidationError("%s %s does not exist; to create it, give %s" % (
                    self.resource.label, self.identity(), ", ".join(missing)))
            if self.check:
                return self.result(True, None, self.resource.preview(desired))
            try:
                return self.result(True, None, self.resource.normalize(self.create(desired)))
            except BrightspaceHTTPError as exc:
                raw = self.created_meanwhile(exc)
            before = self.resource.normalize(raw)
        changes = dict((name, value) for name, value in desired.items()
                       if name in self.resource.compare and not self.resource.same(name, before, value))
        for name in changes:
            if name in self.resource.immutable:
                raise ValidationError("%s %s: %s cannot change from %r to %r: %s" % (
                    self.resource.label, self.identity(), name, before.get(name), changes[name],
                    self.resource.immutable[name]))
        if not changes:
            return self.result(False, before, before)
        after = dict(before)
        after.update(changes)
        if not self.check:
            updated = self.resource.update(raw, changes, desired)
            if updated is not None:
                after = self.resource.normalize(updated)
        return self.result(True, before, after)

    def create(self, desired):
        """Create; after an ambiguous failure (5xx, dropped connection) look before trying again."""
        for attempt in range(self.CREATE_ATTEMPTS):
            try:
                return self.resource.create(desired)
            except BrightspaceError as exc:
                if not getattr(exc, "ambiguous", False) or attempt + 1 == self.CREATE_ATTEMPTS:
                    raise
                found = self.resource.find()
                if found is not None:
                    return found
        raise BrightspaceError("unreachable")  # pragma: no cover

    def created_meanwhile(self, exc):
        """A create refused as a conflict (400 or 409): another run (another controller, or a
        process that took no lock) created the resource since it was looked up. Read it again;
        when it is there, it is treated as present (and updated to what was asked), not a
        failure. Otherwise the refusal was about something else and is raised."""
        if exc.status not in (400, 409):
            raise exc
        raw = self.resource.find()
        if raw is None:
            raise exc
        return raw

    def identity(self):
        key = getattr(self.resource, "key", None)
        value = self.module.params.get(key) if key else None
        return "'%s'" % value if value is not None else ""

    def result(self, changed, before, after):
        result = {"changed": changed, self.resource.result_key: after if after is not None else {},
                  "created": changed and before is None and after is not None}
        if self.module._diff:  # pylint: disable=protected-access
            result["diff"] = {"before": before or {}, "after": after or {}}
        return result


class Job:
    """A kind of asynchronous job a module starts, declared in module_utils like a ``Resource``.

    Subclasses set ``kind`` (a ``waiter.JOB_KINDS`` key) and ``label``, and implement
    ``prepare()`` (check the options, resolve references; returns the job's description, which
    is returned and shown in diff mode), ``start(spec)`` (returns the job token) and
    ``status(spec, token)`` (one status read).
    """

    kind = None
    label = "job"
    token_option = "job_token"  # the option that attaches to an existing job

    def __init__(self, module):
        self.module = module
        self.client = module.client

    def prepare(self):
        raise NotImplementedError

    def satisfied(self, spec):
        """A result dict when there is nothing to do (no job started), else None."""
        return None

    def finish(self, spec, token, waited):
        """Work after the job finished (e.g. fetch its output); returns extra result fields."""
        return {}

    def start(self, spec):
        raise NotImplementedError

    def status(self, spec, token):
        raise NotImplementedError


class JobRun:
    """Start or attach, then wait: the one path of every job module.

    - ``job_token`` given: attach to that job (started earlier, or elsewhere) and wait for it;
      nothing is started, so the task reports no change.
    - otherwise start a job (a change). Check mode starts nothing and reads nothing more.
    - ``wait`` (default) polls through ``waiter.wait_for_job``; a failed job or a timed-out wait
      fails the task with the job token, its last status and the history, so a later task can
      wait again with ``job_token``.
    A start that fails ambiguously (5xx, dropped connection) is never resent: the service may
    have queued the job, and there is no route to list jobs and find it again.
    """

    def __init__(self, module, job):
        self.module = module
        self.job = job
        self.check = module.check_mode

    def run(self):
        params = self.module.params
        spec = self.job.prepare()
        option = self.job.token_option
        token = params.get(option)
        if token is not None and not str(token).strip():
            raise ValidationError("%s must not be empty" % option)
        started = False
        if not token:
            done = self.job.satisfied(spec)
            if done is not None:
                result = self.result(False, spec, None, None)
                result.update(done)
                return result
            if self.check:
                return self.result(True, spec, None, None)
            token = self.start(spec)
            started = True
        wait = bool(params.get("wait", True)) and not self.check
        try:
            waited = wait_for_job(lambda: self.job.status(spec, token), self.job.kind, token, wait=wait,
                                  wait_timeout=params.get("wait_timeout") or 0,
                                  poll_interval=params.get("poll_interval") or 0, resume_option=option)
        except (JobFailedError, WaitTimeoutError) as exc:
            exc.result = self.result(started, spec, token, exc.result)
            raise
        result = self.result(started, spec, token, waited)
        if waited.get("finished") and not self.check:
            try:
                extra = self.job.finish(spec, token, waited)
            except BrightspaceError as exc:
                exc.result = result
                raise
            changed = extra.pop("changed", None)
            result.update(extra)
            if changed:
                result["changed"] = True
        return result

    def start(self, spec):
        try:
            return self.job.start(spec)
        except BrightspaceError as exc:
            if getattr(exc, "ambiguous", False):
                raise BrightspaceError(
                    "%s; the %s job may have been queued all the same: it was not started again. Check "
                    "the target before running the task again" % (exc, self.job.label))
            raise

    def result(self, started, spec, token, waited):
        waited = dict(waited or {})
        waited.pop("job_id", None)
        result = dict(spec)
        result.update({"changed": started or (token is None and self.check), self.job.token_option: token,
                       "status": waited.get("status"), "finished": waited.get("finished", False),
                       "duration": waited.get("duration", 0.0), "polls": waited.get("polls", 0),
                       "history": waited.get("history", [])})
        if "last_error" in waited:
            result["last_error"] = waited["last_error"]
        if self.module._diff:  # pylint: disable=protected-access
            job = dict(spec)
            job[self.job.token_option] = token
            result["diff"] = {"before": job if not result["changed"] else {}, "after": job}
        return result
