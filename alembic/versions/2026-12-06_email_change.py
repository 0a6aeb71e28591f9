"""email_change

An emailed token may carry the address it confirms: the new one of an
email change, which the account takes only when the link is used.

Revision ID: 8b4e2d7a5c61
Revises: 5e1a7c3d9b20
Create Date: 2026-12-06 01:00:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "8b4e2d7a5c61"
down_revision: str | Sequence[str] | None = "5e1a7c3d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_email_token") as table:
        table.add_column(sa.Column("new_email", sa.String(length=320), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM auth_email_token WHERE new_email IS NOT NULL")
    with op.batch_alter_table("auth_email_token") as table:
        table.drop_column("new_email")
