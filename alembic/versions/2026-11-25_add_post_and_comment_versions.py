"""add_post_and_comment_versions

Revision ID: 753179d91a01
Revises: f6c6dc5e5d13
Create Date: 2026-11-25 09:26:46.561774+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "753179d91a01"
down_revision: str | Sequence[str] | None = "f6c6dc5e5d13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite supports it, and batch mode would copy tables.
    for table in ("post", "post_comment"):
        op.add_column(
            table,
            sa.Column(
                "version", sa.Integer(), server_default=sa.text("1"), nullable=False
            ),
        )


def downgrade() -> None:
    for table in ("post_comment", "post"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
