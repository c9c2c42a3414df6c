#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: d2l_copy_job
short_description: Copy course content from one course offering into another
version_added: 0.1.0
description:
  - Starts a course copy job that copies components (content, quizzes, rubrics, grades, ...)
    from a O(source) course into a O(target) course offering, and waits for it.
  - Starting a job is a change. The service does not check whether the components were copied
    before, so every run of this task copies again. To copy only into offerings this play
    created, run it with C(when) on the C(created) result of M(d2l.brightspace.d2l_course)
    (see the examples).
  - With O(job_token) the module starts nothing; it waits for that job (one started by an
    earlier task whose wait timed out, or one started elsewhere) and reports no change.
  - A job that ends FAILED or CANCELLED fails the task with its job token and status history.
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - d2l.brightspace.wait
  - d2l.brightspace.attributes
  - d2l.brightspace.attributes.JOB
options:
  source:
    description:
      - The course to copy from. An integer is an org unit id; a string is a code, looked up
        among course offerings, then course templates.
    type: raw
    required: true
  target:
    description:
      - The course offering to copy into. An integer is an org unit id; a string is a course
        offering code. It must exist before the job starts.
    type: raw
    required: true
  components:
    description:
      - The course components to copy. Omit it to copy every component.
      - "Names are those of the API (C(COURSECOMPONENT_T)), in any letter case: V(AttendanceRegisters),
        V(Classlists), V(Checklists), V(Competencies), V(Content), V(CourseFiles), V(Discussions),
        V(DisplaySettings), V(Dropbox), V(Faq), V(Forms), V(Glossary), V(Grades), V(GradesSettings),
        V(Groups), V(Homepages), V(IntelligentAgents), V(Links), V(LtiLink), V(LtiTP), V(Navbars),
        V(News), V(QuestionLibrary), V(Quizzes), V(ReleaseConditions), V(Rubrics), V(Schedule),
        V(SelfAssessments), V(Surveys), V(ToolNames), V(Widgets)."
      - An unknown name or an empty list fails before any request.
    type: list
    elements: str
  callback_url:
    description:
      - A URL the service POSTs the job's completion block to when it ends (it expects a
        C(200 OK) within about five seconds). Passed through as given.
    type: str
  job_token:
    description:
      - Attach to this existing copy job of O(target) and wait for it instead of starting one.
    type: str
notes:
  - "OAuth 2.0 scopes: V(core:*:*). The copy routes (C(import/(orgUnitId)/copy/)) have no
    specific scope in D2L's scope table."
  - The copy job routes are C(POST /d2l/api/le/(version)/import/(orgUnitId)/copy/) and
    C(GET /d2l/api/le/(version)/import/(orgUnitId)/copy/(jobToken)).
  - The task's poll interval starts at O(poll_interval) and grows to at most 30 seconds, so a
    long copy costs few requests against the rate limit.
seealso:
  - module: d2l.brightspace.d2l_course
  - module: d2l.brightspace.d2l_course_import
"""

EXAMPLES = r"""
- name: Create this term's offering
  d2l.brightspace.d2l_course:
    code: BIO101-2026F
    name: Biology 101 (Fall 2026)
    template: BIO101
    semester: 2026F
  register: offering

- name: Copy the master course into it, only when this run created it
  d2l.brightspace.d2l_copy_job:
    source: BIO101-MASTER
    target: BIO101-2026F
    components: [content, quizzes, rubrics, grades]
  when: offering.created

- name: Start a long copy without waiting for it
  d2l.brightspace.d2l_copy_job:
    source: BIO101-MASTER
    target: BIO101-2026F-2
    wait: false
  register: copy

- name: Later (or after the controller restarted), wait for that same job
  d2l.brightspace.d2l_copy_job:
    source: BIO101-MASTER
    target: BIO101-2026F-2
    job_token: "{{ copy.job_token }}"
    wait_timeout: 7200
"""

RETURN = r"""
job_token:
  description: Token of the copy job (the one started, or O(job_token)). Not returned in check mode.
  returned: always
  type: str
  sample: 5f2d8c0b9a1e4c7d
status:
  description: Last status read (C(COPYJOBSTATUS_T)), C(COMPLETE) once the job has finished.
  returned: always
  type: str
  sample: COMPLETE
finished:
  description: Whether the job had finished when the module returned.
  returned: always
  type: bool
duration:
  description: Seconds the module spent waiting.
  returned: always
  type: float
  sample: 42.5
polls:
  description: Status requests sent while waiting.
  returned: always
  type: int
  sample: 7
history:
  description: Each status the module saw, with the seconds elapsed since it began waiting.
  returned: always
  type: list
  elements: dict
  sample: [{"status": "PENDING", "status_name": "PENDING", "elapsed": 0.0},
           {"status": "COMPLETE", "status_name": "COMPLETE", "elapsed": 9.5}]
source_id:
  description: Org unit id of the source course (null in check mode when it does not exist yet).
  returned: always
  type: int
  sample: 6609
target_id:
  description: Org unit id of the target offering (null in check mode when it does not exist yet).
  returned: always
  type: int
  sample: 6612
components:
  description: Components copied, as the API names them; null means all.
  returned: always
  type: list
  elements: str
  sample: [Content, Quizzes]
callback_url:
  description: The O(callback_url) passed to the service.
  returned: always
  type: str
diff:
  description: C(before) and C(after), in diff mode only; C(after) describes the job.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.d2l.brightspace.plugins.module_utils.module import BrightspaceModule
from ansible_collections.d2l.brightspace.plugins.module_utils.coursejobs import CourseCopyJob


def main():
    module = BrightspaceModule(argument_spec=dict(
        source=dict(type="raw", required=True),
        target=dict(type="raw", required=True),
        components=dict(type="list", elements="str"),
        callback_url=dict(type="str"),
        job_token=dict(type="str", no_log=False),
    ), wait=True, ids=("source", "target"), non_empty=("job_token",), codes=("source", "target"))
    module.run_job(CourseCopyJob)


if __name__ == "__main__":
    main()
