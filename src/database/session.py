"""Sessions: for units of work (src/database/unit_of_work.py), and for
reads, which never open a write transaction.

A read session runs on the autocommit engine, refuses to flush, and hands
its pooled connection back after every statement, so nothing is held while
the request does slow work (hashing a password, streaming an upload).
"""

from typing import Any

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

from src.database.unit_of_work import UnitsOfWork

# Where reads outside a session run: the pool in autocommit (or a test's
# connection).
type ReadBind = AsyncEngine | AsyncConnection


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


def create_units_of_work(
    bind: AsyncEngine | AsyncConnection,
    *,
    join_transaction_mode: JoinTransactionMode = "conditional_savepoint",
) -> UnitsOfWork:
    """Units of work on `bind`: the engine, or a test's connection, whose
    transaction each unit of work then enters as a savepoint."""
    return UnitsOfWork(
        async_sessionmaker(
            bind, expire_on_commit=False, join_transaction_mode=join_transaction_mode
        )
    )


def create_read_sessionmaker(
    read_bind: ReadBind,
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
