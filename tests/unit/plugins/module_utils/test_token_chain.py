# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The refresh-token chain survives everything: any number of rotations, a cache that cannot be
written before or after a refresh, and cache files that are not ours to read or replace."""

from __future__ import annotations

import json
import os
import stat

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils import caches
from ansible_collections.d2l.brightspace.plugins.module_utils.auth import RefreshTokenAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import TokenLocationError
from ansible_collections.d2l.brightspace.plugins.module_utils.tokens import TokenCache
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceAuthError

from d2l_unit_helpers import FakeTime

TOKEN_URL = "https://auth.example.com/core/connect/token"
NOW = 1767999000.0


@pytest.fixture
def wall():
    return FakeTime(NOW)


@pytest.fixture
def cache_path(tmp_path):
    path = tmp_path / "cache" / "tokens.json"
    return str(path)


@pytest.fixture
def auth(wall, cache_path):
    def make(refresh_token="demo-refresh", cache=cache_path):
        return RefreshTokenAuth(requests.Session(), TOKEN_URL, "demo-client", "demo-secret", refresh_token,
                                cache_path=cache, clock=wall.clock)
    return make


def grant(http, refresh, access, rotated):
    http.expect("POST", TOKEN_URL, auth=None,
                form={"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "demo-client",
                      "client_secret": "demo-secret"},
                answer={"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                        "refresh_token": rotated})


def entries(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# -- any number of rotations -----------------------------------------------------------------

def test_the_configured_token_maps_to_the_newest_after_hundreds_of_rotations(http, auth, wall):
    """The cache kept only 50 links: after 50 rotations the configured token mapped to nothing and
    was sent again (spent: invalid_grant forever). Every link is kept now."""
    previous = "demo-refresh"
    for n in range(1, 121):
        grant(http, previous, "at-%d" % n, "rt-%d" % n)
        assert auth("demo-refresh").token() == "at-%d" % n
        previous = "rt-%d" % n
        wall.advance(3600)  # the access token expires: the next task refreshes
    # a token copied from the cache at any point of the chain maps to the newest, too
    grant(http, "rt-120", "at-121", "rt-121")
    assert auth("rt-7").token() == "at-121"


def test_a_chain_link_costs_a_short_fingerprint(http, auth, wall, cache_path):
    previous = "demo-refresh"
    for n in range(1, 11):
        grant(http, previous, "at-%d" % n, "rt-%d" % n)
        auth().token()
        previous = "rt-%d" % n
        wall.advance(3600)
    (entry,) = entries(cache_path).values()
    assert len(entry["chain"]) == 11 and all(len(link) == 32 for link in entry["chain"])
    assert os.path.getsize(cache_path) < 11 * 40 + 400


def test_old_full_length_fingerprints_still_map(http, auth, cache_path, wall):
    from ansible_collections.d2l.brightspace.plugins.module_utils.tokens import fingerprint
    os.makedirs(os.path.dirname(cache_path), mode=0o700)
    client = fingerprint("%s\n%s" % (TOKEN_URL, "demo-client"))
    old = {"slot": {"client": client, "access_token": "at-old", "expires_at": NOW - 1, "lifetime": 3600,
                    "refresh_token": "rt-old", "chain": [fingerprint("demo-refresh"), fingerprint("rt-old")]}}
    TokenCache(cache_path).write(old)
    grant(http, "rt-old", "at-new", "rt-new")
    assert auth().token() == "at-new"
    assert entries(cache_path)["slot"]["refresh_token"] == "rt-new"


# -- the cache must be writable before the old token is spent ----------------------------------

def test_a_cache_that_cannot_be_written_fails_before_the_refresh_is_sent(http, auth, cache_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(caches.tempfile, "mkstemp", refuse)
    with pytest.raises(TokenLocationError) as info:
        auth().token()
    message = str(info.value)
    assert message.startswith("token_cache: cannot write the token cache %s (Permission denied)" % cache_path)
    assert "nothing was sent to the token endpoint, so the refresh token is still valid" in message
    assert len(http.calls) == 0


def test_a_full_disk_fails_before_the_refresh_is_sent(http, auth, monkeypatch):
    def full(fd, offset, length):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(caches.os, "posix_fallocate", full, raising=False)
    with pytest.raises(TokenLocationError, match="No space left on device"):
        auth().token()
    assert len(http.calls) == 0
    assert not [name for name in os.listdir(os.path.dirname(auth().cache.path)) if name.endswith(".new")]


def test_the_new_tokens_are_fsynced_before_the_rename(http, auth, cache_path, monkeypatch):
    order = []
    real_fsync, real_replace = caches.os.fsync, caches.os.replace
    monkeypatch.setattr(caches.os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(caches.os, "replace", lambda a, b: (order.append("replace"), real_replace(a, b))[1])
    grant(http, "demo-refresh", "at-1", "rt-2")
    auth().token()
    assert order[:2] == ["fsync", "replace"]
    assert entries(cache_path)
    assert stat.S_IMODE(os.stat(cache_path).st_mode) == 0o600


def test_a_rename_that_fails_after_the_refresh_keeps_the_new_tokens_on_disk(http, auth, cache_path, monkeypatch):
    grant(http, "demo-refresh", "at-1", "rt-2")
    auth().token()
    before = entries(cache_path)

    def broken(a, b):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(caches.os, "replace", broken)
    grant(http, "rt-2", "at-2", "rt-3")
    a = auth()
    a.clock = lambda: NOW + 7200
    with pytest.raises(BrightspaceAuthError) as info:
        a.token()
    message = str(info.value)
    assert "the token endpoint rotated the refresh token, but the cache %s could not be replaced" % cache_path in message
    kept = message.split("The new tokens are in ", 1)[1].split(":", 1)[0]
    assert os.path.exists(kept) and stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert any(entry.get("refresh_token") == "rt-3" for entry in json.load(open(kept, encoding="utf-8")).values())
    assert entries(cache_path) == before  # the old cache is untouched
    assert "rt-3" not in message


# -- cache files that are not ours are never read or replaced -------------------------------------

def _private_dir(cache_path):
    os.makedirs(os.path.dirname(cache_path), mode=0o700, exist_ok=True)


def test_a_cache_that_is_a_directory_is_refused(http, auth, cache_path):
    _private_dir(cache_path)
    os.mkdir(cache_path)
    with pytest.raises(TokenLocationError, match="^token_cache: .*tokens.json is a directory"):
        auth().token()
    assert os.path.isdir(cache_path) and len(http.calls) == 0


def test_a_cache_open_to_others_is_refused_and_left_alone(http, auth, cache_path):
    _private_dir(cache_path)
    with open(cache_path, "w", encoding="utf-8") as handle:
        json.dump({"other-chain": {"refresh_token": "keep-me"}}, handle)
    os.chmod(cache_path, 0o644)
    with pytest.raises(TokenLocationError) as info:
        auth().token()
    assert "is open to other users (mode 0644)" in str(info.value)
    assert "left as it is" in str(info.value)
    assert entries(cache_path) == {"other-chain": {"refresh_token": "keep-me"}}
    assert len(http.calls) == 0


def test_a_cache_that_is_not_json_is_refused_and_left_alone(http, auth, cache_path):
    _private_dir(cache_path)
    with open(cache_path, "w", encoding="utf-8") as handle:
        handle.write("{half a file")
    os.chmod(cache_path, 0o600)
    with pytest.raises(TokenLocationError, match="is not a token cache"):
        auth().token()
    with open(cache_path, encoding="utf-8") as handle:
        assert handle.read() == "{half a file"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_a_cache_of_another_user_is_refused(http, auth, cache_path):
    _private_dir(cache_path)
    TokenCache(cache_path).write({})
    os.chown(cache_path, 65534, 65534)
    with pytest.raises(TokenLocationError, match="belongs to another user"):
        auth().token()


def test_a_symlink_out_of_a_private_directory_is_refused(http, auth, cache_path, tmp_path):
    _private_dir(cache_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    target = shared / "tokens.json"
    target.write_text("{}")
    os.chmod(target, 0o600)
    os.symlink(str(target), cache_path)
    with pytest.raises(TokenLocationError, match="is a symbolic link to .*outside a private directory"):
        auth().token()
    assert os.path.islink(cache_path) and target.read_text() == "{}"


def test_a_symlink_into_a_private_directory_is_followed(http, auth, cache_path, tmp_path):
    _private_dir(cache_path)
    private = tmp_path / "vault"
    private.mkdir(mode=0o700)
    target = private / "tokens.json"
    os.symlink(str(target), cache_path)
    grant(http, "demo-refresh", "at-1", "rt-2")
    assert auth().token() == "at-1"
    assert os.path.islink(cache_path)  # the link stays; its target holds the tokens
    assert "rt-2" in target.read_text()
