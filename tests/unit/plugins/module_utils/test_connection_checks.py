# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options a user can get wrong in ways no request would explain: each is refused
by ``build_client`` before any request, naming the option (never the module base's catch-all
"unexpected error": requests raises a bare OSError for a missing CA bundle, urlsplit a ValueError
for ``http://[::1``, urllib3 a LocationParseError for an empty host label, requests a ValueError
for a negative timeout, os a ValueError for a NUL in a path)."""

from __future__ import annotations

import os
import ssl
from unittest import mock

import certifi
import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.caches import check_token_cache
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import TokenLocationError
from ansible_collections.d2l.brightspace.plugins.module_utils.coursejobs import validate_callback_url
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceError
from ansible_collections.d2l.brightspace.plugins.module_utils.connection import build_client, check_ca_path, host_problem
from ansible_collections.d2l.brightspace.plugins.module_utils.module import connection_argument_spec
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError

KEY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures", "service-user",
                        "private-key.pem")
AUTHS = {
    "bearer": dict(access_token="tok"),
    "refresh": dict(refresh_token="rt", client_id="cid", client_secret="sec"),
    "service": dict(client_id="svc", private_key=KEY_FILE, key_id="k1", scope="core:*:*"),
    "idkey": dict(app_id="a", app_key="ak", user_id="u", user_key="uk"),
}


def params(**given):
    values = dict((name, None) for name in connection_argument_spec())
    values.update(brightspace_url="https://school.example.com")
    values.update(given)
    return values


def refused(**given):
    with pytest.raises(BrightspaceError) as info:
        build_client(params(**given))
    return str(info.value)


# -- ca_path ---------------------------------------------------------------------------------

def test_a_ca_bundle_is_taken(tmp_path):
    client = build_client(params(access_token="tok", ca_path=certifi.where(), token_cache=str(tmp_path / "t.json")))
    assert client.verify == certifi.where()


@pytest.fixture
def places(tmp_path):
    regular = tmp_path / "regular.txt"
    regular.write_text("not a certificate\n")
    os.mkfifo(str(tmp_path / "fifo"))
    return {"missing": str(tmp_path / "no-such.pem"), "directory": str(tmp_path), "regular": str(regular),
            "empty": str(tmp_path / "empty.pem"), "fifo": str(tmp_path / "fifo"), "key": KEY_FILE,
            "below a file": str(regular / "ca.pem"), "nul": str(tmp_path / "a\x00b.pem")}


@pytest.mark.parametrize("place, message", [
    ("missing", "ca_path: no such file '{path}'; give the CA bundle, a file of PEM certificates"),
    ("regular", "ca_path: '{path}' holds no PEM certificate; give the CA bundle, a file of PEM certificates"),
    ("empty", "ca_path: '{path}' holds no PEM certificate; give the CA bundle, a file of PEM certificates"),
    ("key", "ca_path: '{path}' holds no PEM certificate; give the CA bundle, a file of PEM certificates"),
    ("fifo", "ca_path: '{path}' is not a regular file; give the CA bundle, a file of PEM certificates"),
    ("below a file", "ca_path: cannot read '{path}': Not a directory"),
    ("nul", "ca_path: the path contains a NUL character"),
])
@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_a_ca_path_that_is_no_ca_bundle_is_refused(tmp_path, places, place, message, auth):
    if place == "empty":
        open(places["empty"], "w").close()
    given = dict(AUTHS[auth], ca_path=places[place], token_cache=str(tmp_path / "c" / "t.json"))
    assert refused(**given) == message.format(path=places[place])


def test_a_directory_of_hashed_certificates_is_taken(tmp_path):
    """requests and OpenSSL take a CApath directory; the client verifies against it."""
    client = build_client(params(access_token="tok", ca_path=str(tmp_path), token_cache=str(tmp_path / "c" / "t.json")))
    assert client.verify == str(tmp_path)


def test_an_unreadable_ca_bundle_is_refused(tmp_path):
    """chmod 000 does not stop root (the tests may run as root): the read itself fails here."""
    with mock.patch.object(ssl, "create_default_context", side_effect=PermissionError(13, "Permission denied")):
        with pytest.raises(ValidationError) as info:
            check_ca_path(certifi.where())
    assert str(info.value) == "ca_path: cannot read '%s': Permission denied" % certifi.where()


def test_ca_path_is_not_read_when_certificates_are_not_validated(tmp_path):
    client = build_client(params(access_token="tok", validate_certs=False, ca_path=str(tmp_path / "none.pem"),
                                 token_cache=str(tmp_path / "t.json")))
    assert client.verify is False


# -- token_cache -------------------------------------------------------------------------------

@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_a_token_cache_that_is_a_directory_is_refused(tmp_path, auth):
    assert refused(token_cache=str(tmp_path), **AUTHS[auth]) == (
        "token_cache: %s is a directory; give the path of a file, such as %s" % (tmp_path, tmp_path / "tokens.json"))


@pytest.mark.parametrize("below", ["tokens.json", "deeper/tokens.json", "a/b/c/tokens.json"])
@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_a_token_cache_below_a_regular_file_is_refused(tmp_path, below, auth):
    regular = tmp_path / "regular"
    regular.write_text("x")
    path = os.path.join(str(regular), below)
    assert refused(token_cache=path, **AUTHS[auth]) == (
        "token_cache: %s is a file, not a directory, so %s cannot be kept in it" % (regular, path))


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_a_token_cache_with_a_nul_is_refused(tmp_path, auth):
    assert refused(token_cache=str(tmp_path / "a\x00b" / "t.json"), **AUTHS[auth]) == (
        "token_cache: the path contains a NUL character")


def test_a_token_cache_path_too_long_is_refused(tmp_path):
    path = str(tmp_path / ("a" * 300) / "tokens.json")
    with pytest.raises(TokenLocationError) as info:
        check_token_cache(path)
    assert str(info.value) == "token_cache: the path is too long for this system: %s" % path


@pytest.mark.parametrize("relative", ["tokens.json", "new/dir/tokens.json", "existing/tokens.json"])
def test_a_token_cache_that_can_be_made_is_taken_as_it_is(tmp_path, relative):
    (tmp_path / "existing").mkdir()
    path = str(tmp_path / relative)
    assert check_token_cache(path) == path
    assert not os.path.exists(os.path.join(str(tmp_path), "new"))  # checking makes nothing


# -- URLs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, message", [
    ("http://[::1", "brightspace_url is not a valid URL (Invalid IPv6 URL): 'http://[::1'"),
    ("https://[fe80::1/", "brightspace_url is not a valid URL (Invalid IPv6 URL): 'https://[fe80::1/'"),
    ("https://a..b", "brightspace_url: the host name 'a..b' has an empty label (a dot at the start, or two dots in "
                     "a row)"),
    ("https://.school.example.com", "brightspace_url: the host name '.school.example.com' has an empty label (a dot "
                                    "at the start, or two dots in a row)"),
    ("https://%s.com" % ("a" * 64), "brightspace_url: the host name '%s.com' has a label longer than 63 characters: "
                                    "'%s'" % ("a" * 64, "a" * 64)),
    ("https://exa mple.com", "brightspace_url: the host name 'exa mple.com' contains the character U+0020 "
                             "(whitespace, a control or an invisible character)"),
    ("https://school\u200b.example.com", "brightspace_url: the host name 'school\\u200b.example.com' contains the "
                                         "character U+200B (whitespace, a control or an invisible character)"),
    ("https://school.exa!mple.com", "brightspace_url: the host name 'school.exa!mple.com' has a label with a "
                                    "character no host name holds: 'exa!mple'"),
    ("https://\u2603.example.com", "brightspace_url: the host name '\u2603.example.com' has a label that is no "
                                   "valid internationalised domain name: '\u2603'"),
    ("https://" + ".".join(["a" * 60] * 5), "brightspace_url: the host name '%s' is longer than 253 characters"
     % ".".join(["a" * 60] * 5)),
])
def test_a_brightspace_url_no_request_could_be_sent_to_is_refused(url, message):
    assert refused(access_token="tok", brightspace_url=url) == message


@pytest.mark.parametrize("url", ["http://[x", "https://a..b/token", "https://exa mple/token"])
def test_a_token_url_no_request_could_be_sent_to_is_refused(url):
    assert refused(brightspace_url="https://school.example.com", token_url=url, **AUTHS["refresh"]).startswith(
        "token_url")


@pytest.mark.parametrize("url", ["http://[x", "https://a..b/hook", "https://hooks.example.com:99999/x"])
def test_a_callback_url_no_request_could_be_sent_to_is_refused(url):
    with pytest.raises(ValidationError, match="^callback_url"):
        validate_callback_url(url)


@pytest.mark.parametrize("host", ["school.brightspace.com", "school.brightspace.com.", "localhost", "127.0.0.1",
                                  "::1", "fe80::1%eth0", "b\u00fccher.example", "xn--bcher-kva.example",
                                  "emulator.localhost", "under_score.example.com", "a" * 63 + ".com", "x1-2.y"])
def test_valid_hosts(host):
    assert host_problem(host) is None


@pytest.mark.parametrize("url", ["https://school.brightspace.com", "http://[::1]:8080", "https://b\u00fccher.example/",
                                 "http://127.0.0.1:9"])
def test_valid_site_urls_are_taken(tmp_path, url):
    client = build_client(params(access_token="tok", brightspace_url=url, token_cache=str(tmp_path / "t.json")))
    assert client.base_url == url.rstrip("/")


# -- seconds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), -1.0, 0.0, 86400.001, 3123187927333.0])
def test_a_timeout_that_is_no_positive_finite_number_up_to_a_day_is_refused(value):
    assert refused(access_token="tok", timeout=value) == (
        "timeout must be a finite number of seconds above 0 and at most 86400 (a day), got %s" % value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.5, 366 * 86400 + 1.0, 1e300])
def test_a_retry_budget_that_is_no_finite_number_of_0_or_more_up_to_a_year_is_refused(value):
    assert refused(access_token="tok", retry_budget=value) == (
        "retry_budget must be a finite number of seconds of 0 or more and at most 31622400 (a year), got %s" % value)


@pytest.mark.parametrize("timeout, budget", [(0.5, 0.0), (86400.0, 31622400.0), (30.0, 120.0)])
def test_finite_seconds_are_taken(tmp_path, timeout, budget):
    client = build_client(params(access_token="tok", timeout=timeout, retry_budget=budget,
                                 token_cache=str(tmp_path / "t")))
    assert client.timeout == timeout and client.retry.budget == budget
