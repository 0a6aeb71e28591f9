"""add_post_search_indexes

Trigram indexes (pg_trgm, GIN) on the title and content of posts, on
PostgreSQL: a `q` search (ILIKE '%...%') reads the index instead of every
post. SQLite scans, which is acceptable at embedded sizes. The indexes are
not in the models; alembic/env.py keeps autogenerate from dropping them.

Building them takes a lock on `post` for as long as the build (about a
minute per million posts here).

Revision ID: 3b1f2a7c9d40
Revises: 753179d91a01
Create Date: 2026-12-02 07:20:00.000000+00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "3b1f2a7c9d40"
down_revision: str | Sequence[str] | None = "753179d91a01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED_COLUMNS = ("title", "content")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED_COLUMNS:
        op.create_index(
            f"post_{column}_trgm_idx",
            "post",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in SEARCHED_COLUMNS:
        op.drop_index(f"post_{column}_trgm_idx", table_name="post")
    # The extension stays: other schemas of the database may use it.
