"""Per-client rate limits, counted in Redis when configured, else in memory."""

import math
import time
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from src.config import Config
from src.exceptions import TooManyRequests
from src.metrics import RATE_LIMITED

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = structlog.get_logger(__name__)


class RateLimiter:
    """Named limits (`login`, `register`, ...) over one counter store.

    If the store (Redis) is unreachable the limiter fails open and logs it:
    an outage of the counters must not lock every user out.
    """

    def __init__(
        self, storage: Storage, limits: dict[str, RateLimitItem], *, enabled: bool
    ) -> None:
        self.storage = storage
        self.limits = limits
        self.enabled = enabled
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, name: str, client: str) -> None:
        """Count one request of `client` against limit `name`; 429 when over."""
        if not self.enabled:
            return
        item = self.limits[name]
        try:
            if await self._strategy.hit(item, name, client):
                return
            stats = await self._strategy.get_window_stats(item, name, client)
        except Exception as exc:
            logger.warning("rate_limit_store_unavailable", limit=name, error=repr(exc))
            return
        logger.info("rate_limited", limit=name, client=client)
        RATE_LIMITED.labels(name).inc()
        raise TooManyRequests(retry_after=math.ceil(stats.reset_time - time.time()))


def create_rate_limiter(config: Config, redis: "Redis | None") -> RateLimiter:
    """The limiter for `config`, counting in `redis` (the app's client) if given."""
    storage: Storage
    if config.REDIS_URL and redis is not None:
        # Shares the app's connection pool, closed with it at shutdown. (limits
        # documents `connection_pool` but types its options as scalars.)
        pool: dict[str, Any] = {"connection_pool": redis.connection_pool}
        storage = RedisStorage(
            f"async+{config.REDIS_URL}",
            implementation="redispy",
            wrap_exceptions=True,
            key_prefix=config.RATE_LIMIT_KEY_PREFIX,
            **pool,
        )
    else:
        storage = MemoryStorage(wrap_exceptions=True)
    limits = {
        "login": parse(config.RATE_LIMIT_LOGIN),
        "register": parse(config.RATE_LIMIT_REGISTER),
        "password_reset": parse(config.RATE_LIMIT_PASSWORD_RESET),
        "verify_email": parse(config.RATE_LIMIT_VERIFY_EMAIL),
        "password_change": parse(config.RATE_LIMIT_PASSWORD_CHANGE),
    }
    return RateLimiter(storage, limits, enabled=config.RATE_LIMIT_ENABLED)


def client_address(request: Request) -> str:
    """Who a request comes from, for per-client limits."""
    # Behind a proxy, uvicorn's --proxy-headers puts the real address here.
    return request.client.host if request.client else "unknown"
