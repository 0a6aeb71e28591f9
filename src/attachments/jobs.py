"""The attachments module's job: deleting stored files after their rows."""

from typing import Any
from uuid import UUID

from src.attachments.constants import DELETE_STORED_FILES
from src.jobs.registry import JobContext, job


@job(DELETE_STORED_FILES)
async def delete_stored_files(
    context: JobContext, payload: dict[str, Any], _job_id: UUID
) -> None:
    # Deleting a file that is already gone succeeds: a rerun is harmless.
    for key in payload["keys"]:
        await context.storage.delete(key)
