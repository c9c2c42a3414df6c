# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""orgunits.validate_code against look-alike codes, property-based (hypothesis).

Two codes that read the same must never name two org units: a code with whitespace at either
end, whitespace other than the plain space inside, or a control (Cc), invisible formatting (Cf)
or surrogate (Cs) code point anywhere is refused, naming the option and the code point. Every
other code within the service's rules is accepted unchanged.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import (
    CODE_FORBIDDEN, CODE_MAX_LENGTH, ValidationError, code_problem, shown_code, validate_code)

OPTIONS = st.sampled_from(["code", "template", "semester", "parents", "parent_org_units", "source", "target"])

# every code point of a category, from the running Python's Unicode database
ALL = [chr(i) for i in range(sys.maxunicode + 1)]
FORMAT = [c for c in ALL if unicodedata.category(c) == "Cf"]
CONTROL = [c for c in ALL if unicodedata.category(c) == "Cc"]
SURROGATE = [chr(i) for i in range(0xD800, 0xE000)]
WHITESPACE = [c for c in ALL if c.isspace()]
NOT_PLAIN_SPACE = [c for c in WHITESPACE if c != " " and unicodedata.category(c) not in ("Cc", "Cf")]

# what a valid code is made of: visible characters (and the plain space inside), none forbidden
VISIBLE = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp"), blacklist_characters=CODE_FORBIDDEN)
VALID = st.builds(lambda first, middle, last: first + middle + last if middle else first,
                  VISIBLE, st.text(alphabet=st.one_of(VISIBLE, st.just(" ")), max_size=CODE_MAX_LENGTH - 2), VISIBLE)

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def test_the_categories_are_not_empty():
    """The tables the properties draw from hold what the names say (the ones this rule is about)."""
    assert {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad"} <= set(FORMAT)
    assert {"\t", "\n", "\r", "\x00", "\x7f", "\x85"} <= set(CONTROL)
    assert {"\u00a0", "\u2007", "\u3000", "\u2028", "\u2029"} <= set(NOT_PLAIN_SPACE)


@SETTINGS
@given(code=VALID, option=OPTIONS)
def test_a_valid_code_is_accepted_unchanged(code, option):
    assert code_problem(code) is None
    assert validate_code(code, option) is code


def _refused(code, option):
    with pytest.raises(ValidationError) as info:
        validate_code(code, option)
    message = str(info.value)
    assert message.startswith("%s '%s' " % (option, shown_code(code)))
    return message


@SETTINGS
@given(code=VALID, space=st.sampled_from(WHITESPACE), at_end=st.booleans(), option=OPTIONS)
def test_whitespace_at_either_end_is_refused(code, space, at_end, option):
    look_alike = code + space if at_end else space + code
    assert look_alike.strip() == code.strip()  # it reads as the valid code
    assert _refused(look_alike, option).endswith(" must not start or end with whitespace")


@SETTINGS
@given(code=VALID.filter(lambda c: len(c) >= 2), at=st.integers(min_value=1), space=st.sampled_from(NOT_PLAIN_SPACE),
       option=OPTIONS)
def test_whitespace_other_than_a_plain_space_inside_is_refused(code, at, space, option):
    at = 1 + at % (len(code) - 1)  # strictly inside
    message = _refused(code[:at] + space + code[at:], option)
    assert "contains the whitespace character U+%04X" % ord(space) in message
    assert "only the plain space (U+0020)" in message


@pytest.mark.parametrize("category, chars, words", [
    ("Cf", FORMAT, "an invisible formatting character"),
    ("Cc", [c for c in CONTROL if not c.isspace()], "a control character"),
    ("Cs", SURROGATE, "an unpaired surrogate code point"),
])
@SETTINGS
@given(data=st.data(), option=OPTIONS)
def test_an_invisible_code_point_anywhere_is_refused(category, chars, words, data, option):
    code = data.draw(VALID, "code")
    char = data.draw(st.sampled_from(chars), "char")
    at = data.draw(st.integers(min_value=0, max_value=len(code)), "at")
    look_alike = code[:at] + char + code[at:]
    message = _refused(look_alike, option)
    assert "contains %s U+%04X" % (words, ord(char)) in message, category
    assert char not in message  # shown escaped, so the message shows the difference
    assert "\\u%04x" % ord(char) in message or "\\x%02x" % ord(char) in message


@pytest.mark.parametrize("char, name", [
    ("\u200b", "ZERO WIDTH SPACE"), ("\u200c", "ZERO WIDTH NON-JOINER"), ("\u200d", "ZERO WIDTH JOINER"),
    ("\u2060", "WORD JOINER"), ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"), ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
])
def test_the_message_names_the_character(char, name):
    with pytest.raises(ValidationError) as info:
        validate_code("BIO" + char + "101", "code")
    assert str(info.value) == "code 'BIO\\u%04x101' contains an invisible formatting character U+%04X (%s)" % (
        ord(char), ord(char), name)


@pytest.mark.parametrize("code, message", [
    ("BIO101 ", "code 'BIO101 ' must not start or end with whitespace"),
    ("\tBIO101", "code '\\x09BIO101' must not start or end with whitespace"),
    ("BIO\t101", "code 'BIO\\x09101' contains the whitespace character U+0009; only the plain space (U+0020) may "
                 "appear inside a code"),
    ("BIO\u00a0101", "code 'BIO\\xa0101' contains the whitespace character U+00A0 (NO-BREAK SPACE); only the plain "
                     "space (U+0020) may appear inside a code"),
    ("BIO\x00101", "code 'BIO\\x00101' contains a control character U+0000"),
])
def test_exact_messages(code, message):
    with pytest.raises(ValidationError) as info:
        validate_code(code, "code")
    assert str(info.value) == message


@SETTINGS
@given(code=VALID, char=st.sampled_from(FORMAT))
def test_look_alikes_are_refused_before_the_length_and_character_rules(code, char):
    """A look-alike is named for what makes it look alike, whatever else is wrong with it."""
    long_one = (code * (CODE_MAX_LENGTH + 1))[:CODE_MAX_LENGTH + 1] + char + "#"
    assert "invisible formatting character" in code_problem(long_one)
