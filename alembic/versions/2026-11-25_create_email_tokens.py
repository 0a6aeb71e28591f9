"""create_email_tokens

Revision ID: c96e511ebc72
Revises: 18d0db6db2c7
Create Date: 2026-11-25 04:50:11.335224+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "c96e511ebc72"
down_revision: str | Sequence[str] | None = "18d0db6db2c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_email_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "verify_email",
                "password_reset",
                name="emailtokenpurpose",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("auth_email_token_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("auth_email_token_pkey")),
        sa.UniqueConstraint("token_hash", name=op.f("auth_email_token_token_hash_key")),
    )
    with op.batch_alter_table("auth_email_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("auth_email_token_user_id_idx"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_email_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("auth_email_token_user_id_idx"))

    op.drop_table("auth_email_token")
