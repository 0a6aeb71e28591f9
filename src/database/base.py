import re
from collections.abc import AsyncIterator, Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, ClassVar, NamedTuple, Protocol

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, Select, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import greenlet_spawn

from src.config import Config
from src.pool import FairAsyncQueuePool

POSTGRES_INDEXES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

# Seconds SQLite waits for another connection's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 5000


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are
    stored as naive UTC and given their zone back when loaded.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=POSTGRES_INDEXES_NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


_PG_CONSTRAINT = re.compile(r'unique constraint "(?P<name>[^"]+)"')
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(?P<name>[^']+)'")
_SQLITE_COLUMN = re.compile(
    r"UNIQUE constraint failed: (?P<table>\w+)\.(?P<column>\w+)"
)


def unique_violation(exc: IntegrityError) -> str | None:
    """The name of the unique constraint `exc` violated, if that is what it is.

    SQLite names only the columns of a plain constraint; the name is then
    rebuilt with the naming convention (`{table}_{column}_key`).
    """
    message = str(exc.orig)
    if match := _PG_CONSTRAINT.search(message) or _SQLITE_INDEX.search(message):
        return match["name"]
    if match := _SQLITE_COLUMN.search(message):
        return f"{match['table']}_{match['column']}_key"
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)


def create_engine(config: Config) -> AsyncEngine:
    """Create the application's engine for `config.DATABASE_URL`."""
    pool_options: dict[str, Any] = {
        "poolclass": FairAsyncQueuePool,
        "pool_size": config.DATABASE_POOL_SIZE,
        "max_overflow": config.DATABASE_MAX_OVERFLOW,
        "pool_timeout": config.DATABASE_POOL_TIMEOUT,
    }
    if config.is_sqlite:
        engine = create_async_engine(config.DATABASE_URL, **pool_options)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        config.DATABASE_URL,
        **pool_options,
        pool_pre_ping=config.DATABASE_POOL_PRE_PING,
        pool_recycle=1800,
        connect_args={
            "timeout": config.DATABASE_CONNECT_TIMEOUT,
            "command_timeout": config.DATABASE_COMMAND_TIMEOUT,
            "server_settings": {"application_name": "publishing-api"},
        },
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that
        # SAVEPOINTs work and SQLAlchemy's BEGIN below is the only one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # IMMEDIATE takes the write lock up front: a deferred transaction that
        # later writes can fail with "database is locked" without waiting.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for requests that only read, sharing its pool: autocommit, so
    no BEGIN and COMMIT round trips.

    Each statement runs on its own, as it would under READ COMMITTED anyway;
    on SQLite, readers then no longer queue behind `BEGIN IMMEDIATE`.
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def get_async_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: committed before the response is sent.

    Safe methods (GET, HEAD, OPTIONS) never write, so they get a session
    without a transaction, and nothing to commit unless objects changed.
    """
    if request.method in SAFE_METHODS:
        read_sessionmaker: async_sessionmaker[AsyncSession] = (
            request.state.read_sessionmaker
        )
        async with read_sessionmaker() as session:
            yield session
            # A commit costs a tenth of a cached read's CPU; skip the no-op.
            if session.new or session.dirty or session.deleted:
                await session.commit()
        return
    sessionmaker: async_sessionmaker[AsyncSession] = request.state.async_sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function" runs the commit before the response goes out, so a failed
# commit is answered with an error and never with a 2xx.
SessionDep = Annotated[AsyncSession, Depends(get_async_session, scope="function")]


type ReadBind = AsyncEngine | AsyncConnection


async def get_read_bind(request: Request) -> ReadBind:
    """Where reads outside a unit of work run (`fetch_one`): the pool.

    A plain function, not a generator: nothing is held between dependencies,
    a connection is borrowed only for the statement.
    """
    engine: AsyncEngine = request.state.read_engine
    return engine


ReadBindDep = Annotated[ReadBind, Depends(get_read_bind)]


type AnySelect = Select[*tuple[Any, ...]]


class _DriverStatement(NamedTuple):
    sql: str
    parameter_names: tuple[str, ...]


# Bounded: a statement built per call would otherwise stay here for good.
@lru_cache(maxsize=64)
def _driver_statement(statement: AnySelect, dialect: Dialect) -> _DriverStatement:
    compiled = statement.compile(dialect=dialect)
    return _DriverStatement(str(compiled), tuple(compiled.positiontup or ()))


class FetchedRow(Protocol):
    """A row whose values are looked up by column name."""

    def __getitem__(self, name: str, /) -> Any: ...


async def fetch_one(
    bind: ReadBind, statement: AnySelect, parameters: Mapping[str, Any]
) -> FetchedRow | None:
    """The first row of a read-only `statement`, or None.

    For hot reads of plain columns. On asyncpg the statement, compiled once
    (build it once too), runs on the driver connection itself, borrowed from
    the pool for just this call: SQLAlchemy's connection, execution and result
    layers cost as much CPU as the rest of the request together (README,
    Benchmarks). Values are then the driver's own, without column type
    processing. Other drivers take SQLAlchemy's usual path.
    """
    if bind.dialect.driver != "asyncpg":
        # The test's own connection is used as is; the engine lends one.
        borrowed = (
            nullcontext(bind) if isinstance(bind, AsyncConnection) else bind.connect()
        )
        async with borrowed as connection:
            result = await connection.execute(statement, parameters)
            return result.mappings().first()
    driver_statement = _driver_statement(statement, bind.dialect)
    arguments = [parameters[name] for name in driver_statement.parameter_names]
    if isinstance(bind, AsyncConnection):
        raw = await bind.get_raw_connection()
        return await _fetchrow(raw.driver_connection, driver_statement, arguments)
    pooled = await bind.raw_connection()
    driver: Any = pooled.driver_connection
    try:
        return await _fetchrow(driver, driver_statement, arguments)
    except BaseException as exc:
        # As SQLAlchemy does for its own statements: a connection that failed
        # mid-statement leaves the pool, and a lost one is reported as a
        # disconnect (answered 503), not as a bug.
        lost = driver.is_closed()
        await greenlet_spawn(pooled.invalidate, exc)
        if lost:
            raise DBAPIError(
                driver_statement.sql, None, exc, connection_invalidated=True
            ) from exc
        raise
    finally:
        # Returning a connection may close it (pool overflow), which awaits.
        await greenlet_spawn(pooled.close)


async def _fetchrow(
    driver: Any, statement: _DriverStatement, arguments: list[Any]
) -> FetchedRow | None:
    row: FetchedRow | None = await driver.fetchrow(statement.sql, *arguments)
    return row
