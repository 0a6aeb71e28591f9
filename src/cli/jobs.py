"""The job commands: `worker`, `scheduler`, `jobs failed`, `jobs retry`."""

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import typer

from src.aws.client import create_storage
from src.config import Settings
from src.database.engine import create_engine
from src.database.session import create_units_of_work
from src.domains import job_registry
from src.jobs import service
from src.jobs.registry import JobContext

jobs_cli = typer.Typer(help="Look into failed jobs and run them again.")


@asynccontextmanager
async def job_context(settings: Settings) -> AsyncGenerator[JobContext]:
    """What jobs need, opened for a command and closed after it."""
    engine = create_engine(settings.app)
    try:
        async with create_storage(settings.storage) as storage:
            yield JobContext(
                settings=settings,
                units_of_work=create_units_of_work(engine),
                storage=storage,
                registry=job_registry(),
            )
    finally:
        await engine.dispose()


def _needs_redis(settings: Settings, command: str) -> None:
    if not settings.app.REDIS_URL:
        typer.echo(
            f"{command} needs REDIS_URL (without it, the API runs jobs itself)",
            err=True,
        )
        raise typer.Exit(code=2)


async def _work(settings: Settings) -> None:
    # Imported here: taskiq is for the commands that run jobs.
    from src.jobs.tasks import work  # noqa: PLC0415

    async with job_context(settings) as context:
        await work(context)


async def _schedule(settings: Settings) -> None:
    from src.jobs.tasks import schedule  # noqa: PLC0415

    await schedule(settings)


def worker(ctx: typer.Context) -> None:
    """Run jobs from Redis (any number of workers, on any machine).

    SIGTERM lets running jobs finish (JOBS_SHUTDOWN_GRACE) and hands back
    the rest, to run again on another worker.
    """
    settings: Settings = ctx.obj
    _needs_redis(settings, "worker")
    asyncio.run(_work(settings))


def scheduler(ctx: typer.Context) -> None:
    """Start the periodic clean-up on time (JOBS_CLEANUP_SCHEDULE).

    Run exactly one: each running scheduler starts every periodic job.
    """
    settings: Settings = ctx.obj
    _needs_redis(settings, "scheduler")
    asyncio.run(_schedule(settings))


async def _failed(settings: Settings, limit: int) -> list[str]:
    async with job_context(settings) as context, context.units_of_work() as uow:
        return [
            f"{job.id}  {job.name}  {job.attempts} attempts  "
            f"failed {job.finished_at:%Y-%m-%d %H:%M:%S}Z  {job.last_error}"
            for job in await service.failed_jobs(uow.session, limit=limit)
        ]


@jobs_cli.command("failed")
def failed(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many", min=1)] = 100,
) -> None:
    """List failed jobs, the most recent first, with their last error."""
    lines = asyncio.run(_failed(ctx.obj, limit))
    for line in lines:
        typer.echo(line)
    if not lines:
        typer.echo("No failed jobs.")


async def _retry(settings: Settings, job_ids: list[UUID] | None) -> int:
    async with job_context(settings) as context, context.units_of_work() as uow:
        return await service.retry_failed(uow.session, job_ids)


@jobs_cli.command("retry")
def retry(
    ctx: typer.Context,
    job_ids: Annotated[
        list[UUID] | None,
        typer.Argument(help="Failed jobs to retry", show_default=False),
    ] = None,
    all_failed: Annotated[
        bool, typer.Option("--all", help="Retry every failed job")
    ] = False,
) -> None:
    """Run failed jobs again, with a fresh count of attempts."""
    if not job_ids and not all_failed:
        typer.echo("name the jobs to retry, or pass --all", err=True)
        raise typer.Exit(code=2)
    retried = asyncio.run(_retry(ctx.obj, None if all_failed else job_ids))
    typer.echo(f"{retried} jobs will run again.")
