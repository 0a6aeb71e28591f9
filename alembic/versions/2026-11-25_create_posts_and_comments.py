"""create_posts_and_comments

Revision ID: fd7e7a9ef5d6
Revises: c96e511ebc72
Create Date: 2026-11-25 04:59:00.364255+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "fd7e7a9ef5d6"
down_revision: str | Sequence[str] | None = "c96e511ebc72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["auth_user.id"],
            name=op.f("post_creator_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("post_pkey")),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("post_created_at_idx", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "post_creator_id_created_at_idx",
            ["creator_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "post_comment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["auth_user.id"],
            name=op.f("post_comment_creator_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("post_comment_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("post_comment_pkey")),
    )
    with op.batch_alter_table("post_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("post_comment_creator_id_idx"), ["creator_id"], unique=False
        )
        batch_op.create_index(
            "post_comment_post_id_created_at_idx",
            ["post_id", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("post_comment", schema=None) as batch_op:
        batch_op.drop_index("post_comment_post_id_created_at_idx")
        batch_op.drop_index(batch_op.f("post_comment_creator_id_idx"))

    op.drop_table("post_comment")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("post_creator_id_created_at_idx")
        batch_op.drop_index("post_created_at_idx")

    op.drop_table("post")
