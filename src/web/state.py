"""What the application's lifespan opens, typed, and how a request reaches it."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from src.aws.client import Storage
from src.config import Settings
from src.database.session import ReadBind
from src.database.unit_of_work import UnitsOfWork
from src.web.events import EventHub
from src.web.rate_limit import RateLimiter
from src.web.read_cache import ReadCache

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class AppState:
    """Opened at start-up, closed at shutdown; shared by every request."""

    settings: Settings
    engine: AsyncEngine
    # The same pool in autocommit: reads open no transaction. (A test's
    # app reads on the test's connection.)
    read_engine: ReadBind
    units_of_work: UnitsOfWork
    read_sessionmaker: async_sessionmaker[AsyncSession]
    storage: Storage
    redis: "Redis | None"
    rate_limiter: RateLimiter
    # This worker's open event streams, and how events reach them.
    events: EventHub
    # None when public reads are not cached (READ_CACHE_ENABLED).
    read_cache: ReadCache | None = None


# The key under which the lifespan hands the state to every request.
STATE_KEY = "app_state"


def app_state(connection: HTTPConnection) -> AppState:
    """The running application's state."""
    state: AppState = getattr(connection.state, STATE_KEY)
    return state
