"""The periodic clean-up: what nothing else removes in time."""

from dataclasses import dataclass
from datetime import timedelta

from src.attachments import service as attachments_service
from src.auth import service as auth_service
from src.database.base import utcnow
from src.idempotency import service as idempotency_service
from src.jobs import service
from src.jobs.registry import JobContext
from src.models import purge_orphaned_counts

# Stored files younger than this may belong to an upload whose row is not
# committed yet.
UPLOAD_GRACE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Cleaned:
    files: int
    tokens: int
    counts: int
    jobs: int
    idempotency_keys: int


async def clean_up(context: JobContext, *, grace: timedelta = UPLOAD_GRACE) -> Cleaned:
    """Remove stored files no attachment refers to, expired and spent
    tokens, the list counts of deleted posts and users, finished jobs past
    their retention and expired idempotency keys. Safe to run at any time,
    as often as wanted.
    """
    async with context.units_of_work() as session:
        files = await attachments_service.remove_orphaned_objects(
            session, context.storage, older_than=utcnow() - grace
        )
    async with context.units_of_work() as session:
        tokens = await auth_service.purge_expired_tokens(session)
        counts = await purge_orphaned_counts(session)
        jobs = await service.purge_finished(
            session, older_than=context.settings.jobs.RETENTION
        )
        keys = await idempotency_service.purge_expired(session)
    return Cleaned(
        files=files, tokens=tokens, counts=counts, jobs=jobs, idempotency_keys=keys
    )
