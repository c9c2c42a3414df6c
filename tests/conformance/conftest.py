# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Conformance: clients nobody here wrote (D2L's SDK ``d2lvalence``, D2L's utility library
``d2lvalence_util``, the OAuth 2.0 wrapper ``bsapi``) against a real emulator process.

By default a session starts its own emulator on a free loopback port. With
``BRIGHTSPACE_TEST_URL`` set the suite talks to that tenant instead (use a sandbox): run only
the read-only part (``-m readonly``, what ``make conformance`` selects); what needs the
emulator's control API or its seeds is skipped. Credentials then come from ``BRIGHTSPACE_*``
variables: ``BRIGHTSPACE_APP_ID``/``APP_KEY``/``USER_ID``/``USER_KEY`` (ID-key, for the SDK
and the utility library), ``BRIGHTSPACE_ACCESS_TOKEN`` (a bearer token for bsapi), or
``BRIGHTSPACE_REFRESH_TOKEN`` + ``BRIGHTSPACE_CLIENT_ID`` + ``BRIGHTSPACE_CLIENT_SECRET``
(+ ``BRIGHTSPACE_TOKEN_URL``) with ``BRIGHTSPACE_REFRESH_TOKEN_FILE``, a file the rotated
refresh token is written to (refresh tokens are single use: without that file the suite does
not refresh).
"""
from __future__ import annotations

import os
import warnings
from urllib.parse import urlsplit

import pytest

# The libraries under test are old; their warnings (SyntaxWarning: "is" with a literal,
# DeprecationWarning from `future`) are theirs, recorded in the tests.
warnings.filterwarnings("ignore", category=SyntaxWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

from brightspace_emulator import testing  # noqa: E402
from conformance_helpers import Target  # noqa: E402  (after the warning filters)

EMULATOR_ARGS = ("--job-duration", "0.3", "--log-level", "warning")


def pytest_configure(config):
    config.addinivalue_line("markers", "readonly: reads only; runs against a real (sandbox) "
                                       "tenant too (make conformance)")


def pytest_collection_modifyitems(config, items):
    """Against a real tenant only the read-only tests run, whatever was selected."""
    if not os.environ.get("BRIGHTSPACE_TEST_URL"):
        return
    skip = pytest.mark.skip(reason="not read-only: runs against the emulator only "
                                   "(BRIGHTSPACE_TEST_URL is set)")
    for item in items:
        if item.get_closest_marker("readonly") is None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def target(tmp_path_factory):
    """The service under test: a fresh emulator, or BRIGHTSPACE_TEST_URL."""
    url = os.environ.get("BRIGHTSPACE_TEST_URL")
    if url:
        yield Target.from_environment(url.rstrip("/"))
        return
    base = tmp_path_factory.mktemp("conformance-emulator")
    with testing.running("--upload-dir", str(base / "uploads"), *EMULATOR_ARGS,
                         log_path=str(base / "emulator.log")) as emulator:
        yield Target.for_emulator(emulator.url)


@pytest.fixture(scope="session")
def emulator(target):
    """The control API of the emulator under test (skips the test against a real tenant)."""
    if not target.emulator:
        pytest.skip("needs the emulator's control API (BRIGHTSPACE_TEST_URL is set)")
    return target


@pytest.fixture(scope="session")
def host(target):
    """``host[:port]`` and whether to use HTTPS, as D2L's SDK wants them."""
    parts = urlsplit(target.url)
    return parts.netloc, parts.scheme == "https"
