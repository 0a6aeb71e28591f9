"""create_post_attachments

Revision ID: f6c6dc5e5d13
Revises: 33e210e4bcd4
Create Date: 2026-11-25 06:41:05.757957+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "f6c6dc5e5d13"
down_revision: str | Sequence[str] | None = "33e210e4bcd4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["auth_user.id"],
            name=op.f("post_attachment_creator_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("post_attachment_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("post_attachment_pkey")),
        sa.UniqueConstraint(
            "storage_key", name=op.f("post_attachment_storage_key_key")
        ),
    )
    with op.batch_alter_table("post_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("post_attachment_creator_id_idx"), ["creator_id"], unique=False
        )
        batch_op.create_index(
            "post_attachment_post_id_created_at_idx",
            ["post_id", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("post_attachment", schema=None) as batch_op:
        batch_op.drop_index("post_attachment_post_id_created_at_idx")
        batch_op.drop_index(batch_op.f("post_attachment_creator_id_idx"))

    op.drop_table("post_attachment")
