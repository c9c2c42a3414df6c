# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: courses
short_description: Brightspace course offerings as inventory hosts
version_added: 0.1.0
description:
  - One host per Brightspace course offering, named by its code, with the offering's state as
    host variables prefixed C(d2l_) (the fields M(d2l.brightspace.d2l_course) returns).
  - "Groups: C(d2l_courses) (every offering), C(d2l_semester_<code>), C(d2l_template_<code>),
    C(d2l_active) and C(d2l_inactive); codes are sanitised into group names. O(compose),
    O(groups) and O(keyed_groups) add more."
  - "Requests per run: C(GET /d2l/api/versions/) and C(GET outypes/) (skipped when O(api_versions)
    names V(lp), or when found in the discovery cache beside O(token_cache)), one
    C(GET orgstructure/?orgUnitType=<Course Offering>) per page of 100 offerings, and one
    C(GET courses/<id>) per offering whose code passes O(code_contains) and O(code_pattern)
    (for dates, active flag, template and semester)."
  - The configuration file name must end with C(d2l_courses.yml) or C(d2l_courses.yaml).
author:
  - d2l.brightspace contributors (@d2l-brightspace)
extends_documentation_fragment:
  - d2l.brightspace.connection
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - The name of this plugin; makes the file an inventory source for it.
    type: str
    required: true
    choices: [d2l.brightspace.courses]
  brightspace_url:
    env:
      - name: BRIGHTSPACE_URL
  access_token:
    env:
      - name: BRIGHTSPACE_ACCESS_TOKEN
  refresh_token:
    env:
      - name: BRIGHTSPACE_REFRESH_TOKEN
  client_id:
    env:
      - name: BRIGHTSPACE_CLIENT_ID
  client_secret:
    env:
      - name: BRIGHTSPACE_CLIENT_SECRET
  private_key:
    env:
      - name: BRIGHTSPACE_PRIVATE_KEY
  key_id:
    env:
      - name: BRIGHTSPACE_KEY_ID
  token_url:
    env:
      - name: BRIGHTSPACE_TOKEN_URL
  scope:
    env:
      - name: BRIGHTSPACE_SCOPE
  token_cache:
    env:
      - name: BRIGHTSPACE_TOKEN_CACHE
  app_id:
    env:
      - name: BRIGHTSPACE_APP_ID
  app_key:
    env:
      - name: BRIGHTSPACE_APP_KEY
  user_id:
    env:
      - name: BRIGHTSPACE_USER_ID
  user_key:
    env:
      - name: BRIGHTSPACE_USER_KEY
  validate_certs:
    env:
      - name: BRIGHTSPACE_VALIDATE_CERTS
  ca_path:
    env:
      - name: BRIGHTSPACE_CA_PATH
  timeout:
    env:
      - name: BRIGHTSPACE_TIMEOUT
  retry_budget:
    env:
      - name: BRIGHTSPACE_RETRY_BUDGET
  semester:
    description:
      - Only offerings of this semester, given by org unit id (an integer) or code (a string).
      - "C(semester: 6610) is an id, C(semester: '6610') a code."
      - Compared with each offering's semester; no extra request.
    type: raw
  template:
    description:
      - Only offerings of this course template, given by org unit id (an integer) or code (a string).
      - Compared with each offering's template; no extra request.
    type: raw
  code_pattern:
    description:
      - Only offerings whose code matches this Python regular expression (C(re.search)).
      - Applied to the listing, so offerings it drops cost no further request.
    type: str
  code_contains:
    description:
      - Only offerings whose code contains this text (case-insensitive); the service filters
        (C(orgUnitCode)), so fewer pages are read.
    type: str
  include_inactive:
    description:
      - Whether inactive offerings become hosts (in the C(d2l_inactive) group).
    type: bool
    default: true
notes:
  - Secret options (O(access_token), O(refresh_token), O(client_secret), O(private_key),
    O(app_key), O(user_key)) are never shown; a failed request reports its method, route and
    status only.
  - Host variables carry no credentials and the plugin sets no C(ansible_connection); choose the
    connection for these hosts yourself (for example C(ansible_connection=local) in O(compose)).
  - With O(cache) on, the offerings read are kept per inventory file and reused until
    O(cache_timeout); a change of O(brightspace_url), O(code_contains) or O(code_pattern) reads again.
"""

EXAMPLES = r"""
# Two inventory files (one YAML document each). The first, demo.d2l_courses.yml, takes every
# offering of one semester; credentials from BRIGHTSPACE_URL and BRIGHTSPACE_ACCESS_TOKEN, or
# the OAuth variables. Run it with: ansible-inventory -i demo.d2l_courses.yml --graph
#
#   plugin: d2l.brightspace.courses
#   semester: 2026-FALL
#   include_inactive: false
#
# The second, school.d2l_courses.yml: chemistry offerings, grouped by department, with a local connection
plugin: d2l.brightspace.courses
brightspace_url: https://school.brightspace.com
client_id: my-service-app  # a service user; its private key from BRIGHTSPACE_PRIVATE_KEY
key_id: key-2026
scope: "core:*:*"
code_contains: CHEM
code_pattern: '^CHEM-\d{3}-'
compose:
  ansible_connection: "'local'"
keyed_groups:
  - key: d2l_department_code
    prefix: dept
    default_value: none
groups:
  ends_this_year: d2l_end_date is not none and d2l_end_date.startswith('2026')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/d2l.brightspace/inventory
"""

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.d2l.brightspace.plugins.module_utils.courses import CourseOfferingsApi, course_offering_state
from ansible_collections.d2l.brightspace.plugins.module_utils.errors import BrightspaceError
from ansible_collections.d2l.brightspace.plugins.module_utils.connection import CONNECTION_OPTIONS, build_client
from ansible_collections.d2l.brightspace.plugins.module_utils.orgunits import COURSE_OFFERING, is_id_reference

display = Display()

PREFIX = "d2l_"
ALL_GROUP = "d2l_courses"


def matches(ref, org_unit_id, code):
    """Whether a semester/template reference (an int id, ``id:123``, or a code) names this org unit."""
    if is_id_reference(ref):
        return org_unit_id == int(ref)
    ref = str(ref)
    if ref.startswith("id:") and ref[3:].isdigit():
        return org_unit_id == int(ref[3:])
    return code == ref


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "d2l.brightspace.courses"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("d2l_courses.yml", "d2l_courses.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            pattern = re.compile(self.get_option("code_pattern") or "")
        except re.error as exc:
            raise AnsibleParserError("code_pattern is not a valid regular expression: %s" % exc)
        source = {"url": self.get_option("brightspace_url"), "code_contains": self.get_option("code_contains"),
                  "code_pattern": self.get_option("code_pattern")}
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        courses = None
        if use_cache:
            cached = self._cache.get(cache_key)
            if isinstance(cached, dict) and cached.get("source") == source:
                courses = cached.get("courses")
        if courses is None:
            courses = self.read_courses(pattern)
            if self.get_option("cache"):
                self._cache[cache_key] = {"source": source, "courses": courses}
        for course in courses:
            if self.wanted(course):
                self.add_course(course)

    # -- reading ---------------------------------------------------------------------------
    def read_courses(self, pattern):
        """States of the offerings listed (and passing ``code_contains``/``code_pattern``)."""
        params = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        try:
            client = build_client(params)
            for warning in client.warnings:
                display.warning("d2l.brightspace.courses: %s" % warning)
            api = CourseOfferingsApi(client)
            listed = api.orgunits.search(COURSE_OFFERING, code_contains=self.get_option("code_contains"))
            courses = []
            for item in listed:
                if not pattern.search(item.get("Code") or ""):
                    continue
                block = api.get(item["Identifier"])
                if block is not None:  # deleted between the listing and this read
                    courses.append(course_offering_state(block))
        except BrightspaceError as exc:
            raise AnsibleParserError("d2l.brightspace.courses: %s" % exc)
        display.vvv("d2l.brightspace.courses: %d offerings read in %d requests" % (len(courses), len(client.sent)))
        return courses

    def wanted(self, course):
        semester = self.get_option("semester")
        if semester is not None and not matches(semester, course.get("semester"), course.get("semester_code")):
            return False
        template = self.get_option("template")
        if template is not None and not matches(template, course.get("template"), course.get("template_code")):
            return False
        return bool(self.get_option("include_inactive") or course.get("is_active"))

    # -- populating ------------------------------------------------------------------------
    def add_course(self, course):
        host = course["code"]
        self.inventory.add_group(ALL_GROUP)
        self.inventory.add_host(host, group=ALL_GROUP)
        hostvars = dict((PREFIX + key, value) for key, value in course.items())
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)
        groups = ["d2l_active" if course.get("is_active") else "d2l_inactive"]
        if course.get("semester_code"):
            groups.append("d2l_semester_" + course["semester_code"])
        if course.get("template_code"):
            groups.append("d2l_template_" + course["template_code"])
        for group in groups:
            group = self.inventory.add_group(self._sanitize_group_name(group))
            self.inventory.add_child(group, host)
        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)
