"""What the application's lifespan opens, typed, and how a request reaches it."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from src.aws.client import Storage
from src.config import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

    # Only for the annotations: these modules read this state.
    from src.jobs.tasks import ApiJobs
    from src.web.rate_limit import RateLimiter


@dataclass(frozen=True, slots=True)
class AppState:
    """Opened at start-up, closed at shutdown; shared by every request."""

    settings: Settings
    engine: AsyncEngine
    # The same pool in autocommit: reads open no transaction.
    read_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_sessionmaker: async_sessionmaker[AsyncSession]
    storage: Storage
    redis: "Redis | None"
    rate_limiter: "RateLimiter"
    jobs: "ApiJobs"


# The key under which the lifespan hands the state to every request.
STATE_KEY = "app_state"


def app_state(request: Request) -> AppState:
    """The running application's state."""
    state: AppState = getattr(request.state, STATE_KEY)
    return state


async def get_settings(request: Request) -> Settings:
    """The settings the running application was built with."""
    return app_state(request).settings


AppSettings = Annotated[Settings, Depends(get_settings)]
