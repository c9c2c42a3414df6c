# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one table (figure | value | target | met?) and docs/performance.md."""

from __future__ import annotations

from .common import DEMO_RESOURCES, LP_VERSION, RATIO_TARGET
from .streaming import MEMORY_TARGET_MIB, STREAM_ROUNDS, THROUGHPUT_TARGET
from .rate import RATE_SHARE_TARGET
from .catalog import FLOOR_TARGET, MEMORY_TARGET_MIB as CATALOG_MEMORY_TARGET, SHARE_TARGET as CATALOG_SHARE_TARGET


def met(ok) -> str:
    return '-' if ok is None else ('yes' if ok else 'no')


def table_rows(results: dict) -> list:
    """(figure, value, target, met) for every section that ran."""
    rows = []
    per_task = results.get('per-task')
    if per_task:
        tasks = per_task['tasks']
        rows += [
            ('1. `debug` baseline, per task', '%.1f ms' % (per_task['per_task']['baseline'] * 1000), '-', None),
            ('1. `uri` GET, per task', '%.1f ms (%.1f ms net of baseline)'
             % (per_task['per_task']['uri'] * 1000, per_task['net']['uri'] * 1000), '-', None),
            ('1. `d2l_course_info`, per task', '%.1f ms (%.1f ms net of baseline)'
             % (per_task['per_task']['module'] * 1000, per_task['net']['module'] * 1000), '-', None),
            ('1. per-task ratio `d2l_course_info` / `uri`', '%.2f' % per_task['ratio_gross'],
             '<= %.2f' % RATIO_TARGET, per_task['ratio_gross'] <= RATIO_TARGET),
            ('1. per-task ratio, net of the `debug` baseline', '%.2f' % per_task['ratio_net'],
             '<= %.2f' % RATIO_TARGET, per_task['ratio_net'] <= RATIO_TARGET),
            ('1. requests of %d tasks: `uri` / `d2l_course_info`' % tasks,
             '%d / %d' % (per_task['requests']['uri'], per_task['requests']['module']), '-', None),
        ]
    rerun = results.get('demo')
    if rerun:
        rows += [
            ('2. demo re-run: GETs per managed resource (%d resources + the api_info check)' % DEMO_RESOURCES,
             '%.2f' % rerun['gets_per_resource'], '1.00', rerun['gets_per_resource'] <= 1.0),
            ('2. demo re-run: writes', '%d' % rerun['writes'], '0', rerun['writes'] == 0),
            ('2. demo re-run: changed', '%d' % rerun['second_changed'], '0', rerun['second_changed'] == 0),
        ]
    scale = results.get('scale')
    if scale:
        name = '2. %d-offering catalog' % scale['offerings']
        rows += [
            ('%s: provisioning run (course_provision role)' % name, '%.1f s, %d requests'
             % (scale['first_time'], scale['first']['total']), '-', None),
            ('%s re-run: GETs per managed resource (%d resources)' % (name, scale['resources']),
             '%.2f' % scale['gets_per_resource'], '1.00', scale['gets_per_resource'] <= 1.0),
            ('%s re-run: writes' % name, '%d' % scale['rerun']['writes'], '0', scale['rerun']['writes'] == 0),
            ('%s re-run: changed' % name, '%d' % scale['rerun_changed'], '0', scale['rerun_changed'] == 0),
            ('%s re-run: wall time, against `uri` doing the same checks' % name,
             '%.1f s vs %.1f s = %.2fx' % (scale['rerun_time'], scale['uri_time'], scale['uri_ratio']),
             '<= 1.0x', scale['uri_ratio'] <= 1.0),
        ]
        for row in scale['forks']:
            rows.append(('%s, one host per course: forks %d' % (name, row['forks']),
                         '%.1f s (%.2fx forks %d; %d writes, changed=%d)'
                         % (row['time'], row['speedup'], scale['forks'][0]['forks'], row['writes'], row['changed']),
                         '-', None))
    lr = results.get('lr')
    if lr:
        name = '2. LR re-run of a %d-package publish' % lr['count']
        rows += [
            ('%s: requests per package' % name, '%.2f' % lr['per_package'], '<= 2', lr['per_package'] <= 2),
            ('%s: writes' % name, '%d' % lr['writes'], '0', lr['writes'] == 0),
            ('%s: wall time' % name, '%.1f s (first run %.1f s)' % (lr['second_time'], lr['first_time']), '-', None),
        ]
    streaming = results.get('streaming')
    if streaming:
        mib = streaming['mib']
        for label, key in (('upload (`d2l_artifact`, resumable)', 'up_extra_mib'),
                           ('download (`d2l_ep_export` package)', 'down_extra_mib'),
                           ('LR download (`d2l_lr_download`)', 'lr_down_extra_mib'),
                           ('LR publish (`d2l_lr_object`, resumable)', 'lr_up_extra_mib')):
            rows.append(('3. %d MiB %s: peak RSS above baseline' % (mib, label), '%.1f MiB' % streaming[key],
                         '< %d MiB' % MEMORY_TARGET_MIB, streaming[key] < MEMORY_TARGET_MIB))
        for label, ratio, seconds, curl_key in (
                ('upload', 'up_ratio', 'up_seconds', 'curl_up'),
                ('export package download', 'down_ratio', 'down_seconds', 'curl_down'),
                ('LR download', 'lr_down_ratio', 'lr_down_seconds', 'curl_lr_down')):
            rows.append(('3. %d MiB %s: throughput against `curl`' % (mib, label),
                         '%.2fx (module %.1f s, curl %.1f s)' % (streaming[ratio], streaming[seconds],
                                                                 streaming[curl_key]),
                         '>= %.1fx' % THROUGHPUT_TARGET, streaming[ratio] >= THROUGHPUT_TARGET))
    job = results.get('job')
    if job:
        rows += [
            ('4. course copy job of %.0f s: polls' % job['job_seconds'], '%d (gaps %s s)'
             % (job['polls'], ', '.join('%.1f' % g for g in job['gaps'])), '-', None),
            ('4. course copy job of %.0f s: noticed after completion' % job['job_seconds'], '%.1f s' % job['delay'],
             '<= %.0f s (one poll interval at its cap)' % job['cap'], job['delay'] <= job['cap']),
        ]
    rate = results.get('rate')
    if rate:
        name = '5. %d forks x %d `d2l_course_info` tasks' % (rate['hosts'], rate['tasks'])
        rows += [
            ('5. unlimited rate (%d forks), and the limit set' % rate['hosts'],
             '%.1f requests/s; limit %.2f requests/s (%d per %.0f s)'
             % (rate['unlimited_rate'], rate['limit_rate'], rate['limit_requests'], rate['window']), '-', None),
            ('%s, rate limited: failures' % name, '%d' % rate['failed'], '0', rate['failed'] == 0),
            ('%s, rate limited: throughput as a share of the limit' % name, '%.2f (%d requests, %d refused with 429)'
             % (rate['share'], rate['allowed'], rate['refused']), '>= %.1f' % RATE_SHARE_TARGET,
             rate['share'] >= RATE_SHARE_TARGET),
        ]
    catalog = results.get('catalog')
    if catalog:
        name = '6. %d-offering catalog in one `d2l_catalog` task' % catalog['offerings']
        rows += [
            ('%s: first run, against its floor' % name, '%.2f s vs %.2f s = %.1fx (%d vs %d requests)'
             % (catalog['first_time'], catalog['first_floor'], catalog['first_ratio'], catalog['first_requests'],
                catalog['first_floor_requests']), '<= %.0fx' % FLOOR_TARGET, catalog['first_ratio'] <= FLOOR_TARGET),
            ('%s: re-run, against its floor' % name, '%.2f s vs %.2f s = %.1fx'
             % (catalog['rerun_time'], catalog['rerun_floor'], catalog['rerun_ratio']), '<= %.0fx' % FLOOR_TARGET,
             catalog['rerun_ratio'] <= FLOOR_TARGET),
            ('%s re-run: GETs per managed resource (%d resources)' % (name, catalog['resources']),
             '%.2f' % catalog['gets_per_resource'], '1.00', catalog['gets_per_resource'] <= 1.0),
            ('%s re-run: writes, changed' % name, '%d, %d' % (catalog['rerun']['writes'], catalog['rerun_changed']),
             '0, 0', catalog['rerun']['writes'] == 0 and catalog['rerun_changed'] == 0),
            ('%s re-run: the same as a per-item loop (`d2l_org_unit`, `d2l_course_template`, `d2l_course`)' % name,
             '%.1f s, %d requests' % (catalog['loop_time'], catalog['loop_requests']), '-', None),
            ('%s re-run: the same checks with `uri`' % name,
             '%.1f s, %d requests' % (catalog['uri_time'], catalog['uri_requests']), '-', None),
            ('6. %d offerings re-run at 50,000 credits a minute: failures' % catalog['limited_offerings'],
             '%d (%d requests refused with 429)' % (catalog['limited_failed'], catalog['limited_refused']), '0',
             catalog['limited_failed'] == 0),
            ('6. %d offerings re-run at 50,000 credits a minute: throughput' % catalog['limited_offerings'],
             '%.2f of the limit (complete windows); %.2f over the run'
             % (catalog['limited_share'], catalog['limited_run_share']),
             '>= %.1f' % CATALOG_SHARE_TARGET, catalog['limited_share'] >= CATALOG_SHARE_TARGET),
            ('6. %d offerings re-run at 50,000 credits a minute: peak memory of the run' % catalog['limited_offerings'],
             '%.0f MiB' % catalog['peak_mib'], '<= %d MiB' % CATALOG_MEMORY_TARGET,
             catalog['peak_mib'] <= CATALOG_MEMORY_TARGET),
        ]
    return rows


def render_table(rows: list) -> list:
    lines = ['| figure | value | target | met? |', '|---|---|---|---|']
    lines += ['| %s | %s | %s | %s |' % (figure, value, target, met(ok)) for figure, value, target, ok in rows]
    return lines


def report(results: dict, info: dict, elapsed: float, command: str, timings: dict) -> str:
    lines = [
        # docs/performance.md is rewritten by every run: its licence header comes from here (the
        # strings are split so that the licence checkers do not read them as this file's own)
        '<!--',
        'Copy' + 'right (c) d2l.brightspace contributors',
        'GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)',
        'SPDX-' + 'License-Identifier: GPL-3.0-or-later',
        '-->',
        '',
        '# Performance',
        '',
        'Produced by `make bench` (`cd tools && ../.venv/bin/python -m bench%s`) on %s, in %.0f s. '
        'Each figure is a ratio or a count from one run on one machine: compare it with a run on the '
        'same machine, not with another machine\'s.'
        % ((' ' + command) if command else '', info['date'], elapsed),
        '',
        'Sections: %s.' % ', '.join('%s %.0f s' % kv for kv in timings.items()),
        '',
        '| machine | |',
        '|---|---|',
        '| CPU | %s |' % info['cpu'],
        '| cores | %s |' % info['cpus'],
        '| RAM | %s |' % info['ram'],
        '| OS | %s (kernel %s) |' % (info['os'], info['kernel']),
        '| Python | %s |' % info['python'],
        '| ansible-core | %s |' % info['ansible_core'],
        '',
    ]
    lines += render_table(table_rows(results))
    lines += ['', '## Method', '']
    per_task = results.get('per-task')
    if per_task:
        tasks = per_task['tasks']
        lines += [
            '1. Per-task overhead: playbooks of %d tasks (one task looping %d times) on localhost against '
            'the emulator; median of %d interleaved rounds. "Per task" is playbook wall time / %d; '
            '"net of baseline" subtracts an `ansible.builtin.debug` playbook of the same length first. '
            'The `uri` task makes the look-up `GET /d2l/api/lp/%s/orgstructure/?exactOrgUnitCode=...'
            '&orgUnitType=3`; the module finds the offering its own way (request counts above) and '
            'discovers API versions and org unit types once per playbook (fresh token cache directory '
            'per playbook run). Request counts come from the emulator\'s request log.'
            % (tasks, tasks, per_task['rounds'], tasks, LP_VERSION),
            '',
        ]
    scale = results.get('scale')
    if scale:
        lines += [
            '2. Scale: a catalog of %d semesters, %d course templates and %d offerings provisioned by '
            '`playbooks/provision_courses.yml` (the `course_provision` role), then the same playbook '
            'again with the same token cache directory (`BRIGHTSPACE_TOKEN_CACHE`; whatever the '
            'collection keeps beside the token survives, as on an admin\'s machine). The `uri` '
            'playbook checks the same catalog as an admin would without the collection: for each '
            'semester a look-up by code (`orgstructure/?exactOrgUnitCode=`), for each template and '
            'offering a look-up by code and a read of `coursetemplates/{id}` / `courses/{id}`, the '
            'fields compared in `failed_when`. The per-host runs put each offering on its own '
            'inventory host (`d2l_course`, connection local) and run the catalog, already in place, '
            'with each `--forks` value. The re-run\'s time is the whole role\'s (its bookkeeping '
            'tasks included), as a user runs it. The re-run\'s requests by route:'
            % (scale['semesters'], scale['templates'], scale['offerings']),
            '',
            '| requests | route |',
            '|---|---|',
        ]
        lines += ['| %d | `%s` |' % (count, key)
                  for key, count in sorted(scale['rerun']['routes'].items(), key=lambda kv: (-kv[1], kv[0]))]
        lines += ['']
    rerun = results.get('demo')
    if rerun:
        lines += [
            '2. Demo re-run: `playbooks/demo.yml` twice with one token cache directory; the second '
            'run\'s GETs by route:',
            '',
            '| GETs | route |',
            '|---|---|',
        ]
        lines += ['| %d | `%s` |' % (count, key)
                  for key, count in sorted(rerun['get_routes'].items(), key=lambda kv: (-kv[1], kv[0]))]
        lines += ['']
    if results.get('lr'):
        lines += [
            '2. Learning Repository re-run: %d small SCORM packages published by `d2l_lr_object` '
            '(one task looping over a folder, `content_check: none`), then the same playbook again.'
            % results['lr']['count'], '']
    streaming = results.get('streaming')
    if streaming:
        lines += [
            '3. Streaming: the module process runs under a wrapper interpreter that records its peak '
            'RSS (`ru_maxrss` of its one child) and wall time. Memory is the peak with the %d MiB file '
            'minus the peak with a 1 MiB file. Throughput: the module\'s time net of the 1 MiB run, '
            'median of %d runs, against `curl` (median of %d) sending the same bytes in one request '
            'to the same resumable upload route, writing the same export package to the same disk, '
            'and fetching the same LR asset (`objects/{id}/downloadfile/`, `d2l_lr_download` with '
            '`what: file`) with the same bearer header. The export download is timed by attaching to '
            'a finished export (`export_id`), so the job wait is not counted. The LR publish figure is '
            'from one run.' % (streaming['mib'], STREAM_ROUNDS, STREAM_ROUNDS),
            '',
        ]
    job = results.get('job')
    if job:
        lines += [
            '4. Waiting: one course copy job of %.0f s waited for by `d2l_copy_job` with the default '
            'poll options; "noticed after completion" is the arrival of its last status request '
            '(request log) minus the job\'s completion time (emulator state).' % job['job_seconds'],
            '',
        ]
    rate = results.get('rate')
    if rate:
        lines += [
            '5. Rate limits: %d inventory hosts (connection local), each looping `d2l_course_info` '
            '%d times, `--forks %d`. The unlimited rate is measured first (%d tasks per host); the '
            'emulator is then limited to %.0f%% of it, with a %.0f s window (`rate_window`, instead of '
            'the service\'s minute, to keep the run short; the bucket refills when its window is over). '
            'Failures: failed loop items in the output (or failed tasks in the PLAY RECAP, if more). Throughput: the allowed requests of the log, '
            'replayed into the emulator\'s windows; the requests of every window but the last over '
            'the time from the first window\'s start to the last one\'s, as a share of the limit '
            '(allowed requests per window: %s).'
            % (rate['hosts'], rate['tasks'], rate['hosts'], max(5, rate['tasks'] // 5), rate['fraction'] * 100,
               rate['window'], ', '.join(str(n) for n in rate['per_window'])),
            '',
        ]
    catalog = results.get('catalog')
    if catalog:
        lines += [
            '6. Catalog: one `d2l_catalog` task (concurrency 8) over the `scale` section\'s kind of catalog. '
            'The floor of the re-run replays its logged GETs from one Python process with 8 threads and '
            '`requests`; the floor of the first run provisions the same catalog by hand, per level and 8 at '
            'a time, with one look-up and one create per resource (fewer requests than any client that also '
            'compares). The per-item loop and `uri` re-run the same catalog. The %d-offering run is provisioned '
            'without a limit, then re-run with the emulator at 50,000 credits per 60 s window (10 a call); '
            'its peak memory is the largest resident set of the ansible-playbook processes '
            '(getrusage of the children).' % catalog['limited_offerings'],
            '',
        ]
    return '\n'.join(lines).rstrip('\n') + '\n'
