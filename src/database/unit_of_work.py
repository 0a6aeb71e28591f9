"""The unit of work: the one seam through which the application writes.

A unit of work owns one transaction. SQLAlchemy begins it at the first
statement; it is committed or rolled back here and nowhere else (services
flush when they need ids or constraint errors, and never commit). It also
owns what follows the transaction: work owed only once the writes are
durable (handing a job to the broker, dropping a cached read, publishing an
event) runs after the commit and never after a rollback; clean-up owed only
if the writes are lost (a stored file whose row was not written) runs after
a rollback and never after a commit.

A service asks in one of two ways:

- `after_commit(hook)` / `after_rollback(hook)`: a coroutine of its own,
  for this unit of work only.
- `info`: facts the transaction recorded for the infrastructure (the job
  ids of the outbox). The factory's listeners, registered by the app
  factory, act on them after each commit; this package knows none of them.

Slow work (hashing, object storage, the network) never runs inside the
transaction: do it before the first statement, or after the commit.
"""

from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Self

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

logger = structlog.get_logger(__name__)

type Hook = Callable[[], Awaitable[None]]
type Listener = Callable[["UnitOfWork"], Awaitable[None]]


class UnitOfWork:
    """One transaction and what follows it. As `async with`: committed when
    the block ends, rolled back if it raises.
    """

    def __init__(
        self, session: AsyncSession, listeners: Sequence[Listener] = ()
    ) -> None:
        self.session = session
        # What the transaction recorded for the listeners; emptied after each
        # commit and by a rollback.
        self.info: dict[str, Any] = {}
        self._listeners = listeners
        self._after_commit: list[Hook] = []
        self._after_rollback: list[Hook] = []
        self._keep_writes = False

    def after_commit(self, hook: Hook) -> None:
        """Run `hook` once the transaction has committed; never if it rolls back."""
        self._after_commit.append(hook)

    def after_rollback(self, hook: Hook) -> None:
        """Run `hook` if the transaction rolls back; never if it commits."""
        self._after_rollback.append(hook)

    def keep_writes(self) -> None:
        """Commit what was written so far even though the block then raises:
        a write that must stand while the request fails (a revocation that
        is answered with 401).
        """
        self._keep_writes = True

    async def commit(self) -> None:
        """Commit, then run the after-commit hooks and the listeners.

        They run once the writes are durable: a hook that fails is logged,
        and the commit stands.
        """
        try:
            await self.session.commit()
        except BaseException:
            await self.rollback()
            raise
        hooks, self._after_commit = self._after_commit, []
        self._after_rollback.clear()
        for hook in hooks:
            await _effect(hook(), "after_commit_failed")
        for listener in self._listeners:
            await _effect(listener(self), "commit_listener_failed")
        self.info.clear()

    async def rollback(self) -> None:
        """Roll back, then run the after-rollback hooks; nothing recorded
        for after a commit will happen."""
        hooks, self._after_rollback = self._after_rollback, []
        self._after_commit.clear()
        self.info.clear()
        try:
            await self.session.rollback()
        finally:
            for hook in hooks:
                await _effect(hook(), "after_rollback_failed")

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc is None or (self._keep_writes and isinstance(exc, Exception)):
                await self.commit()
            else:
                try:
                    await self.rollback()
                except Exception as failed:
                    # The block's own error is the one to report; the server
                    # rolls back a transaction whose connection is gone.
                    logger.warning("rollback_failed", error=repr(failed))
        finally:
            await self.session.close()


async def _effect(effect: Awaitable[None], event: str) -> None:
    try:
        await effect
    except Exception as exc:
        logger.error(event, error=repr(exc))


class UnitsOfWork:
    """Opens units of work: `async with units() as uow:`."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        """Run `listener(unit_of_work)` after every commit of every unit of
        work opened here (the app factory hands the outbox to the broker)."""
        self._listeners.append(listener)

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessionmaker(), self._listeners)
