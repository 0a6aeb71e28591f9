"""What the API process runs beside its requests, opened by the lifespan:
its Redis clients, the jobs it hands over (or runs), the event hub that
feeds its open streams and the cache of public reads. All act after each
commit of its units of work.
"""

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from src.aws.client import Storage
from src.config import Config, Settings
from src.database.unit_of_work import UnitsOfWork
from src.domains import job_registry
from src.jobs.api import ApiJobs
from src.jobs.registry import JobContext
from src.web.events import EventHub
from src.web.read_cache import ReadCache

if TYPE_CHECKING:
    from redis.asyncio import Redis


def connect_redis(url: str) -> "Redis":
    """The process's client for commands (each waits at most 2 s)."""
    # Imported here: redis-py costs each worker about 19 MiB of memory, which
    # the default configuration (no Redis) should not pay.
    from redis.asyncio import Redis  # noqa: PLC0415

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def create_read_cache(config: Config, redis: "Redis | None") -> ReadCache | None:
    """The cache of public reads, where it can never serve a stale answer:
    generations in Redis, or in the process when it serves alone."""
    serves_alone = os.environ.get("WEB_CONCURRENCY", "1") == "1"
    if not config.READ_CACHE_ENABLED or (redis is None and not serves_alone):
        return None
    return ReadCache(
        redis,
        prefix=config.RATE_LIMIT_KEY_PREFIX,
        max_bytes=config.READ_CACHE_MAX_BYTES,
        ttl=config.READ_CACHE_TTL,
    )


def _connect_subscriber(url: str) -> "Redis":
    # A subscription waits for messages as long as none come: no read
    # timeout; Redis is pinged on quiet connections to notice a dead one.
    from redis.asyncio import Redis  # noqa: PLC0415

    return Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)


def _event_hub(settings: Settings, redis: "Redis | None") -> EventHub:
    config, url = settings.notifications, settings.app.REDIS_URL
    return EventHub(
        backlog=config.STREAM_BACKLOG,
        per_topic=config.STREAM_MAX_PER_USER,
        publisher=redis,
        connect=(lambda: _connect_subscriber(url)) if url and redis else None,
        channel=f"{settings.app.RATE_LIMIT_KEY_PREFIX}:events",
    )


@asynccontextmanager
async def after_commits(
    settings: Settings, units: UnitsOfWork, storage: Storage, redis: "Redis | None"
) -> AsyncGenerator[EventHub]:
    """Start the jobs and the event hub, both listening to `units`; stop
    them (every open stream ends) when the block ends."""
    jobs = ApiJobs(
        JobContext(
            settings=settings,
            units_of_work=units,
            storage=storage,
            registry=job_registry(),
        )
    )
    events = _event_hub(settings, redis)
    # Each commit's jobs go to the broker, and its events to the streams,
    # once it has committed.
    units.listen(jobs.after_commit)
    units.listen(events.after_commit)
    await jobs.start()
    await events.start()
    try:
        yield events
    finally:
        await events.stop()
        await jobs.stop()
