# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 2, ``scale``: a term catalog provisioned and re-run; ``uri``; one host per course."""

from __future__ import annotations

import collections
import json
import os
import urllib.request

from .common import (Emulator, LP_VERSION, REPO, Runner, TOKEN, changed_count, recap, route, say,
                     write_playbook)


SCALE_OFFERINGS = 500
FORKS = (1, 8)  # --forks 1,2,4,8 shows the curve; 1 and 8 keep `make bench` shorter
PROVISION_PLAYBOOK = os.path.join(REPO, 'playbooks', 'provision_courses.yml')

URI_CATALOG_PLAYBOOK = """\
- name: Check a catalog with ansible.builtin.uri, as an admin would without the collection
  hosts: localhost
  gather_facts: false
  vars:
    api: "{{ bench_url }}/d2l/api/lp/%s"
    auth:
      Authorization: "Bearer {{ bench_token }}"
    catalog: "{{ course_provision_catalog }}"
  tasks:
    - name: Look up the semesters by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_semester_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.semesters }}"
      loop_control:
        label: "{{ item.code }}"
      register: semesters
      failed_when: >-
        semesters.status != 200 or semesters.json.Items | length != 1
        or semesters.json.Items[0].Name != item.name
    - name: Look up the templates by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_template_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.templates }}"
      loop_control:
        label: "{{ item.code }}"
      register: template_ids
      failed_when: template_ids.status != 200 or template_ids.json.Items | length != 1
    - name: Read and compare the templates
      ansible.builtin.uri:
        url: "{{ api }}/coursetemplates/{{ item.json.Items[0].Identifier }}"
        headers: "{{ auth }}"
      loop: "{{ template_ids.results }}"
      loop_control:
        label: "{{ item.item.code }}"
      register: templates
      failed_when: >-
        templates.status != 200 or templates.json.Code != item.item.code
        or templates.json.Name != item.item.name
    - name: Look up the offerings by code
      ansible.builtin.uri:
        url: "{{ api }}/orgstructure/?exactOrgUnitCode={{ item.code | urlencode }}&orgUnitType={{ bench_offering_type }}"
        headers: "{{ auth }}"
      loop: "{{ catalog.offerings }}"
      loop_control:
        label: "{{ item.code }}"
      register: offering_ids
      failed_when: offering_ids.status != 200 or offering_ids.json.Items | length != 1
    - name: Read and compare the offerings
      ansible.builtin.uri:
        url: "{{ api }}/courses/{{ item.json.Items[0].Identifier }}"
        headers: "{{ auth }}"
      loop: "{{ offering_ids.results }}"
      loop_control:
        label: "{{ item.item.code }}"
      register: offerings
      failed_when: >-
        offerings.status != 200 or offerings.json.Code != item.item.code
        or offerings.json.Name != item.item.name
        or offerings.json.CourseTemplate.Code != item.item.template
        or offerings.json.Semester.Code != item.item.semester
        or (offerings.json.StartDate | default('', true))[:10] != item.item.start_date
        or (offerings.json.EndDate | default('', true))[:10] != item.item.end_date
        or not offerings.json.IsActive
""" % LP_VERSION

PER_HOST_PLAYBOOK = """\
- name: One course offering per inventory host
  hosts: all
  gather_facts: false
  tasks:
    - name: The host's course offering
      d2l.brightspace.d2l_course:
        code: "{{ bench_course.code }}"
        name: "{{ bench_course.name }}"
        template: "{{ bench_course.template }}"
        semester: "{{ bench_course.semester }}"
        start_date: "{{ bench_course.start_date }}"
        end_date: "{{ bench_course.end_date }}"
"""


def make_catalog(offerings: int) -> dict:
    """Semesters (one per 125 offerings), templates (one per 25) and the offerings, spread over them."""
    semesters = [{'code': 'BENCH-S%d' % (2027 + n), 'name': 'Bench year %d' % (2027 + n),
                  'start_date': '%d-01-11' % (2027 + n), 'end_date': '%d-05-07' % (2027 + n)}
                 for n in range(max(1, offerings // 125))]
    templates = [{'code': 'BENCH-T%02d' % n, 'name': 'Bench subject %02d' % n}
                 for n in range(max(1, offerings // 25))]
    courses = []
    for n in range(offerings):
        semester = semesters[n % len(semesters)]
        courses.append({'code': 'BENCH-C%04d' % n, 'name': 'Bench course %04d' % n,
                        'template': templates[n % len(templates)]['code'], 'semester': semester['code'],
                        'start_date': semester['start_date'], 'end_date': semester['end_date']})
    return {'semesters': [{'code': s['code'], 'name': s['name']} for s in semesters],
            'templates': templates, 'offerings': courses}


def outype_ids(emulator: Emulator) -> dict:
    """Org unit type ids by code (what an admin would read once and hard-code)."""
    request = urllib.request.Request(emulator.url + '/d2l/api/lp/%s/outypes/' % LP_VERSION,
                                     headers={'Authorization': 'Bearer ' + TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:
        return {t['Code']: t['Id'] for t in json.loads(response.read().decode())}


def summarize_requests(requests: list) -> dict:
    by_method = collections.Counter(e['method'] for e in requests)
    return {
        'total': len(requests),
        'gets': by_method.get('GET', 0),
        'writes': sum(count for method, count in by_method.items() if method != 'GET'),
        'by_method': dict(by_method),
        'routes': collections.Counter(route(e) for e in requests),
        'statuses': collections.Counter(e['status'] for e in requests),
    }


def show_routes(counter: collections.Counter, indent: str = '     ') -> None:
    for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        say('%s%5d  %s' % (indent, count, key))


def bench_scale(runner: Runner, emulator: Emulator, offerings: int, forks: tuple) -> dict:
    say('\n== 2b. scale: a %d-offering catalog with the course_provision role, re-run, '
        'ansible.builtin.uri, one host per course ==' % offerings)
    catalog = make_catalog(offerings)
    resources = len(catalog['semesters']) + len(catalog['templates']) + len(catalog['offerings'])
    catalog_file = os.path.join(runner.workdir, 'catalog.json')
    with open(catalog_file, 'w', encoding='utf-8') as handle:
        json.dump({'course_provision_catalog': catalog}, handle)
    say('   catalog: %d semesters, %d templates, %d offerings (%d managed resources)'
        % (len(catalog['semesters']), len(catalog['templates']), len(catalog['offerings']), resources))
    # One token cache directory for every run, as on an admin's machine: the token, the
    # discovery cache and whatever else the collection keeps beside them survive between runs.
    cache = os.path.join(runner.workdir, 'cache-catalog')
    result = {'offerings': offerings, 'resources': resources,
              'semesters': len(catalog['semesters']), 'templates': len(catalog['templates'])}

    first_time, first, first_out = runner.run(PROVISION_PLAYBOOK, cache_dir=cache, var_files=(catalog_file,))
    result['first_time'] = first_time
    result['first'] = summarize_requests(first)
    result['first_changed'] = changed_count(first_out)
    say('   provision: %.1f s, %d requests (%d writes), changed=%d'
        % (first_time, len(first), result['first']['writes'], result['first_changed']))

    second_time, second, second_out = runner.run(PROVISION_PLAYBOOK, cache_dir=cache, var_files=(catalog_file,))
    rerun = summarize_requests(second)
    result.update(rerun_time=second_time, rerun=rerun, rerun_changed=changed_count(second_out),
                  gets_per_resource=rerun['gets'] / float(resources))
    say('   re-run: %.1f s, %d requests: %s; changed=%d'
        % (second_time, rerun['total'], ', '.join('%s %d' % kv for kv in sorted(rerun['by_method'].items())),
           result['rerun_changed']))
    say('   GETs per managed resource: %.2f (target 1.00); writes: %d (target 0)'
        % (result['gets_per_resource'], rerun['writes']))
    say('   the re-run\'s requests by route:')
    show_routes(rerun['routes'])

    types = outype_ids(emulator)
    uri_playbook = write_playbook(runner.workdir, 'uri-catalog.yml', URI_CATALOG_PLAYBOOK)
    uri_time, uri_requests, _out = runner.run(
        uri_playbook, var_files=(catalog_file,),
        extra_vars={'bench_url': emulator.url, 'bench_token': TOKEN, 'bench_semester_type': types['Semester'],
                    'bench_template_type': types['Course Template'], 'bench_offering_type': types['Course Offering']})
    result.update(uri_time=uri_time, uri_requests=len(uri_requests), uri_ratio=second_time / uri_time)
    say('   ansible.builtin.uri check of the same catalog: %.1f s, %d requests'
        % (uri_time, len(uri_requests)))
    say('   ratio module re-run / uri: %.2f (target <= 1.0)' % result['uri_ratio'])

    inventory = os.path.join(runner.workdir, 'catalog-hosts.json')
    with open(inventory, 'w', encoding='utf-8') as handle:
        json.dump({'all': {'hosts': {course['code']: {'bench_course': course} for course in catalog['offerings']},
                           'vars': {'ansible_connection': 'local'}}}, handle)
    per_host = write_playbook(runner.workdir, 'per-host.yml', PER_HOST_PLAYBOOK)
    result['forks'] = []
    for count in forks:
        elapsed, requests, output = runner.run(per_host, inventory=inventory, cache_dir=cache, forks=count)
        counts = recap(output)
        summary = summarize_requests(requests)
        result['forks'].append({'forks': count, 'time': elapsed, 'requests': summary['total'],
                                'writes': summary['writes'], 'changed': counts['changed'],
                                'hosts': counts['hosts']})
        say('   one host per course, forks %d: %.1f s (%d hosts, %d requests, %d writes, changed=%d)'
            % (count, elapsed, counts['hosts'], summary['total'], summary['writes'], counts['changed']))
    if result['forks']:
        base = result['forks'][0]['time']
        for row in result['forks']:
            row['speedup'] = base / row['time']
        say('   speed-up against forks %d: %s' % (result['forks'][0]['forks'], ', '.join(
            'forks %d %.2fx' % (row['forks'], row['speedup']) for row in result['forks'])))
    return result
