"""What each layer of the request path costs, in CPU per request.

Drives the app in-process (no socket, no server) with the default
configuration, on a seeded PostgreSQL database, and times `GET /posts/{id}`
and `GET /posts?limit=20`:

- the whole app with its read cache off, then without one layer at a time
  (the request's own middleware, the access line, the metrics, CORS): the
  difference is what that layer costs;
- the same reads through their routes, as FastAPI answers them (without
  the answering of anonymous reads before routing);
- the route's own work, each part timed alone on the same rows: the
  database round trip (SQLAlchemy and asyncpg, CPU only), building the
  answer, and serializing it;
- routing alone (matching the path against the routes).

What is left of the whole app, less the request layer and those parts, is
the answering before routing and the plumbing around it. Last, the whole
app with its read cache on, where every read but the first is a hit. The access log goes
to /dev/null so that the figures are the app's, not the terminal's.

Usage: DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench_publishing \\
       uv run python -m bench.request_path   (after bench/ratios.sh or
       bench/scale.sh has seeded that database)
"""

import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, NamedTuple, cast
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match
from starlette.types import Message

from src.cli.serve import settle_garbage_collector
from src.config import load_settings
from src.logging_config import ACCESS_LOGGER
from src.main import create_app
from src.pagination import Page, PaginationParams, cursor_signer
from src.posts import lists, service
from src.posts.utils import post_fields
from src.schemas import fields_json
from src.web.conditional import tag_of
from src.web.middleware import RequestMiddleware
from src.web.public_reads import PublicReadsMiddleware
from src.web.state import STATE_KEY, AppState

REQUESTS = int(os.environ.get("REQUESTS", "3000"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))

type Call = Callable[[int], Awaitable[Any]]

ROUTING = "routing (matching the path; skipped by anonymous reads)"


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
    scope = _scope(path, query, headers)
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _scope(
    path: str, query: bytes = b"", headers: tuple[tuple[bytes, bytes], ...] = ()
) -> dict[str, Any]:
    return {
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


async def _time(call: Call) -> float:
    """Microseconds of CPU per call, the median of ROUNDS rounds."""
    for warm in range(200):
        await call(warm)
    results = []
    for _ in range(ROUNDS):
        results.append(await _once(call))
    return statistics.median(results)


async def _once(call: Call) -> float:
    started = time.process_time()
    for n in range(REQUESTS):
        await call(n)
    return (time.process_time() - started) / REQUESTS * 1e6


def with_state(app: Any, state: dict[str, Any]) -> Any:
    """The app with its lifespan state, as a server hands it to each request."""

    async def served(scope: Any, receive: Any, send: Any) -> None:
        scope["state"] = dict(state)
        await app(scope, receive, send)

    return served


def _app(without: type | None, **environment: str) -> FastAPI:
    # The layers' costs are those of reads that do their SQL.
    environment = {"READ_CACHE_ENABLED": "false", **environment}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        app = create_app(load_settings())
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    if without is not None:
        app.user_middleware = [
            m for m in app.user_middleware if cast(object, m.cls) is not without
        ]
    return app


class Variant(NamedTuple):
    label: str
    without: type | None = None
    access_line: bool = True
    environment: tuple[tuple[str, str], ...] = ()
    # Its own figure, not what it saves against the whole app.
    alone: bool = False


VARIANTS = [
    Variant("whole app, default configuration"),
    Variant(
        "request layer (id, access line, metrics, body limit, nosniff)",
        RequestMiddleware,
    ),
    Variant("access line", access_line=False),
    Variant("metrics", environment=(("METRICS_ENABLED", "false"),)),
    Variant("CORS", CORSMiddleware),
    Variant(
        "whole app, the same reads through their routes (FastAPI)",
        PublicReadsMiddleware,
        alone=True,
    ),
    Variant(
        "whole app, answered from the read cache (anonymous hits)",
        environment=(("READ_CACHE_ENABLED", "true"),),
        alone=True,
    ),
]


type Runs = list[list[float]]


async def _wholes(ids: list[str]) -> list[Runs]:
    """Each variant's CPU per request on both routes, round by round; the
    variants take turns in every round, so that they all see the same
    machine."""
    access = logging.getLogger(ACCESS_LOGGER)
    calls: list[tuple[Call, Call]] = []
    async with AsyncExitStack() as stack:
        for variant in VARIANTS:
            app = _app(variant.without, **dict(variant.environment))
            state = await stack.enter_async_context(app.router.lifespan_context(app))
            calls.append(_routes(with_state(app, dict(state or {})), ids))
        settle_garbage_collector()
        runs: list[Runs] = [[[], []] for _ in VARIANTS]
        for round_ in range(ROUNDS + 1):
            for variant, routes, results in zip(VARIANTS, calls, runs, strict=True):
                access.setLevel(
                    logging.INFO if variant.access_line else logging.WARNING
                )
                for route, result in zip(routes, results, strict=True):
                    took = await _once(route)
                    if round_:  # the first round warms up
                        result.append(took)
        access.setLevel(logging.INFO)
    return runs


def _median(runs: Runs) -> tuple[float, float]:
    post, feed = runs
    return statistics.median(post), statistics.median(feed)


def _saved(whole: Runs, without: Runs) -> tuple[float, float]:
    """What taking the layer out saved: the median of the rounds' differences."""
    post, feed = (
        statistics.median(w - o for w, o in zip(whole[i], without[i], strict=True))
        for i in (0, 1)
    )
    return post, feed


def _routes(served: Any, ids: list[str]) -> tuple[Call, Call]:
    async def one_post(n: int) -> None:
        assert await call_app(served, f"/posts/{ids[n % len(ids)]}") == 200

    async def feed(_: int) -> None:
        assert await call_app(served, "/posts", b"limit=20") == 200

    return one_post, feed


async def _parts(ids: list[str]) -> dict[str, tuple[float, float]]:
    """The route's own work, each part alone, and routing."""
    app = _app(None)
    async with app.router.lifespan_context(app) as lifespan_state:
        state: AppState = (lifespan_state or {})[STATE_KEY]
        bind = state.read_engine
        uuids = [UUID(post_id) for post_id in ids]
        pagination = PaginationParams(
            20, 0, None, cursor_signer(state.settings.auth.JWT_SECRET)
        )
        rows = [await service.get_post(bind, post_id) for post_id in uuids]
        page = await lists.list_posts(bind, pagination=pagination)
        posts = [post_fields(row) for row in rows if row]
        page_fields = Page.fields(
            [post_fields(row) for row in page.items], page, pagination
        )

        async def read_post(n: int) -> None:
            await service.get_post(bind, uuids[n % len(uuids)])

        async def read_page(_: int) -> None:
            await lists.list_posts(bind, pagination=pagination)

        async def build_post(n: int) -> None:
            row = rows[n % len(rows)]
            assert row is not None
            post_fields(row)

        async def build_page(_: int) -> None:
            Page.fields([post_fields(row) for row in page.items], page, pagination)

        async def write_post(n: int) -> None:
            body = fields_json(posts[n % len(posts)])
            tag_of(body, 1)

        async def write_page(_: int) -> None:
            fields_json(page_fields)

        async def route_post(n: int) -> None:
            _route(app, _scope(f"/posts/{ids[n % len(ids)]}"))

        async def route_page(_: int) -> None:
            _route(app, _scope("/posts", b"limit=20"))

        return {
            "database round trip (SQLAlchemy, asyncpg; CPU)": (
                await _time(read_post),
                await _time(read_page),
            ),
            "building the answer (fields from the rows)": (
                await _time(build_post),
                await _time(build_page),
            ),
            "serializing the answer (orjson; the post's ETag)": (
                await _time(write_post),
                await _time(write_page),
            ),
            ROUTING: (
                await _time(route_post),
                await _time(route_page),
            ),
        }


def _route(app: FastAPI, scope: dict[str, Any]) -> None:
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return
    raise LookupError(scope["path"])


def _row(label: str, post_us: float, feed_us: float) -> None:
    print(f"| {label} | {post_us:,.0f} µs | {feed_us:,.0f} µs |", flush=True)


async def main() -> None:
    ids = await _post_ids()
    print("| CPU per request | `GET /posts/{id}` | `GET /posts?limit=20` |")
    print("|---|---|---|")
    whole, *others = await _wholes(ids)
    _row(VARIANTS[0].label + ", read cache off", *_median(whole))
    layers = [_saved(whole, runs) for runs in others]
    for variant, saved in zip(VARIANTS[1:], layers, strict=True):
        if not variant.alone:
            _row(variant.label, *saved)
    parts = await _parts(ids)
    for label, (post_us, feed_us) in parts.items():
        _row(label, post_us, feed_us)
    # Anonymous reads are answered before routing: no routing to subtract.
    work = [v for label, v in parts.items() if label != ROUTING]
    rest = [
        _median(whole)[i] - layers[0][i] - sum(part[i] for part in work) for i in (0, 1)
    ]
    _row("the rest: answering before routing, the server's plumbing", *rest)
    for variant, runs in zip(VARIANTS[1:], others, strict=True):
        if variant.alone:
            _row(variant.label, *_median(runs))


if __name__ == "__main__":
    # The access line is written as in production, to a file no one reads.
    with open(os.devnull, "w") as sys.stderr:
        asyncio.run(main())
