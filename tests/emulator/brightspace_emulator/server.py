# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running the app under uvicorn with a protocol that lets a fault truly drop a connection."""
from __future__ import annotations

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .middleware import TRANSPORT_KEY


class DroppableH11Protocol(H11Protocol):
    """h11 protocol that exposes its asyncio transport in the ASGI scope.

    The middleware calls ``scope["emulator.transport"].abort()`` for a ``drop`` fault: the TCP
    connection is closed (RST) without any HTTP response, like a network failure.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inner = self.app
        protocol = self

        async def app(scope, receive, send):
            scope[TRANSPORT_KEY] = protocol.transport
            await inner(scope, receive, send)

        self.app = app


def make_server(app, host: str, port: int, log_level: str = "info") -> uvicorn.Server:
    config = uvicorn.Config(app, host=host, port=port, http=DroppableH11Protocol,
                            log_level=log_level, lifespan="off", access_log=log_level == "debug")
    return uvicorn.Server(config)
