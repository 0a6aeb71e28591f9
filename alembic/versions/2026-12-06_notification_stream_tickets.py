"""notification_stream_tickets

Single-use tickets that open a notification stream from a browser
(EventSource cannot send an Authorization header); only their hash is kept.

Revision ID: 5d6b22887dbe
Revises: 3f7c1d9e2a48
Create Date: 2026-12-06 19:34:25.994334+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5d6b22887dbe"
down_revision: str | Sequence[str] | None = "3f7c1d9e2a48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_stream_ticket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("notification_stream_ticket_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("notification_stream_ticket_pkey")),
        sa.UniqueConstraint(
            "token_hash", name=op.f("notification_stream_ticket_token_hash_key")
        ),
    )
    with op.batch_alter_table("notification_stream_ticket", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("notification_stream_ticket_expires_at_idx"),
            ["expires_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("notification_stream_ticket_user_id_idx"),
            ["user_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_stream_ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("notification_stream_ticket_user_id_idx"))
        batch_op.drop_index(batch_op.f("notification_stream_ticket_expires_at_idx"))

    op.drop_table("notification_stream_ticket")
