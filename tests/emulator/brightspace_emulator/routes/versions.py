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
