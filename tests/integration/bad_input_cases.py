# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Certainly-invalid inputs for each module, as hypothesis strategies.

Each module has a valid argument set (``BASE``; its references are seeded by the emulator or made
by ``test_bad_input``'s setup) and a table of cases. A case replaces (or removes) some options of
the valid set with a bad value drawn by hypothesis, and says what the answer must be:

- ``options``: the option names the message must mention (any one of them);
- ``problem``: a regular expression the message must match (what is wrong);
- ``local``: the problem can be known without the service, so no request at all may be sent.

Every case also demands ``failed``, no traceback or exception repr and no write request.
Valid input is never called bad: unicode in names and codes is allowed by the reference (codes
forbid only ``\\ : * ? " < > | ' # , % &`` and more than 50 characters), so unicode appears here
only inside values that are wrong for another reason (a missing path, a number, a choice), or as
what makes a code look like another one (``LOOK_ALIKE_CODE``: whitespace at either end, a tab or
another whitespace character than the plain space inside, a control or invisible formatting
character anywhere), which the collection refuses before any request.
Neither is an id that names nothing in an info module (``d2l_course_info`` ``id``,
``d2l_artifact_info`` ``object_id``): an empty list is the right answer there. A blank path
is not bad either (``" "`` is a file name); an empty one is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hypothesis import strategies as st

from ansible.module_utils.parsing.convert_bool import BOOLEANS

INT32_MAX = 2 ** 31 - 1
SERVICE_KEY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "fixtures", "service-user", "private-key.pem"))
IDKEY = ("app_id", "app_key", "user_id", "user_key")
FORBIDDEN = "\\:*?\"<>|'#,%&"

# what a message says about each kind of problem
TYPE = r"convert|not a valid|must be|is of type|not a string|a list|a dict|integer|string"
CHOICE = r"one of"
EMPTY = r"empty|must|required"
NO_PATH = r"no such|not exist|does not|not found"
DIRECTORY = r"director"
NOT_POSITIVE = r"positive|negative|at least|greater than|must be"
NOT_FOUND = r"not found|not exist|no such|unknown|could not|cannot|no .+ (with|named|has)|has no|not a|positive|out of range|too large"
LONG = r"characters|long|at most"
FORBIDDEN_CHAR = r"forbidden|may not contain"
LOOK_ALIKE = r"must not start or end with whitespace|whitespace character U\+[0-9A-F]{4}|" \
             r"invisible formatting character U\+[0-9A-F]{4}|control character U\+[0-9A-F]{4}"
EXCLUSIVE = r"mutually exclusive"
URL = r"url"
DATE = r"ISO 8601|date"
OUT_OF_RANGE_DATE = r"outside the years 0001 to 9999"


USERS_UNCHECKED = (
    "the reference has no route to look a user up by id (only users/whoami), so an unknown user in "
    "target_users is found by POST import/new itself (the service refuses it with 404, nothing imported)")


class KnownIssue:
    """A case the product does not handle yet: the test is an expected failure with ``reason``."""

    def __init__(self, strategy, reason):
        self.strategy = strategy
        self.reason = reason


@dataclass
class Case:
    label: str
    set: dict = field(default_factory=dict)
    remove: tuple = ()
    options: tuple = ()
    problem: str = ""
    local: bool = True

    def args(self, base):
        args = dict(base)
        for name in self.remove:
            args.pop(name, None)
        args.update(self.set)
        return args


# -- value strategies ------------------------------------------------------------------------
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
SAFE_NAME = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
                    min_size=1, max_size=30).filter(lambda s: s not in (".", ".."))
CONTAINERS = st.one_of(st.lists(TEXT, min_size=0, max_size=3),
                       st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def _not_int(text):
    try:
        int(text)
    except (TypeError, ValueError):
        return True
    return False


def _not_float(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return True
    return False


def _not_bool(value):
    return not (isinstance(value, str) and value.strip().lower() in BOOLEANS)


NON_INT_TEXT = st.text(min_size=1, max_size=20).filter(lambda s: _not_int(s) and _not_float(s) and s.isprintable())
NAMES = TEXT.filter(lambda s: s.strip() and s.isprintable())
DICTS = st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2)
BAD_INT = st.one_of(NON_INT_TEXT, CONTAINERS,
                    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
BAD_FLOAT = st.one_of(NON_INT_TEXT, CONTAINERS)
BAD_BOOL = st.one_of(st.text(min_size=1, max_size=12).filter(_not_bool), CONTAINERS,
                     st.integers().filter(lambda n: n not in (0, 1)))
NEGATIVE = st.integers(max_value=-1)
NOT_POSITIVE_ID = st.integers(max_value=0)
HUGE = st.one_of(st.integers(min_value=INT32_MAX + 1, max_value=2 ** 63 - 1),
                 st.integers(min_value=2 ** 63, max_value=2 ** 80))
LONG_CODE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp"),
                                           blacklist_characters=FORBIDDEN),
                    min_size=51, max_size=300)
BAD_CODE = st.builds(lambda a, bad, b: a + bad + b,
                     st.text(alphabet="ABC-123é中", max_size=10), st.sampled_from(FORBIDDEN),
                     st.text(alphabet="xyz-9ü", max_size=10))
BLANK = st.sampled_from(["", " ", "  \t"])
# a valid code, and what makes another code read the same: whitespace at either end (a tab, a
# no-break space, ...), whitespace other than the plain space inside, or an inserted control or
# invisible formatting character (U+200B, U+FEFF, the bidi controls, a soft hyphen, ...)
_VISIBLE_CODE = st.text(alphabet="ABC-123_.é中xyz", min_size=1, max_size=12)
_WHITESPACE = st.one_of(st.sampled_from(["\t", "\n", "\r", "\x0b", "\x0c", " ", "\u00a0", "\u3000", "\u2028"]),
                        st.characters(whitelist_categories=("Zs", "Zl", "Zp")))
_INVISIBLE = st.one_of(st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u00ad"]),
                       st.characters(whitelist_categories=("Cf",)),
                       st.characters(whitelist_categories=("Cc",)))


def _offset(minutes):
    return "%s%02d:%02d" % ("+" if minutes > 0 else "-", abs(minutes) // 60, abs(minutes) % 60)


# a date-time on the first or the last day whose offset moves it out of years 1..9999 in UTC
# (0001-01-01T00:00+05:00, 9999-12-31T23:00-05:00): the conversion must not overflow
def _first_day(offset, local):
    """0001-01-01 at a local time before ``offset`` minutes past midnight, at UTC+offset."""
    local %= offset
    return "0001-01-01T%02d:%02d%s" % (local // 60, local % 60, _offset(offset))


def _last_day(offset, local):
    """9999-12-31 at a local time less than ``offset`` minutes before midnight, at UTC-offset."""
    local = 24 * 60 - 1 - local % offset
    return "9999-12-31T%02d:%02d:59.999%s" % (local // 60, local % 60, _offset(-offset))


EDGE_DATE = st.one_of(*(st.builds(edge, st.integers(min_value=1, max_value=24 * 60 - 1), st.integers(min_value=0))
                        for edge in (_first_day, _last_day)))


def _insert(code, char, at):
    at = at % (len(code) + 1)
    return code[:at] + char + code[at:]


def _inside(code, char, at):
    at = 1 + at % (len(code) - 1)
    return code[:at] + char + code[at:]


LOOK_ALIKE_CODE = st.one_of(
    st.builds(lambda code, space, end: code + space if end else space + code, _VISIBLE_CODE, _WHITESPACE, st.booleans()),
    st.builds(_inside, _VISIBLE_CODE.filter(lambda c: len(c) >= 2),
              _WHITESPACE.filter(lambda c: c != " "), st.integers(min_value=0)),
    st.builds(_insert, _VISIBLE_CODE, _INVISIBLE, st.integers(min_value=0)),
)


def bad_choice(choices):
    return st.one_of(TEXT.filter(lambda s: s not in choices), st.lists(st.sampled_from(choices), min_size=1, max_size=2))


def missing_path(tmp):
    return st.builds(lambda name: os.path.join(tmp, "no-such-dir", name), SAFE_NAME)


def regular_file(tmp):
    """A regular file in ``tmp`` (made on first use: the scratch directory exists once a test runs)."""
    path = os.path.join(tmp, "a-regular-file.txt")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("not a directory, not a certificate\n")
    return path


def below_a_file(tmp):
    """Paths whose directory is a regular file (``a-regular-file.txt/tokens.json``), at any depth."""
    return st.builds(lambda parts: os.path.join(regular_file(tmp), *parts),
                     st.lists(SAFE_NAME, min_size=1, max_size=3))


# host names no request can reach: urlsplit cannot read them, or a label is empty, too long, or
# holds whitespace or an invisible character (urllib3 or requests would raise, naming nothing)
BAD_HOST_URL = st.one_of(
    st.sampled_from(["http://[::1", "https://[fe80::1/", "https://a..b", "https://.school.example.com",
                     "https://exa mple.com", "https://school\u200b.example.com", "https://\u2603.example.com"]),
    st.builds(lambda n, tld: "https://%s.%s" % ("a" * n, tld), st.integers(min_value=64, max_value=300),
              st.sampled_from(["com", "example"])),
)
# digits str.isdigit takes but that are not 0-9: '²' (int() refuses it), '١٢' (int() reads 12)
OTHER_DIGITS = st.text(alphabet=st.characters(whitelist_categories=("Nd", "No")).filter(lambda c: not c.isascii()),
                       min_size=1, max_size=5)
NOT_AN_ID = OTHER_DIGITS.map(lambda digits: "id:" + digits)
NO_ID = r"not an id reference"
NOT_SECONDS = st.one_of(st.sampled_from([float("nan"), float("inf"), float("-inf"), "nan", "inf", "-inf"]),
                        st.floats(max_value=-0.0001, allow_nan=False, allow_infinity=False))
# more seconds than a sleep or a socket timeout can take (time_t overflows near 1e10); for a float
# option only numbers float() takes (ansible-core's own check_type_float overflows past 1e308)
TOO_MANY_SECONDS = st.one_of(st.floats(min_value=366 * 86400 + 1, allow_nan=False, allow_infinity=False),
                             st.integers(min_value=366 * 86400 + 1, max_value=10 ** 300))


# -- case builders -----------------------------------------------------------------------------
def one(label, option, values, problem, local=True, remove=(), options=None):
    return st.builds(lambda value: Case(label, {option: value}, remove, options or (option,), problem, local), values)


def wrong_str(option, **kw):
    return one("%s: a list or dict" % option, option, CONTAINERS, TYPE, **kw)


def wrong_int(option, **kw):
    return one("%s: not an integer" % option, option, BAD_INT, TYPE, **kw)


def wrong_bool(option, **kw):
    return one("%s: not a boolean" % option, option, BAD_BOOL, r"boolean|bool", **kw)


def wrong_choice(option, choices, **kw):
    return one("%s: not one of %s" % (option, choices), option, bad_choice(choices), CHOICE, **kw)


def empty(option, problem=EMPTY, **kw):
    return one("%s: empty" % option, option, BLANK, problem, **kw)


def negative_id(option, values=NOT_POSITIVE_ID, **kw):
    return one("%s: not positive" % option, option, values, NOT_POSITIVE, **kw)


def huge_id(option, **kw):
    kw.setdefault("local", False)
    return one("%s: huge" % option, option, HUGE, NOT_FOUND, **kw)


def list_of(option, values, problem, label, **kw):
    return one("%s: %s" % (option, label), option, st.lists(values, min_size=1, max_size=3), problem, **kw)


def exclusive(*options, values=None):
    return st.just(Case("%s together" % " and ".join(options), dict(values or {}), (), options, EXCLUSIVE))


def code_cases(option="code", **kw):
    return [
        wrong_str(option, **kw),
        empty(option, **kw),
        one("%s: over 50 characters" % option, option, LONG_CODE, LONG, **kw),
        one("%s: a forbidden character" % option, option, BAD_CODE, FORBIDDEN_CHAR, **kw),
        one("%s: a look-alike (whitespace, invisible characters)" % option, option, LOOK_ALIKE_CODE, LOOK_ALIKE, **kw),
    ]


def path_cases(option, tmp, directory_is_bad=True, **kw):
    cases = [one("%s: missing" % option, option, missing_path(tmp), NO_PATH, **kw),
             one("%s: empty" % option, option, st.just(""), EMPTY + "|" + NO_PATH, **kw)]
    if directory_is_bad:
        cases.append(st.just(Case("%s: a directory" % option, {option: tmp}, (), (option,), DIRECTORY)))
    return cases


def connection_cases(tmp):
    """The connection options, checked once (d2l_api_info): every module shares them."""
    return [
        one("brightspace_url: not http", "brightspace_url",
            st.one_of(BLANK.filter(bool), TEXT.filter(lambda s: not s.startswith(("http://", "https://")) and s.strip())), URL),
        wrong_str("brightspace_url"),
        one("brightspace_url: not a site root", "brightspace_url",
            st.builds(lambda host, rest: "https://%s%s" % (host, rest), st.sampled_from(["school.example.com", "127.0.0.1:9"]),
                      st.one_of(st.sampled_from(["/d2l", "/d2l/home/", "?a=b", "/#top", "/x?y=1#z", "?"]),
                                st.text(alphabet="abcxyz/", min_size=1, max_size=8).map(lambda s: "/" + s.strip("/") + "x"))),
            r"site's root|without a path"),
        one("brightspace_url: with a user name", "brightspace_url",
            st.sampled_from(["https://u:p@school.example.com", "https://admin@school.example.com"]), r"user name or password"),
        st.just(Case("client_secret without refresh_token", {"access_token": "", "client_id": "some-client",
                                                             "client_secret": "some-secret-value"},
                     (), ("private_key",), r"service user")),
        st.builds(lambda given: Case("service user incomplete", dict({"access_token": "", "private_key": "/no/such/key.pem"}, **given),
                                     (), tuple(n for n in ("client_id", "key_id", "scope") if n not in given), r"needs"),
                  st.dictionaries(st.sampled_from(("client_id", "key_id", "scope")), st.just("value-x"), max_size=2)),
        one("private_key: not a key", "private_key", st.sampled_from(["not-a-pem-key-at-all", "/no/such/key.pem",
                                                                      "-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n"]),
            r"private_key", remove=("access_token",)).map(
                lambda c: _with(c, access_token="", client_id="demo-service", key_id="demo-service-key-1", scope="core:*:*")),
        one("brightspace_url: a host no request reaches", "brightspace_url", BAD_HOST_URL, r"not a valid URL|host name"),
        one("token_url: a host no request reaches", "token_url", BAD_HOST_URL, r"not a valid URL|host name",
            remove=("access_token",)).map(
                lambda c: _with(c, access_token="", client_id="demo-service", key_id="demo-service-key-1", scope="core:*:*",
                                private_key=SERVICE_KEY)),
        one("token_cache: a directory", "token_cache", st.just(tmp), DIRECTORY),
        one("token_cache: below a regular file", "token_cache", below_a_file(tmp), r"is a file, not a directory"),
        one("token_cache: a NUL character", "token_cache",
            st.builds(lambda a, b: os.path.join(tmp, a + "\x00" + b), SAFE_NAME, SAFE_NAME), r"NUL"),
        one("token_cache: a directory (a refresh token)", "token_cache", st.just(tmp), DIRECTORY,
            remove=("access_token",)).map(
                lambda c: _with(c, access_token="", refresh_token="demo-refresh", client_id="demo-client",
                                client_secret="demo-secret")),
        one("token_cache: below a regular file (a service user)", "token_cache", below_a_file(tmp),
            r"is a file, not a directory", remove=("access_token",)).map(
                lambda c: _with(c, access_token="", client_id="demo-service", key_id="demo-service-key-1", scope="core:*:*",
                                private_key=SERVICE_KEY)),
        one("ca_path: missing", "ca_path", missing_path(tmp), NO_PATH),
        one("ca_path: not a CA bundle", "ca_path", st.builds(lambda _: regular_file(tmp), st.just(None)),
            r"no PEM certificate"),
        one("ca_path: below a regular file", "ca_path", below_a_file(tmp), r"cannot read|not a directory"),
        wrong_bool("validate_certs"),
        one("timeout: not a number", "timeout", BAD_FLOAT, TYPE),
        one("timeout: not a positive finite number", "timeout", st.one_of(NOT_SECONDS, st.just(0), TOO_MANY_SECONDS),
            r"finite number of seconds"),
        one("retry_budget: not a number", "retry_budget", BAD_FLOAT, TYPE),
        one("retry_budget: not a finite number of 0 or more", "retry_budget", st.one_of(NOT_SECONDS, TOO_MANY_SECONDS),
            r"finite number of seconds"),
        one("api_versions: not a dict", "api_versions", st.one_of(st.lists(TEXT, min_size=1, max_size=2),
                                                                  NON_INT_TEXT.filter(lambda s: "=" not in s)),
            TYPE + "|dict"),
        one("api_versions: not a version", "api_versions",
            st.fixed_dictionaries({"lp": NON_INT_TEXT.filter(lambda s: not s.replace(".", "").isdigit())}),
            r"api_versions\.lp|version", options=("api_versions",)),
        st.just(Case("access_token: no credentials", {"access_token": ""}, (), ("access_token",), r"credentials")),
        one("access_token: not visible ASCII", "access_token",
            st.builds(_insert, st.just("demo-token"), st.characters(blacklist_categories=("Cs",)).filter(
                lambda c: not "\x21" <= c <= "\x7e"), st.integers(min_value=0)), r"visible ASCII only"),
        st.just(Case("refresh_token without client", {"access_token": "", "refresh_token": "x"}, (),
                     ("client_id",), r"needs")),
        st.builds(lambda given: Case("ID-key incomplete", dict({"access_token": ""}, **given), (),
                                     tuple(n for n in IDKEY if n not in given), r"needs"),
                  st.dictionaries(st.sampled_from(IDKEY), st.just("x"), min_size=1, max_size=3)),
    ]


def wait_cases():
    return [wrong_bool("wait"), wrong_int("wait_timeout"), one("poll_interval: not a number", "poll_interval", BAD_FLOAT, TYPE),
            one("wait_timeout: negative", "wait_timeout", NEGATIVE, r"negative").map(lambda c: _with(c, wait=True)),
            one("poll_interval: negative", "poll_interval", st.floats(max_value=-0.001, allow_infinity=False),
                r"negative").map(lambda c: _with(c, wait=True)),
            one("poll_interval: not finite or over a day", "poll_interval",
                st.one_of(st.sampled_from([float("nan"), float("inf"), "nan", "inf"]),
                          st.floats(min_value=86400.001, allow_nan=False, allow_infinity=False)),
                r"a number|finite number of seconds").map(lambda c: _with(c, wait=True)),
            one("wait_timeout: over a year", "wait_timeout", st.integers(min_value=366 * 86400 + 1, max_value=10 ** 400),
                r"finite number of seconds").map(lambda c: _with(c, wait=True))]


def build(tmp, package, portfolio):
    """``{module: (base args, [case strategies])}``; ``tmp`` is a scratch directory."""
    dest = os.path.join(tmp, "out")
    return {
        "d2l_api_info": ({}, [wrong_bool("whoami")] + connection_cases(tmp)),
        "d2l_catalog": (
            {"offerings": [{"code": "BADIN-CAT", "name": "Catalogue ☃", "template": "BADIN-CAT-TPL"}],
             "semesters": [{"code": "BADIN-CAT-SEM", "name": "Semestre ☃"}], "concurrency": 2},
            [
                one("offerings: an item's code with a forbidden character", "offerings",
                    st.builds(lambda code: [{"code": code, "name": "x"}], BAD_CODE), FORBIDDEN_CHAR),
                one("offerings: an item's code a look-alike", "offerings",
                    st.builds(lambda code: [{"code": code, "name": "x"}], LOOK_ALIKE_CODE), LOOK_ALIKE),
                one("offerings: an item's template not positive", "offerings",
                    st.builds(lambda n: [{"code": "BADIN-CAT", "template": n}], NOT_POSITIVE_ID), NOT_POSITIVE),
                one("offerings: an item's dates", "offerings",
                    st.builds(lambda d: [{"code": "BADIN-CAT", "start_date": d}],
                              st.sampled_from(["2026-13-01", "yesterday", "01/09/2026"])), DATE),
                one("offerings: items that are not dicts", "offerings",
                    st.lists(st.one_of(st.integers(), st.lists(st.integers(), max_size=2)), min_size=1, max_size=2), TYPE),
                one("offerings: an item without its code", "offerings", st.just([{"name": "x"}]), r"code"),
                one("offerings: a code twice", "offerings",
                    st.just([{"code": "BADIN-CAT-2"}, {"code": "badin-cat-2"}]), r"again"),
                one("semesters: an item's name empty", "semesters",
                    st.builds(lambda blank: [{"code": "BADIN-CAT-SEM", "name": blank}], BLANK), EMPTY),
                wrong_int("concurrency"),
                one("concurrency: not positive", "concurrency", NOT_POSITIVE_ID, NOT_POSITIVE),
                wrong_bool("purge"),
                one("src: not an orgs file", "src", st.builds(lambda _: regular_file(tmp), st.just(None)),
                    r"header of a D2L Standard CSV"),
            ] + path_cases("src", tmp)),
        "d2l_org_unit": (
            {"code": "BADIN-SEM", "type": "Semester", "name": "Semestre d'automne ☃"},
            code_cases() + [
                wrong_str("type"), empty("type"),
                wrong_str("name"), empty("name"),
                wrong_choice("state", ["present", "absent"]),
                list_of("parents", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive ids"),
                list_of("parents", st.one_of(CONTAINERS, st.booleans(), st.floats(allow_nan=False)), TYPE, "not ids"),
                one("parents: not a list", "parents", st.dictionaries(st.text(min_size=1, max_size=4), st.integers(), min_size=1, max_size=2), TYPE),
                list_of("parents", LONG_CODE, LONG, "oversized codes"),
                list_of("parents", BAD_CODE, FORBIDDEN_CHAR, "forbidden characters"),
                list_of("parents", LOOK_ALIKE_CODE, LOOK_ALIKE, "look-alike codes"),
                list_of("parents", NOT_AN_ID, NO_ID, "id: with other digits than 0-9"),
                list_of("parents", HUGE, NOT_FOUND, "huge ids", local=False),
                one("type: unknown", "type", st.sampled_from(["Semestre", "Semesters", "Départment"]),
                    r"type", local=False),
                one("type: not a custom type", "type",
                    st.sampled_from(["Organization", "Course Offering", "course template"]), r"not a custom"),
            ]),
        "d2l_course_template": (
            {"code": "BADIN-TPL2", "name": "Modèle ✓"},
            code_cases() + [
                wrong_str("name"), empty("name"), wrong_str("path"),
                wrong_choice("state", ["present", "absent"]),
                list_of("parent_org_units", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive ids"),
                list_of("parent_org_units", st.one_of(CONTAINERS, st.floats(allow_nan=False)), TYPE, "not ids"),
                list_of("parent_org_units", st.one_of(LONG_CODE, BAD_CODE), LONG + "|" + FORBIDDEN_CHAR, "bad codes"),
                list_of("parent_org_units", LOOK_ALIKE_CODE, LOOK_ALIKE, "look-alike codes"),
                list_of("parent_org_units", NOT_AN_ID, NO_ID, "id: with other digits than 0-9"),
                list_of("parent_org_units", HUGE, NOT_FOUND, "huge ids", local=False),
            ]),
        "d2l_course": (
            {"code": "BADIN-NEW", "name": "Biologie 101 ✓", "template": "BADIN-TPL", "start_date": "2026-09-01"},
            code_cases() + [
                wrong_str("name"), empty("name"),
                one("template: a list or dict", "template", CONTAINERS, TYPE),
                one("semester: a list or dict", "semester", CONTAINERS, TYPE),
                negative_id("template"), negative_id("semester"),
                empty("template"),
                huge_id("template"), huge_id("semester"),
                one("template: oversized code", "template", LONG_CODE, LONG),
                one("semester: a forbidden character", "semester", BAD_CODE, FORBIDDEN_CHAR),
                one("template: a look-alike code", "template", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("semester: a look-alike code", "semester", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("template: id: with other digits than 0-9", "template", NOT_AN_ID, NO_ID),
                one("semester: id: with other digits than 0-9", "semester", NOT_AN_ID, NO_ID),
                one("start_date: not a date", "start_date", NON_INT_TEXT.filter(lambda s: not s[:1].isdigit()), DATE),
                wrong_str("start_date"),
                one("start_date: out of years 1..9999 in UTC", "start_date", EDGE_DATE, OUT_OF_RANGE_DATE),
                one("end_date: out of years 1..9999 in UTC", "end_date", EDGE_DATE, OUT_OF_RANGE_DATE),
                st.just(Case("end_date before start_date", {"end_date": "2026-08-01"}, (), ("end_date", "start_date"), r"before")),
                wrong_int("locale_id"), negative_id("locale_id", values=NEGATIVE),
                wrong_bool("is_active"),
                wrong_choice("state", ["present", "absent"]),
            ]),
        "d2l_course_info": (
            {"code": "BADIN-CRS"},
            [
                wrong_choice("kind", ["offering", "template"]),
                one("id: not an integer", "id", BAD_INT, TYPE, remove=("code",)),
                negative_id("id", remove=("code",)),
                wrong_int("limit"),
                one("limit: negative", "limit", NEGATIVE, NOT_POSITIVE + "|negative"),
                wrong_str("code"), wrong_str("name_contains", remove=("code",)),
                one("code: a look-alike code", "code", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("code: a forbidden character", "code", BAD_CODE, FORBIDDEN_CHAR),
                wrong_bool("details"),
                exclusive("id", "code", values={"id": 6607}),
                exclusive("code", "code_contains", values={"code_contains": "BAD"}),
            ]),
        "d2l_copy_job": (
            {"source": "BADIN-MASTER", "target": "BADIN-CRS", "components": ["Content"], "wait": False},
            [
                one("source: a list or dict", "source", CONTAINERS, TYPE),
                one("target: a list or dict", "target", CONTAINERS, TYPE),
                negative_id("source"), negative_id("target"),
                empty("source"), empty("target"),
                huge_id("target"),
                one("source: oversized code", "source", LONG_CODE, LONG),
                one("target: a forbidden character", "target", BAD_CODE, FORBIDDEN_CHAR),
                one("source: a look-alike code", "source", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("target: a look-alike code", "target", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("source: id: with other digits than 0-9", "source", NOT_AN_ID, NO_ID),
                one("target: id: with other digits than 0-9", "target", NOT_AN_ID, NO_ID),
                one("components: unknown", "components", st.lists(NAMES.map(lambda s: "No" + s), min_size=1, max_size=3), r"component"),
                one("components: empty", "components", st.just([]), EMPTY),
                one("components: not a list of names", "components", st.lists(DICTS, min_size=1, max_size=2), TYPE + "|component"),
                one("callback_url: not a URL", "callback_url", TEXT.filter(lambda s: not s.startswith(("http://", "https://"))), URL),
                one("callback_url: a host no request reaches", "callback_url", BAD_HOST_URL, r"not a valid URL|host name"),
                empty("job_token"),
                wrong_str("job_token"),
            ] + wait_cases()),
        "d2l_course_import": (
            {"target": "BADIN-CRS", "src": package, "wait": False},
            path_cases("src", tmp) + [
                one("target: a list or dict", "target", CONTAINERS, TYPE),
                negative_id("target"), empty("target"), huge_id("target"),
                one("target: oversized code", "target", LONG_CODE, LONG),
                one("target: a look-alike code", "target", LOOK_ALIKE_CODE, LOOK_ALIKE),
                one("target: id: with other digits than 0-9", "target", NOT_AN_ID, NO_ID),
                one("callback_url: not a URL", "callback_url", TEXT.filter(lambda s: not s.startswith(("http://", "https://"))), URL),
                one("src: not a zip", "src", st.just(portfolio + ".txt"), r"zip"),
                empty("job_token", remove=("src",)),
                st.just(Case("neither src nor job_token", {}, ("src",), ("src", "job_token"), r"one of")),
            ] + wait_cases()),
        "d2l_artifact": (
            {"kind": "link", "name": "Lien ✓", "url": "https://example.com/ok"},
            [
                wrong_choice("kind", ["link", "file"]),
                wrong_choice("upload", ["auto", "simple", "resumable"]),
                wrong_choice("state", ["present", "absent"]),
                one("object_id: not an integer", "object_id", BAD_INT, TYPE),
                negative_id("object_id"),
                huge_id("object_id", remove=("name",)),
                wrong_str("name"), empty("name", remove=("object_id",)),
                one("url: not a URL", "url", TEXT.filter(lambda s: not s.startswith(("http://", "https://"))), URL),
                wrong_str("url"),
                one("chunk_size: below 1024", "chunk_size", st.integers(max_value=1023), r"chunk_size",
                    remove=("url",)).map(lambda c: _with(c, kind="file", src=package)),
                wrong_int("chunk_size"),
                wrong_bool("allow_comments"),
                one("src: missing", "src", missing_path(tmp), NO_PATH, remove=("url",),
                    options=("src",)).map(lambda c: _with(c, kind="file")),
                st.just(Case("src: a directory", {"kind": "file", "src": tmp}, ("url",), ("src",), DIRECTORY)),
                st.just(Case("object_id and name missing", {}, ("name",), ("object_id", "name"), r"one of|give")),
            ]),
        "d2l_artifact_info": (
            {},
            [
                one("object_id: not an integer", "object_id", BAD_INT, TYPE),
                negative_id("object_id"),
                wrong_choice("kind", ["link", "file"]),
                wrong_str("name"),
                wrong_bool("comments"),
                exclusive("object_id", "name", values={"object_id": 9001, "name": "x"}),
            ]),
        "d2l_ep_export": (
            {"all": True, "dest": os.path.join(dest, "portfolio.zip"), "wait": False},
            path_cases("dest", tmp, directory_is_bad=False) + [
                list_of("object_ids", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive", remove=("all",)),
                list_of("object_ids", BAD_INT, TYPE, "not integers", remove=("all",)),
                one("object_ids: empty", "object_ids", st.just([]), EMPTY, remove=("all",)),
                exclusive("object_ids", "all", values={"object_ids": [9001]}),
                one("export_id: not an integer", "export_id", BAD_INT, TYPE),
                negative_id("export_id"),
                huge_id("export_id"),
                wrong_bool("all"),
                wrong_bool("force"),
            ] + wait_cases()),
        "d2l_ep_import": (
            {"src": portfolio, "wait": False},
            path_cases("src", tmp) + [
                one("src: not a zip", "src", st.just(portfolio + ".txt"), r"zip"),
                list_of("target_users", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive"),
                list_of("target_users", BAD_INT, TYPE, "not integers"),
                one("target_users: empty", "target_users", st.just([]), EMPTY),
                KnownIssue(list_of("target_users", HUGE, NOT_FOUND + "|user", "huge", local=False), USERS_UNCHECKED),
                wrong_bool("details"), wrong_bool("allow_partial"),
            ] + wait_cases()),
        "d2l_lr_download": (
            {"object_id": 1001, "dest": os.path.join(dest, "quiz.zip")},
            path_cases("dest", tmp, directory_is_bad=False) + [
                one("object_id: not an integer", "object_id", BAD_INT, TYPE),
                negative_id("object_id"), huge_id("object_id"),
                negative_id("version"), huge_id("version"),
                wrong_int("version"),
                wrong_choice("what", ["package", "file"]),
            ]),
        "d2l_lr_object": (
            {"repository": 1, "object_id": 1001, "description": "Déscription ✓"},
            [
                one("repository: a list or dict", "repository", CONTAINERS, TYPE + "|repository"),
                negative_id("repository"), empty("repository"),
                one("repository: other digits than 0-9", "repository", OTHER_DIGITS, NOT_FOUND, local=False),
                one("object_id: not an integer", "object_id", BAD_INT, TYPE),
                negative_id("object_id"), huge_id("object_id"),
                negative_id("version"), negative_id("owner_id"),
                wrong_choice("status", ["Draft", "InReview", "Approved", "Archived", "Unassigned"]),
                wrong_choice("upload", ["auto", "simple", "resumable"]),
                wrong_choice("content_check", ["none", "download"]),
                wrong_choice("state", ["present", "absent"]),
                one("chunk_size: below 1024", "chunk_size", st.integers(max_value=1023), r"chunk_size"),
                one("title: empty", "title", BLANK, EMPTY, remove=("object_id",)),
                wrong_str("title"), wrong_str("description"),
                list_of("keywords", st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2), TYPE, "dicts"),
                wrong_bool("hidden_from_search"),
                one("src: missing", "src", missing_path(tmp), NO_PATH),
                st.just(Case("src: a directory", {"src": tmp}, (), ("src",), DIRECTORY)),
            ]),
        "d2l_lr_object_info": (
            {"query": "dc.title == \"Seeded quiz\"", "repositories": [1]},
            [
                wrong_str("query"),
                one("object_id: not an integer", "object_id", BAD_INT, TYPE, remove=("repositories",)),
                negative_id("object_id", remove=("repositories",)),
                huge_id("object_id", remove=("repositories",)),
                negative_id("version"),
                one("offset: negative", "offset", NEGATIVE, NOT_POSITIVE + "|offset"),
                one("limit: negative", "limit", NEGATIVE, NOT_POSITIVE),
                one("page_size: out of range", "page_size", st.one_of(NOT_POSITIVE_ID, st.integers(min_value=10 ** 6)), r"between|page_size"),
                wrong_int("page_size"),
                list_of("repositories", NOT_POSITIVE_ID, NOT_POSITIVE + "|repositor", "not positive"),
                list_of("repositories", CONTAINERS, TYPE + "|repositor", "not ids"),
                list_of("repositories", OTHER_DIGITS, NOT_FOUND, "other digits than 0-9", local=False),
                exclusive("object_id", "repositories", values={"object_id": 1001}),
                wrong_bool("properties"),
            ]),
        "d2l_lr_repository_info": (
            {"type": "Local"},
            [
                wrong_choice("type", ["Local", "Metadata", "Federated", "All"]),
                negative_id("org_unit_id"),
                wrong_int("org_unit_id"),
                list_of("trusts", TEXT.filter(lambda s: s.strip()).map(lambda s: "No" + s), r"trust", "unknown"),
                list_of("org_units", BAD_INT, TYPE, "not integers", remove=("type",)),
                # org_units and roles filter one repository's trusts: they require repository
                list_of("org_units", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive", remove=("type",)).map(
                    lambda c: _with(c, repository=1)),
                list_of("roles", NOT_POSITIVE_ID, NOT_POSITIVE, "not positive", remove=("type",)).map(
                    lambda c: _with(c, repository=1)),
                one("org_units: without repository", "org_units", st.just([6606]), r"required by 'org_units': repository",
                    remove=("type",)),
                one("repository: a list or dict", "repository", CONTAINERS, TYPE + "|repository", remove=("type",)),
                negative_id("repository", remove=("type",)),
                one("repository: other digits than 0-9", "repository", OTHER_DIGITS, NOT_FOUND, local=False, remove=("type",)),
                huge_id("repository", remove=("type",)),
            ]),
    }


def _with(case, **values):
    case.set.update(values)
    return case
