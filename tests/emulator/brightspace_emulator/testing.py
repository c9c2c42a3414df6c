# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start and stop emulator processes: the one launcher of every test suite, the demo, the bench
and the Molecule scenarios.

``running(*args)`` (a context manager) and ``start(*args)`` run ``python -m brightspace_emulator``
on a free loopback port with the given emulator options, wait until ``/_emulator/health``
answers, and return an ``Emulator``: its ``url``, its process, and the control API (``call``,
``reset``, ``requests``, ``state``). ``Emulator(url, control=False)`` is a handle on a real
tenant instead (no control API). The standard library only, so any Python with the emulator
installed can use it.

``deprecation_warnings(output)`` lists the deprecation warnings in an Ansible run's output;
``core_deprecations(ansible_playbook)`` the ones that ansible-core prints for a bare playbook and
a bare role of its own (no collection involved); ``collection_deprecations(output, core)`` the
ones left, which come from this collection: the demo and the integration tests fail on any of
those, on every ansible-core of the version matrix.

From a shell (Molecule's create and destroy playbooks):
``python -m brightspace_emulator.testing start --dir DIR [-- emulator options]`` starts a
detached emulator and writes ``DIR/emulator.pid``, ``DIR/emulator.url`` and ``DIR/emulator.log``;
``python -m brightspace_emulator.testing stop --dir DIR`` stops it (only if that pid is still an
emulator) and removes the pid file.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"
HEALTH_TIMEOUT = 30.0


class EmulatorError(RuntimeError):
    """The emulator did not start (its log says why)."""


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class Emulator:
    """A running emulator (or, with ``control=False``, a real tenant's URL)."""

    def __init__(self, url: str, proc: subprocess.Popen | None = None, log_path: str | None = None,
                 control: bool = True, port: int | None = None):
        self.url = url.rstrip("/")
        self.proc = proc
        self.log_path = log_path
        self.control = control
        self.port = port

    # -- the control API ------------------------------------------------------------------
    def call(self, method: str, path: str, body=None, timeout: float = 10):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def healthy(self) -> bool:
        try:
            return (self.call("GET", "/_emulator/health", timeout=2) or {}).get("status") == "ok"
        except (OSError, ValueError):
            return False

    def reset(self):
        if self.control:
            self.call("POST", "/_emulator/reset")

    def requests(self, since: int = 0):
        return self.call("GET", "/_emulator/requests?since=%d" % since)["requests"]

    def state(self):
        return self.call("GET", "/_emulator/state")

    # -- the process ----------------------------------------------------------------------
    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT) -> "Emulator":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise EmulatorError("the emulator exited with status %s before it was healthy (log: %s)"
                                    % (self.proc.returncode, self.log_path))
            if self.healthy():
                return self
            time.sleep(0.1)
        raise EmulatorError("the emulator was not healthy after %.0f s (log: %s)" % (timeout, self.log_path))

    def stop(self, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
        """End the process (SIGTERM, then SIGKILL after ``timeout``); a no-op once it ended."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start(*args: str, port: int | None = None, log_path: str | None = None, env: dict | None = None,
          cwd: str | None = None, timeout: float = HEALTH_TIMEOUT, python: str | None = None,
          detach: bool = False) -> Emulator:
    """Start ``python -m brightspace_emulator`` with ``args`` on ``port`` (a free one when None)
    and wait until it is healthy. Its output goes to ``log_path`` (discarded when None)."""
    port = port or free_port()
    command = [python or sys.executable, "-m", "brightspace_emulator", "--host", HOST, "--port", str(port)]
    command += [str(arg) for arg in args]
    environment = dict(os.environ, PYTHONWARNINGS="ignore")
    environment.update(env or {})
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "w", encoding="utf-8")) if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=detach)
    emulator = Emulator("http://%s:%d" % (HOST, port), proc=proc, log_path=log_path, port=port)
    try:
        return emulator.wait_healthy(timeout)
    except BaseException:
        emulator.stop(timeout=5, sig=signal.SIGKILL)
        raise


@contextlib.contextmanager
def running(*args: str, **kwargs):
    """``start(*args, **kwargs)`` for the block; the process is stopped after it."""
    emulator = start(*args, **kwargs)
    try:
        yield emulator
    finally:
        emulator.stop()


# Ansible's display prefixes every deprecation with this (ansible-core 2.16 to 2.21), at the start
# of a line, on stdout or stderr; the message may wrap onto the lines after it.
DEPRECATION_PREFIX = '[DEPRECATION WARNING]:'
# Forces them on whatever ansible.cfg says (ansible-core's `deprecation_warnings` setting).
SHOW_DEPRECATIONS = {'ANSIBLE_DEPRECATION_WARNINGS': 'True'}


def deprecation_warnings(output: str) -> list[str]:
    """The deprecation warnings in an Ansible run's output, each with the lines it wraps onto
    (up to the next blank line, warning or task banner)."""
    found: list[str] = []
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if not line.lstrip().startswith(DEPRECATION_PREFIX):
            continue
        message = [line.strip()]
        for following in lines[index + 1:]:
            if not following.strip() or following.lstrip().startswith(('[', 'TASK ', 'PLAY ', 'ok:', 'changed:', 'fatal:', 'skipping:', 'FAILED - ')):
                break
            message.append(following.strip())
        found.append(' '.join(message))
    return found


def _normalized(warning: str) -> str:
    """A warning with its whitespace collapsed: the same message wrapped at another width."""
    return ' '.join(warning.split())


# ansible-core's own: a playbook with no collection in it, on localhost, that runs a bare role
# with meta/argument_specs.yml (as every role here has: ansible-core 2.16.20 deprecates the
# mapping form of `action` in the validation task it adds for one) and a plain task.
_BARE_ROLE_SPECS = """---
argument_specs:
  main:
    short_description: A bare role
    options:
      greeting:
        type: str
        default: hello
"""
_BARE_ROLE_TASKS = """---
- name: A plain task
  ansible.builtin.debug:
    msg: bare role
"""
_BARE_PLAYBOOK = """---
- name: A bare playbook
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: A plain task
      ansible.builtin.debug:
        msg: bare playbook
  roles:
    - bare
"""
_core_cache: dict[str, list[str]] = {}
_core_lock = threading.Lock()


def core_deprecations(ansible_playbook: str, env: dict | None = None) -> list[str]:
    """The deprecation warnings that this ``ansible_playbook`` (its ansible-core) prints for a bare
    playbook and a bare role of its own, with deprecation warnings forced on: the ones no
    collection can cause or fix. Run once per ``ansible_playbook`` (then cached); a baseline run
    that fails raises ``RuntimeError`` with its output."""
    with _core_lock:
        if ansible_playbook in _core_cache:
            return list(_core_cache[ansible_playbook])
        with tempfile.TemporaryDirectory(prefix='d2l-core-deprecations-') as directory:
            for relative, text in (('roles/bare/meta/argument_specs.yml', _BARE_ROLE_SPECS),
                                   ('roles/bare/tasks/main.yml', _BARE_ROLE_TASKS),
                                   ('playbook.yml', _BARE_PLAYBOOK)):
                path = os.path.join(directory, relative)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, 'w', encoding='utf-8') as handle:
                    handle.write(text)
            environment = dict(os.environ if env is None else env, **SHOW_DEPRECATIONS)
            for name in ('ANSIBLE_CONFIG', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_ROLES_PATH'):
                environment.pop(name, None)
            environment.update(ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCALHOST_WARNING='0',
                               ANSIBLE_RETRY_FILES_ENABLED='0')
            process = subprocess.run([os.path.abspath(ansible_playbook), '-i', 'localhost,', '-c', 'local', 'playbook.yml'],
                                     cwd=directory, env=environment, stdin=subprocess.DEVNULL,
                                     capture_output=True, text=True, timeout=300, check=False)
        output = process.stdout + process.stderr
        if process.returncode != 0:
            raise RuntimeError('the bare playbook failed with status %d under %s:\n%s'
                               % (process.returncode, ansible_playbook, output))
        _core_cache[ansible_playbook] = deprecation_warnings(output)
        return list(_core_cache[ansible_playbook])


def collection_deprecations(output: str, core: list[str]) -> list[str]:
    """The deprecation warnings of ``output`` that are not ansible-core's own (``core``, from
    ``core_deprecations``): the ones a playbook, role, module or plugin of ours caused."""
    known = {_normalized(warning) for warning in core}
    return [warning for warning in deprecation_warnings(output) if _normalized(warning) not in known]


# -- the shell interface (Molecule) ------------------------------------------------------------
def _is_emulator(pid: int) -> bool:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return b"brightspace_emulator" in handle.read()
    except OSError:
        return False


def _start_command(directory: str, emulator_args) -> int:
    os.makedirs(directory, exist_ok=True)
    pid_file = os.path.join(directory, "emulator.pid")
    if os.path.exists(pid_file):
        with open(pid_file, encoding="utf-8") as handle:
            pid = int(handle.read().strip() or 0)
        if pid and _is_emulator(pid):
            with open(os.path.join(directory, "emulator.url"), encoding="utf-8") as handle:
                print(handle.read().strip())
            return 0
    emulator = start(*emulator_args, log_path=os.path.join(directory, "emulator.log"), detach=True)
    with open(pid_file, "w", encoding="utf-8") as handle:
        handle.write("%d\n" % emulator.proc.pid)
    with open(os.path.join(directory, "emulator.url"), "w", encoding="utf-8") as handle:
        handle.write(emulator.url + "\n")
    print(emulator.url)
    return 0


def _stop_command(directory: str) -> int:
    pid_file = os.path.join(directory, "emulator.pid")
    if not os.path.exists(pid_file):
        return 0
    with open(pid_file, encoding="utf-8") as handle:
        pid = int(handle.read().strip() or 0)
    if pid and _is_emulator(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _is_emulator(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_emulator(pid):
            os.kill(pid, signal.SIGKILL)
    os.unlink(pid_file)
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:  # what follows goes to the emulator
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser(prog="python -m brightspace_emulator.testing",
                                     description="start or stop a detached emulator",
                                     epilog="start ... -- OPTIONS passes OPTIONS to the emulator")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", required=True, help="where emulator.pid, emulator.url and emulator.log go")
    options = parser.parse_args(argv)
    if options.action == "start":
        return _start_command(options.dir, extra)
    return _stop_command(options.dir)


if __name__ == "__main__":
    sys.exit(main())
