"""Operator commands: `uv run python -m src.cli --help`."""

from typing import Annotated

import structlog
import typer
import uvicorn

from src import migrations
from src.config import settings
from src.logging_config import setup_logging

cli = typer.Typer(
    help="Publishing API operations.", no_args_is_help=True, add_completion=False
)
logger = structlog.get_logger(__name__)


@cli.callback()
def _configure() -> None:
    setup_logging(settings.LOG_LEVEL, json=settings.LOG_JSON)


@cli.command()
def migrate() -> None:
    """Apply all database migrations (alembic upgrade head)."""
    migrations.upgrade_head()
    logger.info("migrations_applied")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving")
    ] = True,
) -> None:
    """Apply migrations, then serve the API with uvicorn."""
    if migrate_first:
        migrate()
    uvicorn.run(
        "src.main:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=30,
    )


if __name__ == "__main__":
    cli()
