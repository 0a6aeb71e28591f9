"""A running job keeps its lease while it runs, and a starting API that runs
jobs itself takes over at once what its predecessor had been handed."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from src.aws.client import create_storage
from src.config import Settings
from src.database.base import utcnow
from src.database.engine import create_engine
from src.database.session import create_units_of_work
from src.jobs import service
from src.jobs.config import JobsConfig
from src.jobs.constants import JobStatus
from src.jobs.models import Job
from src.jobs.registry import JobContext, JobRegistry
from src.jobs.runner import run_job
from src.main import create_app
from tests.utils import app_client

pytestmark = pytest.mark.anyio

# Long enough for a loaded machine; far shorter than JOBS_REDISPATCH_AFTER.
DEADLINE_SECONDS = 20


@pytest.fixture
async def engine(
    test_settings: Settings, committed_database: str
) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(test_settings.app)
    yield engine
    await engine.dispose()


async def _job(engine: AsyncEngine, job_id: UUID) -> Job:
    async with create_units_of_work(engine)() as uow:
        job = await uow.session.scalar(select(Job).where(Job.id == job_id))
    assert job is not None
    return job


async def _until(engine: AsyncEngine, job_id: UUID, done: Any) -> Job:
    async with asyncio.timeout(DEADLINE_SECONDS):
        while not done(job := await _job(engine, job_id)):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return job


async def test_a_running_job_renews_its_lease_until_it_ends(
    test_settings: Settings, engine: AsyncEngine
) -> None:
    gate = asyncio.Event()
    registry = JobRegistry()

    async def held(_context: JobContext, _payload: dict[str, Any], _id: UUID) -> None:
        await gate.wait()

    registry.job("held", held)
    units = create_units_of_work(engine)
    lease = 0.3
    async with create_storage(test_settings.storage) as storage:
        context = JobContext(
            settings=dataclasses.replace(
                test_settings, jobs=JobsConfig(_env_file=None, LEASE=lease)
            ),
            units_of_work=units,
            storage=storage,
            registry=registry,
        )
        async with units() as uow:
            job_id = service.enqueue(uow, "held", {})
        running = asyncio.create_task(run_job(context, job_id))
        first = await _until(engine, job_id, lambda job: job.lease_until is not None)
        assert first.lease_until is not None
        # Renewed past the lease it was claimed with: still its worker's.
        claimed_until: datetime = first.lease_until
        renewed = await _until(
            engine,
            job_id,
            lambda job: (
                job.lease_until is not None
                and job.lease_until > claimed_until + timedelta(seconds=lease)
            ),
        )
        gate.set()
        await running

    assert renewed.status is JobStatus.RUNNING
    assert renewed.attempts == 1
    done = await _job(engine, job_id)
    assert (done.status, done.attempts, done.lease_until) == (JobStatus.DONE, 1, None)


async def test_a_starting_api_takes_over_what_its_predecessor_was_handed(
    test_settings: Settings, engine: AsyncEngine
) -> None:
    # Handed to the in-process broker of an API that died before running it.
    async with create_units_of_work(engine)() as uow:
        job_id = service.enqueue(uow, "send_password_reset", {"email": "x@example.com"})
    handed = await _job(engine, job_id)
    assert handed.dispatched_at is not None
    assert handed.dispatched_at > utcnow() - timedelta(minutes=1)
    # The default: no REDIS_URL, so the API runs jobs itself.
    settings = dataclasses.replace(test_settings, jobs=JobsConfig(_env_file=None))

    async with app_client(create_app(settings)):
        done = await _until(engine, job_id, lambda job: job.status is JobStatus.DONE)

    assert done.attempts == 1
