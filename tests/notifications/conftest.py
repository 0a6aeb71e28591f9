from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from src.web.events import EventHub
from tests.streams import hub_of


@dataclass
class Served:
    """One app with its lifespan running: a client, and the app to open
    streams on (they share the lifespan's event hub)."""

    client: AsyncClient
    manager: LifespanManager

    @property
    def hub(self) -> EventHub:
        return hub_of(self.manager)


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[Served]:
    async with (
        LifespanManager(app) as manager,
        AsyncClient(
            transport=ASGITransport(app=manager.app, raise_app_exceptions=False),
            base_url="https://test",
        ) as client,
    ):
        yield Served(client, manager)


@pytest.fixture
def client(served: Served) -> AsyncClient:
    """The client of `served`: users it makes can open streams on its app."""
    return served.client
