# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course offerings and course templates (the D2L reference page on courses, NOTES.md).

These are the resources ``d2l_course`` and ``d2l_course_template`` declare (``d2l_org_unit``'s is
``orgunits.OrgUnitResource``); ``d2l_course_info`` reads through the same classes. All routes and
block shapes live here.
"""

from __future__ import annotations

from .ensure import Resource, predicted
from .normalize import basic_org_unit, utc_datetime
from .errors import ValidationError
from .orgunits import COURSE_OFFERING, COURSE_TEMPLATE, OrgUnitsApi, WithParents, as_id, is_id_reference, validate_code
from .recyclebin import Recyclable

# NOTE: the reference page (courses.txt) is the September 2014 text. D2L's later reference, as
# quoted on D2L's community site and mirrored by the clients that copy it (HR.BrightspaceConnector,
# BsMain; see the emulator's models.py), adds to the course offering blocks Description (a
# RichText in CourseOffering, a RichTextInput in CourseOfferingInfo and CreateCourseOffering,
# from LP 1.26) and CanSelfRegister ("Null is treated as false"; CourseOffering and
# CourseOfferingInfo from LP 1.27, CreateCourseOffering from LP 1.28), and D2L's published
# request recipes (Brightspace/Postman-Collections) send both. The PUT "replaces the associated
# course offering's data with all the properties you provide", so an update sends back every
# field of the block the task does not change (offering_info), and the engine checks the answer
# read back kept them (CourseOfferingResource.preserved).
DESCRIPTION_SINCE = (1, 26)
SELF_REGISTER_SINCE = (1, 27)
SELF_REGISTER_CREATE_SINCE = (1, 28)
DESCRIPTION_TYPES = {"text": "Text", "html": "Html"}


class _CourseRoutes:
    """What the course offering and course template routes share: ``segment/``,
    ``segment/{id}`` (GET, PUT, DELETE) and ``segment/schema``, in the lp product."""

    segment = None

    def __init__(self, client):
        self.client = client
        self.orgunits = OrgUnitsApi(client)

    def route(self, template=None, *args):
        return self.client.route("lp", template or self.segment + "/", *args)

    def get(self, org_unit_id):
        return self.client.get_or_none(self.route(self.segment + "/{}", org_unit_id))

    def put(self, org_unit_id, info):
        return self.client.send_json("PUT", self.route(self.segment + "/{}", org_unit_id), info)

    def schema(self):
        return self.client.get_json(self.route(self.segment + "/schema"))


class CourseOfferingsApi(_CourseRoutes):
    """The course offering routes (the reference page "Course offerings, templates, schemas")."""

    segment = "courses"

    def find(self, code):
        """The CourseOffering with this code, or None.

        Once the id of a code is known (``ids.json`` beside the token cache, see caches.IdCache)
        one GET of ``courses/{id}`` is enough, as long as the block still has exactly this code;
        otherwise the code is looked up (``orgstructure/?exactOrgUnitCode=``) and the full block
        read, and the id remembered for the next run.
        """
        ids = self.client.ids
        cached = ids.get(COURSE_OFFERING, code)
        if cached is not None:
            block = self.get(cached)
            if block is not None and block.get("Code") == code:
                return block
            ids.drop(COURSE_OFFERING, code)
        found = self.orgunits.find_by_code(code, COURSE_OFFERING)
        if not found:
            return None
        block = self.get(found["Identifier"])
        if block is not None and block.get("Code") == code:
            ids.put(COURSE_OFFERING, code, block["Identifier"])
        return block

    def create(self, body):
        created = self.client.send_json("POST", self.route(), body)
        if isinstance(created, dict) and created.get("Identifier") and created.get("Code") == body.get("Code"):
            self.client.ids.put(COURSE_OFFERING, created["Code"], created["Identifier"])
        return created

    def update(self, org_unit_id, info):
        """PUT a complete CourseOfferingInfo: the service replaces every field."""
        return self.put(org_unit_id, info)

    def lp_at_least(self, since):
        """Whether the LP version in use has a field added in LP ``since`` (a (major, minor) pair)."""
        return lp_tuple(self.client.version("lp")) >= since


class CourseTemplatesApi(_CourseRoutes):
    """The course template routes (the reference page "Course offerings, templates, schemas")."""

    segment = "coursetemplates"

    def create(self, body):
        return self.client.send_json("POST", self.route(), body)

    def update(self, org_unit_id, info):
        return self.put(org_unit_id, info)


def lp_tuple(version):
    """``"1.47"`` as ``(1, 47)``; a version that is not numbers compares lowest."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)


def rich_text_input(rich):
    """The RichTextInput that writes back a RichText block as it is: its HTML when it has some
    (the form that keeps the formatting), else its text."""
    rich = rich if isinstance(rich, dict) else {}
    if rich.get("Html"):
        return {"Content": rich["Html"], "Type": "Html"}
    return {"Content": rich.get("Text") or "", "Type": "Text"}


def offering_info(block, changes, description_format="text"):
    """CourseOfferingInfo for a PUT: every field of the current block, with ``changes`` applied.

    The PUT replaces the offering's data with what it carries, so each field the task does not
    change is sent back as it is; Description and CanSelfRegister are sent when the block has
    them (the LP versions whose CourseOfferingInfo has them answer them in CourseOffering) or the
    task sets them."""
    state = course_offering_state(block)
    state.update((name, value) for name, value in changes.items() if name not in ("description",))
    info = {
        "Name": state["name"],
        "Code": state["code"],
        "StartDate": state["start_date"],
        "EndDate": state["end_date"],
        "IsActive": bool(state["is_active"]),
    }
    if "description" in changes:
        info["Description"] = {"Content": changes["description"],
                               "Type": DESCRIPTION_TYPES[description_format or "text"]}
    elif "Description" in block:
        info["Description"] = rich_text_input(block.get("Description"))
    if "can_self_register" in changes or "CanSelfRegister" in block:
        info["CanSelfRegister"] = bool(state["can_self_register"])
    return info


def _text(value):
    """A description as compared: line endings as \n, no whitespace at either end."""
    return (value or "").replace("\r\n", "\n").strip()


def course_offering_state(block):
    """A CourseOffering block as the module presents (and compares) it."""
    template = basic_org_unit(block.get("CourseTemplate"))
    semester = basic_org_unit(block.get("Semester"))
    department = basic_org_unit(block.get("Department"))
    rich = block.get("Description") if isinstance(block.get("Description"), dict) else None
    return {
        "id": as_id(block.get("Identifier")),
        "name": block.get("Name"),
        "code": block.get("Code"),
        "path": block.get("Path"),
        "is_active": block.get("IsActive"),
        "start_date": utc_datetime(block.get("StartDate")),
        "end_date": utc_datetime(block.get("EndDate")),
        "template": template["id"] if template else None,
        "template_code": template["code"] if template else None,
        "semester": semester["id"] if semester else None,
        "semester_code": semester["code"] if semester else None,
        "department": department["id"] if department else None,
        "department_code": department["code"] if department else None,
        "description": rich.get("Text") if rich is not None else None,
        "description_html": rich.get("Html") if rich is not None else None,
        "can_self_register": block.get("CanSelfRegister"),
    }


def course_template_state(block, parents=None):
    """A CourseTemplate block (or the look-up's OrgUnitProperties) as the module presents it;
    ``parents`` is ``{id: code}`` when they were read."""
    state = {
        "id": as_id(block.get("Identifier")),
        "name": block.get("Name"),
        "code": block.get("Code"),
        "path": block.get("Path"),
    }
    if parents is not None:
        state["parent_org_units"] = sorted(parents)
    return state


class CourseOfferingResource(Recyclable, Resource):
    """``d2l_course``: a course offering keyed by ``code``."""

    # the options d2l_course declares (and a catalog's offerings take), and their rules
    OPTIONS = dict(
        code=dict(type="str", required=True),
        name=dict(type="str"),
        template=dict(type="raw"),
        semester=dict(type="raw"),
        path=dict(type="str"),
        start_date=dict(type="str"),
        end_date=dict(type="str"),
        is_active=dict(type="bool"),
        description=dict(type="str"),
        description_format=dict(type="str", choices=sorted(DESCRIPTION_TYPES), default="text"),
        can_self_register=dict(type="bool"),
        locale_id=dict(type="int"),
        force_locale=dict(type="bool"),
        show_address_book=dict(type="bool"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        **Recyclable.OPTIONS
    )
    RULES = dict(ids=("template", "semester"), non_empty=("name",), non_negative=("locale_id",),
                 codes=("code", "template", "semester"), only_if=Recyclable.ONLY_IF)

    label = "course offering"
    result_key = "course"
    key = "code"
    compare = ("name", "is_active", "start_date", "end_date", "template", "semester", "description",
               "can_self_register")
    immutable = {
        "template": "the API cannot move an offering to another course template; "
                    "delete the offering and create it again (state=absent, then present)",
        "semester": "the API cannot change an offering's semester after creation; "
                    "delete the offering and create it again (state=absent, then present)",
    }
    required_to_create = ("name", "template")
    preserved = ("name", "code", "path", "is_active", "start_date", "end_date", "template", "semester",
                 "description", "description_html", "can_self_register")
    derived = {"description": ("description_html",)}
    recycle_type = COURSE_OFFERING

    def __init__(self, module):
        super().__init__(module)
        self.api = CourseOfferingsApi(self.client)

    def orgunits_api(self):
        return self.api.orgunits

    def desired(self):
        params = self.module.params
        validate_code(params["code"], "code")
        desired = self.module.given("name", "is_active", "description", "can_self_register")
        for option in ("start_date", "end_date"):
            if params.get(option) is not None:
                desired[option] = utc_datetime(params[option], option)
        if desired.get("start_date") and desired.get("end_date") and desired["end_date"] < desired["start_date"]:
            raise ValidationError("end_date %s is before start_date %s" % (desired["end_date"], desired["start_date"]))
        if params["state"] == "present":
            for option, since in (("description", DESCRIPTION_SINCE), ("can_self_register", SELF_REGISTER_SINCE)):
                if option in desired and not self.api.lp_at_least(since):
                    raise ValidationError("%s needs LP API %d.%d or later (the course offering blocks have the field "
                                          "from there); this run uses LP %s (api_versions)"
                                          % (option, since[0], since[1], self.client.version("lp")))
            # References stay as given (an id, or a code): an existing offering's template and
            # semester codes come with it, so a re-run compares codes without looking them up.
            for option in ("template", "semester"):
                ref = params.get(option)
                if ref is not None:
                    if not (is_id_reference(ref) or (isinstance(ref, str) and ref)):
                        raise ValidationError("%s must be an org unit id (integer) or code (string), got %r"
                                              % (option, ref))
                    desired[option] = ref
        return desired

    def find(self):
        return self.api.find(self.module.params["code"])

    def read_back(self, org_unit_id):
        return self.api.get(org_unit_id)

    def forget_id(self, raw):
        self.client.ids.drop(COURSE_OFFERING, raw.get("Code") or self.module.params["code"])

    def normalize(self, raw, related):
        return course_offering_state(raw)

    def same(self, name, before, wanted, related):
        if name in ("template", "semester") and isinstance(wanted, str):
            return before.get(name + "_code") == wanted
        if name == "description":
            field = "description_html" if self.module.params.get("description_format") == "html" else "description"
            return _text(before.get(field)) == _text(wanted)
        return super().same(name, before, wanted, related)

    def resolved(self, desired):
        """``desired`` with the template and semester references resolved to ids."""
        desired = dict(desired)
        if desired.get("template") is not None:
            desired["template"] = self.api.orgunits.resolve(desired["template"], COURSE_TEMPLATE, "template",
                                                            verify=True)
        if desired.get("semester") is not None:
            desired["semester"] = self.api.orgunits.resolve(desired["semester"], "Semester", "semester", verify=True)
        return desired

    def preview(self, desired):
        resolved = predicted(self.module, lambda: self.resolved(desired), dict(desired))
        after = super().preview(resolved)
        after["code"] = self.module.params["code"]
        return after

    def create(self, desired):
        params = self.module.params
        desired = self.resolved(desired)
        # CreateCourseOffering: what the user gave, then the options that only a create takes
        body = {"Name": desired["name"], "Code": params["code"], "Path": params.get("path") or "",
                "CourseTemplateId": desired["template"], "SemesterId": desired.get("semester"),
                "StartDate": desired.get("start_date"), "EndDate": desired.get("end_date"),
                "LocaleId": params.get("locale_id"), "ForceLocale": bool(params.get("force_locale")),
                "ShowAddressBook": bool(params.get("show_address_book"))}
        if "description" in desired:  # desired() made sure this LP version has it
            body["Description"] = {"Content": desired["description"],
                                   "Type": DESCRIPTION_TYPES[params.get("description_format") or "text"]}
        if "can_self_register" in desired and self.api.lp_at_least(SELF_REGISTER_CREATE_SINCE):
            body["CanSelfRegister"] = desired["can_self_register"]
        created = self.api.create(body)
        # CreateCourseOffering has no IsActive (nor CanSelfRegister before LP 1.28): set them
        # afterwards when the user asked for a value the service did not choose.
        later = dict((option, desired[option]) for option, field in (("is_active", "IsActive"),
                                                                     ("can_self_register", "CanSelfRegister"))
                     if option in desired and created.get(field) != desired[option])
        if later:
            created = self.update(created, later, desired, {})
        return created

    def update(self, raw, changes, desired, related):
        org_unit_id = as_id(raw.get("Identifier"))
        self.api.update(org_unit_id, offering_info(raw, changes, self.module.params.get("description_format")))
        return self.api.get(org_unit_id)


class CourseTemplateResource(Recyclable, WithParents):
    """``d2l_course_template``: a course template keyed by ``code``."""

    # the options d2l_course_template declares (and a catalog's templates take), and their rules
    OPTIONS = dict(
        code=dict(type="str", required=True),
        name=dict(type="str"),
        path=dict(type="str"),
        parent_org_units=dict(type="list", elements="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        **Recyclable.OPTIONS
    )
    RULES = dict(ids=("parent_org_units",), non_empty=("name",), codes=("code", "parent_org_units"),
                 only_if=Recyclable.ONLY_IF)

    label = "course template"
    result_key = "course_template"
    key = "code"
    compare = ("name", "parent_org_units")
    required_to_create = ("name",)
    parents_option = "parent_org_units"
    preserved = ("name", "code", "path", "parent_org_units")
    recycle_type = COURSE_TEMPLATE

    def __init__(self, module):
        super().__init__(module)
        self.api = CourseTemplatesApi(self.client)

    def orgunits_api(self):
        return self.api.orgunits

    def desired(self):
        validate_code(self.module.params["code"], "code")
        return self.desired_parents(self.module.given("name"))

    def find(self):
        # The look-up's OrgUnitProperties carry every CourseTemplate field (Identifier, Code,
        # Name, Path): no second GET. Parents are read only when they are compared (related).
        return self.api.orgunits.find_by_code(self.module.params["code"], COURSE_TEMPLATE)

    def read_back(self, org_unit_id):
        return self.api.orgunits.get(org_unit_id)

    def normalize(self, raw, related):
        return course_template_state(raw, list(related["parents"]) if "parents" in related else None)

    def preview(self, desired):
        after = super().preview(self.preview_parents(desired))
        after["code"] = self.module.params["code"]
        return after

    def create(self, desired):
        parents = self.parents_to_create(desired)
        body = {"Name": desired["name"], "Code": self.module.params["code"],
                "Path": self.module.params.get("path") or "", "ParentOrgUnitIds": parents}
        return self.api.create(body), {"parents": dict((p, None) for p in parents)}

    def update(self, raw, changes, desired, related):
        org_unit_id = raw["Identifier"]
        if "name" in changes:
            self.api.update(org_unit_id, {"Name": changes["name"], "Code": raw["Code"]})
        self.update_parents(org_unit_id, changes, related)
        return self.api.get(org_unit_id), self.related_after(org_unit_id, related)


def describe_courses(module):
    """``d2l_course_info``: one offering or template by id or code, a filtered list, the schema."""
    params = module.params
    client = module.client
    templates = params["kind"] == "template"
    api = CourseTemplatesApi(client) if templates else CourseOfferingsApi(client)
    type_name = COURSE_TEMPLATE if templates else COURSE_OFFERING

    def full(org_unit_id):
        block = api.get(org_unit_id)
        if block is None:
            return None
        return course_template_state(block) if templates else course_offering_state(block)

    items = []
    if params.get("id") is not None:
        found = full(params["id"])
        items = [found] if found else []
    elif params.get("code") is not None and not templates:
        found = api.find(params["code"])  # one GET once the code's id is known (caches.IdCache)
        items = [course_offering_state(found)] if found else []
    elif params.get("code") is not None:
        # a template: the look-up's OrgUnitProperties carry every field the module returns
        found = api.orgunits.find_by_code(params["code"], type_name)
        items = [course_template_state(found)] if found else []
    else:
        found = api.orgunits.search(type_name, params.get("code_contains"), params.get("name_contains"),
                                    limit=params.get("limit"))
        if params["details"] and templates:  # the look-up's blocks carry every template field
            items = [course_template_state(item) for item in found]
        elif params["details"]:
            items = [full(item["Identifier"]) for item in found]
        else:
            items = [{"id": as_id(i.get("Identifier")), "code": i.get("Code"), "name": i.get("Name"),
                      "path": i.get("Path")} for i in found]
    result = {"changed": False, "course_templates" if templates else "courses": [i for i in items if i]}
    if params["schema"]:
        result["schema"] = [{
            "type": (element.get("Type") or {}).get("Code"),
            "type_id": as_id((element.get("Type") or {}).get("Id")),
            "is_not_allowed": element.get("IsNotAllowed"),
            "is_required": element.get("IsRequired"),
        } for element in api.schema() or []]
    return result
