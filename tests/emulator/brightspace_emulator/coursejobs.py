# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course copy and import jobs (courses.txt "Copying courses", "Importing courses"): constants,
completion effects and callback bodies. The HTTP routes live in routes/coursejobs.py.

Completion effects (applied once, when a job settles; see jobs.py):
- copy ``COMPLETE``: the target's content record gets each copied component
  (``components[name] = {"SourceOrgUnitId", "JobToken"}``) and a ``copies`` entry
  ``{"JobToken", "SourceOrgUnitId", "Components"}`` (``Components`` null = all 31);
- import ``COMPLETED``: an ``imports`` entry ``{"JobToken", "PackageType", "Title", "FileName",
  "Size"}``;
- ``FAILED``, ``CANCELLED``, ``IMPORTFAILED``: no change.

Content records live in ``store.data["course_content"][str(orgUnitId)]``.
"""
from __future__ import annotations

from typing import Optional

# COURSECOMPONENT_T, in the order of the reference.
COURSE_COMPONENTS = (
    "AttendanceRegisters", "Classlists", "Checklists", "Competencies", "Content", "CourseFiles",
    "Discussions", "DisplaySettings", "Dropbox", "Faq", "Forms", "Glossary", "Grades",
    "GradesSettings", "Groups", "Homepages", "IntelligentAgents", "Links", "LtiLink", "LtiTP",
    "Navbars", "News", "QuestionLibrary", "Quizzes", "ReleaseConditions", "Rubrics", "Schedule",
    "SelfAssessments", "Surveys", "ToolNames", "Widgets",
)

KIND_COPY = "copy"
KIND_IMPORT = "import"

# COPYJOBSTATUS_T
COPY_STATUSES = ("PENDING", "PROCESSING")
COPY_COMPLETE = "COMPLETE"
COPY_FAILED = "FAILED"
COPY_CANCELLED = "CANCELLED"

# IMPORTJOBSTATUS_T
IMPORT_STATUSES = ("UPLOADING", "PROCESSING", "PROCESSED", "IMPORTING")
IMPORT_FAILED_STATUSES = ("UPLOADING", "PROCESSING")
IMPORT_COMPLETED = "COMPLETED"
IMPORT_FAILED = "IMPORTFAILED"


def new_content_record() -> dict:
    return {"components": {}, "copies": [], "imports": []}


def _target_record(data: dict, target_id) -> Optional[dict]:
    # NOTE: no evidence; the strictest reading: a target deleted for good before the job
    # finished receives nothing (a recycled one still does: it can be restored).
    if str(target_id) not in data["orgunits"]:
        return None
    return data["course_content"].setdefault(str(target_id), new_content_record())


def copy_effect(data: dict, job: dict, status: str) -> None:
    if status != COPY_COMPLETE:
        return
    info = job["data"]
    record = _target_record(data, info["TargetOrgUnitId"])
    if record is None:
        return
    names = info["Components"] if info["Components"] is not None else COURSE_COMPONENTS
    for name in names:
        record["components"][name] = {"SourceOrgUnitId": info["SourceOrgUnitId"],
                                      "JobToken": job["id"]}
    record["copies"].append({"JobToken": job["id"], "SourceOrgUnitId": info["SourceOrgUnitId"],
                             "Components": None if info["Components"] is None
                             else list(info["Components"])})


def import_effect(data: dict, job: dict, status: str) -> None:
    if status != IMPORT_COMPLETED:
        return
    info = job["data"]
    record = _target_record(data, info["TargetOrgUnitId"])
    if record is None:
        return
    record["imports"].append({"JobToken": job["id"], "PackageType": info["PackageType"],
                              "Title": info["Title"], "FileName": info["FileName"],
                              "Size": info["Size"]})


def copy_callback_body(job: dict, status: str) -> dict:
    """Course.CopyJobComplete."""
    info = job["data"]
    return {"JobToken": job["id"], "SourceOrgUnitId": info["SourceOrgUnitId"],
            "TargetOrgUnitId": info["TargetOrgUnitId"], "Status": status}


def import_callback_body(job: dict, status: str) -> dict:
    """Course.GetImportJobResponse (the block the reference says is posted)."""
    return {"JobToken": job["id"], "TargetOrgUnitId": job["data"]["TargetOrgUnitId"],
            "Status": status}


def register(engine) -> None:
    engine.register(KIND_COPY, copy_effect, copy_callback_body)
    engine.register(KIND_IMPORT, import_effect, import_callback_body)
