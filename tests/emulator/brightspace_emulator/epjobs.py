# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ePortfolio export and import tasks (eportfolio-import-export.txt): job kinds, the export
package (built once, on disk) and its reading for imports. HTTP routes: routes/epjobs.py.

Statuses are JOBSTATUS integers: Queued 0, Aborted 1, Complete 2, CompleteWithErrors 3,
Processing 4. A task is Queued then Processing (sharing ``config.job_duration``), then its
outcome. Task ids are integers from ``store.data["next_ep_job_id"]`` (from 5001; exports and
imports share the counter); the engine stores them as ``str(id)``.

Export (kind ``ep-export``), ``data``::

    {"UserId": "3", "ObjectIds": [9001, ...], "Skipped": [..], "IncludeFormsItems": false,
     "IncludeAssociatedItems": false, "Objects": [<stored object records>], "Dir": "...",
     "Package": null | "<path of the zip>"}

The objects are captured when the task is created (file artifacts' bytes hard-linked under
``Dir``), so later edits or deletions do not change the export. The zip is built the first
time the package is fetched (``ensure_package``), once, then served from disk.

Package layout (a zip; XML files DEFLATED, file bytes STORED and streamed in blocks)::

    manifest.xml              <EpExport>: ExportId, UserId, UniqueName, FirstName, LastName,
                              Exported, IncludeFormsItems, IncludeAssociatedItems,
                              <Objects><Object ObjectId= ObjectTypeId= Path=/></Objects>
    objects/<ObjectId>.xml    <EpObject>: ObjectId, ObjectTypeId, ObjectType, UserId, Name,
                              Description, AllowComments, GeoTag, Created, Modified, ViewLink,
                              [Url], [File: FileName, FileSize, Extension, ContentType,
                              UploadKey, Path], Comments
    files/<ObjectId>/<FileName>   a file artifact's bytes

A null value is an empty element with ``nil="true"``; text that XML 1.0 cannot carry (control
characters) is base64 with ``encoding="base64"``.

Import (kind ``ep-import``), one task per target user (the task belongs to that user), data::

    {"UserId": "101", "CreatedBy": "3", "FileName": "x.zip", "Size": n, "Staging": "...",
     "Objects": [<parsed objects, "Staged": path of the bytes>], "Reason": null | "...",
     "CreatedObjectIds": [...]}

The package is read when the tasks are created (``read_package``): a package in the layout
above is read exactly; any other zip holding XML files imports one FileArtifact per XML file.
Anything malformed (not a zip, no XML file, XML that is not well-formed, a broken own-layout
package) makes every task of the request end Aborted and create nothing. When a Complete (or
CompleteWithErrors) import task settles, its objects are created for the target user with new
ids (``import_effect``, exactly once).
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import re
import shutil
import threading
import zipfile
import xml.etree.ElementTree as ET
from typing import Optional

from . import eportfolio as ep
from . import packages
from . import store as st
from . import uploads as up
from .models import format_utc

KIND_EXPORT = "ep-export"
KIND_IMPORT = "ep-import"

# JOBSTATUS
QUEUED, ABORTED, COMPLETE, COMPLETE_WITH_ERRORS, PROCESSING = 0, 1, 2, 3, 4
PHASES = (QUEUED, PROCESSING)
FINISHED = (COMPLETE, COMPLETE_WITH_ERRORS)
# Values a job_outcome fault may force on an ePortfolio task.
FAULT_OUTCOMES = {"Aborted": ABORTED, "Complete": COMPLETE,
                  "CompleteWithErrors": COMPLETE_WITH_ERRORS,
                  str(ABORTED): ABORTED, str(COMPLETE): COMPLETE,
                  str(COMPLETE_WITH_ERRORS): COMPLETE_WITH_ERRORS}

MANIFEST = "manifest.xml"
BLOCK = 1024 * 1024  # bytes per read/write when copying file bytes
MAX_XML_BYTES = 16 * 1024 * 1024  # a larger XML member of a package is refused
# Characters XML 1.0 cannot carry, or that a parser would not give back as written (CR is
# normalised to LF); a text with any of them is written as base64.
_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")

_build_lock = threading.Lock()


def new_task_id(data: dict) -> int:
    """The next export/import task id (call inside ``store.mutate()``)."""
    value = data["next_ep_job_id"]
    data["next_ep_job_id"] = value + 1
    return value


def completed_at(job: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(job["created"] + sum(s for _x, s in job["phases"]),
                                     dt.timezone.utc)


def package_file_name(job: dict) -> str:
    """eP_Export_<FirstName>_<LastName>_<yyyyMMddHHmm>.zip (completion time, UTC, to the
    minute, no zone: the reference's "timestamp (to the minute only, no timezone
    information)")."""
    user = st.USERS[job["data"]["UserId"]]
    stamp = completed_at(job).strftime("%Y%m%d%H%M")
    return f"eP_Export_{user['FirstName']}_{user['LastName']}_{stamp}.zip"


# --- export: capture --------------------------------------------------------------------------
def capture(data: dict, upload_dir: str, task_id: int, records: list) -> tuple:
    """Copies of ``records`` for an export task, file bytes hard-linked (copied if the file
    system cannot link) under a task directory: ``(objects, dir)``. Inside the store lock."""
    task_dir = os.path.join(upload_dir, f"ep-export-{task_id}")
    objects = []
    for record in records:
        copy = dict(record, Comments=[dict(c) for c in record["Comments"]])
        if record["ObjectTypeId"] == ep.TYPE_FILE:
            source = ep.file_path(data, record)
            target = os.path.join(task_dir, "files", str(record["ObjectId"]))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if source and os.path.exists(source):
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
            copy["Captured"] = target
        objects.append(copy)
    return objects, task_dir


def export_effect(data: dict, job: dict, status) -> None:
    """An export that ends Aborted has no package: drop its captured bytes."""
    if status not in FINISHED:
        shutil.rmtree(job["data"].get("Dir") or "", ignore_errors=True)


# --- export: XML and zip ----------------------------------------------------------------------
def _set_text(element: ET.Element, value) -> None:
    if value is None:
        element.set("nil", "true")
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if _XML_BAD_CHARS.search(text):
        element.set("encoding", "base64")
        text = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
    element.text = text


def _child(parent: ET.Element, name: str, value) -> ET.Element:
    element = ET.SubElement(parent, name)
    _set_text(element, value)
    return element


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def safe_member_name(file_name: str) -> str:
    name = file_name.replace("/", "_").replace("\\", "_").strip()
    return "file" if name in ("", ".", "..") else name


def file_member(record: dict) -> str:
    return f"files/{record['ObjectId']}/{safe_member_name(record['FileName'])}"


def object_xml(record: dict) -> bytes:
    root = ET.Element("EpObject")
    _child(root, "ObjectId", record["ObjectId"])
    _child(root, "ObjectTypeId", record["ObjectTypeId"])
    _child(root, "ObjectType", ep.EPOBJ_NAMES.get(record["ObjectTypeId"], "EpObject"))
    _child(root, "UserId", record["UserId"])
    for key in ("Name", "Description", "AllowComments", "GeoTag", "Created", "Modified"):
        _child(root, key, record[key])
    _child(root, "ViewLink", ep.VIEW_LINK.format(record["ObjectId"]))
    if record["ObjectTypeId"] == ep.TYPE_URL:
        _child(root, "Url", record["Url"])
    if record["ObjectTypeId"] == ep.TYPE_FILE:
        element = ET.SubElement(root, "File")
        for key in ("FileName", "FileSize", "Extension", "ContentType", "UploadKey"):
            _child(element, key, record.get(key))
        _child(element, "Path", file_member(record))
    comments = ET.SubElement(root, "Comments")
    for comment in record["Comments"]:
        element = ET.SubElement(comments, "Comment")
        for key in ("CommentId", "UserId", "CreatedDate", "Body"):
            _child(element, key, comment[key])
    return _xml_bytes(root)


def manifest_xml(job: dict) -> bytes:
    info = job["data"]
    user = st.USERS[info["UserId"]]
    root = ET.Element("EpExport", {"version": "1.0"})
    _child(root, "ExportId", int(job["id"]))
    _child(root, "UserId", int(info["UserId"]))
    for key in ("UniqueName", "FirstName", "LastName"):
        _child(root, key, user[key])
    _child(root, "Exported", format_utc(completed_at(job)))
    _child(root, "IncludeFormsItems", info["IncludeFormsItems"])
    _child(root, "IncludeAssociatedItems", info["IncludeAssociatedItems"])
    objects = ET.SubElement(root, "Objects")
    for record in info["Objects"]:
        ET.SubElement(objects, "Object", {"ObjectId": str(record["ObjectId"]),
                                          "ObjectTypeId": str(record["ObjectTypeId"]),
                                          "Path": f"objects/{record['ObjectId']}.xml"})
    return _xml_bytes(root)


def _zip_info(name: str, when: dt.datetime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def write_package(job: dict, dest: str) -> None:
    """Write the export package of ``job`` to ``dest`` (via a temporary file)."""
    when = completed_at(job)
    tmp = dest + ".part"
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        zf.writestr(_zip_info(MANIFEST, when, zipfile.ZIP_DEFLATED), manifest_xml(job))
        for record in job["data"]["Objects"]:
            zf.writestr(_zip_info(f"objects/{record['ObjectId']}.xml", when,
                                  zipfile.ZIP_DEFLATED), object_xml(record))
            if record["ObjectTypeId"] != ep.TYPE_FILE:
                continue
            info = _zip_info(file_member(record), when, zipfile.ZIP_STORED)
            info.file_size = os.path.getsize(record["Captured"])
            # Streamed block by block: a large file artifact is never held in memory.
            with open(record["Captured"], "rb") as src, \
                    zf.open(info, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as out:
                shutil.copyfileobj(src, out, BLOCK)
    os.replace(tmp, dest)


def ensure_package(emu, job_id: str) -> str:
    """The path of the export package of a finished export task, built on first use (once:
    later calls, also after a restart, serve the same file). Runs in a worker thread."""
    with _build_lock:
        with emu.store.lock:
            job = emu.store.data["jobs"][job_id]
            path = job["data"].get("Package")
        if path and os.path.exists(path):
            return path
        path = os.path.join(emu.store.upload_dir, f"ep-export-{job_id}.zip")
        write_package(job, path)
        with emu.store.mutate() as data:
            stored = data["jobs"].get(job_id)
            if stored is not None:
                stored["data"]["Package"] = path
        shutil.rmtree(job["data"]["Dir"], ignore_errors=True)  # the bytes are in the zip now
        return path


# --- import: reading a package ----------------------------------------------------------------
class PackageError(Exception):
    pass


def _declares_dtd(raw: bytes) -> bool:
    return b"<!DOCTYPE" in raw or b"<!ENTITY" in raw


def _read_xml(zf: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise PackageError(f"the package has no {name}") from None
    if info.file_size > MAX_XML_BYTES:
        raise PackageError(f"{name} is too large")
    with zf.open(info) as fh:
        raw = fh.read(MAX_XML_BYTES + 1)
    # NOTE: no evidence; the strictest reading (and defusedxml's default, against entity
    # expansion attacks): XML with a DOCTYPE or an entity declaration is refused.
    if _declares_dtd(raw):
        raise PackageError(f"{name} must not contain a DOCTYPE or ENTITY declaration")
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        raise PackageError(f"{name} is not well-formed XML: {exc}") from None


def _text(parent: ET.Element, name: str, where: str, required: bool = True) -> Optional[str]:
    element = parent.find(name)
    if element is None:
        if required:
            raise PackageError(f"{where}: <{name}> is missing")
        return None
    if element.get("nil") == "true":
        return None
    text = element.text or ""
    if element.get("encoding") == "base64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8", "surrogatepass")
        except ValueError:
            raise PackageError(f"{where}: <{name}> is not valid base64 UTF-8") from None
    return text


def _int(parent: ET.Element, name: str, where: str) -> int:
    value = _text(parent, name, where)
    if value is None or not re.fullmatch(r"\d+", value.strip()):
        raise PackageError(f"{where}: <{name}> must be a non-negative integer")
    return int(value)


def _bool(parent: ET.Element, name: str, where: str) -> bool:
    value = _text(parent, name, where)
    if value not in ("true", "false"):
        raise PackageError(f"{where}: <{name}> must be true or false")
    return value == "true"


def _str(parent: ET.Element, name: str, where: str) -> str:
    value = _text(parent, name, where)
    if value is None:
        raise PackageError(f"{where}: <{name}> must not be nil")
    return value


def _parse_object(zf: zipfile.ZipFile, path: str, staging: str, index: int) -> dict:
    root = _read_xml(zf, path)
    if root.tag != "EpObject":
        raise PackageError(f"{path}: the root element must be <EpObject>")
    type_id = _int(root, "ObjectTypeId", path)
    if type_id not in ep.EPOBJ_NAMES:
        raise PackageError(f"{path}: unknown ObjectTypeId {type_id}")
    obj = {"ObjectTypeId": type_id, "SourceObjectId": _int(root, "ObjectId", path),
           "Name": _str(root, "Name", path), "Description": _str(root, "Description", path),
           "AllowComments": _bool(root, "AllowComments", path),
           "GeoTag": _text(root, "GeoTag", path)}
    if type_id == ep.TYPE_URL:
        obj["Url"] = _str(root, "Url", path)
    if type_id == ep.TYPE_FILE:
        element = root.find("File")
        if element is None:
            raise PackageError(f"{path}: <File> is missing")
        where = f"{path} <File>"
        obj["FileName"] = _str(element, "FileName", where)
        obj["FileSize"] = _int(element, "FileSize", where)
        obj["ContentType"] = _text(element, "ContentType", where, required=False) \
            or "application/octet-stream"
        member = _str(element, "Path", where)
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise PackageError(f"{where}: the file {member} is not in the package") from None
        if info.file_size != obj["FileSize"]:
            raise PackageError(f"{where}: {member} has {info.file_size} bytes, FileSize says "
                               f"{obj['FileSize']}")
        staged = os.path.join(staging, str(index))
        with zf.open(info) as src, open(staged, "wb") as out:
            shutil.copyfileobj(src, out, BLOCK)  # the CRC is checked at the end of the member
        obj["Staged"] = staged
    return obj


def xml_members(zf: zipfile.ZipFile) -> list:
    """The package's XML files: members (not folders) whose name ends in ``.xml``, in zip
    order."""
    return [info for info in zf.infolist()
            if not info.is_dir() and info.filename.lower().endswith(".xml")]


def _is_own_layout(zf: zipfile.ZipFile) -> bool:
    """A package in the layout the emulator writes: a root ``manifest.xml`` whose root element is
    ``<EpExport>`` (read with ``_read_xml``: a malformed manifest is refused, not guessed at)."""
    try:
        zf.getinfo(MANIFEST)
    except KeyError:
        return False
    return _read_xml(zf, MANIFEST).tag == "EpExport"


def _read_own_layout(zf: zipfile.ZipFile, staging: str) -> list:
    manifest = _read_xml(zf, MANIFEST)
    listed = manifest.findall("./Objects/Object")
    # NOTE: no evidence; the strictest reading: a manifest of the emulator's own layout that
    # lists no object is malformed (an export never writes one).
    if not listed:
        raise PackageError(f"{MANIFEST} lists no EP objects")
    objects = []
    for index, element in enumerate(listed):
        member = element.get("Path")
        if not member:
            raise PackageError(f"{MANIFEST}: an <Object> has no Path")
        objects.append(_parse_object(zf, member, staging, index))
    return objects


def _read_other_layout(zf: zipfile.ZipFile, members: list, staging: str) -> list:
    """One FileArtifact per XML file of a package the emulator did not write: Name = the file's
    name without its extension, FileName = its name, the XML bytes as the content."""
    objects = []
    for index, info in enumerate(members):
        _read_xml(zf, info.filename)  # an .xml member must be XML (well-formed, no DTD)
        base = info.filename.rsplit("/", 1)[-1]
        staged = os.path.join(staging, str(index))
        with zf.open(info) as src, open(staged, "wb") as out:
            shutil.copyfileobj(src, out, BLOCK)
        objects.append({"ObjectTypeId": ep.TYPE_FILE, "SourceObjectId": None,
                        "Name": os.path.splitext(base)[0] or base, "Description": "",
                        "AllowComments": True, "GeoTag": None, "FileName": base,
                        "FileSize": info.file_size, "ContentType": "application/xml",
                        "Staged": staged})
    return objects


def read_package(path: str, staging: str) -> dict:
    """Read an ePortfolio package: ``{"ok": True, "Objects": [...]}`` (file bytes extracted to
    ``staging``) or ``{"ok": False, "Reason": "..."}`` (``staging`` removed). Runs in a worker
    thread.

    NOTE: evidence: the page says only that a package is "an unencrypted compressed bundle of
    one or more XML files" (application/zip); it publishes no layout. So any zip holding at
    least one XML file (a member named *.xml) is a package; only what is not a zip, or holds no
    XML file at all, is refused (and, the strictest reading where the page is silent, an .xml
    member that is not well-formed XML or declares a DOCTYPE/ENTITY: it is no XML file). A
    package in the layout the emulator's exports have (manifest.xml with an <EpExport> root,
    see the module docstring) is read exactly, every object with its type and properties; for
    any other package there is no evidence of what its XML means, so the emulator imports one
    FileArtifact per XML file, named after the file (its name without the extension), holding
    the XML bytes (application/xml); other members of such a package are not imported."""
    os.makedirs(staging, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as zf:
            members = xml_members(zf)
            if not members:
                raise PackageError("the package holds no XML file")
            damaged = packages.damaged_member(path)
            if damaged:
                raise PackageError(damaged)
            if _is_own_layout(zf):
                objects = _read_own_layout(zf, staging)
            else:
                objects = _read_other_layout(zf, members, staging)
    except PackageError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return {"ok": False, "Reason": str(exc), "Objects": []}
    except packages.READ_ERRORS as exc:
        shutil.rmtree(staging, ignore_errors=True)
        reason = "the package is not a zip file" if isinstance(exc, zipfile.BadZipFile) \
            and "not a zip" in str(exc).lower() else f"the package cannot be read: {exc}"
        return {"ok": False, "Reason": reason, "Objects": []}
    return {"ok": True, "Reason": None, "Objects": objects}


# --- import: completion -----------------------------------------------------------------------
def import_effect(data: dict, job: dict, status) -> None:
    """A Complete or CompleteWithErrors import creates the package's objects for its user."""
    info = job["data"]
    upload_dir = os.path.dirname(info["Staging"])
    if status in FINISHED:
        created = []
        for obj in info["Objects"]:
            extra = {}
            if obj["ObjectTypeId"] == ep.TYPE_URL:
                extra["Url"] = obj["Url"]
            if obj["ObjectTypeId"] == ep.TYPE_FILE:
                meta = up.register_file(data, upload_dir, obj["Staged"], obj["ContentType"],
                                        obj["FileName"], user=info["UserId"], link=True)
                extra.update(ep.file_content(meta, obj["FileName"]))
            # NOTE: no evidence; the strictest reading: comments are not imported (they belong
            # to the exporting service's users); Created and Modified are the time of the
            # import (a client must not expect its timestamps to survive an import).
            record = ep.new_object(data, info["UserId"], obj["ObjectTypeId"], obj["Name"],
                                   obj["Description"], obj["AllowComments"], obj["GeoTag"],
                                   **extra)
            created.append(record["ObjectId"])
        info["CreatedObjectIds"] = created
    # The staged bytes go once no unsettled task of the same request needs them.
    if not any(j["kind"] == KIND_IMPORT and not j.get("settled")
               and j["data"].get("Staging") == info["Staging"] for j in data["jobs"].values()):
        shutil.rmtree(info["Staging"], ignore_errors=True)


def register(engine) -> None:
    engine.register(KIND_EXPORT, export_effect)
    engine.register(KIND_IMPORT, import_effect)
