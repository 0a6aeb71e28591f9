"""Running one job, and the relay that hands due jobs to the broker."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from uuid import UUID

import structlog

from src.jobs import service
from src.jobs.registry import JobContext
from src.metrics import JOBS

logger = structlog.get_logger(__name__)

type Kick = Callable[[Sequence[UUID]], Awaitable[None]]

_ERROR_CHARS = 2000
# Jobs the relay hands over per look.
RELAY_BATCH = 100


async def run_job(context: JobContext, job_id: UUID) -> None:
    """Claim the job, run it (renewing its lease meanwhile), record the
    outcome. A job already done, failed, not yet due or running elsewhere is
    left alone: delivering a job twice runs it once.
    """
    config = context.settings.jobs
    lease = timedelta(seconds=config.LEASE)
    async with context.units_of_work() as uow:
        job = await service.claim(uow.session, job_id, lease=lease)
    if job is None:
        return
    log = logger.bind(job_id=str(job.id), job=job.name, attempt=job.attempt)
    context.running[job.id] = (job, asyncio.current_task())
    renewing = asyncio.create_task(_keep_lease(context, job, lease))
    try:
        handler = context.registry.handlers.get(job.name)
        if handler is None:
            raise LookupError(f"no job is named {job.name!r}")
        await handler(context, job.payload, job.id)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]
        await _stop(renewing)
        async with context.units_of_work() as uow:
            retry_in = await service.fail(uow.session, job, error=error, config=config)
        if retry_in is None:
            log.error("job_failed", error=error)
        else:
            log.warning("job_retry", error=error, retry_in=round(retry_in, 1))
        JOBS.labels(job.name, "failed" if retry_in is None else "retry").inc()
        return
    finally:
        await _stop(renewing)
        context.running.pop(job.id, None)
    async with context.units_of_work() as uow:
        await service.complete(uow.session, job)
    log.info("job_done")
    JOBS.labels(job.name, "done").inc()


async def _keep_lease(
    context: JobContext, job: service.ClaimedJob, lease: timedelta
) -> None:
    """Renew the job's lease every third of it while it runs: a worker that
    dies leaves its job to another within one lease, however long jobs take.
    """
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        try:
            async with context.units_of_work() as uow:
                ours = await service.renew(uow.session, job, lease=lease)
        except Exception as exc:
            # The database is away: the lease may run out, and another
            # worker run the job again (jobs are idempotent).
            logger.warning("job_lease_not_renewed", job_id=str(job.id), error=repr(exc))
            continue
        if not ours:
            logger.warning("job_lease_lost", job_id=str(job.id))
            return


async def _stop(task: "asyncio.Task[None]") -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def hand_off(context: JobContext, kick: Kick, job_ids: Sequence[UUID]) -> bool:
    """Give jobs to the broker; those it refuses are left to the relay.
    False if it refused them."""
    try:
        await kick(job_ids)
    except Exception as exc:
        logger.warning(
            "job_handoff_failed",
            jobs=len(job_ids),
            broker=context.settings.app.redis_address,
            error=repr(exc),
        )
        try:
            async with context.units_of_work() as uow:
                await service.forget_handed(uow.session, job_ids)
        except Exception as db_exc:
            # The relay hands them again after JOBS_REDISPATCH_AFTER anyway.
            logger.warning("job_handoff_unrecorded", error=repr(db_exc))
        return False
    return True


async def relay_forever(context: JobContext, kick: Kick) -> None:
    """Every JOBS_RELAY_INTERVAL, hand the broker the jobs that are due and
    not handed: retries whose time has come, jobs whose hand-off after the
    commit never happened (a crash, Redis down), jobs whose worker died.
    """
    config = context.settings.jobs
    while True:
        more = False
        try:
            async with context.units_of_work() as uow:
                due = await service.take_due(
                    uow.session, config=config, limit=RELAY_BATCH
                )
            # A full batch handed over: more may be waiting (after an
            # outage); go on at once.
            more = bool(due) and await hand_off(context, kick, due)
            more = more and len(due) == RELAY_BATCH
        except Exception as exc:
            logger.warning("job_relay_failed", error=repr(exc))
        if not more:
            await asyncio.sleep(config.RELAY_INTERVAL)


async def stop_running(context: JobContext, grace: float) -> None:
    """Let the jobs this process runs finish within `grace` seconds, then
    stop the rest and hand them back, due at once for another worker.
    """
    tasks = [task for _, task in context.running.values() if task is not None]
    if tasks:
        await asyncio.wait(tasks, timeout=grace)
    unfinished = list(context.running.values())
    for _, task in unfinished:
        if task is not None:
            task.cancel()
    if not unfinished:
        return
    await asyncio.gather(
        *(task for _, task in unfinished if task is not None), return_exceptions=True
    )
    async with context.units_of_work() as uow:
        await service.give_back(uow.session, [job for job, _ in unfinished])
    logger.warning("jobs_handed_back", jobs=len(unfinished))
