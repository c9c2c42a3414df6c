# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authentication and credentials as a real Brightspace does them, over real HTTP to the emulator.

* service users: the client credentials grant with a private-key JWT, one token shared by every
  task and fork, in the usual rhythm (check mode, apply, apply again, diff, remove, remove
  again); refused assertions (tampered, signed by another key, unknown kid, expired, replayed,
  another audience) fail cleanly;
* scopes as D2L publishes them: a granular token is enough where the table says so, and
  ``core:*:*`` is needed (and named) everywhere else;
* the refresh-token chain: 200 rotations across processes still map the configured token to
  the newest; a cache that cannot be written before, or after, a refresh;
* credentials never leave the tenant: a token endpoint that redirects, an upload Location on
  another origin, a link artifact's ``url``, a base URL that is not a site root, a service that
  echoes a token back.
"""

from __future__ import annotations

import http.server
import json
import multiprocessing
import os
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, start_emulator

FIXTURE = ROOT / "tests" / "fixtures" / "service-user"
PRIVATE_KEY = FIXTURE / "private-key.pem"
JWKS = json.loads((FIXTURE / "jwks.json").read_text())
SERVICE = {"BRIGHTSPACE_CLIENT_ID": "demo-service", "BRIGHTSPACE_PRIVATE_KEY": str(PRIVATE_KEY),
           "BRIGHTSPACE_KEY_ID": "demo-service-key-1", "BRIGHTSPACE_SCOPE": "core:*:*",
           "BRIGHTSPACE_ACCESS_TOKEN": ""}


@pytest.fixture
def own_emulator(tmp_path):
    """An emulator of this test's own (its clock, faults and state are the test's), with a state
    file so the tokens it issued can be read back."""
    state = tmp_path / "emulator-state.json"
    proc, emu = start_emulator(tmp_path, "--job-duration", "0.5", "--state-file", str(state))
    emu.state_file = state
    emu.token_url = emu.url + "/core/connect/token"
    yield emu
    proc.terminate()
    proc.wait(timeout=10)


def grants(emu, status=None):
    return [r for r in emu.requests() if r["path"] == "/core/connect/token"
            and (status is None or r["status"] == status)]


def issued_tokens(emu):
    return sorted(json.loads(emu.state_file.read_text())["tokens"])


def write_play(tmp_path, text, name="play.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def assert_clean_failure(result, *secrets):
    assert result.returncode != 0, result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output, result.output
    for secret in secrets:
        assert secret not in result.output


# -- service users ---------------------------------------------------------------------------

RHYTHM = """
- name: A service user ensures one org unit per host, in the rhythm
  hosts: all
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
    - name: Check mode
      d2l.brightspace.d2l_org_unit: &unit
        type: Department
        code: "IT-SU-{{ inventory_hostname }}"
        name: "Service user {{ inventory_hostname }}"
      check_mode: true
      register: check
    - name: Apply
      d2l.brightspace.d2l_org_unit: *unit
      register: apply
    - name: Apply again
      d2l.brightspace.d2l_org_unit: *unit
      register: again
    - name: Diff (a new name)
      d2l.brightspace.d2l_org_unit:
        type: Department
        code: "IT-SU-{{ inventory_hostname }}"
        name: "Renamed {{ inventory_hostname }}"
      diff: true
      register: renamed
    - name: Remove
      d2l.brightspace.d2l_org_unit: &gone
        type: Department
        code: "IT-SU-{{ inventory_hostname }}"
        state: absent
      register: removed
    - name: Remove again
      d2l.brightspace.d2l_org_unit: *gone
      register: removed_again
    - name: The rhythm held
      ansible.builtin.assert:
        that:
          - check is changed and check.created
          - apply is changed and apply.created
          - again is not changed
          - renamed is changed and renamed.diff.before.name != renamed.diff.after.name
          - removed is changed
          - removed_again is not changed
"""


def test_service_user_rhythm_across_forks_shares_one_token(own_emulator, playbook, tmp_path):
    emu = own_emulator
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("".join("h%d ansible_connection=local\n" % i for i in range(4)))
    result = playbook(write_play(tmp_path, RHYTHM), extra_vars={"brightspace_url": emu.url},
                      env=dict(SERVICE, BRIGHTSPACE_URL=emu.url, BRIGHTSPACE_TOKEN_URL=emu.token_url),
                      args=["-i", str(inventory), "--forks", "4"])
    assert result.returncode == 0, result.output
    # 5 hosts x 6 module tasks, 4 processes at a time: the first process fetched the token under
    # the lock, every other task and fork used it from the cache
    assert len(grants(emu)) == 1 and grants(emu, 200), grants(emu)
    writes = [r for r in emu.requests() if r["method"] in ("POST", "PUT", "DELETE") and r["path"].startswith("/d2l/")]
    # per host (h0-h3 and the fixture's localhost): create, rename and recycle (removal is to the
    # recycle bin); the check mode run and the repeats wrote nothing
    assert len(writes) == 5 * 3, json.dumps([(r["method"], r["path"], r["status"]) for r in writes])
    assert sorted(set(r["method"] for r in writes)) == ["POST", "PUT"]
    assert len([r for r in writes if r["path"].endswith("/recycle")]) == 5
    assert str(PRIVATE_KEY.read_text().splitlines()[1]) not in result.output


def test_a_service_user_key_given_as_pem_text(own_emulator, playbook, tmp_path):
    emu = own_emulator
    play = write_play(tmp_path, """
- name: whoami as the service user
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Who am I
      d2l.brightspace.d2l_api_info:
      register: me
    - name: The service client's user
      ansible.builtin.assert:
        that: me.whoami.id == '3'
""")
    key = PRIVATE_KEY.read_text()
    result = playbook(play, env=dict(SERVICE, BRIGHTSPACE_URL=emu.url, BRIGHTSPACE_TOKEN_URL=emu.token_url,
                                     BRIGHTSPACE_PRIVATE_KEY=key), args=["-vvv"])
    assert result.returncode == 0, result.output
    assert all(line not in result.output for line in key.splitlines() if len(line) > 40)


def _other_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode()


WHOAMI_PLAY = """
- name: whoami
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Who am I
      d2l.brightspace.d2l_api_info:
"""


@pytest.mark.parametrize("case", ["signed by another key", "unknown kid", "unknown client", "server clock ahead"])
def test_refused_assertions_fail_cleanly(own_emulator, playbook, tmp_path, case):
    emu = own_emulator
    env = dict(SERVICE, BRIGHTSPACE_URL=emu.url, BRIGHTSPACE_TOKEN_URL=emu.token_url)
    if case == "signed by another key":
        _key, pem = _other_key()
        other = tmp_path / "other.pem"
        other.write_text(pem)
        env["BRIGHTSPACE_PRIVATE_KEY"] = str(other)
    elif case == "unknown kid":
        env["BRIGHTSPACE_KEY_ID"] = "no-such-kid"
    elif case == "unknown client":
        env["BRIGHTSPACE_CLIENT_ID"] = "no-such-app"
    else:  # the controller's clock is an hour and a half behind: the assertion expired for the server
        emu.call("POST", "/_emulator/config", {"clock_offset": 5400})
    result = playbook(write_play(tmp_path, WHOAMI_PLAY), env=env)
    assert_clean_failure(result, PRIVATE_KEY.read_text().splitlines()[1])
    assert "POST /core/connect/token failed: 401 Unauthorized: OAuth client_credentials grant refused:" in result.output
    assert "invalid_client" in result.output or "assertion" in result.output.lower()
    assert [r["status"] for r in grants(emu)] == [401]
    assert not [r for r in emu.requests() if r["path"].startswith("/d2l/api/lp/")]  # no API call without a token


def _assertion(key, kid="demo-service-key-1", **claims):
    import jwt
    now = int(time.time())
    body = {"iss": "demo-service", "sub": "demo-service", "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def _post_grant(token_url, assertion, scope="core:*:*"):
    import requests
    return requests.post(token_url, data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion, "scope": scope}, timeout=10, allow_redirects=False)


def test_tampered_expired_replayed_and_wrong_audience_assertions_are_refused(own_emulator):
    """What the collection never sends, the emulator refuses as a tenant does (RFC 7523), with an
    RFC 6749 error body; the collection's own assertion is accepted once, never twice."""
    import base64

    from ansible_collections.d2l.brightspace.plugins.module_utils.auth import load_private_key

    emu = own_emulator
    key = load_private_key(str(PRIVATE_KEY))
    good = _assertion(key, aud=emu.token_url)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = claims["iss"] = "demo-service"
    claims["scope_hint"] = "tampered"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    cases = {
        "tampered": ".".join([header, forged, signature]),
        "expired": _assertion(key, aud=emu.token_url, iat=int(time.time()) - 900, exp=int(time.time()) - 600),
        "hours away": _assertion(key, aud=emu.token_url, exp=int(time.time()) + 5 * 3600),
        "wrong audience": _assertion(key, aud="https://auth.brightspace.com/core/connect/token"),
    }
    for name, assertion in cases.items():
        answer = _post_grant(emu.token_url, assertion)
        assert answer.status_code in (400, 401), (name, answer.status_code, answer.text)
        body = answer.json()
        assert body["error"] in ("invalid_client", "invalid_grant"), (name, body)
        assert body.get("error_description") and assertion not in answer.text, name
    first = _post_grant(emu.token_url, good)
    assert first.status_code == 200, first.text
    replay = _post_grant(emu.token_url, good)
    assert replay.status_code in (400, 401) and replay.json()["error"] in ("invalid_client", "invalid_grant"), replay.text


# -- scopes -----------------------------------------------------------------------------------

def test_a_granular_token_reaches_only_its_routes(own_emulator, playbook, tmp_path):
    emu = own_emulator
    emu.call("POST", "/_emulator/service-clients", {
        "client_id": "granular-app", "jwks": JWKS, "user": "3",
        "scope": "users:profile:read users:own_profile:read organizations:organization:read"})
    env = dict(SERVICE, BRIGHTSPACE_URL=emu.url, BRIGHTSPACE_TOKEN_URL=emu.token_url, BRIGHTSPACE_CLIENT_ID="granular-app",
               BRIGHTSPACE_SCOPE="users:profile:read users:own_profile:read")
    play = write_play(tmp_path, """
- name: Granular scopes
  hosts: localhost
  gather_facts: false
  tasks:
    - name: whoami needs users:profile:read and users:own_profile:read, which the token has
      d2l.brightspace.d2l_api_info:
      register: me
    - name: org unit types need core:*:*, which it has not
      d2l.brightspace.d2l_org_unit:
        type: Department
        code: IT-GRANULAR
        name: Granular
      register: unit
      ignore_errors: true
    - name: The first worked, the second was refused naming the scope
      ansible.builtin.assert:
        that:
          - me.whoami.id == '3'
          - unit is failed
          - "'403' in unit.msg and 'core:*:*' in unit.msg"
""")
    result = playbook(play, env=env)
    assert result.returncode == 0, result.output
    assert not [r for r in emu.requests() if r["method"] == "POST" and r["path"].startswith("/d2l/")]

    # asking for a scope the app was not registered with is refused by the token endpoint
    env["BRIGHTSPACE_SCOPE"] = "core:*:*"
    result = playbook(write_play(tmp_path, WHOAMI_PLAY, "whoami.yml"), env=env)
    assert_clean_failure(result)
    assert "400 Bad Request: OAuth client_credentials grant refused:" in result.output
    assert "core:*:*" in result.output


# -- the refresh-token chain ------------------------------------------------------------------

def _rotate(args):
    """One process: ``count`` refreshes, each by a new auth object given the ORIGINAL token, under
    the cache's lock as a task does when its access token is due (the due check itself is left
    out, so that each call is a rotation)."""
    token_url, cache, count = args
    import requests

    from ansible_collections.d2l.brightspace.plugins.module_utils.auth import RefreshTokenAuth
    tokens = []
    for _rotation in range(count):
        auth = RefreshTokenAuth(requests.Session(), token_url, "demo-client", "demo-secret", "demo-refresh",
                                cache_path=cache)
        with auth._lock():  # pylint: disable=protected-access
            tokens.append(auth._grant(auth._load())["access_token"])  # pylint: disable=protected-access
    return tokens


def test_two_hundred_rotations_across_processes_keep_the_chain(own_emulator, playbook, tmp_path):
    emu = own_emulator
    cache = str(tmp_path / "cache" / "tokens.json")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_rotate, [(emu.token_url, cache, 50)] * 4)
    tokens = [token for chunk in results for token in chunk]
    assert len(tokens) == 200 and len(set(tokens)) == 200  # every call got a fresh access token
    refreshes = grants(emu)
    assert len(refreshes) == 200 and all(r["status"] == 200 for r in refreshes), \
        [r for r in refreshes if r["status"] != 200][:3]  # no refresh token was ever presented twice
    (entry,) = json.loads(Path(cache).read_text()).values()
    assert len(entry["chain"]) == 201

    # a playbook started, as ever, with the ORIGINAL refresh token: mapped to the newest link. The
    # server's clock moves past the cached access token's life, so the service refuses it (401) and
    # the task refreshes from the newest link.
    emu.call("POST", "/_emulator/config", {"clock_offset": 4000})
    play = write_play(tmp_path, """
- name: The configured token still works
  hosts: localhost
  gather_facts: false
  tasks:
    - name: whoami
      d2l.brightspace.d2l_api_info:
""")
    result = playbook(play, env={"BRIGHTSPACE_URL": emu.url, "BRIGHTSPACE_TOKEN_URL": emu.token_url,
                                 "BRIGHTSPACE_ACCESS_TOKEN": "", "BRIGHTSPACE_REFRESH_TOKEN": "demo-refresh",
                                 "BRIGHTSPACE_CLIENT_ID": "demo-client", "BRIGHTSPACE_CLIENT_SECRET": "demo-secret",
                                 "BRIGHTSPACE_TOKEN_CACHE": cache})
    assert result.returncode == 0, result.output
    assert len(grants(emu)) == 201 and all(r["status"] == 200 for r in grants(emu))
    (entry,) = json.loads(Path(cache).read_text()).values()
    assert len(entry["chain"]) == 202


def _freeze(directory):
    """Make ``directory`` take no new file, for root too (chattr +i), or skip."""
    if os.geteuid() == 0:
        proc = subprocess.run(["chattr", "+i", str(directory)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.skip("cannot make a directory immutable here: %s" % proc.stderr.strip())
    else:
        os.chmod(directory, 0o500)


def _thaw(directory):
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], check=False)
    else:
        os.chmod(directory, 0o700)


REFRESH_PLAY = """
- name: A refresh
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Who am I
      d2l.brightspace.d2l_api_info:
"""


def test_an_unwritable_cache_before_and_after_a_refresh(own_emulator, playbook, tmp_path):
    emu = own_emulator
    cache_dir = tmp_path / "private"
    cache_dir.mkdir(mode=0o700)
    cache = cache_dir / "tokens.json"
    env = {"BRIGHTSPACE_URL": emu.url, "BRIGHTSPACE_TOKEN_URL": emu.token_url, "BRIGHTSPACE_ACCESS_TOKEN": "",
           "BRIGHTSPACE_REFRESH_TOKEN": "demo-refresh", "BRIGHTSPACE_CLIENT_ID": "demo-client",
           "BRIGHTSPACE_CLIENT_SECRET": "demo-secret", "BRIGHTSPACE_TOKEN_CACHE": str(cache)}
    play = write_play(tmp_path, REFRESH_PLAY)

    # before the first refresh: the directory takes no file; the refresh is never sent
    _freeze(cache_dir)
    try:
        result = playbook(play, env=env)
    finally:
        _thaw(cache_dir)
    assert_clean_failure(result, "demo-refresh", "demo-secret")
    # (the lock file cannot be made either: that is the first thing to fail here)
    assert re.search(r"token_cache: cannot (lock|write) the token cache \(?%s" % re.escape(str(cache)), result.output)
    assert "nothing was sent to the token endpoint, so the refresh token is still valid" in result.output
    assert grants(emu) == []

    # writable again: the configured token was not spent, the chain starts
    emu.call("POST", "/_emulator/config", {"token_lifetime": 2})
    assert playbook(play, env=env).returncode == 0
    assert [r["status"] for r in grants(emu)] == [200]
    rotated = json.loads(cache.read_text())

    # after a refresh: the cache cannot be written when the next refresh is due; it fails before
    # sending, the cache is untouched, and once writable the chain goes on from the newest link
    time.sleep(2.2)
    _freeze(cache_dir)
    try:
        result = playbook(play, env=env)
    finally:
        _thaw(cache_dir)
    assert_clean_failure(result, "demo-refresh")
    assert "nothing was sent to the token endpoint" in result.output
    assert len(grants(emu)) == 1 and json.loads(cache.read_text()) == rotated
    result = playbook(play, env=env)
    assert result.returncode == 0, result.output
    assert [r["status"] for r in grants(emu)] == [200, 200]
    assert not [name for name in os.listdir(cache_dir) if name.endswith(".new")]


# -- credentials never leave the tenant -------------------------------------------------------

class Collector:
    """A loopback HTTP server on another address (another origin) that records what reaches it."""

    def __init__(self, host="127.0.0.2"):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                seen.append((self.command, self.path, dict(self.headers), self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.url = "http://%s:%d" % (host, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector():
    try:
        made = Collector()
    except OSError as exc:
        pytest.skip("no second loopback address: %s" % exc)
    yield made
    made.close()


def test_a_token_endpoint_redirect_is_not_followed(own_emulator, collector, playbook, tmp_path):
    emu = own_emulator
    emu.call("POST", "/_emulator/faults", {"method": "POST", "path": "^/core/connect/token$", "times": 5,
                                           "status": 307, "headers": {"Location": collector.url + "/steal"}})
    for env in ({"BRIGHTSPACE_REFRESH_TOKEN": "demo-refresh", "BRIGHTSPACE_CLIENT_ID": "demo-client",
                 "BRIGHTSPACE_CLIENT_SECRET": "demo-secret"}, dict(SERVICE)):
        env.update(BRIGHTSPACE_URL=emu.url, BRIGHTSPACE_TOKEN_URL=emu.token_url, BRIGHTSPACE_ACCESS_TOKEN="",
                   BRIGHTSPACE_TOKEN_CACHE=str(tmp_path / "cache" / "tokens.json"))
        result = playbook(write_play(tmp_path, WHOAMI_PLAY), env=env)
        assert_clean_failure(result, "demo-refresh", "demo-secret")
        assert "the token endpoint answered with a redirect to %s" % collector.url in result.output
        assert "credentials are never sent after a redirect" in result.output
    assert collector.seen == []


def test_an_upload_location_on_another_origin_is_refused(own_emulator, collector, playbook, tmp_path):
    emu = own_emulator
    src = tmp_path / "report.txt"
    src.write_text("a report\n")
    emu.call("POST", "/_emulator/faults", {"method": "POST", "path": "/artifacts/file/new$", "times": 1,
                                           "status": 308, "headers": {"Location": collector.url + "/d2l/upload/k1"}})
    play = write_play(tmp_path, """
- name: A resumable upload told to go elsewhere
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
    - name: File artifact
      d2l.brightspace.d2l_artifact:
        kind: file
        name: IT elsewhere
        src: "%s"
        upload: resumable
""" % src)
    result = playbook(play, extra_vars={"brightspace_url": emu.url},
                      env={"BRIGHTSPACE_URL": emu.url, "BRIGHTSPACE_ACCESS_TOKEN": "demo-token"})
    assert_clean_failure(result)
    assert "answered with a URL on another origin (%s)" % collector.url in result.output
    assert collector.seen == []


def test_a_link_artifacts_url_is_only_the_link(own_emulator, playbook, tmp_path):
    emu = own_emulator
    play = write_play(tmp_path, """
- name: A link artifact to example.org
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The link
      d2l.brightspace.d2l_artifact:
        kind: link
        name: IT elsewhere link
        url: https://example.org/page
      register: link
    - name: Made on the tenant, pointing to example.org
      ansible.builtin.assert:
        that:
          - link is changed and link.artifact.url == 'https://example.org/page'
    - name: The old connection option name is refused, not taken as anything
      d2l.brightspace.d2l_api_info:
        url: https://example.org/page
      register: old
      ignore_errors: true
    - name: A base URL with a path is refused before any request
      d2l.brightspace.d2l_api_info:
        brightspace_url: https://example.org/page
      register: path
      ignore_errors: true
    - name: Both failed clearly
      ansible.builtin.assert:
        that:
          - old is failed and 'url' in old.msg
          - path is failed and path.msg is search("brightspace_url must be the site's root")
""")
    before = len(emu.requests())
    result = playbook(play, env={"BRIGHTSPACE_URL": emu.url, "BRIGHTSPACE_ACCESS_TOKEN": "demo-token"})
    assert result.returncode == 0, result.output
    made = [r for r in emu.requests()[before:] if r["method"] == "POST"]
    assert [r["path"] for r in made] == ["/d2l/api/eP/2.5/artifacts/link/new"]
    objects = emu.call("GET", "/_emulator/eportfolio/objects?user=3")
    assert [o["Url"] for o in objects if o["Name"] == "IT elsewhere link"] == ["https://example.org/page"]


def test_a_token_the_service_echoes_back_is_masked(own_emulator, playbook, tmp_path):
    emu = own_emulator
    token = emu.call("POST", "/_emulator/tokens", {"scope": "core:*:*"})["access_token"]
    emu.call("POST", "/_emulator/faults", {"method": "GET", "path": "/users/whoami$", "times": 1, "status": 400,
                                           "body": json.dumps({"Errors": [{"Message": "bad token %s" % token}]})})
    result = playbook(write_play(tmp_path, WHOAMI_PLAY), env={"BRIGHTSPACE_URL": emu.url,
                                                              "BRIGHTSPACE_ACCESS_TOKEN": token},
                      args=["-vvvv"])
    assert_clean_failure(result, token)
    assert "GET /d2l/api/lp/1.47/users/whoami failed: 400 Bad Request: bad token ********" in result.output
