"""Jobs on taskiq, with Redis: the broker, its two tasks, and the `worker`
and `scheduler` commands.

The database is the record (src/jobs/service.py); the broker carries only
job ids, to wake a worker. `run_job` claims the job by id, so a message
delivered twice, or a job handed again by the relay, runs once.

With REDIS_URL, a Redis stream with acknowledgement: the API hands jobs
over after each commit (src/jobs/api.py); `worker` processes run them (and
relay what was not handed over); one `scheduler` process starts the
periodic clean-up. Without it, the API process runs them itself, with the
same code and no broker (src/jobs/api.py).
"""

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

import structlog
from taskiq import AsyncBroker, Context, TaskiqDepends, TaskiqScheduler
from taskiq.acks import AcknowledgeType
from taskiq.api import run_scheduler_task
from taskiq.receiver import Receiver
from taskiq.schedule_sources import LabelScheduleSource

from src.config import Settings
from src.jobs.cleanup import clean_up
from src.jobs.registry import JobContext
from src.jobs.runner import Kick, relay_forever, run_job, stop_running

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


def create_broker(settings: Settings) -> AsyncBroker:
    """The Redis stream the API hands jobs to and the workers read
    (REDIS_URL is set: the commands refuse to start without it)."""
    config, url = settings.jobs, settings.app.REDIS_URL
    if not url:
        raise RuntimeError("jobs are handed to Redis only with REDIS_URL")
    # Imported here: redis-py costs each process about 19 MiB, which the
    # default configuration (no Redis) should not pay.
    from taskiq_redis import RedisStreamBroker  # noqa: PLC0415

    prefix = settings.app.RATE_LIMIT_KEY_PREFIX
    broker: AsyncBroker = RedisStreamBroker(
        url,
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
