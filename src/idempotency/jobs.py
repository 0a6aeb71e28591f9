"""The clean-up of Idempotency-Keys past their lifetime."""

from datetime import timedelta

from src.idempotency import service
from src.jobs.registry import JobContext, JobRegistry


async def purge_expired_keys(context: JobContext, _grace: timedelta) -> int:
    async with context.units_of_work() as uow:
        return await service.purge_expired(uow.session)


def register(registry: JobRegistry) -> None:
    """The idempotency module's clean-up step."""
    registry.cleanup("expired idempotency keys", purge_expired_keys)
