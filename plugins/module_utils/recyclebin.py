# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The org structure's recycle bin: removal that can be undone, for every org unit the collection
removes (course offerings and templates, semesters, departments).

Routes (not on this API's four reference pages; D2L's scope table names each, and D2L's Valence
reference, as copied into the clients that mirror it, describes them):

- ``POST orgstructure/recyclebin/(id)/recycle`` (``organizations:organization:create``): "the
  same effect as deleting the org unit via the OrgUnit Editor (and placing it in the recycling
  bin)";
- ``POST orgstructure/recyclebin/(id)/restore`` (``organizations:organization:create``);
- ``DELETE orgstructure/recyclebin/(id)`` (``organizations:organization:delete``): permanent,
  only for a unit already in the bin;
- ``GET orgstructure/recyclebin/`` (``organizations:organization:read``): a paged result set
  of OrgUnitProperties blocks, with no filter: a code is found by reading the bin.

NOTE: the reference says nothing of a recycled unit's code. Whether the service keeps it
reserved (a new unit with that code is refused until the recycled one is deleted for good) or
frees it is not documented, so the modules work on both readings: a create the service refuses
while no live unit has the code is explained by the recycled one holding it (``refused_create``),
and ``restore`` brings a recycled unit back (same id, content and enrollments) instead of
creating another.
"""

from __future__ import annotations

import threading

from .errors import BrightspaceError
from .paging import paged_result_set

REMOVALS = ("recycle", "permanent")


class RecycleBinApi:
    """The recycle bin routes, in the lp product."""

    def __init__(self, client):
        self.client = client

    def route(self, template, *args):
        return self.client.route("lp", template, *args)

    def recycle(self, org_unit_id):
        self.client.send_json("POST", self.route("orgstructure/recyclebin/{}/recycle", org_unit_id))

    def restore(self, org_unit_id):
        self.client.send_json("POST", self.route("orgstructure/recyclebin/{}/restore", org_unit_id))

    def delete(self, org_unit_id):
        """Delete a unit in the recycle bin for good."""
        self.client.send_json("DELETE", self.route("orgstructure/recyclebin/{}", org_unit_id))

    def remove(self, org_unit_id, removal="recycle"):
        """Recycle a live unit; ``removal="permanent"`` deletes it from the bin as well."""
        self.recycle(org_unit_id)
        if removal == "permanent":
            self.delete(org_unit_id)

    def units(self):
        """Every unit in the recycle bin (OrgUnitProperties blocks)."""
        return list(paged_result_set(self.client, self.route("orgstructure/recyclebin/")))

    def find(self, code, type_id):
        """The unit of type ``type_id`` with exactly this code in the recycle bin, or None.

        The bin has no filter, so it is read whole: once per task, and once per catalog run
        (``client.recycle_bin``, set by the catalog, holds what was read). Codes compare as the
        service compares them, case-insensitively; one with exactly this code wins, and two
        that both match fail (an ambiguous restore is never guessed)."""
        memo = getattr(self.client, "recycle_bin", None)
        if memo is not None:
            with memo["lock"]:
                if memo["units"] is None:
                    memo["units"] = self.units()
                units = memo["units"]
        else:
            units = self.units()
        matches = [unit for unit in units if str(unit.get("Code") or "").casefold() == code.casefold()
                   and int((unit.get("Type") or {}).get("Id") or 0) == int(type_id)]
        exact = [unit for unit in matches if unit.get("Code") == code] or matches
        if len(exact) > 1:
            raise BrightspaceError("the recycle bin holds %d org units with code '%s' (ids %s): restore or delete "
                                   "the one you mean by hand" % (len(exact), code, ", ".join(
                                       str(unit.get("Identifier")) for unit in exact)))
        return exact[0] if exact else None

    def forget(self, org_unit_id):
        """A unit left the bin (restored or deleted for good) in this catalog run."""
        memo = getattr(self.client, "recycle_bin", None)
        if memo is not None:
            with memo["lock"]:
                if memo["units"] is not None:
                    memo["units"] = [unit for unit in memo["units"]
                                     if str(unit.get("Identifier")) != str(org_unit_id)]


def recycle_bin_memo():
    """What a catalog run sets as ``client.recycle_bin``: the bin read once, shared by its threads."""
    return {"lock": threading.Lock(), "units": None}


class Recyclable:
    """Removal through the recycle bin for a ``Resource`` of an org unit type (mixed in before
    ``ensure.Resource``). Options: ``removal`` (``recycle``, the default, or ``permanent``) and
    ``restore`` (with ``state=present``: bring a recycled unit with this code back rather than
    create one). Declares ``recycle_type`` (the org unit type name), ``orgunits_api()`` (the
    ``OrgUnitsApi`` that knows the type's id) and ``read_back(id)`` (the live block of a restored unit)."""

    OPTIONS = dict(
        removal=dict(type="str", choices=list(REMOVALS), default="recycle"),
        restore=dict(type="bool", default=False),
    )
    # removal has an effect only with state=absent, restore only with state=present
    ONLY_IF = [("state", "absent", ("removal",)), ("state", "present", ("restore",))]
    recycle_type = None

    def orgunits_api(self):
        raise NotImplementedError

    def bin(self):
        return RecycleBinApi(self.client)

    def removal(self):
        return self.module.params.get("removal") or "recycle"

    def type_id(self):
        return self.orgunits_api().type_id(self.recycle_type)

    def code(self):
        return self.module.params["code"]

    def find_removed(self, state):
        params = self.module.params
        if (state == "absent" and self.removal() == "permanent") or (state == "present" and params.get("restore")):
            found = self.bin().find(self.code(), self.type_id())
            return dict(found, _removed=True) if found is not None else None
        return None

    def restore(self, raw):
        org_unit_id = raw["Identifier"]
        self.bin().restore(org_unit_id)
        self.bin().forget(org_unit_id)
        return self.read_back(org_unit_id)

    def read_back(self, org_unit_id):
        """The live block of a restored unit (what ``find()`` answers)."""
        raise NotImplementedError

    def delete(self, raw):
        org_unit_id = raw["Identifier"]
        if raw.get("_removed"):  # in the recycle bin already (find_removed): deleted for good
            self.bin().delete(org_unit_id)
            self.bin().forget(org_unit_id)
        else:
            self.bin().remove(org_unit_id, self.removal())
        self.forget_id(raw)

    def forget_id(self, raw):
        """Drop what the collection remembers of a removed unit (an id hint); nothing by default."""

    def refused_create(self, exc):
        found = self.bin().find(self.code(), self.type_id())
        if found is None:
            raise exc
        raise BrightspaceError(
            "%s '%s' cannot be created: the recycle bin holds %s %s with this code (the service keeps a recycled "
            "org unit's code). Restore it, with its id and content (restore: true), or delete it for good first "
            "(state: absent, removal: permanent). The service said: %s"
            % (self.label, self.code(), self.label, found.get("Identifier"), exc))

    def outcome(self, plan):
        if plan.action != "delete":
            return {}
        if plan.related.get("removed"):
            return {"removal": "permanent"}
        return {"removal": self.removal()}
