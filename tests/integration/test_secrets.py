# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secret hygiene: the demo at -vvvv with --diff leaks no credential, and the token cache is private.

The demo (playbooks/demo.yml, the whole story: org units, offerings, a copy and an import job,
a Learning Repository publish, an ePortfolio export and import) runs twice against its own
emulator, whose access tokens live 4 seconds so they expire and rotate during the play:

1. with OAuth 2.0 refresh-token credentials (client id, client secret, refresh token);
2. again with ID-key credentials (app id and key, user id and key);
3. again as a service user: the private key given as PEM text (multi-line, in the environment),
   the client assertions it signs sent to the token endpoint.

Every byte of ansible-playbook's output (stdout and stderr) and every task result as the
controller received it (tests/integration/callback_plugins/record_results.py) is searched for
the client secret, the seeded refresh token, the app key, the user key, every token the token
cache holds afterwards, the private key (whole and line by line), anything shaped like a token
the emulator issues (``at-``, ``rt-``, ``mt-`` plus 32 URL-safe characters) and anything shaped
like a signed JWT (a client assertion). The fault matrix (test_fault_matrix.py) runs the same
kind of sweep over its cases.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from conftest import ROOT, start_emulator

HERE = Path(__file__).resolve().parent
DEMO = ROOT / "playbooks" / "demo.yml"

# the emulator's seeded credentials (tests/emulator/brightspace_emulator/store.py)
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
REFRESH_TOKEN = "demo-refresh"
APP_ID, APP_KEY = "demo-app-id", "demo-app-key"
USER_ID, USER_KEY = "demo-user-id", "demo-user-key"
SEEDED_SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, APP_KEY, USER_KEY)
# what the emulator's token endpoint and control API issue (auth.py: "at-"/"rt-"/"mt-" + token_urlsafe(24))
TOKEN_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])(?:at|rt|mt)-[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])")
# a signed JWT (a client assertion): base64url header and claims that start with '{"'
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
PRIVATE_KEY = (ROOT / "tests" / "fixtures" / "service-user" / "private-key.pem").read_text()
KEY_LINES = tuple(line for line in PRIVATE_KEY.splitlines() if len(line) >= 40)

CREDENTIALS = {
    "refresh token": {"BRIGHTSPACE_REFRESH_TOKEN": REFRESH_TOKEN, "BRIGHTSPACE_CLIENT_ID": CLIENT_ID,
                      "BRIGHTSPACE_CLIENT_SECRET": CLIENT_SECRET},
    "ID-key": {"BRIGHTSPACE_APP_ID": APP_ID, "BRIGHTSPACE_APP_KEY": APP_KEY,
               "BRIGHTSPACE_USER_ID": USER_ID, "BRIGHTSPACE_USER_KEY": USER_KEY},
    "service user": {"BRIGHTSPACE_CLIENT_ID": "demo-service", "BRIGHTSPACE_PRIVATE_KEY": PRIVATE_KEY,
                     "BRIGHTSPACE_KEY_ID": "demo-service-key-1", "BRIGHTSPACE_SCOPE": "core:*:*"},
}


def leaks(text, known):
    """Every secret found in ``text``: a known value, or anything shaped like an issued token."""
    found = [secret for secret in known if secret and secret in text]
    found += TOKEN_SHAPE.findall(text)
    found += JWT_SHAPE.findall(text)
    return sorted(set(found))


def cached_tokens(cache):
    tokens = []
    if cache.exists():
        for entry in json.loads(cache.read_text()).values():
            tokens += [entry.get("access_token"), entry.get("refresh_token")]
    return [t for t in tokens if t]


def test_the_sweep_finds_what_it_looks_for():
    """The search itself: a token in a JSON result, a known secret in a sentence."""
    token = "at-" + "A1b2_C3d4-" * 3 + "xy"
    assert leaks(json.dumps({"result": {"headers": "Bearer " + token}}), ()) == [token]
    assert leaks("sent demo-user-key to the server", SEEDED_SECRETS) == [USER_KEY]
    assert leaks("a format-%s" % ("x" * 32), ()) == []  # "at-" inside a word is no token
    assertion = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJkZW1vIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert leaks("form client_assertion=%s&scope=x" % assertion, ()) == [assertion]
    assert leaks("key line " + KEY_LINES[3], KEY_LINES) == [KEY_LINES[3]]


@pytest.fixture
def rotating_emulator(tmp_path):
    state = tmp_path / "emulator-state.json"
    proc, emu = start_emulator(tmp_path, "--job-duration", "1", "--token-lifetime", "4", "--state-file", str(state))
    emu.state_file = state
    yield emu
    proc.terminate()
    proc.wait(timeout=10)


def test_demo_at_vvvv_with_diff_leaks_no_secret(rotating_emulator, playbook, tmp_path, monkeypatch):
    emu = rotating_emulator
    cache = tmp_path / "cache" / "tokens.json"
    workdir = tmp_path / "demo"
    outputs = []
    seen_tokens = set()
    for number, (scheme, credentials) in enumerate(CREDENTIALS.items(), start=1):
        results = tmp_path / ("results-%d.jsonl" % number)
        env = {"BRIGHTSPACE_URL": emu.url, "BRIGHTSPACE_TOKEN_URL": emu.url + "/core/connect/token",
               "BRIGHTSPACE_ACCESS_TOKEN": "",  # the playbook fixture's default: not used here
               "DEMO_WORKDIR": str(workdir),
               "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
               "ANSIBLE_CALLBACKS_ENABLED": "record_results", "RECORD_RESULTS_FILE": str(results)}
        env.update(credentials)
        for name in ("BRIGHTSPACE_REFRESH_TOKEN", "BRIGHTSPACE_CLIENT_ID", "BRIGHTSPACE_CLIENT_SECRET",
                     "BRIGHTSPACE_SCOPE", "BRIGHTSPACE_APP_ID", "BRIGHTSPACE_APP_KEY", "BRIGHTSPACE_USER_ID",
                     "BRIGHTSPACE_USER_KEY", "BRIGHTSPACE_PRIVATE_KEY", "BRIGHTSPACE_KEY_ID"):
            monkeypatch.delenv(name, raising=False)
        before = len(emu.requests())
        result = playbook(DEMO, extra_vars={"brightspace_url": emu.url},
                          env=env, args=["-vvvv", "--diff"])
        assert result.returncode == 0, "%s: %s" % (scheme, result.output[-5000:])
        granted = [r for r in emu.requests()[before:] if r["path"] == "/core/connect/token"]
        if scheme != "ID-key":  # 4 s tokens over a play of well over 4 s: fetched again at least once
            assert len(granted) >= 2 and all(r["status"] == 200 for r in granted), (scheme, granted)
        recorded = results.read_text()
        assert recorded.count("\n") >= 10, "%s: the callback recorded too few results" % scheme
        assert '"invocation"' in recorded  # the modules' arguments as returned are part of the search
        seen_tokens.update(cached_tokens(cache))
        outputs.append((scheme, result.output, recorded))

    # the sweep is not vacuous: OAuth tokens were issued, rotated, and kept in the cache
    grants = [r for r in emu.requests() if r["path"] == "/core/connect/token"]
    assert not [g for g in grants if g["status"] != 200], grants
    issued = [token for token in json.loads(emu.state_file.read_text())["tokens"] if token != "demo-token"]
    assert len(issued) >= 4 and all(TOKEN_SHAPE.fullmatch(t) for t in issued), issued
    seen_tokens.update(issued)
    assert len(seen_tokens) >= 2 and all(TOKEN_SHAPE.fullmatch(t) for t in seen_tokens), "no token was cached"
    idkey = [r for r in emu.requests() if "x_a" in (r.get("query") or {})]
    assert idkey, "the ID-key run signed no request"

    known = SEEDED_SECRETS + tuple(seen_tokens) + (PRIVATE_KEY,) + KEY_LINES
    for scheme, output, recorded in outputs:
        assert leaks(output, known) == [], "%s: secret in the output" % scheme
        assert leaks(recorded, known) == [], "%s: secret in the returned data" % scheme
        # the options that hold secrets are masked, not missing, in the returned invocation
        assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in recorded or "********" in recorded, scheme

    # the token cache: a 0600 file in a 0700 directory that only this user owns
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert cache.parent.stat().st_uid == os.getuid()
    for sibling in cache.parent.iterdir():
        if sibling.is_file():
            assert stat.S_IMODE(sibling.stat().st_mode) & 0o077 == 0, sibling


def test_a_shared_token_cache_directory_is_refused(emulator, playbook, tmp_path):
    """token_cache in a directory others can reach (like /tmp): a clear failure, no token written."""
    if not emulator.control:
        pytest.skip("uses the emulator's seeded OAuth client")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    play = tmp_path / "play.yml"
    play.write_text("""
- name: A token cache in a shared directory
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A service user with the cache in a world-writable directory
      d2l.brightspace.d2l_api_info:
        brightspace_url: "{{ brightspace_url }}"
        client_id: demo-service
        private_key: %s
        key_id: demo-service-key-1
        scope: "core:*:*"
        token_url: "{{ brightspace_url }}/core/connect/token"
        token_cache: %s
      register: info
      ignore_errors: true

    - name: It failed and said why
      ansible.builtin.assert:
        that:
          - info is failed
          - info.msg is search('token_cache. the directory .* is open to other users .mode 1777.')
""" % (ROOT / "tests" / "fixtures" / "service-user" / "private-key.pem", shared / "tokens.json"))
    mark = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    result = playbook(play, env={"BRIGHTSPACE_ACCESS_TOKEN": ""}, args=["-vvvv"])
    assert result.returncode == 0, result.output
    assert "failed=0" in result.output and "ignored=1" in result.output, result.output
    assert list(shared.iterdir()) == []
    assert all(line not in result.output for line in KEY_LINES)
    # refused before the token endpoint was asked for anything
    assert [r for r in emulator.requests(mark) if r["path"] == "/core/connect/token"] == []
