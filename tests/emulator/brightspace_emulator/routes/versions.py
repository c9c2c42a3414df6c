# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /d2l/api/versions/ (no authentication)."""
from __future__ import annotations

from typing import List

from ..routing import make_router
from ..config import API_VERSIONS
from ..models import ProductVersions

router = make_router(tags=["versions"])


@router.get("/d2l/api/versions/", response_model=List[ProductVersions])
async def list_versions():
    return [ProductVersions(ProductCode=p, LatestVersion=latest, SupportedVersions=list(supported))
            for p, (latest, supported) in API_VERSIONS.items()]
