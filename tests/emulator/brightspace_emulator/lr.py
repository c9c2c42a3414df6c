# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Learning Repository (learning-repository.txt): repositories, trusts, learning objects and
their versions, publishing defaults, Dublin Core metadata, download packages and search. The
HTTP routes live in routes/lr.py.

Everything lives in ``store.data["lr"]``::

    {"repositories": {"1": {"RepositoryId": 1, "Name", "Description", "Type": "Local",
                            "OrgId": 6606, "Defaults": {"HiddenFromSearchResults": false,
                                                        "PublicallyAvailable": false}}, ...},
     "trusts": {"<repositoryId>": {"<orgUnitId>": {"<roleId>": {"<LR_TRUST_T name>": bool}}}},
     "objects": {"1001": {"IdentId": 1001, "Versions": [<version>, ...]}},
     "next_id": 1002}

A version::

    {"Version": 1, "RepositoryId": 1, "Title", "Description", "Keywords": [..], "Status": 5,
     "HiddenFromSearchResults", "PublicallyAvailable", "OwnerId": 3, "Type": 3,
     "FileName": "x.zip", "ContentType": "application/zip", "Size": n, "File": "<path>",
     "Created": "<UTCDateTime>", "Package": null | "<path of the built download package>"}

The bytes of a version are a file of their own under the store's upload dir
(``lr-<IdentId>-v<Version>``), moved there from the simple upload's temporary file or from the
resumable upload (whose record then points at it, ``Attached``); they are never held whole in
memory. Deleting an object deletes its versions' files and packages.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
import shutil
import threading
import zipfile
import xml.etree.ElementTree as ET
from typing import Optional
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from . import cql
from . import packages
from .models import format_utc
from .permissions import ROLE_ADMIN, ROLE_INSTRUCTOR, ROLE_STUDENT

# LR_EXEC_STATUS_T
OK, WARN, ERROR = 0, 1, 2

# LR_OBJECT_T
LR_OBJECT_T = {"Unspecified": 0, "Asset": 1, "Topic": 2, "Module": 3, "Course": 4, "Quiz": 6,
               "Url": 7}
OBJECT_TYPE_NAMES = {value: name for name, value in LR_OBJECT_T.items()}
TYPE_ASSET, TYPE_MODULE, TYPE_COURSE, TYPE_QUIZ = 1, 3, 4, 6

# LR_OBJECT_STATUS_T: Draft 1, InReview 2, Approved 3, Archived 4, Unassigned 5
STATUS_MIN, STATUS_MAX, STATUS_UNASSIGNED = 1, 5, 5

# LR_REPOSITORY_T
REPOSITORY_TYPES = ("Local", "Metadata", "Federated", "All")

# LR_TRUST_T names, in the page's order, and the LRWSTrust property of each.
# NOTE: evidence: the page lists VersionAllItems and AdministerLearningRepository among the
# LR_TRUST_T names but gives them no LRWSTrust property; so they are stored (and usable in
# trustParams) but never appear in an LRWSTrust block.
TRUSTS = (
    ("ViewItems", "CanViewItems"), ("ViewDetails", "CanSeeDetails"),
    ("LinkToLor", "CanLinkToLor"), ("RetrieveFromLor", "CanRetrieve"),
    ("ManageAllItems", "CanManageAllItems"), ("ManageMyItems", "CanManageMyItems"),
    ("ViewEventLog", "CanSeeEventLog"), ("ViewFiles", "CanViewFiles"),
    ("AddReviews", "CanAddReviews"), ("DeleteReviews", "CanDeleteReviews"),
    ("ManageReviews", "CanManageReviews"), ("Classify", "CanClassify"),
    ("SeeAllHiddenObjects", "CanSeeAllHiddenObjects"), ("Publish", "CanPublish"),
    ("PublishOffline", "CanPublishOffline"), ("Search", "CanSearch"),
    ("VersionMyItems", "CanVersionMyItems"), ("VersionAllItems", None),
    ("ViewMetadata", "CanViewMetadata"), ("EditMetadata", "CanEditMetadata"),
    ("ManageRepositories", "CanManageRepositories"), ("AdministerLearningRepository", None),
)
TRUST_NAMES = tuple(name for name, _field in TRUSTS)

ORGANIZATION_ID = 6606
# NOTE: emulator mechanics: the emulator has no enrollments; a caller acts in the
# Organization 6606 with the role of its user (permissions.role_of: user 3 an Administrator,
# 104 an Instructor, 105 a Student, ...) for every trust check and filter; repositories/(type)/
# looks the trusts up in the org unit it is given.

# The trust (LR_TRUST_T) each action needs, and the page's words for it ("Permissions: Caller
# must have permission to ..."): routes/lr.py checks them in the repository the action is about.
PAGE_WORDS = {
    "Search": "Search the LOR",
    "RetrieveFromLor": "Retrieve Objects from the LOR",
    "LinkToLor": "Create Links to Objects in the LOR",
    "ViewMetadata": "View Metadata on the object's repository",
    "ManageMyItems": "Manage My Objects in the LOR",
    "ManageAllItems": "Manage All Objects in the LOR",
    "Publish": "Publish to the LOR",
    "VersionMyItems": "Version Items in the LOR (your own)",
    "VersionAllItems": "Version Items in the LOR (another user's)",
    "SeeAllHiddenObjects": "See All Hidden Objects",
}

FIRST_LR_ID = 1001
VIEW_URL = "/d2l/lor/viewer/view.d2l?ou={ou}&loIdentId={ident}"
MANIFEST = "imsmanifest.xml"
D2LCP_NS = "http://desire2learn.com/xsd/d2lcp_v2p0"
IMSCP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
SCORM12_CP_NS = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12_NS = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
DC_NS = "http://purl.org/dc/elements/1.1/"
BLOCK = 1024 * 1024

NO_TITLE_WARNING = "Package has no title; the file name was used"

_build_lock = threading.Lock()


class LrError(Exception):
    """An LR action that failed: answered 200 with ExecutionStatus 2 and this message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- seeds ------------------------------------------------------------------------------------
SEED_QUIZ = b"""<?xml version="1.0" encoding="UTF-8"?>
<questestinterop>
  <assessment ident="LR_QUIZ_1001" title="Seeded quiz">
    <section ident="section_1">
      <item ident="question_1" title="Addition">
        <presentation>
          <material><mattext>2 + 2 = ?</mattext></material>
          <response_lid ident="answer_1" rcardinality="Single">
            <render_choice>
              <response_label ident="a"><material><mattext>4</mattext></material></response_label>
              <response_label ident="b"><material><mattext>5</mattext></material></response_label>
            </render_choice>
          </response_lid>
        </presentation>
      </item>
    </section>
  </assessment>
</questestinterop>
"""
SEED_CREATED = "2026-01-05T09:00:00.000Z"


def _repository(rid: int, name: str, description: str, rtype: str, hidden: bool = False,
                public: bool = False) -> dict:
    return {"RepositoryId": rid, "Name": name, "Description": description, "Type": rtype,
            "OrgId": ORGANIZATION_ID,
            "Defaults": {"HiddenFromSearchResults": hidden, "PublicallyAvailable": public}}


def _trust(*granted: str) -> dict:
    return {name: name in granted for name in TRUST_NAMES}


INSTRUCTOR_TRUSTS = ("ViewItems", "ViewDetails", "ViewFiles", "Search", "RetrieveFromLor",
                     "Publish", "ManageMyItems", "VersionMyItems", "ViewMetadata")
STUDENT_TRUSTS = ("ViewItems", "ViewDetails", "Search", "RetrieveFromLor")


def seed() -> dict:
    repositories = [
        _repository(1, "Demo Local Repository", "Learning objects of Demo University", "Local"),
        _repository(2, "Demo Metadata Repository", "Metadata records of external learning "
                    "objects", "Metadata"),
        _repository(3, "Federated Search", "Searches the federated repositories", "Federated"),
        # NOTE: emulator mechanics (seed data): the archive's defaults hide new objects from
        # search results, so a client can see that the publishing defaults come from the
        # target repository (the page: "The target repository's default visibility settings").
        _repository(4, "Archive Repository", "Retired learning objects", "Local", hidden=True),
    ]
    trusts: dict = {}
    for repo in repositories:
        rid = repo["RepositoryId"]
        if repo["Type"] == "Federated":
            roles = {role: _trust("Search", "ViewItems")
                     for role in (ROLE_ADMIN, ROLE_INSTRUCTOR, ROLE_STUDENT)}
        else:
            roles = {ROLE_ADMIN: _trust(*TRUST_NAMES), ROLE_INSTRUCTOR: _trust(*INSTRUCTOR_TRUSTS),
                     ROLE_STUDENT: _trust(*STUDENT_TRUSTS)}
        trusts[str(rid)] = {str(ORGANIZATION_ID): {str(r): t for r, t in roles.items()}}
    quiz = {"Version": 1, "RepositoryId": 1, "Title": "Seeded quiz",
            "Description": "A one-question quiz seeded in the demo repository",
            "Keywords": ["Seed, Quiz"], "Status": 3, "HiddenFromSearchResults": False,
            "PublicallyAvailable": False, "OwnerId": 3, "Type": TYPE_QUIZ,
            "FileName": "seeded_quiz.xml", "ContentType": "application/xml",
            "Size": len(SEED_QUIZ), "File": None, "Created": SEED_CREATED, "Package": None,
            "Seed": "quiz"}
    return {"repositories": {str(r["RepositoryId"]): r for r in repositories},
            "trusts": trusts,
            "objects": {str(FIRST_LR_ID): {"IdentId": FIRST_LR_ID, "Versions": [quiz]}},
            "next_id": FIRST_LR_ID + 1}


def ensure_seed_files(data: dict, upload_dir: str) -> None:
    """Write the bytes of seeded versions whose file is missing (after a reset, or a state
    file loaded with another upload dir). Call under the store lock."""
    for obj in data["lr"]["objects"].values():
        for version in obj["Versions"]:
            present = bool(version["File"]) and os.path.exists(version["File"])
            if version.get("Seed") == "quiz" and not present:
                path = version_path(upload_dir, obj["IdentId"], version["Version"])
                with open(path, "wb") as fh:
                    fh.write(SEED_QUIZ)
                version["File"] = path
                version["Package"] = None


# --- lookups ----------------------------------------------------------------------------------
def lr_data(data: dict) -> dict:
    return data["lr"]


def repository(data: dict, rid: int) -> dict:
    repo = data["lr"]["repositories"].get(str(rid))
    if repo is None:
        raise LrError(f"Repository {rid} not found")
    return repo


def local_repository(data: dict, rid: int) -> dict:
    repo = repository(data, rid)
    if repo["Type"] != "Local":
        raise LrError(f"Repository {rid} is not a local repository")
    return repo


def get_object(data: dict, ident: int) -> dict:
    obj = data["lr"]["objects"].get(str(ident))
    if obj is None:
        raise LrError(f"Object {ident} not found")
    return obj


def get_version(data: dict, ident: int, version: Optional[int] = None) -> tuple:
    """(object, version record): the latest version when ``version`` is None."""
    obj = get_object(data, ident)
    if version is None:
        return obj, obj["Versions"][-1]
    for record in obj["Versions"]:
        if record["Version"] == version:
            return obj, record
    raise LrError(f"Object {ident} has no version {version}")


def object_repository(obj: dict) -> int:
    return obj["Versions"][-1]["RepositoryId"]


def role_trusts(data: dict, rid: int, role: int, org_unit: int = ORGANIZATION_ID) -> dict:
    """``{LR_TRUST_T name: bool}`` of ``role`` in repository ``rid`` and ``org_unit``."""
    # NOTE: no evidence; emulator mechanics (seed data): a role without trusts of its own in an
    # org unit other than the Organization inherits its trusts in the Organization.
    per_org = data["lr"]["trusts"].get(str(rid), {})
    own = per_org.get(str(org_unit), {}).get(str(role))
    if own is None:
        own = per_org.get(str(ORGANIZATION_ID), {}).get(str(role), {})
    return own


def trust(data: dict, rid: int, name: str, role: int, org_unit: int = ORGANIZATION_ID) -> bool:
    return bool(role_trusts(data, rid, role, org_unit).get(name, False))


def role_name(data: dict, role: int) -> str:
    found = data.get("roles", {}).get(str(role))
    return f"{found['Name'] if found else 'no role'} ({role})"


def require_trust(data: dict, rid: int, name: str, role: int, words: Optional[str] = None,
                  org_unit: int = ORGANIZATION_ID) -> None:
    """An ERROR naming the missing permission unless ``role`` has trust ``name`` in ``rid``."""
    if not trust(data, rid, name, role, org_unit):
        raise LrError(f"No permission to {words or PAGE_WORDS.get(name, name)} in repository "
                      f"{rid}: the role {role_name(data, role)} does not have the trust {name}")


def object_count(data: dict, rid: int) -> int:
    return sum(1 for obj in data["lr"]["objects"].values() if object_repository(obj) == rid)


# --- answer blocks ----------------------------------------------------------------------------
def base(status: int = OK, message: str = "") -> dict:
    return {"ExecutionMessage": message, "ExecutionStatus": status}


def view_url(data: dict, obj: dict, version: Optional[int] = None) -> str:
    # NOTE: no evidence: the page gives no URL format; the emulator's viewer URL carries the
    # repository's org unit and the IdentId, and &loVersion=<v> when a route names a version
    # (a client must treat it as opaque).
    repo = data["lr"]["repositories"].get(str(object_repository(obj)), {})
    url = VIEW_URL.format(ou=repo.get("OrgId", ORGANIZATION_ID), ident=obj["IdentId"])
    return url if version is None else f"{url}&loVersion={version}"


def properties_form(data: dict, obj: dict, record: dict, versioned: bool) -> dict:
    """LRWSObjectProperties."""
    out = base()
    out.update({
        "RepositoryId": record["RepositoryId"],
        "Status": record["Status"],
        "HiddenFromSearchResults": record["HiddenFromSearchResults"],
        "PublicallyAvailable": record["PublicallyAvailable"],
        "IdentId": obj["IdentId"],
        "Version": record["Version"],
        "URL": view_url(data, obj, record["Version"] if versioned else None),
        "Title": record["Title"],
        "Description": record["Description"],
        "OwnerId": record["OwnerId"],
        "Keywords": list(record["Keywords"]),
        "Type": record["Type"],
    })
    return out


def repository_form(data: dict, repo: dict) -> dict:
    """LRWSRepository (ObjectCount live)."""
    return {"RepositoryId": repo["RepositoryId"], "Name": repo["Name"],
            "Description": repo["Description"], "Type": repo["Type"], "OrgId": repo["OrgId"],
            "ObjectCount": object_count(data, repo["RepositoryId"])}


def trust_form(names: dict) -> dict:
    """LRWSTrust from LR_TRUST_T name -> bool."""
    return {field: bool(names.get(name, False)) for name, field in TRUSTS if field}


# --- publishing -------------------------------------------------------------------------------
def file_stem(file_name: str) -> str:
    stem = os.path.splitext(file_name)[0]
    return stem or file_name


def classify(path: str, file_name: str) -> dict:
    """``{"Type", "Title", "Warning"}`` of a file to publish; raises ``LrError`` for a file the
    service refuses. Runs in a worker thread (it reads the zip's directory and manifest)."""
    if os.path.getsize(path) == 0:
        # NOTE: no evidence; the strictest reading: an empty file is not a learning object.
        raise LrError("Invalid package: the file is empty")
    stem = file_stem(file_name)
    asset = {"Type": TYPE_ASSET, "Title": stem, "Warning": None}
    if not zipfile.is_zipfile(path):
        return asset
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except packages.READ_ERRORS as exc:
        raise LrError(f"Invalid package: the zip file cannot be read ({exc})") from None
    if MANIFEST not in names:
        if any(n.rstrip("/").rsplit("/", 1)[-1].lower() == MANIFEST for n in names):
            raise LrError("Invalid package: imsmanifest.xml not found at the root")
        # NOTE: no evidence; a zip without any imsmanifest.xml is no package: an ordinary
        # file, an Asset (LR_OBJECT_T).
        return asset
    facts = packages.manifest_facts(path)
    if not facts["ok"]:
        raise LrError(f"Invalid package: {facts['Reason']}")
    damaged = packages.damaged_member(path) if facts["PackageType"] in (
        packages.TYPE_D2L, packages.TYPE_SCORM) else None
    if damaged:
        raise LrError(f"Invalid package: {damaged}")
    # NOTE: no evidence of the service's classification; the page distinguishes D2L packages
    # (quizzes) from SCORM packages. The type comes from the manifest: a d2lcp namespace on the
    # root element -> Course
    # (a D2L package); an adlcp namespace or <schema>ADL SCORM</schema> -> Module (a SCORM
    # package). A manifest of any other kind (IMS CC, plain IMS CP) is published as an Asset.
    if facts["PackageType"] == packages.TYPE_D2L:
        kind = TYPE_COURSE
    elif facts["PackageType"] == packages.TYPE_SCORM:
        kind = TYPE_MODULE
    else:
        return asset
    if facts["Title"]:
        return {"Type": kind, "Title": facts["Title"], "Warning": None}
    # NOTE: no evidence (the page: a WARN is "impeded in a non-critical way"); only a SCORM
    # package without an organization title is a WARN; a D2L package takes the file name
    # silently (its organizations usually carry no title of their own).
    return {"Type": kind, "Title": stem,
            "Warning": NO_TITLE_WARNING if kind == TYPE_MODULE else None}


def guess_type(file_name: str, declared: Optional[str]) -> str:
    declared = (declared or "").strip()
    if declared:
        return declared
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def version_path(upload_dir: str, ident: int, version: int) -> str:
    return os.path.join(upload_dir, f"lr-{ident}-v{version}")


def new_version(repo: dict, owner: int, version: int, facts: dict, file_name: str,
                content_type: str, size: int, path: str) -> dict:
    """A version with the default publishing properties (the page: "default publishing
    options": the repository's visibility defaults, Unassigned status)."""
    return {"Version": version, "RepositoryId": repo["RepositoryId"], "Title": facts["Title"],
            "Description": "", "Keywords": [], "Status": STATUS_UNASSIGNED,
            "HiddenFromSearchResults": repo["Defaults"]["HiddenFromSearchResults"],
            "PublicallyAvailable": repo["Defaults"]["PublicallyAvailable"],
            "OwnerId": owner, "Type": facts["Type"], "FileName": file_name,
            "ContentType": content_type, "Size": size, "File": path,
            "Created": format_utc(dt.datetime.now(dt.timezone.utc)), "Package": None}


def create_object(data: dict, upload_dir: str, repo: dict, owner: int, facts: dict,
                  file_name: str, content_type: str, src: str) -> tuple:
    """A new object (version 1) from the file ``src`` (moved into place). Call inside
    ``store.mutate()``. Returns (object, version)."""
    ident = data["lr"]["next_id"]
    data["lr"]["next_id"] = ident + 1
    path = version_path(upload_dir, ident, 1)
    os.replace(src, path)
    record = new_version(repo, owner, 1, facts, file_name, content_type,
                         os.path.getsize(path), path)
    obj = {"IdentId": ident, "Versions": [record]}
    data["lr"]["objects"][str(ident)] = obj
    return obj, record


def add_version(data: dict, upload_dir: str, obj: dict, owner: int, facts: dict,
                file_name: str, content_type: str, src: str) -> dict:
    """A new version of ``obj`` in its repository, with the default properties (the page:
    overwriting publishes "using the default values for the new object's basic properties").
    Call inside ``store.mutate()``."""
    # NOTE: no evidence; a new version may be of another type than the previous one (each
    # version is classified on its own file, as the page's "overwrites ... with a new one
    # created from your provided package").
    repo = data["lr"]["repositories"][str(object_repository(obj))]
    number = obj["Versions"][-1]["Version"] + 1
    path = version_path(upload_dir, obj["IdentId"], number)
    os.replace(src, path)
    record = new_version(repo, owner, number, facts, file_name, content_type,
                         os.path.getsize(path), path)
    obj["Versions"].append(record)
    return record


def delete_object(data: dict, obj: dict) -> None:
    data["lr"]["objects"].pop(str(obj["IdentId"]), None)
    for record in obj["Versions"]:
        _remove(record.get("File"))
        _remove(record.get("Package"))


def _remove(path: Optional[str]) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass


def move_object(data: dict, obj: dict, target: dict) -> None:
    # NOTE: evidence: the page's LRWSObjectPropertiesInput "RepositoryId ... to move the learning
    # object from one repository to another" moves the object; no evidence for versions: an
    # object lives in one repository, so moving it (from any version's properties) moves every
    # version.
    for record in obj["Versions"]:
        record["RepositoryId"] = target["RepositoryId"]


# --- Dublin Core metadata ---------------------------------------------------------------------
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    # NOTE: emulator mechanics: characters XML 1.0 cannot carry are replaced by U+FFFD in the
    # metadata (the page gives no encoding rule).
    return _XML_BAD.sub("\ufffd", value)


def metadata_xml(obj: dict, record: dict) -> bytes:
    """The Dublin Core metadata document of a version."""
    ET.register_namespace("dc", DC_NS)
    root = ET.Element("metadata")

    def add(name: str, value) -> None:
        el = ET.SubElement(root, "{%s}%s" % (DC_NS, name))
        el.text = _xml_text(str(value))

    add("title", record["Title"])
    add("description", record["Description"])
    for subject in cql.subjects(record["Keywords"]):
        add("subject", subject)
    add("date", record["Created"])
    add("identifier", obj["IdentId"])
    add("type", OBJECT_TYPE_NAMES.get(record["Type"], "Unspecified"))
    add("format", record["ContentType"])
    return _xml(root)


# --- download packages ------------------------------------------------------------------------
def package_file_name(record: dict) -> str:
    return file_stem(record["FileName"]) + ".zip"


def _zip_info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=dt.datetime.now().timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def _copy_member(zf: zipfile.ZipFile, name: str, src: str) -> None:
    info = _zip_info(name, zipfile.ZIP_STORED)
    info.file_size = os.path.getsize(src)
    # Streamed block by block: a large asset is never held in memory.
    with open(src, "rb") as fh, \
            zf.open(info, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as out:
        shutil.copyfileobj(fh, out, BLOCK)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def asset_member(record: dict) -> str:
    name = record["FileName"].replace("\\", "/").rsplit("/", 1)[-1] or "file"
    return f"content/{name}" if name.lower() == MANIFEST else name


def _attr(value: str) -> str:
    return quoteattr(_xml_text(value))


def scorm_manifest(obj: dict, record: dict) -> bytes:
    """A SCORM 1.2 manifest with one asset resource: the version's file."""
    title = escape(_xml_text(record["Title"]))
    href = _attr(quote(asset_member(record)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="LR_{obj['IdentId']}_{record['Version']}" version="1"
          xmlns="{SCORM12_CP_NS}"
          xmlns:adlcp="{ADLCP12_NS}">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG_1">
    <organization identifier="ORG_1">
      <title>{title}</title>
      <item identifier="ITEM_1" identifierref="RES_1">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES_1" type="webcontent" adlcp:scormtype="asset" href={href}>
      <file href={href}/>
    </resource>
  </resources>
</manifest>
""".encode("utf-8")


def quiz_member(obj: dict) -> str:
    return f"quiz_d2l_{obj['IdentId']}.xml"


def d2l_manifest(obj: dict, record: dict) -> bytes:
    """A D2L package manifest (IMS CP with the d2lcp namespace on its root) holding one quiz."""
    ident = obj["IdentId"]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="D2L_LR_{ident}" xmlns:d2l_2p0="{D2LCP_NS}" xmlns="{IMSCP_NS}">
  <organizations/>
  <resources>
    <resource identifier="res_quiz_{ident}" type="webcontent" d2l_2p0:material_type="d2lquiz"
              d2l_2p0:link_target="" href={_attr(quiz_member(obj))} title={_attr(record["Title"])}/>
  </resources>
</manifest>
""".encode("utf-8")


def _write_package(obj: dict, record: dict, dest: str) -> None:
    tmp = dest + ".part"
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        if record["Type"] == TYPE_QUIZ:
            zf.writestr(_zip_info(MANIFEST, zipfile.ZIP_DEFLATED), d2l_manifest(obj, record))
            _copy_member(zf, quiz_member(obj), record["File"])
        else:
            zf.writestr(_zip_info(MANIFEST, zipfile.ZIP_DEFLATED), scorm_manifest(obj, record))
            _copy_member(zf, asset_member(record), record["File"])
    os.replace(tmp, dest)


def ensure_package(emu, ident: int, version: int) -> tuple:
    """(path, download file name) of a version's download package. Module and Course objects
    are their stored zip; a Quiz is wrapped in a D2L package and any other type (Asset) in a
    SCORM package, built on first use and kept (NOTE: no evidence; the package's manifest title
    is the version's title at that first download). Runs in a worker thread."""
    with _build_lock:
        with emu.store.lock:
            obj, record = get_version(emu.store.data, ident, version)
            name = package_file_name(record)
            if record["Type"] in (TYPE_MODULE, TYPE_COURSE):
                return record["File"], name
            if record.get("Package") and os.path.exists(record["Package"]):
                return record["Package"], name
            snapshot_obj = {"IdentId": obj["IdentId"]}
            snapshot_rec = dict(record)
        dest = version_path(emu.store.upload_dir, ident, version) + "-package.zip"
        _write_package(snapshot_obj, snapshot_rec, dest)
        with emu.store.mutate() as data:
            current = data["lr"]["objects"].get(str(ident))
            stored = None
            if current is not None:
                stored = next((r for r in current["Versions"] if r["Version"] == version), None)
            if stored is None:  # deleted meanwhile
                _remove(dest)
                raise LrError(f"Object {ident} not found")
            stored["Package"] = dest
        return dest, name


# --- search -----------------------------------------------------------------------------------
def search(data: dict, query: cql.Query, repositories: list, role: int) -> list:
    """Latest versions matching ``query`` in ``repositories``, sorted; hidden objects only in
    repositories where the caller has SeeAllHiddenObjects."""
    wanted = set(repositories)
    found = []
    for obj in data["lr"]["objects"].values():
        record = obj["Versions"][-1]
        rid = record["RepositoryId"]
        if rid not in wanted:
            continue
        # NOTE: evidence: the page: HiddenFromSearchResults "When true, the learning object will
        # not appear in search results" and LR_TRUST_T has SeeAllHiddenObjects: hidden objects
        # are left out unless the caller's role has that trust in the object's repository
        # (administrators do; the seeded Instructor and Student do not). Only search: the page
        # says nothing of the other routes, which answer a hidden object by its id.
        if record["HiddenFromSearchResults"] and not trust(data, rid, "SeeAllHiddenObjects",
                                                           role):
            continue
        fields = {"title": record["Title"], "description": record["Description"],
                  "keywords": record["Keywords"]}
        if cql.matches(query.where, fields):
            found.append({"ident": obj["IdentId"], "title": record["Title"],
                          "date": record["Created"], "obj": obj, "record": record})
    return cql.sort_records(found, query.sort)


def search_result(data: dict, hit: dict) -> dict:
    """LRWSSearchResult."""
    obj, record = hit["obj"], hit["record"]
    repo = data["lr"]["repositories"].get(str(record["RepositoryId"]), {})
    return {"RepositoryId": record["RepositoryId"], "IdentId": obj["IdentId"],
            "Version": record["Version"], "URL": view_url(data, obj), "Title": record["Title"],
            "OrgId": repo.get("OrgId", ORGANIZATION_ID), "TypeId": record["Type"]}


# --- control ----------------------------------------------------------------------------------
def sha256_file(path: str) -> Optional[str]:
    if not path or not os.path.exists(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(BLOCK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def control_objects(data: dict) -> list:
    """Every object with its versions' properties (``Sha256`` is filled in by the caller)."""
    out = []
    for obj in sorted(data["lr"]["objects"].values(), key=lambda o: o["IdentId"]):
        versions = []
        for record in obj["Versions"]:
            form = {k: v for k, v in record.items() if k not in ("Seed",)}
            form["Keywords"] = list(record["Keywords"])
            form["URL"] = view_url(data, obj, record["Version"])
            versions.append(form)
        out.append({"IdentId": obj["IdentId"], "RepositoryId": object_repository(obj),
                    "Versions": versions})
    return out


def bulk_create(data: dict, upload_dir: str, rid: int, count: int, prefix: str,
                owner: int) -> list:
    """``count`` small Asset objects titled ``<prefix> 0001``... in repository ``rid`` (one
    store mutation). Call inside ``store.mutate()``; returns the new IdentIds."""
    repo = local_repository(data, rid)
    width = max(4, len(str(count)))
    idents = []
    for n in range(1, count + 1):
        title = f"{prefix} {n:0{width}d}"
        tmp = os.path.join(upload_dir, f"lr-bulk-{data['lr']['next_id']}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(title.encode("utf-8") + b"\n")
        obj, _record = create_object(
            data, upload_dir, repo, owner, {"Type": TYPE_ASSET, "Title": title},
            f"bulk-{n:0{width}d}.txt", "text/plain", tmp)
        idents.append(obj["IdentId"])
    return idents


def snapshot(data: dict) -> dict:
    """``/_emulator/state``'s ``lr`` block."""
    lr = data["lr"]
    repos = []
    for repo in sorted(lr["repositories"].values(), key=lambda r: r["RepositoryId"]):
        form = repository_form(data, repo)
        form["Defaults"] = dict(repo["Defaults"])
        repos.append(form)
    return {"repositories": repos, "trusts": lr["trusts"], "objects": control_objects(data),
            "next_id": lr["next_id"]}
