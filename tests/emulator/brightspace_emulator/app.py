# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``create_app(config)``: the FastAPI application of the emulator."""
from __future__ import annotations

from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import coursejobs, epjobs
from .config import Config
from .errors import ApiError, error_response, errors_response, problem_response
from .faults import Faults
from .jobs import JobEngine
from .middleware import EmulatorMiddleware
from .ratelimit import RateLimiter
from .requestlog import RequestLog
from .store import Store


class Emulator:
    """Everything a route needs: ``request.app.state.emu``."""

    def __init__(self, config: Config):
        self.initial_config = config.copy()
        self.config = config
        self.store = Store(config)
        self.faults = Faults()
        self.log = RequestLog()
        self.ratelimiter = RateLimiter(config)
        self.jobs = JobEngine(self.store, self.faults, config)
        coursejobs.register(self.jobs)
        epjobs.register(self.jobs)
        # The settler thread settles final jobs in the background (the server runs with
        # lifespan off, so no startup event): it runs only while unsettled jobs exist.
        self.jobs.start_settler()

    def reset(self) -> None:
        """State back to the seeds; log, faults, rate-limit buckets and config reset too."""
        for key in Config.MUTABLE:
            setattr(self.config, key, getattr(self.initial_config, key))
        self.store.reset()
        self.faults.clear()
        self.log.clear()
        self.ratelimiter.reset()

    def close(self) -> None:
        """Stop the background settler thread (tests that build many emulators may call it)."""
        self.jobs.close()


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) if parts else "body"


def create_app(config: Optional[Config] = None) -> FastAPI:
    config = config or Config()
    app = FastAPI(title="Brightspace emulator",
                  description="Emulates the D2L Brightspace Valence API subset used by the "
                              "d2l.brightspace Ansible collection.",
                  version="0.1.0",
                  # a wrong trailing slash is an unknown route (404), never a 307 (routing.py)
                  redirect_slashes=False)
    emu = Emulator(config)
    app.state.emu = emu

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("loc", ("",))[0] == "path" for e in errors):
            # NOTE: no evidence in the pages; the strictest reading: a malformed id in the route
            # (e.g. /courses/abc) matches no real route (a typed route segment), so it is an
            # unknown route: 404, never a 400 that would say the route exists.
            return errors_response(404, "Not Found")
        messages = []
        for e in errors:
            loc = e.get("loc", ())
            where = loc[0] if loc else "body"
            field = _field_name(loc[1:] if where in ("query", "header") else loc)
            msg = e.get("msg", "invalid")
            if e.get("type") == "json_invalid":
                messages.append(f"Request body is not valid JSON: {msg}")
            else:
                messages.append(f"{field}: {msg}")
        return problem_response(400, "; ".join(messages), request.url.path,
                                "One or more validation errors occurred.")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        return errors_response(exc.status_code, message, getattr(exc, "headers", None))

    from .control import router as control_router
    from .routes import coursejobs as coursejob_routes
    from .routes import (courses, eportfolio, epjobs as epjob_routes, lr as lr_routes,
                         orgstructure, oauth, uploads, users, versions)

    app.include_router(versions.router)
    app.include_router(users.router)
    app.include_router(orgstructure.router)
    app.include_router(courses.router)
    app.include_router(coursejob_routes.router)
    app.include_router(coursejob_routes.unstable_router)  # before the versioned routes
    app.include_router(coursejob_routes.versioned_router)
    app.include_router(uploads.router)
    app.include_router(eportfolio.router)
    app.include_router(epjob_routes.router)
    app.include_router(lr_routes.router)
    app.include_router(uploads.data_router)
    app.include_router(oauth.router)
    app.include_router(control_router)
    app.add_middleware(EmulatorMiddleware, emu=emu)
    return app
