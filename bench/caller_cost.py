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
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.request_path import call_app, with_state
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
    signed_in = ((b"authorization", f"Bearer {token}".encode()),)
    async with app.router.lifespan_context(app) as state:
        served = with_state(app, dict(state or {}))
        cases = {
            "GET /posts/{id}": lambda n: call_app(
                served, f"/posts/{ids[n % len(ids)]}"
            ),
            "GET /posts/{id} signed in": lambda n: call_app(
                served, f"/posts/{ids[n % len(ids)]}", headers=signed_in
            ),
            "GET /feed": lambda n: call_app(served, "/feed", b"limit=20", signed_in),
        }
        for request in cases.values():
            for warm in range(200):
                assert await request(warm) == 200
        print(json.dumps({name: await _time(r) for name, r in cases.items()}))


if __name__ == "__main__":
    asyncio.run(main())
