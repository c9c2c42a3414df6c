# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""coursejobs.py: component names, the local package check, and the exact copy/import requests."""

from __future__ import annotations

import os
import zipfile

import pytest

from ansible_collections.d2l.brightspace.plugins.module_utils.coursejobs import (
    COURSE_COMPONENTS, CourseCopyApi, CourseImportApi, canonical_components, check_course_package,
    validate_callback_url)
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceError, BrightspaceHTTPError
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import ValidationError

from d2l_unit_helpers import multipart_part

PACKAGES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "packages")
D2L_PACKAGE = os.path.join(PACKAGES, "d2l-course-package.zip")


# -- components -----------------------------------------------------------------------------

def test_components_are_documented_names():
    assert len(COURSE_COMPONENTS) == 31 and len(set(COURSE_COMPONENTS)) == 31
    assert COURSE_COMPONENTS[0] == "AttendanceRegisters" and COURSE_COMPONENTS[-1] == "Widgets"


def test_components_any_case_to_canonical_once_in_order():
    assert canonical_components(["content", "QUIZZES", " rubrics ", "Content", "ltitp"]) == \
        ["Content", "Quizzes", "Rubrics", "LtiTP"]


def test_components_omitted_means_all():
    assert canonical_components(None) is None


def test_components_empty_list_refused():
    with pytest.raises(ValidationError, match="^components must not be empty: omit it to copy every component$"):
        canonical_components([])


def test_unknown_components_listed_with_the_valid_ones():
    with pytest.raises(ValidationError) as info:
        canonical_components(["Content", "Quizes", "grade"])
    message = str(info.value)
    assert message.startswith("components: unknown course components 'Quizes', 'grade'; valid components are: ")
    assert message.endswith("AttendanceRegisters, Classlists, Checklists, Competencies, Content, CourseFiles, "
                            "Discussions, DisplaySettings, Dropbox, Faq, Forms, Glossary, Grades, GradesSettings, "
                            "Groups, Homepages, IntelligentAgents, Links, LtiLink, LtiTP, Navbars, News, "
                            "QuestionLibrary, Quizzes, ReleaseConditions, Rubrics, Schedule, SelfAssessments, "
                            "Surveys, ToolNames, Widgets")


@pytest.mark.parametrize("url", ["ftp://x/y", "/relative/hook", "example.com/hook", "http://"])
def test_callback_url_must_be_absolute_http(url):
    with pytest.raises(ValidationError, match="^callback_url must be an absolute http:// or https:// URL"):
        validate_callback_url(url)


def test_callback_url_kept_as_given():
    assert validate_callback_url("https://hooks.example.com/d2l?job=a&b=1") == "https://hooks.example.com/d2l?job=a&b=1"
    assert validate_callback_url(None) is None


# -- the local package check -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["d2l-course-package.zip", "singlesco_scorm12.zip",
                                  "RuntimeBasicCalls_SCORM20043rdEdition.zip"])
def test_real_packages_pass(name):
    path = os.path.join(PACKAGES, name)
    assert check_course_package(path) == {"path": path, "file_name": name, "size": os.path.getsize(path)}


def test_manifest_in_a_folder_is_refused_with_a_hint():
    path = os.path.join(PACKAGES, "badscorm.zip")
    with pytest.raises(ValidationError) as info:
        check_course_package(path)
    assert str(info.value) == ("src: '%s' has no imsmanifest.xml at its root; it is at "
                               "'badscorm/imsmanifest.xml': zip the folder's contents, not the folder" % path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "course.zip"
    path.write_bytes(b"<html>not a package</html>")
    with pytest.raises(ValidationError, match=r"^src: '.*course.zip' is not a zip archive \(it does not start with a zip entry\); give a course "
                       r"package: a zip file with imsmanifest.xml at its root$"):
        check_course_package(str(path))


def test_zip_without_manifest(tmp_path):
    path = tmp_path / "course.zip"
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match=r"^src: '.*course.zip' has no imsmanifest.xml at its root$"):
        check_course_package(str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ValidationError, match=r"^src: no such file '.*nope.zip'$"):
        check_course_package(str(tmp_path / "nope.zip"))
    with pytest.raises(ValidationError, match=r"is a directory; give a course package: a zip file with imsmanifest.xml at its root$"):
        check_course_package(str(tmp_path))
    with pytest.raises(ValidationError, match="^src is required"):
        check_course_package(None)


def test_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "locked.zip"
    path.write_bytes(b"PK")
    path.chmod(0)
    real_access = os.access
    # as root every file is readable: answer for this one as the service account would
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(path) else real_access(p, mode))
    with pytest.raises(ValidationError, match=r"^src: '.*locked.zip' is not readable$"):
        check_course_package(str(path))


# -- the exact requests --------------------------------------------------------------------------

def test_copy_start_and_status(http, make_client):
    client = make_client()
    http.expect("POST", "/d2l/api/le/1.74/import/6612/copy/",
                json={"SourceOrgUnitId": 6609, "Components": ["Content", "Quizzes"],
                      "CallbackUrl": "https://hooks.example.com/x?a=1"},
                status=202, answer={"JobToken": "tok-1"})
    http.expect("GET", "/d2l/api/le/1.74/import/6612/copy/tok-1", answer={"Status": "PROCESSING"})
    jobs = CourseCopyApi(client)
    assert jobs.start(6612, 6609, ["Content", "Quizzes"], "https://hooks.example.com/x?a=1") == "tok-1"
    assert jobs.status(6612, "tok-1") == "PROCESSING"


def test_copy_all_components_sends_null(http, make_client):
    http.expect("POST", "/d2l/api/le/1.74/import/6612/copy/",
                json={"SourceOrgUnitId": 6609, "Components": None, "CallbackUrl": None},
                status=202, answer={"JobToken": "tok-2"})
    assert CourseCopyApi(make_client()).start(6612, "6609") == "tok-2"


def test_copy_start_is_never_resent_after_503(http, make_client):
    http.expect("POST", "/d2l/api/le/1.74/import/6612/copy/",
                json={"SourceOrgUnitId": 6609, "Components": None, "CallbackUrl": None},
                status=503, text="Service Unavailable")
    with pytest.raises(BrightspaceHTTPError) as info:
        CourseCopyApi(make_client()).start(6612, 6609)
    assert info.value.ambiguous is True
    assert str(info.value).startswith("POST /d2l/api/le/1.74/import/6612/copy/ failed: 503")


def test_copy_token_is_quoted_in_the_route(http, make_client):
    http.expect("GET", "/d2l/api/le/1.74/import/6612/copy/a%2Fb", answer={"Status": "COMPLETE"})
    assert CourseCopyApi(make_client()).status(6612, "a/b") == "COMPLETE"


def test_import_streams_the_package_as_part_file_on_the_unstable_contract(http, make_client):
    with open(D2L_PACKAGE, "rb") as handle:
        content = handle.read()
    http.expect("POST", "/d2l/api/le/unstable/import/6612/imports/",
                query={"callbackUrl": "https://hooks.example.com/i"},
                extra_match=[multipart_part("file", "d2l-course-package.zip", content, "application/zip")],
                answer={"JobToken": "imp-1"})
    http.expect("GET", "/d2l/api/le/unstable/import/6612/imports/imp-1",
                answer={"JobToken": "imp-1", "TargetOrgUnitId": 6612, "Status": "IMPORTING"})
    jobs = CourseImportApi(make_client())
    assert jobs.start(6612, D2L_PACKAGE, "https://hooks.example.com/i") == "imp-1"
    assert jobs.status(6612, "imp-1") == "IMPORTING"


def test_import_without_job_token_in_answer(http, make_client):
    http.expect("POST", "/d2l/api/le/unstable/import/6612/imports/", answer={})
    with pytest.raises(ValidationError, match="^POST /d2l/api/le/unstable/import/6612/imports/ answered without a JobToken$"):
        CourseImportApi(make_client()).start(6612, D2L_PACKAGE)


def test_import_answered_with_a_body_that_is_not_json(http, make_client):
    http.expect("POST", "/d2l/api/le/unstable/import/6612/imports/", text="<html>gateway</html>", content_type="text/html")
    with pytest.raises(BrightspaceError, match="^POST /d2l/api/le/unstable/import/6612/imports/ answered 200 with a body "
                                               "that is not JSON$"):
        CourseImportApi(make_client()).start(6612, D2L_PACKAGE)
