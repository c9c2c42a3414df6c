# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module.py: auth precedence, client building, and the Ensure path with a fake resource."""

from __future__ import annotations

import os

import certifi
import pytest
import requests

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import BearerAuth, RefreshTokenAuth, ServiceUserAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.idkey import IdKeyAuth
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceHTTPError
from ansible_collections.d2l.brightspace.plugins.module_utils.connection import DEFAULT_CACHE, build_auth, build_client
from ansible_collections.d2l.brightspace.plugins.module_utils.ensure import Ensure, Resource
from ansible_collections.d2l.brightspace.plugins.module_utils.module import connection_argument_spec
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError

OAUTH = dict(refresh_token="rt", client_id="cid", client_secret="sec")
KEY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures", "service-user",
                        "private-key.pem")
IDKEY = dict(app_id="a", app_key="ak", user_id="u", user_key="uk")


def params(**given):
    spec = connection_argument_spec()
    values = dict((name, None) for name in spec)
    values.update(given)
    return values


# -- build_auth -----------------------------------------------------------------------------

def test_access_token_wins_over_everything():
    auth = build_auth(params(access_token="tok", **dict(OAUTH, **IDKEY)), requests.Session())
    assert isinstance(auth, BearerAuth) and auth.token == "tok"


def test_refresh_token_before_id_key():
    session = requests.Session()
    auth = build_auth(params(token_url="https://t/x", scope="core:*:*", timeout=5, **dict(OAUTH, **IDKEY)), session)
    assert isinstance(auth, RefreshTokenAuth)
    assert (auth.refresh_token, auth.client_id, auth.client_secret) == ("rt", "cid", "sec")
    assert (auth.token_url, auth.scope, auth.timeout, auth.session) == ("https://t/x", "core:*:*", 5, session)
    assert auth.cache.path == os.path.expanduser(DEFAULT_CACHE)


def test_refresh_token_defaults():
    auth = build_auth(params(**OAUTH), requests.Session())
    assert auth.token_url == "https://auth.brightspace.com/core/connect/token"
    assert auth.timeout == 30 and auth.verify is True


def test_service_user(tmp_path):
    auth = build_auth(params(client_id="svc", private_key=KEY_FILE, key_id="k1", scope="core:*:*",
                             token_cache="/tmp/x/t.json", validate_certs=False, **IDKEY), requests.Session())
    assert isinstance(auth, ServiceUserAuth)
    assert (auth.client_id, auth.key_id, auth.scope) == ("svc", "k1", "core:*:*")
    assert auth.cache.path == "/tmp/x/t.json" and auth.verify is False


def test_refresh_token_wins_over_a_service_user():
    auth = build_auth(params(private_key=KEY_FILE, key_id="k1", scope="core:*:*", **OAUTH), requests.Session())
    assert isinstance(auth, RefreshTokenAuth)


def test_id_key():
    auth = build_auth(params(**IDKEY), requests.Session())
    assert isinstance(auth, IdKeyAuth)
    assert (auth.app_id, auth.app_key, auth.user_id, auth.user_key) == ("a", "ak", "u", "uk")


SERVICE = "the service-user grant (client credentials with a private-key JWT) needs client_id, private_key, key_id " \
          "and scope; missing: "


@pytest.mark.parametrize("given, message", [
    (dict(refresh_token="rt"), "a refresh_token needs client_id and client_secret"),
    (dict(refresh_token="rt", client_id="cid"), "a refresh_token needs client_secret"),
    (dict(refresh_token="rt", client_secret="sec"), "a refresh_token needs client_id"),
    (dict(private_key=KEY_FILE), SERVICE + "client_id, key_id, scope"),
    (dict(private_key=KEY_FILE, client_id="svc", key_id="k"), SERVICE + "scope"),
    (dict(key_id="k", client_id="svc", scope="core:*:*"), SERVICE + "private_key"),
    (dict(app_id="a"), "ID-key authentication needs app_key, user_id, user_key"),
    (dict(app_id="a", app_key="ak", user_key="uk"), "ID-key authentication needs user_id"),
])
def test_incomplete_credentials(given, message):
    with pytest.raises(ValidationError) as info:
        build_auth(params(**given), requests.Session())
    assert str(info.value) == message


def test_no_credentials():
    with pytest.raises(ValidationError, match="^no credentials: set access_token; refresh_token with client_id"):
        build_auth(params(), requests.Session())


@pytest.mark.parametrize("given", [dict(client_id="cid", client_secret="sec"), dict(client_id="cid"),
                                   dict(client_secret="sec")])
def test_client_secret_without_a_refresh_token_names_the_service_user_options(given):
    """Brightspace has no client-secret variant of the client credentials grant."""
    with pytest.raises(ValidationError) as info:
        build_auth(params(**given), requests.Session())
    message = str(info.value)
    assert message.startswith("client_id and client_secret alone are not a Brightspace grant")
    assert "client_id, private_key, key_id and scope" in message


# -- build_client ---------------------------------------------------------------------------

def test_build_client(tmp_path):
    cache = str(tmp_path / "c" / "tokens.json")
    client = build_client(params(brightspace_url="https://school.example.com/", access_token="tok", token_cache=cache,
                                 api_versions={"lp": "1.40"}, timeout=7, retry_budget=9, ca_path=certifi.where()))
    assert client.base_url == "https://school.example.com"
    assert client.api_versions == {"lp": "1.40"} and client.timeout == 7 and client.retry.budget == 9
    assert client.verify == certifi.where()
    assert client.discovery.path == str(tmp_path / "c" / "discovery.json")
    assert client.session is not None and client.auth.token == "tok"
    assert client.warnings == []


NOT_ROOT = "brightspace_url must be the site's root, such as https://school.brightspace.com, without a path, " \
           "query or fragment; got '%s'"


@pytest.mark.parametrize("given, message", [
    (dict(), "brightspace_url is required: the Brightspace base URL (or set BRIGHTSPACE_URL)"),
    (dict(brightspace_url="school.example.com"),
     "brightspace_url must start with http:// or https://, got 'school.example.com'"),
    (dict(brightspace_url="https://s", api_versions={"lp": "latest"}),
     "api_versions.lp must look like '1.47', got 'latest'"),
    (dict(brightspace_url="https://example.org/page"), NOT_ROOT % "https://example.org/page"),
    (dict(brightspace_url="https://s.example.com/d2l/"), NOT_ROOT % "https://s.example.com/d2l/"),
    (dict(brightspace_url="https://s.example.com?x=1"), NOT_ROOT % "https://s.example.com?x=1"),
    (dict(brightspace_url="https://s.example.com/#top"), NOT_ROOT % "https://s.example.com/#top"),
    (dict(brightspace_url="https://s.example.com?"), NOT_ROOT % "https://s.example.com?"),
    (dict(brightspace_url="https://u:p@s.example.com"),
     "brightspace_url must not carry a user name or password; give credentials in their own options"),
    (dict(brightspace_url="https://"), "brightspace_url has no host name: 'https://'"),
    (dict(brightspace_url="https://s.example.com:99999"), "brightspace_url has an invalid port: 'https://s.example.com:99999'"),
    (dict(brightspace_url="https://s.example.com", token_url="auth.example.com/token"),
     "token_url must be an http:// or https:// URL, got 'auth.example.com/token'"),
])
def test_build_client_validation(given, message):
    with pytest.raises(ValidationError) as info:
        build_client(params(access_token="tok", **given))
    assert str(info.value) == message


@pytest.mark.parametrize("url, warned", [
    ("http://school.example.com", True), ("http://10.0.0.5:8080", True), ("https://school.example.com", False),
    ("http://127.0.0.1:8080", False), ("http://localhost", False), ("http://[::1]:8080", False),
    ("http://emulator.localhost", False),
])
def test_clear_text_http_to_another_host_is_warned_of(url, warned):
    client = build_client(params(access_token="tok", brightspace_url=url))
    assert bool(client.warnings) == warned
    if warned:
        assert client.warnings[0].startswith("brightspace_url is http:// to ")
        assert "credentials and data travel in clear text" in client.warnings[0]


def test_clear_text_token_url_is_warned_of():
    client = build_client(params(brightspace_url="https://s.example.com", token_url="http://auth.example.com/t",
                                 **OAUTH))
    assert client.warnings == ["token_url is http:// to auth.example.com, which is not this machine: credentials "
                               "travel in clear text; use https://"]


# -- Ensure ---------------------------------------------------------------------------------

class FakeModule:
    def __init__(self, check_mode=False, diff=False, **given):
        self.params = dict(given)
        self.check_mode = check_mode
        self._diff = diff
        self.client = object()  # a Resource must not need HTTP here


class FakeCourse(Resource):
    """Records every call; ``existing`` is the raw block the service has (or None)."""

    label = "course"
    result_key = "course"
    key = "code"
    compare = ("name", "code", "active", "template")
    immutable = {"template": "a course offering keeps its template"}
    required_to_create = ("name", "template")

    def __init__(self, module, existing=None, create_errors=(), found_after_error=None):
        super().__init__(module)
        self.existing = existing
        self.calls = []
        self.create_errors = list(create_errors)
        self.found_after_error = found_after_error

    def desired(self):
        return dict((k, v) for k, v in self.module.params.items() if k in self.compare and v is not None)

    def find(self):
        self.calls.append(("find",))
        if self.existing is None and self.found_after_error is not None and len(self.calls) > 2:
            return self.found_after_error
        return self.existing

    def normalize(self, raw, related):
        return {"id": int(raw["Identifier"]), "name": raw["Name"], "code": raw["Code"],
                "active": raw["IsActive"], "template": raw["Template"]}

    def create(self, desired):
        self.calls.append(("create", desired))
        if self.create_errors:
            raise self.create_errors.pop(0)
        return {"Identifier": "6609", "Name": desired["name"], "Code": desired["code"],
                "IsActive": desired.get("active", True), "Template": desired["template"]}

    def update(self, raw, changes, desired, related):
        self.calls.append(("update", changes))
        updated = dict(raw)
        updated.update({"Name": changes.get("name", raw["Name"]), "IsActive": changes.get("active", raw["IsActive"])})
        return updated

    def delete(self, raw):
        self.calls.append(("delete", raw["Identifier"]))


RAW = {"Identifier": "6609", "Name": "Biology", "Code": "BIO-101", "IsActive": True, "Template": 6606}
NORMAL = {"id": 6609, "name": "Biology", "code": "BIO-101", "active": True, "template": 6606}
WRITES = ("create", "update", "delete")


def writes(resource):
    return [call for call in resource.calls if call[0] in WRITES]


def test_create():
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    resource = FakeCourse(module)
    result = Ensure(module, resource).run()
    assert result == {"changed": True, "created": True, "course": dict(NORMAL)}
    assert resource.calls == [("find",), ("create", {"code": "BIO-101", "name": "Biology", "template": 6606})]


def test_create_in_check_mode_sends_no_write():
    module = FakeModule(check_mode=True, diff=True, code="BIO-101", name="Biology", template=6606)
    resource = FakeCourse(module)
    result = Ensure(module, resource).run()
    assert writes(resource) == []
    assert result["changed"] is True and result["created"] is True
    assert result["course"] == {"id": None, "name": "Biology", "code": "BIO-101", "active": None, "template": 6606}
    assert result["diff"] == {"before": {}, "after": result["course"]}


def test_missing_create_options_are_named():
    module = FakeModule(code="BIO-101", name="Biology")
    resource = FakeCourse(module)
    with pytest.raises(ValidationError, match="^course 'BIO-101' does not exist; to create it, give template$"):
        Ensure(module, resource).run()
    assert writes(resource) == []


def test_only_given_options_are_compared():
    module = FakeModule(code="BIO-101", name="Biology")  # active and template not given: not compared
    resource = FakeCourse(module, existing=dict(RAW, IsActive=False, Template=7777))
    result = Ensure(module, resource).run()
    assert result["changed"] is False and writes(resource) == []
    assert "diff" not in result


def test_update_only_the_changes():
    module = FakeModule(diff=True, code="BIO-101", name="Biology II", active=True)
    resource = FakeCourse(module, existing=dict(RAW))
    result = Ensure(module, resource).run()
    assert writes(resource) == [("update", {"name": "Biology II"})]
    assert result["changed"] is True and result["course"]["name"] == "Biology II"
    assert result["diff"] == {"before": NORMAL, "after": dict(NORMAL, name="Biology II")}


def test_update_in_check_mode_sends_no_write():
    module = FakeModule(check_mode=True, code="BIO-101", name="Biology II", active=False)
    resource = FakeCourse(module, existing=dict(RAW))
    result = Ensure(module, resource).run()
    assert writes(resource) == []
    assert result == {"changed": True, "created": False, "course": dict(NORMAL, name="Biology II", active=False)}


def test_immutable_option_change_is_a_clear_error():
    module = FakeModule(code="BIO-101", template=7777)
    resource = FakeCourse(module, existing=dict(RAW))
    with pytest.raises(ValidationError) as info:
        Ensure(module, resource).run()
    assert str(info.value) == ("course 'BIO-101': template cannot change from 6606 to 7777: "
                               "a course offering keeps its template")
    assert writes(resource) == []


def test_immutable_option_unchanged_is_fine():
    module = FakeModule(code="BIO-101", template=6606)
    assert Ensure(module, FakeCourse(module, existing=dict(RAW))).run()["changed"] is False


def test_absent():
    module = FakeModule(state="absent", code="BIO-101")
    resource = FakeCourse(module, existing=dict(RAW))
    assert Ensure(module, resource).run() == {"changed": True, "created": False, "course": {}}
    assert writes(resource) == [("delete", "6609")]


def test_absent_in_check_mode_and_already_absent():
    module = FakeModule(state="absent", check_mode=True, diff=True, code="BIO-101")
    resource = FakeCourse(module, existing=dict(RAW))
    result = Ensure(module, resource).run()
    assert writes(resource) == [] and result["changed"] is True
    assert result["diff"] == {"before": NORMAL, "after": {}}
    module = FakeModule(state="absent", code="BIO-101")
    resource = FakeCourse(module)
    assert Ensure(module, resource).run() == {"changed": False, "created": False, "course": {}}
    assert writes(resource) == []


def ambiguous(status=503):
    error = BrightspaceHTTPError("POST", "/d2l/api/lp/1.47/courses/", status, "Service Unavailable")
    error.ambiguous = True
    return error


def test_ambiguous_create_looks_before_trying_again():
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    resource = FakeCourse(module, create_errors=[ambiguous()], found_after_error=dict(RAW))
    result = Ensure(module, resource).run()
    # the first create may have worked: find it instead of creating a duplicate
    assert [c[0] for c in resource.calls] == ["find", "create", "find"]
    assert result["course"] == NORMAL


def test_ambiguous_create_not_found_is_created_again():
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    resource = FakeCourse(module, create_errors=[ambiguous()])
    Ensure(module, resource).run()
    assert [c[0] for c in resource.calls] == ["find", "create", "find", "create"]


def test_clear_create_error_is_raised_without_retry():
    """A 400 that is not a conflict (nothing is there when looked up again) is raised as it is,
    and the create is not sent again."""
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    error = BrightspaceHTTPError("POST", "/d2l/api/lp/1.47/courses/", 400, "Bad Request", "EndDate before StartDate")
    resource = FakeCourse(module, create_errors=[error])
    with pytest.raises(BrightspaceHTTPError, match="EndDate before StartDate"):
        Ensure(module, resource).run()
    assert [c[0] for c in resource.calls] == ["find", "create", "find"]


@pytest.mark.parametrize("status", [400, 409])
def test_a_create_refused_because_another_run_made_it_is_no_failure(status):
    """Another controller (or a process without the lock) created it between the look-up and the
    create: the conflict is resolved by reading it again; it is present, and updated to what was
    asked. Not created by this task."""
    module = FakeModule(code="BIO-101", name="Biology II", template=6606)
    error = BrightspaceHTTPError("POST", "/d2l/api/lp/1.47/courses/", status, "Conflict",
                                 "An org unit with code 'BIO-101' already exists")
    resource = FakeCourse(module, create_errors=[error], found_after_error=dict(RAW))
    result = Ensure(module, resource).run()
    assert [c[0] for c in resource.calls] == ["find", "create", "find", "update"]
    assert result["changed"] is True and result["created"] is False and result["course"]["name"] == "Biology II"


def test_a_create_refused_for_a_conflict_with_what_was_asked_is_unchanged():
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    error = BrightspaceHTTPError("POST", "/d2l/api/lp/1.47/courses/", 400, "Bad Request", "already exists")
    resource = FakeCourse(module, create_errors=[error], found_after_error=dict(RAW))
    result = Ensure(module, resource).run()
    assert result["changed"] is False and result["created"] is False and writes(resource)[-1][0] == "create"


@pytest.mark.parametrize("status", [403, 404, 500])
def test_other_create_errors_are_not_taken_for_conflicts(status):
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    error = BrightspaceHTTPError("POST", "/d2l/api/lp/1.47/courses/", status, "No", "no")
    resource = FakeCourse(module, create_errors=[error], found_after_error=dict(RAW))
    with pytest.raises(BrightspaceHTTPError):
        Ensure(module, resource).run()
    assert [c[0] for c in resource.calls] == ["find", "create"]


def test_ambiguous_create_gives_up_after_three_attempts():
    module = FakeModule(code="BIO-101", name="Biology", template=6606)
    resource = FakeCourse(module, create_errors=[ambiguous(), ambiguous(), ambiguous(504)])
    with pytest.raises(BrightspaceHTTPError) as info:
        Ensure(module, resource).run()
    assert info.value.status == 504
    assert [c[0] for c in resource.calls] == ["find", "create", "find", "create", "find", "create"]


def test_diff_only_in_diff_mode():
    for diff in (False, True):
        module = FakeModule(diff=diff, code="BIO-101", name="Biology II")
        result = Ensure(module, FakeCourse(module, existing=dict(RAW))).run()
        assert ("diff" in result) is diff


def test_retry_budget_zero_means_no_retries():
    client = build_client(params(brightspace_url="https://school.example.com", access_token="tok", retry_budget=0))
    assert client.retry.budget == 0
    client = build_client(params(brightspace_url="https://school.example.com", access_token="tok"))
    assert client.retry.budget == 120
