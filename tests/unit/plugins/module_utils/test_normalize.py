# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""normalize.utc_datetime and orgunits.validate_code: input checks made before any request."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.normalize import basic_org_unit, utc_datetime
from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import (
    CODE_FORBIDDEN, ValidationError, as_id, validate_code)


@pytest.mark.parametrize("value, expected", [
    ("2026-01-31", "2026-01-31T00:00:00.000Z"),
    ("2026-01-31T23:59:59Z", "2026-01-31T23:59:59.000Z"),
    ("2026-01-31T23:59:59z", "2026-01-31T23:59:59.000Z"),
    ("2026-01-31T23:59:59.000Z", "2026-01-31T23:59:59.000Z"),
    ("2026-01-31T23:59:59.123Z", "2026-01-31T23:59:59.123Z"),
    ("2026-01-31T23:59:59.1239Z", "2026-01-31T23:59:59.123Z"),  # truncated, never rounded up
    ("2026-02-01T01:59:59+02:00", "2026-01-31T23:59:59.000Z"),
    ("2026-01-31T18:59:59.5-05:00", "2026-01-31T23:59:59.500Z"),
    ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"),
    ("2026-01-31T23:59:59", "2026-01-31T23:59:59.000Z"),          # no zone: UTC
    ("2026-01-31 23:59:59Z", "2026-01-31T23:59:59.000Z"),
    ("  2026-01-31  ", "2026-01-31T00:00:00.000Z"),
    (datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=timezone.utc), "2026-01-31T23:59:59.999Z"),
    (datetime(2026, 2, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))), "2026-02-01T00:00:00.000Z"),
])
def test_utc_datetime(value, expected):
    assert utc_datetime(value) == expected


def test_utc_datetime_is_stable():
    once = utc_datetime("2026-02-01T01:59:59.250+02:00")
    assert utc_datetime(once) == once


@pytest.mark.parametrize("value", [None, ""])
def test_utc_datetime_empty(value):
    assert utc_datetime(value) is None


@pytest.mark.parametrize("value", ["next tuesday", "2026-13-01", "2026-01-32", "31/01/2026", "2026-01-31T25:00:00Z",
                                   "2026-01-31T23:59:59+25:00", 12345])
def test_utc_datetime_garbage_names_the_option(value):
    with pytest.raises(ValidationError) as info:
        utc_datetime(value, option="start_date")
    assert str(info.value) == ("start_date: '%s' is not an ISO 8601 date or date-time such as "
                               "2026-01-31T23:59:59Z" % value)


def test_basic_org_unit():
    assert basic_org_unit({"Identifier": "6606", "Code": "T", "Name": "Tmpl"}) == {"id": 6606, "code": "T", "name": "Tmpl"}
    assert basic_org_unit(None) is None


def test_as_id():
    assert as_id("6606") == 6606 and as_id(6606) == 6606 and as_id(None) is None and as_id("") is None


# -- org unit codes ---------------------------------------------------------------------------

def test_code_forbidden_characters_are_those_of_notes():
    assert sorted(CODE_FORBIDDEN) == sorted('\\:*?"<>|\'#,%&')


@pytest.mark.parametrize("char", list('\\:*?"<>|\'#,%&'))
def test_each_forbidden_character(char):
    code = "BIO%s101" % char
    with pytest.raises(ValidationError) as info:
        validate_code(code, option="code")
    message = str(info.value)
    # the option, the code and the offending character come first, then the rule
    assert message.startswith("code '%s' contains " % code)
    named = message[len("code '%s' contains " % code):message.index(";")]
    assert named.split()[-1] == char
    assert "may not contain any of" in message


def test_several_forbidden_characters_are_all_named():
    with pytest.raises(ValidationError) as info:
        validate_code("A&B#C", option="template")
    message = str(info.value)
    assert message.startswith("template 'A&B#C' contains ")
    assert message[:message.index(";")].endswith(" # &")


@pytest.mark.parametrize("code", ["A" * 50, "BIO-101", "bio_101.2026 spring", "6606", "É-ü"])
def test_valid_codes(code):
    assert validate_code(code) == code


def test_code_too_long():
    with pytest.raises(ValidationError) as info:
        validate_code("A" * 51, option="code")
    assert str(info.value) == "code '%s' is 51 characters long; org unit codes are at most 50" % ("A" * 51)


@pytest.mark.parametrize("code", ["", "   ", None, 12])
def test_code_must_be_a_non_empty_string(code):
    with pytest.raises(ValidationError, match="^semester must be a non-empty string$"):
        validate_code(code, option="semester")
