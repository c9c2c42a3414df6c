# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ID-key signatures made by D2L's own Python SDK (d2lvalence), sent with ``requests`` to a live
emulator, so the request path reaches the server exactly as the SDK signed it (still
percent-encoded)."""
import time

import pytest
import requests
from d2lvalence import auth as d2lauth

from brightspace_emulator.auth import idkey_base, sign

LP = "/d2l/api/lp/1.47"
LR = "/d2l/api/lr/1.3"


def user_context(server, user_key="demo-user-key", skew_ms=0):
    app = d2lauth.fashion_app_context(app_id="demo-app-id", app_key="demo-app-key")
    return app.create_user_context(d2l_user_context_props_dict={
        "host": f"127.0.0.1:{server.port}", "user_id": "demo-user-id", "user_key": user_key,
        "encrypt_requests": False, "server_skew": skew_ms})


def call(server, method, path, context=None, **kwargs):
    return requests.request(method, server.url + path, auth=context or user_context(server),
                            timeout=10, **kwargs)


def test_plain_route(shared_live):
    r = call(shared_live, "GET", f"{LP}/users/whoami")
    assert r.status_code == 200, r.text
    assert r.json()["Identifier"] == "3"
    r = call(shared_live, "GET", f"{LP}/orgstructure/",
             params={"exactOrgUnitCode": "demo", "orgUnitType": "1"})
    assert r.status_code == 200, r.text
    assert [u["Identifier"] for u in r.json()["Items"]] == ["6606"]


@pytest.mark.parametrize("segment", ["ABC%2B1", "100%25", "a+b", "a%20b", "A%2b%25%20+Z",
                                     "%E2%82%AC", "x%252B"])
def test_encoded_id_segment(shared_live, segment):
    """A malformed course id answers 404 (no such route), not 403: the signature over the
    percent-encoded path (SDK: unquote_plus(path.lower())) was accepted."""
    r = call(shared_live, "GET", f"{LP}/courses/{segment}")
    assert r.status_code == 404, r.text
    # sent still encoded (requests may upper-case an escape: the SDK signs the prepared URL)
    assert r.request.path_url.lower().startswith(f"{LP}/courses/{segment}?".lower())


@pytest.mark.parametrize("segment", ["Local%2B", "a+b", "100%25", "two%20words", "LoCaL%2bX"])
def test_encoded_lr_segment(shared_live, segment):
    """An LR repository type with escapes: an LR ERROR (HTTP 200), so authentication passed."""
    r = call(shared_live, "GET", f"{LR}/repositories/{segment}/")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ExecutionStatus"] == 2 and "Invalid repository type" in body["ExecutionMessage"]


def test_mixed_case_paths(shared_live):
    r = call(shared_live, "GET", f"{LR}/repositories/LoCaL/")
    assert r.status_code == 200 and r.json()["ExecutionStatus"] == 0, r.text
    r = call(shared_live, "GET", "/d2l/api/eP/2.5/objects/my/")  # "eP": upper case in the path
    assert r.status_code == 200, r.text


def test_wrong_key_is_invalid_token(shared_live):
    r = call(shared_live, "GET", f"{LP}/courses/ABC%2B1",
             context=user_context(shared_live, user_key="wrong"))
    assert r.status_code == 403 and r.text == "Invalid token"


def test_signature_over_the_decoded_path_is_refused(shared_live):
    """The base string is built from the raw path: signing the already-decoded path (a client
    that decodes %2B before signing, or a server that decodes twice) does not verify."""
    path = f"{LP}/courses/A%252B1"  # raw: ...%252B1; the SDK signs .../a%2b1
    ts = int(time.time())
    decoded_twice = idkey_base("GET", "/d2l/api/lp/1.47/courses/A+1", ts)
    params = {"x_a": "demo-app-id", "x_b": "demo-user-id", "x_t": str(ts),
              "x_c": sign("demo-app-key", decoded_twice),
              "x_d": sign("demo-user-key", decoded_twice)}
    r = requests.get(shared_live.url + path, params=params, timeout=10)
    assert r.status_code == 403 and r.text == "Invalid token"
    assert call(shared_live, "GET", path).status_code == 404


def test_timestamp_out_of_range_and_skew_retry(shared_live):
    context = user_context(shared_live, skew_ms=-1_000_000)  # the client thinks 1000 s behind
    r = call(shared_live, "GET", f"{LP}/users/whoami", context=context)
    assert r.status_code == 403 and r.text.startswith("Timestamp out of range ")
    server_time = int(r.text.rsplit(" ", 1)[1])
    assert abs(server_time - time.time()) < 5
    context.set_new_skew((server_time - time.time()) * 1000)
    r = call(shared_live, "GET", f"{LP}/users/whoami", context=context)
    assert r.status_code == 200, r.text
