"""create_auth_tables

Revision ID: 18d0db6db2c7
Revises:
Create Date: 2026-11-25 04:38:12.088381+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "18d0db6db2c7"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("hashed_password", sa.String(length=512), nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column(
            "favorite_band",
            sa.Enum(
                "AEROSMITH",
                "QUEEN",
                "AC/DC",
                name="musicband",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("auth_user_pkey")),
        sa.UniqueConstraint("email", name=op.f("auth_user_email_key")),
    )
    # Autogenerate cannot see expression indexes on SQLite: written by hand.
    op.create_index(
        "auth_user_username_lower_key",
        "auth_user",
        [sa.text("lower(username)")],
        unique=True,
    )
    op.create_table(
        "auth_refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("auth_refresh_token_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("auth_refresh_token_pkey")),
        sa.UniqueConstraint(
            "token_hash", name=op.f("auth_refresh_token_token_hash_key")
        ),
    )
    with op.batch_alter_table("auth_refresh_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("auth_refresh_token_user_id_idx"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("auth_refresh_token_user_id_idx"))

    op.drop_table("auth_refresh_token")
    op.drop_index("auth_user_username_lower_key", table_name="auth_user")
    op.drop_table("auth_user")
