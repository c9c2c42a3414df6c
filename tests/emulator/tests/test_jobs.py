# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from brightspace_emulator.jobs import even_phases, status_at


def test_status_from_elapsed_time():
    job = {"created": 1000.0, "phases": even_phases(["PENDING", "PROCESSING"], 2.0),
           "outcome": "COMPLETE"}
    assert status_at(job, 1000.0) == "PENDING"
    assert status_at(job, 1000.9) == "PENDING"
    assert status_at(job, 1001.0) == "PROCESSING"
    assert status_at(job, 1001.99) == "PROCESSING"
    assert status_at(job, 1002.0) == "COMPLETE"
    assert status_at(job, 99999) == "COMPLETE"


def test_engine_uses_job_duration_and_clock(emu):
    now = [5000.0]
    emu.jobs.clock = lambda: now[0]
    emu.config.job_duration = 3
    job = emu.jobs.create("import", ["UPLOADING", "PROCESSING", "IMPORTING"], "COMPLETED",
                          data={"TargetOrgUnitId": 1})
    seq = []
    for t in (0, 1.5, 2.5, 3.0):
        now[0] = 5000.0 + t
        seq.append(emu.jobs.status(job["id"]))
    assert seq == ["UPLOADING", "PROCESSING", "IMPORTING", "COMPLETED"]
    assert emu.jobs.is_final(job["id"])
    assert emu.jobs.get(job["id"], kind="copy") is None
    assert emu.jobs.get(job["id"], kind="import")["data"] == {"TargetOrgUnitId": 1}


def test_explicit_phases_and_state(client, emu):
    job = emu.jobs.create("x", [], "DONE", phases=[("A", 100), ("B", 100)])
    state = client.get("/_emulator/state").json()
    assert state["jobs"][0]["id"] == job["id"] and state["jobs"][0]["status"] == "A"
