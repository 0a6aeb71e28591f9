import os
import subprocess
import sys
import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.smtp import free_port


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


@contextmanager
def running_server(
    database_url: str, *serve_args: str
) -> Generator[tuple[subprocess.Popen[bytes], str]]:
    """The API as production runs it (`python -m src.cli serve`), in a child
    process on a free port; yields the process and its base URL once it answers.
    """
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "src.cli", "serve", "--no-migrate"]
    process = subprocess.Popen([*command, "--port", str(port), *serve_args], env=env)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/health").is_success:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
