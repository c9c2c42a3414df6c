# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rate-limit window length (``rate_window``): the bucket refills when its window is over."""
import time

from conftest import BEARER, LP

from brightspace_emulator.__main__ import parse_args


def whoami(client):
    return client.get(f"{LP}/users/whoami", headers=BEARER)


def test_default_window_is_a_minute(client):
    assert client.get("/_emulator/config").json()["rate_window"] == 60.0
    assert parse_args([]).rate_window == 60.0
    assert parse_args(["--rate-window", "5"]).rate_window == 5.0
    client.post("/_emulator/config", json={"rate_limit": 10})
    assert whoami(client).status_code == 200
    refused = whoami(client)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 59  # a minute, not a shorter window


def test_short_window_refills(client):
    answer = client.post("/_emulator/config", json={"rate_limit": 20, "rate_window": 1.5})
    assert answer.status_code == 200 and answer.json()["rate_window"] == 1.5
    started = time.monotonic()
    assert [whoami(client).status_code for _n in range(3)] == [200, 200, 429]
    refused = whoami(client)
    assert refused.status_code == 429 and refused.headers["Retry-After"] in ("1", "2")
    time.sleep(max(0.0, 1.6 - (time.monotonic() - started)))
    again = whoami(client)
    assert again.status_code == 200
    assert again.headers["X-Rate-Limit-Remaining"] == "10"  # a new window, full bucket minus one call


def test_new_window_empties_buckets_and_reset_restores_default(client):
    client.post("/_emulator/config", json={"rate_limit": 10})
    assert whoami(client).status_code == 200
    assert whoami(client).status_code == 429
    client.post("/_emulator/config", json={"rate_window": 30})
    assert whoami(client).status_code == 200
    client.post("/_emulator/reset")
    assert client.get("/_emulator/config").json()["rate_window"] == 60.0


def test_window_must_be_positive(client):
    for bad in (0, -1.5):
        assert client.post("/_emulator/config", json={"rate_window": bad}).status_code == 400
    assert client.post("/_emulator/config", json={"rate_window": "10"}).status_code == 400
    assert client.get("/_emulator/config").json()["rate_window"] == 60.0
