"""The contract of src/database/reads.py, on the database of the run: what a
named statement gives back is what SQLAlchemy would give (types converted
both ways), it is compiled once, and a connection lost under it leaves the
pool and is reported as a disconnect."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    bindparam,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import src.main  # noqa: F401 (its routers import every service, so every statement)
from src.config import Settings
from src.database import reads
from src.database.base import UTCDateTime
from src.database.engine import create_engine, create_read_engine
from src.database.reads import STATEMENTS, Statement, fetch_all, fetch_one
from src.database.session import create_units_of_work

pytestmark = pytest.mark.anyio

STAMPS = Table(
    "test_read_stamp",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime()),
)
WRITTEN = datetime(2026, 3, 1, 15, 30, 45, 123456, tzinfo=timezone(timedelta(hours=5)))


def _stamp(row: Any) -> tuple[int, datetime]:
    return int(row[0]), row[1]


def _stamp_by_time() -> Any:
    return select(STAMPS.c.id, STAMPS.c.at).where(STAMPS.c.at == bindparam("at"))


# Not registered: a statement of this test's own table.
STAMP_BY_TIME = Statement("test_stamp_by_time", _stamp_by_time, _stamp)


@pytest.fixture
async def engine(
    test_settings: Settings, committed_database: str
) -> AsyncIterator[AsyncEngine]:
    """The application's engine on the run's database, with a table of
    timestamps (dropped afterwards)."""
    engine = create_engine(test_settings.app)
    async with engine.begin() as conn:
        await conn.run_sync(STAMPS.create)
        await conn.execute(insert(STAMPS).values(id=1, at=WRITTEN))
    yield engine
    async with engine.begin() as conn:
        await conn.run_sync(STAMPS.drop)
    await engine.dispose()


async def test_columns_and_parameters_are_converted_as_sqlalchemy_does(
    engine: AsyncEngine,
) -> None:
    read_engine = create_read_engine(engine)
    # The parameter, in another zone, goes through the type's bind
    # processor; the column comes back aware, in UTC.
    in_utc = WRITTEN.astimezone(UTC)

    through_the_pool = await fetch_one(read_engine, STAMP_BY_TIME, at=in_utc)
    async with create_units_of_work(engine)() as uow:
        in_a_transaction = await fetch_all(uow, STAMP_BY_TIME, at=WRITTEN)

    assert through_the_pool == (1, WRITTEN)
    assert through_the_pool is not None
    assert through_the_pool[1].tzinfo == UTC
    assert in_a_transaction == [(1, WRITTEN)]


async def test_a_naive_timestamp_parameter_is_refused(engine: AsyncEngine) -> None:
    naive = datetime(2026, 3, 1, 10, 30, 45)  # noqa: DTZ001 (the point of the test)

    with pytest.raises((ValueError, StatementError), match="naive datetime"):
        await fetch_one(create_read_engine(engine), STAMP_BY_TIME, at=naive)


async def test_a_statement_is_built_and_compiled_once(engine: AsyncEngine) -> None:
    read_engine = create_read_engine(engine)
    built = []

    def build() -> Any:
        built.append(True)
        return _stamp_by_time()

    statement = Statement("test_built_once", build, _stamp)
    compiled_before = reads._driver_statement.cache_info().misses

    for _ in range(3):
        assert await fetch_one(read_engine, statement, at=WRITTEN) == (1, WRITTEN)

    assert len(built) == 1
    # On asyncpg, compiled here once; elsewhere SQLAlchemy's own cache serves.
    compiled = reads._driver_statement.cache_info().misses - compiled_before
    assert compiled == (1 if engine.dialect.driver == "asyncpg" else 0)


async def test_a_connection_lost_under_a_read_leaves_the_pool(
    engine: AsyncEngine,
) -> None:
    read_engine = create_read_engine(engine)
    await fetch_one(read_engine, STAMP_BY_TIME, at=WRITTEN)
    if engine.dialect.name == "postgresql":
        # The server ends the idle pooled connection (a restart, a failover).
        other = create_async_engine(engine.url)
        async with other.connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() "
                    "AND application_name = 'publishing-api'"
                )
            )
        await other.dispose()
    else:
        # The file handle dies under the next statement.
        def lose(connection: Any, *_: Any) -> None:
            connection.connection.driver_connection._connection.close()

        event.listen(engine.sync_engine, "before_cursor_execute", lose, once=True)

    with pytest.raises(DBAPIError) as lost:
        await fetch_one(read_engine, STAMP_BY_TIME, at=WRITTEN)

    assert lost.value.connection_invalidated
    # The next read gets a new connection.
    assert await fetch_one(read_engine, STAMP_BY_TIME, at=WRITTEN) == (1, WRITTEN)


@pytest.mark.database_independent
@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_every_named_statement_compiles_on_both_databases(name: str) -> None:
    statement = STATEMENTS[name]
    for url in ("postgresql+asyncpg://u@localhost/db", "sqlite+aiosqlite://"):
        # An engine connects only when asked: this one never is.
        dialect = create_async_engine(url).dialect
        assert str(statement.select.compile(dialect=dialect))
