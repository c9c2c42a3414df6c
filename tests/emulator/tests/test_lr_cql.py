# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CQL subset parser and evaluator of the Learning Repository search (cql.py)."""
import pytest

from brightspace_emulator import cql
from brightspace_emulator.cql import Boolean, Clause, CQLError, SortKey

REC = {"title": "Golf Etiquette Basics", "description": "How to behave on the course",
       "keywords": ["Sport, Golf", "Rules of play"]}


def ok(query, record=None):
    return cql.matches(cql.parse(query).where, record or REC)


def test_empty_query_matches_everything():
    q = cql.parse("")
    assert q.where is None and q.sort == []
    assert cql.parse("   ").where is None
    assert ok("")


def test_bare_term_searches_title_description_and_subjects():
    assert cql.parse("golf").where == Clause("cql.serverchoice", "=", "golf")
    assert ok("etiquette") and ok("behave") and ok("sport") and ok('"rules play"')
    assert not ok("tennis")
    assert ok('cql.serverChoice = "course golf"')


def test_word_match_every_word_case_insensitive():
    assert ok('dc.title = "golf basics"') and ok("dc.title = GOLF")
    assert not ok('dc.title = "golf tennis"')
    assert ok('dc.title all "basics golf"') and not ok('dc.title all "golf tennis"')
    assert ok('dc.title any "tennis golf"') and not ok('dc.title any "tennis squash"')
    assert not ok("dc.title = gol")  # words, not substrings


def test_exact_relations():
    assert ok('dc.title == "golf etiquette basics"') and ok('dc.title exact "Golf Etiquette Basics"')
    assert not ok('dc.title == "golf etiquette"')
    assert ok('dc.subject == sport') and ok('dc.subject exact "rules of play"')
    assert not ok('dc.subject == "sport, golf"')  # keyword strings are split on commas
    assert ok('dc.description == ""', {**REC, "description": ""})
    assert not ok('dc.description == ""')


def test_subject_and_description_indexes():
    assert ok("dc.subject = golf") and not ok("dc.subject = etiquette")
    assert ok("dc.description any behave") and not ok("dc.description = golf")


def test_booleans_and_parentheses_left_to_right():
    assert ok("golf and sport") and not ok("golf and tennis")
    assert ok("tennis or golf")
    # no precedence: ((tennis or golf) and squash)
    assert not ok("tennis or golf and squash")
    assert ok("tennis or (golf and sport)")
    q = cql.parse("a OR b AND c").where
    assert isinstance(q, Boolean) and q.op == "and" and q.left.op == "or"
    assert ok('(dc.title = golf) AND (dc.subject == "rules of play")')


def test_quoted_terms_and_escapes():
    assert cql.parse(r'dc.title = "say \"hi\""').where.term == 'say "hi"'
    assert cql.parse('dc.title = "and"').where.term == "and"
    assert cql.parse(r'"a\\b"').where.term == "a\\b"


def test_sort_by():
    assert cql.parse("golf sortBy dc.title").sort == [SortKey("dc.title", False)]
    assert cql.parse("golf sortby dc.date/sort.descending dc.title/sort.ascending").sort == [
        SortKey("dc.date", True), SortKey("dc.title", False)]
    q = cql.parse("golf sortBy dc.title/sort.descending")
    assert q.where is not None and q.sort == [SortKey("dc.title", True)]
    # a query made only of sortBy is no CQL 2.0 (a sort needs a search clause)
    with pytest.raises(cql.CQLError, match="needs a search clause"):
        cql.parse("sortBy dc.title/sort.descending")
    recs = [{"ident": 3, "title": "b", "date": "2026-01-02"},
            {"ident": 1, "title": "B", "date": "2026-01-01"},
            {"ident": 2, "title": "a", "date": "2026-01-03"}]

    def ids(records):
        return [r["ident"] for r in records]

    assert ids(cql.sort_records(recs, [])) == [1, 2, 3]
    assert ids(cql.sort_records(recs, [SortKey("dc.title")])) == [2, 1, 3]
    assert ids(cql.sort_records(recs, [SortKey("dc.title", True)])) == [1, 3, 2]
    assert ids(cql.sort_records(recs, [SortKey("dc.date", True)])) == [2, 3, 1]


@pytest.mark.parametrize("query, reason", [
    ("dc.creator = x", "unknown index"),
    ("title = x", "unknown index"),
    ("dc.title <> x", "unsupported relation"),
    ("dc.title adj x", "unsupported relation"),
    ("dc.title =/stem x", "relation modifiers"),
    ("a not b", "unsupported boolean"),
    ("a prox b", "unsupported boolean"),
    ("a and/x b", "boolean modifiers"),
    ("a and", "expected a search term"),
    ("(a or b", "expected ')'"),
    ("a or b)", "unexpected"),
    ("dc.title =", "expected a search term"),
    ('"unterminated', "unterminated"),
    ("a sortBy dc.description", "unsupported sort index"),
    ("a sortBy dc.title/sort.upward", "unknown sort modifier"),
    ("a sortBy dc.title/ascending", "unknown sort modifier"),
    ("a sortBy", "at least one sort index"),
    ('> dc = "info:srw/cql-context-set/1/dc-v1.1" a', "prefix assignments"),
    ("fish cat", "unknown index"),
    ('"dc.title" = x', "cannot be quoted"),
    ('dc.title = ""', "no words"),
    ("dc.title = and", "expected a search term"),
    ("a b", "unknown index"),
])
def test_invalid_queries(query, reason):
    with pytest.raises(CQLError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        cql.parse(query)
