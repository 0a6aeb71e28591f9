import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, MetaData, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from src.config import Config

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
    if config.is_sqlite:
        engine = create_async_engine(
            config.DATABASE_URL,
            pool_size=config.DATABASE_POOL_SIZE,
            max_overflow=config.DATABASE_MAX_OVERFLOW,
            pool_timeout=config.DATABASE_POOL_TIMEOUT,
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        config.DATABASE_URL,
        pool_size=config.DATABASE_POOL_SIZE,
        max_overflow=config.DATABASE_MAX_OVERFLOW,
        pool_timeout=config.DATABASE_POOL_TIMEOUT,
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


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: no BEGIN and COMMIT round trips.

    Each statement runs on its own, as it would under READ COMMITTED anyway;
    on SQLite, readers then no longer queue behind `BEGIN IMMEDIATE`.
    """
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


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
