# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalisers shared by resources: both sides of a comparison go through the same one."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .orgunits import ValidationError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utc_datetime(value, option="date"):
    """Canonical ``UTCDateTime`` (``2026-01-31T23:59:59.000Z``) for an ISO 8601 input, or None.

    Accepts a date (midnight UTC), a date-time with ``Z`` or an offset (converted to UTC), with
    or without fractions of a second. A value without a zone is taken as UTC.
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
    parsed = parsed.astimezone(timezone.utc)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (parsed.microsecond // 1000)


def basic_org_unit(block):
    """A ``Course.BasicOrgUnit`` as ``{id, code, name}`` (or None)."""
    if not block:
        return None
    return {"id": int(block["Identifier"]), "code": block.get("Code"), "name": block.get("Name")}
