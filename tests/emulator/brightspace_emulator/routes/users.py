# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GET /d2l/api/lp/(version)/users/whoami (supporting route: the cheapest credential check)."""
from __future__ import annotations

from fastapi import Depends

from ..routing import make_router
from .. import store as st
from ..auth import Principal, caller
from ..models import WhoAmIUser
from . import product_version, scoped

router = make_router(prefix="/d2l/api/lp/{version}", tags=["users"],
                     dependencies=[product_version("lp"), scoped()])


@router.get("/users/whoami", response_model=WhoAmIUser)
async def whoami(principal: Principal = Depends(caller)):
    return WhoAmIUser(**st.USERS[principal.user])
