"""The database goes away under load and comes back (PostgreSQL only).

The app reaches PostgreSQL through a TCP proxy that the test cuts: open
connections are reset and new ones refused, as when the server dies.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import pytest
import structlog
from httpx import AsyncClient
from sqlalchemy import func, make_url, select
from sqlalchemy.ext.asyncio import create_async_engine

from src.config import Settings
from src.main import create_app
from src.posts.models import Post
from tests.factories import AuthUser, create_user
from tests.proxy import TcpProxy
from tests.utils import app_client, with_app_settings

pytestmark = [pytest.mark.anyio, pytest.mark.postgres, pytest.mark.slow]

# The drill's figures; shown with `-s -p no:logging`.
logger = structlog.get_logger("tests.faults")

WORKERS = 8
READERS = 4
CONNECT_TIMEOUT = 2.0
RECOVERY_LIMIT_SECONDS = 5.0
# Retries of one request once the database is back (each answered at once).
RETRIES = 20


@dataclass
class Outcome:
    status: int
    seconds: float
    post_id: str | None


class Load:
    """Writers creating posts and readers reading one, until stopped or out
    of budget."""

    def __init__(self, client: AsyncClient, user: AuthUser, post_id: str) -> None:
        self.client = client
        self.user = user
        self.post_id = post_id
        self.outcomes: list[Outcome] = []
        self.reads: list[Outcome] = []
        self.stop = asyncio.Event()
        self._changed = asyncio.Condition()

    @classmethod
    async def start(cls, client: AsyncClient) -> "Load":
        user = await create_user(client)
        response = await client.post(
            "/posts",
            json={"title": "Read during the drill", "content": "Before the outage"},
            headers=user.headers,
        )
        return cls(client, user, response.json()["id"])

    async def _reader(self, budget: int) -> None:
        for _ in range(budget):
            if self.stop.is_set():
                return
            started = time.monotonic()
            # Signed in: whether they favorited it is read from the database
            # (an anonymous read of it is answered from the read cache).
            response = await self.client.get(
                f"/posts/{self.post_id}", headers=self.user.headers
            )
            async with self._changed:
                self.reads.append(
                    Outcome(response.status_code, time.monotonic() - started, None)
                )
                self._changed.notify_all()

    async def _writer(self, budget: int) -> None:
        for n in range(budget):
            if self.stop.is_set():
                return
            started = time.monotonic()
            response = await self.client.post(
                "/posts",
                json={"title": f"Outage {n}", "content": "Written during the drill"},
                headers=self.user.headers,
            )
            post_id = response.json()["id"] if response.status_code == 201 else None
            async with self._changed:
                self.outcomes.append(
                    Outcome(response.status_code, time.monotonic() - started, post_id)
                )
                self._changed.notify_all()

    async def run(self, budget: int = 400, read_budget: int = 20_000) -> None:
        await asyncio.gather(
            *(self._writer(budget) for _ in range(WORKERS)),
            *(self._reader(read_budget) for _ in range(READERS)),
        )

    def count(self, status: int, *, reads: bool = False) -> int:
        return sum(o.status == status for o in (self.reads if reads else self.outcomes))

    async def until(self, status: int, more: int, *, reads: bool = False) -> None:
        target = self.count(status, reads=reads) + more
        async with self._changed:
            await self._changed.wait_for(
                lambda: self.count(status, reads=reads) >= target
            )


async def _in_use(client: AsyncClient) -> float:
    """`db_pool_connections_in_use`, as /metrics says it."""
    metrics = (await client.get("/metrics")).text
    (line,) = [
        line
        for line in metrics.splitlines()
        if line.startswith("db_pool_connections_in_use ")
    ]
    return float(line.split()[1])


@pytest.fixture
async def proxied(
    committed_database: str, settings: Settings
) -> AsyncIterator[tuple[TcpProxy, Settings]]:
    """The test database behind a proxy, and an app config that uses it."""
    url = make_url(committed_database)
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield (
            proxy,
            with_app_settings(
                settings,
                DATABASE_URL=url.set(
                    host="127.0.0.1", port=proxy.port
                ).render_as_string(hide_password=False),
                DATABASE_CONNECT_TIMEOUT=CONNECT_TIMEOUT,
                DATABASE_POOL_TIMEOUT=CONNECT_TIMEOUT,
                DATABASE_COMMAND_TIMEOUT=CONNECT_TIMEOUT,
            ),
        )


async def test_a_database_outage_is_503_and_recovers_with_nothing_lost(
    proxied: tuple[TcpProxy, Settings], committed_database: str
) -> None:
    proxy, config = proxied
    async with asyncio.timeout(90), app_client(create_app(config)) as client:
        idle = await _in_use(client)
        load = await Load.start(client)
        running = asyncio.create_task(load.run())

        await load.until(201, 20)
        await proxy.cut()
        await load.until(503, 20)
        await load.until(503, 20, reads=True)
        during = await client.get("/health/ready")
        during_read = await client.get(
            f"/posts/{load.post_id}", headers=load.user.headers
        )
        cached = await client.get(f"/posts/{load.post_id}")
        # Read anonymously for the first time: answered before routing, with
        # the routes' own 503.
        first_written = next(o.post_id for o in load.outcomes if o.post_id)
        uncached = await client.get(f"/posts/{first_written}")
        in_use_during = await _in_use(client)
        await proxy.restore()
        restored = time.monotonic()
        await load.until(201, 1)
        recovery = time.monotonic() - restored
        await load.until(201, 20)
        await load.until(200, 20, reads=True)
        load.stop.set()
        await running
        after = await client.get("/health/ready")
        in_use_after = await _in_use(client)

    statuses = {o.status for o in load.outcomes}
    failures = [o for o in load.outcomes if o.status == 503]
    created = {UUID(o.post_id) for o in load.outcomes if o.post_id is not None}
    engine = create_async_engine(committed_database)
    async with engine.connect() as conn:
        # The drill's posts: all but the one the readers read.
        written = Post.id != UUID(load.post_id)
        stored = set(await conn.scalars(select(Post.id).where(written)))
        total = await conn.scalar(select(func.count()).select_from(Post).where(written))
    await engine.dispose()

    logger.info(
        "database_drill",
        requests=len(load.outcomes),
        created=len(created),
        refused=len(failures),
        reads=len(load.reads),
        reads_refused=load.count(503, reads=True),
        slowest_refusal_s=round(max(o.seconds for o in failures), 3),
        recovery_s=round(recovery, 3),
        rows_stored=total,
    )
    assert statuses <= {201, 503}
    assert {o.status for o in load.reads} <= {200, 503}
    assert max(o.seconds for o in failures + load.reads) < CONNECT_TIMEOUT + 1
    assert during.status_code == 503
    assert during.json()["checks"]["database"] == "down"
    # No write can commit while the database is away: the cached answer is
    # still the last committed one, and is served.
    assert cached.status_code == 200
    assert uncached.status_code == 503
    assert during_read.status_code == 503
    assert uncached.headers["Retry-After"] == during_read.headers["Retry-After"]
    assert uncached.json() == during_read.json()
    # The pool gauge counts only connections handed out: refused ones do
    # not make it sink, and once the load stops every one is back.
    assert in_use_during >= idle
    assert in_use_after == idle
    assert recovery < RECOVERY_LIMIT_SECONDS
    assert after.status_code == 200
    # Every 201 is a stored row; a write cut between COMMIT and its answer may
    # be stored although its client saw 503, never the other way round.
    assert created <= stored
    assert total is not None
    assert len(created) <= total <= len(created) + WORKERS


async def test_a_hung_database_is_503_within_the_command_timeout(
    proxied: tuple[TcpProxy, Settings],
) -> None:
    proxy, config = proxied
    async with asyncio.timeout(90), app_client(create_app(config)) as client:
        load = await Load.start(client)
        running = asyncio.create_task(load.run())

        await load.until(201, 20)
        proxy.freeze()
        await load.until(503, 2 * WORKERS)
        await load.until(503, 2 * READERS, reads=True)
        during = await client.get("/health/ready")
        proxy.thaw()
        thawed = time.monotonic()
        await load.until(201, 1)
        recovery = time.monotonic() - thawed
        await load.until(201, 20)
        await load.until(200, 20, reads=True)
        load.stop.set()
        await running

    failures = [o for o in load.outcomes if o.status == 503]
    logger.info(
        "hung_database_drill",
        requests=len(load.outcomes),
        refused=len(failures),
        reads=len(load.reads),
        reads_refused=load.count(503, reads=True),
        slowest_refusal_s=round(max(o.seconds for o in failures), 3),
        recovery_s=round(recovery, 3),
    )
    assert {o.status for o in load.outcomes} <= {201, 503}
    assert {o.status for o in load.reads} <= {200, 503}
    # A request may meet the pool timeout after waiting for a connection.
    assert max(o.seconds for o in failures + load.reads) < 2 * CONNECT_TIMEOUT + 1
    assert during.status_code == 503
    assert during.json()["checks"]["database"] == "down"
    assert recovery < RECOVERY_LIMIT_SECONDS


async def test_retries_with_idempotency_keys_across_a_cut_create_each_post_once(
    proxied: tuple[TcpProxy, Settings], committed_database: str
) -> None:
    # Writers send each post with a key of its own while the database is cut
    # and restored; every post answered 503 is then retried with its key
    # until it is answered. A write cut between COMMIT and its answer was
    # stored: its retry must get the stored response, not a second post.
    proxy, config = proxied
    answers: dict[str, list[tuple[int, str | None, bool]]] = {}
    stop = asyncio.Event()
    changed = asyncio.Condition()

    async def until_answered(status: int, count: int) -> None:
        async with changed:
            await changed.wait_for(lambda: _answered(answers, status) >= count)

    async def send(client: AsyncClient, user: AuthUser, key: str) -> int:
        response = await client.post(
            "/posts",
            json={"title": f"Keyed {key}", "content": "Retried until answered"},
            headers=user.headers | {"Idempotency-Key": key},
        )
        created = response.json()["id"] if response.status_code == 201 else None
        replayed = response.headers.get("idempotent-replayed") == "true"
        async with changed:
            answers.setdefault(key, []).append(
                (response.status_code, created, replayed)
            )
            changed.notify_all()
        return response.status_code

    async def writer(client: AsyncClient, user: AuthUser, worker: int) -> None:
        n = 0
        while not stop.is_set():
            await send(client, user, f"w{worker}-{n}")
            n += 1

    async with asyncio.timeout(90), app_client(create_app(config)) as client:
        user = await create_user(client)
        writers = [asyncio.create_task(writer(client, user, w)) for w in range(WORKERS)]
        await until_answered(201, 20)
        await proxy.cut()
        await until_answered(503, 20)
        await proxy.restore()
        await until_answered(201, 20 + _answered(answers, 201))
        stop.set()
        await asyncio.gather(*writers)
        unanswered = [key for key, tries in answers.items() if tries[-1][0] == 503]
        for key in unanswered:
            for _ in range(RETRIES):
                status = await send(client, user, key)
                if status == 409:
                    # The failed attempt's claim is being released (its
                    # release waited for the database): as Retry-After says.
                    await asyncio.sleep(1)
                elif status != 503:
                    break

    engine = create_async_engine(committed_database)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Post.id, Post.title))).all()
    await engine.dispose()
    stored = {title.removeprefix("Keyed "): str(post_id) for post_id, title in rows}
    final = {key: tries[-1] for key, tries in answers.items()}
    logger.info(
        "idempotent_retry_drill",
        keys=len(answers),
        retried=len(unanswered),
        replayed=sum(replayed for _, _, replayed in final.values()),
    )
    assert unanswered
    assert {status for status, _, _ in final.values()} == {201}
    # One post per key, and the answer a
    # key finally got names that post.
    assert len(rows) == len(answers)
    assert {key: created for key, (_, created, _) in final.items()} == stored


def _answered(
    answers: dict[str, list[tuple[int, str | None, bool]]], status: int
) -> int:
    return sum(tries[-1][0] == status for tries in answers.values())
