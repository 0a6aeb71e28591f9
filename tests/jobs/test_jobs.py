"""A job's life in one process: recorded with the request's writes, run
once however often it is delivered, retried with backoff, then failed and
visible, and run again on demand."""

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.aws.client import create_storage
from src.config import Settings
from src.database.base import utcnow
from src.database.unit_of_work import UnitsOfWork
from src.domains import job_registry
from src.jobs import service
from src.jobs.config import JobsConfig
from src.jobs.constants import JobStatus
from src.jobs.models import Job
from src.jobs.registry import JobContext
from src.jobs.runner import run_job
from tests.factories import AuthUser, user_payload
from tests.smtp import Inbox

pytestmark = pytest.mark.anyio


async def _jobs(session: AsyncSession, name: str) -> list[Job]:
    return list(
        await session.scalars(
            select(Job).where(Job.name == name).order_by(Job.created_at)
        )
    )


async def test_registration_records_its_email_and_sends_it_once(
    client: AsyncClient, session: AsyncSession, smtp_inbox: Inbox
) -> None:
    payload = user_payload()

    response = await client.post("/auth/users", json=payload)

    assert response.status_code == 201
    (job,) = await _jobs(session, "send_verification_email")
    assert job.status is JobStatus.DONE
    assert job.attempts == 1
    assert job.payload == {"user_id": response.json()["id"]}
    (message,) = smtp_inbox.to(payload["email"])
    assert message["Message-ID"] == f"<{job.id}@localhost>"


async def test_a_failed_request_records_no_job(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    response = await client.post("/auth/users", json=user_payload(email=user.email))

    assert response.status_code == 409
    assert len(await _jobs(session, "send_verification_email")) == 1  # the fixture's


@pytest.fixture
async def job_context(
    settings: Settings, session_units_of_work: UnitsOfWork
) -> AsyncIterator[JobContext]:
    """What a worker would give the job, on the test's connection."""
    async with create_storage(settings.storage) as storage:
        yield JobContext(
            settings=settings,
            units_of_work=session_units_of_work,
            storage=storage,
            registry=job_registry(),
        )


def _resets(inbox: Inbox, email: str) -> list[EmailMessage]:
    return [m for m in inbox.to(email) if "Reset" in m["Subject"]]


async def _reset_job(units: UnitsOfWork, email: str) -> UUID:
    async with units() as uow:
        return service.enqueue(uow, "send_password_reset", {"email": email})


async def test_a_job_delivered_twice_runs_once(
    job_context: JobContext, session: AsyncSession, user: AuthUser, smtp_inbox: Inbox
) -> None:
    job_id = await _reset_job(job_context.units_of_work, user.email)

    await run_job(job_context, job_id)
    await run_job(job_context, job_id)

    assert len(_resets(smtp_inbox, user.email)) == 1
    job = await session.get(Job, job_id)
    assert job is not None
    assert job.status is JobStatus.DONE
    assert job.attempts == 1


async def _due_now(session: AsyncSession, job_id: UUID) -> None:
    # Time passing: the retry's backoff is over.
    await session.execute(
        update(Job).where(Job.id == job_id).values(run_after=utcnow())
    )


async def test_a_refused_email_is_retried_then_failed_then_retried_on_demand(
    job_context: JobContext,
    session: AsyncSession,
    user: AuthUser,
    smtp_inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    smtp_inbox.refusing = True
    jobs_config = JobsConfig(_env_file=None, MAX_ATTEMPTS=3, RETRY_BASE_DELAY=60)
    context = dataclasses.replace(
        job_context,
        settings=dataclasses.replace(
            job_context.settings, email=smtp_inbox.config, jobs=jobs_config
        ),
    )
    job_id = await _reset_job(job_context.units_of_work, user.email)

    before = utcnow()
    await run_job(context, job_id)
    job = await session.get(Job, job_id)
    assert job is not None
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    # Backed off: up to RETRY_BASE_DELAY after the first attempt.
    assert before <= job.run_after <= utcnow() + timedelta(seconds=60)
    # Not due yet: a delivery now changes nothing.
    if job.run_after > utcnow():
        await run_job(context, job_id)
        assert smtp_inbox.refused == 1
    for _ in range(2):
        await _due_now(session, job_id)
        await run_job(context, job_id)

    await session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.last_error is not None
    assert "550" in job.last_error
    assert smtp_inbox.refused == 3
    events = [r.msg["event"] for r in caplog.records if isinstance(r.msg, dict)]
    assert events.count("job_retry") == 2
    assert events.count("job_failed") == 1
    assert [failed.id for failed in await service.failed_jobs(session)] == [job_id]

    smtp_inbox.refusing = False
    assert await service.retry_failed(session, [job_id]) == 1
    await run_job(context, job_id)

    await session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert len(_resets(smtp_inbox, user.email)) == 1


def test_retry_delays_grow_exponentially_with_full_jitter() -> None:
    config = JobsConfig(_env_file=None, RETRY_BASE_DELAY=10, RETRY_MAX_DELAY=100)

    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = [service.retry_delay(attempt, config) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in delays)
        # Spread over the range, not bunched: jitter.
        assert max(delays) - min(delays) > ceiling / 2


async def test_deleting_a_post_deletes_its_files_after_the_commit(
    client: AsyncClient, session: AsyncSession, user: AuthUser, settings: Settings
) -> None:
    post = (
        await client.post(
            "/posts", json={"title": "t", "content": "c"}, headers=user.headers
        )
    ).json()
    uploaded = await client.post(
        f"/posts/{post['id']}/attachments",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers=user.headers,
    )
    assert uploaded.status_code == 201
    stored = list((settings.storage.STORAGE_LOCAL_DIR).rglob("*"))
    assert any(path.is_file() for path in stored)

    response = await client.delete(f"/posts/{post['id']}", headers=user.headers)

    assert response.status_code == 204
    (job,) = await _jobs(session, "delete_stored_files")
    assert job.status is JobStatus.DONE
    key = job.payload["keys"][0]
    assert not (settings.storage.STORAGE_LOCAL_DIR / key).exists()
