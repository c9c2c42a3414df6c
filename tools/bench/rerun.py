# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 2, ``demo``: the demo playbook re-run, requests by route."""

from __future__ import annotations

import collections
import os

from .common import DEMO_INVENTORY, DEMO_PLAYBOOK, DEMO_RESOURCES, REPO, Runner, changed_count, route, say


def bench_rerun(runner: Runner) -> dict:
    say('\n== 2a. re-run requests: %s twice (one token cache) ==' % os.path.relpath(DEMO_PLAYBOOK, REPO))
    cache_dir = os.path.join(runner.workdir, 'cache-demo')
    first_time, first, first_out = runner.run(DEMO_PLAYBOOK, inventory=DEMO_INVENTORY, cache_dir=cache_dir)
    say('   run 1: %.2f s, %d requests, changed=%d' % (first_time, len(first), changed_count(first_out)))
    second_time, second, second_out = runner.run(DEMO_PLAYBOOK, inventory=DEMO_INVENTORY, cache_dir=cache_dir)
    changed = changed_count(second_out)
    say('   run 2: %.2f s, %d requests, changed=%d' % (second_time, len(second), changed))

    by_method = collections.Counter(e['method'] for e in second)
    gets = by_method.get('GET', 0)
    writes = sum(count for method, count in by_method.items() if method != 'GET')
    get_routes = collections.Counter(route(e) for e in second if e['method'] == 'GET')
    write_routes = collections.Counter(route(e) for e in second if e['method'] != 'GET')
    units = DEMO_RESOURCES + 1  # + the api_info check
    lookups = collections.Counter(
        '%s (orgUnitType %s)' % (e['query'].get('exactOrgUnitCode'), e['query'].get('orgUnitType', 'any'))
        for e in second if e['method'] == 'GET' and e['path'].endswith('/orgstructure/')
        and 'exactOrgUnitCode' in (e.get('query') or {}))
    result = {
        'lookups': lookups,
        'first_requests': len(first), 'first_time': first_time,
        'second_requests': len(second), 'second_time': second_time, 'second_changed': changed,
        'by_method': dict(by_method), 'gets': gets, 'writes': writes,
        'units': units, 'gets_per_resource': gets / units,
        'get_routes': get_routes, 'write_routes': write_routes,
        'statuses': collections.Counter(e['status'] for e in second),
    }
    say('')
    say('   second run by method: %s' % ', '.join('%s %d' % kv for kv in sorted(by_method.items())))
    say('   statuses: %s' % ', '.join('%s: %d' % (k, v) for k, v in sorted(result['statuses'].items(), key=str)))
    say('   writes (non-GET): %d  (target 0)' % writes)
    say('   GETs per resource: %.2f  (%d GETs / %d = %d managed resources + the api_info check; target 1.00)'
        % (result['gets_per_resource'], gets, units, DEMO_RESOURCES))
    say('   GETs of the second run by route:')
    for key, count in sorted(get_routes.items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (count, key))
    say('   look-ups by code (orgstructure/?exactOrgUnitCode=...) of the second run:')
    for key, count in sorted(lookups.items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (count, key))
    if write_routes:
        say('   writes of the second run by route:')
        for key, count in sorted(write_routes.items(), key=lambda kv: (-kv[1], kv[0])):
            say('     %4d  %s' % (count, key))
    return result
