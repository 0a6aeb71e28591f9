"""The jobs side of the API process.

After each commit, the API hands the jobs it recorded over: to Redis, for
the `worker` processes (src/jobs/tasks.py), or, without Redis (or with
JOBS_RUN_IN_API), to itself. Running them itself it is also the relay and
the scheduler, with the same `run_job`, relay and clean-up as those
commands, on asyncio tasks: no broker is needed in one process, and taskiq
(with the aiohttp it loads) would cost every worker about 10 MiB.
"""

import asyncio
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pycron
import structlog

from src.database.unit_of_work import UnitOfWork
from src.jobs import service
from src.jobs.cleanup import clean_up
from src.jobs.registry import JobContext
from src.jobs.runner import Kick, hand_off, relay_forever, run_job, stop_running

logger = structlog.get_logger(__name__)


async def clean_up_on_schedule(context: JobContext) -> None:
    """Run the clean-up at each minute JOBS_CLEANUP_SCHEDULE names (a cron
    expression, in UTC, as the `scheduler` command reads it)."""
    schedule = context.settings.jobs.CLEANUP_SCHEDULE
    while True:
        now = datetime.now(UTC)
        await asyncio.sleep(60 - now.second - now.microsecond / 1_000_000)
        if not pycron.is_now(schedule, datetime.now(UTC)):
            continue
        try:
            cleaned = await clean_up(context)
        except Exception as exc:
            # The database is away: the next time named tries again.
            logger.warning("clean_up_failed", error=repr(exc))
        else:
            logger.info("cleaned_up", removed=cleaned)


class ApiJobs:
    """Hands each commit's jobs over (`after_commit`, a listener of the
    app's units of work) and, where the API runs them, runs them: at most
    JOBS_CONCURRENCY at once, the others waiting their turn.
    """

    def __init__(self, context: JobContext) -> None:
        settings = context.settings
        run_here = settings.jobs.RUN_IN_API
        self.runs_jobs = (
            run_here if run_here is not None else not settings.app.REDIS_URL
        )
        self.context = context
        self._broker: Any = None
        self._kick: Kick | None = None
        if self.runs_jobs:
            self._kick = self._run_here
        elif settings.app.REDIS_URL:
            # Imported here: only handing jobs to Redis needs the broker.
            from src.jobs.tasks import create_broker, kicker  # noqa: PLC0415

            self._broker = create_broker(settings)
            self._kick = kicker(self._broker)
        self._slots = asyncio.Semaphore(settings.jobs.CONCURRENCY)
        self._stopping = False
        self._background: set[asyncio.Task[Any]] = set()
        self._jobs: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        """Start the relay and the schedule where the API runs the jobs.
        Handing jobs to Redis needs no start-up: the API starts even while
        Redis is down (the relay of the workers hands over what it could not).
        """
        if not self.runs_jobs or self._kick is None:
            return
        if not self.context.settings.app.REDIS_URL:
            await self._take_over_handed()
        self._spawn(self._background, relay_forever(self.context, self._kick))
        self._spawn(self._background, clean_up_on_schedule(self.context))

    async def _take_over_handed(self) -> None:
        # The jobs a previous API process was handed died with it: the
        # relay's first look, now, hands them to this one.
        try:
            async with self.context.units_of_work() as uow:
                taken = await service.take_over_handed(uow.session)
        except Exception as exc:
            # The database is away: the relay takes them once it is back.
            logger.warning("jobs_take_over_failed", error=repr(exc))
            return
        if taken:
            logger.info("jobs_taken_over", jobs=taken)

    async def _run_here(self, job_ids: Sequence[UUID]) -> None:
        for job_id in job_ids:
            self._spawn(self._jobs, self._run(job_id))

    async def _run(self, job_id: UUID) -> None:
        async with self._slots:
            if self._stopping:
                # Still handed: the next start (or a worker) takes it.
                return
            try:
                await run_job(self.context, job_id)
            except Exception as exc:
                # Not claimed (the database is away): the relay hands it again.
                logger.warning("job_not_run", job_id=str(job_id), error=repr(exc))

    async def after_commit(self, uow: UnitOfWork) -> None:
        """Hand over the jobs a committed unit of work recorded, without
        waiting (a listener of the app's units of work)."""
        job_ids = service.recorded_jobs(uow)
        if self._kick is not None and job_ids:
            self._spawn(self._background, hand_off(self.context, self._kick, job_ids))

    @staticmethod
    def _spawn(
        tasks: set[asyncio.Task[Any]], coroutine: Coroutine[Any, Any, Any]
    ) -> None:
        task = asyncio.create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def stop(self) -> None:
        """Stop relaying and starting jobs; let running jobs finish within
        the grace, hand back the rest (they run again at the next start, or
        on a worker)."""
        self._stopping = True
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await stop_running(self.context, self.context.settings.jobs.SHUTDOWN_GRACE)
        await asyncio.gather(*self._jobs, return_exceptions=True)
        if self._broker is not None:
            await self._broker.shutdown()
