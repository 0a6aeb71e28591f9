"""A connection pool that serves waiting requests in the order they came.

SQLAlchemy's asyncio pool lets a request that arrives just as a connection
is returned take it ahead of the requests already waiting, which then go to
the back of the line. Under load (more requests in flight than connections)
some wait seconds, and past `DATABASE_POOL_TIMEOUT` get 503, while the
average looks fine (docs/decisions/fair-pool.md). Here a returned connection
goes to the longest waiter, and newcomers queue behind waiters.

It also keeps the overflow: SQLAlchemy closes a connection returned to a
pool that already holds `pool_size` idle ones, so a worker that serves a
little more concurrency than `pool_size` opens and closes connections all
the time (each a TCP handshake, an authentication and its statements
prepared again). Here up to `max_overflow` more stay idle, and the one that
has been idle for `SURPLUS_IDLE_SECONDS` is closed: a burst's connections
outlive the burst by that long, no more.

Upstream: sqlalchemy/sqlalchemy#7679 ("QueuePool connection allocation can
starve threads"), open. This subclass plugs in through the pool's
`_queue_class` attribute and SQLAlchemy's `QueueCommon`, which are not public
API: pyproject.toml pins SQLAlchemy below 2.2, and tests/test_pool.py fails if
a release changes that contract.
"""

import asyncio
import time
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon

# How long a connection beyond `pool_size` may stay idle before it is closed.
SURPLUS_IDLE_SECONDS = 60.0


class FairQueue[T](QueueCommon[T]):
    """The idle connections, and the requests waiting for one, in order.

    It holds up to `maxsize` idle connections, and `surplus` more for
    `SURPLUS_IDLE_SECONDS`. The most recently returned is handed out first,
    so that when demand falls the surplus is the part left idle.
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = True) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self.surplus = 0
        # Each idle connection with the moment it was returned, oldest first.
        self._idle: deque[tuple[T, float]] = deque()
        self._waiters: deque[asyncio.Future[T]] = deque()

    def empty(self) -> bool:
        return not self._idle

    def full(self) -> bool:
        return self.maxsize > 0 and self.maxsize + self.surplus <= len(self._idle)

    def expired(self, now: float) -> Iterator[T]:
        """Take out the idle connections beyond `maxsize` that have been idle
        for `SURPLUS_IDLE_SECONDS`, for the pool to close."""
        while (
            len(self._idle) > self.maxsize
            and now - self._idle[0][1] >= SURPLUS_IDLE_SECONDS
        ):
            yield self._idle.popleft()[0]

    def qsize(self) -> int:
        return len(self._idle)

    @property
    def waiting(self) -> int:
        """How many requests wait for a connection."""
        return sum(not waiter.done() for waiter in self._waiters)

    def put_nowait(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        if self.full():
            raise Full
        self._idle.append((item, time.monotonic()))

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        # The pool never waits to return a connection: a full pool closes it.
        self.put_nowait(item)

    def get_nowait(self) -> T:
        if not self._idle:
            raise Empty
        return (self._idle.pop() if self.use_lifo else self._idle.popleft())[0]

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        # Idle connections and waiters never coexist: `put_nowait` hands a
        # connection to a waiter before it would be left idle.
        if self._idle or not block:
            return self.get_nowait()
        return await_(self._wait(patience=timeout))

    async def _wait(self, *, patience: float | None) -> T:
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(patience):
                return await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection just as this wait was cut short (its
                # timeout, a cancelled request): pass it on, not lose it.
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
                with suppress(ValueError):
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise Empty from exc
            raise


class FairAsyncQueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio pool, with waiters served first come, first
    served, and its overflow kept while it is in use."""

    _queue_class: type[QueueCommon[ConnectionPoolEntry]] = FairQueue

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self._pool, FairQueue):
            self._pool.surplus = max(self._max_overflow, 0)

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        super()._do_return_conn(record)
        if isinstance(self._pool, FairQueue):
            for idle in self._pool.expired(time.monotonic()):
                idle.close()
                self._dec_overflow()

    def waiting(self) -> int:
        """How many requests wait for a connection."""
        return self._pool.waiting if isinstance(self._pool, FairQueue) else 0
