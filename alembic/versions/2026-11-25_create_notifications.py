"""create_notifications

Revision ID: 33e210e4bcd4
Revises: fd7e7a9ef5d6
Create Date: 2026-11-25 06:35:17.011254+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "33e210e4bcd4"
down_revision: str | Sequence[str] | None = "fd7e7a9ef5d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "comment_created", name="notificationtype", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["auth_user.id"],
            name=op.f("notification_actor_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["post_comment.id"],
            name=op.f("notification_comment_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("notification_post_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("notification_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("notification_pkey")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("notification_actor_id_idx"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("notification_comment_id_idx"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("notification_post_id_idx"), ["post_id"], unique=False
        )
        batch_op.create_index(
            "notification_user_id_created_at_idx",
            ["user_id", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("notification_user_id_created_at_idx")
        batch_op.drop_index(batch_op.f("notification_post_id_idx"))
        batch_op.drop_index(batch_op.f("notification_comment_id_idx"))
        batch_op.drop_index(batch_op.f("notification_actor_id_idx"))

    op.drop_table("notification")
