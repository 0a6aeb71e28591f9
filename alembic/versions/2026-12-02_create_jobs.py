"""create_jobs

The outbox of background jobs (src/jobs): each job a request causes is a
row written in its transaction, done only once it has succeeded.

Revision ID: 40851c1510f9
Revises: 3f9b1d7c2a64
Create Date: 2026-12-02 14:55:31.532088+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "40851c1510f9"
down_revision: str | Sequence[str] | None = "3f9b1d7c2a64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "done",
                "failed",
                name="jobstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("job_pkey")),
    )
    op.create_index("job_status_run_after_idx", "job", ["status", "run_after"])


def downgrade() -> None:
    op.drop_index("job_status_run_after_idx", table_name="job")
    op.drop_table("job")
