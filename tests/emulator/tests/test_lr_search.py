# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository search: GET objects/search/ with the CQL subset, sorting, paging."""
import pytest

from conftest import BEARER
from lr_helpers import (BASE_KEYS, LR, error, ok, properties_input, publish_ok, scorm_zip)

RESULT_KEYS = {"RepositoryId", "IdentId", "Version", "URL", "Title", "OrgId", "TypeId"}
COLLECTION_KEYS = BASE_KEYS | {"TotalResults", "Results"}


def search(client, query="", offset=0, count=100, repositories="1,4", **extra):
    params = {"query": query, "offset": offset, "count": count, "repositories": repositories}
    params.update(extra)
    params = {k: v for k, v in params.items() if v is not None}
    return client.get(f"{LR}/objects/search/", headers=BEARER, params=params)


def titles(client, query, **kw):
    body = ok(search(client, query, **kw), COLLECTION_KEYS)
    return [r["Title"] for r in body["Results"]]


@pytest.fixture
def catalogue(client):
    """Three objects with known properties (plus the seeded quiz 1001)."""
    def make(title, description, keywords, repository=1):
        ident = publish_ok(client, scorm_zip(title), repository=repository)
        ok(client.post(f"{LR}/objects/{ident}/properties/", headers=BEARER,
                       json=properties_input(Title=title, Description=description,
                                             Keywords=keywords, RepositoryId=repository)))
        return ident

    return {
        "golf": make("Golf Etiquette", "Behaving on the course", ["Sport, Golf"]),
        "chem": make("Chemistry Basics", "Atoms and molecules", ["Science", "Lab safety"]),
        "arch": make("Ancient Golf History", "Old courses", ["History, Golf"], repository=4),
    }


def test_empty_query_lists_everything_by_ident(client, catalogue):
    body = ok(search(client, ""), COLLECTION_KEYS)
    assert body["TotalResults"] == 4
    assert [r["IdentId"] for r in body["Results"]] == sorted(
        [1001, *catalogue.values()])
    result = body["Results"][1]
    assert set(result) == RESULT_KEYS
    assert result["URL"] == f"/d2l/lor/viewer/view.d2l?ou=6606&loIdentId={result['IdentId']}"
    assert result["OrgId"] == 6606 and result["TypeId"] == 3 and result["Version"] == 1
    assert titles(client, "", repositories="4") == ["Ancient Golf History"]


def test_operators(client, catalogue):
    assert titles(client, "golf") == ["Golf Etiquette", "Ancient Golf History"]
    assert titles(client, "dc.title = golf") == ["Golf Etiquette", "Ancient Golf History"]
    assert titles(client, 'dc.title = "golf history"') == ["Ancient Golf History"]
    assert titles(client, 'dc.title all "history golf"') == ["Ancient Golf History"]
    assert titles(client, 'dc.title any "chemistry etiquette"') == [
        "Golf Etiquette", "Chemistry Basics"]
    assert titles(client, 'dc.title == "golf etiquette"') == ["Golf Etiquette"]
    assert titles(client, 'dc.title exact "Golf"') == []
    assert titles(client, "dc.subject == golf") == ["Golf Etiquette", "Ancient Golf History"]
    assert titles(client, 'dc.subject exact "lab safety"') == ["Chemistry Basics"]
    assert titles(client, "dc.description = atoms") == ["Chemistry Basics"]
    assert titles(client, "golf and history") == ["Ancient Golf History"]
    assert titles(client, "chemistry or history") == ["Chemistry Basics",
                                                      "Ancient Golf History"]
    assert titles(client, "(chemistry or golf) and dc.subject == sport") == ["Golf Etiquette"]
    assert titles(client, "quiz") == ["Seeded quiz"]


def test_sorting(client, catalogue):
    assert titles(client, "cql.serverChoice any \"golf chemistry quiz\" sortBy dc.title") == [
        "Ancient Golf History", "Chemistry Basics", "Golf Etiquette", "Seeded quiz"]
    assert titles(client, "golf sortBy dc.title/sort.descending") == [
        "Golf Etiquette", "Ancient Golf History"]
    # dc.date: the seed is the oldest, then publish order
    every = 'cql.serverChoice any "golf chemistry quiz"'
    assert titles(client, every + " sortby dc.date/sort.descending")[-1] == "Seeded quiz"
    assert titles(client, every + " sortBy dc.date/sort.ascending")[0] == "Seeded quiz"


def test_hidden_objects(client, emu, catalogue):
    ok(client.post(f"{LR}/objects/{catalogue['chem']}/properties/", headers=BEARER,
                   json=properties_input(Title="Chemistry Basics",
                                         HiddenFromSearchResults=True)))
    # administrators have SeeAllHiddenObjects
    assert "Chemistry Basics" in titles(client, "")
    with emu.store.lock:
        emu.store.data["lr"]["trusts"]["1"]["6606"]["101"]["SeeAllHiddenObjects"] = False
    assert "Chemistry Basics" not in titles(client, "")
    # the archive's default hides new objects; the administrator still sees them there
    assert titles(client, "", repositories="4") == ["Ancient Golf History"]


def test_paging_with_450_bulk_objects(client):
    r = client.post("/_emulator/lr/objects/bulk",
                    json={"repository": 1, "count": 450, "title_prefix": "Bulk object"})
    assert r.status_code == 200, r.text
    idents = r.json()["IdentIds"]
    assert len(idents) == 450 and idents == list(range(1002, 1452))
    seen = []
    offset = 0
    while True:
        body = ok(search(client, "dc.title = bulk", offset=offset, count=200,
                         repositories="1"))
        assert body["TotalResults"] == 450
        seen.extend(r["IdentId"] for r in body["Results"])
        if len(body["Results"]) < 200:
            break
        offset += 200
    assert seen == idents
    assert [len(x) for x in (seen[:200], seen[200:400], seen[400:])] == [200, 200, 50]
    # count above 200 is capped
    assert len(ok(search(client, "", count=1000, repositories="1"))["Results"]) == 200
    error(search(client, "", offset=451, repositories="1"), "offset 451 is out of range")
    error(search(client, "", offset=451, repositories="1"), "451 results")
    last = ok(search(client, 'cql.serverChoice any "bulk quiz" sortBy dc.title/sort.descending',
                     offset=0, count=1, repositories="1"))["Results"][0]
    assert last["Title"] == "Seeded quiz"
    body = ok(search(client, "bulk sortBy dc.title/sort.descending", count=2,
                     repositories="1"))
    assert [r["Title"] for r in body["Results"]] == ["Bulk object 0450", "Bulk object 0449"]
    objects = client.get("/_emulator/lr/objects").json()
    assert objects[-1]["Versions"][0]["Type"] == 1 and objects[-1]["Versions"][0]["Size"] > 0


def test_offset_rules(client):
    assert ok(search(client, '"nothing matches this"', offset=0))["TotalResults"] == 0
    error(search(client, '"nothing matches this"', offset=1), "out of range")
    body = ok(search(client, "", offset=0, repositories="1"))
    assert body["TotalResults"] == 1
    error(search(client, "", offset=1, repositories="1"), "offset 1 is out of range")
    error(search(client, "", offset=-1), "offset must not be negative")
    error(search(client, "", count=0), "count must be at least 1")


@pytest.mark.parametrize("missing", ["query", "offset", "count", "repositories"])
def test_every_parameter_is_required(client, missing):
    params = {"query": "", "offset": 0, "count": 10, "repositories": "1"}
    del params[missing]
    error(client.get(f"{LR}/objects/search/", headers=BEARER, params=params),
          f"Missing query parameter '{missing}'")


def test_search_failures(client, emu):
    error(search(client, "dc.creator = x"), "Invalid CQL query: unknown index 'dc.creator'")
    error(search(client, "golf and"), "Invalid CQL query")
    error(search(client, "golf sortBy dc.description"), "Invalid CQL query")
    error(search(client, "a not b"), "Invalid CQL query")
    error(search(client, "", repositories="1,99"), "Repository 99 not found")
    error(search(client, "", repositories=""), "at least one repository")
    with emu.store.lock:
        emu.store.data["lr"]["trusts"]["4"]["6606"]["101"]["Search"] = False
    error(search(client, "", repositories="1,4"), "No permission to search repository 4")
    # malformed query values are HTTP 400
    for params in ({"offset": "x"}, {"count": "1.5"}, {"repositories": "1,a"},
                   {"repositories": "1,,2"}):
        r = search(client, "", **params)
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"


def test_search_the_other_repositories(client):
    body = ok(search(client, "", repositories="1,2,3,4"))
    assert body["TotalResults"] == 1  # nothing is published in 2 and 3
