# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""access_token goes in an HTTP header: anything but visible ASCII in it is refused before any
request, naming the option and never echoing the token (http.client raised a bare
UnicodeEncodeError for a character outside Latin-1: the module base's "unexpected error")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.d2l.brightspace.plugins.module_utils.auth import BearerAuth, check_header_secret
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceAuthError
from ansible_collections.d2l.brightspace.plugins.modules import d2l_api_info

from d2l_unit_helpers import BASE, run_module

VISIBLE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=60)
NOT_VISIBLE = st.characters(blacklist_categories=("Cs",)).filter(lambda c: not "\x21" <= c <= "\x7e")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(token=VISIBLE)
def test_visible_ascii_is_taken_as_it_is(token):
    assert BearerAuth(token).token is token


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(token=VISIBLE, char=NOT_VISIBLE, at=st.integers(min_value=0))
def test_anything_else_anywhere_is_refused_without_echoing_the_token(token, char, at):
    at = at % (len(token) + 1)
    bad = token[:at] + char + token[at:]
    with pytest.raises(BrightspaceAuthError) as info:
        check_header_secret(bad, "access_token")
    message = str(info.value)
    assert message.startswith("access_token holds ")
    assert "(U+%04X, character %d of %d)" % (ord(char), at + 1, len(bad)) in message
    # the message depends on the character and its place only, never on the token: the same as
    # for a token of x's (a substring test would fail on a token that is a piece of the message's
    # own words, such as "acce")
    stand_in = "x" * len(token)
    with pytest.raises(BrightspaceAuthError) as reference:
        check_header_secret(stand_in[:at] + char + stand_in[at:], "access_token")
    assert message == str(reference.value)


@pytest.mark.parametrize("token, what", [
    ("demo-token\n", "whitespace (U+000A, character 11 of 11)"),
    (" demo-token", "whitespace (U+0020, character 1 of 11)"),
    ("demo\x00token", "a control character (U+0000, character 5 of 10)"),
    ("d\u00e9mo-token", "a character outside visible ASCII (U+00E9, character 2 of 10)"),
    ("demo\u20actoken", "a character outside visible ASCII (U+20AC, character 5 of 10)"),
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_the_module_fails_before_any_request(http, tmp_path, token, what, check_mode):
    result = run_module(d2l_api_info.main, dict(brightspace_url=BASE, access_token=token,
                                                token_cache=str(tmp_path / "tokens.json")), check_mode=check_mode)
    assert result["failed"] is True
    assert result["msg"] == ("access_token holds %s; a bearer token is visible ASCII only: give it as issued, without "
                             "spaces or line breaks" % what)
    assert not http.calls
