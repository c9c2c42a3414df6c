# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix: every module under every applicable fault, judged by the documented retry
rules (docs/rate-limits-and-retries.md, plugins/module_utils/retries.py).

Cases: 429, 500, 502 and 503 bursts; a connection dropped mid-request, mid-upload and
mid-download; a response slower than the module's ``timeout``; jobs ending in each failure
status; access tokens expiring mid-play across forks (rotating refresh tokens); ID-key clock
skew; an emulator restart while job modules wait (state file kept).

Each step is one module run (tests/integration/faultmatrix/matrix.yml); the playbooks run at
-vvvv with --diff against their own emulators, several at once. A step is judged on its outcome
(success where the retry rules allow it, else a failure whose message names the method, the
route and the status, never a traceback), on the emulator's state (no duplicate object, job or
version) and on the download directory (no partial or temporary file). No access token,
refresh token, client secret, app key or user key may appear in any output or result.

``FAULT_MATRIX=soak`` (``make soak``) runs a longer matrix: longer bursts, real Retry-After
waits, three rounds with the fault placed at random (seeded: ``FAULT_MATRIX_SEED``, printed) on
one of the routes each module calls. The table of case x module -> outcome is printed at the end
and written to tests/output/fault-matrix.txt.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections import OrderedDict, namedtuple
from pathlib import Path

import pytest

from brightspace_emulator import testing
from conftest import BIN, ROOT, free_port, start_emulator

HERE = Path(__file__).resolve().parent / "faultmatrix"
PACKAGES = ROOT / "tests" / "fixtures" / "packages"
OUTPUT = ROOT / "tests" / "output" / "fault-matrix.txt"
MODE = os.environ.get("FAULT_MATRIX", "short")
SOAK = MODE == "soak"
SEED = int(os.environ.get("FAULT_MATRIX_SEED") or (int(time.time()) % 100000 if SOAK else 7))

pytestmark = pytest.mark.skipif(bool(os.environ.get("BRIGHTSPACE_TEST_URL")),
                                reason="the fault matrix needs the emulator's fault control")

# A route a module calls: what kind of request it is for the retry rules, its method and a regex
# for the emulator's fault rule (re.search on the URL path).
Route = namedtuple("Route", "kind method path")
READ, CREATE, JOB, CHUNK, PUBLISH = "read", "create", "job start", "upload chunk", "publish"

# Matrix rows: one per module, plus the resumable-upload variants. The first route is where the
# short matrix puts its faults; the soak also picks among the others.
ROWS = OrderedDict([
    ("d2l_api_info", [Route(READ, "GET", r"/users/whoami$")]),
    ("d2l_org_unit", [Route(CREATE, "POST", r"/lp/[^/]+/orgstructure/$"),
                      Route(READ, "GET", r"/lp/[^/]+/orgstructure/$")]),
    ("d2l_course_template", [Route(CREATE, "POST", r"/coursetemplates/$"),
                             Route(READ, "GET", r"/lp/[^/]+/orgstructure/$")]),
    ("d2l_course", [Route(CREATE, "POST", r"/lp/[^/]+/courses/$"),
                    Route(READ, "GET", r"/lp/[^/]+/orgstructure/$")]),
    ("d2l_catalog", [Route(CREATE, "POST", r"/lp/[^/]+/courses/$"),
                     Route(READ, "GET", r"/lp/[^/]+/orgstructure/$")]),
    ("d2l_course_info", [Route(READ, "GET", r"/lp/[^/]+/courses/\d+$")]),
    ("d2l_copy_job", [Route(JOB, "POST", r"/import/\d+/copy/$"),
                      Route(READ, "GET", r"/import/\d+/copy/\w+$")]),
    ("d2l_course_import", [Route(JOB, "POST", r"/import/\d+/imports/$"),
                           Route(READ, "GET", r"/import/\d+/imports/\w+$")]),
    ("d2l_artifact", [Route(CREATE, "POST", r"/artifacts/link/new$"),
                      Route(READ, "GET", r"/objects/my/$")]),
    ("d2l_artifact_upload", [Route(CHUNK, "POST", r"^/d2l/upload/"),
                             Route(READ, "GET", r"/objects/my/$")]),
    ("d2l_artifact_info", [Route(READ, "GET", r"/objects/my/$")]),
    ("d2l_ep_export", [Route(JOB, "POST", r"/export/new$"),
                       Route(READ, "GET", r"/export/\d+/status$"),
                       Route(READ, "GET", r"/export/\d+/package$")]),
    ("d2l_ep_import", [Route(JOB, "POST", r"/eP/[^/]+/import/new$"),
                       Route(READ, "GET", r"/eP/[^/]+/import/\d+/status$")]),
    ("d2l_lr_object", [Route(PUBLISH, "PUT", r"/lr/[^/]+/objects/$"),
                       Route(READ, "GET", r"/objects/search/$"),
                       Route(READ, "GET", r"/objects/\d+/properties/$")]),
    ("d2l_lr_object_upload", [Route(CHUNK, "POST", r"^/d2l/upload/"),
                              Route(READ, "GET", r"/objects/search/$")]),
    ("d2l_lr_object_info", [Route(READ, "GET", r"/objects/search/$")]),
    ("d2l_lr_download", [Route(READ, "GET", r"/objects/\d+/download/$")]),
    ("d2l_lr_repository_info", [Route(READ, "GET", r"/repositories/")]),
])
MODULE_OF = dict((row, row.replace("_upload", "")) for row in ROWS)
JOB_ROWS = ("d2l_copy_job", "d2l_course_import", "d2l_ep_export", "d2l_ep_import")
DOWNLOAD_ROWS = ("d2l_ep_export", "d2l_lr_download")
CREATE_ATTEMPTS = 3  # module.Resource.CREATE_ATTEMPTS: a create is tried at most three times

# Where the short matrix drops a request body (drop_after_bytes) and a response body
# (drop_response_after_bytes): the route and the bytes let through.
MID_UPLOAD = OrderedDict([
    ("d2l_artifact_upload", (Route(CHUNK, "POST", r"^/d2l/upload/"), 600)),
    ("d2l_lr_object_upload", (Route(CHUNK, "POST", r"^/d2l/upload/"), 70000)),
    ("d2l_lr_object", (Route(PUBLISH, "PUT", r"/lr/[^/]+/objects/$"), 70000)),
    ("d2l_course_import", (Route(JOB, "POST", r"/import/\d+/imports/$"), 300)),
    ("d2l_ep_import", (Route(JOB, "POST", r"/eP/[^/]+/import/new$"), 300)),
])
MID_DOWNLOAD = OrderedDict([
    ("d2l_ep_export", (Route(READ, "GET", r"/export/\d+/package$"), 200)),
    ("d2l_lr_download", (Route(READ, "GET", r"/objects/\d+/download/$"), 200)),
])
JOB_OUTCOMES = [
    ("d2l_copy_job", r"/import/\d+/copy/$", "FAILED"),
    ("d2l_copy_job", r"/import/\d+/copy/$", "CANCELLED"),
    ("d2l_course_import", r"/import/\d+/imports/$", "IMPORTFAILED"),
    ("d2l_ep_export", r"/export/new$", "Aborted"),
    ("d2l_ep_export", r"/export/new$", "CompleteWithErrors"),
    ("d2l_ep_import", r"/eP/[^/]+/import/new$", "Aborted"),
    ("d2l_ep_import", r"/eP/[^/]+/import/new$", "CompleteWithErrors"),
]

TIMEOUT = 0.5  # the module's timeout option in the slow-response case
SLOW = 2.0  # the fault's delay
OAUTH_ENV = {"BRIGHTSPACE_ACCESS_TOKEN": "", "BRIGHTSPACE_REFRESH_TOKEN": "demo-refresh",
             "BRIGHTSPACE_CLIENT_ID": "demo-client", "BRIGHTSPACE_CLIENT_SECRET": "demo-secret"}
IDKEY_ENV = {"BRIGHTSPACE_ACCESS_TOKEN": "", "BRIGHTSPACE_APP_ID": "demo-app-id",
             "BRIGHTSPACE_APP_KEY": "demo-app-key", "BRIGHTSPACE_USER_ID": "demo-user-id",
             "BRIGHTSPACE_USER_KEY": "demo-user-key"}
SEEDED_SECRETS = ("demo-refresh", "demo-secret", "demo-app-key", "demo-user-key")

# Cells whose failure is a known product bug in a file this test's authors may not change:
# {(case, row): reason}. Marked xfail (strict) so that a fix shows up.
KNOWN_BUGS = {}


# ---------------------------------------------------------------------------------- the steps

def _fault(route, **effect):
    rule = {"method": route.method, "path": route.path}
    rule.update(effect)
    return rule


def _expect_status(route, status, burst):
    """(expected outcome, words the failure message must hold) for an HTTP status burst."""
    if status == 429:
        return "ok", ()
    if status not in (502, 503, 504):
        return "fail", ("%s " % route.method, " failed: %d" % status)
    return _expect_ambiguous(route, burst, " failed: %d" % status)


def _expect_ambiguous(route, burst, words):
    """502/503/504 or a lost connection: who may send again (retries.py, module.py)."""
    if route.kind in (READ, CHUNK):
        return "ok", ()  # idempotent: retried; an upload chunk resumes from what arrived
    if route.kind == CREATE:
        if burst < CREATE_ATTEMPTS:
            return "ok", ()  # looked up, not found, created again
        return "fail", ("%s " % route.method, words)
    if route.kind == PUBLISH:  # a new LR object, not found by title: never resent
        return "fail", (words, "may have been published")
    return "fail", (words, "may have been queued")  # a job start is never resent


class Step(dict):
    """One module run: case, row, key, faults (emulator rules), timeout, expected, words."""


# The playbook runs of the matrix proper, each against its own emulator, all at once (the skew
# run uses ID-key credentials; its job-outcome steps are there to even out the runs' lengths).
MATRIX_RUNS = ("status-a", "status-b", "transport", "late", "skew")


def build_cases(mode=MODE, seed=SEED):
    """{run name: [Step]}: the steps each playbook run executes, in order."""
    rng = random.Random(seed)
    burst = 3 if mode == "soak" else 2
    retry_after = "1" if mode == "soak" else "0"
    runs = OrderedDict((name, []) for name in MATRIX_RUNS)
    counter = [0]

    def add(run, case, row, faults, expected, words=(), timeout=None):
        counter[0] += 1
        step = Step(case=case, row=row, module=MODULE_OF[row], key="S%03d" % counter[0],
                    faults=faults, expected=expected, words=list(words))
        if timeout is not None:
            step["timeout"] = timeout
        runs[run].append(step)

    rounds = 3 if mode == "soak" else 1
    for number in range(rounds):
        suffix = " #%d" % (number + 1) if rounds > 1 else ""
        for row, routes in ROWS.items():
            route = rng.choice(routes) if number else routes[0]
            n = rng.randint(1, burst + 1) if number else burst
            add("status-a", "429 burst" + suffix, row,
                [_fault(route, status=429, times=n + 1 if mode == "soak" else n,
                        headers={"Retry-After": retry_after})], "ok")
            for status in (500, 502, 503):
                expected, words = _expect_status(route, status, n)
                add("status-a" if status == 500 else "status-b", "%d burst%s" % (status, suffix), row,
                    [_fault(route, status=status, times=n)], expected, words)
            drops = rng.randint(1, 2) if number else (2 if mode == "soak" else 1)
            expected, words = _expect_ambiguous(route, drops, "connection error")
            add("transport", "drop mid-request" + suffix, row,
                [_fault(route, drop=True, times=drops)], expected, words)
            expected, words = _expect_ambiguous(route, 1, "timed out")
            add("transport", "request slower than timeout" + suffix, row,
                [_fault(route, delay=SLOW, times=1)], expected, words, timeout=TIMEOUT)
            add("late", "answer slower than timeout" + suffix, row,
                [_fault(route, delay_response=SLOW, times=1)], expected, words, timeout=TIMEOUT)
        for row, (route, limit) in MID_UPLOAD.items():
            if number:
                limit = rng.randint(1, limit * 2)
            expected, words = _expect_ambiguous(route, 1, "connection error")
            add("late", "drop mid-upload" + suffix, row,
                [_fault(route, drop_after_bytes=limit)], expected, words)
        for row, (route, limit) in MID_DOWNLOAD.items():
            if number:
                limit = rng.randint(0, 2000)
            add("late", "drop mid-download" + suffix, row,
                [_fault(route, drop_response_after_bytes=limit, times=2 if mode == "soak" else 1)], "ok")
        for row, path, status in JOB_OUTCOMES:
            if status == "CompleteWithErrors":
                add("skew", "job ends %s%s" % (status, suffix), row,
                    [{"method": "POST", "path": path, "job_outcome": status}], "ok")
            else:
                add("skew", "job ends %s%s" % (status, suffix), row,
                    [{"method": "POST", "path": path, "job_outcome": status}], "fail",
                    ("ended with status %s" % status,))
    for row in ROWS:
        add("skew", "ID-key clock skew", row, [], "ok")
    return runs


RUNS = build_cases()
TOKEN_HOSTS = 3  # the rows are shared out among the hosts, which run at once (--forks)
TOKEN_ROWS = list(ROWS)
RESTART_ROWS = list(JOB_ROWS)
# The concurrency case (faultmatrix/concurrent.yml): eight hosts at once, each ensuring the same
# natural key; the state list that must hold exactly one of each, and how to find it there.
CONCURRENT_HOSTS = 8
CONCURRENT = OrderedDict([
    ("d2l_org_unit", ("org_units", lambda o: o.get("Code") == "FM-CONC-SEM")),
    ("d2l_course_template", ("course_templates", lambda o: o.get("Code") == "FM-CONC-TPL")),
    ("d2l_course", ("course_offerings", lambda o: o.get("Code") == "FM-CONC-CRS")),
    ("d2l_artifact", ("eportfolio", lambda o: o.get("Name") == "FM concurrent link")),
    ("d2l_lr_object", ("lr", lambda o: o.get("Title") == "FM concurrent object")),
])


def _cells():
    cells = []
    for steps in RUNS.values():
        for step in steps:
            cells.append((step["case"], step["row"], step["key"]))
    for row in TOKEN_ROWS:
        cells.append(("token expiry, forks", row, "token"))
    for row in RESTART_ROWS:
        cells.append(("emulator restart mid-wait", row, "restart"))
    for row in CONCURRENT:
        cells.append(("one key, %d forks at once" % CONCURRENT_HOSTS, row, "concurrent"))
    return cells


CELLS = _cells()
_BASES = list(OrderedDict((case.split(" #")[0], None) for case, _row, _key in CELLS))
CASE_ORDER = sorted(OrderedDict((case, None) for case, _row, _key in CELLS),
                    key=lambda case: (_BASES.index(case.split(" #")[0]), case))


# ---------------------------------------------------------------------------------- running

class Run:
    """One ansible-playbook process against its own emulator."""

    def __init__(self, name, base, emulator, proc):
        self.name = name
        self.dir = base / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.emulator = emulator
        self.emulator_proc = proc
        self.process = None
        self.output = ""
        self.started = 0.0
        self.seconds = 0.0

    def start(self, playbook, extra_vars, env, args=(), inventory="localhost,"):
        variables = {"brightspace_url": self.emulator.url, "emulator_url": self.emulator.url,
                     "fm_dir": str(self.dir), "fm_packages": str(PACKAGES)}
        if inventory == "localhost,":  # else per host, in the inventory (extra vars would win)
            variables.update({"fm_record": str(self.dir / "record"), "fm_out": str(self.dir / "results.json")})
        variables.update(extra_vars)
        vars_file = self.dir / "vars.json"
        vars_file.write_text(json.dumps(variables))
        full_env = dict(os.environ)
        full_env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.dir.parent / "collections"),
            "ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_PIPELINING": "1",
            "BRIGHTSPACE_URL": self.emulator.url,
            "BRIGHTSPACE_TOKEN_URL": self.emulator.url + "/core/connect/token",
            "BRIGHTSPACE_TOKEN_CACHE": str(self.dir / "cache" / "tokens.json"),
        })
        for name in list(full_env):
            if name.startswith("BRIGHTSPACE_") and name not in ("BRIGHTSPACE_URL", "BRIGHTSPACE_TOKEN_URL",
                                                                "BRIGHTSPACE_TOKEN_CACHE"):
                del full_env[name]
        full_env.update(env)
        command = [str(BIN / "ansible-playbook"), "-i", inventory, "-c", "local",
                   "-e", "ansible_python_interpreter=%s" % sys.executable,
                   "-e", "@%s" % vars_file, str(playbook), "-vvvv", "--diff"] + list(args)
        self.log = open(self.dir / "output.txt", "w")  # pylint: disable=consider-using-with
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=full_env, stdout=self.log,  # pylint: disable=consider-using-with
                                        stderr=subprocess.STDOUT, cwd=str(self.dir))

    def wait(self, timeout=900):
        try:
            self.process.wait(timeout=timeout)
        finally:
            self.log.close()
            self.seconds = time.monotonic() - self.started
        self.output = (self.dir / "output.txt").read_text(errors="replace")
        return self.process.returncode

    def results(self):
        path = self.dir / "results.json"
        return json.loads(path.read_text()) if path.exists() else {}


def _emulator(base, name, *args):
    directory = base / ("emulator-" + name)
    directory.mkdir(parents=True, exist_ok=True)
    return start_emulator(directory, *args)


def _jobs(state):
    jobs = state["jobs"]
    return list(jobs.values()) if isinstance(jobs, dict) else list(jobs)


def _restart(base, run, port, state_file):
    """Kill the restart run's emulator as soon as its four jobs exist (the modules are waiting on
    them), then start it again on the same port with the same state file."""
    deadline = time.monotonic() + 600
    while True:
        if run.process.poll() is not None or time.monotonic() > deadline:
            return "the play ended before its jobs were waited on"
        try:
            jobs = _jobs(run.emulator.state())
        except OSError:
            jobs = []
        if len(jobs) >= 5:  # the fixture's export and one job per module
            break
        time.sleep(0.2)
    run.jobs_before_restart = jobs
    run.emulator_proc.send_signal(signal.SIGKILL)
    run.emulator_proc.wait(timeout=10)
    time.sleep(2.0)  # polls meet a closed port meanwhile
    log_dir = base / "emulator-restart-2"
    log_dir.mkdir(exist_ok=True)
    run.emulator_proc = testing.start("--job-duration", "0.3", "--state-file", str(state_file), port=port,
                                      log_path=str(log_dir / "emulator.log")).proc
    return None


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, collections_path):
    if os.environ.get("FAULT_MATRIX_DIR"):  # keep every run's files for a look afterwards
        base = Path(os.environ["FAULT_MATRIX_DIR"]) / time.strftime("%Y%m%d-%H%M%S")
        base.mkdir(parents=True)
    else:
        base = tmp_path_factory.mktemp("faultmatrix")
    (base / "collections").symlink_to(collections_path)
    print("\nfault matrix: mode %s, seed %d" % (MODE, SEED))
    started = time.monotonic()
    runs = OrderedDict()
    emulators = []
    try:
        for name in MATRIX_RUNS + ("tokens", "concurrent"):
            # the state file keeps every token the emulator issued, for the secrets check
            args = ["--job-duration", "0.3", "--state-file", str(base / ("state-%s.json" % name))]
            if name == "tokens":
                args += ["--token-lifetime", "2"]
            proc, emu = _emulator(base, name, *args)
            emulators.append(proc)
            runs[name] = Run(name, base, emu, proc)
        port = free_port()
        state_file = base / "restart-state.json"
        restart_log = base / "emulator-restart"
        restart_log.mkdir()
        emu = testing.start("--job-duration", "0.3", "--state-file", str(state_file), port=port,
                            log_path=str(restart_log / "emulator.log"))
        proc = emu.proc
        emulators.append(proc)
        runs["restart"] = Run("restart", base, emu, proc)

        runs["skew"].emulator.call("POST", "/_emulator/config", {"clock_offset": 7200})
        for name in MATRIX_RUNS:
            runs[name].start(HERE / "matrix.yml", {"fm_steps": RUNS[name]},
                             IDKEY_ENV if name == "skew" else OAUTH_ENV)
        token_run = runs["tokens"]
        inventory = {"all": {"hosts": {}}}
        for number in range(TOKEN_HOSTS):
            host = "node%d" % number
            inventory["all"]["hosts"][host] = {
                "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                "fm_record": str(token_run.dir / "record" / host),
                "fm_out": str(token_run.dir / ("results-%s.json" % host)),
                "fm_steps": [Step(case="token expiry, forks", row=row, module=MODULE_OF[row],
                                  key="T%d%02d" % (number, index), faults=[], expected="ok", words=[])
                             for index, row in enumerate(TOKEN_ROWS) if index % TOKEN_HOSTS == number]}
        (token_run.dir / "hosts.json").write_text(json.dumps(inventory))
        token_run.start(HERE / "matrix.yml", {"fm_hosts": "all"}, OAUTH_ENV,
                        args=["--forks", str(TOKEN_HOSTS)], inventory=str(token_run.dir / "hosts.json"))
        concurrent_run = runs["concurrent"]
        inventory = {"all": {"hosts": dict(
            ("fork%d" % number, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                                 "fm_out": str(concurrent_run.dir / ("results-fork%d.json" % number))})
            for number in range(CONCURRENT_HOSTS))}}
        (concurrent_run.dir / "hosts.json").write_text(json.dumps(inventory))
        concurrent_run.start(HERE / "concurrent.yml", {}, OAUTH_ENV, args=["--forks", str(CONCURRENT_HOSTS)],
                             inventory=str(concurrent_run.dir / "hosts.json"))
        restart_run = runs["restart"]
        restart_run.start(HERE / "restart.yml", {"fm_job_duration": 10}, OAUTH_ENV)
        restart_run.restart_problem = _restart(base, restart_run, port, state_file)
        pending = list(runs.values())
        deadline = time.monotonic() + 900
        while pending and time.monotonic() < deadline:
            for run in [r for r in pending if r.process.poll() is not None]:
                run.wait()
                pending.remove(run)
            time.sleep(0.2)
        for run in pending:
            run.wait(timeout=1)
        time.sleep(SLOW + 0.5)  # a delayed request of the last step has ended by now
        data = {"runs": runs, "seconds": time.monotonic() - started, "base": base}
        data["states"] = dict((name, run.emulator.state()) for name, run in runs.items())
        data["table"] = {}
        yield data
        table = render_table(data["table"])
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(table)
        print("\n" + table)
        print("fault matrix: %.0f s for %d steps (%s)" % (
            data["seconds"], len(CELLS),
            ", ".join("%s %.0f s" % (name, run.seconds) for name, run in runs.items())))
    finally:
        for run in runs.values():
            if run.process is not None and run.process.poll() is None:
                run.process.kill()
            if run.emulator_proc.poll() is None:
                run.emulator_proc.terminate()
                run.emulator_proc.wait(timeout=10)
        for proc in emulators:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)


# ---------------------------------------------------------------------------------- judging

def render_table(table):
    rows = list(ROWS)
    width = max(len(case) for case in CASE_ORDER) + 2
    lines = ["fault matrix (%s, seed %d): case x module -> outcome" % (MODE, SEED), ""]
    header = "%-*s" % (width, "case") + " | ".join("%-*s" % (max(len(r) - 4, 13), r[4:]) for r in rows)
    lines.append(header)
    lines.append("-" * len(header))
    for case in CASE_ORDER:
        cells = []
        for row in rows:
            cells.append("%-*s" % (max(len(row) - 4, 13), table.get((case, row), "n/a")))
        lines.append("%-*s" % (width, case) + " | ".join(cells))
    return "\n".join(lines) + "\n"


def _concurrent_objects(state, row):
    """The objects of ``row``'s natural key in the concurrency run's emulator state."""
    kind, wanted = CONCURRENT[row]
    if kind == "eportfolio":
        found = [o for user in (state.get("eportfolio") or {}).get("objects", {}).values() for o in user] \
            if isinstance((state.get("eportfolio") or {}).get("objects"), dict) else \
            list((state.get("eportfolio") or {}).get("objects") or [])
    elif kind == "lr":
        found = [v for o in (state.get("lr") or {}).get("objects", []) for v in o.get("Versions", [])[-1:]]
    else:
        found = state.get(kind) or []
    return [o for o in found if wanted(o)]


def judge_concurrent(data, row):
    """Every host succeeded, each reporting the same id; exactly one object exists."""
    run = data["runs"]["concurrent"]
    problems = []
    results = []
    for number in range(CONCURRENT_HOSTS):
        path = run.dir / ("results-fork%d.json" % number)
        results.append(json.loads(path.read_text()).get(row) if path.exists() else None)
    if any(r is None for r in results):
        return "missing", ["no result from %d hosts" % sum(1 for r in results if r is None)]
    for number, result in enumerate(results):
        text = json.dumps(result)
        if "Traceback (most recent call last)" in text or "unexpected error" in text:
            problems.append("fork%d: %s" % (number, text[:800]))
        if result.get("failed"):
            problems.append("fork%d failed: %s" % (number, result.get("msg")))
    key = {"d2l_org_unit": "org_unit", "d2l_course_template": "template", "d2l_course": "course",
           "d2l_artifact": "artifact", "d2l_lr_object": "object"}[row]
    ids = set(str((r.get(key) or {}).get("id")) for r in results if not r.get("failed"))
    if len(ids) > 1:
        problems.append("the hosts report different ids: %s" % sorted(ids))
    created = sum(1 for r in results if r.get("created"))
    if created != 1:
        problems.append("%d hosts report created (one should)" % created)
    found = _concurrent_objects(data["states"]["concurrent"], row)
    if len(found) != 1:
        problems.append("%d objects of this key exist: %s" % (len(found), json.dumps(found)[:600]))
    return ("ok" if not problems else "FAILED"), problems


def _step_result(data, case, row, key):
    """(step, registered result, record of what the emulator saw)."""
    if key == "token":
        run = data["runs"]["tokens"]
        out = []
        for number in range(TOKEN_HOSTS):
            path = run.dir / ("results-node%d.json" % number)
            results = json.loads(path.read_text()) if path.exists() else {}
            out.extend(results.get(row, []))
        return None, out, None
    if key == "restart":
        return None, data["runs"]["restart"].results().get(row), None
    for name, steps in RUNS.items():
        for step in steps:
            if step["key"] == key:
                run = data["runs"][name]
                result = next((r for r in run.results().get(row, []) if r.get("item", {}).get("key") == key), None)
                record_path = run.dir / "record" / ("%s.json" % key)
                record = json.loads(record_path.read_text()) if record_path.exists() else None
                return step, result, record
    raise KeyError(key)


CLEAR_FAILURE = re.compile(r"(GET|POST|PUT|DELETE) /d2l/\S+ failed: (\d{3}\b|connection error|timed out)"
                           r"|job \S+ ended with status \w+")


def _fired(step, record):
    """Whether every armed fault met at least one request (or job) of the step."""
    left = dict((rule["path"], rule) for rule in record["faults_left"])
    for rule in step["faults"]:
        remaining = left.get(rule["path"])
        if remaining is not None and remaining["remaining"] >= (rule.get("times") or 1):
            return False
    return True


# The kind of object each row makes (the emulator state's list); ep_import adds the package's
# one object per import job.
OWN_KIND = {"d2l_org_unit": "org_units", "d2l_course_template": "course_templates",
            "d2l_course": "course_offerings", "d2l_artifact": "eportfolio",
            "d2l_artifact_upload": "eportfolio", "d2l_ep_import": "eportfolio", "d2l_lr_object": "lr",
            "d2l_lr_object_upload": "lr"}


def _made(record, kind):
    """Objects (and LR versions) of ``kind`` the step added."""
    return sum((record.get("new_objects") or {}).get(kind, {}).values())


def judge(data, case, row, key):
    """Return (outcome label, [problems])."""
    if key == "concurrent":
        return judge_concurrent(data, row)
    step, result, record = _step_result(data, case, row, key)
    problems = []
    if key in ("token", "restart"):
        results = result if isinstance(result, list) else [result]
        if not results or any(r is None for r in results):
            return "missing", ["no result recorded"]
        for item in results:
            text = json.dumps(item)
            if "Traceback (most recent call last)" in text:
                problems.append("a Python traceback: %s" % text[:800])
            if item.get("failed"):
                problems.append("failed: %s" % item.get("msg", text[:800]))
        return ("ok" if not problems else "FAILED"), problems
    if result is None or record is None:
        return "missing", ["no result or record for step %s" % key]
    text = json.dumps(result)
    msg = result.get("msg", "")
    if "Traceback (most recent call last)" in text:
        problems.append("a Python traceback: %s" % text[:800])
    if step["faults"] and not _fired(step, record):
        problems.append("the fault never met a request: %s; requests %s" % (
            step["faults"], [(r["method"], r["path"], r["status"]) for r in record["requests"]]))
    failed = bool(result.get("failed"))
    retried = any(r["status"] in (0, 429, 500, 502, 503) for r in record["requests"]) or \
        any(rule.get("delay") or rule.get("delay_response") for rule in step["faults"])
    if step["expected"] == "ok":
        if failed:
            problems.append("expected success, got: %s" % msg)
        label = "ok (retried)" if retried and not failed else "ok"
        if step["case"].startswith("job ends") and not failed:
            # ansible-core 2.19 shows module warnings but keeps them out of registered results
            if row == "d2l_ep_export":
                warning = "ePortfolio export %s completed with errors" % result.get("export_id")
            else:
                warning = "ePortfolio import job %s (user None) completed with errors" % (
                    (result.get("jobs") or [{}])[0].get("job_id"))
            if warning not in data["runs"][_run_of(key)].output:
                problems.append("no warning %r in the output" % warning)
            label = "ok (warning)"
    else:
        if not failed:
            problems.append("expected a clear failure with %s, got success" % step["words"])
        else:
            for word in step["words"]:
                if word not in msg:
                    problems.append("the message lacks %r: %s" % (word, msg))
            if not CLEAR_FAILURE.search(msg):
                problems.append("the message names no method, route and status: %s" % msg)
        label = "clear failure"
    if failed and not problems:
        label = "clear failure"
    # no duplicate job: at most one job per step, none when the start failed with a 429/500
    jobs = record["new_jobs"]
    if len(jobs) > 1:
        problems.append("%d jobs were created: %s" % (len(jobs), jobs))
    if row in JOB_ROWS and not failed and len(jobs) != 1:
        problems.append("the job ran but %d jobs exist" % len(jobs))
    for kind in ("eportfolio", "lr"):  # nothing else makes these
        if OWN_KIND.get(row) != kind and _made(record, kind):
            problems.append("%s made %s objects: %s" % (row, kind, record["new_objects"][kind]))
    if row in OWN_KIND:
        count = _made(record, OWN_KIND[row])
        if count > 1:
            problems.append("duplicate: %d new objects or versions (%s)" % (count, record["new_objects"]))
        if not failed and count != 1:
            problems.append("the task succeeded but made %d objects (%s)" % (count, record["new_objects"]))
    if row in DOWNLOAD_ROWS:
        dest = data["runs"][_run_of(key)].dir / "dl" / ("%s.zip" % key)
        if failed and dest.exists():
            problems.append("a failed download left %s" % dest)
        if not failed:
            if not dest.exists() or not zipfile.is_zipfile(dest):
                problems.append("the download %s is missing or not a whole zip" % dest)
            elif result.get("size") not in (None, dest.stat().st_size):
                problems.append("the download has %d bytes, the result says %s" % (dest.stat().st_size, result.get("size")))
    if problems:
        label = "FAILED"
    return label, problems


def _run_of(key):
    for name, steps in RUNS.items():
        if any(step["key"] == key for step in steps):
            return name
    return {"token": "tokens", "restart": "restart", "concurrent": "concurrent"}[key]


def _param(case, row, key):
    reason = KNOWN_BUGS.get((case, row))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, row, key, marks=marks, id="%s-%s" % (case.replace(" ", "_"), row))


@pytest.mark.parametrize("case,row,key", [_param(*cell) for cell in CELLS])
def test_cell(matrix, case, row, key):
    label, problems = judge(matrix, case, row, key)
    matrix["table"][(case, row)] = "xfail" if problems and KNOWN_BUGS.get((case, row)) else label
    assert not problems, "%s / %s (step %s): %s" % (case, row, key, "; ".join(problems))


def test_runs_finished(matrix):
    """Every playbook run ended and wrote its results; the restart happened mid-wait."""
    for name, run in matrix["runs"].items():
        assert run.process.returncode == 0, (name, run.output[-3000:])
        assert "PLAY RECAP" in run.output, (name, run.output[-3000:])
    restart = matrix["runs"]["restart"]
    assert restart.restart_problem is None, restart.restart_problem
    # killed while jobs were still running: the modules were waiting on them
    assert any(not job.get("settled") for job in restart.jobs_before_restart), restart.jobs_before_restart
    requests = restart.emulator.requests()  # the log of the emulator started again
    assert any(re.search(r"/status$|/copy/\w+$|/imports/\w+$|/package$", r["path"]) for r in requests), \
        "no module polled the emulator after its restart: %s" % requests


def test_no_second_job_after_restart(matrix):
    """The restart's jobs: one per job module (plus the fixture's export), none started twice."""
    jobs = _jobs(matrix["states"]["restart"])
    kinds = sorted(job.get("kind") for job in jobs)
    # setup: one ePortfolio export (the package to import); then one job per module
    assert kinds == sorted(["copy", "import", "ep-export", "ep-export", "ep-import"]), kinds
    requests = matrix["runs"]["restart"].emulator.requests()
    starts = [r for r in requests if r["method"] == "POST" and re.search(
        r"/copy/$|/imports/$|/export/new$|/eP/[^/]+/import/new$", r["path"])]
    assert len(starts) <= 5, starts


def test_token_expiry_refreshed(matrix):
    """Tokens expired mid-play and every host went on: refreshes succeeded, no 401 stayed."""
    requests = matrix["runs"]["tokens"].emulator.requests()
    grants = [r for r in requests if r["path"] == "/core/connect/token"]
    assert len(grants) >= 2 and all(r["status"] == 200 for r in grants), grants
    state = matrix["states"]["tokens"]
    codes = [unit["Code"] for unit in state["org_units"]]
    index = TOKEN_ROWS.index("d2l_org_unit")
    assert codes.count("FM-T%d%02d" % (index % TOKEN_HOSTS, index)) == 1
    # every host took part, each with its own steps, while tokens expired every two seconds
    hosts = set()
    for number in range(TOKEN_HOSTS):
        path = matrix["runs"]["tokens"].dir / ("results-node%d.json" % number)
        results = json.loads(path.read_text())
        if any(results.values()):
            hosts.add(number)
    assert hosts == set(range(TOKEN_HOSTS))


def test_idkey_skew_corrected(matrix):
    """The skew run signed with ID-key against a clock two hours ahead: the service answered
    "Timestamp out of range" and the requests were signed again, never with a token."""
    requests = matrix["runs"]["skew"].emulator.requests()
    api = [r for r in requests if r["path"].startswith("/d2l/") and r["path"] != "/d2l/api/versions/"]
    assert any(r["status"] == 403 for r in api), api[:5]
    assert all(r["auth"] == "idkey" for r in api), set(r["auth"] for r in api)
    assert sum(1 for r in api if r["status"] in (200, 202, 308)) > len(RUNS["skew"])


def test_no_partial_downloads(matrix):
    """Download directories hold whole zips named after their steps, no temporary files."""
    for name, run in matrix["runs"].items():
        directory = run.dir / "dl"
        if not directory.exists():
            continue
        for path in directory.iterdir():
            assert not path.name.startswith(".") and path.suffix == ".zip", "left over: %s" % path
            assert zipfile.is_zipfile(path), "not a whole zip: %s" % path


def test_no_secret_anywhere(matrix):
    """Every byte of output (-vvvv, --diff), every registered result and every step record is
    free of the access and refresh tokens issued, the client secret, app key and user key."""
    secrets = set(SEEDED_SECRETS)
    cached = set()
    for run in matrix["runs"].values():
        cache = run.dir / "cache" / "tokens.json"
        if cache.exists():
            for entry in json.loads(cache.read_text()).values():
                for field in ("access_token", "refresh_token"):
                    if entry.get(field):
                        cached.add(entry[field])
    # every access and refresh token the emulators issued (used ones too), from their state files
    issued = set()
    for path in matrix["base"].glob("*state*.json"):
        state = json.loads(path.read_text())
        issued.update(state.get("tokens") or {})
        issued.update(state.get("refresh_tokens") or {})
    assert cached and cached <= issued | set(SEEDED_SECRETS), "the caches hold tokens no emulator issued"
    assert len(issued - set(SEEDED_SECRETS) - {"demo-token"}) >= 10, issued  # tokens expired every 2 s
    secrets |= cached | issued
    texts = []
    for run in matrix["runs"].values():
        texts.append((run.name + " output", run.output))
        for path in run.dir.rglob("*.json"):
            if path.name == "tokens.json" and path.parent.name == "cache" or "state" in path.name:
                continue  # where the tokens are kept on purpose
            texts.append((str(path), path.read_text(errors="replace")))
    assert sum(len(text) for _name, text in texts) > 100000  # -vvvv really was on
    for name, text in texts:
        for secret in secrets:
            assert secret not in text, "a secret (%s...) appears in %s" % (secret[:4], name)


def test_matrix_table(matrix):
    """The table covers every case and module; it is printed and written at the end."""
    for case, row, key in CELLS:
        if (case, row) not in matrix["table"]:
            matrix["table"][(case, row)] = judge(matrix, case, row, key)[0]
    assert all(label != "missing" for label in matrix["table"].values()), matrix["table"]
    assert set(MODULE_OF.values()) == set(p.stem for p in (ROOT / "plugins" / "modules").glob("d2l_*.py"))
