# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Org units: their types, look-ups by code, and id-or-code references.

NOTES.md, "Finding a course by its Code": codes are the natural key a playbook uses; type ids
come from ``outypes/`` and are never hard-coded. Update, parent and delete routes used here are
the real Valence org structure routes (not in ROUTES.txt, which lists only lookup and create).
"""

from __future__ import annotations

import unicodedata

from .ensure import Resource, predicted
from .errors import BrightspaceError, NotFoundError, UnknownIdError, ValidationError
from .paging import paged_result_set
from .recyclebin import Recyclable

# NOTES.md: "Org unit codes are at most 50 characters and may not contain \ : * ? " < > | ' # , % &"
CODE_MAX_LENGTH = 50
CODE_FORBIDDEN = '\\:*?"<>|\'#,%&'

# Org unit type codes as the service names them (matched case-insensitively against Code or Name).
COURSE_OFFERING = "Course Offering"
COURSE_TEMPLATE = "Course Template"
ORGANIZATION = "Organization"


# What makes two codes look alike, or a code look like no code: checked before the service's own
# rules, so a look-alike never names another org unit. The service compares codes as text: a code
# with a trailing space, a tab or a zero-width character is another code that reads the same.
_INVISIBLE = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "an unpaired surrogate code point",
}


def _char_name(char):
    name = unicodedata.name(char, "")
    return "U+%04X%s" % (ord(char), " (%s)" % name if name else "")


def shown_code(code):
    """``code`` for a message: what cannot be seen (controls, format characters, whitespace other
    than a plain space) written as ``\\uXXXX``, so a message shows the difference."""
    return "".join(char if char == " " or not (char.isspace() or unicodedata.category(char) in _INVISIBLE)
                   else "\\x%02x" % ord(char) if ord(char) < 0x100 else "\\u%04x" % ord(char) for char in code)


def code_problem(code):
    """Why ``code`` is not a code a playbook may name, in words, or None.

    Beyond the service's rules (at most ``CODE_MAX_LENGTH`` characters, none of
    ``CODE_FORBIDDEN``): no whitespace at either end, no whitespace other than the plain space
    (U+0020) inside, and no control (Cc), invisible formatting (Cf, such as U+200B ZERO WIDTH
    SPACE, U+FEFF or the bidirectional controls) or surrogate (Cs) code point anywhere.
    """
    if code[0].isspace() or code[-1].isspace():
        return "must not start or end with whitespace"
    for char in code:
        if char.isspace() and char != " ":
            return ("contains the whitespace character %s; only the plain space (U+0020) may appear inside a code"
                    % _char_name(char))
        kind = _INVISIBLE.get(unicodedata.category(char))
        if kind:
            return "contains %s %s" % (kind, _char_name(char))
    if len(code) > CODE_MAX_LENGTH:
        return "is %d characters long; org unit codes are at most %d" % (len(code), CODE_MAX_LENGTH)
    bad = sorted(set(c for c in code if c in CODE_FORBIDDEN))
    if bad:
        return ("contains the forbidden character(s) %s; org unit codes may not contain any of %s"
                % (" ".join(bad), " ".join(CODE_FORBIDDEN)))
    return None


def validate_code(code, option="code"):
    """Raise ``ValidationError`` naming ``option`` if ``code`` breaks the code rules (``code_problem``).

    The one place every code, and every reference to an org unit by code, is checked: the
    modules' ``code`` options (``Resource.desired``) and the declared ``codes`` of
    ``BrightspaceModule`` (``module.value_problems``).
    """
    if not isinstance(code, str) or not code.strip():
        raise ValidationError("%s must be a non-empty string" % option)
    problem = code_problem(code)
    if problem:
        raise ValidationError("%s '%s' %s" % (option, shown_code(code), problem))
    return code


def ascii_digits(text):
    """Whether ``text`` is a run of the digits 0-9. ``str.isdigit`` also takes ``'²'`` (which
    ``int`` refuses) and ``'١٢'`` (which ``int`` reads as 12): neither is an id a playbook means."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def id_of_reference(ref):
    """The org unit id a reference names (an integer, or a string ``id:123``), or None for a code."""
    if is_id_reference(ref):
        return int(ref)
    if isinstance(ref, str) and ref.startswith("id:") and ascii_digits(ref[3:]):
        return int(ref[3:])
    return None


def as_id(value):
    """D2LIDs arrive as numbers or strings (NOTES.md, "Types"): compare them as integers."""
    if value is None or value == "":
        return None
    return int(value)


def is_id_reference(ref):
    """An integer (or a string of the form ``id:123``) is an org unit id; any other string is a code.

    YAML ``template: 6606`` is an id and ``template: "6606"`` a code, since codes may be digits.
    """
    return isinstance(ref, int) and not isinstance(ref, bool)


class OrgUnitsApi:
    def __init__(self, client):
        self.client = client
        self._types = None

    def route(self, template, *args):
        return self.client.route("lp", template, *args)

    # -- types ----------------------------------------------------------------------------
    def types(self):
        if self._types is None:
            cached = self.client.discovery.get("outypes")
            if cached is None:
                cached = self.client.get_json(self.route("outypes/")) or []
                self.client.discovery.put("outypes", cached)
            self._types = cached
        return self._types

    def type_info(self, name):
        """The OrgUnitType block whose Code or Name is ``name`` (case-insensitive)."""
        wanted = str(name).strip().lower()
        for item in self.types():
            if wanted in (str(item.get("Code", "")).lower(), str(item.get("Name", "")).lower()):
                return item
        known = ", ".join(sorted(str(item.get("Code")) for item in self.types()))
        raise ValidationError("unknown org unit type '%s'; the service knows: %s" % (name, known))

    def type_id(self, name):
        return int(self.type_info(name)["Id"])

    # -- look-ups -------------------------------------------------------------------------
    def find_by_code(self, code, type_name=None):
        """OrgUnitProperties of the org unit with exactly this code (and type), or None."""
        params = {"exactOrgUnitCode": code}
        if type_name:
            params["orgUnitType"] = self.type_id(type_name)
        found = list(paged_result_set(self.client, self.route("orgstructure/"), params))
        # exactOrgUnitCode is case-insensitive on the service; the natural key is the code as given
        exact = [item for item in found if item.get("Code") == code] or found
        if len(exact) > 1:
            raise BrightspaceError("org unit code '%s' is ambiguous: %d org units of %s have it (ids %s)"
                                   % (code, len(exact), "type " + type_name if type_name else "any type",
                                      ", ".join(str(i.get("Identifier")) for i in exact)))
        return exact[0] if exact else None

    def search(self, type_name=None, code_contains=None, name_contains=None, limit=None):
        params = {}
        if type_name:
            params["orgUnitType"] = self.type_id(type_name)
        if code_contains:
            params["orgUnitCode"] = code_contains
        if name_contains:
            params["orgUnitName"] = name_contains
        return list(paged_result_set(self.client, self.route("orgstructure/"), params, limit=limit))

    def get(self, org_unit_id):
        return self.client.get_or_none(self.route("orgstructure/{}", org_unit_id))

    def root(self):
        """The organization (root) org unit: the default parent of new org units."""
        found = self.search(ORGANIZATION, limit=1)
        if not found:
            raise BrightspaceError("the service lists no org unit of type %s" % ORGANIZATION)
        return found[0]

    @staticmethod
    def check_reference(ref, option="org unit"):
        """Raise ``ValidationError`` unless ``ref`` can name an org unit (an id or a code); no request."""
        if is_id_reference(ref) or (isinstance(ref, str) and ref):
            return ref
        raise ValidationError("%s must be an org unit id (integer) or code (string), got %r" % (option, ref))

    def resolve(self, ref, type_name=None, option="org unit", verify=False):
        """Org unit id for ``ref`` (an id, or a code looked up within ``type_name``).

        ``verify``: an id is read first (``orgstructure/{id}``) and must name an org unit of
        ``type_name``, so a write that would reference it is never sent for nothing.
        """
        org_unit_id = id_of_reference(ref)
        if org_unit_id is not None:
            if verify:
                self.check_id(org_unit_id, type_name, option)
            return org_unit_id
        self.check_reference(ref, option)
        memo = getattr(self.client, "references", None)  # a catalog run: each code looked up once
        key = ((type_name or "").casefold(), ref)
        if memo is not None and key in memo:
            return memo[key]
        planned = getattr(self.client, "planned", None)  # a catalog planning what it creates: not there yet
        if planned is not None and planned(type_name, ref):
            raise NotFoundError("%s: no %s with code '%s' exists yet" % (option, type_name or "org unit", ref),
                                type_name=type_name, code=ref)
        found = self.find_by_code(ref, type_name)
        if found is None:
            raise NotFoundError("%s: no %s with code '%s' exists" % (option, type_name or "org unit", ref),
                                type_name=type_name, code=ref)
        if memo is not None:
            memo[key] = int(found["Identifier"])
        return int(found["Identifier"])

    def check_id(self, org_unit_id, type_name, option):
        """Raise UnknownIdError unless ``org_unit_id`` is an org unit (of ``type_name``, if given)."""
        found = self.get(org_unit_id)
        if found is None:
            raise UnknownIdError("%s: no %s with id %s exists" % (option, type_name or "org unit", org_unit_id))
        if type_name:
            actual = found.get("Type") or {}
            if as_id(actual.get("Id")) != self.type_id(type_name):
                raise UnknownIdError("%s: org unit %s is a %s, not a %s"
                                     % (option, org_unit_id, actual.get("Name") or actual.get("Code"), type_name))

    # -- writes ---------------------------------------------------------------------------
    def create(self, type_name, name, code, parent_ids):
        body = {"Type": self.type_id(type_name), "Name": name, "Code": code,
                "Parents": [int(p) for p in parent_ids]}
        return self.client.send_json("POST", self.route("orgstructure/"), body)

    def update(self, props):
        """PUT the whole OrgUnitProperties block (the service replaces it)."""
        body = {"Identifier": str(props["Identifier"]), "Name": props["Name"], "Code": props["Code"],
                "Path": props.get("Path") or "", "Type": props["Type"]}
        return self.client.send_json("PUT", self.route("orgstructure/{}", props["Identifier"]), body)

    def parents(self, org_unit_id):
        """``{parent id: parent code}`` of an org unit."""
        return dict((int(p["Identifier"]), p.get("Code")) for p in
                    self.client.get_json(self.route("orgstructure/{}/parents/", org_unit_id)) or [])

    def children(self, org_unit_id, type_id=None):
        """The child org units (OrgUnit blocks) of an org unit, of one type when ``type_id`` is
        given. NOTE: the route is not on this API's reference pages; D2L's utility library
        (d2lvalence_util, service.get_orgunit_children) sends ``GET orgstructure/(id)/children/``
        with ``ouTypeId`` and reads a JSON array of OrgUnit blocks, and D2L's scope table lists
        it under organizations:organization:read."""
        params = {"ouTypeId": int(type_id)} if type_id is not None else None
        return self.client.get_json(self.route("orgstructure/{}/children/", org_unit_id), params=params) or []

    def resolve_all(self, refs, option, known=None):
        """Sorted ids of ``refs``; codes and ids found in ``known`` ({id: code}, the current
        parents) need no request; any other id is read first, so it is known to exist."""
        known = known or {}
        by_code = dict((code, org_unit_id) for org_unit_id, code in known.items())
        resolved = set()
        for ref in refs:
            if isinstance(ref, str) and ref in by_code:
                resolved.add(by_code[ref])
            elif is_id_reference(ref) and int(ref) in known:
                resolved.add(int(ref))
            else:
                resolved.add(self.resolve(ref, None, option, verify=True))
        return sorted(resolved)

    @staticmethod
    def same_refs(refs, known):
        """Whether ``refs`` (ids or codes) name exactly the org units in ``known`` ({id: code})."""
        wanted = set()
        for ref in refs:
            if is_id_reference(ref):
                wanted.add(int(ref))
            elif ref in known.values():
                wanted.update(i for i, code in known.items() if code == ref)
            else:
                return False
        return wanted == set(known)

    def set_parents(self, org_unit_id, wanted, current):
        """Add the missing parents first, then remove the extra ones (never orphan a unit)."""
        for parent in sorted(set(wanted) - set(current)):
            self.client.send_json("POST", self.route("orgstructure/{}/parents/", org_unit_id), parent,
                                  idempotent=True)
        for parent in sorted(set(current) - set(wanted)):
            self.client.send_json("DELETE", self.route("orgstructure/{}/parents/{}", org_unit_id, parent))


class WithParents(Resource):
    """A resource whose parents are compared: ``parents_option`` names the option (a list of ids
    or codes). The parents are a related read (``related``: ``{"parents": {id: code}}``), made
    only when the option is given for state=present; codes and ids already among them need no
    look-up."""

    parents_option = "parents"

    def orgunits_api(self):
        raise NotImplementedError

    def desired_parents(self, desired):
        params = self.module.params
        if params["state"] == "present" and params.get(self.parents_option) is not None:
            # kept as given: codes are matched against the current parents' codes first
            desired[self.parents_option] = list(params[self.parents_option])
        return desired

    def related(self, raw):
        params = self.module.params
        if params.get(self.parents_option) is not None and params["state"] == "present":
            return {"parents": self.orgunits_api().parents(raw["Identifier"])}
        return {}

    def same(self, name, before, wanted, related):
        if name == self.parents_option:
            return OrgUnitsApi.same_refs(wanted, related.get("parents") or {})
        return super().same(name, before, wanted, related)

    def preview_parents(self, desired):
        desired = dict(desired)
        if desired.get(self.parents_option) is not None:
            given = desired[self.parents_option]
            desired[self.parents_option] = predicted(
                self.module, lambda: self.orgunits_api().resolve_all(given, self.parents_option), given)
        return desired

    def parents_to_create(self, desired):
        """The parent ids of a new org unit: those given, else the organization (the root)."""
        parents = desired.get(self.parents_option)
        if parents:
            return self.orgunits_api().resolve_all(parents, self.parents_option)
        return [int(self.orgunits_api().root()["Identifier"])]

    def update_parents(self, org_unit_id, changes, related):
        if self.parents_option in changes:
            current = related.get("parents") or {}
            wanted = self.orgunits_api().resolve_all(changes[self.parents_option], self.parents_option, current)
            self.orgunits_api().set_parents(org_unit_id, wanted, list(current))

    def related_after(self, org_unit_id, related):
        """The related reads after an update: the parents read again when they were compared."""
        return {"parents": self.orgunits_api().parents(org_unit_id)} if "parents" in related else {}


class OrgUnitResource(Recyclable, WithParents):
    """``d2l_org_unit``: a semester, department or other custom org unit keyed by code and type."""

    # the types that are not custom, and what manages them instead
    NOT_CUSTOM = {
        "organization": "the organization is the root org unit; it is neither created nor deleted",
        "course offering": "manage course offerings with d2l.brightspace.d2l_course",
        "course template": "manage course templates with d2l.brightspace.d2l_course_template",
    }

    # the options d2l_org_unit declares (and a catalog's semesters and departments take), and their rules
    OPTIONS = dict(
        code=dict(type="str", required=True),
        type=dict(type="str", required=True),
        name=dict(type="str"),
        parents=dict(type="list", elements="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        **Recyclable.OPTIONS
    )
    RULES = dict(ids=("parents",), non_empty=("name", "type"), codes=("code", "parents"),
                 only_if=Recyclable.ONLY_IF)

    label = "org unit"
    result_key = "org_unit"
    key = "code"
    lock_scope = ("type",)  # a code is unique per org unit type
    compare = ("name", "parents")
    required_to_create = ("name",)
    preserved = ("name", "code", "path", "type", "parents")

    def __init__(self, module):
        super().__init__(module)
        self.orgunits = OrgUnitsApi(self.client)

    @property
    def recycle_type(self):
        return self.module.params["type"]

    def orgunits_api(self):
        return self.orgunits

    def desired(self):
        params = self.module.params
        not_custom = self.NOT_CUSTOM.get(params["type"].strip().lower())
        if not_custom:
            raise ValidationError("type '%s' is not a custom org unit type: %s" % (params["type"], not_custom))
        validate_code(params["code"], "code")
        self.orgunits.type_info(params["type"])  # unknown type: fail before anything else
        return self.desired_parents(self.module.given("name"))

    def find(self):
        return self.orgunits.find_by_code(self.module.params["code"], self.module.params["type"])

    def read_back(self, org_unit_id):
        return self.orgunits.get(org_unit_id)

    def normalize(self, raw, related):
        state = {
            "id": as_id(raw.get("Identifier")),
            "name": raw.get("Name"),
            "code": raw.get("Code"),
            "path": raw.get("Path"),
            "type": (raw.get("Type") or {}).get("Code"),
            "type_id": as_id((raw.get("Type") or {}).get("Id")),
        }
        if "parents" in related:
            state["parents"] = sorted(related["parents"])
        return state

    def preview(self, desired):
        after = super().preview(self.preview_parents(desired))
        after.update(code=self.module.params["code"], type=self.module.params["type"])
        return after

    def create(self, desired):
        parents = self.parents_to_create(desired)
        created = self.orgunits.create(self.module.params["type"], desired["name"], self.module.params["code"], parents)
        return created, {"parents": dict((p, None) for p in parents)}

    def update(self, raw, changes, desired, related):
        org_unit_id = raw["Identifier"]
        if "name" in changes:
            props = self.orgunits.get(org_unit_id)
            props["Name"] = changes["name"]
            self.orgunits.update(props)
        self.update_parents(org_unit_id, changes, related)
        return self.orgunits.get(org_unit_id), self.related_after(org_unit_id, related)
