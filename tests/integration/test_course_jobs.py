# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Course copy and import jobs with callback URLs: the service POSTs each job's completion block
once to a real HTTP receiver on loopback."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[1] / "fixtures" / "packages"

PLAY = """
- name: Jobs with callbacks
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/d2l.brightspace.brightspace:
      brightspace_url: "{{ brightspace_url }}"
  tasks:
    - name: A template
      d2l.brightspace.d2l_course_template:
        code: CB-TPL
        name: Callback template
    - name: Two offerings
      d2l.brightspace.d2l_course:
        code: "{{ item }}"
        name: "Callback {{ item }}"
        template: CB-TPL
      loop: [CB-MASTER, CB-TARGET]
      register: offerings
    - name: Copy with a callback
      d2l.brightspace.d2l_copy_job:
        source: CB-MASTER
        target: CB-TARGET
        components: [Content]
        callback_url: "{{ receiver }}/copy?run=7"
        poll_interval: 0.5
      register: copied
    - name: Import with a callback
      d2l.brightspace.d2l_course_import:
        target: CB-TARGET
        src: "{{ package }}"
        callback_url: "{{ receiver }}/import"
        poll_interval: 0.5
      register: imported
    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'copy': copied.job_token, 'import': imported.job_token,
                     'master': offerings.results[0].course.id, 'target': offerings.results[1].course.id} | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


class Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Receiver.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                  "body": json.loads(body or b"null")})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_callbacks_are_posted_once(emulator, playbook, receiver, tmp_path):
    if not emulator.control:
        pytest.skip("a real tenant cannot reach a loopback receiver")
    emulator.reset()
    play = tmp_path / "callbacks.yml"
    play.write_text(PLAY)
    out = tmp_path / "out.json"
    result = playbook(play, extra_vars={"receiver": receiver, "out": str(out),
                                        "package": str(PACKAGES / "d2l-course-package.zip")})
    assert result.returncode == 0, result.output
    ids = json.loads(out.read_text())
    deadline = time.monotonic() + 10
    while len(Receiver.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # long enough for a second, duplicate POST to arrive if one were sent
    by_path = sorted(Receiver.received, key=lambda r: r["path"])
    assert [r["path"] for r in by_path] == ["/copy?run=7", "/import"]
    assert by_path[0]["body"] == {"JobToken": ids["copy"], "SourceOrgUnitId": ids["master"],
                                  "TargetOrgUnitId": ids["target"], "Status": "COMPLETE"}
    assert by_path[1]["body"] == {"JobToken": ids["import"], "TargetOrgUnitId": ids["target"], "Status": "COMPLETED"}
    assert all(r["content_type"].startswith("application/json") for r in by_path)
