"""The two ways a request reaches the database, given to routes by dependency.

- `ReadSession`: lookups and reads. No write transaction is ever opened: the
  session runs on the autocommit engine, refuses to flush, and hands its
  pooled connection back after every statement, so nothing is held while the
  request does slow work (hashing a password, streaming an upload).
- `UnitOfWork`: one transaction for a request's writes. It opens at the first
  statement and is committed before the response is sent, so a route that
  prepares its write first (hash, upload) holds no lock and no connection
  while it does. Put only database statements inside it.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.session import JoinTransactionMode

from src.jobs.service import recorded_jobs
from src.web.state import app_state


class ReadOnlySession(Session):
    """A session for reads: refuses to flush; statement by statement."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_writes(session: Session, *_: Any) -> None:
    raise RuntimeError("a read session does not write: use the unit of work")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _release_connection(state: ORMExecuteState) -> Result[Any]:
    # Buffer the rows, then end the (autocommit) transaction: the pooled
    # connection goes back at once instead of at the end of the request.
    frozen = state.invoke_statement().freeze()
    state.session.commit()
    return frozen()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for units of work on `engine`."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(
    read_bind: AsyncEngine | AsyncConnection,
    *,
    join_transaction_mode: JoinTransactionMode = "conditional_savepoint",
) -> async_sessionmaker[AsyncSession]:
    """Read-only sessions on the autocommit engine (or a test's connection,
    whose transaction `join_transaction_mode` leaves alone).
    """
    return async_sessionmaker(
        read_bind,
        expire_on_commit=False,
        sync_session_class=ReadOnlySession,
        join_transaction_mode=join_transaction_mode,
    )


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session for lookups and reads."""
    async with app_state(request).read_sessionmaker() as session:
        yield session


async def get_unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """A session whose transaction holds the request's writes, committed before
    the response is sent and rolled back on any error.
    """
    state = app_state(request)
    async with state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            recorded_jobs(session)
            raise
        # The jobs the transaction recorded go to the broker now; if that
        # fails, the relay hands them over later.
        state.jobs.hand_off(recorded_jobs(session))


ReadSession = Annotated[AsyncSession, Depends(get_read_session)]
# scope="function" runs the commit before the response goes out, so a failed
# commit is answered with an error and never with a 2xx.
UnitOfWork = Annotated[AsyncSession, Depends(get_unit_of_work, scope="function")]


# Opens a unit of work of its own, committed when its block ends.
type UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def units_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> UnitOfWorkFactory:
    """Units of work on `sessionmaker`'s engine, for work that outlives a request."""

    @asynccontextmanager
    async def unit_of_work() -> AsyncGenerator[AsyncSession]:
        async with sessionmaker() as session, session.begin():
            yield session

    return unit_of_work


type ReadBind = AsyncEngine | AsyncConnection


async def get_read_bind(request: Request) -> ReadBind:
    """Where reads outside a session run (`fetch_one`): the pool.

    A plain function, not a generator: nothing is held between dependencies,
    a connection is borrowed only for the statement.
    """
    return app_state(request).read_engine


ReadBindDep = Annotated[ReadBind, Depends(get_read_bind)]
