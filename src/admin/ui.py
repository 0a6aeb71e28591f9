"""Where the moderators' web interface is mounted: at /admin, after the
API's routes (which keep /admin/users, /admin/audit...).

The interface (src/admin/site.py, with sqladmin and its forms) is made on
its first request: a worker that never serves it does not load it (about
3 MiB of memory each, docs/benchmarks.md).
"""

import re
from functools import cached_property

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from src.config import Settings

ADMIN_PATH = "/admin"


class Interface:
    """The interface's mount: made on first use (a request, or a URL asked
    of its routes)."""

    def __init__(
        self,
        api: FastAPI,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self._api = api
        self._settings = settings
        self._sessions = sessions

    @cached_property
    def _app(self) -> ASGIApp:
        from src.admin import site  # noqa: PLC0415 (loaded on first use)

        return site.build(self._settings, self._sessions, path=ADMIN_PATH)

    @property
    def routes(self) -> list[BaseRoute]:
        # What `url_for("admin:...")` finds under the mount.
        routes: list[BaseRoute] = getattr(self._app, "routes", [])
        return routes

    @cached_property
    def _api_paths(self) -> list[re.Pattern[str]]:
        return [
            compile_path(path)[0]
            for path in self._api.openapi()["paths"]
            if path.startswith(f"{ADMIN_PATH}/")
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The API's paths under /admin stay the API's: a method they do not
        # serve is its 405 (with `Allow`), not the interface's 404.
        if scope["type"] == "http" and any(
            path.match(scope["path"]) for path in self._api_paths
        ):
            raise StarletteHTTPException(status_code=405)
        await self._app(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> async_sessionmaker[AsyncSession]:
    """Mount the interface on `app`. Returns its session maker, unbound: the
    lifespan binds it to the engine it opens."""
    sessions = async_sessionmaker(class_=AsyncSession, expire_on_commit=False)
    app.mount(ADMIN_PATH, Interface(app, settings, sessions), name="admin")
    return sessions
