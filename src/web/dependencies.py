"""What a route can ask for of the running application, by dependency: its
settings, a read session or bind, a unit of work, the object store.

Named for what they give: `ReadSession` and `ReadBindDep` never open a
write transaction; `UnitOfWorkDep` is one transaction for the request's
writes, committed before the response is sent.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from src.aws.client import Storage
from src.config import Settings
from src.database.session import ReadBind
from src.database.unit_of_work import UnitOfWork, UnitsOfWork
from src.exceptions import DatabaseUnavailable, TooManyRequests, raises
from src.web.events import EventHub
from src.web.rate_limit import RateLimiter, client_address
from src.web.state import app_state


async def get_settings(request: Request) -> Settings:
    """The settings the running application was built with."""
    return app_state(request).settings


AppSettings = Annotated[Settings, Depends(get_settings)]


@raises(DatabaseUnavailable)
async def get_units_of_work(request: Request) -> UnitsOfWork:
    """Opens units of work of their own (an Idempotency-Key's claim)."""
    return app_state(request).units_of_work


UnitsOfWorkDep = Annotated[UnitsOfWork, Depends(get_units_of_work)]


@raises(DatabaseUnavailable)
async def get_unit_of_work(units: UnitsOfWorkDep) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work: committed when the route returns (then
    its after-commit work runs), rolled back if anything raises."""
    async with units() as uow:
        yield uow


# scope="function" commits before the response goes out, so a failed commit
# is answered with an error and never with a 2xx.
UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]


@raises(DatabaseUnavailable)
async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session for lookups and reads."""
    async with app_state(request).read_sessionmaker() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(get_read_session)]


def read_bind(request: Request) -> ReadBind:
    """`get_read_bind` as a plain call, for a dependency that takes the
    request anyway: on the hottest routes each dependency FastAPI resolves
    costs more than the statement's own Python (docs/benchmarks.md)."""
    return app_state(request).read_engine


@raises(DatabaseUnavailable)
async def get_read_bind(request: Request) -> ReadBind:
    """Where named statements run (src/database/reads.py): the pool.

    A plain function, not a generator: nothing is held between dependencies,
    a connection is borrowed only for the statement.
    """
    return read_bind(request)


ReadBindDep = Annotated[ReadBind, Depends(get_read_bind)]


async def get_storage(request: Request) -> Storage:
    """The object store opened by the application's lifespan."""
    return app_state(request).storage


StorageDep = Annotated[Storage, Depends(get_storage)]


async def get_events(request: Request) -> EventHub:
    """This worker's event hub: the open streams, and how events reach them."""
    return app_state(request).events


EventsDep = Annotated[EventHub, Depends(get_events)]


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The named limits, counted where the application keeps them."""
    return app_state(request).rate_limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


def rate_limit(name: str) -> Any:
    """A route dependency counting the caller against limit `name`."""

    @raises(TooManyRequests)
    async def dependency(request: Request, limiter: RateLimiterDep) -> None:
        await limiter.hit(name, client_address(request))

    return Depends(dependency)
