# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Brightspace (D2L Valence) API emulator for the d2l.brightspace collection's tests."""
from .app import create_app  # noqa: F401
from .config import Config  # noqa: F401

__all__ = ["create_app", "Config"]
