# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A 50 MB file artifact through the resumable upload with the connection dropped mid-chunk: the
module resumes from the offset the service reports, and the service holds the same bytes."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

MIB = 1024 * 1024
SIZE = 50 * 1000 * 1000

PLAY = """
- name: A large file artifact
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Upload it
      d2l.brightspace.d2l_artifact:
        brightspace_url: "{{ brightspace_url }}"
        kind: file
        name: IT large recording
        src: "{{ src }}"
        upload: auto
      register: large
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ large | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


@pytest.fixture
def large_file(tmp_path):
    path = tmp_path / "recording.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        written = 0
        while written < SIZE:
            block = os.urandom(min(4 * MIB, SIZE - written))
            handle.write(block)
            digest.update(block)
            written += len(block)
    return str(path), digest.hexdigest()


def test_resumable_upload_survives_a_drop_mid_chunk(emulator, playbook, large_file, tmp_path):
    if not emulator.control:
        pytest.skip("needs the emulator's faults and stored bytes")
    emulator.reset()
    path, sha = large_file
    # the first chunk (8 MiB chunks) loses its connection 3 MiB in
    emulator.call("POST", "/_emulator/faults", {"method": "POST", "path": "^/d2l/upload/", "times": 1,
                                                "drop_after_bytes": 3 * MIB + 17})
    mark = emulator.call("GET", "/_emulator/requests?since=999999999")["next"]
    play = tmp_path / "large.yml"
    play.write_text(PLAY)
    out = tmp_path / "out.json"
    result = playbook(play, extra_vars={"src": path, "out": str(out)})
    assert result.returncode == 0, result.output
    large = json.loads(out.read_text())
    assert large["changed"] is True and large["artifact"]["file_size"] == SIZE
    stored = [o for o in emulator.call("GET", "/_emulator/eportfolio/objects?user=3")
              if o["ObjectId"] == large["artifact"]["id"]]
    assert stored and stored[0]["Sha256"] == sha and stored[0]["FileSize"] == SIZE
    uploads = [r for r in emulator.requests(mark) if r["path"].startswith("/d2l/upload/")]
    dropped = [r for r in uploads if r["status"] == 0]
    assert len(dropped) == 1, uploads
    assert uploads[-1]["status"] == 200
    # after the drop: a status query (an empty body, "bytes */total") answered 308 with what
    # arrived, then the next chunk starts exactly there, not at 0
    after = uploads[uploads.index(dropped[0]) + 1:]
    assert after[0]["content_range"] == "bytes */%d" % SIZE and after[0]["status"] == 308
    resumed_at = int(after[1]["content_range"].split()[1].split("-")[0])
    assert 0 < resumed_at <= 3 * MIB + 17
    assert after[1]["content_range"].startswith("bytes %d-" % resumed_at)
