"""The outbox: recording a job in a request's transaction, and the life of
a job afterwards (claimed, done, retried or failed, handed back), each a
conditional update, so that a job redelivered or relayed twice runs once.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.database.unit_of_work import UnitOfWork
from src.jobs.config import JobsConfig
from src.jobs.constants import JobStatus
from src.jobs.models import Job

# Where a unit of work keeps the ids of the jobs its transaction recorded,
# for the listener that hands them to the broker after the commit.
RECORDED_JOBS = "recorded_jobs"


def enqueue(uow: UnitOfWork, name: str, payload: dict[str, Any]) -> UUID:
    """Record job `name` in the unit of work; it is handed to the broker
    after the commit, and never exists if the transaction rolls back.
    """
    job_id = uuid4()
    # Marked as handed to the broker: the commit's listener does so; if that
    # fails, the relay hands it again.
    uow.session.add(Job(id=job_id, name=name, payload=payload, dispatched_at=utcnow()))
    uow.info.setdefault(RECORDED_JOBS, []).append(job_id)
    return job_id


def recorded_jobs(uow: UnitOfWork) -> list[UUID]:
    """The jobs the unit of work recorded and has not handed over (forgets them)."""
    jobs: list[UUID] = uow.info.pop(RECORDED_JOBS, [])
    return jobs


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: UUID
    name: str
    payload: dict[str, Any]
    attempt: int


def _claimable() -> Any:
    now = utcnow()
    return or_(
        and_(Job.status == JobStatus.PENDING, Job.run_after <= now),
        # Its worker died (or hung) holding it.
        and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
    )


async def claim(
    session: AsyncSession, job_id: UUID, *, lease: timedelta
) -> ClaimedJob | None:
    """Take the job for one attempt, or None if it is done, failed, not yet
    due or being run by someone else.
    """
    row = (
        await session.execute(
            update(Job)
            .where(Job.id == job_id, _claimable())
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                lease_until=utcnow() + lease,
                dispatched_at=None,
            )
            .returning(Job.name, Job.payload, Job.attempts)
        )
    ).one_or_none()
    if row is None:
        return None
    return ClaimedJob(
        id=job_id, name=row.name, payload=row.payload, attempt=row.attempts
    )


def _ours(job: ClaimedJob) -> Any:
    # Still the attempt we claimed: not taken over after its lease ran out.
    return and_(
        Job.id == job.id, Job.status == JobStatus.RUNNING, Job.attempts == job.attempt
    )


async def renew(session: AsyncSession, job: ClaimedJob, *, lease: timedelta) -> bool:
    """Extend a running job's lease; False if it is no longer ours (it was
    taken over after its lease ran out)."""
    renewed = await session.scalar(
        update(Job)
        .where(_ours(job))
        .values(lease_until=utcnow() + lease)
        .returning(Job.id)
    )
    return renewed is not None


async def take_over_handed(session: AsyncSession) -> int:
    """Make every pending job handed to a broker due for the relay again;
    returns how many.

    For a starting API that runs jobs in its own process: what it finds
    handed went to its predecessor, which died with them. A job another
    live process still holds is claimed once whoever gets to it first
    (claims are conditional).
    """
    result = await session.execute(
        update(Job)
        .where(Job.status == JobStatus.PENDING, Job.dispatched_at.is_not(None))
        .values(dispatched_at=None)
        .returning(Job.id)
    )
    return len(result.all())


async def complete(session: AsyncSession, job: ClaimedJob) -> None:
    await session.execute(
        update(Job)
        .where(_ours(job))
        .values(
            status=JobStatus.DONE,
            finished_at=utcnow(),
            lease_until=None,
            last_error=None,
        )
    )


def retry_delay(attempt: int, config: JobsConfig) -> float:
    """Exponential backoff with full jitter: uniform up to base * 2**(attempt-1)."""
    ceiling = min(config.RETRY_MAX_DELAY, config.RETRY_BASE_DELAY * 2 ** (attempt - 1))
    return random.uniform(0, ceiling)  # noqa: S311 (spreading load, not a secret)


async def fail(
    session: AsyncSession, job: ClaimedJob, *, error: str, config: JobsConfig
) -> float | None:
    """Record a failed attempt: the job is retried after the returned number
    of seconds, or, after its last attempt, marked failed (None).
    """
    now = utcnow()
    if job.attempt >= config.MAX_ATTEMPTS:
        await session.execute(
            update(Job)
            .where(_ours(job))
            .values(
                status=JobStatus.FAILED,
                finished_at=now,
                lease_until=None,
                last_error=error,
            )
        )
        return None
    delay = retry_delay(job.attempt, config)
    await session.execute(
        update(Job)
        .where(_ours(job))
        .values(
            status=JobStatus.PENDING,
            run_after=now + timedelta(seconds=delay),
            lease_until=None,
            last_error=error,
        )
    )
    return delay


async def give_back(session: AsyncSession, jobs: Sequence[ClaimedJob]) -> None:
    """Return jobs this process stopped before they finished: due again at
    once, and the interrupted attempt not counted.
    """
    for job in jobs:
        await session.execute(
            update(Job)
            .where(_ours(job))
            .values(
                status=JobStatus.PENDING,
                attempts=Job.attempts - 1,
                run_after=utcnow(),
                lease_until=None,
                dispatched_at=None,
            )
        )


async def take_due(
    session: AsyncSession, *, config: JobsConfig, limit: int = 100
) -> list[UUID]:
    """Jobs due and not handed to the broker lately (retries, and jobs a
    crash or a broker outage kept from it), marked as handed now.
    """
    now = utcnow()
    not_handed = or_(
        Job.dispatched_at.is_(None),
        Job.dispatched_at < now - timedelta(seconds=config.REDISPATCH_AFTER),
    )
    due = list(
        await session.scalars(
            select(Job.id)
            .where(_claimable(), not_handed)
            .order_by(Job.run_after)
            .limit(limit)
            # Several relays (one per worker) take different jobs.
            .with_for_update(skip_locked=True)
        )
    )
    if due:
        await session.execute(
            update(Job).where(Job.id.in_(due)).values(dispatched_at=now)
        )
    return due


async def forget_handed(session: AsyncSession, job_ids: Sequence[UUID]) -> None:
    """The broker did not take these: the relay hands them again."""
    await session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.status == JobStatus.PENDING)
        .values(dispatched_at=None)
    )


async def failed_jobs(session: AsyncSession, *, limit: int = 100) -> list[Job]:
    """The most recently failed jobs."""
    return list(
        await session.scalars(
            select(Job)
            .where(Job.status == JobStatus.FAILED)
            .order_by(Job.finished_at.desc())
            .limit(limit)
        )
    )


async def retry_failed(session: AsyncSession, job_ids: Sequence[UUID] | None) -> int:
    """Make failed jobs (these, or all when None) due again, with a fresh
    count of attempts; returns how many.
    """
    statement = update(Job).where(Job.status == JobStatus.FAILED)
    if job_ids is not None:
        statement = statement.where(Job.id.in_(job_ids))
    result = await session.execute(
        statement.values(
            status=JobStatus.PENDING,
            attempts=0,
            run_after=utcnow(),
            dispatched_at=None,
            finished_at=None,
        ).returning(Job.id)
    )
    return len(result.all())


async def purge_finished(session: AsyncSession, *, older_than: timedelta) -> int:
    """Delete jobs done (or failed) longer ago than `older_than`."""
    result = await session.execute(
        delete(Job)
        .where(
            Job.status.in_((JobStatus.DONE, JobStatus.FAILED)),
            Job.finished_at < utcnow() - older_than,
        )
        .returning(Job.id)
    )
    return len(result.all())
