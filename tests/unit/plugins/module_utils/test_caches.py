# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""caches.py: the private-directory rule, the token cache's place, and the code -> id cache
(one GET per offering once its id is known; a stale id falls back to the look-up)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.tokens import TokenCache
from ansible_collections.d2l.brightspace.plugins.module_utils.caches import (
    DiscoveryCache, IdCache, directory_problem, ensure_private_directory)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import TokenLocationError
from ansible_collections.d2l.brightspace.plugins.module_utils.courses import CourseOfferingsApi

from d2l_unit_helpers import BASE

LOOKUP = "/d2l/api/lp/1.47/orgstructure/"
OUTYPES = "/d2l/api/lp/1.47/outypes/"
TYPES = [{"Id": 3, "Code": "Course Offering", "Name": "Course Offering"}]


def offering(org_unit_id, code):
    return {"Identifier": str(org_unit_id), "Code": code, "Name": "Biology", "IsActive": True,
            "Path": "/", "StartDate": None, "EndDate": None, "CourseTemplate": None,
            "Semester": None, "Department": None}


def page(*items):
    return {"PagingInfo": {"Bookmark": "", "HasMoreItems": False}, "Items": list(items)}


def props(org_unit_id, code):
    return {"Identifier": str(org_unit_id), "Code": code, "Name": "Biology", "Path": "/",
            "Type": {"Id": 3, "Code": "Course Offering", "Name": "Course Offering"}}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# -- the private directory rule -------------------------------------------------------------

def test_token_cache_creates_its_directory_0700_and_the_file_0600(tmp_path):
    cache = TokenCache(str(tmp_path / "new" / "tokens.json"))
    cache.write({"slot": {"access_token": "secret"}})
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "tokens.json") == 0o600
    assert cache.read() == {"slot": {"access_token": "secret"}}


@pytest.mark.parametrize("dir_mode", [0o755, 0o750, 0o707, 0o1777])
def test_token_cache_refuses_a_directory_other_users_can_reach(tmp_path, dir_mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, dir_mode)
    cache = TokenCache(str(shared / "tokens.json"))
    with pytest.raises(TokenLocationError) as info:
        cache.write({"slot": {"access_token": "secret"}})
    message = str(info.value)
    assert message.startswith("token_cache: the directory %s is open to other users" % shared)
    assert "chmod 700" in message
    assert os.listdir(shared) == []  # nothing written, not even a temporary file
    # a token planted there is not read either
    (shared / "tokens.json").write_text(json.dumps({"slot": {"access_token": "planted"}}))
    with pytest.raises(TokenLocationError):
        cache.read()
    with pytest.raises(TokenLocationError):
        with cache.locked():
            pass


def test_directory_problem_names_what_is_wrong(tmp_path):
    assert directory_problem(str(tmp_path / "missing")) is None
    assert directory_problem(str(tmp_path)) is None  # pytest makes it 0700
    (tmp_path / "file").write_text("x")
    assert directory_problem(str(tmp_path / "file")) == "is not a directory"
    os.chmod(tmp_path, 0o711)
    try:
        assert directory_problem(str(tmp_path)) == "is open to other users (mode 0711)"
    finally:
        os.chmod(tmp_path, 0o700)


def test_ensure_private_directory_reports_a_directory_it_cannot_create(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(TokenLocationError, match=r"^token_cache: cannot create the directory .*file/sub"):
        ensure_private_directory(str(tmp_path / "file" / "sub"))


def test_discovery_and_id_caches_are_not_used_in_a_shared_directory(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    (shared / "ids.json").write_text(json.dumps({BASE: {"Course Offering:BIO": 6606}}))
    (shared / "discovery.json").write_text(json.dumps({BASE: {"versions": {"at": 9e12, "value": {"lp": ["9.9"]}}}}))
    ids = IdCache(str(shared / "ids.json"), BASE)
    discovery = DiscoveryCache(str(shared / "discovery.json"), BASE)
    assert ids.get("Course Offering", "BIO") is None  # planted by someone else: ignored
    assert discovery.get("versions") is None
    ids.put("Course Offering", "CHEM", 7)
    discovery.put("outypes", [])
    assert sorted(os.listdir(shared)) == ["discovery.json", "ids.json"]  # nothing new written


def test_id_cache_round_trip_is_per_service_and_kind_and_0600(tmp_path):
    path = str(tmp_path / "c" / "ids.json")
    ids = IdCache(path, BASE)
    other = IdCache(path, "https://other.example.com")
    ids.put("Course Offering", "BIO", 6606)
    assert ids.get("Course Offering", "BIO") == 6606
    assert ids.get("Course Template", "BIO") is None
    assert other.get("Course Offering", "BIO") is None
    assert mode(path) == 0o600 and mode(tmp_path / "c") == 0o700
    before = os.stat(path).st_mtime_ns
    ids.put("Course Offering", "BIO", 6606)  # unchanged: not rewritten
    assert os.stat(path).st_mtime_ns == before
    ids.drop("Course Offering", "BIO")
    assert ids.get("Course Offering", "BIO") is None
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle) == {BASE: {}}


def test_id_cache_ignores_values_that_are_not_ids(tmp_path):
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({BASE: {"Course Offering:A": "6606", "Course Offering:B": -1,
                                       "Course Offering:C": True}}))
    ids = IdCache(str(path), BASE)
    assert [ids.get("Course Offering", code) for code in "ABC"] == [None, None, None]


# -- CourseOfferingsApi.find with the id cache ------------------------------------------------

@pytest.fixture
def offerings(make_client, tmp_path):
    client = make_client(id_cache=str(tmp_path / "ids.json"))
    return CourseOfferingsApi(client)


def expect_lookup(http, code, *items):
    http.expect("GET", OUTYPES, answer=TYPES)
    http.expect("GET", LOOKUP, query={"exactOrgUnitCode": code, "orgUnitType": "3"}, answer=page(*items))


def test_find_looks_up_once_then_reads_by_id(http, offerings, make_client, tmp_path):
    expect_lookup(http, "BIO", props(6606, "BIO"))
    http.expect("GET", "/d2l/api/lp/1.47/courses/6606", answer=offering(6606, "BIO"))
    assert offerings.find("BIO")["Identifier"] == "6606"
    # the next task (a new process, a new client) reads the offering directly: one GET
    again = CourseOfferingsApi(make_client(id_cache=str(tmp_path / "ids.json")))
    http.expect("GET", "/d2l/api/lp/1.47/courses/6606", answer=offering(6606, "BIO"))
    assert again.find("BIO")["Identifier"] == "6606"


@pytest.mark.parametrize("stale", ["gone", "recoded", "other case"])
def test_a_stale_id_falls_back_to_the_look_up(http, offerings, tmp_path, stale):
    IdCache(str(tmp_path / "ids.json"), BASE).put("Course Offering", "BIO", 6606)
    if stale == "gone":
        http.expect("GET", "/d2l/api/lp/1.47/courses/6606", status=404, answer={"Message": "not found"})
    else:
        http.expect("GET", "/d2l/api/lp/1.47/courses/6606",
                    answer=offering(6606, "BIO-OLD" if stale == "recoded" else "bio"))
    expect_lookup(http, "BIO", props(6700, "BIO"))
    http.expect("GET", "/d2l/api/lp/1.47/courses/6700", answer=offering(6700, "BIO"))
    assert offerings.find("BIO")["Identifier"] == "6700"
    assert IdCache(str(tmp_path / "ids.json"), BASE).get("Course Offering", "BIO") == 6700


def test_a_stale_id_of_a_deleted_offering_finds_nothing_and_is_forgotten(http, offerings, tmp_path):
    IdCache(str(tmp_path / "ids.json"), BASE).put("Course Offering", "BIO", 6606)
    http.expect("GET", "/d2l/api/lp/1.47/courses/6606", status=404, answer={"Message": "not found"})
    expect_lookup(http, "BIO")
    assert offerings.find("BIO") is None
    assert IdCache(str(tmp_path / "ids.json"), BASE).get("Course Offering", "BIO") is None


def test_create_remembers_and_removal_forgets(http, offerings, tmp_path):
    from ansible_collections.d2l.brightspace.plugins.module_utils.courses import CourseOfferingResource

    http.expect("POST", "/d2l/api/lp/1.47/courses/", json={"Code": "BIO", "Name": "Biology"},
                answer=offering(6800, "BIO"))
    offerings.create({"Code": "BIO", "Name": "Biology"})
    cache = IdCache(str(tmp_path / "ids.json"), BASE)
    assert cache.get("Course Offering", "BIO") == 6800

    class Context:  # what the resource reads of its module
        params = {"code": "BIO", "removal": "recycle"}
        client = offerings.client

    http.expect("POST", "/d2l/api/lp/1.47/orgstructure/recyclebin/6800/recycle")
    CourseOfferingResource(Context()).delete(offering(6800, "BIO"))
    assert cache.get("Course Offering", "BIO") is None


# -- locks on one natural key ----------------------------------------------------------------

def test_key_locks_make_ensures_of_one_key_take_turns(tmp_path):
    import threading
    import time

    from ansible_collections.d2l.brightspace.plugins.module_utils.caches import KeyLocks

    cache = str(tmp_path / "private" / "tokens.json")
    os.makedirs(os.path.dirname(cache), mode=0o700)
    order = []
    inside = threading.Event()

    def first():
        with KeyLocks(cache, BASE).hold("OrgUnitResource", "type=semester code=2026f") as held:
            assert held
            order.append("first in")
            inside.set()
            time.sleep(0.3)
            order.append("first out")

    def second():
        inside.wait(5)
        with KeyLocks(cache, BASE).hold("OrgUnitResource", "type=semester code=2026f"):
            order.append("second in")

    def other_key():
        inside.wait(5)
        with KeyLocks(cache, BASE).hold("OrgUnitResource", "type=semester code=2027f"):
            order.append("other key in")

    threads = [threading.Thread(target=f) for f in (first, second, other_key)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order.index("second in") > order.index("first out")  # the same key waited
    assert order.index("other key in") < order.index("first out")  # another key did not
    locks = os.listdir(os.path.join(os.path.dirname(cache), "locks"))
    assert len(locks) == 2 and all(mode(os.path.join(os.path.dirname(cache), "locks", n)) == 0o600 for n in locks)
    assert mode(os.path.join(os.path.dirname(cache), "locks")) == 0o700


def test_key_locks_are_not_taken_in_a_shared_directory(tmp_path):
    from ansible_collections.d2l.brightspace.plugins.module_utils.caches import KeyLocks

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with KeyLocks(str(shared / "tokens.json"), BASE).hold("X", "k") as held:
        assert held is False
    assert not (shared / "locks").exists()


# -- the check runs' plans ---------------------------------------------------------------------

def test_plans_are_kept_per_tenant_by_digest_the_newest_twenty(tmp_path):
    from ansible_collections.d2l.brightspace.plugins.module_utils.caches import PlanStore

    token_cache = str(tmp_path / "cache" / "tokens.json")
    store = PlanStore(token_cache, BASE)
    for n in range(25):
        store.put({"digest": "sha256:%064x" % n, "actions": [n]})
    assert len(list((tmp_path / "cache" / "plans").iterdir())) == PlanStore.KEEP
    assert store.get("sha256:%064x" % 24)["actions"] == [24]
    assert store.get("sha256:%064x" % 0) is None  # pruned
    assert PlanStore(token_cache, "https://other.example.com").get("sha256:%064x" % 24) is None
    assert oct((tmp_path / "cache" / "plans").stat().st_mode & 0o777) == "0o700"


def test_plans_are_neither_read_nor_written_in_a_shared_directory(tmp_path):
    from ansible_collections.d2l.brightspace.plugins.module_utils.caches import PlanStore

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    store = PlanStore(str(shared / "tokens.json"), BASE)
    store.put({"digest": "sha256:%064x" % 1, "actions": []})
    assert not (shared / "plans").exists() and store.get("sha256:%064x" % 1) is None
