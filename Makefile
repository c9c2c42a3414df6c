# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Build and test tooling for the d2l.brightspace Ansible collection.
#
#   make venv         .venv/ with the pinned toolchain, the emulator and this collection
#   make test         the whole gate: lint, sanity, units, conformance, integration, molecule (CI)
#                     (its conformance step runs every conformance test, on a local emulator)
#   make lint         ansible-lint, production profile; antsibull-docs lint-collection-docs;
#                     antsibull-changelog lint
#   make sanity       ansible-test sanity (SANITY_ARGS="--test pylint" to pick tests)
#   make units        pytest tests/unit and tests/emulator/tests
#   make conformance  read-only tests/conformance (D2L's SDK and utility library, bsapi) vs an emulator
#                     or BRIGHTSPACE_TEST_URL (a sandbox tenant, credentials in BRIGHTSPACE_*);
#                     CONFORMANCE_ARGS= runs every test (local emulator only)
#   make integration  pytest tests/integration (playbooks against a real emulator)
#   make molecule     molecule test --all: the scenarios in extensions/molecule/ (localhost + emulator)
#   make demo         the demo playbook, twice, against a local emulator (2nd run: changed=0)
#   make bench        tools/bench/ (python -m bench): one table of figures, written to docs/performance.md
#                     (quick look: BENCH_ARGS="--only scale --scale 50 --forks 1,8")
#   make soak         the long fault matrix (FAULT_MATRIX=soak; FAULT_MATRIX_SEED=n to repeat one)
#   make matrix       every supported ansible-core (2.16 to 2.21), each on a Python it supports:
#                     ansible-test sanity, unit tests, and a smoke run (the demo twice, the roles'
#                     playbooks, no deprecation warning), plus antsibull-nox's lint, docs, license
#                     and extra checks (noxfile.py, antsibull-nox.toml; MATRIX_ARGS="units-2.16")
#   make matrix-updates  not CI: the newest patch of every minor on PyPI; the matrix's sessions of each
#                     minor with a newer one, run with it; a table; never fails on what it finds
#                     (bumping a pin: docs/development.md)
#   make build        the collection tarball, in tests/output/build/, then galaxy-importer on the
#                     same build (antsibull-nox's build-import-check, offline)
#   make docs         the HTML docs site in tests/output/docs/html/ (antsibull-docs sphinx-init and
#                     collection, the guides docs/*.md with myst-parser, sphinx-build -W), then checked
#                     in headless Chromium (needs Debian's chromium): pages, links, navigation, screenshots
#   make clean        generated files and caches; `make distclean` also removes .venv/
#
# Every tool is called as .venv/bin/...; nothing relies on the caller's PATH.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
VENV_BIN := $(CURDIR)/$(VENV)/bin
VENV_PY := $(VENV_BIN)/python
STAMP := $(VENV)/.stamp

NAMESPACE := $(shell sed -n 's/^namespace:[[:space:]]*//p' galaxy.yml)
NAME := $(shell sed -n 's/^name:[[:space:]]*//p' galaxy.yml)

# Appears later than this Makefile: while it is missing the venv is built without the
# emulator, and the first `make` after it appears re-installs (it is a stamp prerequisite).
EMULATOR_PYPROJECT := $(wildcard tests/emulator/pyproject.toml)

# Extra arguments: make units PYTEST_ARGS="-k paging -x"; make sanity SANITY_ARGS="--test pep8"
PYTEST_ARGS ?=
SANITY_ARGS ?=
BENCH_ARGS ?=
# pytest-xdist workers for the integration tests (empty: one process).
INTEGRATION_JOBS ?=
# What `make conformance` selects: the read-only tests (they also run against a real tenant).
# `make test` runs the conformance step with CONFORMANCE_ARGS= (every test, local emulator).
CONFORMANCE_ARGS ?= -m readonly

# The tests start ansible-playbook / the emulator as subprocesses: give them the venv first.
TEST_ENV := env PATH="$(VENV_BIN):$$PATH" ANSIBLE_FORCE_COLOR=0 PYTHONDONTWRITEBYTECODE=1
PYTEST := $(TEST_ENV) $(VENV_PY) -m pytest -p no:cacheprovider -ra

define banner
	@printf '\n======== %s ========\n' "$(1)"
endef

.PHONY: help venv test lint sanity units conformance integration molecule demo bench soak matrix matrix-updates build docs clean distclean

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------------------- venv

$(STAMP): requirements-dev.txt tests/requirements.txt requirements.txt galaxy.yml $(EMULATOR_PYPROJECT)
	$(call banner,venv: install the pinned toolchain into $(VENV)/)
	if [ ! -x "$(VENV_PY)" ]; then $(PYTHON) -m venv "$(VENV)"; fi
	"$(VENV_PY)" -m pip install --quiet --disable-pip-version-check --upgrade pip
	"$(VENV_PY)" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	if [ -f tests/emulator/pyproject.toml ]; then \
	  "$(VENV_PY)" -m pip install --quiet --disable-pip-version-check -e tests/emulator; \
	else \
	  echo "tests/emulator/pyproject.toml does not exist yet: emulator not installed"; \
	fi
	touch "$@"

# The collection is "installed" as a symlink in the venv's site-packages: ansible-core finds
# ansible_collections packages on sys.path, so .venv/bin/ansible-* resolve d2l.brightspace.*
# with no configuration, and edits in the work tree are live. Re-linked every time (cheap),
# so a moved checkout still works.
venv: $(STAMP)
	@site="$$("$(VENV_PY)" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"; \
	  mkdir -p "$$site/ansible_collections/$(NAMESPACE)"; \
	  ln -sfn "$(CURDIR)" "$$site/ansible_collections/$(NAMESPACE)/$(NAME)"

# ---------------------------------------------------------------------------- the gate

# Sequential on purpose (also under make -j), cheap checks first; stops at the first failing
# step unless KEEP_GOING=1, which runs every step and fails at the end if any failed.
KEEP_GOING ?=
test: venv
	@start=$$SECONDS; failed=""; \
	for step in lint sanity units conformance integration molecule; do \
	  t=$$SECONDS; \
	  args=""; if [ "$$step" = conformance ]; then args="CONFORMANCE_ARGS="; fi; \
	  if $(MAKE) --no-print-directory $$step $$args; then \
	    echo "make test: $$step passed in $$((SECONDS - t)) s"; \
	  else \
	    echo "make test: $$step FAILED after $$((SECONDS - t)) s"; \
	    failed="$$failed $$step"; \
	    if [ -z "$(KEEP_GOING)" ]; then break; fi; \
	  fi; \
	done; \
	echo; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed ($$((SECONDS - start)) s)"; exit 1; fi; \
	echo "make test: lint, sanity, units, conformance, integration and molecule passed in $$((SECONDS - start)) s"

# antsibull-docs runs .venv/bin/ansible and ansible-doc by name: PATH gives it the venv's, and
# ansible-doc finds the collection through the link `make venv` puts in site-packages. Offline.
ANTSIBULL_DOCS := env PATH="$(VENV_BIN):$$PATH" "$(VENV_BIN)/antsibull-docs"

# All three checks run; the step fails at the end if any failed.
lint: venv
	$(call banner,lint: ansible-lint (production profile))
	@rc=0; \
	  echo 'ansible-lint'; \
	  (cd "$(CURDIR)" && env PATH="$(VENV_BIN):$$PATH" "$(VENV_BIN)/ansible-lint") || rc=$$?; \
	  printf '\n======== %s ========\n' "lint: antsibull-docs lint-collection-docs --plugin-docs"; \
	  echo 'antsibull-docs lint-collection-docs --plugin-docs .'; \
	  $(ANTSIBULL_DOCS) lint-collection-docs --plugin-docs . || rc=$$?; \
	  printf '\n======== %s ========\n' "lint: antsibull-changelog lint (changelog fragments)"; \
	  echo 'antsibull-changelog lint'; \
	  env PATH="$(VENV_BIN):$$PATH" "$(VENV_BIN)/antsibull-changelog" lint || rc=$$?; \
	  exit $$rc

sanity: venv
	$(call banner,sanity: ansible-test sanity --venv)
	"$(VENV_PY)" tools/sanity.py $(SANITY_ARGS)

# Two runs: with both paths in one run pytest takes tests/emulator/pyproject.toml as its
# config and rootdir, and then skips conftest.py files above tests/emulator (tests/conftest.py).
units: venv
	$(call banner,units: pytest tests/unit)
	@rc=0; \
	  echo '$(PYTEST) $(PYTEST_ARGS) tests/unit'; \
	  $(PYTEST) $(PYTEST_ARGS) tests/unit || rc=$$?; \
	  printf '\n======== %s ========\n' "units: pytest tests/emulator/tests (the emulator's own tests)"; \
	  echo '$(PYTEST) $(PYTEST_ARGS) tests/emulator/tests'; \
	  $(PYTEST) $(PYTEST_ARGS) tests/emulator/tests || rc=$$?; \
	  exit $$rc

# Clients nobody here wrote (d2lvalence, d2lvalence_util, bsapi) against a real emulator process
# it starts on a free loopback port; with BRIGHTSPACE_TEST_URL against that tenant instead (only
# the read-only tests run there; what needs the emulator's control API is skipped).
conformance: venv
	$(call banner,conformance: pytest tests/conformance $(if $(CONFORMANCE_ARGS),$(CONFORMANCE_ARGS),(every test)))
	$(PYTEST) $(CONFORMANCE_ARGS) $(PYTEST_ARGS) tests/conformance

integration: venv
	$(call banner,integration: pytest tests/integration)
	$(PYTEST) $(if $(INTEGRATION_JOBS),-n $(INTEGRATION_JOBS)) $(PYTEST_ARGS) tests/integration

# The collection-level Molecule scenarios in extensions/molecule/ (default: d2l_api_info;
# course_provision, ep_migrate, lr_publish: converge, idempotence, verify), each against its own
# emulator on a free loopback port (delegated driver, localhost, no containers). Molecule finds
# them only from the collection root (it looks for galaxy.yml in the current directory) and runs
# ansible-* by name: the venv's bin goes first on PATH. The collection is the link `make venv`
# puts in site-packages (prerun is off: no copy in ~/.ansible/collections). MOLECULE_ARGS="-s
# lr_publish" runs one scenario.
MOLECULE_ARGS ?= --all
molecule: venv
	$(call banner,molecule: molecule test $(MOLECULE_ARGS) (extensions/molecule/))
	cd "$(CURDIR)" && $(TEST_ENV) NO_COLOR=1 \
	  ANSIBLE_COLLECTIONS_PATH="$$("$(VENV_PY)" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
	  "$(VENV_BIN)/molecule" test $(MOLECULE_ARGS)

# ---------------------------------------------------------------------------- the rest

demo: venv
	$(call banner,demo: playbooks/demo.yml twice against the emulator)
	"$(VENV_PY)" tools/demo.py

bench: venv
	$(call banner,bench: python -m bench (tools/bench/))
	cd "$(CURDIR)/tools" && $(TEST_ENV) "$(VENV_PY)" -m bench $(BENCH_ARGS)

# Not part of `make test`: longer bursts, real Retry-After waits, three rounds with the faults
# placed at random (seeded; the seed is printed) on the routes each module calls.
soak: venv
	$(call banner,soak: the long fault matrix (tests/integration/test_fault_matrix.py))
	$(TEST_ENV) FAULT_MATRIX=soak $(VENV_PY) -m pytest -p no:cacheprovider -ra -s $(PYTEST_ARGS) \
	  tests/integration/test_fault_matrix.py

# Sessions of noxfile.py, two at a time (tools/matrix.py finds the Pythons, pyenv's included;
# uv makes the sessions' venvs from PyPI). Logs in tests/output/matrix/.
MATRIX_ARGS ?=
matrix: venv
	$(call banner,matrix: nox sessions (tools/matrix.py $(MATRIX_ARGS)))
	"$(VENV_PY)" tools/matrix.py $(MATRIX_ARGS)

# Not part of CI: reports newer ansible-core patches than noxfile.py's MATRIX pins, and whether the
# matrix's sessions pass with them (logs in tests/output/matrix-updates/); exits 0 whatever it finds.
matrix-updates: venv
	$(call banner,matrix-updates: tools/matrix.py --updates $(MATRIX_ARGS))
	"$(VENV_PY)" tools/matrix.py --updates $(MATRIX_ARGS)

# galaxy-importer (as Galaxy and Automation Hub run it on upload) through antsibull-nox's
# build-import-check session, which builds the collection the same way; its ERROR lines fail.
build: venv
	$(call banner,build: ansible-galaxy collection build)
	"$(VENV_BIN)/ansible-galaxy" collection build --force --output-path tests/output/build .
	$(call banner,build: galaxy-importer (nox -s build-import-check))
	"$(VENV_PY)" tools/matrix.py build-import-check
	@# the tarball galaxy-importer passed holds exactly the files of tests/output/build's
	@diff <(tar -tzf tests/output/build/$(NAMESPACE)-$(NAME)-*.tar.gz | sort) \
	  <(tar -tzf .nox/build-import-check/tmp/collection/$(NAMESPACE)-$(NAME)-*.tar.gz | sort) \
	  && echo "build: galaxy-importer passed on the same files as tests/output/build/$$(cd tests/output/build && ls $(NAMESPACE)-$(NAME)-*.tar.gz)"

# The docs site, built as Ansible collections publish theirs, in DOCS_SITE (under tests/output/:
# git-ignored, not in the collection tarball), from scratch each time, with nothing fetched:
#  1. antsibull-docs sphinx-init --use-current: the Sphinx scaffolding (conf.py, antsibull-docs.cfg);
#  2. antsibull-docs collection --use-current: the RST reference of every module, plugin and role
#     (from the collection `make venv` links into site-packages) in rst/collections/;
#  3. tools/docs_site.py: the guides (docs/*.md, Markdown for myst-parser) in rst/guides/, the
#     site's index.rst (every guide in its navigation), conf.py additions, and a local intersphinx
#     inventory of the docs.ansible.com targets the reference links to;
#  4. sphinx-build -W --keep-going: HTML in html/, a warning fails the build;
#  5. tools/docs_check.py: serves html/ on a loopback port and visits every page in headless
#     Chromium (/usr/bin/chromium: Debian's chromium package, driven by Playwright), fails on an
#     empty page, a broken internal link or #anchor, a guide missing from the navigation, a module,
#     plugin or role without its page; screenshots (index.png, d2l_course_module.png) in DOCS_SITE.
DOCS_SITE := tests/output/docs
SPHINX_BUILD := env PATH="$(VENV_BIN):$$PATH" "$(VENV_BIN)/sphinx-build"
docs: venv
	$(call banner,docs: antsibull-docs sphinx-init -> $(DOCS_SITE)/)
	rm -rf "$(DOCS_SITE)"
	mkdir -p "$(dir $(DOCS_SITE))"
	mkdir -m 755 "$(DOCS_SITE)"
	$(ANTSIBULL_DOCS) sphinx-init --use-current --fail-on-error --dest-dir "$(DOCS_SITE)" \
	  --project "$(NAMESPACE).$(NAME)" --copyright "$(NAMESPACE).$(NAME) contributors" \
	  --title "$(NAMESPACE).$(NAME)" $(NAMESPACE).$(NAME) >/dev/null
	@# make docs is the build script, and the pins are in requirements-dev.txt
	rm -f "$(DOCS_SITE)/build.sh" "$(DOCS_SITE)/requirements.txt"
	$(call banner,docs: antsibull-docs collection -> $(DOCS_SITE)/rst/collections/)
	chmod og-w "$(DOCS_SITE)/rst"
	$(ANTSIBULL_DOCS) --config-file "$(DOCS_SITE)/antsibull-docs.cfg" collection --use-current --fail-on-error \
	  --dest-dir "$(DOCS_SITE)/rst" $(NAMESPACE).$(NAME)
	$(call banner,docs: the guides (docs/*.md) and the index page)
	"$(VENV_PY)" tools/docs_site.py "$(DOCS_SITE)"
	$(call banner,docs: sphinx-build -W --keep-going -> $(DOCS_SITE)/html/)
	$(SPHINX_BUILD) -b html -q -W --keep-going -c "$(DOCS_SITE)" "$(DOCS_SITE)/rst" "$(DOCS_SITE)/html"
	$(call banner,docs: tools/docs_check.py in headless Chromium)
	"$(VENV_PY)" tools/docs_check.py "$(DOCS_SITE)/html"
	@echo
	@echo "make docs: $(DOCS_SITE)/html/index.html, $$(find "$(DOCS_SITE)/html" -name '*.html' -not -path '*/_*' | wc -l) pages:" \
	  "built with no Sphinx warning and checked in Chromium"

clean:
	$(call banner,clean)
	rm -rf tests/output .pytest_cache .ruff_cache .ansible .nox docs/reference
	rm -f .emulator-state*.json $(NAMESPACE)-$(NAME)-*.tar.gz
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .pytest_cache -o -name '*.egg-info' \) -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
