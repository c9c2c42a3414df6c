# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection: its options' checks, the choice of credentials and the client factory.

``build_client(params)`` turns the connection options (doc fragment
``d2l.brightspace.connection``) into a ``BrightspaceClient`` with the right ``auth``: every check
of a connection option that can be made locally happens here, before any request, naming the
option. Modules (through ``module.py``, the Ansible adapter) and the inventory plugin both build
their client here. Nothing in this file imports Ansible.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import ssl
import stat
import unicodedata

from urllib.parse import urlsplit

from .auth import BearerAuth, DEFAULT_TOKEN_URL, RefreshTokenAuth, ServiceUserAuth
from .caches import check_token_cache
from .client import BrightspaceClient
from .idkey import IdKeyAuth
from .errors import ValidationError
from .orgunits import shown_code

DEFAULT_CACHE = "~/.cache/d2l.brightspace/tokens.json"

# The connection options: name -> (type, environment variable, secret). module.py turns this into
# the argument spec (with env fallbacks); the inventory plugin reads the same names.
CONNECTION_OPTIONS = {
    "brightspace_url": ("str", "BRIGHTSPACE_URL", False),
    "access_token": ("str", "BRIGHTSPACE_ACCESS_TOKEN", True),
    "refresh_token": ("str", "BRIGHTSPACE_REFRESH_TOKEN", True),
    "client_id": ("str", "BRIGHTSPACE_CLIENT_ID", False),
    "client_secret": ("str", "BRIGHTSPACE_CLIENT_SECRET", True),
    "private_key": ("str", "BRIGHTSPACE_PRIVATE_KEY", True),
    "key_id": ("str", "BRIGHTSPACE_KEY_ID", False),
    "token_url": ("str", "BRIGHTSPACE_TOKEN_URL", False),
    "scope": ("str", "BRIGHTSPACE_SCOPE", False),
    "token_cache": ("path", "BRIGHTSPACE_TOKEN_CACHE", False),
    "app_id": ("str", "BRIGHTSPACE_APP_ID", False),
    "app_key": ("str", "BRIGHTSPACE_APP_KEY", True),
    "user_id": ("str", "BRIGHTSPACE_USER_ID", False),
    "user_key": ("str", "BRIGHTSPACE_USER_KEY", True),
    "validate_certs": ("bool", "BRIGHTSPACE_VALIDATE_CERTS", False),
    "ca_path": ("path", "BRIGHTSPACE_CA_PATH", False),
    "timeout": ("float", "BRIGHTSPACE_TIMEOUT", False),
    "retry_budget": ("float", "BRIGHTSPACE_RETRY_BUDGET", False),
    "api_versions": ("dict", None, False),
}


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
