from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient


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
