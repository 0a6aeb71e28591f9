"""Slow work (an upload to storage, password hashing) runs with no database
transaction open and no pooled connection held.

A gate holds the slow part still while the test looks at the database, so
nothing here depends on timing.
"""

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from src.auth import utils as auth_utils
from src.aws.client import Storage
from src.aws.local import LocalDiskStorage
from src.aws.schemas import Chunks
from src.config import Settings
from src.main import create_app
from src.web.dependencies import get_storage
from tests.factories import create_post, create_user, upload_attachment, user_payload
from tests.utils import app_client, with_app_settings

pytestmark = pytest.mark.anyio

logger = structlog.get_logger("tests.units_of_work")

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
# Long enough for a loaded machine, short of hanging CI on a regression.
DEADLINE_SECONDS = 30


class GatedStorage(LocalDiskStorage):
    """Local storage whose uploads wait at a gate the test opens."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.inside = 0
        self.changed = asyncio.Condition()
        self.gate = asyncio.Event()

    async def put(self, key: str, chunks: Chunks, *, content_type: str) -> int:
        async with self.changed:
            self.inside += 1
            self.changed.notify_all()
        await self.gate.wait()
        return await super().put(key, chunks, content_type=content_type)

    async def wait_inside(self, count: int) -> None:
        async with asyncio.timeout(DEADLINE_SECONDS), self.changed:
            await self.changed.wait_for(lambda: self.inside >= count)


async def _until(condition: Callable[[], bool]) -> None:
    # For state of a thread pool, which has nothing to await: look again.
    async with asyncio.timeout(DEADLINE_SECONDS):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.fixture
def storage(tmp_path: Path) -> GatedStorage:
    return GatedStorage(tmp_path / "files")


type GatedClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def gated_app(
    settings: Settings, committed_database: str, storage: GatedStorage
) -> GatedClient:
    """A client of an app on real, committed sessions and the gated storage."""

    def client(**overrides: object) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        app = create_app(with_app_settings(settings, **overrides))

        async def gated() -> Storage:
            return storage

        app.dependency_overrides[get_storage] = gated
        return app_client(app)

    return client


# An upload with an Idempotency-Key claims the key and commits the claim
# before the file goes to the store.
KEYS = [None, "upload-1"]


@pytest.mark.parametrize("key", KEYS)
async def test_another_users_write_succeeds_while_an_upload_is_in_progress(
    gated_app: GatedClient,
    storage: GatedStorage,
    settings: Settings,
    database_url: str,
    key: str | None,
) -> None:
    async with gated_app() as client:
        author = await create_user(client)
        other = await create_user(client)
        post = await create_post(client, author)
        upload = asyncio.create_task(
            upload_attachment(client, post["id"], author, PNG, "pixel.png", key=key)
        )
        await storage.wait_inside(1)

        if settings.app.is_sqlite:
            # Nobody holds SQLite's write lock: it is free to take at once.
            path = make_url(settings.app.DATABASE_URL).database or ""
            probe = sqlite3.connect(path, timeout=0, isolation_level=None)
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            probe.close()
        else:
            assert await _transactions_open(database_url) == 0
        if key is not None:
            # The key's claim is committed: a repeat meanwhile is told at once.
            meanwhile = await upload_attachment(
                client, post["id"], author, PNG, "pixel.png", key=key
            )
            assert meanwhile.status_code == 409
            assert meanwhile.headers["Retry-After"] == "1"
        written = await client.post(
            "/posts", json={"title": "Meanwhile", "content": "x"}, headers=other.headers
        )
        assert written.status_code == 201

        storage.gate.set()
        assert (await upload).status_code == 201
        if key is not None:
            repeat = await upload_attachment(
                client, post["id"], author, PNG, "pixel.png", key=key
            )
            assert repeat.status_code == 201
            assert repeat.headers["Idempotent-Replayed"] == "true"
            assert repeat.json() == (await upload).json()


@pytest.mark.postgres
@pytest.mark.parametrize("keyed", [False, True])
async def test_uploads_beyond_the_pool_size_hold_no_connection(
    gated_app: GatedClient,
    storage: GatedStorage,
    database_url: str,
    keyed: bool,
) -> None:
    pool = 2
    uploads = 3 * pool
    async with gated_app(
        DATABASE_POOL_SIZE=pool, DATABASE_MAX_OVERFLOW=0, DATABASE_POOL_TIMEOUT=2
    ) as client:
        author = await create_user(client)
        post = await create_post(client, author)
        tasks = [
            asyncio.create_task(
                upload_attachment(
                    client,
                    post["id"],
                    author,
                    PNG,
                    "pixel.png",
                    key=f"upload-{n}" if keyed else None,
                )
            )
            for n in range(uploads)
        ]
        # Every upload is at the store at once: none waits for a connection.
        await storage.wait_inside(uploads)
        transactions = await _transactions_open(database_url)
        logger.info(
            "units_of_work_drill",
            pool_connections=pool,
            uploads_at_the_store=storage.inside,
            transactions_open=transactions,
        )
        assert transactions == 0

        storage.gate.set()
        responses = await asyncio.gather(*tasks)

    assert [r.status_code for r in responses] == [201] * uploads


async def _transactions_open(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'publishing-api' "
                    "AND datname = current_database() AND xact_start IS NOT NULL"
                )
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def test_logins_waiting_for_the_hasher_do_not_block_writes(
    gated_app: GatedClient, settings: Settings
) -> None:
    async with gated_app() as client:
        writer = await create_user(client)
        payloads = [user_payload() for _ in range(4)]
        for payload in payloads:
            assert (await client.post("/auth/users", json=payload)).status_code == 201

        # Occupy the hashing thread: the logins queue behind it, mid-request.
        gate = threading.Event()
        executor = auth_utils.hash_queue(settings.auth).executor
        blocker = executor.submit(gate.wait)
        logins = [
            asyncio.create_task(
                client.post(
                    "/auth/token",
                    data={"username": p["username"], "password": p["password"]},
                )
            )
            for p in payloads
        ]
        # ThreadPoolExecutor's queue: every login is waiting for a hash.
        await _until(lambda: executor._work_queue.qsize() == len(payloads))

        written = await client.post(
            "/posts",
            json={"title": "Meanwhile", "content": "x"},
            headers=writer.headers,
        )
        assert written.status_code == 201

        gate.set()
        blocker.result()
        assert [r.status_code for r in await asyncio.gather(*logins)] == [200] * 4
