# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWX / AAP: the "Brightspace" credential type, the execution environment definition, and the
demo playbook run through ansible-runner the way an AWX job template runs it.

* extensions/awx/credential_type.yml injects exactly the BRIGHTSPACE_* variables the modules
  read as fallbacks of their connection options, and marks every secret input secret;
* ansible-builder turns the EE definition into a build context (no container build), and the
  collection's meta/execution-environment.yml stays readable by ansible-builder's
  introspection (what runs inside the image build for every installed collection);
* playbooks/demo.yml runs with ansible_runner.run() and the credential's injected environment
  against the emulator: successful, and the token never shows in stdout or job events.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CREDENTIAL_TYPE = ROOT / "extensions" / "awx" / "credential_type.yml"
TOKEN = "demo-token"

# Connection options with an env fallback that are deliberately not credential inputs: they are
# per job or per execution environment settings, not secrets of an account.
NOT_CREDENTIAL_INPUTS = {"token_cache", "ca_path", "timeout", "retry_budget"}
SECRETS = {"access_token", "refresh_token", "client_secret", "private_key", "app_key", "user_key"}


@pytest.fixture(scope="module")
def credential_type():
    with open(CREDENTIAL_TYPE, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def connection_spec(collections_path):
    name = "ansible_collections.d2l.brightspace.plugins.module_utils.module"
    try:
        module = importlib.import_module(name)
    except ImportError:  # no venv link (make venv): import it from the collections path
        sys.path.insert(0, str(collections_path))
        module = importlib.import_module(name)
    return module.connection_argument_spec()


def env_fallbacks(spec):
    """{option: BRIGHTSPACE_* variable} for the options with an env fallback."""
    result = {}
    for option, definition in spec.items():
        fallback = definition.get("fallback")
        if fallback:
            strategy, names = fallback
            assert strategy.__name__ == "env_fallback" and len(names) == 1, option
            result[option] = names[0]
    return result


def render_injected_env(credential_type, inputs):
    """Render injectors.env as AWX does: a sandboxed Jinja2 environment whose namespace holds
    every field (unset strings are '', unset booleans their default or False)."""
    namespace = {}
    for field in credential_type["inputs"]["fields"]:
        empty = False if field.get("type") == "boolean" else ""
        namespace[field["id"]] = inputs.get(field["id"], field.get("default", empty))
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}


# ------------------------------------------------------------------------ credential type


def test_credential_type_injects_the_modules_env_fallbacks(credential_type, connection_spec):
    fallbacks = env_fallbacks(connection_spec)
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    injected = credential_type["injectors"]["env"]

    # every input is injected once, as {{ <input> }}, into the variable of the option of that name
    by_field = {}
    for variable, template in injected.items():
        field_id = template.replace("{{", "").replace("}}", "").strip()
        assert template == "{{ %s }}" % field_id, variable
        assert field_id in fields, variable
        assert field_id not in by_field, "%s injected twice" % field_id
        by_field[field_id] = variable
    assert set(by_field) == set(fields)
    assert by_field == {field_id: fallbacks[field_id] for field_id in fields}

    # and every env fallback is either an input or a deliberate non-credential setting
    assert set(fallbacks) - set(fields) == NOT_CREDENTIAL_INPUTS
    assert set(injected) == set(fallbacks.values()) - {fallbacks[o] for o in NOT_CREDENTIAL_INPUTS}

    # no extra_vars or file injectors: nothing secret lands in the job's variables
    assert set(credential_type["injectors"]) == {"env"}
    assert set(credential_type) == {"inputs", "injectors"}


def test_credential_type_inputs(credential_type, connection_spec):
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert credential_type["inputs"]["required"] == ["brightspace_url"]
    for field_id, field in fields.items():
        assert field.get("label") and field.get("help_text"), field_id
        assert field.get("type") in ("string", "boolean"), field_id
        # secret exactly where the module option is no_log
        assert bool(field.get("secret")) == (field_id in SECRETS), field_id
        assert bool(connection_spec[field_id].get("no_log")) == (field_id in SECRETS), field_id
    for field_id in SECRETS:
        assert fields[field_id]["secret"] is True, field_id
    assert fields["validate_certs"]["type"] == "boolean"
    assert fields["validate_certs"].get("default") is True

    # validate_certs is injected as a string the modules' bool type accepts, set or not
    from ansible.module_utils.parsing.convert_bool import boolean  # pylint: disable=import-outside-toplevel
    for inputs, expected in (({}, True), ({"validate_certs": False}, False), ({"validate_certs": True}, True)):
        env = render_injected_env(credential_type, dict(inputs, brightspace_url="https://x.example"))
        assert boolean(env["BRIGHTSPACE_VALIDATE_CERTS"]) is expected


# ------------------------------------------------------------------ execution environment


@pytest.mark.parametrize("definition", ["meta/execution-environment.yml", "extensions/awx/execution-environment.yml"])
def test_ansible_builder_creates_a_build_context(tmp_path, definition):
    context = tmp_path / "context"
    proc = subprocess.run(
        [str(BIN / "ansible-builder"), "create", "--file", definition,
         "--context", str(context), "--output-filename", "Containerfile"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    containerfile = (context / "Containerfile").read_text()
    assert "ghcr.io/ansible-community/community-ee-minimal" in containerfile
    assert "ansible-galaxy" in containerfile or "requirements.yml" in containerfile

    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [c["name"] for c in galaxy["collections"]] == ["d2l.brightspace"]

    if definition.startswith("meta/"):
        # python: requirements.txt (a path) is read by ansible-builder's introspection inside the
        # build, from the installed collection; the context carries no copy of it
        return
    python = (context / "_build" / "requirements.txt").read_text().split()
    collection_python = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                         if line.strip() and not line.startswith("#")]
    assert sorted(python) == sorted(collection_python)


def test_collection_ee_metadata_is_introspectable():
    """meta/execution-environment.yml: a valid v3 definition that ansible-builder's introspection
    (run inside every EE build that installs the collection) reads as requirements.txt."""
    import ansible_builder  # pylint: disable=import-outside-toplevel
    from ansible_builder.ee_schema import validate_schema  # pylint: disable=import-outside-toplevel

    with open(ROOT / "meta" / "execution-environment.yml", encoding="utf-8") as stream:
        definition = yaml.safe_load(stream)
    validate_schema(definition)
    assert definition["version"] == 3
    assert definition["images"]["base_image"]["name"]
    assert [c["name"] for c in definition["dependencies"]["galaxy"]["collections"]] == ["d2l.brightspace"]
    assert "ansible-core" in definition["dependencies"]["ansible_core"]["package_pip"]
    assert "ansible-runner" in definition["dependencies"]["ansible_runner"]["package_pip"]

    scripts = str(Path(ansible_builder.__file__).parent / "_target_scripts")
    sys.path.insert(0, scripts)
    try:
        introspect = importlib.import_module("introspect")
    finally:
        sys.path.remove(scripts)
    python, system = introspect.process_collection(str(ROOT))
    assert sorted(python) == ["PyJWT>=2.8", "cryptography>=41", "requests-toolbelt>=1.0.0", "requests>=2.31"]
    assert system == []


# ---------------------------------------------------------------------- a job, AWX style


SERVICE_KEY = ROOT / "tests" / "fixtures" / "service-user" / "private-key.pem"


def _credentials(kind, emulator):
    """The credential's inputs for one scheme, and the secrets that must never show."""
    if kind == "access token":
        return {"brightspace_url": emulator.url, "access_token": TOKEN}, [TOKEN]
    key = SERVICE_KEY.read_text()
    inputs = {"brightspace_url": emulator.url, "client_id": "demo-service", "private_key": key,
              "key_id": "demo-service-key-1", "scope": "core:*:*", "token_url": emulator.url + "/core/connect/token"}
    # the PEM's body lines too: a leak of part of the key is a leak
    return inputs, [key] + [line for line in key.splitlines() if len(line) > 40]


@pytest.mark.parametrize("kind", ["access token", "service user"])
def test_demo_playbook_through_ansible_runner(emulator, collections_path, credential_type, tmp_path, kind):
    ansible_runner = pytest.importorskip("ansible_runner")
    if not emulator.control:
        pytest.skip("the emulator has no control API (BRIGHTSPACE_TEST_URL is a real tenant)")
    emulator.reset()

    inputs, secrets = _credentials(kind, emulator)
    injected = render_injected_env(credential_type, inputs)
    assert injected["BRIGHTSPACE_URL"] == emulator.url
    if kind == "access token":
        assert injected["BRIGHTSPACE_ACCESS_TOKEN"] == TOKEN
    else:
        assert injected["BRIGHTSPACE_PRIVATE_KEY"] == inputs["private_key"]
        assert injected["BRIGHTSPACE_ACCESS_TOKEN"] == ""

    envvars = dict(injected)
    envvars.update({
        # the EE's collection path; sys.path (the venv link) is not scanned, as in an EE
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "BRIGHTSPACE_TOKEN_CACHE": str(tmp_path / "cache" / "tokens.json"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
    })
    private = tmp_path / "runner"
    private.mkdir()

    result = ansible_runner.run(
        private_data_dir=str(private),
        playbook=str(ROOT / "playbooks" / "demo.yml"),
        inventory=str(ROOT / "playbooks" / "inventory.yml"),
        envvars=envvars,
        extravars={"ansible_python_interpreter": sys.executable},
        quiet=True,
        timeout=120,
    )

    stdout = result.stdout.read()
    assert result.status == "successful", stdout
    assert result.rc == 0, stdout
    events = list(result.events)
    assert events and events[-1]["event"] == "playbook_on_stats"
    ok = [e for e in events if e["event"] == "runner_on_ok"]
    assert any(e["event_data"].get("task") == "Ensure the course offerings" for e in ok)
    assert result.stats["failures"] == {} and result.stats["dark"] == {}
    assert sum(result.stats["changed"].values()) > 0

    cache = tmp_path / "cache" / "tokens.json"
    issued = [entry["access_token"] for entry in json.loads(cache.read_text()).values()] if cache.exists() else []
    if kind == "service user":
        assert issued, "no token was granted to the service user"
        secrets = secrets + issued
    for secret in secrets:
        assert secret not in stdout
    for event in events:
        text = json.dumps(event)
        for secret in secrets:
            assert secret not in text and json.dumps(secret)[1:-1] not in text, event["event"]
    # nor in the job artifacts the runner keeps, except the runner's record of the environment
    # it was given (the `env` of artifacts/<id>/command, like env/envvars: AWX keeps its own
    # redacted copy): not on the command line
    for path in (private / "artifacts").rglob("*"):
        if not path.is_file():
            continue
        if path.name == "command":
            for secret in secrets:
                assert secret not in json.dumps(json.loads(path.read_text())["command"])
            continue
        for secret in secrets:
            assert secret not in path.read_text(errors="replace"), path

    # the modules authenticated with the injected bearer token
    logged = emulator.requests()
    assert logged and any(r.get("status", 200) < 400 for r in logged)


# --------------------------------------------------- the approved change workflow, AWX style

WORKFLOW = ROOT / "extensions" / "awx" / "catalog_workflow.yml"
ROLE = ROOT / "roles" / "course_provision"
PUBLISHED = ("course_provision_approved_plan_digest", "course_provision_approved_plan")


def workflow_definition():
    """The workflow's job templates (by name) and nodes (by identifier), as the awx.awx tasks give them."""
    play = yaml.safe_load(WORKFLOW.read_text())[0]
    templates = dict((task["awx.awx.job_template"]["name"], task["awx.awx.job_template"])
                     for task in play["tasks"] if "awx.awx.job_template" in task)
    node_tasks = [task for task in play["tasks"] if "awx.awx.workflow_job_template_node" in task]
    assert len(node_tasks) == 1
    nodes = dict((node["identifier"], node) for node in node_tasks[0]["loop"])
    return play, templates, nodes


def test_the_workflow_is_a_check_job_an_approval_and_a_run_job_of_the_same_catalog():
    play, templates, nodes = workflow_definition()
    assert nodes["plan"]["success_nodes"] == ["approve"] and nodes["approve"]["success_nodes"] == ["apply"]
    assert nodes["apply"]["success_nodes"] == []
    assert "approval_node" in nodes["approve"] and "job_template" not in nodes["approve"]
    assert nodes["approve"]["approval_node"]["timeout"]
    plan, apply = templates[nodes["plan"]["job_template"]], templates[nodes["apply"]["job_template"]]
    assert (plan["job_type"], apply["job_type"]) == ("check", "run")
    assert plan["playbook"] == apply["playbook"] == "playbooks/provision_courses.yml"
    assert (ROOT / plan["playbook"]).is_file()
    assert plan["extra_vars"] == apply["extra_vars"] == "{{ catalog_vars }}"  # the same catalog
    assert "playbooks/vars/catalog.yml" in play["vars"]["catalog_vars"]
    assert plan["credentials"] == apply["credentials"] == ["{{ awx_credential }}"]
    # every node is created after the nodes it leads to (they must exist to be linked)
    order = [node["identifier"] for node in yaml.safe_load(WORKFLOW.read_text())[0]["tasks"][-1]["loop"]]
    for identifier, node in nodes.items():
        assert all(order.index(after) < order.index(identifier) for after in node["success_nodes"])
    # what the check job publishes is exactly what the role takes to apply a plan
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    tasks = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text())
    published = [task["ansible.builtin.set_stats"]["data"] for task in tasks if "ansible.builtin.set_stats" in task]
    assert len(published) == 1 and sorted(published[0]) == sorted(PUBLISHED)
    assert all(name in specs for name in PUBLISHED)


def _job(ansible_runner, tmp_path, name, emulator, collections_path, extravars, check=False):
    """One job of the workflow, as AWX runs a job template: ansible-runner, the credential's
    injected environment, the job template's extra variables (and, for the run job, the
    artifacts of the jobs before it); a check job template runs with --check --diff."""
    private = tmp_path / name
    private.mkdir()
    envvars = {"BRIGHTSPACE_URL": emulator.url, "BRIGHTSPACE_ACCESS_TOKEN": TOKEN,
               "ANSIBLE_COLLECTIONS_PATH": str(collections_path), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
               "BRIGHTSPACE_TOKEN_CACHE": str(tmp_path / "cache" / "tokens.json"), "ANSIBLE_NOCOLOR": "1",
               "ANSIBLE_RETRY_FILES_ENABLED": "0", "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", "")}
    result = ansible_runner.run(
        private_data_dir=str(private), playbook=str(ROOT / "playbooks" / "provision_courses.yml"),
        inventory=str(ROOT / "playbooks" / "inventory.yml"), envvars=envvars,
        extravars=dict(extravars, ansible_python_interpreter=sys.executable),
        cmdline="--check --diff" if check else None, quiet=True, timeout=300)
    stdout = result.stdout.read()
    stats = [event for event in result.events if event["event"] == "playbook_on_stats"]
    artifacts = stats[-1]["event_data"].get("artifact_data") or {} if stats else {}
    return result, stdout, artifacts


def test_the_workflow_applies_the_approved_plan_and_refuses_a_tenant_changed_since(
        emulator, collections_path, tmp_path):
    ansible_runner = pytest.importorskip("ansible_runner")
    if not emulator.control:
        pytest.skip("the emulator has no control API (BRIGHTSPACE_TEST_URL is a real tenant)")
    emulator.reset()
    catalog = yaml.safe_load((ROOT / "playbooks" / "vars" / "catalog.yml").read_text())  # the job templates' vars

    # the check job: plans, shows the plan, publishes digest and plan; writes nothing
    mark = len(emulator.requests())
    planned, stdout, artifacts = _job(ansible_runner, tmp_path, "plan", emulator, collections_path, catalog, check=True)
    assert planned.status == "successful", stdout
    assert sorted(artifacts) == sorted(PUBLISHED), artifacts
    digest = artifacts["course_provision_approved_plan_digest"]
    assert digest.startswith("sha256:") and artifacts["course_provision_approved_plan"]["digest"] == digest
    assert "Digest: `%s`" % digest in stdout and "| course offering | CAT-CHEM-2027S-A |" in stdout
    assert not [r for r in emulator.requests()[mark:] if r["method"] not in ("GET", "HEAD")
                and not r["path"].startswith("/core/")]

    # (the approval node: a person reads that report and approves)
    # the run job: the job template's variables and the artifacts of the jobs before it
    applied, stdout, _artifacts = _job(ansible_runner, tmp_path, "apply", emulator, collections_path,
                                       dict(catalog, **artifacts))
    assert applied.status == "successful", stdout
    codes = dict((unit["Code"], unit) for unit in emulator.state()["course_offerings"])
    assert {"CAT-CHEM-MASTER", "CAT-CHEM-2027S-A", "CAT-CHEM-2027S-B"} <= set(codes)

    # a second change: planned and approved, then the tenant changes before the run job
    changed = json.loads(json.dumps(catalog))
    changed["course_provision_catalog"]["offerings"][1]["name"] = "Chemistry, Spring 2027, A (renamed)"
    replanned, stdout, artifacts = _job(ansible_runner, tmp_path, "plan-2", emulator, collections_path, changed,
                                        check=True)
    assert replanned.status == "successful", stdout
    offering = codes["CAT-CHEM-2027S-A"]  # renamed by hand, as the API allows
    request = urllib.request.Request(
        "%s/d2l/api/lp/1.47/courses/%d" % (emulator.url, offering["Identifier"]), method="PUT",
        data=json.dumps({"Name": "Renamed by hand", "Code": offering["Code"], "StartDate": offering["StartDate"],
                         "EndDate": offering["EndDate"], "IsActive": offering["IsActive"],
                         "Description": {"Content": "", "Type": "Text"}, "CanSelfRegister": False}).encode(),
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    mark = len(emulator.requests())
    refused, stdout, _artifacts = _job(ansible_runner, tmp_path, "apply-2", emulator, collections_path,
                                       dict(changed, **artifacts))
    assert refused.status == "failed", stdout
    assert "the plan is not the approved one, so nothing was changed" in stdout
    assert "update course offering CAT-CHEM-2027S-A differs (name: approved" in stdout
    assert not [r for r in emulator.requests()[mark:] if r["method"] not in ("GET", "HEAD")
                and not r["path"].startswith("/core/")]
    names = dict((unit["Code"], unit["Name"]) for unit in emulator.state()["course_offerings"])
    assert names["CAT-CHEM-2027S-A"] == "Renamed by hand"
