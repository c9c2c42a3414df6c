# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark the d2l.brightspace collection against a local Brightspace emulator (``make bench``).

``make bench`` runs ``python -m bench`` in ``tools/``; each section is a module of this package.

A benchmark, not a timed test: it exits 0 unless something it runs fails (the emulator, a
playbook), whatever the figures are. Every figure is a ratio or a count from one run. The run
ends in ONE table (figure | value | target | met?), printed and written to
``docs/performance.md`` with the machine (CPU model, cores, RAM, OS, Python, ansible-core) and
the date. One module per section (``--only <name>``, repeatable, runs some and writes no
report):

1. ``per-task``: per-task overhead. Three playbooks of N tasks each (one task looping N times):
   ``ansible.builtin.debug`` (the cost of a task that does nothing), ``ansible.builtin.uri`` doing
   the look-up by code (``GET orgstructure/?exactOrgUnitCode=<code>&orgUnitType=3``) and
   ``d2l.brightspace.d2l_course_info`` with ``code:``. Interleaved rounds, median reported, as
   wall time per task and net of the ``debug`` baseline; a fresh token cache directory per
   playbook run (discovery once per playbook, as in real use). Target: module/uri <= 1.15.

2. Scale and re-runs:

   - ``demo``: ``playbooks/demo.yml`` twice with one token cache directory; the second run's
     requests by method and route (target: one GET per managed resource, no writes).
   - ``scale``: a catalog of ``--scale`` offerings (500; plus a semester per 125 and a template
     per 25) provisioned by ``playbooks/provision_courses.yml`` (the ``course_provision`` role),
     then re-run with the same token cache directory (``BRIGHTSPACE_TOKEN_CACHE``; whatever the
     collection keeps beside the token survives, as on an admin's machine): GETs per managed
     resource (target 1.00), writes (target 0), requests by route. Then a hand-written
     ``ansible.builtin.uri`` playbook doing the same checks (look-up by code and read of each
     template and offering, look-up of each semester, fields compared): re-run wall time / uri
     (target <= 1.0). Then the catalog as one inventory host per course (``d2l_course``,
     connection local) run with each ``--forks`` value (default 1 and 8; ``--forks 1,2,4,8``
     for the curve).
   - ``lr``: ``--lr-packages`` (100) small SCORM packages published by ``d2l_lr_object``, then
     the same playbook again: requests per package (target <= 2), writes (target 0).

3. ``streaming``: a ``--stream-mib`` (1024) MiB file uploaded by ``d2l_artifact`` (resumable),
   an export package holding it downloaded by ``d2l_ep_export``, the file published to the
   Learning Repository by ``d2l_lr_object`` (resumable) and downloaded by ``d2l_lr_download``
   (``what: file``). The module process runs under a small wrapper interpreter that records its
   peak RSS and wall time. Memory: peak minus the same module's peak with a 1 MiB file (target:
   under 64 MiB). Throughput: the module's time net of that small run, against ``curl`` on the
   same route with the same bearer header (target: at least 0.8x curl).

4. ``job``: one course copy job of 30 s (the emulator's job duration) waited for by
   ``d2l_copy_job`` with the default poll options: the status requests it sent (and the gaps
   between them), and how long after the job completed the module noticed (target: within one
   poll interval at its cap, 30 s).

5. ``rate``: 8 inventory hosts (connection local), each looping ``d2l_course_info``
   ``--rate-tasks`` (100) times, ``--forks 8``. The unlimited request rate is measured first
   (a fifth of the tasks); the emulator is then limited to ``--rate-fraction`` (0.5) of it with
   a 10 s window (``rate_window``; the service's window is a minute). Failures (target 0) and
   the achieved request throughput over the complete windows as a share of the limit (target
   >= 0.9).

Each section's elapsed time is printed. The emulator runs as ``<this python> -m
brightspace_emulator`` (started by ``brightspace_emulator.testing``) on a free loopback port and
is always stopped at the end; ansible-playbook is the one beside this interpreter, the
collection this checkout.
"""
