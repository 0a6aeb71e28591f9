import asyncio
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = structlog.get_logger(__name__)

# A readiness probe must answer quickly even when a dependency hangs.
CHECK_TIMEOUT_SECONDS = 2.0


async def _database_ok(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), engine.connect() as conn:
            # No transaction: a probe must not queue behind SQLite's write lock.
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        logger.warning("readiness_check_failed", dependency="database", error=repr(exc))
        return False
    return True


async def _redis_ok(redis: "Redis") -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await redis.ping()
    except Exception as exc:
        logger.warning("readiness_check_failed", dependency="redis", error=repr(exc))
        return False
    return True


async def check_dependencies(
    engine: AsyncEngine, redis: "Redis | None"
) -> dict[str, bool]:
    """Probe the database, and Redis when configured, concurrently."""
    names = ["database"]
    probes = [_database_ok(engine)]
    if redis is not None:
        names.append("redis")
        probes.append(_redis_ok(redis))
    results = await asyncio.gather(*probes)
    return dict(zip(names, results, strict=True))
