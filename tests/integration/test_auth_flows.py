# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authentication end to end: rotating refresh tokens across forks, ID-key clock skew."""

from __future__ import annotations

import json

import pytest

from conftest import start_emulator

PLAY = """
- name: Many tasks over several forks while access tokens expire every two seconds
  hosts: all
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
    - name: Check credentials, again and again
      d2l.brightspace.d2l_api_info:
      register: me
      loop: "{{ range(6) | list }}"
      loop_control:
        pause: 0.7

    - name: Every call saw the same user
      ansible.builtin.assert:
        that:
          - me.results | map(attribute='whoami.id') | unique | list | length == 1
"""


@pytest.fixture
def short_tokens(tmp_path):
    proc, emu = start_emulator(tmp_path, "--token-lifetime", "2")
    yield emu
    proc.terminate()
    proc.wait(timeout=10)


def test_refresh_token_rotation_across_forks(short_tokens, playbook, tmp_path, monkeypatch):
    emu = short_tokens
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("\n".join("node%d ansible_connection=local" % i for i in range(6)) + "\n")
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    env = {
        "BRIGHTSPACE_URL": emu.url,
        "BRIGHTSPACE_ACCESS_TOKEN": "",
        "BRIGHTSPACE_REFRESH_TOKEN": "demo-refresh",
        "BRIGHTSPACE_CLIENT_ID": "demo-client",
        "BRIGHTSPACE_CLIENT_SECRET": "demo-secret",
        "BRIGHTSPACE_TOKEN_URL": emu.url + "/core/connect/token",
    }
    monkeypatch.delenv("BRIGHTSPACE_ACCESS_TOKEN", raising=False)
    result = playbook(play, extra_vars={"brightspace_url": emu.url},
                      env=env, args=["-i", str(inventory), "--forks", "4", "-vvvv"])
    assert result.returncode == 0, result.output
    log = emu.requests()
    grants = [r for r in log if r["path"] == "/core/connect/token"]
    assert grants and all(r["status"] == 200 for r in grants), grants
    # tokens expired during the play (36 calls over ~4 s with 2 s tokens) and were refreshed
    assert len(grants) >= 2
    assert all(r["status"] in (200,) for r in log if r["path"].startswith("/d2l/")), \
        [r for r in log if r["status"] != 200]
    for secret in ("demo-refresh", "demo-secret"):
        assert secret not in result.output
    # nor any access token the endpoint issued: their log entries carry no secrets, so check
    # the cache file instead holds them with mode 0600
    cache = tmp_path / "cache" / "tokens.json"
    assert cache.exists() and (cache.stat().st_mode & 0o777) == 0o600
    for entry in json.loads(cache.read_text()).values():
        assert entry["access_token"] not in result.output
        assert entry["refresh_token"] not in result.output


def test_idkey_clock_skew(emulator, playbook, tmp_path):
    if not emulator.control:
        pytest.skip("needs the emulator's clock control")
    emulator.reset()
    emulator.call("POST", "/_emulator/config", {"clock_offset": 7200})
    try:
        play = tmp_path / "play.yml"
        play.write_text("""
- name: ID-key signing with a skewed clock
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Create a semester with ID-key credentials
      d2l.brightspace.d2l_org_unit:
        brightspace_url: "{{ brightspace_url }}"
        type: Semester
        code: SKEW-1
        name: Skewed
      register: skew
    - name: Created
      ansible.builtin.assert:
        that: skew is changed
""")
        env = {"BRIGHTSPACE_ACCESS_TOKEN": "", "BRIGHTSPACE_APP_ID": "demo-app-id",
               "BRIGHTSPACE_APP_KEY": "demo-app-key", "BRIGHTSPACE_USER_ID": "demo-user-id",
               "BRIGHTSPACE_USER_KEY": "demo-user-key"}
        result = playbook(play, env=env, args=["-vvvv"])
        assert result.returncode == 0, result.output
        log = emulator.requests()
        assert any(r["status"] == 403 for r in log), log
        creates = [r for r in log if r["method"] == "POST" and r["path"].endswith("/orgstructure/")]
        assert [r["status"] for r in creates][-1] == 200
        assert len([r for r in creates if r["status"] == 200]) == 1
        for secret in ("demo-app-key", "demo-user-key"):
            assert secret not in result.output
        assert all(set(r["query"]) <= {"x_a", "x_b", "x_t", "exactOrgUnitCode", "orgUnitType", "bookmark"}
                   for r in log), json.dumps(log)[:2000]
    finally:
        emulator.call("POST", "/_emulator/config", {"clock_offset": 0})
