"""What each layer of the request path costs, in CPU per request.

Drives the app in-process (no socket, no server) with the default
configuration, on a seeded PostgreSQL database, and times `GET /posts/{id}`
and `GET /posts?limit=20` with each middleware taken out in turn (without
`AccessLogMiddleware`, no access line is written). The difference with the
full stack is what that layer costs. The access log goes to /dev/null so that the
figures are the app's, not the terminal's.

Usage: DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench_publishing \\
       uv run python -m bench.request_path 2>/dev/null   (after bench/posts.sh
       or bench/scale.sh has seeded that database)
"""

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import Message

from src.config import load_settings
from src.main import create_app
from src.web.middleware import (
    AccessLogMiddleware,
    BodySizeLimitMiddleware,
    NoSniffMiddleware,
)

REQUESTS = int(os.environ.get("REQUESTS", "3000"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))


async def _post_ids() -> list[str]:
    engine = create_async_engine(os.environ["DATABASE_URL"])
    async with engine.connect() as connection:
        # Published ones: a draft is a 404 to an anonymous reader.
        ids = await connection.scalars(
            text("SELECT id FROM post WHERE status = 'published' LIMIT 1000")
        )
        found = [str(post_id) for post_id in ids]
    await engine.dispose()
    return found


async def call_app(
    app: Any,
    path: str,
    query: bytes = b"",
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> int:
    """GET `path` from `app` as a server would, without a socket; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _time(app: FastAPI, request: Callable[[int], Any]) -> float:
    """Microseconds of CPU per request, the median of ROUNDS rounds."""
    results = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for n in range(REQUESTS):
            assert await request(n) == 200
        results.append((time.process_time() - started) / REQUESTS * 1e6)
    return statistics.median(results)


async def _measure(label: str, without: type | None) -> None:
    app = create_app(load_settings())
    if without is not None:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not without]
    ids = await _post_ids()
    async with app.router.lifespan_context(app) as state:
        served = with_state(app, dict(state or {}))

        async def one_post(n: int) -> int:
            return await call_app(served, f"/posts/{ids[n % len(ids)]}")

        async def feed(_: int) -> int:
            return await call_app(served, "/posts", b"limit=20")

        for warm in range(200):
            await one_post(warm)
            await feed(warm)
        post_us = await _time(app, one_post)
        feed_us = await _time(app, feed)
    print(f"| {label:<34} | {post_us:8.0f} | {feed_us:8.0f} |", flush=True)


def with_state(app: FastAPI, state: dict[str, Any]) -> Any:
    """The app with its lifespan state, as a server hands it to each request."""

    async def served(scope: Any, receive: Any, send: Any) -> None:
        scope["state"] = dict(state)
        await app(scope, receive, send)

    return served


async def main() -> None:
    print("| stack (CPU per request, microseconds) | GET /posts/{id} | GET /posts |")
    print("|---|---|---|")
    variants: list[tuple[str, type | None]] = [
        ("default (all middleware, access log)", None),
        ("without AccessLogMiddleware", AccessLogMiddleware),
        ("without CorrelationIdMiddleware", CorrelationIdMiddleware),
        ("without BodySizeLimitMiddleware", BodySizeLimitMiddleware),
        ("without CORSMiddleware", CORSMiddleware),
        ("without NoSniffMiddleware", NoSniffMiddleware),
    ]
    for label, without in variants:
        await _measure(label, without)


if __name__ == "__main__":
    # The access line is written as in production, to a file no one reads.
    with open(os.devnull, "w") as sys.stderr:
        asyncio.run(main())
