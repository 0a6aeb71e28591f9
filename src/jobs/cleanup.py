"""The periodic clean-up: what nothing else removes in time."""

from datetime import timedelta

from src.database.counts import purge_orphaned_counts
from src.jobs import service
from src.jobs.registry import JobContext, JobRegistry

# Work younger than this may still be in flight (a stored file whose row is
# not committed yet) and is left alone.
DEFAULT_GRACE = timedelta(hours=1)


async def _orphaned_counts(context: JobContext, _grace: timedelta) -> int:
    async with context.units_of_work() as uow:
        return await purge_orphaned_counts(uow.session)


async def _finished_jobs(context: JobContext, _grace: timedelta) -> int:
    async with context.units_of_work() as uow:
        return await service.purge_finished(
            uow.session, older_than=context.settings.jobs.RETENTION
        )


def register(registry: JobRegistry) -> None:
    """The clean-up's own steps, after the domains'."""
    registry.cleanup("counts of deleted owners", _orphaned_counts)
    registry.cleanup("finished jobs", _finished_jobs)


async def clean_up(
    context: JobContext, *, grace: timedelta = DEFAULT_GRACE
) -> dict[str, int]:
    """Run every registered step, each in units of work of its own; returns
    how many things each removed. Safe to run at any time, as often as wanted.
    """
    return {
        what: await step(context, grace)
        for what, step in context.registry.cleanup_steps.items()
    }
