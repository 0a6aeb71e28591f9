from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base, utcnow
from src.jobs.constants import JobStatus
from src.models import CreatedAt, UUIDPrimaryKey


class Job(UUIDPrimaryKey, CreatedAt, Base):
    """A job owed: written in the transaction of the request that causes it
    (the outbox), handed to the broker after the commit, and marked done only
    once it has succeeded. Its id is the key that makes running it twice a
    no-op.
    """

    __tablename__ = "job"

    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(
        Enum(
            JobStatus,
            native_enum=False,
            length=16,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=JobStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # Not started before this (retries back off).
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was last handed to the broker (None: not since it became due).
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    # A running job's worker holds it until then.
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (Index("job_status_run_after_idx", "status", "run_after"),)
