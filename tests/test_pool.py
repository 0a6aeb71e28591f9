"""The connection pool serves waiting requests in the order they came."""

import asyncio
import time
from collections.abc import Callable

import pytest
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.queue import Empty, Full

from src.config import Config
from src.database.engine import create_engine
from src.database.pool import SURPLUS_IDLE_SECONDS, FairAsyncQueuePool, FairQueue

pytestmark = pytest.mark.anyio


async def _until(condition: Callable[[], bool]) -> None:
    # Nothing signals "queued", so let the other tasks run until it holds.
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0)


def _get(queue: FairQueue[str], timeout: float = 5) -> "asyncio.Task[str]":
    # The pool calls the queue from SQLAlchemy's greenlet, as here.
    return asyncio.create_task(greenlet_spawn(queue.get, True, timeout))


async def test_a_returned_item_goes_to_the_first_waiter_not_a_newcomer() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    first = _get(queue)
    await _until(lambda: queue.waiting == 1)

    queue.put_nowait("connection")
    newcomer = _get(queue)
    await _until(lambda: queue.waiting == 1)

    assert await first == "connection"
    assert not newcomer.done()
    queue.put_nowait("connection")
    assert await newcomer == "connection"


async def test_waiters_are_served_in_arrival_order() -> None:
    queue: FairQueue[int] = FairQueue(maxsize=3)
    waiters = []
    for _ in range(3):
        waiters.append(asyncio.create_task(greenlet_spawn(queue.get, True, 5)))
        await _until(lambda: queue.waiting == len(waiters))
    for item in range(3):
        queue.put_nowait(item)
    assert [await waiter for waiter in waiters] == [0, 1, 2]


async def test_a_wait_past_its_timeout_is_empty_and_leaves_the_line() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    with pytest.raises(Empty):
        await greenlet_spawn(queue.get, True, 0.01)
    assert queue.waiting == 0
    queue.put_nowait("connection")
    assert queue.qsize() == 1


async def test_an_item_handed_to_a_cancelled_waiter_is_not_lost() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    cancelled = _get(queue)
    await _until(lambda: queue.waiting == 1)

    queue.put_nowait("connection")
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert queue.get_nowait() == "connection"


def _one_connection_engine(database_url: str, pool_timeout: float) -> AsyncEngine:
    return create_engine(
        Config(
            DATABASE_URL=database_url,
            DATABASE_POOL_SIZE=1,
            DATABASE_MAX_OVERFLOW=0,
            DATABASE_POOL_TIMEOUT=pool_timeout,
        )
    )


async def test_the_engine_hands_connections_out_in_arrival_order(
    database_url: str,
) -> None:
    engine = _one_connection_engine(database_url, pool_timeout=5)
    pool = engine.pool
    assert isinstance(pool, FairAsyncQueuePool)
    order: list[str] = []

    async def query(name: str) -> None:
        async with engine.connect() as connection:
            order.append(name)
            await connection.execute(text("SELECT 1"))

    try:
        holder: AsyncConnection = await engine.connect()
        first = asyncio.create_task(query("first"))
        await _until(lambda: pool.waiting() == 1)
        second = asyncio.create_task(query("second"))
        await _until(lambda: pool.waiting() == 2)

        # Give the connection back and ask again at once, as a request that
        # finishes while another starts: the waiters still go first.
        await holder.close()
        await query("newcomer")
        await asyncio.gather(first, second)
    finally:
        await engine.dispose()
    assert order == ["first", "second", "newcomer"]


async def test_the_engine_times_out_a_wait_as_sqlalchemy_does(
    database_url: str,
) -> None:
    engine = _one_connection_engine(database_url, pool_timeout=0.05)
    try:
        async with engine.connect():
            with pytest.raises(sa_exc.TimeoutError):
                await engine.connect()
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()


def test_the_surplus_is_kept_idle_until_it_has_been_idle_a_while() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    queue.surplus = 1
    queue.put_nowait("kept")
    queue.put_nowait("surplus")
    with pytest.raises(Full):
        queue.put_nowait("one too many")
    now = time.monotonic()
    assert list(queue.expired(now)) == []

    assert list(queue.expired(now + SURPLUS_IDLE_SECONDS)) == ["kept"]
    # What stays is `maxsize` connections, the most recently returned.
    assert queue.qsize() == 1
    assert queue.get_nowait() == "surplus"


def test_the_most_recently_returned_connection_is_handed_out_first() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=2)
    queue.put_nowait("older")
    queue.put_nowait("newer")
    assert queue.get_nowait() == "newer"


async def test_a_worker_busier_than_the_pool_size_opens_no_connection_again(
    database_url: str,
) -> None:
    # More requests at once than pool_size, over and over: the overflow's
    # connections are reused, not closed on return and opened again.
    engine = create_engine(
        Config(DATABASE_URL=database_url, DATABASE_POOL_SIZE=2, DATABASE_MAX_OVERFLOW=2)
    )
    pool = engine.pool
    assert isinstance(pool, FairAsyncQueuePool)
    opened: list[object] = []
    event.listen(pool, "connect", lambda conn, _: opened.append(conn))
    gate = asyncio.Event()

    async def query() -> None:
        async with engine.connect() as connection:
            await gate.wait()
            await connection.execute(text("SELECT 1"))

    try:
        for _ in range(20):
            gate.clear()
            burst = [asyncio.create_task(query()) for _ in range(4)]
            await _until(lambda: pool.checkedout() == 4)
            gate.set()
            await asyncio.gather(*burst)
        assert len(opened) == 4
        assert pool.checkedin() == 4
    finally:
        await engine.dispose()
