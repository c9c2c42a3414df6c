# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 2, ``lr``: Learning Repository packages published, then re-run."""

from __future__ import annotations

import collections
import os
import zipfile

from .common import Runner, changed_count, route, say, write_playbook


LR_PACKAGES = 100

LR_PLAYBOOK = """\
- name: Publish a folder of SCORM packages
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Publish
      d2l.brightspace.d2l_lr_object:
        repository: 1
        title: "Bench package {{ item | basename }}"
        src: "{{ item }}"
        keywords: [bench, scorm]
        status: Approved
        content_check: none
      loop: "{{ query('ansible.builtin.fileglob', bench_dir ~ '/*.zip') | sort }}"
"""

SCORM_MANIFEST = (
    '<?xml version="1.0"?>\n<manifest identifier="bench-%d" version="1.0" '
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">'
    '<organizations default="o"><organization identifier="o"><title>Bench %d</title>'
    '<item identifier="i" identifierref="r"><title>Page</title></item></organization></organizations>'
    '<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">'
    '<file href="index.html"/></resource></resources></manifest>\n')


def bench_lr_rerun(runner: Runner, count: int) -> dict:
    say('\n== 2c. Learning Repository: publish %d packages, then re-run with nothing changed ==' % count)
    directory = os.path.join(runner.workdir, 'lr-packages')
    os.makedirs(directory)
    for number in range(count):
        with zipfile.ZipFile(os.path.join(directory, 'pkg-%03d.zip' % number), 'w') as archive:
            archive.writestr('imsmanifest.xml', SCORM_MANIFEST % (number, number))
            archive.writestr('index.html', '<html><body>Package %d</body></html>' % number)
    playbook = write_playbook(runner.workdir, 'lr.yml', LR_PLAYBOOK)
    cache = os.path.join(runner.workdir, 'cache-lr')
    first_time, first, _out = runner.run(playbook, extra_vars={'bench_dir': directory}, cache_dir=cache)
    second_time, second, output = runner.run(playbook, extra_vars={'bench_dir': directory}, cache_dir=cache)
    writes = [e for e in second if e['method'] != 'GET']
    result = {'count': count, 'first_time': first_time, 'first_requests': len(first),
              'second_time': second_time, 'second_requests': len(second), 'writes': len(writes),
              'per_package': len(second) / float(count), 'changed': changed_count(output),
              'routes': collections.Counter(route(e) for e in second)}
    say('   first run: %.1f s, %d requests' % (first_time, len(first)))
    say('   re-run: %.1f s, %d requests (%.2f per package; target <= 2), %d writes (target 0), changed=%d'
        % (second_time, len(second), result['per_package'], len(writes), result['changed']))
    for key, number in sorted(result['routes'].items(), key=lambda kv: (-kv[1], kv[0])):
        say('     %4d  %s' % (number, key))
    return result
