"""SIGTERM under load: requests in flight finish, new connections are refused.

The API runs as it does in production (`python -m src.cli serve`) in a
child process. Each in-flight request sends `Expect: 100-continue`; uvicorn
answers `100 Continue` only once the app reads the body, so the test knows
every one of them is inside the app before it sends SIGTERM.
"""

import asyncio
import json
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from src.posts.models import Post
from tests.factories import create_user
from tests.utils import running_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

IN_FLIGHT = 20
GRACEFUL_TIMEOUT = 10

logger = structlog.get_logger("tests.faults")


@pytest.fixture
def server(committed_database: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    serve_args = ("--graceful-timeout", str(GRACEFUL_TIMEOUT))
    with running_server(committed_database, *serve_args) as (process, base_url):
        yield process, int(base_url.rsplit(":", 1)[1])


async def _start_post(
    port: int, token: str, body: bytes
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Send a request's head and wait until the app asks for its body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /posts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
        + f"Authorization: Bearer {token}\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
    return reader, writer


async def _finish_post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes
) -> int:
    writer.write(body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def _stored_posts(database_url: str) -> int | None:
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(Post))
    await engine.dispose()
    return count


async def test_sigterm_lets_in_flight_requests_finish(
    server: tuple[subprocess.Popen[bytes], int], committed_database: str
) -> None:
    database = committed_database
    process, port = server
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        user = await create_user(client)
    bodies = [
        json.dumps(
            {"title": f"In flight {n}", "content": "Sent before SIGTERM"}
        ).encode()
        for n in range(IN_FLIGHT)
    ]

    streams = await asyncio.gather(
        *(_start_post(port, user.access_token, body) for body in bodies)
    )
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    # The listening socket closes first: a new client is turned away.
    refused = False
    async with asyncio.timeout(GRACEFUL_TIMEOUT):
        while not refused:
            try:
                _, probe = await asyncio.open_connection("127.0.0.1", port)
                probe.close()
                await asyncio.sleep(0.05)
            except ConnectionRefusedError:
                refused = True
    statuses = await asyncio.gather(
        *(
            _finish_post(r, w, body)
            for (r, w), body in zip(streams, bodies, strict=True)
        )
    )
    exit_code = await asyncio.to_thread(process.wait, GRACEFUL_TIMEOUT + 5)
    exited_after = time.monotonic() - signalled

    logger.info(
        "shutdown_drill",
        in_flight=IN_FLIGHT,
        completed=statuses.count(201),
        exited_after_s=round(exited_after, 3),
    )
    assert statuses == [201] * IN_FLIGHT
    assert await _stored_posts(database) == IN_FLIGHT
    # Uvicorn re-raises the signal once it has shut down, as a process should.
    assert exit_code == -signal.SIGTERM
    assert exited_after < GRACEFUL_TIMEOUT
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/health")
