# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 6, ``catalog``: a whole catalog in one d2l_catalog task, against its floor (the same
requests from one Python process, 8 threads and ``requests``), today's per-item loop and
``uri``; then 5,000 offerings against the rate limit D2L documents, with the run's peak memory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from concurrent.futures import ThreadPoolExecutor

import requests

from .common import ANSIBLE_PLAYBOOK, BenchError, Emulator, LP_VERSION, Runner, TOKEN, recap, say, write_playbook
from .rate import window_share
from .scale import URI_CATALOG_PLAYBOOK, make_catalog, outype_ids, summarize_requests

CATALOG_OFFERINGS = 500
LIMITED_OFFERINGS = 5000
THREADS = 8
FLOOR_TARGET = 10.0  # the catalog's time, at most this many times its floor
LIMIT_CREDITS, LIMIT_WINDOW, COST = 50000, 60.0, 10  # NOTES.md: 50,000 credits a minute, 10 a call
SHARE_TARGET = 0.9
MEMORY_TARGET_MIB = 200
UNLIMITED = 10 ** 9  # credits per window while the rate limit is not what is measured

CATALOG_PLAYBOOK = """\
- name: The catalog in one task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ensure the catalog
      d2l.brightspace.d2l_catalog:
        semesters: "{{ course_provision_catalog.semesters }}"
        templates: "{{ course_provision_catalog.templates }}"
        offerings: "{{ course_provision_catalog.offerings }}"
        concurrency: %d
      register: catalog
    - name: The summary
      ansible.builtin.debug:
        msg: "BENCH-SUMMARY {{ catalog.summary | to_json }}"
""" % THREADS

PER_ITEM_PLAYBOOK = """\
- name: The catalog as a loop of per-item tasks (the course_provision role before d2l_catalog)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Semesters
      d2l.brightspace.d2l_org_unit:
        type: Semester
        code: "{{ item.code }}"
        name: "{{ item.name }}"
      loop: "{{ course_provision_catalog.semesters }}"
    - name: Templates
      d2l.brightspace.d2l_course_template:
        code: "{{ item.code }}"
        name: "{{ item.name }}"
      loop: "{{ course_provision_catalog.templates }}"
    - name: Offerings
      d2l.brightspace.d2l_course:
        code: "{{ item.code }}"
        name: "{{ item.name }}"
        template: "{{ item.template }}"
        semester: "{{ item.semester }}"
        start_date: "{{ item.start_date }}"
        end_date: "{{ item.end_date }}"
      loop: "{{ course_provision_catalog.offerings }}"
"""

# the peak RSS of a command and everything it waited for, printed by a small parent process
PEAK_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "sys.stdout.write('BENCH-PEAK-KIB %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n")


def summary_of(output: str) -> dict:
    match = re.search(r'BENCH-SUMMARY (\{.*?\})"?$', output, re.MULTILINE)
    if not match:
        raise BenchError('the catalog printed no summary')
    return json.loads(match.group(1).replace('\\"', '"'))


def write_catalog(runner: Runner, name: str, offerings: int) -> tuple:
    catalog = make_catalog(offerings)
    path = os.path.join(runner.workdir, name)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump({'course_provision_catalog': catalog}, handle)
    resources = len(catalog['semesters']) + len(catalog['templates']) + len(catalog['offerings'])
    return catalog, path, resources


# -- the floor: the same requests, from one process, 8 threads --------------------------------------

def session(threads: int = THREADS) -> requests.Session:
    http = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=threads)
    http.mount('http://', adapter)
    http.headers.update({'Authorization': 'Bearer ' + TOKEN, 'Accept': 'application/json'})
    return http


def floor_replay(emulator: Emulator, logged: list) -> float:
    """The logged GETs again, 8 at a time: what the re-run's requests cost by themselves."""
    http = session()
    gets = [(e['path'], e.get('query') or {}) for e in logged if e['method'] == 'GET']

    def get(entry):
        response = http.get(emulator.url + entry[0], params=entry[1], timeout=30)
        if response.status_code != 200:
            raise BenchError('floor: GET %s answered %d' % (entry[0], response.status_code))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(get, gets))
    return time.perf_counter() - started


def floor_provision(emulator: Emulator, catalog: dict) -> tuple:
    """A first provisioning by hand: per level, 8 at a time, one look-up and one create per
    resource (the least a client that does not know what exists can send)."""
    http = session()
    types = outype_ids(emulator)
    lp = emulator.url + '/d2l/api/lp/%s' % LP_VERSION
    ids = {}
    sent = [0]

    def lookup(code, type_id):
        sent[0] += 1
        response = http.get(lp + '/orgstructure/', params={'exactOrgUnitCode': code, 'orgUnitType': type_id}, timeout=30)
        response.raise_for_status()
        return response.json()['Items']

    def create(route, body):
        sent[0] += 1
        response = http.post(lp + route, json=body, timeout=30)
        if response.status_code != 200:
            raise BenchError('floor: POST %s answered %d: %s' % (route, response.status_code, response.text[:200]))
        return response.json()

    def semester(item):
        if not lookup(item['code'], types['Semester']):
            made = create('/orgstructure/', {'Type': types['Semester'], 'Name': item['name'], 'Code': item['code'],
                                             'Parents': [6606]})
            ids[item['code']] = int(made['Identifier'])

    def template(item):
        if not lookup(item['code'], types['Course Template']):
            made = create('/coursetemplates/', {'Name': item['name'], 'Code': item['code'], 'Path': '',
                                                'ParentOrgUnitIds': [6606]})
            ids[item['code']] = int(made['Identifier'])

    def offering(item):
        if not lookup(item['code'], types['Course Offering']):
            create('/courses/', {'Name': item['name'], 'Code': item['code'], 'Path': '',
                                 'CourseTemplateId': ids[item['template']], 'SemesterId': ids[item['semester']],
                                 'StartDate': item['start_date'] + 'T00:00:00.000Z',
                                 'EndDate': item['end_date'] + 'T00:00:00.000Z', 'LocaleId': None,
                                 'ForceLocale': False, 'ShowAddressBook': False})
    started = time.perf_counter()
    for level, work in (('semesters', semester), ('templates', template), ('offerings', offering)):
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(work, catalog[level]))
    return time.perf_counter() - started, sent[0]


# -- the section ---------------------------------------------------------------------------------------

def run_measured(runner: Runner, playbook: str, var_file: str, cache: str) -> tuple:
    """A playbook run through PEAK_WRAPPER: (seconds, requests, output, peak MiB of the run)."""
    wrapper = write_playbook(runner.workdir, 'peak.py', PEAK_WRAPPER)
    env = dict(runner.env, BRIGHTSPACE_TOKEN_CACHE=os.path.join(cache, 'tokens.json'))
    command = [sys.executable, wrapper, ANSIBLE_PLAYBOOK, '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=%s' % sys.executable, '-e', '@' + var_file, playbook]
    runner.emulator.new_requests()
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=runner.workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=3600, check=False)
    elapsed = time.perf_counter() - started
    logged = runner.emulator.new_requests()
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-20000:])
        raise BenchError('%s failed with status %d' % (os.path.basename(playbook), proc.returncode))
    peak = re.search(r'^BENCH-PEAK-KIB (\d+)$', proc.stdout, re.MULTILINE)
    return elapsed, logged, proc.stdout, int(peak.group(1)) / 1024.0 if peak else float('nan')


def bench_catalog(runner: Runner, emulator: Emulator, offerings: int, limited: int) -> dict:
    say('\n== 6. catalog: %d offerings in one d2l_catalog task, its floor (%d threads, requests), the per-item '
        'loop and uri; %d offerings against the rate limit ==' % (offerings, THREADS, limited))
    result = {'offerings': offerings, 'limited_offerings': limited}
    playbook = write_playbook(runner.workdir, 'catalog.yml', CATALOG_PLAYBOOK)
    emulator.call('POST', '/_emulator/config', {'rate_limit': UNLIMITED, 'rate_window': LIMIT_WINDOW})
    try:
        emulator.call('POST', '/_emulator/reset')
        emulator.call('POST', '/_emulator/config', {'rate_limit': UNLIMITED, 'rate_window': LIMIT_WINDOW})
        catalog, var_file, resources = write_catalog(runner, 'catalog-%d.json' % offerings, offerings)
        result['resources'] = resources
        cache = os.path.join(runner.workdir, 'cache-catalog-%d' % offerings)
        first_time, first, first_out = runner.run(playbook, cache_dir=cache, var_files=(var_file,))
        first_summary = summary_of(first_out)
        second_time, second, second_out = runner.run(playbook, cache_dir=cache, var_files=(var_file,))
        rerun = summarize_requests(second)
        result.update(first_time=first_time, first_requests=len(first), first_summary=first_summary,
                      rerun_time=second_time, rerun=rerun, rerun_changed=recap(second_out)['changed'],
                      rerun_summary=summary_of(second_out), gets_per_resource=rerun['gets'] / float(resources))
        result['rerun_floor'] = floor_replay(emulator, second)
        result['rerun_ratio'] = second_time / result['rerun_floor']
        say('   first run: %.2f s, %d requests (%s)' % (first_time, len(first), first_summary))
        say('   re-run: %.2f s, %d requests (%d writes), changed=%d; its floor %.2f s: %.1fx (target <= %.0fx)'
            % (second_time, rerun['total'], rerun['writes'], result['rerun_changed'], result['rerun_floor'],
               result['rerun_ratio'], FLOOR_TARGET))
        say('   GETs per managed resource: %.2f (target 1.00)' % result['gets_per_resource'])

        per_item = write_playbook(runner.workdir, 'per-item.yml', PER_ITEM_PLAYBOOK)
        loop_time, loop_requests, loop_out = runner.run(per_item, cache_dir=cache, var_files=(var_file,))
        result.update(loop_time=loop_time, loop_requests=len(loop_requests), loop_changed=recap(loop_out)['changed'])
        say('   the same re-run as a per-item loop: %.1f s, %d requests, changed=%d (%.0fx the catalog)'
            % (loop_time, len(loop_requests), result['loop_changed'], loop_time / second_time))
        types = outype_ids(emulator)
        uri_playbook = write_playbook(runner.workdir, 'uri-catalog-6.yml', URI_CATALOG_PLAYBOOK)
        uri_time, uri_requests, _out = runner.run(
            uri_playbook, var_files=(var_file,),
            extra_vars={'bench_url': emulator.url, 'bench_token': TOKEN, 'bench_semester_type': types['Semester'],
                        'bench_template_type': types['Course Template'],
                        'bench_offering_type': types['Course Offering']})
        result.update(uri_time=uri_time, uri_requests=len(uri_requests))
        say('   the same checks with ansible.builtin.uri: %.1f s, %d requests (%.0fx the catalog)'
            % (uri_time, len(uri_requests), uri_time / second_time))

        emulator.call('POST', '/_emulator/reset')
        emulator.call('POST', '/_emulator/config', {'rate_limit': UNLIMITED, 'rate_window': LIMIT_WINDOW})
        result['first_floor'], result['first_floor_requests'] = floor_provision(emulator, catalog)
        result['first_ratio'] = first_time / result['first_floor']
        say('   first run\'s floor (a look-up and a create per resource, by hand): %.2f s, %d requests: %.1fx '
            '(target <= %.0fx)' % (result['first_floor'], result['first_floor_requests'], result['first_ratio'],
                                   FLOOR_TARGET))

        # 5,000 offerings: provisioned without a limit, then re-run at D2L's documented limit
        emulator.call('POST', '/_emulator/reset')
        emulator.call('POST', '/_emulator/config', {'rate_limit': UNLIMITED, 'rate_window': LIMIT_WINDOW})
        big, big_file, big_resources = write_catalog(runner, 'catalog-%d.json' % limited, limited)
        big_cache = os.path.join(runner.workdir, 'cache-catalog-%d' % limited)
        made_time, _made, made_out = runner.run(playbook, cache_dir=big_cache, var_files=(big_file,))
        say('   %d offerings provisioned (no limit): %.1f s, %s' % (limited, made_time, summary_of(made_out)))
        emulator.call('POST', '/_emulator/config', {'rate_limit': LIMIT_CREDITS, 'rate_window': LIMIT_WINDOW})
        limited_time, logged, limited_out, peak = run_measured(runner, playbook, big_file, big_cache)
        limited_summary = summary_of(limited_out)
        limit_requests = LIMIT_CREDITS // COST
        share = window_share(logged, limit_requests, LIMIT_WINDOW)
        refused = sum(1 for e in logged if e['status'] == 429)
        allowed = [e for e in logged if e['status'] != 429]
        span = allowed[-1]['time'] - allowed[0]['time'] if len(allowed) > 1 else float('nan')
        # the run's own throughput: its requests over its time, against the limit's rate
        run_share = (len(allowed) / max(limited_time, span)) / (limit_requests / LIMIT_WINDOW)
        result.update(limited_resources=big_resources, limited_time=limited_time, limited_requests=len(logged),
                      limited_refused=refused, limited_failed=limited_summary['failed'],
                      limited_summary=limited_summary, limited_share=share['share'], limited_windows=share['windows'],
                      limited_per_window=share['per_window'], limited_run_share=run_share, peak_mib=peak,
                      limited_catalog=len(big['offerings']))
        say('   %d offerings re-run at %d credits a minute (%d calls): %.1f s, %d requests (%d refused), '
            '%d failed (target 0)' % (limited, LIMIT_CREDITS, limit_requests, limited_time, len(logged), refused,
                                      limited_summary['failed']))
        say('   throughput: %.2f of the limit over the complete windows (%s per window), %.2f over the whole run '
            '(target >= %.1f); peak memory %.0f MiB (target <= %d)'
            % (share['share'], ', '.join(str(n) for n in share['per_window']), run_share, SHARE_TARGET, peak,
               MEMORY_TARGET_MIB))
    finally:
        emulator.call('POST', '/_emulator/config', {'rate_limit': LIMIT_CREDITS, 'rate_window': LIMIT_WINDOW})
    return result
