from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncGenerator[AsyncClient]:
    """A client for `app` with its lifespan running; 500s come back as responses."""
    async with (
        LifespanManager(app) as manager,
        AsyncClient(
            transport=ASGITransport(app=manager.app, raise_app_exceptions=False),
            base_url="https://test",
        ) as client,
    ):
        yield client


class StatementCounter:
    """Counts the SQL statements run on a connection while active."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection.sync_connection
        self.count = 0

    def _count(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> "StatementCounter":
        event.listen(self._connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._connection, "before_cursor_execute", self._count)
