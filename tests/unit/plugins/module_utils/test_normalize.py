# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""normalize.utc_datetime and orgunits.validate_code: input checks made before any request
(look-alike codes: test_codes.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

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


# -- dates at the edges, property-based -------------------------------------------------------
# Any aware date-time whose UTC instant lies in years 1..9999 is sent as YYYY-MM-DDTHH:MM:SS.fffZ
# (four-digit year, milliseconds truncated); any other is refused naming the option, never an
# OverflowError or ValueError out of the conversion.

CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
FIRST = datetime.min  # 0001-01-01T00:00:00
LAST = datetime.max   # 9999-12-31T23:59:59.999999
OFFSETS = st.builds(lambda minutes, seconds: timezone(timedelta(minutes=minutes, seconds=seconds)),
                    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
                    st.sampled_from([0, 0, 0, 30]))
AWARE = st.builds(lambda naive, zone: naive.replace(tzinfo=zone), st.datetimes(), OFFSETS)
OPTION = st.sampled_from(["start_date", "end_date"])


def in_range(aware):
    """Whether the UTC instant of ``aware`` is a datetime at all, by timedelta arithmetic alone."""
    since_first = aware.replace(tzinfo=None) - FIRST - aware.utcoffset()
    return timedelta(0) <= since_first <= LAST - FIRST


def as_text(aware):
    return aware.isoformat()  # four-digit years, offsets with seconds when they have them


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(aware=AWARE.filter(in_range), option=OPTION, text=st.booleans())
def test_an_aware_date_time_in_range_round_trips(aware, option, text):
    sent = utc_datetime(as_text(aware) if text else aware, option)
    assert CANONICAL.match(sent), sent
    back = datetime.fromisoformat(sent[:-1] + "+00:00")
    assert back == aware - timedelta(microseconds=aware.microsecond % 1000)  # the same instant, to the ms
    assert int(sent[:4]) == back.year  # four digits, whatever the year
    assert utc_datetime(sent, option) == sent  # canonical values are stable


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(naive=st.datetimes(), text=st.booleans())
def test_a_date_time_without_zone_is_utc(naive, text):
    sent = utc_datetime(naive.isoformat() if text else naive)
    assert sent == "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, naive.microsecond // 1000)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(day=st.dates(max_value=date(999, 12, 31)))
def test_years_before_1000_have_four_digits(day):
    assert utc_datetime(day.isoformat()) == "%04d-%02d-%02dT00:00:00.000Z" % (day.year, day.month, day.day)
    assert utc_datetime(day.isoformat()).startswith("0")


# the first and the last day, with an offset that moves the instant past the edge
BEFORE_YEAR_1 = st.builds(
    lambda minutes, back: datetime.combine(date(1, 1, 1), datetime.min.time()).replace(
        tzinfo=timezone(timedelta(minutes=minutes))) + timedelta(minutes=min(back, minutes - 1)),
    st.integers(min_value=1, max_value=24 * 60 - 1), st.integers(min_value=0, max_value=24 * 60))
AFTER_YEAR_9999 = st.builds(
    lambda minutes, back: datetime.combine(date(9999, 12, 31), datetime.max.time()).replace(
        tzinfo=timezone(timedelta(minutes=-minutes))) - timedelta(minutes=min(back, minutes - 1)),
    st.integers(min_value=1, max_value=24 * 60 - 1), st.integers(min_value=0, max_value=24 * 60))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(aware=st.one_of(BEFORE_YEAR_1, AFTER_YEAR_9999, AWARE.filter(lambda a: not in_range(a))),
       option=OPTION, text=st.booleans())
def test_an_instant_outside_years_1_to_9999_is_refused_naming_the_option(aware, option, text):
    assert not in_range(aware)
    given_value = as_text(aware) if text else aware
    with pytest.raises(ValidationError) as info:  # never OverflowError or ValueError
        utc_datetime(given_value, option)
    assert str(info.value) == (
        "%s: '%s' falls outside the years 0001 to 9999 once converted to UTC; give a date or date-time from "
        "0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z" % (option, given_value))


@pytest.mark.parametrize("value, expected", [
    ("0001-01-01T00:00+00:00", "0001-01-01T00:00:00.000Z"),
    ("0001-01-01T05:00+05:00", "0001-01-01T00:00:00.000Z"),
    ("0001-01-01T00:00-05:00", "0001-01-01T05:00:00.000Z"),
    ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999Z"),
    ("9999-12-31T18:59:59.999-05:00", "9999-12-31T23:59:59.999Z"),
    ("9999-12-31T23:00+05:00", "9999-12-31T18:00:00.000Z"),
    ("0999-12-31T23:30:00-01:00", "1000-01-01T00:30:00.000Z"),
    ("0099-06-15", "0099-06-15T00:00:00.000Z"),
])
def test_edges_in_range(value, expected):
    assert utc_datetime(value, "start_date") == expected


@pytest.mark.parametrize("value", ["0001-01-01T00:00+05:00", "0001-01-01T04:59:59.999+05:00",
                                   "9999-12-31T23:00-05:00", "9999-12-31T19:00:00.000-05:00"])
def test_edges_out_of_range(value):
    with pytest.raises(ValidationError, match="^end_date: '%s' falls outside the years 0001 to 9999 once converted "
                                              "to UTC" % re.escape(value)):
        utc_datetime(value, "end_date")
