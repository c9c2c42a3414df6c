# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""BrightspaceClient: headers, base URL, routes, version discovery and its cache, errors."""

from __future__ import annotations

import json
import os
import re

import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils import client as client_mod
from ansible_collections.d2l.brightspace.plugins.module_utils.auth import BearerAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.idkey import IdKeyAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.client import (
    DISCOVERY_TTL, USER_AGENT, BrightspaceClient)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import (
    BrightspaceConnectionError, BrightspaceError, BrightspaceHTTPError)

from d2l_unit_helpers import BASE, BEARER, VERSIONS_BODY, FakeTime

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
WHOAMI = "/d2l/api/lp/1.47/users/whoami"
ME = {"Identifier": "170", "FirstName": "Demo", "LastName": "User", "UniqueName": "demo", "ProfileIdentifier": "p"}


def galaxy_version():
    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as handle:
        return re.search(r"^version:\s*(\S+)", handle.read(), re.M).group(1)


# -- headers and URLs -----------------------------------------------------------------------

def test_user_agent_names_collection_and_galaxy_version():
    assert USER_AGENT.startswith("d2l.brightspace/%s " % galaxy_version())
    assert client_mod.COLLECTION_VERSION == galaxy_version()


def test_every_request_sends_user_agent_accept_json_and_bearer(http, make_client):
    http.expect("GET", WHOAMI, headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                answer=ME)
    assert make_client().get_json(WHOAMI) == ME


def test_base_url_trailing_slash_is_joined_without_double_slash(http, fake_time):
    client = BrightspaceClient(BASE + "/", BearerAuth("demo-token"), api_versions={"lp": "1.47"},
                               sleep=fake_time.sleep, clock=fake_time.clock)
    http.expect("GET", WHOAMI, answer=ME)
    client.get_json(client.route("lp", "users/whoami"))
    assert http.calls[0].request.url == "https://school.example.com/d2l/api/lp/1.47/users/whoami"


def test_route_quotes_every_argument(make_client):
    client = make_client()
    assert client.route("lp", "orgstructure/{}/children/", "a/b c?&#") == \
        "/d2l/api/lp/1.47/orgstructure/a%2Fb%20c%3F%26%23/children/"
    assert client.route("le", "import/{}/imports/{}", 6609, "tok") == "/d2l/api/le/1.74/import/6609/imports/tok"


def test_request_passes_params_and_json_body(http, make_client):
    http.expect("POST", "/d2l/api/lp/1.47/courses/", query={"a": "1"}, json={"Name": "Biology"},
                headers={"Content-Type": "application/json"}, answer={"Identifier": "6609"})
    assert make_client().send_json("POST", "/d2l/api/lp/1.47/courses/", {"Name": "Biology"},
                                   params={"a": "1"}) == {"Identifier": "6609"}


def test_get_or_none_404_and_empty_body(http, make_client):
    http.expect("GET", "/d2l/api/lp/1.47/courses/1", status=404, text="Not Found")
    http.expect("DELETE", "/d2l/api/lp/1.47/courses/2")
    client = make_client()
    assert client.get_or_none("/d2l/api/lp/1.47/courses/1") is None
    assert client.send_json("DELETE", "/d2l/api/lp/1.47/courses/2") is None
    assert client.sent == [("GET", "/d2l/api/lp/1.47/courses/1", 404),
                           ("DELETE", "/d2l/api/lp/1.47/courses/2", 200)]


def test_body_that_is_not_json_is_an_error(http, make_client):
    http.expect("GET", WHOAMI, text="<html>login page</html>", content_type="text/html")
    with pytest.raises(BrightspaceError, match=r"^GET /d2l/api/lp/1.47/users/whoami answered 200 with a body that is not JSON$"):
        make_client().get_json(WHOAMI)


# -- version discovery ----------------------------------------------------------------------

def test_versions_discovered_once_for_several_products(http, make_client):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", WHOAMI, answer=ME)
    http.expect("GET", "/d2l/api/le/1.74/import/6609/imports/tok", answer={"Status": "COMPLETED"})
    client = make_client(api_versions=None)
    assert client.route("lp", "users/whoami") == WHOAMI
    assert client.route("le", "import/{}/imports/{}", 6609, "tok") == "/d2l/api/le/1.74/import/6609/imports/tok"
    assert client.route("eP", "objects/my/") == "/d2l/api/eP/2.5/objects/my/"
    assert client.route("lr", "objects/") == "/d2l/api/lr/1.3/objects/"
    client.get_json(WHOAMI)
    client.get_json(client.route("le", "import/{}/imports/{}", 6609, "tok"))
    # sorted numerically (1.10 after 1.9) and the latest added to the supported list
    assert client.versions()["lp"] == ["1.9", "1.10", "1.40", "1.46", "1.47"]
    assert client.versions()["eP"] == ["2.4", "2.5"]


def test_version_override_needs_no_discovery(http, make_client):
    client = make_client(api_versions={"lp": "1.40"})
    assert client.route("lp", "users/whoami") == "/d2l/api/lp/1.40/users/whoami"
    assert http.sent() == []
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    assert client.route("le", "x") == "/d2l/api/le/1.74/x"
    assert client.route("lp", "users/whoami") == "/d2l/api/lp/1.40/users/whoami"


def test_unknown_product_is_a_clear_error(http, make_client):
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    with pytest.raises(BrightspaceError, match="the service at https://school.example.com lists no supported versions for API product 'xx'"):
        make_client(api_versions=None).route("xx", "y")


def test_discovery_cache_shared_by_clients_until_ttl(http, tmp_path, fake_time):
    cache = str(tmp_path / "cache" / "discovery.json")
    wall = FakeTime(1767999000.0)

    def new_client():
        client = BrightspaceClient(BASE, BearerAuth("demo-token"), discovery_cache=cache,
                                   sleep=fake_time.sleep, clock=fake_time.clock)
        client.discovery.clock = wall.clock
        return client

    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    assert new_client().version("lp") == "1.47"
    with open(cache, encoding="utf-8") as handle:
        stored = json.load(handle)
    assert stored[BASE]["versions"]["at"] == 1767999000.0
    assert stored[BASE]["versions"]["value"]["le"] == ["1.70", "1.74"]

    wall.advance(DISCOVERY_TTL - 1)
    assert new_client().version("le") == "1.74"  # from the file: no request
    assert len(http.calls) == 1

    wall.advance(1)  # DISCOVERY_TTL seconds old: expired
    http.expect("GET", "/d2l/api/versions/", answer=[{"ProductCode": "lp", "LatestVersion": "1.48"}])
    assert new_client().version("lp") == "1.48"
    assert len(http.calls) == 2


def test_discovery_cache_is_per_base_url(http, tmp_path, fake_time):
    cache = str(tmp_path / "discovery.json")
    http.expect("GET", "/d2l/api/versions/", answer=VERSIONS_BODY)
    http.expect("GET", "https://other.example.com/d2l/api/versions/", answer=VERSIONS_BODY)
    for url in (BASE, "https://other.example.com"):
        client = BrightspaceClient(url, BearerAuth("demo-token"), discovery_cache=cache,
                                   sleep=fake_time.sleep, clock=fake_time.clock)
        assert client.version("lp") == "1.47"


# -- errors ---------------------------------------------------------------------------------

COURSES = "/d2l/api/lp/1.47/courses/"


@pytest.mark.parametrize("body, content_type, detail", [
    (json.dumps({"type": "about:blank", "status": 400, "title": "Bad Request", "detail": "Name is required",
                 "instance": "/x"}), "application/problem+json", "Name is required"),
    (json.dumps({"type": "about:blank", "status": 400, "title": "Invalid course", "detail": "Code is taken"}),
     "application/problem+json", "Invalid course: Code is taken"),
    (json.dumps({"Errors": [{"Message": "Code is invalid"}, {"Message": "Name is too long"}]}),
     "application/json", "Code is invalid; Name is too long"),
    ("Org unit code already in use", "text/plain", "Org unit code already in use"),
    ("<!DOCTYPE html><html><head><title>Request Rejected</title></head><body><h1>x</h1></body></html>",
     "text/html", "Request Rejected"),
    ("<html><body><h1>Oops</h1></body></html>", "text/html", "HTML error page"),
])
def test_error_messages(http, make_client, body, content_type, detail):
    http.expect("POST", COURSES, json={"Name": "x"}, status=400, text=body, content_type=content_type)
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().send_json("POST", COURSES, {"Name": "x"})
    assert str(info.value) == "POST /d2l/api/lp/1.47/courses/ failed: 400 Bad Request: " + detail
    assert (info.value.method, info.value.route, info.value.status) == ("POST", COURSES, 400)
    assert info.value.ambiguous is False


def test_error_without_body(http, make_client):
    http.expect("GET", WHOAMI, status=404)
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client().get_json(WHOAMI)
    assert str(info.value) == "GET /d2l/api/lp/1.47/users/whoami failed: 404 Not Found"


def test_error_route_never_has_the_query_string(http, make_client, fake_time):
    auth = IdKeyAuth("demo-app-id", "demo-app-key", "demo-user-id", "demo-user-key", clock=lambda: 1767999000)
    http.expect("GET", "/d2l/api/lp/1.47/orgstructure/", auth=None,
                query=dict(bookmark="b1", **_signature(auth, "GET", "/d2l/api/lp/1.47/orgstructure/")),
                status=404, text="Not found")
    with pytest.raises(BrightspaceHTTPError) as info:
        make_client(auth=auth).get_json("/d2l/api/lp/1.47/orgstructure/", params={"bookmark": "b1"})
    assert str(info.value) == "GET /d2l/api/lp/1.47/orgstructure/ failed: 404 Not Found: Not found"
    assert "?" not in str(info.value) and "x_c" not in str(info.value)


def _signature(auth, method, path):
    params = {}
    auth.apply(method, BASE + path, {}, params)
    return params


def test_connection_error_message_has_no_url_or_query(http, make_client):
    leaked = "HTTPSConnectionPool(host='school.example.com'): Max retries exceeded with url: " \
             "/d2l/api/lp/1.47/courses/?x_c=SECRETSIG&x_d=SECRETSIG2"
    http.drop("POST", COURSES, exc=requests.exceptions.ConnectionError(leaked), json={"Name": "x"})
    with pytest.raises(BrightspaceConnectionError) as info:
        make_client().send_json("POST", COURSES, {"Name": "x"})
    assert str(info.value) == "POST /d2l/api/lp/1.47/courses/ failed: connection error (ConnectionError)"
    assert "SECRETSIG" not in str(info.value) and "school.example.com" not in str(info.value)
    assert info.value.ambiguous is True


def test_read_timeout_message(http, make_client):
    http.drop("POST", COURSES, exc=requests.exceptions.ReadTimeout("read timed out ?x_c=SIG"))
    with pytest.raises(BrightspaceConnectionError, match=r"^POST /d2l/api/lp/1.47/courses/ failed: timed out \(ReadTimeout\)$"):
        make_client().request("POST", COURSES)


def test_certificate_failure_is_explained_and_not_retried(http, make_client, fake_time):
    exc = requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed ?x_c=SIG")
    http.drop("GET", WHOAMI, exc=exc)
    with pytest.raises(BrightspaceConnectionError) as info:
        make_client().get_json(WHOAMI)
    assert str(info.value) == ("GET /d2l/api/lp/1.47/users/whoami failed: TLS certificate verification "
                               "failed (see validate_certs and ca_path)")
    assert fake_time.sleeps == []  # a bad certificate does not get better by waiting


def test_invalid_url_is_not_retried(http, make_client, fake_time, monkeypatch):
    client = make_client()
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise requests.exceptions.InvalidURL("Invalid URL 'https://school.example.com\x00/d2l'")

    monkeypatch.setattr(client.session, "request", broken)
    with pytest.raises(BrightspaceConnectionError):
        client.get_json(WHOAMI)
    assert len(calls) == 1 and fake_time.sleeps == []


def test_validate_certs_and_ca_path_reach_requests(http, fake_time):
    http.expect("GET", WHOAMI, answer=ME, extra_match=[_verify_is(False)])
    http.expect("GET", WHOAMI, answer=ME, extra_match=[_verify_is("/etc/ca.pem")])
    http.expect("GET", WHOAMI, answer=ME, extra_match=[_verify_is(True)])
    for kwargs in (dict(validate_certs=False, ca_path="/etc/ca.pem"), dict(ca_path="/etc/ca.pem"), {}):
        client = BrightspaceClient(BASE, BearerAuth("demo-token"), api_versions={"lp": "1.47"},
                                   sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)
        client.get_json(WHOAMI)


def _verify_is(expected):
    # requests itself replaces verify=True with $REQUESTS_CA_BUNDLE / $CURL_CA_BUNDLE when set
    allowed = [expected]
    if expected is True:
        allowed += [os.environ.get("REQUESTS_CA_BUNDLE"), os.environ.get("CURL_CA_BUNDLE")]

    def match(request):
        verify = request.req_kwargs.get("verify")
        return (verify is not None and verify in allowed, "verify=%r" % (verify,))
    return match


def test_bearer_header(http, make_client):
    http.expect("GET", WHOAMI, auth=BEARER, answer=ME)
    make_client().get_json(WHOAMI)
    assert http.calls[0].request.headers["Authorization"] == "Bearer demo-token"


def test_bearer_401_is_not_retried(http, make_client):
    http.expect("GET", WHOAMI, status=401, text="Invalid token")
    with pytest.raises(BrightspaceHTTPError, match="^GET /d2l/api/lp/1.47/users/whoami failed: 401 Unauthorized: Invalid token$"):
        make_client().get_json(WHOAMI)
