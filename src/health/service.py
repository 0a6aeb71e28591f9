import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from src.aws.client import Storage

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = structlog.get_logger(__name__)

# A readiness probe must answer quickly even when a dependency hangs: each
# dependency has its own deadline (an S3 request crosses a network and
# signs; a ping does not), and they are probed at once, so the probe takes
# the longest of them, not their sum.
TIMEOUT_SECONDS = {"database": 2.0, "redis": 1.0, "storage": 3.0}


async def _database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        # No transaction: a probe must not queue behind SQLite's write lock.
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("SELECT 1"))


async def _ok(name: str, probe: Callable[[], Awaitable[object]]) -> bool:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS[name]):
            await probe()
    except Exception as exc:
        logger.warning("readiness_check_failed", dependency=name, error=repr(exc))
        return False
    return True


async def check_dependencies(
    engine: AsyncEngine, redis: "Redis | None", storage: Storage
) -> dict[str, bool]:
    """Probe every dependency in use (the database, the file store, and
    Redis when configured) concurrently; True for each that answered."""
    probes: dict[str, Callable[[], Awaitable[object]]] = {
        "database": lambda: _database(engine),
        "storage": storage.check,
    }
    if redis is not None:
        probes["redis"] = redis.ping
    results = await asyncio.gather(
        *(_ok(name, probe) for name, probe in probes.items())
    )
    return dict(zip(probes, results, strict=True))
