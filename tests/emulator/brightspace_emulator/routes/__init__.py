"""HTTP routes, one module per area. Shared helpers live here."""
from __future__ import annotations

from fastapi import Depends, Path, Request

from ..config import API_VERSIONS
from ..errors import ERRORS, ApiError


def get_emu(request: Request):
    return request.app.state.emu


def product_version(product: str):
    """Router dependency: 404 when the route's API version is not supported for ``product``."""

    example = API_VERSIONS[product][0]

    def dependency(version: str = Path(..., description=f"{product} API version, e.g. {example}")):
        if version not in API_VERSIONS[product][1]:
            # NOTE: the real service answers an unknown version like an unknown route.
            raise ApiError(404, f"API version '{version}' is not supported for product "
                                f"'{product}'", ERRORS)
        return version

    dependency.__name__ = f"version_{product}"
    return Depends(dependency)
