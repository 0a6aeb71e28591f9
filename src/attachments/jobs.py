"""The attachments module's jobs: deleting stored files after their rows,
and removing stored files no row refers to."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from src.attachments import service
from src.attachments.constants import DELETE_STORED_FILES
from src.database.base import utcnow
from src.jobs.registry import JobContext, JobRegistry


async def delete_stored_files(
    context: JobContext, payload: dict[str, Any], _job_id: UUID
) -> None:
    # Deleting a file that is already gone succeeds: a rerun is harmless.
    for key in payload["keys"]:
        await context.storage.delete(key)


async def remove_orphaned_files(context: JobContext, grace: timedelta) -> int:
    # Files younger than the grace may belong to an upload whose row is not
    # committed yet.
    async with context.units_of_work() as uow:
        return await service.remove_orphaned_objects(
            uow.session, context.storage, older_than=utcnow() - grace
        )


def register(registry: JobRegistry) -> None:
    """The attachments module's job and clean-up step."""
    registry.job(DELETE_STORED_FILES, delete_stored_files)
    registry.cleanup("orphaned files", remove_orphaned_files)
