from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import AsyncClient

from src.web.events import EventHub
from tests.factories import AuthUser
from tests.streams import FakeConnection, OpenStream, hub_of
from tests.utils import app_and_client


@dataclass
class Served:
    """One app with its lifespan running: a client, and the app to open
    streams on (they share the lifespan's event hub)."""

    client: AsyncClient
    manager: LifespanManager

    @property
    def hub(self) -> EventHub:
        return hub_of(self.manager)

    def stream(
        self,
        user: AuthUser | None = None,
        *,
        last_event_id: str | None = None,
        params: dict[str, str] | None = None,
        connection: FakeConnection | None = None,
    ) -> OpenStream:
        """GET /notifications/stream as `user` (or with what `params` say)."""
        headers = dict(user.headers) if user is not None else {}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        return OpenStream(
            self.manager.app,
            "/notifications/stream",
            headers=headers,
            params=params or {},
            connection=connection,
        )


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[Served]:
    async with app_and_client(app) as (manager, client):
        yield Served(client, manager)


@pytest.fixture
def client(served: Served) -> AsyncClient:
    """The client of `served`: users it makes can open streams on its app."""
    return served.client
