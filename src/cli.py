"""Operator commands: `uv run python -m src.cli --help`."""

import asyncio
from typing import Annotated

import structlog
import typer
import uvicorn
from pydantic import ValidationError

from src import migrations
from src.auth import service as auth_service
from src.auth.schemas import UserCreate
from src.config import settings
from src.database import create_engine, create_sessionmaker
from src.exceptions import DetailedHTTPException
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


async def _create_superuser(data: UserCreate) -> str:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            user = await auth_service.create_user(session, data=data, is_superuser=True)
            await session.commit()
            return str(user.id)
    finally:
        await engine.dispose()


@cli.command("create-superuser")
def create_superuser(
    email: Annotated[str, typer.Option(help="Email address")],
    username: Annotated[str, typer.Option(help="Username")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Prompted for (not echoed) when omitted",
        ),
    ],
    first_name: Annotated[str, typer.Option(help="First name")] = "Admin",
) -> None:
    """Create a superuser (may delete any post, comment or attachment)."""
    try:
        data = UserCreate(
            email=email, username=username, password=password, first_name=first_name
        )
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(code=2) from exc
    try:
        user_id = asyncio.run(_create_superuser(data))
    except DetailedHTTPException as exc:
        typer.echo(str(exc.detail), err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"Superuser {username} created with id {user_id}")


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
