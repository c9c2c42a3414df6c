# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import requests

from conftest import BEARER, LP


def test_state_file_survives_restart(live_factory, tmp_path):
    state_file = str(tmp_path / "state.json")
    a = live_factory("--state-file", state_file)
    r = requests.post(a.url + f"{LP}/coursetemplates/", headers=BEARER,
                      json={"Name": "T", "Code": "KEEP", "Path": "", "ParentOrgUnitIds": [6606]})
    tid = r.json()["Identifier"]
    tok = requests.post(a.url + "/core/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": "demo-refresh",
        "client_id": "demo-client", "client_secret": "demo-secret"}).json()
    a.stop()
    b = live_factory("--state-file", state_file)
    r = requests.get(b.url + f"{LP}/coursetemplates/{tid}", headers=BEARER)
    assert r.status_code == 200 and r.json()["Code"] == "KEEP"
    # tokens survive: the issued access token works, the used refresh token stays used
    h = {"Authorization": "Bearer " + tok["access_token"]}
    assert requests.get(b.url + f"{LP}/users/whoami", headers=h).status_code == 200
    r = requests.post(b.url + "/core/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": "demo-refresh",
        "client_id": "demo-client", "client_secret": "demo-secret"})
    assert r.status_code == 400
    r = requests.post(b.url + "/core/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": tok["refresh_token"],
        "client_id": "demo-client", "client_secret": "demo-secret"})
    assert r.status_code == 200
    # new ids continue after the old ones
    r = requests.post(b.url + f"{LP}/coursetemplates/", headers=BEARER,
                      json={"Name": "T2", "Code": "NEW", "Path": "", "ParentOrgUnitIds": [6606]})
    assert int(r.json()["Identifier"]) > int(tid)
