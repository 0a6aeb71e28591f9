"""Engines for `DATABASE_URL`: PostgreSQL through asyncpg, SQLite through aiosqlite."""

import os
from typing import Any

from pydantic_core import from_json
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from src.config import Config
from src.database.pool import FairAsyncQueuePool

# Milliseconds SQLite waits for another connection's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(config: Config) -> AsyncEngine:
    """Create the application's engine for `config.DATABASE_URL`."""
    pool_options: dict[str, Any] = {
        "poolclass": FairAsyncQueuePool,
        "pool_size": config.DATABASE_POOL_SIZE,
        "max_overflow": config.DATABASE_MAX_OVERFLOW,
        "pool_timeout": config.DATABASE_POOL_TIMEOUT,
        # The busiest connections are reused, so a surplus left idle when
        # demand falls is closed (src/database/pool.py).
        "pool_use_lifo": True,
        # A failed statement's parameters (emails, hashes, tokens' digests)
        # stay out of its error message, and so out of the logs.
        "hide_parameters": True,
        # JSON columns (a post's tags) are read on every list page: Pydantic's
        # parser takes a fraction of the standard library's time per value.
        "json_deserializer": from_json,
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
            **_loopback_without_tls(config.DATABASE_URL),
        },
    )


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _loopback_without_tls(database_url: str) -> dict[str, Any]:
    """`ssl=False` for a database on this machine when neither the URL nor
    PGSSLMODE chooses: asyncpg would otherwise try TLS first on every new
    connection (a round trip and an SSL context each time) for traffic that
    never leaves the machine."""
    url = make_url(database_url)
    chosen = {"ssl", "sslmode"} & set(url.query) or "PGSSLMODE" in os.environ
    host = url.host or url.query.get("host")
    # No host: libpq's default, a Unix socket on this machine.
    local = host is None or (
        isinstance(host, str) and (host in LOOPBACK_HOSTS or host.startswith("/"))
    )
    return {"ssl": False} if local and not chosen else {}


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


def create_read_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for requests that only read, sharing its pool: autocommit, so
    no BEGIN and COMMIT round trips.

    Each statement runs on its own, as it would under READ COMMITTED anyway;
    on SQLite, readers then no longer queue behind `BEGIN IMMEDIATE`.
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")
