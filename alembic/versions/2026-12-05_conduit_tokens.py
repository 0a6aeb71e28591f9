"""conduit_tokens

Session tokens gain a kind: `refresh` (every existing one) or `conduit`,
the tokens of the RealWorld API, stored and revoked with the refresh tokens
(docs/decisions/conduit-tokens.md).

Revision ID: 5e1a7c3d9b20
Revises: 3c8d2f6a91b7
Create Date: 2026-12-05 09:00:00.000000+00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5e1a7c3d9b20"
down_revision: str | Sequence[str] | None = "3c8d2f6a91b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_refresh_token") as table:
        table.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "refresh",
                    "conduit",
                    name="sessiontokenkind",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                server_default="refresh",
            )
        )


def downgrade() -> None:
    op.execute("DELETE FROM auth_refresh_token WHERE kind <> 'refresh'")
    with op.batch_alter_table("auth_refresh_token") as table:
        table.drop_column("kind")
