"""The commands of `python -m src.cli`."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import structlog
import typer
import uvicorn

from src.cli.accounts import create_superuser, set_role
from src.cli.jobs import job_context, jobs_cli, scheduler, worker
from src.cli.protocol import GuardedHttpToolsProtocol
from src.cli.seed import seed
from src.config import ConfigurationError, Settings, load_settings
from src.constants import VERSION
from src.jobs.cleanup import clean_up
from src.logging_config import setup_logging
from src.metrics import MULTIPROCESS_DIR

cli = typer.Typer(
    help="Publishing API operations.",
    no_args_is_help=True,
    add_completion=False,
    # Errors of setup end in one line (src/cli/errors.py), not a traceback.
    pretty_exceptions_enable=False,
)
logger = structlog.get_logger(__name__)


def _show_version(show: bool) -> None:
    if show:
        typer.echo(f"publishing-api {VERSION}")
        raise typer.Exit


@cli.callback()
def _configure(
    ctx: typer.Context,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    # Read once per command; every command finds them in its context.
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    setup_logging(settings.app.LOG_LEVEL, json=settings.app.LOG_JSON)
    ctx.obj = settings


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@cli.command()
def migrate(ctx: typer.Context) -> None:
    """Apply all database migrations (alembic upgrade head)."""
    # Imported here: Alembic costs about 10 MiB, which `serve` keeps out of
    # the serving process by migrating in a child process.
    from src.database import migrations  # noqa: PLC0415

    migrations.upgrade_head(_settings(ctx).app.DATABASE_URL)
    logger.info("migrations_applied")


async def _cleanup(settings: Settings, grace: timedelta) -> dict[str, int]:
    async with job_context(settings) as context:
        return await clean_up(context, grace=grace)


@cli.command()
def cleanup(
    ctx: typer.Context,
    grace_minutes: Annotated[
        int,
        typer.Option(
            min=1, help="Leave stored files younger than this (uploads in flight)"
        ),
    ] = 60,
) -> None:
    """Run the periodic clean-up now: stored files no attachment refers to,
    expired and spent tokens, the counts of deleted posts and users,
    finished jobs past their retention, expired idempotency keys.

    The scheduler (or, without Redis, the API) runs it every
    JOBS_CLEANUP_SCHEDULE; this is for running it at another time.
    """
    cleaned = asyncio.run(_cleanup(_settings(ctx), timedelta(minutes=grace_minutes)))
    removed = ", ".join(f"{count} {what}" for what, count in cleaned.items())
    typer.echo(f"Removed {removed}.")


cli.command()(seed)
cli.command("create-superuser")(create_superuser)
cli.command("set-role")(set_role)
cli.command()(worker)
cli.command()(scheduler)
cli.add_typer(jobs_cli, name="jobs")


@cli.command()
def openapi(ctx: typer.Context) -> None:
    """Print the OpenAPI document (committed as openapi.json)."""
    # Imported here: src.main builds an app on import, which no other
    # command needs.
    from src.main import create_app  # noqa: PLC0415

    document = create_app(_settings(ctx)).openapi()
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@cli.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving")
    ] = True,
    graceful_timeout: Annotated[
        int,
        typer.Option(
            help="Seconds in-flight requests get to finish after SIGTERM", min=1
        ),
    ] = 30,
) -> None:
    """Apply migrations, then serve the API with uvicorn."""
    _announce_deployment(_settings(ctx), host, port)
    if migrate_first:
        # In a child process, so that the server does not keep Alembic loaded.
        migrated = subprocess.run([sys.executable, "-m", "src.cli", "migrate"])  # noqa: PLW1510
        if migrated.returncode != 0:
            raise typer.Exit(migrated.returncode)
    # How many processes serve: the read cache keeps its generations in the
    # process only when it serves alone (src/runtime.py).
    os.environ["WEB_CONCURRENCY"] = str(workers)
    with metrics_directory(workers):
        _run_uvicorn(ctx, host, port, workers, reload, graceful_timeout)


# Listening on every interface: a browser on this machine says localhost.
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104


def _announce_deployment(settings: Settings, host: str, port: int) -> None:
    app = settings.app
    chosen = "PUBLIC_BASE_URL" in app.model_fields_set
    if not app.ENVIRONMENT.is_deployed and not chosen:
        # Links in emails lead to this server, on whatever port it listens
        # (the workers read it from the environment).
        shown = "localhost" if host in ANY_ADDRESS else host
        os.environ["PUBLIC_BASE_URL"] = f"http://{_url_host(shown)}:{port}"
    if app.ENVIRONMENT.is_deployed and app.is_sqlite:
        typer.echo(
            f"Warning: ENVIRONMENT={app.ENVIRONMENT.value} on SQLite (DATABASE_URL): "
            "one machine and one writer at a time; PostgreSQL serves more.",
            err=True,
        )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@contextmanager
def metrics_directory(workers: int) -> Generator[None]:
    """With several workers, a directory where each writes its metrics (see
    src/metrics.py): PROMETHEUS_MULTIPROC_DIR if set (emptied first),
    else a temporary one, removed afterwards."""
    if workers == 1 and MULTIPROCESS_DIR not in os.environ:
        yield
        return
    given = os.environ.get(MULTIPROCESS_DIR)
    directory = Path(given or tempfile.mkdtemp(prefix="publishing-api-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(directory)
    try:
        yield
    finally:
        if given is None:
            shutil.rmtree(directory, ignore_errors=True)
            del os.environ[MULTIPROCESS_DIR]


def _run_uvicorn(
    ctx: typer.Context,
    host: str,
    port: int,
    workers: int,
    reload: bool,
    graceful_timeout: int,
) -> None:
    uvicorn.run(
        "src.cli.serve:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=None,
        access_log=False,
        # Which server answers is nobody's business.
        server_header=False,
        # uvicorn's httptools protocol with a header size limit and deadline.
        http=GuardedHttpToolsProtocol,
        proxy_headers=True,
        timeout_graceful_shutdown=graceful_timeout,
        timeout_keep_alive=_settings(ctx).app.SERVE_KEEP_ALIVE_TIMEOUT,
    )
