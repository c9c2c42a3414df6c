# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The courses inventory plugin: the exact requests it sends, its hosts, vars and groups.

The plugin runs through Ansible's own config machinery (its DOCUMENTATION with the connection,
constructed and inventory_cache fragments merged in, as ansible-doc and ansible-inventory see it)
and parses a real ``*.d2l_courses.yml`` file.
"""

from __future__ import annotations

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments import constructed, inventory_cache
from ansible.utils.plugin_docs import add_fragments

from ansible_collections.d2l.brightspace.plugins.doc_fragments import connection
from ansible_collections.d2l.brightspace.plugins.inventory import courses as plugin_module

from d2l_unit_helpers import BASE, TOKEN

LP = "/d2l/api/lp/1.47/"
OUTYPES = [{"Id": 1, "Code": "Organization", "Name": "Organization"},
           {"Id": 2, "Code": "Course Template", "Name": "Course Template"},
           {"Id": 3, "Code": "Course Offering", "Name": "Course Offering"},
           {"Id": 25, "Code": "Semester", "Name": "Semester"}]
ENV = ("URL", "ACCESS_TOKEN", "REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "TOKEN_URL", "SCOPE",
       "TOKEN_CACHE", "APP_ID", "APP_KEY", "USER_ID", "USER_KEY", "VALIDATE_CERTS", "CA_PATH", "TIMEOUT",
       "RETRY_BUDGET")


class Fragments:
    """The fragment loader ``add_fragments`` needs, without a collection finder."""

    classes = {"d2l.brightspace.connection": connection.ModuleDocFragment,
               "constructed": constructed.ModuleDocFragment,
               "inventory_cache": inventory_cache.ModuleDocFragment}

    def get(self, name):
        cls = self.classes.get(name)
        if cls is not None:
            cls.ansible_name = name
        return cls


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv("BRIGHTSPACE_" + name, raising=False)


@pytest.fixture
def run(tmp_path):
    """Write ``options`` to a d2l_courses.yml file, parse it; return the InventoryData."""
    doc = yaml.safe_load(plugin_module.DOCUMENTATION)
    add_fragments(doc, plugin_module.__file__, Fragments())
    C.config.initialize_plugin_configuration_definitions("inventory", plugin_module.InventoryModule.NAME,
                                                         doc["options"])

    def parse(use_cache=False, **options):
        config = {"plugin": "d2l.brightspace.courses", "brightspace_url": BASE, "access_token": TOKEN,
                  "api_versions": {"lp": "1.47"}, "retry_budget": 0.01, "token_cache": str(tmp_path / "cache" / "tokens.json")}
        config.update(options)
        config = dict((k, v) for k, v in config.items() if v is not None)
        path = tmp_path / "school.d2l_courses.yml"
        path.write_text(yaml.safe_dump(config))
        plugin = plugin_module.InventoryModule()
        plugin._load_name = plugin.NAME  # pylint: disable=protected-access
        plugin._redirected_names = [plugin.NAME]  # pylint: disable=protected-access
        assert plugin.verify_file(str(path))
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=use_cache)
        if getattr(plugin, "_cache", None):  # as the InventoryManager does after a parse
            plugin.update_cache_if_changed()
        return inventory

    return parse


def basic(pair):
    return {"Identifier": str(pair[0]), "Code": pair[1], "Name": pair[1] + " name"} if pair else None


def offering(org_unit_id, code, template=(6607, "CHEM"), semester=(6608, "2026-FALL"), active=True):
    return {"Identifier": str(org_unit_id), "Name": code + " name", "Code": code,
            "Path": "/content/enforced/%d-%s/" % (org_unit_id, code), "IsActive": active,
            "StartDate": "2026-09-01T00:00:00.000Z", "EndDate": None,
            "CourseTemplate": basic(template), "Semester": basic(semester),
            "Department": {"Identifier": "6606", "Code": "SCI", "Name": "Science"}}


def listing(*blocks, bookmark=None):
    items = [{"Identifier": b["Identifier"], "Name": b["Name"], "Code": b["Code"], "Path": b["Path"],
              "Type": {"Id": 3, "Code": "Course Offering", "Name": "Course Offering"}} for b in blocks]
    return {"PagingInfo": {"Bookmark": bookmark, "HasMoreItems": bookmark is not None}, "Items": items}


A = offering(6610, "CHEM-101-A")
B = offering(6611, "CHEM-101-B", active=False)
C2 = offering(6612, "BIO 200", template=(6609, "BIO"), semester=(6613, "2027-SPRING"))
LONE = offering(6614, "LONE", semester=None)


def expect_listing(http, pages, query=None):
    http.expect("GET", LP + "outypes/", answer=OUTYPES)
    for index, page in enumerate(pages):
        q = {"orgUnitType": "3"}
        q.update(query or {})
        if index:
            q["bookmark"] = pages[index - 1]["PagingInfo"]["Bookmark"]
        http.expect("GET", LP + "orgstructure/", query=q, answer=page)


def expect_courses(http, *blocks):
    for block in blocks:
        http.expect("GET", LP + "courses/%s" % block["Identifier"], answer=block)


def groups_of(inventory, host):
    return sorted(g.name for g in inventory.get_host(host).get_groups())


def test_lists_every_offering_across_pages(http, run):
    expect_listing(http, [listing(A, B, bookmark="6611"), listing(C2, LONE)])
    expect_courses(http, A, B, C2, LONE)
    inventory = run()
    assert sorted(inventory.hosts) == ["BIO 200", "CHEM-101-A", "CHEM-101-B", "LONE"]
    hostvars = inventory.get_host("CHEM-101-A").vars
    assert dict((k, v) for k, v in hostvars.items() if k.startswith("d2l_")) == {
        "d2l_id": 6610, "d2l_name": "CHEM-101-A name", "d2l_code": "CHEM-101-A",
        "d2l_path": "/content/enforced/6610-CHEM-101-A/", "d2l_is_active": True,
        "d2l_start_date": "2026-09-01T00:00:00.000Z", "d2l_end_date": None,
        "d2l_template": 6607, "d2l_template_code": "CHEM", "d2l_semester": 6608,
        "d2l_semester_code": "2026-FALL", "d2l_department": 6606, "d2l_department_code": "SCI",
        # the blocks here (an LP version before 1.26) have no Description or CanSelfRegister
        "d2l_description": None, "d2l_description_html": None, "d2l_can_self_register": None}
    assert "ansible_connection" not in hostvars
    assert "access_token" not in str(hostvars) and TOKEN not in str(hostvars)


def test_groups(http, run):
    expect_listing(http, [listing(A, B, C2, LONE)])
    expect_courses(http, A, B, C2, LONE)
    inventory = run()
    assert groups_of(inventory, "CHEM-101-A") == ["d2l_active", "d2l_courses", "d2l_semester_2026_FALL",
                                                  "d2l_template_CHEM"]
    assert groups_of(inventory, "CHEM-101-B") == ["d2l_courses", "d2l_inactive", "d2l_semester_2026_FALL",
                                                  "d2l_template_CHEM"]
    assert groups_of(inventory, "BIO 200") == ["d2l_active", "d2l_courses", "d2l_semester_2027_SPRING",
                                               "d2l_template_BIO"]
    assert groups_of(inventory, "LONE") == ["d2l_active", "d2l_courses", "d2l_template_CHEM"]


def test_constructed_options(http, run):
    expect_listing(http, [listing(A, B)])
    expect_courses(http, A, B)
    inventory = run(compose={"course_label": "d2l_code ~ '/' ~ d2l_semester_code"},
                    groups={"chemistry": "d2l_template_code == 'CHEM' and d2l_is_active"},
                    keyed_groups=[{"key": "d2l_department_code", "prefix": "dept"}])
    assert inventory.get_host("CHEM-101-A").vars["course_label"] == "CHEM-101-A/2026-FALL"
    assert sorted(h.name for h in inventory.groups["chemistry"].get_hosts()) == ["CHEM-101-A"]
    assert sorted(h.name for h in inventory.groups["dept_SCI"].get_hosts()) == ["CHEM-101-A", "CHEM-101-B"]


@pytest.mark.parametrize("semester", ["2026-FALL", 6608, "id:6608"])
def test_semester_filter_by_code_or_id(http, run, semester):
    expect_listing(http, [listing(A, C2, LONE)])
    expect_courses(http, A, C2, LONE)  # the semester is compared locally: no look-up request
    inventory = run(semester=semester)
    assert sorted(inventory.hosts) == ["CHEM-101-A"]


def test_semester_code_of_digits_is_a_code(http, run):
    digits = offering(6615, "D", semester=(6608, "6608"))
    expect_listing(http, [listing(A, digits)])
    expect_courses(http, A, digits)
    assert sorted(run(semester="6608").hosts) == ["D"]


@pytest.mark.parametrize("template", ["BIO", 6609])
def test_template_filter(http, run, template):
    expect_listing(http, [listing(A, C2)])
    expect_courses(http, A, C2)
    assert sorted(run(template=template).hosts) == ["BIO 200"]


def test_code_pattern_skips_the_detail_reads(http, run):
    expect_listing(http, [listing(A, B, C2, LONE)])
    expect_courses(http, A, B)  # only the offerings the pattern keeps are read
    inventory = run(code_pattern=r"^CHEM-\d{3}-")
    assert sorted(inventory.hosts) == ["CHEM-101-A", "CHEM-101-B"]


def test_code_contains_is_a_server_filter_and_inactive_excluded(http, run):
    expect_listing(http, [listing(A, B)], query={"orgUnitCode": "CHEM"})
    expect_courses(http, A, B)
    inventory = run(code_contains="CHEM", include_inactive=False)
    assert sorted(inventory.hosts) == ["CHEM-101-A"]
    assert "d2l_inactive" not in inventory.groups


def test_env_fallbacks_and_version_discovery(http, run, monkeypatch, tmp_path):
    monkeypatch.setenv("BRIGHTSPACE_URL", BASE)
    monkeypatch.setenv("BRIGHTSPACE_ACCESS_TOKEN", TOKEN)
    http.expect("GET", "/d2l/api/versions/", answer=[
        {"ProductCode": "lp", "LatestVersion": "1.47", "SupportedVersions": ["1.46"]}])
    expect_listing(http, [listing(A)])
    expect_courses(http, A)
    inventory = run(brightspace_url=None, access_token=None, api_versions=None)
    assert sorted(inventory.hosts) == ["CHEM-101-A"]
    assert (tmp_path / "cache" / "discovery.json").exists()


def test_offering_gone_between_listing_and_read(http, run):
    expect_listing(http, [listing(A, B)])
    http.expect("GET", LP + "courses/6610", status=404, text="")
    expect_courses(http, B)
    assert sorted(run().hosts) == ["CHEM-101-B"]


def test_failing_request_is_a_parser_error(http, run):
    expect_listing(http, [])
    http.expect("GET", LP + "orgstructure/", query={"orgUnitType": "3"}, status=403,
                answer={"title": "Forbidden", "detail": "Not authorized to see org units"})
    with pytest.raises(AnsibleParserError) as caught:
        run()
    message = str(caught.value)
    assert "GET /d2l/api/lp/1.47/orgstructure/ failed: 403 Forbidden: Not authorized to see org units" in message
    assert TOKEN not in message


def test_bad_pattern_and_missing_url_fail_before_any_request(http, run):
    with pytest.raises(AnsibleParserError, match="code_pattern is not a valid regular expression"):
        run(code_pattern="(")
    with pytest.raises(AnsibleParserError, match="url is required"):
        run(brightspace_url=None)


def test_file_names(tmp_path):
    plugin = plugin_module.InventoryModule()
    for name, ok in (("a.d2l_courses.yml", True), ("d2l_courses.yaml", True), ("courses.yml", False),
                     ("d2l_courses.json", False)):
        path = tmp_path / name
        path.write_text("plugin: d2l.brightspace.courses\n")
        assert plugin.verify_file(str(path)) is ok, name


def test_cache_reuses_the_offerings_read_until_the_query_changes(http, run, tmp_path):
    cache = {"cache": True, "cache_plugin": "jsonfile", "cache_connection": str(tmp_path / "inv")}
    expect_listing(http, [listing(A, B)])
    expect_courses(http, A, B)
    assert sorted(run(use_cache=True, **cache).hosts) == ["CHEM-101-A", "CHEM-101-B"]
    assert http.count == len(http.calls)
    # same query: no request at all; a local filter still applies
    assert sorted(run(use_cache=True, include_inactive=False, **cache).hosts) == ["CHEM-101-A"]
    assert http.count == len(http.calls)
    # another code_pattern reads again (discovery is cached beside the token cache by now)
    http.expect("GET", LP + "orgstructure/", query={"orgUnitType": "3"}, answer=listing(A, B))
    expect_courses(http, B)
    assert sorted(run(use_cache=True, code_pattern="B$", **cache).hosts) == ["CHEM-101-B"]
