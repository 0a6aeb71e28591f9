"""What knowing the caller costs, in CPU per request, in-process.

Drives the app with the default configuration on a seeded PostgreSQL
database (no socket, no server: the figures are the app's) and times, the
median of ROUNDS rounds of REQUESTS requests each:

- `GET /posts/{id}` anonymously,
- `GET /posts/{id}` with an access token (the caller is looked up),
- `GET /feed` with an access token (a route that loads its user).

It runs against whatever tree it is started from, so `bench/caller_cost.sh
REF` can run it on an earlier commit and this one in turns.

Usage: DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench_publishing \\
       uv run python -m bench.caller_cost 2>/dev/null
"""

import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import Message

from src.auth.utils import create_access_token
from src.config import load_settings
from src.main import create_app

REQUESTS = int(os.environ.get("REQUESTS", "2000"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))


async def _data() -> tuple[list[str], UUID]:
    engine = create_async_engine(os.environ["DATABASE_URL"])
    async with engine.connect() as connection:
        ids = await connection.scalars(
            text("SELECT id FROM post WHERE status = 'published' LIMIT 1000")
        )
        user_id = await connection.scalar(text("SELECT id FROM auth_user LIMIT 1"))
        found = [str(post_id) for post_id in ids]
    await engine.dispose()
    return found, user_id


def _caller(app: Any, state: dict[str, Any]) -> Callable[..., Awaitable[int]]:
    async def call(path: str, query: bytes = b"", token: str | None = None) -> int:
        headers = [(b"host", b"127.0.0.1"), (b"accept", b"*/*")]
        if token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
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
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": dict(state),
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

    return call


async def _time(request: Callable[[int], Awaitable[int]]) -> float:
    results = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for n in range(REQUESTS):
            assert await request(n) == 200
        results.append((time.process_time() - started) / REQUESTS * 1e6)
    return statistics.median(results)


async def main() -> None:
    settings = load_settings()
    app = create_app(settings)
    ids, user_id = await _data()
    token = create_access_token(user_id, settings.auth)
    async with app.router.lifespan_context(app) as state:
        call = _caller(app, dict(state or {}))
        cases = {
            "GET /posts/{id}": lambda n: call(f"/posts/{ids[n % len(ids)]}"),
            "GET /posts/{id} signed in": lambda n: call(
                f"/posts/{ids[n % len(ids)]}", token=token
            ),
            "GET /feed": lambda n: call("/feed", b"limit=20", token=token),
        }
        for request in cases.values():
            for warm in range(200):
                assert await request(warm) == 200
        print(json.dumps({name: await _time(r) for name, r in cases.items()}))


if __name__ == "__main__":
    asyncio.run(main())
