import asyncio
from logging.config import fileConfig
from typing import Any, Literal

from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from src.config import Config
from src.database.base import Base, UTCDateTime
from src.domains import MODELS  # noqa: F401 (registers every table)

config = context.config

# The application's own logging is already set up when it migrates itself.
if config.config_file_name is not None and config.attributes.get(
    "configure_logger", True
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Every domain's tables, registered by importing their models (src/domains.py).
target_metadata = Base.metadata


def _database_url() -> str:
    # Tests and the CLI pass the URL explicitly; otherwise use the settings.
    url: str = config.attributes.get("database_url") or Config().DATABASE_URL
    return url


def _render_item(
    type_: str, obj: Any, autogen_context: AutogenContext
) -> str | Literal[False]:
    # Migrations must not import application code: write the plain column type.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Indexes the models cannot express on every backend (PostgreSQL trigram
# indexes for search), made by migrations only: not compared.
MIGRATION_ONLY_INDEXES = frozenset(
    {"post_title_lower_trgm_idx", "post_content_lower_trgm_idx"}
)


# SQLite's full-text index of the posts and the tables FTS5 keeps for it,
# made by a migration only.
MIGRATION_ONLY_TABLE_PREFIX = "post_search"


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and (name or "").startswith(MIGRATION_ONLY_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def _skip_empty_revision(
    ctx: MigrationContext, revision: Any, directives: list[MigrationScript]
) -> None:
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops is not None and script.upgrade_ops.is_empty():
            directives[:] = []
            print("No schema changes detected; no migration written.")


def _configure(connection: Connection | None = None, **kwargs: Any) -> None:
    url = _database_url()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=url.startswith("sqlite"),
        render_item=_render_item,
        include_object=_include_object,
        process_revision_directives=_skip_empty_revision,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
