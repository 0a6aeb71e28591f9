"""The clean-up of notification stream tickets past their expiry."""

from datetime import timedelta

from src.jobs.registry import JobContext, JobRegistry
from src.notifications import streams


async def purge_expired_tickets(context: JobContext, _grace: timedelta) -> int:
    async with context.units_of_work() as uow:
        return await streams.purge_expired_tickets(uow.session)


def register(registry: JobRegistry) -> None:
    """The notifications module's clean-up step."""
    registry.cleanup("expired stream tickets", purge_expired_tickets)
