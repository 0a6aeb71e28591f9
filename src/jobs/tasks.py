"""Jobs on taskiq: the broker, its two tasks, and the three ways jobs run.

The database is the record (src/jobs/service.py); the broker carries only
job ids, to wake a worker. `run_job` claims the job by id, so a message
delivered twice, or a job handed again by the relay, runs once.

- With REDIS_URL: a Redis stream with acknowledgement. The API hands jobs
  over after each commit; `worker` processes run them (and relay what was
  not handed over); one `scheduler` process starts the periodic clean-up.
- Without it: the API process is broker, worker, relay and scheduler, with
  the same code (taskiq's in-memory broker).
"""

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import structlog
from taskiq import AsyncBroker, Context, InMemoryBroker, TaskiqDepends, TaskiqScheduler
from taskiq.acks import AcknowledgeType
from taskiq.api import run_scheduler_task
from taskiq.receiver import Receiver
from taskiq.schedule_sources import LabelScheduleSource

from src.config import Settings
from src.database.unit_of_work import UnitOfWork
from src.jobs import service
from src.jobs.cleanup import clean_up
from src.jobs.registry import JobContext
from src.jobs.runner import Kick, hand_off, relay_forever, run_job, stop_running

logger = structlog.get_logger(__name__)

RUN_JOB = "run_job"
BROKER_RETRY_SECONDS = 1.0
STREAM_MAX_LENGTH = 100_000
CLEANUP = "clean_up"


async def _run_job_task(
    job_id: str, context: Annotated[Context, TaskiqDepends()]
) -> None:
    await run_job(context.state.jobs, UUID(job_id))


async def _clean_up_task(context: Annotated[Context, TaskiqDepends()]) -> None:
    cleaned = await clean_up(context.state.jobs)
    logger.info("cleaned_up", removed=cleaned)


def create_broker(settings: Settings, *, in_memory: bool = False) -> AsyncBroker:
    """Redis when REDIS_URL is set (unless `in_memory`), else in-process."""
    config = settings.jobs
    broker: AsyncBroker
    if settings.app.REDIS_URL and not in_memory:
        # Imported here: redis-py costs each process about 19 MiB, which the
        # default configuration (no Redis) should not pay.
        from taskiq_redis import RedisStreamBroker  # noqa: PLC0415

        prefix = settings.app.RATE_LIMIT_KEY_PREFIX
        broker = RedisStreamBroker(
            settings.app.REDIS_URL,
            queue_name=f"{prefix}:jobs",
            consumer_group_name=f"{prefix}:workers",
            # A new group starts at the stream's beginning: jobs handed over
            # before the first worker ever started are not skipped.
            consumer_id="0",
            # Acknowledged messages are only history; keep the stream small.
            maxlen=STREAM_MAX_LENGTH,
            # A message a dead worker took comes back when the job's lease ends.
            idle_timeout=int(config.LEASE * 1000),
            socket_connect_timeout=2,
            socket_timeout=10,
        )
    else:
        broker = InMemoryBroker(max_async_tasks=config.CONCURRENCY)
    broker.register_task(_run_job_task, task_name=RUN_JOB)
    broker.register_task(
        _clean_up_task,
        task_name=CLEANUP,
        schedule=[{"cron": config.CLEANUP_SCHEDULE}],
    )
    return broker


def kicker(broker: AsyncBroker) -> Kick:
    """Hands job ids to `broker`."""
    task = broker.find_task(RUN_JOB)
    if task is None:
        raise LookupError(RUN_JOB)

    async def kick(job_ids: Sequence[UUID]) -> None:
        for job_id in job_ids:
            await task.kiq(str(job_id))

    return kick


class ApiJobs:
    """The jobs side of the API process: hands each commit's jobs to the
    broker (`after_commit`, a listener of its units of work) and, without
    Redis (or with JOBS_RUN_IN_API), runs them itself.
    """

    def __init__(self, context: JobContext) -> None:
        settings = context.settings
        run_here = settings.jobs.RUN_IN_API
        self.runs_jobs = (
            run_here if run_here is not None else not settings.app.REDIS_URL
        )
        self.context = context
        self.broker: AsyncBroker | None = None
        if self.runs_jobs or settings.app.REDIS_URL:
            self.broker = create_broker(settings, in_memory=self.runs_jobs)
            self.broker.state.jobs = context
        self._kick = kicker(self.broker) if self.broker is not None else None
        self._background: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        # Handing jobs to Redis needs no start-up: the API starts even while
        # Redis is down (the relay hands over what it could not).
        if self.runs_jobs and self.broker is not None and self._kick is not None:
            await self.broker.startup()
            if not self.context.settings.app.REDIS_URL:
                await self._take_over_handed()
            self._spawn(relay_forever(self.context, self._kick))
            scheduler = TaskiqScheduler(self.broker, [LabelScheduleSource(self.broker)])
            self._spawn(run_scheduler_task(scheduler))

    async def _take_over_handed(self) -> None:
        # The jobs a previous API process was handed died with its in-process
        # broker: the relay's first look, now, hands them to this one.
        try:
            async with self.context.units_of_work() as uow:
                taken = await service.take_over_handed(uow.session)
        except Exception as exc:
            # The database is away: the relay takes them once it is back.
            logger.warning("jobs_take_over_failed", error=repr(exc))
            return
        if taken:
            logger.info("jobs_taken_over", jobs=taken)

    async def after_commit(self, uow: UnitOfWork) -> None:
        """Give the jobs a committed unit of work recorded to the broker,
        without waiting (a listener of the app's units of work)."""
        job_ids = service.recorded_jobs(uow)
        if self._kick is not None and job_ids:
            self._spawn(hand_off(self.context, self._kick, job_ids))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        """Stop relaying; let running jobs finish within the grace, hand
        back the rest (they run again at the next start, or on a worker).
        """
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await stop_running(self.context, self.context.settings.jobs.SHUTDOWN_GRACE)
        if self.broker is not None:
            await self.broker.shutdown()


async def work(context: JobContext) -> None:
    """Run jobs from Redis until SIGTERM or SIGINT, relaying due jobs too;
    then finish or hand back the running ones.
    """
    config = context.settings.jobs
    broker = create_broker(context.settings)
    broker.state.jobs = context
    broker.is_worker_process = True
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    relay = asyncio.create_task(relay_forever(context, kicker(broker)))
    logger.info("worker_started", concurrency=config.CONCURRENCY)
    started = False
    try:
        while not stopping.is_set():
            receiver = Receiver(
                broker,
                max_async_tasks=config.CONCURRENCY,
                run_startup=False,
                # Acknowledged once run: a worker killed mid-job leaves its
                # message to be delivered again.
                ack_type=AcknowledgeType.WHEN_EXECUTED,
                wait_tasks_timeout=config.SHUTDOWN_GRACE,
            )
            try:
                if not started:
                    await broker.startup()
                    started = True
                await receiver.listen(stopping)
            except Exception as exc:
                # Redis gone: keep trying; the relay catches up once it is back.
                logger.warning(
                    "worker_broker_unreachable",
                    redis=context.settings.app.redis_address,
                    error=repr(exc),
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), BROKER_RETRY_SECONDS)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await stop_running(context, 0)
        await broker.shutdown()
        logger.info("worker_stopped")


async def schedule(settings: Settings) -> None:
    """Start the periodic jobs on time (a single instance: each running
    scheduler would start every periodic job once more).
    """
    broker = create_broker(settings)
    await broker.startup()
    scheduler = TaskiqScheduler(broker, [LabelScheduleSource(broker)])
    logger.info("scheduler_started", schedule=settings.jobs.CLEANUP_SCHEDULE)
    try:
        await run_scheduler_task(scheduler)
    finally:
        await broker.shutdown()
