# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""D2L's utility library (D2LValence-UtilTUT, ``d2lvalence_util``): every helper of
``d2lvalence_util/service.py`` that maps to a route of ROUTES.txt, used with its data classes
(``d2lvalence_util/data.py``) as the library means them, against the documented answers.

Library bugs recorded here (Python 3; the library, not the emulator). Where a helper cannot run,
the test sends what the helper means to send (same route, headers and body bytes) and asserts
the documented answer:
- ``_fetch_content``: ``requests.__version__[0] is '0'`` compares strings with ``is`` (a
  SyntaxWarning); it works by accident (``'2' is '0'`` is False, so ``r.json()`` is called).
- ``data.OrgUnitCreateData.fashion_OrgUnitCreateData`` (and ``Parents``' setter) use
  ``collections.Iterable``, gone since Python 3.10: AttributeError. The block is built from
  its dict instead, as the class's constructor takes it.
- ``start_ep_export_task``: ``_str_to_num(ver) <= '2.0'`` compares a number with a string:
  TypeError on every call. It also sends ``include_forms_items`` / ``include_associated_items``,
  not the page's ``includeFormsItems`` / ``includeAssociatedItems`` (unknown names, ignored).
- ``get_learning_object_properties_version``: ``'...{0}/objects/{1}/{2}/properties/'.format(
  ver, object_id)`` lacks the version argument: IndexError.
- ``update_course_offering`` wraps the answer in ``CourseOffering`` although the page documents
  no body for PUT courses/(id) (the emulator answers 200 with none): the helper returns an
  empty CourseOffering (``props == {}``), not the course.
- ``create_course_offering``, ``update_course_offering`` and
  ``update_learning_object_properties`` send their JSON with no ``Content-Type``: the real
  service reads them anyway (so does the emulator now).
"""
from __future__ import annotations

import io
import json
import uuid

import pytest
import requests
from d2lvalence_util import data as d2ldata
from d2lvalence_util import service as d2lservice

from conformance_helpers import WHOAMI_KEYS, lr_error, lr_ok, scorm_zip, unique, wait_json
from test_sdk_signing import COURSE_TEMPLATE, LR_PROPERTIES, SCHEMA_ELEMENT, offering_keys
from world import LOCAL_REPOSITORY, ORGANIZATION, World, zip_names


@pytest.fixture
def uc(target):
    return target.sdk_context()


@pytest.fixture(scope="module")
def world(emulator):
    return World(emulator)


def versions(target):
    return target.latest("lp"), target.latest("le"), target.latest("eP"), target.latest("lr")


def http_status(excinfo) -> int:
    return excinfo.value.response.status_code


# --- versions, whoami, org unit types ---------------------------------------------------------
@pytest.mark.readonly
def test_versions_whoami_outypes(target, uc):
    lp = target.latest("lp")
    products = d2lservice.get_all_versions(uc)
    assert {p["ProductCode"] for p in products} >= {"lp", "le", "eP", "lr"}
    me = d2lservice.get_whoami(uc, ver=lp)
    assert isinstance(me, d2ldata.WhoAmIUser) and WHOAMI_KEYS <= set(me.props)
    types = d2lservice.get_all_outypes(uc, ver=lp)
    assert all(isinstance(t, d2ldata.OrgUnitType) for t in types)
    assert {"Organization", "Course Offering", "Course Template"} <= {t.Code for t in types}


@pytest.mark.readonly
def test_course_schemas(target, uc):
    lp = target.latest("lp")
    for elements in (d2lservice.get_course_schemas(uc, ver=lp),
                     d2lservice.get_course_templates_schema(uc, ver=lp)):
        assert elements and all(isinstance(e, d2ldata.CourseSchemaElement) for e in elements)
        assert all(set(e.props) == SCHEMA_ELEMENT for e in elements)


# --- course templates and offerings -----------------------------------------------------------
def test_course_templates(target, uc, world):
    lp = target.latest("lp")
    code = unique("UTPL")
    new = d2ldata.CreateCourseTemplate.fashion_CreateCourseTemplateInfo(
        name="Util " + code, code=code, path="", parent_org_unit_id_list=[ORGANIZATION])
    template = d2lservice.create_course_template(uc, new, ver=lp)
    assert isinstance(template, d2ldata.CourseTemplate) and set(template.props) == COURSE_TEMPLATE
    tid = template.Identifier
    assert d2lservice.get_course_template(uc, tid, ver=lp).Code == code
    renamed = d2ldata.CourseTemplateInfo.fashion_CourseTemplateInfo(name="Renamed", code=code)
    assert d2lservice.update_course_template(uc, tid, renamed, ver=lp) == b""  # no body
    assert d2lservice.get_course_template(uc, tid, ver=lp).Name == "Renamed"
    assert d2lservice.delete_course_template(uc, tid, ver=lp) == b""
    with pytest.raises(requests.HTTPError) as excinfo:
        d2lservice.get_course_template(uc, tid, ver=lp)
    assert http_status(excinfo) == 404


def test_course_offerings(target, uc, world):
    """create_course_offering sends its JSON without a Content-Type (the known failure: the
    emulator refused it with 400 before); the answer is the documented CourseOffering."""
    lp = target.latest("lp")
    code = unique("UCRS")
    new = d2ldata.CreateCourseOffering.fashion_CreateCourseOffering(
        name="Util " + code, code=code, path="", course_template_id=world.template(),
        start_date="2026-01-05T00:00:00.000Z", end_date=None)
    offering = d2lservice.create_course_offering(uc, new, ver=lp)
    assert isinstance(offering, d2ldata.CourseOffering)
    assert set(offering.props) == offering_keys(lp) and offering.Code == code
    oid = offering.Identifier
    got = d2lservice.get_course_offering(uc, oid, ver=lp)
    assert got.props == offering.props
    info = d2ldata.CourseOfferingInfo.fashion_CourseOfferingInfo(
        name="Renamed", code=code, start_date=None, end_date=None, is_active=False)
    # library bug: the page documents no body; the helper wraps the empty answer
    assert d2lservice.update_course_offering(uc, oid, info, ver=lp).props == {}
    got = d2lservice.get_course_offering(uc, oid, ver=lp)
    assert (got.Name, got.IsActive, got.props["StartDate"]) == ("Renamed", False, None)
    assert d2lservice.delete_course_offering(uc, oid, ver=lp) == b""
    with pytest.raises(requests.HTTPError) as excinfo:
        d2lservice.get_course_offering(uc, oid, ver=lp)
    assert http_status(excinfo) == 404


def test_course_offering_body_that_is_not_json_is_refused(target, uc, world):
    """Accepting a JSON body whatever its Content-Type is not accepting anything: a body that
    does not parse is a 400 (problem+json) naming the problem."""
    r = requests.post(target.url + world.lp("courses/"), data="Name=x&Code=y", auth=uc,
                      timeout=10)
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"], r.text


# --- org structure ----------------------------------------------------------------------------
@pytest.mark.readonly
def test_orgunit_properties(target, uc):
    lp = target.latest("lp")
    me_org = [t for t in d2lservice.get_all_outypes(uc, ver=lp) if t.Code == "Organization"]
    r = requests.get(target.url + target.route("lp", "orgstructure/"), auth=uc, timeout=10,
                     params={"orgUnitType": me_org[0].Id})
    org_id = r.json()["Items"][0]["Identifier"]
    org = d2lservice.get_orgunit_properties(uc, org_id, ver=lp)
    assert isinstance(org, d2ldata.OrgUnit) and org.Identifier == org_id
    assert {"Identifier", "Name", "Code", "Path", "Type"} <= set(org.props)


def test_org_structure(target, uc, world):
    lp = target.latest("lp")
    types = {t.Code: t.Id for t in d2lservice.get_all_outypes(uc, ver=lp)}
    code = unique("UDEP")
    # library bug: fashion_OrgUnitCreateData uses collections.Iterable (gone in Python 3.10)
    with pytest.raises(AttributeError):
        d2ldata.OrgUnitCreateData.fashion_OrgUnitCreateData(
            outype=types["Department"], name="D", code=code, parents=[ORGANIZATION])
    block = d2ldata.OrgUnitCreateData({"Type": types["Department"], "Name": "Util " + code,
                                       "Code": code, "Parents": [ORGANIZATION]})
    dept = d2lservice.create_custom_orgunit(uc, block, ver=lp)
    assert isinstance(dept, d2ldata.OrgUnit) and dept.Code == code
    assert set(dept.props) == {"Identifier", "Name", "Code", "Type"}
    props = d2ldata.OrgUnitProperties(
        d2lservice.get_orgunit_properties(uc, dept.Identifier, ver=lp).props)
    props.Name = "Renamed " + code
    updated = d2lservice.update_custom_orgunit(uc, dept.Identifier, props, ver=lp)
    assert isinstance(updated, d2ldata.OrgUnitProperties) and updated.Name == "Renamed " + code
    parents = d2lservice.get_orgunit_parents(uc, dept.Identifier, ver=lp)
    assert [p.Identifier for p in parents] == [str(ORGANIZATION)]
    assert d2lservice.get_orgunit_parents(uc, dept.Identifier, types["Organization"], ver=lp)
    # orgstructure/(id)/children/ (not in ROUTES.txt; d2l_catalog's purge reads it): the JSON
    # array of OrgUnit blocks D2L's library reads, filtered by ouTypeId
    children = d2lservice.get_orgunit_children(uc, ORGANIZATION, types["Department"], ver=lp)
    assert all(isinstance(child, d2ldata.OrgUnit) for child in children)
    assert dept.Identifier in [child.Identifier for child in children]
    assert all(child.Type["Id"] == types["Department"] for child in children)


# --- Learning Repository ----------------------------------------------------------------------
def lor_package(content: bytes, name: str = "module.zip", ctype: str = "application/zip"):
    return d2ldata.D2LLORPackage({"Name": name, "ContentType": ctype,
                                  "Stream": io.BytesIO(content)})


@pytest.mark.readonly
def test_learning_object_search(target, uc):
    lr = target.latest("lr")
    repos = requests.get(target.url + target.route("lr", "repositories/all/"), auth=uc,
                         timeout=10).json()["Repositories"]
    if not repos:
        pytest.skip("the tenant has no searchable repository")
    found = d2lservice.get_learning_objects_by_search(
        uc, 'dc.title any "quiz conformance"', 0, 10, str(repos[0]["RepositoryId"]), ver=lr)
    assert isinstance(found, d2ldata.LRWSSearchResultCollection)
    assert found.props["ExecutionStatus"] == 0
    assert all(isinstance(x, d2ldata.LRWSSearchResult) for x in found.Results)


def test_learning_objects(target, uc, world):
    lr = target.latest("lr")
    # publish (PUT objects/?repositoryId=, multipart part "Resource")
    published = d2lservice.create_new_learning_object(
        uc, LOCAL_REPOSITORY, lor_package(scorm_zip("Util module")), ver=lr)
    assert isinstance(published, d2ldata.LRWSPublishResult)
    assert (published.props["ExecutionStatus"], published.Version) == (0, 1)
    ident = published.IdentId
    props = d2lservice.get_learning_object_properties(uc, ident, ver=lr)
    assert set(props.props) == LR_PROPERTIES | {"ExecutionStatus", "ExecutionMessage"}
    assert (props.Title, props.Type, props.Status) == ("Util module", 3, 5)
    # overwrite (POST objects/(id)/): a new version
    again = d2lservice.update_learning_object(uc, ident, lor_package(scorm_zip("Util v2")),
                                              ver=lr)
    assert again.Version == 2
    # download / link / metadata of the latest and of a version
    for content in (d2lservice.get_learning_object(uc, ident, ver=lr),
                    d2lservice.get_learning_object_version(uc, ident, 1, ver=lr)):
        assert "imsmanifest.xml" in zip_names(content)
    for link in (d2lservice.get_learning_object_link(uc, ident, ver=lr),
                 d2lservice.get_learning_object_link_version(uc, ident, 2, ver=lr)):
        assert isinstance(link, d2ldata.LRWSObjectLink) and link.URL
    metadata = d2lservice.get_learning_object_metadata_version(uc, ident, 2, ver=lr)
    assert b"<dc:title>Util v2</dc:title>" in metadata
    # library bug (IndexError): the helper's route lacks the version argument; its route
    with pytest.raises(IndexError):
        d2lservice.get_learning_object_properties_version(uc, ident, 1, ver=lr)
    r = requests.get(target.url + world.lr(f"objects/{ident}/1/properties/"), auth=uc,
                     timeout=10)
    assert lr_ok(r)["Title"] == "Util module"
    # properties (POST, JSON with no Content-Type: the known failure, now read)
    block = d2ldata.LRWSObjectPropertiesInput(world.properties_input(
        Title="Util renamed", Keywords=["Util, Conformance"]))
    result = d2lservice.update_learning_object_properties(uc, ident, block, ver=lr)
    assert result == {"ExecutionMessage": "", "ExecutionStatus": 0}
    result = d2lservice.update_learning_object_properties_version(
        uc, ident, 1, d2ldata.LRWSObjectPropertiesInput(world.properties_input(
            Title="Util version one")), ver=lr)
    assert result["ExecutionStatus"] == 0
    latest = d2lservice.get_learning_object_properties(uc, ident, ver=lr)
    assert (latest.Title, latest.Keywords, latest.Version) == \
        ("Util renamed", ["Util, Conformance"], 2)
    # delete (POST objects/(id)/delete/ with Content-Length: 0)
    assert d2lservice.delete_learning_object(uc, ident, ver=lr) == \
        {"ExecutionMessage": "", "ExecutionStatus": 0}
    gone = d2lservice.get_learning_object_properties(uc, ident, ver=lr)
    assert gone.props["ExecutionStatus"] == 2


def test_learning_object_properties_must_be_json(target, uc, world):
    ident = world.lr_object()
    r = requests.post(target.url + world.lr(f"objects/{ident}/properties/"), auth=uc,
                      data=b"<Properties/>", headers={"Content-Type": "application/xml"},
                      timeout=10)
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"], r.text
    assert lr_error(requests.get(target.url + world.lr("objects/999999/properties/"), auth=uc,
                                 timeout=10)) == "Object 999999 not found"


# --- ePortfolio export ------------------------------------------------------------------------
def test_ep_export(target, uc, world):
    ep = target.latest("eP")
    link = world.link()
    # library bug: TypeError ('<=' between a number and a str) whatever the version
    with pytest.raises(TypeError):
        d2lservice.start_ep_export_task(uc, [link["ObjectId"]], ver=ep)
    # what the helper means to send for ver > 2.0: the same route, header, body and params
    r = requests.post(target.url + world.ep("export/new"), auth=uc, timeout=10,
                      headers={"Content-Type": "application/json"},
                      data=json.dumps([link["ObjectId"]]),
                      params={"include_forms_items": False, "include_associated_items": False})
    assert r.status_code == 200, r.text
    task = r.json()
    assert isinstance(task, int)
    status = wait_json(lambda: requests.get(
        target.url + world.ep(f"export/{task}/status"), auth=uc, timeout=10),
        lambda s: s in (1, 2, 3))
    assert status == 2
    assert d2lservice.get_ep_export_task_status(uc, task, ver=ep) == 2
    package = d2lservice.get_ep_export_task_package(uc, task, ver=ep)
    assert isinstance(package, bytes) and any(n.endswith(".xml") for n in zip_names(package))
    # export all (POST with Content-Length: 0)
    everything = d2lservice.start_ep_export_all_task(uc, ver=ep)
    assert isinstance(everything, int) and everything != task
    assert wait_json(lambda: requests.get(target.url + world.ep(f"export/{everything}/status"),
                                          auth=uc, timeout=10), lambda s: s == 2) == 2


# --- ePortfolio import ------------------------------------------------------------------------
def ep_package(content: bytes):
    return d2ldata.D2LFile({"Name": "eP_Export.zip", "ContentType": "application/zip",
                            "Stream": io.BytesIO(content), "DescriptorDict": {}})


@pytest.mark.parametrize("with_details", [False, True])
def test_ep_import_with_target_users(emulator, uc, world, with_details):
    """start_ep_import_task sends one text/plain part "targetUsers" per user (the known
    failure: the emulator read only its own "targetUserId" and imported into the caller)."""
    ep = emulator.latest("eP")
    content = world.package()
    before = {u: len(emulator.control("GET", f"eportfolio/objects?user={u}"))
              for u in ("3", "101")}
    result = d2lservice.start_ep_import_task(uc, ep_package(content), user_id_list=[3, 101],
                                             import_with_details=with_details, ver=ep)
    if with_details:
        assert result["ImportJobResultType"] == "Success" and result["FailedUserIds"] == []
        mine, ada = result["SuccessfulJobIds"]
    else:
        mine, ada = result
    assert wait_json(lambda: requests.get(emulator.url + world.ep(f"import/{mine}/status"),
                                          auth=uc, timeout=10), lambda s: s == 2) == 2
    assert d2lservice.get_ep_import_task_status(uc, mine, ver=ep) == 2
    # the other task is owned by its target user: 403 for anyone else (the page's note)
    with pytest.raises(requests.HTTPError) as excinfo:
        d2lservice.get_ep_import_task_status(uc, ada, ver=ep)
    assert http_status(excinfo) == 403
    ada_headers = emulator.mint("101")
    assert wait_json(lambda: requests.get(emulator.url + world.ep(f"import/{ada}/status"),
                                          headers=ada_headers, timeout=10),
                     lambda s: s == 2) == 2
    after = {u: len(emulator.control("GET", f"eportfolio/objects?user={u}"))
             for u in ("3", "101")}
    assert after["101"] > before["101"] and after["3"] > before["3"]


def test_ep_import_to_the_caller(emulator, uc, world):
    ep = emulator.latest("eP")
    (task,) = d2lservice.start_ep_import_task(uc, ep_package(world.package()), ver=ep)
    assert wait_json(lambda: requests.get(emulator.url + world.ep(f"import/{task}/status"),
                                          auth=uc, timeout=10), lambda s: s == 2) == 2


def test_ep_import_refuses_a_part_it_does_not_know(emulator, uc, world):
    """The library's form, with the part named as the emulator used to read it: refused (400,
    naming the part) rather than silently importing into the caller."""
    boundary = uuid.uuid4().hex
    body = (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"targetUserId\"\r\n"
            f"Content-Type: text/plain\r\n\r\n101\r\n--{boundary}\r\nContent-Disposition: "
            f"form-data; name=\"file\"; filename=\"p.zip\"\r\nContent-Type: application/zip"
            f"\r\n\r\n").encode() + world.package() + f"\r\n--{boundary}--".encode()
    r = requests.post(emulator.url + world.ep("import/new"), data=body, auth=uc, timeout=10,
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 400, r.text
    assert "unknown form part 'targetUserId'" in r.json()["Errors"][0]["Message"]
