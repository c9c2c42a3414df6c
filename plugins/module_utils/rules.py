# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The declared value rules of a module's options, checked before any request: one place for
every adapter (``module.BrightspaceModule``, and the catalog for each of its items). Nothing
here imports Ansible."""

from __future__ import annotations

import math

from .errors import ValidationError
from .orgunits import id_of_reference, shown_code, validate_code


def value_problems(spec, given, params, ids=(), non_empty=(), non_negative=(), codes=(), positive=(), minimums=None):
    """What is wrong with the option values beyond their declared types, one sentence each.

    AnsibleModule converts anything given to a ``str`` option into a string (a list becomes
    ``"['a']"``), so the values as given are checked here: a list or dict for a string is an
    error. Then the declared rules (see ``BrightspaceModule``).
    """
    found = []
    mistyped = set()  # already wrong: its text (a list's repr) is no code to check
    for name, option in spec.items():
        value = given.get(name)
        kind = option.get("type", "str")
        shown = "" if option.get("no_log") else ": %r" % (value,)  # a secret is never echoed
        if kind == "str" and isinstance(value, (list, dict)):
            found.append("%s must be a string, got a %s%s" % (name, type(value).__name__, shown))
            mistyped.add(name)
        elif kind == "list" and option.get("elements") == "str" and isinstance(value, list) and \
                any(isinstance(item, (list, dict)) for item in value):
            found.append("%s must be a list of strings, got a list with a list or dict in it%s" % (name, shown))
    for name in ids:
        value = params.get(name)
        for item in (value or []) if spec[name].get("type") == "list" else [value]:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                found.append("%s must be an id (a positive integer) or a code or name (a string), got %r" % (name, item))
            elif isinstance(item, int) and item < 1:
                found.append("%s must be a positive id, got %d" % (name, item))
            elif isinstance(item, str) and not item.strip():
                found.append("%s must not be empty" % name)
            else:
                continue
            break
    for name in positive:  # numbers that count from 1 (a version, an owner's user id)
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            found.append("%s must be a positive number, got %d" % (name, value))
    for name, (minimum, unit) in sorted((minimums or {}).items()):  # a chunk size
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
            found.append("%s must be at least %d %s, got %d" % (name, minimum, unit, value))
    for name in non_empty:
        value = params.get(name)
        if isinstance(value, str) and not value.strip():
            found.append("%s must not be empty" % name)
    for name in non_negative:
        value = params.get(name)
        if isinstance(value, float) and math.isnan(value):
            found.append("%s must be a number, got nan" % name)
        elif value is not None and value < 0:
            found.append("%s must not be negative, got %s" % (name, value))
    for name in codes:  # codes, and references by code: a code no org unit can have is known here, in check mode too
        if name in mistyped:
            continue
        value = params.get(name)
        reference = spec[name].get("type") == "raw" or spec[name].get("elements") == "raw"  # an id or a code
        for item in (value or []) if spec[name].get("type") == "list" else [value]:
            if not isinstance(item, str) or (reference and not item.strip()):  # a blank reference: ids= says so
                continue
            if reference and item.startswith("id:") and id_of_reference(item) is None:
                found.append("%s '%s' is not an id reference: id: must be followed by the digits 0-9 only"
                             % (name, shown_code(item)))
                break
            if not (reference and id_of_reference(item) is not None):
                try:
                    validate_code(item, name)
                except ValidationError as exc:
                    found.append(str(exc))
                    break
    return found


def ignored_options(only_if, given, params):
    """The declared ``only_if`` rules, ``[(option, value, (names, ...))]``: each of ``names``
    has an effect only when ``option`` is ``value``. One given (not defaulted) where it has none
    is a warning naming both, never silently ignored."""
    warnings = []
    for option, value, names in only_if:
        if params.get(option) == value:
            continue
        for name in names:
            if given.get(name) is not None:
                warnings.append("%s has no effect unless %s is %s (it is %s here): it was ignored"
                                % (name, option, value, params.get(option)))
    return warnings
