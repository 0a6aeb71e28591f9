"""create_idempotency_keys

Idempotency-Key on creating routes (src/idempotency): each key with the
response of its first request, written in that request's transaction.

Revision ID: 7e0ca7b6c4aa
Revises: 40851c1510f9
Create Date: 2026-12-02 15:09:55.626350+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "7e0ca7b6c4aa"
down_revision: str | Sequence[str] | None = "40851c1510f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("idempotency_key_pkey")),
    )
    op.create_index(
        "idempotency_key_scope_key_key",
        "idempotency_key",
        ["scope", "key"],
        unique=True,
    )
    op.create_index("idempotency_key_expires_at_idx", "idempotency_key", ["expires_at"])


def downgrade() -> None:
    op.drop_index("idempotency_key_expires_at_idx", table_name="idempotency_key")
    op.drop_index("idempotency_key_scope_key_key", table_name="idempotency_key")
    op.drop_table("idempotency_key")
