# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalisers shared by resources: both sides of a comparison go through the same one."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .errors import ValidationError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utc_datetime(value, option="date"):
    """Canonical ``UTCDateTime`` (``2026-01-31T23:59:59.000Z``) for an ISO 8601 input, or None.

    Accepts a date (midnight UTC), a date-time with ``Z`` or an offset (converted to UTC), with
    or without fractions of a second. A value without a zone is taken as UTC. The year always
    has four digits (``0999-...``, never ``999-...``), so canonical values also compare as text.
    A value that falls outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z once converted
    to UTC (``0001-01-01T00:00+05:00``) is refused, naming ``option``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if _DATE_ONLY.match(text):
            text += "T00:00:00"
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("%s: '%s' is not an ISO 8601 date or date-time such as "
                                  "2026-01-31T23:59:59Z" % (option, value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        parsed = parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # the offset moves it past year 1 or year 9999
        raise ValidationError("%s: '%s' falls outside the years 0001 to 9999 once converted to UTC; give a date "
                              "or date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z" % (option, value))
    # NOTE: never strftime("%Y"): it writes year 999 as "999" (glibc), not "0999"
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (parsed.year, parsed.month, parsed.day, parsed.hour,
                                                    parsed.minute, parsed.second, parsed.microsecond // 1000)


def basic_org_unit(block):
    """A ``Course.BasicOrgUnit`` as ``{id, code, name}`` (or None)."""
    if not block:
        return None
    return {"id": int(block["Identifier"]), "code": block.get("Code"), "name": block.get("Name")}
