# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Section 3, ``streaming``: memory and throughput of uploads and downloads against curl."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .common import BenchError, Emulator, PLAYBOOK_TIMEOUT, Runner, TOKEN, say, write_playbook


STREAM_MIB = 1024
STREAM_ROUNDS = 3  # transfers are timed this many times; the median is reported
MEMORY_TARGET_MIB = 64
THROUGHPUT_TARGET = 0.8

# The module process runs under this wrapper (as ansible_python_interpreter): it records the
# module process's wall time and peak resident set size (RUSAGE_CHILDREN: the one child it ran).
MEMORY_WRAPPER = """#!PYTHON
import os, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call([PYTHON_QUOTED] + sys.argv[1:])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
with open(os.environ["D2L_BENCH_PROBE"], "a") as handle:
    handle.write("%d %.3f\\n" % (peak, elapsed))
sys.exit(code)
"""

UPLOAD_PLAYBOOK = """\
- name: One file artifact, resumable upload
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Upload
      d2l.brightspace.d2l_artifact:
        kind: file
        name: "{{ bench_name }}"
        src: "{{ bench_src }}"
        upload: resumable
      register: uploaded
    - name: Show the id
      ansible.builtin.debug:
        msg: "OBJECT_ID={{ uploaded.artifact.id }}"
"""

EXPORT_PLAYBOOK = """\
- name: Export the objects and stream the package
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Export
      d2l.brightspace.d2l_ep_export:
        object_ids: "{{ bench_ids | default(omit) }}"
        export_id: "{{ bench_export_id | default(omit) }}"
        dest: "{{ bench_dest }}"
        force: true
        poll_interval: 0.2
      register: exported
    - name: Show the id
      ansible.builtin.debug:
        msg: "EXPORT_ID={{ exported.export_id }} SIZE={{ exported.size }}"
"""


LR_UPLOAD_PLAYBOOK = """\
- name: Publish one file to the Learning Repository (resumable)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Publish
      d2l.brightspace.d2l_lr_object:
        repository: 1
        title: "{{ bench_name }}"
        src: "{{ bench_src }}"
        upload: resumable
        content_check: none
      register: published
    - name: Show the id
      ansible.builtin.debug:
        msg: "OBJECT_ID={{ published.object.id }}"
"""

LR_DOWNLOAD_PLAYBOOK = """\
- name: Download a Learning Repository asset's file
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Download
      d2l.brightspace.d2l_lr_download:
        object_id: "{{ bench_object_id }}"
        what: file
        dest: "{{ bench_dest }}"
"""


def bench_lr_download(runner: Runner, emulator: Emulator, wrapper: str, small: str, large: str) -> dict:
    """Publish the small and the large file as LR assets, then time d2l_lr_download (peak RSS and
    wall time under the wrapper) against curl on the same downloadfile/ route."""
    upload = write_playbook(runner.workdir, 'lr-upload.yml', LR_UPLOAD_PLAYBOOK)
    download = write_playbook(runner.workdir, 'lr-download.yml', LR_DOWNLOAD_PLAYBOOK)
    ids, uploads = {}, {}
    for name, src in (('small', small), ('large', large)):
        probe, out = probe_run(runner, wrapper, upload, {'bench_name': 'Bench stream %s' % name, 'bench_src': src})
        ids[name] = int(re.search(r'OBJECT_ID=(\d+)', out).group(1))
        uploads[name] = probe
    peaks, seconds = {}, {}
    for name in ('small', 'large'):
        runs = []
        for number in range(STREAM_ROUNDS):
            dest = os.path.join(runner.workdir, 'lr-%s-%d.bin' % (name, number))
            runs.append(probe_run(runner, wrapper, download, {'bench_object_id': ids[name], 'bench_dest': dest})[0])
            if os.path.getsize(dest) != os.path.getsize(small if name == 'small' else large):
                raise BenchError('d2l_lr_download wrote %d bytes, not the file\'s size' % os.path.getsize(dest))
            os.unlink(dest)
        peaks[name] = max(r[0] for r in runs)
        seconds[name] = statistics.median(r[1] for r in runs)
    url = emulator.url + '/d2l/api/lr/1.3/objects/%d/downloadfile/' % ids['large']
    dest = os.path.join(runner.workdir, 'lr-curl.bin')
    curl_down = statistics.median(curl(['-H', 'Authorization: Bearer ' + TOKEN, url], dest)
                                  for _round in range(STREAM_ROUNDS))
    os.unlink(dest)
    transfer = max(seconds['large'] - seconds['small'], 1e-6)
    return {
        'lr_up_extra_mib': (uploads['large'][0] - uploads['small'][0]) / 1024.0,
        'lr_up_seconds': uploads['large'][1],
        'lr_down_peak_mib': peaks['large'] / 1024.0, 'lr_down_base_mib': peaks['small'] / 1024.0,
        'lr_down_extra_mib': (peaks['large'] - peaks['small']) / 1024.0,
        'lr_down_seconds': transfer, 'curl_lr_down': curl_down, 'lr_down_ratio': curl_down / transfer,
    }


def make_file(path: str, mib: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, 'wb') as handle:
        for index in range(mib):
            handle.write(block[index % 251:] + block[:index % 251])  # no two MiB alike


def probe_run(runner: Runner, wrapper: str, playbook: str, extra: dict) -> tuple:
    """Run a playbook with the module under the wrapper: ((peak KiB, seconds), output)."""
    probe = os.path.join(runner.workdir, 'probe.txt')
    if os.path.exists(probe):
        os.unlink(probe)
    runner.env['D2L_BENCH_PROBE'] = probe
    extra = dict(extra, ansible_python_interpreter=wrapper)
    try:
        _elapsed, _requests, output = runner.run(playbook, extra_vars=extra)
    finally:
        runner.env.pop('D2L_BENCH_PROBE', None)
    with open(probe, encoding='utf-8') as handle:
        lines = [line.split() for line in handle if line.strip()]
    peak, seconds = max((int(kib), float(sec)) for kib, sec in lines)  # the module, not the debug task
    return (peak, seconds), output


def curl(args: list, output: str = os.devnull) -> float:
    """Seconds curl takes for one transfer (``output``: where a download is written)."""
    started = time.perf_counter()
    subprocess.run(['curl', '--silent', '--show-error', '--fail', '-o', output] + args, check=True,
                   stdin=subprocess.DEVNULL, timeout=PLAYBOOK_TIMEOUT)
    return time.perf_counter() - started


def bench_streaming(runner: Runner, emulator: Emulator, mib: int) -> dict:
    say('\n== 3. streaming: a %d MiB file up (resumable) and down (export package, LR download) ==' % mib)
    if shutil.which('curl') is None:
        raise BenchError('curl is needed for the throughput comparison')
    workdir = runner.workdir
    wrapper = os.path.join(workdir, 'python-probe')
    with open(wrapper, 'w', encoding='utf-8') as handle:
        handle.write(MEMORY_WRAPPER.replace('PYTHON_QUOTED', repr(sys.executable)).replace('PYTHON', sys.executable, 1))
    os.chmod(wrapper, 0o755)
    emulator.call('POST', '/_emulator/config', {'job_duration': 0.5})
    small, large = os.path.join(workdir, 'small.bin'), os.path.join(workdir, 'large.bin')
    make_file(small, 1)
    make_file(large, mib)
    size = os.path.getsize(large)
    upload = write_playbook(workdir, 'upload.yml', UPLOAD_PLAYBOOK)
    export = write_playbook(workdir, 'export.yml', EXPORT_PLAYBOOK)

    def uploads(src, name):
        runs = [probe_run(runner, wrapper, upload, {'bench_name': '%s-%d' % (name, n), 'bench_src': src})
                for n in range(STREAM_ROUNDS)]
        object_id = int(re.search(r'OBJECT_ID=(\d+)', runs[0][1]).group(1))
        return max(r[0][0] for r in runs), statistics.median(r[0][1] for r in runs), object_id

    small_up, small_up_seconds, small_id = uploads(small, 'small')
    large_up, up_seconds, large_id = uploads(large, 'large')

    def curl_upload():
        """curl: initiate the same resumable upload, then send the bytes in one request."""
        init = urllib.request.Request(
            emulator.url + '/d2l/api/eP/2.5/artifacts/file/new', method='POST', data=b'',
            headers={'Authorization': 'Bearer ' + TOKEN, 'X-Upload-Content-Type': 'application/octet-stream',
                     'X-Upload-Content-Length': str(size), 'X-Upload-File-Name': 'large.bin'})
        location = None
        try:
            urllib.request.urlopen(init, timeout=30)  # pylint: disable=consider-using-with
        except urllib.error.HTTPError as answer:  # urllib treats the 308 without a body as an error
            location = answer.headers['Location']
        if not location:
            raise BenchError('the upload initiation did not answer 308 with a Location')
        return curl(['-X', 'POST', '--upload-file', large, '-H', 'Expect:', '-H', 'Authorization: Bearer ' + TOKEN,
                     '-H', 'Content-Type: application/octet-stream',
                     '-H', 'Content-Range: bytes 0-%d/%d' % (size - 1, size), emulator.url + location])

    curl_up = statistics.median(curl_upload() for _round in range(STREAM_ROUNDS))

    # down: export once (the package is built), then time downloads of that export alone
    def downloads(ids, dest):
        _probe, out = probe_run(runner, wrapper, export, {'bench_ids': ids, 'bench_dest': dest})
        export_id = int(re.search(r'EXPORT_ID=(\d+)', out).group(1))
        runs = [probe_run(runner, wrapper, export, {'bench_export_id': export_id, 'bench_dest': dest})[0]
                for _round in range(STREAM_ROUNDS)]
        return max(r[0] for r in runs), statistics.median(r[1] for r in runs), export_id

    dest = os.path.join(workdir, 'package.zip')
    down_peak, down_seconds, export_id = downloads([small_id, large_id], dest)
    package_size = os.path.getsize(dest)
    small_down, small_down_seconds, _export = downloads([small_id], dest + '.small')
    package_url = emulator.url + '/d2l/api/eP/2.5/export/%d/package' % export_id
    # curl writes the package to a file on the same disk, as the module does
    curl_down = statistics.median(curl(['-H', 'Authorization: Bearer ' + TOKEN, package_url], dest + '.curl')
                                  for _round in range(STREAM_ROUNDS))
    emulator.call('POST', '/_emulator/config', {'job_duration': 2.0})
    for path in (dest, dest + '.small', dest + '.curl'):
        os.unlink(path)
    lr_figures = bench_lr_download(runner, emulator, wrapper, small, large)
    os.unlink(large)

    up_transfer = max(up_seconds - small_up_seconds, 1e-6)
    down_transfer = max(down_seconds - small_down_seconds, 1e-6)
    result = {
        'mib': mib, 'size': size, 'package_size': package_size,
        'up_peak_mib': large_up / 1024.0, 'up_base_mib': small_up / 1024.0,
        'down_peak_mib': down_peak / 1024.0, 'down_base_mib': small_down / 1024.0,
        'up_seconds': up_transfer, 'down_seconds': down_transfer, 'curl_up': curl_up, 'curl_down': curl_down,
    }
    result['up_extra_mib'] = result['up_peak_mib'] - result['up_base_mib']
    result['down_extra_mib'] = result['down_peak_mib'] - result['down_base_mib']
    result['up_ratio'] = curl_up / up_transfer
    result['down_ratio'] = curl_down / down_transfer
    result.update(lr_figures)
    say('   upload:   module peak RSS %.1f MiB (1 MiB file: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['up_peak_mib'], result['up_base_mib'], result['up_extra_mib'], MEMORY_TARGET_MIB))
    say('   download: module peak RSS %.1f MiB (small package: %.1f MiB) -> %.1f MiB above baseline (target < %d)'
        % (result['down_peak_mib'], result['down_base_mib'], result['down_extra_mib'], MEMORY_TARGET_MIB))
    say('   upload:   module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (up_transfer, mib / up_transfer, curl_up, mib / curl_up, result['up_ratio'], THROUGHPUT_TARGET))
    say('   download: module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (down_transfer, package_size / 1048576.0 / down_transfer, curl_down,
           package_size / 1048576.0 / curl_down, result['down_ratio'], THROUGHPUT_TARGET))
    say('   LR publish (d2l_lr_object, resumable): module peak RSS %.1f MiB above the 1 MiB publish, %.1f s'
        % (result['lr_up_extra_mib'], result['lr_up_seconds']))
    say('   LR download (d2l_lr_download, what: file): module peak RSS %.1f MiB (1 MiB file: %.1f MiB) '
        '-> %.1f MiB above baseline (target < %d)'
        % (result['lr_down_peak_mib'], result['lr_down_base_mib'], result['lr_down_extra_mib'], MEMORY_TARGET_MIB))
    say('   LR download: module %.1f s (%.0f MiB/s) vs curl %.1f s (%.0f MiB/s): %.2fx curl (target >= %.1f)'
        % (result['lr_down_seconds'], mib / result['lr_down_seconds'], result['curl_lr_down'],
           mib / result['curl_lr_down'], result['lr_down_ratio'], THROUGHPUT_TARGET))
    return result
